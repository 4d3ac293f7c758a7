//! `hegui fix`: every rule with a fix repairs its failing fixture — the rule no longer fires
//! where a fix was offered, no other rule newly fires, every comment survives, a second run
//! changes nothing — and the diff is a snapshot. A property test fixes mutated plans.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use hegui::fix::run::{FileFix, Stop, fix_source};
use hegui::tree::{self, Node, NodeValue};
use hegui::{Engine, Lang, SourceFile};
use proptest::prelude::*;

/// (rule, the fixture, whether the fix is safe).
const FIXED: &[(&str, &str, bool)] = &[
    ("SCH003", "fixtures/SCH003/fail.plan.toml", true),
    ("SCH004", "fixtures/SCH004/fail.plan.toml", true),
    ("ACC001", "fixtures/ACC001/fail.plan.toml", false),
    ("ACC012", "fixtures/ACC012/fail.plan.toml", false),
    ("NTC001", "fixtures/NTC001/fail.plan.toml", false),
    ("NTC002", "fixtures/NTC002/fail.plan.toml", false),
    ("NTC003", "fixtures/NTC003/fail.plan.toml", false),
    ("CPN009", "fixtures/CPN009/fail.plan.toml", false),
    ("CPN010", "fixtures/CPN010/fail.plan.toml", false),
    ("CPN012", "fixtures/CPN012/fail.plan.toml", false),
    ("DAT006", "fixtures/DAT006/fail.plan.toml", false),
    ("DAT009", "fixtures/DAT009/fail.plan.toml", false),
    ("FIN001", "fixtures/FIN001/fail.plan.toml", false),
    ("FIN003", "fixtures/FIN003/fail.plan.toml", false),
    ("FIN005", "fixtures/FIN005/fail.plan.toml", false),
    ("LGL002", "fixtures/LGL002/fail.plan.toml", false),
];

fn fix_text(engine: &Engine, name: &str, text: &str, unsafe_fixes: bool) -> FileFix {
    let source = SourceFile::new(name, text);
    fix_source(
        engine,
        &source,
        Path::new(name),
        Path::new("."),
        unsafe_fixes,
    )
}

/// (rule, data path) of the active findings.
fn keys(findings: &[hegui::Finding]) -> BTreeSet<(String, String)> {
    findings
        .iter()
        .filter(|f| f.waived.is_none())
        .map(|f| (f.rule.clone(), f.path.clone()))
        .collect()
}

/// Every comment of a text: whole comment lines and trailing `  # …` comments.
fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                Some(trimmed.to_owned())
            } else {
                line.find("  # ").map(|i| line[i..].to_owned())
            }
        })
        .collect()
}

fn assert_fixes(engine: &Engine, rule: &str, path: &str, safe: bool) {
    let text = std::fs::read_to_string(path).unwrap();
    let before = hegui::check_file(engine, Path::new(path));
    let offered: BTreeSet<(String, String)> = before
        .iter()
        .filter(|f| f.rule == rule && f.fix.is_some())
        .map(|f| (f.rule.clone(), f.path.clone()))
        .collect();
    assert!(
        !offered.is_empty(),
        "{rule}: no finding of its fixture offers a fix"
    );
    for f in before.iter().filter(|f| f.rule == rule) {
        if let Some(fix) = &f.fix {
            assert_eq!(
                fix.applicability == hegui::fix::Applicability::Safe,
                safe,
                "{rule}: applicability of `{}`",
                fix.message
            );
        }
    }
    // Safe fixes alone suffice for a safe rule; `--unsafe-fixes` for the others.
    let result = fix_text(engine, path, &text, !safe);
    assert_eq!(result.stop, Stop::Done, "{rule}: {:?}", result.stop);
    assert!(result.changed(), "{rule}: nothing changed");
    let after = keys(&result.remaining);
    for key in &offered {
        assert!(!after.contains(key), "{rule}: still fires at {}", key.1);
    }
    let unfixed: BTreeSet<_> = keys(&before)
        .into_iter()
        .filter(|k| k.0 == rule && !offered.contains(k))
        .collect();
    assert_eq!(
        after
            .iter()
            .filter(|k| k.0 == rule)
            .cloned()
            .collect::<BTreeSet<_>>(),
        unfixed,
        "{rule}: only the findings without a fix remain"
    );
    let had = keys(&before);
    let new: Vec<_> = after.difference(&had).collect();
    assert!(
        new.is_empty(),
        "{rule}: the fix made other rules fire: {new:?}"
    );
    let kept = comments(&result.fixed);
    for comment in comments(&text) {
        assert!(
            kept.contains(&comment),
            "{rule}: lost the comment {comment:?}"
        );
    }
    tree::parse(&result.fixed).expect("the fixed file parses");
    let again = fix_text(engine, path, &result.fixed, !safe);
    assert!(
        !again.changed() && again.applied.is_empty(),
        "{rule}: a second run changed\n{}",
        again.diff()
    );
    insta::assert_snapshot!(format!("fix-{rule}"), result.diff());
}

