//! Checking files and folders on disk: walking them for manifests, reading each, checking it
//! with the files it names read from disk.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::disk::config;
use crate::disk::files::{display_path, io_reason};
use crate::disk::walk;
use crate::eval::engine::Engine;
use crate::text::finding::Finding;
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
    let discovered = discover_configured(engine, paths, config);
    let roots = walk::RepoRoots::default();
    let (_, mut findings) = rayon::join(
        || engine.compile_patterns(),
        || -> Vec<Finding> {
            discovered
                .par_iter()
                .flat_map_iter(|item| match item {
                    walk::Discovered::File(path) => check_file_with(engine, path, &roots),
                    walk::Discovered::Error { path, reason } => {
                        vec![walk::io_finding(path, reason, engine.options().lang)]
                    }
                })
                .collect()
        },
    );
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
    let name = display_path(path);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return vec![walk::io_finding(
                path,
                &io_reason(&e),
                engine.options().lang,
            )];
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let source = SourceFile::new(name, text);
            let span = source.clamp(offset)..source.clamp(offset + 1);
            return vec![engine.unbound_parse_error(source, span, "the file is not UTF-8 text")];
        }
    };
    let source = SourceFile::new(name, text);
    let root = roots.of(path);
    engine.check_source(&source, path, &root)
}
