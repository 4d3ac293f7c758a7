//! The CI gate surface: `hegui.toml`, baselines, `test-rules` and `init`.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn hegui(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hegui").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LANG", "en_US.UTF-8");
    cmd
}

/// Runs `hegui check --format json … ` in `dir`; (JSON, exit status, stderr).
fn check_json(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let out = Command::cargo_bin("hegui")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LANG", "en_US.UTF-8")
        .args(["check", "--format", "json", "--today", "2026-11-22"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (
        json,
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn rules(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}",
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

fn messages(v: &Value) -> Vec<&str> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect()
}

/// A temporary repository (a `.git` folder bounds configuration discovery) holding copies of
/// example plans.
fn repo(plans: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (to, from) in plans {
        let target = dir.path().join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from, target).unwrap();
    }
    dir
}

/// A team's own rule: the plan names its owner.
const TEAM_RULE: &str = r#"[family]
id = "TEAM"
title = { zh = "团队规则", en = "Team rules" }

[[rule]]
id = "TEAM001"
severity = "warning"
title = { zh = "计划须有负责人", en = "A plan names its owner" }
rationale = { zh = "便于追责", en = "someone answers for it" }
basis = [{ practice = "hegui", section = "manifest.md" }]
scope = "plan"
assert = "has(item.owner)"
at = "plan"
message = { zh = "计划没有 owner", en = "the plan names no owner" }
"#;

const ACCOUNT: &str = "fixtures/examples/account-winddown.plan.toml";
const COUPON: &str = "fixtures/examples/coupon-withdrawal.plan.toml";
const COMPLIANT: &str = "fixtures/examples/compliant-account.plan.toml";

fn absolute(path: &str) -> PathBuf {
    std::fs::canonicalize(path).unwrap()
}

#[test]
fn configuration_is_found_from_the_linted_path_and_applied() {
    let dir = repo(&[
        ("plans/account.plan.toml", ACCOUNT),
        ("plans/archive/coupon.plan.toml", COUPON),
        ("plans/good.plan.toml", COMPLIANT),
    ]);
    let (before, status, _) = check_json(dir.path(), &["plans"]);
    assert_eq!(status, 1);
    assert_eq!(before["files"], 3);
    let before = rules(&before);
    assert!(before.contains(&"ACC001:error".to_owned()), "{before:?}");
    assert!(before.iter().any(|r| r.starts_with("CPN")), "{before:?}");

    std::fs::write(
        dir.path().join("hegui.toml"),
        r#"
[check]
exclude = ["plans/archive/**"]
fail_on = "never"

[rules]
ACC001 = "off"
DAT001 = "warning"

[params]
NTC001.min_days = 45
"#,
    )
    .unwrap();
    // Discovered from the linted folder up to the repository root, also from a subfolder.
    for (cwd, path) in [
        (dir.path().to_path_buf(), "plans"),
        (dir.path().join("plans"), "."),
    ] {
        let (after, status, _) = check_json(&cwd, &[path]);
        assert_eq!(status, 0, "fail_on = never");
        assert_eq!(after["files"], 2, "the archive is excluded");
        let after = rules(&after);
        assert!(!after.iter().any(|r| r.starts_with("ACC001")), "{after:?}");
        assert!(!after.iter().any(|r| r.starts_with("CPN")), "{after:?}");
        assert!(after.contains(&"DAT001:warning".to_owned()), "{after:?}");
        // The compliant plan notices 44 days ahead: enough for the law, not for this team.
        assert!(
            after.iter().filter(|r| r.starts_with("NTC001")).count()
                > before.iter().filter(|r| r.starts_with("NTC001")).count(),
            "{after:?}"
        );
    }
    // A file named on the command line is still excluded (pre-commit passes names).
    let (named, _, _) = check_json(dir.path(), &["plans/archive/coupon.plan.toml"]);
    assert_eq!(named["files"], 0);
    // The command line wins over the file.
    let (_, status, _) = check_json(dir.path(), &["plans", "--fail-on", "error"]);
    assert_eq!(status, 1);
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(
        outer.path().join("hegui.toml"),
        "[rules]\nACC001 = \"off\"\n",
    )
    .unwrap();
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    std::fs::copy(ACCOUNT, inner.join("a.plan.toml")).unwrap();
    let (v, _, _) = check_json(&inner, &["a.plan.toml"]);
    assert!(rules(&v).contains(&"ACC001:error".to_owned()));
    // --config names it explicitly.
    let (v, _, _) = check_json(&inner, &["a.plan.toml", "--config", "../hegui.toml"]);
    assert!(!rules(&v).iter().any(|r| r.starts_with("ACC001")));
}

#[test]
fn every_problem_of_the_configuration_is_reported_at_once_pointing_into_it() {
    let dir = repo(&[("a.plan.toml", ACCOUNT)]);
    std::fs::write(
        dir.path().join("hegui.toml"),
        r#"[check]
fail_on = "sometimes"

[rules]
NTC07 = "off"
ACC001 = "loud"

[params]
NTC001.min_days = 45.5
NTC001.max_days = 3
ACC001.cooling_days = { service = 20, servce = 3 }

[calender]
files = []
"#,
    )
    .unwrap();
    let out = hegui(dir.path()).args(["check", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing was checked");
    let err = String::from_utf8(out.stderr).unwrap();
    for (place, words) in [
        ("hegui.toml:2:11", "`fail_on` must be"),
        ("hegui.toml:5:1", "no rule `NTC07`"),
        ("hegui.toml:6:10", "`ACC001` must be"),
        (
            "hegui.toml:9:19",
            "must be an integer, like the rule's default, found a float",
        ),
        ("hegui.toml:10:8", "rule NTC001 has no parameter `max_days`"),
        ("hegui.toml:11:39", "unknown key `servce`"),
        ("hegui.toml:13:2", "unknown key `calender`"),
    ] {
        assert!(err.contains(place), "{place} in:\n{err}");
        assert!(err.contains(words), "{words} in:\n{err}");
    }
    assert!(err.contains("did you mean `NTC007`?"), "{err}");
    assert!(
        err.contains("did you mean `warning`?") || err.contains("`never`"),
        "{err}"
    );
    assert!(err.contains("7 problem(s) in hegui.toml"), "{err}");
    // An explicit configuration that does not exist is a failed run too.
    let out = hegui(dir.path())
        .args(["check", ".", "--config", "nope.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn configuration_adds_rule_folders_and_calendar_years() {
    let dir = repo(&[]);
    std::fs::write(
        dir.path().join("t.plan.toml"),
        r#"[plan]
id = "t"
[[account]]
id = "a"
type = "subscription"
cancellation_requested_on = 2027-01-04
closure_effective_on = 2027-02-10
[finance]
ad_balance_cny = 100
ad_refund_requested_on = 2027-01-20
"#,
    )
    .unwrap();
    // Without the 2027 schedule, working day 15 falls between 2027-02-09 and 2027-02-22
    // (docs/calendar.md): the closure on 2027-02-10 is undecided.
    let (v, _, _) = check_json(dir.path(), &["t.plan.toml", "--select", "FIN003"]);
    assert_eq!(rules(&v), vec!["FIN003:warning"], "{v}");
    let messages = messages(&v);
    assert!(messages[0].contains("2027"), "{messages:?}");

    std::fs::create_dir_all(dir.path().join("compliance/rules")).unwrap();
    std::fs::write(
        dir.path().join("compliance/cn-2027.toml"),
        "[[calendar.year]]\nyear = 2027\nsource = \"test schedule\"\noff = [2027-01-01]\nwork = []\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("compliance/rules/team.toml"), TEAM_RULE).unwrap();
    std::fs::write(
        dir.path().join("hegui.toml"),
        "[check]\nrules = [\"compliance/rules\"]\n\n[calendar]\nfiles = [\"compliance/cn-2027.toml\"]\n",
    )
    .unwrap();
    let (v, _, _) = check_json(dir.path(), &["t.plan.toml", "--select", "FIN003,TEAM"]);
    assert_eq!(rules(&v), vec!["TEAM001:warning"], "{v}");
}

#[test]
fn baselines_survive_unrelated_edits_and_catch_changed_values() {
    let dir = repo(&[("a.plan.toml", ACCOUNT)]);
    let (all, status, _) = check_json(dir.path(), &["a.plan.toml"]);
    assert_eq!(status, 1);
    let total = all["diagnostics"].as_array().unwrap().len();
    assert!(total >= 4);

    let (v, status, err) = check_json(
        dir.path(),
        &["a.plan.toml", "--write-baseline", "baseline.json"],
    );
    assert_eq!(status, 0, "recorded findings no longer fail the gate");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
    assert!(
        err.contains(&format!("recorded {total} finding(s)")),
        "{err}"
    );
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), total);
    assert!(
        recorded
            .to_string()
            .contains("account[id=svc-legacy].closure_effective_on")
            || recorded.to_string().contains(".closure_effective_on"),
        "data paths, not lines: {recorded}"
    );

    // Lines inserted above every finding: still baselined.
    let path = dir.path().join("a.plan.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("# reviewed\n# again\n\n{text}")).unwrap();
    let (v, status, _) = check_json(dir.path(), &["a.plan.toml", "--baseline", "baseline.json"]);
    assert_eq!(status, 0);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{v}");

    // A blamed value changed: that finding is new, the others stay baselined.
    let acc001 = all["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "ACC001")
        .expect("the example has an ACC001 finding");
    let line = acc001["line"].as_u64().unwrap() as usize + 3;
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let old = lines[line - 1].clone();
    let day = old
        .split('=')
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let earlier = {
        let d = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap();
        (d - chrono::Duration::days(1)).to_string()
    };
    lines[line - 1] = old.replace(&day, &earlier);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (v, status, _) = check_json(dir.path(), &["a.plan.toml", "--baseline", "baseline.json"]);
    assert_eq!(status, 1);
    assert_eq!(rules(&v), vec!["ACC001:error"], "{v}");
    assert_eq!(v["diagnostics"][0]["line"].as_u64().unwrap() as usize, line);

    // An unreadable or foreign baseline is a failed run, not an empty baseline.
    std::fs::write(dir.path().join("bad.json"), "{\"findings\": 3}").unwrap();
    let (_, status, err) = check_json(dir.path(), &["a.plan.toml", "--baseline", "bad.json"]);
    assert_eq!(status, 2, "{err}");
    let (_, status, _) = check_json(dir.path(), &["a.plan.toml", "--baseline", "missing.json"]);
    assert_eq!(status, 2);
}

#[test]
fn test_rules_runs_the_built_in_fixtures() {
    let out = hegui(Path::new("."))
        .args(["test-rules", "fixtures", "--today", "2026-11-22"])
        // The malformed-input corpus has no markers: it is tested by `tests/malformed.rs`.
        .args(["--exclude", "malformed/**"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    let summary = text.lines().last().unwrap();
    assert!(summary.contains("0 missing, 0 unexpected"), "{summary}");
    let fixtures: usize = summary
        .split(", ")
        .find_map(|p| p.strip_suffix(" fixtures"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(fixtures >= 149, "{summary}");
}

#[test]
fn test_rules_reports_missing_and_unexpected_findings_with_spans() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    let text = std::fs::read_to_string("fixtures/ACC001/fail.plan.toml")
        .unwrap()
        .replace("# expect: ACC001", "# expect: ACC002");
    std::fs::write(pack.join("fail.plan.toml"), text).unwrap();
    let out = hegui(dir.path())
        .args([
            "test-rules",
            "pack",
            "--select",
            "ACC",
            "--today",
            "2026-11-22",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ACC002 was expected to fire on line 29 but did not"),
        "{text}"
    );
    assert!(text.contains("[pack/fail.plan.toml:29:1]"), "{text}");
    assert!(text.contains("unexpected ACC001"), "{text}");
    assert!(text.contains("[pack/fail.plan.toml:29:24]"), "{text}");
    assert!(text.contains("1 missing, 1 unexpected"), "{text}");
    // An unmarked broken file is an unexpected SCH001 … unless excluded.
    std::fs::create_dir_all(pack.join("malformed")).unwrap();
    std::fs::write(pack.join("malformed/broken.plan.toml"), "x = [").unwrap();
    let run = |extra: &[&str]| {
        let out = hegui(dir.path())
            .args([
                "test-rules",
                "pack",
                "--select",
                "ACC,SCH",
                "--today",
                "2026-11-22",
            ])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let all = run(&[]);
    assert!(
        all.contains("2 fixtures, 0 expectations met, 1 missing, 2 unexpected"),
        "{all}"
    );
    let some = run(&["--exclude", "malformed/**"]);
    assert!(
        some.contains("1 fixtures, 0 expectations met, 1 missing, 1 unexpected"),
        "{some}"
    );
}

#[test]
fn test_rules_tests_a_pack_by_its_own_rules() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("team");
    std::fs::create_dir_all(pack.join("fixtures")).unwrap();
    std::fs::write(pack.join("team.toml"), TEAM_RULE).unwrap();
    // Built-in rules fire on these fixtures too (no accounts, no notices …), but only the
    // pack's own rule is under test.
    std::fs::write(
        pack.join("fixtures/fail.plan.toml"),
        "[plan]  # expect: TEAM001\nid = \"x\"\n",
    )
    .unwrap();
    std::fs::write(
        pack.join("fixtures/pass.plan.toml"),
        "[plan]\nid = \"x\"\nowner = \"a@b.c\"\n",
    )
    .unwrap();
    let out = hegui(dir.path())
        .args(["test-rules", "team"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("test-rules: 1 rules, 2 fixtures, 1 expectations met"),
        "{text}"
    );
    // Break the rule: both fixtures now disagree.
    let broken = std::fs::read_to_string(pack.join("team.toml"))
        .unwrap()
        .replace("has(item.owner)", "!has(item.owner)");
    std::fs::write(pack.join("team.toml"), broken).unwrap();
    let out = hegui(dir.path())
        .args(["test-rules", "team"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 missing, 1 unexpected"), "{text}");
}

#[test]
fn init_writes_a_starter_that_passes_check() {
    let dir = repo(&[]);
    let out = hegui(dir.path()).args(["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("plan.plan.toml")).unwrap();
    assert_eq!(written, hegui::STARTER_MANIFEST);
    assert!(
        written.lines().filter(|l| l.starts_with('#')).count() >= 10,
        "commented"
    );
    let (v, status, _) = check_json(dir.path(), &["plan.plan.toml"]);
    assert_eq!(status, 0);
    assert_eq!(v["files"], 1);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{v}");
    // It covers the main tables, so a team starts from real content.
    for table in [
        "[plan]",
        "[[account]]",
        "[[notice]]",
        "[[data]]",
        "[[obligation]]",
    ] {
        assert!(written.contains(table), "{table}");
    }
    // Never overwrites by accident.
    let out = hegui(dir.path()).args(["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = hegui(dir.path())
        .args(["init", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = hegui(dir.path()).args(["init", "-"]).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        hegui::STARTER_MANIFEST
    );
}

#[test]
fn the_starter_passes_every_rule_in_the_library_too() {
    let engine = common::engine(&[], hegui::Lang::En);
    let source = hegui::SourceFile::new("starter.plan.toml", hegui::STARTER_MANIFEST);
    let path = absolute("fixtures/examples/compliant-account.plan.toml");
    let findings = engine.check_source(&source, &path, path.parent().unwrap());
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn reports_count_baselined_findings_and_never_show_their_rules_as_held() {
    let dir = repo(&[
        ("plans/a-account.plan.toml", ACCOUNT),
        ("plans/b-compliant.plan.toml", COMPLIANT),
    ]);
    let (_, status, _) = check_json(dir.path(), &["plans", "--write-baseline", "baseline.json"]);
    assert_eq!(status, 0);
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap())
            .unwrap();
    let count = recorded["findings"].as_array().unwrap().len();
    let out = hegui(dir.path())
        .args([
            "report",
            "plans",
            "-o",
            "r.md",
            "--baseline",
            "baseline.json",
        ])
        .args(["--today", "2026-11-22"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(
        md.contains(&format!(
            "{count} more finding(s) accepted by the baseline (--baseline) are not listed."
        )),
        "{md}"
    );
    // DAT001 fired in the account plan (baselined) and held in the compliant one.
    let row = md
        .lines()
        .find(|l| l.starts_with("| DAT001 |"))
        .expect("DAT001 held in the compliant plan");
    assert!(row.ends_with("| B | ✓ |"), "{row}");
}

#[test]
fn wrong_types_are_named_with_the_right_article() {
    let dir = repo(&[]);
    std::fs::write(
        dir.path().join("t.plan.toml"),
        "[plan]\nid = \"t\"\n[[account]]\nid = \"a\"\ntype = \"service\"\nfollowers = [1]\ndays_since_last_violation = \"x\"\ncommerce = 1\n",
    )
    .unwrap();
    let (v, _, _) = check_json(dir.path(), &["t.plan.toml", "--select", "SCH003"]);
    let messages = messages(&v);
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].ends_with("found an array"), "{messages:?}");
    assert!(messages[1].ends_with("found a string"), "{messages:?}");
    assert!(messages[2].ends_with("found an integer"), "{messages:?}");
}
