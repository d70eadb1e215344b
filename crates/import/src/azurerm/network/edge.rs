//! The network's edges: NAT gateways (O-2), Azure Bastion (H-4), virtual network gateways with
//! their IPsec connections to local network gateways (H-1..H-3).

use super::super::Ctx;
use super::{Args, id_of, name_of, public_ip, subnet_path};
use crate::doc::{Obj, Yaml};

pub(super) fn map(ctx: &mut Ctx) {
    nat_gateways(ctx);
    bastions(ctx);
    gateways(ctx);
}

/// A NAT gateway with the public IPs its association resources give it (and the deprecated
/// inline `public_ip_address_ids`).
fn nat_gateways(ctx: &mut Ctx) {
    let mut ips: Vec<(String, Yaml)> = Vec::new();
    for assoc in ctx.of_type("azurerm_nat_gateway_public_ip_association") {
        let args = Args::of(assoc);
        let (Some(gateway), Some(id)) =
            (args.required(ctx, "nat_gateway_id"), args.required(ctx, "public_ip_address_id"))
        else {
            continue;
        };
        if ctx.by_id(&gateway).is_none_or(|g| g.rtype != "azurerm_nat_gateway") {
            let message =
                format!("{}: `nat_gateway_id` names no NAT gateway of this configuration: {gateway:?}", assoc.address);
            args.error(ctx, "nat_gateway_id", message);
            continue;
        }
        if let Some(ip) = public_ip(ctx, &args, "public_ip_address_id", &id) {
            ips.push((gateway.to_ascii_lowercase(), ip));
        }
    }
    for inst in ctx.of_type("azurerm_nat_gateway") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        let mut public_ips: Vec<Yaml> = Vec::new();
        for id in args.strs(ctx, "public_ip_address_ids") {
            public_ips.extend(public_ip(ctx, &args, "public_ip_address_ids", &id));
        }
        let id = id_of(inst);
        public_ips.extend(ips.iter().filter(|(g, _)| *g == id).map(|(_, ip)| ip.clone()));
        obj.set("public_ips", Yaml::list(public_ips));
        ctx.doc.push("nat_gateways", Ctx::note(inst), obj);
    }
}

/// Azure Bastion: an endpoint of kind `bastion` in `AzureBastionSubnet`.
fn bastions(ctx: &mut Ctx) {
    for inst in ctx.of_type("azurerm_bastion_host") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        obj.set("kind", Yaml::str("bastion"));
        let Some(config) = args.block("ip_configuration") else {
            args.error(ctx, "ip_configuration", format!("{}: the block `ip_configuration` is required", inst.address));
            continue;
        };
        if let Some(id) = config.required(ctx, "subnet_id")
            && let Some(subnet) = subnet_path(ctx, &config, "subnet_id", &id)
        {
            obj.set("subnet", Yaml::Str(subnet));
        }
        if let Some(id) = config.str(ctx, "public_ip_address_id")
            && let Some(ip) = public_ip(ctx, &config, "public_ip_address_id", &id)
        {
            obj.set("public_ip", ip);
        }
        ctx.doc.push("endpoints", Ctx::note(inst), obj);
    }
}

/// Virtual network gateways, the on-premises networks of local network gateways, and the IPsec
/// connections between them. VNet-to-VNet and ExpressRoute connections are listed as not
/// modelled: the format connects a gateway to on-premises prefixes only.
fn gateways(ctx: &mut Ctx) {
    for inst in ctx.of_type("azurerm_local_network_gateway") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        let prefixes = args.strs(ctx, "address_space");
        if prefixes.is_empty() {
            let message = format!(
                "{}: a local network gateway without `address_space` gives no on-premises prefixes",
                inst.address
            );
            args.error_with_help(
                ctx,
                "address_space",
                message,
                "vnetsim does not learn routes over BGP: write the on-premises prefixes in `address_space`",
            );
        }
        obj.set("prefixes", Yaml::strs(prefixes));
        ctx.doc.push("on_premises", Ctx::note(inst), obj);
    }
    let mut connections: Vec<(String, String)> = Vec::new();
    for inst in ctx.of_type("azurerm_virtual_network_gateway_connection") {
        let args = Args::of(inst);
        let Some(kind) = args.required(ctx, "type") else { continue };
        if !kind.eq_ignore_ascii_case("IPsec") {
            args.not_modelled(ctx, None);
            continue;
        }
        let (Some(gateway), Some(local)) =
            (args.required(ctx, "virtual_network_gateway_id"), args.required(ctx, "local_network_gateway_id"))
        else {
            continue;
        };
        if let Some(name) = name_of(ctx, &args, "local_network_gateway_id", &local) {
            connections.push((gateway.to_ascii_lowercase(), name));
        }
    }
    for inst in ctx.of_type("azurerm_virtual_network_gateway") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        let kind = args.required(ctx, "type").unwrap_or_default();
        match kind.to_ascii_lowercase().as_str() {
            "vpn" => obj.set("kind", Yaml::str("vpn")),
            "expressroute" => obj.set("kind", Yaml::str("expressroute")),
            _ => {
                let message = format!("{}: unknown gateway `type` {kind:?}", inst.address);
                args.error_with_help(ctx, "type", message, "Azure's gateway types are Vpn and ExpressRoute");
                continue;
            }
        };
        if let Some(config) = args.block("ip_configuration")
            && let Some(id) = config.required(ctx, "subnet_id")
            && let Some(subnet) = subnet_path(ctx, &config, "subnet_id", &id)
        {
            let vnet = subnet.split('/').next().unwrap_or_default().to_string();
            obj.set("vnet", Yaml::Str(vnet));
        }
        let id = id_of(inst);
        let connected = connections.iter().filter(|(g, _)| *g == id).map(|(_, n)| n.clone());
        obj.set("connections", Yaml::strs(connected));
        ctx.doc.push("gateways", Ctx::note(inst), obj);
    }
}
