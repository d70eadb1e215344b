//! The scenario file as written: names still unresolved, every value located.

pub mod admin;
pub mod audit;
pub mod devices;
pub mod managed;
pub mod paas;

use crate::decode::{self, Fields, Sp};
use crate::diagnostic::{Diagnostics, Loc};
use crate::yaml::{Node, NodeKind};
pub use admin::*;
pub use audit::RawAudit;
pub use devices::*;
pub use paas::*;
use vnetsim_model::{Access, AnyProtocol, Direction, IpAddr, IpNet, Options, PortSet};

pub struct RawScenario {
    pub name: Option<Sp<String>>,
    pub description: Option<String>,
    pub region: Option<Sp<String>>,
    pub vnets: Vec<RawVnet>,
    pub nsgs: Vec<RawNsg>,
    pub asgs: Vec<Sp<String>>,
    pub route_tables: Vec<RawRouteTable>,
    pub endpoints: Vec<RawEndpoint>,
    pub on_premises: Vec<RawOnPrem>,
    pub services: Vec<RawService>,
    pub private_endpoints: Vec<RawPrivateEndpoint>,
    pub zones: Vec<RawZone>,
    pub policies: Vec<RawPolicy>,
    pub gateways: Vec<RawGateway>,
    pub ip_groups: Vec<RawIpGroup>,
    pub firewall_policies: Vec<RawFirewallPolicy>,
    pub firewalls: Vec<RawFirewall>,
    pub nat_gateways: Vec<RawNatGateway>,
    pub load_balancers: Vec<RawLoadBalancer>,
    pub network_managers: Vec<RawNetworkManager>,
    pub audit: RawAudit,
    pub expect: Vec<RawExpect>,
    /// `options:`, with the defaults for keys not written.
    pub options: Options,
    /// `aliases:`: other names of places, each with the name it stands for.
    pub aliases: Vec<(Sp<String>, Sp<String>)>,
}

pub struct RawGateway {
    pub loc: Loc,
    pub name: Sp<String>,
    pub kind: Sp<GatewayKind>,
    pub vnet: Sp<String>,
    pub ip: Option<Sp<IpAddr>>,
    pub connections: Vec<Sp<String>>,
}

pub struct RawVnet {
    pub name: Sp<String>,
    pub address_space: Vec<Sp<IpNet>>,
    /// Where `address_space` is written (`None` when missing, already reported).
    pub address_space_loc: Option<Loc>,
    /// Whether every `address_space` entry decoded; when one did not, subnets outside the rest
    /// are left out without a follow-on error.
    pub address_space_complete: bool,
    pub dns_servers: Vec<Sp<IpAddr>>,
    pub subnets: Vec<RawSubnet>,
    pub peerings: Vec<RawPeering>,
}

pub struct RawSubnet {
    pub name: Sp<String>,
    pub prefix: Sp<IpNet>,
    pub nsg: Option<Sp<String>>,
    pub route_table: Option<Sp<String>>,
    pub service_endpoints: Vec<Sp<String>>,
    pub service_endpoint_policies: Vec<Sp<String>>,
    pub private_endpoint_network_policies: Option<Sp<String>>,
    pub default_outbound_access: Option<bool>,
    pub nat_gateway: Option<Sp<String>>,
}

pub struct RawPeering {
    pub loc: Loc,
    pub name: Option<Sp<String>>,
    pub remote_vnet: Sp<String>,
    pub allow_virtual_network_access: bool,
    pub allow_forwarded_traffic: bool,
    pub allow_gateway_transit: bool,
    pub use_remote_gateways: bool,
}

pub struct RawNsg {
    pub name: Sp<String>,
    pub rules: Vec<RawRule>,
}

/// An NSG rule, or with `A` an admin action, a security admin rule (N-16): the same fields.
pub struct RawRule<A = Access> {
    pub loc: Loc,
    pub name: Sp<String>,
    pub priority: Sp<u64>,
    pub direction: Sp<Direction>,
    pub access: A,
    pub protocol: Sp<String>,
    pub source: Sp<Vec<Sp<String>>>,
    pub source_ports: PortSet,
    pub destination: Sp<Vec<Sp<String>>>,
    pub destination_ports: PortSet,
}

