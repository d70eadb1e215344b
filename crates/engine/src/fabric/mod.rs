//! The compiled form of a scenario: resolved once, then read-only and shared across threads.

pub mod cuts;
pub mod digest;
pub mod firewall;
pub mod graph;
pub mod names;
pub mod nic_facts;
pub mod nsg;
pub mod routes;

use crate::addr_set::AddrSet;
use crate::lpm::{IntervalLookup, PrefixLookup};
use crate::options::Options;
use firewall::CompiledFirewall;
use names::NameIndex;
use nic_facts::{NicFacts, NicFactsOf};
use nsg::{CompiledNsg, TagContext, compile_nsg};
use routes::{EffectiveRoutes, RouteInputs, effective_routes};
use rustc_hash::{FxHashMap, FxHashSet};
use vnetsim_model::addr::AZURE_PLATFORM_VIP;
use vnetsim_model::*;

/// Index of a compiled NSG instance (an NSG expanded in one subnet's context).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NsgInstance(pub u32);

#[derive(Debug)]
pub struct SubnetFabric {
    pub routes: EffectiveRoutes,
    /// The routes private endpoints in this subnet use when network policies leave the route
    /// table out (P-6, P-9); `None` when they use `routes`.
    pub pe_routes: Option<EffectiveRoutes>,
    pub nsg: Option<NsgInstance>,
}

