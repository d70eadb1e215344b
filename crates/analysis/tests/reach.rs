//! Exhaustive reachability (issue 6) against brute force: on small scenarios, every destination
//! port of a few addresses and a dense sample of the whole IPv4 space, walked packet by packet,
//! must land in exactly one of `reach`'s groups and come out as that group's witness did. A
//! mismatch means `Fabric::cuts` misses a boundary some predicate of the walk draws, or `reach`
//! splits by names wrongly.
//!
//! Cost: a walk takes some 8 µs in a debug build and the file walks a few million packets,
//! so each case's sweep and sample are separate tests that run in parallel. Named flows are
//! walked on every port where `reach` keeps a group for the name; where it keeps none (it holds
//! that the name changes nothing) only on the boundary ports and one more port per address.

use vnetsim_analysis::reach::{Group, Outcome, Reach, ReachOptions, Reached, Space, reach, walk};
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::packet::Packet;
use vnetsim_engine::service::Admission;
use vnetsim_engine::trace::{Disposition, Recorder, Step};
use vnetsim_engine::walk::FlowName;
use vnetsim_model::scenario::DEFAULT_SOURCE_PORT;
use vnetsim_model::{IpAddr, Ipv4Addr, Protocol};
use vnetsim_testkit::{fabric, nic, service};

/// NSG rules with port ranges, tags and source ports in both directions, an inbound rule on the
/// destination NIC, a peered VNet with a VM, and default outbound access to the internet (O-3).
const NSG_PEERING: &str = r#"
name: reach-nsg
region: eastus
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - {name: web, prefix: 10.1.1.0/24, nsg: web-nsg}
    peerings:
      - remote_vnet: peer
  - name: peer
    address_space: [10.2.0.0/16]
    subnets:
      - {name: db, prefix: 10.2.1.0/24}
    peerings:
      - remote_vnet: app
nsgs:
  - name: web-nsg
    rules:
      - {name: deny-db-range, priority: 100, direction: outbound, access: deny, protocol: tcp, destination: 10.2.1.4, destination_ports: 1000-2000}
      - {name: allow-storage-https, priority: 110, direction: outbound, access: allow, protocol: tcp, destination: Storage.eastus, destination_ports: "443, 8443-8450"}
      - {name: deny-storage, priority: 120, direction: outbound, access: deny, protocol: '*', destination: Storage}
      - {name: deny-udp-from-high, priority: 130, direction: outbound, access: deny, protocol: udp, source_ports: 49000-51000, destination: Internet, destination_ports: 9000-9999}
      - {name: deny-icmp-westus, priority: 140, direction: outbound, access: deny, protocol: icmp, destination: AzureCloud.westus}
      - {name: deny-esp-out, priority: 150, direction: outbound, access: deny, protocol: esp, destination: 8.0.0.0/7}
      - {name: deny-replies-from-3389, priority: 160, direction: inbound, access: deny, protocol: tcp, source_ports: 3389}
  - name: db-nsg
    rules:
      - {name: allow-3050-from-web, priority: 100, direction: inbound, access: allow, protocol: tcp, source: 10.1.1.0/24, source_ports: 40000-60000, destination_ports: 3050}
      - {name: deny-3000s, priority: 200, direction: inbound, access: deny, protocol: tcp, source: VirtualNetwork, destination_ports: 3000-3100}
      - {name: deny-udp-in, priority: 210, direction: inbound, access: deny, protocol: udp, source: 10.1.0.0/16, destination_ports: "53, 123, 60000-65535"}
endpoints:
  - {name: web, kind: vm, subnet: app/web}
  - name: db
    kind: vm
    nics:
      - {subnet: peer/db, nsg: db-nsg}
"#;

/// Security admin rules (N-16) whose prefixes and port ranges no NSG draws: outbound Deny and
/// AlwaysAllow at the source, inbound rules at a VM of the same VNet, with a source-port range;
/// the peered VNet is in no targeted group.
const ADMIN_RULES: &str = r#"
name: reach-admin
region: eastus
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - {name: web, prefix: 10.1.1.0/24, nsg: web-nsg}
      - {name: db, prefix: 10.1.2.0/24}
    peerings:
      - remote_vnet: peer
  - name: peer
    address_space: [10.2.0.0/16]
    subnets:
      - {name: x, prefix: 10.2.1.0/24}
    peerings:
      - remote_vnet: app
nsgs:
  - name: web-nsg
    rules:
      - {name: deny-5000s, priority: 100, direction: outbound, access: deny, protocol: tcp, destination_ports: 5000-5999}
endpoints:
  - {name: web, kind: vm, subnet: app/web, ip: 10.1.1.4}
  - {name: db, kind: vm, subnet: app/db, ip: 10.1.2.4}
  - {name: x, kind: vm, subnet: peer/x, ip: 10.2.1.4}