pub struct RawRouteTable {
    pub name: Sp<String>,
    pub disable_bgp_route_propagation: bool,
    pub routes: Vec<RawRoute>,
}

pub struct RawRoute {
    pub loc: Loc,
    pub name: Sp<String>,
    /// A prefix or a service tag.
    pub destination: Sp<String>,
    pub next_hop: Sp<NextHopType>,
    pub next_hop_ip: Option<Sp<IpAddr>>,
    /// Whether `next_hop_ip` is written, even if it was refused.
    pub next_hop_ip_written: bool,
}

/// A route's `next_hop` as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextHopType {
    VirtualAppliance,
    VirtualNetworkGateway,
    VnetLocal,
    Internet,
    None,
}

pub const NEXT_HOP_TYPES: [(&str, NextHopType); 5] = [
    ("VirtualAppliance", NextHopType::VirtualAppliance),
    ("VirtualNetworkGateway", NextHopType::VirtualNetworkGateway),
    ("VnetLocal", NextHopType::VnetLocal),
    ("Internet", NextHopType::Internet),
    ("None", NextHopType::None),
];

/// A virtual network gateway's `kind` (H-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayKind {
    Vpn,
    ExpressRoute,
}

pub const GATEWAY_KINDS: [(&str, GatewayKind); 2] =
    [("vpn", GatewayKind::Vpn), ("expressroute", GatewayKind::ExpressRoute)];

impl GatewayKind {
    /// The word the model and reports use.
    pub fn name(self) -> &'static str {
        match self {
            GatewayKind::Vpn => "vpn",
            GatewayKind::ExpressRoute => "expressroute",
        }
    }
}

pub const DIRECTIONS: [(&str, Direction); 2] = [("inbound", Direction::Inbound), ("outbound", Direction::Outbound)];
pub const ACCESSES: [(&str, Access); 2] = [("allow", Access::Allow), ("deny", Access::Deny)];

pub struct RawEndpoint {
    pub loc: Loc,
    pub name: Sp<String>,
    pub kind: Sp<String>,
    pub node_count: Option<Sp<u64>>,
    pub nics: Vec<RawNic>,
    pub dns: Option<Sp<RawDnsForwarding>>,
    /// F-15: an NVA that drops replies of sessions it did not see.
    pub stateful: Option<Sp<bool>>,
    /// the public IP of an AML compute's load balancer.
    pub node_public_ip: Option<Sp<IpAddr>>,
    /// The workspace an AML compute, AKS pool or deployment belongs to (for flows).
    pub workspace: Option<Sp<String>>,
}

pub struct RawNic {
    pub loc: Loc,
    pub subnet: Sp<String>,
    pub ip: Option<Sp<IpAddr>>,
    pub public_ip: Option<Sp<IpAddr>>,
    pub nsg: Option<Sp<String>>,
    pub asgs: Vec<Sp<String>>,
    pub ip_forwarding: Option<bool>,
}

pub struct RawOnPrem {
    pub name: Sp<String>,
    pub prefixes: Vec<Sp<IpNet>>,
    pub dns_servers: Vec<Sp<IpAddr>>,
    pub dns: Option<RawDnsForwarding>,
}

pub struct RawExpect {
    pub loc: Loc,
    pub name: Option<String>,
    pub from: Sp<String>,
    /// `to` for a connection, `flow` for a catalogue flow, neither for the exfiltration audit of
    /// `from` (outcomes from [`NO_EXFILTRATION`]); any other combination is an error.
    pub to: Option<Sp<String>>,
    pub flow: Option<Sp<String>>,
    /// For a flow: whose workspace's flow, when the scenario has several.
    pub workspace: Option<Sp<String>>,
    /// Connections only; `tcp` when not written.
    pub protocol: Option<Sp<String>>,
    pub port: Option<Sp<u64>>,
    /// Whether `port` is written, even if it was refused (no "needs a port" then).
    pub port_written: bool,
    pub source_port: Option<Sp<u64>>,
    pub outcome: Sp<Outcome>,
    pub by: Option<Sp<String>>,
    pub resolves_to: Option<Sp<String>>,
    /// Connections only: objects the request must (`via`) or must not (`not_via`) cross, and
    /// the source address the destination must see (`seen_as`).
    pub via: Option<Sp<Vec<Sp<String>>>>,
    pub not_via: Option<Sp<Vec<Sp<String>>>>,
    pub seen_as: Option<Sp<String>>,
}

