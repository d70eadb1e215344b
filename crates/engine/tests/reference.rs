//! The compiled fast paths against a naive reference written from `azure-semantics.md`.
//!
//! * NSG evaluation (N-1..N-5, N-11..N-13): `CompiledNsg::evaluate` against a sort-and-scan over
//!   the model rules, with the contextual tags computed here from the scenario.
//! * Route lookup (R-2, R-3, R-6, R-8, R-9): `EffectiveRoutes::lookup` against a linear scan over
//!   a candidate list built here from the scenario.
//!
//! The reference reads only the model scenario and its service-tag data; it shares no code with
//! the engine. Inputs are built programmatically; one test checks that YAML loading produces the
//! same model for a representative case.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use std::collections::HashSet;
use vnetsim_engine::fabric::routes::{RouteSource, RouteState};
use vnetsim_engine::{Fabric, Options, Packet};
use vnetsim_model::addr::AZURE_PLATFORM_VIP;
use vnetsim_model::*;

// ---------------------------------------------------------------------------------------------
// Plain IPv4 helpers (written here, not taken from the engine).

fn net(s: &str) -> Ipv4Net {
    s.parse().expect("valid prefix in test")
}

fn mask(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) }
}

fn v4(n: &IpNet) -> Ipv4Net {
    match n {
        IpNet::V4(n) => *n,
        IpNet::V6(n) => panic!("unexpected IPv6 prefix {n}"),
    }
}

fn ip4(ip: IpAddr) -> Ipv4Addr {
    match ip {
        IpAddr::V4(a) => a,
        IpAddr::V6(a) => panic!("unexpected IPv6 address {a}"),
    }
}

fn first(n: Ipv4Net) -> u32 {
    u32::from(n.addr()) & mask(n.prefix_len())
}

fn last(n: Ipv4Net) -> u32 {
    first(n) | !mask(n.prefix_len())
}

fn holds(n: Ipv4Net, ip: Ipv4Addr) -> bool {
    (first(n)..=last(n)).contains(&u32::from(ip))
}

/// Whether `outer` contains (or equals) `inner`.
fn covers(outer: Ipv4Net, inner: Ipv4Net) -> bool {
    first(outer) <= first(inner) && last(inner) <= last(outer)
}

fn intersect(a: Ipv4Net, b: Ipv4Net) -> bool {
    covers(a, b) || covers(b, a)
}

// ---------------------------------------------------------------------------------------------
// Scenario construction.

const LOCAL_VNET: VnetId = VnetId(0);
const PEER_VNET: VnetId = VnetId(1);
const LOCAL_SUBNET: SubnetId = SubnetId(0);
const PEER_SUBNET: SubnetId = SubnetId(1);

#[derive(Clone, Debug)]
struct PeerSpec {
    space: Ipv4Net,
    /// Both links declared (R-15 `Connected`); otherwise only local → peer (`Initiated`).
    both_sides: bool,
    allow_access: bool,
}