#[test]
fn every_listed_rule_fixes_its_failing_fixture() {
    let engine = common::engine(&[], Lang::En);
    for (rule, path, safe) in FIXED {
        assert_fixes(&engine, rule, path, *safe);
    }
}

#[test]
fn a_date_written_as_a_string_becomes_a_date_safely() {
    let engine = common::engine(&[], Lang::En);
    let text = std::fs::read_to_string("fixtures/examples/compliant-account.plan.toml").unwrap();
    let needle = text
        .lines()
        .find(|l| l.starts_with("decided_on = "))
        .expect("the plan states decided_on")
        .to_owned();
    let day = needle.trim_start_matches("decided_on = ").trim().to_owned();
    let broken = text.replacen(&needle, &format!("decided_on = \"{day}\"  # quoted"), 1);
    let result = fix_text(&engine, "plan.plan.toml", &broken, false);
    assert_eq!(result.applied.len(), 1, "{:?}", result.applied);
    assert_eq!(result.applied[0].rule, "SCH003");
    assert_eq!(
        result.fixed,
        text.replacen(&needle, &format!("{needle}  # quoted"), 1)
    );
    assert!(keys(&result.remaining).is_empty(), "{:?}", result.remaining);
}

/// CPN012's "no `[monitoring]`" adds the table, its values the rule's thresholds, after the
/// last table (the file's trailing blank line stays last); nothing before it changes.
#[test]
fn a_missing_monitoring_table_is_added_at_the_rules_thresholds() {
    let engine = common::engine(&["CPN012"], Lang::En);
    let fixture = std::fs::read_to_string("fixtures/CPN012/fail.plan.toml").unwrap();
    let cut = fixture
        .find("\n[monitoring]")
        .expect("the fixture has [monitoring]");
    let text = &fixture[..=cut];
    let result = fix_text(&engine, "plan.plan.toml", text, true);
    assert_eq!(result.applied.len(), 1, "{:?}", result.applied);
    assert_eq!(result.applied[0].rule, "CPN012");
    assert_eq!(
        result.fixed,
        format!(
            "{text}[monitoring]\nbounce_rate_max = 0.4\nnegative_review_ratio_max = 0.003\n\
             replacement_claim_ratio_min = 0.6\nwindow_hours = 72\n\n"
        )
    );
    assert!(keys(&result.remaining).is_empty(), "{:?}", result.remaining);
    // An unsafe fix: it commits the plan to watching.
    assert!(!fix_text(&engine, "plan.plan.toml", text, false).changed());
}

#[test]
fn safe_mode_leaves_unsafe_fixes_alone() {
    let engine = common::engine(&[], Lang::En);
    let text = std::fs::read_to_string("fixtures/ACC001/fail.plan.toml").unwrap();
    let result = fix_text(&engine, "fixtures/ACC001/fail.plan.toml", &text, false);
    assert!(!result.changed());
    assert!(result.remaining.iter().any(|f| f.rule == "ACC001"));
}

#[test]
fn a_file_that_does_not_parse_is_not_changed() {
    let engine = common::engine(&[], Lang::En);
    let text = "schema = \"hegui/plan/v1\"\n[plan\nid = 'x'\n";
    let result = fix_text(&engine, "broken.plan.toml", text, true);
    assert_eq!(result.stop, Stop::Unparsable);
    assert_eq!(result.fixed, text);
    assert!(result.remaining.iter().any(|f| f.rule == "SCH001"));
}

