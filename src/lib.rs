//! hegui (合规) checks plan manifests — TOML files describing the wind-down of WeChat
//! accounts or the withdrawal of WeChat card coupons — against declarative rules.
//!
//! The library never prints and never exits: [`check_paths`] returns findings and errors; the
//! `hegui` binary renders them and sets the exit status.

// The layers, lowest first (docs/architecture.md). Each is a folder; a layer uses only the
// layers before it.
mod cel;
mod disk;
mod eval;
pub mod fix;
mod load;
pub mod lsp;
mod model;
pub mod output;
pub mod schedule;
mod syntax;
mod text;

// The flat paths the modules had before the layers (kept while callers move over).
pub use cel::budget;
pub(crate) use cel::celval;
pub(crate) use cel::functions;
pub use cel::lazy;
pub use disk::confine;
pub use disk::reason::Reason;
pub use disk::walk;
pub use eval::baseline;
pub use eval::engine;
pub use eval::rule_tests;
pub use eval::waivers;
pub use load::config;
pub use load::rulecheck;
pub use model::calendar;
pub use model::fixtures;
pub use model::law;
pub use model::rules;
pub use model::shape;
pub use output as render;
pub use output::docs;
pub use output::explain;
pub use output::report;
pub use output::schema;
pub use syntax::reader;
pub use syntax::tree;
pub(crate) use text::escape;
pub use text::finding;
pub use text::source;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use engine::{Engine, Options};
pub use finding::Finding;
pub use rules::RuleSet;
pub use source::{Source, SourceFile};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// For information.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed; fails a gate by default.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Message language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// 中文.
    Zh,
    /// English.
    En,
}

/// The built-in rule packs, embedded at build time: (path under `rules/`, text).
pub const BUILTIN_PACKS: &[(&str, &str)] = &include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The commented starter manifest `hegui init` writes; it passes every built-in rule (a test
/// checks that).
pub const STARTER_MANIFEST: &str = include_str!("../templates/starter.plan.toml");

/// Sources for the built-in packs.
pub fn builtin_sources() -> Vec<Source> {
    BUILTIN_PACKS
        .iter()
        .map(|(name, text)| SourceFile::new(format!("<builtin>/rules/{name}"), *text))
        .collect()
}

/// An error that stops a run before any manifest is checked.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Rule files have problems.
    #[error("{} rule file(s) have problems", .0.len())]
    RuleFiles(Vec<rules::FileProblems>),
    /// A rule folder or file cannot be read.
    #[error("cannot read rule path {path}: {reason}")]
    Unreadable {
        /// The path.
        path: String,
        /// Why.
        reason: Reason,
    },
    /// A text check's pattern is invalid.
    #[error("rule {rule}: {message}")]
    Pattern {
        /// Rule id.
        rule: String,
        /// Why.
        message: String,
    },
}

impl LoadError {
    /// The error in `lang`, as the CLI prints it (English is the `Display` text).
    pub fn say(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (LoadError::RuleFiles(files), Lang::Zh) => {
                format!("{} 个规则文件有问题", files.len())
            }
            (LoadError::Unreadable { path, reason }, Lang::Zh) => {
                format!("无法读取规则路径 {path}：{}", reason.say(lang))
            }
            (LoadError::Pattern { rule, message }, Lang::Zh) => {
                format!("规则 {rule} 的文本模式无效：{message}")
            }
        }
    }
}

/// The rule sources of a run: the built-in packs (with `no_builtin`, only the law table and the
/// calendar), then every folder or file of `dirs` in order.
pub fn rule_sources(no_builtin: bool, dirs: &[PathBuf]) -> Result<Vec<Source>, LoadError> {
    let mut sources: Vec<_> = builtin_sources()
        .into_iter()
        .filter(|s| !no_builtin || s.name.ends_with("/law.toml") || s.name.contains("/calendar/"))
        .collect();
    for dir in dirs {
        sources.extend(read_rule_dir(dir)?);
    }
    Ok(sources)
}

/// Reads every `*.toml` file below a rule folder (sorted, recursive) as sources; manifests
/// (`*.plan.toml`, a pack's fixtures) are skipped.
pub fn read_rule_dir(dir: &Path) -> Result<Vec<Source>, LoadError> {
    read_rules(dir, None)
}

