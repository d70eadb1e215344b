//! VNets, their subnets (inline `subnet {}` blocks and `azurerm_subnet`), the association
//! resources that give a subnet its NSG, route table and NAT gateway, VNet peerings and
//! `azurerm_virtual_network_dns_servers`.

use super::super::Ctx;
use super::{Args, id_of, name_of, names_of, parent_id};
use crate::doc::{Item, Note, Obj, Yaml};
use crate::instance::Instance;
use crate::value::Value;
use std::collections::HashMap;

/// The VNets being built, and where each subnet is, by lower-cased id.
pub(in super::super) struct Net {
    vnets: Vec<Vnet>,
    /// Where each VNet is, by lower-cased id.
    vnet_at: HashMap<String, usize>,
    subnet_at: HashMap<String, (usize, usize)>,
}

struct Vnet {
    id: String,
    note: Note,
    obj: Obj,
    subnets: Vec<(Note, Obj)>,
    peerings: Vec<(Note, Obj)>,
}

impl Net {
    /// The subnet with this id, to set a key of: `None` (reported) when the import has none.
    pub fn subnet_mut(&mut self, ctx: &mut Ctx, args: &Args, key: &str, id: &str) -> Option<&mut Obj> {
        match self.subnet_at.get(&id.to_ascii_lowercase()) {
            Some(&(v, s)) => Some(&mut self.vnets[v].subnets[s].1),
            None => {
                let message = format!(
                    "{}: `{}` names a subnet this configuration does not create: {id:?}",
                    args.inst.address,
                    args.what(key)
                );
                args.error_with_help(
                    ctx,
                    key,
                    message,
                    "an association sets a key of a subnet the import writes: declare the subnet \
                     (`azurerm_subnet` or a `subnet {}` block of its `azurerm_virtual_network`) in the same configuration",
                );
                None
            }
        }
    }

    fn vnet_index(&mut self, ctx: &Ctx, id: &str, fallback: &Instance) -> usize {
        if let Some(&i) = self.vnet_at.get(&id.to_ascii_lowercase()) {
            return i;
        }
        // A VNet the configuration reads (a data source) or does not declare: written by name,
        // with the address space when the import knows it, so a hand-written VNet of that name
        // can supply the rest.
        let source = ctx.by_id(id).unwrap_or(fallback);
        let name = match ctx.by_id(id).and_then(|i| i.attrs.get("name")).and_then(Value::as_str) {
            Some(n) => n.to_string(),
            None => super::super::ids::parse(id)
                .and_then(|p| p.segments.first().map(|(_, n)| n.to_string()))
                .unwrap_or_default(),
        };
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(name));
        if let Some(space) = source.attrs.get("address_space").and_then(Value::as_seq) {
            obj.set("address_space", Yaml::strs(space.iter().filter_map(|v| v.as_str().map(str::to_string))));
        }
        self.push(Vnet { id: id.to_string(), note: Ctx::note(source), obj, subnets: Vec::new(), peerings: Vec::new() })
    }

    fn push(&mut self, vnet: Vnet) -> usize {
        self.vnet_at.insert(vnet.id.to_ascii_lowercase(), self.vnets.len());
        self.vnets.push(vnet);
        self.vnets.len() - 1
    }

    fn add_subnet(&mut self, vnet: usize, id: String, note: Note, obj: Obj) {
        let v = &mut self.vnets[vnet];
        self.subnet_at.insert(id, (vnet, v.subnets.len()));
        v.subnets.push((note, obj));
    }
}

