//! The rule catalogue: every rule of `shared/spec/rules.md` ships, with both languages, a
//! basis, documented parameters and fixtures (like cargo-deny's `codes_unique`).

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use hegui::rules::RuleKind;

fn catalogue_ids() -> BTreeSet<String> {
    let spec = std::fs::read_to_string("../shared/spec/rules.md")
        .expect("../shared/spec/rules.md beside the checkout");
    spec.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter(|id| {
            id.len() == 6
                && id[..3].chars().all(|c| c.is_ascii_uppercase())
                && id[3..].chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_built_in_ids_are_the_catalogues() {
    let set = hegui::RuleSet::load(hegui::builtin_sources()).unwrap();
    let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "rule ids are unique");
    let shipped: BTreeSet<String> = unique.into_iter().map(str::to_owned).collect();
    let catalogue = catalogue_ids();
    assert_eq!(catalogue.len(), 73);
    assert_eq!(shipped, catalogue, "shipped rules vs the catalogue");
    insta::assert_snapshot!(ids.join("\n"));
}

#[test]
fn every_rule_is_complete() {
    let set = hegui::RuleSet::load(hegui::builtin_sources()).unwrap();
    for rule in &set.rules {
        let id = &rule.id;
        for text in [&rule.title, &rule.rationale] {
            assert!(
                !text.zh.trim().is_empty() && !text.en.trim().is_empty(),
                "{id}: both languages"
            );
        }
        assert!(
            !rule.message.zh.pieces.is_empty() && !rule.message.en.pieces.is_empty(),
            "{id}: message in both languages"
        );
        assert!(!rule.basis.is_empty(), "{id}: basis");
        for p in &rule.params {
            assert!(
                !p.doc.zh.is_empty() && !p.doc.en.is_empty(),
                "{id}: parameter {} documented",
                p.name
            );
        }
        for kind in ["fail", "pass"] {
            assert!(
                Path::new(&format!("fixtures/{id}/{kind}.plan.toml")).is_file(),
                "{id}: {kind} fixture"
            );
        }
        if let RuleKind::Checks(checks) = &rule.kind {
            assert!(!checks.is_empty(), "{id}: at least one check");
        }
    }
}

#[test]
fn statutes_are_cited_where_they_apply() {
    let set = hegui::RuleSet::load(hegui::builtin_sources()).unwrap();
    for rule in &set.rules {
        for basis in &rule.basis {
            if let hegui::law::Basis::Statute {
                statute, article, ..
            } = basis
            {
                let cite = format!("{statute} {article}");
                // law.md: EC 16 creates no compensation; EC 49 is not a coupon rule.
                assert!(
                    !(cite == "EC 49" && rule.family == "CPN"),
                    "{}: EC 49 is not a coupon rule",
                    rule.id
                );
                assert!(
                    set.law.article(basis).is_some(),
                    "{}: {cite} is in the law table",
                    rule.id
                );
            }
        }
    }
}

fn explain(id: &str, lang: &str) -> String {
    let out = Command::cargo_bin("hegui")
        .unwrap()
        .args(["explain", id, "--lang", lang])
        .output()
        .unwrap();
    assert!(out.status.success(), "explain {id}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn explain_quotes_the_articles_words() {
    let ntc = explain("NTC001", "zh");
    assert!(
        ntc.contains(
            "电子商务经营者自行终止从事电子商务的，应当提前三十日在首页显著位置持续公示有关信息。"
        ),
        "{ntc}"
    );
    assert!(ntc.contains("min_days = 30"), "{ntc}");
    assert!(
        ntc.contains("# expect: NTC001"),
        "failing example from the fixture: {ntc}"
    );
    let cpn = explain("CPN008", "en");
    assert!(cpn.contains("Civil Code") || cpn.contains("509"), "{cpn}");
    assert!(cpn.contains("19(七)") || cpn.contains("Art. 19"), "{cpn}");
    assert!(!cpn.contains("E-Commerce Law Art. 49"), "{cpn}");
    let out = Command::cargo_bin("hegui")
        .unwrap()
        .args(["explain", "XYZ999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_lists_every_rule_as_json() {
    let out = Command::cargo_bin("hegui")
        .unwrap()
        .args(["rules", "--format", "json", "--lang", "en"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 73);
    let ntc = list.iter().find(|r| r["id"] == "NTC001").unwrap();
    assert_eq!(
        ntc["basis"].as_str().unwrap().split(';').next().unwrap(),
        "E-Commerce Law Art. 16"
    );
}
