//! The what-if diff's pruning against walking everything (issue 7). `diff` walks only the
//! classes the place digests say a change can touch; `--everything` walks every class of every
//! source; the claim is that both give the same per-source class changes. Each of 13 built-in
//! scenarios is edited in many small, realistic ways (NSG rules, routes, peerings, private
//! endpoints, services, firewall rules, NICs, NAT gateways, on-premises prefixes, ASGs) and,
//! through the YAML text, in ways that shift every id, and the two must agree class for class.
//! A mismatch means a digest misses something a walk reads, or an entry misses a way into a
//! place. Small inline scenarios pin exact answers and the gates, the ways into a place that no
//! built-in scenario exercises (DNAT, a reply's own path, NAT gateway addresses), and the misses
//! the oracle found.
//!
//! Cost: a debug walk takes some 10 µs, so each kind of edit is tried on one or two of its
//! objects (the first and the last), only the sources the scope prunes are walked twice (see
//! [`check`]), and each scenario is its own test.

use rayon::prelude::*;
use std::fmt::Write;
use vnetsim_analysis::diff::scope::Scope;
use vnetsim_analysis::diff::traffic::{ClassChange, Sides, SourceDiff, diff_source};
use vnetsim_analysis::diff::{Diff, DiffOptions, Gate, diff};
use vnetsim_analysis::reach::Ranges;
use vnetsim_config::load_scenario;
use vnetsim_engine::Fabric;
use vnetsim_model::{
    Access, AddressMatch, ConnectionState, EndpointId, IpNet, Ipv4Addr, NextHop, NicId, NsgId, PortRange, PortSet,
    PrivateEndpointNetworkPolicies, PublicNetworkAccess, RuleMatch, Scenario, ServiceTagTable,
};
use vnetsim_testkit::{builtin_scenario_text as scenario_text, builtin_scenarios as builtin_files, compile, load};

fn pruned<'f>(before: &'f Fabric, after: &'f Fabric) -> Diff<'f> {
    diff(before, after, DiffOptions { everything: false, ..Default::default() })
}

fn everything<'f>(before: &'f Fabric, after: &'f Fabric) -> Diff<'f> {
    diff(before, after, DiffOptions { everything: true, ..Default::default() })
}

/// Address ranges dotted, each with its port ranges.
fn ranges(ranges: &Ranges) -> String {
    let mut out = String::new();
    for ((lo, hi), ports) in ranges {
        let _ = write!(out, "[{}-{}:", Ipv4Addr::from(*lo), Ipv4Addr::from(*hi));
        for (a, b) in ports {
            let _ = write!(out, " {a}-{b}");
        }
        out.push(']');
    }
    out
}

/// A class change in words: names instead of indexes, addresses dotted.
fn class(sides: &Sides, c: &ClassChange) -> String {
    let names: Vec<&str> = c.names.iter().map(|n| n.map_or("-", |n| sides.names[n as usize].as_str())).collect();
    format!(
        "{} {:?} names {names:?} {} before {:?}/{:?} after {:?}/{:?} witness {}:{} x{}",
        c.change.name(),
        c.protocol,
        ranges(&c.ranges),
        c.before.request,
        c.before.reply,
        c.after.request,
        c.after.reply,
        c.witness.destination,
        c.witness.destination_port,
        c.classes
    )
}

/// Per source with changes, its class changes in words.
fn classes(d: &Diff) -> Vec<(String, Vec<String>)> {
    (d.sources.iter().filter(|s| !s.changes.is_empty()))
        .map(|s| (s.source.clone(), s.changes.iter().map(|c| class(&d.sides, c)).collect()))
        .collect()
}

/// Flows, expectations and exfiltration findings that changed, in words.
fn verdicts(d: &Diff) -> Vec<String> {
    let flows = d.flows.iter().map(|f| {
        let c = f.cell();
        format!("flow {} {} {} {:?} -> {:?}", c.flow, c.source, c.workspace, f.status(0), f.status(1))
    });
    let expectations = (d.expectations.iter())
        .map(|e| format!("expectation {} {:?} -> {:?}", e.result().label, e.passed(0), e.passed(1)));
    let exfiltration = (d.exfiltration.iter()).map(|x| {
        format!("exfiltration {} {} {:?} {:?}", x.side, x.source, x.finding().destination, x.finding().opened_by)
    });
    flows.chain(expectations).chain(exfiltration).collect()
}

fn walked(d: &Diff) -> usize {
    d.sources.iter().map(|s| s.walked).sum()
}

/// The sources both fabrics have, paired by name as `diff` pairs them, with their node-0 NICs.
fn shared_sources(before: &Fabric, after: &Fabric) -> Vec<(String, [NicId; 2])> {
    let nic = |f: &Fabric, name: &str| {
        let s = &f.scenario;
        let e = s.endpoints.iter().position(|e| e.name == name && e.kind.starts_connections())?;
        s.primary_nic(EndpointId::from_index(e), 0)
    };
    (before.scenario.endpoints.iter())
        .filter_map(|e| Some((e.name.clone(), [nic(before, &e.name)?, nic(after, &e.name)?])))
        .collect()
}

/// The oracle for one edit: sources the pruned diff does not walk whole, walked pruned and
/// walked whole, must give the same class changes. A source the scope covers walks every piece
/// either way, through the same code, so only the others can disagree ([`full_diffs_agree`]
/// runs both diffs whole). Of the others, one per subnet and NIC settings is walked: sources
/// alike but for their address take the same paths past the same rules.
/// Returns how many of them have class changes.
fn check(label: &str, before: &Fabric, after: &Fabric) -> Result<usize, String> {
    let scope = Scope::new(before, after, false);
    if scope.everything {
        return Ok(0);
    }
    let all = Scope { everything: true, ..Scope::default() };
    let sides = Sides::new(before, after, Default::default());
    let mut kinds = Vec::new();
    let pruned: Vec<(String, [NicId; 2])> = (shared_sources(before, after).into_iter())
        .filter(|(_, [b, a])| !scope.covers_source(before, *b) && !scope.covers_source(after, *a))
        .filter(|(_, [b, _])| {
            let s = &before.scenario;
            let nic = s.nic(*b);
            let kind =
                (nic.subnet, nic.nsg, nic.asgs.clone(), nic.public_ip.is_some(), s.endpoint(nic.endpoint).stateful);
            let new = !kinds.contains(&kind);
            kinds.push(kind);
            new
        })
        .collect();
    let results: Vec<(SourceDiff, SourceDiff)> = (pruned.into_par_iter())
        .map(|(name, nics)| (diff_source(&sides, &scope, name.clone(), nics), diff_source(&sides, &all, name, nics)))
        .collect();
    let mut text = String::new();
    for (pruned, whole) in &results {
        let [p, w] = [pruned, whole].map(|d| d.changes.iter().map(|c| class(&sides, c)).collect::<Vec<_>>());
        for c in w.iter().filter(|c| !p.contains(c)) {
            let _ = writeln!(text, "  missed  {}: {c}", pruned.source);
        }
        for c in p.iter().filter(|c| !w.contains(c)) {
            let _ = writeln!(text, "  extra   {}: {c}", pruned.source);
        }
    }
    match text.is_empty() {
        true => Ok(results.iter().filter(|(_, whole)| !whole.changes.is_empty()).count()),
        false => Err(format!("{label}: pruned and everything differ (scope {scope:?})\n{text}")),
    }
}

