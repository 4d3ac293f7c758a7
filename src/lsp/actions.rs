//! Code actions: a finding's fixes (safe ones also gathered as `source.fixAll.hegui`) and "add
//! a waiver", which inserts a `# hegui:allow` comment with placeholders above the blamed line.

use std::collections::HashMap;
use std::ops::Range;

use lsp_types::{CodeAction, CodeActionKind, Diagnostic, TextEdit, Url, WorkspaceEdit};

use super::encoding::{Encoding, LineIndex};
use crate::Lang;
use crate::engine::Engine;
use crate::finding::Finding;
use crate::rules::RuleKind;

/// The kind of the action that applies every safe fix of a file.
pub(crate) const FIX_ALL: &str = "source.fixAll.hegui";

/// A repair of a finding as text edits on the manifest (byte ranges, replacement text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fix {
    /// What it does, for the action's title.
    pub(crate) title: String,
    /// Whether it only repairs what the author evidently meant (applied by "fix all").
    pub(crate) safe: bool,
    /// The edits, non-overlapping.
    pub(crate) edits: Vec<(Range<usize>, String)>,
}

/// The fix a finding carries, as a code action's edits; display-only fixes are not offered.
pub(crate) fn fixes(finding: &Finding) -> Vec<Fix> {
    let Some(fix) = &finding.fix else {
        return Vec::new();
    };
    if fix.applicability == crate::text::fix::Applicability::DisplayOnly {
        return Vec::new();
    }
    vec![Fix {
        title: fix.message.clone(),
        safe: fix.applicability == crate::text::fix::Applicability::Safe,
        edits: fix
            .edits
            .iter()
            .map(|e| (e.range.clone(), e.content.clone()))
            .collect(),
    }]
}

/// A fix's edits as a workspace edit on one document.
pub(crate) fn workspace_edit(
    uri: &Url,
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
    edits: &[(Range<usize>, String)],
) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|(span, new)| TextEdit::new(index.range(text, span, encoding), new.clone()))
        .collect();
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The waiver comment for a finding, on its own line above the blamed line, indented like it.
pub(crate) fn waiver_edit(text: &str, index: &LineIndex, f: &Finding) -> (Range<usize>, String) {
    let line = index.line_of(f.span.start);
    let (start, body) = index.line(text, line);
    let indent: String = body
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    (
        start..start,
        format!(
            "{indent}# hegui:allow {} reason=\"\" approver=\"\" until=\n",
            f.rule
        ),
    )
}

/// Whether a waiver can accept a finding (findings about waivers themselves cannot be waived
/// away).
fn waivable(engine: &Engine, f: &Finding) -> bool {
    f.waived.is_none()
        && !engine.rules().rule(&f.rule).is_some_and(
            |r| matches!(r.kind, RuleKind::Builtin(c) if c.name().starts_with("waiver")),
        )
}

/// The actions for the findings whose spans meet `range` (byte offsets); `only` filters by
/// kind as the client asks.
#[allow(clippy::too_many_arguments)]
pub(crate) fn actions(
    engine: &Engine,
    findings: &[(&Finding, Diagnostic)],
    all: &[&Finding],
    uri: &Url,
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeAction> {
    let lang = engine.options().lang;
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let mut out = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        for (f, diagnostic) in findings {
            for fix in fixes(f) {
                out.push(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(workspace_edit(uri, text, index, encoding, &fix.edits)),
                    is_preferred: Some(fix.safe),
                    ..CodeAction::default()
                });
            }
            if waivable(engine, f) {
                let edit = waiver_edit(text, index, f);
                out.push(CodeAction {
                    title: match lang {
                        Lang::Zh => format!("添加豁免注释：{}", f.rule),
                        Lang::En => format!("Add a waiver for {}", f.rule),
                    },
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(workspace_edit(uri, text, index, encoding, &[edit])),
                    ..CodeAction::default()
                });
            }
        }
    }
    let fix_all = CodeActionKind::from(FIX_ALL);
    if wants(&fix_all) {
        let edits = safe_edits(all);
        if !edits.is_empty() {
            out.push(CodeAction {
                title: match lang {
                    Lang::Zh => "hegui：应用全部安全修复".to_owned(),
                    Lang::En => "hegui: apply every safe fix".to_owned(),
                },
                kind: Some(fix_all),
                edit: Some(workspace_edit(uri, text, index, encoding, &edits)),
                ..CodeAction::default()
            });
        }
    }
    out
}

/// The edits of every safe fix, in file order, leaving out any that overlaps one already taken.
pub(crate) fn safe_edits(findings: &[&Finding]) -> Vec<(Range<usize>, String)> {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for fix in findings.iter().flat_map(|f| fixes(f)).filter(|f| f.safe) {
        let overlaps = fix.edits.iter().any(|(a, _)| {
            edits
                .iter()
                .any(|(b, _)| a.start < b.end && b.start < a.end || a == b)
        });
        if !overlaps {
            edits.extend(fix.edits);
        }
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;
    use crate::source::SourceFile;

    #[test]
    fn a_fix_becomes_edits_in_the_negotiated_encoding() {
        let text = "title = \"😀\" # x\nday = 2026-12-01\n";
        let index = LineIndex::new(text);
        let uri = Url::parse("file:///tmp/a.plan.toml").unwrap();
        let day = text.find("2026").unwrap();
        let edit = workspace_edit(
            &uri,
            text,
            &index,
            Encoding::Utf16,
            &[(day..day + 10, "2026-12-20".into())],
        );
        let edits = &edit.changes.unwrap()[&uri];
        assert_eq!(edits[0].range.start, lsp_types::Position::new(1, 6));
        assert_eq!(edits[0].range.end, lsp_types::Position::new(1, 16));
        assert_eq!(edits[0].new_text, "2026-12-20");
        let x = text.find('x').unwrap();
        let edit = workspace_edit(
            &uri,
            text,
            &index,
            Encoding::Utf8,
            &[(x..x + 1, "y".into())],
        );
        assert_eq!(
            edit.changes.unwrap()[&uri][0].range.start,
            lsp_types::Position::new(0, 17)
        );
    }

    #[test]
    fn the_waiver_goes_above_the_blamed_line_with_its_indent() {
        let text = "[plan]\n  closure = 2026-12-01\n";
        let source = SourceFile::new("a.plan.toml", text);
        let at = text.find("2026").unwrap();
        let f = Finding::new(
            "XYZ001",
            Severity::Error,
            source,
            at..at + 10,
            "m".into(),
            String::new(),
        );
        let (range, insert) = waiver_edit(text, &LineIndex::new(text), &f);
        assert_eq!(range, 7..7);
        assert_eq!(
            insert,
            "  # hegui:allow XYZ001 reason=\"\" approver=\"\" until=\n"
        );
    }
}
