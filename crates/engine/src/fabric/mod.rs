//! The compiled form of a scenario: resolved once, then read-only and shared across threads.

pub mod admin;
pub mod cuts;
mod devices;
pub mod digest;
pub mod firewall;
pub mod foreign;
pub mod graph;
mod lookups;
pub mod names;
pub mod nic_facts;
pub mod nsg;
mod peerings;
pub mod routes;
mod subnets;

use crate::addr_set::AddrSet;
use crate::lpm::{IntervalLookup, PrefixLookup};
use crate::options::Options;
use admin::{AdminInstance, CompiledAdmin};
use devices::Devices;
use firewall::CompiledFirewall;
use foreign::ForeignResources;
use lookups::Lookups;
use names::NameIndex;
use nic_facts::{NicFacts, NicFactsOf};
use nsg::CompiledNsg;
use peerings::PeeringIndex;
use routes::EffectiveRoutes;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;
use subnets::{CompiledSubnets, compile_subnets};
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
    /// The security admin rules its NICs evaluate before NSGs (N-16).
    pub admin: Option<AdminInstance>,
}

#[derive(Debug)]
pub struct Fabric {
    pub scenario: Scenario,
    pub options: Options,
    pub subnets: Vec<SubnetFabric>,
    /// Per NIC: what the walk reads at a hop, in one record.
    pub nics: Vec<NicFacts>,
    pub nsg_instances: Vec<CompiledNsg>,
    pub admin_instances: Vec<CompiledAdmin>,
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
    /// What undeclared names of Azure services resolve to (`someone.blob.core.windows.net`).
    pub foreign: ForeignResources,
    /// The block undeclared internet names resolve in, found the first time one is asked for
    /// (`foreign::stand_in_block` cuts the header space, which only such a name needs).
    stand_in: OnceLock<Ipv4Addr>,
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
}

impl Fabric {
    /// Compiles a scenario. All name, tag and prefix work happens here, once, in steps: the
    /// peering links, the subnets (routes, VirtualNetwork sets, NSG instances), the lookups by
    /// address and name, the devices, and last the firewalls' FQDNs, which resolve through the
    /// compiled fabric (F-7).
    pub fn compile(scenario: Scenario, options: Options) -> Fabric {
        let peerings = PeeringIndex::build(&scenario);
        let vnet_spaces: Vec<AddrSet> =
            scenario.vnets.iter().map(|v| AddrSet::from_prefixes(&v.address_space)).collect();
        let CompiledSubnets { subnets, nsg_instances, admin_instances, nic_nsgs, pe_of_nic } =
            compile_subnets(&scenario, &options, &peerings, &vnet_spaces);
        let lookups = Lookups::build(&scenario, &peerings);
        let gateway_of_vnet = peerings.gateway_of_vnet(&scenario);
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
                    // Not at private endpoints (AVNM FAQ).
                    admin: sf.admin.filter(|_| pe_of_nic[k].is_none()),
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
        let Lookups {
            nic_by_ip,
            nic_by_public_ip,
            machine_public_ip,
            peer_lookup,
            service_by_public_ip,
            foreign_by_prefix,
            public_names,
            privatelink_names,
            private_link_targets,
            zone_links,
        } = lookups;
        let region = options.foreign_region.as_deref().unwrap_or(&scenario.region);
        let foreign = ForeignResources::build(&scenario, region, &service_by_public_ip);
        let mut fabric = Fabric {
            scenario,
            options,
            subnets,
            nics,
            nsg_instances,
            admin_instances,
            peering_links: peerings.links,
            initiated_links: peerings.initiated,
            nic_by_ip,
            nic_by_public_ip,
            machine_public_ip,
            vnet_spaces,
            peer_lookup,
            service_by_public_ip,
            foreign_by_prefix,
            foreign,
            stand_in: OnceLock::new(),
            public_names,
            privatelink_names,
            private_link_targets,
            zone_links,
            gateway_of_vnet,
            firewalls,
            devices,
        };
        fabric.resolve_firewall_fqdns();
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

    /// The /16 block undeclared internet names resolve in (see [`foreign::stand_in_block`]).
    pub fn stand_in_block(&self) -> Ipv4Addr {
        *self.stand_in.get_or_init(|| foreign::stand_in_block(self))
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

    pub fn admin_instance(&self, i: AdminInstance) -> &CompiledAdmin {
        &self.admin_instances[i.0 as usize]
    }
}
