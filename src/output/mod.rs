//! Output layer: the renderers (each a pure function from findings to text), `explain`, the
//! JSON Schema, the generated docs and the reports.

pub mod docs;
pub mod explain;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
mod lead;
pub mod report;
pub mod sarif;
pub mod schema;

use crate::finding::Finding;
use crate::{Lang, Severity};

/// Counts by severity, waived findings apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Active errors.
    pub error: usize,
    /// Active warnings.
    pub warning: usize,
    /// Active infos.
    pub info: usize,
    /// Waived findings of any severity.
    pub waived: usize,
}

impl Summary {
    /// Counts findings.
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            match (f.waived.is_some(), f.severity) {
                (true, _) => s.waived += 1,
                (false, Severity::Error) => s.error += 1,
                (false, Severity::Warning) => s.warning += 1,
                (false, Severity::Info) => s.info += 1,
            }
        }
        s
    }

    /// One line for people.
    pub fn line(&self, files: usize, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "检查了 {files} 个文件：{} 个错误，{} 个警告，{} 个提示，{} 个已豁免",
                self.error, self.warning, self.info, self.waived
            ),
            Lang::En => format!(
                "checked {files} file{}: {} error{}, {} warning{}, {} info, {} waived",
                plural(files),
                self.error,
                plural(self.error),
                self.warning,
                plural(self.warning),
                self.info,
                self.waived
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// How a waived finding is marked before its message: reason, approver and expiry.
pub(crate) fn waiver_note(w: &crate::text::finding::Waiver, lang: Lang) -> String {
    let until = w
        .until
        .as_deref()
        .map(|u| match lang {
            Lang::Zh => format!("，有效至 {u}"),
            Lang::En => format!(", until {u}"),
        })
        .unwrap_or_default();
    match lang {
        Lang::Zh => format!("[已豁免：{}，批准人 {}{until}] ", w.reason, w.approver),
        Lang::En => format!("[waived: {}, approved by {}{until}] ", w.reason, w.approver),
    }
}
