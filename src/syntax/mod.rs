//! Syntax layer: the spanned TOML tree and the table reader that collects problems.

pub mod reader;
pub mod tree;
