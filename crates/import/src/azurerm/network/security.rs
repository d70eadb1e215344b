//! NSGs with their rules (inline `security_rule` blocks and `azurerm_network_security_rule`),
//! and application security groups (N-1, N-2, N-15).

use super::super::Ctx;
use super::{Args, Family, map_family, names_of, one_or_list};
use crate::doc::{Item, Obj, Yaml};

pub(super) fn map(ctx: &mut Ctx) {
    for inst in ctx.of_type("azurerm_application_security_group") {
        if let Some(name) = Args::of(inst).required(ctx, "name") {
            ctx.doc.section("asgs").push(Item { note: Some(Ctx::note(inst)), value: Yaml::Str(name) });
        }
    }
    let family = Family {
        parent: "azurerm_network_security_group",
        section: "nsgs",
        block: "security_rule",
        list: "rules",
        child: "azurerm_network_security_rule",
        segment: "securityRules",
        parent_arg: "network_security_group_name",
    };
    map_family(ctx, &family, |_, _, _| {}, rule_obj);
}

/// One security rule. Azure writes keywords capitalised (`Inbound`, `Allow`, `Tcp`); the
/// format reads them case-insensitively, so they are written lower-cased as its examples are.
fn rule_obj(ctx: &mut Ctx, args: &Args) -> Option<Obj> {
    let mut obj = Obj::new();
    obj.set("name", Yaml::Str(args.required(ctx, "name")?));
    obj.set("priority", Yaml::Int(args.int(ctx, "priority")?));
    for key in ["direction", "access", "protocol"] {
        if let Some(v) = args.required(ctx, key) {
            obj.set(key, Yaml::Str(v.to_ascii_lowercase()));
        }
    }
    for side in ["source", "destination"] {
        if let Some(address) = address_field(ctx, args, side) {
            obj.set(side, address);
        }
        if let Some(ports) = ports(ctx, args, side) {
            obj.set(&format!("{side}_ports"), ports);
        }
    }
    Some(obj)
}

/// N-2: a side's prefix, prefixes, or ASGs (by id); none means `*`.
fn address_field(ctx: &mut Ctx, args: &Args, side: &str) -> Option<Yaml> {
    let mut values = args.strs(ctx, &format!("{side}_address_prefix"));
    values.extend(args.strs(ctx, &format!("{side}_address_prefixes")));
    values.extend(names_of(ctx, args, &format!("{side}_application_security_group_ids")));
    (!values.is_empty()).then(|| one_or_list(values))
}

/// A side's `*_port_range` or `*_port_ranges`; none means `*`.
fn ports(ctx: &mut Ctx, args: &Args, side: &str) -> Option<Yaml> {
    let mut values = args.strs(ctx, &format!("{side}_port_range"));
    values.extend(args.strs(ctx, &format!("{side}_port_ranges")));
    (!values.is_empty()).then(|| one_or_list(values))
}
