//! Fixes: what a finding's repair is (text edits on the manifest) and how edits are applied.
//!
//! The values are in the text layer (`crate::text::fix`), as in ruff's `ruff_diagnostics`: an
//! [`Edit`] replaces a byte range of the manifest with new text, a [`Fix`] is the edits of one
//! repair with its [`Applicability`]. Rules declare fixes as data (`crate::model::fix_decl`,
//! read by `crate::load::fix_decl`); the engine evaluates them into edits
//! (`crate::eval::fixes`, with `toml_edit`, so comments and layout survive); `hegui fix`
//! applies them to a bounded fixpoint (`run`).

pub use crate::model::fix_decl as decl;
pub use crate::text::fix::{Applicability, Edit, Fix, apply_fixes, before_after};

pub mod run;
