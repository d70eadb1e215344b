//! The routing graph: where each subnet's active routes can send a packet. Walks use the flat
//! tables; the graph is for structure questions (what connects to what) and DOT output.

use super::SubnetFabric;
use super::routes::{RouteOrigin, RouteState};
use petgraph::graph::{DiGraph, NodeIndex};
use std::fmt::Write;
use vnetsim_model::{NextHop, Scenario, SubnetId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphNode {
    Subnet(SubnetId),
    /// The NIC that a VirtualAppliance next hop names (or the bare IP if no NIC holds it).
    Appliance(String),
    Internet,
    Drop,
}

#[derive(Debug, Default)]
pub struct RoutingGraph {
    pub graph: DiGraph<GraphNode, String>,
}

impl RoutingGraph {
    pub fn build(scenario: &Scenario, subnets: &[SubnetFabric]) -> RoutingGraph {
        let mut g = DiGraph::new();
        let subnet_nodes: Vec<NodeIndex> =
            (0..subnets.len()).map(|i| g.add_node(GraphNode::Subnet(SubnetId::from_index(i)))).collect();
        let internet = g.add_node(GraphNode::Internet);
        let drop = g.add_node(GraphNode::Drop);
        let mut appliances: Vec<(String, NodeIndex)> = Vec::new();
        for (i, sf) in subnets.iter().enumerate() {
            let from = subnet_nodes[i];
            for r in sf.routes.routes.iter().filter(|r| r.state == RouteState::Active) {
                let label = format!("{} {}", r.prefix, r.next_hop.type_name());
                let targets: Vec<NodeIndex> = match r.next_hop {
                    NextHop::Internet => vec![internet],
                    NextHop::None | NextHop::VirtualNetworkGateway => vec![drop],
                    NextHop::VnetLocal | NextHop::VNetPeering => (0..subnets.len())
                        .filter(|&j| {
                            let target_vnet = match r.origin {
                                RouteOrigin::Peering(p) => scenario.peerings[p.index()].remote,
                                _ => scenario.subnets[i].vnet,
                            };
                            j != i
                                && scenario.subnets[j].vnet == target_vnet
                                && r.prefix.contains(&scenario.subnets[j].prefix)
                        })
                        .map(|j| subnet_nodes[j])
                        .collect(),
                    NextHop::VirtualAppliance(ip) => {
                        let name = scenario.nics.iter().find(|n| n.private_ip == ip).map_or_else(
                            || ip.to_string(),
                            |n| format!("{} ({ip})", scenario.endpoint(n.endpoint).name),
                        );
                        let node = match appliances.iter().find(|(n, _)| *n == name) {
                            Some((_, node)) => *node,
                            None => {
                                let node = g.add_node(GraphNode::Appliance(name.clone()));
                                if let Some(nic) = scenario.nics.iter().find(|n| n.private_ip == ip) {
                                    g.add_edge(node, subnet_nodes[nic.subnet.index()], "forwards from".into());
                                }
                                appliances.push((name, node));
                                node
                            }
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
