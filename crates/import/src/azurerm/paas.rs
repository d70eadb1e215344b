//! Private endpoints, private DNS zones and resolvers, storage accounts, Key Vaults, registries, Application Insights, service endpoint policies.
//!
//! Services are named by their Azure name; other resources reach them by id. A private DNS zone
//! is named by its DNS name, or `rg/zone` (with `zone:` giving the DNS name) when two zones of
//! the import share a name. DNS forwarding rulesets have no place in the scenario format (its
//! forwarding belongs to DNS server machines and on-premises networks): their types stay
//! unhandled, so the summary lists them as not modelled.

use super::{Ctx, ids};
use crate::doc::{Item, Obj, Yaml};
use crate::instance::Instance;
use crate::value::Value;

/// azurerm types the scenario has as services: the ARM type of their ids and the service kind.
pub(super) const SERVICE_TYPES: [(&str, &str, &str); 5] = [
    ("azurerm_storage_account", "Microsoft.Storage/storageAccounts", "storage_account"),
    ("azurerm_key_vault", "Microsoft.KeyVault/vaults", "key_vault"),
    ("azurerm_container_registry", "Microsoft.ContainerRegistry/registries", "container_registry"),
    ("azurerm_application_insights", "Microsoft.Insights/components", "application_insights"),
    ("azurerm_machine_learning_workspace", "Microsoft.MachineLearningServices/workspaces", "workspace"),
];

pub(super) fn map(ctx: &mut Ctx) {
    storage_accounts(ctx);
    key_vaults(ctx);
    registries(ctx);
    application_insights(ctx);
    let mut zones = zones(ctx);
    let mut pes = private_endpoints(ctx, &zones);
    a_records(ctx, &mut zones, &mut pes);
    for pe in pes {
        ctx.doc.push("private_endpoints", Ctx::note(pe.inst), pe.obj);
    }
    for z in zones {
        ctx.doc.push("private_dns_zones", Ctx::note(z.inst), z.obj);
    }
    resolver_inbound_endpoints(ctx);
    service_endpoint_policies(ctx);
}

// ---- reading ids and nested blocks ----

/// The `vnet/subnet` a subnet id names, read from the id (an inline `subnet {}` block and a
/// subnet written elsewhere have ids too); anything else is reported at `key`.
pub(super) fn subnet_path(ctx: &mut Ctx, inst: &Instance, key: &str, id: &str) -> Option<String> {
    super::network::subnet_path(ctx, &super::network::Args::of(inst), key, id)
}

/// The `vnet/subnet` of a top-level subnet id argument.
pub(super) fn subnet_arg(ctx: &mut Ctx, inst: &Instance, key: &str) -> Option<String> {
    let id = ctx.str_arg(inst, key)?;
    subnet_path(ctx, inst, key, &id)
}

/// The service a resource id names and its kind: the imported resource's name, else the name
/// read from the id. `None` when the id is no service the scenario has.
pub(super) fn service_of(ctx: &Ctx, id: &str) -> Option<(String, &'static str)> {
    if let Some(inst) = ctx.by_id(id) {
        let (_, _, kind) = SERVICE_TYPES.iter().find(|(t, _, _)| *t == inst.rtype)?;
        return Some((inst.attrs.get("name")?.to_plain_string()?, kind));
    }
    let parsed = ids::parse(id)?;
    let [(arm_type, name)] = parsed.segments[..] else { return None };
    let (_, _, kind) = SERVICE_TYPES.iter().find(|(_, t, _)| t.eq_ignore_ascii_case(arm_type))?;
    Some((name.to_string(), kind))
}

/// A string inside a nested block of `inst` (problems are located at the block's argument).
pub(super) fn nested_str(ctx: &mut Ctx, inst: &Instance, block: &str, b: &Value, key: &str) -> Option<String> {
    let v = b.get(key).filter(|v| !v.is_null())?;
    let s = v.to_plain_string();
    if s.is_none() {
        ctx.wrong_type(inst, block, v, &format!("`{key}`: a string"));
    }
    s
}

