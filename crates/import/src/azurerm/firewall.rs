//! Azure Firewalls, firewall policies and rule collection groups, classic rule collections, IP groups.
//!
//! A firewall's private IP is the first usable address of its `AzureFirewallSubnet`, as Azure
//! gives it (routes that name it get the same address, see `network::resolve_computed`). A
//! firewall with classic rule collections (`azurerm_firewall_*_rule_collection`) gets a policy
//! vnetsim generates, `<firewall>-classic-policy`, holding them in one group per kind (Azure
//! gives each kind of classic collection its own priorities): classic and policy rules are
//! evaluated alike (F-3: DNAT, then network, then application collections, each by priority).

use super::Ctx;
use super::ids;
use super::network::{Args, firewall_ip, id_of, name_of, names_of, public_ip, subnet_path};
use crate::doc::{Item, Note, Obj, Yaml};
use crate::value::Value;
use std::collections::BTreeMap;

/// The groups that hold a classic firewall's DNAT, network and application rule collections in
/// its generated policy, with their priorities.
const CLASSIC_GROUPS: [(&str, i64); 3] = [
    ("classic-dnat-rule-collections", 100),
    ("classic-network-rule-collections", 200),
    ("classic-application-rule-collections", 300),
];

/// Classic collections by firewall: each with its group in [`CLASSIC_GROUPS`].
type Classic = BTreeMap<String, Vec<(usize, Note, Yaml)>>;

struct Policy {
    id: String,
    note: Note,
    obj: Obj,
}

pub(super) fn map(ctx: &mut Ctx) {
    ip_groups(ctx);
    let mut policies = policies(ctx);
    rule_collection_groups(ctx, &mut policies);
    let classic = classic_collections(ctx);
    firewalls(ctx, &mut policies, classic);
    for policy in policies {
        ctx.doc.push("firewall_policies", policy.note, policy.obj);
    }
}

/// `azurerm_ip_group` with its `cidrs`, and the `azurerm_ip_group_cidr` resources that add one.
fn ip_groups(ctx: &mut Ctx) {
    let mut groups: Vec<(String, Note, Obj)> = Vec::new();
    for inst in ctx.of_type("azurerm_ip_group") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        obj.set("prefixes", Yaml::strs(args.strs(ctx, "cidrs")));
        groups.push((id_of(inst), Ctx::note(inst), obj));
    }
    for inst in ctx.of_type("azurerm_ip_group_cidr") {
        let args = Args::of(inst);
        let (Some(group), Some(cidr)) = (args.required(ctx, "ip_group_id"), args.required(ctx, "cidr")) else {
            continue;
        };
        match groups.iter_mut().find(|(id, _, _)| id.eq_ignore_ascii_case(&group)) {
            Some((_, _, obj)) => obj.list_mut("prefixes").push(Item { note: None, value: Yaml::Str(cidr) }),
            None => {
                let message =
                    format!("{}: `ip_group_id` names no IP group of this configuration: {group:?}", inst.address);
                args.error(ctx, "ip_group_id", message);
            }
        }
    }
    for (_, note, obj) in groups {
        ctx.doc.push("ip_groups", note, obj);
    }
}

/// `azurerm_firewall_policy`: parent, DNS proxy (F-11) and SNAT ranges (F-12). Threat
/// intelligence is ignored; IDPS in `Deny` mode, which drops what its signatures match, is
/// listed as not modelled.
fn policies(ctx: &mut Ctx) -> Vec<Policy> {
    let mut out = Vec::new();
    for inst in ctx.of_type("azurerm_firewall_policy") {
        let args = Args::of(inst);
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        if let Some(id) = args.str(ctx, "base_policy_id")
            && let Some(parent) = name_of(ctx, &args, "base_policy_id", &id)
        {
            obj.set("parent", Yaml::Str(parent));
        }
        if let Some(dns) = args.block("dns") {
            dns_keys(ctx, &mut obj, &dns, "proxy_enabled", "servers");
        }
        snat_keys(ctx, &mut obj, &args);
        if let Some(idps) = args.block("intrusion_detection")
            && idps.str(ctx, "mode").is_some_and(|m| m.eq_ignore_ascii_case("Deny"))
        {
            idps.not_modelled(ctx, Some("intrusion_detection"));
        }
        obj.set("rule_collection_groups", Yaml::List(Vec::new()));
        out.push(Policy { id: id_of(inst), note: Ctx::note(inst), obj });
    }
    out
}

