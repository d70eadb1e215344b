//! Words for the steps of firewalls, load balancers, NAT and stateful sessions (F-, O- rules).

use super::{Decider, StepReport};
use crate::fabric::Fabric;
use crate::fabric::firewall::{FirewallDecision, RulePosition};
use crate::trace::{Egress, Step};
use vnetsim_model::{Access, FirewallId, NicId, RuleKind, RuleMatch};

impl Fabric {
    /// The report for a device step; only the steps matched in [`Fabric::explain`] come here.
    pub(super) fn explain_device(&self, step: &Step) -> StepReport {
        let s = &self.scenario;
        let plain = |kind, at: String, decided_by: Option<Decider>, result, detail: String| {
            let headline = decided_by.as_ref().map_or_else(String::new, Decider::headline);
            StepReport { kind, at, decided_by, result, headline, detail }
        };
        match *step {
            Step::Firewall { firewall, decision } => self.explain_firewall(firewall, decision),
            Step::Translation { nic, destination, from, to } => {
                let detail = match (destination, self.firewall_of(nic)) {
                    (true, _) => format!(
                        "destination {from} translated to {to} by the DNAT rule; the source becomes the firewall's private IP (F-5)"
                    ),
                    (false, Some(_)) => format!(
                        "source {from} translated to {to}: application rules always SNAT to the firewall's private IP, network rules do for destinations outside the private ranges (F-12)"
                    ),
                    (false, None) => format!("source {from} translated to {to}"),
                };
                plain(
                    if destination { "dnat" } else { "snat" },
                    self.nic_label(nic),
                    Some(self.device_decider(nic)),
                    "pass",
                    detail,
                )
            }
            Step::Session { nic, restored } => plain(
                "session",
                self.nic_label(nic),
                Some(self.device_decider(nic)),
                "allow",
                format!(
                    "the reply matches the session the request opened, so it passes whatever the rules say in this direction (F-13); it goes on to {restored}"
                ),
            ),
            Step::Asymmetric { nic, seen_by_request, came_in_on } => {
                let device = &s.endpoint(s.nic(nic).endpoint).name;
                let entry = came_in_on
                    .map_or_else(String::new, |ip| format!(" (it came in from the internet on public IP {ip})"));
                let detail = if seen_by_request {
                    format!(
                        "asymmetric: the request passed stateful device {device} but the reply bypasses it, so {device} never sees the session complete and drops the client's next packet (F-15, P-9)"
                    )
                } else {
                    format!(
                        "asymmetric: the reply is routed to stateful device {device}, which never saw the request{entry}; it has no session for the reply and drops it (F-15, A-6)"
                    )
                };
                plain("asymmetric", self.nic_label(nic), Some(self.device_decider(nic)), "drop", detail)
            }
            Step::LoadBalancer { lb, rule, nic } => {
                let l = &s.load_balancers[lb.index()];
                let r = &l.rules[rule as usize];
                let created =
                    if l.aml_managed { ", created by Azure ML for the compute's public IP (A-2)" } else { "" };
                plain(
                    "load_balancer",
                    format!("frontend {}", l.frontend),
                    Some(Decider { kind: "load_balancer", name: l.name.clone(), rule: Some(r.name.clone()) }),
                    "pass",
                    format!(
                        "rule {} forwards {}/{} to backend {} port {}{created}; the source is kept",
                        r.name,
                        r.protocol,
                        r.frontend_port,
                        self.nic_label(nic),
                        r.backend_port
                    ),
                )
            }
            Step::Egress { nic, egress } => {
                let n = s.nic(nic);
                let endpoint = Decider { kind: "nic", name: s.endpoint(n.endpoint).name.clone(), rule: None };
                let subnet = Decider { kind: "subnet", name: s.subnet_path(n.subnet), rule: None };
                let (result, decider, detail) = match egress {
                    Egress::Firewall(fw, ip) => ("pass", Decider { kind: "firewall", name: s.firewalls[fw.index()].name.clone(), rule: None }, format!("leaves for the internet from firewall public IP {ip} (F-12)")),
                    Egress::NatGateway(g, ip) => ("pass", Decider { kind: "nat_gateway", name: s.nat_gateways[g.index()].name.clone(), rule: None }, format!("leaves for the internet from NAT gateway IP {ip}: the subnet's NAT gateway takes precedence over public IPs, load balancers and default outbound access (O-1, O-2, F-16)")),
                    Egress::InstancePublicIp(ip) => ("pass", endpoint, format!("leaves for the internet from instance public IP {ip} (O-1)")),
                    Egress::LoadBalancer(lb, ip) => ("pass", Decider { kind: "load_balancer", name: s.load_balancers[lb.index()].name.clone(), rule: None }, format!("leaves for the internet from load balancer frontend {ip} by its outbound rules (O-1 item 4)")),
                    Egress::DefaultOutboundAccess => ("pass", subnet, "leaves for the internet through default outbound access, from an implicit Microsoft-owned IP (O-3)".into()),
                    Egress::Return(ip) => ("pass", endpoint, format!("the reply leaves from public IP {ip}, where the request came in (O-2, R-11)")),
                    Egress::None => ("drop", subnet, "no outbound method: a private subnet (default_outbound_access false) with no NAT gateway, public IP, load balancer outbound rule or appliance route, or a firewall without a public IP or that did not SNAT the flow (O-1, O-3, F-12)".into()),
                };
                plain("egress", self.nic_label(nic), Some(decider), result, detail)
            }
            // Only the steps above are routed here.
            other => plain("step", String::new(), None, "pass", format!("{other:?}")),
        }
    }

