//! Network devices: IP groups, Azure Firewall policies and firewalls (F-1..F-16), NAT gateways
//! (O-2) and load balancers (O-1), and what endpoints add to them: stateful NVAs (F-15), the load
//! balancer and NSG Azure ML creates for a compute with a public IP, and the subnets that
//! only one kind of device may use (H-4).

use super::gateways::GATEWAY_SUBNET;
use super::{Names, Resolver, looks_like_address};
use crate::decode::{Sp, parse_ipv4_prefix};
use crate::diagnostic::{Loc, did_you_mean};
use crate::raw::*;
use indexmap::IndexMap;
use vnetsim_model::addr::AZURE_PLATFORM_VIP;
use vnetsim_model::firewall::{FIREWALL_SUBNET, iana_private_ranges};
use vnetsim_model::fqdn_tags::{FQDN_TAGS, fqdn_tag};
use vnetsim_model::name_pattern::{NamePattern, PatternError};
use vnetsim_model::service_tags::{CONTEXTUAL_TAGS, contextual_tag};
use vnetsim_model::*;

/// The subnet Azure Bastion requires (H-4).
pub const BASTION_SUBNET: &str = "AzureBastionSubnet";

/// F-12: the word that stands for the IANA private ranges in `snat_private_ranges`.
const IANA_PRIVATE_RANGES: &str = "IANAPrivateRanges";

/// O-2: a NAT gateway has 1 to 16 public IPs.
const NAT_GATEWAY_MAX_PUBLIC_IPS: usize = 16;

/// the port Azure ML reaches a public-IP compute on, through the load balancer it creates.
const AML_NODE_PORT: u16 = 44224;

/// What the resolver knows about devices while it reads the file.
pub(super) struct Devices {
    ip_groups: Names<usize>,
    ip_group_prefixes: Vec<Vec<IpNet>>,
    policies: Names<usize>,
    /// Each declared policy, in file order, with its ancestors' groups first (F-3).
    resolved: Vec<FirewallPolicy>,
    /// The DNAT rules of each resolved policy (inherited ones included), to check against the
    /// public IPs of the firewalls that use it (F-5).
    dnat: Vec<Vec<DnatTarget>>,
    pub(super) nat_gateways: Names<NatGatewayId>,
    load_balancers: Names<LoadBalancerId>,
}

impl Default for Devices {
    fn default() -> Self {
        Devices {
            ip_groups: Names::new("IP group"),
            ip_group_prefixes: Vec::new(),
            policies: Names::new("firewall policy"),
            resolved: Vec::new(),
            dnat: Vec::new(),
            nat_gateways: Names::new("NAT gateway"),
            load_balancers: Names::new("load balancer"),
        }
    }
}

#[derive(Clone)]
struct DnatTarget {
    rule: String,
    address: IpAddr,
    loc: Loc,
}

/// A policy's own groups, before its parent's are put in front.
struct OwnPolicy {
    policy: FirewallPolicy,
    dnat: Vec<DnatTarget>,
    /// Whether a network rule of the policy names an FQDN (F-7).
    network_fqdns: bool,
}

/// An FQDN as a firewall rule names it: labels of letters, digits, `-` and `_`, lower-cased,
/// without a trailing dot. `wildcard` admits F-9's `*`, `*.rest` and `*rest` (the field note:
/// Azure accepts `*pytorch.org`, which matches every name ending in `pytorch.org`).
fn fqdn(text: &str, wildcard: bool) -> Result<String, &'static str> {
    let name = text.trim_end_matches('.').to_ascii_lowercase();
    let body = match NamePattern::parse(&name) {
        Ok(NamePattern::Exact(body)) => body,
        Err(PatternError::Empty) => "",
        Ok(NamePattern::Any) if wildcard => return Ok(name),
        Ok(NamePattern::Wildcard { parent: body } | NamePattern::Suffix(body)) if wildcard => body,
        _ => return Err("wildcard"),
    };
    let valid = body.len() <= 253
        && body.split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if valid { Ok(name) } else { Err("syntax") }
}

