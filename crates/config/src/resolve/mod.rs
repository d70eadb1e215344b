//! Validation and name resolution: the raw file becomes a [`Scenario`].
//!
//! Every check records its diagnostic and carries on, so one run reports every problem in the
//! file. Objects that fail to resolve are left out; later checks then skip what depends on them.

mod audit;
mod devices;
mod expect;
mod gateways;
mod managed;
mod paas;
#[cfg(test)]
mod tests;

use crate::decode::{Sp, parse_ipv4_prefix, parse_prefix};
use crate::diagnostic::{Diagnostics, Loc, MAX_LISTED, MAX_QUOTED, did_you_mean, edit_distance, shorten};
use crate::raw::*;
use indexmap::IndexMap;
use vnetsim_model::addr::{
    MIN_SUBNET_V4_PREFIX_LEN, is_reserved_in_subnet, overlaps, usable_address_count, usable_addresses,
};
use vnetsim_model::service_tags::contextual_tag;
use vnetsim_model::*;

/// The service endpoint names Azure accepts on a subnet.
pub const SERVICE_ENDPOINTS: [&str; 11] = [
    "Microsoft.Storage",
    "Microsoft.Storage.Global",
    "Microsoft.KeyVault",
    "Microsoft.ContainerRegistry",
    "Microsoft.Sql",
    "Microsoft.AzureCosmosDB",
    "Microsoft.AzureActiveDirectory",
    "Microsoft.Web",
    "Microsoft.EventHub",
    "Microsoft.ServiceBus",
    "Microsoft.CognitiveServices",
];

/// Region used when a scenario names none.
pub const DEFAULT_REGION: &str = "eastus";

/// Names of one kind of object, for lookups with "did you mean" on failure.
struct Names<Id> {
    kind: &'static str,
    map: IndexMap<String, Id>,
}

impl<Id: Copy> Names<Id> {
    fn new(kind: &'static str) -> Self {
        Names { kind, map: IndexMap::new() }
    }

    /// Registers a name; a duplicate is reported and the first definition kept.
    fn define(&mut self, name: &Sp<String>, id: Id, d: &mut Diagnostics) {
        if self.map.contains_key(&name.value) {
            d.error(name.loc, format!("duplicate {} name `{}`", self.kind, name.value));
        } else {
            self.map.insert(name.value.clone(), id);
        }
    }

    fn get(&self, name: &str) -> Option<Id> {
        self.map.get(name).copied()
    }

    /// Resolves a reference, reporting a dangling one. A name whose object was left out after an
    /// error of its own, or a dangling name reported already, is not reported again.
    fn resolve(&self, name: &Sp<String>, d: &mut Diagnostics) -> Option<Id> {
        let found = self.get(&name.value);
        if found.is_none() && !d.is_left_out(self.kind, &name.value) && d.first_dangling(self.kind, &name.value) {
            let message = format!("unknown {} `{}`", self.kind, name.value);
            match did_you_mean(&name.value, self.map.keys().map(String::as_str)) {
                Some(s) => d.error_with_help(name.loc, message, format!("did you mean `{s}`?")),
                None if self.map.is_empty() => {
                    d.error_with_help(name.loc, message, format!("the scenario defines no {}", self.kind))
                }
                None => d.error_with_help(name.loc, message, defined_hint(&name.value, self.map.keys())),
            }
        }
        found
    }

    /// Records that the object `name` was left out after an error: references to it are skipped.
    fn leave_out(&self, name: &str, d: &mut Diagnostics) {
        d.leave_out(self.kind, name);
    }
}

/// "defined: a, b, c (and 12 more)": the [`MAX_LISTED`] names closest to `word`, then a count.
fn defined_hint<'a>(word: &str, names: impl ExactSizeIterator<Item = &'a String>) -> String {
    let total = names.len();
    let mut close: Vec<(usize, &String)> = names.map(|n| (edit_distance(word, n), n)).collect();
    // Stable: equally close names keep file order.
    close.sort_by_key(|(distance, _)| *distance);
    let listed: Vec<String> =
        close.iter().take(MAX_LISTED).map(|(_, n)| format!("{}", shorten(n, MAX_QUOTED))).collect();
    match total - listed.len() {
        0 => format!("defined: {}", listed.join(", ")),
        rest => format!("defined: {} (and {rest} more)", listed.join(", ")),
    }
}

/// Why Azure refuses `net` as a VNet address space, if it does. The Azure Virtual Network FAQ
/// ("What address ranges can I use in my virtual networks?") reserves multicast, broadcast,
/// loopback, link-local and the platform's 168.63.129.16; 240.0.0.0/4 is reserved too
/// (RFC 1112), and 0.0.0.0/0 would hold all of them.
fn refused_address_space(net: Ipv4Net) -> Option<String> {
    if net.prefix_len() == 0 {
        return Some("a VNet cannot span the whole IPv4 space".into());
    }
    const RESERVED: [(&str, &str); 5] = [
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("168.63.129.16/32", "Azure's platform address (DNS, DHCP, health probes)"),
    ];
    RESERVED.iter().find_map(|(range, what)| {
        let range: Ipv4Net = range.parse().expect("valid reserved range");
        overlaps(IpNet::V4(range), IpNet::V4(net))
            .then(|| format!("it overlaps {range}, {what}, which Azure reserves and VNets cannot use"))
    })
}

