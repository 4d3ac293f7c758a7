//! What a new user trips over: help that lists what works, suggestions, comments that name
//! the right rules.

use assert_cmd::Command;

fn hegui() -> Command {
    Command::cargo_bin("hegui").unwrap()
}

#[test]
fn check_does_not_offer_lang_both() {
    let out = hegui().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("[possible values: zh, en]"), "{help}");
    // `report` still takes it.
    let dir = tempfile::tempdir().unwrap();
    let out = hegui()
        .args(["report", "--lang", "both", "--today", "2026-11-22", "-o"])
        .arg(dir.path().join("r.html"))
        .arg("fixtures/examples/compliant-account.plan.toml")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn explain_suggests_the_closest_rule() {
    for (lang, expected) in [
        ("en", "did you mean `NTC001`?"),
        ("zh", "是否想查 `NTC001`？"),
    ] {
        let out = hegui()
            .args(["explain", "NTC01", "--lang", lang])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn the_starter_manifest_cites_the_rules_that_check_each_key() {
    let set = hegui::RuleSet::load(hegui::builtin_sources()).unwrap();
    for line in hegui::STARTER_MANIFEST.lines() {
        let Some((key, comment)) = line.split_once('#') else {
            continue;
        };
        let Some(key) = key
            .split('=')
            .next()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        else {
            continue;
        };
        for word in comment.split(|c: char| !c.is_ascii_alphanumeric()) {
            let is_id = word.len() == 6
                && word[..3].chars().all(|c| c.is_ascii_uppercase())
                && word[3..].chars().all(|c| c.is_ascii_digit());
            if !is_id {
                continue;
            }
            let rule = set.rule(word).unwrap_or_else(|| panic!("{word} unknown"));
            // The rule's conditions or pointer name the key the comment is on.
            let mentions = format!("{:?}", rule.kind).contains(key);
            assert!(
                mentions,
                "`{key}` comment cites {word}, which does not check it"
            );
        }
    }
}

#[test]
fn a_folder_without_plans_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.toml"), "a = 1\n").unwrap();
    let named_like_a_plan = dir.path().join("winddown.plan.toml");
    std::fs::create_dir(&named_like_a_plan).unwrap();
    for (path, zh, en) in [
        (
            dir.path().to_path_buf(),
            "没有找到计划清单",
            "no plan manifest",
        ),
        (
            named_like_a_plan,
            "是文件夹，不是计划清单",
            "is a folder, not a plan manifest",
        ),
    ] {
        for (lang, expected) in [("zh", zh), ("en", en)] {
            let out = hegui()
                .args(["check", "--lang", lang])
                .arg(&path)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{path:?}");
            let err = String::from_utf8(out.stderr).unwrap();
            assert!(err.contains(expected), "{err}");
        }
    }
}

/// English words that must not appear in Chinese output (identifiers and values aside).
const ENGLISH: &[&str] = &[
    "a date like",
    "one of",
    "a string",
    "an integer",
    "the top level",
    ", until",
    "no such file",
    "severity",
    "warning",
];

fn zh_output(args: &[&str]) -> String {
    let out = hegui().args(args).env_remove("LANG").output().unwrap();
    String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap()
}

#[test]
fn chinese_output_has_no_english_phrases() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("top.plan.toml");
    std::fs::write(&top, "schema = \"hegui/plan/v1\"\n").unwrap();
    let waived = dir.path().join("waived.plan.toml");
    let text = std::fs::read_to_string("fixtures/ACC001/fail.plan.toml").unwrap().replace(
        "closure_effective_on = 2026-12-15",
        "# hegui:allow ACC001 reason=\"平台已确认\" approver=wang.fa until=2027-01-31\nclosure_effective_on = 2026-12-15",
    );
    std::fs::write(&waived, text).unwrap();
    let outputs = [
        zh_output(&[
            "check",
            "--today",
            "2026-11-22",
            "fixtures/SCH003/fail.plan.toml",
        ]),
        zh_output(&["check", "--today", "2026-11-22", top.to_str().unwrap()]),
        zh_output(&["check", "--today", "2026-11-22", waived.to_str().unwrap()]),
        zh_output(&["check", "--today", "2026-11-22", "missing.plan.toml"]),
        zh_output(&["explain", "NTC001"]),
    ];
    for out in &outputs {
        for phrase in ENGLISH {
            assert!(
                !out.contains(phrase),
                "`{phrase}` in Chinese output:\n{out}"
            );
        }
    }
    assert!(
        outputs[0].contains("应为日期") || outputs[0].contains("之一"),
        "{}",
        outputs[0]
    );
    assert!(outputs[1].contains("顶层 缺少必填键"), "{}", outputs[1]);
    assert!(outputs[2].contains("有效至 2027-01-31"), "{}", outputs[2]);
    assert!(outputs[3].contains("文件不存在"), "{}", outputs[3]);
    assert!(outputs[4].contains("严重程度：警告"), "{}", outputs[4]);
}
