//! The evaluation budget inside one CEL expression (docs/robustness.md, limits): a user rule
//! pack whose single expression would do unbounded work or allocation — a string concatenated
//! with itself, a list literal of copies, nested comprehensions, a loop that reads a large
//! list on every step — gets one error finding under the rule's id, in Chinese or English,
//! and the other rules still run.

use std::path::Path;

use hegui::{Engine, Finding, Lang, Options, RuleSet, Severity, SourceFile};

/// The built-in packs, with one user rule file beside them.
fn engine(user_rules: &str, lang: Lang) -> Engine {
    let mut sources = hegui::builtin_sources();
    sources.push(SourceFile::new("team/budget.toml", user_rules));
    let set = match RuleSet::load(sources) {
        Ok(set) => set,
        Err(problems) => panic!("the user rules load: {problems:?}"),
    };
    let options = Options {
        lang,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    };
    Engine::new(set, options).unwrap_or_else(|_| panic!("the user rules compile"))
}

fn check(engine: &Engine) -> Vec<Finding> {
    let text = std::fs::read_to_string("fixtures/examples/compliant-account.plan.toml").unwrap();
    let source = SourceFile::new("a.plan.toml", text);
    engine.check_source(&source, Path::new("a.plan.toml"), Path::new("."))
}

/// A rule `TST001` on every account with these `let`s and this assertion.
fn rule(lets: &str, assert: &str) -> String {
    format!(
        "[family]\nid = \"TST\"\ntitle = {{ zh = \"测试\", en = \"Test\" }}\n\n[[rule]]\nid = \"TST001\"\nseverity = \"warning\"\ntitle = {{ zh = \"t\", en = \"t\" }}\nrationale = {{ zh = \"r\", en = \"r\" }}\nbasis = [{{ practice = \"hegui\" }}]\nscope = \"account\"\nmessage = {{ zh = \"m\", en = \"m\" }}\n{lets}assert = \"{assert}\"\n"
    )
}

/// `let.s0` … `let.sN`: a 16-byte string doubled N times (16 MiB at N = 20), computed for
/// each account (a `let` shared by all items is copied by reference, not by value).
fn doubled_string(n: usize) -> String {
    let mut lets = String::from("let.s0 = \"has(item.id) ? 'aaaaaaaaaaaaaaaa' : ''\"\n");
    for i in 1..=n {
        lets.push_str(&format!("let.s{i} = \"s{} + s{}\"\n", i - 1, i - 1));
    }
    lets
}

/// `let.l0` … `let.lN`: a 16-element list doubled N times (524,288 elements at N = 15).
fn doubled_list(n: usize) -> String {
    let mut lets =
        String::from("let.l0 = \"[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]\"\n");
    for i in 1..=n {
        lets.push_str(&format!("let.l{i} = \"l{} + l{}\"\n", i - 1, i - 1));
    }
    lets
}

/// The findings of TST001; asserts the rest of the built-in rules ran as usual (the compliant
/// plan has no other error).
fn over_budget(lets: &str, assert: &str, lang: Lang) -> Vec<Finding> {
    let findings = check(&engine(&rule(lets, assert), lang));
    let others: Vec<_> = findings
        .iter()
        .filter(|f| f.rule != "TST001" && f.severity == Severity::Error)
        .collect();
    let others: Vec<_> = others.iter().map(|f| (&f.rule, &f.message)).collect();
    assert!(others.is_empty(), "{others:?}");
    findings
        .into_iter()
        .filter(|f| f.rule == "TST001")
        .collect()
}

fn messages(found: &[Finding]) -> Vec<&str> {
    found.iter().map(|f| f.message.as_str()).collect()
}

fn assert_one_budget_finding(found: &[Finding], words: &str) {
    assert_eq!(found.len(), 1, "{:?}", messages(found));
    assert_eq!(found[0].severity, Severity::Error);
    assert!(found[0].message.contains(words), "{}", found[0].message);
}

