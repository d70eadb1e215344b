//! Machines and their NICs → `endpoints:`. A virtual machine is an endpoint named after it with
//! its `network_interface_ids` as NICs (the primary one first); kind `nva` when one of them
//! forwards IP, else `vm`. A NIC no machine uses is an endpoint of its own, named after
//! the NIC. A scale set with `instances = n` is n endpoints `<name>_0` … `<name>_<n-1>` (the
//! names Azure gives its instances) of kind `vm`/`nva`: the format allows several nodes only
//! for Azure ML and AKS compute. A scale set of 0 instances still gets `<name>_0`, so what its
//! network allows can be traced.

use super::super::Ctx;
use super::addresses::{Allocated, primary_config, subnet_plan};
use super::{Args, id_of, name_of, public_ip, subnet_path};
use crate::doc::{Item, Note, Obj, Yaml};
use crate::instance::{Instance, Mode};
use crate::value::Value;
use std::collections::HashMap;

const VM_TYPES: [&str; 3] =
    ["azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine"];
const SCALE_SET_TYPES: [&str; 2] =
    ["azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set"];

/// What association resources add to a NIC.
#[derive(Default)]
struct NicExtras {
    nsg: Option<String>,
    asgs: Vec<String>,
}

struct Machines<'i> {
    extras: HashMap<String, NicExtras>,
    /// Each planned subnet's addresses, by lower-cased subnet id.
    plans: HashMap<String, Vec<Allocated<'i>>>,
    /// The NICs some machine uses, by lower-cased id.
    used: HashMap<String, &'i str>,
}

pub(super) fn map(ctx: &mut Ctx) {
    let mut m = Machines { extras: nic_extras(ctx), plans: HashMap::new(), used: HashMap::new() };
    for rtype in VM_TYPES.into_iter().chain(SCALE_SET_TYPES) {
        let _ = ctx.of_type(rtype);
    }
    let instances = ctx.instances;
    for inst in instances.iter().filter(|i| i.mode == Mode::Managed) {
        if VM_TYPES.contains(&inst.rtype.as_str()) {
            virtual_machine(ctx, &mut m, inst);
        } else if SCALE_SET_TYPES.contains(&inst.rtype.as_str()) {
            scale_set(ctx, inst);
        }
    }
    for nic in ctx.of_type("azurerm_network_interface") {
        if m.used.contains_key(&id_of(nic)) {
            continue;
        }
        let args = Args::of(nic);
        let Some(name) = args.required(ctx, "name") else { continue };
        if let Some((obj, forwards)) = nic_obj(ctx, &mut m, nic) {
            endpoint(ctx, Ctx::note(nic), Yaml::Str(name), vec![(Ctx::note(nic), obj, forwards)]);
        }
    }
}

/// The NSG and ASGs that `azurerm_network_interface_*_association` resources give NICs.
fn nic_extras(ctx: &mut Ctx) -> HashMap<String, NicExtras> {
    let mut extras: HashMap<String, NicExtras> = HashMap::new();
    for (rtype, key) in [
        ("azurerm_network_interface_security_group_association", "network_security_group_id"),
        ("azurerm_network_interface_application_security_group_association", "application_security_group_id"),
    ] {
        for inst in ctx.of_type(rtype) {
            let args = Args::of(inst);
            let (Some(nic), Some(target)) = (args.required(ctx, "network_interface_id"), args.required(ctx, key))
            else {
                continue;
            };
            if ctx.by_id(&nic).is_none_or(|n| n.rtype != "azurerm_network_interface" || n.mode != Mode::Managed) {
                let message = format!(
                    "{}: `network_interface_id` names no network interface of this configuration: {nic:?}",
                    inst.address
                );
                args.error(ctx, "network_interface_id", message);
                continue;
            }
            let Some(name) = name_of(ctx, &args, key, &target) else { continue };
            let entry = extras.entry(nic.to_ascii_lowercase()).or_default();
            match key {
                "network_security_group_id" => entry.nsg = Some(name),
                _ => entry.asgs.push(name),
            }
        }
    }
    extras
}