network_managers:
  - name: avnm
    network_groups:
      - {name: g, members: [app]}
    security_admin_configurations:
      - name: cfg
        rule_collections:
          - name: rc
            applies_to: [g]
            rules:
              - {name: deny-peer-half, priority: 10, direction: outbound, access: deny, protocol: tcp, destination: 10.2.1.0/25, destination_ports: 7000-7999}
              - {name: always-5500s, priority: 20, direction: outbound, access: always_allow, protocol: tcp, destination_ports: 5500-5599}
              - {name: deny-udp-52, priority: 30, direction: outbound, access: deny, protocol: udp, destination: 52.0.0.0/8, destination_ports: 100-200}
              - {name: deny-db-from-high, priority: 40, direction: inbound, access: deny, protocol: tcp, source_ports: 49000-50500, destination_ports: 1400-1500}
              - {name: allow-then-nsg, priority: 50, direction: outbound, access: allow, protocol: '*', destination: 52.1.0.0/16}
              - {name: deny-icmp-in, priority: 60, direction: inbound, access: deny, protocol: icmp, source: 10.1.1.0/24}
"#;

/// A 0.0.0.0/0 UDR to an Azure Firewall with network rules (ports, tags, prefixes, an FQDN
/// resolved by its DNS proxy, F-7, a deny collection first) and application rules (an exact FQDN
/// and a wildcard, F-8, F-9); SNAT ranges that keep the source for half of a rule's prefix
/// (F-12), DNS to the proxy (F-11), and a VM in the peered hub also behind the firewall.
const FIREWALL: &str = r#"
name: reach-firewall
region: eastus
vnets:
  - name: hub
    address_space: [10.100.0.0/16]
    subnets:
      - {name: AzureFirewallSubnet, prefix: 10.100.0.0/26}
      - {name: shared, prefix: 10.100.1.0/24}
    peerings:
      - {remote_vnet: spoke, allow_forwarded_traffic: true}
  - name: spoke
    address_space: [10.101.0.0/16]
    subnets:
      - {name: work, prefix: 10.101.1.0/24, route_table: to-fw}
    peerings:
      - {remote_vnet: hub, allow_forwarded_traffic: true}
route_tables:
  - name: to-fw
    routes:
      - {name: default-via-fw, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.100.0.4}
      - {name: hub-via-fw, prefix: 10.100.1.0/24, next_hop: VirtualAppliance, next_hop_ip: 10.100.0.4}
firewall_policies:
  - name: pol
    dns_proxy: true
    snat_private_ranges: [IANAPrivateRanges, 198.51.100.0/25]
    rule_collection_groups:
      - name: net
        priority: 200
        rule_collections:
          - name: deny-net
            priority: 100
            type: network
            action: deny
            rules:
              - {name: block-8000s, protocols: [tcp], source_addresses: ["*"], destination_addresses: [203.0.113.0/26], destination_ports: "8000-9000"}
          - name: allow-net
            priority: 200
            type: network
            action: allow
            rules:
              - {name: ml, protocols: [tcp], source_addresses: [10.101.0.0/16], destination_addresses: [AzureMachineLearning], destination_ports: [443, 8787, 18881]}
              - {name: udp-range, protocols: [udp], source_addresses: ["*"], destination_addresses: [198.51.100.0/24], destination_ports: "5000-5100"}
              - {name: icmp-net, protocols: [icmp], source_addresses: [10.101.1.0/24], destination_addresses: [192.0.2.0/25]}
              - {name: storage-any, protocols: [any], source_addresses: [10.101.0.0/16], destination_addresses: [Storage.eastus, 8.8.8.0/30], destination_ports: 443}
              - {name: to-hub, protocols: [tcp, udp], source_addresses: [10.101.0.0/16], destination_addresses: [10.100.1.0/24], destination_ports: "22, 8080-8089"}
              - {name: apt, protocols: [tcp], source_addresses: [10.101.0.0/16], destination_fqdns: [archive.ubuntu.com], destination_ports: 80}
      - name: app
        priority: 300
        rule_collections:
          - name: pkgs
            priority: 100
            type: application
            action: allow
            rules:
              - {name: pypi, source_addresses: [10.101.0.0/16], protocols: ["Https:443"], target_fqdns: [pypi.org, "*.pythonhosted.org"]}
              - {name: alt, source_addresses: [10.101.0.0/16], protocols: ["Http:8080"], target_fqdns: [example.org]}
firewalls:
  - {name: fw, vnet: hub, ip: 10.100.0.4, public_ips: [20.100.0.10], policy: pol}
endpoints:
  - {name: vm, kind: vm, subnet: spoke/work}
  - {name: hubvm, kind: vm, subnet: hub/shared}
"#;

/// A storage account and a workspace behind private endpoints with their private DNS zones,
/// an NSG the endpoints' subnet applies (P-6), and a NAT gateway to the internet (O-2).
const PRIVATE_ENDPOINT: &str = r#"
name: reach-pe
region: eastus
vnets:
  - name: ml
    address_space: [10.0.0.0/16]
    subnets:
      - {name: work, prefix: 10.0.1.0/24, nsg: work-nsg, nat_gateway: nat}
      - {name: pe, prefix: 10.0.2.0/24, nsg: pe-nsg, private_endpoint_network_policies: NetworkSecurityGroupEnabled}
