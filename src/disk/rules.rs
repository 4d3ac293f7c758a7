//! Reading rule packs from disk: the built-in packs and the folders named on the command line
//! or in `hegui.toml` (confined to the repository).

use std::path::{Path, PathBuf};

use crate::builtin_sources;
use crate::disk::config::Config;
use crate::disk::confine;
use crate::disk::files::display_path;
use crate::text::reason::Reason;
use crate::text::severity::Lang;
use crate::text::source::{Source, SourceFile};

/// An error that stops a run before any manifest is checked.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(hegui::load))]
pub enum LoadError {
    /// A rule folder or file cannot be read.
    #[error("cannot read rule path {path}: {reason}")]
    Unreadable {
        /// The path.
        path: String,
        /// Why.
        reason: Reason,
    },
}

impl LoadError {
    /// The error in `lang`, as the CLI prints it (English is the `Display` text).
    pub fn say(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (LoadError::Unreadable { path, reason }, Lang::Zh) => {
                format!("无法读取规则路径 {path}：{}", reason.say(lang))
            }
        }
    }
}

/// The rule sources of a run: the built-in packs (with `no_builtin`, only the law table and the
/// calendar), every folder or file of `dirs` in order, then the rule folders and calendar
/// files `config` names, which must stay inside its repository (symbolic links to folders are
/// not followed). The command line and the language server both load their rules through this.
pub fn configured_sources(
    no_builtin: bool,
    dirs: &[PathBuf],
    config: Option<&Config>,
) -> Result<Vec<Source>, LoadError> {
    let mut sources: Vec<_> = builtin_sources()
        .into_iter()
        .filter(|s| !no_builtin || s.name.ends_with("/law.toml") || s.name.contains("/calendar/"))
        .collect();
    for dir in dirs {
        sources.extend(read_rule_dir(dir)?);
    }
    if let Some(config) = config {
        for dir in config.rule_dirs.iter().chain(&config.calendar_files) {
            sources.extend(read_rule_dir_inside(dir, &config.root)?);
        }
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
        path: display_path(path),
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
            let entry = entry.map_err(|e| unreadable(dir, walk_reason(&e)))?;
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
            Ok(SourceFile::new(display_path(path), text))
        })
        .collect()
}

/// The reason a `walkdir` error gives.
fn walk_reason(e: &walkdir::Error) -> Reason {
    match (e.io_error(), e.loop_ancestor()) {
        (_, Some(back)) => Reason::LinkLoop(crate::disk::files::display_path(back)),
        (Some(io), None) => Reason::of_io(io),
        (None, None) => Reason::System(None, e.to_string()),
    }
}