/// Whether a rule or route entry is written as an address (else it names a tag or an ASG).
fn looks_like_address(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_digit()) || text.contains(':')
}

struct Resolver<'a> {
    d: &'a mut Diagnostics,
    s: Scenario,
    vnets: Names<VnetId>,
    subnets: Names<SubnetId>,
    nsgs: Names<NsgId>,
    asgs: Names<AsgId>,
    route_tables: Names<RouteTableId>,
    endpoints: Names<EndpointId>,
    on_prem: Names<OnPremId>,
    services: Names<ServiceId>,
    policies: Names<PolicyId>,
    /// Every service DNS name, to its index in `service_names`.
    name_index: std::collections::HashMap<String, usize>,
    /// The kind of each declared service, by id, known before services are built.
    raw_kinds: Vec<ServiceKind>,
    /// The `workspace_id` of each workspace, for its DNS names.
    workspace_ids: std::collections::HashMap<ServiceId, String>,
    /// Where each NIC was written, for allocation errors.
    nic_locs: Vec<Loc>,
    /// Static private IPs taken so far, per VNet, with their owner.
    static_ips: IndexMap<(VnetId, IpAddr), String>,
    /// The VNet of each ASG's first member (N-15).
    asg_vnets: IndexMap<AsgId, VnetId>,
    /// Public IPs taken so far, with their owner.
    public_ips: IndexMap<IpAddr, String>,
    /// Per service tag, where the search for its next free public IP resumes (prefix, host).
    public_ip_cursors: std::collections::HashMap<String, (usize, usize)>,
    /// `(local, remote)` of every peering side declared so far.
    peering_pairs: std::collections::HashSet<(VnetId, VnetId)>,
    peering_names: std::collections::HashSet<String>,
    /// IP groups, firewall policies, NAT gateways and load balancers.
    devices: devices::Devices,
    /// Endpoint, service and on-premises names for `from:` and `to:`.
    places: Option<crate::place::PlaceIndex>,
    /// Every name a `by:` can start with, built at the first `by:`.
    by_names: Option<std::collections::HashMap<String, expect::ByTarget>>,
}

/// Resolves a decoded file against a service tag table; `managed` are the workspace managed
/// networks [`crate::managed::expand`] added to `raw`.
pub fn resolve(
    raw: RawScenario,
    managed: &[crate::managed::ManagedPlan],
    tags: &ServiceTagTable,
    d: &mut Diagnostics,
) -> Scenario {
    let mut r = Resolver {
        d,
        s: Scenario {
            name: raw.name.map(|n| n.value).unwrap_or_default(),
            description: raw.description.unwrap_or_default(),
            region: raw.region.map_or_else(|| DEFAULT_REGION.to_string(), |r| r.value.to_ascii_lowercase()),
            service_tags: tags.clone(),
            options: raw.options,
            ..Scenario::default()
        },
        vnets: Names::new("VNet"),
        subnets: Names::new("subnet"),
        nsgs: Names::new("NSG"),
        asgs: Names::new("ASG"),
        route_tables: Names::new("route table"),
        endpoints: Names::new("endpoint"),
        on_prem: Names::new("on-premises network"),
        services: Names::new("service"),
        policies: Names::new("service endpoint policy"),
        name_index: Default::default(),
        workspace_ids: Default::default(),
        raw_kinds: Vec::new(),
        nic_locs: Vec::new(),
        static_ips: IndexMap::new(),
        asg_vnets: IndexMap::new(),
        peering_pairs: Default::default(),
        peering_names: Default::default(),
        public_ips: IndexMap::new(),
        public_ip_cursors: Default::default(),
        devices: Default::default(),
        places: None,
        by_names: None,
    };
    for name in &raw.asgs {
        if contextual_tag(&name.value).is_some() || tags.get(&name.value).is_some() {
            r.d.error(
                name.loc,
                format!("ASG `{}` has the name of a service tag; rules could not tell them apart", name.value),
            );
        }
        r.asgs.define(name, AsgId::from_index(r.s.asgs.len()), r.d);
        r.s.asgs.push(name.value.clone());
    }
    r.nsgs(&raw.nsgs);
    r.route_tables(&raw.route_tables);
    r.ip_groups(&raw.ip_groups);
    r.firewall_policies(&raw.firewall_policies);
    r.declare_services(&raw.services);
    r.policies(&raw.policies, &raw.services);
    r.declare_nat_gateways(&raw.nat_gateways);
    r.vnets(&raw.vnets);
    r.subnet_devices(&raw.vnets);
    r.peerings(&raw.vnets);
    r.on_premises(&raw.on_premises);
    r.services(&raw.services);
    r.endpoints(&raw.endpoints);
    r.endpoint_devices(&raw.endpoints);
    r.image_build_computes(&raw.services);
    r.private_endpoints(&raw.private_endpoints);
    r.gateways(&raw.gateways);
    r.firewalls(&raw.firewalls);
    r.check_gateway_transit(&raw.vnets);
    r.check_expressroute_udrs(&raw.route_tables);
    r.load_balancers(&raw.load_balancers);
    r.allocate_dynamic_ips();
    r.zones(&raw.zones);
    r.managed_networks(managed);
    r.audit(&raw.audit);
    r.expectations(&raw.expect);
    r.s
}

