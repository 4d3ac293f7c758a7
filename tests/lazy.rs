//! The built-in packs are compiled lazily (`src/lazy.rs`): loading them eagerly — as a user's
//! rule folder is loaded — must succeed and give the same rules in the same order, so that
//! laziness never hides a syntax error, an invalid pattern or a wrong `let` order.

use hegui::rules::{RuleKind, RuleSet};
use hegui::{Engine, Lang, Options, SourceFile};

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
    let lazy = RuleSet::load(hegui::builtin_sources()).expect("built-in packs load");
    let renamed = hegui::BUILTIN_PACKS
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
