//! Timeline marks as data: which dates of a plan a report draws, how, and with which words
//! (the vocabulary's `timeline` attributes and `[shape.marks]`), and which windows a rule's
//! parameters define (a parameter's `timeline`). The report reads them generically; no rule id
//! or manifest key is written in Rust.

use crate::reader::{Problems, TableReader, Text, suggest};
use crate::tree::Node;

/// One kind of mark (`[shape.marks]`): its legend and how it is drawn.
#[derive(Debug, Clone)]
pub struct MarkStyle {
    /// The name keys and parameters refer to; also the CSS class `t-NAME`.
    pub name: String,
    /// The legend's words.
    pub label: Text,
    /// Days of this mark are drawn as a line across the whole chart (closures).
    pub across: bool,
    /// A window of this mark trails after the plan's own dates (a retention period): it does
    /// not stretch the axis and a long one is cut.
    pub tail: bool,
}

/// A key's `timeline` attribute in the vocabulary.
#[derive(Debug, Clone, Default)]
pub struct KeyTimeline {
    /// On a date key: the mark its day is drawn with.
    pub mark: Option<String>,
    /// The row's words (`{key}` is the entry's value of `key`, in Chinese its enum name);
    /// the mark's legend when absent.
    pub label: Option<Text>,
    /// On a date key: the key of the same entry holding the window's last day.
    pub until: Option<String>,
    /// The row's words when `until` is absent from the entry.
    pub alone: Option<Text>,
    /// On an integer key: a window of that many days from the first day of this mark.
    pub after: Option<String>,
    /// On a table: the keys naming an entry in the timeline, the first present wins.
    pub name: Vec<String>,
}

/// How a parameter's window is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Calendar days.
    Days,
    /// China working days (the calendar in force).
    Workdays,
}

/// A parameter's `timeline`: the window it defines after a date of the plan.
#[derive(Debug, Clone)]
pub struct ParamWindow {
    /// The table holding the start date (`account`).
    pub table: String,
    /// The start date's key in each entry (`cancellation_requested_on`).
    pub key: String,
    /// For a map parameter: the entry key whose value picks the length (`type`).
    pub by: Option<String>,
    /// Days or working days.
    pub unit: Unit,
    /// The mark it is drawn with.
    pub mark: String,
    /// The row's words; `{days}` is the length.
    pub label: Text,
    /// The window stands for its start date: drawn instead of the date's own mark, and blamed
    /// with it. Otherwise it is a fact beside the date, never blamed.
    pub replaces: bool,
    /// A day mark at the window's end: (mark, words).
    pub end: Option<(String, Text)>,
    /// Said when the parameter has no length for an entry (`{name}` is the entry's name).
    pub unknown: Option<Text>,
    /// Said when the end cannot be computed (a working-day calendar lacks the year).
    pub undecided: Option<Text>,
}

/// A mark name: lowercase letters, digits and `-` (it becomes a CSS class).
/// When the vocabulary declares its marks (`known`), the name must be one of them: a typo
/// would otherwise draw an unstyled row with the bare name as its legend.
fn mark_name(reader: &TableReader<'_>, key: &'static str, known: Known<'_>) -> Option<String> {
    let (name, span) = reader.string(key)?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        reader.problems.push(
            span,
            format!("`{key}` must be a mark name of lowercase letters, digits and `-`"),
        );
        return None;
    }
    if let Some(known) = known.filter(|k| !k.is_empty())
        && !known.iter().any(|m| m.name == name)
    {
        let names = known.iter().map(|m| m.name.as_str());
        let hint = suggest(&name, names.clone())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        let list = names.collect::<Vec<_>>().join(", ");
        reader.problems.push(
            span,
            format!(
                "`{key}` names the mark `{name}`, which `[shape.marks]` does not declare ({list}){hint}"
            ),
        );
        return None;
    }
    Some(name)
}

/// The marks of the vocabulary in force (`[shape.marks]`), when one is loaded.
pub(crate) type Known<'a> = Option<&'a [MarkStyle]>;

/// Loads `[shape.marks]`.
pub(crate) fn load_styles(node: &Node, problems: &Problems) -> Vec<MarkStyle> {
    node.entries()
        .iter()
        .filter_map(|e| {
            let reader = TableReader::new(&e.node, format!("mark `{}`", e.key), problems);
            let label = reader.required_text("label");
            let across = reader.bool("across").unwrap_or(false);
            let tail = reader.bool("tail").unwrap_or(false);
            reader.finish();
            let ok = !e.key.is_empty()
                && e.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !ok {
                problems.push(
                    e.key_span.clone(),
                    "a mark name has lowercase letters, digits and `-` only",
                );
                return None;
            }
            Some(MarkStyle {
                name: e.key.clone(),
                label: label?,
                across,
                tail,
            })
        })
        .collect()
}

/// Loads a key's `timeline` attribute.
pub(crate) fn load_key(
    node: &Node,
    key: &str,
    problems: &Problems,
    known: Known<'_>,
) -> KeyTimeline {
    let reader = TableReader::new(node, format!("the `timeline` of `{key}`"), problems);
    let out = KeyTimeline {
        mark: mark_name(&reader, "mark", known),
        label: reader.text("label"),
        until: reader.string("until").map(|s| s.0),
        alone: reader.text("alone"),
        after: mark_name(&reader, "after", known),
        name: reader
            .strings("name")
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.0)
            .collect(),
    };
    reader.finish();
    out
}

/// Loads a parameter's `timeline` attribute.
pub(crate) fn load_param(
    node: &Node,
    param: &str,
    problems: &Problems,
    known: Known<'_>,
) -> Option<ParamWindow> {
    let reader = TableReader::new(
        node,
        format!("the `timeline` of parameter `{param}`"),
        problems,
    );
    let from = reader.required_string("from");
    let by = reader.string("by").map(|s| s.0);
    let unit = match reader.string("unit") {
        None => Some(Unit::Days),
        Some((u, _)) if u == "days" => Some(Unit::Days),
        Some((u, _)) if u == "workdays" => Some(Unit::Workdays),
        Some((u, span)) => {
            problems.push(span, format!("unknown `unit` `{u}`: `days` or `workdays`"));
            None
        }
    };
    let mark = reader
        .required("mark")
        .and_then(|_| mark_name(&reader, "mark", known));
    let label = reader.required_text("label");
    let replaces = reader.bool("replaces").unwrap_or(false);
    let end = reader.table("end").and_then(|n| {
        let end = TableReader::new(n, "`end`", problems);
        let mark = end
            .required("mark")
            .and_then(|_| mark_name(&end, "mark", known));
        let label = end.required_text("label");
        end.finish();
        Some((mark?, label?))
    });
    let unknown = reader.text("unknown");
    let undecided = reader.text("undecided");
    reader.finish();
    let (from, span) = from?;
    let Some((table, key)) = from.split_once('.') else {
        problems.push(
            span,
            "`from` names a date key as `TABLE.key`, e.g. `account.closure_effective_on`",
        );
        return None;
    };
    Some(ParamWindow {
        table: table.to_owned(),
        key: key.to_owned(),
        by,
        unit: unit?,
        mark: mark?,
        label: label?,
        replaces,
        end,
        unknown,
        undecided,
    })
}
