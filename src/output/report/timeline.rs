//! A plan's dates on one line, as a model both renderers read (the HTML one draws it as SVG,
//! the Markdown one lists it). Which dates are marks, how they are drawn and with which words
//! is data: the vocabulary's `timeline` attributes and `[shape.marks]`, and the `timeline` of
//! rule parameters for the windows a rule's parameters define (their lengths are the values in
//! force). A mark is *blamed* when an active finding points at one of the values it is drawn
//! from; each date value also carries its schedule window (`hegui schedule`'s computation).

use chrono::{Datelike, Duration, NaiveDate};

use super::Item;
use crate::model::marks::{KeyTimeline, MarkStyle, ParamWindow, Unit};
use crate::reader::Text;
use crate::rules::RuleSet;
use crate::shape::{KeySpec, KeyType};
use crate::source::Source;
use crate::tree::{Node, NodeValue, Span};

/// One mark: a day, or a window of days.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    /// The kind of mark (`[shape.marks]`), also its CSS class `t-NAME`.
    pub style: String,
    /// The entity (account id, notice id, card id …).
    pub entity: String,
    pub what: Text,
    pub start: NaiveDate,
    /// Last day of a window.
    pub end: Option<NaiveDate>,
    /// Time of day, for date-times.
    pub time: Option<String>,
    /// `F3 NTC001` for each active finding that points at those values.
    pub blamed: Vec<String>,
    /// A period after the plan's dates (retention): it does not stretch the axis.
    pub tail: bool,
    /// The value spans it is drawn from (schedule windows are matched by them).
    pub spans: Vec<Span>,
}

/// A date value's schedule window: the days on which no date rule fires on it, the other
/// dates as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allowed {
    /// The value's path, as the JSON format names it.
    pub path: String,
    /// Its span in the manifest.
    pub span: Span,
    /// The day it holds.
    pub current: NaiveDate,
    /// `None` for the window: no day satisfies the date rules.
    pub window: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// The rules that bound it.
    pub rules: Vec<String>,
}

impl Allowed {
    /// Whether the current day lies in the window.
    pub(crate) fn holds(&self) -> bool {
        self.window.is_some_and(|(e, l)| {
            e.is_none_or(|e| e <= self.current) && l.is_none_or(|l| self.current <= l)
        })
    }

    /// `2026-12-20 – 2027-01-31`, `2026-12-20 – …`, or the words for no day.
    pub(crate) fn range(&self, none: &str) -> String {
        match self.window {
            None => none.to_owned(),
            Some((e, l)) => format!(
                "{} – {}",
                e.map_or_else(|| "…".to_owned(), |d| d.to_string()),
                l.map_or_else(|| "…".to_owned(), |d| d.to_string())
            ),
        }
    }
}

/// A plan's timeline.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    /// Marks in document order of their entities.
    pub marks: Vec<Mark>,
    /// Days drawn across the chart (closures).
    pub closures: Vec<NaiveDate>,
    /// What could not be drawn, and why.
    pub notes: Vec<Text>,
    /// The kinds of marks used, in legend order: (name, words).
    pub legend: Vec<(String, Text)>,
    /// Every date value's schedule window, in document order.
    pub allowed: Vec<Allowed>,
    /// Why the schedule windows are missing, when they are.
    pub schedule_note: Option<Text>,
}

impl Timeline {
    /// The schedule windows of the values a mark is drawn from.
    pub(crate) fn allowed_of<'a>(&'a self, mark: &'a Mark) -> impl Iterator<Item = &'a Allowed> {
        self.allowed
            .iter()
            .filter(move |a| mark.spans.contains(&a.span))
    }
}

/// `day` plus `days`, or `None` past the calendar's end (a window so long has no end to
/// draw; a rule reports the value itself).
fn plus_days(day: NaiveDate, days: i64) -> Option<NaiveDate> {
    Duration::try_days(days).and_then(|d| day.checked_add_signed(d))
}

fn date_of(node: &Node) -> Option<(NaiveDate, Option<String>)> {
    match &node.value {
        NodeValue::Date(d) => Some((*d, None)),
        NodeValue::DateTime(dt) => Some((dt.date(), Some(dt.format("%H:%M").to_string()))),
        _ => None,
    }
}