/// `dns_proxy` and `dns_servers` from a policy's `dns` block or a classic firewall's arguments.
fn dns_keys(ctx: &mut Ctx, obj: &mut Obj, args: &Args, proxy: &str, servers: &str) {
    if let Some(enabled) = args.bool(ctx, proxy) {
        obj.set("dns_proxy", Yaml::Bool(enabled));
    }
    let servers = args.strs(ctx, servers);
    if !servers.is_empty() {
        obj.set("dns_servers", Yaml::strs(servers));
    }
}

/// F-12: `private_ip_ranges` is the list of ranges not SNATed.
fn snat_keys(ctx: &mut Ctx, obj: &mut Obj, args: &Args) {
    if args.get("private_ip_ranges").is_some() {
        obj.set("snat_private_ranges", Yaml::strs(args.strs(ctx, "private_ip_ranges")));
    }
}

/// `azurerm_firewall_policy_rule_collection_group`, into the policy `firewall_policy_id` names.
fn rule_collection_groups(ctx: &mut Ctx, policies: &mut [Policy]) {
    for inst in ctx.of_type("azurerm_firewall_policy_rule_collection_group") {
        let args = Args::of(inst);
        let Some(policy_id) = args.required(ctx, "firewall_policy_id") else { continue };
        let Some(at) = policies.iter().position(|p| p.id.eq_ignore_ascii_case(&policy_id)) else {
            let message = format!(
                "{}: `firewall_policy_id` names no firewall policy of this configuration: {policy_id:?}",
                inst.address
            );
            args.error(ctx, "firewall_policy_id", message);
            continue;
        };
        let mut group = Obj::new();
        group.set("name", Yaml::Str(args.required(ctx, "name").unwrap_or_default()));
        if let Some(priority) = args.int(ctx, "priority") {
            group.set("priority", Yaml::Int(priority));
        }
        let mut collections = Vec::new();
        for (block, kind) in [
            ("nat_rule_collection", Kind::Dnat),
            ("network_rule_collection", Kind::Network),
            ("application_rule_collection", Kind::Application),
        ] {
            for c in args.blocks(block) {
                collections.extend(collection(ctx, &c, kind, Spelling::Policy));
            }
        }
        group.set("rule_collections", Yaml::list(collections));
        policies[at]
            .obj
            .list_mut("rule_collection_groups")
            .push(Item { note: Some(Ctx::note(inst)), value: group.into_yaml() });
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Network,
    Application,
    Dnat,
}

/// Policy rules and classic rules name a few arguments differently.
#[derive(Clone, Copy, PartialEq)]
enum Spelling {
    Policy,
    Classic,
}

/// One rule collection and its rules (F-2). A rule the format cannot express is listed as not
/// modelled and left out.
fn collection(ctx: &mut Ctx, c: &Args, kind: Kind, spelling: Spelling) -> Option<Yaml> {
    let mut obj = Obj::new();
    let name = c.required(ctx, "name")?;
    obj.set("name", Yaml::Str(name.clone()));
    obj.set("priority", Yaml::Int(c.int(ctx, "priority")?));
    let action = c.required(ctx, "action")?;
    match kind {
        Kind::Dnat if !action.eq_ignore_ascii_case("Dnat") => {
            // Classic SNAT collections have no counterpart: the firewall SNATs by F-12 itself.
            c.not_modelled(ctx, Some(&format!("{}[{name}]", c.what("action"))));
            return None;
        }
        Kind::Dnat => {
            obj.set("type", Yaml::str("dnat"));
        }
        Kind::Network | Kind::Application => {
            obj.set("type", Yaml::str(if kind == Kind::Network { "network" } else { "application" }));
            obj.set("action", Yaml::Str(action.to_ascii_lowercase()));
        }
    }
    let rules: Vec<Yaml> = (c.blocks("rule").iter()).filter_map(|r| rule(ctx, r, kind, spelling, &name)).collect();
    obj.set("rules", Yaml::list(rules));
    Some(obj.into_yaml())
}

fn rule(ctx: &mut Ctx, r: &Args, kind: Kind, spelling: Spelling, collection: &str) -> Option<Yaml> {
    let mut obj = Obj::new();
    let name = r.required(ctx, "name")?;
    obj.set("name", Yaml::Str(name.clone()));
    let unsupported = |keys: &[&'static str]| keys.iter().copied().find(|k| r.get(k).is_some_and(|v| !is_empty(v)));
    let lists = |ctx: &mut Ctx, obj: &mut Obj, pairs: &[(&str, &str)]| {
        for &(from, to) in pairs {
            let values = r.strs(ctx, from);
            if !values.is_empty() {
                obj.set(to, Yaml::strs(values));
            }
        }
    };
    let groups = |ctx: &mut Ctx, obj: &mut Obj, keys: &[&str]| {
        for &key in keys {
            let names = names_of(ctx, r, key);
            if !names.is_empty() {
                obj.set(key, Yaml::strs(names));
            }
        }
    };
    let left_out = match kind {
        Kind::Application => unsupported(&["destination_addresses", "destination_urls", "web_categories"]),
        Kind::Dnat => unsupported(&["translated_fqdn"]),
        Kind::Network => None,
    };
    if let Some(key) = left_out {
        r.not_modelled(ctx, Some(&format!("rule[{collection}/{name}].{key}")));
        return None;
    }
    lists(ctx, &mut obj, &[("source_addresses", "source_addresses")]);
    groups(ctx, &mut obj, &["source_ip_groups"]);
    match kind {
        Kind::Network => {
            let protocols: Vec<String> = r.strs(ctx, "protocols").iter().map(|p| p.to_ascii_lowercase()).collect();
            obj.set("protocols", Yaml::strs(protocols));
            lists(ctx, &mut obj, &[("destination_addresses", "destination_addresses")]);
            groups(ctx, &mut obj, &["destination_ip_groups"]);
            lists(
                ctx,
                &mut obj,
                &[("destination_fqdns", "destination_fqdns"), ("destination_ports", "destination_ports")],
            );
        }
        Kind::Application => {
            let block = if spelling == Spelling::Policy { "protocols" } else { "protocol" };
            let protocols: Vec<String> = (r.blocks(block).iter())
                .filter_map(|p| {
                    let kind = p.required(ctx, "type")?;
                    Some(match p.str(ctx, "port") {
                        Some(port) => format!("{kind}:{port}"),
                        None => kind,
                    })
                })
                .collect();
            obj.set("protocols", Yaml::strs(protocols));
            let (fqdns, tags) = match spelling {
                Spelling::Policy => ("destination_fqdns", "destination_fqdn_tags"),
                Spelling::Classic => ("target_fqdns", "fqdn_tags"),
            };
            lists(ctx, &mut obj, &[(fqdns, "target_fqdns"), (tags, "fqdn_tags")]);
        }
        Kind::Dnat => {
            let protocols: Vec<String> = r.strs(ctx, "protocols").iter().map(|p| p.to_ascii_lowercase()).collect();
            obj.set("protocols", Yaml::strs(protocols));
            let destination = match spelling {
                Spelling::Policy => r.required(ctx, "destination_address"),
                Spelling::Classic => {
                    let all = r.strs(ctx, "destination_addresses");
                    if all.len() > 1 {
                        // The format's DNAT rule has one destination address.
                        r.not_modelled(ctx, Some(&format!("rule[{collection}/{name}].destination_addresses")));
                        return None;
                    }
                    all.into_iter().next()
                }
            };
            obj.set("destination_address", Yaml::Str(destination?));
            lists(ctx, &mut obj, &[("destination_ports", "destination_ports")]);
            obj.set("translated_address", Yaml::Str(r.required(ctx, "translated_address")?));
            if let Some(port) = r.int(ctx, "translated_port") {
                obj.set("translated_port", Yaml::Int(port));
            }
        }
    }
    Some(obj.into_yaml())
}

/// A value that writes nothing: null, `""`, or an empty list.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        other => other.as_seq().is_some_and(<[Value]>::is_empty),
    }
}

