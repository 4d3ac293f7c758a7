//! Model layer: rules and families, the built-in checks, fix declarations, the manifest
//! vocabulary, the law table, the embedded fixtures.

pub mod builtin;
pub mod fix_decl;
pub mod fixtures;
pub mod law;
pub mod marks;
pub mod rules;
pub mod shape;
