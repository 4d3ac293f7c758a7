//! Waivers: `# hegui:allow ID reason="…" approver="…" until=YYYY-MM-DD`, on the line before the
//! blamed line (the next line that is not itself a waiver) or at its end. A waiver applies to
//! a finding's primary location only. Invalid or expired waivers waive nothing and are
//! findings themselves; a valid waiver that waives nothing is one too.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::finding::{Finding, Waiver};
use crate::rules::BuiltinCheck;
use crate::source::SourceFile;
use crate::tree::{Node, NodeValue, Span};

const MARKER: &str = "hegui:allow";

/// A waiver comment as written.
#[derive(Debug, Clone)]
pub struct WaiverComment {
    /// The whole comment.
    pub span: Span,
    /// The rule id and its span.
    pub rule: Option<(String, Span)>,
    /// `reason="…"`.
    pub reason: Option<String>,
    /// `approver="…"`.
    pub approver: Option<String>,
    /// `until=…` as written, its parsed date and span.
    pub until: Option<(String, Option<NaiveDate>, Span)>,
    /// The 1-based line it applies to.
    pub target_line: usize,
    /// The first `key=value` whose key is none of `reason`, `approver`, `until`, and its span.
    pub unknown: Option<(String, Span)>,
}

/// The keys a waiver comment takes.
pub const KEYS: [&str; 3] = ["reason", "approver", "until"];

impl WaiverComment {
    /// What a complete waiver needs and this one lacks: `ID`, `reason`, `approver`.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            (self.rule.is_none(), "ID"),
            (self.reason.is_none(), "reason"),
            (self.approver.is_none(), "approver"),
        ]
        .into_iter()
        .filter_map(|(absent, what)| absent.then_some(what))
        .collect()
    }
}

/// What is wrong with a waiver, as an engine check with its message variables.
pub type WaiverIssue = (BuiltinCheck, Span, Vec<(&'static str, String)>);

/// Spans of every string value, so a `#` inside a string is not taken for a comment.
fn string_spans(node: &Node, out: &mut Vec<Span>) {
    match &node.value {
        NodeValue::String(_) => out.push(node.span.clone()),
        NodeValue::Array(items) => items.iter().for_each(|n| string_spans(n, out)),
        NodeValue::Table(entries) => entries.iter().for_each(|e| string_spans(&e.node, out)),
        _ => {}
    }
}

/// Finds the waiver comments of a manifest.
pub fn parse(source: &SourceFile, doc: &Node) -> Vec<WaiverComment> {
    // Most plans waive nothing: one substring search instead of a walk over every line.
    if !source.text.contains(MARKER) {
        return Vec::new();
    }
    let mut strings = Vec::new();
    string_spans(doc, &mut strings);
    let inside_string = |offset: usize| strings.iter().any(|s| s.start <= offset && offset < s.end);
    let mut comments = Vec::new();
    for line in 1..=source.line_count() {
        let range = source.line_range(line);
        let text = source.line_text(line);
        let mut search = 0;
        while let Some(found) = text[search..].find('#') {
            let hash = search + found;
            search = hash + 1;
            if inside_string(range.start + hash) {
                continue;
            }
            let body = text[hash + 1..].trim_start();
            if body.starts_with(MARKER) {
                let own_line = text[..hash].trim().is_empty();
                comments.push((line, own_line, range.start + hash, range.start + text.len()));
            }
            break;
        }
    }
    let waiver_lines: BTreeSet<usize> = comments.iter().filter(|c| c.1).map(|c| c.0).collect();
    comments
        .into_iter()
        .map(|(line, own_line, start, end)| {
            let mut target = line;
            if own_line {
                target = line + 1;
                while waiver_lines.contains(&target) {
                    target += 1;
                }
            }
            parse_one(&source.text[start..end], start, target)
        })
        .collect()
}

fn parse_one(comment: &str, offset: usize, target_line: usize) -> WaiverComment {
    let marker_end = comment.find(MARKER).map_or(0, |i| i + MARKER.len());
    let mut waiver = WaiverComment {
        span: offset..offset + comment.len(),
        rule: None,
        reason: None,
        approver: None,
        until: None,
        target_line,
        unknown: None,
    };
    let rest = &comment[marker_end..];
    let mut i = 0;
    let bytes = rest.as_bytes();
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let word = &rest[start..i];
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let (value, value_start, value_end) = if bytes.get(i) == Some(&b'"') {
                let close = rest[i + 1..].find('"').map_or(rest.len(), |j| i + 1 + j);
                let v = (&rest[i + 1..close.min(rest.len())], i + 1, close);
                i = (close + 1).min(rest.len());
                v
            } else {
                let s = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                (&rest[s..i], s, i)
            };
            let span = offset + marker_end + value_start..offset + marker_end + value_end;
            match word {
                "reason" => waiver.reason = Some(value.to_owned()).filter(|v| !v.trim().is_empty()),
                "approver" => {
                    waiver.approver = Some(value.to_owned()).filter(|v| !v.trim().is_empty())
                }
                "until" => {
                    waiver.until = Some((
                        value.to_owned(),
                        NaiveDate::parse_from_str(value, "%Y-%m-%d").ok(),
                        span,
                    ))
                }
                _ if waiver.unknown.is_none() => {
                    let key_span =
                        offset + marker_end + start..offset + marker_end + start + word.len();
                    waiver.unknown = Some((word.to_owned(), key_span));
                }
                _ => {}
            }
        } else if waiver.rule.is_none() {
            waiver.rule = Some((
                word.to_owned(),
                offset + marker_end + start..offset + marker_end + i,
            ));
        }
    }
    waiver
}

