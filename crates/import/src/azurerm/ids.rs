//! Azure resource ids: made from names the way Azure makes them, and read back into names.
//!
//! Terraform configurations link resources by id (`subnet_id = azurerm_subnet.x.id`, or an
//! id built by interpolation). vnetsim gives every resource the id Azure would, so both forms
//! meet, and reads an id back into the names the scenario uses.

use crate::value::Value;

/// The subscription of every id vnetsim makes (an import has no subscription).
pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// For an azurerm resource type: its ARM provider type and, for a child resource, the argument
/// naming its parent and the child segment (`azurerm_subnet`: parent `virtual_network_name`,
/// segment `subnets`).
struct Kind {
    rtype: &'static str,
    provider: &'static str,
    parent: Option<(&'static str, &'static str)>,
}

const KINDS: &[Kind] = &[
    Kind { rtype: "azurerm_resource_group", provider: "", parent: None },
    Kind { rtype: "azurerm_virtual_network", provider: "Microsoft.Network/virtualNetworks", parent: None },
    Kind {
        rtype: "azurerm_subnet",
        provider: "Microsoft.Network/virtualNetworks",
        parent: Some(("virtual_network_name", "subnets")),
    },
    Kind {
        rtype: "azurerm_virtual_network_peering",
        provider: "Microsoft.Network/virtualNetworks",
        parent: Some(("virtual_network_name", "virtualNetworkPeerings")),
    },
    Kind { rtype: "azurerm_network_security_group", provider: "Microsoft.Network/networkSecurityGroups", parent: None },
    Kind {
        rtype: "azurerm_network_security_rule",
        provider: "Microsoft.Network/networkSecurityGroups",
        parent: Some(("network_security_group_name", "securityRules")),
    },
    Kind {
        rtype: "azurerm_application_security_group",
        provider: "Microsoft.Network/applicationSecurityGroups",
        parent: None,
    },
    Kind { rtype: "azurerm_route_table", provider: "Microsoft.Network/routeTables", parent: None },
    Kind {
        rtype: "azurerm_route",
        provider: "Microsoft.Network/routeTables",
        parent: Some(("route_table_name", "routes")),
    },
    Kind { rtype: "azurerm_network_interface", provider: "Microsoft.Network/networkInterfaces", parent: None },
    Kind { rtype: "azurerm_public_ip", provider: "Microsoft.Network/publicIPAddresses", parent: None },
    Kind { rtype: "azurerm_public_ip_prefix", provider: "Microsoft.Network/publicIPPrefixes", parent: None },
    Kind { rtype: "azurerm_nat_gateway", provider: "Microsoft.Network/natGateways", parent: None },
    Kind { rtype: "azurerm_firewall", provider: "Microsoft.Network/azureFirewalls", parent: None },
    Kind { rtype: "azurerm_firewall_policy", provider: "Microsoft.Network/firewallPolicies", parent: None },
    Kind { rtype: "azurerm_ip_group", provider: "Microsoft.Network/ipGroups", parent: None },
    Kind { rtype: "azurerm_private_endpoint", provider: "Microsoft.Network/privateEndpoints", parent: None },
    Kind { rtype: "azurerm_private_dns_zone", provider: "Microsoft.Network/privateDnsZones", parent: None },
    Kind {
        rtype: "azurerm_private_dns_zone_virtual_network_link",
        provider: "Microsoft.Network/privateDnsZones",
        parent: Some(("private_dns_zone_name", "virtualNetworkLinks")),
    },
    Kind {
        rtype: "azurerm_private_dns_a_record",
        provider: "Microsoft.Network/privateDnsZones",
        parent: Some(("zone_name", "A")),
    },
    Kind { rtype: "azurerm_private_dns_resolver", provider: "Microsoft.Network/dnsResolvers", parent: None },
    Kind {
        rtype: "azurerm_private_dns_resolver_dns_forwarding_ruleset",
        provider: "Microsoft.Network/dnsForwardingRulesets",
        parent: None,
    },
    Kind { rtype: "azurerm_bastion_host", provider: "Microsoft.Network/bastionHosts", parent: None },
    Kind {
        rtype: "azurerm_virtual_network_gateway",
        provider: "Microsoft.Network/virtualNetworkGateways",
        parent: None,
    },
    Kind { rtype: "azurerm_local_network_gateway", provider: "Microsoft.Network/localNetworkGateways", parent: None },
    Kind {
        rtype: "azurerm_virtual_network_gateway_connection",
        provider: "Microsoft.Network/connections",
        parent: None,
    },
    Kind {
        rtype: "azurerm_subnet_service_endpoint_storage_policy",
        provider: "Microsoft.Network/serviceEndpointPolicies",
        parent: None,
    },
    Kind { rtype: "azurerm_linux_virtual_machine", provider: "Microsoft.Compute/virtualMachines", parent: None },
    Kind { rtype: "azurerm_windows_virtual_machine", provider: "Microsoft.Compute/virtualMachines", parent: None },
    Kind { rtype: "azurerm_virtual_machine", provider: "Microsoft.Compute/virtualMachines", parent: None },
    Kind {
        rtype: "azurerm_linux_virtual_machine_scale_set",
        provider: "Microsoft.Compute/virtualMachineScaleSets",
        parent: None,
    },
    Kind {
        rtype: "azurerm_windows_virtual_machine_scale_set",
        provider: "Microsoft.Compute/virtualMachineScaleSets",
        parent: None,
    },
    Kind { rtype: "azurerm_storage_account", provider: "Microsoft.Storage/storageAccounts", parent: None },
    Kind { rtype: "azurerm_key_vault", provider: "Microsoft.KeyVault/vaults", parent: None },
    Kind { rtype: "azurerm_container_registry", provider: "Microsoft.ContainerRegistry/registries", parent: None },
    Kind { rtype: "azurerm_application_insights", provider: "Microsoft.Insights/components", parent: None },
    Kind {
        rtype: "azurerm_log_analytics_workspace",
        provider: "Microsoft.OperationalInsights/workspaces",
        parent: None,
    },
    Kind {
        rtype: "azurerm_machine_learning_workspace",
        provider: "Microsoft.MachineLearningServices/workspaces",
        parent: None,
    },
    Kind {
        rtype: "azurerm_machine_learning_compute_cluster",
        provider: "Microsoft.MachineLearningServices/workspaces",
        parent: Some(("machine_learning_workspace_name", "computes")),
    },
    Kind {
        rtype: "azurerm_machine_learning_compute_instance",
        provider: "Microsoft.MachineLearningServices/workspaces",
        parent: Some(("machine_learning_workspace_name", "computes")),
    },
    Kind { rtype: "azurerm_kubernetes_cluster", provider: "Microsoft.ContainerService/managedClusters", parent: None },
    Kind {
        rtype: "azurerm_user_assigned_identity",
        provider: "Microsoft.ManagedIdentity/userAssignedIdentities",
        parent: None,
    },
];

