//! Per-subnet effective route tables (R-1..R-9).

use crate::lpm::{IntervalLookup, PrefixLookup};
use serde::Serialize;
use vnetsim_model::public_services::{expand, paired_region};
use vnetsim_model::service::service_endpoint_tag;
use vnetsim_model::{
    GatewayId, IpAddr, IpNet, NextHop, PeeringId, PrivateEndpointId, RouteDestination, RouteTableId, Scenario, SubnetId,
};

/// The prefixes a service endpoint routes (S-4): its regional tag, else the parent tag. Storage
/// endpoints also cover the paired region (S-5).
pub fn service_endpoint_prefixes(scenario: &Scenario, service_endpoint: &str) -> Vec<IpNet> {
    let Some(template) = service_endpoint_tag(service_endpoint) else { return Vec::new() };
    let tags = &scenario.service_tags;
    let tag = expand(template, &scenario.region);
    let Some(found) = tags.get(&tag).or_else(|| tag.split_once('.').and_then(|(parent, _)| tags.get(parent))) else {
        return Vec::new();
    };
    let mut prefixes = found.prefixes.clone();
    let pair = paired_region(&scenario.region).filter(|_| template.starts_with("Storage.") && found.region.is_some());
    if let Some(pair) = pair.and_then(|p| tags.get(&expand(template, p))) {
        prefixes.extend(pair.prefixes.iter().copied());
    }
    prefixes
}

/// Where a route came from, as Azure's effective-routes view names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub enum RouteSource {
    /// System routes: `Default` in Azure's effective-route view.
    Default,
    /// A user-defined route.
    User,
    /// Learned from a virtual network gateway (BGP or static).
    VirtualNetworkGateway,
}

impl RouteSource {
    /// The name Azure's effective-routes view uses.
    pub fn name(self) -> &'static str {
        match self {
            RouteSource::Default => "Default",
            RouteSource::User => "User",
            RouteSource::VirtualNetworkGateway => "VirtualNetworkGateway",
        }
    }
}

/// What produced a route, precisely enough to point at the line to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteOrigin {
    /// one of the VNet's address-space ranges.
    AddressSpace,
    /// the default route to the internet.
    DefaultInternet,
    /// a reserved private range dropped by default.
    ReservedRange,
    /// a peered VNet's address space, through this peering.
    Peering(PeeringId),
    /// route `route` of a route table (one entry per prefix when it names a service tag).
    User { table: RouteTableId, route: u32 },
    /// a private endpoint's /32 in its own and peered VNets.
    PrivateEndpoint(PrivateEndpointId),
    /// a prefix of the tag of service endpoint `index` of the subnet.
    ServiceEndpoint(u8),
    /// an on-premises prefix learned from this gateway (own VNet or transit).
    Gateway(GatewayId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum RouteState {
    Active,
    /// an equal prefix of higher precedence wins; or, for a private endpoint /32, a
    /// UDR at least as specific as the endpoint's address space overrides it.
    Invalid,
}

#[derive(Clone, Debug)]
pub struct EffectiveRoute {
    pub prefix: IpNet,
    pub next_hop: NextHop,
    pub source: RouteSource,
    pub origin: RouteOrigin,
    pub state: RouteState,
}

/// A subnet's complete effective route table: every route, and an LPM index over active ones.
#[derive(Clone, Debug)]
pub struct EffectiveRoutes<L = IntervalLookup> {
    pub routes: Vec<EffectiveRoute>,
    lookup: L,
}

impl<L: PrefixLookup> EffectiveRoutes<L> {
    /// the active route with the longest prefix containing `ip`.
    #[inline]
    pub fn lookup(&self, ip: IpAddr) -> Option<u32> {
        self.lookup.longest_match(ip)
    }

    pub fn route(&self, index: u32) -> &EffectiveRoute {
        &self.routes[index as usize]
    }
}

/// private ranges that get a `None` system route.
const RESERVED_RANGES: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/// Precedence among routes for the same prefix: lower wins.
fn precedence(route: &EffectiveRoute, scenario: &Scenario) -> (u8, u8) {
    match route.origin {
        // R-8.4 (documented reading): a service endpoint route beats a UDR of the same prefix.
        RouteOrigin::ServiceEndpoint(_) => (0, 0),
        RouteOrigin::User { table, route: i } => {
            let r = &scenario.route_tables[table.index()].routes[i as usize];
            match &r.destination {
                // an explicit prefix beats any service tag with the same prefix.
                RouteDestination::Prefix(_) => (1, 0),
                RouteDestination::ServiceTag(tag) => (1, scenario.service_tags.route_rank(tag)),
            }
        }
        _ => match route.source {
            RouteSource::User => (1, 0),
            RouteSource::VirtualNetworkGateway => (2, 0),
            RouteSource::Default => (3, 0),
        },
    }
}

/// What besides the subnet's own VNet shapes its routes.
pub struct RouteInputs<'a> {
    /// Links out of the subnet's VNet whose reverse link exists (R-15: only `Connected`
    /// peerings carry routes).
    pub connected_peerings: &'a [PeeringId],
    /// Private endpoints in the VNet and its connected peers.
    pub private_endpoints: &'a [PrivateEndpointId],
    /// Gateways of the VNet, or of a peer through gateway transit.
    pub gateways: &'a [GatewayId],
    /// `false` for the table private endpoints use when their subnet's network policies leave
    /// the route table out (P-6, P-9): system routes only.
    pub with_route_table: bool,
}

