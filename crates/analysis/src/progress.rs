//! How far a long analysis is, for whoever shows it (the binary draws a bar on a terminal):
//! units of work that exist already (sources audited, reached or diffed; packets replayed, a
//! chunk at a time), reported as they finish. The library prints nothing itself; a sink only
//! observes, so the result is the same with any sink, or none, at any thread count.

/// Where an analysis reports progress. Workers call it from several threads at once.
pub trait Progress: Sync {
    /// `total` units of work are about to start (called once, before any [`Progress::advance`]).
    fn start(&self, total: u64);
    /// `units` more units are done (in any order: workers finish out of order).
    fn advance(&self, units: u64);
}

/// No progress: what every analysis reports to unless its caller asks otherwise.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _total: u64) {}
    fn advance(&self, _units: u64) {}
}
