//! Microsoft.Network's VNets, subnets, peerings, NSGs, ASGs, route tables, NICs, public IPs, NAT
//! gateways, bastions, VPN gateways and service endpoint policies, as azurerm resources.

use super::merge::Res;
use super::read::{self, at, get, seq, text};
use super::{Attrs, Cx};
use crate::value::Value;

pub(super) fn vnet(cx: &mut Cx, v: &Res) {
    let mut a = Attrs::new();
    a.opt("address_space", v.get("addressSpace.addressPrefixes").cloned());
    a.opt("dns_servers", v.get("dhcpOptions.dnsServers").cloned());
    // Subnets declared only inline are the VNet's `subnet` blocks; one also declared as a
    // resource of its own (merged with the inline one) is an `azurerm_subnet`.
    let inline: Vec<&Res> = cx.children(v, "subnets").into_iter().filter(|s| s.inline).collect();
    let blocks = inline
        .into_iter()
        .map(|s| {
            cx.made(s);
            let mut b = subnet_attrs(cx, s);
            b.set("name", Value::string(s.leaf_name()));
            b
        })
        .collect();
    a.blocks("subnet", blocks);
    cx.push(v, "azurerm_virtual_network", a);
}

/// A subnet: an `azurerm_subnet` unless its VNet holds it as a block; its NAT gateway by an
/// association either way (an inline azurerm subnet has no NAT gateway argument).
pub(super) fn subnet(cx: &mut Cx, s: &Res) {
    if !cx.parent_present(s) {
        return;
    }
    if !s.inline {
        let mut a = subnet_attrs(cx, s);
        a.set("virtual_network_name", Value::string(s.parent_name()));
        cx.push(s, "azurerm_subnet", a);
    }
    if let Some(nat) = read::id(&s.props, "natGateway")
        && let Some(nat) = cx.reference(s, &nat)
    {
        nat_association(cx, s, s, nat);
    }
}

fn nat_association(cx: &mut Cx, of: &Res, subnet: &Res, nat: String) {
    let mut a = Attrs::new();
    a.set("subnet_id", Value::string(subnet.id.as_str())).set("nat_gateway_id", Value::string(nat));
    let part =
        if std::ptr::eq(of, subnet) { "natGateway".to_string() } else { format!("subnets/{}", subnet.leaf_name()) };
    cx.push_part(of, &part, "azurerm_subnet_nat_gateway_association", a);
}

fn subnet_attrs(cx: &mut Cx, s: &Res) -> Attrs {
    let mut a = Attrs::new();
    let prefixes = match s.get("addressPrefixes") {
        Some(list) => Some(list.clone()),
        None => s.get("addressPrefix").map(|one| Value::list(vec![one.clone()])),
    };
    a.opt("address_prefixes", prefixes);
    for (key, arg) in [("networkSecurityGroup", "security_group"), ("routeTable", "route_table_id")] {
        if let Some(id) = read::id(&s.props, key) {
            a.opt(arg, cx.reference(s, &id).map(Value::string));
        }
    }
    let services: Vec<String> = seq(&s.props, "serviceEndpoints").iter().filter_map(|e| text(e, "service")).collect();
    a.strs_opt("service_endpoints", services);
    let (policies, _) = cx.references(s, read::ids(&s.props, "serviceEndpointPolicies"));
    a.strs_opt("service_endpoint_policy_ids", policies);
    a.opt("private_endpoint_network_policies", s.get("privateEndpointNetworkPolicies").cloned());
    a.opt("default_outbound_access_enabled", s.get("defaultOutboundAccess").cloned());
    a
}

pub(super) fn peering(cx: &mut Cx, p: &Res) {
    if !cx.parent_present(p) {
        return;
    }
    // A peering to a VNet the input does not hold connects to nothing the scenario has.
    let Ok(remote) = cx.needed(p, read::id(&p.props, "remoteVirtualNetwork")) else { return };
    let mut a = Attrs::new();
    a.set("virtual_network_name", Value::string(p.parent_name()));
    a.opt("remote_virtual_network_id", remote.map(Value::string));
    for (key, arg) in [
        ("allowVirtualNetworkAccess", "allow_virtual_network_access"),
        ("allowForwardedTraffic", "allow_forwarded_traffic"),
        ("allowGatewayTransit", "allow_gateway_transit"),
        ("useRemoteGateways", "use_remote_gateways"),
    ] {
        a.opt(arg, p.get(key).cloned());
    }
    cx.push(p, "azurerm_virtual_network_peering", a);
}

