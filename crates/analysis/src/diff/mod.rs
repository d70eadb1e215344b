//! What-if analysis: two versions of a network, and exactly which traffic changes between them.
//!
//! The answer has four parts: the objects that differ ([`objects`]), per source endpoint the
//! header-space classes whose outcome differs ([`traffic`]), found exhaustively over the pieces
//! a change can touch ([`scope`]), and the flows, expectations and exfiltration findings whose
//! verdict differs ([`verdicts`]). Renamed objects are one change ([`renames`]), and changes
//! every source sees alike are folded into one entry ([`traffic::fold`]).

pub mod objects;
pub mod renames;
pub mod scope;
pub mod traffic;
pub mod verdicts;

use crate::progress::{Progress, Silent};
use crate::reach::ReachOptions;
use objects::ObjectChange;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use scope::Scope;
use traffic::{Change, Folded, Sides, SourceDiff, diff_source};
use verdicts::{ExfiltrationChange, ExpectationChange, FlowChange};
use vnetsim_engine::fabric::Fabric;
use vnetsim_model::{EndpointId, NicId};

#[derive(Clone, Copy, Debug, Default)]
pub struct DiffOptions {
    pub reach: ReachOptions,
    /// Walk every class of every source, not only those a change can touch.
    pub everything: bool,
}

/// Which changes fail a CI gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Traffic that gets through after and did not before.
    NewAccess,
    /// Traffic that got through before and does not after.
    LostAccess,
    /// Any difference, objects included.
    Any,
}

/// Everything that differs between two fabrics.
pub struct Diff<'f> {
    pub sides: Sides<'f>,
    pub objects: Vec<ObjectChange>,
    pub scope: Scope,
    /// Every source both sides have, in the after file's order.
    pub sources: Vec<SourceDiff>,
    /// The sources' changes folded: one entry per change, listing the sources that see it.
    pub traffic: Vec<Folded>,
    /// Sources of one side only: `[removed, added]`.
    pub lone_sources: [Vec<String>; 2],
    pub flows: Vec<FlowChange>,
    pub expectations: Vec<ExpectationChange>,
    pub exfiltration: Vec<ExfiltrationChange>,
}

impl Diff<'_> {
    pub fn class_changes(&self) -> impl Iterator<Item = &traffic::ClassChange> {
        self.sources.iter().flat_map(|s| &s.changes)
    }

    /// Whether the change gates on `gate` (see [`Gate`]).
    pub fn fails(&self, gate: Gate) -> bool {
        let classes = |kind: Change| self.class_changes().any(|c| c.change == kind);
        let access = |side: usize| {
            self.flows.iter().any(|f| {
                f.status(side) == Some(crate::flows::FlowStatus::Works)
                    && f.status(1 - side) != Some(crate::flows::FlowStatus::Works)
            }) || self.expectations.iter().any(|e| e.access(side) == Some(true) && e.access(1 - side) == Some(false))
                || !self.lone_sources[side].is_empty()
                || self.exfiltration.iter().any(|x| x.side == side)
        };
        match gate {
            Gate::NewAccess => classes(Change::NewAccess) || access(1),
            Gate::LostAccess => classes(Change::LostAccess) || access(0),
            Gate::Any => {
                !self.objects.is_empty()
                    || self.class_changes().next().is_some()
                    || self.lone_sources.iter().any(|l| !l.is_empty())
                    || !self.flows.is_empty()
                    || !self.expectations.is_empty()
                    || !self.exfiltration.is_empty()
            }
        }
    }
}

/// The endpoints that start connections, by name, with their node-0 NIC.
fn sources(fabric: &Fabric) -> Vec<(String, NicId)> {
    let s = &fabric.scenario;
    (0..s.endpoints.len())
        .map(EndpointId::from_index)
        .filter(|e| s.endpoint(*e).kind.starts_connections())
        .filter_map(|e| Some((s.endpoint(e).name.clone(), s.primary_nic(e, 0)?)))
        .collect()
}

/// Compares two fabrics.
pub fn diff<'f>(before: &'f Fabric, after: &'f Fabric, options: DiffOptions) -> Diff<'f> {
    diff_with(before, after, options, &Silent)
}

/// [`diff`], reporting each shared source walked to `progress`.
pub fn diff_with<'f>(before: &'f Fabric, after: &'f Fabric, options: DiffOptions, progress: &dyn Progress) -> Diff<'f> {
    let objects = renames::fold_renames(objects::changes(&before.scenario, &after.scenario));
    let scope = Scope::new(before, after, options.everything);
    let sides = Sides::new(before, after, options.reach);
    let [old, new] = [before, after].map(sources);
    // The first source of each name, as a scan would find it.
    let by_name = |side: &[(String, NicId)]| {
        let mut map = FxHashMap::default();
        side.iter().for_each(|(n, nic)| {
            map.entry(n.clone()).or_insert(*nic);
        });
        map
    };
    let (old_by_name, new_by_name) = (by_name(&old), by_name(&new));
    let shared: Vec<(String, [NicId; 2])> =
        (new.iter()).filter_map(|(name, nic)| old_by_name.get(name).map(|b| (name.clone(), [*b, *nic]))).collect();
    let lone = |these: &[(String, NicId)], other: &FxHashMap<String, NicId>| {
        these.iter().filter(|(n, _)| !other.contains_key(n)).map(|(n, _)| n.clone()).collect()
    };
    let lone_sources = [lone(&old, &new_by_name), lone(&new, &old_by_name)];
    // Sources are independent; rayon keeps their order, so output does not depend on threads.
    let sources: Vec<SourceDiff> = if scope.is_empty() {
        Vec::new()
    } else {
        progress.start(shared.len() as u64);
        (shared.into_par_iter())
            .map(|(name, nics)| {
                let source = diff_source(&sides, &scope, name, nics);
                progress.advance(1);
                source
            })
            .collect()
    };
    let unchanged = objects.is_empty() && scope.is_empty();
    let (flows, expectations) = match unchanged {
        true => (Vec::new(), Vec::new()),
        false => rayon::join(|| verdicts::flow_changes(before, after), || verdicts::expectation_changes(before, after)),
    };
    let exfiltration = match unchanged {
        true => Vec::new(),
        false => verdicts::exfiltration_changes(&sides, &sources),
    };
    let traffic = traffic::fold(&sources);
    Diff { sides, objects, scope, sources, traffic, lone_sources, flows, expectations, exfiltration }
}
