//! `hegui fix`: apply the findings' fixes to a file, re-check, and repeat until nothing
//! fixable remains (bounded), as ruff does.

use std::path::Path;

use crate::Engine;
use crate::finding::Finding;
use crate::source::{Source, SourceFile};

/// The most rounds of check-and-apply per file.
pub const MAX_ROUNDS: usize = 10;

/// Why fixing a file stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Nothing fixable remains.
    Done,
    /// The file does not parse: it was not changed.
    Unparsable,
    /// A round produced a text seen before (fixes undo each other).
    Cycle,
    /// Fixes were offered but none could be applied.
    NoProgress,
    /// [`MAX_ROUNDS`] rounds did not reach a fixpoint.
    Limit,
}

/// A fix that was applied.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The rule whose finding it repaired.
    pub rule: String,
    /// Where the finding pointed (1-based line and column, in the text of its round).
    pub line: usize,
    /// Column.
    pub column: usize,
    /// What the fix did.
    pub message: String,
    /// The round (1-based).
    pub round: usize,
}

/// The outcome for one file.
#[derive(Debug, Clone)]
pub struct FileFix {
    /// The file's display name.
    pub name: String,
    /// The text before.
    pub original: String,
    /// The text after (equal to `original` when nothing changed).
    pub fixed: String,
    /// The fixes applied, in order.
    pub applied: Vec<Applied>,
    /// Why it stopped.
    pub stop: Stop,
    /// The findings of the fixed text.
    pub remaining: Vec<Finding>,
}

impl FileFix {
    /// Whether the text changed.
    pub fn changed(&self) -> bool {
        self.original != self.fixed
    }

    /// A unified diff from the original to the fixed text (empty when unchanged).
    pub fn diff(&self) -> String {
        if !self.changed() {
            return String::new();
        }
        similar::TextDiff::from_lines(&self.original, &self.fixed)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", self.name), &format!("b/{}", self.name))
            .to_string()
    }
}

fn active(findings: &[Finding]) -> usize {
    findings.iter().filter(|f| f.waived.is_none()).count()
}

/// Fixes one manifest's text to a fixpoint: safe fixes, and unsafe ones with `unsafe_fixes`.
/// Waived findings are not fixed. The result never has more findings than the original: if
/// the last state does, the state with the fewest findings is kept.
pub fn fix_source(
    engine: &Engine,
    source: &Source,
    manifest_path: &Path,
    repo_root: &Path,
    unsafe_fixes: bool,
) -> FileFix {
    let check = |text: &str| {
        let mut findings = engine.check_source(
            &SourceFile::new(source.name.as_str(), text),
            manifest_path,
            repo_root,
        );
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings
    };
    let mut findings = check(&source.text);
    let unchanged = |findings, stop| FileFix {
        name: source.name.to_string(),
        original: source.text.to_string(),
        fixed: source.text.to_string(),
        applied: Vec::new(),
        stop,
        remaining: findings,
    };
    if crate::tree::parse(&source.text).is_err() {
        return unchanged(findings, Stop::Unparsable);
    }
    // Every state: (text, its findings, fixes applied to reach it).
    let mut states: Vec<(String, Vec<Finding>, usize)> = Vec::new();
    let mut text = source.text.to_string();
    let mut applied: Vec<Applied> = Vec::new();
    let mut stop = Stop::Limit;
    for round in 1..=MAX_ROUNDS {
        let fixable: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.waived.is_none())
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.applies(unsafe_fixes)))
            .collect();
        let fixes: Vec<&crate::text::fix::Fix> =
            fixable.iter().filter_map(|f| f.fix.as_ref()).collect();
        if fixes.is_empty() {
            stop = Stop::Done;
            break;
        }
        let (next, used) = crate::text::fix::apply_fixes(&text, &fixes);
        if used.is_empty() || next == text {
            stop = Stop::NoProgress;
            break;
        }
        let seen = next == source.text || states.iter().any(|(t, _, _)| *t == next);
        let this_round: Vec<Applied> = used
            .into_iter()
            .map(|i| {
                let (line, column) = fixable[i].start();
                Applied {
                    rule: fixable[i].rule.clone(),
                    line,
                    column,
                    message: fixes[i].message.clone(),
                    round,
                }
            })
            .collect();
        states.push((std::mem::take(&mut text), findings, applied.len()));
        applied.extend(this_round);
        text = next;
        findings = check(&text);
        if seen {
            stop = Stop::Cycle;
            break;
        }
    }
    states.push((text, findings, applied.len()));
    // The state with the fewest findings, the latest among equals.
    let best = states
        .iter()
        .enumerate()
        .min_by_key(|(i, (_, f, _))| (active(f), std::cmp::Reverse(*i)))
        .map_or(0, |(i, _)| i);
    let (fixed, remaining, count) = states.swap_remove(best);
    applied.truncate(count);
    FileFix {
        name: source.name.to_string(),
        original: source.text.to_string(),
        fixed,
        applied,
        stop,
        remaining,
    }
}

