//! Visible escapes for characters that would act on a reader's terminal or reorder displayed
//! text: a pull request controls manifest values and file names, and every renderer that
//! people read (human, GitHub, JUnit, HTML and Markdown) passes them through here.
//!
//! Escaped: C0 controls other than tab and line feed (ESC, BEL, backspace, NUL, …; a carriage
//! return only when no line feed follows it, so CRLF files read as before), DEL, the C1
//! controls U+0080–U+009F (CSI, OSC, …), and the bidirectional controls (U+061C, U+200E,
//! U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators U+2028 and
//! U+2029. Each becomes `\u{…}` in lower-case hexadecimal, so a reader sees what is there.

use std::borrow::Cow;

/// Whether `c` is escaped (a carriage return is decided with its follower, see [`visible`]).
pub(crate) fn is_hazard(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `text` holds any character [`visible`] would change.
pub(crate) fn needs_escape(text: &str) -> bool {
    // Fast path: every hazard but the C1 and bidi controls is one ASCII byte.
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        b'\t' | b'\n' => false,
        0..=0x1f | 0x7f => true,
        // Lead bytes of U+0080–U+009F (C2) and of the U+06xx and U+20xx blocks.
        0xc2 | 0xd8 | 0xe2 => text
            .get(i..)
            .and_then(|s| s.chars().next())
            .is_some_and(is_hazard),
        _ => false,
    })
}

/// `text` with every hazard written as `\u{…}`; borrowed when there is none.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    if !needs_escape(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') || is_hazard(c) {
            push_escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `c` as `\u{…}`.
pub(crate) fn push_escape(c: char, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// A text with its hazards escaped, and the way back and forth between byte offsets of the
/// original and of the escaped text (renderers that point into a file need both: the snippet
/// is shown escaped, the header keeps the original line and column).
#[derive(Debug, Clone)]
pub(crate) struct Escaped {
    /// The escaped text.
    pub(crate) text: String,
    /// For each escaped character: its start and end in the original text, and how many bytes
    /// longer the escaped text is after it.
    shifts: Vec<(usize, usize, usize)>,
}

impl Escaped {
    /// Escapes `text`, recording where it grows.
    pub(crate) fn new(text: &str) -> Escaped {
        let mut out = String::with_capacity(text.len() + 16);
        let mut shifts = Vec::new();
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let lone_cr = c == '\r' && iter.peek().map(|&(_, n)| n) != Some('\n');
            if lone_cr || is_hazard(c) {
                let before = out.len();
                push_escape(c, &mut out);
                let grown = out.len() - before - c.len_utf8();
                let total = shifts.last().map_or(0, |&(_, _, t)| t) + grown;
                shifts.push((i, i + c.len_utf8(), total));
            } else {
                out.push(c);
            }
        }
        Escaped { text: out, shifts }
    }

    fn total_before(&self, n: usize) -> usize {
        n.checked_sub(1).map_or(0, |k| self.shifts[k].2)
    }

    /// The escaped offset of an original offset on a character boundary.
    pub(crate) fn forward(&self, offset: usize) -> usize {
        let n = self.shifts.partition_point(|&(_, end, _)| end <= offset);
        offset + self.total_before(n)
    }

    /// The original offset of an escaped offset (inside an escape: the escaped character's
    /// start).
    pub(crate) fn back(&self, offset: usize) -> usize {
        let n = self
            .shifts
            .partition_point(|&(_, end, total)| end + total <= offset);
        let before = self.total_before(n);
        match self.shifts.get(n) {
            Some(&(start, _, _)) if offset >= start + before => start,
            _ => offset - before,
        }
    }
}

/// Characters of a value a message quotes; a longer one is cut (a 30 MB key named in a
/// message would otherwise be printed again in full with every finding about it).
pub(crate) const QUOTED_CHARS: usize = 64;

/// `text` cut to [`QUOTED_CHARS`] characters, with `…` and its full size when it was longer.
pub(crate) fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(QUOTED_CHARS) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}… ({} bytes)", &text[..cut], text.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_bidi_controls_become_visible() {
        assert_eq!(
            visible("a\u{1b}]0;title\u{7}b\u{202e}c\rd\r\ne\tf\u{9b}"),
            "a\\u{1b}]0;title\\u{7}b\\u{202e}c\\u{d}d\r\ne\tf\\u{9b}"
        );
        assert!(matches!(visible("普通的文字 plain\n"), Cow::Borrowed(_)));
        assert!(!needs_escape("é — ‘quoted’ 中文"));
        assert!(needs_escape("x\u{2066}"));
        assert!(needs_escape("\u{85}"));
    }

    #[test]
    fn long_quotes_are_cut() {
        assert_eq!(shorten("short"), "short");
        let long = "键".repeat(1000);
        let cut = shorten(&long);
        assert!(cut.starts_with(&"键".repeat(QUOTED_CHARS)));
        assert!(cut.ends_with("… (3000 bytes)"));
    }

    #[test]
    fn offsets_map_both_ways() {
        let original = "ab\u{1b}cd\u{202e}ef";
        let e = Escaped::new(original);
        assert_eq!(e.text, "ab\\u{1b}cd\\u{202e}ef");
        for (o, ch) in original.char_indices() {
            let f = e.forward(o);
            assert_eq!(e.back(f), o, "offset {o}");
            if !is_hazard(ch) {
                assert_eq!(e.text[f..].chars().next(), Some(ch));
            }
        }
        assert_eq!(e.forward(original.len()), e.text.len());
        assert_eq!(e.back(e.text.len()), original.len());
    }
}