/// A list of strings inside a nested block (a single string is a list of one).
pub(super) fn nested_strs(ctx: &mut Ctx, inst: &Instance, block: &str, b: &Value, key: &str) -> Vec<String> {
    let Some(v) = b.get(key).filter(|v| !v.is_null()) else { return Vec::new() };
    let items = v.as_seq().map_or_else(|| vec![v.clone()], <[Value]>::to_vec);
    let mut out = Vec::new();
    for item in &items {
        match item.to_plain_string() {
            Some(s) => out.push(s),
            None => ctx.wrong_type(inst, block, item, &format!("`{key}`: a list of strings")),
        }
    }
    out
}

/// A service's `region`, written only where the location differs from the scenario's.
fn region(ctx: &Ctx, inst: &Instance, obj: &mut Obj) {
    let Some(location) = inst.arg("location").and_then(Value::as_str) else { return };
    let location: String = location.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    if ctx.doc.region.as_ref().is_some_and(|r| *r != location) {
        obj.set("region", Yaml::str(location));
    }
}

/// A service object: name, kind, region, and `public_network_access: Disabled` when
/// `public_network_access_enabled` is false (S-9, A-7).
pub(super) fn service(ctx: &mut Ctx, inst: &Instance, kind: &str) -> Option<Obj> {
    let name = ctx.required_str(inst, "name")?;
    let mut obj = Obj::new();
    obj.set("name", Yaml::str(name)).set("kind", Yaml::str(kind));
    region(ctx, inst, &mut obj);
    if ctx.bool_arg(inst, "public_network_access_enabled") == Some(false) {
        obj.set("public_network_access", Yaml::str("Disabled"));
    }
    Some(obj)
}

// ---- services ----

/// A resource firewall as the scenario writes it (S-9).
#[derive(Default)]
struct Firewall {
    default_action: Option<String>,
    ip_rules: Vec<String>,
    subnets: Vec<String>,
    instances: Vec<String>,
    bypass: Vec<String>,
}

impl Firewall {
    /// Storage `network_rules` (inline or `azurerm_storage_account_network_rules`) and Key Vault
    /// `network_acls`: the same keys.
    fn read(ctx: &mut Ctx, inst: &Instance, block: &str, b: &Value) -> Firewall {
        let mut subnets = Vec::new();
        for id in nested_strs(ctx, inst, block, b, "virtual_network_subnet_ids") {
            subnets.extend(subnet_path(ctx, inst, block, &id));
        }
        // Resource instance rules admit a service's managed identity: only services can be a
        // `from:`, so other resources are left out.
        let instances = (b.get("private_link_access").and_then(Value::as_seq).unwrap_or_default().iter())
            .filter_map(|a| service_of(ctx, a.get("endpoint_resource_id")?.as_str()?).map(|(name, _)| name))
            .collect();
        Firewall {
            default_action: nested_str(ctx, inst, block, b, "default_action"),
            ip_rules: nested_strs(ctx, inst, block, b, "ip_rules"),
            subnets,
            instances,
            bypass: nested_strs(ctx, inst, block, b, "bypass"),
        }
    }

    fn into_yaml(self) -> Yaml {
        let mut obj = Obj::new();
        if let Some(a) = self.default_action {
            obj.set("default_action", Yaml::str(a));
        }
        for (key, values) in [
            ("ip_rules", self.ip_rules),
            ("virtual_network_rules", self.subnets),
            ("resource_instances", self.instances),
            ("bypass", self.bypass),
        ] {
            if !values.is_empty() {
                obj.set(key, Yaml::strs(values));
            }
        }
        obj.into_yaml()
    }
}

fn storage_accounts(ctx: &mut Ctx) {
    // A separate network rules resource replaces the account's inline block.
    let separate: Vec<(String, &Instance)> = (ctx.of_type("azurerm_storage_account_network_rules"))
        .filter_map(|r| Some((r.arg("storage_account_id")?.as_str()?.to_ascii_lowercase(), r)))
        .collect();
    let accounts: Vec<&Instance> = ctx.of_type("azurerm_storage_account").collect();
    for &(ref id, r) in &separate {
        if !accounts.iter().any(|s| s.arg("id").and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(id))) {
            ctx.error(r, "storage_account_id", format!("{}: no imported storage account has the id {id}", r.address));
        }
    }
    for inst in accounts {
        let Some(mut obj) = service(ctx, inst, "storage_account") else { continue };
        let id = inst.arg("id").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let rules = match separate.iter().find(|(of, _)| *of == id) {
            Some((_, r)) => Some(Firewall::read(ctx, r, "default_action", &r.attrs)),
            None => Ctx::blocks(inst, "network_rules").first().map(|b| Firewall::read(ctx, inst, "network_rules", b)),
        };
        if let Some(rules) = rules {
            obj.set("network_rules", rules.into_yaml());
        }
        ctx.doc.push("services", Ctx::note(inst), obj);
    }
}

