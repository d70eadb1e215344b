//! The compiled form of a scenario: resolved once, then read-only and shared across threads.

pub mod graph;
pub mod nsg;
pub mod routes;

use crate::addr_set::AddrSet;
use crate::lpm::{PrefixLookup, TrieLookup};
use crate::options::Options;
use nsg::{CompiledNsg, TagContext, compile_nsg};
use routes::{EffectiveRoutes, effective_routes};
use rustc_hash::{FxHashMap, FxHashSet};
use vnetsim_model::addr::AZURE_PLATFORM_VIP;
use vnetsim_model::*;

/// Index of a compiled NSG instance (an NSG expanded in one subnet's context).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NsgInstance(pub u32);

#[derive(Debug)]
pub struct SubnetFabric {
    pub routes: EffectiveRoutes,
    pub nsg: Option<NsgInstance>,
}

#[derive(Debug)]
pub struct Fabric {
    pub scenario: Scenario,
    pub options: Options,
    pub subnets: Vec<SubnetFabric>,
    /// The compiled NIC-level NSG of each NIC.
    pub nic_nsgs: Vec<Option<NsgInstance>>,
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
    peer_lookup: Vec<TrieLookup>,
    pub graph: graph::RoutingGraph,
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
        let mut instance_of: FxHashMap<(NsgId, SubnetId), NsgInstance> = FxHashMap::default();
        let mut instance = |nsg: NsgId, subnet: SubnetId, ctx: &TagContext<'_>, instances: &mut Vec<CompiledNsg>| {
            *instance_of.entry((nsg, subnet)).or_insert_with(|| {
                instances.push(compile_nsg(&scenario, nsg, ctx, &options));
                NsgInstance(instances.len() as u32 - 1)
            })
        };
        let mut nic_nsgs = vec![None; scenario.nics.len()];
        let mut nics_by_subnet: Vec<Vec<usize>> = vec![Vec::new(); scenario.subnets.len()];
        for (k, nic) in scenario.nics.iter().enumerate() {
            nics_by_subnet[nic.subnet.index()].push(k);
        }
        for (i, s) in scenario.subnets.iter().enumerate() {
            let id = SubnetId::from_index(i);
            let connected = &connected_by_vnet[s.vnet.index()];
            let routes = effective_routes(&scenario, id, connected);
            let virtual_network = virtual_network_tag(&scenario, s, connected, &routes, &vnet_spaces);
            let internet = virtual_network.complement();
            let ctx = TagContext {
                virtual_network: &virtual_network,
                internet: &internet,
                load_balancer: &load_balancer,
                asg_members: &asg_members,
            };
            let nsg = s.nsg.map(|n| instance(n, id, &ctx, &mut nsg_instances));
            for &k in &nics_by_subnet[i] {
                if let Some(n) = scenario.nics[k].nsg {
                    nic_nsgs[k] = Some(instance(n, id, &ctx, &mut nsg_instances));
                }
            }
            subnets.push(SubnetFabric { routes, nsg });
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
                TrieLookup::build(own.chain(peers))
            })
            .collect();
        let machines_with_public_ip: FxHashSet<(EndpointId, u32)> =
            scenario.nics.iter().filter(|n| n.public_ip.is_some()).map(|n| (n.endpoint, n.node)).collect();
        let machine_public_ip =
            scenario.nics.iter().map(|n| machines_with_public_ip.contains(&(n.endpoint, n.node))).collect();
        let mut fabric = Fabric {
            scenario,
            options,
            subnets,
            nic_nsgs,
            nsg_instances,
            peering_links,
            initiated_links,
            nic_by_ip,
            nic_by_public_ip,
            machine_public_ip,
            vnet_spaces,
            peer_lookup,
            graph: graph::RoutingGraph::default(),
        };
        fabric.graph = graph::RoutingGraph::build(&fabric);
        fabric
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

    pub fn nsg_instance(&self, i: NsgInstance) -> &CompiledNsg {
        &self.nsg_instances[i.0 as usize]
    }
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
