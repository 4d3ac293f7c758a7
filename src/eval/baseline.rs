//! Baselines: a record of the findings a team has accepted for now, so a gate reports only
//! new ones. Findings are matched by [`crate::finding_fingerprint`] (rule, file, data path of
//! the blamed value, the value) — never by line — so unrelated edits keep them matched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Lang;
use crate::finding::Finding;
use crate::text::reason::Reason;

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
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(hegui::baseline))]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read the baseline: {reason}")]
    Unreadable {
        /// Why.
        reason: Reason,
    },
    /// Not a baseline this build understands.
    #[error("not a hegui baseline: {0}")]
    Invalid(#[from] serde_json::Error),
    /// A newer or older format.
    #[error("baseline format version {0} is not supported (this build reads version {VERSION})")]
    Version(u32),
}

impl BaselineError {
    /// The baseline file cannot be read.
    pub fn unreadable(e: &std::io::Error) -> BaselineError {
        BaselineError::Unreadable {
            reason: Reason::of_io(e),
        }
    }

    /// The message in `lang` (the `Display` text is the English one).
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            BaselineError::Unreadable { reason } => {
                format!("无法读取基线文件：{}", reason.say(lang))
            }
            BaselineError::Invalid(e) => {
                let what = match e.classify() {
                    serde_json::error::Category::Syntax => "JSON 语法错误",
                    serde_json::error::Category::Eof => "文件不完整",
                    serde_json::error::Category::Data => "内容不符合基线格式",
                    serde_json::error::Category::Io => "读取出错",
                };
                format!(
                    "不是 hegui 基线文件：{what}（第 {} 行第 {} 列）",
                    e.line(),
                    e.column()
                )
            }
            BaselineError::Version(v) => {
                format!("不支持基线格式版本 {v}（此版本的 hegui 读取版本 {VERSION}）")
            }
        }
    }
}

/// What a run says about a baseline on standard error, in `lang`.
pub enum Note<'a> {
    /// `--write-baseline`: `n` findings recorded in `path`.
    Recorded(usize, &'a str),
    /// `--baseline`: `n` findings the baseline records are not shown.
    Hidden(usize),
    /// The baseline at `path` cannot be written.
    CannotWrite(&'a str, &'a std::io::Error),
    /// The baseline at `path` cannot be used (`error`).
    CannotUse(&'a str, &'a BaselineError),
}

impl Note<'_> {
    /// The line, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Note::Recorded(n, path), Lang::Zh) => format!("已在 {path} 中记录 {n} 条诊断"),
            (Note::Recorded(n, path), Lang::En) => format!("recorded {n} finding(s) in {path}"),
            (Note::Hidden(n), Lang::Zh) => format!("基线中已记录的 {n} 条诊断未显示"),
            (Note::Hidden(n), Lang::En) => {
                format!("{n} finding(s) recorded in the baseline are not shown")
            }
            (Note::CannotWrite(path, e), Lang::Zh) => format!(
                "错误：无法写入基线文件 {path}：{}",
                match Reason::of_io(e) {
                    // Writing creates the file: what is missing is its folder.
                    Reason::NotFound => "文件夹不存在".to_owned(),
                    Reason::PermissionDenied => "没有写入权限".to_owned(),
                    other => other.say(lang),
                }
            ),
            (Note::CannotWrite(path, e), Lang::En) => {
                format!("error: cannot write {path}: {}", Reason::of_io(e))
            }
            (Note::CannotUse(path, e), Lang::Zh) => {
                format!("错误：基线 {path}：{}", e.message(lang))
            }
            (Note::CannotUse(path, e), Lang::En) => format!("error: baseline {path}: {e}"),
        }
    }
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
        let baseline: Baseline = serde_json::from_str(text)?;
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
