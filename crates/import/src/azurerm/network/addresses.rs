//! Addresses Azure gives at apply time, allocated the way vnetsim's loader allocates them, so
//! that an object and every reference to its address agree.
//!
//! * A NIC's private IPs: in each subnet the known ones (static, or recorded by a state) are taken first, then every dynamic one
//!   gets the lowest free usable address (Azure reserves the first four and the last), NICs in
//!   import order and their IP configurations in order (docs/scenario-format.md, "IP
//!   allocation"). Static IPs of private endpoints in the subnet count as taken.
//! * A firewall's private IP: the first usable address of its `AzureFirewallSubnet` (x.x.x.4),
//!   as Azure gives it.
//! * A public IP whose address the configuration does not know: the next address of the
//!   synthetic pool [`PUBLIC_POOL`], in import order of the `azurerm_public_ip` instances.

use super::super::Ctx;
use crate::instance::{Instance, Mode};
use crate::value::{Computed, Value};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Where public IPs known only after apply are drawn from: outside the synthetic service tag
/// space (40.64.0.0/10), the stand-in range (198.18.0.0/15) and the documentation ranges the
/// built-in hosts and managed firewalls use.
pub const PUBLIC_POOL: &str = "20.250.0.0/16";

/// The value vnetsim gives an attribute known only after apply, when it allocates that value:
/// `azurerm_firewall.x` `ip_configuration[0].private_ip_address`, a NIC's `private_ip_address`,
/// `private_ip_addresses[i]` or `ip_configuration[i].private_ip_address`, a VM's
/// `private_ip_address` and `public_ip_address`, a public IP's `ip_address`. `None` for
/// anything else (the caller reports it as known only after apply).
pub(crate) fn resolve_computed(ctx: &Ctx, c: &Computed) -> Option<String> {
    let inst = ctx.instances.iter().find(|i| i.address == c.address)?;
    let path = c.path.as_str();
    match inst.rtype.as_str() {
        "azurerm_public_ip" if path == "ip_address" => public_ip_of(ctx, inst).map(|(ip, _)| ip),
        "azurerm_firewall" if config_index(path, "private_ip_address") == Some(0) => {
            firewall_ip(ctx, inst).map(|ip| ip.to_string())
        }
        "azurerm_network_interface" => nic_ip(ctx, inst, config_index(path, "private_ip_address")?),
        "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" | "azurerm_virtual_machine" => {
            let nic = primary_nic(ctx, inst)?;
            match path {
                "private_ip_address" => nic_ip(ctx, nic, 0),
                "public_ip_address" => {
                    let config = primary_config(nic)?;
                    let pip = ctx.by_id(config.get("public_ip_address_id")?.as_str()?)?;
                    public_ip_of(ctx, pip).map(|(ip, _)| ip)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Which IP configuration a path reads `leaf` of: `ip_configuration[i].leaf`,
/// `private_ip_addresses[i]`, or the primary one's `leaf`.
fn config_index(path: &str, leaf: &str) -> Option<usize> {
    if path == leaf {
        return Some(0);
    }
    let index = |rest: &str| rest.split(']').next()?.parse().ok();
    if let Some(rest) = path.strip_prefix("ip_configuration[") {
        return rest.ends_with(&format!("].{leaf}")).then(|| index(rest)).flatten();
    }
    path.strip_prefix("private_ip_addresses[").and_then(index)
}

/// A public IP's address and whether vnetsim drew it from [`PUBLIC_POOL`]; `None` when the pool
/// is spent or the instance is no public IP.
pub(crate) fn public_ip_of(ctx: &Ctx, pip: &Instance) -> Option<(String, bool)> {
    if let Some(ip) = pip.attrs.get("ip_address").and_then(Value::as_str) {
        return Some((ip.to_string(), false));
    }
    if pip.mode != Mode::Managed || pip.rtype != "azurerm_public_ip" {
        return None;
    }
    let index = (ctx.instances.iter())
        .filter(|i| i.mode == Mode::Managed && i.rtype == "azurerm_public_ip")
        .position(|i| std::ptr::eq(i, pip))?;
    let pool: Ipv4Net = PUBLIC_POOL.parse().expect("constant pool");
    let host = u32::from(pool.network()).checked_add(1 + u32::try_from(index).ok()?)?;
    (host < u32::from(pool.broadcast())).then(|| (Ipv4Addr::from(host).to_string(), true))
}

/// The first address Azure hands out in a subnet: the network address + 4.
pub(crate) fn first_usable(prefix: Ipv4Net) -> Option<Ipv4Addr> {
    let first = u32::from(prefix.network()).checked_add(4)?;
    (first < u32::from(prefix.broadcast())).then(|| Ipv4Addr::from(first))
}

/// A firewall's private IP: the first usable address of the subnet of its first IP
/// configuration.
pub(crate) fn firewall_ip(ctx: &Ctx, fw: &Instance) -> Option<Ipv4Addr> {
    let config = fw.attrs.get("ip_configuration")?.as_seq()?.first()?;
    first_usable(subnet_prefix(ctx, config.get("subnet_id")?.as_str()?)?)
}

/// The prefix of the subnet with this id: an `azurerm_subnet` instance's, or an inline
/// `subnet {}` block's of its VNet. `None` when the import does not know it.
pub(crate) fn subnet_prefix(ctx: &Ctx, subnet_id: &str) -> Option<Ipv4Net> {
    let first_prefix = |v: &Value| -> Option<Ipv4Net> {
        let text = match v.get("address_prefixes").and_then(Value::as_seq) {
            Some(list) => list.first()?.as_str()?,
            None => v.get("address_prefix")?.as_str()?,
        };
        text.parse().ok()
    };
    if let Some(subnet) = ctx.by_id(subnet_id).filter(|i| i.rtype == "azurerm_subnet") {
        return first_prefix(&subnet.attrs);
    }
    let vnet = ctx.by_id(&super::parent_id(subnet_id, "subnets")?)?;
    let name = subnet_id.rsplit('/').next()?;
    let block = (vnet.attrs.get("subnet")?.as_seq()?.iter())
        .find(|b| b.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))?;
    first_prefix(block)
}

/// The primary IP configuration of a NIC: the one marked `primary`, else the first.
pub(crate) fn primary_config(nic: &Instance) -> Option<&Value> {
    let configs = nic.attrs.get("ip_configuration")?.as_seq()?;
    configs.iter().find(|c| c.get("primary").and_then(Value::as_bool) == Some(true)).or(configs.first())
}

/// The NIC a machine's traffic uses: `primary_network_interface_id`, else the first of
/// `network_interface_ids`.
pub(crate) fn primary_nic<'i>(ctx: &Ctx<'i>, vm: &Instance) -> Option<&'i Instance> {
    let id = match vm.attrs.get("primary_network_interface_id").and_then(Value::as_str) {
        Some(id) => id,
        None => vm.attrs.get("network_interface_ids")?.as_seq()?.first()?.as_str()?,
    };
    ctx.by_id(id)
}

/// The private IP of a NIC's IP configuration `index` (0 = the primary one).
fn nic_ip(ctx: &Ctx, nic: &Instance, index: usize) -> Option<String> {
    let configs = nic.attrs.get("ip_configuration")?.as_seq()?;
    let primary = primary_config(nic)?;
    // Index 0 is the primary configuration wherever it is written; the others keep their order.
    let config = match index {
        0 => primary,
        i => configs.iter().filter(|c| !std::ptr::eq(*c, primary)).nth(i - 1)?,
    };
    let subnet_id = config.get("subnet_id")?.as_str()?;
    let plan = subnet_plan(ctx, subnet_id);
    plan.into_iter().find(|a| std::ptr::eq(a.nic, nic) && std::ptr::eq(a.config, config)).map(|a| a.ip.to_string())
}

/// One NIC IP configuration's address in a subnet's allocation.
pub(crate) struct Allocated<'i> {
    pub nic: &'i Instance,
    pub config: &'i Value,
    pub ip: Ipv4Addr,
}

/// The addresses of every NIC IP configuration in the subnet with this id, as Azure allocates
/// them: static ones as written, then dynamic ones from the first usable address in import
/// order. Dynamic configurations left without an address (the subnet is full) are missing; so
/// is everything when the subnet's prefix is unknown.
pub(crate) fn subnet_plan<'i>(ctx: &Ctx<'i>, subnet_id: &str) -> Vec<Allocated<'i>> {
    let Some(prefix) = subnet_prefix(ctx, subnet_id) else { return Vec::new() };
    let in_subnet =
        |v: &Value| v.get("subnet_id").and_then(Value::as_str).is_some_and(|id| id.eq_ignore_ascii_case(subnet_id));
    let mut taken: Vec<Ipv4Addr> = Vec::new();
    let mut out = Vec::new();
    let mut dynamic = Vec::new();
    for inst in ctx.instances.iter().filter(|i| i.mode == Mode::Managed) {
        match inst.rtype.as_str() {
            "azurerm_network_interface" => {
                for config in inst.attrs.get("ip_configuration").and_then(Value::as_seq).unwrap_or_default() {
                    if !in_subnet(config) {
                        continue;
                    }
                    match static_ip(config) {
                        Some(ip) => {
                            taken.push(ip);
                            out.push(Allocated { nic: inst, config, ip });
                        }
                        None => dynamic.push((inst, config)),
                    }
                }
            }
            "azurerm_private_endpoint" if in_subnet(&inst.attrs) => {
                let configs = inst.attrs.get("ip_configuration").and_then(Value::as_seq).unwrap_or_default();
                taken.extend(
                    configs.iter().filter_map(|c| c.get("private_ip_address")?.as_str()?.parse::<Ipv4Addr>().ok()),
                );
            }
            _ => {}
        }
    }
    let last = u32::from(prefix.broadcast());
    let Some(first) = first_usable(prefix) else { return out };
    let mut next = u32::from(first);
    for (nic, config) in dynamic {
        while next < last && taken.contains(&Ipv4Addr::from(next)) {
            next += 1;
        }
        if next >= last {
            break;
        }
        out.push(Allocated { nic, config, ip: Ipv4Addr::from(next) });
        next += 1;
    }
    out
}

/// A configuration's fixed address: a known `private_ip_address` (a `Static` one, or the one a
/// state or plan records as allocated); Azure keeps it, dynamic ones go around it.
fn static_ip(config: &Value) -> Option<Ipv4Addr> {
    config.get("private_ip_address")?.as_str()?.parse().ok()
}
