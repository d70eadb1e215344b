//! The device rules of `azure-semantics.md`: Azure Firewall (§6 F-1..F-16), outbound
//! connectivity (§7 O-1..O-3) and the Azure ML public-IP compute behind a forced tunnel (§9 A-2,
//! A-6). One or more tests per rule id, each named after its rule.
//!
//! Each scenario is built so that the naive reading of the rule (group priority decides across
//! passes, a child's priority competes with its parent's, a wildcard covers its apex, every
//! firewall hop SNATs, a NAT gateway answers inbound, an instance public IP always egresses, ...)
//! gives a different answer. Assertions name the firewall decision (pass, rule position, access),
//! translations, sessions and egresses the rule demands, not only allowed or denied. The last
//! test checks the compiled firewall against a naive evaluator written here from the model.

use std::collections::HashMap;

#[path = "support/naive_firewall.rs"]
mod naive_firewall;
use naive_firewall::Naive;
use vnetsim_engine::dns::{AnswerSource, DnsOutcome, HopReason, ServerRole};
use vnetsim_engine::fabric::firewall::{FirewallDecision, RulePosition};
use vnetsim_engine::trace::{Egress, UnreachableReason};
use vnetsim_engine::{
    Connection, Decider, DeciderKind, Disposition, Fabric, Options, Packet, Step, StepKind, StepVerdict,
};
use vnetsim_model::{Access, FirewallId, IpAddr, IpNet, NicId, Protocol, RuleKind, VnetId};
use vnetsim_testkit::{connect, connect_port, fabric, fabric_with, ip, nic, outcome, source};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// A connection from the default source port (see [`vnetsim_testkit::connect_with`]).
fn connect_with(f: &Fabric, from: &str, to: &str, protocol: Protocol) -> Connection {
    vnetsim_testkit::connect_with(f, from, to, protocol, vnetsim_testkit::SOURCE_PORT)
}

fn node(f: &Fabric, nic: NicId) -> String {
    let n = f.scenario.nic(nic);
    f.scenario.node_name(n.endpoint, n.node)
}

fn fw_id() -> FirewallId {
    FirewallId::from_index(0)
}

fn fw_nic(f: &Fabric) -> NicId {
    f.scenario.firewalls[0].nic
}

/// `group/collection/rule` of a rule position in a firewall's policy, by model names.
fn rule_path(f: &Fabric, firewall: FirewallId, at: RulePosition) -> String {
    let policy = &f.scenario.firewalls[firewall.index()].policy;
    let group = &policy.groups[usize::from(at.group)];
    let collection = &group.collections[usize::from(at.collection)];
    format!("{}/{}/{}", group.name, collection.name, collection.rules[usize::from(at.rule)].name)
}

/// The device-level steps of a trace in words: firewall decisions, translations, sessions,
/// asymmetry, load balancers, appliances, egress and where the packet ended.
fn device_steps(f: &Fabric, steps: &[Step]) -> Vec<String> {
    let s = &f.scenario;
    steps
        .iter()
        .filter_map(|step| {
            Some(match *step {
                Step::Firewall { firewall, decision } => {
                    let name = &s.firewalls[firewall.index()].name;
                    match decision {
                        FirewallDecision::Rule { pass, at, access } => {
                            format!("firewall {name} {pass} {access} {}", rule_path(f, firewall, at))
                        }
                        FirewallDecision::NoRule { collections } => {
                            format!("firewall {name} no rule in {collections} collections")
                        }
                        FirewallDecision::NotAService => format!("firewall {name} not a service"),
                    }
                }
                Step::Translation { nic, destination, from, to } => {
                    format!("{} {} {from} -> {to}", if destination { "dnat" } else { "snat" }, node(f, nic))
                }
                Step::Session { nic, restored } => format!("session {} -> {restored}", node(f, nic)),
                Step::Asymmetric { nic, seen_by_request, came_in_on } => {
                    let entry = came_in_on.map_or_else(String::new, |ip| format!(" came in on {ip}"));
                    format!("asymmetric {} seen_by_request={seen_by_request}{entry}", node(f, nic))
                }
                Step::PathDiverges { nic, seen_by_request } => {
                    format!("diverges {} seen_by_request={seen_by_request}", node(f, nic))
                }
                Step::AsymmetricReturn { expected, actual } => {
                    format!("asymmetric return expected {expected} actual {}", node(f, actual))
                }
                Step::LoadBalancer { lb, rule, nic } => {
                    let l = &s.load_balancers[lb.index()];
                    format!("lb {}/{} -> {}", l.name, l.rules[usize::from(rule)].name, node(f, nic))
                }
                Step::Appliance { nic, forwarding } => format!("appliance {} forwarding={forwarding}", node(f, nic)),
                Step::InboundNat { nic, public } => format!("inbound_nat {public} -> {}", node(f, nic)),
                Step::Egress { nic, egress } => {
                    let how = match egress {
                        Egress::Firewall(fw, ip) => format!("firewall {} {ip}", s.firewalls[fw.index()].name),
                        Egress::NatGateway(g, ip) => format!("nat_gateway {} {ip}", s.nat_gateways[g.index()].name),
                        Egress::InstancePublicIp(ip) => format!("instance_public_ip {ip}"),
                        Egress::LoadBalancer(lb, ip) => {
                            format!("load_balancer {} {ip}", s.load_balancers[lb.index()].name)
                        }
                        Egress::DefaultOutboundAccess => "default_outbound_access".into(),
                        Egress::Return(ip) => format!("return {ip}"),
                        Egress::None => "none".into(),
                    };
                    format!("egress {} {how}", node(f, nic))
                }
                Step::Unreachable { address, reason } => format!("unreachable {address} {reason:?}"),
                Step::DeliveredToNic { nic } => format!("delivered {}", node(f, nic)),
                Step::DeliveredToInternet { address } => format!("internet {address}"),
                Step::Service { service, .. } => format!("service {}", s.service(service).name),
                _ => return None,
            })
        })
        .collect()
}

/// The firewall decisions of a trace.
fn decisions(steps: &[Step]) -> Vec<FirewallDecision> {
    steps
        .iter()
        .filter_map(|s| match *s {
            Step::Firewall { decision, .. } => Some(decision),
            _ => None,
        })
        .collect()
}

/// The only firewall decision of a request.
fn decision(c: &Connection) -> FirewallDecision {
    match decisions(&c.request.steps)[..] {
        [d] => d,
        ref other => panic!("expected one firewall decision, got {other:?}: {:?}", c.request.steps),
    }
}

fn rule(pass: RuleKind, group: u16, collection: u16, rule: u16, access: Access) -> FirewallDecision {
    FirewallDecision::Rule { pass, at: RulePosition { group, collection, rule }, access }
}

/// The egress steps of a trace.
fn egresses(steps: &[Step]) -> Vec<Egress> {
    steps
        .iter()
        .filter_map(|s| match *s {
            Step::Egress { egress, .. } => Some(egress),
            _ => None,
        })
        .collect()
}

fn has_translation(steps: &[Step]) -> bool {
    steps.iter().any(|s| matches!(s, Step::Translation { .. }))
}

/// The address the server saw as the source: the reply's destination.
fn seen_source(c: &Connection) -> IpAddr {
    c.verdict.and_then(|v| v.reply_packet).expect("a delivered request").destination
}

// ---------------------------------------------------------------------------------------------
// Policies as YAML flow mappings
// ---------------------------------------------------------------------------------------------

/// A network rule: `protocols`, `destinations` and `ports` as YAML flow values.
fn nrule(name: &str, protocols: &str, sources: &str, destinations: &str, ports: &str) -> String {
    format!(
        "{{ name: {name}, protocols: {protocols}, source_addresses: {sources}, destination_addresses: {destinations}, destination_ports: \"{ports}\" }}"
    )
}

/// An application rule.
fn arule(name: &str, sources: &str, protocols: &str, targets: &str) -> String {
    format!("{{ name: {name}, source_addresses: {sources}, protocols: {protocols}, target_fqdns: {targets} }}")
}

/// A rule collection; `action` is empty for DNAT collections.
fn coll(name: &str, priority: u16, kind: &str, action: &str, rules: &[String]) -> String {
    let action = if action.is_empty() { String::new() } else { format!(", action: {action}") };
    format!("{{ name: {name}, priority: {priority}, type: {kind}{action}, rules: [{}] }}", rules.join(", "))
}

fn group(name: &str, priority: u16, collections: &[String]) -> String {
    format!("{{ name: {name}, priority: {priority}, rule_collections: [{}] }}", collections.join(", "))
}

/// A policy; `keys` are extra keys (`, parent: base`, `, dns_proxy: true`, ...).
fn policy(name: &str, keys: &str, groups: &[String]) -> String {
    format!("{{ name: {name}{keys}, rule_collection_groups: [{}] }}", groups.join(", "))
}