/// Gathers VNets, subnets, associations, peerings and DNS server settings.
pub(super) fn collect(ctx: &mut Ctx) -> Net {
    let mut net = Net { vnets: Vec::new(), vnet_at: HashMap::new(), subnet_at: HashMap::new() };
    for inst in ctx.of_type("azurerm_virtual_network") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        obj.set("address_space", Yaml::strs(args.strs(ctx, "address_space")));
        let dns = args.strs(ctx, "dns_servers");
        if !dns.is_empty() {
            obj.set("dns_servers", Yaml::strs(dns));
        }
        if ctx.doc.region.is_none()
            && let Some(location) = args.get("location").and_then(Value::as_str)
        {
            ctx.doc.region = Some(location.replace(' ', "").to_ascii_lowercase());
        }
        let id = id_of(inst);
        let at =
            net.push(Vnet { id: id.clone(), note: Ctx::note(inst), obj, subnets: Vec::new(), peerings: Vec::new() });
        for block in args.blocks("subnet") {
            let Some(name) = block.required(ctx, "name") else { continue };
            let obj = subnet_obj(ctx, &block, name.clone());
            net.add_subnet(at, format!("{id}/subnets/{}", name.to_ascii_lowercase()), Ctx::note(inst), obj);
        }
    }
    for inst in ctx.of_type("azurerm_subnet") {
        let args = Args::of(inst);
        let Some(name) = args.required(ctx, "name") else { continue };
        let id = id_of(inst);
        let Some(vnet_id) = parent_id(&id, "subnets") else { continue };
        let at = net.vnet_index(ctx, &vnet_id, inst);
        let obj = subnet_obj(ctx, &args, name);
        net.add_subnet(at, id, Ctx::note(inst), obj);
    }
    associate(ctx, &mut net, "azurerm_subnet_network_security_group_association", "network_security_group_id", "nsg");
    associate(ctx, &mut net, "azurerm_subnet_route_table_association", "route_table_id", "route_table");
    associate(ctx, &mut net, "azurerm_subnet_nat_gateway_association", "nat_gateway_id", "nat_gateway");
    for inst in ctx.of_type("azurerm_virtual_network_dns_servers") {
        let args = Args::of(inst);
        let Some(vnet_id) = args.required(ctx, "virtual_network_id") else { continue };
        let at = net.vnet_index(ctx, &vnet_id.to_ascii_lowercase(), inst);
        net.vnets[at].obj.set("dns_servers", Yaml::strs(args.strs(ctx, "dns_servers")));
    }
    peerings(ctx, &mut net);
    net
}

/// A subnet from an `azurerm_subnet` or an inline `subnet {}` block (which also takes
/// `security_group` and `route_table_id`).
fn subnet_obj(ctx: &mut Ctx, args: &Args, name: String) -> Obj {
    let mut obj = Obj::new();
    obj.set("name", Yaml::Str(name));
    // v3 and v4 write `address_prefixes`; old inline blocks `address_prefix`.
    let key = if args.get("address_prefixes").is_some() { "address_prefixes" } else { "address_prefix" };
    let prefixes = args.strs(ctx, key);
    match prefixes.first() {
        Some(first) => {
            obj.set("prefix", Yaml::str(first));
        }
        None => {
            let message = format!("{}: `{}` is required", args.inst.address, args.what("address_prefixes"));
            args.error(ctx, "address_prefixes", message);
        }
    }
    if prefixes.len() > 1 {
        // The format gives a subnet one prefix; the others hold addresses the import leaves out.
        args.not_modelled(ctx, Some(&format!("{}[1..]", args.what(key))));
    }
    for (arg, key) in [("security_group", "nsg"), ("route_table_id", "route_table")] {
        if let Some(id) = args.str(ctx, arg)
            && let Some(name) = name_of(ctx, args, arg, &id)
        {
            obj.set(key, Yaml::Str(name));
        }
    }
    let endpoints = args.strs(ctx, "service_endpoints");
    if !endpoints.is_empty() {
        obj.set("service_endpoints", Yaml::strs(endpoints));
    }
    let policies = names_of(ctx, args, "service_endpoint_policy_ids");
    if !policies.is_empty() {
        obj.set("service_endpoint_policies", Yaml::strs(policies));
    }
    if let Some(policies) = endpoint_policies(ctx, args) {
        obj.set("private_endpoint_network_policies", Yaml::str(policies));
    }
    if let Some(access) = args.bool(ctx, "default_outbound_access_enabled") {
        obj.set("default_outbound_access", Yaml::Bool(access));
    }
    obj
}