/// Applies waivers to a file's findings; returns what is wrong with the waivers.
pub fn apply(
    waivers: &[WaiverComment],
    source: &SourceFile,
    findings: &mut [Finding],
    known: &BTreeSet<String>,
    evaluated: &BTreeSet<String>,
    today: NaiveDate,
) -> Vec<WaiverIssue> {
    let mut issues = Vec::new();
    for w in waivers {
        let rule = w.rule.as_ref().map(|r| r.0.clone()).unwrap_or_default();
        let missing = w.missing();
        // A misspelt key (`expires=`, `reasn=`) would otherwise be dropped without a word.
        if let Some((key, span)) = &w.unknown {
            let suggestion = crate::reader::suggest(key, KEYS).unwrap_or_default();
            issues.push((
                BuiltinCheck::WaiverIncomplete,
                span.clone(),
                vec![
                    ("rule", rule),
                    ("missing", missing.join(", ")),
                    ("unknown", crate::escape::shorten(key).into_owned()),
                    ("suggestion", suggestion.to_owned()),
                ],
            ));
            continue;
        }
        if !missing.is_empty() {
            issues.push((
                BuiltinCheck::WaiverIncomplete,
                w.span.clone(),
                vec![
                    ("rule", rule),
                    ("missing", missing.join(", ")),
                    ("unknown", String::new()),
                    ("suggestion", String::new()),
                ],
            ));
            continue;
        }
        let (_, rule_span) = w.rule.clone().unwrap_or_default();
        if !known.contains(&rule) {
            let suggestion = crate::reader::suggest(&rule, known.iter().map(String::as_str))
                .unwrap_or_default()
                .to_owned();
            issues.push((
                BuiltinCheck::WaiverUnknownRule,
                rule_span,
                vec![("rule", rule), ("suggestion", suggestion)],
            ));
            continue;
        }
        if let Some((text, date, span)) = &w.until {
            match date {
                None => {
                    issues.push((
                        BuiltinCheck::WaiverIncomplete,
                        span.clone(),
                        vec![
                            ("rule", rule),
                            ("missing", format!("a valid until date (found `{text}`)")),
                            ("unknown", String::new()),
                            ("suggestion", String::new()),
                        ],
                    ));
                    continue;
                }
                Some(d) if *d < today => {
                    issues.push((
                        BuiltinCheck::WaiverExpired,
                        span.clone(),
                        vec![
                            ("rule", rule),
                            ("until", text.clone()),
                            ("today", today.to_string()),
                        ],
                    ));
                    continue;
                }
                Some(_) => {}
            }
        }
        let mut used = false;
        for f in findings.iter_mut() {
            let same_file = std::ptr::eq(f.source.as_ref(), source);
            if same_file
                && f.rule == rule
                && f.waived.is_none()
                && source.line_of(f.span.start) == w.target_line
            {
                f.waived = Some(Waiver {
                    reason: w.reason.clone().unwrap_or_default(),
                    approver: w.approver.clone().unwrap_or_default(),
                    until: w.until.as_ref().map(|u| u.0.clone()),
                });
                used = true;
            }
        }
        if !used && evaluated.contains(&rule) {
            issues.push((
                BuiltinCheck::WaiverUnused,
                w.span.clone(),
                vec![("rule", rule), ("line", w.target_line.to_string())],
            ));
        }
    }
    issues
}