nat_gateways:
  - {name: nat, public_ips: [20.0.0.20]}
nsgs:
  - name: work-nsg
    rules:
      - {name: deny-smb, priority: 100, direction: outbound, access: deny, protocol: tcp, destination: 10.0.2.0/24, destination_ports: 445}
      - {name: deny-ml-udp, priority: 110, direction: outbound, access: deny, protocol: udp, destination: AzureMachineLearning.eastus}
  - name: pe-nsg
    rules:
      - {name: https-in, priority: 100, direction: inbound, access: allow, protocol: tcp, destination_ports: "443, 8000-8100"}
      - {name: deny-vnet-in, priority: 200, direction: inbound, access: deny, protocol: '*', source: VirtualNetwork}
endpoints:
  - {name: vm, kind: vm, subnet: ml/work}
services:
  - {name: store, kind: storage_account, public_network_access: Disabled}
  - {name: ws, kind: workspace, public_network_access: Disabled, storage_account: store}
private_endpoints:
  - {name: pe-blob, subnet: ml/pe, target: store, subresource: blob}
  - {name: pe-ws, subnet: ml/pe, target: ws, subresource: amlworkspace}
private_dns_zones:
  - {name: privatelink.blob.core.windows.net, links: [ml]}
  - {name: privatelink.api.azureml.ms, links: [ml]}
"#;

/// A storage service endpoint whose policy lists one account (S-5): the built-in accounts of
/// eastus and its pair westus are filtered, westeurope's is not. Default outbound access.
const SERVICE_ENDPOINT_POLICY: &str = r#"
name: reach-sep
region: eastus
vnets:
  - name: ml
    address_space: [10.30.0.0/16]
    subnets:
      - name: training
        prefix: 10.30.1.0/24
        nsg: training-nsg
        service_endpoints: [Microsoft.Storage]
        service_endpoint_policies: [only-mine]
nsgs:
  - name: training-nsg
    rules:
      - {name: deny-storage-http, priority: 100, direction: outbound, access: deny, protocol: tcp, destination: Storage, destination_ports: 80}
      - {name: deny-eu-udp, priority: 110, direction: outbound, access: deny, protocol: udp, destination: Storage.westeurope, destination_ports: 1-1024}
endpoints:
  - {name: cpu, kind: compute_cluster, node_count: 1, subnet: ml/training}
services:
  - {name: mine, kind: storage_account}
  - {name: euro, kind: storage_account, region: westeurope}
service_endpoint_policies:
  - {name: only-mine, resources: [mine]}
"#;

/// Load balancers (an internal one translating ports to an ASG-guarded backend, a public one),
/// a UDR to an appliance for part of an on-premises network reached over a VPN gateway by
/// transit (R-16), a null route (R-4) and an `Internet` next hop.
const LOAD_BALANCERS_AND_GATEWAY: &str = r#"
name: reach-lb
region: eastus
vnets:
  - name: hub
    address_space: [10.50.0.0/16]
    subnets:
      - {name: GatewaySubnet, prefix: 10.50.0.0/27}
      - {name: nva, prefix: 10.50.1.0/24}
    peerings:
      - {remote_vnet: app, allow_gateway_transit: true, allow_forwarded_traffic: true}
  - name: app
    address_space: [10.51.0.0/16]
    subnets:
      - {name: front, prefix: 10.51.1.0/24, route_table: app-rt}
      - {name: back, prefix: 10.51.2.0/24, nsg: back-nsg}
    peerings:
      - {remote_vnet: hub, use_remote_gateways: true, allow_forwarded_traffic: true}
on_premises:
  - {name: corp, prefixes: [172.16.0.0/16, 192.168.10.0/24]}
gateways:
  - {name: vpn, kind: vpn, vnet: hub, connections: [corp]}
route_tables:
  - name: app-rt
    routes:
      - {name: lab-via-nva, prefix: 172.16.8.0/22, next_hop: VirtualAppliance, next_hop_ip: 10.50.1.4}
      - {name: blackhole, prefix: 100.64.0.0/16, next_hop: None}
      - {name: direct, prefix: 52.0.0.0/8, next_hop: Internet}
asgs: [backends]
nsgs:
  - name: back-nsg
    rules:
      - {name: web-in, priority: 100, direction: inbound, access: allow, protocol: tcp, source: VirtualNetwork, destination: backends, destination_ports: 8080}
      - {name: dns-in, priority: 110, direction: inbound, access: allow, protocol: udp, source: 10.51.1.0/24, destination_ports: 5353}
      - {name: deny-in, priority: 200, direction: inbound, access: deny}
load_balancers:
  - name: ilb
    frontend_ip: 10.51.2.100
    subnet: app/back
    backends: [pool]
    rules:
      - {name: web, protocol: tcp, frontend_port: 80, backend_port: 8080}
      - {name: dns, protocol: udp, frontend_port: 53, backend_port: 5353}
      - {name: other, protocol: tcp, frontend_port: 9000, backend_port: 9000}
  - name: plb
    frontend_ip: 20.51.0.1
    backends: [pool]
    rules:
      - {name: https, protocol: tcp, frontend_port: 443, backend_port: 8080}