/// The `firewall_policies:` block.
fn policies(list: &[String]) -> String {
    let mut out = String::from("firewall_policies:\n");
    for p in list {
        out.push_str(&format!("  - {p}\n"));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The hub-and-spoke network: a firewall (10.0.0.4, public 20.0.0.10) and two NVAs in the hub, a
// client and a server in two spoke subnets, each subnet with its own route table.
// ---------------------------------------------------------------------------------------------

const FW: &str = "10.0.0.4";
const FW_PUBLIC: &str = "20.0.0.10";
const NVA: &str = "10.0.1.4";
const STATEFUL_NVA: &str = "10.0.1.5";
const CLIENT: &str = "10.1.1.4";
const SERVER: &str = "10.1.2.4";
const WEB_PUBLIC: &str = "20.0.5.10";
/// Where `internet` as a place connects from.
const INTERNET: &str = "203.0.113.10";

/// A UDR named `name` sending `prefix` to the appliance at `next_hop_ip`.
fn udr(name: &str, prefix: &str, next_hop_ip: &str) -> String {
    format!("{{ name: {name}, prefix: {prefix}, next_hop: VirtualAppliance, next_hop_ip: {next_hop_ip} }}")
}

/// The routes that send everything of the client subnet through `hop`: internet and the server
/// subnet.
fn client_via(hop: &str) -> String {
    format!("{}, {}", udr("default", "0.0.0.0/0", hop), udr("to-data", "10.1.2.0/24", hop))
}

/// The routes that send everything of the server subnet through `hop`.
fn server_via(hop: &str) -> String {
    format!("{}, {}", udr("default", "0.0.0.0/0", hop), udr("to-app", "10.1.1.0/24", hop))
}

/// The network. `policy_block` is a `firewall_policies:` block whose `fw-policy` the firewall
/// uses (empty: no policy); `app_routes`, `data_routes`, `dmz_routes` are the routes of the
/// client's, the server's and the public web VM's subnets; `extra` adds top-level keys.
fn net(policy_block: &str, app_routes: &str, data_routes: &str, dmz_routes: &str, extra: &str) -> String {
    let fw_policy = if policy_block.is_empty() { "" } else { ", policy: fw-policy" };
    format!(
        r#"
region: eastus
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {{ name: AzureFirewallSubnet, prefix: 10.0.0.0/26 }}
      - {{ name: nva, prefix: 10.0.1.0/24 }}
    peerings: [{{ remote_vnet: spoke, allow_forwarded_traffic: true }}]
  - name: spoke
    address_space: [10.1.0.0/16]
    dns_servers: []
    subnets:
      - {{ name: app, prefix: 10.1.1.0/24, route_table: app-rt }}
      - {{ name: data, prefix: 10.1.2.0/24, route_table: data-rt }}
      - {{ name: dmz, prefix: 10.1.5.0/24, route_table: dmz-rt }}
    peerings: [{{ remote_vnet: hub, allow_forwarded_traffic: true }}]
route_tables:
  - {{ name: app-rt, routes: [{app_routes}] }}
  - {{ name: data-rt, routes: [{data_routes}] }}
  - {{ name: dmz-rt, routes: [{dmz_routes}] }}
firewalls:
  - {{ name: hub-fw, vnet: hub, ip: {FW}, public_ips: [{FW_PUBLIC}]{fw_policy} }}
endpoints:
  - {{ name: nva, kind: nva, subnet: hub/nva, ip: {NVA} }}
  - {{ name: snva, kind: nva, subnet: hub/nva, ip: {STATEFUL_NVA}, stateful: true }}
  - {{ name: client, kind: vm, subnet: spoke/app, ip: {CLIENT} }}
  - {{ name: server, kind: vm, subnet: spoke/data, ip: {SERVER} }}
  - {{ name: web, kind: vm, subnet: spoke/dmz, ip: 10.1.5.4, public_ip: {WEB_PUBLIC} }}
services:
  - {{ name: xorg, kind: internet_host, public_ip: 198.51.100.20, fqdns: [example.org, www.example.org, a.b.example.org] }}
  - {{ name: badx, kind: internet_host, public_ip: 198.51.100.21, fqdns: [badexample.org] }}
  - {{ name: sqlhost, kind: internet_host, public_ip: 198.51.100.90, fqdns: [sql.example.net] }}
{policy_block}
{extra}
"#
    )
}

/// The network with every client and server packet through the firewall.
fn through_fw(policy_block: &str) -> String {
    net(policy_block, &client_via(FW), &server_via(FW), "", "")
}

/// A one-policy block.
fn one_policy(keys: &str, groups: &[String]) -> String {
    policies(&[policy("fw-policy", keys, groups)])
}

const SPOKES: &str = "[10.1.0.0/16]";
const ANY: &str = "[\"*\"]";

// ---------------------------------------------------------------------------------------------
// F-3: processing order
// ---------------------------------------------------------------------------------------------

/// F-3: the firewall passes over network rules before application rules whatever the groups'
/// priorities: a network allow in a group of priority 65000 decides before an application deny
/// in a group of priority 100. Naive: groups in priority order, each with all its rule types,
/// which would deny pypi.org. The application deny still decides what no network rule matches.
#[test]
fn f3_network_pass_before_application_pass_whatever_group_priority() {
    let block = one_policy(
        "",
        &[
            group(
                "apps",
                100,
                &[coll(
                    "deny-apps",
                    100,
                    "application",
                    "deny",
                    &[arule("deny-pypi-example", SPOKES, "[Https]", "[pypi.org, example.org]")],
                )],
            ),
            group(
                "late",
                65000,
                &[coll(
                    "allow-web",
                    100,
                    "network",
                    "allow",
                    &[nrule("web-443", "[tcp]", SPOKES, "[203.0.113.0/24]", "443")],
                )],
            ),
        ],
    );
    let f = fabric(&through_fw(&block));
    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(decision(&c), rule(RuleKind::Network, 1, 0, 0, Access::Allow));
    assert_eq!(
        device_steps(&f, &c.request.steps),
        [
            "firewall hub-fw network allow late/allow-web/web-443",
            "snat hub-fw 10.1.1.4 -> 10.0.0.4",
            "egress hub-fw firewall hub-fw 20.0.0.10",
            "service pypi.org",
        ]
    );
    // No network rule covers example.org: the application pass runs and its deny decides.
    let c = connect(&f, "client", "https://example.org");
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw/apps/deny-apps/deny-pypi-example");
    assert_eq!(decision(&c), rule(RuleKind::Application, 0, 0, 0, Access::Deny));
    assert_eq!(c.disposition(), Disposition::DeniedByFirewall);
}

/// F-3: a parent policy's groups come before the child's whatever their priorities: the
/// parent's deny in a group of priority 65000 beats the child's allow at 100. Naive: the
/// inherited groups merge by priority, and the child's allow wins.
#[test]
fn f3_parent_policy_groups_come_before_child_groups_whatever_priority() {
    let base = policy(
        "base",
        "",
        &[group(
            "base-rules",
            65000,
            &[coll("block", 100, "network", "deny", &[nrule("no-pypi", "[tcp]", ANY, "[203.0.113.20/32]", "443")])],
        )],
    );
    let child = policy(
        "fw-policy",
        ", parent: base",
        &[group(
            "child-rules",
            100,
            &[coll("allow-all", 100, "network", "allow", &[nrule("web", "[tcp]", ANY, ANY, "443")])],
        )],
    );
    let f = fabric(&through_fw(&policies(&[base, child])));
    let groups = &f.scenario.firewalls[0].policy.groups;
    let order: Vec<(&str, u16, bool)> = groups.iter().map(|g| (g.name.as_str(), g.priority, g.inherited())).collect();
    assert_eq!(order, [("base-rules", 65000, true), ("child-rules", 100, false)]);

    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Deny));
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw/base-rules/block/no-pypi");
    // The parent's rule is narrow: the child still decides the rest.
    let c = connect(&f, "client", "https://files.pythonhosted.org");
    assert_eq!(decision(&c), rule(RuleKind::Network, 1, 0, 0, Access::Allow));
    assert_eq!(outcome(&f, &c), "allowed");
}

/// F-3 (and the format's "its parent's, first"): with three levels, the grandparent's groups
/// come before the parent's, which come before the child's, whatever the priorities. Naive (and
/// the engine): every inherited group is sorted by priority alone, so the parent's allow at 100
/// overtakes the grandparent's deny at 65000.
#[test]
fn f3_grandparent_groups_come_before_parent_groups() {
    let grandparent = policy(
        "org",
        "",
        &[group(
            "org-rules",
            65000,
            &[coll("block", 100, "network", "deny", &[nrule("no-pypi", "[tcp]", ANY, "[203.0.113.20/32]", "443")])],
        )],
    );
    let parent = policy(
        "team",
        ", parent: org",
        &[group(
            "team-rules",
            100,
            &[coll("allow-all", 100, "network", "allow", &[nrule("web", "[tcp]", ANY, ANY, "443")])],
        )],
    );
    let child = policy(
        "fw-policy",
        ", parent: team",
        &[group(
            "own-rules",
            200,
            &[coll("allow-all", 100, "network", "allow", &[nrule("web", "[tcp]", ANY, ANY, "443")])],
        )],
    );
    let f = fabric(&through_fw(&policies(&[grandparent, parent, child])));
    let names: Vec<&str> = f.scenario.firewalls[0].policy.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["org-rules", "team-rules", "own-rules"], "the model keeps ancestors first");
    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(
        decision(&c),
        rule(RuleKind::Network, 0, 0, 0, Access::Deny),
        "{:?}",
        device_steps(&f, &c.request.steps)
    );
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw/org-rules/block/no-pypi");
}

