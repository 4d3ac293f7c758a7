//! The command line: exit codes, formats, selection, rule folders, broken rule files,
//! deterministic output.

use std::path::Path;

use assert_cmd::Command;

fn hegui() -> Command {
    let mut cmd = Command::cargo_bin("hegui").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("LANG");
    cmd
}

fn stdout(args: &[&str]) -> (String, i32) {
    let out = hegui().args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--format", "json", "--today", "2026-11-22"];
    all.extend_from_slice(args);
    let (text, _) = stdout(&all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn rules_of(v: &serde_json::Value) -> Vec<(String, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn exit_status_follows_fail_on() {
    let fail = "fixtures/ACC001/fail.plan.toml";
    let pass = "fixtures/ACC001/pass.plan.toml";
    assert_eq!(stdout(&["check", fail]).1, 1);
    assert_eq!(stdout(&["check", pass]).1, 0);
    assert_eq!(stdout(&["check", fail, "--fail-on", "never"]).1, 0);
    // ACC009 is a warning: it fails only from --fail-on warning down.
    let warn = "fixtures/ACC009/fail.plan.toml";
    assert_eq!(stdout(&["check", warn, "--select", "ACC009"]).1, 0);
    assert_eq!(
        stdout(&["check", warn, "--select", "ACC009", "--fail-on", "warning"]).1,
        1
    );
    assert_eq!(stdout(&["check", "--format", "yaml", pass]).1, 2);
}

#[test]
fn json_matches_the_documented_shape() {
    let v = json(&[
        "fixtures/ACC001/fail.plan.toml",
        "--select",
        "ACC001",
        "--lang",
        "en",
    ]);
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "ACC001");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "fixtures/ACC001/fail.plan.toml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(29), Some(24))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(29), Some(34))
    );
    assert_eq!(
        d["basis"],
        "practice: “How to cancel WeChat operations” (Luyoutong, 2025-06-07) §1 (a web article, not law; its numbers are unverified and configurable)"
    );
    assert_eq!(d["waived"], serde_json::Value::Null);
    assert!(d["help"].as_str().unwrap().contains("2026-12-20"));
    assert_eq!(v["summary"]["error"], 1);
}

#[test]
fn columns_count_unicode_scalar_values() {
    // SCH003's fixture has a Chinese value before the blamed one on other lines; the column of
    // a value after Chinese text on the same line counts characters, not bytes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.plan.toml");
    std::fs::write(&path, "[plan]\nid = \"x\"\n\"名称\" = 1\n").unwrap();
    let v = json(&[path.to_str().unwrap(), "--select", "SCH004"]);
    let d = &v["diagnostics"][0];
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["end_column"].as_u64()
        ),
        (Some(3), Some(1), Some(5))
    );
}

#[test]
fn sarif_has_rules_and_regions() {
    let (text, code) = stdout(&[
        "check",
        "--format",
        "sarif",
        "--today",
        "2026-11-22",
        "fixtures/ACC001/fail.plan.toml",
        "--select",
        "ACC",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 12, "every selected ACC rule is described");
    assert!(rules.iter().all(|r| {
        r["helpUri"]
            .as_str()
            .unwrap()
            .ends_with(r["id"].as_str().unwrap())
    }));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "ACC001");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        29
    );
}

#[test]
fn select_and_ignore_by_prefix() {
    let v = json(&[
        "fixtures/examples/account-winddown.plan.toml",
        "--select",
        "ACC,NTC",
    ]);
    assert!(
        rules_of(&v)
            .iter()
            .all(|(r, _)| r.starts_with("ACC") || r.starts_with("NTC"))
    );
    assert!(!rules_of(&v).is_empty());
    let v = json(&[
        "fixtures/examples/account-winddown.plan.toml",
        "--ignore",
        "ACC",
    ]);
    assert!(rules_of(&v).iter().all(|(r, _)| !r.starts_with("ACC")));
}