/// The classic rule collections, by the lower-cased id of the firewall they attach to (its
/// `azure_firewall_name` in their resource group).
fn classic_collections(ctx: &mut Ctx) -> Classic {
    let mut out: Classic = BTreeMap::new();
    for (group, (rtype, kind)) in [
        ("azurerm_firewall_nat_rule_collection", Kind::Dnat),
        ("azurerm_firewall_network_rule_collection", Kind::Network),
        ("azurerm_firewall_application_rule_collection", Kind::Application),
    ]
    .into_iter()
    .enumerate()
    {
        for inst in ctx.of_type(rtype) {
            let args = Args::of(inst);
            let Some(firewall) = args.required(ctx, "azure_firewall_name") else { continue };
            let mut attrs = BTreeMap::new();
            attrs.insert("name".to_string(), Value::string(firewall.as_str()));
            if let Some(rg) = args.get("resource_group_name") {
                attrs.insert("resource_group_name".to_string(), rg.clone());
            }
            // An ARM firewall's collections name it by id too (its subscription is not vnetsim's).
            let id = match args.get("azure_firewall_id").and_then(Value::as_str) {
                Some(id) => id.to_ascii_lowercase(),
                None => {
                    ids::resource_id("azurerm_firewall", &Value::map(attrs)).unwrap_or_default().to_ascii_lowercase()
                }
            };
            if ctx.by_id(&id).is_none_or(|f| f.rtype != "azurerm_firewall") {
                let message = format!(
                    "{}: `azure_firewall_name` names no firewall of this configuration in its resource group: {firewall:?}",
                    inst.address
                );
                args.error(ctx, "azure_firewall_name", message);
                continue;
            }
            if let Some(c) = collection(ctx, &args, kind, Spelling::Classic) {
                out.entry(id).or_default().push((group, Ctx::note(inst), c));
            }
        }
    }
    out
}

