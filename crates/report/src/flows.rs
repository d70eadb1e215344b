//! `vnetsim flows` output: the catalogue replayed against a scenario, as a flow × source grid
//! per workspace, then one line per broken flow naming its first blocking step.

use crate::explain::{blocked_words, flow_reason_words};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::flows::{ConnectionOutcome, FlowCell, FlowStatus};
use vnetsim_engine::{Decider, Fabric};

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FlowReport {
    pub file: String,
    pub scenario: String,
    pub works: usize,
    pub broken: usize,
    pub not_applicable: usize,
    pub cells: Vec<CellReport>,
}

/// A cell of the matrix ([`FlowCell`]) in words.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CellReport {
    pub flow: &'static str,
    pub source: String,
    pub workspace: String,
    pub status: FlowStatus,
    /// Why it is broken (the first blocked connection and its step), or why it does not apply,
    /// or how it works without walking (the serverless image build).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The object that blocks the flow, as `by:` names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<Decider>,
    pub connections: Vec<ConnectionReport>,
}

/// One connection of a flow ([`ConnectionOutcome`]) in words.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ConnectionReport {
    /// `name:port/protocol`, or `from service:port/protocol` for inbound ones.
    pub label: String,
    pub allowed: bool,
    /// The request arrives and its reply does not return.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub one_way: bool,
    pub disposition: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Decider>,
    /// For a blocked connection: the deciding step in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl CellReport {
    /// The cell in words; `fabric` is the one it was replayed on.
    pub fn new(fabric: &Fabric, c: FlowCell) -> CellReport {
        let connection = |o: ConnectionOutcome| ConnectionReport {
            detail: o.blocked.as_ref().map(|b| blocked_words(fabric, b)),
            label: o.label,
            allowed: o.allowed,
            one_way: o.one_way,
            disposition: o.disposition.name(),
            decided_by: o.decided_by,
        };
        CellReport {
            reason: c.reason.as_ref().map(|r| flow_reason_words(fabric, r)),
            flow: c.flow,
            source: c.source,
            workspace: c.workspace,
            status: c.status,
            blocked_by: c.blocked_by,
            connections: c.connections.into_iter().map(connection).collect(),
        }
    }
}

impl FlowReport {
    pub fn new(fabric: &Fabric, file: String, cells: Vec<FlowCell>) -> FlowReport {
        let cells: Vec<CellReport> = cells.into_iter().map(|c| CellReport::new(fabric, c)).collect();
        let scenario = fabric.scenario.name.clone();
        let count = |status| cells.iter().filter(|c| c.status == status).count();
        FlowReport {
            works: count(FlowStatus::Works),
            broken: count(FlowStatus::Broken),
            not_applicable: count(FlowStatus::NotApplicable),
            file,
            scenario,
            cells,
        }
    }

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} ({})", self.file, self.scenario);
        if self.cells.is_empty() {
            let _ = writeln!(out, "no flow applies: flows are Azure ML features, and need a workspace and its sources");
        }
        for workspace in distinct(self.cells.iter().map(|c| c.workspace.as_str())) {
            let cells: Vec<&CellReport> = self.cells.iter().filter(|c| c.workspace == workspace).collect();
            let flows = distinct(cells.iter().map(|c| c.flow));
            let sources = distinct(cells.iter().map(|c| c.source.as_str()));
            let _ = writeln!(out, "\nworkspace {workspace}");
            let flow_width = flows.iter().map(|f| f.len()).max().unwrap_or(0).max(4);
            let widths: Vec<usize> = sources.iter().map(|s| s.len().max(6)).collect();
            let _ = write!(out, "  {:flow_width$}", "flow");
            for (s, w) in sources.iter().zip(&widths) {
                let _ = write!(out, "  {s:w$}");
            }
            out.push('\n');
            for flow in &flows {
                let _ = write!(out, "  {flow:flow_width$}");
                for (source, w) in sources.iter().zip(&widths) {
                    let cell = cells.iter().find(|c| c.flow == *flow && c.source == *source);
                    let word = match cell.map(|c| c.status) {
                        Some(FlowStatus::Works) => "works",
                        Some(FlowStatus::Broken) => "BROKEN",
                        Some(FlowStatus::NotApplicable) => "n/a",
                        None => ".",
                    };
                    let _ = write!(out, "  {word:w$}");
                }
                out.truncate(out.trim_end().len());
                out.push('\n');
            }
            for c in cells.iter().filter(|c| c.status == FlowStatus::Broken) {
                let why = c.reason.as_deref().unwrap_or("blocked");
                let _ = writeln!(out, "  broken: {} from {}: {why}", c.flow, c.source);
            }
        }
        let _ = writeln!(
            out,
            "\n{} work, {} broken, {} not applicable ('.': the flow does not start from that source)",
            self.works, self.broken, self.not_applicable
        );
        out
    }
}

/// The distinct values, in first-seen order.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

impl crate::Report for FlowReport {
    const SCHEMA: &'static str = "vnetsim-flows/1";

    fn human(&self) -> String {
        self.to_human()
    }
}
