//! Words for the steps of firewalls, load balancers, NAT and stateful sessions (F-, O- rules).

use vnetsim_engine::Fabric;
use vnetsim_engine::fabric::firewall::{FirewallDecision, RulePosition};
use vnetsim_engine::trace::{Egress, Step};
use vnetsim_model::{FirewallId, RuleKind, RuleMatch};

/// A device step's headline (when not its decider's) and sentence; only the steps matched in
/// [`super::words`] come here.
pub(super) fn words(f: &Fabric, step: &Step) -> (Option<String>, String) {
    let s = &f.scenario;
    match *step {
        Step::Firewall { firewall, decision } => {
            let (headline, detail) = firewall_words(f, firewall, decision);
            (Some(headline), detail)
        }
        Step::Translation { nic, destination, from, to } => (
            None,
            match (destination, f.firewall_of(nic)) {
                (true, _) => format!(
                    "destination {from} translated to {to} by the DNAT rule; the source becomes the firewall's private IP (F-5)"
                ),
                (false, Some(_)) => format!(
                    "source {from} translated to {to}: application rules always SNAT to the firewall's private IP, network rules do for destinations outside the private ranges (F-12)"
                ),
                (false, None) => format!("source {from} translated to {to}"),
            },
        ),
        Step::Session { restored, .. } => (
            None,
            format!(
                "the reply matches the session the request opened, so it passes whatever the rules say in this direction (F-13); it goes on to {restored}"
            ),
        ),
        Step::Asymmetric { nic, seen_by_request, came_in_on } => {
            let device = &s.endpoint(s.nic(nic).endpoint).name;
            let entry =
                came_in_on.map_or_else(String::new, |ip| format!(" (it came in from the internet on public IP {ip})"));
            let detail = if seen_by_request {
                format!(
                    "asymmetric: the request passed stateful device {device} but the reply bypasses it, so {device} never sees the session complete and drops the client's next packet (F-15, P-9)"
                )
            } else {
                format!(
                    "asymmetric: the reply is routed to stateful device {device}, which never saw the request{entry}; it has no session for the reply and drops it (F-15, A-6)"
                )
            };
            (None, detail)
        }
        Step::LoadBalancer { lb, rule, nic } => {
            let l = &s.load_balancers[lb.index()];
            let r = &l.rules[rule as usize];
            let created = if l.aml_managed { ", created by Azure ML for the compute's public IP (A-2)" } else { "" };
            (
                None,
                format!(
                    "rule {} forwards {}/{} to backend {} port {}{created}; the source is kept",
                    r.name,
                    r.protocol,
                    r.frontend_port,
                    f.nic_label(nic),
                    r.backend_port
                ),
            )
        }
        Step::Egress { egress, .. } => (
            None,
            match egress {
                Egress::Firewall(_, ip) => format!("leaves for the internet from firewall public IP {ip} (F-12)"),
                Egress::NatGateway(_, ip) => format!(
                    "leaves for the internet from NAT gateway IP {ip}: the subnet's NAT gateway takes precedence over public IPs, load balancers and default outbound access (O-1, O-2, F-16)"
                ),
                Egress::InstancePublicIp(ip) => format!("leaves for the internet from instance public IP {ip} (O-1)"),
                Egress::LoadBalancer(_, ip) => format!(
                    "leaves for the internet from load balancer frontend {ip} by its outbound rules (O-1 item 4)"
                ),
                Egress::DefaultOutboundAccess => "leaves for the internet through default outbound access, from an implicit Microsoft-owned IP (O-3)".into(),
                Egress::Return(ip) => {
                    format!("the reply leaves from public IP {ip}, where the request came in (O-2, R-11)")
                }
                Egress::None => "no outbound method: a private subnet (default_outbound_access false) with no NAT gateway, public IP, load balancer outbound rule or appliance route, or a firewall without a public IP or that did not SNAT the flow (O-1, O-3, F-12)".into(),
            },
        ),
        // Only the steps above are routed here.
        other => (Some(String::new()), format!("{other:?}")),
    }
}

fn firewall_words(f: &Fabric, firewall: FirewallId, decision: FirewallDecision) -> (String, String) {
    let fw = &f.scenario.firewalls[firewall.index()];
    match decision {
        FirewallDecision::Rule { pass, at, access } => {
            let path = f.firewall_rule_path(firewall, at);
            let words = firewall_rule_words(f, firewall, pass, at);
            let order = match pass {
                RuleKind::Dnat => "DNAT rules are processed first and allow what they translate (F-3, F-5)",
                RuleKind::Network => {
                    "network rules come after DNAT and before application rules, whatever the priorities (F-3, F-6)"
                }
                RuleKind::Application => "application rules are processed only when no network rule matched, and match the SNI or Host name (F-3, F-8, F-9)",
            };
            (format!("firewall {} {pass} rule {path} {access}", fw.name), format!("{words}; first match (F-1); {order}"))
        }
        FirewallDecision::NoRule { collections } => (
            format!("firewall {} no rule matched", fw.name),
            format!(
                "no rule matched in {collections} rule collections of policy {}, so the implicit deny drops it (F-1)",
                if fw.policy.name.is_empty() { "(none)" } else { &fw.policy.name }
            ),
        ),
        FirewallDecision::NotAService => (
            format!("firewall {} private IP", fw.name),
            "the firewall's private IP answers only DNS, and only with DNS proxy on (F-11); it is a next hop, not a destination".into(),
        ),
    }
}

/// A description of a firewall rule, with its collection and group.
fn firewall_rule_words(f: &Fabric, firewall: FirewallId, pass: RuleKind, at: RulePosition) -> String {
    let policy = &f.scenario.firewalls[firewall.index()].policy;
    let group = &policy.groups[at.group as usize];
    let collection = &group.collections[at.collection as usize];
    let rule = &collection.rules[at.rule as usize];
    let what = match &rule.matcher {
        RuleMatch::Network { destinations, ports, .. } => format!("to {} ports {ports}", list(destinations)),
        RuleMatch::Application { protocols, target_fqdns, fqdn_tags } => {
            // A tag's hosts read as the tag that brought them (F-8 FQDN tags).
            let own = vnetsim_model::firewall::own_targets(target_fqdns, fqdn_tags).iter().cloned();
            let tags = fqdn_tags.iter().map(|t| format!("FQDN tag {t}"));
            format!(
                "{} to {}",
                protocols.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
                own.chain(tags).collect::<Vec<_>>().join(",")
            )
        }
        RuleMatch::Dnat { destination, port, translated, translated_port, .. } => {
            format!("{destination}:{port} to {translated}:{translated_port}")
        }
    };
    format!(
        "{pass} rule {} in collection {} (priority {}, {}) of group {} (priority {}{}): from {} {what}",
        rule.name,
        collection.name,
        collection.priority,
        collection.action,
        group.name,
        group.priority,
        if group.inherited() { ", inherited from the parent policy" } else { "" },
        list(&rule.sources),
    )
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
