//! Why a file cannot be read is said in the run's language: Chinese by default, English with
//! `--lang en`, never the operating system's English inside Chinese output (SCH009 for
//! `text_file`, IO findings of the walk and of named paths, rule folders from `hegui.toml`).
//! Each case runs the binary in a temporary git repository.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

mod common;
use common::manifest_with_text_file;

struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/notice.txt"), "公告\n").unwrap();
        Repo { _dir: dir, root }
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.root.join(name), text).unwrap();
    }

    /// Runs hegui in the repository with `--lang`; returns stdout, stderr and the exit code.
    fn run(&self, lang: &str, args: &[&str]) -> (String, String, i32) {
        let out = Command::cargo_bin("hegui")
            .unwrap()
            .env("NO_COLOR", "1")
            .env_remove("LANG")
            .current_dir(&self.root)
            .timeout(Duration::from_secs(120))
            .args(args)
            .args(["--lang", lang])
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        assert_ne!(code, 101, "hegui panicked");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            code,
        )
    }

    /// The messages of one rule in JSON output.
    fn messages(&self, lang: &str, args: &[&str], rule: &str) -> Vec<String> {
        let mut all = vec!["check", "--today", "2026-11-22", "--format", "json"];
        all.extend(args);
        let out = self.run(lang, &all);
        let json: serde_json::Value = serde_json::from_str(&out.0).expect(&out.1);
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| d["message"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// English the operating system or an older hegui would have put into a Chinese message.
const ENGLISH: &[&str] = &[
    "no such file",
    "cannot be read",
    "resolves outside",
    "is a directory",
    "not a regular file",
    "larger than",
    "symbolic link",
    "os error",
    "No such file",
];

fn assert_chinese(message: &str) {
    for english in ENGLISH {
        assert!(!message.contains(english), "{english:?} in {message}");
    }
}

#[test]
fn text_file_reasons_in_both_languages() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.root.join("folder")).unwrap();
    std::fs::File::create(repo.root.join("huge.txt"))
        .unwrap()
        .set_len(hegui::MAX_FILE_BYTES + 1)
        .unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(repo.root.join("fifo.txt"))
        .status()
        .is_ok_and(|s| s.success());
    let mut cases = vec![
        (
            "missing.txt",
            "无法读取（文件不存在）",
            "cannot be read: no such file",
        ),
        (
            "../outside/notice.txt",
            "位于仓库之外",
            "resolves outside the repository",
        ),
        ("folder", "是文件夹，不是文件", "is a directory"),
        ("huge.txt", "大于 64 MiB", "is larger than 64 MiB"),
    ];
    if fifo {
        cases.push((
            "fifo.txt",
            "不是普通文件（管道、套接字或设备）",
            "is not a regular file",
        ));
    }
    for (value, zh, en) in cases {
        repo.write("p.plan.toml", &manifest_with_text_file(value));
        let found = repo.messages("zh", &["p.plan.toml"], "SCH009");
        assert_eq!(found.len(), 1, "{value}: {found:?}");
        assert_eq!(found[0], format!("文本文件 `{value}` 无法使用：{zh}"));
        assert_chinese(&found[0]);
        let found = repo.messages("en", &["p.plan.toml"], "SCH009");
        assert_eq!(found, [format!("text file `{value}` {en}")]);
    }
}

#[test]
fn walk_and_path_reasons_in_both_languages() {
    let repo = Repo::new();
    std::fs::copy(
        "fixtures/examples/compliant-account.plan.toml",
        repo.root.join("a.plan.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        repo.root.join("../outside/notice.txt"),
        repo.root.join("away.plan.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        Path::new("nowhere.plan.toml"),
        repo.root.join("broken.plan.toml"),
    )
    .unwrap();
    let zh = repo.messages("zh", &["."], "IO");
    assert_eq!(
        zh,
        [
            "无法读取：符号链接指向仓库之外（不跟随）",
            "无法读取：符号链接已断开或循环",
        ],
        "away.plan.toml, then broken.plan.toml"
    );
    zh.iter().for_each(|m| assert_chinese(m));
    let en = repo.messages("en", &["."], "IO");
    assert_eq!(
        en,
        [
            "cannot be read: a symbolic link that leaves the repository (not followed)",
            "cannot be read: a broken or looping symbolic link",
        ]
    );
    // A manifest named on the command line that does not exist.
    let zh = repo.messages("zh", &["gone.plan.toml"], "IO");
    assert_eq!(zh, ["无法读取：文件不存在"]);
    let en = repo.messages("en", &["gone.plan.toml"], "IO");
    assert_eq!(en, ["cannot be read: no such file"]);
}

#[test]
fn a_rule_folder_that_is_missing_in_both_languages() {
    let repo = Repo::new();
    std::fs::copy(
        "fixtures/examples/compliant-account.plan.toml",
        repo.root.join("a.plan.toml"),
    )
    .unwrap();
    repo.write("hegui.toml", "[check]\nrules = [\"team\"]\n");
    let (_, err, code) = repo.run("zh", &["check", "a.plan.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("错误：无法读取规则路径"), "{err}");
    assert!(err.contains("文件夹不存在"), "{err}");
    assert_chinese(&err);
    let (_, err, code) = repo.run("en", &["check", "a.plan.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error: cannot read rule path"), "{err}");
    assert!(err.contains("no such folder"), "{err}");
}