/// F-3: groups run in priority order, not file order; inside a group, collections run in
/// priority order, not file order; inside a collection, the first matching rule decides, not
/// the most specific one. Naive: file order everywhere (allow), or the most specific rule.
#[test]
fn f3_group_and_collection_priority_beat_file_order_first_rule_wins() {
    let block = one_policy(
        "",
        &[
            // Written first, processed last.
            group(
                "g-late",
                300,
                &[coll("allow-everything", 100, "network", "allow", &[nrule("all", "[any]", ANY, ANY, "*")])],
            ),
            group(
                "g-early",
                200,
                &[
                    // Written first in the group, priority 500: after `block-web`.
                    coll(
                        "allow-web",
                        500,
                        "network",
                        "allow",
                        &[nrule("web", "[tcp]", ANY, "[203.0.113.0/24]", "443")],
                    ),
                    coll(
                        "block-web",
                        400,
                        "network",
                        "deny",
                        &[
                            nrule("whole-range", "[tcp]", ANY, "[203.0.113.0/24]", "443"),
                            nrule("pypi-only", "[tcp]", ANY, "[203.0.113.20/32]", "443"),
                        ],
                    ),
                ],
            ),
        ],
    );
    let f = fabric(&through_fw(&block));
    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(decision(&c), rule(RuleKind::Network, 1, 1, 0, Access::Deny));
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw/g-early/block-web/whole-range");
    // Nothing in g-early covers 198.51.100.20: g-late decides.
    let c = connect(&f, "client", "https://example.org");
    assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Allow));
    assert_eq!(outcome(&f, &c), "allowed");
}

// ---------------------------------------------------------------------------------------------
// F-1: implicit deny
// ---------------------------------------------------------------------------------------------

/// F-1: a flow no rule matches is denied, and the decision counts the collections examined:
/// network and application ones for a forwarded flow (DNAT collections do not apply to it),
/// DNAT ones for an inbound flow. A firewall without a policy denies everything with no
/// collections. Naive: count every collection, or let an unmatched flow through.
#[test]
fn f1_no_matching_rule_is_the_implicit_deny_counting_the_examined_collections() {
    let dnat = format!(
        "{{ name: ssh, protocols: [tcp], source_addresses: [\"*\"], destination_address: {FW_PUBLIC}, destination_ports: 2222, translated_address: {SERVER}, translated_port: 22 }}"
    );
    let block = one_policy(
        "",
        &[
            group(
                "g1",
                100,
                &[
                    coll("inbound", 100, "dnat", "", &[dnat]),
                    coll("ssh", 200, "network", "allow", &[nrule("ssh", "[tcp]", SPOKES, "[10.1.2.0/24]", "22")]),
                ],
            ),
            group(
                "g2",
                200,
                &[
                    coll("dns", 100, "network", "allow", &[nrule("dns", "[udp]", SPOKES, "[198.51.100.53/32]", "53")]),
                    coll("pypi", 200, "application", "allow", &[arule("pypi", SPOKES, "[Https]", "[pypi.org]")]),
                ],
            ),
        ],
    );
    let f = fabric(&through_fw(&block));
    let c = connect(&f, "client", "https://github.com");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 3 });
    assert_eq!(c.disposition(), Disposition::DeniedByFirewall);
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw");
    assert_eq!(
        f.decider_of(&c.request.steps),
        Some(Decider { kind: DeciderKind::Firewall, name: "hub-fw".into(), rule: None })
    );
    // Rules are terminating and the default is deny, not "pass on": the request stops there.
    assert_eq!(device_steps(&f, &c.request.steps), ["firewall hub-fw no rule in 3 collections"]);

    let c = connect(&f, "internet", &format!("{FW_PUBLIC}:443"));
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 });
    assert_eq!(c.disposition(), Disposition::DeniedByFirewall);

    let f = fabric(&through_fw(""));
    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 0 });
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw");
}

// ---------------------------------------------------------------------------------------------
// F-6: network rules
// ---------------------------------------------------------------------------------------------

/// F-6: a UDP rule does not match TCP on the same port; `any` matches ICMP and other IP
/// protocols (ESP) when the rule names no port; a TCP rule does not match ICMP. Naive: the
/// protocol is ignored, or `any` means TCP+UDP only.
#[test]
fn f6_rule_protocols_udp_is_not_tcp_and_any_covers_icmp_and_esp() {
    let block = one_policy(
        "",
        &[group(
            "g",
            100,
            &[coll(
                "net",
                100,
                "network",
                "allow",
                &[
                    nrule("dns-udp", "[udp]", SPOKES, "[198.51.100.53/32]", "53"),
                    nrule("anything", "[any]", SPOKES, "[198.51.100.60/32]", "*"),
                    nrule("web-tcp", "[tcp]", SPOKES, "[198.51.100.70/32]", "443"),
                ],
            )],
        )],
    );
    let f = fabric(&through_fw(&block));
    let cases = [
        ("198.51.100.53:53", Protocol::Udp, Some(0)),
        ("198.51.100.53:53", Protocol::Tcp, None),
        ("198.51.100.60", Protocol::Icmp, Some(1)),
        ("198.51.100.60", Protocol::Esp, Some(1)),
        ("198.51.100.60:8080", Protocol::Tcp, Some(1)),
        ("198.51.100.70:443", Protocol::Tcp, Some(2)),
        ("198.51.100.70", Protocol::Icmp, None),
        ("198.51.100.70:443", Protocol::Udp, None),
    ];
    for (to, protocol, want) in cases {
        let c = connect_with(&f, "client", to, protocol);
        let what = format!("{protocol} {to}");
        match want {
            Some(r) => {
                assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, r, Access::Allow), "{what}");
                assert_eq!(outcome(&f, &c), "allowed", "{what}");
            }
            None => {
                assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 }, "{what}");
                assert_eq!(c.disposition(), Disposition::DeniedByFirewall, "{what}");
            }
        }
    }
}

/// F-6 (rule-processing.md: "If a destination port is explicitly configured, then the rule is
/// translated to a TCP+UDP rule"): an `any` rule with destination port 443 matches TCP and UDP
/// 443 but not ICMP or ESP. The engine skips the port check for protocols without ports, so the
/// rule lets ICMP and ESP through.
#[test]
fn f6_any_protocol_with_explicit_ports_is_tcp_and_udp_only() {
    let block = one_policy(
        "",
        &[group(
            "g",
            100,
            &[coll("net", 100, "network", "allow", &[nrule("any-443", "[any]", SPOKES, "[198.51.100.80/32]", "443")])],
        )],
    );
    let f = fabric(&through_fw(&block));
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        let c = connect_with(&f, "client", "198.51.100.80:443", protocol);
        assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Allow), "{protocol}");
    }
    for protocol in [Protocol::Icmp, Protocol::Esp] {
        let c = connect_with(&f, "client", "198.51.100.80", protocol);
        assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 }, "{protocol}");
        assert_eq!(c.disposition(), Disposition::DeniedByFirewall, "{protocol}");
    }
}

/// F-6: destinations may be service tags (every address of the tag, here the AML service's
/// public IP drawn from AzureMachineLearning.eastus) and sources IP groups; an address outside
/// the tag, or a source outside the group, does not match. Naive: tags compared as names, or
/// ignored.
#[test]
fn f6_service_tag_destinations_and_ip_group_sources() {
    let block = one_policy(
        "",
        &[group(
            "g",
            100,
            &[coll(
                "aml",
                100,
                "network",
                "allow",
                &["{ name: aml, protocols: [tcp], source_ip_groups: [app-subnet], destination_addresses: [AzureMachineLearning], destination_ports: 443 }".to_string()],
            )],
        )],
    );
    let extra = "ip_groups:\n  - { name: app-subnet, prefixes: [10.1.1.0/24] }\n";
    let f = fabric(&net(&block, &client_via(FW), &server_via(FW), "", extra));
    let c = connect(&f, "client", "https://eastus.api.azureml.ms");
    assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Allow));
    assert_eq!(outcome(&f, &c), "allowed");
    let c = connect(&f, "client", "https://management.azure.com");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 }, "AzureResourceManager is another tag");
    let c = connect(&f, "server", "https://eastus.api.azureml.ms");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 }, "10.1.2.4 is outside the IP group");
}

// ---------------------------------------------------------------------------------------------
// F-8, F-9: application rules
// ---------------------------------------------------------------------------------------------

fn app_rules_block() -> String {
    one_policy(
        "",
        &[group(
            "g",
            100,
            &[coll(
                "apps",
                100,
                "application",
                "allow",
                &[
                    arule("pypi", SPOKES, "[Https]", "[pypi.org]"),
                    arule("ubuntu", SPOKES, "[Http]", "[archive.ubuntu.com]"),
                    arule("sql", SPOKES, "[Mssql]", "[sql.example.net]"),
                    arule("mirror", SPOKES, "[\"Http:8080\"]", "[files.pythonhosted.org]"),
                ],
            )],
        )],
    )
}

/// F-8: application rules match the name the flow carries (SNI, Host header) on the listed
/// protocol:port, TCP only: pypi.org by name over HTTPS passes, the same address by IP carries
/// no name and is denied; a rule for Https does not cover Http:80 and one for Http not Https:443;
/// Mssql is 1433; `Http:8080` opens 8080 only; UDP 443 (QUIC) never reaches application rules.
/// Naive: match the resolved address, or any port of the host.
#[test]
fn f8_application_rules_match_names_on_their_protocol_and_port() {
    let f = fabric(&through_fw(&app_rules_block()));
    let no_rule = FirewallDecision::NoRule { collections: 1 };
    let cases = [
        ("https://pypi.org", Protocol::Tcp, Some(0)),
        ("https://203.0.113.20", Protocol::Tcp, None),
        ("http://pypi.org", Protocol::Tcp, None),
        ("pypi.org:443", Protocol::Udp, None),
        ("http://archive.ubuntu.com", Protocol::Tcp, Some(1)),
        ("https://archive.ubuntu.com", Protocol::Tcp, None),
        ("sql.example.net:1433", Protocol::Tcp, Some(2)),
        ("sql.example.net:443", Protocol::Tcp, None),
        ("http://files.pythonhosted.org:8080", Protocol::Tcp, Some(3)),
        ("http://files.pythonhosted.org", Protocol::Tcp, None),
    ];
    for (to, protocol, want) in cases {
        let c = connect_with(&f, "client", to, protocol);
        let what = format!("{protocol} {to}");
        match want {
            Some(r) => {
                assert_eq!(decision(&c), rule(RuleKind::Application, 0, 0, r, Access::Allow), "{what}");
                assert_eq!(outcome(&f, &c), "allowed", "{what}");
            }
            None => {
                assert_eq!(decision(&c), no_rule, "{what}");
                assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw", "{what}");
            }
        }
    }
}

