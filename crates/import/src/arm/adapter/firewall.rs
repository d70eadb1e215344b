//! Azure Firewalls (with classic rule collections), firewall policies and their rule collection
//! groups, IP groups, as azurerm resources.

use super::merge::Res;
use super::network::item_props;
use super::read::{self, at, get, seq, text};
use super::{Attrs, Cx};
use crate::value::Value;

/// A firewall. Its private IP is written only when an export recorded it: a template's is the
/// one Azure allocates, which the mapping computes. Without the subnet of its first IP
/// configuration the firewall is left out.
pub(super) fn firewall(cx: &mut Cx, f: &Res) {
    let mut a = Attrs::new();
    a.opt("sku_name", f.get("sku.name").cloned());
    a.opt("sku_tier", f.get("sku.tier").cloned());
    if let Some(hub) = read::id(&f.props, "virtualHub") {
        let mut b = Attrs::new();
        b.set("virtual_hub_id", Value::string(hub));
        a.blocks("virtual_hub", vec![b]);
    }
    let mut configs = Vec::new();
    for item in seq(&f.props, "ipConfigurations") {
        let c = item_props(item);
        let subnet = match cx.needed(f, read::id(c, "subnet")) {
            Ok(subnet) => subnet,
            Err(()) if configs.is_empty() => return,
            Err(()) => None,
        };
        let mut b = Attrs::new();
        b.opt("name", get(item, "name").cloned());
        b.opt("subnet_id", subnet.map(Value::string));
        b.opt("private_ip_address", at(c, "privateIPAddress").filter(|v| v.as_str().is_some()).cloned());
        if let Some(pip) = read::id(c, "publicIPAddress") {
            b.opt("public_ip_address_id", cx.reference(f, &pip).map(Value::string));
        }
        configs.push(b);
    }
    a.blocks("ip_configuration", configs);
    if let Some(policy) = read::id(&f.props, "firewallPolicy") {
        a.opt("firewall_policy_id", cx.reference(f, &policy).map(Value::string));
    }
    // `additionalProperties` keys hold dots: read them whole.
    let extra = |key: &str| f.get("additionalProperties").and_then(|m| get(m, key));
    let ranges = extra("Network.SNAT.PrivateRanges");
    if ranges.is_some() {
        a.strs("private_ip_ranges", read::comma_list(ranges));
    }
    a.opt("dns_proxy_enabled", extra("Network.DNS.EnableProxy").cloned());
    a.strs_opt("dns_servers", read::comma_list(extra("Network.DNS.Servers")));
    cx.push(f, "azurerm_firewall", a);
    classic_collections(cx, f);
}

