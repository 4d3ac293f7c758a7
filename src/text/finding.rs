//! Findings: what a rule reports, with where (span) and why (message, basis).

use std::ops::Range;

use crate::Severity;
use crate::source::Source;

/// A secondary location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Range<usize>,
    /// What it is.
    pub text: String,
}

/// A waiver that covers a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approver: String,
    /// Until when (inclusive), if limited.
    pub until: Option<String>,
}

/// One diagnostic.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Severity in force.
    pub severity: Severity,
    /// The file it points into.
    pub source: Source,
    /// The blamed bytes.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Text under the primary span.
    pub label: Option<String>,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// Legal basis, one line.
    pub basis: String,
    /// Data path of the blamed value, stable across unrelated edits.
    pub path: String,
    /// The blamed source text.
    pub value: String,
    /// The waiver in force, if any.
    pub waived: Option<Waiver>,
    /// The repair, if the rule declares one that applies here.
    pub fix: Option<crate::text::fix::Fix>,
}

impl Finding {
    /// A finding with the essentials; the rest is filled by the engine.
    pub fn new(
        rule: &str,
        severity: Severity,
        source: Source,
        span: Range<usize>,
        message: String,
        path: String,
    ) -> Finding {
        let value = source.text.get(span.clone()).unwrap_or("").to_owned();
        Finding {
            rule: rule.to_owned(),
            severity,
            source,
            span,
            message,
            help: None,
            label: None,
            labels: Vec::new(),
            basis: String::new(),
            path,
            value,
            waived: None,
            fix: None,
        }
    }

    /// 1-based start line and column (Unicode scalar values).
    pub fn start(&self) -> (usize, usize) {
        self.source.line_col(self.span.start)
    }

    /// 1-based end line and exclusive end column.
    pub fn end(&self) -> (usize, usize) {
        self.source.line_col(self.span.end)
    }

    /// The order of output: file, position, rule id, message.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (
            &self.source.name,
            self.span.start,
            self.span.end,
            &self.rule,
            &self.message,
        )
    }
}

/// A fingerprint of a finding that survives unrelated edits: rule id, file, the data path of
/// the blamed value and the value itself — never line numbers.
pub fn finding_fingerprint(f: &Finding) -> String {
    use std::hash::{Hash, Hasher};
    // FNV-1a, written out so the value is stable across Rust versions.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.0 ^= u64::from(*b);
                self.0 = self.0.wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for part in [
        f.rule.as_str(),
        f.source.name.as_str(),
        f.path.as_str(),
        f.value.as_str(),
    ] {
        part.as_bytes().hash(&mut h);
    }
    format!("{:016x}", h.finish())
}
