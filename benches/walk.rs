//! Packets per second of the full connection walk (request and reply, no trace recorded) on
//! every built-in scenario. Run: `cargo bench --bench walk`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use vnetsim_engine::{Fabric, NoTrace, Origin, Packet};
use vnetsim_model::{EndpointId, Place, Protocol, ServiceTagTable};
use vnetsim_testkit::{builtin_scenarios, compile, load_named};

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
    let mut group = c.benchmark_group("walk_connection");
    for path in builtin_scenarios() {
        let text = std::fs::read_to_string(&path).expect("readable scenario");
        let name = path.file_stem().expect("file name").to_string_lossy().into_owned();
        let fabric = compile(load_named(&name, &text, &ServiceTagTable::builtin()));
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
