//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hegui::render::human;
use hegui::{Engine, Lang, Options, RuleSet};

/// The date every fixture is judged on.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// An engine over the built-in packs, optionally restricted to rule ids with these prefixes.
pub fn engine(select: &[&str], lang: Lang) -> Engine {
    let mut set = RuleSet::load(hegui::builtin_sources())
        .unwrap_or_else(|f| panic!("built-in rules load: {f:?}"));
    if !select.is_empty() {
        set.retain(|r| select.iter().any(|s| r.id.starts_with(s)));
    }
    Engine::new(
        set,
        Options {
            lang,
            today: today(),
        },
    )
    .unwrap_or_else(|e| panic!("patterns: {e:?}"))
}

/// Every `fixtures/<RULE-ID>/` folder, sorted.
pub fn rule_fixture_dirs() -> Vec<(String, PathBuf)> {
    let mut dirs: Vec<_> = std::fs::read_dir("fixtures")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            (name.len() == 6
                && name[..3].chars().all(|c| c.is_ascii_uppercase())
                && name[3..].chars().all(|c| c.is_ascii_digit()))
            .then_some((name, p))
        })
        .collect();
    dirs.sort();
    dirs
}

/// The (line, rule) pairs a fixture expects, read by the same code as `hegui test-rules`.
pub fn expectations(path: &Path) -> BTreeSet<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    hegui::rule_tests::expectations(&text)
        .into_iter()
        .map(|e| (e.line, e.rule))
        .collect()
}

/// `ABC123`.
pub fn is_rule_id(id: &str) -> bool {
    hegui::rule_tests::is_rule_id(id)
}

/// The (line, rule) pairs of the active (unwaived) findings for a file.
pub fn actual(engine: &Engine, path: &Path) -> BTreeSet<(usize, String)> {
    let run = hegui::check_paths(engine, &[path.to_path_buf()]);
    run.findings
        .iter()
        .filter(|f| f.waived.is_none())
        .map(|f| (f.start().0, f.rule.clone()))
        .collect()
}

/// Rendered human output, plain style.
pub fn render(engine: &Engine, path: &Path) -> String {
    let run = hegui::check_paths(engine, &[path.to_path_buf()]);
    human::render(
        &run.findings,
        run.files,
        engine.options().lang,
        human::Style::plain(),
    )
}

/// A manifest in which only `text_file` decides anything (SCH009's failing fixture).
pub fn manifest_with_text_file(value: &str) -> String {
    std::fs::read_to_string("fixtures/SCH009/fail.plan.toml")
        .unwrap()
        .replace(
            "text_file = \"missing.txt\"  # expect: SCH009",
            &format!("text_file = \"{value}\""),
        )
}
