//! The classes of one source whose outcome differs between two fabrics.
//!
//! Both fabrics are cut alike (the union of their cuts), so each piece is uniform in both.
//! Every piece the scope keeps is walked in both; two outcomes are the same when their steps,
//! in words (where, what, decided by which object and rule), are the same: ids and rule
//! positions differ between files, names do not.
//! A TCP piece whose walk meets an application rule or a private endpoint on either side is
//! walked again with every name either side could carry there (see [`crate::sni`]).

use super::scope::Scope;
use crate::reach::{Outcome, Piece, Ranges, ReachOptions, Reached, Space, merge_neighbours, pieces, walk};
use crate::sni::server_of;
use rustc_hash::FxHashMap;
use serde::Serialize;
use smallvec::SmallVec;
use std::fmt::Write;
use vnetsim_engine::Completion;
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::outcome::Decider;
use vnetsim_engine::packet::Packet;
use vnetsim_engine::trace::{Disposition, Recorder};
use vnetsim_engine::walk::{FlowName, Origin, Verdict};
use vnetsim_model::{NicId, Protocol, ServiceId};

/// The two fabrics over one header space, with the names either can carry.
pub struct Sides<'f> {
    pub fabrics: [&'f Fabric; 2],
    pub spaces: [Space; 2],
    /// Every name of either side; [`ClassChange::name`] indexes it.
    pub names: Vec<String>,
    /// Per side, the position in `names` of each of its space's names.
    name_ids: [Vec<u32>; 2],
    /// Per side, the service each of `names` belongs to there.
    servers: [Vec<Option<ServiceId>>; 2],
}

impl<'f> Sides<'f> {
    pub fn new(before: &'f Fabric, after: &'f Fabric, options: ReachOptions) -> Sides<'f> {
        let mut cuts = before.cuts();
        cuts.merge(after.cuts());
        let header = cuts.finish();
        let spaces = [Space::over(before, options, header.clone()), Space::over(after, options, header)];
        let mut names: Vec<String> = Vec::new();
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let name_ids = [0, 1].map(|side| {
            (spaces[side].names.list.iter())
                .map(|n| {
                    *index.entry(n.clone()).or_insert_with(|| {
                        names.push(n.clone());
                        names.len() as u32 - 1
                    })
                })
                .collect()
        });
        let fabrics = [before, after];
        let servers = fabrics.map(|f| names.iter().map(|n| server_of(f, n)).collect());
        Sides { fabrics, spaces, names, name_ids, servers }
    }

    fn flow_name(&self, side: usize, name: u32) -> FlowName<'_> {
        FlowName { server: self.servers[side][name as usize], name: Some(&self.names[name as usize]) }
    }

    /// The name a class's witness carries.
    pub fn witness_name(&self, side: usize, name: Option<u32>) -> FlowName<'_> {
        name.map_or_else(FlowName::default, |n| self.flow_name(side, n))
    }
}

/// How a class's access changed (see `Completion::carries_data`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Blocked before, carries data after.
    NewAccess,
    /// Carried data before, blocked after.
    LostAccess,
    /// Access is unchanged, but the path or a deciding rule is not.
    ChangedPath,
}

impl Change {
    pub fn name(self) -> &'static str {
        match self {
            Change::NewAccess => "new_access",
            Change::LostAccess => "lost_access",
            Change::ChangedPath => "changed_path",
        }
    }
}

/// What a class came to on one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fate {
    pub request: Disposition,
    pub reply: Option<Disposition>,
    /// Where the request was delivered, in that side's ids.
    pub reached: Option<Reached>,
}

/// Classes of one source whose outcome changed the same way.
#[derive(Clone, Debug)]
pub struct ClassChange {
    pub change: Change,
    pub protocol: Protocol,
    /// The SNI or Host names the classes carry, indexes into [`Sides::names`] (`None`: no
    /// name); each with the same ranges and outcomes.
    pub names: Vec<Option<u32>>,
    pub ranges: Ranges,
    /// The first class's packet, from the source's address before.
    pub witness: Packet,
    pub classes: usize,
    pub before: Fate,
    pub after: Fate,
    /// The object that decided each side's outcome ([`Fabric::decider_of`]).
    pub deciders: [Option<Decider>; 2],
}