/// Reads the optional list of objects under `key`, decoding each with `item`.
pub(crate) fn each<'n, T>(
    f: &mut Fields<'n>,
    key: &'static str,
    what: &'static str,
    d: &mut Diagnostics,
    mut item: impl FnMut(&'n Node, &mut Diagnostics) -> Option<T>,
) -> Vec<T> {
    match f.get(key) {
        Some(node) => decode::objects(node, what, d).iter().filter_map(|n| item(n, d)).collect(),
        None => Vec::new(),
    }
}

/// [`each`] for objects others refer to by name: one left out after an error of its own is
/// recorded as `kind` (the resolver's kind word), so references to it raise no follow-on error.
pub(crate) fn each_named<'n, T>(
    f: &mut Fields<'n>,
    key: &'static str,
    what: &'static str,
    kind: &'static str,
    d: &mut Diagnostics,
    mut item: impl FnMut(&'n Node, &mut Diagnostics) -> Option<T>,
) -> Vec<T> {
    let Some(node) = f.get(key) else { return Vec::new() };
    let mut out = Vec::new();
    for n in decode::objects(node, what, d) {
        match item(n, d) {
            Some(x) => out.push(x),
            None => {
                if let Some(name) = decode::name_of(n) {
                    d.leave_out(kind, name);
                }
            }
        }
    }
    out
}

/// [`each`] for the rules of an NSG or routes of a route table named `owner`: one left out after
/// an error of its own is recorded as `owner/rule`, so a `by:` naming it raises no follow-on error.
fn each_rule<'n, T>(
    f: &mut Fields<'n>,
    key: &'static str,
    what: &'static str,
    owner: Option<&Sp<String>>,
    d: &mut Diagnostics,
    mut item: impl FnMut(&'n Node, &mut Diagnostics) -> Option<T>,
) -> Vec<T> {
    let Some(node) = f.get(key) else { return Vec::new() };
    let mut out = Vec::new();
    for n in decode::objects(node, what, d) {
        match item(n, d) {
            Some(x) => out.push(x),
            None => {
                if let (Some(owner), Some(name)) = (owner, decode::name_of(n)) {
                    d.leave_out("rule", &format!("{}/{name}", owner.value));
                }
            }
        }
    }
    out
}

pub(crate) fn opt<'n, T>(
    f: &mut Fields<'n>,
    key: &'static str,
    d: &mut Diagnostics,
    read: impl FnOnce(&'n Node, &mut Diagnostics) -> Option<T>,
) -> Option<T> {
    f.get(key).and_then(|n| read(n, d))
}

pub(crate) fn flag(f: &mut Fields<'_>, key: &'static str, default: bool, d: &mut Diagnostics) -> bool {
    opt(f, key, d, |n, d| decode::boolean(n, key, d)).unwrap_or(default)
}