fn wildcard_block() -> String {
    one_policy(
        "",
        &[group(
            "g",
            100,
            &[coll("apps", 100, "application", "allow", &[arule("example", SPOKES, "[Https]", "[\"*.example.org\"]")])],
        )],
    )
}

/// F-9: `*.example.org` matches subdomains at any depth but not the apex (the documented
/// reading), and not a name that merely ends in `example.org`. Naive: suffix match (apex and
/// badexample.org pass), or one label only (a.b.example.org fails).
#[test]
fn f9_wildcard_target_matches_any_depth_but_not_the_apex() {
    let f = fabric(&through_fw(&wildcard_block()));
    for (name, allowed) in
        [("www.example.org", true), ("a.b.example.org", true), ("example.org", false), ("badexample.org", false)]
    {
        let c = connect(&f, "client", &format!("https://{name}"));
        if allowed {
            assert_eq!(decision(&c), rule(RuleKind::Application, 0, 0, 0, Access::Allow), "{name}");
            assert_eq!(outcome(&f, &c), "allowed", "{name}");
        } else {
            assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 }, "{name}");
        }
    }
}

/// F-9 (unconfirmed, option): with `fw_wildcard_matches_apex` the apex matches too, and still
/// not a longer name that only ends in it.
#[test]
fn f9_apex_option_makes_the_wildcard_cover_the_apex() {
    let options = Options { fw_wildcard_matches_apex: true, ..Options::default() };
    let f = fabric_with(&through_fw(&wildcard_block()), options);
    let c = connect(&f, "client", "https://example.org");
    assert_eq!(decision(&c), rule(RuleKind::Application, 0, 0, 0, Access::Allow));
    assert_eq!(outcome(&f, &c), "allowed");
    let c = connect(&f, "client", "https://badexample.org");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 });
}

// ---------------------------------------------------------------------------------------------
// F-12, F-13: SNAT and sessions
// ---------------------------------------------------------------------------------------------

/// A policy allowing SSH to the server subnet and HTTPS to 203.0.113.0/24 by network rules, and
/// the server by name by an application rule, with the given SNAT ranges.
fn snat_block(snat_keys: &str) -> String {
    one_policy(
        snat_keys,
        &[group(
            "g",
            100,
            &[
                coll(
                    "net",
                    100,
                    "network",
                    "allow",
                    &[
                        nrule("ssh", "[tcp]", "[10.1.1.0/24]", "[10.1.2.0/24]", "22"),
                        nrule("web", "[tcp]", SPOKES, "[203.0.113.0/24]", "443"),
                    ],
                ),
                coll(
                    "apps",
                    200,
                    "application",
                    "allow",
                    &[arule("server-by-name", SPOKES, "[Https]", "[server.internal.contoso.com, example.org]")],
                ),
            ],
        )],
    )
}

/// A zone linked to the spoke giving the server a name.
const SERVER_ZONE: &str = r#"
private_dns_zones:
  - name: internal.contoso.com
    links: [spoke]
    records:
      - { name: server, ip: 10.1.2.4 }
"#;

fn snat_net(snat_keys: &str) -> String {
    net(&snat_block(snat_keys), &client_via(FW), &server_via(FW), "", SERVER_ZONE)
}

/// F-12: application-rule traffic is always SNATed to the firewall's private IP, even to a
/// private destination, which then sees 10.0.0.4; to the internet it then leaves from the
/// firewall's public IP. Naive: application rules keep the source like network rules to
/// private ranges.
#[test]
fn f12_application_rules_always_snat_to_the_firewall_private_ip() {
    let f = fabric(&snat_net(""));
    let c = connect(&f, "client", "https://server.internal.contoso.com");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(decision(&c), rule(RuleKind::Application, 0, 1, 0, Access::Allow));
    assert_eq!(
        device_steps(&f, &c.request.steps),
        [
            "firewall hub-fw application allow g/apps/server-by-name",
            "snat hub-fw 10.1.1.4 -> 10.0.0.4",
            "delivered server",
        ]
    );
    assert_eq!(seen_source(&c), ip(FW));

    let c = connect(&f, "client", "https://example.org");
    assert_eq!(
        device_steps(&f, &c.request.steps),
        [
            "firewall hub-fw application allow g/apps/server-by-name",
            "snat hub-fw 10.1.1.4 -> 10.0.0.4",
            "egress hub-fw firewall hub-fw 20.0.0.10",
            "service xorg",
        ]
    );
    assert_eq!(seen_source(&c), ip(FW_PUBLIC));
}

/// F-12: network-rule traffic to an RFC 1918 destination keeps its source (no translation
/// step, the server sees the client); to a public destination the source becomes the
/// firewall's private IP, then the firewall's public IP as it leaves. Naive: the firewall SNATs
/// everything, or nothing.
#[test]
fn f12_network_rules_snat_public_destinations_only() {
    let f = fabric(&snat_net(""));
    let c = connect(&f, "client", "10.1.2.4:22");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Allow));
    assert!(!has_translation(&c.request.steps), "{:?}", device_steps(&f, &c.request.steps));
    assert_eq!(seen_source(&c), ip(CLIENT));

    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(
        device_steps(&f, &c.request.steps),
        [
            "firewall hub-fw network allow g/net/web",
            "snat hub-fw 10.1.1.4 -> 10.0.0.4",
            "egress hub-fw firewall hub-fw 20.0.0.10",
            "service pypi.org",
        ]
    );
    assert_eq!(egresses(&c.request.steps), [Egress::Firewall(fw_id(), ip(FW_PUBLIC))]);
    assert_eq!(seen_source(&c), ip(FW_PUBLIC));
}

/// F-12: `snat_private_ranges: [255.255.255.255/32]` SNATs network-rule traffic to every
/// destination, private ones included, and the reply comes back to the firewall by its own
/// address; `[0.0.0.0/0]` never SNATs network-rule traffic, public destinations included
/// (application rules still SNAT). Naive: the setting is ignored and RFC 1918 decides.
#[test]
fn f12_snat_private_ranges_always_and_never() {
    let f = fabric(&snat_net(", snat_private_ranges: [255.255.255.255/32]"));
    let c = connect(&f, "client", "10.1.2.4:22");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(
        device_steps(&f, &c.request.steps),
        ["firewall hub-fw network allow g/net/ssh", "snat hub-fw 10.1.1.4 -> 10.0.0.4", "delivered server"]
    );
    assert_eq!(seen_source(&c), ip(FW));
    assert_eq!(device_steps(&f, &c.reply.steps), ["session hub-fw -> 10.1.1.4", "delivered client"]);

    let f = fabric(&snat_net(", snat_private_ranges: [0.0.0.0/0]"));
    let c = connect(&f, "client", "10.1.2.4:22");
    assert_eq!(outcome(&f, &c), "allowed");
    assert!(!has_translation(&c.request.steps));
    assert_eq!(seen_source(&c), ip(CLIENT));
    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 1, Access::Allow));
    assert!(!has_translation(&c.request.steps), "{:?}", device_steps(&f, &c.request.steps));
    // Application rules ignore the setting.
    let c = connect(&f, "client", "https://server.internal.contoso.com");
    assert!(has_translation(&c.request.steps));
    assert_eq!(seen_source(&c), ip(FW));
}

/// F-12 (snat-private-range.md: "With this configuration, Azure Firewall can never route
/// traffic directly to the Internet"): with `snat_private_ranges: [0.0.0.0/0]` network-rule
/// traffic to a public destination keeps its private source, so it cannot leave for the
/// internet from the firewall's public IP: the egress step finds no outbound method.
#[test]
fn f12_never_snat_cannot_route_directly_to_the_internet() {
    let f = fabric(&snat_net(", snat_private_ranges: [0.0.0.0/0]"));
    let c = connect(&f, "client", "https://pypi.org");
    assert!(!has_translation(&c.request.steps));
    assert_eq!(egresses(&c.request.steps), [Egress::None], "{:?}", device_steps(&f, &c.request.steps));
    assert!(!c.allowed(), "{}", outcome(&f, &c));
}