/// Changes identical but for their source (same classes, names, outcomes and deciding
/// objects): one entry listing every source, so a change every spoke sees reads once.
#[derive(Clone, Debug)]
pub struct Folded {
    /// Positions in the diff's sources, in their order.
    pub sources: Vec<usize>,
    /// The change's position among the first source's changes.
    pub change: usize,
}

impl Folded {
    /// The first source and its change: the witness the entry shows.
    pub fn first<'d>(&self, sources: &'d [SourceDiff]) -> (&'d SourceDiff, &'d ClassChange) {
        let source = &sources[self.sources[0]];
        (source, &source.changes[self.change])
    }
}

/// Folds the changes of every source; new access first, then lost access, then changed
/// paths, each in the order of their first source.
pub fn fold(sources: &[SourceDiff]) -> Vec<Folded> {
    type FoldKey<'a> = (Change, Protocol, &'a [Option<u32>], &'a Ranges, [Fate; 2], &'a [Option<Decider>; 2]);
    let mut index: FxHashMap<FoldKey, usize> = FxHashMap::default();
    let mut out: Vec<Folded> = Vec::new();
    for (s, source) in sources.iter().enumerate() {
        for (i, c) in source.changes.iter().enumerate() {
            let key = (c.change, c.protocol, c.names.as_slice(), &c.ranges, [c.before, c.after], &c.deciders);
            let next = out.len();
            let at = *index.entry(key).or_insert(next);
            match out.get_mut(at) {
                Some(folded) => folded.sources.push(s),
                None => out.push(Folded { sources: vec![s], change: i }),
            }
        }
    }
    out.sort_by_key(|f| f.first(sources).1.change);
    out
}

/// The changes of one source.
#[derive(Clone, Debug)]
pub struct SourceDiff {
    /// The endpoint's name.
    pub source: String,
    /// Its NIC before and after.
    pub nics: [NicId; 2],
    /// Whether every class was walked (see [`Scope::covers_source`]).
    pub whole: bool,
    /// Classes walked, on each side.
    pub walked: usize,
    pub changes: Vec<ClassChange>,
}

impl SourceDiff {
    /// A class's witness as this source sends it on one side.
    pub fn witness(&self, sides: &Sides, side: usize, class: &ClassChange) -> Packet {
        Packet { source: sides.fabrics[side].scenario.nic(self.nics[side]).private_ip, ..class.witness }
    }

    /// Walks a class's witness on one side again, for its traces.
    pub fn replay(&self, sides: &Sides, side: usize, class: &ClassChange) -> (Verdict, Recorder, Recorder) {
        let fabric = sides.fabrics[side];
        let nic = self.nics[side];
        let packet = self.witness(sides, side, class);
        let (mut request, mut reply) = (Recorder::default(), Recorder::default());
        let name = sides.witness_name(side, class.names[0]);
        let v = fabric.walk_connection_to(Origin::Nic(nic), packet, name, &mut request, &mut reply);
        (v, request, reply)
    }
}

/// An outcome in words: the dispositions, and per step where it happened, what it did and
/// which object and rule decided. Not the rule's contents: a rule that still decides after an
/// edit decides the same path.
fn render(fabric: &Fabric, o: &Outcome) -> String {
    let mut text = format!("{:?} {:?}", o.request, o.reply);
    for step in &o.steps {
        let r = fabric.outcome(step);
        let by = r.decided_by.map(|d| format!("{} {d}", d.kind)).unwrap_or_default();
        let _ = write!(text, "\n{} {} {} {by}", r.kind, r.at, r.result);
    }
    text
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    protocol: Protocol,
    name: Option<u32>,
    before: u32,
    after: u32,
}

/// Outcomes of one source interned by their words, and the changes found so far.
struct Comparer<'s, 'f> {
    sides: &'s Sides<'f>,
    /// Per side, each outcome met to the id of its words.
    seen: [FxHashMap<Outcome, u32>; 2],
    words: FxHashMap<String, u32>,
    index: FxHashMap<Key, usize>,
    changes: Vec<(Key, ClassChange)>,
}

impl Comparer<'_, '_> {
    fn words(&mut self, side: usize, outcome: &Outcome) -> u32 {
        if let Some(id) = self.seen[side].get(outcome) {
            return *id;
        }
        let next = self.words.len() as u32;
        let id = *self.words.entry(render(self.sides.fabrics[side], outcome)).or_insert(next);
        self.seen[side].insert(outcome.clone(), id);
        id
    }

