//! The malformed-manifest corpus (`fixtures/malformed/`, written by its `generate.py`): every
//! file gives at least one error finding (so exit 1) and never a panic; line ends and a BOM
//! change no finding; a big manifest built at test time is a finding too.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use hegui::render::{human, json, sarif};
use hegui::{Lang, Severity};

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("fixtures/malformed")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".plan.toml"))
        .collect();
    files.sort();
    files
}

/// Every finding rendered in every format.
fn rendered(engine: &hegui::Engine, run: &hegui::Run) -> String {
    json::render(&run.findings, run.files)
        + &sarif::render(&run.findings, engine.rules(), Lang::En)
        + &human::render(&run.findings, run.files, Lang::En, human::Style::plain())
}

#[test]
fn every_malformed_manifest_is_an_error_finding_not_a_panic() {
    let engine = common::engine(&[], Lang::En);
    let files = corpus();
    assert!(files.len() >= 200, "only {} files", files.len());
    // The whole folder in one parallel run (one process per file would cost seconds);
    // rendering slices the text by the findings' spans, so it must not panic either.
    let all = [PathBuf::from("fixtures/malformed")];
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let run = hegui::check_paths(&engine, &all);
        let text = rendered(&engine, &run);
        (run, text)
    }));
    let Ok((run, text)) = outcome else {
        // Name the culprits.
        let panicked: Vec<_> = files
            .iter()
            .filter(|p| {
                catch_unwind(AssertUnwindSafe(|| {
                    let run = hegui::check_paths(&engine, std::slice::from_ref(p));
                    rendered(&engine, &run)
                }))
                .is_err()
            })
            .collect();
        panic!("panicked on {panicked:?}");
    };
    assert!(!text.is_empty());
    assert_eq!(run.files, files.len());
    let without_error: Vec<_> = files
        .iter()
        .filter(|p| {
            let name = hegui::display_path(p);
            !run.findings
                .iter()
                .any(|f| f.source.name == name && f.severity == Severity::Error)
        })
        .collect();
    assert!(
        without_error.is_empty(),
        "no error finding for {without_error:?}"
    );
}

#[test]
fn malformed_output_is_identical_at_any_thread_count() {
    // Every fourth file keeps this to a second or two in a debug build; `cli.rs` does the same
    // for the rule fixtures through the binary and RAYON_NUM_THREADS.
    let engine = common::engine(&[], Lang::En);
    let sample: Vec<PathBuf> = corpus().into_iter().step_by(4).collect();
    let at = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| rendered(&engine, &hegui::check_paths(&engine, &sample)))
    };
    let one = at(1);
    assert_eq!(one, at(2));
    assert_eq!(one, at(8));
}

#[test]
fn the_cli_exits_1_on_malformed_manifests() {
    for name in [
        "deep-arrays",
        "utf8-ff-in-string",
        "nul-at-start",
        "date-feb-30",
        "dup-table",
        "bom-twice",
    ] {
        let out = Command::cargo_bin("hegui")
            .unwrap()
            .args(["check", "--format", "json"])
            .arg(format!("fixtures/malformed/{name}.plan.toml"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["diagnostics"][0]["rule"], "SCH001", "{name}");
    }
}

/// (rule, line, column) of every finding, for comparing line-end variants.
fn positions(engine: &hegui::Engine, name: &str, text: &str) -> Vec<(String, usize, usize)> {
    let source = hegui::SourceFile::new(name, text);
    let dir = Path::new("fixtures/examples");
    let mut out: Vec<_> = engine
        .check_source(&source, &dir.join(name), dir)
        .iter()
        .map(|f| (f.rule.clone(), f.start().0, f.start().1))
        .collect();
    out.sort();
    out
}

#[test]
fn crlf_and_a_bom_change_no_finding() {
    let engine = common::engine(&[], Lang::En);
    for name in [
        "account-winddown.plan.toml",
        "compliant-account.plan.toml",
        "coupon-withdrawal.plan.toml",
    ] {
        let text = std::fs::read_to_string(Path::new("fixtures/examples").join(name)).unwrap();
        let lf = positions(&engine, name, &text);
        let crlf = positions(&engine, name, &text.replace('\n', "\r\n"));
        assert_eq!(lf, crlf, "{name} with CRLF");
        // A BOM shifts columns on line 1 only (it is a character there).
        let bom: Vec<_> = positions(&engine, name, &format!("\u{feff}{text}"))
            .into_iter()
            .map(|(r, l, c)| (r, l, if l == 1 { c - 1 } else { c }))
            .collect();
        assert_eq!(lf, bom, "{name} with a BOM");
    }
}

/// The recipe of `generate.py --big` (a 42 MB notice text, a 2-million-element array, 11
/// accounts: ~50 MB), divided by `scale`.
fn big_manifest(scale: usize) -> Vec<u8> {
    let mut out = b"schema = \"hegui/plan/v1\"\n\n[plan]\nid = \"m\"\ntitle = \"t\"\norganization = \"o\"\nowner = \"o@example\"\ndecided_on = 2026-10-15\n".to_vec();
    out.extend_from_slice(b"[[notice]]\nid = \"n\"\ntext = \"");
    out.extend("公告".repeat(7_100_000 / scale).bytes());
    out.extend_from_slice(b"\"\n[[account]]\nid = \"big\"\nfollowers = [");
    let numbers: Vec<String> = (0..2_000_000 / scale)
        .map(|i| (i % 1000).to_string())
        .collect();
    out.extend(numbers.join(",").bytes());
    out.extend_from_slice(b"]\n");
    for i in 0..10 {
        out.extend(format!("[[account]]\nid = \"a{i:06}\"\ntype = \"service\"\n").bytes());
    }
    out
}

fn check_big(scale: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.plan.toml");
    std::fs::write(&path, big_manifest(scale)).unwrap();
    let out = Command::cargo_bin("hegui")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"], 1);
}

#[test]
fn a_2_mb_manifest_is_checked() {
    check_big(25);
}

/// The full ~50 MB manifest; slow in a debug build, so run it with
/// `cargo test --release --test malformed -- --ignored` (docs/robustness.md has its peak memory).
#[test]
#[ignore]
fn a_50_mb_manifest_is_checked() {
    assert!(big_manifest(1).len() >= 50_000_000);
    check_big(1);
}

#[test]
fn human_output_shows_an_excerpt_of_a_long_line() {
    // A finding inside (and next to) a 1 MB line: the line is not printed whole, and the header
    // still points at the finding's line and column.
    let engine = common::engine(&["TXT", "SCH"], Lang::En);
    let text = format!(
        "schema = \"hegui/plan/v1\"\n[plan]\nid = \"m\"\n[[notice]]\nid = \"n\"\ntext = \"{} 最终解释权归本公司所有\"\nx = 1\n",
        "公".repeat(350_000)
    );
    let source = hegui::SourceFile::new("long.plan.toml", text);
    let dir = Path::new("/nonexistent");
    let findings = engine.check_source(&source, &dir.join("long.plan.toml"), dir);
    assert!(findings.iter().any(|f| f.rule == "TXT002"));
    let out = human::render(&findings, 1, Lang::En, human::Style::plain());
    assert!(out.len() < 20_000, "{} bytes of output", out.len());
    assert!(out.contains("long.plan.toml:6:350010]"), "{out}");
    assert!(out.contains("long.plan.toml:7:1]"), "{out}");
}
