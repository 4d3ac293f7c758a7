//! Source files and byte-offset → line/column conversion.

use std::ops::Range;
use std::sync::Arc;

/// A text file that diagnostics point into: a manifest, a rule file or a notice text file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to users (relative to the working directory when possible).
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
    /// Characters before every [`CHAR_BLOCK`]-th byte, built on the first column asked of a
    /// long text, so columns on a line of megabytes cost a block's scan, not the line's.
    char_blocks: std::sync::OnceLock<Vec<usize>>,
}

/// Bytes per entry of [`SourceFile`]'s character index.
const CHAR_BLOCK: usize = 4_096;

/// Characters in `bytes` (any byte range of UTF-8 text): the bytes that start one.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Shared handle to a source file.
pub type Source = Arc<SourceFile>;

impl SourceFile {
    /// Wraps a text under a display name.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let text = text.into();
        // memchr finds line breaks a word at a time; every run indexes every input's lines.
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
            char_blocks: std::sync::OnceLock::new(),
        })
    }

    /// 1-based line and column of a byte offset; columns count Unicode scalar values.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = if offset - start <= CHAR_BLOCK {
            chars_in(&self.text.as_bytes()[start..offset])
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        (line + 1, col + 1)
    }

    /// Characters in the text before a byte offset, through the block index.
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let blocks = self.char_blocks.get_or_init(|| {
            let mut total = 0;
            let mut index = vec![0];
            for block in bytes.chunks(CHAR_BLOCK) {
                total += chars_in(block);
                index.push(total);
            }
            index
        });
        let block = offset / CHAR_BLOCK;
        blocks[block] + chars_in(&bytes[block * CHAR_BLOCK..offset])
    }

    /// Byte offset of a 1-based line and 1-based character column (clamped to the line).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let line_text = &self.text[start..];
        let line_end = line_text.find('\n').unwrap_or(line_text.len());
        line_text[..line_end]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(start + line_end, |(i, _)| start + i)
    }

    /// The 1-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_col(offset).0
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        &self.text[self.line_range(line)]
    }

    /// Byte range of a 1-based line (without its line break).
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len()..self.text.len();
        };
        // From the line index, not by searching the line: lines can be megabytes long.
        let mut end = self
            .line_starts
            .get(line.max(1))
            .map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Clamps an offset into the text and onto a character boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_scalar_values() {
        let src = SourceFile::new("a", "x = 1\n名称 = \"账号\"\n");
        let off = src.text.find('"').unwrap();
        assert_eq!(src.line_col(off), (2, 6));
        assert_eq!(src.offset_of(2, 6), off);
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_text(2), "名称 = \"账号\"");
        assert_eq!(src.line_range(2), 6..src.text.len() - 1);
    }

    #[test]
    fn columns_on_a_long_line_agree_with_counting() {
        let line = "名a\u{1F600}b".repeat(5_000);
        let src = SourceFile::new("a", format!("x\r\n{line}\r\nz"));
        for offset in (3..src.text.len())
            .filter(|&o| src.text.is_char_boundary(o))
            .step_by(997)
        {
            let counted = src.text[3..offset].chars().count() + 1;
            assert_eq!(src.line_col(offset), (2, counted), "offset {offset}");
        }
        assert_eq!(src.line_range(1), 0..1);
        assert_eq!(src.line_range(2), 3..3 + line.len());
        assert_eq!(src.line_range(3), src.text.len() - 1..src.text.len());
    }
}