pub fn scenario(root: &Node, d: &mut Diagnostics) -> Option<RawScenario> {
    let mut f = Fields::open(root, "scenario", d)?;
    let s = RawScenario {
        name: opt(&mut f, "name", d, |n, d| decode::string(n, "scenario name", d)),
        description: opt(&mut f, "description", d, |n, d| decode::text(n, "description", d)).map(|s| s.value),
        region: opt(&mut f, "region", d, |n, d| decode::name(n, "region", d)),
        vnets: each_named(&mut f, "vnets", "vnets", "VNet", d, vnet),
        nsgs: each_named(&mut f, "nsgs", "NSGs", "NSG", d, nsg),
        asgs: opt(&mut f, "asgs", d, |n, d| Some(decode::list(n, |n, d| decode::name(n, "ASG name", d), d)))
            .unwrap_or_default(),
        route_tables: each_named(&mut f, "route_tables", "route tables", "route table", d, route_table),
        endpoints: each_named(&mut f, "endpoints", "endpoints", "endpoint", d, endpoint),
        on_premises: each(&mut f, "on_premises", "on-premises networks", d, on_prem),
        services: paas::services(&mut f, d),
        private_endpoints: paas::private_endpoints(&mut f, d),
        zones: paas::zones(&mut f, d),
        policies: paas::policies(&mut f, d),
        gateways: each(&mut f, "gateways", "gateways", d, gateway),
        ip_groups: devices::ip_groups(&mut f, d),
        firewall_policies: devices::firewall_policies(&mut f, d),
        firewalls: devices::firewalls(&mut f, d),
        nat_gateways: devices::nat_gateways(&mut f, d),
        load_balancers: devices::load_balancers(&mut f, d),
        network_managers: admin::network_managers(&mut f, d),
        audit: audit::audit(&mut f, d),
        expect: each(&mut f, "expect", "expectations", d, expect),
        options: opt(&mut f, "options", d, options).unwrap_or_default(),
        aliases: opt(&mut f, "aliases", d, aliases).unwrap_or_default(),
    };
    f.finish(d);
    Some(s)
}

/// `aliases:`: a mapping of other names (a Terraform address) to the place names they stand for.
fn aliases(node: &Node, d: &mut Diagnostics) -> Option<Vec<(Sp<String>, Sp<String>)>> {
    let NodeKind::Map(entries) = &node.kind else {
        d.error(node.loc, format!("expected a mapping of aliases to names for aliases, found {}", node.describe()));
        return None;
    };
    Some(
        entries
            .iter()
            .filter_map(|(k, v)| Some((decode::string(k, "alias", d)?, decode::string(v, "aliased name", d)?)))
            .collect(),
    )
}

/// `options:`: the switches for semantics the documentation leaves open (N-3, P-10, F-9, the
/// R-15 reply reading), the appliance hop limit and the region of foreign resources. Keys not written keep their defaults.
fn options(node: &Node, d: &mut Diagnostics) -> Option<Options> {
    let mut f = Fields::open(node, "options", d)?;
    let mut o = Options::default();
    if let Some(v) = opt(&mut f, "any_protocol", d, |n, d| decode::choice(n, "any_protocol", &ANY_PROTOCOLS, d)) {
        o.any_protocol = v.value;
    }
    if let Some(v) =
        opt(&mut f, "private_endpoint_tcp_only", d, |n, d| decode::boolean(n, "private_endpoint_tcp_only", d))
    {
        o.pe_tcp_only = v;
    }
    if let Some(v) =
        opt(&mut f, "firewall_wildcard_matches_apex", d, |n, d| decode::boolean(n, "firewall_wildcard_matches_apex", d))
    {
        o.fw_wildcard_matches_apex = v;
    }
    let max = u64::from(Options::MAX_HOPS_LIMIT);
    if let Some(v) = opt(&mut f, "forwarded_traffic_checks_replies", d, |n, d| {
        decode::boolean(n, "forwarded_traffic_checks_replies", d)
    }) {
        o.forwarded_traffic_checks_replies = v;
    }
    if let Some(v) =
        opt(&mut f, "admin_rules_judge_replies", d, |n, d| decode::boolean(n, "admin_rules_judge_replies", d))
    {
        o.admin_rules_judge_replies = v;
    }
    if let Some(v) = opt(&mut f, "max_hops", d, |n, d| decode::integer(n, "max_hops", 1, max, d)) {
        o.max_hops = v.value as u8;
    }
    if let Some(v) = opt(&mut f, "foreign_region", d, |n, d| decode::name(n, "region", d)) {
        o.foreign_region = Some(v.value.to_ascii_lowercase());
    }
    f.finish(d);
    Some(o)
}

/// `options.any_protocol` (N-3): what an NSG rule with protocol `Any` matches.
pub const ANY_PROTOCOLS: [(&str, AnyProtocol); 2] =
    [("all", AnyProtocol::AllProtocols), ("tcp_udp_icmp", AnyProtocol::TcpUdpIcmp)];

