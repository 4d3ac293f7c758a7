//! (Unit tests of `src/cel/lazy.rs`.) The built-in packs are compiled lazily (`src/lazy.rs`): loading them eagerly — as a user's
//! rule folder is loaded — must succeed and give the same rules in the same order, so that
//! laziness never hides a syntax error, an invalid pattern or a wrong `let` order.

use crate::rules::{RuleKind, RuleSet};
use crate::{Engine, Lang, Options, SourceFile};

fn options() -> Options {
    Options {
        lang: Lang::En,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    }
}

/// Every rule's checks as (rule id, let names in evaluation order).
fn let_orders(set: &RuleSet) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for rule in &set.rules {
        if let RuleKind::Checks(checks) = &rule.kind {
            for check in checks {
                let names = check.lets.iter().map(|(n, _)| n.clone()).collect();
                out.push((rule.id.clone(), names));
            }
        }
    }
    out
}

#[test]
fn built_in_packs_compile_eagerly_with_the_same_let_order() {
    let lazy = RuleSet::load(crate::builtin_sources()).expect("built-in packs load");
    let renamed = crate::BUILTIN_PACKS
        .iter()
        .map(|(name, text)| SourceFile::new(format!("eager/rules/{name}"), *text))
        .collect();
    let eager = RuleSet::load(renamed).expect("built-in packs compile eagerly without problems");
    assert_eq!(let_orders(&lazy), let_orders(&eager));
    // Compiles every text check's patterns now (user rules' way).
    assert!(Engine::new(eager, options()).is_ok());
    // Nothing was compiled by loading the lazy set; forcing every expression compiles it.
    let mut forced = 0;
    for rule in &lazy.rules {
        if let RuleKind::Checks(checks) = &rule.kind {
            for check in checks {
                let exprs = check.lets.iter().map(|(_, e)| e).chain(
                    [&check.when, &check.assert, &check.for_each, &check.patterns]
                        .into_iter()
                        .flatten(),
                );
                for expr in exprs {
                    assert!(!expr.program.is_compiled(), "{}: compiled at load", rule.id);
                    let _ = expr.program.references();
                    assert!(expr.program.is_compiled());
                    forced += 1;
                }
            }
        }
    }
    assert!(forced > 100);
}

/// Every expression of a rule set, templates' holes included.
fn expressions(set: &RuleSet) -> Vec<String> {
    use crate::rules::{BiTemplate, Piece, Template};
    fn template(t: &Template, out: &mut Vec<String>) {
        for piece in &t.pieces {
            if let Piece::Expr(e) = piece {
                out.push(e.text.clone());
            }
        }
    }
    fn bi(t: &BiTemplate, out: &mut Vec<String>) {
        template(&t.zh, out);
        template(&t.en, out);
    }
    let mut out = Vec::new();
    for rule in &set.rules {
        out.extend(rule.severity_if.iter().map(|(e, _)| e.text.clone()));
        bi(&rule.message, &mut out);
        rule.help
            .iter()
            .chain(&rule.label)
            .for_each(|t| bi(t, &mut out));
        let RuleKind::Checks(checks) = &rule.kind else {
            continue;
        };
        for check in checks {
            let exprs = check.lets.iter().map(|(_, e)| e).chain(
                [&check.when, &check.assert, &check.for_each, &check.patterns]
                    .into_iter()
                    .flatten(),
            );
            out.extend(exprs.map(|e| e.text.clone()));
            check.at.iter().for_each(|t| template(t, &mut out));
            for also in &check.also {
                template(&also.at, &mut out);
                out.extend(also.when.iter().map(|e| e.text.clone()));
                also.label.iter().for_each(|t| bi(t, &mut out));
            }
            [&check.message, &check.help, &check.label]
                .into_iter()
                .flatten()
                .for_each(|t| bi(t, &mut out));
        }
    }
    out
}

/// An expression tree's structure, node ids left out.
fn without_ids(expr: &cel::parser::Expression) -> String {
    let ids = regex::Regex::new(r"\bid: \d+").unwrap();
    ids.replace_all(&format!("{expr:?}"), "id: _").into_owned()
}

/// hegui parses CEL with the `cel` crate's Pratt parser and keeps its ANTLR parser as the
/// reference (`src/lazy.rs`): on every expression hegui ships, both must build the same tree.
/// And on expressions that do not parse, the fast parser must refuse them too, so the
/// reference parser's error (what users read) is the one reported.
#[test]
fn the_fast_parser_builds_the_reference_parsers_tree() {
    let set = RuleSet::load(crate::builtin_sources()).expect("built-in packs load");
    let texts = expressions(&set);
    assert!(texts.len() > 400, "only {} expressions found", texts.len());
    for text in &texts {
        let reference = crate::lazy::reference_parse(text).expect("a built-in expression parses");
        let fast = crate::lazy::pratt_parse(text).expect("the fast parser parses it too");
        // Node ids are numbered in a different order; they only key source positions.
        assert_eq!(
            without_ids(&fast),
            without_ids(&reference),
            "different trees for {text:?}"
        );
    }
    let broken = [
        "item.id ==",
        "a &&& b",
        "[1, 2",
        "f(,)",
        "'unterminated",
        "1 +* 2",
        "a.b.",
        "{1: }",
        "x ? y",
        "a[",
        ")",
        "has(",
    ];
    for text in broken {
        assert!(
            crate::lazy::reference_parse(text).is_err(),
            "{text:?} parses"
        );
        assert!(
            crate::lazy::pratt_parse(text).is_err(),
            "the fast parser accepts {text:?}"
        );
    }
}
