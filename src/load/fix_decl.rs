//! Reading a rule's `fix` declarations (the types are in `crate::model::fix_decl`).

use crate::model::fix_decl::{EditDecl, EditOp, FixDecl};
use crate::reader::TableReader;
use crate::source::Source;
use crate::text::fix::Applicability;
use crate::tree::{Node, NodeValue};

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
    let when = crate::load::rules::expr_field(r, "when", source);
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
        .and_then(|_| crate::load::rules::bi_template(r, "message", source));
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
        .and_then(|_| crate::load::rules::expr_field(r, "value", source));
    if found.len() > 1 {
        r.problems.push(
            found[1].2.clone(),
            "an edit names one operation: `set`, `append` or `rename`",
        );
        return Some(None);
    }
    let (op, text, span) = found.remove(0);
    let path = crate::load::rules::compile_template(&text, &span, source, r.problems);
    Some(value.map(|value| EditDecl { op, path, value }))
}
