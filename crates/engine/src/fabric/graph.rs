//! The routing graph: where each subnet's active routes can send a packet. Walks use the flat
//! tables; the graph is for structure questions (what connects to what) and DOT output.

use super::Fabric;
use super::routes::{RouteOrigin, RouteState};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;
use std::fmt::Write;
use vnetsim_model::{NextHop, NicId, Scenario, SubnetId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphNode {
    Subnet(SubnetId),
    /// The NIC that a VirtualAppliance next hop names (or the bare IP if no NIC holds it).
    Appliance(String),
    Internet,
    /// Azure services reached over service endpoints.
    AzureServices,
    Drop,
}

#[derive(Debug, Default)]
pub struct RoutingGraph {
    pub graph: DiGraph<GraphNode, String>,
}

impl RoutingGraph {
    /// Edges for every active route of every subnet. Appliances are found the way the walk finds
    /// them (R-7: a NIC in the subnet's VNet or a connected peer), so overlapping unpeered VNets
    /// never get confused.
    pub fn build(fabric: &Fabric) -> RoutingGraph {
        let scenario = &fabric.scenario;
        let mut g = DiGraph::new();
        let subnet_nodes: Vec<NodeIndex> =
            (0..scenario.subnets.len()).map(|i| g.add_node(GraphNode::Subnet(SubnetId::from_index(i)))).collect();
        let internet = g.add_node(GraphNode::Internet);
        // Only scenarios with service endpoints get the services node.
        let mut services = None;
        let drop = g.add_node(GraphNode::Drop);
        let mut appliances: FxHashMap<NicId, NodeIndex> = FxHashMap::default();
        let mut missing: FxHashMap<String, NodeIndex> = FxHashMap::default();
        for (i, sf) in fabric.subnets.iter().enumerate() {
            let from = subnet_nodes[i];
            let vnet = scenario.subnets[i].vnet;
            for r in sf.routes.routes.iter().filter(|r| r.state == RouteState::Active) {
                let label = format!("{} {}", r.prefix, r.next_hop.type_name());
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
                        _ => vec![drop],
                    },
                    NextHop::None | NextHop::VirtualNetworkGateway => vec![drop],
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
                            Some(nic) => *appliances.entry(nic).or_insert_with(|| {
                                let n = scenario.nic(nic);
                                let name = format!("{} ({ip})", scenario.endpoint(n.endpoint).name);
                                let node = g.add_node(GraphNode::Appliance(name));
                                g.add_edge(node, subnet_nodes[n.subnet.index()], "forwards from".into());
                                node
                            }),
                            None => *missing
                                .entry(ip.to_string())
                                .or_insert_with(|| g.add_node(GraphNode::Appliance(format!("{ip} (no NIC)")))),
                        };
                        vec![node]
                    }
                };
                for t in targets {
                    g.add_edge(from, t, label.clone());
                }
            }
        }
        RoutingGraph { graph: g }
    }

    /// Graphviz DOT text, nodes named as scenarios name them.
    pub fn to_dot(&self, scenario: &Scenario) -> String {
        let mut out = String::from("digraph routing {\n  rankdir=LR;\n");
        for i in self.graph.node_indices() {
            let label = match &self.graph[i] {
                GraphNode::Subnet(s) => scenario.subnet_path(*s),
                GraphNode::Appliance(name) => name.clone(),
                GraphNode::Internet => "internet".into(),
                GraphNode::AzureServices => "azure services".into(),
                GraphNode::Drop => "drop".into(),
            };
            let _ = writeln!(out, "  n{} [label={label:?}];", i.index());
        }
        for e in self.graph.edge_indices() {
            if let Some((a, b)) = self.graph.edge_endpoints(e) {
                let _ = writeln!(out, "  n{} -> n{} [label={:?}];", a.index(), b.index(), self.graph[e]);
            }
        }
        out.push_str("}\n");
        out
    }
}