/// One VNet `local` with one subnet `app` (optional NSG and route table), and optionally a VNet
/// `peer` with one subnet `peer-app`.
fn build(
    local_space: &[Ipv4Net],
    custom_rules: Option<Vec<NsgRule>>,
    routes: Option<Vec<Route>>,
    peer: Option<&PeerSpec>,
) -> Scenario {
    // The second /24 of the space (10.0.0.0/16 → 10.0.1.0/24), or the whole space if smaller.
    let subnet_of = |space: Ipv4Net| {
        let len = space.prefix_len();
        let (start, len) = if len <= 23 { (first(space) + 256, 24) } else { (first(space), len) };
        IpNet::V4(Ipv4Net::new(Ipv4Addr::from(start), len).expect("valid subnet"))
    };
    let mut s = Scenario {
        name: "reference".into(),
        region: "eastus".into(),
        service_tags: ServiceTagTable::builtin(),
        ..Scenario::default()
    };
    s.vnets.push(Vnet {
        name: "local".into(),
        address_space: local_space.iter().map(|n| IpNet::V4(*n)).collect(),
        dns_servers: vec![],
        subnets: vec![LOCAL_SUBNET],
    });
    s.subnets.push(Subnet {
        name: "app".into(),
        vnet: LOCAL_VNET,
        prefix: subnet_of(local_space[0]),
        nsg: None,
        route_table: None,
        service_endpoints: vec![],
        service_endpoint_policies: vec![],
        private_endpoint_network_policies: PrivateEndpointNetworkPolicies::default(),
        default_outbound_access: true,
        nat_gateway: None,
    });
    if let Some(custom) = custom_rules {
        let mut rules = custom;
        rules.extend(NsgRule::defaults());
        s.nsgs.push(Nsg { name: "app-nsg".into(), rules });
        s.subnets[0].nsg = Some(NsgId(0));
    }
    if let Some(routes) = routes {
        s.route_tables.push(RouteTable { name: "app-routes".into(), disable_bgp_route_propagation: false, routes });
        s.subnets[0].route_table = Some(RouteTableId(0));
    }
    if let Some(p) = peer {
        s.vnets.push(Vnet {
            name: "peer".into(),
            address_space: vec![IpNet::V4(p.space)],
            dns_servers: vec![],
            subnets: vec![PEER_SUBNET],
        });
        s.subnets.push(Subnet {
            name: "peer-app".into(),
            vnet: PEER_VNET,
            prefix: subnet_of(p.space),
            ..s.subnets[0].clone()
        });
        s.subnets[1].nsg = None;
        s.subnets[1].route_table = None;
        let link = |name: &str, local, remote| Peering {
            name: name.into(),
            local,
            remote,
            allow_virtual_network_access: p.allow_access,
            allow_forwarded_traffic: false,
            allow_gateway_transit: false,
            use_remote_gateways: false,
        };
        s.peerings.push(link("local-to-peer", LOCAL_VNET, PEER_VNET));
        if p.both_sides {
            s.peerings.push(link("peer-to-local", PEER_VNET, LOCAL_VNET));
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Reference: NSG evaluation.

/// The prefixes a UDR stands for: its prefix, or every prefix of its service tag (R-7).
fn udr_prefixes(s: &Scenario, r: &Route) -> Vec<Ipv4Net> {
    match &r.destination {
        RouteDestination::Prefix(p) => vec![v4(p)],
        RouteDestination::ServiceTag(t) => {
            s.service_tags.get(t).unwrap_or_else(|| panic!("unknown tag {t}")).prefixes.iter().map(v4).collect()
        }
    }
}

/// R-15: a link carries traffic only when the reverse link exists too.
fn connected(s: &Scenario, p: &Peering) -> bool {
    s.peerings.iter().any(|q| q.local == p.remote && q.remote == p.local)
}

/// N-11: the VirtualNetwork tag for NSGs protecting `subnet`: the VNet's address space, connected
/// peers that allow access, the host VIP 168.63.129.16, and the prefixes of the subnet's UDRs.
fn ref_virtual_network(s: &Scenario, subnet: SubnetId) -> Vec<Ipv4Net> {
    let sub = &s.subnets[subnet.index()];
    let mut set: Vec<Ipv4Net> = s.vnets[sub.vnet.index()].address_space.iter().map(v4).collect();
    set.push(Ipv4Net::new(AZURE_PLATFORM_VIP, 32).expect("valid"));
    for p in &s.peerings {
        if p.local == sub.vnet && p.allow_virtual_network_access && connected(s, p) {
            set.extend(s.vnets[p.remote.index()].address_space.iter().map(v4));
        }
    }
    if let Some(t) = sub.route_table {
        for r in &s.route_tables[t.index()].routes {
            set.extend(udr_prefixes(s, r));
        }
    }
    set
}

fn ref_address_matches(s: &Scenario, vnet_tag: &[Ipv4Net], m: &AddressMatch, ip: IpAddr) -> bool {
    let ip = ip4(ip);
    match m {
        AddressMatch::Any => true,
        AddressMatch::Prefixes(p) => p.iter().any(|n| holds(v4(n), ip)),
        AddressMatch::ServiceTag(t) => match t.as_str() {
            "VirtualNetwork" => vnet_tag.iter().any(|n| holds(*n, ip)),
            // N-12: the complement of the subnet's VirtualNetwork.
            "Internet" => !vnet_tag.iter().any(|n| holds(*n, ip)),
            // N-13.
            "AzureLoadBalancer" => ip == AZURE_PLATFORM_VIP,
            // N-14.
            other => s.service_tags.get(other).expect("known tag").prefixes.iter().any(|n| holds(v4(n), ip)),
        },
        AddressMatch::Asg(_) => unreachable!("no ASGs in generated rules"),
    }
}

fn ref_ports_match(set: &PortSet, port: u16) -> bool {
    set.ranges().iter().any(|r| r.first <= port && port <= r.last)
}

/// N-4: rules of the direction in ascending priority, first match decides. Returns the access and
/// the index of the deciding rule in the model NSG.
fn ref_nsg(
    s: &Scenario,
    subnet: SubnetId,
    nsg: &Nsg,
    direction: Direction,
    p: &Packet,
    ignore_source_port: bool,
) -> (Access, usize) {
    let vnet_tag = ref_virtual_network(s, subnet);
    let mut order: Vec<(u16, usize)> =
        nsg.rules.iter().enumerate().filter(|(_, r)| r.direction == direction).map(|(i, r)| (r.priority, i)).collect();
    order.sort();
    // N-1: only TCP and UDP carry ports.
    let has_ports = matches!(p.protocol, Protocol::Tcp | Protocol::Udp);
    for (_, i) in order {
        let r = &nsg.rules[i];
        // N-3 (default option): Any matches every protocol.
        let protocol = match r.protocol {
            ProtocolMatch::Any => true,
            ProtocolMatch::One(x) => x == p.protocol,
        };
        let ports = !has_ports
            || ((ignore_source_port || ref_ports_match(&r.source_ports, p.source_port))
                && ref_ports_match(&r.destination_ports, p.destination_port));
        if protocol
            && ports
            && ref_address_matches(s, &vnet_tag, &r.source, p.source)
            && ref_address_matches(s, &vnet_tag, &r.destination, p.destination)
        {
            return (r.access, i);
        }
    }
    panic!("no rule matched, but the default DenyAll rules match everything (N-5)")
}

// ---------------------------------------------------------------------------------------------
// Reference: route lookup.

#[derive(Clone, Debug)]
struct Candidate {
    prefix: Ipv4Net,
    next_hop: NextHop,
    user: bool,
    /// R-9 among UDRs with the same prefix: 0 explicit prefix, 1 regional tag, 2 top-level tag,
    /// 3 AzureCloud regional, 4 AzureCloud. Unused for system routes.
    rank: u8,
    /// Definition order among UDRs.
    order: usize,
}

const RESERVED: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/// R-9, from the tag's own data.
fn ref_tag_rank(s: &Scenario, name: &str) -> u8 {
    let tag = s.service_tags.get(name).expect("known tag");
    let lower = tag.name.to_ascii_lowercase();
    let cloud = lower == "azurecloud" || lower.starts_with("azurecloud.");
    match (cloud, tag.region.is_some()) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 3,
        (true, false) => 4,
    }
}

/// Every route of `subnet`'s effective table, per R-2, R-3, R-6 and the subnet's UDRs.
fn ref_candidates(s: &Scenario, subnet: SubnetId) -> Vec<Candidate> {
    let sub = &s.subnets[subnet.index()];
    let space: Vec<Ipv4Net> = s.vnets[sub.vnet.index()].address_space.iter().map(v4).collect();
    let system = |prefix, next_hop| Candidate { prefix, next_hop, user: false, rank: 0, order: 0 };
    let mut out = Vec::new();
    let mut udr_default = false;
    if let Some(t) = sub.route_table {
        for (order, r) in s.route_tables[t.index()].routes.iter().enumerate() {
            let rank = match &r.destination {
                RouteDestination::Prefix(_) => 0,
                RouteDestination::ServiceTag(t) => ref_tag_rank(s, t),
            };
            for prefix in udr_prefixes(s, r) {
                udr_default |= prefix.prefix_len() == 0;
                out.push(Candidate { prefix, next_hop: r.next_hop, user: true, rank, order });
            }
        }
    }
    // R-2.
    for &a in &space {
        out.push(system(a, NextHop::VnetLocal));
    }
    out.push(system(net("0.0.0.0/0"), NextHop::Internet));
    // R-2 reserved ranges, with R-3: an address space equal to a reserved range turns its route
    // into VnetLocal (already there as the address-space route); one containing it removes it; a
    // 0.0.0.0/0 UDR removes them all.
    // Connected peers' address spaces shadow reserved ranges the same way (the engine's reading
    // of R-3: a peering route for 10.0.0.0/8 must not lose to the local reserved `None` route).
    let peer_space: Vec<Ipv4Net> = s
        .peerings
        .iter()
        .filter(|p| p.local == sub.vnet && connected(s, p))
        .flat_map(|p| s.vnets[p.remote.index()].address_space.iter().map(v4))
        .collect();
    for reserved in RESERVED.map(net) {
        if !udr_default && !space.iter().chain(&peer_space).any(|a| covers(*a, reserved)) {
            out.push(system(reserved, NextHop::None));
        }
    }
    // R-6: each address range of a connected peered VNet.
    for p in s.peerings.iter().filter(|p| p.local == sub.vnet && connected(s, p)) {
        for a in &s.vnets[p.remote.index()].address_space {
            out.push(system(v4(a), NextHop::VNetPeering));
        }
    }
    out
}

/// R-8: longest prefix, then UDR over system, then (R-9) rank, then the first defined.
fn ref_lookup(candidates: &[Candidate], ip: Ipv4Addr) -> Candidate {
    let mut matching: Vec<&Candidate> = candidates.iter().filter(|c| holds(c.prefix, ip)).collect();
    matching.sort_by_key(|c| (std::cmp::Reverse(c.prefix.prefix_len()), !c.user, c.rank, c.order));
    let best = matching[0];
    if let Some(second) = matching.get(1) {
        assert!(
            best.user || second.prefix.prefix_len() != best.prefix.prefix_len(),
            "generated scenario has two system routes for {}: the spec does not order them",
            best.prefix
        );
    }
    best.clone()
}

// ---------------------------------------------------------------------------------------------
// Strategies.

/// An address in the small universe rules and packets are drawn from, so that matches happen.
fn address() -> impl Strategy<Value = Ipv4Addr> {
    let at = |base: &str, bits: u32| {
        let base = u32::from(net(base).network());
        (0..(1u32 << bits)).prop_map(move |o| Ipv4Addr::from(base + o))
    };
    prop_oneof![
        4 => at("10.0.0.0/14", 18),
        2 => at("10.0.1.0/24", 8),
        1 => Just(AZURE_PLATFORM_VIP),
        2 => at("40.64.0.0/10", 22),
        1 => at("172.16.0.0/16", 16),
        1 => select(vec![
            Ipv4Addr::new(203, 0, 113, 10),
            Ipv4Addr::new(8, 8, 8, 8),
            Ipv4Addr::new(168, 63, 129, 17),
            Ipv4Addr::new(0, 0, 0, 0),
            Ipv4Addr::new(255, 255, 255, 255),
        ]),
        1 => any::<u32>().prop_map(Ipv4Addr::from),
    ]
}

fn prefix() -> impl Strategy<Value = Ipv4Net> {
    (address(), prop_oneof![1 => Just(0u8), 1 => 1u8..=15, 6 => 16u8..=32])
        .prop_map(|(a, len)| Ipv4Net::new(a, len).expect("length ≤ 32").trunc())
}

/// Where a packet address comes from: the pool, or inside / at the edge of one of the prefixes the
/// scenario mentions (picked by index at test time).
#[derive(Clone, Debug)]
enum Pick {
    Pool(Ipv4Addr),
    Inside(usize, u32),
    /// 0: network address, 1: last address, 2: just below, 3: just above.
    Edge(usize, u8),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        2 => address().prop_map(Pick::Pool),
        3 => (any::<usize>(), any::<u32>()).prop_map(|(i, o)| Pick::Inside(i, o)),
        2 => (any::<usize>(), 0u8..4).prop_map(|(i, e)| Pick::Edge(i, e)),
    ]
}

fn resolve_pick(p: &Pick, prefixes: &[Ipv4Net]) -> Ipv4Addr {
    match *p {
        Pick::Pool(a) => a,
        Pick::Inside(i, offset) => {
            let n = prefixes[i % prefixes.len()];
            Ipv4Addr::from(first(n) | (offset & !mask(n.prefix_len())))
        }
        Pick::Edge(i, e) => {
            let n = prefixes[i % prefixes.len()];
            Ipv4Addr::from(match e {
                0 => first(n),
                1 => last(n),
                2 => first(n).wrapping_sub(1),
                _ => last(n).wrapping_add(1),
            })
        }
    }
}

const PORTS: [u16; 10] = [0, 22, 80, 443, 1000, 1001, 1433, 3389, 50000, 65535];

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![3 => select(PORTS.to_vec()), 1 => any::<u16>()]
}