fn key_vaults(ctx: &mut Ctx) {
    for inst in ctx.of_type("azurerm_key_vault") {
        let Some(mut obj) = service(ctx, inst, "key_vault") else { continue };
        if let Some(b) = Ctx::blocks(inst, "network_acls").first() {
            obj.set("network_rules", Firewall::read(ctx, inst, "network_acls", b).into_yaml());
        }
        ctx.doc.push("services", Ctx::note(inst), obj);
    }
}

fn registries(ctx: &mut Ctx) {
    for inst in ctx.of_type("azurerm_container_registry") {
        let Some(mut obj) = service(ctx, inst, "container_registry") else { continue };
        let sku = ctx.str_arg(inst, "sku");
        if let Some(sku) = &sku {
            obj.set("sku", Yaml::str(sku));
        }
        // Network rules exist only on Premium (S-12); Azure refuses them on the others.
        let premium = sku.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Premium"));
        if let (true, Some(b)) = (premium, Ctx::blocks(inst, "network_rule_set").first()) {
            let mut rules = Firewall {
                default_action: nested_str(ctx, inst, "network_rule_set", b, "default_action"),
                ..Firewall::default()
            };
            for rule in b.get("ip_rule").and_then(Value::as_seq).unwrap_or_default() {
                rules.ip_rules.extend(nested_str(ctx, inst, "network_rule_set", rule, "ip_range"));
            }
            for net in b.get("virtual_network").and_then(Value::as_seq).unwrap_or_default() {
                if let Some(id) = nested_str(ctx, inst, "network_rule_set", net, "subnet_id") {
                    rules.subnets.extend(subnet_path(ctx, inst, "network_rule_set", &id));
                }
            }
            if ctx.str_arg(inst, "network_rule_bypass_option").is_some_and(|b| b.eq_ignore_ascii_case("AzureServices"))
            {
                rules.bypass.push("AzureServices".into());
            }
            obj.set("network_rules", rules.into_yaml());
        }
        ctx.doc.push("services", Ctx::note(inst), obj);
    }
}

fn application_insights(ctx: &mut Ctx) {
    for inst in ctx.of_type("azurerm_application_insights") {
        let Some(mut obj) = service(ctx, inst, "application_insights") else { continue };
        // What compute sends is ingestion: with it off, the public endpoint refuses telemetry.
        if ctx.bool_arg(inst, "internet_ingestion_enabled") == Some(false) {
            obj.set("public_network_access", Yaml::str("Disabled"));
        }
        ctx.doc.push("services", Ctx::note(inst), obj);
    }
}

// ---- private DNS zones ----

struct Zone<'i> {
    inst: &'i Instance,
    rg: String,
    /// The DNS name, lower-cased.
    dns: String,
    /// The scenario object name: the DNS name, or `rg/zone` when another zone has the name.
    object: String,
    obj: Obj,
}

