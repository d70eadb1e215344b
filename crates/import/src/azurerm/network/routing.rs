//! Route tables with their routes (inline `route` blocks and `azurerm_route`), R-7, R-10.

use super::super::Ctx;
use super::{Args, Family, map_family};
use crate::doc::{Obj, Yaml};

/// The next hop types of Azure, as the scenario format spells them.
const NEXT_HOPS: [&str; 5] = ["VirtualAppliance", "VirtualNetworkGateway", "VnetLocal", "Internet", "None"];

pub(super) fn map(ctx: &mut Ctx) {
    let family = Family {
        parent: "azurerm_route_table",
        section: "route_tables",
        block: "route",
        list: "routes",
        child: "azurerm_route",
        segment: "routes",
        parent_arg: "route_table_name",
    };
    map_family(ctx, &family, bgp_propagation, route_obj);
}

/// v4 `bgp_route_propagation_enabled` (default true), v3 `disable_bgp_route_propagation`.
fn bgp_propagation(ctx: &mut Ctx, args: &Args, obj: &mut Obj) {
    let disabled = match args.bool(ctx, "bgp_route_propagation_enabled") {
        Some(enabled) => Some(!enabled),
        None => args.bool(ctx, "disable_bgp_route_propagation"),
    };
    if let Some(disabled) = disabled {
        obj.set("disable_bgp_route_propagation", Yaml::Bool(disabled));
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