/// Like [`read_rule_dir`] for a folder a repository names (`hegui.toml`'s `[check] rules` and
/// `[calendar] files`): symbolic links to folders are not followed, and every file must
/// resolve inside `root` (see [`confine`]).
pub fn read_rule_dir_inside(dir: &Path, root: &Path) -> Result<Vec<Source>, LoadError> {
    read_rules(dir, Some(root))
}

fn read_rules(dir: &Path, root: Option<&Path>) -> Result<Vec<Source>, LoadError> {
    let unreadable = |path: &Path, reason: Reason| LoadError::Unreadable {
        path: engine::display_path(path),
        reason,
    };
    let mut files = Vec::new();
    if dir.is_file() || (root.is_some() && dir.exists() && !dir.is_dir()) {
        files.push(dir.to_path_buf());
    } else {
        if !dir.exists() {
            return Err(unreadable(dir, Reason::NoSuchFolder));
        }
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(root.is_none())
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| unreadable(dir, Reason::of_walk(&e)))?;
            let name = entry.file_name().to_string_lossy();
            // A link to a file is read (and confined below); a link to a folder is not walked.
            let is_file =
                entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file());
            // Manifests (fixtures kept beside a pack) are not rule files.
            if is_file && name.ends_with(".toml") && !name.ends_with(".plan.toml") {
                files.push(entry.path().to_path_buf());
            }
        }
    }
    files
        .iter()
        .map(|path| {
            let bytes = match root {
                Some(root) => confine::read_inside(path, root),
                None => confine::read_regular(path),
            }
            .map_err(|e| unreadable(path, e.into()))?;
            let text = String::from_utf8(bytes).map_err(|_| unreadable(path, Reason::NotUtf8))?;
            Ok(SourceFile::new(engine::display_path(path), text))
        })
        .collect()
}

/// The result of checking a set of paths.
#[derive(Debug, Default)]
pub struct Run {
    /// Manifests checked.
    pub files: usize,
    /// Every finding, sorted by (file, position, rule id, message).
    pub findings: Vec<Finding>,
    /// The manifests checked, in the order found (reports list and hash them).
    pub inputs: Vec<PathBuf>,
    /// Findings a baseline accepted, taken out of `findings` (reports must not count their
    /// rules as held).
    pub baselined: Vec<Finding>,
    /// What a report needs of each manifest read, in the order of `inputs` ([`check_traced`]
    /// fills it; empty otherwise).
    pub traces: Vec<Trace>,
}

/// One manifest as a traced run read and checked it.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// The manifest's path.
    pub path: PathBuf,
    /// Its bytes, when it could be read.
    pub bytes: Option<Vec<u8>>,
    /// The rules that decided something for it (see [`Engine::check_source_traced`]).
    pub decided: std::collections::BTreeSet<String>,
}

impl Run {
    /// The display names of the manifests checked, in path order (JUnit lists the rules each
    /// passed).
    pub fn checked(&self) -> Vec<String> {
        self.inputs
            .iter()
            .map(|p| engine::display_path(p))
            .collect()
    }
}

/// Checks files and folders: folders are walked for manifests (honouring `.gitignore`), files
/// named directly are always checked. Files are checked in parallel; the order of findings
/// does not depend on the number of threads.
pub fn check_paths(engine: &Engine, paths: &[PathBuf]) -> Run {
    check_configured(engine, paths, None)
}

/// Like [`check_paths`], honouring a configuration's `include` (for files found in folders)
/// and `exclude` (for every file).
pub fn check_configured(
    engine: &Engine,
    paths: &[PathBuf],
    config: Option<&config::Config>,
) -> Run {
    check_run(engine, paths, config, false)
}

/// Like [`check_configured`], also keeping each manifest's bytes and the rules that decided
/// something for it ([`Run::traces`]): what a report needs, without checking anything twice.
pub fn check_traced(engine: &Engine, paths: &[PathBuf], config: Option<&config::Config>) -> Run {
    check_run(engine, paths, config, true)
}