/// Classic rule collections, each an azurerm collection resource naming its firewall.
fn classic_collections(cx: &mut Cx, f: &Res) {
    for (key, rtype, kind) in [
        ("natRuleCollections", "azurerm_firewall_nat_rule_collection", Kind::Nat),
        ("networkRuleCollections", "azurerm_firewall_network_rule_collection", Kind::Network),
        ("applicationRuleCollections", "azurerm_firewall_application_rule_collection", Kind::Application),
    ] {
        for item in seq(&f.props, key) {
            let c = item_props(item);
            let name = text(item, "name").unwrap_or_default();
            let mut a = Attrs::new();
            a.set("name", Value::string(name.as_str()));
            a.set("azure_firewall_name", Value::string(f.leaf_name()));
            a.set("azure_firewall_id", Value::string(f.id.as_str()));
            a.set("resource_group_name", Value::string(f.resource_group.as_str()));
            a.opt("priority", at(c, "priority").cloned());
            a.opt("action", at(c, "action.type").cloned());
            let rules = seq(c, "rules").iter().flat_map(|r| rule(cx, f, r, kind, Spelling::Classic)).collect();
            a.blocks("rule", rules);
            cx.push_part(f, &format!("{key}/{name}"), rtype, a);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Network,
    Application,
    Nat,
}

/// Classic rules and policy rules name a few properties differently.
#[derive(Clone, Copy, PartialEq)]
enum Spelling {
    Classic,
    Policy,
}

/// One rule in azurerm's names; a policy DNAT rule per destination address (azurerm's has one).
/// A side that names only IP groups the input does not hold matches nothing: the rule is left
/// out (without them it would match any address).
fn rule(cx: &mut Cx, owner: &Res, r: &Value, kind: Kind, spelling: Spelling) -> Vec<Attrs> {
    let protocols_key = if spelling == Spelling::Classic { "protocols" } else { "ipProtocols" };
    let mut a = Attrs::new();
    a.opt("name", get(r, "name").cloned());
    let copy = |a: &mut Attrs, pairs: &[(&str, &str)]| {
        for &(key, arg) in pairs {
            a.opt(arg, get(r, key).cloned());
        }
    };
    copy(&mut a, &[("sourceAddresses", "source_addresses")]);
    if spelling == Spelling::Classic
        && read::texts(r, "sourceAddresses").is_empty()
        && read::texts(r, "sourceIpGroups").is_empty()
    {
        // Azure accepts a classic rule that names no source (Microsoft's azurefirewall-sandbox
        // quickstart deploys `appRule1` so, for the Server it routes to the firewall): it matches
        // any source. Terraform's azurerm cannot write one, so the mapping needs it spelled `*`.
        a.set("source_addresses", read::string_list(vec!["*".into()]));
    }
    match kind {
        Kind::Network => copy(
            &mut a,
            &[
                (protocols_key, "protocols"),
                ("destinationAddresses", "destination_addresses"),
                ("destinationFqdns", "destination_fqdns"),
                ("destinationPorts", "destination_ports"),
            ],
        ),
        Kind::Application => {
            let block = if spelling == Spelling::Classic { "protocol" } else { "protocols" };
            let protocols = (seq(r, "protocols").iter())
                .map(|p| {
                    let mut b = Attrs::new();
                    b.opt("type", get(p, "protocolType").cloned()).opt("port", get(p, "port").cloned());
                    b
                })
                .collect();
            a.blocks(block, protocols);
            let fqdns = if spelling == Spelling::Classic {
                [("targetFqdns", "target_fqdns"), ("fqdnTags", "fqdn_tags")]
            } else {
                [("targetFqdns", "destination_fqdns"), ("fqdnTags", "destination_fqdn_tags")]
            };
            copy(&mut a, &fqdns);
            copy(
                &mut a,
                &[
                    ("targetUrls", "destination_urls"),
                    ("webCategories", "web_categories"),
                    ("destinationAddresses", "destination_addresses"),
                ],
            );
        }
        Kind::Nat => copy(
            &mut a,
            &[
                (protocols_key, "protocols"),
                ("destinationPorts", "destination_ports"),
                ("translatedAddress", "translated_address"),
                ("translatedPort", "translated_port"),
                ("translatedFqdn", "translated_fqdn"),
            ],
        ),
    }
    let sides: [(&str, &str, &[&str]); 2] = [
        ("sourceIpGroups", "source_ip_groups", &["sourceAddresses"]),
        ("destinationIpGroups", "destination_ip_groups", &["destinationAddresses", "destinationFqdns"]),
    ];
    for (key, arg, addresses) in sides {
        let groups: Vec<String> = read::texts(r, key);
        let (kept, dropped) = cx.references(owner, groups);
        let others: usize = addresses.iter().map(|k| read::texts(r, k).len()).sum();
        if dropped && kept.is_empty() && others == 0 {
            return Vec::new();
        }
        a.strs_opt(arg, kept);
    }
    if kind == Kind::Nat && spelling == Spelling::Policy {
        let destinations = read::texts(r, "destinationAddresses");
        return destinations
            .into_iter()
            .map(|d| {
                let mut one = Attrs(a.0.clone());
                one.set("destination_address", Value::string(d));
                one
            })
            .collect();
    }
    if kind == Kind::Nat {
        copy(&mut a, &[("destinationAddresses", "destination_addresses")]);
    }
    vec![a]
}

/// A firewall policy: parent, DNS proxy, SNAT ranges, intrusion detection mode.
pub(super) fn policy(cx: &mut Cx, p: &Res) {
    let mut a = Attrs::new();
    if let Some(base) = read::id(&p.props, "basePolicy") {
        a.opt("base_policy_id", cx.reference(p, &base).map(Value::string));
    }
    if let Some(dns) = p.get("dnsSettings") {
        let mut b = Attrs::new();
        b.opt("proxy_enabled", get(dns, "enableProxy").cloned()).opt("servers", get(dns, "servers").cloned());
        a.blocks("dns", vec![b]);
    }
    a.opt("private_ip_ranges", p.get("snat.privateRanges").cloned());
    if let Some(mode) = p.get("intrusionDetection.mode") {
        let mut b = Attrs::new();
        b.set("mode", mode.clone());
        a.blocks("intrusion_detection", vec![b]);
    }
    cx.push(p, "azurerm_firewall_policy", a);
}

/// A rule collection group. A filter collection's network and application rules go into
/// azurerm's network and application collections of the same name and priority.
pub(super) fn rule_collection_group(cx: &mut Cx, g: &Res) {
    if !cx.parent_present(g) {
        return;
    }
    let mut a = Attrs::new();
    a.set("firewall_policy_id", Value::string(g.parent_id().unwrap_or_default()));
    a.opt("priority", g.get("priority").cloned());
    let (mut nat, mut network, mut application) = (Vec::new(), Vec::new(), Vec::new());
    for c in seq(&g.props, "ruleCollections") {
        let is_nat =
            text(c, "ruleCollectionType").is_some_and(|t| t.eq_ignore_ascii_case("FirewallPolicyNatRuleCollection"));
        let collection = |cx: &mut Cx, kind: Kind, rule_type: &str| {
            let mut b = Attrs::new();
            b.opt("name", get(c, "name").cloned()).opt("priority", get(c, "priority").cloned());
            b.opt("action", at(c, "action.type").cloned());
            let rules = (seq(c, "rules").iter())
                .filter(|r| is_nat || text(r, "ruleType").is_some_and(|t| t.eq_ignore_ascii_case(rule_type)))
                .flat_map(|r| rule(cx, g, r, kind, Spelling::Policy))
                .collect();
            b.blocks("rule", rules);
            b
        };
        if is_nat {
            nat.push(collection(cx, Kind::Nat, "NatRule"));
            continue;
        }
        let has =
            |t: &str| seq(c, "rules").iter().any(|r| text(r, "ruleType").is_some_and(|x| x.eq_ignore_ascii_case(t)));
        if has("ApplicationRule") {
            application.push(collection(cx, Kind::Application, "ApplicationRule"));
        }
        if has("NetworkRule") || !has("ApplicationRule") {
            network.push(collection(cx, Kind::Network, "NetworkRule"));
        }
    }
    a.blocks("nat_rule_collection", nat);
    a.blocks("network_rule_collection", network);
    a.blocks("application_rule_collection", application);
    cx.push(g, "azurerm_firewall_policy_rule_collection_group", a);
}

pub(super) fn ip_group(cx: &mut Cx, g: &Res) {
    let mut a = Attrs::new();
    a.opt("cidrs", g.get("ipAddresses").cloned());
    cx.push(g, "azurerm_ip_group", a);
}