/// Builds the effective routes of `subnet`.
pub fn effective_routes(scenario: &Scenario, subnet: SubnetId, inputs: &RouteInputs<'_>) -> EffectiveRoutes {
    let connected_peerings = inputs.connected_peerings;
    let s = scenario.subnet(subnet);
    let vnet = scenario.vnet(s.vnet);
    let mut routes = Vec::new();
    let system = |prefix, next_hop, origin| EffectiveRoute {
        prefix,
        next_hop,
        source: RouteSource::Default,
        origin,
        state: RouteState::Active,
    };

    for &space in &vnet.address_space {
        routes.push(system(space, NextHop::VnetLocal, RouteOrigin::AddressSpace));
    }
    routes.push(system("0.0.0.0/0".parse().expect("valid"), NextHop::Internet, RouteOrigin::DefaultInternet));

    let table = s.route_table.filter(|_| inputs.with_route_table).map(|t| (t, &scenario.route_tables[t.index()]));
    let mut user = Vec::new();
    if let Some((table_id, table)) = table {
        for (i, r) in table.routes.iter().enumerate() {
            let origin = RouteOrigin::User { table: table_id, route: i as u32 };
            let prefixes: Vec<IpNet> = match &r.destination {
                RouteDestination::Prefix(p) => vec![*p],
                // a service-tag route covers every prefix of the tag.
                RouteDestination::ServiceTag(t) => {
                    scenario.service_tags.get(t).map(|t| t.prefixes.clone()).unwrap_or_default()
                }
            };
            for prefix in prefixes {
                user.push(EffectiveRoute {
                    prefix,
                    next_hop: r.next_hop,
                    source: RouteSource::User,
                    origin,
                    state: RouteState::Active,
                });
            }
        }
    }
    // the reserved `None` routes give way to address spaces that equal or contain them
    // (the VNet's own and, by the same reading, connected peers'), and disappear once a
    // 0.0.0.0/0 UDR is associated with the subnet.
    let default_udr = user.iter().any(|r| matches!(r.prefix, IpNet::V4(p) if p.prefix_len() == 0));
    let peer_spaces =
        connected_peerings.iter().flat_map(|p| &scenario.vnet(scenario.peerings[p.index()].remote).address_space);
    let spaces: Vec<IpNet> = vnet.address_space.iter().chain(peer_spaces).copied().collect();
    for reserved in RESERVED_RANGES {
        let reserved: IpNet = reserved.parse().expect("valid");
        let shadowed = spaces.iter().any(|a| a.contains(&reserved));
        if !shadowed && !default_udr {
            routes.push(system(reserved, NextHop::None, RouteOrigin::ReservedRange));
        }
    }
    // each address range of a connected peered VNet.
    for &p in connected_peerings {
        let remote = scenario.vnet(scenario.peerings[p.index()].remote);
        for &space in &remote.address_space {
            routes.push(system(space, NextHop::VNetPeering, RouteOrigin::Peering(p)));
        }
    }
    // on-premises prefixes from the gateways, unless the route table disables
    // gateway route propagation.
    if !table.is_some_and(|(_, t)| t.disable_bgp_route_propagation) {
        for &g in inputs.gateways {
            for network in &scenario.gateways[g.index()].connections {
                for &prefix in &scenario.on_prem[network.index()].prefixes {
                    routes.push(EffectiveRoute {
                        prefix,
                        next_hop: NextHop::VirtualNetworkGateway,
                        source: RouteSource::VirtualNetworkGateway,
                        origin: RouteOrigin::Gateway(g),
                        state: RouteState::Active,
                    });
                }
            }
        }
    }
    // service endpoint routes for the service's tag prefixes.
    for (k, se) in s.service_endpoints.iter().enumerate() {
        for prefix in service_endpoint_prefixes(scenario, se) {
            routes.push(system(prefix, NextHop::VirtualNetworkServiceEndpoint, RouteOrigin::ServiceEndpoint(k as u8)));
        }
    }
    // a /32 per private endpoint, unless a UDR at least as specific as the endpoint's
    // address space overrides it, which only works when the endpoint's subnet enables route
    // table policies (P-6, P-7). An equal /32 UDR wins by R-8 anyway.
    for &pe in inputs.private_endpoints {
        let nic = scenario.nic(scenario.private_endpoint(pe).nic);
        let prefix = IpNet::from(nic.private_ip);
        let pe_subnet = scenario.subnet(nic.subnet);
        let space_len = scenario
            .vnet(pe_subnet.vnet)
            .address_space
            .iter()
            .find(|a| a.contains(&nic.private_ip))
            .map_or(0, IpNet::prefix_len);
        let overridden = pe_subnet.private_endpoint_network_policies.route_table_applies()
            && user.iter().any(|u| u.prefix.contains(&nic.private_ip) && u.prefix.prefix_len() >= space_len);
        let mut route = system(prefix, NextHop::InterfaceEndpoint, RouteOrigin::PrivateEndpoint(pe));
        if overridden {
            route.state = RouteState::Invalid;
        }
        routes.push(route);
    }
    routes.extend(user);

    // for equal prefixes, the highest precedence is active and the rest are invalid.
    let mut order: Vec<usize> = (0..routes.len()).filter(|&i| routes[i].state == RouteState::Active).collect();
    order.sort_by_key(|&i| (routes[i].prefix, precedence(&routes[i], scenario), i));
    let mut winners = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && routes[order[k - 1]].prefix == routes[i].prefix {
            routes[i].state = RouteState::Invalid;
        } else {
            winners.push((routes[i].prefix, i as u32));
        }
    }
    EffectiveRoutes { lookup: IntervalLookup::build(winners), routes }
}
