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
pub(crate) use cel::budget;
pub(crate) use cel::calendar;
pub(crate) use cel::celval;
pub(crate) use cel::functions;
pub(crate) use cel::lazy;
pub use disk::config;
pub(crate) use disk::confine;
pub use disk::walk;
pub use eval::baseline;
pub(crate) use eval::engine;
pub use eval::rule_tests;
pub(crate) use eval::waivers;
pub use load::rulecheck;
pub(crate) use model::fixtures;
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
pub(crate) use text::finding;
pub use text::reason::{MAX_FILE_BYTES, Reason};
pub(crate) use text::source;

pub use disk::check::{Run, Trace, check_configured, check_file, check_paths, check_traced};
pub(crate) use disk::check::{check_file_with, discover_configured};
pub use disk::files::display_path;
pub use disk::rules::{LoadError, configured_sources, read_rule_dir};
pub use engine::{Engine, Options};
pub use eval::resolve::{FileResolver, NoFiles};
pub use finding::Finding;
pub use rules::RuleSet;
pub use source::{Source, SourceFile};
pub(crate) use text::finding::finding_fingerprint;
pub use text::severity::{Lang, Severity};

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
