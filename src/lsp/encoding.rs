//! Positions: LSP counts a line's characters in the negotiated encoding (UTF-16 code units by
//! default, UTF-8 bytes when the client offers it); hegui counts bytes. A [`LineIndex`]
//! converts between the two for one text.

use lsp_types::{Position, PositionEncodingKind};

/// The position encoding agreed with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Characters are UTF-8 bytes.
    Utf8,
    /// Characters are UTF-16 code units (the protocol's default).
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion needed), else the default UTF-16.
    pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The kind announced in the server's capabilities.
    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Where each line of a text starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes a text's lines.
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The byte range of a 0-based line, without its line break.
    pub(crate) fn line<'t>(&self, text: &'t str, line: usize) -> (usize, &'t str) {
        let Some(&start) = self.starts.get(line) else {
            return (text.len(), "");
        };
        let end = self.starts.get(line + 1).map_or(text.len(), |&n| n - 1);
        let body = &text[start..end.max(start)];
        (start, body.strip_suffix('\r').unwrap_or(body))
    }

    /// The 0-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The byte offset of a position; a character past the line's end means its end, a line
    /// past the text's end means the text's end.
    pub(crate) fn offset(&self, text: &str, pos: Position, encoding: Encoding) -> usize {
        let (start, body) = self.line(text, pos.line as usize);
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in body.char_indices() {
            if units >= want {
                return start + i;
            }
            units += encoding.width(c);
        }
        start + body.len()
    }

    /// The position of a byte offset (clamped into the text, onto a character boundary).
    pub(crate) fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line];
        let character: usize = text[start..offset].chars().map(|c| encoding.width(c)).sum();
        Position::new(line as u32, character as u32)
    }

    /// An LSP range of a byte range.
    pub(crate) fn range(
        &self,
        text: &str,
        span: &std::ops::Range<usize>,
        encoding: Encoding,
    ) -> lsp_types::Range {
        lsp_types::Range::new(
            self.position(text, span.start, encoding),
            self.position(text, span.end.max(span.start), encoding),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn astral_and_cjk_characters_count_per_encoding() {
        // `😀` is 4 UTF-8 bytes and 2 UTF-16 units; `名` is 3 bytes and 1 unit.
        let text = "a = 1\nname = \"😀名\" # x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            index.position(text, x, Encoding::Utf16),
            Position::new(1, 15)
        );
        assert_eq!(
            index.position(text, x, Encoding::Utf8),
            Position::new(1, 19)
        );
        assert_eq!(index.offset(text, Position::new(1, 15), Encoding::Utf16), x);
        assert_eq!(index.offset(text, Position::new(1, 19), Encoding::Utf8), x);
        // Past the end of a line: its end; past the last line: the text's end.
        assert_eq!(index.offset(text, Position::new(0, 99), Encoding::Utf16), 5);
        assert_eq!(
            index.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
    }

    #[test]
    fn crlf_lines_end_before_the_carriage_return() {
        let text = "a = 1\r\nb = 2\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line(text, 0), (0, "a = 1"));
        assert_eq!(index.offset(text, Position::new(0, 40), Encoding::Utf8), 5);
        assert_eq!(
            index.position(text, 7, Encoding::Utf16),
            Position::new(1, 0)
        );
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        let utf16 = [PositionEncodingKind::UTF16];
        assert_eq!(Encoding::negotiate(Some(&utf16)), Encoding::Utf16);
    }
}