fn check_run(
    engine: &Engine,
    paths: &[PathBuf],
    config: Option<&config::Config>,
    trace: bool,
) -> Run {
    let discovered = discover_configured(engine, paths, config);
    let roots = walk::RepoRoots::default();
    let (_, checked) = rayon::join(
        || engine.compile_patterns(),
        || -> Vec<(Vec<Finding>, Option<Trace>)> {
            discovered
                .par_iter()
                .map(|item| match item {
                    walk::Discovered::File(path) => check_file_traced(engine, path, &roots, trace),
                    walk::Discovered::Error { path, reason } => (
                        vec![walk::io_finding(path, reason, engine.options().lang)],
                        None,
                    ),
                })
                .collect()
        },
    );
    let mut traces = Vec::new();
    let mut findings = Vec::new();
    for (found, traced) in checked {
        findings.extend(found);
        traces.extend(traced);
    }
    findings.par_sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let inputs: Vec<PathBuf> = discovered
        .iter()
        .filter_map(|d| match d {
            walk::Discovered::File(path) => Some(path.clone()),
            walk::Discovered::Error { .. } => None,
        })
        .collect();
    Run {
        files: inputs.len(),
        findings,
        inputs,
        baselined: Vec::new(),
        traces,
    }
}

/// The manifests under `paths` that a configuration selects (`include` for files found in
/// folders, `exclude` for every file), sorted by path.
pub(crate) fn discover_configured(
    engine: &Engine,
    paths: &[PathBuf],
    config: Option<&config::Config>,
) -> Vec<walk::Discovered> {
    let select = |path: &Path, named: bool| match config {
        None => true,
        Some(c) if named => !c.excludes(path),
        Some(c) => c.selects(path),
    };
    let suffix = engine
        .rules()
        .shape
        .as_ref()
        .map_or(".plan.toml", |s| s.file_suffix.as_str());
    walk::discover_selected(paths, suffix, &select)
}

/// Checks one manifest file.
pub fn check_file(engine: &Engine, path: &Path) -> Vec<Finding> {
    check_file_with(engine, path, &walk::RepoRoots::default())
}

/// Checks one manifest file, finding its repository root through a cache shared by a run.
pub(crate) fn check_file_with(
    engine: &Engine,
    path: &Path,
    roots: &walk::RepoRoots,
) -> Vec<Finding> {
    check_file_traced(engine, path, roots, false).0
}

/// Checks one manifest file; with `trace`, also what a report needs of it.
fn check_file_traced(
    engine: &Engine,
    path: &Path,
    roots: &walk::RepoRoots,
    trace: bool,
) -> (Vec<Finding>, Option<Trace>) {
    let name = engine::display_path(path);
    let mut traced = trace.then(|| Trace {
        path: path.to_path_buf(),
        ..Trace::default()
    });
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let finding = walk::io_finding(
                path,
                &disk::reason::Reason::of_io(&e),
                engine.options().lang,
            );
            return (vec![finding], traced);
        }
    };
    if let Some(t) = &mut traced {
        t.bytes = Some(bytes.clone());
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let source = SourceFile::new(name, text);
            let span = source.clamp(offset)..source.clamp(offset + 1);
            let finding = Finding::new(
                "SCH001",
                Severity::Error,
                source,
                span,
                "not valid TOML: the file is not UTF-8 text".into(),
                String::new(),
            );
            return (vec![finding], traced);
        }
    };
    let source = SourceFile::new(name, text);
    let root = roots.of(path);
    match &mut traced {
        Some(t) => {
            let (findings, decided) = engine.check_source_traced(&source, path, &root);
            t.decided = decided;
            (findings, traced)
        }
        None => (engine.check_source(&source, path, &root), None),
    }
}

/// A fingerprint of a finding that survives unrelated edits: rule id, file, the data path of
/// the blamed value and the value itself — never line numbers.
pub fn finding_fingerprint(f: &Finding) -> String {
    use std::hash::{Hash, Hasher};
    // FNV-1a, written out so the value is stable across Rust versions.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.0 ^= u64::from(*b);
                self.0 = self.0.wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for part in [
        f.rule.as_str(),
        f.source.name.as_str(),
        f.path.as_str(),
        f.value.as_str(),
    ] {
        part.as_bytes().hash(&mut h);
    }
    format!("{:016x}", h.finish())
}
