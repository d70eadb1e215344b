use super::replay::thread_pool;
use crate::input::{self, InputError};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use vnetsim_analysis::replay::walk_packets;
use vnetsim_analysis::replay::workload::Workload;
use vnetsim_engine::{Fabric, Options};
use vnetsim_report::replay::group;

/// What `bench` was asked for.
pub struct BenchArgs<'a> {
    pub spokes: &'a [usize],
    pub packets: u64,
    /// Timed runs per thread count, alternating one thread and all threads.
    pub rounds: u32,
    pub seed: u64,
}

/// One size's figures.
struct Row {
    spokes: usize,
    nics: usize,
    rules: usize,
    load: Duration,
    compile: Duration,
    one: Duration,
    all: Duration,
    peak_mib: Option<u64>,
}

/// For each size: generates the landing zone, loads it, compiles the fabric, and walks the
/// same generated packets on one thread and on every core; prints a Markdown table.
pub fn bench(args: &BenchArgs<'_>) -> Result<ExitCode, InputError> {
    if let Some(&n) = args.spokes.iter().find(|&&n| n > vnetsim_gen::MAX_SPOKES) {
        return Err(InputError(format!(
            "error: --spokes {n}: at most {} spokes fit the address plan\n",
            vnetsim_gen::MAX_SPOKES
        )));
    }
    if args.packets == 0 {
        return Err(InputError("error: --packets must be at least 1\n".into()));
    }
    if args.rounds == 0 {
        return Err(InputError("error: --rounds must be at least 1\n".into()));
    }
    let one = thread_pool(1)?;
    let all = thread_pool(0)?;
    println!(
        "vnetsim bench: {} packets per run (seed {}), median of {} runs, {} cores; a walk is one connection: the request and, if it arrives, its reply",
        group(args.packets),
        args.seed,
        args.rounds,
        all.current_num_threads()
    );
    println!("verdict cache: none (every packet is walked in full), so every figure is a cache-off figure\n");
    println!(
        "| spokes | NICs | firewall rules | load (s) | compile (s) | walks/s, 1 thread | ns/walk, 1 thread | walks/s, {n} threads | ns/walk, {n} threads | speed-up | peak memory (MiB) |",
        n = all.current_num_threads()
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &spokes in args.spokes {
        let row = measure(spokes, args, &one, &all)?;
        println!("{}", render(&row, args.packets));
    }
    Ok(ExitCode::SUCCESS)
}

fn measure(
    spokes: usize,
    args: &BenchArgs<'_>,
    one: &rayon::ThreadPool,
    all: &rayon::ThreadPool,
) -> Result<Row, InputError> {
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
    let fabric = Fabric::compile(scenario, Options::default());
    let compile = t.elapsed();
    let workload = Workload::new(&fabric, args.seed);
    let run = |pool: &rayon::ThreadPool| {
        let t = Instant::now();
        let worked = pool.install(|| walk_packets(&fabric, &workload, 0..args.packets));
        (t.elapsed(), worked)
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
    Ok(Row {
        spokes,
        nics: s.nics.len(),
        rules: s
            .firewalls
            .iter()
            .flat_map(|f| &f.policy.groups)
            .flat_map(|g| &g.collections)
            .map(|c| c.rules.len())
            .sum(),
        load,
        compile,
        one: median(one_times),
        all: median(all_times),
        peak_mib: peak_memory_kib().map(|k| k / 1024),
    })
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn render(r: &Row, packets: u64) -> String {
    let rate = |d: Duration| group((packets as f64 / d.as_secs_f64().max(1e-9)) as u64);
    let ns = |d: Duration| format!("{:.0}", d.as_nanos() as f64 / packets as f64);
    format!(
        "| {} | {} | {} | {:.2} | {:.3} | {} | {} | {} | {} | {:.2}× | {} |",
        group(r.spokes as u64),
        group(r.nics as u64),
        group(r.rules as u64),
        r.load.as_secs_f64(),
        r.compile.as_secs_f64(),
        rate(r.one),
        ns(r.one),
        rate(r.all),
        ns(r.all),
        r.one.as_secs_f64() / r.all.as_secs_f64().max(1e-9),
        r.peak_mib.map_or_else(|| "n/a".into(), group),
    )
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