endpoints:
  - {name: client, kind: vm, subnet: app/front}
  - {name: pool, kind: vm, subnet: app/back, asgs: [backends]}
  - {name: router, kind: nva, subnet: hub/nva, ip: 10.50.1.4}
"#;

/// A destination swept over every port.
enum At {
    Ip(&'static str),
    Service(&'static str),
    Nic(&'static str),
}

/// A scenario, the endpoint whose reach is checked, and the addresses swept over every port:
/// one per kind of piece (a NIC, a service, a VNet address without a host, the internet, ...).
struct Case {
    yaml: &'static str,
    source: &'static str,
    swept: &'static [At],
}

const NSG_CASE: Case = Case {
    yaml: NSG_PEERING,
    source: "web",
    swept: &[
        At::Nic("db"),
        At::Ip("10.2.1.77"),
        At::Service("any-storage-account.eastus"),
        At::Ip("8.8.4.4"),
        At::Ip("40.68.32.9"),
    ],
};

const ADMIN_CASE: Case = Case {
    yaml: ADMIN_RULES,
    source: "web",
    swept: &[
        At::Nic("db"),
        At::Nic("x"),
        At::Ip("10.2.1.200"),
        At::Ip("52.1.2.3"),
        At::Ip("52.200.0.1"),
        At::Ip("8.8.4.4"),
    ],
};

const FIREWALL_CASE: Case = Case {
    yaml: FIREWALL,
    source: "vm",
    swept: &[
        At::Nic("hubvm"),
        At::Nic("fw"),
        At::Ip("203.0.113.20"),
        At::Ip("203.0.113.99"),
        At::Ip("198.51.100.200"),
        At::Service("azureml-service"),
    ],
};

const PE_CASE: Case = Case {
    yaml: PRIVATE_ENDPOINT,
    source: "vm",
    swept: &[At::Nic("pe-blob"), At::Nic("pe-ws"), At::Service("store"), At::Ip("1.2.3.4"), At::Ip("10.0.2.200")],
};

const SEP_CASE: Case = Case {
    yaml: SERVICE_ENDPOINT_POLICY,
    source: "cpu",
    swept: &[
        At::Service("mine"),
        At::Service("any-storage-account.eastus"),
        At::Service("any-storage-account.westus"),
        At::Service("any-storage-account.westeurope"),
        At::Ip("40.68.100.1"),
    ],
};

const LB_CASE: Case = Case {
    yaml: LOAD_BALANCERS_AND_GATEWAY,
    source: "client",
    swept: &[At::Ip("10.51.2.100"), At::Ip("20.51.0.1"), At::Ip("172.16.9.9"), At::Nic("pool"), At::Ip("52.1.2.3")],
};

const CASES: [&Case; 6] = [&NSG_CASE, &ADMIN_CASE, &FIREWALL_CASE, &PE_CASE, &SEP_CASE, &LB_CASE];

fn v4(ip: IpAddr) -> u32 {
    match ip {
        IpAddr::V4(a) => u32::from(a),
        IpAddr::V6(a) => panic!("IPv6 {a}"),
    }
}

fn ip(s: &str) -> u32 {
    u32::from(s.parse::<Ipv4Addr>().expect("an IPv4 address"))
}

fn resolve(f: &Fabric, at: &At) -> u32 {
    match at {
        At::Ip(s) => ip(s),
        At::Service(name) => v4(f.scenario.service(service(f, name)).public_ip),
        At::Nic(name) => v4(f.scenario.nic(nic(f, name)).private_ip),
    }
}

/// Walks packets one by one and compares each with the group `reach` puts it in.
struct Checker<'a> {
    fabric: &'a Fabric,
    space: &'a Space,
    reach: &'a Reach,
    /// The witness's outcome per group, walked on first use.
    witnesses: Vec<Option<Outcome>>,
    request: Recorder,
    reply: Recorder,
}

impl<'a> Checker<'a> {
    fn new(fabric: &'a Fabric, space: &'a Space, reach: &'a Reach) -> Checker<'a> {
        Checker {
            fabric,
            space,
            reach,
            witnesses: vec![None; reach.groups.len()],
            request: Recorder::default(),
            reply: Recorder::default(),
        }
    }

    fn walk(&mut self, packet: Packet, name: FlowName<'_>) -> Outcome {
        walk(self.fabric, self.reach.source, packet, name, &mut self.request, &mut self.reply)
    }

    fn witness(&mut self, g: usize) -> &Outcome {
        if self.witnesses[g].is_none() {
            let group: &Group = &self.reach.groups[g];
            let outcome = self.walk(group.witness, group.witness_name(self.space));
            assert_eq!(
                (outcome.request, outcome.reply, outcome.reached),
                (group.request, group.reply, group.reached),
                "group {g}'s witness {:?} does not walk as the group says",
                group.witness
            );
            self.witnesses[g] = Some(outcome);
        }
        self.witnesses[g].as_ref().expect("walked")
    }

    /// The groups of `protocol` and `name` with `address` somewhere in their ranges.
    fn near(&self, protocol: Protocol, name: Option<u32>, address: u32) -> Vec<usize> {
        let groups = self.reach.groups.iter().enumerate();
        groups
            .filter(|(_, g)| g.protocol == protocol && g.name == name)
            .filter(|(_, g)| g.ranges.iter().any(|((lo, hi), _)| (*lo..=*hi).contains(&address)))
            .map(|(i, _)| i)
            .collect()
    }

    /// The one group among `near` holding the packet, or `None` when `optional` and none does.
    fn holder(&self, near: &[usize], packet: &Packet, name: Option<u32>, optional: bool) -> Option<usize> {
        let (address, port) = (v4(packet.destination), packet.destination_port);
        let holders: Vec<usize> =
            near.iter().copied().filter(|&g| self.reach.groups[g].contains(address, port)).collect();
        assert!(
            holders.len() == 1 || (optional && holders.is_empty()),
            "{packet:?} with name {name:?} is in groups {holders:?}, not exactly one"
        );
        holders.first().copied()
    }

    /// Walks `protocol` to `address` on each of `ports`, without a name and with every name
    /// the address can be reached by. Names are walked on every port some named group holds;
    /// elsewhere `reach` holds that names change nothing, which is checked on `name_ports`
    /// (sorted) and one more port of `ports` per address.
    fn check(&mut self, protocol: Protocol, address: u32, ports: &[u16], name_ports: &[u16]) {
        let reach = self.reach;
        let near = self.near(protocol, None, address);
        let from = self.fabric.scenario.nic(reach.source).private_ip;
        let destination = IpAddr::V4(Ipv4Addr::from(address));
        let candidates: &[u32] =
            if protocol == Protocol::Tcp { self.space.names.candidates(self.fabric, destination) } else { &[] };
        let named: Vec<(u32, Vec<usize>)> =
            candidates.iter().map(|&n| (n, self.near(protocol, Some(n), address))).collect();
        let has_ports = protocol.has_ports();
        let ports = if has_ports { ports } else { &[0] };
        let thin = ports[address as usize % ports.len()];
        for &port in ports {
            let packet = Packet {
                protocol,
                source: from,
                source_port: if has_ports { DEFAULT_SOURCE_PORT } else { 0 },
                destination,
                destination_port: port,
            };
            let g = self.holder(&near, &packet, None, false).expect("a holder");
            let own = self.walk(packet, FlowName::default());
            let expected = self.witness(g);
            assert_eq!(&own, expected, "{packet:?} walks unlike its group {g}'s witness {:?}", reach.groups[g].witness);
            let holders: Vec<Option<usize>> =
                named.iter().map(|(n, near)| self.holder(near, &packet, Some(*n), true)).collect();
            if holders.iter().all(Option::is_none) && port != thin && name_ports.binary_search(&port).is_err() {
                continue;
            }
            for (&(n, _), holder) in named.iter().zip(holders) {
                let own_named = self.walk(packet, self.space.names.flow_name(n));
                let label = &self.space.names.list[n as usize];
                match holder {
                    Some(g) => {
                        let expected = self.witness(g);
                        assert_eq!(&own_named, expected, "{packet:?} named {label} walks unlike group {g}'s witness");
                    }
                    None => assert_eq!(own_named, own, "{packet:?}: the name {label} changes the walk"),
                }
            }
        }
    }
}

/// The first two and last two values of each piece: every boundary with one value either side.
fn around(pieces: impl Iterator<Item = (u64, u64)>, max: u64) -> Vec<u64> {
    let mut out: Vec<u64> = pieces.flat_map(|(lo, hi)| [lo, (lo + 1).min(max), hi.saturating_sub(1), hi]).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Every address piece boundary, one address either side, and `count` addresses spread over
/// the whole space by a fixed LCG.
fn dense_addresses(space: &Space, count: usize) -> Vec<u32> {
    let pieces = space.header.addresses.iter().map(|&(lo, hi)| (u64::from(lo), u64::from(hi)));
    let mut out: Vec<u32> = around(pieces, u64::from(u32::MAX)).into_iter().map(|a| a as u32).collect();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..count {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        out.push((x >> 32) as u32);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Every port piece boundary and one port either side, sorted.
fn boundary_ports(space: &Space) -> Vec<u16> {
    let pieces = space.header.ports.iter().map(|&(lo, hi)| (u64::from(lo), u64::from(hi)));
    around(pieces, u64::from(u16::MAX)).into_iter().map(|p| p as u16).collect()
}

/// A case compiled, with its header space and the reach of its source.
struct Setup {
    fabric: Fabric,
    space: Space,
    reach: Reach,
}

fn setup(case: &Case) -> Setup {
    let fabric = fabric(case.yaml);
    let space = Space::new(&fabric, ReachOptions::default());
    let reach = reach(&fabric, &space, nic(&fabric, case.source));
    Setup { fabric, space, reach }
}

/// TCP and UDP on every destination port of the case's swept addresses.
fn every_port(case: &Case) {
    let s = setup(case);
    let mut c = Checker::new(&s.fabric, &s.space, &s.reach);
    let all: Vec<u16> = (0..=u16::MAX).collect();
    let boundaries = boundary_ports(&s.space);
    for at in case.swept {
        let address = resolve(&s.fabric, at);
        for protocol in [Protocol::Tcp, Protocol::Udp] {
            c.check(protocol, address, &all, &boundaries);
        }
    }
}

/// Every protocol, on the boundary ports, to the piece boundaries and addresses over the
/// whole space.
fn dense_sample(case: &Case) {
    let s = setup(case);
    let mut c = Checker::new(&s.fabric, &s.space, &s.reach);
    let ports = boundary_ports(&s.space);
    for address in dense_addresses(&s.space, 2000) {
        for protocol in Protocol::ALL {
            c.check(protocol, address, &ports, &[]);
        }
    }
}

#[test]
fn nsg_and_peering_every_port_as_brute_force() {
    every_port(&NSG_CASE);
}

#[test]
fn nsg_and_peering_dense_sample_as_brute_force() {
    dense_sample(&NSG_CASE);
}

#[test]
fn admin_rules_every_port_as_brute_force() {
    every_port(&ADMIN_CASE);
}

#[test]
fn admin_rules_dense_sample_as_brute_force() {
    dense_sample(&ADMIN_CASE);
}

/// N-16: the admin rules' own boundaries are cuts: without the one at 7000 (deny-peer-half's
/// ports, which nothing else draws) `reach` misjudges TCP 7000 to x.
#[test]
fn brute_force_needs_the_admin_rule_boundaries() {
    brute_force_catches_without_the_cut(ADMIN_RULES, "web", "x", 7000);
}

#[test]
fn firewall_every_port_as_brute_force() {
    every_port(&FIREWALL_CASE);
}

#[test]
fn firewall_dense_sample_as_brute_force() {
    dense_sample(&FIREWALL_CASE);
}

#[test]
fn private_endpoints_every_port_as_brute_force() {
    every_port(&PE_CASE);
}

#[test]
fn private_endpoints_dense_sample_as_brute_force() {
    dense_sample(&PE_CASE);
}

#[test]
fn service_endpoint_policy_every_port_as_brute_force() {
    every_port(&SEP_CASE);
}

#[test]
fn service_endpoint_policy_dense_sample_as_brute_force() {
    dense_sample(&SEP_CASE);
}

#[test]
fn load_balancers_and_gateway_every_port_as_brute_force() {
    every_port(&LB_CASE);
}

#[test]
fn load_balancers_and_gateway_dense_sample_as_brute_force() {
    dense_sample(&LB_CASE);
}

/// With the cut at `port` merged into the piece before it, `reach` from `source` misjudges TCP
/// `port` to `target`, and the checker must say so.
fn brute_force_catches_without_the_cut(yaml: &str, source: &str, target: &str, port: u16) {
    let f = fabric(yaml);
    let mut space = Space::new(&f, ReachOptions::default());
    let ports = &mut space.header.ports;
    let i = ports.iter().position(|p| p.0 == port).expect("a cut at the port");
    ports[i - 1].1 = ports[i].1;
    ports.remove(i);
    let r = reach(&f, &space, nic(&f, source));
    let to = v4(f.scenario.nic(nic(&f, target)).private_ip);
    let ports: Vec<u16> = (port - 10..=port + 10).collect();
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Checker::new(&f, &space, &r).check(Protocol::Tcp, to, &ports, &[]);
    }));
    let message = checked.expect_err("TCP to the port is denied, but its piece's witness is not");
    let message = message.downcast_ref::<String>().expect("a formatted panic");
    assert!(message.contains(&format!("destination_port: {port} }} walks unlike")), "{message}");
}

/// The brute force is no formality: with one boundary of an NSG rule taken out of the cuts
/// (web-nsg's deny-db-range starts at 1000), `reach` misjudges the ports behind it.
#[test]
fn brute_force_catches_a_missing_boundary() {
    brute_force_catches_without_the_cut(NSG_PEERING, "web", "db", 1000);
}

/// The groups of one protocol and name covering (address, port) pairs: no pair twice, and
/// without a name every pair once, summing to the whole space.
#[test]
fn groups_cover_the_header_space_once_per_protocol_and_name() {
    for case in CASES {
        let s = setup(case);
        let c = Checker::new(&s.fabric, &s.space, &s.reach);
        for protocol in Protocol::ALL {
            let ports: &[(u16, u16)] = if protocol.has_ports() { &s.space.header.ports } else { &[(0, 0)] };
            let unnamed: u64 =
                (s.reach.groups.iter()).filter(|g| g.protocol == protocol && g.name.is_none()).map(Group::size).sum();
            let whole = (1u64 << 32) * if protocol.has_ports() { 1 << 16 } else { 1 };
            assert_eq!(unnamed, whole, "{}: {protocol:?} groups without a name", s.fabric.scenario.name);
            let mut names: Vec<Option<u32>> = s.reach.groups.iter().map(|g| g.name).collect();
            names.sort_unstable();
            names.dedup();
            // Each cell of the pieces, at both its corners.
            for &(lo, hi) in &s.space.header.addresses {
                for &name in &names {
                    let near = c.near(protocol, name, lo);
                    for &(plo, phi) in ports {
                        for (address, port) in [(lo, plo), (hi, phi)] {
                            let holders = near.iter().filter(|&&g| s.reach.groups[g].contains(address, port)).count();
                            assert!(
                                holders == 1 || (name.is_some() && holders == 0),
                                "{}: {protocol:?} {} port {port} name {name:?} is in {holders} groups",
                                s.fabric.scenario.name,
                                Ipv4Addr::from(address)
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The TCP or UDP ports of the delivered groups without a name to `address`, merged.
fn delivered_ports(r: &Reach, protocol: Protocol, address: u32) -> Vec<(u16, u16)> {
    let mut ports: Vec<(u16, u16)> = (r.delivered())
        .filter(|g| g.protocol == protocol && g.name.is_none())
        .flat_map(|g| &g.ranges)
        .filter(|((lo, hi), _)| (*lo..=*hi).contains(&address))
        .flat_map(|(_, ps)| ps.iter().copied())
        .collect();
    ports.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::new();
    for (lo, hi) in ports {
        match merged.last_mut() {
            Some(m) if u32::from(m.1) + 1 >= u32::from(lo) => m.1 = m.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// The port ranges of 0..=65535 outside `ranges` (sorted, disjoint).
fn missing(ranges: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let mut next: u32 = 0;
    for &(lo, hi) in ranges {
        if u32::from(lo) > next {
            out.push((next as u16, lo - 1));
        }
        next = u32::from(hi) + 1;
    }
    if next <= u32::from(u16::MAX) {
        out.push((next as u16, u16::MAX));
    }
    out
}

#[test]
fn nsg_denied_port_ranges_are_exactly_the_ports_missing_from_the_delivered_groups() {
    let s = setup(&NSG_CASE);
    let db = v4(s.fabric.scenario.nic(nic(&s.fabric, "db")).private_ip);
    // web-nsg denies TCP 1000-2000 out (N-1); db-nsg denies 3000-3100 in from the VNet but its
    // rule for source ports 40000-60000 (the client's 50000) opens 3050 first (N-4).
    assert_eq!(missing(&delivered_ports(&s.reach, Protocol::Tcp, db)), [(1000, 2000), (3000, 3049), (3051, 3100)]);
    assert_eq!(missing(&delivered_ports(&s.reach, Protocol::Udp, db)), [(53, 53), (123, 123), (60000, 65535)]);
    // Storage.eastus is open on 443 and 8443-8450 only, the rest of Storage on nothing.
    let eastus = v4(s.fabric.scenario.service(service(&s.fabric, "any-storage-account.eastus")).public_ip);
    assert_eq!(delivered_ports(&s.reach, Protocol::Tcp, eastus), [(443, 443), (8443, 8450)]);
    assert_eq!(delivered_ports(&s.reach, Protocol::Tcp, ip("40.68.32.9")), []);
}

/// The group without a name holding a packet.
fn group_at(r: &Reach, protocol: Protocol, address: u32, port: u16) -> &Group {
    let holds = |g: &&Group| g.protocol == protocol && g.name.is_none() && g.contains(address, port);
    r.groups.iter().find(holds).expect("every packet has a group")
}

/// The names of the named TCP groups holding `address` and `port`, each with whether it is
/// delivered.
fn names_at(s: &Setup, address: u32, port: u16) -> Vec<(&str, bool)> {
    let mut out: Vec<(&str, bool)> = (s.reach.groups.iter())
        .filter(|g| g.protocol == Protocol::Tcp && g.contains(address, port))
        .filter_map(|g| g.name.map(|n| (s.space.names.list[n as usize].as_str(), g.request.is_delivered())))
        .collect();
    out.sort_unstable();
    out
}

#[test]
fn an_application_rule_delivers_only_the_names_it_matches() {
    let s = setup(&FIREWALL_CASE);
    let unnamed = |address: u32, port: u16| group_at(&s.reach, Protocol::Tcp, address, port).request;
    let internet = ip("8.8.4.4");
    // Addressed by IP, HTTPS carries no name and meets the implicit deny (F-1, F-8).
    assert_eq!(unnamed(internet, 443), Disposition::DeniedByFirewall);
    let names = names_at(&s, internet, 443);
    assert!(names.iter().any(|(n, _)| *n == "attacker-domain.example"), "{names:?}");
    // F-9: `*.pythonhosted.org` matches a subdomain; no other name is allowed on Https:443.
    for (name, delivered) in &names {
        assert_eq!(*delivered, name.ends_with(".pythonhosted.org"), "{name} on 443: {names:?}");
    }
    assert!(names.contains(&("any-host.pythonhosted.org", true)), "{names:?}");
    // The rule's protocol is Https:443: the same name on another port is denied (F-8), where
    // the Http:8080 rule admits its own name only.
    assert!(names_at(&s, internet, 444).iter().all(|(_, delivered)| !delivered));
    let on_8080 = names_at(&s, internet, 8080);
    assert!(on_8080.contains(&("any-host.pythonhosted.org", false)), "{on_8080:?}");
    assert_eq!(on_8080.into_iter().filter(|(_, d)| *d).collect::<Vec<_>>(), [("example.org", true)]);
    // pypi.org's own address is reached by its name only.
    assert_eq!(names_at(&s, ip("203.0.113.20"), 443), [("pypi.org", true)]);
    assert_eq!(unnamed(ip("203.0.113.20"), 443), Disposition::DeniedByFirewall);
}

#[test]
fn f12_a_network_rule_prefix_splits_where_the_snat_ranges_end() {
    let s = setup(&FIREWALL_CASE);
    let request = |address: &str, port: u16| group_at(&s.reach, Protocol::Udp, ip(address), port).request;
    // 198.51.100.0/25 is a SNAT private range: the firewall keeps the VM's source, and a
    // private source cannot leave for the internet; the other half is SNATed and leaves.
    assert_eq!(request("198.51.100.127", 5000), Disposition::NoOutboundAccess);
    assert_eq!(request("198.51.100.128", 5000), Disposition::Delivered);
    assert_eq!(request("198.51.100.128", 5101), Disposition::DeniedByFirewall);
    // F-11: DNS to the proxy on the firewall's private IP, nothing else.
    assert_eq!(request("10.100.0.4", 53), Disposition::Delivered);
    assert_eq!(request("10.100.0.4", 54), Disposition::DeniedByFirewall);
}

#[test]
fn a_workspace_private_endpoint_hands_each_name_to_its_service() {
    let s = setup(&PE_CASE);
    let pe = v4(s.fabric.scenario.nic(nic(&s.fabric, "pe-ws")).private_ip);
    let groups: Vec<&Group> = s
        .reach
        .groups
        .iter()
        .filter(|g| g.protocol == Protocol::Tcp && g.name.is_some() && g.contains(pe, 443))
        .collect();
    assert!(!groups.is_empty(), "the PE's names split 443 (A-9)");
    for g in groups {
        let n = g.name.expect("named") as usize;
        let server = s.space.names.server[n].expect("a service's name");
        assert!(g.works(), "{} to the workspace PE: {g:?}", s.space.names.list[n]);
        assert_eq!(g.reached, Some(Reached::Service(server)), "{}", s.space.names.list[n]);
    }
    // The PE subnet's NSG admits 443 and 8000-8100 only (P-6).
    assert_eq!(delivered_ports(&s.reach, Protocol::Tcp, pe), [(443, 443), (8000, 8100)]);
}

#[test]
fn s5_the_policy_filters_the_accounts_of_the_region_and_its_pair_only() {
    let s = setup(&SEP_CASE);
    let group_at = |address: u32, port: u16| group_at(&s.reach, Protocol::Tcp, address, port);
    for region in ["eastus", "westus"] {
        let id = service(&s.fabric, &format!("any-storage-account.{region}"));
        let g = group_at(v4(s.fabric.scenario.service(id).public_ip), 443);
        assert_eq!(g.request, Disposition::DeniedByService, "{region}: {g:?}");
        let (_, request, _) = g.replay(&s.fabric, &s.space, s.reach.source);
        let refused = request.steps.iter().any(|step| {
            matches!(step, Step::Service { service, admission: Admission::ServiceEndpointPolicy(_), .. } if *service == id)
        });
        assert!(refused, "{region}: {:?}", request.steps);
    }
    // The built-in account stands for every undeclared address of Storage.eastus (40.68.0.0/20).
    let eastus = service(&s.fabric, "any-storage-account.eastus");
    let g = group_at(v4(s.fabric.scenario.service(eastus).public_ip), 443);
    assert!(g.contains(ip("40.68.7.200"), 443) && g.contains(ip("40.68.15.255"), 443), "{g:?}");
    // westeurope is outside eastus and its pair: not filtered, and the NSG allows 443.
    let euro = service(&s.fabric, "any-storage-account.westeurope");
    let g = group_at(v4(s.fabric.scenario.service(euro).public_ip), 443);
    assert!(g.works() && g.reached == Some(Reached::Service(euro)), "{g:?}");
    assert_eq!(group_at(v4(s.fabric.scenario.service(euro).public_ip), 80).request, Disposition::DeniedByNsg);
    // The listed account is reached over the endpoint.
    let mine = service(&s.fabric, "mine");
    assert_eq!(group_at(v4(s.fabric.scenario.service(mine).public_ip), 443).reached, Some(Reached::Service(mine)));
}

#[test]
fn reach_is_deterministic() {
    for case in CASES {
        let s = setup(case);
        let again = reach(&s.fabric, &s.space, s.reach.source);
        assert_eq!(format!("{:?}", s.reach), format!("{again:?}"), "{}", s.fabric.scenario.name);
        let fresh = setup(case);
        assert_eq!(format!("{:?}", s.reach), format!("{:?}", fresh.reach), "{} compiled twice", s.fabric.scenario.name);
    }
}
