//! A rule's fix as declared in its rule file, next to `help`:
//!
//! ```toml
//! fix = [
//!   { when = "…", applicability = "unsafe", message = { zh = "…", en = "…" },
//!     set = "closure_effective_on", value = "earliest" },
//!   { message = { zh = "…", en = "…" },
//!     edits = [{ set = "published_on", value = "…" }, { append = "channels", value = "'homepage'" }] },
//! ]
//! ```
//!
//! Alternatives are tried in order; the first whose `when` holds and whose edits can all be
//! made (a date before `--today` is never moved, nor moved to) is the finding's fix. Paths are
//! templates like `at`; values are CEL expressions compiled like every other rule expression.

use crate::model::rules::{BiTemplate, Expr, Template};
use crate::text::fix::Applicability;

/// What one edit does.
#[derive(Debug, Clone)]
pub enum EditOp {
    /// Set the value at a path (replacing it, or adding the key when absent).
    Set,
    /// Add an element at the end of the array at a path (creating the array when absent).
    Append,
    /// Rename the key at a path; the value is the new name.
    Rename,
}

/// One declared edit: an operation, the path it works on, and the CEL expression of the value.
#[derive(Debug, Clone)]
pub struct EditDecl {
    /// What it does.
    pub op: EditOp,
    /// Where, relative to the item (or absolute with `/`); `.` is the finding's own value for
    /// engine checks.
    pub path: Template,
    /// The new value (for `rename`: the new key).
    pub value: Expr,
}

/// One alternative of a rule's fix.
#[derive(Debug, Clone)]
pub struct FixDecl {
    /// Only when this holds.
    pub when: Option<Expr>,
    /// Safe, unsafe or display-only (default unsafe).
    pub applicability: Applicability,
    /// What the fix does (a template, like `help`).
    pub message: BiTemplate,
    /// Its edits.
    pub edits: Vec<EditDecl>,
}
