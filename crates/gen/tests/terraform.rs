//! `generate_terraform`: the landing zone as an azurerm configuration that parses as HCL,
//! declares what it references, and holds the network the YAML holds.

use hcl_edit::structure::{Block, Body};
use std::collections::BTreeSet;
use vnetsim_gen::{Options, generate, generate_terraform};

fn parse(text: &str) -> Body {
    hcl_edit::parser::parse_body(text).unwrap_or_else(|e| panic!("not HCL: {e}"))
}

/// Every `resource` block as (type, label).
fn resources(body: &Body) -> Vec<(String, String)> {
    body.get_blocks("resource").map(|b| (b.labels[0].as_str().to_string(), b.labels[1].as_str().to_string())).collect()
}

fn resource<'a>(body: &'a Body, rtype: &str, label: &str) -> &'a Block {
    body.get_blocks("resource")
        .find(|b| b.labels[0].as_str() == rtype && b.labels[1].as_str() == label)
        .unwrap_or_else(|| panic!("no resource {rtype}.{label}"))
}

fn string_attr<'a>(block: &'a Body, key: &str) -> &'a str {
    block.get_attribute(key).and_then(|a| a.value.as_str()).unwrap_or_else(|| panic!("no string `{key}`"))
}

/// The resources the text references (`azurerm_x.label` outside quotes' headers).
fn references(text: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices("azurerm_") {
        if at > 0 && (bytes[at - 1] == b'"' || bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let rest = &text[at..];
        let rtype_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let Some(after) = rest[rtype_len..].strip_prefix('.') else { continue };
        let label_len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(after.len());
        out.insert((rest[..rtype_len].to_string(), after[..label_len].to_string()));
    }
    out
}

/// The rule names of NSG `name` in the generated YAML.
fn yaml_rule_names(yaml: &str, name: &str) -> Vec<String> {
    let start = yaml.find(&format!("  - name: {name}\n")).expect("the NSG in the YAML");
    let body = &yaml[start..];
    let end = body[1..].find("\n  - name: ").map_or(body.len(), |i| i + 1);
    body[..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- {name: "))
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

#[test]
fn a_three_spoke_zone_parses_and_references_only_what_it_declares() {
    let options = Options { spokes: 3, seed: 11 };
    let text = generate_terraform(&options);
    let body = parse(&text);
    let declared = resources(&body);
    let unique: BTreeSet<_> = declared.iter().cloned().collect();
    assert_eq!(unique.len(), declared.len(), "a resource address is declared twice");
    // Catches a reference to a resource that was renamed or never written.
    for reference in references(&text) {
        assert!(unique.contains(&reference), "{}.{} is referenced but not declared", reference.0, reference.1);
    }
    let expected = [
        ("azurerm_virtual_network", "hub"),
        ("azurerm_virtual_network", "identity"),
        ("azurerm_subnet", "hub_AzureFirewallSubnet"),
        ("azurerm_subnet", "identity_dcs"),
        ("azurerm_subnet_network_security_group_association", "identity_dcs"),
        ("azurerm_subnet_route_table_association", "identity_dcs"),
        ("azurerm_virtual_network_peering", "hub_to_identity"),
        ("azurerm_virtual_network_peering", "identity_to_hub"),
        ("azurerm_network_security_group", "hub-dns-nsg"),
        ("azurerm_route_table", "identity-rt"),
        ("azurerm_firewall", "hub-fw"),
        ("azurerm_firewall_policy", "hub-policy"),
        ("azurerm_firewall_policy_rule_collection_group", "hub-policy_landing-zones-000"),
        ("azurerm_virtual_network_gateway", "hub-vpn"),
        ("azurerm_local_network_gateway", "corp"),
        ("azurerm_private_dns_resolver_inbound_endpoint", "dns-resolver-in"),
        ("azurerm_bastion_host", "hub-bastion"),
        ("azurerm_linux_virtual_machine", "dc-1"),
        ("azurerm_private_dns_zone", "privatelink_api_azureml_ms"),
        ("azurerm_private_dns_zone_virtual_network_link", "privatelink_api_azureml_ms_hub"),
        ("azurerm_virtual_network", "spoke"),
        ("azurerm_subnet", "training"),
        ("azurerm_subnet", "pe"),
        ("azurerm_network_security_group", "compute_nsg"),
        ("azurerm_subnet_route_table_association", "scoring"),
        ("azurerm_subnet_nat_gateway_association", "training"),
        ("azurerm_virtual_network_peering", "hub_to_spoke"),
        ("azurerm_subnet_service_endpoint_storage_policy", "spoke"),
        ("azurerm_machine_learning_workspace", "spoke"),
        ("azurerm_machine_learning_compute_cluster", "spoke"),
        ("azurerm_machine_learning_compute_instance", "spoke"),
        ("azurerm_private_endpoint", "ws"),
        ("azurerm_private_endpoint", "appi"),
    ];
    for (rtype, label) in expected {
        assert!(unique.contains(&(rtype.to_string(), label.to_string())), "no {rtype}.{label}");
    }
    // The spokes' resources iterate over the spokes; the shared ones do not.
    let spoke_vnet = resource(&body, "azurerm_virtual_network", "spoke");
    assert!(spoke_vnet.body.get_attribute("for_each").is_some());
    assert!(resource(&body, "azurerm_virtual_network", "hub").body.get_attribute("for_each").is_none());
}

#[test]
fn the_spokes_and_their_rules_are_the_yaml_ones() {
    let options = Options { spokes: 3, seed: 11 };
    let (text, yaml) = (generate_terraform(&options), generate(&options));
    let body = parse(&text);
    // One `local.spokes` entry per spoke, with the prefix the YAML gives its VNet.
    for k in 0..3 {
        let id = format!("s{k:04}");
        let entry = text.lines().find(|l| l.trim_start().starts_with(&format!("{id} = {{"))).expect("a spoke entry");
        let prefix = yaml
            .split(&format!("  - name: {id}\n    address_space: ["))
            .nth(1)
            .expect("the spoke VNet")
            .split(']')
            .next()
            .unwrap();
        assert!(entry.contains(&format!("prefix = \"{prefix}\"")), "{entry}");
    }
    // The compute NSG template has the YAML's rules but the partners', which a dynamic block
    // writes (catches a rule lost in translation or a partner rule written for every spoke).
    let nsg = resource(&body, "azurerm_network_security_group", "compute_nsg");
    let names: Vec<&str> = nsg.body.get_blocks("security_rule").map(|r| string_attr(&r.body, "name")).collect();
    let want: Vec<String> =
        yaml_rule_names(&yaml, "s0000-compute-nsg").into_iter().filter(|n| !n.starts_with("allow-partner-")).collect();
    assert_eq!(names, want);
    assert_eq!(nsg.body.get_blocks("dynamic").count(), 1);
    let shared = resource(&body, "azurerm_network_security_group", "identity-nsg");
    let names: Vec<&str> = shared.body.get_blocks("security_rule").map(|r| string_attr(&r.body, "name")).collect();
    assert_eq!(names, yaml_rule_names(&yaml, "identity-nsg"));
    // Every landing-zone rule collection of the YAML policy is in the Terraform one.
    let groups: Vec<&Block> = body
        .get_blocks("resource")
        .filter(|b| b.labels[0].as_str() == "azurerm_firewall_policy_rule_collection_group")
        .collect();
    let collections: BTreeSet<&str> = groups
        .iter()
        .flat_map(|g| g.body.blocks())
        .filter(|b| b.has_ident("network_rule_collection") || b.has_ident("application_rule_collection"))
        .map(|c| string_attr(&c.body, "name"))
        .collect();
    for k in 0..3 {
        assert!(
            collections.contains(format!("s{k:04}-net").as_str())
                && collections.contains(format!("s{k:04}-app").as_str())
        );
    }
    // The spokes' default route is the firewall's private IP, known after apply.
    let table = resource(&body, "azurerm_route_table", "spoke");
    let to_firewall = table.body.get_blocks("route").next().expect("a route");
    assert!(
        to_firewall
            .body
            .get_attribute("next_hop_in_ip_address")
            .unwrap()
            .value
            .to_string()
            .contains("azurerm_firewall.hub-fw")
    );
}

#[test]
fn the_same_options_give_the_same_bytes_and_any_size_parses() {
    let a = generate_terraform(&Options { spokes: 2, seed: 5 });
    assert_eq!(a, generate_terraform(&Options { spokes: 2, seed: 5 }));
    assert_ne!(a, generate_terraform(&Options { spokes: 2, seed: 6 }));
    for spokes in [0, 1, 101] {
        let text = generate_terraform(&Options { spokes, seed: 1 });
        let body = parse(&text);
        let groups =
            resources(&body).iter().filter(|(t, _)| t == "azurerm_firewall_policy_rule_collection_group").count();
        // The base policy's two groups, and one landing-zone group per 100 spokes.
        assert_eq!(groups, 2 + spokes.div_ceil(100), "{spokes} spokes");
    }
}
