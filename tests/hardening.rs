//! What a pull request's files cannot make hegui do (docs/robustness.md, threat model): read
//! the CI machine's files, leave the repository, act on the terminal, hang or crash. Each
//! test runs the binary in a temporary git repository, as CI does on a checkout.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

mod common;
use common::manifest_with_text_file;

/// A secret that must never appear in hegui's output.
const CANARY: &str = "canary-5ecr3t-7f1d";

/// A temporary folder holding `repo/` (a git repository with a compliant plan) and, beside
/// it, `outside/` with a secret.
struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        let git = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(&root)
            .status();
        if !git.is_ok_and(|s| s.success()) {
            std::fs::create_dir_all(root.join(".git")).unwrap();
        }
        std::fs::write(
            root.join(".git/config"),
            format!("[http]\n\textraheader = AUTHORIZATION: basic {CANARY}\n"),
        )
        .unwrap();
        std::fs::copy(
            "fixtures/examples/compliant-account.plan.toml",
            root.join("a.plan.toml"),
        )
        .unwrap();
        std::fs::write(
            outside.join("secret.toml"),
            format!("token = \"{CANARY}\"\n"),
        )
        .unwrap();
        std::fs::write(outside.join("secret.txt"), format!("{CANARY}\n")).unwrap();
        Repo {
            _dir: dir,
            root,
            outside,
        }
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn link(&self, name: &str, target: &Path) {
        std::os::unix::fs::symlink(target, self.root.join(name)).unwrap();
    }

    /// Runs hegui in the repository; returns stdout, stderr and the exit status.
    fn run(&self, args: &[&str]) -> (String, String, i32) {
        let out = Command::cargo_bin("hegui")
            .unwrap()
            .env("NO_COLOR", "1")
            .env("LANG", "en_US.UTF-8")
            .env("HEGUI_TEST_SECRET", CANARY)
            .current_dir(&self.root)
            .timeout(Duration::from_secs(120))
            .args(args)
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert_ne!(code, 101, "hegui panicked: {stderr}");
        assert_ne!(code, -1, "hegui was killed or timed out: {stderr}");
        (stdout, stderr, code)
    }
}

/// The diagnostics of one rule in JSON output.
fn of_rule<'a>(json: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule)
        .collect()
}

fn assert_no_secret(out: &(String, String, i32)) {
    assert!(
        !out.0.contains(CANARY) && !out.1.contains(CANARY),
        "the secret was printed:\n{}\n{}",
        out.0,
        out.1
    );
}

#[test]
fn configuration_paths_stay_inside_the_repository() {
    let repo = Repo::new();
    let secret = repo.outside.join("secret.toml");
    repo.link("linked.toml", &secret);
    let cases = [
        ("calendar", "files", "/proc/self/environ"),
        ("calendar", "files", "/dev/zero"),
        ("calendar", "files", "../outside/secret.toml"),
        ("calendar", "files", ".git/config"),
        ("calendar", "files", "linked.toml"),
        ("check", "rules", "../outside"),
        ("check", "rules", secret.to_str().unwrap()),
    ];
    for (table, key, path) in cases {
        repo.write("hegui.toml", &format!("[{table}]\n{key} = [\"{path}\"]\n"));
        let out = repo.run(&["check", "."]);
        assert_eq!(out.2, 2, "{path}: {out:?}");
        assert!(
            out.1.contains("outside the repository") || out.1.contains(".git folder"),
            "{path}: {}",
            out.1
        );
        assert_no_secret(&out);
    }
}

#[test]
fn a_file_that_is_not_toml_is_not_quoted() {
    let repo = Repo::new();
    repo.write(
        "notes.toml",
        &format!("machine ci password {CANARY}\n{CANARY}\n"),
    );
    for config in [
        "[calendar]\nfiles = [\"notes.toml\"]\n",
        "[check]\nrules = [\"notes.toml\"]\n",
    ] {
        repo.write("hegui.toml", config);
        let out = repo.run(&["check", "."]);
        assert_eq!(out.2, 2, "{out:?}");
        assert!(
            out.1.contains("not valid TOML") && out.1.contains("notes.toml:1:"),
            "{}",
            out.1
        );
        assert_no_secret(&out);
    }
    // The configuration itself, when it is not TOML.
    repo.write("hegui.toml", &format!("{CANARY} {CANARY}\n"));
    let out = repo.run(&["check", "."]);
    assert_eq!(out.2, 2, "{out:?}");
    assert!(out.1.contains("hegui.toml:1:"), "{}", out.1);
    assert_no_secret(&out);
}

