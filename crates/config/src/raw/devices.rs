//! Network devices of a scenario file as written: IP groups, Azure Firewall policies and
//! firewalls (F-1..F-16), NAT gateways (O-2) and load balancers (O-1, A-2).

use super::{each, flag, opt};
use crate::decode::{self, Fields, Sp};
use crate::diagnostic::{Diagnostics, Loc};
use crate::yaml::Node;
use vnetsim_model::firewall::RuleKind;
use vnetsim_model::{IpAddr, IpNet, PortSet, Protocol};

/// The `type` of a rule collection, as written.
pub const COLLECTION_TYPES: [(&str, RuleKind); 3] =
    [("network", RuleKind::Network), ("application", RuleKind::Application), ("dnat", RuleKind::Dnat)];

/// The `action` of a rule collection, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionAction {
    Allow,
    Deny,
    Dnat,
}

pub const COLLECTION_ACTIONS: [(&str, CollectionAction); 3] =
    [("allow", CollectionAction::Allow), ("deny", CollectionAction::Deny), ("dnat", CollectionAction::Dnat)];

/// A load balancing rule's `protocol`.
pub const LB_PROTOCOLS: [(&str, Protocol); 2] = [("tcp", Protocol::Tcp), ("udp", Protocol::Udp)];

/// F-2: the priorities of rule collection groups and rule collections.
pub const FIREWALL_PRIORITIES: (u64, u64) = (100, 65000);

pub struct RawIpGroup {
    pub name: Sp<String>,
    pub prefixes: Vec<Sp<IpNet>>,
}

pub struct RawFirewallPolicy {
    pub name: Sp<String>,
    pub parent: Option<Sp<String>>,
    pub dns_proxy: bool,
    pub dns_servers: Vec<Sp<IpAddr>>,
    /// Prefixes or the word `IANAPrivateRanges`; `None` when the key is absent.
    pub snat_private_ranges: Option<Vec<Sp<String>>>,
    pub groups: Vec<RawRuleCollectionGroup>,
}

pub struct RawRuleCollectionGroup {
    pub name: Sp<String>,
    pub priority: Sp<u64>,
    pub collections: Vec<RawRuleCollection>,
}

pub struct RawRuleCollection {
    pub loc: Loc,
    pub name: Sp<String>,
    pub priority: Sp<u64>,
    pub kind: Sp<RuleKind>,
    pub action: Option<Sp<CollectionAction>>,
    pub rules: Vec<RawFirewallRule>,
}

pub struct RawFirewallRule {
    pub loc: Loc,
    pub name: Sp<String>,
    pub source_addresses: Vec<Sp<String>>,
    pub source_ip_groups: Vec<Sp<String>>,
    pub matcher: RawRuleMatch,
}

/// The keys of a rule that depend on its collection's type.
pub enum RawRuleMatch {
    Network {
        protocols: Vec<Sp<String>>,
        destination_addresses: Vec<Sp<String>>,
        destination_ip_groups: Vec<Sp<String>>,
        destination_fqdns: Vec<Sp<String>>,
        destination_ports: PortSet,
    },
    Application {
        protocols: Vec<Sp<String>>,
        target_fqdns: Vec<Sp<String>>,
        /// Azure Firewall FQDN tags (F-8), expanded at resolve.
        fqdn_tags: Vec<Sp<String>>,
    },
    Dnat {
        protocols: Vec<Sp<String>>,
        destination_address: Sp<IpAddr>,
        destination_ports: Sp<PortSet>,
        translated_address: Sp<IpAddr>,
        translated_port: Sp<u64>,
    },
}

pub struct RawFirewall {
    pub loc: Loc,
    pub name: Sp<String>,
    pub vnet: Sp<String>,
    pub ip: Option<Sp<IpAddr>>,
    pub public_ips: Vec<Sp<IpAddr>>,
    pub policy: Option<Sp<String>>,
}

pub struct RawNatGateway {
    pub name: Sp<String>,
    pub public_ips: Sp<Vec<Sp<IpAddr>>>,
}

