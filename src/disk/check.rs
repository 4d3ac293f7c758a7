//! Checking files and folders on disk: walking them for manifests, reading each, checking it
//! with the files it names read from disk.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::disk::config;
use crate::disk::files::display_path;
use crate::disk::walk;
use crate::eval::engine::Engine;
use crate::text::finding::Finding;
use crate::text::reason::Reason;
use crate::text::source::SourceFile;

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
        self.inputs.iter().map(|p| display_path(p)).collect()
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
    let name = display_path(path);
    let mut traced = trace.then(|| Trace {
        path: path.to_path_buf(),
        ..Trace::default()
    });
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let finding = walk::io_finding(path, &Reason::of_io(&e), engine.options().lang);
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
            let finding = engine.unbound_parse_error(source, span, "the file is not UTF-8 text");
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
