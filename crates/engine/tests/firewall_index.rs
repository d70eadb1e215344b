//! Issue 8: the indexed firewall (rules found by source, destination and target name, never a
//! scan of the whole policy) against the naive evaluator, on generated landing zones whose
//! policies hold thousands of rules across rule collection groups of a parent and a child policy
//! (F-3). Packets are drawn from the rules' own edges: first and last addresses of every prefix
//! and tag and their neighbours, the rules' ports, and names each target does and does not match
//! (F-8, F-9), so every rule is reachable and every boundary is probed.

// Generated policies publish nothing through DNAT, so `Naive::inbound` is unused here (devices.rs
// checks DNAT).
#[allow(dead_code)]
#[path = "support/naive_firewall.rs"]
mod naive_firewall;

use naive_firewall::Naive;
use std::collections::{BTreeSet, HashMap};
use vnetsim_engine::fabric::firewall::FirewallDecision;
use vnetsim_engine::{Fabric, Packet};
use vnetsim_model::{FirewallAddress, FirewallId, IpAddr, IpNet, Protocol, RuleKind, RuleMatch};
use vnetsim_testkit::generated;

/// The first and last address of a prefix, and the addresses just outside it.
fn edges(net: &IpNet, out: &mut Vec<IpAddr>) {
    if let IpNet::V4(n) = net {
        let (first, last) = (u32::from(n.network()), u32::from(n.broadcast()));
        out.extend([first.wrapping_sub(1), first, last, last.wrapping_add(1)].map(|a| IpAddr::V4(a.into())));
    }
}

/// Addresses, ports, protocols and names a packet can take: each rule's own, and all of them.
#[derive(Default)]
struct Pool {
    sources: Vec<IpAddr>,
    destinations: Vec<IpAddr>,
    ports: Vec<u16>,
    protocols: Vec<Protocol>,
    names: Vec<Option<String>>,
}

impl Pool {
    fn absorb(&mut self, other: &Pool) {
        self.sources.extend(&other.sources);
        self.destinations.extend(&other.destinations);
        self.ports.extend(&other.ports);
        self.protocols.extend(&other.protocols);
        self.names.extend(other.names.iter().cloned());
    }
}

/// One pool per rule of the policy, built from the rule's fields.
fn rule_pools(f: &Fabric) -> Vec<Pool> {
    let s = &f.scenario;
    let field = |entries: &[FirewallAddress], out: &mut Vec<IpAddr>| {
        for e in entries {
            match e {
                FirewallAddress::Prefix(p) => edges(p, out),
                FirewallAddress::ServiceTag(t) => s
                    .service_tags
                    .get(t)
                    .into_iter()
                    .flat_map(|t| t.prefixes.iter().take(2))
                    .for_each(|p| edges(p, out)),
                FirewallAddress::Any => out.push("8.8.8.8".parse().expect("address")),
                FirewallAddress::Fqdn(_) => {}
            }
        }
    };
    let mut pools = Vec::new();
    for rule in s.firewalls[0].policy.groups.iter().flat_map(|g| &g.collections).flat_map(|c| &c.rules) {
        let mut pool = Pool { names: vec![None], ..Pool::default() };
        field(&rule.sources, &mut pool.sources);
        match &rule.matcher {
            RuleMatch::Network { destinations, ports, protocols } => {
                field(destinations, &mut pool.destinations);
                pool.protocols = protocols.clone();
                pool.ports = (0..=u16::MAX).filter(|&p| ports.contains(p)).take(3).flat_map(|p| [p, p + 1]).collect();
            }
            RuleMatch::Application { protocols, target_fqdns, .. } => {
                pool.protocols.push(Protocol::Tcp);
                pool.ports.extend(protocols.iter().map(|a| a.port));
                for t in target_fqdns {
                    match t.strip_prefix("*.") {
                        Some(parent) => pool
                            .names
                            .extend([format!("a.{parent}"), format!("a.b.{parent}"), parent.to_string()].map(Some)),
                        None if t == "*" => pool.names.push(Some("anything.example".into())),
                        None => pool.names.extend([Some(t.clone()), Some(t.to_uppercase()), Some(format!("x{t}"))]),
                    }
                }
            }
            RuleMatch::Dnat { destination, port, .. } => {
                pool.destinations.push(*destination);
                pool.ports.push(*port);
            }
        }
        pools.push(pool);
    }
    pools
}

