//! Virtual machines, scale sets and AKS clusters (agent pools), as azurerm resources.

use super::merge::Res;
use super::network::item_props;
use super::read::{self, at, get, seq, text};
use super::{Attrs, Cx};
use crate::value::Value;

/// A VM with the NICs its network profile names (the primary one marked). NICs the input does
/// not hold are left out; a VM left with none is. A VM that creates its NICs itself
/// (`networkInterfaceConfigurations`) is listed as not modelled.
pub(super) fn vm(cx: &mut Cx, v: &Res) {
    let nics = seq(&v.props, "networkProfile.networkInterfaces");
    if nics.is_empty() && v.get("networkProfile.networkInterfaceConfigurations").is_some() {
        cx.not_modelled(v);
        return;
    }
    let ids: Vec<String> = nics.iter().filter_map(|n| text(n, "id")).collect();
    let (kept, dropped) = cx.references(v, ids);
    if dropped && kept.is_empty() {
        return;
    }
    let primary = nics
        .iter()
        .find(|n| at(item_props(n), "primary").and_then(Value::as_bool) == Some(true))
        .and_then(|n| text(n, "id"))
        .filter(|id| kept.iter().any(|k| k.eq_ignore_ascii_case(id)));
    let mut a = Attrs::new();
    a.strs("network_interface_ids", kept);
    a.opt("primary_network_interface_id", primary.map(Value::string));
    let windows = v.get("osProfile.windowsConfiguration").is_some()
        || text(&v.props, "storageProfile.osDisk.osType").is_some_and(|t| t.eq_ignore_ascii_case("Windows"));
    let rtype = if windows { "azurerm_windows_virtual_machine" } else { "azurerm_linux_virtual_machine" };
    cx.push(v, rtype, a);
}

/// A scale set: `sku.capacity` instances with the NICs of its VM profile.
pub(super) fn scale_set(cx: &mut Cx, s: &Res) {
    let mut interfaces = Vec::new();
    for nic in seq(&s.props, "virtualMachineProfile.networkProfile.networkInterfaceConfigurations") {
        let n = item_props(nic);
        let mut configs = Vec::new();
        for item in seq(n, "ipConfigurations") {
            let c = item_props(item);
            let Ok(subnet) = cx.needed(s, read::id(c, "subnet")) else { continue };
            let mut b = Attrs::new();
            b.opt("name", get(item, "name").cloned()).opt("primary", get(c, "primary").cloned());
            b.opt("subnet_id", subnet.map(Value::string));
            let (asgs, _) = cx.references(s, read::ids(c, "applicationSecurityGroups"));
            b.strs_opt("application_security_group_ids", asgs);
            if let Some(pip) = get(c, "publicIPAddressConfiguration") {
                let mut p = Attrs::new();
                p.opt("name", get(pip, "name").cloned());
                b.blocks("public_ip_address", vec![p]);
            }
            configs.push(b);
        }
        if configs.is_empty() {
            continue;
        }
        let mut b = Attrs::new();
        b.opt("name", get(nic, "name").cloned()).opt("primary", get(n, "primary").cloned());
        b.opt("ip_forwarding_enabled", get(n, "enableIPForwarding").cloned());
        if let Some(nsg) = read::id(n, "networkSecurityGroup") {
            b.opt("network_security_group_id", cx.reference(s, &nsg).map(Value::string));
        }
        b.blocks("ip_configuration", configs);
        interfaces.push(b);
    }
    if interfaces.is_empty()
        && !seq(&s.props, "virtualMachineProfile.networkProfile.networkInterfaceConfigurations").is_empty()
    {
        return; // every subnet missing, listed
    }
    let mut a = Attrs::new();
    a.opt("instances", read::at(&s.extra, "sku.capacity").cloned());
    a.blocks("network_interface", interfaces);
    let windows = s.get("virtualMachineProfile.osProfile.windowsConfiguration").is_some();
    let rtype =
        if windows { "azurerm_windows_virtual_machine_scale_set" } else { "azurerm_linux_virtual_machine_scale_set" };
    cx.push(s, rtype, a);
}

/// The pool azurerm writes as the cluster's `default_node_pool`: the first in System mode, else
/// the first.
fn default_pool<'i>(cx: &Cx<'i>, cluster: &Res) -> Option<&'i Res> {
    let pools = cx.children(cluster, "agentPools");
    let system = pools.iter().find(|p| text(&p.props, "mode").is_some_and(|m| m.eq_ignore_ascii_case("System")));
    system.or(pools.first()).copied()
}

/// A pool's arguments; `None` (listed) when its subnet is not in the input.
fn pool_attrs(cx: &mut Cx, pool: &Res) -> Option<Attrs> {
    let mut a = Attrs::new();
    a.set("name", Value::string(pool.leaf_name()));
    let subnet = cx.needed(pool, text(&pool.props, "vnetSubnetID")).ok()?;
    a.opt("vnet_subnet_id", subnet.map(Value::string));
    for (key, arg) in [("count", "node_count"), ("minCount", "min_count"), ("maxCount", "max_count")] {
        a.opt(arg, pool.get(key).cloned());
    }
    Some(a)
}

pub(super) fn aks(cx: &mut Cx, k: &Res) {
    let mut a = Attrs::new();
    if let Some(pool) = default_pool(cx, k)
        && let Some(b) = pool_attrs(cx, pool)
    {
        a.blocks("default_node_pool", vec![b]);
    }
    cx.push(k, "azurerm_kubernetes_cluster", a);
}

/// A pool other than the default one: an `azurerm_kubernetes_cluster_node_pool`.
pub(super) fn agent_pool(cx: &mut Cx, p: &Res) {
    if !cx.parent_present(p) {
        return;
    }
    let cluster = p.parent_id().and_then(|id| cx.index.get(id));
    if cluster.and_then(|c| default_pool(cx, c)).is_some_and(|d| d.id.eq_ignore_ascii_case(&p.id)) {
        return;
    }
    let Some(mut a) = pool_attrs(cx, p) else { return };
    a.set("kubernetes_cluster_id", Value::string(p.parent_id().unwrap_or_default()));
    cx.push(p, "azurerm_kubernetes_cluster_node_pool", a);
}
