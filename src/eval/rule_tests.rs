//! Rule authors' tests (`hegui test-rules`), modelled on Semgrep's `--test`: a fixture
//! manifest marks each line where a rule must fire with a trailing `# expect: ID[, ID…]`
//! comment; a line that is itself a comment (a waiver, say) is marked from elsewhere with
//! `# expect-line: N ID[; N ID…]`. A fixture without markers must produce no finding at all.
//! Only active findings count: a waived finding did not fire.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::finding::Finding;
use crate::source::Source;

/// One marker: `rule` must fire with its primary span starting on `line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// 1-based line where the finding must start.
    pub line: usize,
    /// Rule id.
    pub rule: String,
    /// Where the marker is written, for messages.
    pub marker: Range<usize>,
}

/// A rule id as markers write it: upper-case letters, then digits (`NTC001`).
pub fn is_rule_id(id: &str) -> bool {
    let digits = id.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() < id.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// The markers of a fixture, sorted by line and rule.
pub fn expectations(text: &str) -> Vec<Expectation> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        if let Some(at) = line.find("# expect-line:") {
            let marker = start + at..start + line.trim_end().len();
            for part in line[at + "# expect-line:".len()..].split(';') {
                let mut words = part.split_whitespace();
                let (Some(n), Some(ids), None) = (words.next(), words.next(), words.next()) else {
                    if !part.trim().is_empty() {
                        out.push(unreadable(part, &marker));
                    }
                    continue;
                };
                let ids: Vec<&str> = ids.split(',').collect();
                // A line number too large for the machine, or a word that is no rule id, would
                // otherwise drop the marker without a word and let the test pass.
                let (Ok(n), true) = (n.parse::<usize>(), ids.iter().all(|id| is_rule_id(id)))
                else {
                    out.push(unreadable(part, &marker));
                    continue;
                };
                for id in ids {
                    out.push(Expectation {
                        line: n,
                        rule: id.to_owned(),
                        marker: marker.clone(),
                    });
                }
            }
        } else if let Some(at) = line.rfind("# expect:") {
            let marker = start + at..start + line.trim_end().len();
            for id in line[at + "# expect:".len()..]
                .split(',')
                .map(str::trim)
                .filter(|id| is_rule_id(id))
            {
                out.push(Expectation {
                    line: index + 1,
                    rule: id.to_owned(),
                    marker: marker.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| (a.line, &a.rule).cmp(&(b.line, &b.rule)));
    out.dedup_by(|a, b| a.line == b.line && a.rule == b.rule);
    out
}

/// The line of a marker that cannot be read: it never matches, so the fixture fails.
pub const UNREADABLE: usize = usize::MAX;

/// A marker hegui cannot read, kept (as [`UNREADABLE`]) so that the test fails on it.
fn unreadable(part: &str, marker: &Range<usize>) -> Expectation {
    Expectation {
        line: UNREADABLE,
        rule: crate::escape::shorten(part.trim()).into_owned(),
        marker: marker.clone(),
    }
}

/// How a fixture fared.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The fixture.
    pub source: Source,
    /// Markers that matched a finding.
    pub matched: usize,
    /// Markers with no finding on their line.
    pub missing: Vec<Expectation>,
    /// Findings of the tested rules that no marker asked for.
    pub unexpected: Vec<Finding>,
}

impl Outcome {
    /// Whether the fixture behaved exactly as marked.
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// Compares a fixture's findings with its markers; `tested` says which rules are under test
/// (findings and markers of other rules are ignored).
pub fn compare(source: &Source, findings: Vec<Finding>, tested: &dyn Fn(&str) -> bool) -> Outcome {
    let mut wanted: BTreeMap<(usize, String), Vec<Expectation>> = BTreeMap::new();
    for e in expectations(&source.text)
        .into_iter()
        .filter(|e| e.line == UNREADABLE || tested(&e.rule))
    {
        wanted.entry((e.line, e.rule.clone())).or_default().push(e);
    }
    let mut matched_keys = std::collections::BTreeSet::new();
    let mut unexpected = Vec::new();
    for f in findings
        .into_iter()
        .filter(|f| f.waived.is_none() && tested(&f.rule))
    {
        let key = (f.start().0, f.rule.clone());
        if wanted.contains_key(&key) {
            matched_keys.insert(key);
        } else {
            unexpected.push(f);
        }
    }
    let mut missing = Vec::new();
    for (key, markers) in wanted {
        if !matched_keys.contains(&key) {
            missing.extend(markers.into_iter().take(1));
        }
    }
    Outcome {
        source: source.clone(),
        matched: matched_keys.len(),
        missing,
        unexpected,
    }
}
