//! A TOML document as a tree of values that all keep their byte spans.
//!
//! [`parse`] builds the owned tree (keys in document order, typed dates) straight from
//! `toml_parser`'s events (`fast`), applying the document rules of `toml`'s own `DeTable`
//! builder. That path only decides whether a text is valid; on any error it hands the text to
//! the reference path ([`parse_reference`]: `toml::de::DeTable::parse`, then a conversion of
//! its borrowed output), so every error message and span is `toml`'s. Both paths share the
//! conversion of integers, floats and dates, and `tests/parse_fast.rs` checks that they agree.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

mod fast;

/// A byte range into a source text.
pub type Span = Range<usize>;

/// A value and where it stands.
#[derive(Debug, Clone)]
pub struct Node {
    /// Span of the value (for a `[header]` table or `[[entry]]`, the header).
    pub span: Span,
    /// The value itself.
    pub value: NodeValue,
}

/// One key of a table.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key's name.
    pub key: String,
    /// Span of the key.
    pub key_span: Span,
    /// The value.
    pub node: Node,
}

/// A TOML value.
#[derive(Debug, Clone)]
pub enum NodeValue {
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A local date.
    Date(NaiveDate),
    /// A local date-time.
    DateTime(NaiveDateTime),
    /// A date-time with an offset, kept as written.
    OffsetDateTime(String),
    /// A local time, kept as written.
    Time(NaiveTime),
    /// An array.
    Array(Vec<Node>),
    /// A table, its keys in document order.
    Table(Vec<Entry>),
}

impl NodeValue {
    /// The name of the value's type as a user reads it.
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeValue::String(_) => "string",
            NodeValue::Integer(_) => "integer",
            NodeValue::Float(_) => "float",
            NodeValue::Bool(_) => "boolean",
            NodeValue::Date(_) => "date",
            NodeValue::DateTime(_) => "local date-time",
            NodeValue::OffsetDateTime(_) => "offset date-time",
            NodeValue::Time(_) => "local time",
            NodeValue::Array(_) => "array",
            NodeValue::Table(_) => "table",
        }
    }
}

impl Node {
    /// The entries of a table, or none.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            NodeValue::Table(entries) => entries,
            _ => &[],
        }
    }

    /// The value of a key of a table.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    /// The entry of a key of a table.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// Follows a path from this node.
    pub fn at(&self, path: &[Segment]) -> Option<&Node> {
        let mut node = self;
        for segment in path {
            node = match (segment, &node.value) {
                (Segment::Key(k), NodeValue::Table(_)) => node.get(k)?,
                (Segment::Index(i), NodeValue::Array(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// A path from the document root, e.g. `account[0].closure_effective_on`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocPath(pub Vec<Segment>);

impl DocPath {
    /// This path extended by a key.
    pub fn key(&self, key: &str) -> DocPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_owned()));
        p
    }

    /// This path extended by an index.
    pub fn index(&self, i: usize) -> DocPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(i));
        p
    }

    /// Whether `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &DocPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// Parses `a.b[2].c`; a leading `/` and a lone `.` are accepted and ignored.
    pub fn parse(text: &str) -> Option<DocPath> {
        let text = text.trim().trim_start_matches('/');
        let mut segments = Vec::new();
        if text.is_empty() || text == "." {
            return Some(DocPath(segments));
        }
        for part in text.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                segments.push(Segment::Key(name.to_owned()));
            } else if rest.is_empty() {
                return None;
            }
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']')?;
                segments.push(Segment::Index(stripped[..end].parse().ok()?));
                rest = &stripped[end + 1..];
            }
            if !rest.is_empty() {
                return None;
            }
        }
        Some(DocPath(segments))
    }
}

impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Where the characters of a string value start in the source, past its quotes (and the line
/// break that opens a multi-line string), and whether they map one to one onto the value
/// (false for a basic string with escapes).
pub fn string_content_start(text: &str, span: &Span) -> (usize, bool) {
    let raw = text.get(span.clone()).unwrap_or("");
    for quote in ["'''", "\"\"\""] {
        if let Some(rest) = raw.strip_prefix(quote) {
            let newline = if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(rest.starts_with('\n'))
            };
            return (
                span.start + 3 + newline,
                quote.starts_with('\'') || !raw.contains('\\'),
            );
        }
    }
    let exact = raw.starts_with('\'') || !raw.contains('\\');
    (
        span.start + usize::from(raw.starts_with(['"', '\''])),
        exact,
    )
}