/// `k` of `n` positions, from the first to the last.
fn spread(n: usize, k: usize) -> Vec<usize> {
    match k {
        _ if n <= k => (0..n).collect(),
        1 => vec![0],
        _ => (0..k).map(|j| j * (n - 1) / (k - 1)).collect(),
    }
}

/// Edited copies of a scenario, each labelled.
struct Edits<'s> {
    base: &'s Scenario,
    out: Vec<(String, Scenario)>,
}

impl Edits<'_> {
    /// Applies `edit` (which returns the label) to copies, for `k` of `targets`.
    fn each<T>(&mut self, k: usize, targets: Vec<T>, edit: impl Fn(&mut Scenario, &T) -> String) {
        for i in spread(targets.len(), k) {
            let mut s = self.base.clone();
            let label = edit(&mut s, &targets[i]);
            self.out.push((label, s));
        }
    }
}

fn flip(access: Access) -> Access {
    match access {
        Access::Allow => Access::Deny,
        Access::Deny => Access::Allow,
    }
}

/// The model edits of `s`: one or two objects of each kind the scenario has.
fn model_edits(s: &Scenario) -> Vec<(String, Scenario)> {
    let mut e = Edits { base: s, out: Vec::new() };
    let attached = |i: usize| {
        let id = Some(NsgId::from_index(i));
        s.subnets.iter().any(|x| x.nsg == id) || s.nics.iter().any(|n| n.nsg == id)
    };
    let rules = |keep: &dyn Fn(&vnetsim_model::NsgRule) -> bool| -> Vec<(usize, usize)> {
        let rules = s.nsgs.iter().enumerate().filter(|(i, _)| attached(*i));
        rules
            .flat_map(|(i, n)| {
                n.rules.iter().enumerate().filter(|(_, r)| !r.is_default && keep(r)).map(move |(j, _)| (i, j))
            })
            .collect()
    };
    let rule_name = |m: &Scenario, (i, j): (usize, usize)| format!("{}/{}", m.nsgs[i].name, m.nsgs[i].rules[j].name);

    e.each(2, rules(&|_| true), |m, &(i, j)| {
        m.nsgs[i].rules[j].access = flip(m.nsgs[i].rules[j].access);
        format!("flip NSG rule {}", rule_name(m, (i, j)))
    });
    e.each(2, rules(&|_| true), |m, &(i, j)| {
        let label = format!("delete NSG rule {}", rule_name(m, (i, j)));
        m.nsgs[i].rules.remove(j);
        label
    });
    // A range or `*` narrows to one port; one port moves to the next.
    e.each(2, rules(&|_| true), |m, &(i, j)| {
        let r = &mut m.nsgs[i].rules[j];
        let first = r.destination_ports.ranges()[0];
        let port = match (r.destination_ports.is_any(), first.first == first.last) {
            (true, _) => 443,
            (false, true) => first.first.wrapping_add(1),
            (false, false) => first.first,
        };
        r.destination_ports = PortSet::new(vec![PortRange::single(port)]);
        format!("NSG rule {} to port {port}", rule_name(m, (i, j)))
    });
    e.each(1, rules(&|r| r.destination != AddressMatch::Any), |m, &(i, j)| {
        m.nsgs[i].rules[j].destination = AddressMatch::Any;
        format!("widen NSG rule {} to any destination", rule_name(m, (i, j)))
    });
    let wide_source = |r: &vnetsim_model::NsgRule| match &r.source {
        AddressMatch::Prefixes(p) => p.iter().any(|p| p.prefix_len() < 24),
        _ => false,
    };
    e.each(1, rules(&wide_source), |m, &(i, j)| {
        let AddressMatch::Prefixes(prefixes) = &mut m.nsgs[i].rules[j].source else { unreachable!() };
        for p in prefixes.iter_mut().filter(|p| p.prefix_len() < 24) {
            *p = p.subnets(24).expect("a /24 fits").next().expect("one /24 at least");
        }
        format!("narrow the source of NSG rule {} to /24s", rule_name(m, (i, j)))
    });

    let subnets = |keep: &dyn Fn(usize, &vnetsim_model::Subnet) -> bool| -> Vec<usize> {
        (0..s.subnets.len()).filter(|i| keep(*i, &s.subnets[*i])).collect()
    };
    let path = |m: &Scenario, i: usize| m.subnet_path(vnetsim_model::SubnetId::from_index(i));
    e.each(2, subnets(&|_, x| x.nsg.is_some()), |m, &i| {
        m.subnets[i].nsg = None;
        format!("detach the NSG of {}", path(m, i))
    });
    e.each(2, subnets(&|_, x| x.route_table.is_some()), |m, &i| {
        m.subnets[i].route_table = None;
        format!("detach the route table of {}", path(m, i))
    });
    e.each(1, subnets(&|_, x| x.nat_gateway.is_some()), |m, &i| {
        m.subnets[i].nat_gateway = None;
        format!("detach the NAT gateway of {}", path(m, i))
    });
    e.each(1, subnets(&|_, x| !x.service_endpoints.is_empty()), |m, &i| {
        m.subnets[i].service_endpoints.clear();
        format!("remove the service endpoints of {}", path(m, i))
    });
    e.each(1, subnets(&|_, x| !x.service_endpoint_policies.is_empty()), |m, &i| {
        m.subnets[i].service_endpoint_policies.clear();
        format!("remove the service endpoint policies of {}", path(m, i))
    });
    let has_source = |i: usize, _: &vnetsim_model::Subnet| {
        s.nics.iter().any(|n| n.subnet.index() == i && s.endpoint(n.endpoint).kind.starts_connections())
    };
    e.each(1, subnets(&has_source), |m, &i| {
        m.subnets[i].default_outbound_access ^= true;
        format!("flip default outbound access of {}", path(m, i))
    });
    let pe_subnets = subnets(&|i, _| s.private_endpoints.iter().any(|pe| s.nic(pe.nic).subnet.index() == i));
    e.each(1, pe_subnets, |m, &i| {
        let p = match m.subnets[i].private_endpoint_network_policies {
            PrivateEndpointNetworkPolicies::Disabled => PrivateEndpointNetworkPolicies::Enabled,
            _ => PrivateEndpointNetworkPolicies::Disabled,
        };
        m.subnets[i].private_endpoint_network_policies = p;
        format!("private endpoint network policies of {} to {p:?}", path(m, i))
    });

    let used_table = |t: usize| s.subnets.iter().any(|x| x.route_table.is_some_and(|r| r.index() == t));
    let routes: Vec<(usize, usize)> = (0..s.route_tables.len())
        .filter(|t| used_table(*t))
        .flat_map(|t| (0..s.route_tables[t].routes.len()).map(move |r| (t, r)))
        .collect();
    let route_name = |m: &Scenario, (t, r): (usize, usize)| {
        format!("{}/{}", m.route_tables[t].name, m.route_tables[t].routes[r].name)
    };
    e.each(2, routes.clone(), |m, &(t, r)| {
        let label = format!("delete route {}", route_name(m, (t, r)));
        m.route_tables[t].routes.remove(r);
        label
    });
    e.each(2, routes, |m, &(t, r)| {
        let route = &mut m.route_tables[t].routes[r];
        route.next_hop = match route.next_hop {
            NextHop::VirtualAppliance(_) | NextHop::None => NextHop::Internet,
            _ => NextHop::None,
        };
        format!("route {} to next hop {}", route_name(m, (t, r)), m.route_tables[t].routes[r].next_hop)
    });
    e.each(1, (0..s.route_tables.len()).filter(|t| used_table(*t)).collect(), |m, &t| {
        m.route_tables[t].disable_bgp_route_propagation ^= true;
        format!("flip BGP propagation of {}", m.route_tables[t].name)
    });

    let peering = |m: &Scenario, i: usize| {
        let p = &m.peerings[i];
        format!("{}->{}", m.vnet(p.local).name, m.vnet(p.remote).name)
    };
    let peerings: Vec<usize> = (0..s.peerings.len()).collect();
    e.each(2, peerings.clone(), |m, &i| {
        m.peerings[i].allow_forwarded_traffic ^= true;
        format!("flip allow_forwarded_traffic of {}", peering(m, i))
    });
    e.each(1, peerings.clone(), |m, &i| {
        m.peerings[i].allow_virtual_network_access ^= true;
        format!("flip allow_virtual_network_access of {}", peering(m, i))
    });
    e.each(1, peerings.into_iter().filter(|i| s.peerings[*i].use_remote_gateways).collect(), |m, &i| {
        m.peerings[i].use_remote_gateways = false;
        format!("stop {} using remote gateways", peering(m, i))
    });

    let approved =
        (0..s.private_endpoints.len()).filter(|i| s.private_endpoints[*i].state == ConnectionState::Approved);
    e.each(2, approved.collect(), |m, &i| {
        m.private_endpoints[i].state = ConnectionState::Rejected;
        format!("reject private endpoint {}", m.private_endpoints[i].name)
    });

    let declared = |keep: &dyn Fn(&vnetsim_model::Service) -> bool| -> Vec<usize> {
        (0..s.services.len()).filter(|i| !s.services[*i].builtin && keep(&s.services[*i])).collect()
    };
    e.each(2, declared(&|_| true), |m, &i| {
        let service = &mut m.services[i];
        service.public_network_access = match service.public_network_access {
            PublicNetworkAccess::Disabled => PublicNetworkAccess::Enabled,
            _ => PublicNetworkAccess::Disabled,
        };
        format!("public network access of {} to {:?}", service.name, service.public_network_access)
    });
    e.each(2, declared(&|x| !x.network_rules.ip_rules.is_empty()), |m, &i| {
        m.services[i].network_rules.ip_rules.remove(0);
        format!("remove the first IP rule of {}", m.services[i].name)
    });
    e.each(1, declared(&|x| !x.network_rules.virtual_network_rules.is_empty()), |m, &i| {
        m.services[i].network_rules.virtual_network_rules.remove(0);
        format!("remove the first VNet rule of {}", m.services[i].name)
    });
    e.each(1, declared(&|x| !x.network_rules.default_allow), |m, &i| {
        m.services[i].network_rules.default_allow = true;
        format!("default allow on {}", m.services[i].name)
    });

    // Firewall rules: (firewall, group, collection, rule).
    let fw_rules = |kind: fn(&RuleMatch) -> bool| -> Vec<[usize; 4]> {
        let mut out = Vec::new();
        for (f, fw) in s.firewalls.iter().enumerate() {
            for (g, group) in fw.policy.groups.iter().enumerate() {
                for (c, collection) in group.collections.iter().enumerate() {
                    let rules = collection.rules.iter().enumerate().filter(|(_, r)| kind(&r.matcher));
                    out.extend(rules.map(|(r, _)| [f, g, c, r]));
                }
            }
        }
        out
    };
    fn fw_rule(m: &mut Scenario, [f, g, c, r]: [usize; 4]) -> (String, &mut Vec<vnetsim_model::FirewallRule>) {
        let fw = &mut m.firewalls[f];
        let name = format!("{}/{}", fw.name, fw.policy.groups[g].collections[c].rules[r].name);
        (name, &mut fw.policy.groups[g].collections[c].rules)
    }
    let network = |r: &RuleMatch| matches!(r, RuleMatch::Network { .. });
    let application = |r: &RuleMatch| matches!(r, RuleMatch::Application { .. });
    let dnat = |r: &RuleMatch| matches!(r, RuleMatch::Dnat { .. });
    for (kind, what) in [(network as fn(&RuleMatch) -> bool, "network"), (application, "application")] {
        e.each(2, fw_rules(kind), |m, &at| {
            let (name, rules) = fw_rule(m, at);
            rules.remove(at[3]);
            format!("delete firewall {what} rule {name}")
        });
    }
    e.each(2, fw_rules(network), |m, &at| {
        let (name, rules) = fw_rule(m, at);
        let RuleMatch::Network { ports, .. } = &mut rules[at[3]].matcher else { unreachable!() };
        let port = if ports.contains(443) { 8443 } else { 443 };
        *ports = PortSet::new(vec![PortRange::single(port)]);
        format!("firewall network rule {name} to port {port}")
    });
    e.each(1, fw_rules(application), |m, &at| {
        let (name, rules) = fw_rule(m, at);
        let RuleMatch::Application { protocols, .. } = &mut rules[at[3]].matcher else { unreachable!() };
        protocols.retain(|p| p.port != 443);
        format!("firewall application rule {name} without port 443")
    });
    e.each(1, fw_rules(dnat), |m, &at| {
        let (name, rules) = fw_rule(m, at);
        let RuleMatch::Dnat { translated_port, .. } = &mut rules[at[3]].matcher else { unreachable!() };
        *translated_port = translated_port.wrapping_add(1);
        format!("firewall DNAT rule {name} to the next port")
    });

    e.each(1, (0..s.firewalls.len()).collect(), |m, &f| {
        let policy = &mut m.firewalls[f].policy;
        let everything: IpNet = "0.0.0.0/0".parse().expect("prefix");
        policy.snat_private_ranges = match policy.snat_private_ranges == [everything] {
            true => vnetsim_model::firewall::iana_private_ranges(),
            false => vec![everything],
        };
        format!("SNAT private ranges of {} to {:?}", m.firewalls[f].name, m.firewalls[f].policy.snat_private_ranges)
    });
    let used_policy = |p: usize| s.subnets.iter().any(|x| x.service_endpoint_policies.iter().any(|q| q.index() == p));
    e.each(
        1,
        (0..s.policies.len()).filter(|p| used_policy(*p) && !s.policies[*p].accounts.is_empty()).collect(),
        |m, &p| {
            m.policies[p].accounts.remove(0);
            format!("remove the first account of service endpoint policy {}", m.policies[p].name)
        },
    );

    let nic_name = |m: &Scenario, i: usize| m.endpoint(m.nics[i].endpoint).name.clone();
    let nva = |i: &usize| {
        s.nics[*i].ip_forwarding && s.endpoint(s.nics[*i].endpoint).kind == vnetsim_model::EndpointKind::Nva
    };
    e.each(1, (0..s.nics.len()).filter(nva).collect(), |m, &i| {
        m.nics[i].ip_forwarding = false;
        format!("IP forwarding off on {}", nic_name(m, i))
    });
    e.each(1, (0..s.nics.len()).filter(|i| s.nics[*i].nsg.is_some()).collect(), |m, &i| {
        m.nics[i].nsg = None;
        format!("detach the NIC NSG of {}", nic_name(m, i))
    });
    e.each(1, (0..s.nics.len()).filter(|i| s.nics[*i].public_ip.is_some()).collect(), |m, &i| {
        m.nics[i].public_ip = None;
        format!("remove the public IP of {}", nic_name(m, i))
    });
    e.each(1, (0..s.nics.len()).filter(|i| !s.nics[*i].asgs.is_empty()).collect(), |m, &i| {
        m.nics[i].asgs.remove(0);
        format!("take {} out of its first ASG", nic_name(m, i))
    });
    let appliances = (0..s.endpoints.len()).filter(|i| s.endpoints[*i].kind == vnetsim_model::EndpointKind::Nva);
    e.each(1, appliances.collect(), |m, &i| {
        m.endpoints[i].stateful ^= true;
        format!("flip stateful on {}", m.endpoints[i].name)
    });
    e.each(1, (0..s.load_balancers.len()).filter(|i| !s.load_balancers[*i].rules.is_empty()).collect(), |m, &i| {
        m.load_balancers[i].rules.remove(0);
        format!("delete the first rule of load balancer {}", m.load_balancers[i].name)
    });
    e.each(1, (0..s.on_prem.len()).collect(), |m, &i| {
        let network = &mut m.on_prem[i];
        let first = network.prefixes[0];
        network.prefixes[0] = first.subnets(first.prefix_len() + 1).expect("a half fits").next().expect("a half");
        format!("halve the first prefix of on-premises network {}", network.name)
    });
    // A VNet grows: connected peers learn the range (R-6); an unconnected one's trace names it.
    e.each(1, (0..s.vnets.len()).collect(), |m, &i| {
        m.vnets[i].address_space.push("172.30.0.0/16".parse().expect("prefix"));
        format!("add 172.30.0.0/16 to VNet {}", m.vnets[i].name)
    });
    e.out
}