#[test]
fn a_copy_of_the_rules_folder_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(Path::new("rules"), &rules);
    let rules = rules.to_str().unwrap();
    let target = "fixtures/examples";
    let builtin = json(&[target]);
    let copied = json(&[target, "--no-builtin", "--rules", rules]);
    assert_eq!(rules_of(&builtin), rules_of(&copied));
    assert!(!rules_of(&builtin).is_empty());

    // Deleting one family's file removes exactly its findings.
    std::fs::remove_file(Path::new(rules).join("accounts.toml")).unwrap();
    let without = json(&[target, "--no-builtin", "--rules", rules]);
    let expected: Vec<_> = rules_of(&builtin)
        .into_iter()
        .filter(|(r, _)| !r.starts_with("ACC"))
        .collect();
    assert_eq!(rules_of(&without), expected);

    // A new rule in a new file fires without recompiling.
    std::fs::write(
        Path::new(rules).join("house.toml"),
        r#"
[family]
id = "HSE"
title = { zh = "内部规定", en = "House rules" }

[[rule]]
id = "HSE001"
severity = "warning"
title = { zh = "计划须有负责人", en = "A plan names its owner" }
rationale = { zh = "内部规定。", en = "House rule." }
basis = [{ practice = "hegui" }]
scope = "plan"
assert = "has(item.owner)"
message = { zh = "计划 {item.id} 未写负责人", en = "plan {item.id} names no owner" }
"#,
    )
    .unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let plan = dir2.path().join("x.plan.toml");
    std::fs::write(&plan, "[plan]\nid = \"x\"\n").unwrap();
    let v = json(&[
        plan.to_str().unwrap(),
        "--no-builtin",
        "--rules",
        rules,
        "--lang",
        "en",
    ]);
    assert_eq!(rules_of(&v), vec![("HSE001".to_owned(), 1)]);
    assert_eq!(v["diagnostics"][0]["message"], "plan x names no owner");
}

#[test]
fn no_builtin_lints_a_teams_own_vocabulary() {
    // Without the built-in vocabulary, keys unknown to v1 are not reported.
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("y.plan.toml");
    std::fs::write(&plan, "[anything]\nfoo = 1\n").unwrap();
    let rules = dir.path().join("r");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("own.toml"),
        "[family]\nid = \"OWN\"\ntitle = { zh = \"自有\", en = \"Own\" }\n\n[[rule]]\nid = \"OWN001\"\nseverity = \"error\"\ntitle = { zh = \"t\", en = \"t\" }\nrationale = { zh = \"r\", en = \"r\" }\nbasis = [{ practice = \"hegui\" }]\nscope = \"anything\"\nassert = \"item.foo > 1\"\nat = \"foo\"\nmessage = { zh = \"m\", en = \"foo is {item.foo}\" }\n",
    )
    .unwrap();
    let v = json(&[
        plan.to_str().unwrap(),
        "--no-builtin",
        "--rules",
        rules.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert_eq!(rules_of(&v), vec![("OWN001".to_owned(), 2)]);
    assert_eq!(v["diagnostics"][0]["column"], 7);
}

fn broken_rule(body: &str) -> (String, i32) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), body).unwrap();
    let out = hegui()
        .current_dir(dir.path())
        .args(["check", "--no-builtin", "--rules", ".", "."])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

const RULE_HEAD: &str = "[family]\nid = \"BRK\"\ntitle = { zh = \"坏\", en = \"Broken\" }\n\n[[rule]]\nid = \"BRK001\"\nseverity = \"error\"\ntitle = { zh = \"t\", en = \"t\" }\nrationale = { zh = \"r\", en = \"r\" }\nbasis = [{ practice = \"hegui\" }]\nmessage = { zh = \"m\", en = \"m\" }\nscope = \"plan\"\n";