/// F-13: the reply of an allowed flow passes the firewall through its session although no rule
/// allows the reverse direction, without any rule evaluation; a new flow the other way is
/// denied. With an application rule the session also undoes the SNAT: the reply to 10.0.0.4 goes
/// on to the client. Naive: the reply is a new flow for the rules (denied), or allowing A→B
/// allows B→A.
#[test]
fn f13_replies_pass_by_session_but_new_reverse_flows_meet_the_rules() {
    let f = fabric(&snat_net(""));
    let c = connect(&f, "client", "10.1.2.4:22");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(decisions(&c.reply.steps), [], "no rule is evaluated for the reply");
    assert_eq!(device_steps(&f, &c.reply.steps), ["session hub-fw -> 10.1.1.4", "delivered client"]);
    assert!(c.reply.steps.contains(&Step::Session { nic: fw_nic(&f), restored: ip(CLIENT) }));

    let back = connect(&f, "server", "10.1.1.4:22");
    assert_eq!(decision(&back), FirewallDecision::NoRule { collections: 2 });
    assert_eq!(outcome(&f, &back), "denied_by_firewall by hub-fw");

    // SNATed by the application rule: the server answers 10.0.0.4, the session restores the
    // client's address.
    let c = connect(&f, "client", "https://server.internal.contoso.com");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(c.verdict.and_then(|v| v.reply_packet).map(|p| p.destination), Some(ip(FW)));
    assert_eq!(device_steps(&f, &c.reply.steps), ["session hub-fw -> 10.1.1.4", "delivered client"]);
    assert_eq!(decisions(&c.reply.steps), []);
}

// ---------------------------------------------------------------------------------------------
// F-15: asymmetric routing through stateful devices
// ---------------------------------------------------------------------------------------------

fn allow_all_block() -> String {
    one_policy("", &[group("g", 100, &[coll("all", 100, "network", "allow", &[nrule("all", "[any]", ANY, ANY, "*")])])])
}

/// F-15 (a): the request goes straight from client to server, the server's reply is routed to a
/// device that never saw the request. A firewall or a `stateful` NVA has no session and drops
/// it (`Asymmetric`, seen_by_request false); a plain NVA forwards it and only reports the
/// divergence. From the internet to a public IP, the same holds for stateful devices, and a
/// plain NVA's reply leaves from the wrong place. Naive: any appliance forwards replies, or
/// the firewall evaluates the reply as a new flow (its allow-all rule would pass it).
#[test]
fn f15_reply_routed_to_a_stateful_device_that_never_saw_the_request_is_dropped() {
    for (hop, device, stateful) in [(FW, "hub-fw", true), (STATEFUL_NVA, "snva", true), (NVA, "nva", false)] {
        let f = fabric(&net(
            &allow_all_block(),
            "",
            &udr("to-app", "10.1.1.0/24", hop),
            &udr("default", "0.0.0.0/0", hop),
            "",
        ));
        let device_nic = nic(&f, device);
        let c = connect(&f, "client", "10.1.2.4:22");
        assert!(c.verdict.is_some_and(|v| v.request.is_delivered()), "{device}");
        assert_eq!(decisions(&c.request.steps), [], "{device}: the request bypasses it");
        if stateful {
            assert_eq!(c.disposition(), Disposition::AsymmetricDrop, "{device}");
            assert_eq!(device_steps(&f, &c.reply.steps), [format!("asymmetric {device} seen_by_request=false")]);
            assert!(c.reply.steps.contains(&Step::Asymmetric {
                nic: device_nic,
                seen_by_request: false,
                came_in_on: None
            }));
            assert_eq!(decisions(&c.reply.steps), [], "{device}: no rule evaluation for a reply");
        } else {
            assert_eq!(outcome(&f, &c), "allowed", "{device}");
            assert!(c.reply.steps.contains(&Step::PathDiverges { nic: device_nic, seen_by_request: false }));
            assert!(!c.reply.steps.iter().any(|s| matches!(s, Step::Asymmetric { .. })));
        }

        // From the internet to the web VM's public IP, replies routed to the device.
        let c = connect_port(&f, "internet", "web", 443);
        assert!(c.verdict.is_some_and(|v| v.request.is_delivered()), "{device}");
        assert_eq!(c.disposition(), Disposition::AsymmetricDrop, "{device}");
        let last = device_steps(&f, &c.reply.steps).pop();
        if stateful {
            assert_eq!(last, Some(format!("asymmetric {device} seen_by_request=false came in on {WEB_PUBLIC}")));
            assert!(c.reply.steps.contains(&Step::Asymmetric {
                nic: device_nic,
                seen_by_request: false,
                came_in_on: Some(ip(WEB_PUBLIC))
            }));
        } else {
            assert_eq!(last, Some(format!("asymmetric return expected {WEB_PUBLIC} actual {device}")));
        }
    }
}

/// F-15 (b): the request passes the device, the reply goes straight back. A firewall or a
/// `stateful` NVA never sees the session complete: `Asymmetric` with seen_by_request true, and
/// the connection fails; a plain NVA only gets `PathDiverges` and the connection works. Naive:
/// a delivered reply means a working connection.
#[test]
fn f15_reply_bypassing_a_stateful_device_that_saw_the_request_fails() {
    for (hop, device, stateful) in [(FW, "hub-fw", true), (STATEFUL_NVA, "snva", true), (NVA, "nva", false)] {
        let f = fabric(&net(&allow_all_block(), &udr("to-data", "10.1.2.0/24", hop), "", "", ""));
        let device_nic = nic(&f, device);
        let c = connect(&f, "client", "10.1.2.4:22");
        assert!(c.verdict.is_some_and(|v| v.request.is_delivered()), "{device}");
        if device == "hub-fw" {
            assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Allow));
        }
        let diverges = Step::PathDiverges { nic: device_nic, seen_by_request: true };
        if stateful {
            assert_eq!(c.disposition(), Disposition::AsymmetricDrop, "{device}");
            assert!(
                c.reply.steps.contains(&Step::Asymmetric { nic: device_nic, seen_by_request: true, came_in_on: None }),
                "{device}: {:?}",
                device_steps(&f, &c.reply.steps)
            );
            assert!(!c.reply.steps.contains(&diverges), "{device}");
            assert_eq!(outcome(&f, &c), format!("reply asymmetric_drop by {device}"));
        } else {
            assert_eq!(outcome(&f, &c), "allowed", "{device}");
            assert!(c.reply.steps.contains(&diverges), "{device}");
            assert!(!c.reply.steps.iter().any(|s| matches!(s, Step::Asymmetric { .. })), "{device}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// F-5: DNAT
// ---------------------------------------------------------------------------------------------

/// F-5: internet → firewall public IP:2222 is translated to the server's 22, with the source
/// becoming the firewall's private IP, and allowed without the network or application passes
/// (a network deny-all follows; an application allow-all does not open other ports). The reply
/// returns to the firewall by its private IP, the session restores the internet client, and it
/// leaves from the public IP it came in on. A port without a DNAT rule is denied. Naive: DNAT
/// keeps the client's source (the reply would then bypass the firewall), network rules then
/// deny the translated packet, or application rules apply inbound.
#[test]
fn f5_dnat_translates_both_ends_and_the_reply_returns_through_the_session() {
    let dnat = format!(
        "{{ name: ssh, protocols: [tcp], source_addresses: [\"*\"], destination_address: {FW_PUBLIC}, destination_ports: 2222, translated_address: {SERVER}, translated_port: 22 }}"
    );
    let block = one_policy(
        "",
        &[group(
            "g",
            100,
            &[
                coll("inbound", 100, "dnat", "", &[dnat]),
                coll("deny-all", 200, "network", "deny", &[nrule("all", "[any]", ANY, ANY, "*")]),
                coll("apps", 300, "application", "allow", &[arule("any-name", ANY, "[Https, Http]", "[\"*\"]")]),
            ],
        )],
    );
    let f = fabric(&through_fw(&block));
    let c = connect(&f, "internet", &format!("{FW_PUBLIC}:2222"));
    assert_eq!(c.packet.map(|p| p.source), Some(ip(INTERNET)));
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(decision(&c), rule(RuleKind::Dnat, 0, 0, 0, Access::Allow));
    assert_eq!(
        device_steps(&f, &c.request.steps),
        [
            "firewall hub-fw dnat allow g/inbound/ssh",
            "snat hub-fw 203.0.113.10 -> 10.0.0.4",
            "dnat hub-fw 20.0.0.10 -> 10.1.2.4",
            "delivered server",
        ]
    );
    let reply = c.verdict.and_then(|v| v.reply_packet).expect("a reply");
    assert_eq!((reply.source, reply.source_port, reply.destination), (ip(SERVER), 22, ip(FW)));
    assert_eq!(
        device_steps(&f, &c.reply.steps),
        ["session hub-fw -> 203.0.113.10", "egress hub-fw return 20.0.0.10", "internet 203.0.113.10"]
    );
    assert_eq!(decisions(&c.reply.steps), []);

    for port in [22, 443] {
        let c = connect(&f, "internet", &format!("{FW_PUBLIC}:{port}"));
        assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 }, "port {port}");
        assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw", "port {port}");
    }
}

// ---------------------------------------------------------------------------------------------
// F-7, F-11: DNS proxy and FQDNs in network rules
// ---------------------------------------------------------------------------------------------

/// A zone linked to the hub (the firewall's VNet) only.
const HUB_ZONE: &str = r#"
private_dns_zones:
  - name: internal.contoso.com
    links: [hub]
    records:
      - { name: db, ip: 10.1.2.4 }
      - { name: server, ip: 10.1.2.4 }
"#;

