//! Every rule's fixtures: the failing one fires exactly where its `# expect:` markers say (and
//! its rendered diagnostic is snapshotted), the passing one has no finding at all.

mod common;

use common::*;
use hegui::Lang;

#[test]
fn failing_fixtures_fire_exactly_where_marked() {
    let engine = engine(&[], Lang::En);
    let mut problems = Vec::new();
    for (id, dir) in rule_fixture_dirs() {
        let path = dir.join("fail.plan.toml");
        let expected = expectations(&path);
        let actual = actual(&engine, &path);
        assert!(
            expected.iter().any(|(_, r)| *r == id),
            "{id}: the failing fixture marks no {id} finding"
        );
        if expected != actual {
            let missing: Vec<_> = expected.difference(&actual).collect();
            let unexpected: Vec<_> = actual.difference(&expected).collect();
            problems.push(format!(
                "{id}: missing {missing:?}, unexpected {unexpected:?}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fixture mismatches:\n{}",
        problems.join("\n")
    );
}

#[test]
fn passing_fixtures_have_no_findings() {
    let engine = engine(&[], Lang::En);
    let mut problems = Vec::new();
    for (id, dir) in rule_fixture_dirs() {
        let path = dir.join("pass.plan.toml");
        let actual = actual(&engine, &path);
        if !actual.is_empty() {
            problems.push(format!("{id}: {actual:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "passing fixtures with findings:\n{}",
        problems.join("\n")
    );
}

#[test]
fn compliant_examples_have_no_findings() {
    let engine = engine(&[], Lang::En);
    for name in ["compliant-account", "compliant-coupon"] {
        let path = std::path::PathBuf::from(format!("fixtures/examples/{name}.plan.toml"));
        let actual = actual(&engine, &path);
        assert!(actual.is_empty(), "{name}: {actual:?}");
    }
}

#[test]
fn example_plans_show_exactly_their_deliberate_problems() {
    let engine = engine(&[], Lang::En);
    for name in ["account-winddown", "coupon-withdrawal", "combined"] {
        let path = std::path::PathBuf::from(format!("fixtures/examples/{name}.plan.toml"));
        let expected = expectations(&path);
        assert!(expected.len() >= 4, "{name}: a few deliberate problems");
        assert_eq!(actual(&engine, &path), expected, "{name}");
    }
}

#[test]
fn rendered_diagnostics_of_failing_fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/fixtures");
    settings.bind(|| {
        for (id, dir) in rule_fixture_dirs() {
            let engine = engine(&[&id], Lang::En);
            let path = dir.join("fail.plan.toml");
            insta::assert_snapshot!(format!("{id}_en"), render(&engine, &path));
        }
    });
}

#[test]
fn rendered_diagnostics_in_chinese() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/fixtures");
    settings.bind(|| {
        for id in ["ACC001", "SCH003"] {
            let engine = engine(&[id], Lang::Zh);
            let path = std::path::PathBuf::from(format!("fixtures/{id}/fail.plan.toml"));
            insta::assert_snapshot!(format!("{id}_zh"), render(&engine, &path));
        }
    });
}