pub struct RawLoadBalancer {
    pub loc: Loc,
    pub name: Sp<String>,
    pub frontend_ip: Sp<IpAddr>,
    pub subnet: Option<Sp<String>>,
    pub backends: Sp<Vec<Sp<String>>>,
    pub rules: Vec<RawLbRule>,
    pub outbound_snat: Option<Sp<bool>>,
}

pub struct RawLbRule {
    pub name: Sp<String>,
    pub protocol: Sp<Protocol>,
    pub frontend_port: Sp<u64>,
    pub backend_port: Sp<u64>,
}

fn strings(f: &mut Fields<'_>, key: &'static str, d: &mut Diagnostics) -> Vec<Sp<String>> {
    opt(f, key, d, |n, d| Some(decode::list(n, |n, d| decode::string(n, key, d), d))).unwrap_or_default()
}

fn names(f: &mut Fields<'_>, key: &'static str, what: &'static str, d: &mut Diagnostics) -> Vec<Sp<String>> {
    opt(f, key, d, |n, d| Some(decode::list(n, |n, d| decode::name(n, what, d), d))).unwrap_or_default()
}

fn ips(f: &mut Fields<'_>, key: &'static str, d: &mut Diagnostics) -> Vec<Sp<IpAddr>> {
    opt(f, key, d, |n, d| Some(decode::list(n, |n, d| decode::ip(n, key, d), d))).unwrap_or_default()
}

/// A located boolean.
pub(crate) fn located_flag(f: &mut Fields<'_>, key: &'static str, d: &mut Diagnostics) -> Option<Sp<bool>> {
    opt(f, key, d, |n, d| decode::boolean(n, key, d).map(|value| Sp { value, loc: n.loc }))
}

/// F-2: a priority from 100 (first) to 65000.
fn priority(node: &Node, what: &str, d: &mut Diagnostics) -> Option<Sp<u64>> {
    let p = decode::integer(node, what, 0, u64::MAX, d)?;
    let (min, max) = FIREWALL_PRIORITIES;
    if !(min..=max).contains(&p.value) {
        d.error(p.loc, format!("{what} {} is out of range {min}..={max} (F-2)", p.value));
        return None;
    }
    Some(p)
}

pub fn ip_groups(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawIpGroup> {
    each(f, "ip_groups", "IP groups", d, |node, d| {
        let mut f = Fields::open(node, "IP group", d)?;
        let name = f.require("name", d).and_then(|n| decode::name(n, "IP group name", d));
        let prefixes = f
            .require("prefixes", d)
            .map(|n| decode::list(n, |n, d| decode::prefix(n, "prefixes", d), d))
            .unwrap_or_default();
        f.finish(d);
        Some(RawIpGroup { name: name?, prefixes })
    })
}

pub fn firewall_policies(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawFirewallPolicy> {
    each(f, "firewall_policies", "firewall policies", d, firewall_policy)
}

fn firewall_policy(node: &Node, d: &mut Diagnostics) -> Option<RawFirewallPolicy> {
    let mut f = Fields::open(node, "firewall policy", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "firewall policy name", d));
    let parent = opt(&mut f, "parent", d, |n, d| decode::name(n, "parent", d));
    let dns_proxy = flag(&mut f, "dns_proxy", false, d);
    let dns_servers = ips(&mut f, "dns_servers", d);
    let snat_private_ranges = opt(&mut f, "snat_private_ranges", d, |n, d| {
        Some(decode::list(n, |n, d| decode::string(n, "snat_private_ranges", d), d))
    });
    let groups = each(&mut f, "rule_collection_groups", "rule collection groups", d, group);
    f.finish(d);
    Some(RawFirewallPolicy { name: name?, parent, dns_proxy, dns_servers, snat_private_ranges, groups })
}

fn group(node: &Node, d: &mut Diagnostics) -> Option<RawRuleCollectionGroup> {
    let mut f = Fields::open(node, "rule collection group", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "rule collection group name", d));
    let priority = f.require("priority", d).and_then(|n| priority(n, "rule collection group priority", d));
    let collections = each(&mut f, "rule_collections", "rule collections", d, collection);
    f.finish(d);
    Some(RawRuleCollectionGroup { name: name?, priority: priority?, collections })
}