/// F-7: a network rule's FQDN matches the address the firewall's own DNS resolves: here a
/// private answer from a zone linked to the firewall's VNet and not to the client's, where the
/// name does not even exist. The client reaches 10.1.2.4:1433 by IP under that rule; another
/// address of the subnet is not covered. Naive: the FQDN is resolved as the client would (no
/// answer, no match), or matched against a name the flow carries.
#[test]
fn f7_network_rule_fqdns_match_what_the_firewall_resolves() {
    let block = one_policy(
        ", dns_proxy: true",
        &[group(
            "g",
            100,
            &[coll(
                "db",
                100,
                "network",
                "allow",
                &["{ name: sql, protocols: [tcp], source_addresses: [10.1.0.0/16], destination_fqdns: [db.internal.contoso.com], destination_ports: 1433 }".to_string()],
            )],
        )],
    );
    let f = fabric(&net(&block, &client_via(FW), &server_via(FW), "", HUB_ZONE));
    let own = f.resolve_at(fw_nic(&f), "db.internal.contoso.com");
    assert_eq!(own.outcome, DnsOutcome::Address(ip(SERVER)));
    let hub = VnetId::from_index(0);
    assert!(own.answers.iter().any(|a| matches!(a.source, AnswerSource::PrivateZone { vnet, .. } if vnet == hub)));
    let client_view = connect(&f, "client", "db.internal.contoso.com:1433");
    assert_eq!(client_view.disposition(), Disposition::NxDomain, "the spoke's Azure DNS has no such zone");

    let c = connect(&f, "client", "10.1.2.4:1433");
    assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Allow));
    assert_eq!(outcome(&f, &c), "allowed");
    let c = connect(&f, "client", "10.1.2.5:1433");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 });
    let c = connect(&f, "client", "10.1.2.4:1434");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 });
}

/// The network with the spoke's DNS server set to the firewall.
fn proxy_net(dns_proxy: bool) -> String {
    let keys = if dns_proxy { ", dns_proxy: true" } else { "" };
    let block = one_policy(
        keys,
        &[group(
            "g",
            100,
            &[coll("apps", 100, "application", "allow", &[arule("pypi", SPOKES, "[Https]", "[pypi.org]")])],
        )],
    );
    net(&block, &client_via(FW), &server_via(FW), "", HUB_ZONE)
        .replace("dns_servers: []", &format!("dns_servers: [{FW}]"))
}

/// F-11: with DNS proxy on, the firewall answers DNS on its private IP: the spoke's query is a
/// hop to the firewall, acting as a forwarder, which asks Azure DNS from the hub, so the zone
/// linked to the hub only answers privately (D-4). With DNS proxy off the query is dropped and
/// the name does not resolve. The private IP is no service for anything else: TCP 443 to it is
/// denied as `NotAService`. Naive: the client's VNet links decide, the proxy setting is
/// ignored, or the firewall's address delivers like a VM.
#[test]
fn f11_dns_proxy_answers_on_the_private_ip_and_nothing_else_does() {
    let f = fabric(&proxy_net(true));
    let fw = fw_nic(&f);
    let (origin, address) = f.origin_of(source(&f, "client")).expect("a source");
    let r = f.resolve(origin, address, "server.internal.contoso.com");
    assert_eq!(r.outcome, DnsOutcome::Address(ip(SERVER)));
    let hops: Vec<(IpAddr, HopReason, Option<ServerRole>)> =
        r.hops.iter().map(|h| (h.server, h.reason.clone(), h.role)).collect();
    assert_eq!(
        hops,
        [
            (ip(FW), HopReason::VnetDnsSetting, Some(ServerRole::Forwarder { nic: fw })),
            (ip("168.63.129.16"), HopReason::Forwarder, Some(ServerRole::AzureDns { vnet: VnetId::from_index(0) })),
        ]
    );
    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(outcome(&f, &c), "allowed");
    let c = connect_with(&f, "client", "10.0.0.4:53", Protocol::Udp);
    assert_eq!(outcome(&f, &c), "allowed");

    let c = connect(&f, "client", "10.0.0.4:443");
    assert_eq!(decision(&c), FirewallDecision::NotAService);
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw");

    let f = fabric(&proxy_net(false));
    let r = f.resolve(origin, address, "server.internal.contoso.com");
    assert_eq!(r.outcome, DnsOutcome::Failed);
    let hop = &r.hops[0];
    assert_eq!(hop.server, ip(FW));
    assert_eq!(hop.verdict.map(|v| v.request), Some(Disposition::DeniedByFirewall));
    assert_eq!(decisions(&hop.request.steps), [FirewallDecision::NotAService]);
    assert_eq!(connect(&f, "client", "https://pypi.org").disposition(), Disposition::DnsFailed);
}

/// F-16: a NAT gateway on AzureFirewallSubnet gives the firewall its outbound IP: traffic the
/// firewall sends to the internet leaves from the NAT gateway, not the firewall's public IP.
/// Naive: the firewall always egresses from its own public IP.
#[test]
fn f16_nat_gateway_on_the_firewall_subnet_is_the_firewall_egress() {
    let yaml = through_fw(&app_rules_block()).replace(
        "{ name: AzureFirewallSubnet, prefix: 10.0.0.0/26 }",
        "{ name: AzureFirewallSubnet, prefix: 10.0.0.0/26, nat_gateway: fw-nat }",
    ) + "nat_gateways:\n  - { name: fw-nat, public_ips: [20.0.9.10] }\n";
    let f = fabric(&yaml);
    let c = connect(&f, "client", "https://pypi.org");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(
        device_steps(&f, &c.request.steps),
        [
            "firewall hub-fw application allow g/apps/pypi",
            "snat hub-fw 10.1.1.4 -> 10.0.0.4",
            "egress hub-fw nat_gateway fw-nat 20.0.9.10",
            "service pypi.org",
        ]
    );
    assert_eq!(seen_source(&c), ip("20.0.9.10"));
}

// ---------------------------------------------------------------------------------------------
// O-1, O-2, O-3: outbound methods
// ---------------------------------------------------------------------------------------------

const OUTBOUND: &str = r#"
region: eastus
vnets:
  - name: ml
    address_space: [10.2.0.0/16]
    subnets:
      - { name: s-nat, prefix: 10.2.1.0/24, nat_gateway: ml-nat }
      - { name: s-pip, prefix: 10.2.2.0/24 }
      - { name: s-lb, prefix: 10.2.3.0/24, default_outbound_access: false }
      - { name: s-default, prefix: 10.2.4.0/24 }
      - { name: s-private, prefix: 10.2.5.0/24, default_outbound_access: false }
      - { name: s-udr, prefix: 10.2.6.0/24, nat_gateway: ml-nat, route_table: to-nva }
      - { name: s-nva, prefix: 10.2.9.0/24 }
route_tables:
  - name: to-nva
    routes: [{ name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.2.9.4 }]
nat_gateways:
  - { name: ml-nat, public_ips: [20.2.0.10] }
load_balancers:
  - name: ml-lb
    frontend_ip: 20.2.7.10
    backends: [nat-pip, pip-lb, lb-only]
    rules: [{ name: https, protocol: tcp, frontend_port: 443, backend_port: 443 }]
    outbound_snat: true
endpoints:
  - { name: nat-pip, kind: vm, subnet: ml/s-nat, public_ip: 20.2.1.10 }
  - { name: pip-lb, kind: vm, subnet: ml/s-pip, public_ip: 20.2.2.10 }
  - { name: lb-only, kind: vm, subnet: ml/s-lb }
  - { name: plain, kind: vm, subnet: ml/s-default }
  - { name: island, kind: vm, subnet: ml/s-private }
  - { name: tunneled, kind: vm, subnet: ml/s-udr }
  - { name: router, kind: nva, subnet: ml/s-nva, ip: 10.2.9.4 }
  - name: multi
    kind: vm
    nics:
      - { subnet: ml/s-default }
      - { subnet: ml/s-pip, public_ip: 20.2.2.20 }
"#;

/// The egress of a new flow from `from` to pypi.org.
fn egress_of(f: &Fabric, from: &str) -> (String, Vec<String>) {
    let c = connect(f, from, "https://pypi.org");
    let steps = device_steps(f, &c.request.steps).into_iter().filter(|s| s.starts_with("egress")).collect();
    (outcome(f, &c), steps)
}

/// O-1: a NAT gateway beats an instance public IP and a load balancer outbound rule for new
/// outbound flows. Naive: the NIC's own public IP is used first.
#[test]
fn o1_nat_gateway_beats_instance_public_ip_and_load_balancer() {
    let f = fabric(OUTBOUND);
    assert_eq!(
        egress_of(&f, "nat-pip"),
        ("allowed".into(), vec!["egress nat-pip nat_gateway ml-nat 20.2.0.10".into()])
    );
    let c = connect(&f, "nat-pip", "https://pypi.org");
    assert_eq!(seen_source(&c), ip("20.2.0.10"));
    assert_eq!(device_steps(&f, &c.reply.steps), ["delivered nat-pip"]);
}

/// O-1: an instance public IP beats the load balancer's outbound rule. Naive: the load
/// balancer's frontend, as the machine is its backend.
#[test]
fn o1_instance_public_ip_beats_load_balancer_outbound() {
    let f = fabric(OUTBOUND);
    assert_eq!(egress_of(&f, "pip-lb"), ("allowed".into(), vec!["egress pip-lb instance_public_ip 20.2.2.10".into()]));
}

/// O-1 item 4, O-3: a public load balancer's outbound rule is an explicit method, so a backend
/// in a private subnet reaches the internet from the frontend. Naive: a private subnet has no
/// internet.
#[test]
fn o1_load_balancer_outbound_rule_serves_a_private_subnet() {
    let f = fabric(OUTBOUND);
    assert_eq!(
        egress_of(&f, "lb-only"),
        ("allowed".into(), vec!["egress lb-only load_balancer ml-lb 20.2.7.10".into()])
    );
}

