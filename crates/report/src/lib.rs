//! Printers. Each output is built once as plain serialisable data, then rendered as human text
//! or JSON (suites also as JUnit XML and SARIF), so every format carries the same content.

pub mod audit;
pub mod diff;
pub mod explain;
pub mod flows;
mod junit;
pub mod reach;
pub mod replay;
mod sarif;
pub mod suite;
pub mod trace;

/// The output formats of commands that print structured results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// The output formats of `vnetsim run`: the structured formats plus the CI report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteFormat {
    Human,
    Json,
    /// JUnit XML: one test case per expectation.
    Junit,
    /// SARIF 2.1.0: one result per failed expectation, located in the scenario file.
    Sarif,
}

/// Pretty JSON with a trailing newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("reports serialise");
    s.push('\n');
    s
}
