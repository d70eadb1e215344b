//! `vnetsim replay`: outcome counts of the flow catalogue and of a generated packet stream, by
//! disposition and by deciding object. Counts only; timings go to standard error, so the same
//! input prints the same bytes.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use vnetsim_analysis::replay::CatalogueTally;
use vnetsim_analysis::replay::tally::Tally;
use vnetsim_engine::Decider;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReplayReport {
    /// Deciding objects the human output lists (JSON lists all).
    #[serde(skip)]
    pub top: usize,
    pub file: String,
    pub scenario: String,
    pub catalogue: CatalogueSection,
    pub packets: PacketSection,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CatalogueSection {
    /// (flow, source, workspace) cells replayed.
    pub cells: u64,
    /// Cells by `works`, `broken`, `n/a`.
    pub by_status: BTreeMap<&'static str, u64>,
    pub connections: u64,
    pub by_disposition: BTreeMap<&'static str, u64>,
    /// What blocked the connections that failed, most first.
    pub blocked_by: Vec<DeciderCount>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PacketSection {
    pub seed: u64,
    /// Connections walked (request, and reply when the request arrived).
    pub packets: u64,
    pub by_disposition: BTreeMap<&'static str, u64>,
    /// The deciding object of every packet: what blocked it, or for one that worked the last
    /// object that let the request through. Most first.
    pub by_decider: Vec<DeciderCount>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DeciderCount {
    /// Absent when no step of the deciding trace names an object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Decider>,
    pub disposition: &'static str,
    pub count: u64,
}

fn decider_counts(t: &Tally, blocked_only: bool) -> Vec<DeciderCount> {
    t.top_deciders()
        .into_iter()
        .filter(|(d, _, _)| !blocked_only || d.is_some())
        .map(|(d, disposition, count)| DeciderCount { decided_by: d.clone(), disposition, count })
        .collect()
}

impl ReplayReport {
    pub fn new(file: String, scenario: String, catalogue: &CatalogueTally, seed: u64, packets: &Tally) -> Self {
        ReplayReport {
            top: usize::MAX,
            file,
            scenario,
            catalogue: CatalogueSection {
                cells: catalogue.cells,
                by_status: catalogue.by_status.clone(),
                connections: catalogue.connections.connections,
                by_disposition: catalogue.connections.by_disposition.clone(),
                blocked_by: decider_counts(&catalogue.connections, true),
            },
            packets: PacketSection {
                seed,
                packets: packets.connections,
                by_disposition: packets.by_disposition.clone(),
                by_decider: decider_counts(packets, false),
            },
        }
    }

    /// Human text, each list of deciding objects cut at `top` entries.
    pub fn to_human(&self, top: usize) -> String {
        let mut out = String::new();
        let c = &self.catalogue;
        let _ = writeln!(out, "{}: scenario {}", self.file, self.scenario);
        let statuses: Vec<String> = c.by_status.iter().map(|(s, n)| format!("{} {s}", group(*n))).collect();
        let statuses = if statuses.is_empty() { String::new() } else { format!(" ({})", statuses.join(", ")) };
        let _ = writeln!(
            out,
            "\nflow catalogue: {}{statuses}, {}",
            counted(c.cells, "cell", "cells"),
            counted(c.connections, "connection", "connections")
        );
        dispositions(&mut out, &c.by_disposition, c.connections);
        deciders(&mut out, "blocked by", &c.blocked_by, top);
        let p = &self.packets;
        let _ = writeln!(out, "\ngenerated packets: {} (seed {})", group(p.packets), p.seed);
        dispositions(&mut out, &p.by_disposition, p.packets);
        deciders(&mut out, "by deciding object", &p.by_decider, top);
        out
    }
}

fn dispositions(out: &mut String, by: &BTreeMap<&'static str, u64>, total: u64) {
    let mut v: Vec<(&&str, &u64)> = by.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (d, n) in v {
        let _ = writeln!(out, "  {:<26} {:>14} {:>6.2}%", d, group(*n), percent(*n, total));
    }
}

fn deciders(out: &mut String, title: &str, list: &[DeciderCount], top: usize) {
    if list.is_empty() {
        return;
    }
    let shown = list.len().min(top);
    let _ = writeln!(out, "  {title} (top {shown} of {}):", list.len());
    for d in &list[..shown] {
        let name = d.decided_by.as_ref().map_or_else(|| "(no object named)".into(), crate::explain::headline_of);
        let _ = writeln!(out, "    {:>14}  {:<24} {name}", group(d.count), d.disposition);
    }
}

fn percent(n: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 }
}

/// `12,345,678`.
/// `1 packet`, `1,000 packets`.
pub fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl crate::Report for ReplayReport {
    const SCHEMA: &'static str = "vnetsim-replay/1";

    fn human(&self) -> String {
        self.to_human(self.top)
    }
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(12_345_678), "12,345,678");
    }
}