    fn compare(&mut self, piece: Piece, packet: Packet, name: Option<u32>, before: Outcome, after: Outcome) {
        let fate = |o: &Outcome| Fate { request: o.request, reply: o.reply, reached: o.reached };
        let fates = [fate(&before), fate(&after)];
        let access = fates.map(|f| Completion::of(f.request, f.reply).carries_data(packet.protocol));
        let key = Key { protocol: packet.protocol, name, before: self.words(0, &before), after: self.words(1, &after) };
        if key.before == key.after {
            return;
        }
        let next = self.changes.len();
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            let change = match access {
                [false, true] => Change::NewAccess,
                [true, false] => Change::LostAccess,
                _ => Change::ChangedPath,
            };
            let deciders = [(0, &before), (1, &after)].map(|(side, o)| self.sides.fabrics[side].decider_of(&o.steps));
            let [before, after] = fates;
            let class = ClassChange {
                change,
                protocol: packet.protocol,
                names: vec![name],
                ranges: Vec::new(),
                witness: packet,
                classes: 0,
                before,
                after,
                deciders,
            };
            self.changes.push((key, class));
        }
        let class = &mut self.changes[i].1;
        class.classes += 1;
        piece.add_to(&mut class.ranges);
    }

    /// The changes, with classes that differ only by the name they carry merged: most names
    /// change nothing where they go, and one entry listing them reads better than one each.
    fn finish(self) -> Vec<ClassChange> {
        let mut out: Vec<(Key, ClassChange)> = Vec::new();
        for (key, mut class) in self.changes {
            merge_neighbours(&mut class.ranges);
            let same = |(k, c): &&mut (Key, ClassChange)| {
                (k.protocol, k.before, k.after) == (key.protocol, key.before, key.after) && c.ranges == class.ranges
            };
            match out.iter_mut().find(same) {
                Some((_, merged)) => {
                    merged.names.push(class.names[0]);
                    merged.classes += class.classes;
                }
                None => out.push((key, class)),
            }
        }
        out.into_iter().map(|(_, c)| c).collect()
    }
}

/// The classes of `source` (its NIC on each side) whose outcome differs, among those `scope`
/// says a change can touch.
pub fn diff_source(sides: &Sides, scope: &Scope, source: String, nics: [NicId; 2]) -> SourceDiff {
    let [before, after] = sides.fabrics;
    let whole = scope.covers_source(before, nics[0]) || scope.covers_source(after, nics[1]);
    let addresses = [before.scenario.nic(nics[0]).private_ip, after.scenario.nic(nics[1]).private_ip];
    let mut comparer = Comparer {
        sides,
        seen: [FxHashMap::default(), FxHashMap::default()],
        words: FxHashMap::default(),
        index: FxHashMap::default(),
        changes: Vec::new(),
    };
    let mut recorders: [(Recorder, Recorder); 2] = Default::default();
    let mut walked = 0;
    let mut both = |name: [FlowName<'_>; 2], packet: Packet, recorders: &mut [(Recorder, Recorder); 2]| {
        walked += 1;
        [0, 1].map(|side| {
            let (request, reply) = &mut recorders[side];
            let packet = Packet { source: addresses[side], ..packet };
            walk(sides.fabrics[side], nics[side], packet, name[side], request, reply)
        })
    };
    for (piece, packet) in pieces(&sides.spaces[0].header, addresses[0], |a| whole || scope.touches(a)) {
        let [b, a] = both([FlowName::default(); 2], packet, &mut recorders);
        let sensitive = (0..2).any(|side| {
            let packet = Packet { source: addresses[side], ..packet };
            sides.spaces[side].name_matters(&packet, &recorders[side].0.steps)
        });
        comparer.compare(piece, packet, None, b, a);
        if !sensitive {
            continue;
        }
        let mut names: SmallVec<[u32; 16]> = (0..2)
            .flat_map(|side| {
                let ids = &sides.name_ids[side];
                sides.spaces[side]
                    .names
                    .candidates(sides.fabrics[side], packet.destination)
                    .iter()
                    .map(|n| ids[*n as usize])
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        for n in names {
            let [b, a] = both([sides.flow_name(0, n), sides.flow_name(1, n)], packet, &mut recorders);
            comparer.compare(piece, packet, Some(n), b, a);
        }
    }
    SourceDiff { source, nics, whole, walked, changes: comparer.finish() }
}