/// F-2: up to 80 characters of `[A-Za-z0-9_.-]`, starting with a letter or digit and ending
/// with a letter, digit or `_`.
fn collection_name(node: &Node, d: &mut Diagnostics) -> Option<Sp<String>> {
    let s = decode::string(node, "rule collection name", d)?;
    let v = &s.value;
    let ok = v.len() <= 80
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        d.error_with_help(
            s.loc,
            format!("invalid rule collection name `{v}`"),
            "F-2: up to 80 letters, digits, `_`, `.` and `-`, starting with a letter or digit and ending with a letter, digit or `_`",
        );
        return None;
    }
    Some(s)
}

fn collection(node: &Node, d: &mut Diagnostics) -> Option<RawRuleCollection> {
    let mut f = Fields::open(node, "rule collection", d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| collection_name(n, d));
    let priority = f.require("priority", d).and_then(|n| priority(n, "rule collection priority", d));
    let kind = f.require("type", d).and_then(|n| decode::choice(n, "rule collection type", &COLLECTION_TYPES, d));
    let read_action =
        |n: &Node, d: &mut Diagnostics| decode::choice(n, "rule collection action", &COLLECTION_ACTIONS, d);
    // Network and application collections allow or deny; a DNAT collection's action is implied.
    let action = match kind.as_ref().map(|k| k.value) {
        Some(RuleKind::Network | RuleKind::Application) => f.require("action", d).and_then(|n| read_action(n, d)),
        _ => opt(&mut f, "action", d, read_action),
    };
    // The keys of a rule depend on the collection's type; with an invalid type (reported) the
    // rules are not read.
    let rules = match kind.as_ref().map(|k| k.value) {
        Some(RuleKind::Network) => each(&mut f, "rules", "network rules", d, network_rule),
        Some(RuleKind::Application) => each(&mut f, "rules", "application rules", d, application_rule),
        Some(RuleKind::Dnat) => each(&mut f, "rules", "DNAT rules", d, dnat_rule),
        None => {
            f.get("rules");
            Vec::new()
        }
    };
    f.finish(d);
    Some(RawRuleCollection { loc, name: name?, priority: priority?, kind: kind?, action, rules })
}