/// Why a text could not become a tree.
#[derive(Debug, Clone)]
pub struct ParseFailure {
    /// The parser's message.
    pub message: String,
    /// Where it stopped.
    pub span: Span,
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

/// Parses a TOML text into a spanned tree.
pub fn parse(text: &str) -> Result<Node, ParseFailure> {
    if let Some(failure) = depth_failure(text) {
        return Err(failure);
    }
    // The fast path words most errors as the reference path does; the rest go there.
    match fast::parse(text) {
        fast::Fast::Tree(tree) => Ok(tree),
        fast::Fast::Invalid(failure) => Err(failure),
        fast::Fast::Unsure => parse_with_toml(text),
    }
}

/// [`parse`] through `toml::de::DeTable` only: the reference the fast path is tested against.
#[doc(hidden)]
pub fn parse_reference(text: &str) -> Result<Node, ParseFailure> {
    if let Some(failure) = depth_failure(text) {
        return Err(failure);
    }
    parse_with_toml(text)
}

/// The fast path alone (after the depth check): `Some(Ok)` for a tree, `Some(Err)` for an error
/// it worded itself, `None` where [`parse`] falls back; for tests.
#[doc(hidden)]
pub fn parse_fast(text: &str) -> Option<Result<Node, ParseFailure>> {
    if depth_failure(text).is_some() {
        return None;
    }
    match fast::parse(text) {
        fast::Fast::Tree(tree) => Some(Ok(tree)),
        fast::Fast::Invalid(failure) => Some(Err(failure)),
        fast::Fast::Unsure => None,
    }
}

/// The refusal of a text nested deeper than `MAX_DEPTH`, if it is.
fn depth_failure(text: &str) -> Option<ParseFailure> {
    let depth_at = too_deep(text)?;
    Some(ParseFailure {
        message: format!("nesting deeper than {MAX_DEPTH} levels"),
        span: depth_at..depth_at + 1,
    })
}

fn parse_with_toml(text: &str) -> Result<Node, ParseFailure> {
    let table = DeTable::parse(text).map_err(|e| ParseFailure {
        message: e.message().to_owned(),
        span: e.span().unwrap_or(0..0),
    })?;
    let span = table.span();
    let table = table.into_inner();
    convert_table(&table, span).map_err(|(message, span)| ParseFailure { message, span })
}

/// The offset where bracket nesting first exceeds `MAX_DEPTH`, ignoring brackets in strings and comments.
///
/// Byte-wise: every byte it looks for is ASCII, and no byte of a multi-byte UTF-8 character is.
fn too_deep(text: &str) -> Option<usize> {
    // Deeper nesting needs more opening brackets than that; counting them is much cheaper.
    if opening_brackets(text) <= MAX_DEPTH {
        return None;
    }
    let mut depth = 0usize;
    let mut in_string: Option<u8> = None;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, &c) in text.as_bytes().iter().enumerate() {
        if in_comment {
            in_comment = c != b'\n';
            continue;
        }
        if let Some(q) = in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' && q == b'"' {
                escaped = true;
            } else if c == q || c == b'\n' {
                in_string = None;
            }
            continue;
        }
        match c {
            b'#' => in_comment = true,
            b'"' | b'\'' => in_string = Some(c),
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// How many `[` and `{` a text has. Counted per 255 bytes so that the counter fits a byte,
/// which the compiler turns into wide vector compares.
fn opening_brackets(text: &str) -> usize {
    text.as_bytes()
        .chunks(255)
        .map(|chunk| {
            let count = chunk
                .iter()
                .fold(0u8, |n, &b| n + u8::from(b == b'[' || b == b'{'));
            usize::from(count)
        })
        .sum()
}

type ConvertError = (String, Span);

fn convert_table(table: &DeTable<'_>, span: Span) -> Result<Node, ConvertError> {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        entries.push(Entry {
            key: key.get_ref().to_string(),
            key_span: key.span(),
            node: convert(value)?,
        });
    }
    entries.sort_by_key(|e| e.key_span.start);
    Ok(Node {
        span,
        value: NodeValue::Table(entries),
    })
}

