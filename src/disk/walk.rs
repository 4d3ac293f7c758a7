//! Finding manifests: folders are walked in parallel with the `ignore` crate (honouring
//! `.gitignore` also outside a git repository); files named directly are always checked.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::finding::Finding;
use crate::source::SourceFile;
use crate::text::reason::Reason;
use crate::{Lang, Severity};

/// A path found by the walk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Discovered {
    /// A manifest to check.
    File(PathBuf),
    /// A path that could not be walked or read.
    Error {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: Reason,
    },
}

impl Discovered {
    fn path(&self) -> &Path {
        match self {
            Discovered::File(p) | Discovered::Error { path: p, .. } => p,
        }
    }
}

/// Every manifest under `paths`, sorted by path, each once.
pub fn discover(paths: &[PathBuf], suffix: &str) -> Vec<Discovered> {
    discover_selected(paths, suffix, &|_, _| true)
}

/// Like [`discover`], keeping only the files `select` accepts; it is told whether the file was
/// named directly (`true`) or found by walking a folder.
pub fn discover_selected(
    paths: &[PathBuf],
    suffix: &str,
    select: &(dyn Fn(&Path, bool) -> bool + Sync),
) -> Vec<Discovered> {
    let found = Mutex::new(Vec::new());
    let push = |d: Discovered| found.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    for path in paths {
        let Ok(meta) = std::fs::metadata(path) else {
            let reason = match std::fs::symlink_metadata(path) {
                Ok(_) => Reason::BrokenLink,
                Err(e) => Reason::of_io(&e),
            };
            push(Discovered::Error {
                path: path.clone(),
                reason,
            });
            continue;
        };
        if !meta.is_dir() {
            if select(path, true) {
                push(Discovered::File(path.clone()));
            }
            continue;
        }
        // Links are not followed by the walk: a link to a folder is not walked (`root -> /`
        // would walk the whole machine), a link to a manifest is checked when it resolves
        // inside the repository and is an error finding when it leaves it.
        // `repo_root` looks from a manifest's folder: ask for a name inside `path`.
        let root = repo_root(&path.join("_")).canonicalize().ok();
        let walker = ignore::WalkBuilder::new(path)
            .require_git(false)
            .follow_links(false)
            .hidden(true)
            .build_parallel();
        walker.run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let name = entry.file_name().to_string_lossy();
                        let wanted = name.ends_with(suffix);
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if wanted && is_file && select(entry.path(), false) {
                            push(Discovered::File(entry.into_path()));
                        } else if wanted && entry.path_is_symlink() && select(entry.path(), false) {
                            push(linked(entry.into_path(), root.as_deref()));
                        }
                    }
                    Err(err) => {
                        let path = error_path(&err).unwrap_or_else(|| path.clone());
                        push(Discovered::Error {
                            path,
                            reason: error_reason(&err),
                        });
                    }
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    // A stable sort, so the same order whatever the number of threads.
    found.par_sort_by(|a, b| a.path().cmp(b.path()).then_with(|| a.cmp(b)));
    found.dedup_by(|a, b| a.path() == b.path());
    found
}

/// A manifest reached through a symbolic link while walking: checked when the link resolves to
/// a file inside the repository `root`.
fn linked(path: PathBuf, root: Option<&Path>) -> Discovered {
    let reason = match (path.canonicalize(), root) {
        (Err(_), _) => Reason::BrokenLink,
        (Ok(target), Some(root)) if !target.starts_with(root) => Reason::LinkLeavesRepository,
        (Ok(target), _) if !target.is_file() => Reason::LinkNotToFile,
        (Ok(_), _) => return Discovered::File(path),
    };
    Discovered::Error { path, reason }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_reason(err: &ignore::Error) -> Reason {
    match err {
        ignore::Error::Loop { ancestor, .. } => {
            Reason::LinkLoop(crate::disk::files::display_path(ancestor))
        }
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_reason(err),
        ignore::Error::Io(e) => Reason::of_io(e),
        other => Reason::System(None, other.to_string()),
    }
}

/// A finding for a path that cannot be read.
pub fn io_finding(path: &Path, reason: &Reason, lang: Lang) -> Finding {
    let name = crate::disk::files::display_path(path);
    let source = SourceFile::new(name, "");
    let message = match lang {
        Lang::Zh => format!("无法读取：{}", reason.say(lang)),
        Lang::En => format!("cannot be read: {}", reason.say(lang)),
    };
    Finding::new("IO", Severity::Error, source, 0..0, message, String::new())
}

/// The repository a manifest belongs to: the nearest folder above it holding `.git`, else the
/// manifest's own folder.
/// The repository roots of a run's manifests, found once per folder (a run over a large tree
/// would otherwise look for `.git` in every ancestor of every file).
#[derive(Default)]
pub(crate) struct RepoRoots(Mutex<std::collections::HashMap<PathBuf, PathBuf>>);

impl RepoRoots {
    /// The root for a manifest (see [`repo_root`]).
    pub(crate) fn of(&self, manifest: &Path) -> PathBuf {
        let folder = manifest.parent().unwrap_or(Path::new("")).to_path_buf();
        let known = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&folder)
            .cloned();
        if let Some(root) = known {
            return root;
        }
        let root = repo_root(manifest);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(folder, root.clone());
        root
    }
}

pub fn repo_root(manifest: &Path) -> PathBuf {
    let absolute = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_path_buf());
    let start = absolute.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start
}