/// A virtual machine and its NICs.
fn virtual_machine<'i>(ctx: &mut Ctx<'i>, m: &mut Machines<'i>, vm: &'i Instance) {
    let args = Args::of(vm);
    let Some(name) = args.required(ctx, "name") else { return };
    let mut ids = args.strs(ctx, "network_interface_ids");
    if let Some(primary) = args.str(ctx, "primary_network_interface_id")
        && let Some(at) = ids.iter().position(|id| id.eq_ignore_ascii_case(&primary))
    {
        let id = ids.remove(at);
        ids.insert(0, id);
    }
    if ids.is_empty() {
        args.error(
            ctx,
            "network_interface_ids",
            format!("{}: a virtual machine needs a network interface", vm.address),
        );
        return;
    }
    let mut nics = Vec::new();
    for id in ids {
        let Some(nic) = ctx.by_id(&id).filter(|n| n.rtype == "azurerm_network_interface" && n.mode == Mode::Managed)
        else {
            let message = format!(
                "{}: `network_interface_ids` names no network interface of this configuration: {id:?}",
                vm.address
            );
            args.error(ctx, "network_interface_ids", message);
            continue;
        };
        if let Some(other) = m.used.insert(id.to_ascii_lowercase(), &vm.address) {
            let message = format!("{}: network interface {} is already used by {other}", vm.address, nic.address);
            args.error_with_help(ctx, "network_interface_ids", message, "Azure attaches a NIC to one machine");
            continue;
        }
        if let Some((obj, forwards)) = nic_obj(ctx, m, nic) {
            nics.push((Ctx::note(nic), obj, forwards));
        }
    }
    // A machine whose every NIC was refused is left out; each refusal is reported already.
    if nics.is_empty() {
        return;
    }
    endpoint(ctx, Ctx::note(vm), Yaml::Str(name), nics);
}

/// Writes an endpoint: kind `nva` when a NIC forwards IP; one NIC written on the endpoint, more
/// as `nics:`.
fn endpoint(ctx: &mut Ctx, note: Note, name: Yaml, mut nics: Vec<(Note, Obj, bool)>) {
    let nva = nics.iter().any(|(_, _, forwards)| *forwards);
    let mut obj = Obj::new();
    obj.set("name", name);
    obj.set("kind", Yaml::str(if nva { "nva" } else { "vm" }));
    for (_, nic, forwards) in &mut nics {
        // `ip_forwarding` defaults to the kind's: write only the NICs that differ.
        if nva && !*forwards {
            nic.set("ip_forwarding", Yaml::Bool(false));
        }
    }
    if nics.len() == 1 {
        let (_, nic, _) = nics.pop().expect("one NIC");
        obj.0.extend(nic.0);
    } else {
        let items = nics.into_iter().map(|(note, nic, _)| Item { note: Some(note), value: nic.into_yaml() });
        obj.list_mut("nics").extend(items);
    }
    ctx.doc.push("endpoints", note, obj);
}

