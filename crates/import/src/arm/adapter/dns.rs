//! Private endpoints (with their DNS zone groups), private DNS zones (links, A records) and DNS
//! private resolvers, as azurerm resources.

use super::merge::Res;
use super::network::item_props;
use super::read::{self, at, get, seq};
use super::{Attrs, Cx};
use crate::value::Value;

/// A private endpoint. Without its subnet or its target in the input it is left out (listed):
/// an endpoint to nothing the scenario has carries no traffic it can trace.
pub(super) fn private_endpoint(cx: &mut Cx, pe: &Res) {
    let Ok(subnet) = cx.needed(pe, read::id(&pe.props, "subnet")) else { return };
    let auto = seq(&pe.props, "privateLinkServiceConnections").first();
    let (connection, manual) = match auto {
        Some(c) => (c, false),
        None => match seq(&pe.props, "manualPrivateLinkServiceConnections").first() {
            Some(c) => (c, true),
            None => {
                cx.not_modelled(pe);
                return;
            }
        },
    };
    let c = item_props(connection);
    let mut conn = Attrs::new();
    conn.opt("name", get(connection, "name").cloned());
    let Ok(target) = cx.needed(pe, read::text(c, "privateLinkServiceId")) else { return };
    conn.opt("private_connection_resource_id", target.map(Value::string));
    conn.opt("subresource_names", at(c, "groupIds").cloned());
    conn.set("is_manual_connection", Value::Bool(manual));
    let mut a = Attrs::new();
    a.opt("subnet_id", subnet.map(Value::string));
    a.blocks("private_service_connection", vec![conn]);
    // Static addresses; an export without them records the allocated ones as DNS configs.
    let mut ips: Vec<Value> = seq(&pe.props, "ipConfigurations")
        .iter()
        .filter_map(|i| at(item_props(i), "privateIPAddress").cloned())
        .collect();
    if ips.is_empty() {
        ips.extend(seq(&pe.props, "customDnsConfigs").iter().filter_map(|d| seq(d, "ipAddresses").first().cloned()));
        ips.truncate(1);
    }
    let configs = ips
        .into_iter()
        .map(|ip| {
            let mut b = Attrs::new();
            b.set("private_ip_address", ip);
            b
        })
        .collect();
    a.blocks("ip_configuration", configs);
    let groups = cx.children(pe, "privateDnsZoneGroups");
    if let Some(group) = groups.first() {
        let zones: Vec<String> = (seq(&group.props, "privateDnsZoneConfigs").iter())
            .filter_map(|z| read::text(item_props(z), "privateDnsZoneId"))
            .collect();
        let mut b = Attrs::new();
        b.set("name", Value::string(group.leaf_name()));
        b.strs("private_dns_zone_ids", cx.references(group, zones).0);
        a.blocks("private_dns_zone_group", vec![b]);
    }
    cx.push(pe, "azurerm_private_endpoint", a);
}

pub(super) fn zone(cx: &mut Cx, z: &Res) {
    cx.push(z, "azurerm_private_dns_zone", Attrs::new());
}

/// A zone's link to a VNet; a link to a VNet the input does not hold resolves nothing in it.
pub(super) fn zone_link(cx: &mut Cx, l: &Res) {
    if !cx.parent_present(l) {
        return;
    }
    let Ok(vnet) = cx.needed(l, read::id(&l.props, "virtualNetwork")) else { return };
    let mut a = Attrs::new();
    a.set("private_dns_zone_name", Value::string(l.parent_name()));
    a.opt("virtual_network_id", vnet.map(Value::string));
    a.opt("registration_enabled", l.get("registrationEnabled").cloned());
    a.opt("resolution_policy", l.get("resolutionPolicy").cloned());
    cx.push(l, "azurerm_private_dns_zone_virtual_network_link", a);
}

pub(super) fn a_record(cx: &mut Cx, r: &Res) {
    if !cx.parent_present(r) {
        return;
    }
    let records: Vec<Value> = seq(&r.props, "aRecords").iter().filter_map(|a| get(a, "ipv4Address").cloned()).collect();
    let mut a = Attrs::new();
    a.set("zone_name", Value::string(r.parent_name()));
    a.set("records", Value::list(records));
    a.opt("ttl", r.get("ttl").cloned());
    cx.push(r, "azurerm_private_dns_a_record", a);
}

pub(super) fn resolver(cx: &mut Cx, r: &Res) {
    let mut a = Attrs::new();
    if let Some(vnet) = read::id(&r.props, "virtualNetwork") {
        a.opt("virtual_network_id", cx.reference(r, &vnet).map(Value::string));
    }
    cx.push(r, "azurerm_private_dns_resolver", a);
}

/// An inbound endpoint: its IP configurations in subnets of the input (left out without one).
pub(super) fn inbound_endpoint(cx: &mut Cx, e: &Res) {
    if !cx.parent_present(e) {
        return;
    }
    let mut configs = Vec::new();
    for item in seq(&e.props, "ipConfigurations") {
        let c = item_props(item);
        let Ok(subnet) = cx.needed(e, read::id(c, "subnet")) else { continue };
        let mut b = Attrs::new();
        b.opt("subnet_id", subnet.map(Value::string));
        b.opt("private_ip_allocation_method", get(c, "privateIpAllocationMethod").cloned());
        b.opt("private_ip_address", get(c, "privateIpAddress").cloned());
        configs.push(b);
    }
    if configs.is_empty() {
        return;
    }
    let mut a = Attrs::new();
    a.set("private_dns_resolver_id", Value::string(e.parent_id().unwrap_or_default()));
    a.blocks("ip_configurations", configs);
    cx.push(e, "azurerm_private_dns_resolver_inbound_endpoint", a);
}

/// Outbound endpoints and forwarding rulesets forward queries to servers the scenario writes as
/// DNS machines: the mapping lists them as not modelled.
pub(super) fn outbound_endpoint(cx: &mut Cx, e: &Res) {
    if cx.parent_present(e) {
        cx.push(e, "azurerm_private_dns_resolver_outbound_endpoint", Attrs::new());
    }
}

pub(super) fn forwarding_ruleset(cx: &mut Cx, r: &Res) {
    cx.push(r, "azurerm_private_dns_resolver_dns_forwarding_ruleset", Attrs::new());
}