impl Resolver<'_> {
    fn nsgs(&mut self, raw: &[RawNsg]) {
        // Names first: rules may not refer to NSGs, but subnets and NICs do.
        for (i, n) in raw.iter().enumerate() {
            self.nsgs.define(&n.name, NsgId::from_index(i), self.d);
        }
        for n in raw {
            let mut rules = Vec::new();
            let mut rule_names = Names::<()>::new("rule");
            let mut priorities: IndexMap<(Direction, u64), &str> = IndexMap::new();
            for r in &n.rules {
                rule_names.define(&r.name, (), self.d);
                if let Some(other) = priorities.insert((r.direction.value, r.priority.value), &r.name.value) {
                    self.d.error(r.priority.loc, format!(
                        "duplicate priority {} for {} rules in NSG `{}` (also used by `{other}`): N-4 requires unique priorities per direction",
                        r.priority.value, r.direction.value, n.name.value
                    ));
                }
                match self.rule(r) {
                    Some(rule) => rules.push(rule),
                    None => self.d.leave_out("rule", &format!("{}/{}", n.name.value, r.name.value)),
                }
            }
            rules.extend(NsgRule::defaults());
            self.s.nsgs.push(Nsg { name: n.name.value.clone(), rules });
        }
    }

    fn rule(&mut self, r: &RawRule) -> Option<NsgRule> {
        let protocol = self.rule_protocol(&r.protocol);
        let source = self.address_match(&r.source, "source");
        let destination = self.address_match(&r.destination, "destination");
        Some(NsgRule {
            name: r.name.value.clone(),
            priority: r.priority.value as u16,
            direction: r.direction.value,
            access: r.access,
            protocol: protocol?,
            source: source?,
            source_ports: r.source_ports.clone(),
            destination: destination?,
            destination_ports: r.destination_ports.clone(),
            is_default: false,
        })
    }

    fn rule_protocol(&mut self, p: &Sp<String>) -> Option<ProtocolMatch> {
        if p.value == "*" || p.value.eq_ignore_ascii_case("any") {
            return Some(ProtocolMatch::Any);
        }
        let found = Protocol::parse(&p.value).map(ProtocolMatch::One);
        if found.is_none() {
            self.d.error_with_help(
                p.loc,
                format!("invalid protocol `{}`", p.value),
                "expected one of: tcp, udp, icmp, esp, ah, * (N-1)",
            );
        }
        found
    }

    /// N-2: any number of prefixes, or exactly one service tag, or exactly one ASG.
    fn address_match(&mut self, field: &Sp<Vec<Sp<String>>>, what: &str) -> Option<AddressMatch> {
        let items = &field.value;
        if items.iter().any(|i| i.value == "*" || i.value.eq_ignore_ascii_case("any")) {
            if items.len() > 1 {
                self.d.error(field.loc, format!("{what} mixes `*` with other entries"));
            }
            return Some(AddressMatch::Any);
        }
        let mut prefixes = Vec::new();
        let mut named = Vec::new();
        for item in items {
            if looks_like_address(&item.value) {
                match parse_ipv4_prefix(&item.value) {
                    Ok(p) => prefixes.push(p),
                    Err(m) => self.d.error(item.loc, format!("{what}: {m}")),
                }
            } else {
                named.push(item);
            }
        }
        match (named.as_slice(), prefixes.is_empty()) {
            ([], false) => Some(AddressMatch::Prefixes(prefixes)),
            // Entries that failed to parse were reported already.
            ([], true) if !items.is_empty() => None,
            ([], true) => {
                self.d.error(field.loc, format!("{what} is empty"));
                None
            }
            ([one], true) => self.tag_or_asg(one, what),
            _ => {
                self.d.error_with_help(
                    field.loc,
                    format!("{what} lists several service tags or ASGs, or mixes them with prefixes"),
                    "N-2: a rule field holds prefixes, or one service tag, or one ASG; split it into several rules",
                );
                None
            }
        }
    }

    fn tag_or_asg(&mut self, item: &Sp<String>, what: &str) -> Option<AddressMatch> {
        if let Some(asg) = self.asgs.get(&item.value) {
            return Some(AddressMatch::Asg(asg));
        }
        if let Some(tag) = contextual_tag(&item.value) {
            return Some(AddressMatch::ServiceTag(tag.to_string()));
        }
        if let Some(tag) = self.s.service_tags.get(&item.value) {
            return Some(AddressMatch::ServiceTag(tag.name.clone()));
        }
        let candidates =
            self.s.asgs.iter().map(String::as_str).chain(self.s.service_tags.iter().map(|t| t.name.as_str()));
        let message = format!("unknown service tag or ASG `{}` in {what}", item.value);
        match did_you_mean(&item.value, candidates) {
            Some(s) => self.d.error_with_help(item.loc, message, format!("did you mean `{s}`?")),
            None => self.d.error_with_help(
                item.loc,
                message,
                "declare ASGs under `asgs:`; service tags come from the built-in tag table",
            ),
        }
        None
    }

    fn route_tables(&mut self, raw: &[RawRouteTable]) {
        for (i, t) in raw.iter().enumerate() {
            self.route_tables.define(&t.name, RouteTableId::from_index(i), self.d);
            let mut names = Names::<()>::new("route");
            let mut routes = Vec::new();
            for route in &t.routes {
                names.define(&route.name, (), self.d);
                match self.route(route) {
                    Some(r) => routes.push(r),
                    None => self.d.leave_out("rule", &format!("{}/{}", t.name.value, route.name.value)),
                }
            }
            self.s.route_tables.push(RouteTable {
                name: t.name.value.clone(),
                disable_bgp_route_propagation: t.disable_bgp_route_propagation,
                routes,
            });
        }
    }

    fn route(&mut self, r: &RawRoute) -> Option<Route> {
        let destination = if looks_like_address(&r.destination.value) {
            // An IPv6 route prefix is kept: R-3 says a `::/0` UDR leaves the IPv4 reserved
            // routes alone, and the engine models that.
            match parse_prefix(&r.destination.value) {
                Ok(p) => Some(RouteDestination::Prefix(p)),
                Err(m) => {
                    self.d.error(r.destination.loc, format!("route prefix: {m}"));
                    None
                }
            }
        } else if let Some(tag) = self.s.service_tags.get(&r.destination.value) {
            // service tags may be used as a UDR address prefix.
            Some(RouteDestination::ServiceTag(tag.name.clone()))
        } else {
            let message = format!("route prefix `{}` is neither a prefix nor a known service tag", r.destination.value);
            match did_you_mean(&r.destination.value, self.s.service_tags.iter().map(|t| t.name.as_str())) {
                Some(s) => self.d.error_with_help(r.destination.loc, message, format!("did you mean `{s}`?")),
                None => self.d.error(r.destination.loc, message),
            }
            None
        };
        let word = NEXT_HOP_TYPES.iter().find(|(_, t)| *t == r.next_hop.value).map_or("", |(w, _)| w);
        let next_hop = match (r.next_hop.value, r.next_hop_ip.as_ref()) {
            (NextHopType::VirtualAppliance, Some(ip)) => Some(NextHop::VirtualAppliance(ip.value)),
            // A refused next_hop_ip was reported.
            (NextHopType::VirtualAppliance, None) if r.next_hop_ip_written => None,
            (NextHopType::VirtualAppliance, None) => {
                self.d.error(
                    r.loc,
                    format!("route `{}` has next_hop VirtualAppliance but no next_hop_ip (R-7)", r.name.value),
                );
                None
            }
            (_, Some(ip)) => {
                self.d.error(
                    ip.loc,
                    format!("next_hop_ip is only valid with next_hop VirtualAppliance, not {word} (R-7)"),
                );
                None
            }
            (NextHopType::VirtualNetworkGateway, None) => Some(NextHop::VirtualNetworkGateway),
            (NextHopType::VnetLocal, None) => Some(NextHop::VnetLocal),
            (NextHopType::Internet, None) => Some(NextHop::Internet),
            (NextHopType::None, None) => Some(NextHop::None),
        };
        Some(Route { name: r.name.value.clone(), destination: destination?, next_hop: next_hop? })
    }

    fn vnets(&mut self, raw: &[RawVnet]) {
        for v in raw {
            let id = VnetId::from_index(self.s.vnets.len());
            self.vnets.define(&v.name, id, self.d);
            let mut space: Vec<IpNet> = Vec::new();
            // Whether every range written made it into `space`: if not, a subnet outside the
            // rest may belong to a refused range, and is left out without a follow-on error.
            let mut complete = v.address_space_complete;
            for p in &v.address_space {
                let refused = match p.value {
                    IpNet::V6(_) => Some("IPv6 is not modelled yet: model the IPv4 part of the network".to_string()),
                    IpNet::V4(net) => refused_address_space(net),
                };
                if let Some(why) = refused {
                    self.d.error(p.loc, format!("address space {}: {why}", p.value));
                    complete = false;
                    continue;
                }
                if let Some(other) = space.iter().find(|o| overlaps(**o, p.value)) {
                    self.d.error(
                        p.loc,
                        format!("address space {} overlaps {} of the same VNet `{}`", p.value, other, v.name.value),
                    );
                    complete = false;
                    continue;
                }
                space.push(p.value);
            }
            if let Some(loc) = v.address_space_loc
                && v.address_space.is_empty()
                && v.address_space_complete
            {
                self.d.error(loc, format!("VNet `{}` has an empty address_space", v.name.value));
            }
            let mut subnet_ids = Vec::new();
            for sn in &v.subnets {
                if let Some(sid) = self.subnet(v, sn, id, &space, complete, &subnet_ids) {
                    subnet_ids.push(sid);
                }
            }
            let dns_servers = v.dns_servers.iter().map(|d| d.value).collect();
            self.s.vnets.push(Vnet {
                name: v.name.value.clone(),
                address_space: space,
                dns_servers,
                subnets: subnet_ids,
            });
        }
    }

    fn subnet(
        &mut self,
        v: &RawVnet,
        sn: &RawSubnet,
        vnet: VnetId,
        space: &[IpNet],
        space_complete: bool,
        siblings: &[SubnetId],
    ) -> Option<SubnetId> {
        let path = format!("{}/{}", v.name.value, sn.name.value);
        let prefix = sn.prefix.value;
        let mut ok = true;
        if !space.iter().any(|a| a.contains(&prefix)) && !space_complete {
            // The VNet's range that would hold it was refused, and reported.
            self.subnets.leave_out(&path, self.d);
            return None;
        }
        if !space.iter().any(|a| a.contains(&prefix)) {
            let spaces: Vec<String> = space.iter().map(ToString::to_string).collect();
            self.d.error(
                sn.prefix.loc,
                format!(
                    "subnet `{path}` prefix {prefix} is outside the address space of VNet `{}` ({})",
                    v.name.value,
                    spaces.join(", ")
                ),
            );
            ok = false;
        }
        if let IpNet::V4(p) = prefix
            && p.prefix_len() > MIN_SUBNET_V4_PREFIX_LEN
        {
            self.d.error(
                sn.prefix.loc,
                format!(
                    "subnet `{path}` is /{}: Azure subnets are at least /{MIN_SUBNET_V4_PREFIX_LEN}",
                    p.prefix_len()
                ),
            );
            ok = false;
        }
        for &other in siblings {
            let o = self.s.subnet(other);
            if overlaps(o.prefix, prefix) {
                self.d.error(
                    sn.prefix.loc,
                    format!("subnet `{path}` ({prefix}) overlaps subnet `{}/{}` ({})", v.name.value, o.name, o.prefix),
                );
                ok = false;
            }
            if o.name == sn.name.value {
                self.d.error(
                    sn.name.loc,
                    format!("duplicate subnet name `{}` in VNet `{}`", sn.name.value, v.name.value),
                );
                ok = false;
            }
        }
        // A dangling NSG or route table is reported once, and the subnet kept without it, so
        // what is in the subnet is still checked.
        let nsg = sn.nsg.as_ref().and_then(|n| self.nsgs.resolve(n, self.d));
        let route_table = sn.route_table.as_ref().and_then(|n| self.route_tables.resolve(n, self.d));
        // O-2; a dangling name is reported and the subnet kept without a NAT gateway.
        let nat_gateway = sn.nat_gateway.as_ref().and_then(|n| self.devices.nat_gateways.resolve(n, self.d));
        let mut service_endpoints = Vec::new();
        for se in &sn.service_endpoints {
            match SERVICE_ENDPOINTS.iter().find(|k| k.eq_ignore_ascii_case(&se.value)) {
                Some(k) => service_endpoints.push(k.to_string()),
                None => self.d.error_with_help(
                    se.loc,
                    format!("unknown service endpoint `{}`", se.value),
                    format!("expected one of: {}", SERVICE_ENDPOINTS.join(", ")),
                ),
            }
        }
        if service_endpoints.iter().any(|s| s == "Microsoft.Storage")
            && service_endpoints.iter().any(|s| s == "Microsoft.Storage.Global")
        {
            self.d.error(
                sn.name.loc,
                format!("subnet `{path}` enables both Microsoft.Storage and Microsoft.Storage.Global, which cannot coexist (S-1)"),
            );
        }
        let service_endpoint_policies = self.subnet_policies(&path, sn, &service_endpoints);
        let policies = match &sn.private_endpoint_network_policies {
            None => Some(PrivateEndpointNetworkPolicies::default()),
            Some(p) => self.parse_word(
                p,
                "private_endpoint_network_policies",
                &PrivateEndpointNetworkPolicies::NAMES,
                " (P-6)",
                PrivateEndpointNetworkPolicies::parse,
            ),
        };
        let (Some(policies), true) = (policies, ok) else {
            self.subnets.leave_out(&path, self.d);
            return None;
        };
        let id = SubnetId::from_index(self.s.subnets.len());
        self.subnets.define(&Sp { value: path, loc: sn.name.loc }, id, self.d);
        self.s.subnets.push(Subnet {
            name: sn.name.value.clone(),
            vnet,
            prefix,
            nsg,
            route_table,
            service_endpoints,
            service_endpoint_policies,
            private_endpoint_network_policies: policies,
            // O-3: existing VNets keep default outbound access unless the subnet is made private.
            default_outbound_access: sn.default_outbound_access.unwrap_or(true),
            nat_gateway,
        });
        Some(id)
    }

    fn peerings(&mut self, raw: &[RawVnet]) {
        for v in raw {
            let Some(local) = self.vnets.get(&v.name.value) else { continue };
            for p in &v.peerings {
                let Some(remote) = self.vnets.resolve(&p.remote_vnet, self.d) else { continue };
                if remote == local {
                    self.d.error(p.remote_vnet.loc, format!("VNet `{}` cannot peer with itself", v.name.value));
                    continue;
                }
                if !self.peering_pairs.insert((local, remote)) {
                    self.d.error(
                        p.loc,
                        format!("VNet `{}` already has a peering to `{}`", v.name.value, p.remote_vnet.value),
                    );
                    continue;
                }
                // peered address spaces must not overlap.
                let (a, b) = (self.s.vnet(local), self.s.vnet(remote));
                if let Some((x, y)) = a
                    .address_space
                    .iter()
                    .flat_map(|x| b.address_space.iter().map(move |y| (*x, *y)))
                    .find(|(x, y)| overlaps(*x, *y))
                {
                    self.d.error(
                        p.remote_vnet.loc,
                        format!(
                            "cannot peer `{}` with `{}`: address spaces {x} and {y} overlap (R-14)",
                            a.name, b.name
                        ),
                    );
                    continue;
                }
                let name = p.name.as_ref().map_or_else(|| format!("{}-to-{}", a.name, b.name), |n| n.value.clone());
                if !self.peering_names.insert(name.clone()) {
                    self.d.error(p.loc, format!("duplicate peering name `{name}`"));
                    continue;
                }
                self.s.peerings.push(Peering {
                    name,
                    local,
                    remote,
                    allow_virtual_network_access: p.allow_virtual_network_access,
                    allow_forwarded_traffic: p.allow_forwarded_traffic,
                    allow_gateway_transit: p.allow_gateway_transit,
                    use_remote_gateways: p.use_remote_gateways,
                });
            }
        }
    }

    fn on_premises(&mut self, raw: &[RawOnPrem]) {
        for o in raw {
            if self.services.get(&o.name.value).is_some() {
                self.d.error(
                    o.name.loc,
                    format!(
                        "on-premises network `{}` has the name of a service; `from` could not tell them apart",
                        o.name.value
                    ),
                );
                continue;
            }
            if o.name.value.eq_ignore_ascii_case("internet") {
                self.d.error(o.name.loc, "`internet` is built in; name the on-premises network something else");
                continue;
            }
            if o.prefixes.is_empty() {
                self.d.error(o.name.loc, format!("on-premises network `{}` has no prefixes", o.name.value));
            }
            self.on_prem.define(&o.name, OnPremId::from_index(self.s.on_prem.len()), self.d);
            let dns_forwarding = o.dns.as_ref().map(|f| self.dns_forwarding(f)).unwrap_or_default();
            self.s.on_prem.push(OnPremNetwork {
                name: o.name.value.clone(),
                prefixes: o.prefixes.iter().map(|p| p.value).collect(),
                dns_servers: o.dns_servers.iter().map(|d| d.value).collect(),
                dns_forwarding,
            });
        }
    }

    fn endpoints(&mut self, raw: &[RawEndpoint]) {
        for e in raw {
            // Left out unless it is defined below: `from`/`to` naming it are not reported again.
            self.endpoints.leave_out(&e.name.value, self.d);
            let Some(kind) = EndpointKind::parse(&e.kind.value) else {
                self.d.error_with_help(
                    e.kind.loc,
                    format!("unknown endpoint kind `{}`", e.kind.value),
                    format!("expected one of: {}", EndpointKind::NAMES.join(", ")),
                );
                continue;
            };
            let node_count = e.node_count.as_ref().map_or(1, |n| n.value as u32);
            if node_count > 1 && !kind.has_nodes() {
                self.d.error(
                    e.node_count.as_ref().map_or(e.loc, |n| n.loc),
                    format!("node_count applies to compute_cluster, aks_node_pool and online_deployment, not {kind}"),
                );
                continue;
            }
            if e.nics.is_empty() {
                continue; // reported while decoding
            }
            if e.name.value.eq_ignore_ascii_case("internet") || self.on_prem.get(&e.name.value).is_some() {
                self.d.error(e.name.loc, format!("endpoint name `{}` is taken by `internet` or an on-premises network; `from`/`to` could not tell them apart", e.name.value));
                continue;
            }
            if self.services.get(&e.name.value).is_some() {
                self.d.error(
                    e.name.loc,
                    format!(
                        "endpoint name `{}` is also a service name; `from`/`to` could not tell them apart",
                        e.name.value
                    ),
                );
                continue;
            }
            let dns = match &e.dns {
                Some(dns) if matches!(kind, EndpointKind::Vm | EndpointKind::Nva) => {
                    Some(self.dns_forwarding(&dns.value))
                }
                Some(dns) => {
                    self.d.error(
                        dns.loc,
                        format!("`dns` (a DNS server's forwarding) applies to vm and nva endpoints, not {kind}"),
                    );
                    continue;
                }
                None => None,
            };
            let id = EndpointId::from_index(self.s.endpoints.len());
            self.endpoints.define(&e.name, id, self.d);
            let mut nics = Vec::new();
            for node in 0..node_count {
                for n in &e.nics {
                    if let Some(nic) = self.nic(e, n, id, kind, node, node_count) {
                        nics.push(NicId::from_index(self.s.nics.len()));
                        self.s.nics.push(nic);
                        self.nic_locs.push(n.loc);
                    }
                }
            }
            let workspace = e.workspace.as_ref().and_then(|w| self.endpoint_workspace(w, kind));
            self.s.endpoints.push(Endpoint {
                name: e.name.value.clone(),
                kind,
                node_count,
                nics,
                dns,
                stateful: false,
                workspace,
            });
        }
    }

    fn nic(
        &mut self,
        e: &RawEndpoint,
        n: &RawNic,
        endpoint: EndpointId,
        kind: EndpointKind,
        node: u32,
        node_count: u32,
    ) -> Option<Nic> {
        let report = node == 0; // report each written problem once, not once per node
        let mut d_sink = Diagnostics::new("");
        let d: &mut Diagnostics = if report { self.d } else { &mut d_sink };
        let subnet = self.subnets.get(&n.subnet.value);
        if subnet.is_none() {
            if n.subnet.value.contains('/') {
                self.subnets.resolve(&n.subnet, d);
            } else if d.first_dangling("subnet", &n.subnet.value) {
                d.error_with_help(
                    n.subnet.loc,
                    format!("unknown subnet `{}`", n.subnet.value),
                    "name subnets as `vnet/subnet`",
                );
            }
        }
        // A dangling NSG or ASG is reported once and the NIC kept without it.
        let nsg = n.nsg.as_ref().and_then(|x| self.nsgs.resolve(x, d));
        let asgs: Vec<Option<AsgId>> = n.asgs.iter().map(|a| self.asgs.resolve(a, d)).collect();
        if node_count > 1 && (n.ip.is_some() || n.public_ip.is_some()) {
            d.error(
                e.loc,
                format!(
                    "endpoint `{}` has {node_count} nodes: leave `ip` and `public_ip` out so each node gets its own",
                    e.name.value
                ),
            );
            return None;
        }
        let subnet = subnet?;
        let private_ip = match &n.ip {
            Some(ip) => Self::static_ip(&mut self.static_ips, &self.s, subnet, ip, &e.name.value, d)?,
            // Placeholder until dynamic allocation, which runs once every static IP is known.
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        };
        let vnet = self.s.subnet(subnet).vnet;
        let mut asg_ids = Vec::new();
        for (a, raw) in asgs.into_iter().zip(&n.asgs) {
            let Some(a) = a else { continue };
            // N-15: all NICs of an ASG are in the VNet of its first member.
            let first_member_vnet = *self.asg_vnets.entry(a).or_insert(vnet);
            if first_member_vnet != vnet {
                d.error(
                    raw.loc,
                    format!(
                        "ASG `{}` already has members in VNet `{}`; N-15 requires all members in one VNet",
                        raw.value,
                        self.s.vnet(first_member_vnet).name
                    ),
                );
                return None;
            }
            asg_ids.push(a);
        }
        if let Some(p) = &n.public_ip
            && let Some(owner) = self.public_ips.insert(p.value, e.name.value.clone())
        {
            d.error(p.loc, format!("public IP {} is already assigned to `{owner}`", p.value));
            return None;
        }
        Some(Nic {
            endpoint,
            node,
            subnet,
            private_ip,
            public_ip: n.public_ip.as_ref().map(|p| p.value),
            nsg,
            asgs: asg_ids,
            // NVAs forward by definition; anything else must opt in.
            ip_forwarding: n.ip_forwarding.unwrap_or(kind == EndpointKind::Nva),
        })
    }

    /// The one-NIC endpoint behind a private endpoint or a gateway, which scenarios declare in
    /// their own sections. The IP is static or, when `ip` is absent, allocated later.
    fn attach_nic_endpoint(
        &mut self,
        name: &Sp<String>,
        kind: EndpointKind,
        subnet: SubnetId,
        ip: Option<&Sp<IpAddr>>,
        loc: Loc,
    ) -> Option<(EndpointId, NicId)> {
        let private_ip = match ip {
            Some(ip) => Self::static_ip(&mut self.static_ips, &self.s, subnet, ip, &name.value, self.d)?,
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        };
        let endpoint = EndpointId::from_index(self.s.endpoints.len());
        self.endpoints.define(name, endpoint, self.d);
        let nic = NicId::from_index(self.s.nics.len());
        self.s.nics.push(Nic {
            endpoint,
            node: 0,
            subnet,
            private_ip,
            public_ip: None,
            nsg: None,
            asgs: Vec::new(),
            // A gateway forwards between on premises and the VNet; a private endpoint never does.
            ip_forwarding: kind == EndpointKind::Gateway,
        });
        self.nic_locs.push(loc);
        self.s.endpoints.push(Endpoint {
            name: name.value.clone(),
            kind,
            node_count: 1,
            nics: vec![nic],
            dns: None,
            stateful: false,
            workspace: None,
        });
        Some((endpoint, nic))
    }

    /// One word of a fixed set, parsed by `parse`; otherwise an error listing `names` and citing
    /// `rule` (e.g. ` (P-3)`).
    fn parse_word<T>(
        &mut self,
        value: &Sp<String>,
        what: &str,
        names: &[&str],
        rule: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = parse(&value.value);
        if parsed.is_none() {
            self.d.error_with_help(
                value.loc,
                format!("invalid {what} `{}`", value.value),
                format!("expected one of: {}{rule}", names.join(", ")),
            );
        }
        parsed
    }

    /// A static private IP: inside its subnet, not reserved, not taken in the VNet.
    fn static_ip(
        static_ips: &mut IndexMap<(VnetId, IpAddr), String>,
        s: &Scenario,
        subnet: SubnetId,
        ip: &Sp<IpAddr>,
        owner: &str,
        d: &mut Diagnostics,
    ) -> Option<IpAddr> {
        let prefix = s.subnet(subnet).prefix;
        if !prefix.contains(&ip.value) {
            d.error(ip.loc, format!("IP {} is outside subnet `{}` ({prefix})", ip.value, s.subnet_path(subnet)));
            return None;
        }
        if is_reserved_in_subnet(prefix, ip.value) {
            d.error_with_help(
                ip.loc,
                format!("IP {} is reserved by Azure in subnet {prefix}", ip.value),
                "Azure reserves the first four and the last address of every subnet",
            );
            return None;
        }
        let vnet = s.subnet(subnet).vnet;
        if let Some(other) = static_ips.get(&(vnet, ip.value)) {
            d.error(ip.loc, format!("IP {} is already assigned to `{other}`", ip.value));
            return None;
        }
        static_ips.insert((vnet, ip.value), owner.to_string());
        Some(ip.value)
    }

    /// Dynamic allocation, Azure's way: the lowest free usable address of the subnet, in the
    /// order NICs are written. Runs after every static IP is taken.
    fn allocate_dynamic_ips(&mut self) {
        let unassigned = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let mut taken: std::collections::HashSet<(SubnetId, IpAddr)> =
            self.s.nics.iter().filter(|n| n.private_ip != unassigned).map(|n| (n.subnet, n.private_ip)).collect();
        let mut cursor: IndexMap<SubnetId, Box<dyn Iterator<Item = IpAddr>>> = IndexMap::new();
        let mut reported: Vec<SubnetId> = Vec::new();
        for i in 0..self.s.nics.len() {
            if self.s.nics[i].private_ip != unassigned {
                continue;
            }
            let subnet = self.s.nics[i].subnet;
            let (prefix, vnet) = (self.s.subnet(subnet).prefix, self.s.subnet(subnet).vnet);
            let it = cursor.entry(subnet).or_insert_with(|| Box::new(usable_addresses(prefix)));
            // Static IPs that are no NIC's (internal load balancer frontends) are taken too.
            let free = |ip: &IpAddr| !taken.contains(&(subnet, *ip)) && !self.static_ips.contains_key(&(vnet, *ip));
            match it.by_ref().find(free) {
                Some(ip) => {
                    taken.insert((subnet, ip));
                    self.s.nics[i].private_ip = ip;
                }
                None if !reported.contains(&subnet) => {
                    reported.push(subnet);
                    let wanted = self.s.nics.iter().filter(|n| n.subnet == subnet).count();
                    let owner = &self.s.endpoint(self.s.nics[i].endpoint).name;
                    self.d.error_with_help(
                        self.nic_locs[i],
                        format!("cannot allocate an IP for `{owner}`: subnet `{}` ({prefix}) has {} usable addresses and {wanted} NICs", self.s.subnet_path(subnet), usable_address_count(prefix)),
                        "Azure reserves 5 addresses per subnet; use a larger subnet or fewer nodes",
                    );
                }
                None => {}
            }
        }
    }
}
