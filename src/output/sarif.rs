//! `--format sarif`: SARIF 2.1.0, one run, every rule of the set in `tool.driver.rules`.

use serde::Serialize;

use crate::finding::Finding;
use crate::rules::{Rule, RuleSet};
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

// The log as typed, borrowed structures: serialising them costs a fraction of building a
// `serde_json::Value` tree. Fields are declared in alphabetical order, the order the earlier
// `Value` maps printed them in, so the output is unchanged byte for byte.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    tool: Tool<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    information_uri: &'static str,
    name: &'static str,
    rules: Vec<Descriptor<'a>>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    default_configuration: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Text<'a>,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

impl<'a> Text<'a> {
    fn new(text: impl Into<std::borrow::Cow<'a, str>>) -> Self {
        Text { text: text.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    level: &'static str,
    locations: [Location; 1],
    message: Text<'a>,
    partial_fingerprints: Fingerprints,
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

impl Region {
    fn new(
        (start_line, start_column): (usize, usize),
        (end_line, end_column): (usize, usize),
    ) -> Self {
        Region {
            end_column,
            end_line,
            start_column,
            start_line,
        }
    }
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "hegui/v1")]
    hegui_v1: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    artifact_changes: [ArtifactChange<'a>; 1],
    description: Text<'a>,
}

#[derive(Serialize)]
struct ArtifactChange<'a> {
    #[serde(rename = "artifactLocation")]
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

#[derive(Serialize)]
struct Suppression {
    justification: String,
    kind: &'static str,
}

/// A rule's title as a SARIF `name`: each word capitalised, non-alphanumerics dropped.
fn pascal_name(title: &str) -> String {
    title
        .split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_uppercase()
                    .chain(c.filter(|c| c.is_alphanumeric()))
                    .collect()
            })
        })
        .collect()
}

fn result<'a>(f: &'a Finding, rules: &[&Rule]) -> SarifResult<'a> {
    let fixes = f
        .fix
        .as_ref()
        .filter(|x| x.applicability != crate::text::fix::Applicability::DisplayOnly)
        .map(|fix| SarifFix {
            artifact_changes: [ArtifactChange {
                artifact_location: ArtifactLocation {
                    uri: uri_reference(&f.source.name),
                },
                replacements: (fix.edits.iter())
                    .map(|e| Replacement {
                        deleted_region: Region::new(
                            f.source.line_col(e.range.start),
                            f.source.line_col(e.range.end),
                        ),
                        inserted_content: Text::new(e.content.as_str()),
                    })
                    .collect(),
            }],
            description: Text::new(fix.message.as_str()),
        });
    let message = match &f.help {
        Some(h) => Text::new(format!("{}\n{}", f.message, h)),
        None => Text::new(f.message.as_str()),
    };
    SarifResult {
        fixes: fixes.into_iter().collect(),
        level: level(f.severity),
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri_reference(&f.source.name),
                },
                region: Region::new(f.start(), f.end()),
            },
        }],
        message,
        partial_fingerprints: Fingerprints {
            hegui_v1: crate::finding_fingerprint(f),
        },
        rule_id: &f.rule,
        rule_index: rules.iter().position(|r| r.id == f.rule),
        suppressions: (f.waived.iter())
            .map(|w| Suppression {
                justification: format!("{} (approved by {})", w.reason, w.approver),
                kind: "inSource",
            })
            .collect(),
    }
}

/// Renders findings as a SARIF 2.1.0 log describing every rule of the set.
pub fn render(findings: &[Finding], rules: &RuleSet, lang: Lang) -> String {
    render_described(findings, &rules.rules.iter().collect::<Vec<_>>(), lang)
}

/// Renders findings as a SARIF 2.1.0 log whose `tool.driver.rules` describes `rules` (and
/// `ruleIndex` points into them).
pub fn render_described(findings: &[Finding], rules: &[&Rule], lang: Lang) -> String {
    let mut descriptors: Vec<Descriptor<'_>> = (rules.iter())
        .map(|r| Descriptor {
            default_configuration: Level {
                level: level(r.severity),
            },
            full_description: Some(Text::new(r.rationale.get(lang))),
            help_uri: Some(format!("{HELP_BASE}{}", r.id)),
            id: &r.id,
            name: Some(pascal_name(&r.title.en)),
            short_description: Text::new(r.title.get(lang)),
        })
        .collect();
    // Engine diagnostics that no rule file declares.
    for (id, text) in [("IO", "file cannot be read")] {
        if findings.iter().any(|f| f.rule == id) {
            descriptors.push(Descriptor {
                default_configuration: Level { level: "error" },
                full_description: None,
                help_uri: None,
                id,
                name: None,
                short_description: Text::new(text),
            });
        }
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results: findings.iter().map(|f| result(f, rules)).collect(),
            tool: Tool {
                driver: Driver {
                    information_uri: "https://hegui.dev",
                    name: "hegui",
                    rules: descriptors,
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
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