#[derive(Debug)]
pub struct Fabric {
    pub scenario: Scenario,
    pub options: Options,
    pub subnets: Vec<SubnetFabric>,
    /// Per NIC: what the walk reads at a hop, in one record.
    pub nics: Vec<NicFacts>,
    pub nsg_instances: Vec<CompiledNsg>,
    /// Peering links whose reverse link exists (R-15 `Connected`), by `(local, remote)`.
    peering_links: FxHashMap<(VnetId, VnetId), PeeringId>,
    /// Links without a reverse link (R-15 `Initiated`), for explanations.
    initiated_links: FxHashMap<(VnetId, VnetId), PeeringId>,
    nic_by_ip: FxHashMap<(VnetId, IpAddr), NicId>,
    nic_by_public_ip: FxHashMap<IpAddr, NicId>,
    /// Per NIC: whether any NIC of the same machine has a public IP (O-3).
    machine_public_ip: Vec<bool>,
    vnet_spaces: Vec<AddrSet>,
    /// Per VNet: its own and its connected peers' address spaces, to the VNet holding them.
    peer_lookup: Vec<IntervalLookup>,
    service_by_public_ip: FxHashMap<IpAddr, ServiceId>,
    /// The foreign storage accounts by their tags' prefixes: every address of a `Storage` tag
    /// that no service holds is some undeclared account.
    foreign_by_prefix: IntervalLookup,
    /// Public names, to indexes of `scenario.service_names`.
    pub public_names: NameIndex,
    /// Privatelink names (D-1), to indexes of `scenario.service_names`.
    pub privatelink_names: NameIndex,
    /// `(resource, subresource)` pairs that have a private endpoint (D-1).
    private_link_targets: FxHashSet<(ServiceId, &'static str)>,
    /// Per VNet: the gateway it reaches on premises through, its own or a transit one.
    gateway_of_vnet: Vec<Option<GatewayId>>,
    /// Per VNet: the zones linked to it (D-3).
    pub zone_links: Vec<Vec<(ZoneId, ZoneLink)>>,
    pub firewalls: Vec<CompiledFirewall>,
    /// Devices on the paths: which firewall a NIC is, and what answers on public and internal
    /// load balancer frontends.
    devices: Devices,
    pub graph: graph::RoutingGraph,
}

/// Lookups for firewalls, NAT gateways and load balancers.
#[derive(Debug, Default)]
struct Devices {
    firewall_by_public_ip: FxHashMap<IpAddr, FirewallId>,
    nat_gateway_by_public_ip: FxHashMap<IpAddr, NatGatewayId>,
    public_lb_by_frontend: FxHashMap<IpAddr, LoadBalancerId>,
    internal_lb_by_frontend: FxHashMap<(VnetId, IpAddr), LoadBalancerId>,
    /// Per endpoint: the public load balancer whose outbound rules SNAT it (O-1 item 4).
    outbound_lb: FxHashMap<EndpointId, LoadBalancerId>,
    /// Per endpoint: the public frontend that reaches it from the internet.
    public_frontend: FxHashMap<EndpointId, IpAddr>,
}

impl Devices {
    fn build(scenario: &Scenario) -> Devices {
        let mut d = Devices::default();
        for (i, fw) in scenario.firewalls.iter().enumerate() {
            let id = FirewallId::from_index(i);
            for ip in &fw.public_ips {
                d.firewall_by_public_ip.insert(*ip, id);
            }
        }
        for (i, nat) in scenario.nat_gateways.iter().enumerate() {
            for ip in &nat.public_ips {
                d.nat_gateway_by_public_ip.insert(*ip, NatGatewayId::from_index(i));
            }
        }
        for (i, lb) in scenario.load_balancers.iter().enumerate() {
            let id = LoadBalancerId::from_index(i);
            match lb.subnet {
                Some(subnet) => {
                    d.internal_lb_by_frontend.insert((scenario.subnet(subnet).vnet, lb.frontend), id);
                }
                None => {
                    d.public_lb_by_frontend.insert(lb.frontend, id);
                    for &e in &lb.backends {
                        d.public_frontend.entry(e).or_insert(lb.frontend);
                        if lb.outbound_snat {
                            d.outbound_lb.entry(e).or_insert(id);
                        }
                    }
                }
            }
        }
        d
    }
}

impl Fabric {
    /// Compiles a scenario. All name, tag and prefix work happens here, once.
    pub fn compile(scenario: Scenario, options: Options) -> Fabric {
        let mut peering_links = FxHashMap::default();
        let mut initiated_links = FxHashMap::default();
        let declared: FxHashSet<(VnetId, VnetId)> = scenario.peerings.iter().map(|p| (p.local, p.remote)).collect();
        // Connected links out of each VNet (R-15: both sides exist), in file order.
        let mut connected_by_vnet: Vec<Vec<PeeringId>> = vec![Vec::new(); scenario.vnets.len()];
        for (i, p) in scenario.peerings.iter().enumerate() {
            let id = PeeringId::from_index(i);
            if declared.contains(&(p.remote, p.local)) {
                peering_links.insert((p.local, p.remote), id);
                connected_by_vnet[p.local.index()].push(id);
            } else {
                initiated_links.insert((p.local, p.remote), id);
            }
        }
        let vnet_spaces: Vec<AddrSet> =
            scenario.vnets.iter().map(|v| AddrSet::from_prefixes(&v.address_space)).collect();

        let asg_members: Vec<AddrSet> = (0..scenario.asgs.len())
            .map(|a| {
                AddrSet::from_addresses(
                    scenario.nics.iter().filter(|n| n.asgs.contains(&AsgId::from_index(a))).map(|n| n.private_ip),
                )
            })
            .collect();
        let load_balancer = AddrSet::from_addresses([IpAddr::V4(AZURE_PLATFORM_VIP)]);

        let mut subnets = Vec::with_capacity(scenario.subnets.len());
        let mut nsg_instances = Vec::new();
        // An NSG compiles once per VirtualNetwork tag (N-11), the only part of a subnet's context
        // that differs between subnets: subnets of one VNet share the compiled copy, which keeps
        // fewer copies in the cache when traffic spreads over thousands of spokes.
        let mut instance_of: FxHashMap<(NsgId, AddrSet), NsgInstance> = FxHashMap::default();
        let mut instance = |nsg: NsgId, ctx: &TagContext<'_>, instances: &mut Vec<CompiledNsg>| {
            *instance_of.entry((nsg, ctx.virtual_network.clone())).or_insert_with(|| {
                instances.push(compile_nsg(&scenario, nsg, ctx, &options));
                NsgInstance(instances.len() as u32 - 1)
            })
        };
        let mut nic_nsgs = vec![None; scenario.nics.len()];
        let mut nics_by_subnet: Vec<Vec<usize>> = vec![Vec::new(); scenario.subnets.len()];
        for (k, nic) in scenario.nics.iter().enumerate() {
            nics_by_subnet[nic.subnet.index()].push(k);
        }
        let mut pe_of_nic = vec![None; scenario.nics.len()];
        let mut pes_by_vnet: Vec<Vec<PrivateEndpointId>> = vec![Vec::new(); scenario.vnets.len()];
        for (i, pe) in scenario.private_endpoints.iter().enumerate() {
            let id = PrivateEndpointId::from_index(i);
            pe_of_nic[pe.nic.index()] = Some(id);
            pes_by_vnet[scenario.subnet(scenario.nic(pe.nic).subnet).vnet.index()].push(id);
        }
        for (i, s) in scenario.subnets.iter().enumerate() {
            let id = SubnetId::from_index(i);
            let connected = &connected_by_vnet[s.vnet.index()];
            // the endpoints of the VNet and of its connected peers.
            let visible: Vec<PrivateEndpointId> = pes_by_vnet[s.vnet.index()]
                .iter()
                .chain(connected.iter().flat_map(|l| &pes_by_vnet[scenario.peerings[l.index()].remote.index()]))
                .copied()
                .collect();
            // the VNet's own gateway, or a peer's through gateway transit.
            let gateways: Vec<GatewayId> = (0..scenario.gateways.len())
                .map(GatewayId::from_index)
                .filter(|g| {
                    let gw_vnet = scenario.gateways[g.index()].vnet;
                    gw_vnet == s.vnet
                        || connected
                            .iter()
                            .any(|l| uses_transit(&scenario, *l) && scenario.peerings[l.index()].remote == gw_vnet)
                })
                .collect();
            let inputs = RouteInputs {
                connected_peerings: connected,
                private_endpoints: &visible,
                gateways: &gateways,
                with_route_table: true,
            };
            let routes = effective_routes(&scenario, id, &inputs);
            let hosts_pe = nics_by_subnet[i].iter().any(|&k| pe_of_nic[k].is_some());
            let pe_routes =
                (hosts_pe && s.route_table.is_some() && !s.private_endpoint_network_policies.route_table_applies())
                    .then(|| effective_routes(&scenario, id, &RouteInputs { with_route_table: false, ..inputs }));
            let virtual_network = virtual_network_tag(&scenario, s, connected, &routes, &vnet_spaces);
            let internet = virtual_network.complement();
            let ctx = TagContext {
                virtual_network: &virtual_network,
                internet: &internet,
                load_balancer: &load_balancer,
                asg_members: &asg_members,
            };
            let nsg = s.nsg.map(|n| instance(n, &ctx, &mut nsg_instances));
            for &k in &nics_by_subnet[i] {
                if let Some(n) = scenario.nics[k].nsg {
                    nic_nsgs[k] = Some(instance(n, &ctx, &mut nsg_instances));
                }
            }
            subnets.push(SubnetFabric { routes, pe_routes, nsg });
        }