fn port_range() -> impl Strategy<Value = PortRange> {
    (port(), port()).prop_map(|(a, b)| PortRange { first: a.min(b), last: a.max(b) })
}

fn port_set() -> impl Strategy<Value = PortSet> {
    prop_oneof![
        3 => Just(PortSet::any()),
        2 => port().prop_map(|p| PortSet::new(vec![PortRange::single(p)])),
        2 => port_range().prop_map(|r| PortSet::new(vec![r])),
        2 => vec(prop_oneof![port().prop_map(PortRange::single), port_range()], 2..=4).prop_map(PortSet::new),
    ]
}

const NSG_TAGS: [&str; 6] =
    ["VirtualNetwork", "Internet", "AzureLoadBalancer", "Storage", "Storage.eastus", "AzureCloud"];

fn address_match() -> impl Strategy<Value = AddressMatch> {
    prop_oneof![
        2 => Just(AddressMatch::Any),
        4 => vec(prefix(), 1..=3).prop_map(|p| AddressMatch::Prefixes(p.into_iter().map(IpNet::V4).collect())),
        3 => select(NSG_TAGS.to_vec()).prop_map(|t| AddressMatch::ServiceTag(t.to_string())),
    ]
}

fn protocol_match() -> impl Strategy<Value = ProtocolMatch> {
    prop_oneof![
        2 => Just(ProtocolMatch::Any),
        3 => select(vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp]).prop_map(ProtocolMatch::One),
    ]
}