fn vnet(node: &Node, d: &mut Diagnostics) -> Option<RawVnet> {
    let mut f = Fields::open(node, "vnet", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "VNet name", d));
    let space_node = f.require("address_space", d);
    let address_space =
        space_node.map(|n| decode::list(n, |n, d| decode::prefix(n, "address_space", d), d)).unwrap_or_default();
    let address_space_loc = space_node.map(|n| n.loc);
    let address_space_complete = space_node.is_none_or(|n| decode::list_len(n) == address_space.len());
    let dns_servers =
        opt(&mut f, "dns_servers", d, |n, d| Some(decode::list(n, |n, d| decode::ip(n, "dns_servers", d), d)))
            .unwrap_or_default();
    // With an invalid name the VNet is left out, and so are its subnets, under the name written.
    let vnet_name = name.as_ref().map(|n| n.value.as_str()).or_else(|| decode::name_of(node));
    let mut subnets = Vec::new();
    if let Some(node) = f.get("subnets") {
        for item in decode::objects(node, "subnets", d) {
            match subnet(item, d).filter(|_| name.is_some()) {
                Some(sn) => subnets.push(sn),
                // Left out after its own error: endpoints in it are not reported again.
                None => {
                    if let (Some(vnet), Some(sn)) = (vnet_name, decode::name_of(item)) {
                        d.leave_out("subnet", &format!("{vnet}/{sn}"));
                    }
                }
            }
        }
    }
    let peerings = each(&mut f, "peerings", "peerings", d, peering);
    f.finish(d);
    Some(RawVnet {
        name: name?,
        address_space,
        address_space_loc,
        address_space_complete,
        dns_servers,
        subnets,
        peerings,
    })
}

fn subnet(node: &Node, d: &mut Diagnostics) -> Option<RawSubnet> {
    let mut f = Fields::open(node, "subnet", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "subnet name", d));
    let prefix = f.require("prefix", d).and_then(|n| decode::prefix(n, "subnet prefix", d));
    let nsg = opt(&mut f, "nsg", d, |n, d| decode::name(n, "NSG name", d));
    let route_table = opt(&mut f, "route_table", d, |n, d| decode::name(n, "route table name", d));
    let service_endpoints = opt(&mut f, "service_endpoints", d, |n, d| {
        Some(decode::list(n, |n, d| decode::string(n, "service endpoint", d), d))
    })
    .unwrap_or_default();
    let service_endpoint_policies = opt(&mut f, "service_endpoint_policies", d, |n, d| {
        Some(decode::list(n, |n, d| decode::name(n, "service endpoint policy", d), d))
    })
    .unwrap_or_default();
    let private_endpoint_network_policies = opt(&mut f, "private_endpoint_network_policies", d, |n, d| {
        decode::string(n, "private_endpoint_network_policies", d)
    });
    let default_outbound_access =
        opt(&mut f, "default_outbound_access", d, |n, d| decode::boolean(n, "default_outbound_access", d));
    let nat_gateway = opt(&mut f, "nat_gateway", d, |n, d| decode::name(n, "NAT gateway name", d));
    f.finish(d);
    Some(RawSubnet {
        name: name?,
        prefix: prefix?,
        nsg,
        route_table,
        service_endpoints,
        service_endpoint_policies,
        private_endpoint_network_policies,
        default_outbound_access,
        nat_gateway,
    })
}

fn peering(node: &Node, d: &mut Diagnostics) -> Option<RawPeering> {
    let mut f = Fields::open(node, "peering", d)?;
    let p = RawPeering {
        loc: f.loc(),
        name: opt(&mut f, "name", d, |n, d| decode::name(n, "peering name", d)),
        remote_vnet: f.require("remote_vnet", d).and_then(|n| decode::name(n, "remote_vnet", d))?,
        allow_virtual_network_access: flag(&mut f, "allow_virtual_network_access", true, d),
        allow_forwarded_traffic: flag(&mut f, "allow_forwarded_traffic", false, d),
        allow_gateway_transit: flag(&mut f, "allow_gateway_transit", false, d),
        use_remote_gateways: flag(&mut f, "use_remote_gateways", false, d),
    };
    f.finish(d);
    Some(p)
}