/// The id Azure gives a resource of `rtype` with these arguments, when its type is known and
/// its names are. Types not in the table get a generic id under the resource group.
pub fn resource_id(rtype: &str, attrs: &Value) -> Option<String> {
    let name = attrs.get("name")?.as_str()?;
    if rtype == "azurerm_resource_group" {
        return Some(format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}"));
    }
    let rg = attrs.get("resource_group_name").and_then(Value::as_str).unwrap_or("unknown-rg");
    let base = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers");
    let Some(kind) = KINDS.iter().find(|k| k.rtype == rtype) else {
        let provider = rtype.strip_prefix("azurerm_").unwrap_or(rtype);
        return Some(format!("{base}/terraform/{provider}/{name}"));
    };
    Some(match kind.parent {
        Some((parent_arg, segment)) => {
            let parent = attrs.get(parent_arg).and_then(Value::as_str)?;
            format!("{base}/{}/{parent}/{segment}/{name}", kind.provider)
        }
        None => format!("{base}/{}/{name}", kind.provider),
    })
}

/// Whether a `data` source of this type reads a network object that must be found among the
/// imports (a subnet, a VNet, a zone) rather than one whose values never decide traffic.
pub fn is_network_kind(rtype: &str) -> bool {
    KINDS
        .iter()
        .any(|k| k.rtype == rtype && !k.provider.is_empty() && !k.provider.starts_with("Microsoft.ManagedIdentity"))
        && !matches!(rtype, "azurerm_log_analytics_workspace" | "azurerm_application_insights")
}