/// `text` with `item` (YAML lines, unindented) inserted as the first item of the top-level
/// list `key`, indented like the items already there; a missing list is added at the end.
fn insert_first(text: &str, key: &str, item: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let Some(at) = lines.iter().position(|l| l.trim_end() == format!("{key}:")) else {
        lines.push(format!("{key}:"));
        lines.extend(item.lines().map(|l| format!("  {l}")));
        return lines.join("\n") + "\n";
    };
    let item_line = |l: &String| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let first = (at + 1..lines.len()).find(|i| item_line(&lines[*i])).unwrap_or(lines.len());
    let indent = lines.get(first).map_or("  ".to_string(), |l| l[..l.len() - l.trim_start().len()].to_string());
    lines.splice(first..first, item.lines().map(|l| format!("{indent}{l}")));
    lines.join("\n") + "\n"
}

/// `text` with the first line that `edit` changes changed (`Some("")` deletes it).
fn edit_first_line(text: &str, edit: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = lines.iter().position(|l| edit(l).is_some())?;
    match edit(&lines[at]).expect("edited") {
        new if new.is_empty() => drop(lines.remove(at)),
        new => lines[at] = new,
    }
    Some(lines.join("\n") + "\n")
}

/// A VNet, an NSG and a VM inserted first in the file: every later VNet, subnet, NSG, endpoint
/// and NIC gets another id, and nothing else changes.
fn shift_ids(text: &str) -> String {
    let vnet = "- name: aaa-inserted\n  address_space: [172.31.0.0/16]\n  subnets:\n    - {name: s, prefix: 172.31.1.0/24, nsg: aaa-nsg}";
    let nsg = "- name: aaa-nsg\n  rules:\n    - {name: deny-in, priority: 100, direction: inbound, access: deny, protocol: '*'}";
    let vm = "- {name: aaa-vm, kind: vm, subnet: aaa-inserted/s}";
    let text = insert_first(text, "vnets", vnet);
    let text = insert_first(&text, "endpoints", vm);
    insert_first(&text, "nsgs", nsg)
}