impl Resolver<'_> {
    pub(super) fn ip_groups(&mut self, raw: &[RawIpGroup]) {
        for g in raw {
            if g.prefixes.is_empty() {
                self.d.error(g.name.loc, format!("IP group `{}` has no prefixes", g.name.value));
            }
            self.devices.ip_groups.define(&g.name, self.devices.ip_group_prefixes.len(), self.d);
            self.devices.ip_group_prefixes.push(g.prefixes.iter().map(|p| p.value).collect());
        }
    }

    /// F-2, F-3: each policy's groups as written, then its ancestors' groups put in front of
    /// them, marked inherited.
    pub(super) fn firewall_policies(&mut self, raw: &[RawFirewallPolicy]) {
        for (i, p) in raw.iter().enumerate() {
            self.devices.policies.define(&p.name, i, self.d);
        }
        let own: Vec<OwnPolicy> = raw.iter().map(|p| self.own_policy(p)).collect();
        let parents: Vec<Option<usize>> =
            raw.iter().map(|p| p.parent.as_ref().and_then(|x| self.devices.policies.resolve(x, self.d))).collect();
        for (i, p) in raw.iter().enumerate() {
            // The policy, then its ancestors, nearest first.
            let mut chain = vec![i];
            let mut cycle = false;
            let mut next = parents[i];
            while let Some(a) = next {
                if let Some(at) = chain.iter().position(|&c| c == a) {
                    cycle = true;
                    // Reported once, at the first policy of the cycle in file order.
                    let members = &chain[at..];
                    if at == 0 && members.iter().all(|&m| m >= i) {
                        let path: Vec<&str> = members.iter().chain([&i]).map(|&m| raw[m].name.value.as_str()).collect();
                        if let Some(parent) = &p.parent {
                            self.d.error(
                                parent.loc,
                                format!(
                                    "firewall policy `{}` is its own ancestor: {} (F-3)",
                                    p.name.value,
                                    path.join(" -> ")
                                ),
                            );
                        }
                    }
                    break;
                }
                chain.push(a);
                next = parents[a];
            }
            let mut policy = own[i].policy.clone();
            let mut dnat = own[i].dnat.clone();
            if !cycle && chain.len() > 1 {
                let ancestors = &chain[1..];
                let mut groups = Vec::new();
                let mut inherited_dnat = Vec::new();
                for (k, &a) in ancestors.iter().enumerate().rev() {
                    groups.extend(own[a].policy.groups.iter().cloned().map(|mut g| {
                        g.level = (k + 1).min(usize::from(u8::MAX)) as u8;
                        g
                    }));
                    inherited_dnat.extend(own[a].dnat.iter().cloned());
                }
                groups.append(&mut policy.groups);
                policy.groups = groups;
                inherited_dnat.append(&mut dnat);
                dnat = inherited_dnat;
                if let (false, Some(&a), Some(parent)) =
                    (p.dns_proxy, ancestors.iter().find(|&&a| own[a].network_fqdns), &p.parent)
                {
                    self.d.error_with_help(
                        parent.loc,
                        format!(
                            "firewall policy `{}` inherits network rules with FQDNs from `{}` but does not enable dns_proxy: FQDNs in network rules need DNS proxy (F-7)",
                            p.name.value, raw[a].name.value
                        ),
                        "set `dns_proxy: true` on the policy",
                    );
                }
            }
            self.devices.resolved.push(policy);
            self.devices.dnat.push(dnat);
        }
    }

    fn own_policy(&mut self, p: &RawFirewallPolicy) -> OwnPolicy {
        let snat_private_ranges = match &p.snat_private_ranges {
            None => iana_private_ranges(),
            Some(list) => self.snat_private_ranges(list),
        };
        let mut own = OwnPolicy {
            policy: FirewallPolicy {
                name: p.name.value.clone(),
                dns_proxy: p.dns_proxy,
                dns_servers: p.dns_servers.iter().map(|s| s.value).collect(),
                snat_private_ranges,
                groups: Vec::new(),
            },
            dnat: Vec::new(),
            network_fqdns: false,
        };
        let mut names = Names::<()>::new("rule collection group");
        let mut priorities: IndexMap<u64, &str> = IndexMap::new();
        for g in &p.groups {
            names.define(&g.name, (), self.d);
            if let Some(other) = priorities.insert(g.priority.value, &g.name.value) {
                self.d.error(
                    g.priority.loc,
                    format!(
                        "duplicate priority {} for rule collection groups in policy `{}` (also used by `{other}`): F-2 requires unique priorities",
                        g.priority.value, p.name.value
                    ),
                );
            }
            let mut group = RuleCollectionGroup {
                name: g.name.value.clone(),
                priority: g.priority.value as u16,
                level: 0,
                collections: Vec::new(),
            };
            let mut names = Names::<()>::new("rule collection");
            let mut priorities: IndexMap<u64, &str> = IndexMap::new();
            for c in &g.collections {
                names.define(&c.name, (), self.d);
                if let Some(other) = priorities.insert(c.priority.value, &c.name.value) {
                    self.d.error(
                        c.priority.loc,
                        format!(
                            "duplicate priority {} for rule collections in group `{}` (also used by `{other}`): F-2 requires unique priorities",
                            c.priority.value, g.name.value
                        ),
                    );
                }
                if let Some(collection) = self.collection(p, c, &mut own) {
                    group.collections.push(collection);
                }
            }
            own.policy.groups.push(group);
        }
        own
    }

    /// F-12: prefixes, and the word `IANAPrivateRanges` for the default ranges.
    fn snat_private_ranges(&mut self, list: &[Sp<String>]) -> Vec<IpNet> {
        let mut ranges: Vec<IpNet> = Vec::new();
        for item in list {
            let found = if item.value.eq_ignore_ascii_case(IANA_PRIVATE_RANGES) {
                iana_private_ranges()
            } else if looks_like_address(&item.value) {
                match parse_ipv4_prefix(&item.value) {
                    Ok(p) => vec![p],
                    Err(m) => {
                        self.d.error(item.loc, format!("snat_private_ranges: {m}"));
                        continue;
                    }
                }
            } else {
                self.d.error_with_help(
                    item.loc,
                    format!("invalid snat_private_ranges entry `{}`", item.value),
                    format!("expected prefixes or {IANA_PRIVATE_RANGES} (F-12)"),
                );
                continue;
            };
            for r in found {
                if !ranges.contains(&r) {
                    ranges.push(r);
                }
            }
        }
        ranges
    }

    fn collection(
        &mut self,
        p: &RawFirewallPolicy,
        c: &RawRuleCollection,
        own: &mut OwnPolicy,
    ) -> Option<RuleCollection> {
        let kind = c.kind.value;
        let action = match (kind, c.action.as_ref().map(|a| (a.value, a.loc))) {
            (RuleKind::Dnat, None | Some((CollectionAction::Dnat, _))) => Access::Allow,
            (RuleKind::Dnat, Some((_, loc))) => {
                self.d.error(loc, "a DNAT collection has no allow or deny: leave `action` out or write `dnat` (F-5)");
                return None;
            }
            (_, Some((CollectionAction::Dnat, loc))) => {
                self.d.error(
                    loc,
                    format!("`dnat` is the action of DNAT collections; a {kind} collection allows or denies (F-2)"),
                );
                return None;
            }
            (_, Some((CollectionAction::Allow, _))) => Access::Allow,
            (_, Some((CollectionAction::Deny, _))) => Access::Deny,
            (_, None) => return None, // reported as a missing key
        };
        let mut names = Names::<()>::new("rule");
        let mut rules = Vec::new();
        for r in &c.rules {
            names.define(&r.name, (), self.d);
            if let Some(rule) = self.firewall_rule(p, r, own) {
                rules.push(rule);
            }
        }
        Some(RuleCollection { name: c.name.value.clone(), priority: c.priority.value as u16, kind, action, rules })
    }

    fn firewall_rule(
        &mut self,
        p: &RawFirewallPolicy,
        r: &RawFirewallRule,
        own: &mut OwnPolicy,
    ) -> Option<FirewallRule> {
        let mut ok = true;
        if r.source_addresses.is_empty() && r.source_ip_groups.is_empty() {
            ok = false;
            self.d.error(
                r.loc,
                format!("rule `{}` has no source: give source_addresses or source_ip_groups", r.name.value),
            );
        }
        let mut sources = Vec::new();
        for a in &r.source_addresses {
            match self.firewall_address(a, "source_addresses", false) {
                Some(x) => sources.push(x),
                None => ok = false,
            }
        }
        ok &= self.expand_ip_groups(&r.source_ip_groups, &mut sources);
        let matcher = match &r.matcher {
            RawRuleMatch::Network {
                protocols,
                destination_addresses,
                destination_ip_groups,
                destination_fqdns,
                destination_ports,
            } => {
                let protocols = self.firewall_protocols(&r.name, protocols, &["tcp", "udp", "icmp", "any"], " (F-6)");
                let mut destinations = Vec::new();
                for a in destination_addresses {
                    match self.firewall_address(a, "destination_addresses", true) {
                        Some(x) => destinations.push(x),
                        None => ok = false,
                    }
                }
                ok &= self.expand_ip_groups(destination_ip_groups, &mut destinations);
                for f in destination_fqdns {
                    match fqdn(&f.value, false) {
                        Ok(name) => destinations.push(FirewallAddress::Fqdn(name)),
                        Err(problem) => {
                            ok = false;
                            if problem == "wildcard" {
                                self.d
                                    .error(f.loc, format!("`{}`: network rules take no wildcard FQDNs (F-7)", f.value));
                            } else {
                                self.d.error(f.loc, format!("`{}` is not an FQDN", f.value));
                            }
                        }
                    }
                }
                if let Some(first) = destination_fqdns.first() {
                    own.network_fqdns = true;
                    if !p.dns_proxy {
                        ok = false;
                        self.d.error_with_help(
                            first.loc,
                            format!(
                                "network rule `{}` names FQDNs but policy `{}` does not enable dns_proxy: FQDNs in network rules need DNS proxy (F-7)",
                                r.name.value, p.name.value
                            ),
                            "set `dns_proxy: true` on the policy; Azure refuses such a rule",
                        );
                    }
                }
                if destination_addresses.is_empty() && destination_ip_groups.is_empty() && destination_fqdns.is_empty()
                {
                    ok = false;
                    self.d.error(
                        r.loc,
                        format!(
                            "network rule `{}` has no destination: give destination_addresses, destination_ip_groups or destination_fqdns (F-6)",
                            r.name.value
                        ),
                    );
                }
                RuleMatch::Network { protocols: protocols?, destinations, ports: destination_ports.clone() }
            }
            RawRuleMatch::Application { protocols, target_fqdns, fqdn_tags } => {
                let protocols = self.app_protocols(&r.name, protocols);
                let mut targets = Vec::new();
                for f in target_fqdns {
                    match fqdn(&f.value, true) {
                        Ok(name) => targets.push(name),
                        Err(problem) => {
                            ok = false;
                            if problem == "wildcard" {
                                self.d.error_with_help(
                                    f.loc,
                                    format!("invalid target FQDN `{}`: `*` may only lead the pattern", f.value),
                                    "F-9: write `*` alone, `*.` before a name (`*.contoso.com`), or `*` before a suffix (`*contoso.com`, which also matches `evilcontoso.com`)",
                                );
                            } else {
                                self.d.error(f.loc, format!("`{}` is not an FQDN", f.value));
                            }
                        }
                    }
                }
                let mut tags = Vec::new();
                for tag in fqdn_tags {
                    match fqdn_tag(&tag.value) {
                        Some((name, hosts)) => {
                            tags.push(name.to_string());
                            targets.extend(hosts.iter().map(|h| h.to_string()));
                        }
                        None => {
                            ok = false;
                            self.unknown_fqdn_tag(tag);
                        }
                    }
                }
                if target_fqdns.is_empty() && fqdn_tags.is_empty() {
                    ok = false;
                    self.d.error(
                        r.loc,
                        format!("application rule `{}` lists no target_fqdns and no fqdn_tags (F-8)", r.name.value),
                    );
                }
                RuleMatch::Application { protocols: protocols?, target_fqdns: targets, fqdn_tags: tags }
            }
            RawRuleMatch::Dnat {
                protocols,
                destination_address,
                destination_ports,
                translated_address,
                translated_port,
            } => {
                let protocols = self.firewall_protocols(&r.name, protocols, &["tcp", "udp"], " (F-5)");
                let ranges = destination_ports.value.ranges();
                let port = match ranges {
                    [one] if one.first == one.last => Some(one.first),
                    _ => {
                        self.d.error(
                            destination_ports.loc,
                            format!(
                                "DNAT rule `{}` translates one destination port, not `{}` (F-5)",
                                r.name.value, destination_ports.value
                            ),
                        );
                        None
                    }
                };
                own.dnat.push(DnatTarget {
                    rule: r.name.value.clone(),
                    address: destination_address.value,
                    loc: destination_address.loc,
                });
                RuleMatch::Dnat {
                    protocols: protocols?,
                    destination: destination_address.value,
                    port: port?,
                    translated: translated_address.value,
                    translated_port: translated_port.value as u16,
                }
            }
        };
        ok.then(|| FirewallRule { name: r.name.value.clone(), sources, matcher })
    }

    fn unknown_fqdn_tag(&mut self, tag: &Sp<String>) {
        let message = format!("unknown FQDN tag `{}`", tag.value);
        match did_you_mean(&tag.value, FQDN_TAGS.iter().map(|(name, _)| *name)) {
            Some(s) => self.d.error_with_help(tag.loc, message, format!("did you mean `{s}`?")),
            None => self.d.error_with_help(
                tag.loc,
                message,
                "fqdn_tags take Azure Firewall FQDN tags (F-8), e.g. WindowsUpdate or AzureKubernetesService; host names go in target_fqdns",
            ),
        }
    }

    /// One entry of `source_addresses` or `destination_addresses`: `*`, a prefix, or (in
    /// destinations, F-6) a service tag of the table.
    fn firewall_address(&mut self, a: &Sp<String>, what: &str, tags: bool) -> Option<FirewallAddress> {
        if a.value == "*" || a.value.eq_ignore_ascii_case("any") {
            return Some(FirewallAddress::Any);
        }
        if looks_like_address(&a.value) {
            return match parse_ipv4_prefix(&a.value) {
                Ok(p) => Some(FirewallAddress::Prefix(p)),
                Err(m) => {
                    self.d.error(a.loc, format!("{what}: {m}"));
                    None
                }
            };
        }
        if !tags {
            self.d.error_with_help(
                a.loc,
                format!("{what}: `{}` is neither a prefix nor `*`", a.value),
                "firewall rule sources are prefixes, `*` and IP groups (source_ip_groups) (F-6)",
            );
            return None;
        }
        if let Some(tag) = contextual_tag(&a.value) {
            self.d.error_with_help(
                a.loc,
                format!("service tag `{tag}` is not valid in firewall rules"),
                format!(
                    "the contextual tags ({}) belong to NSGs; write prefixes or an IP group (F-6)",
                    CONTEXTUAL_TAGS.join(", ")
                ),
            );
            return None;
        }
        if let Some(tag) = self.s.service_tags.get(&a.value) {
            return Some(FirewallAddress::ServiceTag(tag.name.clone()));
        }
        let message = format!("unknown service tag `{}` in {what}", a.value);
        match did_you_mean(&a.value, self.s.service_tags.iter().map(|t| t.name.as_str())) {
            Some(s) => self.d.error_with_help(a.loc, message, format!("did you mean `{s}`?")),
            None => self.d.error_with_help(
                a.loc,
                message,
                "destination_addresses take prefixes, `*` and service tags of the tag table (F-6); FQDNs go in destination_fqdns",
            ),
        }
        None
    }

    /// Adds the prefixes of the named IP groups; false when one is unknown (reported).
    fn expand_ip_groups(&mut self, groups: &[Sp<String>], into: &mut Vec<FirewallAddress>) -> bool {
        let mut ok = true;
        for g in groups {
            match self.devices.ip_groups.resolve(g, self.d) {
                Some(i) => into.extend(self.devices.ip_group_prefixes[i].iter().map(|p| FirewallAddress::Prefix(*p))),
                None => ok = false,
            }
        }
        ok
    }

    /// Protocols of a network rule (`any`, or none written, is the empty list: every protocol,
    /// F-6) or of a DNAT rule (at least one).
    fn firewall_protocols(
        &mut self,
        rule: &Sp<String>,
        list: &[Sp<String>],
        allowed: &[&str],
        id: &str,
    ) -> Option<Vec<Protocol>> {
        let takes_any = allowed.contains(&"any");
        if list.is_empty() && !takes_any {
            self.d.error(rule.loc, format!("rule `{}` lists no protocols{id}", rule.value));
            return None;
        }
        let mut protocols = Vec::new();
        let mut any = false;
        let mut ok = true;
        for p in list {
            if takes_any && (p.value == "*" || p.value.eq_ignore_ascii_case("any")) {
                any = true;
                continue;
            }
            let found = allowed.iter().find(|w| w.eq_ignore_ascii_case(&p.value)).and_then(|w| Protocol::parse(w));
            match found {
                Some(protocol) if !protocols.contains(&protocol) => protocols.push(protocol),
                Some(_) => {}
                None => {
                    ok = false;
                    self.d.error_with_help(
                        p.loc,
                        format!("invalid protocol `{}`", p.value),
                        format!("expected one of: {}{id}", allowed.join(", ")),
                    );
                }
            }
        }
        if any {
            protocols.clear();
        }
        ok.then_some(protocols)
    }

    /// F-8: `Http`, `Https` or `Mssql`, each with an optional `:port` (its default port otherwise).
    fn app_protocols(&mut self, rule: &Sp<String>, list: &[Sp<String>]) -> Option<Vec<AppProtocol>> {
        if list.is_empty() {
            self.d.error(rule.loc, format!("application rule `{}` lists no protocols (F-8)", rule.value));
            return None;
        }
        let mut ok = true;
        let mut protocols = Vec::new();
        for p in list {
            let (kind, port) = match p.value.split_once(':') {
                Some((k, port)) => (k, Some(port)),
                None => (p.value.as_str(), None),
            };
            let kind = AppProtocolKind::parse(kind.trim());
            let port = match (kind, port) {
                (Some(k), None) => Some(k.default_port()),
                (_, Some(port)) => port.trim().parse::<u16>().ok().filter(|p| *p != 0),
                (None, None) => None,
            };
            match (kind, port) {
                (Some(kind), Some(port)) => {
                    let protocol = AppProtocol { kind, port };
                    if !protocols.contains(&protocol) {
                        protocols.push(protocol);
                    }
                }
                _ => {
                    ok = false;
                    self.d.error_with_help(
                        p.loc,
                        format!("invalid application protocol `{}`", p.value),
                        format!(
                            "expected {} with an optional `:port` (1-65535), e.g. `Https` or `Http:8080` (F-8)",
                            AppProtocolKind::NAMES.join(", ")
                        ),
                    );
                }
            }
        }
        ok.then_some(protocols)
    }

    /// O-2: a NAT gateway's name and public IPs, known before subnets name it.
    pub(super) fn declare_nat_gateways(&mut self, raw: &[RawNatGateway]) {
        for n in raw {
            let id = NatGatewayId::from_index(self.s.nat_gateways.len());
            self.devices.nat_gateways.define(&n.name, id, self.d);
            let count = n.public_ips.value.len();
            if !(1..=NAT_GATEWAY_MAX_PUBLIC_IPS).contains(&count) {
                self.d.error(
                    n.public_ips.loc,
                    format!(
                        "NAT gateway `{}` has {count} public IPs: O-2 allows 1 to {NAT_GATEWAY_MAX_PUBLIC_IPS}",
                        n.name.value
                    ),
                );
            }
            for ip in &n.public_ips.value {
                self.claim_public_ip(ip, &n.name.value);
            }
            self.s.nat_gateways.push(NatGateway {
                name: n.name.value.clone(),
                public_ips: n.public_ips.value.iter().map(|p| p.value).collect(),
                subnets: Vec::new(),
            });
        }
    }

    /// Fills each NAT gateway's subnets (O-2: never GatewaySubnet, all in one VNet), and refuses
    /// an NSG on AzureFirewallSubnet.
    pub(super) fn subnet_devices(&mut self, raw: &[RawVnet]) {
        for v in raw {
            for sn in &v.subnets {
                let path = format!("{}/{}", v.name.value, sn.name.value);
                if let Some(nsg) = &sn.nsg
                    && sn.name.value == FIREWALL_SUBNET
                {
                    self.d.error_with_help(
                        nsg.loc,
                        format!("subnet `{path}` cannot have an NSG"),
                        format!(
                            "Azure does not support NSGs on {FIREWALL_SUBNET}; the firewall's rules filter its traffic"
                        ),
                    );
                }
                let Some(nat) = &sn.nat_gateway else { continue };
                let Some(subnet) = self.subnets.get(&path) else { continue };
                let Some(id) = self.s.subnet(subnet).nat_gateway else { continue };
                if sn.name.value == GATEWAY_SUBNET {
                    self.d.error(nat.loc, format!("a NAT gateway cannot be attached to {GATEWAY_SUBNET} (O-2)"));
                    self.s.subnets[subnet.index()].nat_gateway = None;
                    continue;
                }
                let vnet = self.s.subnet(subnet).vnet;
                let first_vnet = self.s.nat_gateways[id.index()].subnets.first().map(|s| self.s.subnet(*s).vnet);
                if let Some(first) = first_vnet
                    && first != vnet
                {
                    self.d.error(
                        nat.loc,
                        format!(
                            "NAT gateway `{}` already serves subnets of VNet `{}`; O-2 keeps a NAT gateway within one VNet",
                            nat.value,
                            self.s.vnet(first).name
                        ),
                    );
                    self.s.subnets[subnet.index()].nat_gateway = None;
                    continue;
                }
                self.s.nat_gateways[id.index()].subnets.push(subnet);
            }
        }
    }

    /// Reports a device name that `from`/`to` could not tell from a place or a service.
    fn device_name_taken(&mut self, name: &Sp<String>, what: &str) -> bool {
        if name.value.eq_ignore_ascii_case("internet") || self.on_prem.get(&name.value).is_some() {
            self.d.error(name.loc, format!("{what} name `{}` is taken by `internet` or an on-premises network; `from`/`to` could not tell them apart", name.value));
            return true;
        }
        if self.services.get(&name.value).is_some() {
            self.d.error(
                name.loc,
                format!("{what} name `{}` is also a service name; `from`/`to` could not tell them apart", name.value),
            );
            return true;
        }
        false
    }

    /// An Azure Firewall: a stateful, forwarding NIC in the VNet's AzureFirewallSubnet, with its
    /// public IPs and a copy of its policy (F-1: no policy denies everything).
    pub(super) fn firewalls(&mut self, raw: &[RawFirewall]) {
        for fw in raw {
            // Left out unless defined below: `from`/`to`/`by:` naming it are not reported again.
            self.endpoints.leave_out(&fw.name.value, self.d);
            let vnet = self.vnets.resolve(&fw.vnet, self.d);
            let policy = fw.policy.as_ref().map(|p| self.devices.policies.resolve(p, self.d));
            if self.device_name_taken(&fw.name, "firewall") {
                continue;
            }
            let Some(vnet) = vnet else { continue };
            let subnet = self.s.vnet(vnet).subnets.iter().copied().find(|s| self.s.subnet(*s).name == FIREWALL_SUBNET);
            let Some(subnet) = subnet else {
                // A subnet left out after an error of its own was reported there.
                if self.d.is_left_out("subnet", &format!("{}/{FIREWALL_SUBNET}", fw.vnet.value)) {
                    continue;
                }
                self.d.error_with_help(
                    fw.vnet.loc,
                    format!("VNet `{}` has no subnet named {FIREWALL_SUBNET}", fw.vnet.value),
                    format!("an Azure Firewall lives in the VNet's `{FIREWALL_SUBNET}`"),
                );
                continue;
            };
            if self.s.firewalls.iter().any(|x| x.vnet == vnet) {
                self.d.error(fw.name.loc, format!("VNet `{}` already has a firewall", fw.vnet.value));
                continue;
            }
            let mut public_ips = Vec::new();
            for ip in &fw.public_ips {
                self.claim_public_ip(ip, &fw.name.value);
                if !public_ips.contains(&ip.value) {
                    public_ips.push(ip.value);
                }
            }
            let Some((endpoint, nic)) =
                self.attach_nic_endpoint(&fw.name, EndpointKind::Firewall, subnet, fw.ip.as_ref(), fw.loc)
            else {
                continue;
            };
            // F-13: the firewall keeps flow state; it forwards what its rules allow.
            self.s.endpoints[endpoint.index()].stateful = true;
            self.s.nics[nic.index()].ip_forwarding = true;
            // An unknown policy was reported; the firewall stays, denying everything.
            let policy = match policy.flatten() {
                Some(i) => {
                    for t in &self.devices.dnat[i] {
                        if !public_ips.contains(&t.address) {
                            self.d.error_with_help(
                                t.loc,
                                format!(
                                    "DNAT rule `{}` matches {}, which is not a public IP of firewall `{}` (F-5)",
                                    t.rule, t.address, fw.name.value
                                ),
                                "a DNAT rule's destination_address is one of the public_ips of every firewall that uses the policy",
                            );
                        }
                    }
                    self.devices.resolved[i].clone()
                }
                None => FirewallPolicy { snat_private_ranges: iana_private_ranges(), ..FirewallPolicy::default() },
            };
            if policy.dns_proxy {
                // F-11: the proxy forwards to the policy's servers, Azure DNS by default, and
                // so resolves with the zones linked to the firewall's VNet (D-4).
                let servers = if policy.dns_servers.is_empty() {
                    vec![IpAddr::V4(AZURE_PLATFORM_VIP)]
                } else {
                    policy.dns_servers.clone()
                };
                self.s.endpoints[endpoint.index()].dns =
                    Some(DnsForwarding { forwarders: servers, conditional: Vec::new() });
            }
            self.s.firewalls.push(Firewall { name: fw.name.value.clone(), vnet, endpoint, nic, public_ips, policy });
        }
    }

    /// What endpoints add to devices: `stateful` NVAs (F-15), `node_public_ip` computes,
    /// and the subnets reserved for Bastion (H-4) and Azure Firewall.
    pub(super) fn endpoint_devices(&mut self, raw: &[RawEndpoint]) {
        let mut seen = std::collections::HashSet::new();
        for e in raw {
            // A duplicate name was reported; its keys would land on the first endpoint.
            if !seen.insert(e.name.value.as_str()) {
                continue;
            }
            let Some(id) = self.endpoints.get(&e.name.value) else { continue };
            let kind = self.s.endpoint(id).kind;
            if let Some(stateful) = e.stateful.as_ref().filter(|s| s.value) {
                if kind == EndpointKind::Nva {
                    self.s.endpoints[id.index()].stateful = true;
                } else {
                    self.d.error(stateful.loc, format!("`stateful` applies to nva endpoints, not {kind} (F-15)"));
                }
            }
            for n in &e.nics {
                let Some(subnet) = self.subnets.get(&n.subnet.value) else { continue };
                let subnet_name = self.s.subnet(subnet).name.as_str();
                let problem = match (kind, subnet_name) {
                    (EndpointKind::Bastion, BASTION_SUBNET) => None,
                    (EndpointKind::Bastion, _) => Some(format!(
                        "bastion `{}` must be in a subnet named {BASTION_SUBNET}, not `{}` (H-4)",
                        e.name.value, n.subnet.value
                    )),
                    (_, BASTION_SUBNET) => Some(format!(
                        "only bastion endpoints may be in {BASTION_SUBNET}; `{}` is a {kind} (H-4)",
                        e.name.value
                    )),
                    (_, FIREWALL_SUBNET) => Some(format!(
                        "only an Azure Firewall may be in {FIREWALL_SUBNET}; declare it under `firewalls:`, not as a {kind}"
                    )),
                    _ => None,
                };
                if let Some(problem) = problem {
                    self.d.error(n.subnet.loc, problem);
                }
            }
            if let Some(ip) = &e.node_public_ip {
                if !kind.is_aml_compute() {
                    self.d.error(
                        ip.loc,
                        format!("`node_public_ip` applies to compute_instance and compute_cluster, not {kind} (A-2)"),
                    );
                } else if let Some(nic_ip) = e.nics.iter().find_map(|n| n.public_ip.as_ref()) {
                    self.d.error_with_help(
                        nic_ip.loc,
                        format!("compute `{}` has both node_public_ip and a NIC public_ip", e.name.value),
                        "AML computes get their public IP through the load balancer it creates: keep node_public_ip (A-2)",
                    );
                } else {
                    self.aml_public_compute(id, ip);
                }
            }
        }
    }

    /// Azure ML fronts a compute with a public IP with a load balancer (TCP 44224 and
    /// outbound SNAT) and an NSG that admits AzureMachineLearning on that port, on every NIC
    /// that has no NSG of its own.
    fn aml_public_compute(&mut self, endpoint: EndpointId, ip: &Sp<IpAddr>) {
        let name = self.s.endpoint(endpoint).name.clone();
        self.claim_public_ip(ip, &name);
        let lb = LoadBalancerId::from_index(self.s.load_balancers.len());
        self.devices.load_balancers.define(&Sp { value: format!("{name}-lb"), loc: ip.loc }, lb, self.d);
        self.s.load_balancers.push(LoadBalancer {
            name: format!("{name}-lb"),
            frontend: ip.value,
            subnet: None,
            backends: vec![endpoint],
            rules: vec![LoadBalancingRule {
                name: "AzureMachineLearning".into(),
                protocol: Protocol::Tcp,
                frontend_port: AML_NODE_PORT,
                backend_port: AML_NODE_PORT,
            }],
            outbound_snat: true,
            aml_managed: true,
        });
        let tag = self
            .s
            .service_tags
            .get("AzureMachineLearning")
            .map_or_else(|| "AzureMachineLearning".to_string(), |t| t.name.clone());
        let mut rules = vec![NsgRule {
            name: "AzureMachineLearning".into(),
            priority: 1000,
            direction: Direction::Inbound,
            access: Access::Allow,
            protocol: ProtocolMatch::One(Protocol::Tcp),
            source: AddressMatch::ServiceTag(tag),
            source_ports: PortSet::any(),
            destination: AddressMatch::ServiceTag("VirtualNetwork".into()),
            destination_ports: PortSet::new(vec![PortRange::single(AML_NODE_PORT)]),
            is_default: false,
        }];
        rules.extend(NsgRule::defaults());
        let nsg = NsgId::from_index(self.s.nsgs.len());
        self.nsgs.define(&Sp { value: format!("{name}-aml-nsg"), loc: ip.loc }, nsg, self.d);
        self.s.nsgs.push(Nsg { name: format!("{name}-aml-nsg"), rules });
        for nic in self.s.endpoints[endpoint.index()].nics.clone() {
            let nic = &mut self.s.nics[nic.index()];
            if nic.nsg.is_none() {
                nic.nsg = Some(nsg);
            }
        }
    }

    /// Declared load balancers: a public frontend (a public IP) or an internal one (a static IP
    /// of `subnet`), backends by endpoint name, rules unique per protocol and frontend port.
    pub(super) fn load_balancers(&mut self, raw: &[RawLoadBalancer]) {
        for lb in raw {
            let subnet = match &lb.subnet {
                None => {
                    self.claim_public_ip(&lb.frontend_ip, &lb.name.value);
                    None
                }
                Some(s) => {
                    let Some(subnet) = self.subnets.resolve(s, self.d) else { continue };
                    let ip =
                        Self::static_ip(&mut self.static_ips, &self.s, subnet, &lb.frontend_ip, &lb.name.value, self.d);
                    if ip.is_none() {
                        continue;
                    }
                    Some(subnet)
                }
            };
            let outbound_snat = lb.outbound_snat.as_ref().is_some_and(|o| o.value);
            if let (Some(_), Some(o)) = (subnet, lb.outbound_snat.as_ref().filter(|o| o.value)) {
                self.d.error(
                    o.loc,
                    format!("`outbound_snat` applies to public load balancers; `{}` is internal (O-1)", lb.name.value),
                );
            }
            if lb.backends.value.is_empty() {
                self.d.error(lb.backends.loc, format!("load balancer `{}` has no backends", lb.name.value));
            }
            let mut backends = Vec::new();
            for b in &lb.backends.value {
                let Some(e) = self.endpoints.resolve(b, self.d) else { continue };
                let kind = self.s.endpoint(e).kind;
                if matches!(kind, EndpointKind::PrivateEndpoint | EndpointKind::Gateway | EndpointKind::Firewall) {
                    self.d.error(b.loc, format!("`{}` is a {kind}: load balancer backends are machines", b.value));
                } else if !backends.contains(&e) {
                    backends.push(e);
                }
            }
            let mut names = Names::<()>::new("load balancing rule");
            let mut frontends: IndexMap<(Protocol, u64), &str> = IndexMap::new();
            let mut rules = Vec::new();
            for r in &lb.rules {
                names.define(&r.name, (), self.d);
                let protocol = r.protocol.value;
                if let Some(other) = frontends.insert((r.protocol.value, r.frontend_port.value), &r.name.value) {
                    self.d.error(
                        r.frontend_port.loc,
                        format!(
                            "load balancer `{}` already forwards {protocol} port {} (rule `{other}`)",
                            lb.name.value, r.frontend_port.value
                        ),
                    );
                    continue;
                }
                rules.push(LoadBalancingRule {
                    name: r.name.value.clone(),
                    protocol,
                    frontend_port: r.frontend_port.value as u16,
                    backend_port: r.backend_port.value as u16,
                });
            }
            let id = LoadBalancerId::from_index(self.s.load_balancers.len());
            self.devices.load_balancers.define(&lb.name, id, self.d);
            self.s.load_balancers.push(LoadBalancer {
                name: lb.name.value.clone(),
                frontend: lb.frontend_ip.value,
                subnet,
                backends,
                rules,
                outbound_snat: outbound_snat && subnet.is_none(),
                aml_managed: false,
            });
        }
    }
}