/// The entries of a top-level table: each `[[table]]`, or the one `[table]`; with the name a
/// nameless entry gets (`account[0]`, `finance`).
fn entries<'a>(doc: &'a Node, table: &str) -> Vec<(&'a Node, String)> {
    match doc.get(table).map(|n| &n.value) {
        Some(NodeValue::Array(items)) => items
            .iter()
            .filter(|n| matches!(n.value, NodeValue::Table(_)))
            .enumerate()
            .map(|(i, n)| (n, format!("{table}[{i}]")))
            .collect(),
        Some(NodeValue::Table(_)) => doc
            .get(table)
            .map(|n| (n, table.to_owned()))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// An entry's name: the first of the table's `name` keys it holds, else its place.
fn name_of(entry: &Node, spec: &KeySpec, fallback: &str) -> String {
    spec.timeline
        .iter()
        .flat_map(|t| &t.name)
        .find_map(|k| entry.get(k).and_then(Node::as_str))
        .map_or_else(|| fallback.to_owned(), str::to_owned)
}

/// A parameter in force as a length: the value, or its entry `key` of a map.
fn length(value: &cel::Value, key: Option<&str>) -> Option<i64> {
    let value = match (value, key) {
        (cel::Value::Map(m), Some(k)) => m.map.get(&cel::objects::Key::String(
            std::sync::Arc::new(k.to_owned()),
        ))?,
        (cel::Value::Map(_), None) => return None,
        (v, _) => v,
    };
    match value {
        cel::Value::Int(i) => Some(*i),
        cel::Value::UInt(u) => i64::try_from(*u).ok(),
        _ => None,
    }
}

/// Fills `{key}` holes with the entry's values (in Chinese, an enum value's Chinese name when
/// the vocabulary gives one) and `{days}` with a length.
fn fill(words: &Text, entry: &Node, spec: &KeySpec, days: Option<i64>) -> Text {
    let one = |template: &str, zh: bool| {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let hole = &rest[open + 1..open + close];
            let value = if hole == "days" {
                days.map(|d| d.to_string())
            } else {
                entry.get(hole).map(|n| {
                    let text = node_text(n);
                    let names = spec
                        .keys()
                        .iter()
                        .find(|(k, _)| k == hole)
                        .map(|(_, s)| s)
                        .and_then(|s| match &s.ty {
                            KeyType::Enum(values) if zh && s.names.len() == values.len() => values
                                .iter()
                                .position(|v| *v == text)
                                .map(|i| s.names[i].clone()),
                            _ => None,
                        });
                    names.unwrap_or(text)
                })
            };
            out.push_str(&value.unwrap_or_default());
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    };
    Text {
        zh: one(&words.zh, true),
        en: one(&words.en, false),
    }
}

/// A manifest value as text, through the one CEL display.
pub(crate) fn node_text(node: &Node) -> String {
    crate::cel::convert::display_value(&crate::cel::convert::to_cel(node))
}

struct Builder<'a> {
    marks: Vec<Mark>,
    items: &'a [Item],
    plan: usize,
    source: &'a Source,
    styles: &'a [MarkStyle],
}

impl Builder<'_> {
    fn style(&self, name: &str) -> Option<&MarkStyle> {
        self.styles.iter().find(|s| s.name == name)
    }

    /// The legend words of a kind of mark (its name when `[shape.marks]` lacks it).
    fn legend(&self, name: &str) -> Text {
        self.style(name)
            .map_or_else(|| super::same(name), |s| s.label.clone())
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        style: &str,
        entity: &str,
        what: Text,
        (start, time): (NaiveDate, Option<String>),
        end: Option<NaiveDate>,
        spans: Vec<Span>,
        blame: bool,
    ) {
        let blamed = self
            .items
            .iter()
            .filter(|_| blame)
            .filter(|i| i.plan == Some(self.plan) && i.finding.waived.is_none())
            .filter(|i| i.finding.source.name == self.source.name)
            .filter(|i| {
                spans
                    .iter()
                    .any(|s| *s == i.finding.span || i.finding.labels.iter().any(|l| l.span == *s))
            })
            .map(|i| format!("{} {}", i.tag(), i.finding.rule))
            .collect();
        let tail = end.is_some() && self.style(style).is_some_and(|s| s.tail);
        self.marks.push(Mark {
            style: style.to_owned(),
            entity: entity.to_owned(),
            what,
            start,
            end,
            time,
            blamed,
            tail,
            spans,
        });
    }
}

