//! Compile step 2: per subnet, the effective routes (R-2..R-16), the VirtualNetwork and
//! Internet sets (N-11, N-12), and the NSG instances of the subnet and its NICs, compiled once
//! per (NSG, VirtualNetwork set).

use super::admin::{AdminCompiler, CompiledAdmin};
use super::nsg::{CompiledNsg, TagContext, compile_nsg};
use super::peerings::PeeringIndex;
use super::routes::{self, EffectiveRoutes, RouteInputs, effective_routes};
use super::{NsgInstance, SubnetFabric};
use crate::addr_set::AddrSet;
use crate::options::Options;
use rustc_hash::FxHashMap;
use vnetsim_model::addr::AZURE_PLATFORM_VIP;
use vnetsim_model::*;

/// What step 2 produces.
pub(super) struct CompiledSubnets {
    pub subnets: Vec<SubnetFabric>,
    pub nsg_instances: Vec<CompiledNsg>,
    /// Security admin rule sets (N-16), referred to by `SubnetFabric::admin`.
    pub admin_instances: Vec<CompiledAdmin>,
    /// Per NIC: the instance of its own NSG.
    pub nic_nsgs: Vec<Option<NsgInstance>>,
    /// Per NIC: the private endpoint it belongs to.
    pub pe_of_nic: Vec<Option<PrivateEndpointId>>,
}

/// Per ASG: its members' private addresses, in one pass over the NICs.
fn asg_members(scenario: &Scenario) -> Vec<AddrSet> {
    let mut members: Vec<Vec<IpAddr>> = vec![Vec::new(); scenario.asgs.len()];
    for n in &scenario.nics {
        for a in &n.asgs {
            members[a.index()].push(n.private_ip);
        }
    }
    members.into_iter().map(AddrSet::from_addresses).collect()
}

pub(super) fn compile_subnets(
    scenario: &Scenario,
    options: &Options,
    peerings: &PeeringIndex,
    vnet_spaces: &[AddrSet],
) -> CompiledSubnets {
    let asg_members = asg_members(scenario);
    let load_balancer = AddrSet::from_addresses([IpAddr::V4(AZURE_PLATFORM_VIP)]);
    let mut nsg_instances = Vec::new();
    // An NSG compiles once per VirtualNetwork tag (N-11), the only part of a subnet's context
    // that differs between subnets: subnets of one VNet share the compiled copy, which keeps
    // fewer copies in the cache when traffic spreads over thousands of spokes.
    let mut instance_of: FxHashMap<(NsgId, AddrSet), NsgInstance> = FxHashMap::default();
    let mut instance = |nsg: NsgId, ctx: &TagContext<'_>, instances: &mut Vec<CompiledNsg>| {
        *instance_of.entry((nsg, ctx.virtual_network.clone())).or_insert_with(|| {
            instances.push(compile_nsg(scenario, nsg, ctx, options));
            NsgInstance(instances.len() as u32 - 1)
        })
    };
    let mut admin = AdminCompiler::new(scenario, options);
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
    // per VNet, the endpoints of the VNet and of its connected peers.
    let visible_pes: Vec<Vec<PrivateEndpointId>> = (0..scenario.vnets.len())
        .map(|v| {
            let peers = peerings.connected_by_vnet[v].iter().map(|l| scenario.peerings[l.index()].remote);
            pes_by_vnet[v].iter().chain(peers.flat_map(|r| &pes_by_vnet[r.index()])).copied().collect()
        })
        .collect();
    let gateways_by_vnet = peerings.gateways_by_vnet(scenario);

    let mut subnets = Vec::with_capacity(scenario.subnets.len());
    for (i, s) in scenario.subnets.iter().enumerate() {
        let id = SubnetId::from_index(i);
        let connected = &peerings.connected_by_vnet[s.vnet.index()];
        let inputs = RouteInputs {
            connected_peerings: connected,
            private_endpoints: &visible_pes[s.vnet.index()],
            gateways: &gateways_by_vnet[s.vnet.index()],
            with_route_table: true,
        };
        let routes = effective_routes(scenario, id, &inputs);
        let hosts_pe = nics_by_subnet[i].iter().any(|&k| pe_of_nic[k].is_some());
        let pe_routes =
            (hosts_pe && s.route_table.is_some() && !s.private_endpoint_network_policies.route_table_applies())
                .then(|| effective_routes(scenario, id, &RouteInputs { with_route_table: false, ..inputs }));
        let virtual_network = virtual_network_tag(scenario, s, connected, &routes, vnet_spaces);
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
        let admin_rules = admin.instance(id, &ctx);
        subnets.push(SubnetFabric { routes, pe_routes, nsg, admin: admin_rules });
    }
    CompiledSubnets { subnets, nsg_instances, admin_instances: admin.instances, nic_nsgs, pe_of_nic }
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
