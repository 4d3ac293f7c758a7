//! A rule's fix as declared in its rule file, next to `help`:
//!
//! ```toml
//! fix = [
//!   { when = "…", applicability = "unsafe", message = { zh = "…", en = "…" },
//!     set = "closure_effective_on", value = "earliest" },
//!   { message = { zh = "…", en = "…" },
//!     edits = [{ set = "published_on", value = "…" }, { append = "channels", value = "'homepage'" }] },
//! ]
//! ```
//!
//! Alternatives are tried in order; the first whose `when` holds and whose edits can all be
//! made (a date before `--today` is never moved, nor moved to) is the finding's fix. Paths are
//! templates like `at`; values are CEL expressions compiled like every other rule expression.

use crate::fix::Applicability;
use crate::reader::TableReader;
use crate::rules::{BiTemplate, Expr, Template};
use crate::source::Source;
use crate::tree::{Node, NodeValue};

/// What one edit does.
#[derive(Debug, Clone)]
pub enum EditOp {
    /// Set the value at a path (replacing it, or adding the key when absent).
    Set,
    /// Add an element at the end of the array at a path (creating the array when absent).
    Append,
    /// Rename the key at a path; the value is the new name.
    Rename,
}

/// One declared edit: an operation, the path it works on, and the CEL expression of the value.
#[derive(Debug, Clone)]
pub struct EditDecl {
    /// What it does.
    pub op: EditOp,
    /// Where, relative to the item (or absolute with `/`); `.` is the finding's own value for
    /// engine checks.
    pub path: Template,
    /// The new value (for `rename`: the new key).
    pub value: Expr,
}

/// One alternative of a rule's fix.
#[derive(Debug, Clone)]
pub struct FixDecl {
    /// Only when this holds.
    pub when: Option<Expr>,
    /// Safe, unsafe or display-only (default unsafe).
    pub applicability: Applicability,
    /// What the fix does (a template, like `help`).
    pub message: BiTemplate,
    /// Its edits.
    pub edits: Vec<EditDecl>,
}

/// Reads a rule's (or check's) `fix`: one table or an array of alternatives. Problems point at
/// the rule file.
pub(crate) fn load(reader: &TableReader<'_>, source: &Source) -> Vec<FixDecl> {
    let Some(node) = reader.get("fix") else {
        return Vec::new();
    };
    let alternatives: Vec<&Node> = match &node.value {
        NodeValue::Array(items) => items.iter().collect(),
        NodeValue::Table(_) => vec![node],
        _ => {
            reader.problems.push(
                node.span.clone(),
                "`fix` is a table or an array of tables (alternatives, tried in order)",
            );
            return Vec::new();
        }
    };
    alternatives
        .into_iter()
        .filter_map(|n| {
            let r = TableReader::new(n, "a `fix`", reader.problems);
            let fix = alternative(&r, source);
            r.finish();
            fix
        })
        .collect()
}

fn alternative(r: &TableReader<'_>, source: &Source) -> Option<FixDecl> {
    let when = crate::rules::expr_field(r, "when", source);
    let applicability = match r.string("applicability") {
        None => Some(Applicability::Unsafe),
        Some((text, span)) => {
            let parsed = Applicability::parse(&text);
            if parsed.is_none() {
                r.problems.push(
                    span,
                    format!(
                        "unknown applicability `{text}`: use `safe`, `unsafe` or `display-only`"
                    ),
                );
            }
            parsed
        }
    };
    let message = r
        .required("message")
        .and_then(|_| crate::rules::bi_template(r, "message", source));
    let mut edits = Vec::new();
    let mut complete = true;
    let own = edit(r, source);
    match (own, r.array("edits")) {
        (Some(Some(e)), None) => edits.push(e),
        (None, Some(list)) => {
            for n in list {
                let er = TableReader::new(n, "an edit of a `fix`", r.problems);
                match edit(&er, source) {
                    Some(Some(e)) => edits.push(e),
                    Some(None) => complete = false,
                    None => {
                        er.problems.push(
                            n.span.clone(),
                            "an edit names one of `set`, `append` or `rename`",
                        );
                        complete = false;
                    }
                }
                er.finish();
            }
        }
        (Some(None), None) => complete = false,
        (None, None) => {
            r.problems.push(
                r.node().span.clone(),
                "a `fix` needs an edit (`set`, `append` or `rename` with `value`) or `edits`",
            );
            complete = false;
        }
        (Some(_), Some(_)) => {
            r.problems.push(
                r.node().span.clone(),
                "a `fix` has either one edit or `edits`, not both",
            );
            complete = false;
        }
    }
    if !complete {
        return None;
    }
    Some(FixDecl {
        when,
        applicability: applicability?,
        message: message?,
        edits,
    })
}

/// One edit of a table: `None` when the table names no operation, `Some(None)` when it names
/// one but has problems.
fn edit(r: &TableReader<'_>, source: &Source) -> Option<Option<EditDecl>> {
    let ops = [
        ("set", EditOp::Set),
        ("append", EditOp::Append),
        ("rename", EditOp::Rename),
    ];
    let mut found = Vec::new();
    for (key, op) in ops {
        if let Some((text, span)) = r.string(key) {
            found.push((op, text, span));
        }
    }
    if found.is_empty() {
        // Mark `value` read only when an operation is there to use it.
        return None;
    }
    let value = r
        .required("value")
        .and_then(|_| crate::rules::expr_field(r, "value", source));
    if found.len() > 1 {
        r.problems.push(
            found[1].2.clone(),
            "an edit names one operation: `set`, `append` or `rename`",
        );
        return Some(None);
    }
    let (op, text, span) = found.remove(0);
    let path = crate::rules::compile_template(&text, &span, source, r.problems);
    Some(value.map(|value| EditDecl { op, path, value }))
}