pub(super) fn nsg(cx: &mut Cx, n: &Res) {
    let inline: Vec<&Res> = cx.children(n, "securityRules").into_iter().filter(|r| r.inline).collect();
    let rules = inline.into_iter().filter_map(|r| rule_attrs(cx, r)).collect();
    let mut a = Attrs::new();
    a.blocks("security_rule", rules);
    cx.push(n, "azurerm_network_security_group", a);
}

pub(super) fn security_rule(cx: &mut Cx, r: &Res) {
    if r.inline || !cx.parent_present(r) {
        return;
    }
    if let Some(mut a) = rule_attrs(cx, r) {
        a.set("network_security_group_name", Value::string(r.parent_name()));
        cx.push(r, "azurerm_network_security_rule", a);
    }
}

/// A security rule in azurerm's names. A side that names only application security groups the
/// input does not hold matches nothing: the rule is left out (without them it would match any
/// address).
fn rule_attrs(cx: &mut Cx, r: &Res) -> Option<Attrs> {
    let mut a = Attrs::new();
    a.set("name", Value::string(r.leaf_name()));
    for (key, arg) in
        [("priority", "priority"), ("direction", "direction"), ("access", "access"), ("protocol", "protocol")]
    {
        a.opt(arg, r.get(key).cloned());
    }
    for side in ["source", "destination"] {
        for (key, arg) in [
            ("AddressPrefix", "address_prefix"),
            ("AddressPrefixes", "address_prefixes"),
            ("PortRange", "port_range"),
            ("PortRanges", "port_ranges"),
        ] {
            a.opt(&format!("{side}_{arg}"), r.get(&format!("{side}{key}")).cloned());
        }
        let asgs = read::ids(&r.props, &format!("{side}ApplicationSecurityGroups"));
        let (kept, dropped) = cx.references(r, asgs);
        let prefixes = read::texts(&r.props, &format!("{side}AddressPrefix")).len()
            + read::texts(&r.props, &format!("{side}AddressPrefixes")).len();
        if dropped && kept.is_empty() && prefixes == 0 {
            return None;
        }
        a.strs_opt(&format!("{side}_application_security_group_ids"), kept);
    }
    Some(a)
}

pub(super) fn asg(cx: &mut Cx, g: &Res) {
    cx.push(g, "azurerm_application_security_group", Attrs::new());
}

pub(super) fn route_table(cx: &mut Cx, t: &Res) {
    let mut a = Attrs::new();
    a.opt("disable_bgp_route_propagation", t.get("disableBgpRoutePropagation").cloned());
    let routes = cx.children(t, "routes").into_iter().filter(|r| r.inline).map(route_attrs).collect();
    a.blocks("route", routes);
    cx.push(t, "azurerm_route_table", a);
}

pub(super) fn route(cx: &mut Cx, r: &Res) {
    if r.inline || !cx.parent_present(r) {
        return;
    }
    let mut a = route_attrs(r);
    a.set("route_table_name", Value::string(r.parent_name()));
    cx.push(r, "azurerm_route", a);
}

fn route_attrs(r: &Res) -> Attrs {
    let mut a = Attrs::new();
    a.set("name", Value::string(r.leaf_name()));
    for (key, arg) in [
        ("addressPrefix", "address_prefix"),
        ("nextHopType", "next_hop_type"),
        ("nextHopIpAddress", "next_hop_in_ip_address"),
    ] {
        a.opt(arg, r.get(key).cloned());
    }
    a
}

/// The properties of an item of a list like `ipConfigurations`: its `properties`, or itself.
pub(super) fn item_props(item: &Value) -> &Value {
    get(item, "properties").unwrap_or(item)
}

