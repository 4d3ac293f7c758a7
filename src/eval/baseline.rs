//! Baselines: a record of the findings a team has accepted for now, so a gate reports only
//! new ones. Findings are matched by [`crate::finding_fingerprint`] (rule, file, data path of
//! the blamed value, the value) — never by line — so unrelated edits keep them matched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// The file format version this build writes and reads.
const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// The recorded findings, sorted.
    pub findings: Vec<Entry>,
}

/// One recorded finding. Only `fingerprint` matters for matching; the rest is for people
/// reading the file in a review.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule id.
    pub rule: String,
    /// The manifest.
    pub file: String,
    /// Data path of the blamed value, e.g. `account[id=acme-service].closure_effective_on`.
    pub path: String,
    /// The fingerprint.
    pub fingerprint: String,
    /// The message when it was recorded.
    pub message: String,
}

/// Why a baseline cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Not a baseline this build understands.
    #[error("not a hegui baseline: {0}")]
    Invalid(String),
    /// A newer or older format.
    #[error("baseline format version {0} is not supported (this build reads version {VERSION})")]
    Version(u32),
}

impl Baseline {
    /// Records the active (not waived) findings.
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .filter(|f| f.waived.is_none())
            .map(|f| Entry {
                rule: f.rule.clone(),
                file: f.source.name.clone(),
                path: f.path.clone(),
                fingerprint: crate::finding_fingerprint(f),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    /// The file's text: pretty JSON, one entry per finding, stable order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, BaselineError> {
        let baseline: Baseline =
            serde_json::from_str(text).map_err(|e| BaselineError::Invalid(e.to_string()))?;
        if baseline.version != VERSION {
            return Err(BaselineError::Version(baseline.version));
        }
        Ok(baseline)
    }

    /// Removes the findings the baseline records and returns them. A fingerprint recorded `n`
    /// times absorbs at most `n` findings, so a second identical problem is new.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> Vec<Finding> {
        let mut budget: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &self.findings {
            *budget.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        let (kept, removed): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(findings).into_iter().partition(|f| {
                if f.waived.is_some() {
                    return true;
                }
                let fingerprint = crate::finding_fingerprint(f);
                match budget.get_mut(fingerprint.as_str()) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                }
            });
        *findings = kept;
        removed
    }
}
