//! Analyses over the engine: checking a scenario's `expect:` entries and replaying the flow
//! catalogue.

pub mod audit;
pub mod diff;
pub mod expectation;
pub mod flows;
pub mod path;
pub mod progress;
pub mod reach;
pub mod replay;
pub mod sni;

pub use expectation::{Evidence, ExpectationResult, check_expectation, check_scenario};
