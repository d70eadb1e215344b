//! Issue 8: batch replay of generated packets and the flow catalogue on generated landing zones.
//! Counts do not depend on the thread count; attributing packets to deciding objects through the
//! step memo gives what explaining every packet gives; the stream is a function of seed and index.

use std::collections::BTreeSet;
use vnetsim_analysis::flows::matrix;
use vnetsim_analysis::replay::tally::{Tally, deciding_trace};
use vnetsim_analysis::replay::workload::Workload;
use vnetsim_analysis::replay::{replay_catalogue, replay_packets, walk_packets};
use vnetsim_engine::walk::Origin;
use vnetsim_engine::{Fabric, Recorder};
use vnetsim_model::Protocol;

/// A generated landing zone of `spokes` spokes (seed 3).
fn generated(spokes: usize) -> Fabric {
    vnetsim_testkit::generated(spokes, 3)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("threads")
}

#[test]
fn issue_8_replay_counts_are_the_same_at_any_thread_count() {
    let f = generated(12);
    let w = Workload::new(&f, 9);
    let one =
        pool(1).install(|| (replay_packets(&f, &w, 0..40_000), replay_catalogue(&f), walk_packets(&f, &w, 0..40_000)));
    let two =
        pool(2).install(|| (replay_packets(&f, &w, 0..40_000), replay_catalogue(&f), walk_packets(&f, &w, 0..40_000)));
    assert_eq!(one.0, two.0);
    assert_eq!(one.1, two.1);
    assert_eq!(one.2, two.2);
    assert_eq!(one.0.connections, 40_000);
    assert_eq!(one.0.by_disposition.values().sum::<u64>(), 40_000);
    assert_eq!(one.0.by_decider.values().sum::<u64>(), 40_000);
    // The recorded replay and the bare walk agree on how many connections worked.
    assert_eq!(one.0.by_disposition.get("delivered").copied().unwrap_or(0), one.2);
    // A slice of the stream counts the same wherever it starts.
    let halves = replay_packets(&f, &w, 0..17_000).merge(replay_packets(&f, &w, 17_000..40_000));
    assert_eq!(halves, one.0);
}

#[test]
fn issue_8_memoised_deciders_match_explaining_every_packet() {
    let f = generated(8);
    let w = Workload::new(&f, 1);
    let mut reference = Tally::default();
    for i in 0..6_000 {
        let g = w.packet(i);
        let (mut request, mut reply) = (Recorder::default(), Recorder::default());
        let v = f.walk_connection_to(g.origin, g.packet, g.name(&f), &mut request, &mut reply);
        let decider = f.decider_of(deciding_trace(&v, &request.steps, &reply.steps));
        reference.add(decider, v.disposition().name(), 1);
    }
    let memoised = replay_packets(&f, &w, 0..6_000);
    assert_eq!(memoised, reference);
    // The stream is varied enough to mean something: several dispositions and many deciders,
    // among them firewall rules and NSG rules.
    assert!(reference.by_disposition.len() >= 4, "{:?}", reference.by_disposition);
    let kinds: BTreeSet<&str> =
        reference.by_decider.keys().filter_map(|(d, _)| d.as_ref().map(|d| d.kind.name())).collect();
    assert!(kinds.contains("firewall") && kinds.contains("nsg"), "{kinds:?}");
    assert!(reference.by_decider.len() >= 30, "{}", reference.by_decider.len());
}

#[test]
fn issue_8_workload_is_a_function_of_seed_and_index() {
    let f = generated(6);
    let (a, b, other) = (Workload::new(&f, 5), Workload::new(&f, 5), Workload::new(&f, 6));
    let key = |w: &Workload, i| {
        let g = w.packet(i);
        (format!("{:?}", g.origin), g.packet, g.service)
    };
    assert!((0..1000).all(|i| key(&a, i) == key(&b, i)));
    assert!((0..1000).filter(|&i| key(&a, i) != key(&other, i)).count() > 900);
    // The mix reaches every kind of source and destination.
    let packets: Vec<_> = (0..5000).map(|i| a.packet(i)).collect();
    assert!(packets.iter().any(|g| matches!(g.origin, Origin::OnPrem(_))));
    assert!(packets.iter().any(|g| matches!(g.origin, Origin::Internet)));
    assert!(packets.iter().any(|g| g.name(&f).name.is_some()));
    assert!(packets.iter().any(|g| g.packet.protocol == Protocol::Icmp && g.packet.destination_port == 0));
    assert!(packets.iter().any(|g| g.packet.protocol == Protocol::Udp && g.packet.destination_port == 53));
}

#[test]
fn issue_8_catalogue_replay_counts_the_flow_matrix() {
    let f = generated(5);
    let cells = matrix(&f, None, None);
    let t = replay_catalogue(&f);
    assert_eq!(t.cells, cells.len() as u64);
    for status in ["works", "broken", "n/a"] {
        let want = cells.iter().filter(|c| c.status.name() == status).count() as u64;
        assert_eq!(t.by_status.get(status).copied().unwrap_or(0), want, "{status}");
    }
    let connections: u64 = cells.iter().map(|c| c.connections.len() as u64).sum();
    assert_eq!(t.connections.connections, connections);
    let blocked = cells.iter().flat_map(|c| &c.connections).filter(|c| !c.allowed && c.decided_by.is_some()).count();
    let counted: u64 = t.connections.by_decider.iter().filter(|((d, _), _)| d.is_some()).map(|(_, n)| n).sum();
    assert_eq!(counted, blocked as u64);
}