/// A firewall rule: `name` and the sources every rule has, then the keys of its collection's
/// type, read by `matcher`.
fn firewall_rule(
    node: &Node,
    what: &'static str,
    d: &mut Diagnostics,
    matcher: impl FnOnce(&mut Fields<'_>, &mut Diagnostics) -> Option<RawRuleMatch>,
) -> Option<RawFirewallRule> {
    let mut f = Fields::open(node, what, d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::name(n, "rule name", d));
    let source_addresses = strings(&mut f, "source_addresses", d);
    let source_ip_groups = names(&mut f, "source_ip_groups", "IP group name", d);
    let matcher = matcher(&mut f, d);
    f.finish(d);
    Some(RawFirewallRule { loc, name: name?, source_addresses, source_ip_groups, matcher: matcher? })
}

fn network_rule(node: &Node, d: &mut Diagnostics) -> Option<RawFirewallRule> {
    firewall_rule(node, "network rule", d, |f, d| {
        let protocols = strings(f, "protocols", d);
        let destination_addresses = strings(f, "destination_addresses", d);
        let destination_ip_groups = names(f, "destination_ip_groups", "IP group name", d);
        let destination_fqdns = strings(f, "destination_fqdns", d);
        let destination_ports = opt(f, "destination_ports", d, |n, d| decode::ports(n, "destination_ports", d));
        Some(RawRuleMatch::Network {
            protocols,
            destination_addresses,
            destination_ip_groups,
            destination_fqdns,
            destination_ports: destination_ports.unwrap_or_else(PortSet::any),
        })
    })
}

fn application_rule(node: &Node, d: &mut Diagnostics) -> Option<RawFirewallRule> {
    firewall_rule(node, "application rule", d, |f, d| {
        let protocols = f.require("protocols", d).map(|n| decode::list(n, |n, d| decode::string(n, "protocols", d), d));
        let target_fqdns = strings(f, "target_fqdns", d);
        let fqdn_tags = strings(f, "fqdn_tags", d);
        Some(RawRuleMatch::Application { protocols: protocols?, target_fqdns, fqdn_tags })
    })
}

fn dnat_rule(node: &Node, d: &mut Diagnostics) -> Option<RawFirewallRule> {
    firewall_rule(node, "DNAT rule", d, |f, d| {
        let protocols = f.require("protocols", d).map(|n| decode::list(n, |n, d| decode::string(n, "protocols", d), d));
        let destination_address =
            f.require("destination_address", d).and_then(|n| decode::ip(n, "destination_address", d));
        let destination_ports = f
            .require("destination_ports", d)
            .and_then(|n| decode::ports(n, "destination_ports", d).map(|value| Sp { value, loc: n.loc }));
        let translated_address =
            f.require("translated_address", d).and_then(|n| decode::ip(n, "translated_address", d));
        let translated_port =
            f.require("translated_port", d).and_then(|n| decode::integer(n, "translated_port", 1, 65535, d));
        Some(RawRuleMatch::Dnat {
            protocols: protocols?,
            destination_address: destination_address?,
            destination_ports: destination_ports?,
            translated_address: translated_address?,
            translated_port: translated_port?,
        })
    })
}

pub fn firewalls(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawFirewall> {
    each(f, "firewalls", "firewalls", d, |node, d| {
        let mut f = Fields::open(node, "firewall", d)?;
        let loc = f.loc();
        let name = f.require("name", d).and_then(|n| decode::name(n, "firewall name", d));
        let vnet = f.require("vnet", d).and_then(|n| decode::name(n, "vnet", d));
        let ip = opt(&mut f, "ip", d, |n, d| decode::ip(n, "ip", d));
        let public_ips = ips(&mut f, "public_ips", d);
        let policy = opt(&mut f, "policy", d, |n, d| decode::name(n, "firewall policy name", d));
        f.finish(d);
        Some(RawFirewall { loc, name: name?, vnet: vnet?, ip, public_ips, policy })
    })
}

pub fn nat_gateways(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawNatGateway> {
    each(f, "nat_gateways", "NAT gateways", d, |node, d| {
        let mut f = Fields::open(node, "NAT gateway", d)?;
        let name = f.require("name", d).and_then(|n| decode::name(n, "NAT gateway name", d));
        let public_ips = f
            .require("public_ips", d)
            .map(|n| Sp { value: decode::list(n, |n, d| decode::ip(n, "public_ips", d), d), loc: n.loc });
        f.finish(d);
        Some(RawNatGateway { name: name?, public_ips: public_ips? })
    })
}

pub fn load_balancers(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawLoadBalancer> {
    each(f, "load_balancers", "load balancers", d, |node, d| {
        let mut f = Fields::open(node, "load balancer", d)?;
        let loc = f.loc();
        let name = f.require("name", d).and_then(|n| decode::name(n, "load balancer name", d));
        let frontend_ip = f.require("frontend_ip", d).and_then(|n| decode::ip(n, "frontend_ip", d));
        let subnet = opt(&mut f, "subnet", d, |n, d| decode::string(n, "subnet", d));
        let backends = f
            .require("backends", d)
            .map(|n| Sp { value: decode::list(n, |n, d| decode::name(n, "backend endpoint name", d), d), loc: n.loc });
        let rules = each(&mut f, "rules", "load balancing rules", d, lb_rule);
        let outbound_snat = located_flag(&mut f, "outbound_snat", d);
        f.finish(d);
        Some(RawLoadBalancer {
            loc,
            name: name?,
            frontend_ip: frontend_ip?,
            subnet,
            backends: backends?,
            rules,
            outbound_snat,
        })
    })
}

fn lb_rule(node: &Node, d: &mut Diagnostics) -> Option<RawLbRule> {
    let mut f = Fields::open(node, "load balancing rule", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "rule name", d));
    let protocol = f.require("protocol", d).and_then(|n| decode::choice(n, "protocol", &LB_PROTOCOLS, d));
    let frontend_port = f.require("frontend_port", d).and_then(|n| decode::integer(n, "frontend_port", 1, 65535, d));
    let backend_port = f.require("backend_port", d).and_then(|n| decode::integer(n, "backend_port", 1, 65535, d));
    f.finish(d);
    Some(RawLbRule { name: name?, protocol: protocol?, frontend_port: frontend_port?, backend_port: backend_port? })
}
