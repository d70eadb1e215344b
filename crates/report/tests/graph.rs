//! The routing graph of `vnetsim graph` (issue 18): gateways and on-premises networks are
//! places, and the reserved ranges' system drop routes (R-2) are left out unless asked for.

use vnetsim_engine::Fabric;
use vnetsim_engine::fabric::graph::{GraphEdge, GraphNode, GraphOptions, RoutingGraph};
use vnetsim_engine::fabric::routes::RouteSource;
use vnetsim_model::{NextHop, ServiceTagTable};
use vnetsim_report::graph::{GraphReport, edge_label, node_label};
use vnetsim_testkit::builtin_fabric as fabric;

/// `(from, to, edge)` labels of every edge.
fn edges(fabric: &Fabric, options: GraphOptions) -> Vec<(String, String, String)> {
    let g = RoutingGraph::build(fabric, options);
    let s = &fabric.scenario;
    (g.graph.edge_indices())
        .map(|e| {
            let (a, b) = g.graph.edge_endpoints(e).unwrap();
            (node_label(s, &g.graph[a]), node_label(s, &g.graph[b]), edge_label(s, &g.graph[e]))
        })
        .collect()
}

fn system_drop_routes(fabric: &Fabric) -> usize {
    let routes = fabric.subnets.iter().flat_map(|sf| &sf.routes.routes);
    routes
        .filter(|r| r.next_hop == NextHop::None && r.source == RouteSource::Default)
        .filter(|r| r.state == vnetsim_engine::fabric::routes::RouteState::Active)
        .count()
}

#[test]
fn issue_18_gateways_reach_on_premises_and_reserved_ranges_are_not_drawn() {
    for (file, gateway, on_prem) in [
        ("18-hub-spoke-firewall-custom-dns.yaml", "vpn gateway hub-vpn", "on-premises corp"),
        ("11-hybrid-dns.yaml", "vpn gateway hub-vpn", "on-premises corp"),
        ("17-expressroute-firewall.yaml", "expressroute gateway", "on-premises corp"),
    ] {
        let f = fabric(file);
        let all = edges(&f, GraphOptions::default());
        assert!(
            all.iter().any(|(a, b, _)| a.starts_with(gateway) && b == on_prem),
            "{file}: no {gateway} -> {on_prem} edge in {all:#?}"
        );
        // R-6, R-16: VirtualNetworkGateway routes end at the gateway, not in a drop node.
        let to_gateway = all.iter().filter(|(_, b, l)| b.starts_with(gateway) && l.ends_with("VirtualNetworkGateway"));
        assert!(to_gateway.count() > 0, "{file}: no route to the gateway in {all:#?}");
        // R-2: the reserved ranges' system routes are left out by default...
        let drops = |edges: &[(String, String, String)]| edges.iter().filter(|(_, b, _)| b == "drop").count();
        assert_eq!(drops(&all), 0, "{file}: drop edges drawn by default: {all:#?}");
        // ...and come back with --with-drop-routes, one edge per active system `None` route.
        let with_drops = edges(&f, GraphOptions { drop_routes: true });
        assert_eq!(drops(&with_drops), system_drop_routes(&f), "{file}");
        assert!(drops(&with_drops) > 0, "{file}: reserved ranges missing");
    }
}

#[test]
fn firewalls_and_gateways_are_typed_nodes_and_dot_comes_from_the_graph() {
    let f = fabric("18-hub-spoke-firewall-custom-dns.yaml");
    let g = RoutingGraph::build(&f, GraphOptions::default());
    let kinds = |pick: fn(&GraphNode) -> bool| g.graph.node_weights().filter(|n| pick(n)).count();
    assert_eq!(kinds(|n| matches!(n, GraphNode::Firewall(_))), 1);
    assert_eq!(kinds(|n| matches!(n, GraphNode::Gateway(_))), f.scenario.gateways.len());
    assert_eq!(kinds(|n| matches!(n, GraphNode::OnPremises(_))), f.scenario.on_prem.len());
    assert_eq!(kinds(|n| matches!(n, GraphNode::Drop)), 0);
    assert!(g.graph.edge_weights().any(|e| matches!(e, GraphEdge::Connection("vpn"))));
    let dot = GraphReport::new(&f.scenario, &g).to_dot();
    assert_eq!(dot.matches(" -> ").count(), g.graph.edge_count());
    assert!(dot.contains("subgraph cluster_") && !dot.contains("None\""), "{dot}");
}

/// R-15, R-16: what the compile step's peering index decides, checked where it shows: which
/// subnets learn on-premises routes and which gateway each VNet reaches on premises through.
/// `uses` asks for the hub's gateway, which allows transit; `plain` does not ask; `one-sided`
/// has no reverse link, so it is not connected and learns nothing.
#[test]
fn r16_gateway_routes_follow_transit_links_only() {
    let yaml = r#"
name: transit
region: eastus
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets: [{name: GatewaySubnet, prefix: 10.0.0.0/27}]
    peerings:
      - {remote_vnet: uses, allow_gateway_transit: true}
      - {remote_vnet: plain, allow_gateway_transit: true}
  - name: uses
    address_space: [10.1.0.0/16]
    subnets: [{name: a, prefix: 10.1.0.0/24}, {name: b, prefix: 10.1.1.0/24}]
    peerings: [{remote_vnet: hub, use_remote_gateways: true}]
  - name: plain
    address_space: [10.2.0.0/16]
    subnets: [{name: a, prefix: 10.2.0.0/24}]
    peerings: [{remote_vnet: hub}]
  - name: one-sided
    address_space: [10.4.0.0/16]
    subnets: [{name: a, prefix: 10.4.0.0/24}]
    peerings: [{remote_vnet: hub}]
gateways:
  - {name: vpn, kind: vpn, vnet: hub, connections: [corp]}
on_premises:
  - {name: corp, prefixes: [192.168.0.0/16]}
"#;
    let f = vnetsim_testkit::compile(vnetsim_testkit::load_named("transit.yaml", yaml, &ServiceTagTable::builtin()));
    let s = &f.scenario;
    for (i, sf) in f.subnets.iter().enumerate() {
        let subnet = s.subnet_path(vnetsim_model::SubnetId::from_index(i));
        let learned = sf.routes.routes.iter().any(|r| r.next_hop == NextHop::VirtualNetworkGateway);
        let expected = ["hub/GatewaySubnet", "uses/a", "uses/b"].contains(&subnet.as_str());
        assert_eq!(learned, expected, "{subnet}: on-premises routes");
    }
    let gateways: Vec<_> = (0..s.vnets.len())
        .map(|v| f.gateway_of(vnetsim_model::VnetId::from_index(v)).map(|g| s.gateways[g.index()].name.as_str()))
        .collect();
    assert_eq!(gateways, [Some("vpn"), Some("vpn"), None, None]);
}