#[test]
fn a_string_concatenated_in_one_expression_is_stopped() {
    // 16 MiB is allowed for a `let`; `s20 + s20 + …` in the assertion is not.
    let lets = doubled_string(20);
    let found = over_budget(
        &lets,
        "size(s20 + s20 + s20 + s20 + s20 + s20) > 0",
        Lang::En,
    );
    assert_one_budget_finding(&found, "`assert` computed a string over 16 MiB");
    let found = over_budget(
        &lets,
        "size(s20 + s20 + s20 + s20 + s20 + s20) > 0",
        Lang::Zh,
    );
    assert_one_budget_finding(&found, "规则超出求值预算：`assert` 算出的字符串超过 16 MiB");
}

#[test]
fn copies_in_a_list_literal_are_counted() {
    // Each element copies the 8 MiB string: 40 of them are 320 MiB.
    let copies = ["s19"; 40].join(", ");
    let found = over_budget(
        &doubled_string(19),
        &format!("size([{copies}]) > 0"),
        Lang::En,
    );
    assert_one_budget_finding(&found, "`assert` built values of over 256 MiB");
}

#[test]
fn nested_comprehensions_are_stopped() {
    // Five nested maps over a list of ten 1 KiB strings copy it 10^5 times: 1 GB.
    let lets = format!(
        "let.k = \"has(item.id) ? '{}' : ''\"\nlet.r = \"[{}]\"\n",
        "a".repeat(1024),
        ["k"; 10].join(", ")
    );
    let nested = "r.map(a, r.map(b, r.map(c, r.map(d, r.map(e, r))))).size() > 0";
    let found = over_budget(&lets, nested, Lang::En);
    assert_one_budget_finding(&found, "`assert` built values of over 256 MiB");
    let found = over_budget(&lets, nested, Lang::Zh);
    assert_one_budget_finding(&found, "`assert` 在本文件上构造的值超过 256 MiB");
}

/// A 16 MiB string and a 512-element list.
fn string_and_list() -> String {
    doubled_string(20) + &doubled_list(5)
}

#[test]
fn a_loop_that_reads_a_large_value_on_every_step_is_charged() {
    // Each of the 512 iterations compares 16 MiB: charged 2 × 262,144 steps each, the rule
    // stops after about 190 of them (a larger list would loop for as long as it is long).
    let found = over_budget(&string_and_list(), "l5.all(x, s20 == s20)", Lang::En);
    assert_one_budget_finding(&found, "`assert` took over 100000000 steps");
    let found = over_budget(&string_and_list(), "l5.all(x, s20 == s20)", Lang::Zh);
    assert_one_budget_finding(&found, "`assert` 在本文件上的运算超过 100000000 步");
}

#[test]
fn an_error_that_or_absorbs_still_stops_the_rule() {
    // `error || true` is true in CEL; the budget is spent all the same.
    let found = over_budget(
        &string_and_list(),
        "l5.all(x, s20 == s20) || true",
        Lang::En,
    );
    assert_one_budget_finding(&found, "steps");
}

#[test]
fn a_rule_within_the_budget_is_unaffected() {
    // Large but bounded: a 524,288-element list built and summed once.
    let found = over_budget(&doubled_list(15), "sum(l15) > 0", Lang::En);
    assert!(found.is_empty(), "{:?}", messages(&found));
    let found = over_budget(
        &doubled_list(4),
        "l4.map(x, x * 2).filter(x, x > 10).size() == 160",
        Lang::En,
    );
    assert!(found.is_empty(), "{:?}", messages(&found));
}

#[test]
fn a_key_looked_up_in_a_large_map_costs_a_step() {
    // The index pattern of the built-in rules (`item.id in by_cover`), 8,192 times over a map
    // of 16 keys holding 8,192 maps: `in` on a map is a lookup. Charged as a read of the whole
    // map it came to about 8,192 × 16,400 steps, over the budget (as NTC001 was on a plan of
    // 4,000 accounts with a notice each, benches/scaling.py --case notices).
    let lets = doubled_list(9) + "let.g = \"l9.map(x, {'k': x})\"\nlet.m = \"group_by(g, 'k')\"\n";
    let found = over_budget(&lets, "l9.all(x, x in m && m[x].size() == 512)", Lang::En);
    assert!(found.is_empty(), "{:?}", messages(&found));
}