/// O-1 item 5, O-3: without any explicit method a machine in an ordinary subnet uses default
/// outbound access; in a private subnet it has none (`Egress::None`, NoOutboundAccess, decided
/// by the subnet); a public IP on another NIC of the machine turns default outbound access off
/// for all its NICs. Naive: every subnet has default outbound access.
#[test]
fn o1_o3_default_outbound_access_only_without_explicit_methods() {
    let f = fabric(OUTBOUND);
    assert_eq!(egress_of(&f, "plain"), ("allowed".into(), vec!["egress plain default_outbound_access".into()]));
    let c = connect(&f, "island", "https://pypi.org");
    assert_eq!(c.disposition(), Disposition::NoOutboundAccess);
    assert_eq!(egresses(&c.request.steps), [Egress::None]);
    assert_eq!(outcome(&f, &c), "no_outbound_access by ml/s-private");
    let c = connect(&f, "multi", "https://pypi.org");
    assert_eq!(egresses(&c.request.steps), [Egress::None]);
    assert_eq!(c.disposition(), Disposition::NoOutboundAccess);
}

/// O-1 item 1: a UDR to an appliance beats the subnet's NAT gateway: the packet leaves through
/// the appliance, from the appliance's own method. Naive: the NAT gateway replaces every path.
#[test]
fn o1_udr_to_an_appliance_beats_the_nat_gateway() {
    let f = fabric(OUTBOUND);
    let c = connect(&f, "tunneled", "https://pypi.org");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(
        device_steps(&f, &c.request.steps),
        ["appliance router forwarding=true", "egress router default_outbound_access", "service pypi.org"]
    );
}

/// O-2: a NAT gateway accepts no unsolicited inbound connection (Unreachable, reason
/// NatGatewayInbound), but inbound to an instance public IP or a load balancer frontend in a
/// NAT-gateway subnet works, and the reply leaves from the IP the request came in on, not the
/// NAT gateway. Naive: the NAT gateway's IP answers like a public IP, or replies use the NAT
/// gateway as new outbound flows do.
#[test]
fn o2_nat_gateway_takes_no_inbound_and_inbound_replies_return_where_they_came_in() {
    let f = fabric(OUTBOUND);
    let c = connect(&f, "internet", "20.2.0.10:443");
    assert_eq!(c.disposition(), Disposition::Unreachable);
    assert!(
        c.request
            .steps
            .contains(&Step::Unreachable { address: ip("20.2.0.10"), reason: UnreachableReason::NatGatewayInbound })
    );

    let c = connect_port(&f, "internet", "nat-pip", 3389);
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(device_steps(&f, &c.request.steps), ["inbound_nat 20.2.1.10 -> nat-pip", "delivered nat-pip"]);
    assert_eq!(egresses(&c.reply.steps), [Egress::Return(ip("20.2.1.10"))]);

    let c = connect(&f, "internet", "20.2.7.10:443");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(device_steps(&f, &c.request.steps), ["lb ml-lb/https -> nat-pip", "delivered nat-pip"]);
    assert_eq!(egresses(&c.reply.steps), [Egress::Return(ip("20.2.7.10"))]);
}

// ---------------------------------------------------------------------------------------------
// A-2, A-6: public-IP compute behind a forced tunnel
// ---------------------------------------------------------------------------------------------

/// The compute subnet with 0.0.0.0/0 to the firewall, and `fix` extra routes.
fn aml_compute(fix: &str) -> String {
    format!(
        r#"
region: eastus
vnets:
  - name: ml
    address_space: [10.110.0.0/16]
    subnets:
      - {{ name: AzureFirewallSubnet, prefix: 10.110.0.0/26 }}
      - {{ name: compute, prefix: 10.110.1.0/24, route_table: forced }}
route_tables:
  - name: forced
    routes:
      - {{ name: default-via-firewall, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.110.0.4 }}
      {fix}
firewall_policies:
  - name: ml-policy
    rule_collection_groups:
      - name: g
        priority: 200
        rule_collections:
          - name: arm
            priority: 100
            type: network
            action: allow
            rules:
              - {{ name: arm, protocols: [tcp], source_addresses: [10.110.0.0/16], destination_addresses: [AzureResourceManager], destination_ports: 443 }}
firewalls:
  - {{ name: ml-fw, vnet: ml, ip: 10.110.0.4, public_ips: [20.110.0.10], policy: ml-policy }}
endpoints:
  - {{ name: cpu, kind: compute_cluster, subnet: ml/compute, node_count: 2, node_public_ip: 20.110.1.10 }}
"#
    )
}

/// A-2, A-6, F-15: the AML service reaches a public-IP compute on 44224 through the load
/// balancer Azure ML creates and its NSG; with 0.0.0.0/0 to a firewall the reply goes to the
/// firewall, which never saw the request and drops it; a UDR for the AzureMachineLearning tag
/// with next hop Internet sends the reply back out where it came in, while other traffic still
/// goes through the firewall. Naive: the load balancer's path is symmetric by itself, or the
/// firewall's rules judge the reply.
#[test]
fn a2_a6_public_ip_compute_replies_need_the_aml_udr_under_forced_tunnelling() {
    let f = fabric(&aml_compute(""));
    let lb_public = ip("20.110.1.10");
    let c = connect_port(&f, "azureml-service", "cpu", 44224);
    assert!(c.verdict.is_some_and(|v| v.request.is_delivered()), "{:?}", c.request.steps);
    assert_eq!(device_steps(&f, &c.request.steps), ["lb cpu-lb/AzureMachineLearning -> cpu[0]", "delivered cpu[0]"]);
    let nsg_rule = c.request.steps.iter().find_map(|s| match *s {
        Step::Nsg { instance, rule, access, .. } => {
            Some((f.scenario.nsgs[f.nsg_instance(instance).nsg.index()].name.clone(), rule, access))
        }
        _ => None,
    });
    assert_eq!(
        nsg_rule,
        Some(("cpu-aml-nsg".to_string(), 0, Access::Allow)),
        "A-2: the NSG Azure ML creates admits 44224"
    );
    let fw = fw_nic(&f);
    assert_eq!(c.disposition(), Disposition::AsymmetricDrop);
    assert!(c.reply.steps.contains(&Step::Asymmetric { nic: fw, seen_by_request: false, came_in_on: Some(lb_public) }));
    assert_eq!(outcome(&f, &c), "reply asymmetric_drop by ml-fw");

    let f = fabric(&aml_compute("- { name: aml-direct, prefix: AzureMachineLearning, next_hop: Internet }"));
    let c = connect_port(&f, "azureml-service", "cpu", 44224);
    assert_eq!(outcome(&f, &c), "allowed");
    assert!(c.request.steps.iter().any(|s| matches!(s, Step::LoadBalancer { .. })));
    assert_eq!(egresses(&c.reply.steps), [Egress::Return(lb_public)]);
    assert!(!c.reply.steps.iter().any(|s| matches!(s, Step::Asymmetric { .. } | Step::Session { .. })));
    // Everything else still goes through the firewall.
    let c = connect(&f, "cpu", "https://pypi.org");
    assert_eq!(decision(&c), FirewallDecision::NoRule { collections: 1 });
    let c = connect(&f, "cpu", "https://management.azure.com");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(decision(&c), rule(RuleKind::Network, 0, 0, 0, Access::Allow));
}

// ---------------------------------------------------------------------------------------------
// Explanations
// ---------------------------------------------------------------------------------------------

/// Every verdict is explained: a firewall step names the firewall and `group/collection/rule`
/// (kind "firewall"), the implicit deny and the private-IP refusal name the firewall alone,
/// translations and sessions name the device, and a denied trace's decider is the firewall.
#[test]
fn explain_firewall_steps_name_the_deciding_rule() {
    let block = one_policy(
        "",
        &[
            group(
                "apps",
                100,
                &[coll(
                    "deny-apps",
                    100,
                    "application",
                    "deny",
                    &[arule("deny-example", SPOKES, "[Https]", "[example.org]")],
                )],
            ),
            group(
                "late",
                65000,
                &[coll(
                    "allow-web",
                    100,
                    "network",
                    "allow",
                    &[nrule("web-443", "[tcp]", SPOKES, "[203.0.113.0/24]", "443")],
                )],
            ),
        ],
    );
    let f = fabric(&through_fw(&block));
    let c = connect(&f, "client", "https://pypi.org");
    let step = c.request.steps.iter().find(|s| matches!(s, Step::Firewall { .. })).expect("a firewall step");
    let report = f.outcome(step);
    assert_eq!(report.kind, StepKind::Firewall);
    assert_eq!(report.result, StepVerdict::Allow);
    assert_eq!(
        report.decided_by,
        Some(Decider {
            kind: DeciderKind::Firewall,
            name: "hub-fw".into(),
            rule: Some("late/allow-web/web-443".into())
        })
    );
    let snat = c.request.steps.iter().find(|s| matches!(s, Step::Translation { .. })).expect("a translation");
    let r = f.outcome(snat);
    assert_eq!((r.kind, r.decided_by.map(|d| d.name)), (StepKind::Snat, Some("hub-fw".to_string())));
    let session = c.reply.steps.iter().find(|s| matches!(s, Step::Session { .. })).expect("a session");
    let r = f.outcome(session);
    assert_eq!((r.kind, r.result), (StepKind::Session, StepVerdict::Allow));

    let c = connect(&f, "client", "https://example.org");
    let by = f.decider_of(&c.request.steps).expect("a decider");
    assert_eq!(
        by,
        Decider {
            kind: DeciderKind::Firewall,
            name: "hub-fw".into(),
            rule: Some("apps/deny-apps/deny-example".into())
        }
    );
    assert!(by.matches("hub-fw/apps/deny-apps/deny-example") && by.matches("hub-fw"));

    let c = connect(&f, "client", "https://www.example.org");
    let step = c.request.steps.iter().find(|s| matches!(s, Step::Firewall { .. })).expect("a firewall step");
    let r = f.outcome(step);
    assert_eq!((r.kind, r.result), (StepKind::Firewall, StepVerdict::Deny));
    assert!(matches!(step, Step::Firewall { decision: FirewallDecision::NoRule { collections: 2 }, .. }), "{step:?}");
    assert_eq!(
        f.decider_of(&c.request.steps),
        Some(Decider { kind: DeciderKind::Firewall, name: "hub-fw".into(), rule: None })
    );

    let c = connect(&f, "client", "10.0.0.4:443");
    assert_eq!(
        f.decider_of(&c.request.steps),
        Some(Decider { kind: DeciderKind::Firewall, name: "hub-fw".into(), rule: None })
    );
}