/// A NIC from its primary IP configuration, and whether it forwards IP (v4
/// `ip_forwarding_enabled`, v3 `enable_ip_forwarding`). Further IP configurations are listed as
/// not modelled: the format gives a NIC one address.
fn nic_obj<'i>(ctx: &mut Ctx<'i>, m: &mut Machines<'i>, nic: &'i Instance) -> Option<(Obj, bool)> {
    let args = Args::of(nic);
    let configs = args.blocks("ip_configuration");
    let primary = primary_config(nic);
    let Some(config) = configs.iter().find(|c| primary.is_some_and(|p| c.is(p))) else {
        args.error(ctx, "ip_configuration", format!("{}: the block `ip_configuration` is required", nic.address));
        return None;
    };
    for (i, other) in configs.iter().enumerate() {
        if !other.is(primary?) {
            other.not_modelled(ctx, Some(&format!("ip_configuration[{i}]")));
        }
    }
    let mut obj = Obj::new();
    let subnet_id = config.required(ctx, "subnet_id")?;
    obj.set("subnet", Yaml::Str(subnet_path(ctx, config, "subnet_id", &subnet_id)?));
    let plan = m.plans.entry(subnet_id.to_ascii_lowercase()).or_insert_with(|| subnet_plan(ctx, &subnet_id));
    let at = plan.iter().find(|a| std::ptr::eq(a.nic, nic) && primary.is_some_and(|p| std::ptr::eq(a.config, p)));
    // A known address as written (the loader checks it); else the one allocated here, or none
    // (a subnet the import does not know: the loader allocates it).
    match (config.get("private_ip_address"), at) {
        (Some(Value::String(ip)), _) => {
            obj.set("ip", Yaml::str(&**ip));
        }
        (_, Some(a)) => {
            let what = format!("the dynamic IP Azure allocates {} in its subnet", nic.address);
            obj.set("ip", ctx.computed(Yaml::Str(a.ip.to_string()), what));
        }
        _ => {}
    }
    if let Some(id) = config.str(ctx, "public_ip_address_id")
        && let Some(ip) = public_ip(ctx, config, "public_ip_address_id", &id)
    {
        obj.set("public_ip", ip);
    }
    let extras = m.extras.get(&id_of(nic));
    if let Some(nsg) = extras.and_then(|e| e.nsg.clone()) {
        obj.set("nsg", Yaml::Str(nsg));
    }
    if let Some(e) = extras.filter(|e| !e.asgs.is_empty()) {
        obj.set("asgs", Yaml::strs(e.asgs.clone()));
    }
    Some((obj, forwarding(ctx, &args)))
}

/// IP forwarding in either provider version's spelling.
fn forwarding(ctx: &mut Ctx, args: &Args) -> bool {
    args.bool(ctx, "ip_forwarding_enabled").or_else(|| args.bool(ctx, "enable_ip_forwarding")).unwrap_or(false)
}

/// A scale set's instances, each an endpoint with the NICs of its `network_interface` blocks
/// (the primary one first); their private IPs are the loader's to allocate, after every
/// address written.
fn scale_set(ctx: &mut Ctx, set: &Instance) {
    let args = Args::of(set);
    let Some(name) = args.required(ctx, "name") else { return };
    let count = args.int(ctx, "instances").unwrap_or(0).max(1);
    let mut interfaces = args.blocks("network_interface");
    interfaces.sort_by_key(|nic| nic.get("primary").and_then(Value::as_bool) != Some(true));
    let mut nics = Vec::new();
    for nic in &interfaces {
        let configs = nic.blocks("ip_configuration");
        let Some(config) =
            configs.iter().find(|c| c.get("primary").and_then(Value::as_bool) == Some(true)).or(configs.first())
        else {
            nic.error(
                ctx,
                "network_interface",
                format!("{}: `network_interface.ip_configuration` is required", set.address),
            );
            continue;
        };
        let mut obj = Obj::new();
        let Some(subnet_id) = config.required(ctx, "subnet_id") else { continue };
        let Some(subnet) = subnet_path(ctx, config, "subnet_id", &subnet_id) else { continue };
        obj.set("subnet", Yaml::Str(subnet));
        if let Some(id) = nic.str(ctx, "network_security_group_id")
            && let Some(nsg) = name_of(ctx, nic, "network_security_group_id", &id)
        {
            obj.set("nsg", Yaml::Str(nsg));
        }
        let asgs = super::names_of(ctx, config, "application_security_group_ids");
        if !asgs.is_empty() {
            obj.set("asgs", Yaml::strs(asgs));
        }
        if config.get("public_ip_address").is_some() {
            // Instance public IPs come from a prefix Azure picks per instance.
            config.not_modelled(ctx, Some("network_interface.ip_configuration.public_ip_address"));
        }
        nics.push((Ctx::note(set), obj, forwarding(ctx, nic)));
    }
    if nics.is_empty() {
        args.error(ctx, "network_interface", format!("{}: a scale set needs a `network_interface` block", set.address));
        return;
    }
    for i in 0..count {
        let instance_name = ctx.computed(Yaml::Str(format!("{name}_{i}")), format!("instance {i} of {}", set.address));
        endpoint(ctx, Ctx::note(set), instance_name, nics.clone());
    }
}
