//! Analyses over the engine. For now: checking a scenario's `expect:` entries.

pub mod expectation;

pub use expectation::{Evidence, ExpectationResult, check_expectation, check_scenario};