fn direction() -> impl Strategy<Value = Direction> {
    select(vec![Direction::Inbound, Direction::Outbound])
}

fn nsg_rule() -> impl Strategy<Value = NsgRule> {
    (
        // A narrow band makes same-priority pairs across directions (allowed) frequent.
        prop_oneof![1 => 100u16..=104, 2 => 100u16..=4096],
        direction(),
        select(vec![Access::Allow, Access::Deny]),
        protocol_match(),
        address_match(),
        port_set(),
        address_match(),
        port_set(),
    )
        .prop_map(
            |(priority, direction, access, protocol, source, source_ports, destination, destination_ports)| NsgRule {
                name: String::new(),
                priority,
                direction,
                access,
                protocol,
                source,
                source_ports,
                destination,
                destination_ports,
                is_default: false,
            },
        )
}

/// N-4: drops rules whose (direction, priority) is taken, and names the rest.
fn unique_rules(rules: Vec<NsgRule>) -> Vec<NsgRule> {
    let mut seen = HashSet::new();
    rules
        .into_iter()
        .filter(|r| seen.insert((r.direction, r.priority)))
        .enumerate()
        .map(|(i, r)| NsgRule { name: format!("rule{i}"), ..r })
        .collect()
}

/// Prefixes worth hitting exactly with a UDR: address spaces, reserved ranges, peer spaces, tag
/// prefixes (Storage, Storage.eastus, AzureCloud, Sql).
const NOTABLE_ROUTE_PREFIXES: [&str; 16] = [
    "0.0.0.0/0",
    "10.0.0.0/16",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "10.0.1.0/24",
    "172.16.0.0/16",
    "172.16.5.0/24",
    "52.20.0.0/16",
    "40.68.0.0/16",
    "40.68.0.0/20",
    "40.68.32.0/20",
    "40.64.0.0/10",
    "40.65.0.0/20",
    "40.76.0.0/16",
];

/// Tags for UDRs: regional, top-level, AzureCloud regional and AzureCloud (R-9). The first four
/// share 40.68.0.0/20 or contain it, so same-prefix ties between ranks are frequent; the others
/// add more /20s of AzureCloud.eastus and a non-regional tag with a dot in its name.
const ROUTE_TAGS: [&str; 4] = ["Storage.eastus", "Storage", "AzureCloud.eastus", "AzureCloud"];
const MORE_ROUTE_TAGS: [&str; 6] = [
    "Storage.westus",
    "Sql",
    "Sql.eastus",
    "AzureActiveDirectory",
    "AzureFrontDoor.FrontEnd",
    "AzureMachineLearning.eastus",
];

