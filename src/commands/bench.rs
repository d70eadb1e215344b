use super::replay::thread_pool;
use crate::input::{self, InputError};
use crate::output::{Failure, emit};
use crate::progress::Bar;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use vnetsim_analysis::progress::Progress;
use vnetsim_analysis::replay::walk_packets;
use vnetsim_analysis::replay::workload::Workload;
use vnetsim_engine::{Fabric, Options};
use vnetsim_report::bench::{BenchReport, BenchRow};
use vnetsim_report::{Format, plural};

/// What `bench` was asked for.
pub struct BenchArgs<'a> {
    pub spokes: &'a [usize],
    pub packets: u64,
    /// Timed runs per thread count, alternating one thread and all threads.
    pub rounds: u32,
    pub seed: u64,
}

/// For each size: generates the landing zone, loads it, compiles the fabric, and walks the
/// same generated packets on one thread and on every core; reports one row per size (progress
/// on standard error, since a large size takes minutes).
pub fn bench(args: &BenchArgs<'_>, format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    if let Some(&n) = args.spokes.iter().find(|&&n| n > vnetsim_gen::MAX_SPOKES) {
        return Err(Failure::Input(format!(
            "error: --spokes {n}: at most {} spokes fit the address plan\n",
            vnetsim_gen::MAX_SPOKES
        )));
    }
    if args.packets == 0 {
        return Err(Failure::Input("error: --packets must be at least 1\n".into()));
    }
    if args.rounds == 0 {
        return Err(Failure::Input("error: --rounds must be at least 1\n".into()));
    }
    let one = thread_pool(1)?;
    let all = thread_pool(0)?;
    let mut rows = Vec::new();
    for &spokes in args.spokes {
        crate::output::warn(&format!("bench: {}…\n", plural(spokes, "spoke", "spokes")));
        rows.push(measure(spokes, args, &one, &all)?);
    }
    let report = BenchReport {
        packets: args.packets,
        seed: args.seed,
        rounds: args.rounds,
        threads: all.current_num_threads(),
        rows,
    };
    emit(&report, format, out)?;
    Ok(ExitCode::SUCCESS)
}

fn measure(
    spokes: usize,
    args: &BenchArgs<'_>,
    one: &rayon::ThreadPool,
    all: &rayon::ThreadPool,
) -> Result<BenchRow, InputError> {
    reset_peak_memory();
    let source = input::Source {
        name: format!("generated-{spokes}.yaml"),
        text: vnetsim_gen::generate(&vnetsim_gen::Options { spokes, seed: args.seed }),
    };
    let t = Instant::now();
    let scenario = input::load(&source)?;
    let load = t.elapsed();
    drop(source);
    let t = Instant::now();
    let fabric = Fabric::compile(scenario, crate::semantics::apply(Options::default()));
    let compile = t.elapsed();
    let workload = Workload::new(&fabric, args.seed);
    // Timed runs only; the bar is drawn between them, never during one.
    let bar = Bar::quiet(&format!("bench: {},", plural(spokes, "spoke", "spokes")), "timed runs");
    bar.start(2 * u64::from(args.rounds));
    let run = |pool: &rayon::ThreadPool| {
        let t = Instant::now();
        let worked = pool.install(|| walk_packets(&fabric, &workload, 0..args.packets));
        let elapsed = t.elapsed();
        bar.advance(1);
        (elapsed, worked)
    };
    for pool in [one, all] {
        pool.install(|| walk_packets(&fabric, &workload, 0..args.packets.min(20_000)));
    }
    // Rounds alternate thread counts, so a noisy spell on the machine hits both alike.
    let (mut one_times, mut all_times) = (Vec::new(), Vec::new());
    for _ in 0..args.rounds {
        let (one_time, worked_one) = run(one);
        let (all_time, worked_all) = run(all);
        // The same packets give the same verdicts on any number of threads.
        debug_assert_eq!(worked_one, worked_all);
        one_times.push(one_time);
        all_times.push(all_time);
    }
    let s = &fabric.scenario;
    let rules =
        s.firewalls.iter().flat_map(|f| &f.policy.groups).flat_map(|g| &g.collections).map(|c| c.rules.len()).sum();
    let times = [load, compile, median(one_times), median(all_times)].map(|d| d.as_secs_f64());
    Ok(BenchRow::new(spokes, s.nics.len(), rules, times, peak_memory_kib().map(|k| k / 1024), args.packets))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// Linux: the process's peak resident memory so far (`VmHWM`), in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Linux: starts the peak over at the current resident memory, so each size reports its own.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