/// The windows rule parameters define, with the value in force: (rule, parameter, window,
/// value).
fn param_windows(set: &RuleSet) -> Vec<(&str, &str, &ParamWindow, &cel::Value)> {
    set.rules
        .iter()
        .flat_map(|r| {
            r.params.iter().filter_map(move |p| {
                p.timeline
                    .as_ref()
                    .map(|w| (r.id.as_str(), p.name.as_str(), w, &p.value))
            })
        })
        .collect()
}

/// Reads a plan's timeline from its parsed manifest and the rule set in force.
pub(crate) fn build(
    set: &RuleSet,
    doc: &Node,
    source: &Source,
    items: &[Item],
    plan: usize,
) -> Timeline {
    let Some(shape) = set.shape.as_ref() else {
        return Timeline::default();
    };
    let mut b = Builder {
        marks: Vec::new(),
        items,
        plan,
        source,
        styles: &shape.marks,
    };
    let mut notes = Vec::new();
    let windows = param_windows(set);
    let tables = shape.root.keys();
    let timeline_of = |spec: &KeySpec| spec.timeline.clone().unwrap_or_default();

    // Days drawn across the chart come first: windows `after` a kind of mark count from them.
    let mut across: Vec<(String, NaiveDate)> = Vec::new();
    for (table, spec) in tables {
        for (entry, _) in entries(doc, table) {
            for (key, key_spec) in spec.keys() {
                let Some(mark) = key_spec.timeline.as_ref().and_then(|t| t.mark.as_ref()) else {
                    continue;
                };
                if let Some((day, _)) = entry.get(key).and_then(date_of) {
                    across.push((mark.clone(), day));
                }
            }
        }
    }
    let first_of = |mark: &str| {
        across
            .iter()
            .filter(|(m, _)| m == mark)
            .map(|(_, d)| *d)
            .min()
    };

    for (table, spec) in tables {
        for (entry, fallback) in entries(doc, table) {
            let id = name_of(entry, spec, &fallback);
            let mut relative = Vec::new();
            for (key, key_spec) in spec.keys() {
                let t: KeyTimeline = timeline_of(key_spec);
                if let Some(after) = &t.after {
                    relative.push((key, key_spec, t.clone(), after.clone()));
                    continue;
                }
                let Some(mark) = &t.mark else {
                    continue;
                };
                let Some(node) = entry.get(key) else {
                    continue;
                };
                let Some(day) = date_of(node) else {
                    continue;
                };
                let here: Vec<_> = windows
                    .iter()
                    .filter(|(_, _, w, _)| w.table == *table && w.key == *key)
                    .collect();
                // A window that stands for this date is drawn instead of its day; one beside it
                // comes after the day.
                let mut day_done = false;
                for (rule, param, w, value) in &here {
                    let by =
                        w.by.as_ref()
                            .and_then(|k| entry.get(k))
                            .and_then(Node::as_str);
                    let Some(days) = length(value, by) else {
                        if let Some(unknown) = &w.unknown {
                            let mut words = unknown.clone();
                            words.zh = words.zh.replace("{name}", &id);
                            words.en = words.en.replace("{name}", &id);
                            notes.push(super::bi(
                                format!("{}（规则 {rule} 参数 {param}）", words.zh),
                                format!("{} (rule {rule} parameter {param})", words.en),
                            ));
                        }
                        continue;
                    };
                    let end = match w.unit {
                        Unit::Days => Ok(plus_days(day.0, days)),
                        Unit::Workdays => set.calendar.add_workdays(day.0, days).map(Some),
                    };
                    let spans = if w.replaces {
                        vec![node.span.clone()]
                    } else {
                        Vec::new()
                    };
                    match end {
                        Ok(end) => {
                            let what = fill(&w.label, entry, spec, Some(days));
                            if !w.replaces && !day_done {
                                push_day(&mut b, mark, &id, &t, entry, spec, node, day.clone());
                            }
                            day_done = true;
                            b.push(&w.mark, &id, what, day.clone(), end, spans.clone(), true);
                            if let (Some((end_mark, words)), Some(end)) = (&w.end, end) {
                                let what = fill(words, entry, spec, Some(days));
                                b.push(end_mark, &id, what, (end, None), None, spans, true);
                            }
                        }
                        Err(missing) => {
                            if let Some(undecided) = &w.undecided {
                                notes.push(super::bi(
                                    format!("{}：工作日日历缺少 {} 年", undecided.zh, missing.0),
                                    format!(
                                        "{}: the working-day calendar lacks {}",
                                        undecided.en, missing.0
                                    ),
                                ));
                            }
                        }
                    }
                }
                if !day_done {
                    push_day(&mut b, mark, &id, &t, entry, spec, node, day);
                }
            }
            // Windows of a number of days after the first day of a kind of mark, last.
            for (key, _, t, after) in relative {
                let (Some(node), Some(first)) = (entry.get(key), first_of(&after)) else {
                    continue;
                };
                let NodeValue::Integer(days) = node.value else {
                    continue;
                };
                let Some(mark) = &t.mark else {
                    continue;
                };
                let what = t
                    .label
                    .as_ref()
                    .map_or_else(|| b.legend(mark), |l| fill(l, entry, spec, Some(days)));
                let spans = vec![node.span.clone()];
                b.push(
                    mark,
                    &id,
                    what,
                    (first, None),
                    plus_days(first, days),
                    spans,
                    true,
                );
            }
        }
    }

    let mut closures: Vec<NaiveDate> = across
        .iter()
        .filter(|(m, _)| b.style(m).is_some_and(|s| s.across))
        .map(|(_, d)| *d)
        .collect();
    closures.sort();
    closures.dedup();
    let legend = shape
        .marks
        .iter()
        .filter(|s| b.marks.iter().any(|m| m.style == s.name))
        .map(|s| (s.name.clone(), s.label.clone()))
        .chain(
            // Kinds the vocabulary does not list, after the listed ones, once each.
            b.marks
                .iter()
                .filter(|m| !shape.marks.iter().any(|s| s.name == m.style))
                .map(|m| (m.style.clone(), super::same(&m.style)))
                .fold(Vec::new(), |mut acc: Vec<(String, Text)>, x| {
                    if !acc.iter().any(|(n, _)| *n == x.0) {
                        acc.push(x);
                    }
                    acc
                }),
        )
        .collect();
    Timeline {
        marks: b.marks,
        closures,
        notes,
        legend,
        allowed: Vec::new(),
        schedule_note: None,
    }
}