fn convert(value: &Spanned<DeValue<'_>>) -> Result<Node, ConvertError> {
    let span = value.span();
    let value = match value.get_ref() {
        DeValue::String(s) => NodeValue::String(s.to_string()),
        DeValue::Integer(i) => NodeValue::Integer(
            integer_value(i.as_str(), i.radix())
                .ok_or(("integer out of range".to_owned(), span.clone()))?,
        ),
        DeValue::Float(f) => NodeValue::Float(
            float_value(f.as_str()).ok_or(("invalid float".to_owned(), span.clone()))?,
        ),
        DeValue::Boolean(b) => NodeValue::Bool(*b),
        DeValue::Datetime(dt) => {
            datetime_value(dt).ok_or(("invalid date".to_owned(), span.clone()))?
        }
        DeValue::Array(items) => {
            NodeValue::Array(items.iter().map(convert).collect::<Result<Vec<_>, _>>()?)
        }
        DeValue::Table(table) => return convert_table(table, span),
    };
    Ok(Node { span, value })
}

/// The value of an integer as decoded by `toml_parser` (digits, sign, no radix prefix), or
/// `None` when out of range. Shared by both parse paths, so they agree to the bit.
fn integer_value(decoded: &str, radix: u32) -> Option<i64> {
    let digits = without_underscores(decoded);
    // Only the prefix of this radix, once: stripping every prefix read `0x0b1` as 1.
    let prefix = match radix {
        16 => "0x",
        8 => "0o",
        2 => "0b",
        _ => "",
    };
    let digits = digits.strip_prefix(prefix).unwrap_or(&digits);
    i64::from_str_radix(digits, radix).ok()
}

/// The value of a float as decoded by `toml_parser`; every NaN is `f64::NAN`.
fn float_value(decoded: &str) -> Option<f64> {
    let text = without_underscores(decoded);
    Some(match text.as_ref() {
        "inf" | "+inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "+nan" | "-nan" => f64::NAN,
        t => t.parse().ok()?,
    })
}

/// `text` without `_` (the decoder already drops them; this keeps the old conversion exact).
fn without_underscores(text: &str) -> Cow<'_, str> {
    if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    }
}

/// A TOML date-time as hegui's value, or `None` where chrono has no such date or time.
fn datetime_value(dt: &toml::value::Datetime) -> Option<NodeValue> {
    let date = dt
        .date
        .map(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()));
    let time = dt.time.map(|t| {
        NaiveTime::from_hms_nano_opt(
            t.hour.into(),
            t.minute.into(),
            u32::from(t.second.unwrap_or(0)).min(59),
            t.nanosecond.unwrap_or(0),
        )
    });
    Some(match (date, time, dt.offset) {
        (_, _, Some(_)) => NodeValue::OffsetDateTime(dt.to_string()),
        (Some(d), None, None) => NodeValue::Date(d?),
        (Some(d), Some(t), None) => NodeValue::DateTime(NaiveDateTime::new(d?, t?)),
        (None, Some(t), None) => NodeValue::Time(t?),
        (None, None, None) => return None,
    })
}

/// A TOML value's type in Chinese.
pub(crate) fn zh_type_name(value: &NodeValue) -> &'static str {
    match value {
        NodeValue::String(_) => "字符串",
        NodeValue::Integer(_) => "整数",
        NodeValue::Float(_) => "浮点数",
        NodeValue::Bool(_) => "布尔值",
        NodeValue::Date(_) => "日期",
        NodeValue::DateTime(_) => "本地日期时间",
        NodeValue::OffsetDateTime(_) => "带时区的日期时间",
        NodeValue::Time(_) => "本地时间",
        NodeValue::Array(_) => "数组",
        NodeValue::Table(_) => "表",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_document_order() {
        let text =
            "[plan]\nid = \"a\"\n[[account]]\nid = \"b\"\nclosure_effective_on = 2026-12-20\n";
        let doc = parse(text).unwrap();
        let keys: Vec<_> = doc.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["plan", "account"]);
        let path = DocPath::parse("account[0].closure_effective_on").unwrap();
        let node = doc.at(&path.0).unwrap();
        assert_eq!(&text[node.span.clone()], "2026-12-20");
        assert_eq!(path.to_string(), "account[0].closure_effective_on");
    }

    #[test]
    fn integers_in_every_radix() {
        let text = "a = 0x0b1\nb = 0b101\nc = 0o17\nd = -1_000\ne = 0xDEAD_beef\n";
        for doc in [parse(text).unwrap(), parse_reference(text).unwrap()] {
            let values: Vec<_> = doc
                .entries()
                .iter()
                .map(|e| match e.node.value {
                    NodeValue::Integer(i) => i,
                    _ => panic!("{} is not an integer", e.key),
                })
                .collect();
            assert_eq!(values, [0xb1, 5, 15, -1000, 0xDEAD_BEEF]);
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&text).unwrap_err().message.contains("nesting"));
    }
}
