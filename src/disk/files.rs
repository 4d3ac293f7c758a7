//! Files on disk: the resolver the CLI checks manifests with, and how paths and I/O errors
//! are shown to users.

use std::path::{Path, PathBuf};

use crate::disk::confine;
use crate::eval::engine::Engine;
use crate::eval::resolve::FileResolver;
use crate::text::finding::Finding;
use crate::text::severity::Lang;
use crate::text::source::{Source, SourceFile};

/// Resolves a manifest's `file` values on disk: relative to the manifest, inside the
/// repository (not its `.git` folder), a regular file of at most [`confine::MAX_FILE_BYTES`],
/// UTF-8.
#[derive(Debug, Clone, Copy)]
pub struct DiskFiles<'p> {
    /// The manifest's path.
    pub manifest: &'p Path,
    /// The repository root: `file` values may not point outside it.
    pub repo_root: &'p Path,
    /// The language of the reasons a file is refused.
    pub lang: Lang,
}

impl DiskFiles<'_> {
    /// Reads a `file` value like [`FileResolver::read`]; `open` may hold its text (keyed by
    /// the canonical path) in place of the file's bytes on disk (an editor's unsaved buffer).
    pub fn read_with(
        &self,
        value: &str,
        open: &dyn Fn(&Path) -> Option<String>,
    ) -> Result<Source, String> {
        self.resolve(value, open)
            .map_err(|refused| refused.say(self.lang))
    }

    fn resolve(
        &self,
        value: &str,
        open: &dyn Fn(&Path) -> Option<String>,
    ) -> Result<Source, confine::Refused> {
        let base = self.manifest.parent().unwrap_or(Path::new("."));
        let joined = base.join(value);
        let resolved = confine::resolve_inside(&joined, self.repo_root)?;
        if let Some(text) = open(&resolved) {
            return Ok(SourceFile::new(display_path(&joined), text));
        }
        let bytes = confine::read_regular(&resolved)?;
        let text = String::from_utf8(bytes).map_err(|_| confine::Refused::NotUtf8)?;
        Ok(SourceFile::new(display_path(&joined), text))
    }
}

impl FileResolver for DiskFiles<'_> {
    fn read(&self, value: &str) -> Result<Source, String> {
        self.read_with(value, &|_| None)
    }
}

impl Engine {
    /// Checks one manifest read from `manifest_path` ([`Engine::check_text`] with
    /// [`DiskFiles`]); `repo_root` bounds where `file` values may point.
    pub fn check_source(
        &self,
        source: &Source,
        manifest_path: &Path,
        repo_root: &Path,
    ) -> Vec<Finding> {
        self.check_text(
            source,
            &DiskFiles {
                manifest: manifest_path,
                repo_root,
                lang: self.options().lang,
            },
        )
    }

    /// [`Engine::check_text_traced`] with the files on disk, like [`Engine::check_source`].
    pub fn check_source_traced(
        &self,
        source: &Source,
        manifest_path: &Path,
        repo_root: &Path,
    ) -> (Vec<Finding>, std::collections::BTreeSet<String>) {
        self.check_text_traced(
            source,
            &DiskFiles {
                manifest: manifest_path,
                repo_root,
                lang: self.options().lang,
            },
        )
    }
}

/// A path as shown to users: relative to the working directory when below it, `/`-separated.
pub fn display_path(path: &Path) -> String {
    // Relative paths (the usual case) are shown as given: no need to ask for the folder.
    let cwd = if path.is_absolute() {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
    } else {
        PathBuf::new()
    };
    let shown = path.strip_prefix(&cwd).unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text).to_owned();
    // Collapse `a/./b` that joining relative paths produces.
    text.replace("/./", "/")
}
