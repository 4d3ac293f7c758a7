//! Evaluation layer: the engine, waivers, baselines, rule-pack expectations.

pub mod baseline;
pub mod engine;
pub mod rule_tests;
pub mod waivers;