/// `azurerm_firewall`: its VNet, computed private IP, public IPs and policy (its own, or the
/// generated one holding its classic collections). A firewall in a Virtual WAN hub is listed as
/// not modelled.
fn firewalls(ctx: &mut Ctx, policies: &mut Vec<Policy>, mut classic: Classic) {
    for inst in ctx.of_type("azurerm_firewall") {
        let args = Args::of(inst);
        if args.get("virtual_hub").is_some() {
            args.not_modelled(ctx, None);
            continue;
        }
        let Some(name) = args.required(ctx, "name") else { continue };
        let mut obj = Obj::new();
        obj.set("name", Yaml::Str(name.clone()));
        let configs = args.blocks("ip_configuration");
        let Some(first) = configs.first() else {
            args.error(ctx, "ip_configuration", format!("{}: the block `ip_configuration` is required", inst.address));
            continue;
        };
        if let Some(id) = first.required(ctx, "subnet_id")
            && let Some(subnet) = subnet_path(ctx, first, "subnet_id", &id)
        {
            obj.set("vnet", Yaml::Str(subnet.split('/').next().unwrap_or_default().to_string()));
        }
        match first.get("private_ip_address") {
            Some(Value::String(ip)) => {
                obj.set("ip", Yaml::str(&**ip));
            }
            _ => {
                if let Some(ip) = firewall_ip(ctx, inst) {
                    let what = "the first usable address of AzureFirewallSubnet, which Azure gives the firewall";
                    obj.set("ip", ctx.computed(Yaml::Str(ip.to_string()), what));
                }
            }
        }
        let mut public_ips = Vec::new();
        for config in &configs {
            if let Some(id) = config.str(ctx, "public_ip_address_id") {
                public_ips.extend(public_ip(ctx, config, "public_ip_address_id", &id));
            }
        }
        obj.set("public_ips", Yaml::list(public_ips));
        let collections = classic.remove(&id_of(inst)).unwrap_or_default();
        if let Some(id) = args.str(ctx, "firewall_policy_id") {
            if !collections.is_empty() {
                let message =
                    format!("{}: a firewall with `firewall_policy_id` takes no classic rule collections", inst.address);
                args.error(ctx, "firewall_policy_id", message);
            }
            if let Some(policy) = name_of(ctx, &args, "firewall_policy_id", &id) {
                obj.set("policy", Yaml::Str(policy));
            }
        } else if !collections.is_empty() {
            let policy = classic_policy(ctx, &args, &name, collections);
            obj.set("policy", policy.obj.get("name").cloned().unwrap_or(Yaml::Str(String::new())));
            policies.push(policy);
        }
        ctx.doc.push("firewalls", Ctx::note(inst), obj);
    }
}

/// The policy vnetsim generates for a firewall with classic rule collections: a group of each
/// kind, and the firewall's own DNS proxy and SNAT settings.
fn classic_policy(ctx: &mut Ctx, fw: &Args, name: &str, collections: Vec<(usize, Note, Yaml)>) -> Policy {
    let mut obj = Obj::new();
    let what = format!("the policy vnetsim generates for the classic rule collections of {}", fw.inst.address);
    obj.set("name", ctx.computed(Yaml::Str(format!("{name}-classic-policy")), what));
    dns_keys(ctx, &mut obj, fw, "dns_proxy_enabled", "dns_servers");
    snat_keys(ctx, &mut obj, fw);
    for (at, (group_name, priority)) in CLASSIC_GROUPS.into_iter().enumerate() {
        let items: Vec<Item> = (collections.iter())
            .filter(|(g, _, _)| *g == at)
            .map(|(_, note, value)| Item { note: Some(note.clone()), value: value.clone() })
            .collect();
        if items.is_empty() {
            continue;
        }
        let mut group = Obj::new();
        group.set("name", Yaml::str(group_name));
        group.set("priority", Yaml::Int(priority));
        group.list_mut("rule_collections").extend(items);
        obj.list_mut("rule_collection_groups").push(Item { note: None, value: group.into_yaml() });
    }
    Policy { id: String::new(), note: Ctx::note(fw.inst), obj }
}