fn zones<'i>(ctx: &mut Ctx<'i>) -> Vec<Zone<'i>> {
    let mut zones: Vec<Zone<'i>> = Vec::new();
    for inst in ctx.of_type("azurerm_private_dns_zone") {
        let Some(name) = ctx.required_str(inst, "name") else { continue };
        let rg = inst.arg("resource_group_name").and_then(Value::to_plain_string).unwrap_or_default();
        let dns = name.trim_end_matches('.').to_ascii_lowercase();
        zones.push(Zone { inst, rg, object: dns.clone(), dns, obj: Obj::new() });
    }
    for i in 0..zones.len() {
        let shared = zones.iter().filter(|z| z.dns == zones[i].dns).count() > 1;
        let z = &mut zones[i];
        if shared {
            z.object = format!("{}/{}", z.rg, z.dns);
        }
        z.obj.set("name", Yaml::str(&z.object));
        if shared {
            z.obj.set("zone", Yaml::str(&z.dns));
        }
    }
    for link in ctx.of_type("azurerm_private_dns_zone_virtual_network_link") {
        let (Some(zone), Some(vnet_id)) =
            (ctx.required_str(link, "private_dns_zone_name"), ctx.required_str(link, "virtual_network_id"))
        else {
            continue;
        };
        let rg = link.arg("resource_group_name").and_then(Value::to_plain_string).unwrap_or_default();
        let Some(z) = zone_named(&mut zones, &rg, &zone) else {
            ctx.error_with_help(
                link,
                "private_dns_zone_name",
                format!("{}: the zone {zone} of resource group {rg} is not in the import", link.address),
                "import the configuration that creates the zone too, or write the zone and its links in the scenario",
            );
            continue;
        };
        let vnet = match ids::parse(&vnet_id).as_ref().map(|p| &p.segments[..]) {
            Some([(t, vnet)]) if t.eq_ignore_ascii_case("Microsoft.Network/virtualNetworks") => vnet.to_string(),
            _ => {
                ctx.error(link, "virtual_network_id", format!("{}: not a VNet id: {vnet_id}", link.address));
                continue;
            }
        };
        let policy = ctx.str_arg(link, "resolution_policy").filter(|p| !p.eq_ignore_ascii_case("Default"));
        let value = match policy {
            Some(p) => {
                let mut o = Obj::new();
                o.set("vnet", Yaml::str(vnet)).set("resolution_policy", Yaml::str(p));
                o.into_yaml()
            }
            None => Yaml::str(vnet),
        };
        z.obj.list_mut("links").push(Item { note: Some(Ctx::note(link)), value });
    }
    zones
}

/// The imported zone of a resource group by DNS name (compared as Azure compares names).
fn zone_named<'a, 'i>(zones: &'a mut [Zone<'i>], rg: &str, dns: &str) -> Option<&'a mut Zone<'i>> {
    let dns = dns.trim_end_matches('.');
    zones.iter_mut().find(|z| z.rg.eq_ignore_ascii_case(rg) && z.dns.eq_ignore_ascii_case(dns))
}

// ---- private endpoints ----

struct Pe<'i> {
    inst: &'i Instance,
    obj: Obj,
    /// The target service's name.
    target: String,
    /// The imported zones of its DNS zone group, by index, and the A record that stood for the
    /// zone group (its address being this endpoint's) for a zone a record added.
    zone_group: Vec<(usize, Option<String>)>,
}

fn private_endpoints<'i>(ctx: &mut Ctx<'i>, zones: &[Zone<'i>]) -> Vec<Pe<'i>> {
    let mut pes = Vec::new();
    for inst in ctx.of_type("azurerm_private_endpoint") {
        let (Some(name), Some(subnet)) = (ctx.required_str(inst, "name"), subnet_arg(ctx, inst, "subnet_id")) else {
            continue;
        };
        let Some(conn) = Ctx::blocks(inst, "private_service_connection").first().copied() else {
            ctx.error(
                inst,
                "private_service_connection",
                format!("{}: needs a private_service_connection", inst.address),
            );
            continue;
        };
        let block = "private_service_connection";
        let Some(resource) = nested_str(ctx, inst, block, conn, "private_connection_resource_id") else {
            // A connection by alias reaches a service outside the configuration.
            not_modelled(ctx, inst);
            continue;
        };
        let Some((target, _)) = service_of(ctx, &resource) else {
            // A resource the scenario has no service kind for (SQL, Cosmos DB, a Private Link
            // scope): the endpoint may change verdicts, so it is listed.
            not_modelled(ctx, inst);
            continue;
        };
        let Some(subresource) = nested_strs(ctx, inst, block, conn, "subresource_names").into_iter().next() else {
            ctx.error(inst, block, format!("{}: `subresource_names` names no subresource", inst.address));
            continue;
        };
        let subresource = subresource.to_ascii_lowercase();
        let mut obj = Obj::new();
        obj.set("name", Yaml::str(name)).set("subnet", Yaml::str(subnet));
        let static_ip = Ctx::blocks(inst, "ip_configuration")
            .iter()
            .find_map(|b| nested_str(ctx, inst, "ip_configuration", b, "private_ip_address"));
        if let Some(ip) = static_ip {
            obj.set("ip", Yaml::str(ip));
        }
        obj.set("target", Yaml::str(&target)).set("subresource", Yaml::str(&subresource));
        if conn.get("is_manual_connection").and_then(Value::as_bool) == Some(true) {
            // P-3: a manual connection waits for the resource owner's approval, outside Terraform.
            let pending =
                ctx.computed(Yaml::str("Pending"), "is_manual_connection: approved outside this configuration");
            obj.set("connection_state", pending);
        }
        let mut zone_group = Vec::new();
        let mut listed_zones = false;
        for b in &Ctx::blocks(inst, "private_dns_zone_group") {
            for id in nested_strs(ctx, inst, "private_dns_zone_group", b, "private_dns_zone_ids") {
                listed_zones = true;
                // A zone outside the import (a hub's, read by a data source) is not named here:
                // the endpoint registers in the scenario's zone of that name, if it writes one.
                let found = ctx.by_id(&id).and_then(|z| zones.iter().position(|x| std::ptr::eq(x.inst, z)));
                zone_group.extend(found.map(|z| (z, None)));
            }
        }
        // A zone group registers only in the zones it lists: one listing none registers nothing.
        obj.set("register_dns", Yaml::Bool(listed_zones));
        let mut pe = Pe { inst, obj, target, zone_group };
        set_dns_zones(ctx, &mut pe, zones);
        pes.push(pe);
    }
    pes
}

fn set_dns_zones(ctx: &mut Ctx, pe: &mut Pe<'_>, zones: &[Zone<'_>]) {
    if pe.zone_group.is_empty() {
        return;
    }
    let mut names = Vec::new();
    for (z, record) in &pe.zone_group {
        let name = Yaml::str(&zones[*z].object);
        names.push(match record {
            Some(record) => ctx.computed(name, format!("{record} holds this endpoint's address")),
            None => name,
        });
    }
    pe.obj.set("register_dns", Yaml::Bool(true));
    pe.obj.set("dns_zones", Yaml::list(names));
}

