//! Route tables with their routes (inline `route` blocks and `azurerm_route`), R-7, R-10.

use super::super::Ctx;
use super::{Args, id_of, parent_id};
use crate::doc::{Item, Note, Obj, Yaml};

/// The next hop types of Azure, as the scenario format spells them.
const NEXT_HOPS: [&str; 5] = ["VirtualAppliance", "VirtualNetworkGateway", "VnetLocal", "Internet", "None"];

pub(super) fn map(ctx: &mut Ctx) {
    let mut tables: Vec<(String, Note, Obj)> = Vec::new();
    for inst in ctx.of_type("azurerm_route_table") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        // v4 `bgp_route_propagation_enabled` (default true), v3 `disable_bgp_route_propagation`.
        let disabled = match args.bool(ctx, "bgp_route_propagation_enabled") {
            Some(enabled) => Some(!enabled),
            None => args.bool(ctx, "disable_bgp_route_propagation"),
        };
        if let Some(disabled) = disabled {
            obj.set("disable_bgp_route_propagation", Yaml::Bool(disabled));
        }
        let routes: Vec<Item> = (args.blocks("route").iter())
            .filter_map(|route| Some(Item { note: None, value: route_obj(ctx, route)?.into_yaml() }))
            .collect();
        obj.set("routes", Yaml::List(routes));
        tables.push((id_of(inst), Ctx::note(inst), obj));
    }
    for inst in ctx.of_type("azurerm_route") {
        let args = Args::of(inst);
        let table_id = parent_id(&id_of(inst), "routes");
        let Some(table) = tables.iter_mut().find(|(id, _, _)| Some(id) == table_id.as_ref()) else {
            let message = format!(
                "{}: no `azurerm_route_table` of this configuration is named by `route_table_name` in its resource group",
                inst.address
            );
            args.error(ctx, "route_table_name", message);
            continue;
        };
        if let Some(route) = route_obj(ctx, &args) {
            table.2.list_mut("routes").push(Item { note: Some(Ctx::note(inst)), value: route.into_yaml() });
        }
    }
    for (_, note, obj) in tables {
        ctx.doc.push("route_tables", note, obj);
    }
}

/// One route. `next_hop_in_ip_address` is often a firewall's private IP, known only after
/// apply: it gets the address vnetsim gives the firewall.
fn route_obj(ctx: &mut Ctx, args: &Args) -> Option<Obj> {
    let mut obj = Obj::new();
    obj.set("name", Yaml::Str(args.required(ctx, "name")?));
    obj.set("prefix", Yaml::Str(args.required(ctx, "address_prefix")?));
    let hop = args.required(ctx, "next_hop_type")?;
    let Some(&next_hop) = NEXT_HOPS.iter().find(|h| h.eq_ignore_ascii_case(&hop)) else {
        let message = format!("{}: unknown `{}` {hop:?}", args.inst.address, args.what("next_hop_type"));
        args.error_with_help(
            ctx,
            "next_hop_type",
            message,
            format!("Azure's next hop types are {}", NEXT_HOPS.join(", ")),
        );
        return None;
    };
    obj.set("next_hop", Yaml::str(next_hop));
    if let Some(ip) = args.str(ctx, "next_hop_in_ip_address").filter(|ip| !ip.is_empty()) {
        let computed = args.get("next_hop_in_ip_address").and_then(|v| v.find_unknown()).map(|c| c.address.clone());
        let ip = Yaml::Str(ip);
        obj.set(
            "next_hop_ip",
            match computed {
                Some(of) => ctx.computed(ip, format!("the private IP vnetsim gives {of}")),
                None => ip,
            },
        );
    }
    Some(obj)
}
