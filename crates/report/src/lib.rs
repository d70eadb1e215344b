//! Printers. Each output is built once as plain serialisable data behind [`Report`], then
//! rendered by [`render`] as human text, JSON with its schema id, or the formats a report adds
//! (JUnit XML and SARIF for suites, Markdown for diffs, DOT for graphs), so every format carries
//! the same content.

pub mod audit;
pub mod bench;
pub mod catalogue;
pub mod check;
pub mod diff;
pub mod expected_errors;
pub mod explain;
pub mod flows;
pub mod graph;
mod junit;
mod output;
pub mod reach;
pub mod replay;
pub mod routes;
mod sarif;
pub mod schemas;
pub mod suite;
pub mod trace;

pub use output::{Envelope, Format, Report, markdown, render, to_json, visible};

/// `1 path`, `3 paths`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