        let mut nic_by_ip = FxHashMap::default();
        let mut nic_by_public_ip = FxHashMap::default();
        for (i, n) in scenario.nics.iter().enumerate() {
            let id = NicId::from_index(i);
            nic_by_ip.insert((scenario.subnet(n.subnet).vnet, n.private_ip), id);
            if let Some(p) = n.public_ip {
                nic_by_public_ip.insert(p, id);
            }
        }
        let peer_lookup = (0..scenario.vnets.len())
            .map(|v| {
                let own = scenario.vnets[v].address_space.iter().map(move |p| (*p, v as u32));
                let peers = connected_by_vnet[v].iter().flat_map(|l| {
                    let remote = scenario.peerings[l.index()].remote;
                    scenario.vnet(remote).address_space.iter().map(move |p| (*p, remote.0))
                });
                IntervalLookup::build(own.chain(peers))
            })
            .collect();
        let machines_with_public_ip: FxHashSet<(EndpointId, u32)> =
            scenario.nics.iter().filter(|n| n.public_ip.is_some()).map(|n| (n.endpoint, n.node)).collect();
        let machine_public_ip =
            scenario.nics.iter().map(|n| machines_with_public_ip.contains(&(n.endpoint, n.node))).collect();
        let service_by_public_ip = (scenario.services.iter().enumerate())
            .filter(|(_, s)| !s.foreign)
            .map(|(i, s)| (s.public_ip, ServiceId::from_index(i)))
            .collect();
        // Regional accounts go in after the parent's, so a prefix both tags list (Microsoft's
        // file repeats them) belongs to the region.
        let mut foreign: Vec<(usize, &Service)> =
            scenario.services.iter().enumerate().filter(|(_, s)| s.foreign).collect();
        foreign.sort_by_key(|(_, s)| !s.region.is_empty());
        let foreign_by_prefix = IntervalLookup::build(foreign.into_iter().flat_map(|(i, s)| {
            let tag = s.tag.as_deref().and_then(|t| scenario.service_tags.get(t));
            tag.into_iter().flat_map(move |t| t.prefixes.iter().map(move |p| (*p, i as u32)))
        }));
        let (mut public_names, mut privatelink_names) = (NameIndex::default(), NameIndex::default());
        for (i, n) in scenario.service_names.iter().enumerate() {
            public_names.insert(&n.fqdn, i as u32);
            if let Some(p) = &n.privatelink {
                privatelink_names.insert(p, i as u32);
            }
        }
        let private_link_targets = scenario.private_endpoints.iter().map(|pe| (pe.target, pe.subresource)).collect();
        let mut zone_links = vec![Vec::new(); scenario.vnets.len()];
        for (i, z) in scenario.zones.iter().enumerate() {
            for link in &z.links {
                zone_links[link.vnet.index()].push((ZoneId::from_index(i), link.clone()));
            }
        }
        let mut gateway_of_vnet: Vec<Option<GatewayId>> = vec![None; scenario.vnets.len()];
        for (i, g) in scenario.gateways.iter().enumerate() {
            gateway_of_vnet[g.vnet.index()] = Some(GatewayId::from_index(i));
        }
        for (i, p) in scenario.peerings.iter().enumerate() {
            if gateway_of_vnet[p.local.index()].is_none() && uses_transit(&scenario, PeeringId::from_index(i)) {
                gateway_of_vnet[p.local.index()] = gateway_of_vnet[p.remote.index()];
            }
        }
        let devices = Devices::build(&scenario);
        let mut firewall_of_nic = vec![None; scenario.nics.len()];
        for (i, fw) in scenario.firewalls.iter().enumerate() {
            firewall_of_nic[fw.nic.index()] = Some(FirewallId::from_index(i));
        }
        let nics = (scenario.nics.iter().enumerate())
            .map(|(k, n)| {
                let sf: &SubnetFabric = &subnets[n.subnet.index()];
                NicFacts::new(NicFactsOf {
                    subnet: n.subnet,
                    vnet: scenario.subnet(n.subnet).vnet,
                    subnet_nsg: sf.nsg,
                    nic_nsg: nic_nsgs[k],
                    private_endpoint: pe_of_nic[k],
                    firewall: firewall_of_nic[k],
                    stateful: scenario.endpoint(n.endpoint).stateful,
                    pe_routes: pe_of_nic[k].is_some() && sf.pe_routes.is_some(),
                })
            })
            .collect();
        let firewalls = (0..scenario.firewalls.len())
            .map(|i| CompiledFirewall::compile(&scenario, FirewallId::from_index(i), options.fw_wildcard_matches_apex))
            .collect();
        let mut fabric = Fabric {
            scenario,
            options,
            subnets,
            nics,
            nsg_instances,
            peering_links,
            initiated_links,
            nic_by_ip,
            nic_by_public_ip,
            machine_public_ip,
            vnet_spaces,
            peer_lookup,
            service_by_public_ip,
            foreign_by_prefix,
            public_names,
            privatelink_names,
            private_link_targets,
            zone_links,
            gateway_of_vnet,
            firewalls,
            devices,
            graph: graph::RoutingGraph::default(),
        };
        fabric.resolve_firewall_fqdns();
        fabric.graph = graph::RoutingGraph::build(&fabric);
        fabric
    }