#[test]
fn a_past_date_is_a_fact_and_the_future_one_moves() {
    // NTC001's fixture publishes its notice on 2026-11-01, before the fixtures' --today
    // (2026-11-22): the fix cannot publish earlier, so it closes later.
    let engine = common::engine(&[], Lang::En);
    let before = hegui::check_file(&engine, Path::new("fixtures/NTC001/fail.plan.toml"));
    let fix = before
        .iter()
        .find(|f| f.rule == "NTC001")
        .and_then(|f| f.fix.as_ref())
        .expect("NTC001 offers a fix");
    assert!(
        fix.message.contains("closure_effective_on"),
        "{}",
        fix.message
    );
    // Judged on an earlier day, the notice's date is still to come: it is moved instead.
    let early = hegui::Engine::new(
        hegui::RuleSet::load(hegui::builtin_sources()).unwrap(),
        hegui::Options {
            lang: Lang::En,
            today: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        },
    )
    .unwrap();
    let before = hegui::check_file(&early, Path::new("fixtures/NTC001/fail.plan.toml"));
    let fix = before
        .iter()
        .find(|f| f.rule == "NTC001")
        .and_then(|f| f.fix.as_ref())
        .expect("NTC001 offers a fix");
    assert!(fix.message.contains("publish notice"), "{}", fix.message);
}

/// Every date of a document by its data path.
fn dates(node: &Node, path: String, out: &mut Vec<(String, chrono::NaiveDate)>) {
    match &node.value {
        NodeValue::Date(d) => out.push((path, *d)),
        NodeValue::DateTime(dt) => out.push((path, dt.date())),
        NodeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                dates(item, format!("{path}[{i}]"), out);
            }
        }
        NodeValue::Table(entries) => {
            for e in entries {
                dates(&e.node, format!("{path}.{}", e.key), out);
            }
        }
        _ => {}
    }
}

/// A mutation of an example plan: shift one of its dates, or change one of its numbers.
#[derive(Debug, Clone)]
enum Mutation {
    ShiftDate(usize, i64),
    Number(usize, i64),
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let date = regex::Regex::new(r"\b\d{4}-\d{2}-\d{2}\b").unwrap();
    let number = regex::Regex::new(r"= (\d+)\b").unwrap();
    let mut text = text.to_owned();
    for m in mutations {
        match m {
            Mutation::ShiftDate(n, days) => {
                let found: Vec<_> = date.find_iter(&text).map(|m| m.range()).collect();
                let Some(range) = found.get(n % found.len().max(1)).cloned() else {
                    continue;
                };
                let Ok(d) = chrono::NaiveDate::parse_from_str(&text[range.clone()], "%Y-%m-%d")
                else {
                    continue;
                };
                let moved = d + chrono::Duration::days(*days);
                text.replace_range(range, &moved.format("%Y-%m-%d").to_string());
            }
            Mutation::Number(n, value) => {
                let found: Vec<_> = number
                    .captures_iter(&text)
                    .filter_map(|c| c.get(1).map(|m| m.range()))
                    .collect();
                let Some(range) = found.get(n % found.len().max(1)).cloned() else {
                    continue;
                };
                text.replace_range(range, &value.to_string());
            }
        }
    }
    text
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), -90i64..90).prop_map(|(n, d)| Mutation::ShiftDate(n, d)),
        1 => (any::<usize>(), 0i64..1000).prop_map(|(n, v)| Mutation::Number(n, v)),
    ]
}

