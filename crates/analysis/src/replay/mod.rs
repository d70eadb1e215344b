//! Batch replay (issue 8): the flow catalogue for every source, then a stream of generated
//! packets, walked in parallel on rayon and counted by disposition and deciding object.
//!
//! Packets are never stored: a worker makes packet `i` from the seed when it walks it
//! ([`workload::Workload::packet`]) and keeps only counts, so memory does not grow with the
//! packet count. Counts are sums, so the result is the same at any thread count.

pub mod tally;
pub mod workload;

use crate::flows::{FlowIndex, replay_with, sources};
use crate::progress::{Progress, Silent};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;
use tally::{Counter, Tally};
use vnetsim_engine::{Fabric, NoTrace};
use vnetsim_model::catalogue::FLOWS;
use workload::Workload;

/// Packets a worker takes at a time: large enough to amortise scheduling, small enough to
/// balance two cores.
const CHUNK: u64 = 1 << 14;

/// The catalogue replayed: cells by status, and their connections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogueTally {
    pub cells: u64,
    /// `works`, `broken`, `n/a` (`FlowStatus::name`).
    pub by_status: BTreeMap<&'static str, u64>,
    /// Connections by disposition; deciding objects for the blocked ones only, as `vnetsim
    /// flows` names them.
    pub connections: Tally,
}

impl CatalogueTally {
    fn merge(mut self, other: CatalogueTally) -> CatalogueTally {
        self.cells += other.cells;
        for (s, n) in other.by_status {
            *self.by_status.entry(s).or_default() += n;
        }
        self.connections = self.connections.merge(other.connections);
        self
    }
}

/// Every (flow, source, workspace) cell of the catalogue, walked in parallel.
pub fn replay_catalogue(fabric: &Fabric) -> CatalogueTally {
    replay_catalogue_with(fabric, &Silent)
}

/// [`replay_catalogue`], reporting each cell replayed to `progress` (a cell is a whole flow of
/// several connections, so a report per cell costs nothing that shows).
pub fn replay_catalogue_with(fabric: &Fabric, progress: &dyn Progress) -> CatalogueTally {
    let sources = sources(&fabric.scenario);
    // One index of names for every cell, shared by the workers.
    let index = FlowIndex::new(&fabric.scenario);
    let cells: Vec<(usize, usize, vnetsim_model::ServiceId)> = FLOWS
        .iter()
        .enumerate()
        .flat_map(|(f, spec)| {
            sources
                .iter()
                .enumerate()
                .filter(|(_, s)| s.roles.iter().any(|r| spec.has_role(*r)))
                .flat_map(move |(k, s)| s.workspaces.iter().map(move |&w| (f, k, w)))
        })
        .collect();
    progress.start(cells.len() as u64);
    cells
        .par_iter()
        .fold(CatalogueTally::default, |mut t, &(f, k, w)| {
            let cell = replay_with(fabric, &index, &FLOWS[f], &sources[k], w);
            t.cells += 1;
            *t.by_status.entry(cell.status.name()).or_default() += 1;
            for c in cell.connections {
                let blocked_by = if c.allowed { None } else { c.decided_by };
                t.connections.add(blocked_by, c.disposition.name(), 1);
            }
            progress.advance(1);
            t
        })
        .reduce(CatalogueTally::default, CatalogueTally::merge)
}

/// Walks packets `range` of the workload in parallel and counts their outcomes.
pub fn replay_packets(fabric: &Fabric, workload: &Workload, range: Range<u64>) -> Tally {
    replay_packets_with(fabric, workload, range, &Silent)
}

/// [`replay_packets`], reporting packets walked to `progress` a chunk at a time (never per
/// packet: the walk stays free of shared writes).
pub fn replay_packets_with(fabric: &Fabric, workload: &Workload, range: Range<u64>, progress: &dyn Progress) -> Tally {
    progress.start(range.end.saturating_sub(range.start));
    chunks(range)
        .fold(
            || Counter::new(fabric),
            |mut counter, chunk| {
                let packets = chunk.end - chunk.start;
                for i in chunk {
                    let g = workload.packet(i);
                    let verdict = fabric.walk_connection_to(
                        g.origin,
                        g.packet,
                        g.name(fabric),
                        &mut counter.request,
                        &mut counter.reply,
                    );
                    counter.count(&verdict);
                }
                progress.advance(packets);
                counter
            },
        )
        .map(Counter::into_tally)
        .reduce(Tally::default, Tally::merge)
}

/// Walks packets `range` of the workload in parallel recording nothing: the engine's raw
/// speed. Returns how many connections worked.
pub fn walk_packets(fabric: &Fabric, workload: &Workload, range: Range<u64>) -> u64 {
    chunks(range)
        .map(|chunk| {
            chunk
                .filter(|&i| {
                    let g = workload.packet(i);
                    fabric.walk_connection_to(g.origin, g.packet, g.name(fabric), &mut NoTrace, &mut NoTrace).allowed()
                })
                .count() as u64
        })
        .sum()
}

/// The range in slices of [`CHUNK`] packets, made on demand.
fn chunks(range: Range<u64>) -> impl ParallelIterator<Item = Range<u64>> {
    let count = (range.end.saturating_sub(range.start)).div_ceil(CHUNK);
    (0..count).into_par_iter().map(move |c| {
        let start = range.start + c * CHUNK;
        start..(start + CHUNK).min(range.end)
    })
}