/// An id read back: the resource group and the (type, name) segments after `providers/`,
/// e.g. `[("Microsoft.Network/virtualNetworks", "hub"), ("subnets", "training")]`.
#[derive(Debug, PartialEq, Eq)]
pub struct ParsedId<'a> {
    pub resource_group: &'a str,
    pub segments: Vec<(&'a str, &'a str)>,
}

/// Reads an ARM id (case-insensitive keywords, as Azure treats them).
pub fn parse(id: &str) -> Option<ParsedId<'_>> {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    let rg_at = parts.iter().position(|p| p.eq_ignore_ascii_case("resourceGroups"))?;
    let resource_group = parts.get(rg_at + 1)?;
    let mut segments = Vec::new();
    let Some(prov_at) = parts.iter().position(|p| p.eq_ignore_ascii_case("providers")) else {
        return Some(ParsedId { resource_group, segments });
    };
    let rest = &parts[prov_at + 1..];
    // The first segment is `Namespace/type`, the children are `type`.
    if rest.len() < 3 {
        return None;
    }
    // `Namespace/type` as one slice of `id`: its parts are slices of `id`, so their offsets are
    // where they are (a resource group named like the namespace must not be found instead).
    let start = rest[0].as_ptr() as usize - id.as_ptr() as usize;
    let end = rest[1].as_ptr() as usize - id.as_ptr() as usize + rest[1].len();
    segments.push((&id[start..end], rest[2]));
    let mut i = 3;
    while i + 1 < rest.len() {
        segments.push((rest[i], rest[i + 1]));
        i += 2;
    }
    Some(ParsedId { resource_group, segments })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn attrs(pairs: &[(&str, &str)]) -> Value {
        Value::map(pairs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect::<BTreeMap<_, _>>())
    }

    #[test]
    fn a_subnet_id_is_its_vnet_id_and_name_and_reads_back() {
        let id = resource_id(
            "azurerm_subnet",
            &attrs(&[("name", "training"), ("resource_group_name", "rg"), ("virtual_network_name", "hub")]),
        )
        .expect("id");
        let vnet =
            resource_id("azurerm_virtual_network", &attrs(&[("name", "hub"), ("resource_group_name", "rg")])).unwrap();
        assert_eq!(id, format!("{vnet}/subnets/training"));
        let parsed = parse(&id).expect("parses");
        assert_eq!(parsed.resource_group, "rg");
        assert_eq!(parsed.segments, vec![("Microsoft.Network/virtualNetworks", "hub"), ("subnets", "training")]);
    }

    #[test]
    fn keywords_are_case_insensitive_and_garbage_is_none() {
        let parsed = parse("/SUBSCRIPTIONS/x/RESOURCEGROUPS/Rg/PROVIDERS/Microsoft.Network/natGateways/n").unwrap();
        assert_eq!(parsed.resource_group, "Rg");
        assert_eq!(parsed.segments, vec![("Microsoft.Network/natGateways", "n")]);
        assert_eq!(parse("not an id"), None);
        // A resource group named like the namespace: the type is still the one after `providers`.
        let odd = parse("/subscriptions/x/resourceGroups/Microsoft.Network/providers/Microsoft.Network/natGateways/n")
            .unwrap();
        assert_eq!(odd.segments, vec![("Microsoft.Network/natGateways", "n")]);
        assert_eq!(parse("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network"), None);
    }
}
