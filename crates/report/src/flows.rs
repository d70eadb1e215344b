//! `vnetsim flows` output: the catalogue replayed against a scenario, as a flow × source grid
//! per workspace, then one line per broken flow naming its first blocking step.

use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::flows::{FlowCell, FlowStatus};

#[derive(Clone, Debug, Serialize)]
pub struct FlowReport {
    pub file: String,
    pub scenario: String,
    pub works: usize,
    pub broken: usize,
    pub not_applicable: usize,
    pub cells: Vec<FlowCell>,
}

impl FlowReport {
    pub fn new(file: String, scenario: String, cells: Vec<FlowCell>) -> FlowReport {
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
            let cells: Vec<&FlowCell> = self.cells.iter().filter(|c| c.workspace == workspace).collect();
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
