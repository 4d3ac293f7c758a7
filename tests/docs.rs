//! The documentation people read is produced by hegui or checked by running it:
//! - `docs/rules.md` and `docs/manifest.md` are what `hegui rules --format markdown` and
//!   `hegui schema --format markdown` print (regenerate: `HEGUI_UPDATE_DOCS=1 cargo test --test
//!   docs`);
//! - every rule id and every vocabulary key is in them, and the worked example passes `check`;
//! - every command and plan block of the Chinese README and guide runs as its marker says.
//!
//! A block is marked by an HTML comment on the line before its fence:
//! `<!-- hegui-test: plan file=NAME select=PREFIX exit=N findings=ID,ID waived=ID -->` writes
//! the block to NAME and checks it (`hegui check NAME --select PREFIX`; all but `file` are
//! optional; `findings` and `waived` list the rule ids of the active and waived findings,
//! exactly);
//! `<!-- hegui-test: file file=NAME -->` only writes it (a `hegui.toml`, a notice text);
//! `<!-- hegui-test: sh exit=N,N -->` runs each command line in turn, expecting those statuses.
//! Blocks run in document order in one temporary folder holding a copy of `fixtures/examples`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn hegui() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hegui"));
    cmd.env_remove("LANG").env("NO_COLOR", "1");
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = hegui().args(args).output().unwrap();
    assert!(out.status.success(), "hegui {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Compares a checked-in generated file with what hegui prints; rewrites it when asked.
fn guard(path: &str, args: &[&str]) -> String {
    let generated = stdout_of(args);
    if std::env::var_os("HEGUI_UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{path} differs from `hegui {}`; regenerate it with `HEGUI_UPDATE_DOCS=1 cargo test --test docs`",
        args.join(" ")
    );
    generated
}

#[test]
fn the_rule_catalogue_is_generated_and_names_every_rule() {
    let text = guard("docs/rules.md", &["rules", "--format", "markdown"]);
    let list: Value =
        serde_json::from_str(&stdout_of(&["rules", "--format", "json", "--lang", "en"])).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 50, "{ids:?}");
    for id in ids {
        assert!(
            text.contains(&format!("\n### {id}\n")),
            "docs/rules.md has no section for {id}"
        );
    }
    // An article's words are quoted; a gist never is.
    assert!(text.contains("原文：「电子商务经营者自行终止从事电子商务的"));
    assert!(
        !text.contains("「（要旨）"),
        "a gist is shown as a quotation"
    );
    assert!(text.contains("要旨，非原文：（要旨）"));
    assert!(text.contains("NTC001.min_days = 30"));
    assert!(text.contains("# expect: NTC001"));
}

/// Every key of the vocabulary, as (table path, key, whether it is a table of its own).
fn vocabulary() -> Vec<(String, String, bool)> {
    fn walk(prefix: &str, spec: &hegui::shape::KeySpec, out: &mut Vec<(String, String, bool)>) {
        for (key, child) in spec.keys() {
            let table = matches!(
                child.ty,
                hegui::shape::KeyType::Table(_) | hegui::shape::KeyType::Entries(_)
            );
            out.push((prefix.to_owned(), key.clone(), table));
            if table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                walk(&path, child, out);
            }
        }
    }
    let set = hegui::RuleSet::load(hegui::builtin_sources()).unwrap();
    let shape = set.shape.expect("the built-in vocabulary");
    let mut out = Vec::new();
    walk("", &shape.root, &mut out);
    out
}