fn nsg(node: &Node, d: &mut Diagnostics) -> Option<RawNsg> {
    let mut f = Fields::open(node, "NSG", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "NSG name", d));
    let rules = each_rule(&mut f, "rules", "NSG rules", name.as_ref(), d, rule);
    f.finish(d);
    Some(RawNsg { name: name?, rules })
}

/// An address field: `*`, one string, or a list of strings (prefixes, one tag or one ASG).
fn addresses(node: &Node, what: &str, d: &mut Diagnostics) -> Sp<Vec<Sp<String>>> {
    Sp { value: decode::list(node, |n, d| decode::string(n, what, d), d), loc: node.loc }
}

fn rule(node: &Node, d: &mut Diagnostics) -> Option<RawRule> {
    rule_of(node, "NSG rule", 100, d, |n, d| decode::choice(n, "access", &ACCESSES, d).map(|a| a.value))
}

/// A rule of priority `min_priority..=4096` with match fields, whose `access` `read_access`
/// decodes: NSG rules (N-4) and security admin rules (N-16).
pub(crate) fn rule_of<A>(
    node: &Node,
    what: &'static str,
    min_priority: u64,
    d: &mut Diagnostics,
    read_access: impl FnOnce(&Node, &mut Diagnostics) -> Option<A>,
) -> Option<RawRule<A>> {
    let mut f = Fields::open(node, what, d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::name(n, "rule name", d));
    let priority = f.require("priority", d).and_then(|n| decode::integer(n, "priority", min_priority, 4096, d));
    let direction = f.require("direction", d).and_then(|n| decode::choice(n, "direction", &DIRECTIONS, d));
    let access = f.require("access", d).and_then(|n| read_access(n, d));
    let protocol =
        opt(&mut f, "protocol", d, |n, d| decode::string(n, "protocol", d)).unwrap_or(Sp { value: "*".into(), loc });
    let any = || Sp { value: vec![Sp { value: "*".to_string(), loc }], loc };
    let source = f.get("source").map_or_else(any, |n| addresses(n, "source", d));
    let source_ports = opt(&mut f, "source_ports", d, |n, d| decode::ports(n, "source_ports", d));
    let destination = f.get("destination").map_or_else(any, |n| addresses(n, "destination", d));
    let destination_ports = opt(&mut f, "destination_ports", d, |n, d| decode::ports(n, "destination_ports", d));
    f.finish(d);
    Some(RawRule {
        loc,
        name: name?,
        priority: priority?,
        direction: direction?,
        access: access?,
        protocol,
        source,
        source_ports: source_ports.unwrap_or_else(PortSet::any),
        destination,
        destination_ports: destination_ports.unwrap_or_else(PortSet::any),
    })
}

fn route_table(node: &Node, d: &mut Diagnostics) -> Option<RawRouteTable> {
    let mut f = Fields::open(node, "route table", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "route table name", d));
    let disable_bgp_route_propagation = flag(&mut f, "disable_bgp_route_propagation", false, d);
    let routes = each_rule(&mut f, "routes", "routes", name.as_ref(), d, route);
    f.finish(d);
    Some(RawRouteTable { name: name?, disable_bgp_route_propagation, routes })
}

fn route(node: &Node, d: &mut Diagnostics) -> Option<RawRoute> {
    let mut f = Fields::open(node, "route", d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::name(n, "route name", d));
    let destination = f.require("prefix", d).and_then(|n| decode::string(n, "route prefix", d));
    let next_hop = f.require("next_hop", d).and_then(|n| decode::choice(n, "next_hop", &NEXT_HOP_TYPES, d));
    let next_hop_ip_written = f.has("next_hop_ip");
    let next_hop_ip = opt(&mut f, "next_hop_ip", d, |n, d| decode::ipv4(n, "next_hop_ip", d));
    f.finish(d);
    Some(RawRoute {
        loc,
        name: name?,
        destination: destination?,
        next_hop: next_hop?,
        next_hop_ip,
        next_hop_ip_written,
    })
}

const NIC_KEYS: [&str; 6] = ["subnet", "ip", "public_ip", "nsg", "asgs", "ip_forwarding"];