    /// F-7: network-rule FQDNs match the addresses the firewall's own DNS returns for them.
    fn resolve_firewall_fqdns(&mut self) {
        // Every firewall resolves with the rules as written before any answer is added.
        let answers: Vec<Vec<(usize, IpAddr)>> = self
            .firewalls
            .iter()
            .map(|fw| {
                fw.network_fqdns()
                    .filter_map(|(rule, name)| match self.resolve_at(fw.nic, name).outcome {
                        crate::dns::DnsOutcome::Address(ip) => Some((rule, ip)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        for (fw, answers) in self.firewalls.iter_mut().zip(answers) {
            if !answers.is_empty() {
                fw.add_resolved(answers);
            }
        }
    }

    /// The firewall whose private IP a NIC holds.
    #[inline]
    pub fn firewall_of(&self, nic: NicId) -> Option<FirewallId> {
        self.nics[nic.index()].firewall()
    }

    #[inline]
    pub fn firewall(&self, id: FirewallId) -> &CompiledFirewall {
        &self.firewalls[id.index()]
    }

    /// The firewall answering on a public IP (F-5).
    pub fn firewall_at_public(&self, ip: IpAddr) -> Option<FirewallId> {
        self.devices.firewall_by_public_ip.get(&ip).copied()
    }

    /// The NAT gateway owning a public IP (O-2).
    pub fn nat_gateway_at(&self, ip: IpAddr) -> Option<NatGatewayId> {
        self.devices.nat_gateway_by_public_ip.get(&ip).copied()
    }

    pub fn public_lb_at(&self, ip: IpAddr) -> Option<LoadBalancerId> {
        self.devices.public_lb_by_frontend.get(&ip).copied()
    }

    pub fn internal_lb_at(&self, vnet: VnetId, ip: IpAddr) -> Option<LoadBalancerId> {
        self.devices.internal_lb_by_frontend.get(&(vnet, ip)).copied()
    }

    /// The public load balancer whose outbound rules SNAT an endpoint's traffic (O-1 item 4).
    pub fn outbound_lb_of(&self, endpoint: EndpointId) -> Option<LoadBalancerId> {
        self.devices.outbound_lb.get(&endpoint).copied()
    }

    /// The address that reaches a NIC from the internet: its instance public IP, else a public
    /// load balancer frontend of its endpoint.
    pub fn public_address_of(&self, nic: NicId) -> Option<IpAddr> {
        let n = self.scenario.nic(nic);
        n.public_ip.or_else(|| self.devices.public_frontend.get(&n.endpoint).copied())
    }

    #[inline]
    pub fn nic_at(&self, vnet: VnetId, ip: IpAddr) -> Option<NicId> {
        self.nic_by_ip.get(&(vnet, ip)).copied()
    }

    #[inline]
    pub fn nic_with_public_ip(&self, ip: IpAddr) -> Option<NicId> {
        self.nic_by_public_ip.get(&ip).copied()
    }

    /// O-3: an instance public IP on any NIC of the machine disables default outbound access.
    #[inline]
    pub fn machine_has_public_ip(&self, nic: NicId) -> bool {
        self.machine_public_ip[nic.index()]
    }

    /// The connected link `local → remote`, if both sides exist.
    #[inline]
    pub fn peering(&self, local: VnetId, remote: VnetId) -> Option<PeeringId> {
        self.peering_links.get(&(local, remote)).copied()
    }

    /// A one-sided link `local → remote` (R-15 `Initiated`).
    pub fn initiated_peering(&self, local: VnetId, remote: VnetId) -> Option<PeeringId> {
        self.initiated_links.get(&(local, remote)).copied()
    }

    #[inline]
    pub fn in_vnet(&self, vnet: VnetId, ip: IpAddr) -> bool {
        self.vnet_spaces[vnet.index()].contains(ip)
    }

    /// The VNet whose address space holds `ip` among `vnet` and its connected peers.
    #[inline]
    pub fn vnet_of_peer_address(&self, vnet: VnetId, ip: IpAddr) -> Option<VnetId> {
        self.peer_lookup[vnet.index()].longest_match(ip).map(VnetId)
    }

    /// Whether a DNS answer is a private address: in a VNet of the scenario or not routed on
    /// the internet.
    pub fn is_private_answer(&self, ip: IpAddr) -> bool {
        self.vnet_spaces.iter().any(|v| v.contains(ip)) || vnetsim_model::addr::is_not_internet_routable(ip)
    }

    /// The gateway a VNet reaches on premises through.
    #[inline]
    pub fn gateway_of(&self, vnet: VnetId) -> Option<GatewayId> {
        self.gateway_of_vnet[vnet.index()]
    }

    /// The gateway connecting an on-premises network.
    pub fn gateway_connecting(&self, network: OnPremId) -> Option<GatewayId> {
        self.scenario.gateways.iter().position(|g| g.connections.contains(&network)).map(GatewayId::from_index)
    }

    /// The private endpoint a NIC belongs to.
    #[inline]
    pub fn private_endpoint_of(&self, nic: NicId) -> Option<PrivateEndpointId> {
        self.nics[nic.index()].private_endpoint()
    }

    /// The service answering on a public IP.
    #[inline]
    pub fn service_at(&self, ip: IpAddr) -> Option<ServiceId> {
        (self.service_by_public_ip.get(&ip).copied())
            .or_else(|| self.foreign_by_prefix.longest_match(ip).map(|i| ServiceId::from_index(i as usize)))
    }

    /// Whether a resource's subresource has a private endpoint, which makes public DNS answer
    /// its names with a privatelink CNAME (D-1).
    pub fn has_private_link(&self, target: (ServiceId, &'static str)) -> bool {
        self.private_link_targets.contains(&target)
    }

    /// A subnet's table: the one private endpoints use (P-6), or the ordinary one.
    pub fn route_table(&self, subnet: SubnetId, private_endpoint: bool) -> &EffectiveRoutes {
        let sf = &self.subnets[subnet.index()];
        match (&sf.pe_routes, private_endpoint) {
            (Some(pe_routes), true) => pe_routes,
            _ => &sf.routes,
        }
    }

    /// The routes a packet leaving `nic` uses: private endpoints skip the route table unless
    /// network policies enable it (P-6).
    #[inline]
    pub fn routes_from(&self, nic: &NicFacts) -> (&EffectiveRoutes, bool) {
        let sf = &self.subnets[nic.subnet.index()];
        match (&sf.pe_routes, nic.pe_routes()) {
            (Some(pe_routes), true) => (pe_routes, true),
            _ => (&sf.routes, false),
        }
    }

    pub fn nsg_instance(&self, i: NsgInstance) -> &CompiledNsg {
        &self.nsg_instances[i.0 as usize]
    }
}

/// the local side uses the remote's gateway and the remote side allows transit.
pub fn uses_transit(scenario: &Scenario, link: PeeringId) -> bool {
    let p = &scenario.peerings[link.index()];
    p.use_remote_gateways
        && scenario.peerings.iter().any(|x| x.local == p.remote && x.remote == p.local && x.allow_gateway_transit)
}

/// N-11: the VNet's address space, connected peers that allow access, the platform VIP, and the
/// prefixes of the UDRs associated with the subnet (including 0.0.0.0/0, which then makes the tag
/// cover everything).
fn virtual_network_tag(
    scenario: &Scenario,
    s: &Subnet,
    connected: &[PeeringId],
    routes: &EffectiveRoutes,
    vnet_spaces: &[AddrSet],
) -> AddrSet {
    let mut set = vnet_spaces[s.vnet.index()].union(&AddrSet::from_addresses([IpAddr::V4(AZURE_PLATFORM_VIP)]));
    for &p in connected {
        let link = &scenario.peerings[p.index()];
        // the peer is in VirtualNetwork only while access is allowed.
        if link.allow_virtual_network_access {
            set = set.union(&vnet_spaces[link.remote.index()]);
        }
    }
    let udr_prefixes: Vec<IpNet> =
        routes.routes.iter().filter(|r| r.source == routes::RouteSource::User).map(|r| r.prefix).collect();
    set.union(&AddrSet::from_prefixes(&udr_prefixes))
}
