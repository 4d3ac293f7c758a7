//! The plain scalars and keys the fast path converts itself: byte classes of the TOML grammar
//! and the commonest scalars, exactly as the decoder would return them.

use chrono::NaiveDate;
use toml_parser::decoder::Encoding;

use super::NodeValue;

/// Byte classes of the TOML grammar, for keys and strings the decoders would return unchanged.
const BARE: u8 = 1;
/// `basic-unescaped`: tab, space, `!`, `#`–`[`, `]`–`~`, non-ASCII.
const BASIC: u8 = 2;
/// `literal-char`: tab, space–`&`, `(`–`~`, non-ASCII.
const LITERAL: u8 = 4;

const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' {
            classes[b] |= BARE;
        }
        let text = c == b'\t' || (c >= 0x20 && c != 0x7f);
        if text && c != b'"' && c != b'\\' {
            classes[b] |= BASIC;
        }
        if text && c != b'\'' {
            classes[b] |= LITERAL;
        }
        b += 1;
    }
    classes
};

fn all_in(text: &str, class: u8) -> bool {
    text.bytes().all(|b| CLASSES[usize::from(b)] & class != 0)
}

/// The contents of a one-line string with nothing to unescape or refuse, as `toml_parser`'s
/// decoder would return them without an error; `None` leaves the string to the decoder.
fn plain_string(raw: &str, encoding: Option<Encoding>) -> Option<&str> {
    let (quote, class) = match encoding {
        Some(Encoding::BasicString) => ('"', BASIC),
        Some(Encoding::LiteralString) => ('\'', LITERAL),
        _ => return None,
    };
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    all_in(inner, class).then_some(inner)
}

/// A key the decoder would return unchanged: bare (`[A-Za-z0-9_-]+`) or a plain string.
pub(super) fn plain_key(raw: &str, encoding: Option<Encoding>) -> Option<&str> {
    if encoding.is_none() {
        return (!raw.is_empty() && all_in(raw, BARE)).then_some(raw);
    }
    plain_string(raw, encoding)
}

/// The commonest scalars, converted exactly as decoding and `super`'s conversions would:
/// plain strings, `true`, `false`, decimal integers without sign or `_`, `YYYY-MM-DD` dates.
/// `None` leaves the scalar to the decoder.
pub(super) fn plain_scalar(raw: &str, encoding: Option<Encoding>) -> Option<NodeValue> {
    if encoding.is_some() {
        return plain_string(raw, encoding).map(|s| NodeValue::String(s.to_owned()));
    }
    let digit = |b: &u8| b.is_ascii_digit();
    match raw.as_bytes() {
        b"true" => Some(NodeValue::Bool(true)),
        b"false" => Some(NodeValue::Bool(false)),
        b"0" => Some(NodeValue::Integer(0)),
        // No leading zero: the decoder refuses those.
        [b'1'..=b'9', rest @ ..] if rest.iter().all(digit) => {
            raw.parse().ok().map(NodeValue::Integer)
        }
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 && y.iter().all(digit) => {
            let two = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| u32::from((a - b'0') * 10 + (b - b'0')))
            };
            let year = raw.get(..4)?.parse().ok()?;
            NaiveDate::from_ymd_opt(year, two(*m1, *m2)?, two(*d1, *d2)?).map(NodeValue::Date)
        }
        _ => None,
    }
}