/// NIC keys, read from a NIC mapping or from an endpoint written with one NIC inline.
fn nic_fields(f: &mut Fields<'_>, d: &mut Diagnostics) -> Option<RawNic> {
    let loc = f.loc();
    let subnet = f.require("subnet", d).and_then(|n| decode::string(n, "subnet", d));
    let nic = RawNic {
        loc,
        ip: opt(f, "ip", d, |n, d| decode::ip(n, "ip", d)),
        public_ip: opt(f, "public_ip", d, |n, d| decode::ip(n, "public_ip", d)),
        nsg: opt(f, "nsg", d, |n, d| decode::name(n, "NSG name", d)),
        asgs: opt(f, "asgs", d, |n, d| Some(decode::list(n, |n, d| decode::name(n, "ASG name", d), d)))
            .unwrap_or_default(),
        ip_forwarding: opt(f, "ip_forwarding", d, |n, d| decode::boolean(n, "ip_forwarding", d)),
        subnet: subnet?,
    };
    Some(nic)
}

fn nic(node: &Node, d: &mut Diagnostics) -> Option<RawNic> {
    let mut f = Fields::open(node, "NIC", d)?;
    let nic = nic_fields(&mut f, d);
    f.finish(d);
    nic
}

fn endpoint(node: &Node, d: &mut Diagnostics) -> Option<RawEndpoint> {
    let mut f = Fields::open(node, "endpoint", d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::name(n, "endpoint name", d));
    let kind = f.require("kind", d).and_then(|n| decode::string(n, "endpoint kind", d));
    let node_count = opt(&mut f, "node_count", d, |n, d| decode::integer(n, "node_count", 1, 10_000, d));
    let dns = opt(&mut f, "dns", d, |n, d| dns_forwarding(n, d).map(|value| Sp { value, loc: n.loc }));
    let stateful = devices::located_flag(&mut f, "stateful", d);
    let node_public_ip = opt(&mut f, "node_public_ip", d, |n, d| decode::ip(n, "node_public_ip", d));
    let workspace = opt(&mut f, "workspace", d, |n, d| decode::name(n, "workspace", d));
    let no_nic = |d: &mut Diagnostics| d.error(loc, "endpoint has no NIC: give `subnet:` (one NIC) or `nics:`");
    let nics = if f.has("nics") {
        let inline_keys: Vec<&'static str> = NIC_KEYS.into_iter().filter(|k| f.has(k)).collect();
        for inline in inline_keys {
            d.error(
                loc,
                format!("endpoint has both `nics` and the single-NIC key `{inline}`: write NIC keys inside `nics`"),
            );
            f.get(inline);
        }
        let items = f.get("nics").map_or(&[][..], |node| decode::objects(node, "NICs", d));
        if items.is_empty() {
            no_nic(d);
        }
        items.iter().filter_map(|n| nic(n, d)).collect()
    } else if f.has("subnet") {
        nic_fields(&mut f, d).into_iter().collect()
    } else {
        no_nic(d);
        Vec::new()
    };
    f.finish(d);
    Some(RawEndpoint { loc, name: name?, kind: kind?, node_count, nics, dns, stateful, node_public_ip, workspace })
}

fn gateway(node: &Node, d: &mut Diagnostics) -> Option<RawGateway> {
    let mut f = Fields::open(node, "gateway", d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::name(n, "gateway name", d));
    let kind = f.require("kind", d).and_then(|n| decode::choice(n, "gateway kind", &GATEWAY_KINDS, d));
    let vnet = f.require("vnet", d).and_then(|n| decode::name(n, "vnet", d));
    let ip = opt(&mut f, "ip", d, |n, d| decode::ip(n, "ip", d));
    let connections = f
        .require("connections", d)
        .map(|n| decode::list(n, |n, d| decode::name(n, "on-premises network", d), d))
        .unwrap_or_default();
    f.finish(d);
    Some(RawGateway { loc, name: name?, kind: kind?, vnet: vnet?, ip, connections })
}