/// P-6 network policies for private endpoints, in the spelling of each provider version: v4's
/// `private_endpoint_network_policies` (the Azure value), v3's
/// `private_endpoint_network_policies_enabled` (true: Enabled), and the older
/// `enforce_private_link_endpoint_network_policies`, which despite its name DISABLES them when
/// true.
fn endpoint_policies(ctx: &mut Ctx, args: &Args) -> Option<String> {
    if let Some(value) = args.str(ctx, "private_endpoint_network_policies") {
        return Some(value);
    }
    let enabled = match args.bool(ctx, "private_endpoint_network_policies_enabled") {
        Some(enabled) => enabled,
        None => !args.bool(ctx, "enforce_private_link_endpoint_network_policies")?,
    };
    Some(if enabled { "Enabled" } else { "Disabled" }.to_string())
}

/// An association resource: sets `key` of the subnet `subnet_id` to the name `target` names.
fn associate(ctx: &mut Ctx, net: &mut Net, rtype: &'static str, target: &str, key: &str) {
    for inst in ctx.of_type(rtype) {
        let args = Args::of(inst);
        let (Some(subnet_id), Some(target_id)) = (args.required(ctx, "subnet_id"), args.required(ctx, target)) else {
            continue;
        };
        let Some(name) = name_of(ctx, &args, target, &target_id) else { continue };
        if let Some(subnet) = net.subnet_mut(ctx, &args, "subnet_id", &subnet_id) {
            subnet.set(key, Yaml::Str(name));
        }
    }
}

/// `azurerm_virtual_network_peering`: one side of a peering, under the VNet it belongs to.
/// Peering names are unique per VNet in Azure but in the whole scenario in vnetsim: a name two
/// VNets share is left out, so each gets the default `<local>-to-<remote>`.
fn peerings(ctx: &mut Ctx, net: &mut Net) {
    let all: Vec<&Instance> = ctx.of_type("azurerm_virtual_network_peering").collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in all.iter().filter_map(|i| i.attrs.get("name").and_then(Value::as_str)) {
        *counts.entry(name).or_default() += 1;
    }
    let name_count = |name: &str| counts.get(name).copied().unwrap_or(0);
    for &inst in &all {
        let args = Args::of(inst);
        let Some(name) = args.required(ctx, "name") else { continue };
        let Some(remote_id) = args.required(ctx, "remote_virtual_network_id") else { continue };
        let Some(remote) = name_of(ctx, &args, "remote_virtual_network_id", &remote_id) else { continue };
        let Some(vnet_id) = parent_id(&id_of(inst), "virtualNetworkPeerings") else { continue };
        let mut obj = Obj::new();
        if name_count(&name) == 1 {
            obj.set("name", Yaml::Str(name));
        }
        obj.set("remote_vnet", Yaml::Str(remote));
        for key in
            ["allow_virtual_network_access", "allow_forwarded_traffic", "allow_gateway_transit", "use_remote_gateways"]
        {
            if let Some(b) = args.bool(ctx, key) {
                obj.set(key, Yaml::Bool(b));
            }
        }
        let at = net.vnet_index(ctx, &vnet_id, inst);
        net.vnets[at].peerings.push((Ctx::note(inst), obj));
    }
}

/// Writes the VNets with their subnets and peerings.
pub(super) fn write(ctx: &mut Ctx, net: Net) {
    for vnet in net.vnets {
        let mut obj = vnet.obj;
        for (key, entries) in [("subnets", vnet.subnets), ("peerings", vnet.peerings)] {
            if !entries.is_empty() {
                let list = obj.list_mut(key);
                list.extend(entries.into_iter().map(|(note, o)| Item { note: Some(note), value: o.into_yaml() }));
            }
        }
        ctx.doc.push("vnets", vnet.note, obj);
    }
}
