//! A naive firewall evaluator written from the model, without the engine's code: the reference
//! the compiled firewall (and its rule indexes) is checked against.

use std::collections::HashMap;
use vnetsim_engine::Packet;
use vnetsim_engine::fabric::firewall::{FirewallDecision, RulePosition};
use vnetsim_model::{Access, FirewallAddress, FirewallPolicy, IpAddr, IpNet, Protocol, RuleKind, RuleMatch, Scenario};

/// A naive reading of F-3, F-5, F-6, F-8, F-9, F-12 over the model: sort the groups (parent's
/// first, then priority), the collections by priority, scan every rule of a pass in that order,
/// first match wins. Written without the engine's code.
pub struct Naive<'a> {
    pub scenario: &'a Scenario,
    pub policy: &'a FirewallPolicy,
    pub private_ip: IpAddr,
    /// What the firewall's DNS answers for each network-rule FQDN.
    pub fqdns: HashMap<String, IpAddr>,
}

impl Naive<'_> {
    /// (group, collection) indexes in processing order.
    fn order(&self) -> Vec<(usize, usize)> {
        let mut groups: Vec<usize> = (0..self.policy.groups.len()).collect();
        groups.sort_by_key(|&g| (std::cmp::Reverse(self.policy.groups[g].level), self.policy.groups[g].priority));
        let mut out = Vec::new();
        for g in groups {
            let mut collections: Vec<usize> = (0..self.policy.groups[g].collections.len()).collect();
            collections.sort_by_key(|&c| self.policy.groups[g].collections[c].priority);
            out.extend(collections.into_iter().map(|c| (g, c)));
        }
        out
    }

    fn address_matches(&self, entries: &[FirewallAddress], address: IpAddr) -> bool {
        entries.iter().any(|e| match e {
            FirewallAddress::Any => true,
            FirewallAddress::Prefix(p) => p.contains(&address),
            FirewallAddress::ServiceTag(t) => {
                self.scenario.service_tags.get(t).expect("tag").prefixes.iter().any(|p| p.contains(&address))
            }
            FirewallAddress::Fqdn(name) => self.fqdns.get(name) == Some(&address),
        })
    }

    fn name_matches(target: &str, name: &str) -> bool {
        let (target, name) = (target.to_ascii_lowercase(), name.to_ascii_lowercase());
        if target == "*" {
            return true;
        }
        match (target.strip_prefix("*."), target.strip_prefix('*')) {
            (Some(parent), _) => name.ends_with(&format!(".{parent}")),
            // F-9's field note: `*suffix` is a plain suffix.
            (None, Some(suffix)) => name.ends_with(suffix),
            (None, None) => target == name,
        }
    }

    fn count(&self, kinds: &[RuleKind]) -> u16 {
        self.order().iter().filter(|(g, c)| kinds.contains(&self.policy.groups[*g].collections[*c].kind)).count() as u16
    }

    /// A forwarded flow: (decision, source after the firewall).
    pub fn forward(&self, p: &Packet, name: Option<&str>) -> (FirewallDecision, IpAddr) {
        for pass in [RuleKind::Network, RuleKind::Application] {
            for (g, c) in self.order() {
                let collection = &self.policy.groups[g].collections[c];
                if collection.kind != pass {
                    continue;
                }
                for (r, rule) in collection.rules.iter().enumerate() {
                    if !self.address_matches(&rule.sources, p.source) {
                        continue;
                    }
                    let hit = match &rule.matcher {
                        RuleMatch::Network { protocols, destinations, ports } => {
                            (protocols.is_empty() || protocols.contains(&p.protocol))
                                && self.address_matches(destinations, p.destination)
                                && (ports.is_any() || (p.protocol.has_ports() && ports.contains(p.destination_port)))
                        }
                        RuleMatch::Application { protocols, target_fqdns, .. } => {
                            p.protocol == Protocol::Tcp
                                && name.is_some_and(|n| target_fqdns.iter().any(|t| Self::name_matches(t, n)))
                                && protocols.iter().any(|a| a.port == p.destination_port)
                        }
                        RuleMatch::Dnat { .. } => false,
                    };
                    if hit {
                        let at = RulePosition { group: g as u16, collection: c as u16, rule: r as u16 };
                        let access = collection.action;
                        let exempt = self.policy.snat_private_ranges.iter().any(|n: &IpNet| n.contains(&p.destination));
                        let snat = access == Access::Allow && (pass == RuleKind::Application || !exempt);
                        let source = if snat { self.private_ip } else { p.source };
                        return (FirewallDecision::Rule { pass, at, access }, source);
                    }
                }
            }
        }
        (FirewallDecision::NoRule { collections: self.count(&[RuleKind::Network, RuleKind::Application]) }, p.source)
    }

    /// An inbound flow to a public IP: (decision, packet after the firewall).
    pub fn inbound(&self, p: &Packet) -> (FirewallDecision, Packet) {
        for (g, c) in self.order() {
            let collection = &self.policy.groups[g].collections[c];
            for (r, rule) in collection.rules.iter().enumerate() {
                if let RuleMatch::Dnat { protocols, destination, port, translated, translated_port } = &rule.matcher
                    && protocols.contains(&p.protocol)
                    && *destination == p.destination
                    && *port == p.destination_port
                    && self.address_matches(&rule.sources, p.source)
                {
                    let at = RulePosition { group: g as u16, collection: c as u16, rule: r as u16 };
                    let out = Packet {
                        source: self.private_ip,
                        destination: *translated,
                        destination_port: *translated_port,
                        ..*p
                    };
                    return (FirewallDecision::Rule { pass: RuleKind::Dnat, at, access: Access::Allow }, out);
                }
            }
        }
        (FirewallDecision::NoRule { collections: self.count(&[RuleKind::Dnat]) }, *p)
    }
}
