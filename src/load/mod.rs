//! Load layer: `hegui.toml` and the rule-file checker.

pub mod config;
pub mod rulecheck;