const PLANS: [&str; 5] = [
    include_str!("../fixtures/examples/compliant-account.plan.toml"),
    include_str!("../fixtures/examples/compliant-coupon.plan.toml"),
    include_str!("../fixtures/examples/account-winddown.plan.toml"),
    include_str!("../fixtures/examples/coupon-withdrawal.plan.toml"),
    include_str!("../fixtures/examples/combined.plan.toml"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fixing_mutated_plans_is_sound(
        plan in 0..PLANS.len(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        let engine = ENGINE.get_or_init(|| common::engine(&[], Lang::En));
        let today = common::today();
        let text = mutate(PLANS[plan], &mutations);
        let result = fix_text(engine, "fixtures/examples/mutated.plan.toml", &text, true);
        let before = engine
            .check_source(
                &SourceFile::new("fixtures/examples/mutated.plan.toml", text.as_str()),
                Path::new("fixtures/examples/mutated.plan.toml"),
                Path::new("."),
            )
            .iter()
            .filter(|f| f.waived.is_none())
            .count();
        let after = result.remaining.iter().filter(|f| f.waived.is_none()).count();
        prop_assert!(after <= before, "findings went from {} to {}", before, after);
        let Ok(original) = tree::parse(&text) else {
            prop_assert_eq!(&result.fixed, &text);
            return Ok(());
        };
        let fixed = tree::parse(&result.fixed);
        prop_assert!(fixed.is_ok(), "the fixed file does not parse:\n{}", result.fixed);
        let (mut old, mut new) = (Vec::new(), Vec::new());
        dates(&original, String::new(), &mut old);
        dates(&fixed.unwrap(), String::new(), &mut new);
        for (path, day) in &new {
            match old.iter().find(|(p, _)| p == path) {
                Some((_, was)) if was == day => {}
                Some((_, was)) => {
                    prop_assert!(*was >= today, "moved the past date {} at {}", was, path);
                    prop_assert!(*day >= today, "moved {} to the past {} at {}", path, day, was);
                }
                None => prop_assert!(*day >= today, "added the past date {} at {}", day, path),
            }
        }
    }
}

fn hegui() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("hegui").unwrap();
    cmd.env_remove("LANG").env("NO_COLOR", "1");
    cmd
}

#[test]
fn the_command_writes_only_without_diff_and_exits_on_what_remains() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acc.plan.toml");
    let original = std::fs::read_to_string("fixtures/ACC001/fail.plan.toml").unwrap();
    std::fs::write(&file, &original).unwrap();
    let args = ["--today", "2026-11-22", "--lang", "en"];
    let out = hegui()
        .arg("fix")
        .arg(&file)
        .args(args)
        .args(["--unsafe-fixes", "--diff"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("+closure_effective_on = 2026-12-20  # expect: ACC001"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("would fix 1 finding(s)"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        original,
        "--diff wrote the file"
    );
    assert_eq!(out.status.code(), Some(0), "nothing would remain");
    let out = hegui()
        .arg("fix")
        .arg(&file)
        .args(["--baseline", "b.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--baseline is refused");
    // Safe fixes only: ACC001's is unsafe, the error remains, exit 1.
    let out = hegui().arg("fix").arg(&file).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let out = hegui()
        .arg("fix")
        .arg(&file)
        .args(args)
        .arg("--unsafe-fixes")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("fixed 1 finding(s)"), "{stdout}");
    assert!(
        stdout.contains("ACC001 move `closure_effective_on` to 2026-12-20"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(0));
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        fixed,
        original.replace(
            "closure_effective_on = 2026-12-15  # expect: ACC001",
            "closure_effective_on = 2026-12-20  # expect: ACC001"
        )
    );
}

#[test]
fn json_and_sarif_carry_the_fix() {
    let run = |format: &str| {
        let out = hegui()
            .args([
                "check",
                "fixtures/SCH003/fail.plan.toml",
                "--today",
                "2026-11-22",
            ])
            .args(["--lang", "en", "--format", format])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let json = run("json");
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let typo = diagnostics
        .iter()
        .find(|d| d["path"] == "account[0].type")
        .unwrap();
    assert_eq!(
        typo["fix"],
        serde_json::json!({
            "applicability": "safe",
            "message": "replace with `service`",
            "edits": [{ "line": 19, "column": 8, "end_line": 19, "end_column": 17, "content": "\"service\"" }],
        })
    );
    let many = diagnostics
        .iter()
        .find(|d| d["path"] == "account[1].followers")
        .unwrap();
    assert!(many["fix"].is_null(), "{many}");
    let sarif = run("sarif");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let fixed: Vec<_> = results
        .iter()
        .filter(|r| r.get("fixes").is_some())
        .collect();
    assert_eq!(fixed.len(), 1);
    let change = &fixed[0]["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"]["uri"],
        "fixtures/SCH003/fail.plan.toml"
    );
    assert_eq!(
        change["replacements"][0],
        serde_json::json!({
            "deletedRegion": { "startLine": 19, "startColumn": 8, "endLine": 19, "endColumn": 17 },
            "insertedContent": { "text": "\"service\"" },
        })
    );
}

#[test]
fn the_report_shows_the_fix_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.md");
    hegui()
        .args([
            "report",
            "fixtures/ACC001/fail.plan.toml",
            "--today",
            "2026-11-22",
        ])
        .args(["--lang", "en", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains(
            // Backtick-quoted names are code spans (issue #12), not escaped backticks.
            "Automatic fix: move `closure_effective_on` to 2026-12-20 (`hegui fix --unsafe-fixes`)"
        ),
        "{md}"
    );
    assert!(md.contains("- closure_effective_on = 2026-12-15  # expect: ACC001\n+ closure_effective_on = 2026-12-20  # expect: ACC001\n"), "{md}");
}

/// A user pack of family XYZ whose rules judge an account's `followers`: per rule its id, its
/// title (zh, en; also its rationale and message), its `assert` and its `fix` table.
fn followers_pack(rules: &[(&str, (&str, &str), &str, &str)]) -> String {
    let mut pack =
        String::from("\n[family]\nid = \"XYZ\"\ntitle = { zh = \"测试\", en = \"Test\" }\n");
    for (id, (zh, en), assert, fix) in rules {
        let name = format!("{{ zh = \"{zh}\", en = \"{en}\" }}");
        pack.push_str(&format!(
            "\n[[rule]]\nid = \"{id}\"\nseverity = \"warning\"\ntitle = {name}\nrationale = {name}\n\
             basis = [{{ practice = \"hegui\", section = \"manifest.md\" }}]\nscope = \"account\"\n\
             assert = \"{assert}\"\nat = \"followers\"\nmessage = {name}\nfix = {fix}\n"
        ));
    }
    pack
}

/// A user rule pack whose two fixes undo each other: the loop stops and says so.
#[test]
fn fixes_that_undo_each_other_are_a_reported_cycle() {
    let pack = followers_pack(&[
        (
            "XYZ001",
            ("甲", "A"),
            "item.followers != 486",
            r#"{ applicability = "safe", set = "followers", value = "487", message = { zh = "改为 487", en = "make it 487" } }"#,
        ),
        (
            "XYZ002",
            ("乙", "B"),
            "item.followers != 487",
            r#"{ applicability = "safe", set = "followers", value = "486", message = { zh = "改为 486", en = "make it 486" } }"#,
        ),
    ]);
    let mut sources = hegui::builtin_sources();
    sources.push(SourceFile::new("pack/xyz.toml", pack.as_str()));
    let mut set = hegui::RuleSet::load(sources).unwrap_or_else(|f| panic!("{f:?}"));
    set.retain(|r| r.id.starts_with("XYZ"));
    let engine = Engine::new(
        set,
        hegui::Options {
            lang: Lang::En,
            today: common::today(),
        },
    )
    .unwrap();
    let text = std::fs::read_to_string("fixtures/examples/compliant-account.plan.toml").unwrap();
    assert!(text.contains("followers = 486"));
    let result = fix_text(&engine, "plan.plan.toml", &text, false);
    assert_eq!(result.stop, Stop::Cycle);
    assert!(hegui::fix::run::describe(&result, false, Lang::En).contains("a cycle"));
    assert!(
        result.remaining.len()
            <= engine
                .check_source(
                    &SourceFile::new("plan.plan.toml", text.as_str()),
                    Path::new("plan.plan.toml"),
                    Path::new(".")
                )
                .len()
    );
}

/// A user pack's fix is checked like its other expressions: a misspelt name is a rule-file
/// problem pointing into the fix.
#[test]
fn the_rule_file_checker_reads_fix_expressions() {
    let pack = followers_pack(&[(
        "XYZ001",
        ("甲", "A"),
        "item.followers != 486",
        r#"{ set = "followers", value = "item.folowers + 1", message = { zh = "加一", en = "add one" } }"#,
    )]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("xyz.toml"), &pack).unwrap();
    let out = hegui()
        .args([
            "check",
            "fixtures/examples/compliant-account.plan.toml",
            "--lang",
            "en",
            "--rules",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("folowers"), "{stderr}");
}
