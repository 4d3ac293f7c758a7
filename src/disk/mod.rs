//! Disk layer: walking folders, confining paths to the repository.

pub mod confine;
pub mod reason;
pub mod walk;