/// A NIC, and associations for its NSG and application security groups. An IP configuration in
/// a subnet the input does not hold is left out; without its primary one the NIC is.
pub(super) fn nic(cx: &mut Cx, n: &Res) {
    // An export records the address Azure allocated; a template's `Dynamic` configuration with
    // an address only suggests one, which Azure does not keep.
    let exported = n.get("provisioningState").is_some();
    let mut configs = Vec::new();
    for (i, item) in seq(&n.props, "ipConfigurations").iter().enumerate() {
        let c = item_props(item);
        let primary = at(c, "primary").and_then(Value::as_bool) == Some(true);
        let Ok(subnet) = cx.needed(n, read::id(c, "subnet")) else {
            if primary || i == 0 {
                return;
            }
            continue;
        };
        let mut b = Attrs::new();
        b.opt("name", get(item, "name").cloned());
        b.opt("subnet_id", subnet.map(Value::string));
        let method = text(c, "privateIPAllocationMethod").unwrap_or_else(|| "Dynamic".into());
        if method.eq_ignore_ascii_case("Static") || exported {
            b.opt("private_ip_address", at(c, "privateIPAddress").cloned());
        }
        b.set("private_ip_address_allocation", Value::string(method));
        b.opt("primary", at(c, "primary").cloned());
        if let Some(pip) = read::id(c, "publicIPAddress") {
            b.opt("public_ip_address_id", cx.reference(n, &pip).map(Value::string));
        }
        configs.push(b);
    }
    let mut a = Attrs::new();
    a.blocks("ip_configuration", configs);
    a.opt("ip_forwarding_enabled", n.get("enableIPForwarding").cloned());
    cx.push(n, "azurerm_network_interface", a);
    if let Some(nsg) = read::id(&n.props, "networkSecurityGroup").and_then(|id| cx.reference(n, &id)) {
        let mut a = Attrs::new();
        a.set("network_interface_id", Value::string(n.id.as_str()))
            .set("network_security_group_id", Value::string(nsg));
        cx.push_part(n, "networkSecurityGroup", "azurerm_network_interface_security_group_association", a);
    }
    let mut asgs: Vec<String> = Vec::new();
    for item in seq(&n.props, "ipConfigurations") {
        for id in read::ids(item_props(item), "applicationSecurityGroups") {
            if !asgs.iter().any(|a| a.eq_ignore_ascii_case(&id)) {
                asgs.push(id);
            }
        }
    }
    for asg in cx.references(n, asgs).0 {
        let mut a = Attrs::new();
        let name = asg.rsplit('/').next().unwrap_or_default().to_string();
        a.set("network_interface_id", Value::string(n.id.as_str()))
            .set("application_security_group_id", Value::string(asg));
        let rtype = "azurerm_network_interface_application_security_group_association";
        cx.push_part(n, &format!("applicationSecurityGroups/{name}"), rtype, a);
    }
}

pub(super) fn public_ip(cx: &mut Cx, p: &Res) {
    let mut a = Attrs::new();
    // Only an address Azure gave (an export's) is known; otherwise the mapping allocates one.
    a.opt("ip_address", p.get("ipAddress").filter(|v| v.as_str().is_some()).cloned());
    a.opt("allocation_method", p.get("publicIPAllocationMethod").cloned());
    a.opt("sku", read::at(&p.extra, "sku.name").cloned());
    cx.push(p, "azurerm_public_ip", a);
}

/// A NAT gateway with its public IPs; its public IP prefixes as associations (listed as not
/// modelled by the mapping); the subnets an export lists on it (which the subnets' own
/// `natGateway` usually says too) as subnet associations.
pub(super) fn nat_gateway(cx: &mut Cx, g: &Res) {
    let mut a = Attrs::new();
    let (ips, _) = cx.references(g, read::ids(&g.props, "publicIpAddresses"));
    if ips.is_empty() {
        // O-2: a NAT gateway gives its subnets the addresses of its public IPs; one with only
        // prefixes (or none in the input) has none the scenario can hold.
        cx.not_modelled(g);
        return;
    }
    a.strs("public_ip_address_ids", ips);
    cx.push(g, "azurerm_nat_gateway", a);
    for (i, prefix) in read::ids(&g.props, "publicIpPrefixes").into_iter().enumerate() {
        cx.reference(g, &prefix);
        let mut a = Attrs::new();
        a.set("nat_gateway_id", Value::string(g.id.as_str())).set("public_ip_prefix_id", Value::string(prefix));
        cx.push_part(g, &format!("publicIpPrefixes/{i}"), "azurerm_nat_gateway_public_ip_prefix_association", a);
    }
    for id in read::ids(&g.props, "subnets") {
        let Some(subnet) = cx.reference(g, &id).and_then(|id| cx.index.get(&id)) else { continue };
        let own = read::id(&subnet.props, "natGateway");
        if own.is_some_and(|own| own.eq_ignore_ascii_case(&g.id)) {
            continue; // the subnet's own association
        }
        nat_association(cx, g, subnet, g.id.clone());
    }
}

