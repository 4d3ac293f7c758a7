//! One rule and its checks compiled from a rule file's `[[rule]]` table.

use super::*;

pub(super) fn compile_rule(
    node: &Node,
    family: &str,
    source: &Source,
    set: &RuleSet,
    problems: &Problems,
) -> Option<Rule> {
    let reader = TableReader::new(node, "a `[[rule]]`", problems);
    let id = reader.required_string("id");
    if let Some((id, span)) = &id {
        let well_formed = id.len() > family.len()
            && id.starts_with(family)
            && id[family.len()..].chars().all(|c| c.is_ascii_digit());
        if !well_formed {
            problems.push(
                span.clone(),
                format!("a rule id is its family's id and digits, e.g. `{family}001`"),
            );
        }
    }
    let severity_value = reader
        .required_string("severity")
        .and_then(|(s, span)| severity(&s, span, problems));
    let severity_if = reader
        .array("severity_if")
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            let r = TableReader::new(n, "a `severity_if` entry", problems);
            let when = r
                .required("when")
                .and_then(|_| expr_field(&r, "when", source));
            let sev = r
                .required_string("severity")
                .and_then(|(s, span)| severity(&s, span, problems));
            r.finish();
            Some((when?, sev?))
        })
        .collect();
    let title = reader.required_text("title");
    let rationale = reader.required_text("rationale");
    let message = reader
        .required("message")
        .and_then(|_| bi_template(&reader, "message", source));
    let help = bi_template(&reader, "help", source);
    let fixes = crate::load::fix_decl::load(&reader, source);
    let label = bi_template(&reader, "label", source);
    let basis = load_basis(&reader, set);
    let basis_if = reader
        .array("basis_if")
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            let r = TableReader::new(n, "a `basis_if` entry", problems);
            let when = r
                .required("when")
                .and_then(|_| expr_field(&r, "when", source));
            let _ = r.required("basis");
            let basis = load_basis(&r, set);
            r.finish();
            Some((when?, basis))
        })
        .collect();
    if reader.node().get("basis").is_none() {
        problems.push(
            node.span.clone(),
            "a rule needs a `basis`: a statute's article or a practice source",
        );
    }
    let marks = set.shape.as_ref().map(|s| s.marks.as_slice());
    let params = load_params(&reader, source, marks);
    let kind = if let Some((name, span)) = reader.string("builtin") {
        let check = BuiltinCheck::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c);
        if check.is_none() {
            problems.push_help(
                span,
                format!("unknown builtin check `{name}`"),
                suggest(&name, BuiltinCheck::ALL.iter().map(|(n, _)| *n))
                    .map(|s| format!("did you mean `{s}`?")),
            );
        }
        check.map(RuleKind::Builtin)
    } else if let Some(checks) = reader.array("check") {
        let compiled: Vec<_> = checks
            .iter()
            .filter_map(|c| {
                let r = TableReader::new(c, "a `[[rule.check]]`", problems);
                let check = compile_check(&r, source, set, true);
                r.finish();
                check
            })
            .collect();
        (compiled.len() == checks.len()).then_some(RuleKind::Checks(compiled))
    } else {
        compile_check(&reader, source, set, false).map(|c| RuleKind::Checks(vec![c]))
    };
    reader.finish();
    Some(Rule {
        id: id?.0,
        family: family.to_owned(),
        severity: severity_value?,
        severity_if,
        title: title?,
        rationale: rationale?,
        message: message?,
        help,
        fixes,
        label,
        basis,
        basis_if,
        params,
        kind: kind?,
        source: source.clone(),
        span: node.span.clone(),
    })
}

