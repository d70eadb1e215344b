//! VNets, subnets, NSGs, route tables, peerings, NICs, machines, public IPs, NAT gateways,
//! bastions, VPN gateways.
//!
//! [`topology`] gathers the VNets and their subnets first (association resources set a subnet's
//! NSG, route table and NAT gateway), the other modules add what sits in them, and the VNets are
//! written last. Addresses Azure allocates at apply time are allocated here the way the scenario
//! loader does ([`addresses`]), so a reference to one (a route's next hop at a firewall's
//! private IP) gets the same address the object itself is given.

mod addresses;
mod edge;
mod machines;
mod routing;
mod security;
mod topology;

pub(crate) use addresses::{firewall_ip, public_ip_of, resolve_computed};

use super::{Ctx, ids};
use crate::doc::{Item, Note, Obj, Yaml};
use crate::instance::Instance;
use crate::summary::Listed;
use crate::value::Value;

pub(super) fn map(ctx: &mut Ctx) {
    let net = topology::collect(ctx);
    security::map(ctx);
    routing::map(ctx);
    edge::map(ctx);
    machines::map(ctx);
    topology::write(ctx, net);
}

/// The arguments of an instance, or of one nested block of it: values are read with the
/// instance's address in messages and located at the top-level argument that holds them.
#[derive(Clone)]
pub(super) struct Args<'i> {
    pub inst: &'i Instance,
    /// The path of the block (`route`, `network_rule_collection.rule`), empty for the
    /// instance's own arguments.
    path: String,
    /// The top-level argument problems are located at.
    at: Option<&'i str>,
    value: &'i Value,
}

impl<'i> Args<'i> {
    pub fn of(inst: &'i Instance) -> Args<'i> {
        Args { inst, path: String::new(), at: None, value: &inst.attrs }
    }

    /// The nested blocks `key` (`subnet { … }`, `rule { … }`).
    pub fn blocks(&self, key: &'static str) -> Vec<Args<'i>> {
        let items: Vec<&'i Value> = match self.get(key) {
            Some(Value::List(items)) | Some(Value::Set(items)) => items.iter().collect(),
            Some(v @ Value::Map(_)) => vec![v],
            _ => Vec::new(),
        };
        let path = self.what(key);
        let at = Some(self.at.unwrap_or(key));
        (items.into_iter().filter(|v| v.as_map().is_some()))
            .map(|value| Args { inst: self.inst, path: path.clone(), at, value })
            .collect()
    }

    /// The first nested block `key`, if any.
    pub fn block(&self, key: &'static str) -> Option<Args<'i>> {
        self.blocks(key).into_iter().next()
    }

    /// Whether these are the arguments of this very value (a block found another way).
    pub fn is(&self, value: &Value) -> bool {
        std::ptr::eq(self.value, value)
    }

    /// An argument's value; `None` when unset or null.
    pub fn get(&self, key: &str) -> Option<&'i Value> {
        self.value.get(key).filter(|v| !v.is_null())
    }

    /// Where problems with `key` are reported: the block's top-level argument, or `key`.
    fn loc_key<'k>(&self, key: &'k str) -> &'k str
    where
        'i: 'k,
    {
        self.at.unwrap_or(key)
    }