/// The first IP configuration's subnet (`Err` when missing from the input, and listed) and
/// public IP, as blocks.
fn gateway_config(cx: &mut Cx, r: &Res) -> Result<Vec<Attrs>, ()> {
    let Some(item) = seq(&r.props, "ipConfigurations").first() else { return Ok(Vec::new()) };
    let c = item_props(item);
    let subnet = cx.needed(r, read::id(c, "subnet"))?;
    let mut b = Attrs::new();
    b.opt("name", get(item, "name").cloned());
    b.opt("subnet_id", subnet.map(Value::string));
    if let Some(pip) = read::id(c, "publicIPAddress") {
        b.opt("public_ip_address_id", cx.reference(r, &pip).map(Value::string));
    }
    Ok(vec![b])
}

/// Azure Bastion in its subnet. The Developer SKU has no IP configuration: it runs in Azure's
/// shared network, outside the VNet, and is listed as not modelled.
pub(super) fn bastion(cx: &mut Cx, b: &Res) {
    if seq(&b.props, "ipConfigurations").is_empty() {
        cx.not_modelled(b);
        return;
    }
    let Ok(config) = gateway_config(cx, b) else { return };
    let mut a = Attrs::new();
    a.blocks("ip_configuration", config);
    cx.push(b, "azurerm_bastion_host", a);
}

pub(super) fn vnet_gateway(cx: &mut Cx, g: &Res) {
    let Ok(config) = gateway_config(cx, g) else { return };
    let mut a = Attrs::new();
    a.opt("type", g.get("gatewayType").cloned());
    a.opt("vpn_type", g.get("vpnType").cloned());
    a.blocks("ip_configuration", config);
    cx.push(g, "azurerm_virtual_network_gateway", a);
}

pub(super) fn local_gateway(cx: &mut Cx, g: &Res) {
    let mut a = Attrs::new();
    a.opt("address_space", g.get("localNetworkAddressSpace.addressPrefixes").cloned());
    a.opt("gateway_address", g.get("gatewayIpAddress").cloned());
    cx.push(g, "azurerm_local_network_gateway", a);
}

/// A gateway connection. An IPsec one needs both its gateways; the others are listed as not
/// modelled by the mapping whatever they connect.
pub(super) fn connection(cx: &mut Cx, c: &Res) {
    let mut a = Attrs::new();
    let kind = c.get("connectionType").cloned();
    let ipsec = kind.as_ref().and_then(Value::as_str).is_some_and(|k| k.eq_ignore_ascii_case("IPsec"));
    a.opt("type", kind);
    for (key, arg) in
        [("virtualNetworkGateway1", "virtual_network_gateway_id"), ("localNetworkGateway2", "local_network_gateway_id")]
    {
        if let Some(id) = read::id(&c.props, key) {
            let present = cx.reference(c, &id);
            if ipsec && present.is_none() {
                return;
            }
            a.opt(arg, present.map(Value::string));
        }
    }
    cx.push(c, "azurerm_virtual_network_gateway_connection", a);
}

/// A service endpoint policy with its definitions (inline or separate).
pub(super) fn endpoint_policy(cx: &mut Cx, p: &Res) {
    let definitions = (cx.children(p, "serviceEndpointPolicyDefinitions").into_iter())
        .map(|d| {
            let mut b = Attrs::new();
            b.set("name", Value::string(d.leaf_name()));
            b.opt("service", d.get("service").cloned());
            b.opt("service_resources", d.get("serviceResources").cloned());
            b
        })
        .collect();
    let mut a = Attrs::new();
    a.blocks("definition", definitions);
    cx.push(p, "azurerm_subnet_service_endpoint_storage_policy", a);
}