fn compile_check(
    reader: &TableReader<'_>,
    source: &Source,
    set: &RuleSet,
    own_texts: bool,
) -> Option<Check> {
    let problems = reader.problems;
    // `required` reports a missing scope; `strings` then reads it.
    reader.required("scope")?;
    let scope_values = reader.strings("scope")?;
    let scope = match scope_values.as_slice() {
        [(s, _)] if s == "file" => Scope::File,
        [(s, _)] if s == "text" => {
            let texts = reader
                .required("texts")
                .and_then(|_| reader.strings("texts"))
                .unwrap_or_default();
            let mut places = Vec::new();
            for (text, span) in texts {
                match text.split_once('.') {
                    Some((table, key))
                        if !table.is_empty() && !key.is_empty() && !key.contains('.') =>
                    {
                        places.push((table.to_owned(), key.to_owned()));
                    }
                    _ => problems.push(span, "a text place is `table.key`, e.g. `notice.text`"),
                }
            }
            Scope::Texts(places)
        }
        tables => Scope::Tables(tables.iter().map(|(t, _)| t.clone()).collect()),
    };
    if let (Scope::Tables(tables), Some(shape)) = (&scope, &set.shape) {
        for (name, span) in &scope_values {
            if !tables.contains(name) || shape.root.keys().iter().any(|(k, _)| k == name) {
                continue;
            }
            problems.push_help(
                span.clone(),
                format!("scope `{name}` is not a table of the manifest vocabulary"),
                Some(
                    suggest(
                        name,
                        shape
                            .root
                            .keys()
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .chain(["file", "text"]),
                    )
                    .map_or_else(
                        || {
                            "a scope is `file`, `text` or top-level tables of the manifest"
                                .to_owned()
                        },
                        |s| format!("did you mean `{s}`?"),
                    ),
                ),
            );
        }
    }
    let when = expr_field(reader, "when", source);
    let lets = compile_lets(reader, source);
    let for_each = expr_field(reader, "for_each", source);
    let assert = expr_field(reader, "assert", source);
    let patterns = expr_field(reader, "match", source);
    // Complain about a missing key only when it is absent, not when it failed to compile.
    let has = |key| reader.node().get(key).is_some();
    match (&scope, has("assert"), has("match")) {
        (Scope::Texts(_), _, false) => problems.push(
            reader.node().span.clone(),
            "a `text` check needs `match` (a list of regular expressions)",
        ),
        (Scope::File | Scope::Tables(_), false, _) => problems.push(
            reader.node().span.clone(),
            "a check needs `assert` (what must hold)",
        ),
        (Scope::File | Scope::Tables(_), _, true) => problems.push(
            reader.node().span.clone(),
            "`match` is for checks with `scope = \"text\"`",
        ),
        _ => {}
    }
    let at = reader
        .strings("at")
        .unwrap_or_else(|| vec![(".".to_owned(), reader.node().span.clone())])
        .into_iter()
        .map(|(text, span)| compile_template(&text, &span, source, problems))
        .collect();
    let also = reader
        .array("also")
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            let r = TableReader::new(n, "an `also` entry", problems);
            let at = r
                .required_string("at")
                .map(|(t, s)| compile_template(&t, &s, source, problems));
            let when = expr_field(&r, "when", source);
            let label = bi_template(&r, "label", source);
            r.finish();
            Some(Also {
                at: at?,
                when,
                label,
            })
        })
        .collect();
    let (message, help, label) = if own_texts {
        (
            bi_template(reader, "message", source),
            bi_template(reader, "help", source),
            bi_template(reader, "label", source),
        )
    } else {
        (None, None, None)
    };
    let fixes = if own_texts {
        crate::load::fix_decl::load(reader, source)
    } else {
        Vec::new()
    };
    Some(Check {
        scope,
        when,
        lets,
        for_each,
        assert,
        patterns,
        at,
        also,
        message,
        help,
        fixes,
        label,
    })
}

/// Compiles `let.name = "expr"` bindings and orders them so each comes after those it uses.
fn compile_lets(reader: &TableReader<'_>, source: &Source) -> Vec<(String, Expr)> {
    let Some(table) = reader.table("let") else {
        return Vec::new();
    };
    let mut pending: Vec<(String, Expr, Span)> = Vec::new();
    for entry in table.entries() {
        if BASE_VARIABLES.contains(&entry.key.as_str())
            || ["each", "each_index", "text", "match"].contains(&entry.key.as_str())
        {
            reader.problems.push(
                entry.key_span.clone(),
                format!(
                    "`{}` is a built-in variable; choose another name",
                    entry.key
                ),
            );
            continue;
        }
        let NodeValue::String(text) = &entry.node.value else {
            reader.problems.push(
                entry.node.span.clone(),
                "a `let` value is a CEL expression (a string)",
            );
            continue;
        };
        if let Some(expr) = compile_expr(
            text,
            content_start(source, &entry.node.span),
            source,
            reader.problems,
        ) {
            pending.push((entry.key.clone(), expr, entry.key_span.clone()));
        }
    }
    let names: BTreeSet<String> = pending.iter().map(|(n, _, _)| n.clone()).collect();
    let mut ordered = Vec::new();
    while !pending.is_empty() {
        let done: BTreeSet<&String> = ordered.iter().map(|(n, _)| n).collect();
        let ready = pending.iter().position(|(name, expr, _)| {
            // Built-in (lazy) expressions are ordered by the names their text uses, without
            // compiling them; a test checks this gives the same order as the compiled ones.
            let compiled;
            let variables: Vec<&str> = if is_builtin(source) {
                crate::lazy::variables(&expr.text)
            } else {
                compiled = expr.program.references();
                compiled.variables()
            };
            variables.iter().all(|v| {
                *v == name.as_str() || !names.contains(*v) || done.contains(&v.to_string())
            })
        });
        let Some(i) = ready else {
            for (name, _, span) in &pending {
                reader.problems.push(
                    span.clone(),
                    format!("`let.{name}` depends on itself through other `let` values"),
                );
            }
            break;
        };
        let (name, expr, _) = pending.remove(i);
        ordered.push((name, expr));
    }
    ordered
}
