use crate::input::{self, InputError};
use crate::output::{Failure, emit};
use crate::progress::Bar;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use vnetsim_analysis::replay::workload::Workload;
use vnetsim_analysis::replay::{replay_catalogue_with, replay_packets_with};
use vnetsim_report::Format;
use vnetsim_report::replay::{ReplayReport, counted, group};

/// What `replay` was asked for.
pub struct ReplayArgs {
    pub packets: u64,
    /// 0: one per core.
    pub threads: usize,
    pub seed: u64,
    pub top: usize,
}

/// Replays the flow catalogue from every source, then `packets` generated packets, on a pool of
/// `threads` workers. Counts go to standard output (the same bytes at any thread count); how
/// long it took goes to standard error.
pub fn replay(file: &Path, args: &ReplayArgs, format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    let fabric = input::load_fabric(file)?;
    let loaded = started.elapsed();
    let pool = thread_pool(args.threads)?;
    let (catalogue, catalogue_time, packets, packets_time) = pool.install(|| {
        let t = Instant::now();
        let catalogue = replay_catalogue_with(&fabric, &Bar::new("replaying the catalogue:", "cells"));
        let catalogue_time = t.elapsed();
        let workload = Workload::new(&fabric, args.seed);
        let t = Instant::now();
        let packets = replay_packets_with(&fabric, &workload, 0..args.packets, &Bar::new("replaying", "packets"));
        (catalogue, catalogue_time, packets, t.elapsed())
    });
    let mut report =
        ReplayReport::new(file.display().to_string(), fabric.scenario.name.clone(), &catalogue, args.seed, &packets);
    report.top = args.top;
    emit(&report, format, out)?;
    let rate = args.packets as f64 / packets_time.as_secs_f64().max(1e-9);
    crate::output::warn(&format!(
        "replay: loaded and compiled in {:.2} s; catalogue ({}) in {:.2} s; {} in {:.2} s ({} packets/s) on {}\n",
        loaded.as_secs_f64(),
        counted(catalogue.cells, "cell", "cells"),
        catalogue_time.as_secs_f64(),
        counted(args.packets, "packet", "packets"),
        packets_time.as_secs_f64(),
        group(rate as u64),
        counted(pool.current_num_threads() as u64, "thread", "threads"),
    ));
    Ok(ExitCode::SUCCESS)
}

/// The most worker threads a run may ask for: far more than any machine's cores, far fewer than
/// exhaust its memory for stacks.
pub const MAX_THREADS: usize = 1024;

/// A rayon pool of `threads` workers (0: one per core).
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, InputError> {
    if threads > MAX_THREADS {
        return Err(InputError::message(format!("error: --threads {threads}: at most {MAX_THREADS}\n")));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| InputError::message(format!("error: cannot start {threads} threads: {e}\n")))
}
