//! Resolution rules whose checks are indexed (a cursor per service tag, sets of peerings and
//! gateways, names by private endpoint target): the indexed form must decide as the rule says.

use crate::load_scenario;
use vnetsim_model::*;

fn load_with(yaml: &str, tags: &ServiceTagTable) -> Result<Scenario, Vec<String>> {
    load_scenario("t.yaml", yaml, tags).map_err(|d| d.into_iter().map(|d| d.message).collect())
}

fn load(yaml: &str) -> Result<Scenario, Vec<String>> {
    load_with(yaml, &ServiceTagTable::builtin())
}

fn public_ip(s: &Scenario, name: &str) -> IpAddr {
    s.services.iter().find(|x| x.name == name).expect(name).public_ip
}

/// The first addresses of a tag, in the order services draw them.
fn tag_hosts(tags: &ServiceTagTable, tag: &str, n: usize) -> Vec<IpAddr> {
    tags.get(tag)
        .expect(tag)
        .prefixes
        .iter()
        .filter(|p| matches!(p, IpNet::V4(_)))
        .flat_map(|p| p.hosts())
        .take(n)
        .collect()
}

#[test]
fn services_draw_the_next_free_address_of_their_tag_around_claimed_ones() {
    let tags = ServiceTagTable::builtin();
    let hosts = tag_hosts(&tags, "Storage.eastus", 4);
    let yaml = format!(
        "name: t\nservices:\n  - {{name: a, kind: storage_account}}\n  - {{name: b, kind: storage_account, public_ip: {}}}\n  - {{name: c, kind: storage_account}}\n  - {{name: d, kind: storage_account}}\n",
        hosts[1]
    );
    let s = load(&yaml).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(
        ["a", "b", "c", "d"].map(|n| public_ip(&s, n)),
        [hosts[0], hosts[1], hosts[2], hosts[3]],
        "c skips the address b claimed"
    );
}

#[test]
fn a_full_tag_refuses_every_later_service() {
    let mut tags = ServiceTagTable::builtin();
    let prefix: IpNet = "198.18.0.0/30".parse().unwrap();
    tags.insert(ServiceTag {
        name: "Storage.eastus".into(),
        region: Some("eastus".into()),
        parent: Some("Storage".into()),
        prefixes: vec![prefix],
    });
    let services: String =
        ["a", "b", "c", "d"].iter().map(|n| format!("  - {{name: {n}, kind: storage_account}}\n")).collect();
    let errors = load_with(&format!("name: t\nservices:\n{services}"), &tags).expect_err("the tag is full");
    assert_eq!(
        errors,
        [
            "service tag `Storage.eastus` has no free address left for `c`",
            "service tag `Storage.eastus` has no free address left for `d`",
        ]
    );
}

/// A hub with a gateway of `kind`, and a spoke whose subnet routes on-premises traffic to the
/// gateway; `hub_peering` and `spoke_peering` complete each side's peering.
fn transit(kind: &str, hub_peering: &str, spoke_peering: &str) -> String {
    format!(
        "name: t
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {{name: GatewaySubnet, prefix: 10.0.0.0/27}}
    peerings:
      - {{remote_vnet: spoke{hub_peering}}}
  - name: spoke
    address_space: [10.1.0.0/16]
    subnets:
      - {{name: app, prefix: 10.1.1.0/24, route_table: to-corp}}
    peerings:
      - {{remote_vnet: hub{spoke_peering}}}
route_tables:
  - name: to-corp
    routes:
      - {{name: corp, prefix: 192.168.0.0/16, next_hop: VirtualNetworkGateway}}
gateways:
  - {{name: gw, kind: {kind}, vnet: hub, connections: [corp]}}
on_premises:
  - {{name: corp, prefixes: [192.168.0.0/16]}}
"
    )
}

#[test]
fn r16_gateway_transit_needs_allow_gateway_transit_on_the_remote_side() {
    let spoke = ", use_remote_gateways: true";
    assert!(load(&transit("vpn", ", allow_gateway_transit: true", spoke)).is_ok());
    assert_eq!(
        load(&transit("vpn", "", &format!("{spoke}, allow_gateway_transit: true"))).expect_err("no transit"),
        ["use_remote_gateways: no peering from `hub` back to `spoke` sets allow_gateway_transit"]
    );
}

#[test]
fn h3_no_udr_points_at_an_expressroute_gateway_used_by_transit() {
    let (hub, spoke) = (", allow_gateway_transit: true", ", use_remote_gateways: true");
    assert_eq!(
        load(&transit("expressroute", hub, spoke)).expect_err("a UDR to ExpressRoute"),
        ["route `corp` has next hop VirtualNetworkGateway, but the VNet's gateway is ExpressRoute"]
    );
    // Without transit the spoke has no gateway, ExpressRoute or other, that its UDR could name.
    assert!(load(&transit("expressroute", "", "")).is_ok());
}

#[test]
fn d9_private_endpoints_register_their_target_names_in_the_zone_holding_them() {
    let s = load(
        "name: t
vnets:
  - name: v
    address_space: [10.0.0.0/16]
    subnets:
      - {name: pe, prefix: 10.0.1.0/24}
services:
  - {name: st1, kind: storage_account}
  - {name: st2, kind: storage_account}
private_endpoints:
  - {name: pe-st2, subnet: v/pe, ip: 10.0.1.10, target: st2, subresource: blob}
  - {name: pe-st1-file, subnet: v/pe, ip: 10.0.1.11, target: st1, subresource: file}
  - {name: pe-st1, subnet: v/pe, ip: 10.0.1.12, target: st1, subresource: blob}
private_dns_zones:
  - {name: privatelink.blob.core.windows.net, links: [v]}
",
    )
    .unwrap_or_else(|e| panic!("{e:#?}"));
    let records: Vec<(&str, String)> =
        s.zones[0].records.iter().map(|r| (r.name.as_str(), r.address.to_string())).collect();
    // In private endpoint order; the file endpoint has no zone to register in.
    assert_eq!(records, [("st2", "10.0.1.10".to_string()), ("st1", "10.0.1.12".to_string())]);
}
