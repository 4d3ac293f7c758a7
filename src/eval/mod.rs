//! Evaluation layer: the engine, fixes evaluated into edits, the file resolver, waivers,
//! baselines, rule-pack expectations.

pub mod baseline;
pub(crate) mod data;
pub mod engine;
pub(crate) mod fixes;
pub(crate) mod patterns;
pub mod resolve;
pub mod rule_tests;
pub(crate) mod run;
pub mod waivers;