/// Changes one line, or says it is not the line to change.
type LineEdit = dyn Fn(&str) -> Option<String>;

/// Text edits reloaded through `vnetsim_config`: the id shift alone, with a port changed, with
/// a line deleted, with a peering flag flipped.
fn text_edits(text: &str) -> Vec<(String, String)> {
    let shifted = shift_ids(text);
    let mut out = vec![("text: ids shifted".to_string(), shifted.clone())];
    let port = |l: &str| {
        let (head, value) = l.split_once("destination_ports: ")?;
        let port: u16 = value.trim().parse().ok()?;
        Some(format!("{head}destination_ports: {}", port.wrapping_add(1)))
    };
    let delete = |key: &'static str| move |l: &str| l.trim_start().starts_with(key).then(String::new);
    let forwarded = |l: &str| l.contains("allow_forwarded_traffic: true").then(|| l.replace("true", "false"));
    let edits: [(&str, &LineEdit); 4] = [
        ("first single destination port + 1", &port),
        ("first `route_table:` line deleted", &delete("route_table: ")),
        ("first `nsg:` line deleted", &delete("nsg: ")),
        ("first allow_forwarded_traffic: true flipped", &forwarded),
    ];
    for (label, edit) in edits {
        if let Some(edited) = edit_first_line(&shifted, edit) {
            out.push((format!("text: ids shifted, {label}"), edited));
        }
    }
    out
}