#[test]
fn the_manifest_reference_is_generated_and_names_every_key() {
    let text = guard("docs/manifest.md", &["schema", "--format", "markdown"]);
    let keys = vocabulary();
    assert!(keys.len() > 100, "{}", keys.len());
    let section = |table: &str| {
        text.split("\n## ")
            .find(|s| {
                if table.is_empty() {
                    s.starts_with("顶层")
                } else {
                    s.starts_with(&format!("`[{table}]`"))
                        || s.starts_with(&format!("`[[{table}]]`"))
                }
            })
            .unwrap_or_else(|| panic!("docs/manifest.md: no section for `{table}`"))
    };
    for (table, key, is_table) in &keys {
        if *is_table {
            // A table is a section of its own.
            section(&if table.is_empty() {
                key.clone()
            } else {
                format!("{table}.{key}")
            });
            continue;
        }
        // A value's row is in its table's section.
        let section = section(table);
        assert!(
            section.contains(&format!("\n| `{key}` |")),
            "docs/manifest.md: no row for `{key}` in `{table}`"
        );
    }
    assert!(text.contains("`subscription` 订阅号"));
    // The worked example passes `check`.
    let example = text
        .split("## 完整示例")
        .nth(1)
        .and_then(|rest| rest.split("```toml\n").nth(1))
        .and_then(|block| block.split("\n```").next())
        .expect("a worked example");
    for table in [
        "[[account]]",
        "[[notice]]",
        "[[coupon_batch]]",
        "[monitoring]",
    ] {
        assert!(example.contains(table), "the example has no {table}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("example.plan.toml");
    std::fs::write(&path, example).unwrap();
    let out = hegui().arg("check").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// A marked block of a document.
#[derive(Debug)]
struct Block {
    line: usize,
    kind: String,
    attrs: Vec<(String, String)>,
    body: String,
}

impl Block {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The fenced blocks of a Markdown text: (line, info string, marker before it, body).
fn blocks(text: &str) -> Vec<(usize, String, Option<String>, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if let Some(info) = line.strip_prefix("```") {
            let marker = i
                .checked_sub(1)
                .map(|p| lines[p].trim())
                .and_then(|l| l.strip_prefix("<!-- hegui-test:"))
                .and_then(|l| l.strip_suffix("-->"))
                .map(|l| l.trim().to_owned());
            let start = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                body.push(lines[i]);
                i += 1;
            }
            out.push((start + 1, info.trim().to_owned(), marker, body.join("\n")));
        }
        i += 1;
    }
    out
}

fn marked(doc: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let mut out = Vec::new();
    for (line, info, marker, body) in blocks(&text) {
        let Some(marker) = marker else {
            assert!(
                !matches!(info.as_str(), "sh" | "bash" | "console" | "toml" | "shell"),
                "{doc}:{line}: a ```{info} block needs a `<!-- hegui-test: … -->` marker"
            );
            continue;
        };
        let mut words = marker.split_whitespace();
        let kind = words.next().unwrap_or_default().to_owned();
        let attrs = words
            .map(|w| {
                let (k, v) = w.split_once('=').unwrap_or((w, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        out.push(Block {
            line,
            kind,
            attrs,
            body,
        });
    }
    out
}

fn ids(list: Option<&str>) -> BTreeSet<String> {
    list.unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs a document's marked blocks; returns how many ran.
fn run_document(doc: &str) -> usize {
    let blocks = marked(doc);
    let dir = tempfile::tempdir().unwrap();
    // A repository of its own, so discovery stops here.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    copy_dir(
        Path::new("fixtures/examples"),
        &dir.path().join("fixtures/examples"),
    );
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_hegui"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path_var = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    for block in &blocks {
        let at = format!("{doc}:{}", block.line);
        match block.kind.as_str() {
            "file" | "plan" => {
                let name = block
                    .attr("file")
                    .unwrap_or_else(|| panic!("{at}: `file=` missing"));
                let path = dir.path().join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).unwrap();
                }
                std::fs::write(&path, format!("{}\n", block.body)).unwrap();
                if block.kind == "file" {
                    continue;
                }
                let mut check = hegui();
                check
                    .current_dir(dir.path())
                    .args(["check", name, "--format", "json"]);
                if let Some(select) = block.attr("select") {
                    check.args(["--select", select]);
                }
                let out = check.output().unwrap();
                let json: Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{at}: {e}: {out:?}"));
                let diagnostics = json["diagnostics"].as_array().unwrap();
                let found = |waived: bool| -> BTreeSet<String> {
                    diagnostics
                        .iter()
                        .filter(|d| d["waived"].is_null() != waived)
                        .map(|d| d["rule"].as_str().unwrap().to_owned())
                        .collect()
                };
                assert_eq!(found(false), ids(block.attr("findings")), "{at}: findings");
                assert_eq!(found(true), ids(block.attr("waived")), "{at}: waived");
                if let Some(exit) = block.attr("exit") {
                    assert_eq!(
                        out.status.code().map(|c| c.to_string()).as_deref(),
                        Some(exit),
                        "{at}: exit status"
                    );
                }
            }
            "sh" => {
                let commands: Vec<&str> = block
                    .body
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .collect();
                let exits: Vec<&str> = block
                    .attr("exit")
                    .unwrap_or("")
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .collect();
                assert_eq!(
                    commands.len(),
                    exits.len(),
                    "{at}: one exit status per command"
                );
                for (command, exit) in commands.iter().zip(exits) {
                    assert!(
                        command.starts_with("hegui ") || command.starts_with("cat "),
                        "{at}: only hegui (and cat) commands run: {command}"
                    );
                    let out = Command::new("sh")
                        .arg("-c")
                        .arg(command)
                        .current_dir(dir.path())
                        .env("PATH", &path_var)
                        .env_remove("LANG")
                        .env("NO_COLOR", "1")
                        .output()
                        .unwrap();
                    assert_eq!(
                        out.status.code().map(|c| c.to_string()).as_deref(),
                        Some(exit),
                        "{at}: `{command}`: {out:?}"
                    );
                }
            }
            other => panic!("{at}: unknown block kind `{other}`"),
        }
    }
    blocks.len()
}

#[test]
fn the_chinese_readme_runs_as_written() {
    assert!(run_document("README.zh-CN.md") >= 3);
}

#[test]
fn the_plan_authors_guide_runs_as_written() {
    assert!(run_document("docs/zh/guide.md") >= 8);
}

#[test]
fn the_readmes_link_each_other() {
    let en = std::fs::read_to_string("README.md").unwrap();
    let zh = std::fs::read_to_string("README.zh-CN.md").unwrap();
    assert!(
        en.contains("(README.zh-CN.md)"),
        "README.md links README.zh-CN.md"
    );
    assert!(
        zh.contains("(README.md)"),
        "README.zh-CN.md links README.md"
    );
    assert!(zh.contains("(docs/zh/guide.md)"));
}

/// The built-in sources with the vocabulary's text edited.
fn load_with_vocabulary(edit: impl Fn(&str) -> String) -> Vec<hegui::rules::FileProblems> {
    let sources = hegui::builtin_sources()
        .into_iter()
        .map(|s| {
            if s.name.ends_with("/manifest.toml") {
                hegui::SourceFile::new(s.name.clone(), edit(&s.text))
            } else {
                s
            }
        })
        .collect();
    hegui::RuleSet::load(sources).err().unwrap_or_default()
}

#[test]
fn enum_names_and_chinese_docs_are_checked_when_the_vocabulary_loads() {
    assert!(load_with_vocabulary(str::to_owned).is_empty());
    let names = r#"names = ["订阅号", "服务号", "企业微信", "小程序"]"#;
    let failures = load_with_vocabulary(|t| {
        assert!(t.contains(names));
        t.replace(names, r#"names = ["订阅号", "服务号", "企业微信"]"#)
    });
    let messages: Vec<&str> = failures
        .iter()
        .flat_map(|f| f.problems.iter().map(|p| p.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        ["`names` has 3 entries but `values` has 4: give one name per value"]
    );
    // A bilingual `doc` needs both languages.
    let doc = r#"doc = { zh = "显示名称", en = "display name" }"#;
    let failures = load_with_vocabulary(|t| {
        assert!(t.contains(doc));
        t.replace(doc, r#"doc = { zh = "显示名称" }"#)
    });
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].problems[0].message.contains("en"),
        "{:?}",
        failures[0].problems
    );
}
