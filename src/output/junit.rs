//! `--format junit`: JUnit XML for CI dashboards.
//!
//! One `<testsuite>` per manifest, one `<testcase>` per (manifest, rule): every rule of the
//! set is listed for every manifest checked, so passes show too, plus any other id a finding
//! carries (`IO`, engine diagnostics). A rule with active findings in a file fails with one
//! `<failure>` (JUnit allows one per test case): its `message` is the first finding's
//! `file:line:col: message`, its text lists every finding of that rule in that file. A rule
//! whose findings there are all waived is `<skipped>` with the waiver.

use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::Lang;
use crate::finding::Finding;
use crate::rules::RuleSet;

/// Terminal and bidi controls become visible `\u{…}` escapes (see [`crate::escape`]); the
/// characters XML 1.0 cannot carry at all, even escaped, become U+FFFD.
fn xml_safe(text: &str) -> String {
    crate::escape::visible(text)
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn location(f: &Finding) -> String {
    let (line, col) = f.start();
    format!("{}:{line}:{col}", f.source.name)
}

fn waiver_text(f: &Finding, lang: Lang) -> Option<String> {
    let w = f.waived.as_ref()?;
    let until = w.until.as_deref().map(|u| match lang {
        Lang::Zh => format!("，有效至 {u}"),
        Lang::En => format!(", until {u}"),
    });
    Some(match lang {
        Lang::Zh => format!(
            "已豁免：{}，批准人 {}{}",
            w.reason,
            w.approver,
            until.unwrap_or_default()
        ),
        Lang::En => format!(
            "waived: {}, approved by {}{}",
            w.reason,
            w.approver,
            until.unwrap_or_default()
        ),
    })
}

/// The text of one finding inside a failure: location, severity, message, help, fix, basis.
fn details(f: &Finding, lang: Lang) -> String {
    let (end_line, end_col) = f.end();
    let mut text = format!(
        "{}-{end_line}:{end_col}: {}: {}",
        location(f),
        f.severity.as_str(),
        f.message
    );
    if let Some(w) = waiver_text(f, lang) {
        text.push_str(&format!(" [{w}]"));
    }
    let basis = (!f.basis.is_empty()).then(|| match lang {
        Lang::Zh => format!("依据：{}", f.basis),
        Lang::En => format!("basis: {}", f.basis),
    });
    let fix = f.fix.as_ref().map(|x| x.hint(lang));
    for extra in [f.help.clone(), fix, basis].into_iter().flatten() {
        if !extra.is_empty() {
            text.push_str("\n  ");
            text.push_str(&extra.replace('\n', "\n  "));
        }
    }
    text.push('\n');
    text
}

/// What one test case holds: the findings of one rule in one file.
#[derive(Default)]
struct Case<'a> {
    findings: Vec<&'a Finding>,
}

impl Case<'_> {
    fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.waived.is_none())
    }
    fn skipped(&self) -> bool {
        !self.findings.is_empty() && !self.failed()
    }
}

type Suites<'a> = BTreeMap<&'a str, BTreeMap<&'a str, Case<'a>>>;

/// Groups findings by file and rule; every checked file gets every rule of the set.
fn group<'a>(findings: &'a [Finding], checked: &'a [String], rules: &'a RuleSet) -> Suites<'a> {
    let mut suites: Suites<'a> = BTreeMap::new();
    for file in checked {
        let cases = suites.entry(file.as_str()).or_default();
        for rule in &rules.rules {
            cases.entry(rule.id.as_str()).or_default();
        }
    }
    for f in findings {
        suites
            .entry(f.source.name.as_str())
            .or_default()
            .entry(f.rule.as_str())
            .or_default()
            .findings
            .push(f);
    }
    suites
}

fn counts<'a>(cases: impl Iterator<Item = &'a Case<'a>>) -> (usize, usize, usize) {
    cases.fold((0, 0, 0), |(t, fl, s), c| {
        (
            t + 1,
            fl + usize::from(c.failed()),
            s + usize::from(c.skipped()),
        )
    })
}

fn start<'a>(name: &'a str, attrs: &[(&'a str, String)]) -> BytesStart<'a> {
    let mut e = BytesStart::new(name);
    for (key, value) in attrs {
        e.push_attribute((*key, xml_safe(value).as_str()));
    }
    e
}

/// Renders a JUnit XML report; `checked` names every manifest checked.
pub fn render(findings: &[Finding], checked: &[String], rules: &RuleSet, lang: Lang) -> String {
    let suites = group(findings, checked, rules);
    let (tests, failures, skipped) = counts(suites.values().flat_map(|c| c.values()));
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    let mut put = |event: Event<'_>| w.write_event(event).expect("writing to memory");
    put(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    put(Event::Start(start(
        "testsuites",
        &[
            ("name", "hegui".into()),
            ("tests", tests.to_string()),
            ("failures", failures.to_string()),
            ("errors", "0".into()),
            ("skipped", skipped.to_string()),
        ],
    )));
    for (file, cases) in &suites {
        let (tests, failures, skipped) = counts(cases.values());
        put(Event::Start(start(
            "testsuite",
            &[
                ("name", (*file).into()),
                ("tests", tests.to_string()),
                ("failures", failures.to_string()),
                ("errors", "0".into()),
                ("skipped", skipped.to_string()),
            ],
        )));
        for (rule, case) in cases {
            let attrs = [
                ("classname", (*file).to_owned()),
                ("name", (*rule).to_owned()),
                ("file", (*file).to_owned()),
            ];
            if case.findings.is_empty() {
                put(Event::Empty(start("testcase", &attrs)));
                continue;
            }
            put(Event::Start(start("testcase", &attrs)));
            let active: Vec<&&Finding> = case
                .findings
                .iter()
                .filter(|f| f.waived.is_none())
                .collect();
            if let Some(first) = active.first() {
                let mut message = format!("{}: {}", location(first), first.message);
                if active.len() > 1 {
                    message = format!("{message} (+{} more)", active.len() - 1);
                }
                let worst = active
                    .iter()
                    .map(|f| f.severity)
                    .max()
                    .unwrap_or(first.severity);
                let body: String = case.findings.iter().map(|f| details(f, lang)).collect();
                put(Event::Start(start(
                    "failure",
                    &[
                        ("message", message),
                        // The worst active severity, so a dashboard can sort by it.
                        ("type", worst.as_str().to_owned()),
                    ],
                )));
                put(Event::Text(BytesText::new(&xml_safe(&body))));
                put(Event::End(BytesEnd::new("failure")));
            } else {
                let first = case.findings[0];
                let message = format!(
                    "{}: {} [{}]",
                    location(first),
                    first.message,
                    waiver_text(first, lang).unwrap_or_default()
                );
                put(Event::Empty(start("skipped", &[("message", message)])));
            }
            put(Event::End(BytesEnd::new("testcase")));
        }
        put(Event::End(BytesEnd::new("testsuite")));
    }
    put(Event::End(BytesEnd::new("testsuites")));
    let mut text = String::from_utf8(w.into_inner()).expect("quick-xml writes UTF-8");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(xml_safe("a\u{1}b\tc\n\u{FFFE}"), "a\\u{1}b\tc\n\u{FFFD}");
    }
}