/// Every edit of one built-in scenario, pruned against everything.
fn oracle(name: &str, with_text: bool) {
    let text = scenario_text(name);
    let base = load(&text);
    let before = compile(base.clone());
    let mut edits = model_edits(&base);
    if with_text {
        for (label, edited) in text_edits(&text) {
            let scenario = load_scenario("edited.yaml", &edited, &ServiceTagTable::builtin())
                .unwrap_or_else(|e| panic!("{name}: {label}: {e:#?}\n{edited}"));
            edits.push((label, scenario));
        }
    }
    let mut failures = Vec::new();
    let mut changed = 0;
    for (label, scenario) in edits.iter().cloned() {
        let after = compile(scenario);
        match check(&format!("{name}: {label}"), &before, &after) {
            Ok(sources) => changed += usize::from(sources > 0),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{} of {} edits disagree:\n{}", failures.len(), edits.len(), failures.join("\n"));
    // The oracle bites only where a pruned source has a change the pruned walk must find.
    assert!(changed > 0, "{name}: no edit changed a class of a pruned source; the oracle tests nothing");
}

macro_rules! oracle_tests {
    ($($test:ident: $file:literal, $text:literal;)*) => {
        $(
            #[test]
            fn $test() {
                oracle($file, $text);
            }
        )*
    };
}

oracle_tests! {
    oracle_02_hub_spoke_nva: "02-hub-spoke-nva", true;
    oracle_04_udr_default_route_nva: "04-udr-default-route-nva", false;
    oracle_07_private_endpoint_routing: "07-private-endpoint-routing", false;
    oracle_09_service_endpoints: "09-service-endpoints", false;
    oracle_10_workspace_access: "10-workspace-access", false;
    oracle_12_hub_firewall: "12-hub-firewall", true;
    oracle_13_public_ip_compute_forced_tunnel: "13-public-ip-compute-forced-tunnel", false;
    oracle_14_nsg_nat_gateway: "14-nsg-nat-gateway", false;
    oracle_17_expressroute_firewall: "17-expressroute-firewall", true;
    oracle_18_hub_spoke_firewall_custom_dns: "18-hub-spoke-firewall-custom-dns", false;
    oracle_19_data_exfiltration_prevention: "19-data-exfiltration-prevention", false;
    oracle_23_no_firewall_nsg_nat_gateway: "23-no-firewall-nsg-nat-gateway", true;
    oracle_28_aks_scoring_subnet: "28-aks-scoring-subnet", false;
    oracle_34_security_admin_rules: "34-security-admin-rules", false;
}

/// One text change of a built-in scenario, both diffs whole.
fn full_diff(name: &str, from: &str, to: &str) -> (Fabric, Fabric) {
    let text = scenario_text(name);
    assert!(text.contains(from), "{name} has no {from:?}");
    (compile(load(&text)), compile(load(&text.replacen(from, to, 1))))
}

/// The literal claim, `diff` against `diff --everything` with flows, expectations and
/// exfiltration findings, on edits where pruning must save walks: an NSG rule of one spoke of a
/// hub and spoke, and a private endpoint's subnet policies.
#[test]
fn full_diffs_agree() {
    // spoke2-nsg's deny-ssh-from-spoke1 becomes an allow: app1 gains SSH to app2 (N-4).
    let (before, after) = full_diff(
        "02-hub-spoke-nva",
        "access: deny\n        protocol: tcp\n        source: 10.1.0.0/16",
        "access: allow\n        protocol: tcp\n        source: 10.1.0.0/16",
    );
    let (a, b) = (pruned(&before, &after), everything(&before, &after));
    assert_eq!(a.scope.subnets, ["spoke2/workload"]);
    assert_eq!(classes(&a), classes(&b));
    assert_eq!(verdicts(&a), verdicts(&b));
    assert!(walked(&a) * 2 < walked(&b), "pruned {} of {} classes", walked(&a), walked(&b));
    let app1 = &classes(&a).into_iter().find(|(s, _)| s == "app1").expect("app1 changed").1;
    assert!(
        app1.iter().any(|c| c.starts_with("new_access Tcp names [\"-\"] [10.2.1.10-10.2.1.10: 22-22]")),
        "{app1:#?}"
    );
    assert!(a.fails(Gate::NewAccess) && !a.fails(Gate::LostAccess));

    // P-6: pe-open's subnet NSG starts applying to its private endpoint.
    let policies = "private_endpoint_network_policies: ";
    let (before, after) =
        full_diff("07-private-endpoint-routing", &format!("{policies}Disabled"), &format!("{policies}Enabled"));
    let (a, b) = (pruned(&before, &after), everything(&before, &after));
    assert_eq!(classes(&a), classes(&b));
    assert_eq!(verdicts(&a), verdicts(&b));
    assert!(!classes(&a).is_empty() && walked(&a) < walked(&b), "pruned {} of {} classes", walked(&a), walked(&b));
}

/// Every built-in scenario against itself, each side compiled on its own: no object, no place
/// and nothing walked.
#[test]
fn builtin_scenarios_have_no_change_against_themselves() {
    for file in builtin_files() {
        let text = std::fs::read_to_string(&file).expect("scenario");
        let (before, after) = (compile(load(&text)), compile(load(&text)));
        let d = pruned(&before, &after);
        let name = file.display();
        assert!(!d.fails(Gate::Any) && !d.fails(Gate::NewAccess) && !d.fails(Gate::LostAccess), "{name}");
        assert!(d.scope.is_empty(), "{name}: {:?}", d.scope);
        assert!(d.sources.is_empty() && d.objects.is_empty(), "{name}: {:?}", d.objects);
        assert!(d.flows.is_empty() && d.expectations.is_empty() && d.exfiltration.is_empty(), "{name}");
        assert!(d.lone_sources.iter().all(Vec::is_empty), "{name}");
    }
}

/// Three subnets of one VNet: `inside` (10.1.1.0/24), `outside` (10.1.2.0/24) and `db`, whose
/// NSG allows TCP 5432 from `{source}` and then denies the VNet (N-4: lower priority first).
fn db_net(source: &str, reorder: bool) -> String {
    let allow = format!(
        "{{name: allow-db, priority: 100, direction: inbound, access: allow, protocol: tcp, source: {source}, destination_ports: 5432}}"
    );
    let deny =
        "{name: deny-vnet, priority: 200, direction: inbound, access: deny, protocol: '*', source: VirtualNetwork}";
    let rules = if reorder { [deny, &allow] } else { [&allow, deny] };
    format!(
        r#"
name: db
region: eastus
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - {{name: inside, prefix: 10.1.1.0/24}}
      - {{name: outside, prefix: 10.1.2.0/24}}
      - {{name: db, prefix: 10.1.3.0/24, nsg: db-nsg}}
nsgs:
  - name: db-nsg
    rules:
      - {}
      - {}
endpoints:
  - {{name: in-vm, kind: vm, subnet: app/inside, ip: 10.1.1.4}}
  - {{name: out-vm, kind: vm, subnet: app/outside, ip: 10.1.2.4}}
  - {{name: db-vm, kind: vm, subnet: app/db, ip: 10.1.3.4}}
"#,
        rules[0], rules[1]
    )
}

/// N-4: tightening the allowed source from the VNet's /16 to `inside`'s /24 loses exactly TCP
/// 5432 to db-vm from out-vm and nothing from in-vm; opening it again gains exactly that; each
/// gates its own way. (db-vm's connection to itself is judged by its own NSG too, a change of
/// its own that this test leaves aside.)
#[test]
fn tightening_an_nsg_source_loses_exactly_the_outside_source() {
    let wide = compile(load(&db_net("10.1.0.0/16", false)));
    let narrow = compile(load(&db_net("10.1.1.0/24", false)));
    let clients =
        |d: &Diff| -> Vec<(String, Vec<String>)> { classes(d).into_iter().filter(|(s, _)| s != "db-vm").collect() };
    let expect = |change: &str, fates: &str| {
        let class =
            format!("{change} Tcp names [\"-\"] [10.1.3.4-10.1.3.4: 5432-5432] {fates} witness 10.1.3.4:5432 x1");
        vec![("out-vm".to_string(), vec![class])]
    };
    let closing = pruned(&wide, &narrow);
    assert_eq!(clients(&closing), expect("lost_access", "before Delivered/Some(Delivered) after DeniedByNsg/None"));
    assert_eq!(classes(&closing), classes(&everything(&wide, &narrow)));
    assert!(closing.fails(Gate::LostAccess) && !closing.fails(Gate::NewAccess) && closing.fails(Gate::Any));
    let opening = pruned(&narrow, &wide);
    assert_eq!(clients(&opening), expect("new_access", "before DeniedByNsg/None after Delivered/Some(Delivered)"));
    assert!(opening.fails(Gate::NewAccess) && !opening.fails(Gate::LostAccess) && opening.fails(Gate::Any));
}

/// N-4: rules apply by priority, not by their order in the file: no change at all.
#[test]
fn reordering_nsg_rules_changes_nothing() {
    let before = compile(load(&db_net("10.1.0.0/16", false)));
    let after = compile(load(&db_net("10.1.0.0/16", true)));
    let d = pruned(&before, &after);
    assert!(!d.fails(Gate::Any), "objects {:?} classes {:?}", d.objects, classes(&d));
    assert!(classes(&d).is_empty() && d.objects.is_empty());
}

/// The whole diff in words, witnesses and traces' inputs included.
fn rendered(d: &Diff) -> String {
    let mut text = format!("{:?}\n{:?}\n{:?}\n", d.objects, d.scope, d.lone_sources);
    for s in &d.sources {
        let _ = writeln!(text, "{} whole {} walked {}", s.source, s.whole, s.walked);
        for c in &s.changes {
            let _ = writeln!(text, "  {} {:?}", class(&d.sides, c), c.witness);
        }
    }
    text + &verdicts(d).join("\n")
}

/// Sources run in parallel: one thread, the default pool and four threads give the same diff.
#[test]
fn diffs_do_not_depend_on_threads() {
    let (before, after) =
        full_diff("19-data-exfiltration-prevention", "destination_ports: [443]", "destination_ports: [8443]");
    let policies = "private_endpoint_network_policies: ";
    let (before2, after2) =
        full_diff("12-hub-firewall", &format!("{policies}RouteTableEnabled"), &format!("{policies}Disabled"));
    for (before, after) in [(&before, &after), (&before2, &after2)] {
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            pool.install(|| rendered(&pruned(before, after)))
        };
        let first = rendered(&pruned(before, after));
        assert!(
            first.contains("  new_access") || first.contains("  lost_access") || first.contains("  changed_path"),
            "{first}"
        );
        assert_eq!(first, run(1));
        assert_eq!(first, run(4));
        assert_eq!(first, rendered(&pruned(before, after)));
    }
}

/// The pruning oracle on one inline edit, with the pruned diff's classes.
fn oracle_pair(before: &str, after: &str) -> Vec<(String, Vec<String>)> {
    let (before, after) = (compile(load(before)), compile(load(after)));
    if let Err(e) = check("inline", &before, &after) {
        panic!("{e}");
    }
    classes(&pruned(&before, &after))
}

/// A-12: an online endpoint honours its workspace's IP list, so removing the list of a
/// workspace that is closed anyway opens the endpoint: a change at the endpoint's address, not
/// the workspace's (found by the oracle on scenario 10 while a service's digest left out its
/// workspace).
#[test]
fn a_workspace_ip_rule_changes_its_online_endpoint() {
    let net = |rules: &str| {
        format!(
            r#"
name: a12
region: eastus
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets: [{{name: s, prefix: 10.1.1.0/24}}]
endpoints:
  - {{name: vm, kind: vm, subnet: app/s}}
services:
  - name: ws
    kind: workspace
    public_network_access: Disabled
{rules}  - {{name: ep, kind: online_endpoint, workspace: ws}}
"#
        )
    };
    let changes = oracle_pair(&net("    network_rules:\n      ip_rules: [203.0.113.10]\n"), &net(""));
    let ep = compile(load(&net(""))).scenario.services.iter().find(|s| s.name == "ep").expect("ep").public_ip;
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let tcp = format!("new_access Tcp names [\"-\"] [{ep}-{ep}: 0-65535] before DeniedByService/None");
    assert!(changes[0].1.iter().any(|c| c.starts_with(&tcp)), "{changes:#?}");
}

/// VNet `a` peering one way with `b`; `{spaces}` are `b`'s address spaces, `{first}` VNets
/// before both.
fn one_sided(first: &str, spaces: &str) -> String {
    format!(
        r#"
name: one-sided
region: eastus
vnets:
{first}  - name: a
    address_space: [10.1.0.0/16]
    subnets: [{{name: s, prefix: 10.1.1.0/24}}]
    peerings: [{{remote_vnet: b}}]
  - name: b
    address_space: [{spaces}]
    subnets: [{{name: s, prefix: 10.2.1.0/24}}]
endpoints:
  - {{name: vm-a, kind: vm, subnet: a/s}}
  - {{name: vm-b, kind: vm, subnet: b/s}}
"#
    )
}

/// Whether `vm-a` has a class change to 10.3.0.0/16.
fn changes_to_10_3(changes: &[(String, Vec<String>)]) -> bool {
    changes.iter().any(|(s, c)| s == "vm-a" && c.iter().any(|c| c.contains("[10.3.0.0-10.3.255.255:")))
}

/// R-15: a packet from `a` to an address of `b`, which does not peer back, is dropped by the
/// reserved-range route (R-2), and the trace names the unconnected peering when `b` holds the
/// address. `b` growing its address space changes that trace for `a`'s VM, whose subnet and
/// routes are the same.
#[test]
fn a_vnet_growing_changes_the_trace_of_a_one_sided_peering() {
    let changes = oracle_pair(&one_sided("", "10.2.0.0/16"), &one_sided("", "10.2.0.0/16, 10.3.0.0/16"));
    assert!(changes_to_10_3(&changes), "{changes:#?}");
}

/// The same trace looks for the first VNet holding the address: an unpeered VNet `c` with an
/// overlapping range, added first in the file, may take the explanation away from `b`.
/// Whichever VNet the trace names, the pruned diff must say what walking everything says.
#[test]
fn an_overlapping_vnet_added_first_is_seen_by_the_pruned_diff() {
    let c = "  - name: c\n    address_space: [10.3.0.0/16]\n    subnets: [{name: s, prefix: 10.3.1.0/24}]\n";
    let spaces = "10.2.0.0/16, 10.3.0.0/16";
    oracle_pair(&one_sided("", spaces), &one_sided(c, spaces));
}

/// Digests name objects, not ids: a VNet, an NSG and a VM inserted first in every built-in
/// scenario change the inserted subnet alone.
#[test]
fn shifting_ids_changes_only_the_inserted_subnet() {
    for file in builtin_files() {
        let text = std::fs::read_to_string(&file).expect("scenario");
        let before = compile(load(&text));
        let after = compile(load(&shift_ids(&text)));
        let scope = Scope::new(&before, &after, false);
        assert!(!scope.everything && scope.places.is_empty(), "{}: {scope:?}", file.display());
        assert_eq!(scope.subnets, ["aaa-inserted/s"], "{}", file.display());
    }
}

/// F-5: a packet to a firewall's public IP goes on to the address its DNAT rule translates to,
/// so denying SSH on the server behind the rule changes a client's class at the public IP, far
/// from the server's subnet.
#[test]
fn a_change_behind_a_dnat_rule_is_seen_at_the_public_ip() {
    let net = |access: &str| {
        format!(
            r#"
name: dnat
region: eastus
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets: [{{name: AzureFirewallSubnet, prefix: 10.0.1.0/26}}]
    peerings: [{{remote_vnet: spoke, allow_forwarded_traffic: true}}]
  - name: spoke
    address_space: [10.1.0.0/16]
    subnets: [{{name: servers, prefix: 10.1.0.0/24, nsg: servers-nsg, route_table: via-fw}}]
    peerings: [{{remote_vnet: hub, allow_forwarded_traffic: true}}]
  - name: branch
    address_space: [10.9.0.0/16]
    subnets: [{{name: clients, prefix: 10.9.0.0/24}}]
nsgs:
  - name: servers-nsg
    rules:
      - {{name: ssh, priority: 100, direction: inbound, access: {access}, protocol: tcp, destination_ports: 22}}
route_tables:
  - name: via-fw
    routes: [{{name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.1.4}}]
firewall_policies:
  - name: fw-policy
    rule_collection_groups:
      - name: dnat
        priority: 100
        rule_collections:
          - name: inbound
            type: dnat
            priority: 100
            rules:
              - {{name: ssh-jump, protocols: [tcp], source_addresses: ["*"], destination_address: 20.0.0.10, destination_ports: [2222], translated_address: 10.1.0.4, translated_port: 22}}
firewalls:
  - {{name: hub-fw, vnet: hub, ip: 10.0.1.4, public_ips: [20.0.0.10], policy: fw-policy}}
endpoints:
  - {{name: server, kind: vm, subnet: spoke/servers, ip: 10.1.0.4}}
  - {{name: client, kind: vm, subnet: branch/clients}}
"#
        )
    };
    let changes = oracle_pair(&net("allow"), &net("deny"));
    let client = &changes.iter().find(|(s, _)| s == "client").expect("the client changed").1;
    assert!(
        client.iter().any(|c| c.starts_with("lost_access Tcp names [\"-\"] [20.0.0.10-20.0.0.10: 2222-2222]")),
        "{client:#?}"
    );
}

/// A reply that takes another way back: `db`'s route table sends the client's prefix through
/// the hub's appliance, whose subnet NSG then decides the reply. A client whose request goes
/// straight over the peering loses the connection, though its destination is far from the hub:
/// the scope walks a source whole when replies to it can meet a change.
#[test]
fn a_change_on_the_reply_path_alone_is_seen() {
    let net = |access: &str| {
        format!(
            r#"
name: reply-path
region: eastus
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets: [{{name: a, prefix: 10.1.1.0/24}}]
    peerings: [{{remote_vnet: db}}, {{remote_vnet: hub, allow_forwarded_traffic: true}}]
  - name: hub
    address_space: [10.0.0.0/16]
    subnets: [{{name: nva, prefix: 10.0.1.0/24, nsg: nva-nsg}}]
    peerings: [{{remote_vnet: app}}, {{remote_vnet: db}}]
  - name: db
    address_space: [10.2.0.0/16]
    subnets: [{{name: d, prefix: 10.2.1.0/24, route_table: back-via-nva}}]
    peerings: [{{remote_vnet: app}}, {{remote_vnet: hub}}]
nsgs:
  - name: nva-nsg
    rules:
      - {{name: db-replies, priority: 100, direction: inbound, access: {access}, protocol: '*', source: 10.2.0.0/16}}
route_tables:
  - name: back-via-nva
    routes: [{{name: to-app, prefix: 10.1.0.0/16, next_hop: VirtualAppliance, next_hop_ip: 10.0.1.4}}]
endpoints:
  - {{name: client, kind: vm, subnet: app/a, ip: 10.1.1.4}}
  - {{name: appliance, kind: nva, subnet: hub/nva, ip: 10.0.1.4}}
  - {{name: server, kind: vm, subnet: db/d, ip: 10.2.1.4}}
"#
        )
    };
    let changes = oracle_pair(&net("allow"), &net("deny"));
    let client = &changes.iter().find(|(s, _)| s == "client").expect("the client changed").1;
    let lost = "lost_access Tcp names [\"-\"] [10.2.1.4-10.2.1.4: 0-65535] before Delivered/Some(Delivered) after Delivered/Some(DeniedByNsg)";
    assert!(client.iter().any(|c| c.starts_with(lost)), "{client:#?}");
}

/// O-1: a NAT gateway's public IP refuses inbound connections. Moving the gateway to another
/// address changes both addresses for a VM in another subnet, whose place did not change.
#[test]
fn moving_a_nat_gateway_address_is_seen_by_others() {
    let net = |ip: &str| {
        format!(
            r#"
name: nat
region: eastus
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - {{name: egress, prefix: 10.1.1.0/24, nat_gateway: app-nat}}
      - {{name: other, prefix: 10.1.2.0/24}}
nat_gateways:
  - {{name: app-nat, public_ips: [{ip}]}}
endpoints:
  - {{name: worker, kind: vm, subnet: app/egress}}
  - {{name: bystander, kind: vm, subnet: app/other}}
"#
        )
    };
    let changes = oracle_pair(&net("20.5.0.10"), &net("20.5.0.11"));
    let bystander = &changes.iter().find(|(s, _)| s == "bystander").expect("the bystander changed").1;
    for ip in ["20.5.0.10", "20.5.0.11"] {
        assert!(bystander.iter().any(|c| c.contains(&format!("[{ip}-{ip}:"))), "{ip}: {bystander:#?}");
    }
}

/// N-16: turning scenario 34's AlwaysAllow for the monitoring subnet into an Allow is a change
/// of one `admin_rule` object, and the pruned diff finds what it costs the scanner: port 9100,
/// which the NSG denies, is lost; RDP stays delivered on another path (the Allow at 110 still
/// matches first, so the Deny at 130 is not reached, and the NSG allows RDP). Without admin
/// rules in the digests the pruned diff would walk nothing and miss both.
#[test]
fn an_admin_rule_change_is_an_object_change_the_pruned_diff_walks() {
    let (before, after) = full_diff(
        "34-security-admin-rules",
        "access: always_allow\n                protocol: tcp\n                source: 10.1.9.0/24",
        "access: allow\n                protocol: tcp\n                source: 10.1.9.0/24",
    );
    let d = pruned(&before, &after);
    let objects: Vec<(String, String, Vec<String>)> = (d.objects.iter())
        .map(|o| {
            (
                o.kind.name().to_string(),
                o.name.clone(),
                o.fields.iter().map(|f| format!("{}: {:?} -> {:?}", f.field, f.before, f.after)).collect(),
            )
        })
        .collect();
    assert_eq!(
        objects,
        [(
            "admin_rule".to_string(),
            "avnm/baseline/guardrails/always-allow-monitoring".to_string(),
            vec!["access: Some(\"always_allow\") -> Some(\"allow\")".to_string()]
        )]
    );
    let scanner: Vec<String> = classes(&d).into_iter().filter(|(s, _)| s == "scanner").flat_map(|(_, c)| c).collect();
    let class = |change: &str, port: u16| {
        scanner.iter().any(|c| c.starts_with(change) && c.contains(&format!("10.1.1.10-10.1.1.10: {port}-{port}")))
    };
    assert!(class("lost_access Tcp", 9100) && class("changed_path Tcp", 3389), "{scanner:#?}");
    assert_eq!(scanner.len(), 2, "{scanner:#?}");
    assert_eq!(classes(&d), classes(&everything(&before, &after)));
    check("34: always_allow -> allow", &before, &after).unwrap_or_else(|e| panic!("{e}"));
}
