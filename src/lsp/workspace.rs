//! The rules in force for a document: the nearest `hegui.toml` (found as `check` finds it),
//! the rule packs it and the command line name, loaded once and reloaded when any of those
//! files changes on disk; and the one place that checks a buffer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::NaiveDate;

use crate::config::Config;
use crate::disk::files::DiskFiles;
use crate::engine::{Engine, Options};
use crate::eval::resolve::FileResolver;
use crate::finding::Finding;
use crate::rules::{FileProblems, RuleSet};
use crate::source::Source;
use crate::{Lang, walk};

/// What the server was started with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Message language.
    pub lang: Lang,
    /// The date waivers are judged against; `None` is today in China Standard Time, read at
    /// every check.
    pub today: Option<NaiveDate>,
    /// Rule folders given on the command line, before those of `hegui.toml`.
    pub rule_dirs: Vec<PathBuf>,
    /// Only the rule files given (the law table and the calendar stay).
    pub no_builtin: bool,
}

/// "Check this buffer": the one seam between the server and the library's check, so a change
/// of the library's entry point (a file resolver in place of the disk) is made here only.
pub(crate) trait BufferChecker {
    /// Checks a manifest's buffer; `open` gives the text of other open buffers by canonical
    /// path (`file` values are read from them first). Findings come sorted as `check` sorts.
    fn check_buffer(
        &self,
        source: &Source,
        path: &Path,
        open: &dyn Fn(&Path) -> Option<String>,
    ) -> Vec<Finding>;
}

impl BufferChecker for Engine {
    fn check_buffer(
        &self,
        source: &Source,
        path: &Path,
        open: &dyn Fn(&Path) -> Option<String>,
    ) -> Vec<Finding> {
        let root = walk::repo_root(path);
        let files = OpenBuffers {
            disk: DiskFiles {
                manifest: path,
                repo_root: &root,
                lang: self.options().lang,
            },
            open,
        };
        let mut findings = self.check_text(source, &files);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings
    }
}

/// The files a manifest's `file` values name: the text of an open buffer where there is one,
/// the file on disk otherwise (both confined to the repository).
struct OpenBuffers<'a> {
    disk: DiskFiles<'a>,
    open: &'a dyn Fn(&Path) -> Option<String>,
}

impl FileResolver for OpenBuffers<'_> {
    fn read(&self, value: &str) -> Result<Source, String> {
        self.disk.read_with(value, self.open)
    }
}

/// Why no engine could be built: the problems, each pointing into its file where it can.
#[derive(Debug, Clone)]
pub(crate) enum LoadFailure {
    /// Rule files or the configuration have problems at known places.
    Files(Vec<FileProblems>),
    /// A problem without a place (an unreadable folder, an invalid pattern).
    Message(String),
}

/// An engine (or why there is none) and what it was built from.
pub(crate) struct Loaded {
    /// The engine, or the problems that stopped it.
    pub(crate) outcome: Result<Arc<Engine>, LoadFailure>,
    /// The configuration in force.
    pub(crate) config: Option<Config>,
    /// The date it judges waivers against.
    today: NaiveDate,
    /// The files and folders it was built from …
    roots: Vec<PathBuf>,
    /// … and their modification times and sizes then.
    stamp: Vec<(PathBuf, Option<SystemTime>, u64)>,
}

/// The engines in force, one per configuration file (or none).
pub(crate) struct Workspace {
    settings: Settings,
    loaded: HashMap<Option<PathBuf>, Loaded>,
}

impl Workspace {
    /// A workspace with nothing loaded yet.
    pub(crate) fn new(settings: Settings) -> Workspace {
        Workspace {
            settings,
            loaded: HashMap::new(),
        }
    }

    /// The message language.
    pub(crate) fn lang(&self) -> Lang {
        self.settings.lang
    }

    /// Forgets every engine: the next check reloads.
    pub(crate) fn invalidate(&mut self) {
        self.loaded.clear();
    }

    /// Whether a file is a manifest: its name ends with the suffix of the vocabulary in force
    /// for it.
    pub(crate) fn is_manifest(&mut self, path: &Path) -> bool {
        let (_, loaded) = self.for_manifest(path);
        let suffix = match &loaded.outcome {
            Ok(engine) => engine
                .rules()
                .shape
                .as_ref()
                .map_or(".plan.toml", |s| s.file_suffix.as_str())
                .to_owned(),
            Err(_) => ".plan.toml".to_owned(),
        };
        path.to_string_lossy().ends_with(&suffix)
    }

    /// The configuration file that governs a manifest, and the engine built for it: reused
    /// while none of its files changed and the day is the same, else rebuilt.
    pub(crate) fn for_manifest(&mut self, manifest: &Path) -> (Option<PathBuf>, &Loaded) {
        let config_path = crate::config::discover(manifest);
        let today = self
            .settings
            .today
            .unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive());
        let fresh = self
            .loaded
            .get(&config_path)
            .is_some_and(|l| l.today == today && stamp(&l.roots) == l.stamp);
        if !fresh {
            let loaded = load(&self.settings, config_path.as_deref(), today);
            self.loaded.insert(config_path.clone(), loaded);
        }
        let loaded = &self.loaded[&config_path];
        (config_path, loaded)
    }
}

/// Builds the engine for a configuration (or none), as `hegui check` does.
fn load(settings: &Settings, config_path: Option<&Path>, today: NaiveDate) -> Loaded {
    let mut roots: Vec<PathBuf> = config_path.map(Path::to_path_buf).into_iter().collect();
    roots.extend(settings.rule_dirs.iter().cloned());
    // In the language the client asked for, as `hegui check --lang` says them.
    let config = match config_path.map(|path| Config::load_in(path, settings.lang)) {
        Some(Err(e)) => {
            return Loaded {
                outcome: Err(LoadFailure::Message(e.message(settings.lang))),
                config: None,
                today,
                stamp: stamp(&roots),
                roots,
            };
        }
        Some(Ok(c)) => Some(c),
        None => None,
    };
    let extra: Vec<PathBuf> = config
        .iter()
        .flat_map(|c| c.rule_dirs.iter().chain(&c.calendar_files).cloned())
        .collect();
    roots.extend(extra.iter().cloned());
    let stamp_now = stamp(&roots);
    let outcome = build(settings, config.as_ref(), today);
    Loaded {
        outcome,
        config,
        today,
        roots,
        stamp: stamp_now,
    }
}

fn build(
    settings: &Settings,
    config: Option<&Config>,
    today: NaiveDate,
) -> Result<Arc<Engine>, LoadFailure> {
    let sources = crate::configured_sources(settings.no_builtin, &settings.rule_dirs, config)
        .map_err(|e| LoadFailure::Message(e.say(settings.lang)))?;
    let mut set = RuleSet::load_in(sources, settings.lang).map_err(LoadFailure::Files)?;
    if let Some(config) = config {
        config
            .apply(&mut set)
            .map_err(|p| LoadFailure::Files(vec![p]))?;
    }
    let options = Options {
        lang: settings.lang,
        today,
    };
    let engine = Engine::new(set, options).map_err(|errors| {
        LoadFailure::Message(
            errors
                .iter()
                .map(|e| format!("rule {}: {}", e.rule, e.message))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    Ok(Arc::new(engine))
}

/// Modification time and size of every file below the roots, in path order: a change of any
/// of them (or a file added or removed) changes the stamp.
fn stamp(roots: &[PathBuf]) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    let mut out = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
            {
                out.push((entry.into_path(), meta.modified().ok(), meta.len()));
            }
        }
        if !root.exists() {
            out.push((root.clone(), None, 0));
        }
    }
    out
}