/// A fixed-seed generator: the same packets every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }

    /// A value of the rule's own field or, one time in five (or when it has none), any rule's.
    fn draw<'a, T>(&mut self, own: &'a [T], all: &'a [T]) -> &'a T {
        let from = if own.is_empty() || self.below(5) == 0 { all } else { own };
        &from[self.below(from.len())]
    }
}

/// Draws `count` packets, with the name each carries, each aimed at a rule of the policy.
fn packets(rules: &[Pool], count: usize) -> Vec<(Packet, Option<String>)> {
    let mut all = Pool {
        sources: vec!["10.0.0.4".parse().expect("address")],
        protocols: vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp],
        ports: vec![22, 443],
        ..Pool::default()
    };
    rules.iter().for_each(|r| all.absorb(r));
    all.destinations.push("10.0.0.4".parse().expect("address"));
    let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
    (0..count)
        .map(|_| {
            let own = &rules[rng.below(rules.len())];
            let protocol = *rng.draw(&own.protocols, &all.protocols);
            let port = *rng.draw(&own.ports, &all.ports);
            let packet = Packet {
                protocol,
                source: *rng.draw(&own.sources, &all.sources),
                source_port: 50000,
                destination: *rng.draw(&own.destinations, &all.destinations),
                destination_port: if protocol.has_ports() { port } else { 0 },
            };
            (packet, rng.draw(&own.names, &all.names).clone())
        })
        .collect()
}

fn check(spokes: usize, seed: u64, count: usize) {
    let f = generated(spokes, seed);
    let fw = &f.scenario.firewalls[0];
    let rules: usize = fw.policy.groups.iter().flat_map(|g| &g.collections).map(|c| c.rules.len()).sum();
    assert!(rules > 5 * spokes, "{rules} rules for {spokes} spokes");
    let naive = Naive {
        scenario: &f.scenario,
        policy: &fw.policy,
        private_ip: f.firewall(FirewallId(0)).private_ip,
        fqdns: HashMap::new(),
    };
    let compiled = f.firewall(FirewallId(0));
    let rules = rule_pools(&f);
    let mut decided: HashMap<RuleKind, BTreeSet<String>> = HashMap::new();
    let mut no_rule = 0;
    for (packet, name) in packets(&rules, count) {
        let name = name.as_deref();
        let got = compiled.forward(packet, name);
        let (want, want_source) = naive.forward(&packet, name);
        assert_eq!(got.decision, want, "{packet} name {name:?}");
        assert_eq!(got.packet.source, want_source, "SNAT of {packet} name {name:?}");
        match want {
            FirewallDecision::Rule { pass, at, .. } => {
                decided.entry(pass).or_default().insert(format!("{at:?}"));
            }
            _ => no_rule += 1,
        }
    }
    // The draw reaches many distinct rules of both passes, and the implicit deny.
    assert!(decided.get(&RuleKind::Network).is_some_and(|r| r.len() >= 20), "{decided:?}");
    assert!(decided.get(&RuleKind::Application).is_some_and(|r| r.len() >= 10), "{decided:?}");
    assert!(no_rule > 0);
}

#[test]
fn issue_8_indexed_firewall_matches_naive_evaluator_on_generated_landing_zone() {
    check(250, 1, 6000);
}

#[test]
fn issue_8_indexed_firewall_matches_naive_evaluator_with_another_seed() {
    check(120, 7, 4000);
}
