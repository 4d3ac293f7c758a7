//! `--format json`, as `cli.md` specifies.

use rayon::prelude::*;
use serde::Serialize;

use crate::finding::Finding;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: usize,
    diagnostics: Vec<Diagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
    waived: usize,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    rule: &'a str,
    severity: &'static str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: Option<&'a str>,
    basis: &'a str,
    path: &'a str,
    waived: Option<Waived<'a>>,
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct FixOut<'a> {
    applicability: &'static str,
    message: &'a str,
    edits: Vec<EditOut<'a>>,
}

#[derive(Serialize)]
struct EditOut<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

#[derive(Serialize)]
struct Waived<'a> {
    reason: &'a str,
    approver: &'a str,
    until: Option<&'a str>,
}

/// Findings per parallel task: below twice this, rendering stays on the calling thread.
const PARALLEL_CHUNK: usize = 256;

/// Renders findings as one JSON object (pretty-printed, ending in a newline).
pub fn render(findings: &[Finding], files: usize) -> String {
    let s = super::Summary::of(findings);
    let output = Output {
        version: 1,
        files,
        // Lines and columns (counted in characters) are computed in parallel for long outputs
        // (a short one would spend more waking the pool than it saves); order is kept.
        diagnostics: findings
            .par_iter()
            .with_min_len(PARALLEL_CHUNK)
            .map(|f| {
                let (line, column) = f.start();
                let (end_line, end_column) = f.end();
                Diagnostic {
                    rule: &f.rule,
                    severity: f.severity.as_str(),
                    file: &f.source.name,
                    line,
                    column,
                    end_line,
                    end_column,
                    message: &f.message,
                    help: f.help.as_deref(),
                    basis: &f.basis,
                    path: &f.path,
                    waived: f.waived.as_ref().map(|w| Waived {
                        reason: &w.reason,
                        approver: &w.approver,
                        until: w.until.as_deref(),
                    }),
                    fix: f.fix.as_ref().map(|x| FixOut {
                        applicability: x.applicability.as_str(),
                        message: &x.message,
                        edits: x
                            .edits
                            .iter()
                            .map(|e| {
                                let (line, column) = f.source.line_col(e.range.start);
                                let (end_line, end_column) = f.source.line_col(e.range.end);
                                EditOut {
                                    line,
                                    column,
                                    end_line,
                                    end_column,
                                    content: &e.content,
                                }
                            })
                            .collect(),
                    }),
                }
            })
            .collect(),
        summary: Summary {
            error: s.error,
            warning: s.warning,
            info: s.info,
            waived: s.waived,
        },
    };
    let mut text = serde_json::to_string_pretty(&output).expect("plain data serialises");
    text.push('\n');
    text
}
