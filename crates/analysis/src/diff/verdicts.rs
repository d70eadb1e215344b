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
use vnetsim_model::{Protocol, ServiceKind};

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

/// Pairs again what [`pair_up`] left alone on both sides, by a second key (`None`: none):
/// an item of `before` joins the first unpaired item of `after` with its key.
fn pair_lone<T, K: Eq + Hash>(pairs: Vec<[Option<T>; 2]>, key: impl Fn(&T) -> Option<K>) -> Vec<[Option<T>; 2]> {
    let mut waiting: FxHashMap<K, std::collections::VecDeque<usize>> = FxHashMap::default();
    for (i, pair) in pairs.iter().enumerate() {
        if let [None, Some(after)] = pair {
            key(after).into_iter().for_each(|k| waiting.entry(k).or_default().push_back(i));
        }
    }
    let mut out: Vec<Option<[Option<T>; 2]>> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        match pair {
            [Some(before), None] => match key(&before).and_then(|k| waiting.get_mut(&k)?.pop_front()) {
                Some(i) => out[i].as_mut().expect("an after-only pair comes first")[0] = Some(before),
                None => out.push(Some([Some(before), None])),
            },
            pair => out.push(Some(pair)),
        }
    }
    out.into_iter().flatten().collect()
}

/// Workspaces by their position among the scenario's, so that a renamed one still matches.
fn workspace_positions(fabric: &Fabric) -> FxHashMap<String, usize> {
    let s = &fabric.scenario;
    s.services_of(ServiceKind::Workspace).enumerate().map(|(i, w)| (s.service(w).name.clone(), i)).collect()
}

/// A flow source or workspace as matching after a rename sees it: a workspace by position.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Party {
    Workspace(usize),
    Named(String),
}

impl Party {
    fn of(positions: &FxHashMap<String, usize>, name: &str) -> Party {
        positions.get(name).map_or_else(|| Party::Named(name.to_string()), |i| Party::Workspace(*i))
    }
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

/// Flow cells whose status differs, matched by (flow, source, workspace); cells left alone
/// then by workspace position, so that renaming a workspace changes no flow.
pub fn flow_changes(before: &Fabric, after: &Fabric) -> Vec<FlowChange> {
    let key = |c: &FlowCell| (c.flow, c.source.clone(), c.workspace.clone());
    let pairs = pair_up(matrix(before, None, None), matrix(after, None, None), key);
    // Each cell is tagged with its side's positions: the two files number their workspaces
    // alike, whatever their names.
    let positions = [before, after].map(workspace_positions);
    let party = |side: usize, name: &str| Party::of(&positions[side], name);
    let tagged = pairs.into_iter().map(|[b, a]| [b.map(|c| (0, c)), a.map(|c| (1, c))]).collect();
    let by_position =
        |(side, c): &(usize, FlowCell)| Some((c.flow, party(*side, &c.source), party(*side, &c.workspace)));
    pair_lone(tagged, by_position)
        .into_iter()
        .map(|[b, a]| [b.map(|(_, c)| c), a.map(|(_, c)| c)])
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

/// What an expectation says, whatever its label: a connection's from, to, protocol, port and
/// source port as written; a flow's flow, source and workspace, workspaces by position.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Content {
    Connection(String, String, Protocol, u16, u16),
    Flow(usize, Party, Party),
}

/// The content of each connection and flow expectation of a scenario, by where it is written.
fn contents(fabric: &Fabric) -> FxHashMap<(u32, u32), Content> {
    let s = &fabric.scenario;
    let positions = workspace_positions(fabric);
    let connections = s.expectations.iter().map(|e| {
        let content = Content::Connection(e.from_text.clone(), e.to_text.clone(), e.protocol, e.port, e.source_port);
        ((e.loc.line, e.loc.column), content)
    });
    let flows = s.flow_expectations.iter().map(|e| {
        let workspace = Party::of(&positions, &s.service(e.workspace).name);
        ((e.loc.line, e.loc.column), Content::Flow(e.flow, Party::of(&positions, &e.from_text), workspace))
    });
    connections.chain(flows).collect()
}

/// Expectations whose pass or fail differs, or that one file has and the other does not;
/// matched by kind and label, then connection expectations left alone by their content.
pub fn expectation_changes(before: &Fabric, after: &Fabric) -> Vec<ExpectationChange> {
    let key = |r: &ExpectationResult| (r.kind, r.label.clone());
    let pairs = pair_up(check_scenario(before), check_scenario(after), key);
    let contents = [before, after].map(contents);
    let tagged = pairs.into_iter().map(|[b, a]| [b.map(|r| (0, r)), a.map(|r| (1, r))]).collect();
    let by_content =
        |(side, r): &(usize, ExpectationResult)| Some((r.kind, contents[*side].get(&(r.line, r.column))?.clone()));
    pair_lone(tagged, by_content)
        .into_iter()
        .map(|[b, a]| [b.map(|(_, r)| r), a.map(|(_, r)| r)])
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