// ---------------------------------------------------------------------------------------------
// Reference: the compiled firewall against a naive evaluator over the model policy
// ---------------------------------------------------------------------------------------------

/// A parent and a child policy with groups, collections and rules written out of priority
/// order, allow and deny collections of both types interleaved, tags, IP groups, port ranges,
/// protocols, an FQDN, wildcard and `*` targets, DNAT rules, and a custom SNAT range. (Rules
/// combining protocol `any` with explicit ports are left out: see
/// `f6_any_protocol_with_explicit_ports_is_tcp_and_udp_only`.)
fn reference_policy() -> String {
    let dnat = |name: &str, port: u16, to: &str, to_port: u16, sources: &str| {
        format!(
            "{{ name: {name}, protocols: [tcp, udp], source_addresses: {sources}, destination_address: {FW_PUBLIC}, destination_ports: {port}, translated_address: {to}, translated_port: {to_port} }}"
        )
    };
    let parent = policy(
        "base",
        "",
        &[group(
            "base-rules",
            64000,
            &[
                coll("no-smb", 300, "network", "deny", &[nrule("smb", "[tcp]", ANY, ANY, "445")]),
                coll(
                    "base-apps",
                    200,
                    "application",
                    "deny",
                    &[arule("no-wild", ANY, "[Https]", "[\"*.pythonhosted.org\"]")],
                ),
                coll(
                    "base-dnat",
                    100,
                    "dnat",
                    "",
                    &[dnat("web", 443, "10.1.2.4", 8443, "[198.51.100.0/24]"), dnat("dns", 53, "10.1.2.4", 53, ANY)],
                ),
            ],
        )],
    );
    let child = policy(
        "fw-policy",
        ", parent: base, dns_proxy: true, snat_private_ranges: [IANAPrivateRanges, 198.51.100.0/25]",
        &[
            group(
                "apps",
                300,
                &[
                    coll(
                        "allow-apps",
                        400,
                        "application",
                        "allow",
                        &[
                            arule("pypi", "[10.1.1.0/24]", "[Https, \"Http:8080\"]", "[pypi.org, \"*.pythonhosted.org\"]"),
                            arule("everything", "[10.1.2.0/24]", "[Https]", "[\"*\"]"),
                        ],
                    ),
                    coll("deny-apps", 150, "application", "deny", &[arule("no-example", ANY, "[Https, Http]", "[example.org]")]),
                    // Network rules in a group written before `net` but processed after it.
                    coll("late-net", 500, "network", "allow", &[nrule("web", "[tcp]", ANY, "[203.0.113.0/24]", "443")]),
                ],
            ),
            group(
                "net",
                200,
                &[
                    coll(
                        "allow-net",
                        300,
                        "network",
                        "allow",
                        &[
                            "{ name: aml, protocols: [tcp, udp], source_ip_groups: [spokes], destination_addresses: [AzureMachineLearning, 203.0.113.20/32], destination_ports: \"443, 8000-8443\" }".to_string(),
                            nrule("ping", "[icmp]", SPOKES, "[198.51.100.0/24]", "*"),
                            nrule("esp", "[any]", "[10.1.2.0/24]", "[198.51.100.0/24]", "*"),
                            "{ name: db, protocols: [tcp], source_addresses: [\"*\"], destination_fqdns: [db.internal.contoso.com], destination_ports: 1433 }".to_string(),
                            nrule("udp-dns", "[udp]", "[10.1.1.0/24, 10.3.0.0/16]", "[198.51.100.53/32, 10.1.2.0/24]", "53"),
                        ],
                    ),
                    coll(
                        "deny-net",
                        250,
                        "network",
                        "deny",
                        &[nrule("no-batch", "[tcp, udp]", ANY, "[BatchNodeManagement.eastus, 203.0.113.21/32]", "443")],
                    ),
                ],
            ),
        ],
    );
    policies(&[parent, child])
}

/// F-1, F-3, F-5, F-6, F-8, F-9, F-12: the compiled firewall decides every packet of a grid
/// (sources inside and outside the rules' prefixes and IP group, destinations at tag edges, in
/// and out of prefixes, the FQDN's address; TCP, UDP, ICMP, ESP; ports at range edges; names
/// with and without wildcard matches) exactly as the naive evaluator: same pass, rule position,
/// access, implicit-deny count, SNAT, and for inbound flows the same DNAT.
#[test]
fn reference_firewall_decisions_match_a_naive_evaluator() {
    let extra = format!("{HUB_ZONE}ip_groups:\n  - {{ name: spokes, prefixes: [10.1.0.0/16, 10.3.0.0/16] }}\n");
    let f = fabric(&net(&reference_policy(), &client_via(FW), &server_via(FW), "", &extra));
    let fw = &f.scenario.firewalls[0];
    let compiled = f.firewall(fw_id());
    let mut fqdns = HashMap::new();
    fqdns.insert("db.internal.contoso.com".to_string(), ip(SERVER));
    assert_eq!(f.resolve_at(fw.nic, "db.internal.contoso.com").outcome, DnsOutcome::Address(ip(SERVER)));
    let naive = Naive { scenario: &f.scenario, policy: &fw.policy, private_ip: ip(FW), fqdns };

    // Tag edges: the first and last addresses of AzureMachineLearning and its neighbours.
    let edges = |tag: &str| -> Vec<IpAddr> {
        let p = f.scenario.service_tags.get(tag).expect("tag").prefixes[0];
        let (first, last) = match p {
            IpNet::V4(n) => (u32::from(n.network()), u32::from(n.broadcast())),
            IpNet::V6(_) => panic!("IPv4 tags only"),
        };
        [first.wrapping_sub(1), first, first + 1, last, last.wrapping_add(1)]
            .into_iter()
            .map(|a| IpAddr::V4(a.into()))
            .collect()
    };
    let mut destinations: Vec<IpAddr> = edges("AzureMachineLearning");
    destinations.extend(edges("BatchNodeManagement.eastus"));
    destinations.extend(
        [
            "203.0.113.20",
            "203.0.113.21",
            "203.0.113.22",
            "198.51.100.53",
            "198.51.100.200",
            "10.1.2.4",
            "10.1.2.200",
            "10.1.1.9",
            "8.8.8.8",
        ]
        .map(ip),
    );
    let sources = ["10.1.1.4", "10.1.1.255", "10.1.2.4", "10.3.0.9", "10.4.0.1", "192.168.7.7"].map(ip);
    let protocols = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::Esp];
    let ports = [22, 53, 80, 443, 445, 1433, 7999, 8000, 8080, 8443, 8444];
    let names = [
        None,
        Some("pypi.org"),
        Some("PyPI.org"),
        Some("files.pythonhosted.org"),
        Some("a.b.pythonhosted.org"),
        Some("pythonhosted.org"),
        Some("example.org"),
        Some("anything.example.net"),
    ];
    let mut checked = 0usize;
    let mut seen = std::collections::HashSet::new();
    for &source in &sources {
        for &destination in &destinations {
            for &protocol in &protocols {
                for &port in &ports {
                    if !protocol.has_ports() && port != 443 {
                        continue;
                    }
                    let destination_port = if protocol.has_ports() { port } else { 0 };
                    let packet = Packet { protocol, source, source_port: 50000, destination, destination_port };
                    for name in names {
                        let got = compiled.forward(packet, name);
                        let (want, want_source) = naive.forward(&packet, name);
                        assert_eq!(got.decision, want, "{packet} name {name:?}");
                        if want.allows() {
                            assert_eq!(got.packet.source, want_source, "SNAT of {packet} name {name:?}");
                        }
                        seen.insert(format!("{want:?}"));
                        checked += 1;
                    }
                }
            }
        }
    }
    // The grid reaches every rule of the forward passes and the implicit deny.
    assert!(seen.len() >= 10, "{seen:#?}");
    assert!(checked > 10_000, "{checked}");

    let public = ip(FW_PUBLIC);
    for source in ["198.51.100.7", "203.0.113.10", "10.1.1.4"].map(ip) {
        for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Icmp] {
            for port in [22, 53, 443, 8443] {
                let destination_port = if protocol.has_ports() { port } else { 0 };
                let packet = Packet { protocol, source, source_port: 40000, destination: public, destination_port };
                let got = compiled.inbound(packet);
                let (want, want_packet) = naive.inbound(&packet);
                assert_eq!(got.decision, want, "{packet}");
                if want.allows() {
                    assert_eq!(got.packet, want_packet, "{packet}");
                }
            }
        }
    }
}