/// Fixes every manifest under `paths` (as `check` finds them), in parallel; results are in
/// path order. A file that cannot be read is reported through its finding and not changed.
pub fn fix_paths(
    engine: &Engine,
    paths: &[std::path::PathBuf],
    config: Option<&crate::config::Config>,
    unsafe_fixes: bool,
) -> Vec<FileFix> {
    use rayon::prelude::*;
    let roots = crate::walk::RepoRoots::default();
    crate::discover_configured(engine, paths, config)
        .par_iter()
        .map(|item| match item {
            crate::walk::Discovered::File(path) => {
                let name = crate::disk::files::display_path(path);
                match std::fs::read(path).map(String::from_utf8) {
                    Ok(Ok(text)) => {
                        let source = SourceFile::new(name, text);
                        fix_source(engine, &source, path, &roots.of(path), unsafe_fixes)
                    }
                    _ => unreadable(name, crate::check_file_with(engine, path, &roots)),
                }
            }
            crate::walk::Discovered::Error { path, reason } => unreadable(
                crate::disk::files::display_path(path),
                vec![crate::walk::io_finding(path, reason, engine.options().lang)],
            ),
        })
        .collect()
}

fn unreadable(name: String, remaining: Vec<Finding>) -> FileFix {
    FileFix {
        name,
        original: String::new(),
        fixed: String::new(),
        applied: Vec::new(),
        stop: Stop::Unparsable,
        remaining,
    }
}

/// What happened to one file, for people: the fixes applied (or, with `diff`, that would be)
/// and why fixing stopped early. Empty when nothing was fixable.
pub fn describe(result: &FileFix, diff: bool, lang: crate::Lang) -> String {
    use crate::Lang::{En, Zh};
    use std::fmt::Write;
    let mut out = String::new();
    let name = &result.name;
    if result.stop == Stop::Unparsable {
        let _ = match lang {
            Zh => writeln!(out, "{name}：无法解析，未作修改"),
            En => writeln!(out, "{name}: does not parse; not changed"),
        };
        return out;
    }
    let n = result.applied.len();
    if n > 0 {
        let _ = match (lang, diff) {
            (Zh, false) => writeln!(out, "{name}：已修复 {n} 处"),
            (Zh, true) => writeln!(out, "{name}：将修复 {n} 处"),
            (En, false) => writeln!(out, "{name}: fixed {n} finding(s)"),
            (En, true) => writeln!(out, "{name}: would fix {n} finding(s)"),
        };
        for a in &result.applied {
            let _ = writeln!(out, "  {}:{} {} {}", a.line, a.column, a.rule, a.message);
        }
    }
    let why = match (result.stop, lang) {
        (Stop::Cycle, Zh) => "修复互相抵消（循环），已停止",
        (Stop::Cycle, En) => "fixes undo each other (a cycle); stopped",
        (Stop::NoProgress, Zh) => "其余修复无法应用",
        (Stop::NoProgress, En) => "the remaining fixes could not be applied",
        (Stop::Limit, Zh) => "达到轮数上限仍有可修复的问题，已停止",
        (Stop::Limit, En) => "still fixable after the last round; stopped",
        _ => "",
    };
    if !why.is_empty() {
        let _ = match lang {
            Zh => writeln!(out, "{name}：{why}"),
            En => writeln!(out, "{name}: {why}"),
        };
    }
    out
}