#[test]
fn text_files_are_regular_files_inside_the_repository() {
    let repo = Repo::new();
    std::fs::remove_file(repo.root.join("a.plan.toml")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(repo.root.join("fifo.txt"))
        .status()
        .is_ok_and(|s| s.success());
    repo.link("zero.txt", Path::new("/dev/zero"));
    repo.link("secret.txt", &repo.outside.join("secret.txt"));
    // Larger than the cap, without writing 64 MiB: a sparse file.
    std::fs::File::create(repo.root.join("huge.txt"))
        .unwrap()
        .set_len(hegui::MAX_FILE_BYTES + 1)
        .unwrap();
    let mut cases = vec![
        ("zero.txt", "outside the repository"),
        ("secret.txt", "outside the repository"),
        ("../outside/secret.txt", "outside the repository"),
        (".git/config", ".git folder"),
        ("huge.txt", "larger than 64 MiB"),
        (".", "is a directory"),
    ];
    if fifo {
        cases.push(("fifo.txt", "not a regular file"));
    }
    for (value, reason) in cases {
        repo.write("p.plan.toml", &manifest_with_text_file(value));
        let out = repo.run(&["check", "--format", "json", "p.plan.toml"]);
        assert_eq!(out.2, 1, "{value}: {out:?}");
        let json: serde_json::Value = serde_json::from_str(&out.0).unwrap();
        let messages: Vec<&str> = of_rule(&json, "SCH009")
            .iter()
            .map(|d| d["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages.len(), 1, "{value}: {messages:?}");
        assert!(messages[0].contains(reason), "{value}: {}", messages[0]);
        // SCH009 names no absolute path of the machine.
        assert!(
            !messages[0].contains(repo.root.to_str().unwrap()),
            "{}",
            messages[0]
        );
        assert_no_secret(&out);
    }
}

#[test]
fn the_walk_does_not_leave_the_repository_through_a_link() {
    let repo = Repo::new();
    std::fs::write(
        repo.outside.join("evil.plan.toml"),
        format!("schema = \"hegui/plan/v1\"\n[plan]\nid = \"{CANARY}\"\n"),
    )
    .unwrap();
    repo.link("ext", &repo.outside);
    repo.link("root", Path::new("/"));
    repo.link("evil.plan.toml", &repo.outside.join("evil.plan.toml"));
    repo.link("alias.plan.toml", &repo.root.join("a.plan.toml"));
    let out = repo.run(&["check", "--format", "json", "."]);
    assert_no_secret(&out);
    let json: serde_json::Value = serde_json::from_str(&out.0).unwrap();
    assert_eq!(json["files"], 2, "a.plan.toml and its alias: {}", out.0);
    let io = of_rule(&json, "IO");
    assert_eq!(io.len(), 1, "{io:?}");
    assert_eq!(io[0]["file"], "evil.plan.toml");
    assert!(
        io[0]["message"]
            .as_str()
            .unwrap()
            .contains("leaves the repository")
    );
}

#[test]
fn init_never_writes_through_a_link() {
    let repo = Repo::new();
    let target = repo.outside.join("created.plan.toml");
    repo.link("new.plan.toml", &target);
    for args in [
        &["init", "new.plan.toml"][..],
        &["init", "--force", "new.plan.toml"],
    ] {
        let out = repo.run(args);
        assert_eq!(out.2, 2, "{out:?}");
        assert!(out.1.contains("symbolic link"), "{}", out.1);
        assert!(!target.exists());
    }
    let out = repo.run(&["init", "fresh.plan.toml"]);
    assert_eq!(out.2, 0, "{out:?}");
    assert!(repo.root.join("fresh.plan.toml").is_file());
}

/// Characters that act on a terminal or reorder text: ESC (clear screen), OSC (title) ended by
/// BEL, a lone CR, a C1 CSI, and the right-to-left override.
const HOSTILE: &str = "x\u{1b}[2J\u{1b}]0;pwned\u{7}\rmain\u{9b}31m\u{202e}dnuof";

fn hostile_manifest() -> String {
    let escaped: String = HOSTILE
        .chars()
        .map(|c| match c {
            c if c.is_control() || c == '\u{202e}' => format!("\\u{:04X}", c as u32),
            c => c.to_string(),
        })
        .collect();
    // An account id is quoted in messages, labels and reports; an unknown key is named.
    std::fs::read_to_string("fixtures/ACC001/fail.plan.toml")
        .unwrap()
        .replacen("id = \"", &format!("id = \"{escaped}"), 2)
        .replacen("[plan]\n", &format!("[plan]\n\"k{escaped}\" = 1\n"), 1)
}

fn assert_no_hazard(what: &str, text: &str) {
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(c), "{what} holds U+{:04X}", c as u32);
    }
    assert!(
        !text.replace("\r\n", "\n").contains('\r'),
        "{what} holds a lone CR"
    );
    assert!(
        text.contains("\\u{1b}") && text.contains("\\u{202e}"),
        "{what} shows no escape:\n{text}"
    );
}

/// Whether any string in `v` contains `text`.
fn holds(v: &serde_json::Value, text: &str) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains(text),
        serde_json::Value::Array(items) => items.iter().any(|i| holds(i, text)),
        serde_json::Value::Object(map) => map.values().any(|i| holds(i, text)),
        _ => false,
    }
}

