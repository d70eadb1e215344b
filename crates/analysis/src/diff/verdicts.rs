//! Verdicts that changed between two fabrics: catalogue flows, the scenario's expectations and
//! exfiltration findings.

use super::traffic::{Sides, SourceDiff};
use crate::audit::{Finding, SourceAudit, audit_source, protected_sources};
use crate::expectation::{ExpectationResult, check_scenario};
use crate::flows::{FlowCell, FlowStatus, matrix};
use rustc_hash::FxHashMap;
use std::hash::Hash;
use std::sync::Arc;
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::fabric::digest::named_debug;

/// Pairs items of two lists by key: every key of `after` in its order, then those only in
/// `before`. Repeated keys pair up by occurrence.
fn pair_up<T, K: Eq + Hash + Clone>(before: Vec<T>, after: Vec<T>, key: impl Fn(&T) -> K) -> Vec<[Option<T>; 2]> {
    let mut slots: FxHashMap<(K, usize), T> = FxHashMap::default();
    let mut order: Vec<(K, usize)> = Vec::new();
    let mut count: FxHashMap<K, usize> = FxHashMap::default();
    for item in before {
        let k = key(&item);
        let n = count.entry(k.clone()).or_default();
        order.push((k.clone(), *n));
        slots.insert((k, *n), item);
        *n += 1;
    }
    count.clear();
    let mut pairs = Vec::new();
    for item in after {
        let k = key(&item);
        let n = count.entry(k.clone()).or_default();
        pairs.push([slots.remove(&(k, *n)), Some(item)]);
        *n += 1;
    }
    pairs.extend(order.into_iter().filter_map(|k| slots.remove(&k)).map(|b| [Some(b), None]));
    pairs
}

/// A cell of the flow matrix whose status changed; `None` where the cell does not exist.
#[derive(Clone, Debug)]
pub struct FlowChange {
    pub cells: [Option<FlowCell>; 2],
}

impl FlowChange {
    pub fn status(&self, side: usize) -> Option<FlowStatus> {
        self.cells[side].as_ref().map(|c| c.status)
    }

    /// Either side's cell, for its flow, source and workspace.
    pub fn cell(&self) -> &FlowCell {
        self.cells.iter().flatten().next().expect("a change has a cell on one side at least")
    }
}

/// Flow cells whose status differs, matched by (flow, source, workspace).
pub fn flow_changes(before: &Fabric, after: &Fabric) -> Vec<FlowChange> {
    let key = |c: &FlowCell| (c.flow, c.source.clone(), c.workspace.clone());
    pair_up(matrix(before, None, None), matrix(after, None, None), key)
        .into_iter()
        .map(|cells| FlowChange { cells })
        .filter(|c| c.status(0) != c.status(1))
        .collect()
}

/// An expectation whose verdict differs, matched by kind and text; `None` where the file does
/// not have it.
#[derive(Clone, Debug)]
pub struct ExpectationChange {
    pub results: [Option<ExpectationResult>; 2],
}

impl ExpectationChange {
    pub fn passed(&self, side: usize) -> Option<bool> {
        self.results[side].as_ref().map(|r| r.passed)
    }

    /// Whether the traffic it names gets through on a side: `allowed`, `works`, or an
    /// exfiltration path found.
    pub fn access(&self, side: usize) -> Option<bool> {
        self.results[side].as_ref().map(|r| r.actual.gets_through())
    }

    pub fn result(&self) -> &ExpectationResult {
        self.results.iter().flatten().next().expect("a change has a result on one side at least")
    }
}

/// Expectations whose pass or fail differs, or that one file has and the other does not.
pub fn expectation_changes(before: &Fabric, after: &Fabric) -> Vec<ExpectationChange> {
    let key = |r: &ExpectationResult| (r.kind, r.label.clone());
    pair_up(check_scenario(before), check_scenario(after), key)
        .into_iter()
        .map(|results| ExpectationChange { results })
        .filter(|c| c.passed(0) != c.passed(1))
        .collect()
}

/// An exfiltration destination one side's findings reach and the other's do not (its first
/// finding there).
#[derive(Clone, Debug)]
pub struct ExfiltrationChange {
    /// 1: gained (the after side has it); 0: lost.
    pub side: usize,
    pub source: String,
    /// The source's audit on that side, and the finding's position in it.
    pub audit: Arc<SourceAudit>,
    pub finding: usize,
}

impl ExfiltrationChange {
    pub fn gained(&self) -> bool {
        self.side == 1
    }

    pub fn finding(&self) -> &Finding {
        &self.audit.findings[self.finding]
    }
}

/// Findings gained and lost, auditing the protected sources whose classes changed, every
/// protected source when the audit settings changed, and those on one side only.
pub fn exfiltration_changes(sides: &Sides, sources: &[SourceDiff]) -> Vec<ExfiltrationChange> {
    let settings = sides.fabrics.map(|f| named_debug(&f.scenario, &f.scenario.audit));
    let protected = sides.fabrics.map(|f| {
        protected_sources(f)
            .into_iter()
            .filter_map(|e| Some((f.scenario.endpoint(e).name.clone(), f.scenario.primary_nic(e, 0)?)))
            .collect::<Vec<_>>()
    });
    let nic_of = |side: usize, name: &str| protected[side].iter().find(|(n, _)| n == name).map(|(_, nic)| *nic);
    let changed = |name: &str| {
        settings[0] != settings[1]
            || nic_of(0, name).is_none()
            || nic_of(1, name).is_none()
            || sources.iter().any(|s| s.source == name && !s.changes.is_empty())
    };
    let mut names: Vec<&str> = protected.iter().flatten().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| changed(n)) {
        let audits = [0, 1]
            .map(|side| nic_of(side, name).map(|nic| audit_source(sides.fabrics[side], &sides.spaces[side], nic)));
        let audits = audits.map(|a| a.map(Arc::new));
        // A destination reached on both sides is no gain or loss, whatever opens it now: the
        // classes show the new path.
        let keys =
            audits.each_ref().map(|a| a.iter().flat_map(|a| &a.findings).map(|f| &f.destination).collect::<Vec<_>>());
        for side in [0, 1] {
            let Some(audit) = &audits[side] else { continue };
            for (finding, key) in keys[side].iter().enumerate() {
                let first = keys[side].iter().position(|k| k == key) == Some(finding);
                if first && !keys[1 - side].contains(key) {
                    out.push(ExfiltrationChange { side, source: name.to_string(), audit: audit.clone(), finding });
                }
            }
        }
    }
    out
}