fn route() -> impl Strategy<Value = Route> {
    let destination = prop_oneof![
        1 => Just(RouteDestination::Prefix(IpNet::V4(net("0.0.0.0/0")))),
        3 => select(NOTABLE_ROUTE_PREFIXES.to_vec()).prop_map(|p| RouteDestination::Prefix(IpNet::V4(net(p)))),
        3 => prefix().prop_map(|p| RouteDestination::Prefix(IpNet::V4(p))),
        3 => select(ROUTE_TAGS.to_vec()).prop_map(|t| RouteDestination::ServiceTag(t.to_string())),
        1 => select(MORE_ROUTE_TAGS.to_vec()).prop_map(|t| RouteDestination::ServiceTag(t.to_string())),
    ];
    let next_hop = prop_oneof![
        select(vec![Ipv4Addr::new(10, 0, 2, 4), Ipv4Addr::new(172, 16, 5, 4)])
            .prop_map(|ip| NextHop::VirtualAppliance(IpAddr::V4(ip))),
        Just(NextHop::VirtualNetworkGateway),
        Just(NextHop::VnetLocal),
        Just(NextHop::Internet),
        Just(NextHop::None),
    ];
    (destination, next_hop).prop_map(|(destination, next_hop)| Route { name: String::new(), destination, next_hop })
}

fn named(routes: Vec<Route>) -> Vec<Route> {
    routes.into_iter().enumerate().map(|(i, r)| Route { name: format!("route{i}"), ..r }).collect()
}

/// Prefixes that packets are aimed at (inside or at the edge of).
fn interesting_prefixes(s: &Scenario, extra: impl IntoIterator<Item = Ipv4Net>) -> Vec<Ipv4Net> {
    let mut out: Vec<Ipv4Net> = extra.into_iter().collect();
    out.extend(RESERVED.map(net));
    out.push(Ipv4Net::new(AZURE_PLATFORM_VIP, 32).expect("valid"));
    for v in &s.vnets {
        out.extend(v.address_space.iter().map(v4));
    }
    for t in ["Storage", "Storage.eastus", "AzureCloud", "Sql.eastus"] {
        out.extend(s.service_tags.get(t).expect("builtin tag").prefixes.iter().map(v4));
    }
    for t in &s.route_tables {
        for r in &t.routes {
            out.extend(udr_prefixes(s, r));
        }
    }
    for n in &s.nsgs {
        for r in &n.rules {
            for m in [&r.source, &r.destination] {
                if let AddressMatch::Prefixes(p) = m {
                    out.extend(p.iter().map(v4));
                }
            }
        }
    }
    out
}