#[test]
fn control_characters_are_shown_escaped() {
    let repo = Repo::new();
    let name = format!("evil{}.plan.toml", "\u{1b}]0;t\u{7}");
    repo.write(&name, &hostile_manifest());
    for format in ["human", "github", "junit"] {
        let out = repo.run(&["check", "--today", "2026-11-22", "--format", format, &name]);
        assert_eq!(out.2, 1, "{format}: {}", out.1);
        assert_no_hazard(format, &out.0);
        if format == "junit" {
            roxmltree::Document::parse(&out.0).expect("valid XML");
        }
        if format == "github" {
            assert!(
                out.0
                    .lines()
                    .all(|l| l.starts_with("::") || l.starts_with("checked"))
            );
        }
    }
    for format in ["json", "sarif"] {
        let out = repo.run(&["check", "--today", "2026-11-22", "--format", format, &name]);
        let json: serde_json::Value = serde_json::from_str(&out.0).expect("valid JSON");
        assert!(holds(&json, HOSTILE), "{format} keeps the value exactly");
    }
    for report in ["r.html", "r.md"] {
        let out = repo.run(&["report", "--today", "2026-11-22", "-o", report, &name]);
        assert_ne!(out.2, 2, "{out:?}");
        let text = std::fs::read_to_string(repo.root.join(report)).unwrap();
        assert_no_hazard(report, &text);
    }
}

#[test]
fn huge_day_counts_are_findings_not_panics() {
    let repo = Repo::new();
    let plan = std::fs::read_to_string(repo.root.join("a.plan.toml")).unwrap();
    for days in ["200000000000000", "100000000", "9223372036854775807"] {
        let changed = plan.replacen(
            "retention_days = 90 ",
            &format!("retention_days = {days} "),
            1,
        );
        assert_ne!(changed, plan);
        repo.write("a.plan.toml", &changed);
        for report in ["r.html", "r.md"] {
            let out = repo.run(&["report", "--today", "2026-11-22", "-o", report, "."]);
            assert!(out.2 == 0 || out.2 == 1, "{days} {report}: {out:?}");
        }
        let out = repo.run(&["check", "--today", "2026-11-22", "."]);
        assert!(out.2 == 0 || out.2 == 1, "{days}: {out:?}");
    }
    repo.write("a.plan.toml", &plan);
    for value in ["9223372036854775807", "-9223372036854775808"] {
        repo.write(
            "hegui.toml",
            &format!("[params]\nNTC001.min_days = {value}\n"),
        );
        let out = repo.run(&["check", "--today", "2026-11-22", "--format", "json", "."]);
        assert_eq!(out.2, 1, "{out:?}");
        let json: serde_json::Value = serde_json::from_str(&out.0).unwrap();
        let ntc = of_rule(&json, "NTC001");
        assert!(!ntc.is_empty(), "{value}: {}", out.0);
        let message = ntc[0]["message"].as_str().unwrap();
        assert!(message.contains("could not be evaluated"), "{message}");
    }
}

