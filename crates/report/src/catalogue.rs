//! `vnetsim flows --list`: the flow catalogue, each flow with what it is and where the seeds
//! document it.

use crate::output::Report;
use serde::Serialize;
use std::fmt::Write;
use vnetsim_model::catalogue::FLOWS;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CatalogueReport {
    pub flows: Vec<CatalogueEntry>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CatalogueEntry {
    pub name: &'static str,
    pub summary: &'static str,
    /// The seed passage and semantics rules the flow comes from.
    pub source: &'static str,
    /// How many connections the flow makes, over every role.
    pub connections: usize,
}

impl CatalogueReport {
    pub fn new() -> CatalogueReport {
        let flows = FLOWS
            .iter()
            .map(|f| CatalogueEntry {
                name: f.name,
                summary: f.summary,
                source: f.source,
                connections: f.connections.len(),
            })
            .collect();
        CatalogueReport { flows }
    }
}

impl Default for CatalogueReport {
    fn default() -> Self {
        Self::new()
    }
}

impl Report for CatalogueReport {
    const SCHEMA: &'static str = "vnetsim-catalogue/1";

    fn human(&self) -> String {
        let mut out = String::from("the flow catalogue:\n");
        for f in &self.flows {
            let _ = writeln!(out, "  {:24} {}\n  {:24} source: {}", f.name, f.summary, "", f.source);
        }
        out
    }
}