/// A resource whose type is mapped but that this instance's settings put out of the model.
pub(super) fn not_modelled(ctx: &mut Ctx, inst: &Instance) {
    let listed = Ctx::listed(inst);
    ctx.summary.not_modelled.push(listed);
}

// ---- A records ----

/// Written A records. An address known only after apply that is a private endpoint's is what
/// Azure's DNS zone group would register: the record is left to the endpoint (its zone joins
/// the endpoint's `dns_zones` when the record has the target's name), so the loader's address
/// for the endpoint is the one the zone answers.
fn a_records<'i>(ctx: &mut Ctx<'i>, zones: &mut [Zone<'i>], pes: &mut [Pe<'i>]) {
    for inst in ctx.of_type("azurerm_private_dns_a_record") {
        let (Some(name), Some(zone)) = (ctx.required_str(inst, "name"), ctx.required_str(inst, "zone_name")) else {
            continue;
        };
        let rg = inst.arg("resource_group_name").and_then(Value::to_plain_string).unwrap_or_default();
        let Some(zi) = zones
            .iter()
            .position(|z| z.rg.eq_ignore_ascii_case(&rg) && z.dns.eq_ignore_ascii_case(zone.trim_end_matches('.')))
        else {
            ctx.error(
                inst,
                "zone_name",
                format!("{}: the zone {zone} of resource group {rg} is not in the import", inst.address),
            );
            continue;
        };
        let records = inst.arg("records").and_then(Value::as_seq).unwrap_or_default();
        // One A record per name in the scenario (D-9): a record set's first address answers.
        let Some(first) = records.first() else { continue };
        let ip = match first {
            Value::Unknown(c) => {
                let Some(pe) = pes.iter_mut().find(|p| p.inst.address == c.address) else {
                    ctx.wrong_type(inst, "records", first, "a list of IP addresses");
                    continue;
                };
                if pe.zone_group.iter().any(|(z, _)| *z == zi) {
                    continue;
                }
                if !name.eq_ignore_ascii_case(&pe.target) {
                    ctx.error_with_help(
                        inst,
                        "records",
                        format!(
                            "{}: the record `{name}` points at {}'s address, known only after apply, but is not named like its target `{}`",
                            inst.address, c.address, pe.target
                        ),
                        "give the private endpoint a static address (ip_configuration) or a private_dns_zone_group",
                    );
                    continue;
                }
                pe.zone_group.push((zi, Some(inst.address.clone())));
                set_dns_zones(ctx, pe, zones);
                continue;
            }
            v => match v.to_plain_string() {
                Some(ip) => ip,
                None => {
                    ctx.wrong_type(inst, "records", v, "a list of IP addresses");
                    continue;
                }
            },
        };
        let mut rec = Obj::new();
        rec.set("name", Yaml::str(name)).set("ip", Yaml::str(ip));
        zones[zi].obj.list_mut("records").push(Item { note: Some(Ctx::note(inst)), value: rec.into_yaml() });
    }
}