/// A rule whose `let`s double a string 40 times (2^44 bytes at the end).
fn doubling_rule() -> String {
    let mut lets = String::from("let.s0 = \"'aaaaaaaaaaaaaaaa'\"\n");
    for n in 1..=40 {
        lets.push_str(&format!("let.s{n} = \"s{} + s{}\"\n", n - 1, n - 1));
    }
    format!(
        "[family]\nid = \"TST\"\ntitle = {{ zh = \"测试\", en = \"Test\" }}\n\n[[rule]]\nid = \"TST001\"\nseverity = \"warning\"\ntitle = {{ zh = \"t\", en = \"t\" }}\nrationale = {{ zh = \"r\", en = \"r\" }}\nbasis = [{{ practice = \"hegui\" }}]\nscope = \"account\"\nmessage = {{ zh = \"m\", en = \"m\" }}\n{lets}assert = \"size(s40) > 0\"\n"
    )
}

#[test]
fn a_rule_over_its_evaluation_budget_is_a_finding() {
    let repo = Repo::new();
    repo.write("team/double.toml", &doubling_rule());
    repo.write("hegui.toml", "[check]\nrules = [\"team\"]\n");
    let out = repo.run(&["check", "--today", "2026-11-22", "--format", "json", "."]);
    assert_eq!(out.2, 1, "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&out.0).unwrap();
    let tst = of_rule(&json, "TST001");
    // The rule stops on the file at its first item: one finding, not one per account.
    assert_eq!(tst.len(), 1, "{tst:?}");
    assert_eq!(tst[0]["severity"], "error");
    assert!(
        tst[0]["message"]
            .as_str()
            .unwrap()
            .contains("evaluation budget")
    );
}

#[test]
fn an_unknown_waiver_key_is_wvr001_with_a_suggestion() {
    let repo = Repo::new();
    let plan = std::fs::read_to_string("fixtures/ACC001/fail.plan.toml").unwrap();
    let line = plan
        .lines()
        .find(|l| l.contains("# expect: ACC001"))
        .unwrap()
        .to_owned();
    let waived = plan.replacen(
        &line,
        &format!(
            "# hegui:allow ACC001 reason=\"agreed\" approver=\"li.wei\" untill=2027-01-01\n{line}"
        ),
        1,
    );
    repo.write("w.plan.toml", &waived);
    let out = repo.run(&[
        "check",
        "--today",
        "2026-11-22",
        "--format",
        "json",
        "w.plan.toml",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.0).unwrap();
    let wvr = of_rule(&json, "WVR001");
    assert_eq!(wvr.len(), 1, "{}", out.0);
    assert!(
        wvr[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `untill`")
    );
    assert!(
        wvr[0]["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `until`?")
    );
}

#[test]
fn a_huge_unknown_key_is_named_not_repeated() {
    let repo = Repo::new();
    let key = "k".repeat(500_000);
    let plan = std::fs::read_to_string(repo.root.join("a.plan.toml")).unwrap();
    repo.write(
        "a.plan.toml",
        &plan.replacen("[plan]\n", &format!("[plan]\n{key} = 1\n"), 1),
    );
    for format in ["human", "json", "github"] {
        let out = repo.run(&["check", "--today", "2026-11-22", "--format", format, "."]);
        assert!(out.2 <= 1, "{format}");
        // At most once whole: JSON's `path` names the key exactly, for baselines and tools.
        assert!(out.0.matches(&key).count() <= 1, "{format} repeats the key");
        assert!(
            out.0.len() < key.len() + 100_000,
            "{format}: {} bytes of output",
            out.0.len()
        );
        // Wrapped in human output: the size, then `bytes)`.
        assert!(
            out.0.contains("(500000") && out.0.contains("bytes)"),
            "{format}"
        );
    }
}
