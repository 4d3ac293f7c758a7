//! Findings as LSP diagnostics: exact ranges in the negotiated encoding, severity, the rule id
//! with a link to its documentation, secondary labels as related information, waived findings
//! faded (tag `Unnecessary`, severity hint).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, Range, Url,
};

use super::encoding::{Encoding, LineIndex};
use super::workspace::LoadFailure;
use crate::finding::Finding;
use crate::source::SourceFile;
use crate::{Lang, Severity};

/// The name diagnostics carry as their `source`.
pub(crate) const SOURCE: &str = "hegui";

/// The URI of a source's display name (relative to the server's working directory or
/// absolute).
pub(crate) fn uri_of(name: &str) -> Option<Url> {
    let path = Path::new(name);
    let absolute: PathBuf = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    Url::from_file_path(absolute).ok()
}

/// The documentation link of a rule.
pub(crate) fn rule_link(rule: &str) -> Option<Url> {
    Url::parse(&format!("{}{rule}", crate::render::sarif::HELP_BASE)).ok()
}

/// Converts one file's findings into diagnostics, grouped by the URI they point into: the
/// manifest's own, or a notice text file's (`file` values are checked in their own file).
pub(crate) fn diagnostics(
    findings: &[Finding],
    manifest: &Url,
    manifest_name: &str,
    encoding: Encoding,
) -> BTreeMap<Url, Vec<Diagnostic>> {
    let mut out: BTreeMap<Url, Vec<Diagnostic>> = BTreeMap::new();
    out.entry(manifest.clone()).or_default();
    let mut indexes: BTreeMap<String, LineIndex> = BTreeMap::new();
    for f in findings {
        let uri = if f.source.name == manifest_name {
            manifest.clone()
        } else {
            match uri_of(&f.source.name) {
                Some(uri) => uri,
                None => manifest.clone(),
            }
        };
        let index = indexes
            .entry(f.source.name.clone())
            .or_insert_with(|| LineIndex::new(&f.source.text));
        out.entry(uri.clone())
            .or_default()
            .push(diagnostic(f, &uri, index, encoding));
    }
    out
}

/// One finding as a diagnostic; `index` indexes the lines of the finding's source.
pub(crate) fn diagnostic(
    f: &Finding,
    uri: &Url,
    index: &LineIndex,
    encoding: Encoding,
) -> Diagnostic {
    let text = &f.source.text;
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push('\n');
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), index.range(text, &l.span, encoding)),
            message: l.text.clone(),
        })
        .collect();
    let severity = match (f.waived.is_some(), f.severity) {
        (true, _) => DiagnosticSeverity::HINT,
        (false, Severity::Error) => DiagnosticSeverity::ERROR,
        (false, Severity::Warning) => DiagnosticSeverity::WARNING,
        (false, Severity::Info) => DiagnosticSeverity::INFORMATION,
    };
    Diagnostic {
        range: index.range(text, &f.span, encoding),
        severity: Some(severity),
        code: Some(NumberOrString::String(f.rule.clone())),
        code_description: rule_link(&f.rule).map(|href| CodeDescription { href }),
        source: Some(SOURCE.into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: f.waived.as_ref().map(|_| vec![DiagnosticTag::UNNECESSARY]),
        data: f.waived.as_ref().map(|w| {
            serde_json::json!({
                "waived": { "reason": w.reason, "approver": w.approver, "until": w.until }
            })
        }),
    }
}

/// Diagnostics for a failed load: the problems of each rule or configuration file in that
/// file, and one at the top of the manifest saying that it was not checked and why.
pub(crate) fn load_failure(
    failure: &LoadFailure,
    manifest: &Url,
    encoding: Encoding,
    lang: Lang,
) -> BTreeMap<Url, Vec<Diagnostic>> {
    let mut out: BTreeMap<Url, Vec<Diagnostic>> = BTreeMap::new();
    let mut related = Vec::new();
    let mut count = 0;
    let mut detail = String::new();
    match failure {
        LoadFailure::Files(files) => {
            for file in files {
                let Some(uri) = uri_of(&file.source.name) else {
                    continue;
                };
                let index = LineIndex::new(&file.source.text);
                for p in &file.problems {
                    count += 1;
                    let range = index.range(&file.source.text, &p.span, encoding);
                    let mut message = p.message.clone();
                    if let Some(help) = &p.help {
                        message.push('\n');
                        message.push_str(help);
                    }
                    related.push(DiagnosticRelatedInformation {
                        location: Location::new(uri.clone(), range),
                        message: p.message.clone(),
                    });
                    out.entry(uri.clone()).or_default().push(Diagnostic {
                        range,
                        severity: Some(DiagnosticSeverity::ERROR),
                        source: Some(SOURCE.into()),
                        message,
                        ..Diagnostic::default()
                    });
                }
            }
        }
        LoadFailure::Message(text) => {
            count = 1;
            detail = format!("\n{text}");
        }
    }
    let message = match lang {
        Lang::Zh => format!("hegui 未检查此文件：规则或配置有 {count} 处问题{detail}"),
        Lang::En => format!(
            "hegui did not check this file: {count} problem(s) in the rules or configuration{detail}"
        ),
    };
    out.entry(manifest.clone()).or_default().push(Diagnostic {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    });
    out
}

/// A source for a buffer, named as `check` names the file.
pub(crate) fn buffer_source(path: &Path, text: &str) -> crate::source::Source {
    SourceFile::new(crate::disk::files::display_path(path), text)
}
