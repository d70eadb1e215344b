//! `vnetsim bench`: the scaling table, one row per generated size.

use crate::output::Report;
use crate::replay::{counted, group};
use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct BenchReport {
    pub packets: u64,
    pub seed: u64,
    pub rounds: u32,
    pub threads: usize,
    pub rows: Vec<BenchRow>,
}

/// One size's figures; times are medians of the rounds, in seconds.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct BenchRow {
    pub spokes: usize,
    pub nics: usize,
    pub firewall_rules: usize,
    pub load_s: f64,
    pub compile_s: f64,
    pub walks_per_s_one_thread: f64,
    pub ns_per_walk_one_thread: f64,
    pub walks_per_s_all_threads: f64,
    pub ns_per_walk_all_threads: f64,
    pub speed_up: f64,
    /// Linux only: the peak resident memory while this size ran.
    pub peak_mib: Option<u64>,
}

impl BenchRow {
    /// The row from the median time of a run of `packets` on one thread and on every thread.
    pub fn new(
        spokes: usize,
        nics: usize,
        firewall_rules: usize,
        times: [f64; 4],
        peak_mib: Option<u64>,
        packets: u64,
    ) -> BenchRow {
        let [load_s, compile_s, one, all] = times;
        let rate = |t: f64| packets as f64 / t.max(1e-9);
        let ns = |t: f64| t * 1e9 / packets as f64;
        BenchRow {
            spokes,
            nics,
            firewall_rules,
            load_s,
            compile_s,
            walks_per_s_one_thread: rate(one),
            ns_per_walk_one_thread: ns(one),
            walks_per_s_all_threads: rate(all),
            ns_per_walk_all_threads: ns(all),
            speed_up: one / all.max(1e-9),
            peak_mib,
        }
    }
}

impl Report for BenchReport {
    const SCHEMA: &'static str = "vnetsim-bench/1";

    /// A Markdown table, ready for docs/performance.md.
    fn human(&self) -> String {
        let mut out = format!(
            "vnetsim bench: {} per run (seed {}), median of {}, {}; a walk is one connection: the request and, if it arrives, its reply\n",
            counted(self.packets, "packet", "packets"),
            self.seed,
            counted(u64::from(self.rounds), "run", "runs"),
            counted(self.threads as u64, "core", "cores")
        );
        out.push_str("verdict cache: none (every packet is walked in full), so every figure is a cache-off figure\n\n");
        let _ = writeln!(
            out,
            "| spokes | NICs | firewall rules | load (s) | compile (s) | walks/s, 1 thread | ns/walk, 1 thread | walks/s, {n} threads | ns/walk, {n} threads | speed-up | peak memory (MiB) |",
            n = self.threads
        );
        out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} | {:.3} | {} | {:.0} | {} | {:.0} | {:.2}× | {} |",
                group(r.spokes as u64),
                group(r.nics as u64),
                group(r.firewall_rules as u64),
                r.load_s,
                r.compile_s,
                group(r.walks_per_s_one_thread as u64),
                r.ns_per_walk_one_thread,
                group(r.walks_per_s_all_threads as u64),
                r.ns_per_walk_all_threads,
                r.speed_up,
                r.peak_mib.map_or_else(|| "n/a".into(), group),
            );
        }
        out
    }
}
