//! `generate_arm_export`: the landing zone as the GET bodies Azure returns, one JSON array:
//! every resource typed and named as its id says, provisioned, with Azure's read-only parts (an
//! NSG's six default rules), and every reference to a resource of the subscription resolving to
//! one the export holds (but the private endpoints' NICs, which Azure manages).

use serde_json::Value;
use std::collections::BTreeSet;
use vnetsim_gen::{Options, generate_arm_export};

fn export(spokes: usize, seed: u64) -> Vec<Value> {
    let text = generate_arm_export(&Options { spokes, seed });
    match serde_json::from_str(&text) {
        Ok(Value::Array(items)) => items,
        other => panic!("not a JSON array: {other:?}"),
    }
}

/// Every id of the export: the resources' and those of the children Azure embeds.
fn ids(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(m) => {
            if let (Some(Value::String(id)), Some(_)) = (m.get("id"), m.get("name")) {
                out.insert(id.to_ascii_lowercase());
            }
            m.values().for_each(|v| ids(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| ids(v, out)),
        _ => {}
    }
}

/// Every `{"id": …}` reference and id-valued string (`privateLinkServiceId`, ip groups) in
/// `properties`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            if m.len() == 1
                && let Some(Value::String(id)) = m.get("id")
            {
                out.push(id.clone());
            }
            m.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        Value::String(s) if s.starts_with("/subscriptions/") => out.push(s.clone()),
        _ => {}
    }
}

#[test]
fn every_resource_is_a_get_body_and_every_reference_resolves() {
    let resources = export(3, 11);
    let mut declared = BTreeSet::new();
    for r in &resources {
        let id = r["id"].as_str().expect("an id");
        let rtype = r["type"].as_str().expect("a type");
        let name = r["name"].as_str().expect("a name");
        // The id names the type and the name (`…/providers/Microsoft.Network/virtualNetworks/hub`,
        // children `…/hub/subnets/x` with name `hub/x`).
        let (provider, segments) = rtype.split_once('/').expect("a provider");
        let mut path = format!("/providers/{provider}");
        for (segment, part) in segments.split('/').zip(name.split('/')) {
            path.push_str(&format!("/{segment}/{part}"));
        }
        assert!(id.ends_with(&path), "{id} is not a {rtype} named {name}");
        assert_eq!(r["properties"]["provisioningState"], "Succeeded", "{id}");
        assert!(r["etag"].as_str().is_some_and(|e| e.starts_with("W/")), "{id}");
        assert!(declared.insert(id.to_ascii_lowercase()), "{id} is exported twice");
    }
    let mut known = BTreeSet::new();
    resources.iter().for_each(|r| ids(r, &mut known));
    let mut refs = Vec::new();
    resources.iter().for_each(|r| references(&r["properties"], &mut refs));
    assert!(refs.len() > 200, "{} references", refs.len());
    // Catches a reference built with another resource group or name than the resource's.
    for id in refs.iter().filter(|id| !id.contains(".nic.")) {
        assert!(known.contains(&id.to_ascii_lowercase()), "{id} is referenced but not exported");
    }
    // N-5: Azure returns an NSG's default rules beside its own.
    let nsgs: Vec<&Value> =
        resources.iter().filter(|r| r["type"] == "Microsoft.Network/networkSecurityGroups").collect();
    assert_eq!(nsgs.len(), 2 + 2 * 3);
    for nsg in nsgs {
        let defaults = nsg["properties"]["defaultSecurityRules"].as_array().expect("default rules");
        let names: Vec<&str> = defaults.iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(
            names,
            [
                "AllowVnetInBound",
                "AllowAzureLoadBalancerInBound",
                "DenyAllInBound",
                "AllowVnetOutBound",
                "AllowInternetOutBound",
                "DenyAllOutBound"
            ]
        );
    }
}

#[test]
fn allocated_addresses_are_recorded_and_the_bytes_repeat() {
    let a = generate_arm_export(&Options { spokes: 2, seed: 5 });
    assert_eq!(a, generate_arm_export(&Options { spokes: 2, seed: 5 }));
    let resources = export(2, 5);
    // P-4: a private endpoint records the address Azure gave it; the pe subnet holds only
    // private endpoints, so they take its first usable addresses in order (catches an
    // endpoint written without its address, which the importer would allocate again).
    let pes: Vec<&Value> = resources.iter().filter(|r| r["type"] == "Microsoft.Network/privateEndpoints").collect();
    assert_eq!(pes.len(), 12);
    let first: Vec<&str> = pes
        .iter()
        .take(6)
        .map(|pe| pe["properties"]["customDnsConfigs"][0]["ipAddresses"][0].as_str().expect("an address"))
        .collect();
    assert_eq!(first, ["10.1.0.132", "10.1.0.133", "10.1.0.134", "10.1.0.135", "10.1.0.136", "10.1.0.137"]);
    // The firewall's private address is in its first IP configuration.
    let fw = resources.iter().find(|r| r["type"] == "Microsoft.Network/azureFirewalls").expect("a firewall");
    assert_eq!(fw["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"], "10.0.1.4");
}