    fn explain_firewall(&self, firewall: FirewallId, decision: FirewallDecision) -> StepReport {
        let fw = &self.scenario.firewalls[firewall.index()];
        let at = self.nic_label(fw.nic);
        let report = |decided_by: Decider, result, headline: String, detail: String| StepReport {
            kind: "firewall",
            at: at.clone(),
            decided_by: Some(decided_by),
            result,
            headline,
            detail,
        };
        match decision {
            FirewallDecision::Rule { pass, at, access } => {
                let (path, words) = self.firewall_rule_words(firewall, pass, at);
                let decider = Decider { kind: "firewall", name: fw.name.clone(), rule: Some(path.clone()) };
                let result = if access == Access::Allow { "allow" } else { "deny" };
                let order = match pass {
                    RuleKind::Dnat => "DNAT rules are processed first and allow what they translate (F-3, F-5)",
                    RuleKind::Network => "network rules come after DNAT and before application rules, whatever the priorities (F-3, F-6)",
                    RuleKind::Application => "application rules are processed only when no network rule matched, and match the SNI or Host name (F-3, F-8, F-9)",
                };
                report(
                    decider,
                    result,
                    format!("firewall {} {pass} rule {path} {access}", fw.name),
                    format!("{words}; first match (F-1); {order}"),
                )
            }
            FirewallDecision::NoRule { collections } => report(
                Decider { kind: "firewall", name: fw.name.clone(), rule: None },
                "deny",
                format!("firewall {} no rule matched", fw.name),
                format!(
                    "no rule matched in {collections} rule collections of policy {}, so the implicit deny drops it (F-1)",
                    if fw.policy.name.is_empty() { "(none)" } else { &fw.policy.name }
                ),
            ),
            FirewallDecision::NotAService => report(
                Decider { kind: "firewall", name: fw.name.clone(), rule: None },
                "deny",
                format!("firewall {} private IP", fw.name),
                "the firewall's private IP answers only DNS, and only with DNS proxy on (F-11); it is a next hop, not a destination".into(),
            ),
        }
    }

    /// `group/collection/rule` and a description of the rule.
    fn firewall_rule_words(&self, firewall: FirewallId, pass: RuleKind, at: RulePosition) -> (String, String) {
        let policy = &self.scenario.firewalls[firewall.index()].policy;
        let group = &policy.groups[at.group as usize];
        let collection = &group.collections[at.collection as usize];
        let rule = &collection.rules[at.rule as usize];
        let path = format!("{}/{}/{}", group.name, collection.name, rule.name);
        let what = match &rule.matcher {
            RuleMatch::Network { destinations, ports, .. } => format!("to {} ports {ports}", list(destinations)),
            RuleMatch::Application { protocols, target_fqdns } => format!(
                "{} to {}",
                protocols.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
                target_fqdns.join(",")
            ),
            RuleMatch::Dnat { destination, port, translated, translated_port, .. } => {
                format!("{destination}:{port} to {translated}:{translated_port}")
            }
        };
        let words = format!(
            "{pass} rule {} in collection {} (priority {}, {}) of group {} (priority {}{}): from {} {what}",
            rule.name,
            collection.name,
            collection.priority,
            collection.action,
            group.name,
            group.priority,
            if group.inherited() { ", inherited from the parent policy" } else { "" },
            list(&rule.sources),
        );
        (path, words)
    }

    /// The stateful device at a NIC, as expectations name it.
    fn device_decider(&self, nic: NicId) -> Decider {
        let s = &self.scenario;
        match self.firewall_of(nic) {
            Some(fw) => Decider { kind: "firewall", name: s.firewalls[fw.index()].name.clone(), rule: None },
            None => Decider { kind: "nic", name: s.endpoint(s.nic(nic).endpoint).name.clone(), rule: None },
        }
    }
}

fn list(entries: &[vnetsim_model::FirewallAddress]) -> String {
    use vnetsim_model::FirewallAddress::*;
    let words: Vec<String> = entries
        .iter()
        .map(|e| match e {
            Any => "*".to_string(),
            Prefix(p) => p.to_string(),
            ServiceTag(t) => t.clone(),
            Fqdn(f) => f.clone(),
        })
        .collect();
    words.join(",")
}