fn config(cases: u32) -> Config {
    // No regression files: this test must not write into the repository.
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------------------------------------
// 1. NSG evaluation.

#[derive(Clone, Debug)]
struct PacketSpec {
    direction: Direction,
    protocol: Protocol,
    source: Pick,
    source_port: u16,
    destination: Pick,
    destination_port: u16,
    ignore_source_port: bool,
}

fn packet_spec() -> impl Strategy<Value = PacketSpec> {
    (direction(), select(Protocol::ALL.to_vec()), pick(), port(), pick(), port(), any::<bool>()).prop_map(
        |(direction, protocol, source, source_port, destination, destination_port, ignore_source_port)| PacketSpec {
            direction,
            protocol,
            source,
            source_port,
            destination,
            destination_port,
            ignore_source_port,
        },
    )
}

fn nsg_peer() -> impl Strategy<Value = Option<PeerSpec>> {
    prop::option::weighted(
        0.4,
        (any::<bool>(), any::<bool>()).prop_map(|(both_sides, allow_access)| PeerSpec {
            space: net("172.16.0.0/16"),
            both_sides,
            allow_access,
        }),
    )
}

/// Compiles `s` and checks every packet against the reference; returns a description of the
/// first mismatch.
fn check_nsg(s: Scenario, packets: &[PacketSpec]) -> Result<(), String> {
    let prefixes = interesting_prefixes(&s, []);
    let fabric = Fabric::compile(s, Options::default());
    let s = &fabric.scenario;
    let nsg = fabric.nsg_instance(fabric.subnets[LOCAL_SUBNET.index()].nsg.expect("subnet has an NSG"));
    for spec in packets {
        let packet = Packet {
            protocol: spec.protocol,
            source: IpAddr::V4(resolve_pick(&spec.source, &prefixes)),
            source_port: spec.source_port,
            destination: IpAddr::V4(resolve_pick(&spec.destination, &prefixes)),
            destination_port: spec.destination_port,
        };
        let (access, rule) = nsg.evaluate(spec.direction, &packet, spec.ignore_source_port);
        let expected = ref_nsg(s, LOCAL_SUBNET, &s.nsgs[0], spec.direction, &packet, spec.ignore_source_port);
        if (access, usize::from(rule)) != expected {
            let name = |i: usize| s.nsgs[0].rules.get(i).map_or("<none>".to_string(), |r| r.name.clone());
            return Err(format!(
                "{:?} {packet:?} (ignore_source_port {}): engine {access:?} by rule {rule} ({}), reference {:?} by \
                 rule {} ({})",
                spec.direction,
                spec.ignore_source_port,
                name(usize::from(rule)),
                expected.0,
                expected.1,
                name(expected.1),
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn nsg_evaluation_matches_reference(
        rules in vec(nsg_rule(), 0..=12),
        routes in prop::option::weighted(0.4, vec(route(), 0..=3)),
        peer in nsg_peer(),
        packets in vec(packet_spec(), 1..=24),
    ) {
        let s = build(&[net("10.0.0.0/16")], Some(unique_rules(rules)), routes.map(named), peer.as_ref());
        if let Err(e) = check_nsg(s, &packets) {
            prop_assert!(false, "{}", e);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Route lookup.

/// Address spaces for the local VNet, including ones equal to, containing and inside the
/// reserved ranges (R-3). Overlapping picks are dropped when building.
const LOCAL_SPACES: [&str; 14] = [
    "10.0.0.0/16",
    "10.0.0.0/8",
    "10.0.0.0/7",
    "172.16.0.0/12",
    "172.16.0.0/16",
    "172.0.0.0/8",
    "100.64.0.0/10",
    "100.0.0.0/8",
    "192.168.0.0/16",
    "192.168.0.0/15",
    "192.168.4.0/22",
    "100.72.0.0/16",
    "11.0.0.0/16",
    "52.10.0.0/16",
];

/// Peer address spaces. The first that does not overlap the local space is used; 52.20.0.0/16
/// never does.
const PEER_SPACES: [&str; 6] =
    ["172.16.5.0/24", "192.168.200.0/24", "10.200.0.0/16", "100.100.0.0/16", "198.18.0.0/15", "52.20.0.0/16"];

fn local_space(picks: &[usize]) -> Vec<Ipv4Net> {
    let mut out: Vec<Ipv4Net> = Vec::new();
    for &i in picks {
        let n = net(LOCAL_SPACES[i % LOCAL_SPACES.len()]);
        if !out.iter().any(|o| intersect(*o, n)) {
            out.push(n);
        }
    }
    out
}

fn peer_space(local: &[Ipv4Net], start: usize) -> Ipv4Net {
    (0..PEER_SPACES.len())
        .map(|k| net(PEER_SPACES[(start + k) % PEER_SPACES.len()]))
        .find(|p| !local.iter().any(|l| intersect(*l, *p)))
        .expect("52.20.0.0/16 overlaps no local space")
}

fn check_routes(s: Scenario, ips: &[Pick]) -> Result<(), String> {
    let prefixes = interesting_prefixes(&s, [net("0.0.0.0/0")]);
    let fabric = Fabric::compile(s, Options::default());
    let s = &fabric.scenario;
    for subnet in (0..s.subnets.len()).map(SubnetId::from_index) {
        let candidates = ref_candidates(s, subnet);
        let routes = &fabric.subnets[subnet.index()].routes;
        for p in ips {
            let ip = resolve_pick(p, &prefixes);
            let expected = ref_lookup(&candidates, ip);
            let Some(index) = routes.lookup(IpAddr::V4(ip)) else {
                return Err(format!("subnet {}: no route for {ip}; reference {expected:?}", s.subnet_path(subnet)));
            };
            let got = routes.route(index);
            let expected_source = if expected.user { RouteSource::User } else { RouteSource::Default };
            if got.prefix != IpNet::V4(expected.prefix)
                || got.next_hop != expected.next_hop
                || got.source != expected_source
                || got.state != RouteState::Active
            {
                return Err(format!(
                    "subnet {}, destination {ip}: engine {} -> {} ({:?}, {:?}, {:?}), reference {} -> {} ({:?}, rank \
                     {}, route #{})",
                    s.subnet_path(subnet),
                    got.prefix,
                    got.next_hop,
                    got.source,
                    got.origin,
                    got.state,
                    expected.prefix,
                    expected.next_hop,
                    expected_source,
                    expected.rank,
                    expected.order,
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn route_lookup_matches_reference(
        spaces in vec(any::<usize>(), 1..=3),
        peer in prop::option::weighted(0.5, (any::<usize>(), prop::bool::weighted(0.8))),
        routes in vec(route(), 0..=10),
        ips in vec(pick(), 1..=32),
    ) {
        let local = local_space(&spaces);
        let peer = peer.map(|(start, both_sides)| PeerSpec {
            space: peer_space(&local, start),
            both_sides,
            allow_access: true,
        });
        let s = build(&local, None, Some(named(routes)), peer.as_ref());
        if let Err(e) = check_routes(s, &ips) {
            prop_assert!(false, "{}", e);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Known answers: the reference itself against hand-worked cases from the spec.

fn tcp(source: &str, destination: &str, port: u16) -> Packet {
    Packet {
        protocol: Protocol::Tcp,
        source: source.parse().expect("valid"),
        source_port: 50000,
        destination: destination.parse().expect("valid"),
        destination_port: port,
    }
}

fn route_to(destination: RouteDestination, next_hop: NextHop) -> Route {
    Route { name: String::new(), destination, next_hop }
}

fn tag_route(tag: &str, next_hop: NextHop) -> Route {
    route_to(RouteDestination::ServiceTag(tag.into()), next_hop)
}

fn prefix_route(prefix: &str, next_hop: NextHop) -> Route {
    route_to(RouteDestination::Prefix(IpNet::V4(net(prefix))), next_hop)
}

#[test]
fn reference_known_answers() {
    let nva = NextHop::VirtualAppliance("10.0.2.4".parse().expect("valid"));
    // N-11: a 0.0.0.0/0 UDR makes VirtualNetwork cover everything, so AllowVnetOutBound (index 3 of
    // the defaults) decides internet-bound traffic and Internet becomes empty.
    let s = build(&[net("10.0.0.0/16")], Some(vec![]), Some(named(vec![prefix_route("0.0.0.0/0", nva)])), None);
    let nsg = &s.nsgs[0];
    let out = ref_nsg(&s, LOCAL_SUBNET, nsg, Direction::Outbound, &tcp("10.0.1.4", "8.8.8.8", 443), false);
    assert_eq!((out.0, nsg.rules[out.1].name.as_str()), (Access::Allow, "AllowVnetOutBound"));
    // Without the UDR, AllowInternetOutBound does.
    let s = build(&[net("10.0.0.0/16")], Some(vec![]), None, None);
    let nsg = &s.nsgs[0];
    let out = ref_nsg(&s, LOCAL_SUBNET, nsg, Direction::Outbound, &tcp("10.0.1.4", "8.8.8.8", 443), false);
    assert_eq!(nsg.rules[out.1].name, "AllowInternetOutBound");
    // N-11: 168.63.129.16 is in VirtualNetwork, so AllowVNetInBound decides before the LB rule.
    let out = ref_nsg(&s, LOCAL_SUBNET, nsg, Direction::Inbound, &tcp("168.63.129.16", "10.0.1.4", 80), false);
    assert_eq!(nsg.rules[out.1].name, "AllowVNetInBound");
    let out = ref_nsg(&s, LOCAL_SUBNET, nsg, Direction::Inbound, &tcp("8.8.8.8", "10.0.1.4", 80), false);
    assert_eq!((out.0, nsg.rules[out.1].name.as_str()), (Access::Deny, "DenyAllInBound"));

    // R-9: explicit > regional > top-level > AzureCloud regional > AzureCloud on 40.68.0.0/20
    // (Storage.eastus; also one of AzureCloud.eastus's prefixes).
    let routes = [
        tag_route("AzureCloud", NextHop::Internet),
        tag_route("AzureCloud.eastus", NextHop::None),
        tag_route("Storage", NextHop::VirtualNetworkGateway),
        tag_route("Storage.eastus", NextHop::VnetLocal),
        prefix_route("40.68.0.0/20", nva),
    ];
    let storage_east: Ipv4Addr = "40.68.1.1".parse().expect("valid");
    let hops: Vec<NextHop> = (0..routes.len())
        .map(|k| {
            let s = build(&[net("10.0.0.0/16")], None, Some(named(routes[..=k].to_vec())), None);
            ref_lookup(&ref_candidates(&s, LOCAL_SUBNET), storage_east).next_hop
        })
        .collect();
    assert_eq!(
        hops,
        [NextHop::Internet, NextHop::None, NextHop::None, NextHop::VnetLocal, nva],
        "AzureCloud.eastus's /20 beats AzureCloud's /10; Storage's /16 loses to the /20s"
    );

    // R-3: 10.0.0.0/8 as address space turns the reserved route into VnetLocal; a containing
    // space removes it; a 0.0.0.0/0 UDR removes all reserved routes.
    let hop = |space: &str, routes: Vec<Route>, ip: &str| {
        let s = build(&[net(space)], None, Some(named(routes)), None);
        ref_lookup(&ref_candidates(&s, LOCAL_SUBNET), ip.parse().expect("valid")).next_hop
    };
    assert_eq!(hop("10.0.0.0/16", vec![], "10.1.0.1"), NextHop::None);
    assert_eq!(hop("10.0.0.0/8", vec![], "10.1.0.1"), NextHop::VnetLocal);
    assert_eq!(hop("10.0.0.0/7", vec![], "11.1.0.1"), NextHop::VnetLocal);
    assert_eq!(hop("10.0.0.0/16", vec![], "192.168.0.1"), NextHop::None);
    assert_eq!(hop("10.0.0.0/16", vec![prefix_route("0.0.0.0/0", nva)], "192.168.0.1"), nva);
}

/// Deterministic spot checks of the engine on the same hand-worked cases.
#[test]
fn engine_known_answers() {
    let nva = NextHop::VirtualAppliance("10.0.2.4".parse().expect("valid"));
    let routes = vec![
        tag_route("AzureCloud.eastus", NextHop::None),
        tag_route("Storage.eastus", NextHop::VnetLocal),
        tag_route("Storage", NextHop::Internet),
        prefix_route("0.0.0.0/0", nva),
    ];
    let peer = PeerSpec { space: net("172.16.5.0/24"), both_sides: true, allow_access: true };
    let s = build(&[net("10.0.0.0/16")], Some(vec![]), Some(named(routes)), Some(&peer));
    let picks: Vec<Pick> = ["40.68.1.1", "40.68.200.1", "40.65.0.9", "8.8.8.8", "172.16.5.9", "172.16.6.1", "10.0.3.3"]
        .iter()
        .map(|a| Pick::Pool(a.parse().expect("valid")))
        .collect();
    check_routes(s.clone(), &picks).unwrap_or_else(|e| panic!("{e}"));
    let packets: Vec<PacketSpec> = ["8.8.8.8", "40.68.1.1", "172.16.5.9", "168.63.129.16"]
        .iter()
        .flat_map(|a| {
            let a = Pick::Pool(a.parse().expect("valid"));
            let me = Pick::Pool("10.0.1.4".parse().expect("valid"));
            [(Direction::Outbound, me.clone(), a.clone()), (Direction::Inbound, a, me)]
        })
        .map(|(direction, source, destination)| PacketSpec {
            direction,
            protocol: Protocol::Tcp,
            source,
            source_port: 50000,
            destination,
            destination_port: 443,
            ignore_source_port: false,
        })
        .collect();
    check_nsg(s, &packets).unwrap_or_else(|e| panic!("{e}"));
}

// ---------------------------------------------------------------------------------------------
// 3. YAML loading builds the same model as the programmatic construction.

const YAML: &str = r#"
name: reference
region: eastus
vnets:
  - name: local
    address_space: [10.0.0.0/16]
    subnets:
      - name: app
        prefix: 10.0.1.0/24
        nsg: app-nsg
        route_table: app-routes
    peerings:
      - name: local-to-peer
        remote_vnet: peer
  - name: peer
    address_space: [172.16.0.0/16]
    subnets:
      - name: peer-app
        prefix: 172.16.1.0/24
    peerings:
      - name: peer-to-local
        remote_vnet: local
nsgs:
  - name: app-nsg
    rules:
      - name: rule0
        priority: 300
        direction: outbound
        access: deny
        protocol: tcp
        destination: Storage
        destination_ports: '443, 10000-10005'
      - name: rule1
        priority: 100
        direction: inbound
        access: deny
        protocol: '*'
        source: [10.0.2.0/24, 40.68.0.0/20]
        source_ports: 1000-2000
      - name: rule2
        priority: 100
        direction: outbound
        access: allow
        protocol: udp
        source: VirtualNetwork
        destination: Internet
        destination_ports: 53
      - name: rule3
        priority: 200
        direction: inbound
        access: allow
        protocol: icmp
        source: AzureLoadBalancer
route_tables:
  - name: app-routes
    routes:
      - name: route0
        prefix: 0.0.0.0/0
        next_hop: VirtualAppliance
        next_hop_ip: 10.0.2.4
      - name: route1
        prefix: Storage.eastus
        next_hop: Internet
      - name: route2
        prefix: 40.68.0.0/20
        next_hop: None
"#;

fn yaml_equivalent() -> Scenario {
    let tag = |t: &str| AddressMatch::ServiceTag(t.into());
    let prefixes = |p: &[&str]| AddressMatch::Prefixes(p.iter().map(|p| IpNet::V4(net(p))).collect());
    let rule = |priority, direction, access, protocol, source, source_ports, destination, destination_ports| NsgRule {
        name: String::new(),
        priority,
        direction,
        access,
        protocol,
        source,
        source_ports,
        destination,
        destination_ports,
        is_default: false,
    };
    let rules = vec![
        rule(
            300,
            Direction::Outbound,
            Access::Deny,
            ProtocolMatch::One(Protocol::Tcp),
            AddressMatch::Any,
            PortSet::any(),
            tag("Storage"),
            PortSet::new(vec![PortRange::single(443), PortRange { first: 10000, last: 10005 }]),
        ),
        rule(
            100,
            Direction::Inbound,
            Access::Deny,
            ProtocolMatch::Any,
            prefixes(&["10.0.2.0/24", "40.68.0.0/20"]),
            PortSet::new(vec![PortRange { first: 1000, last: 2000 }]),
            AddressMatch::Any,
            PortSet::any(),
        ),
        rule(
            100,
            Direction::Outbound,
            Access::Allow,
            ProtocolMatch::One(Protocol::Udp),
            tag("VirtualNetwork"),
            PortSet::any(),
            tag("Internet"),
            PortSet::new(vec![PortRange::single(53)]),
        ),
        rule(
            200,
            Direction::Inbound,
            Access::Allow,
            ProtocolMatch::One(Protocol::Icmp),
            tag("AzureLoadBalancer"),
            PortSet::any(),
            AddressMatch::Any,
            PortSet::any(),
        ),
    ];
    let routes = vec![
        prefix_route("0.0.0.0/0", NextHop::VirtualAppliance("10.0.2.4".parse().expect("valid"))),
        tag_route("Storage.eastus", NextHop::Internet),
        prefix_route("40.68.0.0/20", NextHop::None),
    ];
    let peer = PeerSpec { space: net("172.16.0.0/16"), both_sides: true, allow_access: true };
    build(&[net("10.0.0.0/16")], Some(unique_rules(rules)), Some(named(routes)), Some(&peer))
}

#[test]
fn yaml_loading_matches_programmatic_construction() {
    let loaded = vnetsim_config::load_scenario("reference.yaml", YAML, &ServiceTagTable::builtin())
        .unwrap_or_else(|d| panic!("scenario does not load: {d:?}"));
    let built = yaml_equivalent();
    assert_eq!(format!("{:?}", loaded.vnets), format!("{:?}", built.vnets));
    assert_eq!(format!("{:?}", loaded.subnets), format!("{:?}", built.subnets));
    assert_eq!(format!("{:?}", loaded.peerings), format!("{:?}", built.peerings));
    assert_eq!(format!("{:?}", loaded.nsgs), format!("{:?}", built.nsgs));
    assert_eq!(format!("{:?}", loaded.route_tables), format!("{:?}", built.route_tables));
    assert_eq!(loaded.service_tags, built.service_tags);

    // And the loaded scenario agrees with the reference on a sweep of packets and destinations.
    let ips: Vec<Pick> =
        (0..64usize).flat_map(|i| [Pick::Edge(i, (i % 4) as u8), Pick::Inside(i, 0x9e37_79b9)]).collect();
    check_routes(loaded.clone(), &ips).unwrap_or_else(|e| panic!("{e}"));
    let packets: Vec<PacketSpec> = (0..256usize)
        .map(|i| PacketSpec {
            direction: if i % 2 == 0 { Direction::Inbound } else { Direction::Outbound },
            protocol: Protocol::ALL[i % Protocol::ALL.len()],
            source: Pick::Inside(i / 2, 0x0101_0101u32.wrapping_mul(i as u32)),
            source_port: PORTS[i % PORTS.len()],
            destination: Pick::Edge(i / 3, (i / 7 % 4) as u8),
            destination_port: [443, 53, 10003, 80][i % 4],
            ignore_source_port: i % 3 == 0,
        })
        .collect();
    check_nsg(loaded, &packets).unwrap_or_else(|e| panic!("{e}"));
}