    /// `key` as messages name it: `route.next_hop_in_ip_address`.
    pub fn what(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    pub fn error(&self, ctx: &mut Ctx, key: &str, message: impl Into<String>) {
        ctx.error(self.inst, self.loc_key(key), message);
    }

    pub fn error_with_help(&self, ctx: &mut Ctx, key: &str, message: impl Into<String>, help: impl Into<String>) {
        ctx.error_with_help(self.inst, self.loc_key(key), message, help);
    }

    /// A value as a string; one known only after apply is resolved when vnetsim allocates it
    /// ([`resolve_computed`]), else reported.
    pub fn text_of(&self, ctx: &mut Ctx, key: &str, v: &Value) -> Option<String> {
        if let Value::Unknown(c) = v
            && let Some(s) = resolve_computed(ctx, c)
        {
            return Some(s);
        }
        match v.to_plain_string() {
            Some(s) => Some(s),
            None => {
                ctx.wrong_value(self.inst, self.loc_key(key), &self.what(key), v, "a string");
                None
            }
        }
    }

    /// A string argument (see [`Args::text_of`]).
    pub fn str(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        let v = self.get(key)?;
        self.text_of(ctx, key, v)
    }

    /// A string argument that must be there.
    pub fn required(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        if self.get(key).is_none() {
            let message = format!("{}: the argument `{}` is required", self.inst.address, self.what(key));
            self.error(ctx, key, message);
            return None;
        }
        self.str(ctx, key)
    }

    /// A list of strings; a single string is a list of one.
    pub fn strs(&self, ctx: &mut Ctx, key: &str) -> Vec<String> {
        let Some(v) = self.get(key) else { return Vec::new() };
        match v.as_seq() {
            Some(items) => items.iter().filter_map(|item| self.text_of(ctx, key, item)).collect(),
            None => self.text_of(ctx, key, v).into_iter().collect(),
        }
    }

    pub fn bool(&self, ctx: &mut Ctx, key: &str) -> Option<bool> {
        let v = self.get(key)?;
        let b = v.as_bool();
        if b.is_none() {
            ctx.wrong_value(self.inst, self.loc_key(key), &self.what(key), v, "a bool");
        }
        b
    }

    /// A whole number (Terraform converts numeric strings).
    pub fn int(&self, ctx: &mut Ctx, key: &str) -> Option<i64> {
        let v = self.get(key)?;
        match v.as_number() {
            Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(n as i64),
            _ => {
                ctx.wrong_value(self.inst, self.loc_key(key), &self.what(key), v, "a whole number");
                None
            }
        }
    }

    /// Lists this instance, or a part of it, as not modelled: the format cannot express it, and
    /// it may change verdicts.
    pub fn not_modelled(&self, ctx: &mut Ctx, part: Option<&str>) {
        let address = match part {
            Some(p) => format!("{}.{p}", self.inst.address),
            None => self.inst.address.clone(),
        };
        let origin = self.at.map_or_else(|| self.inst.origin.clone(), |at| self.inst.loc_of(at));
        ctx.summary.not_modelled.push(Listed { address, rtype: self.inst.rtype.clone(), origin });
    }
}

/// A string as one value or a list, the way the scenario format reads both.
pub(super) fn one_or_list(values: Vec<String>) -> Yaml {
    match <[String; 1]>::try_from(values) {
        Ok([one]) => Yaml::Str(one),
        Err(values) => Yaml::strs(values),
    }
}

/// The name of the resource an id names: the instance's `name`, else the id's last segment (a
/// resource the configuration reads as a data source or the scenario declares by hand). An id
/// that is not an Azure resource id is reported.
pub(super) fn name_of(ctx: &mut Ctx, args: &Args, key: &str, id: &str) -> Option<String> {
    if let Some(name) = ctx.by_id(id).and_then(|i| i.attrs.get("name")).and_then(Value::as_str) {
        return Some(name.to_string());
    }
    match ids::parse(id).and_then(|p| p.segments.last().map(|(_, name)| name.to_string())) {
        Some(name) => Some(name),
        None => {
            let message = format!("{}: `{}` is not an Azure resource id: {id:?}", args.inst.address, args.what(key));
            args.error(ctx, key, message);
            None
        }
    }
}

/// The names of the resources a list of ids names.
pub(super) fn names_of(ctx: &mut Ctx, args: &Args, key: &str) -> Vec<String> {
    (args.strs(ctx, key).iter()).filter_map(|id| name_of(ctx, args, key, id)).collect()
}

/// A subnet id as the scenario names subnets: `vnet/subnet`.
pub(super) fn subnet_path(ctx: &mut Ctx, args: &Args, key: &str, id: &str) -> Option<String> {
    let parsed = ids::parse(id);
    let segments = parsed.as_ref().map(|p| p.segments.as_slice()).unwrap_or_default();
    match segments {
        [(vnet_type, vnet), (subnets, subnet)]
            if vnet_type.eq_ignore_ascii_case("Microsoft.Network/virtualNetworks")
                && subnets.eq_ignore_ascii_case("subnets") =>
        {
            Some(format!("{vnet}/{subnet}"))
        }
        _ => {
            let message = format!("{}: `{}` is not a subnet id: {id:?}", args.inst.address, args.what(key));
            args.error_with_help(
                ctx,
                key,
                message,
                "a subnet id ends in `/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>`",
            );
            None
        }
    }
}

/// The id of a child resource's parent: the id up to the child segment (`…/subnets/x` → the
/// VNet's id), lower-cased as ids compare.
pub(super) fn parent_id(id: &str, segment: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let at = lower.rfind(&format!("/{}/", segment.to_ascii_lowercase()))?;
    Some(lower[..at].to_string())
}

/// The address of the public IP an id names, computed from [`addresses::PUBLIC_POOL`] when the
/// configuration does not know it. An id naming no public IP of the import is reported.
pub(super) fn public_ip(ctx: &mut Ctx, args: &Args, key: &str, id: &str) -> Option<Yaml> {
    let pip = ctx.by_id(id);
    match pip.and_then(|pip| Some((pip, public_ip_of(ctx, pip)?))) {
        Some((_, (ip, false))) => Some(Yaml::Str(ip)),
        Some((pip, (ip, true))) => Some(ctx.computed(
            Yaml::Str(ip),
            format!("{} from vnetsim's synthetic public range {}", pip.address, addresses::PUBLIC_POOL),
        )),
        None => {
            let message = format!(
                "{}: `{}` names no public IP whose address the import knows: {id:?}",
                args.inst.address,
                args.what(key)
            );
            args.error_with_help(
                ctx,
                key,
                message,
                "declare the `azurerm_public_ip` in the configuration, or import a state that has its `ip_address`",
            );
            None
        }
    }
}

/// How a parent resource holds children both inline and as resources of their own (an NSG's
/// `security_rule` blocks and `azurerm_network_security_rule`, a route table's `route` blocks
/// and `azurerm_route`).
pub(super) struct Family {
    pub parent: &'static str,
    pub section: &'static str,
    /// The inline block, and the key its children are written under.
    pub block: &'static str,
    pub list: &'static str,
    pub child: &'static str,
    /// The child's id segment, and the argument naming its parent.
    pub segment: &'static str,
    pub parent_arg: &'static str,
}

/// Writes each parent with its inline children, then the child resources (each noted with its
/// own address) after the children of the parent their id names.
pub(super) fn map_family(
    ctx: &mut Ctx,
    family: &Family,
    head: impl Fn(&mut Ctx, &Args, &mut Obj),
    child: impl Fn(&mut Ctx, &Args) -> Option<Obj>,
) {
    let mut parents: Vec<(String, Note, Obj)> = Vec::new();
    for inst in ctx.of_type(family.parent) {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        head(ctx, &args, &mut obj);
        let children: Vec<Item> = (args.blocks(family.block).iter())
            .filter_map(|c| Some(Item { note: None, value: child(ctx, c)?.into_yaml() }))
            .collect();
        obj.set(family.list, Yaml::List(children));
        parents.push((id_of(inst), Ctx::note(inst), obj));
    }
    for inst in ctx.of_type(family.child) {
        let args = Args::of(inst);
        let parent = parent_id(&id_of(inst), family.segment);
        let Some((_, _, obj)) = parents.iter_mut().find(|(id, _, _)| Some(id) == parent.as_ref()) else {
            let message = format!(
                "{}: no `{}` of this configuration is named by `{}` in its resource group",
                inst.address, family.parent, family.parent_arg
            );
            args.error(ctx, family.parent_arg, message);
            continue;
        };
        if let Some(c) = child(ctx, &args) {
            obj.list_mut(family.list).push(Item { note: Some(Ctx::note(inst)), value: c.into_yaml() });
        }
    }
    for (_, note, obj) in parents {
        ctx.doc.push(family.section, note, obj);
    }
}

/// An instance's own id, lower-cased as ids compare.
pub(super) fn id_of(inst: &Instance) -> String {
    inst.attrs.get("id").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase()
}
