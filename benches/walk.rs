//! Packets per second of the full connection walk (request and reply, no trace recorded) on
//! every built-in scenario. Run: `cargo bench --bench walk`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use vnetsim_engine::{Fabric, NoTrace, Options, Origin, Packet};
use vnetsim_model::{EndpointId, Place, Protocol, ServiceTagTable};

/// Every endpoint to every endpoint and to the internet, over a few ports and protocols.
fn workload(fabric: &Fabric) -> Vec<(Origin, Packet)> {
    let s = &fabric.scenario;
    let endpoints: Vec<Place> =
        (0..s.endpoints.len()).map(|i| Place::Endpoint { endpoint: EndpointId::from_index(i), node: 0 }).collect();
    let mut destinations = endpoints.clone();
    destinations.push(Place::Address("93.184.216.34".parse().expect("valid")));
    let mut out = Vec::new();
    for &from in &endpoints {
        for &to in &destinations {
            for (protocol, port) in
                [(Protocol::Tcp, 443), (Protocol::Tcp, 22), (Protocol::Udp, 53), (Protocol::Icmp, 0)]
            {
                if let Ok(p) = fabric.packet_between(from, to, protocol, port, 50000) {
                    out.push(p);
                }
            }
        }
    }
    out
}

fn bench_walk(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("scenarios folder").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    let mut group = c.benchmark_group("walk_connection");
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let text = std::fs::read_to_string(path).expect("readable scenario");
        let name = path.file_stem().expect("file name").to_string_lossy().into_owned();
        let scenario =
            vnetsim_config::load_scenario(&name, &text, &ServiceTagTable::builtin()).expect("valid built-in scenario");
        let fabric = Fabric::compile(scenario, Options::default());
        let packets = workload(&fabric);
        if packets.is_empty() {
            continue;
        }
        group.throughput(Throughput::Elements(packets.len() as u64));
        group.bench_function(&name, |b| {
            b.iter(|| {
                let mut delivered = 0usize;
                for &(origin, packet) in &packets {
                    let v = fabric.walk_connection(origin, black_box(packet), &mut NoTrace, &mut NoTrace);
                    delivered += usize::from(v.allowed());
                }
                black_box(delivered)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_walk);
criterion_main!(benches);
