//! Issue 22: long analyses report progress in units that add up (sources audited or diffed,
//! packets replayed), and a progress sink only observes: the result is the same with one or
//! without, at any thread count.

use std::sync::Mutex;
use vnetsim_analysis::audit::{audit, audit_with, protected_sources};
use vnetsim_analysis::diff::{DiffOptions, diff, diff_with};
use vnetsim_analysis::progress::Progress;
use vnetsim_analysis::reach::ReachOptions;
use vnetsim_analysis::replay::workload::Workload;
use vnetsim_analysis::replay::{replay_catalogue, replay_catalogue_with, replay_packets, replay_packets_with};

/// Everything a sink was told: the total, then the running count after each report.
#[derive(Default)]
struct Recorded {
    totals: Vec<u64>,
    done: Vec<u64>,
}

#[derive(Default)]
struct Recorder(Mutex<Recorded>);

impl Progress for Recorder {
    fn start(&self, total: u64) {
        let mut r = self.0.lock().unwrap();
        assert!(r.done.is_empty(), "start after progress was reported");
        r.totals.push(total);
    }

    fn advance(&self, units: u64) {
        let mut r = self.0.lock().unwrap();
        assert_eq!(r.totals.len(), 1, "progress before start");
        let done = r.done.last().copied().unwrap_or(0) + units;
        r.done.push(done);
    }
}

impl Recorder {
    /// The total announced once, every report within it, and the last one at it: `reports`
    /// reports in all.
    fn assert_complete(self, reports: usize) -> u64 {
        let r = self.0.into_inner().unwrap();
        assert_eq!(r.totals.len(), 1, "one start: {:?}", r.totals);
        let total = r.totals[0];
        assert_eq!(r.done.len(), reports, "{:?}", r.done);
        assert!(r.done.windows(2).all(|w| w[0] < w[1]), "monotonic: {:?}", r.done);
        assert_eq!(r.done.last().copied(), Some(total), "{:?}", r.done);
        total
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("threads")
}

/// Old behaviour caught: no progress at all (the audit of a 1,000-spoke zone ran for minutes
/// with nothing on the screen), or a count that stops short of the total.
#[test]
fn issue_22_the_audit_reports_every_source_once_and_its_result_is_unchanged() {
    let f = vnetsim_testkit::generated(3, 3);
    let sources = protected_sources(&f);
    assert!(sources.len() >= 3, "{sources:?}");
    let plain = format!("{:?}", audit(&f, &sources, ReachOptions::default()).1);
    for threads in [1, 2] {
        let recorder = Recorder::default();
        let (_, watched) = pool(threads).install(|| audit_with(&f, &sources, ReachOptions::default(), &recorder));
        assert_eq!(format!("{watched:?}"), plain, "{threads} threads");
        assert_eq!(recorder.assert_complete(sources.len()), sources.len() as u64);
    }
}

#[test]
fn issue_22_the_diff_reports_every_shared_source_once_and_its_result_is_unchanged() {
    let f = vnetsim_testkit::generated(3, 3);
    // Every class of every source is walked, though nothing changed.
    let options = DiffOptions { everything: true, ..DiffOptions::default() };
    let shown = |d: &vnetsim_analysis::diff::Diff| format!("{:?} {:?}", d.sources, d.traffic);
    let plain = shown(&diff(&f, &f, options));
    let recorder = Recorder::default();
    let watched = pool(2).install(|| diff_with(&f, &f, options, &recorder));
    assert_eq!(shown(&watched), plain);
    let sources = watched.sources.len();
    assert!(sources >= 3, "{sources}");
    assert_eq!(recorder.assert_complete(sources), sources as u64);
}

/// Replay reports once per chunk of packets, not per packet.
#[test]
fn issue_22_replay_reports_packets_a_chunk_at_a_time_and_counts_the_same() {
    let f = vnetsim_testkit::generated(3, 3);
    let w = Workload::new(&f, 9);
    let plain = replay_packets(&f, &w, 5..40_005);
    let recorder = Recorder::default();
    let watched = pool(2).install(|| replay_packets_with(&f, &w, 5..40_005, &recorder));
    assert_eq!(watched, plain);
    // 40,000 packets in chunks of 16,384: three reports.
    assert_eq!(recorder.assert_complete(3), 40_000);
}

#[test]
fn issue_22_the_catalogue_replay_reports_every_cell_once_and_counts_the_same() {
    let f = vnetsim_testkit::generated(3, 3);
    let plain = replay_catalogue(&f);
    let recorder = Recorder::default();
    let watched = pool(2).install(|| replay_catalogue_with(&f, &recorder));
    assert_eq!(watched, plain);
    assert!(plain.cells > 0);
    assert_eq!(recorder.assert_complete(plain.cells as usize), plain.cells);
}
