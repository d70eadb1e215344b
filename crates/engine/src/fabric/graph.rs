//! The routing graph: the places and devices of a compiled fabric (subnets in their VNets,
//! appliances, firewalls, gateways, on-premises networks, the internet) with each subnet's
//! active routes, the devices' subnets and the gateways' connections as edges. Walks use the
//! flat tables; the graph is built on demand for structure questions (what connects to what)
//! and is the one source of `vnetsim graph`'s output (`report::graph` names and draws it), so
//! other renderers can lay it out too.

use super::Fabric;
use super::routes::{RouteOrigin, RouteSource, RouteState};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;
use vnetsim_model::{
    FirewallId, GatewayId, IpAddr, IpNet, NextHop, NicId, OnPremId, PeeringId, Scenario, SubnetId, VnetId,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphNode {
    Subnet(SubnetId),
    /// The NIC that a VirtualAppliance next hop names.
    Appliance(NicId),
    /// A VirtualAppliance next hop that no NIC holds.
    MissingAppliance(IpAddr),
    /// An Azure Firewall that a VirtualAppliance next hop names by its private IP.
    Firewall(FirewallId),
    /// A virtual network gateway (H-1..H-3).
    Gateway(GatewayId),
    OnPremises(OnPremId),
    Internet,
    /// Azure services reached over service endpoints.
    AzureServices,
    /// Where `None` next hops send packets.
    Drop,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphEdge {
    /// An active route of the source subnet; `peering` is the link a VNetPeering route uses.
    Route { prefix: IpNet, next_hop: NextHop, peering: Option<PeeringId> },
    /// A device forwards what it sends on from the subnet its NIC is in.
    ForwardsFrom,
    /// A gateway's connection to an on-premises network (`vpn` or `expressroute`).
    Connection(&'static str),
}

/// What to draw besides the routes that carry packets somewhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct GraphOptions {
    /// Also draw the system routes that drop packets (R-2: the reserved ranges' `None` routes,
    /// four in every subnet), left out by default. User routes to `None` are always drawn.
    pub drop_routes: bool,
}

#[derive(Debug, Default)]
pub struct RoutingGraph {
    pub graph: DiGraph<GraphNode, GraphEdge>,
}

impl RoutingGraph {
    /// Edges for every active route of every subnet. Appliances are found the way the walk finds
    /// them (R-7: a NIC in the subnet's VNet or a connected peer), so overlapping unpeered VNets
    /// never get confused; gateway routes go to the gateway that learned them.
    pub fn build(fabric: &Fabric, options: GraphOptions) -> RoutingGraph {
        let scenario = &fabric.scenario;
        let mut g = DiGraph::new();
        let subnet_nodes: Vec<NodeIndex> =
            (0..scenario.subnets.len()).map(|i| g.add_node(GraphNode::Subnet(SubnetId::from_index(i)))).collect();
        let internet = g.add_node(GraphNode::Internet);
        let gateway_nodes: Vec<NodeIndex> =
            (0..scenario.gateways.len()).map(|i| g.add_node(GraphNode::Gateway(GatewayId::from_index(i)))).collect();
        let on_prem_nodes: Vec<NodeIndex> =
            (0..scenario.on_prem.len()).map(|i| g.add_node(GraphNode::OnPremises(OnPremId::from_index(i)))).collect();
        for (i, gw) in scenario.gateways.iter().enumerate() {
            let subnet = scenario.nic(gw.nic).subnet;
            g.add_edge(gateway_nodes[i], subnet_nodes[subnet.index()], GraphEdge::ForwardsFrom);
            for c in &gw.connections {
                g.add_edge(gateway_nodes[i], on_prem_nodes[c.index()], GraphEdge::Connection(gw.kind));
            }
        }
        // Only scenarios that use them get the services and drop nodes.
        let mut services = None;
        let mut drop = None;
        let mut devices: FxHashMap<NicId, NodeIndex> = FxHashMap::default();
        let mut missing: FxHashMap<IpAddr, NodeIndex> = FxHashMap::default();
        for (i, sf) in fabric.subnets.iter().enumerate() {
            let from = subnet_nodes[i];
            let vnet = scenario.subnets[i].vnet;
            for r in sf.routes.routes.iter().filter(|r| r.state == RouteState::Active) {
                let system_drop = r.next_hop == NextHop::None && r.source == RouteSource::Default;
                if system_drop && !options.drop_routes {
                    continue;
                }
                let mut drop_node =
                    |g: &mut DiGraph<GraphNode, GraphEdge>| *drop.get_or_insert_with(|| g.add_node(GraphNode::Drop));
                let targets: Vec<NodeIndex> = match r.next_hop {
                    NextHop::Internet => vec![internet],
                    NextHop::VirtualNetworkServiceEndpoint => {
                        vec![*services.get_or_insert_with(|| g.add_node(GraphNode::AzureServices))]
                    }
                    NextHop::InterfaceEndpoint => match r.origin {
                        RouteOrigin::PrivateEndpoint(pe) => {
                            let nic = scenario.nic(scenario.private_endpoint(pe).nic);
                            vec![subnet_nodes[nic.subnet.index()]]
                        }
                        _ => vec![drop_node(&mut g)],
                    },
                    NextHop::None => vec![drop_node(&mut g)],
                    NextHop::VirtualNetworkGateway => {
                        let gateway = match r.origin {
                            RouteOrigin::Gateway(gw) => Some(gw),
                            _ => fabric.gateway_of(vnet),
                        };
                        match gateway {
                            Some(gw) => vec![gateway_nodes[gw.index()]],
                            None => vec![drop_node(&mut g)],
                        }
                    }
                    NextHop::VnetLocal | NextHop::VNetPeering => {
                        let target_vnet = match r.origin {
                            RouteOrigin::Peering(p) => scenario.peerings[p.index()].remote,
                            _ => vnet,
                        };
                        scenario
                            .vnet(target_vnet)
                            .subnets
                            .iter()
                            .filter(|s| s.index() != i && r.prefix.contains(&scenario.subnet(**s).prefix))
                            .map(|s| subnet_nodes[s.index()])
                            .collect()
                    }
                    NextHop::VirtualAppliance(ip) => {
                        let nic = fabric.vnet_of_peer_address(vnet, ip).and_then(|v| fabric.nic_at(v, ip));
                        let node = match nic {
                            Some(nic) => *devices.entry(nic).or_insert_with(|| {
                                let device = match fabric.firewall_of(nic) {
                                    Some(fw) => GraphNode::Firewall(fw),
                                    None => GraphNode::Appliance(nic),
                                };
                                let node = g.add_node(device);
                                g.add_edge(
                                    node,
                                    subnet_nodes[scenario.nic(nic).subnet.index()],
                                    GraphEdge::ForwardsFrom,
                                );
                                node
                            }),
                            None => *missing.entry(ip).or_insert_with(|| g.add_node(GraphNode::MissingAppliance(ip))),
                        };
                        vec![node]
                    }
                };
                let peering = match r.origin {
                    RouteOrigin::Peering(p) => Some(p),
                    _ => None,
                };
                for t in targets {
                    g.add_edge(from, t, GraphEdge::Route { prefix: r.prefix, next_hop: r.next_hop, peering });
                }
            }
        }
        RoutingGraph { graph: g }
    }

    /// The VNet a node sits in: a subnet's, or that of a device's NIC.
    pub fn vnet_of(&self, scenario: &Scenario, node: NodeIndex) -> Option<VnetId> {
        let nic = match &self.graph[node] {
            GraphNode::Subnet(s) => return Some(scenario.subnet(*s).vnet),
            GraphNode::Appliance(nic) => *nic,
            GraphNode::Firewall(fw) => scenario.firewalls[fw.index()].nic,
            GraphNode::Gateway(gw) => scenario.gateways[gw.index()].nic,
            _ => return None,
        };
        Some(scenario.subnet(scenario.nic(nic).subnet).vnet)
    }
}
