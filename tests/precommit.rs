//! The pre-commit hook end to end, with the real `pre-commit` tool: a temporary git repository
//! uses this repository's `.pre-commit-hooks.yaml` through `.pre-commit-config.yaml`, a commit
//! of a failing plan is blocked with the diagnostic shown, a compliant plan commits.
//!
//! Slow — pre-commit builds hegui with `cargo install` (a release build) — so it is ignored by
//! plain `cargo test`; `.ci/run` installs pre-commit and runs it with `--ignored`. Run by hand:
//! `cargo test --test precommit -- --ignored` with `pre-commit` on PATH (or `HEGUI_PRE_COMMIT`
//! naming it). Missing pre-commit then fails the test: it never passes by skipping.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixed identity and date, so the same tree always gives the same commit, and pre-commit
/// can reuse the hook it built for it.
fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .env("GIT_AUTHOR_NAME", "hegui test")
        .env("GIT_AUTHOR_EMAIL", "test@hegui.invalid")
        .env("GIT_COMMITTER_NAME", "hegui test")
        .env("GIT_COMMITTER_EMAIL", "test@hegui.invalid")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00+08:00")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00+08:00");
    cmd
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed:\n{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `pre-commit` from `HEGUI_PRE_COMMIT` or PATH.
fn pre_commit() -> PathBuf {
    if let Some(p) = std::env::var_os("HEGUI_PRE_COMMIT") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("pre-commit"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "pre-commit is not on PATH: install it (`pip install pre-commit`, as .ci/run does) \
                 or set HEGUI_PRE_COMMIT; this test does not pass by skipping"
            )
        })
}

/// Commits the working tree of this repository — tracked and new files, uncommitted edits
/// included, ignored files not — into a fresh repository, so pre-commit has a revision to
/// check out that is exactly what is being tested. Returns the commit.
fn snapshot(project: &Path, into: &Path) -> String {
    let listed = run_ok(git(project).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]));
    std::fs::create_dir_all(into).unwrap();
    for name in listed.split('\0').filter(|n| !n.is_empty()) {
        let from = project.join(name);
        // A tracked file deleted in the working tree is left out, as a commit of it would be.
        if !from.is_file() {
            continue;
        }
        let to = into.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    run_ok(git(into).args(["init", "-q"]));
    run_ok(git(into).args(["add", "-A"]));
    run_ok(git(into).args(["commit", "-q", "-m", "snapshot of the working tree"]));
    run_ok(git(into).args(["rev-parse", "HEAD"]))
        .trim()
        .to_owned()
}

/// `git commit` in `repo`, hooks on; pre-commit keeps its hook environments in `home`.
fn commit(repo: &Path, home: &Path, cache: &Path, message: &str) -> Output {
    git(repo)
        .args(["commit", "-m", message])
        .env("PRE_COMMIT_HOME", home)
        // Dependencies built once are reused by later runs' `cargo install`, and the release
        // build pre-commit asks for skips optimisation: the same install path, minutes less CI.
        .env("CARGO_TARGET_DIR", cache.join("cargo-target"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
#[ignore = "slow: pre-commit builds hegui with cargo install; .ci/run runs it with --ignored"]
fn pre_commit_blocks_a_failing_plan_and_lets_a_compliant_one_through() {
    let pre_commit = pre_commit();
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit-cache");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("pre-commit-home");
    let source = tmp.path().join("hegui-src");
    let rev = snapshot(project, &source);

    // A user's repository using the hook, its configuration committed first.
    let repo = tmp.path().join("plans-repo");
    std::fs::create_dir_all(repo.join("plans")).unwrap();
    run_ok(git(&repo).args(["init", "-q"]));
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: hegui\n        args: [--lang, en]\n",
        source.display()
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).unwrap();
    run_ok(git(&repo).args(["add", ".pre-commit-config.yaml"]));
    run_ok(git(&repo).args(["commit", "-q", "--no-verify", "-m", "use hegui"]));
    run_ok(
        Command::new(&pre_commit)
            .current_dir(&repo)
            .args(["install"])
            .env("PRE_COMMIT_HOME", &home),
    );

    // A plan closing an account inside its cooling period: the commit is refused.
    std::fs::copy(
        project.join("fixtures/ACC001/fail.plan.toml"),
        repo.join("plans/bad.plan.toml"),
    )
    .unwrap();
    run_ok(git(&repo).args(["add", "plans/bad.plan.toml"]));
    let out = commit(&repo, &home, &cache, "bad plan");
    let shown = text(&out);
    assert!(!out.status.success(), "the commit went through:\n{shown}");
    eprintln!("-- the blocked commit, as the user sees it --\n{shown}");
    for expected in [
        "hegui (合规) plan manifests",
        "Failed",
        "ACC001",
        "plans/bad.plan.toml:29:24",
        "inside its 15-day cooling period",
        "the earliest valid closure day is 2026-12-20",
    ] {
        assert!(shown.contains(expected), "`{expected}` not shown:\n{shown}");
    }
    let log = run_ok(git(&repo).args(["log", "--format=%s"]));
    assert_eq!(log.trim(), "use hegui", "nothing was committed");

    // The compliant account wind-down commits.
    run_ok(git(&repo).args(["rm", "-q", "--cached", "plans/bad.plan.toml"]));
    std::fs::remove_file(repo.join("plans/bad.plan.toml")).unwrap();
    std::fs::copy(
        project.join("fixtures/examples/compliant-account.plan.toml"),
        repo.join("plans/good.plan.toml"),
    )
    .unwrap();
    run_ok(git(&repo).args(["add", "plans/good.plan.toml"]));
    let out = commit(&repo, &home, &cache, "good plan");
    let shown = text(&out);
    assert!(
        out.status.success(),
        "the compliant plan was refused:\n{shown}"
    );
    assert!(shown.contains("hegui (合规) plan manifests"), "{shown}");
    assert!(shown.contains("Passed"), "{shown}");
    let log = run_ok(git(&repo).args(["log", "--format=%s"]));
    assert_eq!(log.lines().next(), Some("good plan"));
}