#[test]
fn broken_rule_files_point_at_line_and_column() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/rule_files");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let (err, code) = broken_rule("[family\nid = 1\n");
        assert_eq!(code, 2);
        assert!(err.contains("broken.toml:1:"), "{err}");
        insta::assert_snapshot!("bad_toml", err);

        let (err, code) = broken_rule(&format!("{RULE_HEAD}assert = \"true\"\nseverty = \"error\"\n"));
        assert_eq!(code, 2);
        assert!(err.contains("broken.toml:14:1"), "{err}");
        assert!(err.contains("did you mean `severity`?"), "{err}");
        insta::assert_snapshot!("unknown_field", err);

        let (err, code) = broken_rule(&format!("{RULE_HEAD}assert = '''\n  item.a <=\n    && item.b'''\n"));
        assert_eq!(code, 2);
        assert!(err.contains("broken.toml:15:5"), "{err}");
        insta::assert_snapshot!("cel_syntax_error", err);

        // Every problem of the file at once.
        let (err, _) = broken_rule(&format!("{RULE_HEAD}assert = \"a ==\"\nwhen = \"(\"\nseverity_if = [{{ when = \"true\", severity = \"fatal\" }}]\n"));
        assert_eq!(err.matches("× ").count(), 3, "{err}");
    });
}

#[test]
fn unreadable_and_odd_inputs_are_findings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.plan.toml"), b"[plan]\nid = \"\xff\xfe\"\n").unwrap();
    std::fs::write(d.join("truncated.plan.toml"), "[plan]\nid = \"x").unwrap();
    std::fs::create_dir(d.join("dir.plan.toml")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d, d.join("loop")).unwrap();
    let out = hegui()
        .args(["check", "--format", "json", "--lang", "en"])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    let messages: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {} {}", d["file"], d["rule"], d["message"]))
        .collect();
    let has = |file: &str, rule: &str, words: &str| {
        messages
            .iter()
            .any(|m| m.contains(file) && m.contains(rule) && m.contains(words))
    };
    assert!(has("bad.plan.toml", "SCH001", "UTF-8"), "{messages:?}");
    assert!(
        has("truncated.plan.toml", "SCH001", "not valid TOML"),
        "{messages:?}"
    );
    assert!(has("loop", "IO", "loop"), "{messages:?}");
    // A path named on the command line that does not exist is a finding too.
    let out = hegui()
        .args(["check", "no/such.plan.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn output_is_identical_at_any_thread_count() {
    // Every fixture folder but the malformed corpus, which `tests/malformed.rs` checks at 1, 2
    // and 8 threads in-process (through the binary it would cost a minute in a debug build).
    let mut folders: Vec<_> = std::fs::read_dir("fixtures")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.ends_with("malformed"))
        .collect();
    folders.sort();
    // A run that hangs fails instead of stalling the suite: wording patterns are compiled in
    // parallel with the files that need them, and a task waiting for a pattern must never be
    // the one that has to compile it (a deadlock seen once, at 2 threads).
    let run = |threads: &str, format: &str| {
        let out = hegui()
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--format", format, "--today", "2026-11-22"])
            .args(&folders)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap_or_else(|e| panic!("{format} at {threads} threads: {e}"));
        assert_eq!(out.status.code(), Some(1), "{format} at {threads} threads");
        out.stdout
    };
    for format in ["human", "json", "sarif", "github", "junit"] {
        let one = run("1", format);
        assert!(!one.is_empty());
        assert_eq!(one, run("2", format), "{format}");
        assert_eq!(one, run("8", format), "{format}");
    }
    let human = run("1", "human");
    for threads in ["2", "3", "4", "2", "3", "4"] {
        assert_eq!(human, run(threads, "human"), "human at {threads} threads");
    }
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let status = hegui()
        .args(["check", "--format", "json", "-o"])
        .arg(&out)
        .arg("fixtures/ACC001/pass.plan.toml")
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(v["summary"]["error"], 0);
}