// ---- DNS Private Resolver ----

/// D-7: an inbound endpoint is a `dns_resolver` endpoint in its subnet. The resolver itself is
/// the inbound endpoint's VNet, which the subnet gives.
fn resolver_inbound_endpoints(ctx: &mut Ctx) {
    // The resolver is its inbound endpoints' VNet: mapped through them.
    let _ = ctx.of_type("azurerm_private_dns_resolver");
    for inst in ctx.of_type("azurerm_private_dns_resolver_inbound_endpoint") {
        let Some(name) = ctx.required_str(inst, "name") else { continue };
        let Some(conf) = Ctx::blocks(inst, "ip_configurations").first().copied() else {
            ctx.error(inst, "ip_configurations", format!("{}: needs ip_configurations", inst.address));
            continue;
        };
        let Some(subnet_id) = nested_str(ctx, inst, "ip_configurations", conf, "subnet_id") else {
            ctx.error(inst, "ip_configurations", format!("{}: ip_configurations needs a subnet_id", inst.address));
            continue;
        };
        let Some(subnet) = subnet_path(ctx, inst, "ip_configurations", &subnet_id) else { continue };
        let mut obj = Obj::new();
        obj.set("name", Yaml::str(name)).set("kind", Yaml::str("dns_resolver")).set("subnet", Yaml::str(subnet));
        let method = nested_str(ctx, inst, "ip_configurations", conf, "private_ip_allocation_method");
        if method.is_some_and(|m| m.eq_ignore_ascii_case("Static"))
            && let Some(ip) = nested_str(ctx, inst, "ip_configurations", conf, "private_ip_address")
        {
            obj.set("ip", Yaml::str(ip));
        }
        ctx.doc.push("endpoints", Ctx::note(inst), obj);
    }
}

// ---- service endpoint policies ----

/// S-5, S-6: a policy's definitions list storage accounts by id, every account of a resource
/// group or subscription by its id, or aliases (`/services/Azure/...`).
fn service_endpoint_policies(ctx: &mut Ctx) {
    let accounts: Vec<(String, String)> = (ctx.instances.iter())
        .filter(|i| i.rtype == "azurerm_storage_account" && i.mode == crate::instance::Mode::Managed)
        .filter_map(|i| {
            let rg = i.arg("resource_group_name")?.to_plain_string()?;
            Some((rg, i.arg("name")?.to_plain_string()?))
        })
        .collect();
    for inst in ctx.of_type("azurerm_subnet_service_endpoint_storage_policy") {
        let Some(name) = ctx.required_str(inst, "name") else { continue };
        let mut resources: Vec<String> = Vec::new();
        for def in Ctx::blocks(inst, "definition") {
            for r in nested_strs(ctx, inst, "definition", def, "service_resources") {
                let found: Vec<String> = if r.starts_with("/services/") {
                    vec![r]
                } else if let Some((account, _)) = service_of(ctx, &r) {
                    vec![account]
                } else {
                    match ids::parse(&r) {
                        // A resource group: its accounts.
                        Some(p) if p.segments.is_empty() => (accounts.iter())
                            .filter(|(rg, _)| rg.eq_ignore_ascii_case(p.resource_group))
                            .map(|(_, n)| n.clone())
                            .collect(),
                        // A subscription (ids::parse needs a resource group): every account.
                        None if r.trim_matches('/').split('/').count() == 2 => {
                            accounts.iter().map(|(_, n)| n.clone()).collect()
                        }
                        _ => {
                            ctx.error(
                                inst,
                                "definition",
                                format!("{}: `{r}` is no storage account, scope or alias", inst.address),
                            );
                            Vec::new()
                        }
                    }
                };
                for f in found {
                    if !resources.contains(&f) {
                        resources.push(f);
                    }
                }
            }
        }
        let mut obj = Obj::new();
        obj.set("name", Yaml::str(name)).set("resources", Yaml::strs(resources));
        ctx.doc.push("service_endpoint_policies", Ctx::note(inst), obj);
    }
}