fn on_prem(node: &Node, d: &mut Diagnostics) -> Option<RawOnPrem> {
    let mut f = Fields::open(node, "on-premises network", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "network name", d));
    let prefixes = f
        .require("prefixes", d)
        .map(|n| decode::list(n, |n, d| decode::prefix(n, "prefixes", d), d))
        .unwrap_or_default();
    let dns_servers =
        opt(&mut f, "dns_servers", d, |n, d| Some(decode::list(n, |n, d| decode::ip(n, "dns_servers", d), d)))
            .unwrap_or_default();
    let dns = opt(&mut f, "dns", d, dns_forwarding);
    f.finish(d);
    Some(RawOnPrem { name: name?, prefixes, dns_servers, dns })
}

/// `outcome:`, two per subject: connections are allowed or denied, flows work or are broken,
/// the exfiltration audit of a source finds no path out or finds one. The second of each pair
/// takes a `by:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
    OneWay,
    Works,
    Broken,
    NoExfiltration,
    Exfiltration,
}

pub const OUTCOMES: [(&str, Outcome); 7] = [
    ("allowed", Outcome::Allowed),
    ("denied", Outcome::Denied),
    ("one_way", Outcome::OneWay),
    ("works", Outcome::Works),
    ("broken", Outcome::Broken),
    ("no_exfiltration", Outcome::NoExfiltration),
    ("exfiltration", Outcome::Exfiltration),
];

impl Outcome {
    /// The word as written.
    pub fn word(self) -> &'static str {
        OUTCOMES.iter().find(|(_, o)| *o == self).map_or("", |(w, _)| w)
    }

    /// Whether this is an outcome of the exfiltration audit (no `to:`, no `flow:`).
    pub fn is_audit(self) -> bool {
        matches!(self, Outcome::NoExfiltration | Outcome::Exfiltration)
    }
}

fn expect(node: &Node, d: &mut Diagnostics) -> Option<RawExpect> {
    let mut f = Fields::open(node, "expectation", d)?;
    let loc = f.loc();
    let name = opt(&mut f, "name", d, |n, d| decode::string(n, "expectation name", d)).map(|s| s.value);
    let from = f.require("from", d).and_then(|n| decode::string(n, "from", d));
    let to = opt(&mut f, "to", d, |n, d| decode::string(n, "to", d));
    let flow = opt(&mut f, "flow", d, |n, d| decode::name(n, "flow", d));
    let workspace = opt(&mut f, "workspace", d, |n, d| decode::name(n, "workspace", d));
    let protocol = opt(&mut f, "protocol", d, |n, d| decode::string(n, "protocol", d));
    let port_written = f.has("port");
    let port = opt(&mut f, "port", d, |n, d| decode::integer(n, "port", 0, 65535, d));
    let source_port = opt(&mut f, "source_port", d, |n, d| decode::integer(n, "source_port", 0, 65535, d));
    let outcome = f.require("outcome", d).and_then(|n| decode::choice(n, "outcome", &OUTCOMES, d));
    // An audit expectation has neither; resolution reports each one it has.
    let audit = outcome.as_ref().is_some_and(|o| o.value.is_audit());
    if to.is_some() == flow.is_some() && !audit {
        d.error_with_help(
            loc,
            "an expectation needs exactly one of `to:` (a connection) and `flow:` (a catalogue flow)",
            "or neither, with `outcome: no_exfiltration` or `exfiltration`, for the exfiltration audit of `from`",
        );
    }
    let by = opt(&mut f, "by", d, |n, d| decode::string(n, "by", d));
    let resolves_to = opt(&mut f, "resolves_to", d, |n, d| decode::string(n, "resolves_to", d));
    let names = |key: &'static str| {
        move |n: &Node, d: &mut Diagnostics| {
            Some(Sp { value: decode::list(n, |i, d| decode::string(i, key, d), d), loc: n.loc })
        }
    };
    let via = opt(&mut f, "via", d, names("via"));
    let not_via = opt(&mut f, "not_via", d, names("not_via"));
    let seen_as = opt(&mut f, "seen_as", d, |n, d| decode::string(n, "seen_as", d));
    f.finish(d);
    Some(RawExpect {
        loc,
        name,
        from: from?,
        to,
        flow,
        workspace,
        protocol,
        port,
        port_written,
        source_port,
        outcome: outcome?,
        by,
        resolves_to,
        via,
        not_via,
        seen_as,
    })
}