/// The day mark of a date key, or its window to the `until` key of the same entry.
#[allow(clippy::too_many_arguments)]
fn push_day(
    b: &mut Builder<'_>,
    mark: &str,
    id: &str,
    t: &KeyTimeline,
    entry: &Node,
    spec: &KeySpec,
    node: &Node,
    day: (NaiveDate, Option<String>),
) {
    let words = |w: Option<&Text>| w.map(|l| fill(l, entry, spec, None));
    let until = t
        .until
        .as_ref()
        .and_then(|k| entry.get(k))
        .and_then(|n| date_of(n).map(|d| (d, n)));
    match until {
        Some((end, end_node)) => {
            let what = words(t.label.as_ref()).unwrap_or_else(|| b.legend(mark));
            let spans = vec![node.span.clone(), end_node.span.clone()];
            b.push(mark, id, what, day, Some(end.0), spans, true);
        }
        None => {
            let what = words(t.alone.as_ref().filter(|_| t.until.is_some()))
                .or_else(|| words(t.label.as_ref()))
                .unwrap_or_else(|| b.legend(mark));
            b.push(mark, id, what, day, None, vec![node.span.clone()], true);
        }
    }
}

/// `12-15` (with the time when there is one).
pub(crate) fn short(day: NaiveDate, time: Option<&str>) -> String {
    match time {
        Some(t) => format!("{:02}-{:02} {t}", day.month(), day.day()),
        None => format!("{:02}-{:02}", day.month(), day.day()),
    }
}

/// `2026-11-25 → 2026-12-31 (37 d)` or `2026-12-15 10:00`.
pub(crate) fn when(mark: &Mark) -> String {
    match mark.end {
        Some(end) => format!(
            "{} → {} ({} d)",
            mark.start,
            end,
            (end - mark.start).num_days()
        ),
        None => match &mark.time {
            Some(t) => format!("{} {t}", mark.start),
            None => mark.start.to_string(),
        },
    }
}

/// Marks sorted by date, for a table.
pub(crate) fn by_date(timeline: &Timeline) -> Vec<&Mark> {
    let mut marks: Vec<&Mark> = timeline.marks.iter().collect();
    marks.sort_by(|a, b| (a.start, &a.time, a.end).cmp(&(b.start, &b.time, b.end)));
    marks
}

/// The words shown for a fixed value in a table cell.
pub(crate) fn mark_text(mark: &Mark, languages: super::Languages) -> String {
    match languages {
        super::Languages::Both => format!("{} · {}", mark.what.zh, mark.what.en),
        l => mark.what.get(l.primary()).to_owned(),
    }
}
