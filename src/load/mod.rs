//! Load layer: rule packs from sources passed in (raw tree -> validated model, every problem
//! collected), their fix declarations, and the rule-file checker.

pub(crate) mod fix_decl;
pub mod rulecheck;
pub mod rules;
