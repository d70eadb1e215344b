//! Private DNS zones whose object name differs from their DNS name (`zone:`): two zones of one
//! DNS name in different resource groups, as Terraform imports find them. Uniqueness is by
//! object name; D-9: one VNet cannot be linked to two zones of one DNS name; a private endpoint
//! registers in the zones of its DNS zone group (`dns_zones:`).

use vnetsim_config::{Diagnostic, load_scenario};
use vnetsim_model::*;

fn load(source: &str) -> Result<Scenario, Vec<Diagnostic>> {
    load_scenario("t.yaml", source, &ServiceTagTable::builtin())
}

fn errors(source: &str) -> Vec<String> {
    match load(source) {
        Ok(_) => panic!("loads, but errors were expected:\n{source}"),
        Err(d) => d.iter().map(|d| format!("{}:{}: {}", d.loc.line, d.loc.column, d.message)).collect(),
    }
}

const NETWORK: &str = "
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {name: pe, prefix: 10.0.1.0/24}
  - name: spoke
    address_space: [10.1.0.0/16]
services:
  - {name: st, kind: storage_account}
";

/// The records (name, address) of the zone linked to `vnet`.
fn records_seen_by(s: &Scenario, vnet: &str) -> Vec<(String, String)> {
    let v = s.vnets.iter().position(|x| x.name == vnet).expect(vnet);
    let zone = s.zones.iter().find(|z| z.links.iter().any(|l| l.vnet.index() == v)).expect("a linked zone");
    zone.records.iter().map(|r| (r.name.clone(), r.address.to_string())).collect()
}

#[test]
fn two_zones_of_one_dns_name_load_and_the_endpoint_registers_in_its_zone_group_only() {
    // Before `zone:`, the second zone was a duplicate; and registration by DNS name alone would
    // have put the record in the last zone of the name (the spoke's), not the one the zone group
    // names.
    let s = load(&format!(
        "{NETWORK}
private_endpoints:
  - {{name: pe-st, subnet: hub/pe, ip: 10.0.1.10, target: st, subresource: blob, dns_zones: [rg-hub/privatelink.blob.core.windows.net]}}
private_dns_zones:
  - name: rg-hub/privatelink.blob.core.windows.net
    zone: privatelink.blob.core.windows.net
    links: [hub]
  - name: rg-spoke/privatelink.blob.core.windows.net
    zone: Privatelink.Blob.Core.Windows.Net.
    links: [spoke]
"
    ))
    .unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(s.zones.len(), 2);
    assert!(s.zones.iter().all(|z| z.name == "privatelink.blob.core.windows.net"), "the DNS name, normalised");
    assert_eq!(records_seen_by(&s, "hub"), vec![("st".to_string(), "10.0.1.10".to_string())]);
    assert_eq!(records_seen_by(&s, "spoke"), vec![], "the spoke's zone is not in the zone group");
}

#[test]
fn without_zone_the_name_is_the_dns_name_and_stays_unique() {
    let e = errors(&format!(
        "{NETWORK}
private_dns_zones:
  - name: privatelink.blob.core.windows.net
  - name: PRIVATELINK.blob.core.windows.net
"
    ));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].starts_with("14:11: duplicate private DNS zone name `privatelink.blob.core.windows.net`"), "{e:#?}");
}

#[test]
fn one_vnet_linked_to_two_zones_of_one_dns_name_is_refused_at_the_second_link() {
    // D-9: Azure refuses the second link; the old check only caught one zone linked twice.
    let e = errors(&format!(
        "{NETWORK}
private_dns_zones:
  - name: rg-a/privatelink.blob.core.windows.net
    zone: privatelink.blob.core.windows.net
    links: [hub]
  - name: rg-b/privatelink.blob.core.windows.net
    zone: privatelink.blob.core.windows.net
    links: [spoke, hub]
"
    ));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].starts_with(
            "18:20: VNet `hub` is linked to zone `rg-a/privatelink.blob.core.windows.net` already, also named `privatelink.blob.core.windows.net`"
        ),
        "{e:#?}"
    );
    assert!(e[0].ends_with("(D-9)"), "{e:#?}");
}

#[test]
fn an_endpoint_without_dns_zones_cannot_pick_between_two_zones_of_its_name() {
    let e = errors(&format!(
        "{NETWORK}
private_endpoints:
  - {{name: pe-st, subnet: hub/pe, target: st, subresource: blob}}
private_dns_zones:
  - {{name: a/privatelink.blob.core.windows.net, zone: privatelink.blob.core.windows.net, links: [hub]}}
  - {{name: b/privatelink.blob.core.windows.net, zone: privatelink.blob.core.windows.net, links: [spoke]}}
"
    ));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].starts_with("13:12: private endpoint `pe-st` registers `st.privatelink.blob.core.windows.net`"),
        "{e:#?}"
    );
}

#[test]
fn dns_zones_names_declared_zones_and_the_object_name_is_checked() {
    let e = errors(&format!(
        "{NETWORK}
private_endpoints:
  - {{name: pe-st, subnet: hub/pe, target: st, subresource: blob, dns_zones: [rg-hub/privatelink.blob]}}
private_dns_zones:
  - {{name: rg-hub/privatelink.blob.core.windows.net, zone: privatelink.blob.core.windows.net}}
  - {{name: rg x/privatelink.file.core.windows.net, zone: privatelink.file.core.windows.net}}
"
    ));
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[0].starts_with("13:78: unknown private DNS zone `rg-hub/privatelink.blob`"), "{e:#?}");
    assert!(
        e[1].starts_with("16:12: invalid private DNS zone name `rg x/privatelink.file.core.windows.net`"),
        "{e:#?}"
    );
}
