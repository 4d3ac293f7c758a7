//! `--format sarif`: SARIF 2.1.0, one run, every rule of the set in `tool.driver.rules`.

use serde_json::{Value, json};

use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::{Lang, Severity};

/// Where a rule's documentation lives.
pub const HELP_BASE: &str = "https://hegui.dev/rules/";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a URI reference: every byte but RFC 3986's unreserved ones and `/` is
/// percent-encoded (spaces, `%`, `#`, `:`, non-ASCII names).
pub(crate) fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Renders findings as a SARIF 2.1.0 log.
pub fn render(findings: &[Finding], rules: &RuleSet, lang: Lang) -> String {
    let mut descriptors: Vec<Value> = rules
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.title.en.split_whitespace().map(|w| {
                    let mut c = w.chars();
                    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c.filter(|c| c.is_alphanumeric())).collect())
                }).collect::<String>(),
                "shortDescription": { "text": r.title.get(lang) },
                "fullDescription": { "text": r.rationale.get(lang) },
                "helpUri": format!("{HELP_BASE}{}", r.id),
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    // Engine diagnostics that no rule file declares.
    for (id, text) in [("IO", "file cannot be read")] {
        if findings.iter().any(|f| f.rule == id) {
            descriptors.push(json!({ "id": id, "shortDescription": { "text": text }, "defaultConfiguration": { "level": "error" } }));
        }
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let (line, column) = f.start();
            let (end_line, end_column) = f.end();
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": match &f.help { Some(h) => format!("{}\n{}", f.message, h), None => f.message.clone() } },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_reference(&f.source.name) },
                        "region": {
                            "startLine": line,
                            "startColumn": column,
                            "endLine": end_line,
                            "endColumn": end_column,
                        }
                    }
                }],
                "partialFingerprints": { "hegui/v1": crate::finding_fingerprint(f) },
            });
            if let Some(index) = rules.rules.iter().position(|r| r.id == f.rule) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(fix) = f
                .fix
                .as_ref()
                .filter(|x| x.applicability != crate::text::fix::Applicability::DisplayOnly)
            {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let (line, column) = f.source.line_col(e.range.start);
                        let (end_line, end_column) = f.source.line_col(e.range.end);
                        json!({
                            "deletedRegion": { "startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column },
                            "insertedContent": { "text": e.content },
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": fix.message },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri_reference(&f.source.name) },
                        "replacements": replacements,
                    }],
                }]);
            }
            if let Some(w) = &f.waived {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": format!("{} (approved by {})", w.reason, w.approver) }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "hegui",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://hegui.dev",
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("plain data serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            super::uri_reference("plans/a-1_b.plan.toml"),
            "plans/a-1_b.plan.toml"
        );
        assert_eq!(
            super::uri_reference("计 a%#:.toml"),
            "%E8%AE%A1%20a%25%23%3A.toml"
        );
    }
}
