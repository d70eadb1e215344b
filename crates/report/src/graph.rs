//! `vnetsim graph`: the routing graph named as scenarios name things, as Graphviz DOT (each
//! VNet's subnets and devices in a cluster) or as JSON nodes and edges for other renderers.

use crate::output::{Format, Report};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_engine::fabric::graph::{GraphEdge, GraphNode, RoutingGraph};
use vnetsim_model::Scenario;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct GraphReport {
    pub nodes: Vec<NodeReport>,
    pub edges: Vec<EdgeReport>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NodeReport {
    /// The node's index, which edges refer to.
    pub id: usize,
    /// `subnet`, `appliance`, `missing_appliance`, `firewall`, `gateway`, `on_premises`,
    /// `internet`, `azure_services` or `drop`.
    pub kind: &'static str,
    pub label: String,
    /// The VNet the node sits in: a subnet's, or that of a device's NIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vnet: Option<String>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct EdgeReport {
    pub from: usize,
    pub to: usize,
    /// `route`, `forwards_from` or `connection`.
    pub kind: &'static str,
    pub label: String,
}

impl GraphReport {
    pub fn new(scenario: &Scenario, g: &RoutingGraph) -> GraphReport {
        let nodes = (g.graph.node_indices())
            .map(|i| NodeReport {
                id: i.index(),
                kind: node_kind(&g.graph[i]),
                label: node_label(scenario, &g.graph[i]),
                vnet: g.vnet_of(scenario, i).map(|v| scenario.vnet(v).name.clone()),
            })
            .collect();
        let edges = (g.graph.edge_indices())
            .filter_map(|e| {
                let (a, b) = g.graph.edge_endpoints(e)?;
                let edge = &g.graph[e];
                Some(EdgeReport {
                    from: a.index(),
                    to: b.index(),
                    kind: edge_kind(edge),
                    label: edge_label(scenario, edge),
                })
            })
            .collect();
        GraphReport { nodes, edges }
    }

    /// Graphviz DOT text, each VNet's nodes in a cluster.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph routing {\n  rankdir=LR;\n");
        let node_line = |out: &mut String, indent: &str, n: &NodeReport| {
            let shape = match n.kind {
                "subnet" => "box",
                "appliance" | "missing_appliance" | "firewall" => "hexagon",
                "gateway" => "diamond",
                "on_premises" => "house",
                "drop" => "point",
                _ => "ellipse",
            };
            let _ = writeln!(out, "{indent}n{} [label={:?}, shape={shape}];", n.id, n.label);
        };
        // VNets in the order their first node appears, which is file order for subnets.
        let mut vnets: Vec<&str> = Vec::new();
        for v in self.nodes.iter().filter_map(|n| n.vnet.as_deref()) {
            if !vnets.contains(&v) {
                vnets.push(v);
            }
        }
        for (k, vnet) in vnets.iter().enumerate() {
            let _ = writeln!(out, "  subgraph cluster_{k} {{\n    label={vnet:?};");
            for n in self.nodes.iter().filter(|n| n.vnet.as_deref() == Some(vnet)) {
                node_line(&mut out, "    ", n);
            }
            out.push_str("  }\n");
        }
        for n in self.nodes.iter().filter(|n| n.vnet.is_none()) {
            node_line(&mut out, "  ", n);
        }
        for e in &self.edges {
            let _ = writeln!(out, "  n{} -> n{} [label={:?}];", e.from, e.to, e.label);
        }
        out.push_str("}\n");
        out
    }
}

fn node_kind(node: &GraphNode) -> &'static str {
    match node {
        GraphNode::Subnet(_) => "subnet",
        GraphNode::Appliance(_) => "appliance",
        GraphNode::MissingAppliance(_) => "missing_appliance",
        GraphNode::Firewall(_) => "firewall",
        GraphNode::Gateway(_) => "gateway",
        GraphNode::OnPremises(_) => "on_premises",
        GraphNode::Internet => "internet",
        GraphNode::AzureServices => "azure_services",
        GraphNode::Drop => "drop",
    }
}

fn edge_kind(edge: &GraphEdge) -> &'static str {
    match edge {
        GraphEdge::Route { .. } => "route",
        GraphEdge::ForwardsFrom => "forwards_from",
        GraphEdge::Connection(_) => "connection",
    }
}

/// A node as scenarios name it.
pub fn node_label(scenario: &Scenario, node: &GraphNode) -> String {
    match node {
        GraphNode::Subnet(s) => scenario.subnet_path(*s),
        GraphNode::Appliance(nic) => {
            let n = scenario.nic(*nic);
            format!("{} ({})", scenario.endpoint(n.endpoint).name, n.private_ip)
        }
        GraphNode::MissingAppliance(ip) => format!("{ip} (no NIC)"),
        GraphNode::Firewall(fw) => {
            let fw = &scenario.firewalls[fw.index()];
            format!("firewall {} ({})", fw.name, scenario.nic(fw.nic).private_ip)
        }
        GraphNode::Gateway(gw) => {
            let gw = &scenario.gateways[gw.index()];
            format!("{} gateway {}", gw.kind, gw.name)
        }
        GraphNode::OnPremises(o) => format!("on-premises {}", scenario.on_prem[o.index()].name),
        GraphNode::Internet => "internet".into(),
        GraphNode::AzureServices => "azure services".into(),
        GraphNode::Drop => "drop".into(),
    }
}

/// An edge's label: a route's prefix and next hop type (and peering), or the link's kind.
pub fn edge_label(scenario: &Scenario, edge: &GraphEdge) -> String {
    match edge {
        GraphEdge::Route { prefix, next_hop, peering: None } => format!("{prefix} {}", next_hop.type_name()),
        GraphEdge::Route { prefix, next_hop, peering: Some(p) } => {
            format!("{prefix} {} via {}", next_hop.type_name(), scenario.peerings[p.index()].name)
        }
        GraphEdge::ForwardsFrom => "forwards from".into(),
        GraphEdge::Connection(kind) => format!("{kind} connection"),
    }
}

impl Report for GraphReport {
    const SCHEMA: &'static str = "vnetsim-graph/1";
    const FORMATS: &'static [Format] = &[Format::Dot, Format::Json];

    /// The DOT text: what a person pipes into `dot -Tsvg`.
    fn human(&self) -> String {
        self.to_dot()
    }

    fn other(&self, format: Format) -> Option<String> {
        (format == Format::Dot).then(|| self.to_dot())
    }
}
