//! Disk layer, the library's only I/O: walking folders, confining paths to the repository,
//! reading manifests, rule folders and `hegui.toml`, the disk file resolver.

pub mod check;
pub mod config;
pub mod confine;
pub mod files;
pub mod rules;
pub mod walk;
