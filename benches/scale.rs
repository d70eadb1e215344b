//! Issue 8: the engine on generated landing zones (`vnetsim_gen`), growing from 10 to 1,000
//! spokes. Groups: `compile` (fabric compile of a loaded scenario), `walk` (generated packets,
//! full connection walks, nothing recorded, one thread), `replay` (the same packets counted by
//! disposition and deciding object), `reach_audit` (the exhaustive reachability and
//! exfiltration audit of one compute), `diff` (what-if of a one-rule NSG change).
//! Run: `cargo bench --bench scale`; `vnetsim bench` prints the scaling table.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use vnetsim_analysis::diff::{DiffOptions, diff};
use vnetsim_analysis::reach::ReachOptions;
use vnetsim_analysis::replay::workload::Workload;
use vnetsim_analysis::replay::{replay_packets, walk_packets};
use vnetsim_engine::{Fabric, Options};
use vnetsim_model::{EndpointKind, Scenario, ServiceTagTable};
use vnetsim_testkit::{compile, generated, generated_yaml, load_named};

const PACKETS: u64 = 20_000;

fn text(spokes: usize) -> String {
    generated_yaml(spokes, 1)
}

fn scenario(text: &str) -> Scenario {
    load_named("generated.yaml", text, &ServiceTagTable::builtin())
}

fn fabric(spokes: usize) -> Fabric {
    generated(spokes, 1)
}

/// One thread, so figures compare across machines with different core counts.
fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread")
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for spokes in [10, 100, 1000] {
        let s = scenario(&text(spokes));
        group.bench_with_input(BenchmarkId::from_parameter(spokes), &s, |b, s| {
            b.iter(|| Fabric::compile(black_box(s.clone()), Options::default()))
        });
    }
    group.finish();
}

fn bench_walk_and_replay(c: &mut Criterion) {
    let pool = one_thread();
    let fabrics: Vec<(usize, Fabric)> = [10, 100, 1000].into_iter().map(|n| (n, fabric(n))).collect();
    for (name, counted) in [("walk", false), ("replay", true)] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(PACKETS));
        for (spokes, f) in &fabrics {
            let workload = Workload::new(f, 1);
            group.bench_function(BenchmarkId::from_parameter(spokes), |b| {
                b.iter(|| {
                    pool.install(|| {
                        if counted {
                            black_box(replay_packets(f, &workload, 0..PACKETS).connections)
                        } else {
                            black_box(walk_packets(f, &workload, 0..PACKETS))
                        }
                    })
                })
            });
        }
        group.finish();
    }
}

fn bench_reach_audit(c: &mut Criterion) {
    let mut group = c.benchmark_group("reach_audit");
    group.sample_size(10);
    for spokes in [10, 100] {
        let f = fabric(spokes);
        let compute = f
            .scenario
            .endpoints
            .iter()
            .position(|e| e.kind == EndpointKind::ComputeCluster)
            .expect("a compute cluster");
        let source = [vnetsim_model::EndpointId::from_index(compute)];
        group.bench_function(BenchmarkId::from_parameter(spokes), |b| {
            b.iter(|| black_box(vnetsim_analysis::audit::audit(&f, &source, ReachOptions::default()).1))
        });
    }
    group.finish();
}

fn bench_diff(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    for spokes in [10, 100] {
        let before = text(spokes);
        // The file's first NSG deny rule becomes an allow: a one-rule change.
        let after = before.replacen("access: deny", "access: allow", 1);
        assert_ne!(before, after, "the generated file has a deny rule to flip");
        let (a, b) = (fabric_of(&before), fabric_of(&after));
        group.bench_function(BenchmarkId::from_parameter(spokes), |bench| {
            bench.iter(|| black_box(diff(&a, &b, DiffOptions::default()).sources.len()))
        });
    }
    group.finish();
}

fn fabric_of(text: &str) -> Fabric {
    compile(scenario(text))
}

criterion_group!(benches, bench_compile, bench_walk_and_replay, bench_reach_audit, bench_diff);
criterion_main!(benches);
