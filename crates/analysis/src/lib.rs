//! Analyses over the engine. For now: checking a scenario's `expect:` entries.

pub mod expectation;

pub use expectation::{ExpectationResult, check_expectation, check_scenario};
