//! NSGs with their rules (inline `security_rule` blocks and `azurerm_network_security_rule`),
//! and application security groups (N-1, N-2, N-15).

use super::super::Ctx;
use super::{Args, id_of, names_of, one_or_list, parent_id};
use crate::doc::{Item, Note, Obj, Yaml};

pub(super) fn map(ctx: &mut Ctx) {
    for inst in ctx.of_type("azurerm_application_security_group") {
        if let Some(name) = Args::of(inst).required(ctx, "name") {
            ctx.doc.section("asgs").push(Item { note: Some(Ctx::note(inst)), value: Yaml::Str(name) });
        }
    }
    let mut nsgs: Vec<(String, Note, Obj)> = Vec::new();
    for inst in ctx.of_type("azurerm_network_security_group") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        let rules: Vec<Item> = (args.blocks("security_rule").iter())
            .filter_map(|rule| Some(Item { note: None, value: rule_obj(ctx, rule)?.into_yaml() }))
            .collect();
        obj.set("rules", Yaml::List(rules));
        nsgs.push((id_of(inst), Ctx::note(inst), obj));
    }
    for inst in ctx.of_type("azurerm_network_security_rule") {
        let args = Args::of(inst);
        let nsg_id = parent_id(&id_of(inst), "securityRules");
        let Some(nsg) = nsgs.iter_mut().find(|(id, _, _)| Some(id) == nsg_id.as_ref()) else {
            let message = format!(
                "{}: no `azurerm_network_security_group` of this configuration is named by `network_security_group_name` in its resource group",
                inst.address
            );
            args.error(ctx, "network_security_group_name", message);
            continue;
        };
        if let Some(rule) = rule_obj(ctx, &args) {
            nsg.2.list_mut("rules").push(Item { note: Some(Ctx::note(inst)), value: rule.into_yaml() });
        }
    }
    for (_, note, obj) in nsgs {
        ctx.doc.push("nsgs", note, obj);
    }
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
