//! The semantic rules of `azure-semantics.md` (§1 NSGs, §2 routing, §7 O-3, the §11 walk), one or
//! more tests per rule id, each named after its rule.
//!
//! Every test is a small scenario plus a table of connections and the outcome the rule demands.
//! The cases are chosen so that the naive reading of the rule (file order instead of priority, a
//! NIC NSG before the subnet NSG, NSGs seeing public addresses, transitive peering, ...) gives a
//! different answer, so each test fails if the rule is implemented the naive way.
//!
//! Outcomes are written as short strings (see [`Outcome::summary`]):
//! * `allowed`: the request arrived and the reply got back;
//! * `<disposition> by <decider>`: the request was dropped, and what dropped it;
//! * `reply <disposition> by <decider>`: the request arrived but the reply did not get back.
//!
//! Deciders are written as scenario files name them: `nsg/rule`, `route-table/route`, a peering
//! name, an endpoint name (appliances), a subnet path (`vnet/subnet`) or `system routes of vnet/subnet`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use vnetsim_config::load_scenario;
use vnetsim_config::place::{End, parse_place};
use vnetsim_engine::trace::NsgLevel;
use vnetsim_engine::{AnyProtocol, Decider, Disposition, Fabric, Options, Recorder, Step, Verdict};
use vnetsim_model::{Access, Direction, IpAddr, Place, Protocol, Scenario, ServiceTag, ServiceTagTable};
use vnetsim_testkit::{fabric, fabric_with, load, load_with};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// `name/rule`, or `name` when the decider has no rule (the `by:` form).
fn decider_name(d: &Decider) -> String {
    d.to_string()
}

/// One step in words, compact enough to compare in tables:
/// * `nsg <level>-<dir> <nsg>/<rule> <allow|deny>` (level `nic` or `subnet`, dir `in` or `out`);
/// * `flow_state <level>-<dir> <nsg>`;
/// * `route <prefix> <next hop> <decider>`;
/// * `<kind> <decider or place> <result>` for the rest.
fn render(f: &Fabric, step: &Step) -> String {
    let report = f.outcome(step);
    let by = report.decided_by.as_ref().map(decider_name);
    let side = |level: NsgLevel, direction: Direction| {
        let level = match level {
            NsgLevel::Nic => "nic",
            NsgLevel::Subnet => "subnet",
        };
        let direction = match direction {
            Direction::Inbound => "in",
            Direction::Outbound => "out",
        };
        format!("{level}-{direction}")
    };
    match *step {
        Step::Nsg { level, direction, .. } => {
            format!("nsg {} {} {}", side(level, direction), by.unwrap_or_default(), report.result)
        }
        Step::NsgFlowState { level, direction, .. } => {
            format!("flow_state {} {}", side(level, direction), by.unwrap_or_default())
        }
        Step::Route { subnet, route, private_endpoint } => {
            let r = f.route_table(subnet, private_endpoint).route(route);
            format!("route {} {} {}", r.prefix, r.next_hop, by.unwrap_or_default())
        }
        _ => format!("{} {} {}", report.kind, by.unwrap_or(report.at), report.result),
    }
}

/// What happened to one connection.
#[derive(Debug)]
struct Outcome {
    verdict: Verdict,
    request: Vec<Step>,
    reply: Vec<Step>,
    request_trail: Vec<String>,
    reply_trail: Vec<String>,
    /// The decider of the deciding trace (the request's if it was dropped, else the reply's),
    /// for connections that did not work.
    by: Option<String>,
}

impl Outcome {
    fn disposition(&self) -> Disposition {
        self.verdict.disposition()
    }

    fn summary(&self) -> String {
        if self.verdict.allowed() {
            return "allowed".into();
        }
        let side = if self.verdict.request.is_delivered() { "reply " } else { "" };
        match &self.by {
            Some(by) => format!("{side}{} by {by}", self.disposition().name()),
            None => format!("{side}{}", self.disposition().name()),
        }
    }

    /// The request's steps of one kind (`nsg`, `route`, `flow_state`, ...), kind word removed.
    fn request_steps(&self, kind: &str) -> Vec<String> {
        steps_of(&self.request_trail, kind)
    }

    fn reply_steps(&self, kind: &str) -> Vec<String> {
        steps_of(&self.reply_trail, kind)
    }

    /// The request's NSG evaluations as (level, direction), in order.
    fn request_nsg_order(&self) -> Vec<(NsgLevel, Direction)> {
        self.request
            .iter()
            .filter_map(|s| match *s {
                Step::Nsg { level, direction, .. } => Some((level, direction)),
                _ => None,
            })
            .collect()
    }
}

fn steps_of(trail: &[String], kind: &str) -> Vec<String> {
    trail.iter().filter_map(|s| s.strip_prefix(kind).and_then(|r| r.strip_prefix(' ')).map(str::to_string)).collect()
}

/// A place as the command line writes it, plus `internet@<ip>` for a given internet source.
fn place(s: &Scenario, text: &str, end: End) -> Place {
    if let Some(ip) = text.strip_prefix("internet@") {
        return Place::Internet(ip.parse::<IpAddr>().expect("internet@<ip>"));
    }
    parse_place(s, text, end).unwrap_or_else(|e| panic!("bad place `{text}`: {e}"))
}

/// Walks one connection (request and reply) through a compiled fabric.
fn conn_on(f: &Fabric, from: &str, to: &str, proto: &str, port: u16) -> Outcome {
    let protocol = Protocol::parse(proto).unwrap_or_else(|| panic!("bad protocol `{proto}`"));
    let from = place(&f.scenario, from, End::Source);
    let to = place(&f.scenario, to, End::Destination);
    let (origin, packet) = f.packet_between(from, to, protocol, port, 50000).expect("a packet source");
    let (mut request, mut reply) = (Recorder::default(), Recorder::default());
    let verdict = f.walk_connection(origin, packet, &mut request, &mut reply);
    let deciding = if verdict.request.is_delivered() { &reply.steps } else { &request.steps };
    // Explanations must not hide the verdict: a panic while explaining becomes a marker that
    // makes the comparison fail with the whole trace in view.
    let guarded = |what: &str, run: &dyn Fn() -> String| {
        catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|_| format!("<{what} panicked>"))
    };
    let by = if verdict.allowed() {
        None
    } else {
        Some(guarded("decider_of", &|| f.decider_of(deciding).map_or_else(String::new, |d| decider_name(&d))))
            .filter(|b| !b.is_empty())
    };
    let trail = |steps: &[Step]| steps.iter().map(|s| guarded("explain", &|| render(f, s))).collect();
    Outcome {
        verdict,
        request_trail: trail(&request.steps),
        reply_trail: trail(&reply.steps),
        request: request.steps.to_vec(),
        reply: reply.steps.to_vec(),
        by,
    }
}

/// Walks one connection in a scenario written as YAML.
fn conn(yaml: &str, from: &str, to: &str, proto: &str, port: u16) -> Outcome {
    conn_on(&fabric(yaml), from, to, proto, port)
}

/// `(from, to, protocol, port, expected summary)`.
type Case<'a> = (&'a str, &'a str, &'a str, u16, &'a str);

/// Checks every case and reports all the failures at once, with their traces.
fn check_on(f: &Fabric, cases: &[Case<'_>]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(from, to, proto, port, want)| {
            let o = conn_on(f, from, to, proto, port);
            let got = o.summary();
            (got != want).then(|| {
                format!(
                    "  {from} -> {to} {proto}/{port}: expected `{want}`, got `{got}`\n    request: {:?}\n    reply:   {:?}",
                    o.request_trail, o.reply_trail
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} case(s) failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

fn check(yaml: &str, cases: &[Case<'_>]) {
    check_on(&fabric(yaml), cases);
}

const INTERNET_HOST: &str = "93.184.216.34";

// ---------------------------------------------------------------------------------------------
// N-2: one service tag or one ASG per rule field
// ---------------------------------------------------------------------------------------------

/// N-2: a rule field may list several IPs and CIDRs but not more than one service tag or ASG.
/// Naive: accept the list and match the union. The loader must reject it, pointing at the field.
#[test]
fn n2_rule_field_with_two_service_tags_is_rejected_with_location() {
    let scenario = |field: &str| {
        format!(
            r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - {{ name: s, prefix: 10.0.1.0/24, nsg: n }}
asgs: [web-asg, sql-asg]
nsgs:
  - name: n
    rules:
      - name: r
        priority: 100
        direction: outbound
        access: allow
        protocol: tcp
        {field}
endpoints:
  - {{ name: web, kind: vm, subnet: app/s, asgs: [web-asg] }}
  - {{ name: sql, kind: vm, subnet: app/s, asgs: [sql-asg] }}
"#
        )
    };
    // (rule field, accepted?)
    let cases: [(&str, bool); 8] = [
        ("destination: [Storage, AzureMachineLearning]", false),
        ("source: [VirtualNetwork, AzureLoadBalancer]", false),
        ("destination: [web-asg, sql-asg]", false),
        ("destination: [Storage, 40.0.0.0/8]", false),
        ("destination: [Storage, web-asg]", false),
        ("destination: [10.0.1.0/24, 10.1.0.0/16, 192.168.0.1]", true),
        ("destination: Storage.eastus", true),
        ("destination: [web-asg]", true),
    ];
    for (field, accepted) in cases {
        let yaml = scenario(field);
        let result = load_scenario("n2.yaml", &yaml, &ServiceTagTable::builtin());
        match (result, accepted) {
            (Ok(_), true) => {}
            (Ok(_), false) => panic!("`{field}` was accepted; N-2 allows one service tag or ASG per field"),
            (Err(d), true) => panic!("`{field}` was rejected: {d:?}"),
            (Err(diags), false) => {
                let line = yaml.lines().position(|l| l.contains(field)).expect("field line") as u32 + 1;
                assert_eq!(diags.len(), 1, "`{field}`: {diags:?}");
                let d = &diags[0];
                assert_eq!(d.file, "n2.yaml");
                assert_eq!(d.loc.line, line, "`{field}`: diagnostic should point at the field: {d:?}");
                assert!(d.loc.column > 8, "`{field}`: column should be at the value: {d:?}");
                assert!(d.message.contains("several service tags or ASGs"), "`{field}`: {}", d.message);
                assert!(d.help.as_deref().is_some_and(|h| h.contains("N-2")), "`{field}`: {:?}", d.help);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// N-3: what protocol `Any` matches
// ---------------------------------------------------------------------------------------------

const N3: &str = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: a, prefix: 10.0.1.0/24 }
      - { name: b, prefix: 10.0.2.0/24, nsg: b-nsg }
      - { name: c, prefix: 10.0.3.0/24, nsg: c-nsg }
nsgs:
  - name: b-nsg
    rules:
      - { name: allow-any-from-a, priority: 100, direction: inbound, access: allow, protocol: '*', source: 10.0.1.0/24 }
  - name: c-nsg
    rules:
      - { name: allow-esp-from-a, priority: 100, direction: inbound, access: allow, protocol: esp, source: 10.0.1.0/24 }
      - { name: deny-rest, priority: 200, direction: inbound, access: deny, protocol: '*' }
endpoints:
  - { name: a, kind: vm, subnet: app/a }
  - { name: b, kind: vm, subnet: app/b }
  - { name: c, kind: vm, subnet: app/c }
"#;

/// N-3 (default option, `AnyProtocol::AllProtocols`): `Any` covers every IP protocol, ESP included.
#[test]
fn n3_any_matches_esp_under_the_default_option() {
    let f = fabric_with(N3, Options::default());
    check_on(
        &f,
        &[
            ("a", "b", "esp", 0, "allowed"),
            ("a", "b", "ah", 0, "allowed"),
            ("a", "b", "tcp", 22, "allowed"),
            ("a", "c", "esp", 0, "allowed"),
            ("a", "c", "tcp", 22, "denied_by_nsg by c-nsg/deny-rest"),
            ("a", "c", "ah", 0, "denied_by_nsg by c-nsg/deny-rest"),
        ],
    );
    let o = conn_on(&f, "a", "b", "esp", 0);
    assert_eq!(o.request_steps("nsg"), ["subnet-in b-nsg/allow-any-from-a allow"]);
}

/// N-3 (documented reading, `AnyProtocol::TcpUdpIcmp`): `Any` is TCP, UDP and ICMP only, so an
/// ESP packet is matched by no `Any` rule (the defaults included) and only an explicit `esp` rule
/// admits it. Naive: ignore the option (ESP still allowed by `allow-any-from-a`).
#[test]
fn n3_any_does_not_match_esp_under_tcp_udp_icmp() {
    let f = fabric_with(N3, Options { any_protocol: AnyProtocol::TcpUdpIcmp, ..Options::default() });
    check_on(
        &f,
        &[
            ("a", "b", "tcp", 22, "allowed"),
            ("a", "b", "udp", 500, "allowed"),
            ("a", "b", "icmp", 0, "allowed"),
            ("a", "c", "esp", 0, "allowed"),
            ("a", "c", "tcp", 22, "denied_by_nsg by c-nsg/deny-rest"),
        ],
    );
    // No rule matches ESP or AH at all: the NSG denies, and says so (without a rule to name).
    for (to, nsg, proto) in [("b", "b-nsg", "esp"), ("b", "b-nsg", "ah"), ("c", "c-nsg", "ah")] {
        let o = conn_on(&f, "a", to, proto, 0);
        assert_eq!(o.disposition(), Disposition::DeniedByNsg, "a -> {to} {proto}: {:?}", o.request_trail);
        assert!(
            o.by.as_deref().is_some_and(|b| b.starts_with(nsg)),
            "a -> {to} {proto}: decided by {:?}, expected {nsg}",
            o.by
        );
    }
}

// ---------------------------------------------------------------------------------------------
// N-4: priority order, first match
// ---------------------------------------------------------------------------------------------

/// N-4: rules are evaluated by ascending priority number, not file order; the first match decides
/// and processing stops. Naive 1: file order (the allow at 200 is written first). Naive 2: "any
/// matching deny wins" (port 80 would be denied by `deny-all-tcp`).
#[test]
fn n4_first_match_by_priority_deny_before_allow() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: a, prefix: 10.0.1.0/24 }
      - { name: b, prefix: 10.0.2.0/24, nsg: b-nsg }
nsgs:
  - name: b-nsg
    rules:
      # Written first, evaluated third.
      - { name: allow-ssh, priority: 200, direction: inbound, access: allow, protocol: tcp, destination_ports: 22 }
      - { name: deny-ssh-from-a, priority: 100, direction: inbound, access: deny, protocol: tcp, source: 10.0.1.0/24, destination_ports: 22 }
      - { name: allow-http, priority: 110, direction: inbound, access: allow, protocol: tcp, destination_ports: 80 }
      - { name: deny-all-tcp, priority: 120, direction: inbound, access: deny, protocol: tcp }
endpoints:
  - { name: a, kind: vm, subnet: app/a }
  - { name: b, kind: vm, subnet: app/b, public_ip: 20.0.2.4 }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("a", "b", "tcp", 22, "denied_by_nsg by b-nsg/deny-ssh-from-a"),
            ("internet", "b", "tcp", 22, "denied_by_nsg by b-nsg/deny-all-tcp"),
            ("a", "b", "tcp", 80, "allowed"),
            ("internet", "b", "tcp", 80, "allowed"),
            ("a", "b", "tcp", 443, "denied_by_nsg by b-nsg/deny-all-tcp"),
            // No custom rule matches UDP: the defaults (65000+) come last.
            ("a", "b", "udp", 53, "allowed"),
            ("internet", "b", "udp", 53, "denied_by_nsg by b-nsg/DenyAllInBound"),
        ],
    );
    assert_eq!(conn_on(&f, "a", "b", "tcp", 80).request_steps("nsg"), ["subnet-in b-nsg/allow-http allow"]);
    assert_eq!(conn_on(&f, "a", "b", "udp", 53).request_steps("nsg"), ["subnet-in b-nsg/AllowVNetInBound allow"]);
}

// ---------------------------------------------------------------------------------------------
// N-5: default rules
// ---------------------------------------------------------------------------------------------

/// N-5: every NSG carries the six default rules with the documented priorities and accesses.
#[test]
fn n5_every_nsg_carries_the_six_default_rules() {
    let s = load(
        r#"
nsgs:
  - name: empty
  - name: custom
    rules:
      - { name: deny-rdp, priority: 4096, direction: inbound, access: deny, protocol: tcp, destination_ports: 3389 }
"#,
    );
    let expected = [
        ("AllowVNetInBound", Direction::Inbound, 65000, Access::Allow),
        ("AllowAzureLoadBalancerInBound", Direction::Inbound, 65001, Access::Allow),
        ("DenyAllInBound", Direction::Inbound, 65500, Access::Deny),
        ("AllowVnetOutBound", Direction::Outbound, 65000, Access::Allow),
        ("AllowInternetOutBound", Direction::Outbound, 65001, Access::Allow),
        ("DenyAllOutBound", Direction::Outbound, 65500, Access::Deny),
    ];
    for nsg in &s.nsgs {
        let defaults: Vec<_> = nsg
            .rules
            .iter()
            .filter(|r| r.is_default)
            .map(|r| (r.name.as_str(), r.direction, r.priority, r.access))
            .collect();
        assert_eq!(defaults, expected, "NSG {}", nsg.name);
    }
}

/// N-5: with no custom rule matching, the defaults decide: VNet-to-VNet allowed both ways, the
/// internet inbound denied, outbound to the internet allowed, and the health-probe address
/// admitted. Rules with a lower number override them. Naive: an NSG without rules denies
/// everything (or allows everything).
#[test]
fn n5_default_rules_decide_when_no_custom_rule_matches() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: a, prefix: 10.0.1.0/24, nsg: defaults-only }
      - { name: b, prefix: 10.0.2.0/24, nsg: defaults-only }
      - { name: c, prefix: 10.0.3.0/24, nsg: override }
nsgs:
  - name: defaults-only
  - name: override
    rules:
      - { name: deny-rdp, priority: 4096, direction: inbound, access: deny, protocol: tcp, destination_ports: 3389 }
endpoints:
  - { name: a, kind: vm, subnet: app/a }
  - { name: b, kind: vm, subnet: app/b, public_ip: 20.0.2.4 }
  - { name: c, kind: vm, subnet: app/c }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("a", "b", "tcp", 8080, "allowed"),
            ("b", "a", "udp", 9999, "allowed"),
            ("internet", "b", "tcp", 8080, "denied_by_nsg by defaults-only/DenyAllInBound"),
            ("a", INTERNET_HOST, "tcp", 443, "allowed"),
            // Health probes come from 168.63.129.16 (N-13).
            ("internet@168.63.129.16", "b", "tcp", 80, "allowed"),
            ("a", "c", "tcp", 3389, "denied_by_nsg by override/deny-rdp"),
            ("a", "c", "tcp", 22, "allowed"),
        ],
    );
    assert_eq!(
        conn_on(&f, "a", "b", "tcp", 8080).request_steps("nsg"),
        ["subnet-out defaults-only/AllowVnetOutBound allow", "subnet-in defaults-only/AllowVNetInBound allow"]
    );
    assert_eq!(
        conn_on(&f, "a", INTERNET_HOST, "tcp", 443).request_steps("nsg"),
        ["subnet-out defaults-only/AllowInternetOutBound allow"]
    );
    // 168.63.129.16 is in VirtualNetwork (N-11), so AllowVNetInBound (65000) admits the probe
    // before AllowAzureLoadBalancerInBound (65001) is reached.
    assert_eq!(
        conn_on(&f, "internet@168.63.129.16", "b", "tcp", 80).request_steps("nsg"),
        ["subnet-in defaults-only/AllowVNetInBound allow"]
    );
}

// ---------------------------------------------------------------------------------------------
// N-6: no NSG = allow
// ---------------------------------------------------------------------------------------------

/// N-6: a subnet or NIC with no NSG allows everything; a NIC NSG alone is the only check. Naive:
/// an implicit deny-all when no NSG is attached.
#[test]
fn n6_missing_nsg_allows_everything() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: open, prefix: 10.0.1.0/24 }
      - { name: nic-only, prefix: 10.0.2.0/24 }
nsgs:
  - name: nic-nsg
    rules:
      - { name: deny-rdp, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 3389 }
endpoints:
  - { name: a, kind: vm, subnet: app/open, public_ip: 20.0.1.4 }
  - { name: b, kind: vm, subnet: app/open }
  - { name: c, kind: vm, subnet: app/nic-only, nsg: nic-nsg, public_ip: 20.0.2.4 }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("internet", "a", "tcp", 3389, "allowed"),
            ("a", "b", "udp", 5000, "allowed"),
            ("b", INTERNET_HOST, "tcp", 25, "allowed"),
            ("internet", "c", "tcp", 22, "denied_by_nsg by nic-nsg/DenyAllInBound"),
            ("internet", "c", "tcp", 3389, "denied_by_nsg by nic-nsg/deny-rdp"),
            ("a", "c", "tcp", 22, "allowed"),
        ],
    );
    assert!(conn_on(&f, "internet", "a", "tcp", 3389).request_steps("nsg").is_empty());
    assert_eq!(conn_on(&f, "internet", "c", "tcp", 22).request_steps("nsg"), ["nic-in nic-nsg/DenyAllInBound deny"]);
}

// ---------------------------------------------------------------------------------------------
// N-7: evaluation order of subnet and NIC NSGs
// ---------------------------------------------------------------------------------------------

const N7: &str = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: src, prefix: 10.0.1.0/24, nsg: src-subnet }
      - { name: dst, prefix: 10.0.2.0/24, nsg: dst-subnet }
nsgs:
  - name: src-subnet
    rules:
      - { name: deny-out-8443, priority: 100, direction: outbound, access: deny, protocol: tcp, destination_ports: 8443 }
  - name: src-nic
    rules:
      - { name: deny-out-8443, priority: 100, direction: outbound, access: deny, protocol: tcp, destination_ports: 8443 }
  - name: dst-subnet
    rules:
      - { name: deny-in-1433, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 1433 }
      - { name: deny-in-9000, priority: 110, direction: inbound, access: deny, protocol: tcp, destination_ports: 9000 }
  - name: dst-nic
    rules:
      - { name: deny-in-1433, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 1433 }
      - { name: deny-in-5432, priority: 110, direction: inbound, access: deny, protocol: tcp, destination_ports: 5432 }
endpoints:
  - { name: src, kind: vm, subnet: app/src, nsg: src-nic }
  - { name: dst, kind: vm, subnet: app/dst, nsg: dst-nic }
"#;

/// N-7 (§11 steps 3 and 6): a flow passes four checks in this order: source NIC NSG out, source
/// subnet NSG out, destination subnet NSG in, destination NIC NSG in.
#[test]
fn n7_four_checks_in_order_nic_out_subnet_out_subnet_in_nic_in() {
    let o = conn(N7, "src", "dst", "tcp", 443);
    assert_eq!(o.summary(), "allowed");
    assert_eq!(
        o.request_nsg_order(),
        [
            (NsgLevel::Nic, Direction::Outbound),
            (NsgLevel::Subnet, Direction::Outbound),
            (NsgLevel::Subnet, Direction::Inbound),
            (NsgLevel::Nic, Direction::Inbound),
        ]
    );
    assert_eq!(
        o.request_steps("nsg"),
        [
            "nic-out src-nic/AllowVnetOutBound allow",
            "subnet-out src-subnet/AllowVnetOutBound allow",
            "subnet-in dst-subnet/AllowVNetInBound allow",
            "nic-in dst-nic/AllowVNetInBound allow",
        ]
    );
}

/// N-7: outbound, the NIC NSG is evaluated first; when both deny, the NIC NSG's rule decides and
/// the subnet NSG is never consulted. Naive: subnet first (decider `src-subnet/deny-out-8443`).
#[test]
fn n7_outbound_nic_nsg_before_subnet_nsg() {
    let f = fabric(N7);
    check_on(&f, &[("src", "dst", "tcp", 8443, "denied_by_nsg by src-nic/deny-out-8443")]);
    let o = conn_on(&f, "src", "dst", "tcp", 8443);
    assert_eq!(o.request_steps("nsg"), ["nic-out src-nic/deny-out-8443 deny"]);
    assert_eq!(o.request_nsg_order(), [(NsgLevel::Nic, Direction::Outbound)]);
}

/// N-7: inbound, the subnet NSG is evaluated first; when both deny, the subnet NSG's rule decides
/// and the NIC NSG is never evaluated. Both must allow: a NIC-only deny still blocks. Naive: NIC
/// first (decider `dst-nic/deny-in-1433`), or "either NSG allowing is enough".
#[test]
fn n7_inbound_subnet_nsg_before_nic_nsg() {
    let f = fabric(N7);
    check_on(
        &f,
        &[
            ("src", "dst", "tcp", 1433, "denied_by_nsg by dst-subnet/deny-in-1433"),
            ("src", "dst", "tcp", 9000, "denied_by_nsg by dst-subnet/deny-in-9000"),
            ("src", "dst", "tcp", 5432, "denied_by_nsg by dst-nic/deny-in-5432"),
        ],
    );
    let o = conn_on(&f, "src", "dst", "tcp", 1433);
    assert_eq!(
        o.request_steps("nsg"),
        [
            "nic-out src-nic/AllowVnetOutBound allow",
            "subnet-out src-subnet/AllowVnetOutBound allow",
            "subnet-in dst-subnet/deny-in-1433 deny",
        ]
    );
    assert_eq!(
        conn_on(&f, "src", "dst", "tcp", 5432).request_steps("nsg")[2..],
        ["subnet-in dst-subnet/AllowVNetInBound allow", "nic-in dst-nic/deny-in-5432 deny"]
    );
}

/// N-7: VM-to-VM traffic inside one subnet is filtered by the subnet NSG in both directions.
/// Naive: intra-subnet traffic skips the subnet NSG.
#[test]
fn n7_intra_subnet_traffic_is_filtered_by_the_subnet_nsg_both_ways() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: shared, prefix: 10.0.1.0/24, nsg: shared-nsg }
nsgs:
  - name: shared-nsg
    rules:
      - { name: deny-in-22, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 22 }
      - { name: deny-out-23, priority: 100, direction: outbound, access: deny, protocol: tcp, destination_ports: 23 }
endpoints:
  - { name: a, kind: vm, subnet: app/shared }
  - { name: b, kind: vm, subnet: app/shared }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("a", "b", "tcp", 22, "denied_by_nsg by shared-nsg/deny-in-22"),
            ("a", "b", "tcp", 23, "denied_by_nsg by shared-nsg/deny-out-23"),
            ("a", "b", "tcp", 80, "allowed"),
        ],
    );
    assert_eq!(
        conn_on(&f, "a", "b", "tcp", 80).request_steps("nsg"),
        ["subnet-out shared-nsg/AllowVnetOutBound allow", "subnet-in shared-nsg/AllowVNetInBound allow"]
    );
}

// ---------------------------------------------------------------------------------------------
// N-8: NSGs see private addresses
// ---------------------------------------------------------------------------------------------

/// N-8: inbound NSGs evaluate after the public IP is translated (they see the private
/// destination); outbound NSGs evaluate before SNAT (they see the private source). Naive: rules
/// written against the public IP match.
#[test]
fn n8_inbound_nsg_sees_private_destination_after_nat() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: web, prefix: 10.0.1.0/24, nsg: web-nsg }
nsgs:
  - name: web-nsg
    rules:
      - { name: deny-to-public-ip, priority: 100, direction: inbound, access: deny, protocol: tcp, destination: 20.0.1.10/32 }
      - { name: allow-https-to-private-ip, priority: 110, direction: inbound, access: allow, protocol: tcp, destination: 10.0.1.10/32, destination_ports: 443 }
      - { name: deny-from-public-ip, priority: 100, direction: outbound, access: deny, protocol: tcp, source: 20.0.1.10/32 }
      - { name: deny-smtp-from-private-ip, priority: 110, direction: outbound, access: deny, protocol: tcp, source: 10.0.1.10/32, destination_ports: 25 }
endpoints:
  - { name: web, kind: vm, subnet: app/web, ip: 10.0.1.10, public_ip: 20.0.1.10 }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("internet", "web", "tcp", 443, "allowed"),
            ("internet", "web", "tcp", 8080, "denied_by_nsg by web-nsg/DenyAllInBound"),
            ("web", INTERNET_HOST, "tcp", 443, "allowed"),
            ("web", INTERNET_HOST, "tcp", 25, "denied_by_nsg by web-nsg/deny-smtp-from-private-ip"),
        ],
    );
    let o = conn_on(&f, "internet", "web", "tcp", 443);
    // Translation first, then the NSG, which matches the rule on the private address.
    assert_eq!(o.request_trail[..2], ["inbound_nat web pass", "nsg subnet-in web-nsg/allow-https-to-private-ip allow"]);
}

// ---------------------------------------------------------------------------------------------
// N-9: statefulness
// ---------------------------------------------------------------------------------------------

/// N-9: return traffic of an allowed flow passes by the flow record whatever the rules in the
/// opposite direction say; only new connections are judged by rules. Naive: judge the reply as a
/// new packet (denied by `b-nsg/deny-all-out`).
#[test]
fn n9_reply_allowed_by_flow_state_despite_outbound_deny_all() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: a, prefix: 10.0.1.0/24, nsg: a-nsg }
      - { name: b, prefix: 10.0.2.0/24, nsg: b-nsg }
nsgs:
  - name: a-nsg
    rules:
      - { name: deny-all-in, priority: 100, direction: inbound, access: deny, protocol: '*' }
  - name: b-nsg
    rules:
      - { name: deny-all-out, priority: 100, direction: outbound, access: deny, protocol: '*' }
endpoints:
  - { name: a, kind: vm, subnet: app/a }
  - { name: b, kind: vm, subnet: app/b }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("a", "b", "tcp", 22, "allowed"),
            ("a", "b", "icmp", 0, "allowed"),
            ("a", INTERNET_HOST, "tcp", 443, "allowed"),
            // New connections the other way are judged by the rules.
            ("b", "a", "tcp", 22, "denied_by_nsg by b-nsg/deny-all-out"),
            ("b", INTERNET_HOST, "tcp", 443, "denied_by_nsg by b-nsg/deny-all-out"),
        ],
    );
    let o = conn_on(&f, "a", "b", "tcp", 22);
    assert_eq!(o.verdict.reply, Some(Disposition::Delivered));
    assert_eq!(o.reply_steps("flow_state"), ["subnet-out b-nsg", "subnet-in a-nsg"]);
    assert!(o.reply_steps("nsg").is_empty(), "the reply must not be judged by rules: {:?}", o.reply_trail);
    assert!(
        o.reply.iter().all(|s| !matches!(s, Step::Nsg { .. }))
            && o.reply.iter().any(|s| matches!(s, Step::NsgFlowState { .. })),
        "{:?}",
        o.reply
    );
    let o = conn_on(&f, "a", INTERNET_HOST, "tcp", 443);
    assert_eq!(o.reply_steps("flow_state"), ["subnet-in a-nsg"]);
    assert!(o.reply_steps("nsg").is_empty(), "{:?}", o.reply_trail);
}

// ---------------------------------------------------------------------------------------------
// N-10: platform addresses
// ---------------------------------------------------------------------------------------------

/// N-10: DNS, DHCP, IMDS and health traffic to 168.63.129.16 and 169.254.169.254 is not filtered
/// by NSGs, even under a deny-all. Only those two addresses are exempt. Naive: the deny-all
/// blocks Azure DNS.
#[test]
fn n10_platform_addresses_bypass_nsg_deny_all() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: locked, prefix: 10.0.1.0/24, nsg: locked }
nsgs:
  - name: locked
    rules:
      - { name: deny-all-out, priority: 100, direction: outbound, access: deny, protocol: '*' }
      - { name: deny-all-in, priority: 100, direction: inbound, access: deny, protocol: '*' }
endpoints:
  - { name: vm, kind: vm, subnet: app/locked }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("vm", "168.63.129.16", "udp", 53, "allowed"),
            ("vm", "168.63.129.16", "tcp", 80, "allowed"),
            ("vm", "169.254.169.254", "tcp", 80, "allowed"),
            ("vm", "168.63.129.17", "udp", 53, "denied_by_nsg by locked/deny-all-out"),
            ("vm", "8.8.8.8", "udp", 53, "denied_by_nsg by locked/deny-all-out"),
        ],
    );
    let o = conn_on(&f, "vm", "168.63.129.16", "udp", 53);
    assert_eq!(o.request_trail, ["platform_exempt azure-platform pass", "delivered platform 168.63.129.16 deliver"]);
    assert!(o.reply_steps("nsg").is_empty(), "{:?}", o.reply_trail);
}

// ---------------------------------------------------------------------------------------------
// N-11: the VirtualNetwork tag
// ---------------------------------------------------------------------------------------------

/// N-11: the prefixes of the UDRs on the protected subnet join its VirtualNetwork set; with a
/// 0.0.0.0/0 UDR the tag covers everything, so rules on VirtualNetwork (custom and
/// AllowVnetOutBound) match internet destinations. The set is per subnet: the same NSG on a
/// subnet without the route table keeps the narrow tag. Naive: VirtualNetwork = address space.
#[test]
fn n11_default_route_udr_makes_virtual_network_match_internet_traffic() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: tunnelled, prefix: 10.0.1.0/24, nsg: shared, route_table: to-nva }
      - { name: direct, prefix: 10.0.2.0/24, nsg: shared }
      - { name: dmz, prefix: 10.0.9.0/24 }
route_tables:
  - name: to-nva
    routes:
      - { name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.9.4 }
nsgs:
  - name: shared
    rules:
      - { name: deny-rdp-to-vnet, priority: 100, direction: outbound, access: deny, protocol: tcp, destination: VirtualNetwork, destination_ports: 3389 }
endpoints:
  - { name: t, kind: vm, subnet: app/tunnelled }
  - { name: d, kind: vm, subnet: app/direct }
  - { name: nva, kind: nva, subnet: app/dmz, ip: 10.0.9.4, public_ip: 20.0.9.4 }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("t", INTERNET_HOST, "tcp", 3389, "denied_by_nsg by shared/deny-rdp-to-vnet"),
            ("d", INTERNET_HOST, "tcp", 3389, "allowed"),
            ("t", INTERNET_HOST, "tcp", 443, "allowed"),
            ("d", INTERNET_HOST, "tcp", 443, "allowed"),
        ],
    );
    assert_eq!(
        conn_on(&f, "t", INTERNET_HOST, "tcp", 443).request_steps("nsg"),
        ["subnet-out shared/AllowVnetOutBound allow"]
    );
    assert_eq!(
        conn_on(&f, "d", INTERNET_HOST, "tcp", 443).request_steps("nsg"),
        ["subnet-out shared/AllowInternetOutBound allow"]
    );
}

/// N-11 compiled once per tag set: subnets with the same VirtualNetwork set share one compiled
/// copy of their NSG; a subnet whose UDRs change the set gets its own.
#[test]
fn n11_subnets_share_a_compiled_nsg_only_when_their_virtual_network_sets_match() {
    let f = fabric(FORCED_TUNNEL);
    let nsg_of = |endpoint: &str| {
        let s = &f.scenario;
        let e = s.endpoints.iter().position(|e| e.name == endpoint).expect("endpoint");
        let nic = s.nics.iter().position(|n| n.endpoint.index() == e).expect("nic");
        f.nics[nic].subnet_nsg().expect("subnet nsg")
    };
    // Both forced tables hold 0.0.0.0/0, so both sets are everything; `plain` has no UDRs.
    assert_eq!(nsg_of("web"), nsg_of("web-fixed"));
    assert_ne!(nsg_of("web"), nsg_of("web-plain"));
}

/// A web VM with a public IP in a subnet whose 0.0.0.0/0 UDR points at an NVA (forced tunnelling),
/// the A-6 fix (a UDR with next hop Internet for the client's prefix), and a control without UDRs.
const FORCED_TUNNEL: &str = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: web, prefix: 10.0.1.0/24, nsg: web-nsg, route_table: forced }
      - { name: web-fixed, prefix: 10.0.2.0/24, nsg: web-nsg, route_table: forced-with-return }
      - { name: plain, prefix: 10.0.3.0/24, nsg: web-nsg }
      - { name: dmz, prefix: 10.0.9.0/24 }
route_tables:
  - name: forced
    routes:
      - { name: all-to-nva, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.9.4 }
  - name: forced-with-return
    routes:
      - { name: all-to-nva, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.9.4 }
      - { name: clients-direct, prefix: 203.0.113.0/24, next_hop: Internet }
nsgs:
  - name: web-nsg
endpoints:
  - { name: web, kind: vm, subnet: app/web, public_ip: 20.0.1.4 }
  - { name: web-fixed, kind: vm, subnet: app/web-fixed, public_ip: 20.0.2.4 }
  - { name: web-plain, kind: vm, subnet: app/plain, public_ip: 20.0.3.4 }
  - { name: nva, kind: nva, subnet: app/dmz, ip: 10.0.9.4, public_ip: 20.0.9.4 }
"#;

/// N-11 inbound: with a 0.0.0.0/0 UDR on the subnet, AllowVNetInBound admits internet clients
/// that DenyAllInBound stops on a subnet without it (same NSG, defaults only).
#[test]
fn n11_default_route_udr_lets_allow_vnet_inbound_admit_internet() {
    let f = fabric(FORCED_TUNNEL);
    let o = conn_on(&f, "internet", "web", "tcp", 8080);
    assert_eq!(o.verdict.request, Disposition::Delivered, "{:?}", o.request_trail);
    assert_eq!(o.request_steps("nsg"), ["subnet-in web-nsg/AllowVNetInBound allow"]);
    check_on(&f, &[("internet", "web-plain", "tcp", 8080, "denied_by_nsg by web-nsg/DenyAllInBound")]);
}

/// N-11: peered VNets are in VirtualNetwork. Naive: only the VNet's own address space.
#[test]
fn n11_virtual_network_includes_peered_vnet_space() {
    let yaml = r#"
vnets:
  - name: hub
    address_space: [10.1.0.0/16]
    subnets:
      - { name: s, prefix: 10.1.1.0/24 }
    peerings:
      - { remote_vnet: spoke }
  - name: spoke
    address_space: [10.2.0.0/16]
    subnets:
      - { name: s, prefix: 10.2.1.0/24, nsg: spoke-nsg }
    peerings:
      - { remote_vnet: hub }
nsgs:
  - name: spoke-nsg
    rules:
      - { name: allow-sql-from-vnet, priority: 100, direction: inbound, access: allow, protocol: tcp, source: VirtualNetwork, destination_ports: 1433 }
      - { name: deny-sql, priority: 200, direction: inbound, access: deny, protocol: tcp, destination_ports: 1433 }
endpoints:
  - { name: h, kind: vm, subnet: hub/s }
  - { name: sp, kind: vm, subnet: spoke/s, public_ip: 20.2.1.4 }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[("h", "sp", "tcp", 1433, "allowed"), ("internet", "sp", "tcp", 1433, "denied_by_nsg by spoke-nsg/deny-sql")],
    );
    assert_eq!(
        conn_on(&f, "h", "sp", "tcp", 1433).request_steps("nsg"),
        ["subnet-in spoke-nsg/allow-sql-from-vnet allow"]
    );
}

/// N-11: 168.63.129.16 is in VirtualNetwork, so a custom "deny from VirtualNetwork" above 65001
/// also blocks health probes, while an internet client passes it. Naive: the probe is not
/// VirtualNetwork and reaches the allow rule (or AllowAzureLoadBalancerInBound).
#[test]
fn n11_virtual_network_includes_platform_vip() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: web, prefix: 10.0.1.0/24, nsg: web-nsg }
nsgs:
  - name: web-nsg
    rules:
      - { name: deny-from-vnet, priority: 100, direction: inbound, access: deny, protocol: '*', source: VirtualNetwork }
      - { name: allow-http, priority: 200, direction: inbound, access: allow, protocol: tcp, destination_ports: 80 }
endpoints:
  - { name: web, kind: vm, subnet: app/web, public_ip: 20.0.1.4 }
"#;
    check(
        yaml,
        &[
            ("internet@168.63.129.16", "web", "tcp", 80, "denied_by_nsg by web-nsg/deny-from-vnet"),
            ("internet", "web", "tcp", 80, "allowed"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// N-12: the Internet tag
// ---------------------------------------------------------------------------------------------

/// N-12: Internet is the complement of the subnet's VirtualNetwork set, so a rule on Internet does
/// not match a peered VNet, even one with a public-range address space. Naive: Internet = outside
/// the own address space, or = non-RFC 1918 addresses.
#[test]
fn n12_internet_tag_does_not_match_peered_vnet_addresses() {
    let yaml = r#"
vnets:
  - name: hub
    address_space: [10.1.0.0/16]
    subnets:
      - { name: s, prefix: 10.1.1.0/24, nsg: hub-nsg }
    peerings:
      - { remote_vnet: spoke }
      - { remote_vnet: partner }
  - name: spoke
    address_space: [10.2.0.0/16]
    subnets:
      - { name: s, prefix: 10.2.1.0/24, nsg: spoke-nsg }
    peerings:
      - { remote_vnet: hub }
  - name: partner
    address_space: [52.10.0.0/16]
    subnets:
      - { name: s, prefix: 52.10.1.0/24 }
    peerings:
      - { remote_vnet: hub }
nsgs:
  - name: hub-nsg
    rules:
      - { name: deny-internet-out, priority: 100, direction: outbound, access: deny, protocol: '*', destination: Internet }
  - name: spoke-nsg
    rules:
      - { name: deny-internet-in, priority: 100, direction: inbound, access: deny, protocol: '*', source: Internet }
endpoints:
  - { name: h, kind: vm, subnet: hub/s }
  - { name: sp, kind: vm, subnet: spoke/s, public_ip: 20.2.1.4 }
  - { name: pt, kind: vm, subnet: partner/s }
"#;
    check(
        yaml,
        &[
            ("h", "sp", "tcp", 443, "allowed"),
            ("h", "pt", "tcp", 443, "allowed"),
            ("h", INTERNET_HOST, "tcp", 443, "denied_by_nsg by hub-nsg/deny-internet-out"),
            ("internet", "sp", "tcp", 443, "denied_by_nsg by spoke-nsg/deny-internet-in"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// N-13: the AzureLoadBalancer tag
// ---------------------------------------------------------------------------------------------

/// N-13: AzureLoadBalancer is 168.63.129.16 (the health-probe source) only; it does not cover
/// client traffic arriving on a public frontend nor other VNet hosts. Naive: "traffic that came
/// in through a public IP / load balancer".
#[test]
fn n13_azure_load_balancer_tag_is_the_probe_address_only() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: web, prefix: 10.0.1.0/24, nsg: web-nsg }
      - { name: other, prefix: 10.0.2.0/24 }
nsgs:
  - name: web-nsg
    rules:
      - { name: allow-probe, priority: 100, direction: inbound, access: allow, protocol: tcp, source: AzureLoadBalancer, destination_ports: 80 }
      - { name: deny-http, priority: 200, direction: inbound, access: deny, protocol: tcp, destination_ports: 80 }
endpoints:
  - { name: web, kind: vm, subnet: app/web, public_ip: 20.0.1.4 }
  - { name: other, kind: vm, subnet: app/other }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("internet@168.63.129.16", "web", "tcp", 80, "allowed"),
            ("internet", "web", "tcp", 80, "denied_by_nsg by web-nsg/deny-http"),
            ("internet@168.63.129.17", "web", "tcp", 80, "denied_by_nsg by web-nsg/deny-http"),
            ("other", "web", "tcp", 80, "denied_by_nsg by web-nsg/deny-http"),
        ],
    );
    assert_eq!(
        conn_on(&f, "internet@168.63.129.16", "web", "tcp", 80).request_steps("nsg"),
        ["subnet-in web-nsg/allow-probe allow"]
    );
}

// ---------------------------------------------------------------------------------------------
// N-15: application security groups
// ---------------------------------------------------------------------------------------------

/// N-15: a rule with ASGs applies to member NICs only, not to their subnets. Naive: an ASG stands
/// for its members' subnets (the jump box and the cache would match).
#[test]
fn n15_asg_rules_apply_to_member_nics_only() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: web, prefix: 10.0.1.0/24 }
      - { name: data, prefix: 10.0.2.0/24, nsg: data-nsg }
asgs: [web-asg, sql-asg]
nsgs:
  - name: data-nsg
    rules:
      - { name: allow-web-to-sql, priority: 100, direction: inbound, access: allow, protocol: tcp, source: web-asg, destination: sql-asg, destination_ports: 1433 }
      - { name: deny-sql, priority: 200, direction: inbound, access: deny, protocol: tcp, destination_ports: 1433 }
endpoints:
  - { name: web1, kind: vm, subnet: app/web, asgs: [web-asg] }
  - { name: jump, kind: vm, subnet: app/web }
  - { name: sql1, kind: vm, subnet: app/data, asgs: [sql-asg] }
  - { name: cache, kind: vm, subnet: app/data }
  - { name: workers, kind: compute_cluster, node_count: 2, subnet: app/web, asgs: [web-asg] }
"#;
    check(
        yaml,
        &[
            ("web1", "sql1", "tcp", 1433, "allowed"),
            ("workers[1]", "sql1", "tcp", 1433, "allowed"),
            ("jump", "sql1", "tcp", 1433, "denied_by_nsg by data-nsg/deny-sql"),
            ("web1", "cache", "tcp", 1433, "denied_by_nsg by data-nsg/deny-sql"),
            ("jump", "cache", "tcp", 1433, "denied_by_nsg by data-nsg/deny-sql"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// R-2 / R-4: reserved ranges route to None
// ---------------------------------------------------------------------------------------------

/// R-2, R-4: the reserved private ranges have system routes with next hop None, so 10.x traffic
/// to an unpeered VNet (and to the other reserved ranges) is dropped, not sent to the internet.
/// Naive: everything outside the VNet follows 0.0.0.0/0.
#[test]
fn r2_r4_reserved_ranges_drop_unpeered_private_traffic() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - { name: s, prefix: 10.1.1.0/24 }
  - name: island
    address_space: [10.2.0.0/16]
    subnets:
      - { name: s, prefix: 10.2.1.0/24 }
endpoints:
  - { name: a, kind: vm, subnet: app/s }
  - { name: b, kind: vm, subnet: island/s }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("a", "b", "tcp", 443, "null_route by system routes of app/s"),
            ("b", "a", "tcp", 443, "null_route by system routes of island/s"),
            ("a", "172.16.5.5", "tcp", 443, "null_route by system routes of app/s"),
            ("a", "192.168.1.1", "tcp", 443, "null_route by system routes of app/s"),
            ("a", "100.64.1.1", "tcp", 443, "null_route by system routes of app/s"),
            ("a", "10.1.1.200", "tcp", 443, "no_host by app"),
            ("a", INTERNET_HOST, "tcp", 443, "allowed"),
        ],
    );
    assert_eq!(conn_on(&f, "a", "b", "tcp", 443).request_steps("route"), ["10.0.0.0/8 None system routes of app/s"]);
    assert_eq!(
        conn_on(&f, "a", "100.64.1.1", "tcp", 443).request_steps("route"),
        ["100.64.0.0/10 None system routes of app/s"]
    );
}

// ---------------------------------------------------------------------------------------------
// R-3: reserved-range adjustments
// ---------------------------------------------------------------------------------------------

/// R-3: once a 0.0.0.0/0 UDR is associated with a subnet, the reserved None routes (the doc's
/// example names 10/8, 192.168/16 and 100.64/10) disappear from that subnet, and the UDR carries
/// the traffic. Naive: the more specific None routes still win by longest prefix.
#[test]
fn r3_reserved_routes_vanish_with_a_default_route_udr() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - { name: plain, prefix: 10.1.1.0/24 }
      - { name: forced, prefix: 10.1.2.0/24, route_table: rt }
      - { name: dmz, prefix: 10.1.9.0/24 }
route_tables:
  - name: rt
    routes:
      - { name: all-to-nva, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.1.9.4 }
endpoints:
  - { name: p, kind: vm, subnet: app/plain }
  - { name: f, kind: vm, subnet: app/forced }
  - { name: nva, kind: nva, subnet: app/dmz, ip: 10.1.9.4 }
"#;
    let f = fabric(yaml);
    for dest in ["10.200.0.1", "192.168.1.1", "100.64.0.1"] {
        let plain = conn_on(&f, "p", dest, "tcp", 443);
        assert_eq!(plain.summary(), "null_route by system routes of app/plain", "p -> {dest}");
        let forced = conn_on(&f, "f", dest, "tcp", 443);
        // The UDR takes the packet to the NVA; the NVA's own subnet still has the None routes.
        assert_eq!(
            forced.request_steps("route")[0],
            "0.0.0.0/0 VirtualAppliance 10.1.9.4 rt/all-to-nva",
            "f -> {dest}: {:?}",
            forced.request_trail
        );
        assert_eq!(forced.summary(), "null_route by system routes of app/dmz", "f -> {dest}");
    }
}

/// R-3: an address space equal to a reserved range turns its route into VnetLocal; one that
/// contains a reserved range replaces it. Naive: the reserved None route stays (and wins by
/// longest prefix for 172.16/12 inside 172.0.0.0/11).
#[test]
fn r3_address_space_equal_to_or_containing_a_reserved_range_replaces_the_none_route() {
    let yaml = r#"
vnets:
  - name: big
    address_space: [10.0.0.0/8]
    subnets:
      - { name: s, prefix: 10.0.1.0/24 }
      - { name: t, prefix: 10.200.0.0/24 }
  - name: wide
    address_space: [172.0.0.0/11]
    subnets:
      - { name: s, prefix: 172.0.1.0/24 }
      - { name: t, prefix: 172.16.1.0/24 }
endpoints:
  - { name: b1, kind: vm, subnet: big/s }
  - { name: b2, kind: vm, subnet: big/t }
  - { name: w1, kind: vm, subnet: wide/s }
  - { name: w2, kind: vm, subnet: wide/t }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("b1", "b2", "tcp", 443, "allowed"),
            ("b1", "10.99.0.1", "tcp", 443, "no_host by big"),
            ("b1", "w2", "tcp", 443, "null_route by system routes of big/s"),
            ("w1", "w2", "tcp", 443, "allowed"),
            ("w1", "172.20.0.1", "tcp", 443, "no_host by wide"),
            ("w1", "b1", "tcp", 443, "null_route by system routes of wide/s"),
        ],
    );
    assert_eq!(
        conn_on(&f, "b1", "b2", "tcp", 443).request_steps("route"),
        ["10.0.0.0/8 VnetLocal system routes of big/s"]
    );
    assert_eq!(
        conn_on(&f, "w1", "w2", "tcp", 443).request_steps("route"),
        ["172.0.0.0/11 VnetLocal system routes of wide/s"]
    );
}

// ---------------------------------------------------------------------------------------------
// R-7: VirtualAppliance next hops
// ---------------------------------------------------------------------------------------------

/// R-7: a VirtualAppliance next hop must be a NIC in the VNet or a peered one, and that NIC must
/// have IP forwarding enabled. Naive: forward to any next-hop address.
#[test]
fn r7_virtual_appliance_next_hop_must_exist_be_reachable_and_forward() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: ghost, prefix: 10.0.1.0/24, route_table: to-ghost }
      - { name: lazy, prefix: 10.0.2.0/24, route_table: to-lazy }
      - { name: off, prefix: 10.0.3.0/24, route_table: to-off }
      - { name: far, prefix: 10.0.4.0/24, route_table: to-far }
      - { name: good, prefix: 10.0.5.0/24, route_table: to-fw }
      - { name: appliances, prefix: 10.0.9.0/24 }
  - name: other
    address_space: [10.5.0.0/16]
    subnets:
      - { name: s, prefix: 10.5.1.0/24 }
route_tables:
  - name: to-ghost
    routes:
      - { name: via-ghost, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.9.200 }
  - name: to-lazy
    routes:
      - { name: via-lazy, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.9.5 }
  - name: to-off
    routes:
      - { name: via-off, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.9.6 }
  - name: to-far
    routes:
      - { name: via-far, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.5.1.4 }
  - name: to-fw
    routes:
      - { name: via-fw, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.9.4 }
endpoints:
  - { name: fw, kind: nva, subnet: app/appliances, ip: 10.0.9.4, public_ip: 20.0.9.4 }
  - { name: lazy-vm, kind: vm, subnet: app/appliances, ip: 10.0.9.5 }
  - { name: off-nva, kind: nva, subnet: app/appliances, ip: 10.0.9.6, ip_forwarding: false }
  - { name: far-nva, kind: nva, subnet: other/s, ip: 10.5.1.4 }
  - { name: g, kind: vm, subnet: app/ghost }
  - { name: l, kind: vm, subnet: app/lazy }
  - { name: o, kind: vm, subnet: app/off }
  - { name: f, kind: vm, subnet: app/far }
  - { name: c, kind: vm, subnet: app/good }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("g", INTERNET_HOST, "tcp", 443, "next_hop_unreachable by to-ghost/via-ghost"),
            ("l", INTERNET_HOST, "tcp", 443, "next_hop_unreachable by lazy-vm"),
            ("o", INTERNET_HOST, "tcp", 443, "next_hop_unreachable by off-nva"),
            ("f", INTERNET_HOST, "tcp", 443, "next_hop_unreachable by to-far/via-far"),
            ("c", INTERNET_HOST, "tcp", 443, "allowed"),
            // Traffic addressed to the appliance itself needs no forwarding.
            ("g", "lazy-vm", "tcp", 22, "allowed"),
        ],
    );
    assert_eq!(conn_on(&f, "l", INTERNET_HOST, "tcp", 443).request_steps("appliance"), ["lazy-vm drop"]);
    assert_eq!(conn_on(&f, "c", INTERNET_HOST, "tcp", 443).request_steps("appliance"), ["fw pass"]);
}

// ---------------------------------------------------------------------------------------------
// R-8: route selection
// ---------------------------------------------------------------------------------------------

/// R-8: longest prefix match first; for equal prefixes a UDR beats a system route. Naive 1: "UDRs
/// always beat system routes" (the 10/8 UDR would swallow the VNet). Naive 2: system first on
/// ties (the /16 UDR would be ignored).
#[test]
fn r8_longest_prefix_then_udr_beats_system_on_equal_prefix() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - { name: lpm, prefix: 10.1.1.0/24, route_table: rt-lpm }
      - { name: eq, prefix: 10.1.2.0/24, route_table: rt-eq }
      - { name: plain, prefix: 10.1.3.0/24 }
      - { name: d5, prefix: 10.1.5.0/24 }
      - { name: d9, prefix: 10.1.9.0/24 }
route_tables:
  - name: rt-lpm
    routes:
      - { name: wide-drop, prefix: 10.0.0.0/8, next_hop: None }
      - { name: d9-drop, prefix: 10.1.9.0/24, next_hop: None }
  - name: rt-eq
    routes:
      - { name: vnet-drop, prefix: 10.1.0.0/16, next_hop: None }
endpoints:
  - { name: l, kind: vm, subnet: app/lpm }
  - { name: e, kind: vm, subnet: app/eq }
  - { name: p, kind: vm, subnet: app/plain }
  - { name: t5, kind: vm, subnet: app/d5 }
  - { name: t9, kind: vm, subnet: app/d9 }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("l", "t5", "tcp", 443, "allowed"),
            ("l", "t9", "tcp", 443, "null_route by rt-lpm/d9-drop"),
            ("l", "10.7.0.1", "tcp", 443, "null_route by rt-lpm/wide-drop"),
            ("e", "t5", "tcp", 443, "null_route by rt-eq/vnet-drop"),
            ("e", INTERNET_HOST, "tcp", 443, "allowed"),
            ("p", "t5", "tcp", 443, "allowed"),
            ("p", "t9", "tcp", 443, "allowed"),
        ],
    );
    assert_eq!(
        conn_on(&f, "l", "t5", "tcp", 443).request_steps("route"),
        ["10.1.0.0/16 VnetLocal system routes of app/lpm"]
    );
}

// ---------------------------------------------------------------------------------------------
// R-9: service-tag UDR ties
// ---------------------------------------------------------------------------------------------

/// R-9: for UDRs with the same prefix, an explicit prefix beats a service tag, and among tags a
/// regional tag beats its top-level tag and AzureCloud regional. Each losing route is written
/// first so that "first listed wins" fails too.
#[test]
fn r9_explicit_prefix_beats_service_tag_and_regional_tag_beats_parent() {
    // Storage.southindia is given the same prefix as its parent Storage (40.68.0.0/16 in the
    // built-in table) so the two tie. Storage.eastus and AzureCloud.eastus tie on 40.68.0.0/20.
    let mut tags = ServiceTagTable::builtin();
    let storage = tags.get("Storage").expect("built-in Storage").prefixes.clone();
    assert_eq!(storage, ["40.68.0.0/16".parse().unwrap()]);
    tags.insert(ServiceTag {
        name: "Storage.southindia".into(),
        region: Some("southindia".into()),
        parent: Some("Storage".into()),
        prefixes: storage,
    });
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: explicit, prefix: 10.0.1.0/24, route_table: rt-explicit }
      - { name: regional, prefix: 10.0.2.0/24, route_table: rt-regional }
      - { name: cloud, prefix: 10.0.3.0/24, route_table: rt-cloud }
route_tables:
  - name: rt-explicit
    routes:
      - { name: storage-tag-drop, prefix: Storage, next_hop: None }
      - { name: storage-prefix-internet, prefix: 40.68.0.0/16, next_hop: Internet }
  - name: rt-regional
    routes:
      - { name: parent-drop, prefix: Storage, next_hop: None }
      - { name: regional-internet, prefix: Storage.southindia, next_hop: Internet }
  - name: rt-cloud
    routes:
      - { name: cloud-regional-drop, prefix: AzureCloud.eastus, next_hop: None }
      - { name: storage-regional-internet, prefix: Storage.eastus, next_hop: Internet }
endpoints:
  - { name: x, kind: vm, subnet: app/explicit }
  - { name: r, kind: vm, subnet: app/regional }
  - { name: c, kind: vm, subnet: app/cloud }
"#;
    let f = Fabric::compile(load_with(yaml, &tags), Options::default());
    check_on(
        &f,
        &[
            ("x", "40.68.100.1", "tcp", 443, "allowed"),
            ("r", "40.68.100.1", "tcp", 443, "allowed"),
            ("c", "40.68.1.1", "tcp", 443, "allowed"),
            ("c", "40.65.1.1", "tcp", 443, "null_route by rt-cloud/cloud-regional-drop"),
        ],
    );
    let route = |from: &str, to: &str| conn_on(&f, from, to, "tcp", 443).request_steps("route");
    assert_eq!(route("x", "40.68.100.1"), ["40.68.0.0/16 Internet rt-explicit/storage-prefix-internet"]);
    assert_eq!(route("r", "40.68.100.1"), ["40.68.0.0/16 Internet rt-regional/regional-internet"]);
    assert_eq!(route("c", "40.68.1.1"), ["40.68.0.0/20 Internet rt-cloud/storage-regional-internet"]);
}

// ---------------------------------------------------------------------------------------------
// R-14 / R-15: peering
// ---------------------------------------------------------------------------------------------

/// R-14: peering is non-transitive: spoke1 <-> hub <-> spoke2 gives no spoke1 <-> spoke2.
#[test]
fn r14_peering_is_not_transitive() {
    let yaml = r#"
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - { name: s, prefix: 10.0.1.0/24 }
    peerings:
      - { remote_vnet: spoke1 }
      - { remote_vnet: spoke2 }
  - name: spoke1
    address_space: [10.1.0.0/16]
    subnets:
      - { name: s, prefix: 10.1.1.0/24 }
    peerings:
      - { remote_vnet: hub }
  - name: spoke2
    address_space: [10.2.0.0/16]
    subnets:
      - { name: s, prefix: 10.2.1.0/24 }
    peerings:
      - { remote_vnet: hub }
endpoints:
  - { name: h, kind: vm, subnet: hub/s }
  - { name: s1, kind: vm, subnet: spoke1/s }
  - { name: s2, kind: vm, subnet: spoke2/s }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("s1", "h", "tcp", 443, "allowed"),
            ("h", "s2", "tcp", 443, "allowed"),
            ("s1", "s2", "tcp", 443, "null_route by system routes of spoke1/s"),
            ("s2", "s1", "tcp", 443, "null_route by system routes of spoke2/s"),
        ],
    );
    assert_eq!(conn_on(&f, "s1", "h", "tcp", 443).request_steps("route"), ["10.0.0.0/16 VNetPeering spoke1-to-hub"]);
}

/// R-15: a peering declared on one side only (`Initiated`) carries nothing, in either direction;
/// the drop is explained by that peering. Naive: one side is enough.
#[test]
fn r15_one_sided_peering_carries_nothing() {
    let yaml = r#"
vnets:
  - name: a
    address_space: [10.1.0.0/16]
    subnets:
      - { name: s, prefix: 10.1.1.0/24 }
    peerings:
      - { name: a-to-b, remote_vnet: b }
  - name: b
    address_space: [10.2.0.0/16]
    subnets:
      - { name: s, prefix: 10.2.1.0/24 }
endpoints:
  - { name: va, kind: vm, subnet: a/s }
  - { name: vb, kind: vm, subnet: b/s }
"#;
    let f = fabric(yaml);
    check_on(&f, &[("va", "vb", "tcp", 443, "null_route by a-to-b"), ("vb", "va", "tcp", 443, "null_route by a-to-b")]);
    assert_eq!(conn_on(&f, "va", "vb", "tcp", 443).request_steps("peering"), ["a-to-b drop"]);
}

/// R-15: `allow_virtual_network_access: false` on either side stops all traffic between the two
/// VNets, both ways; the side that disallows is named. Naive: the flag only filters traffic that
/// leaves the side that set it.
#[test]
fn r15_allow_virtual_network_access_false_blocks_both_directions() {
    let yaml = r#"
vnets:
  - name: a
    address_space: [10.1.0.0/16]
    subnets:
      - { name: s, prefix: 10.1.1.0/24 }
    peerings:
      - { name: a-to-b, remote_vnet: b, allow_virtual_network_access: false }
  - name: b
    address_space: [10.2.0.0/16]
    subnets:
      - { name: s, prefix: 10.2.1.0/24 }
    peerings:
      - { name: b-to-a, remote_vnet: a }
endpoints:
  - { name: va, kind: vm, subnet: a/s }
  - { name: vb, kind: vm, subnet: b/s }
"#;
    check(
        yaml,
        &[("va", "vb", "tcp", 443, "peering_blocked by a-to-b"), ("vb", "va", "tcp", 443, "peering_blocked by a-to-b")],
    );
}

/// Hub-and-spoke through a hub NVA, with `allow_forwarded_traffic` set on the given links.
fn hub_and_spokes(forwarded: &[&str]) -> String {
    let flag = |link: &str| forwarded.contains(&link);
    format!(
        r#"
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {{ name: nva, prefix: 10.0.1.0/24 }}
    peerings:
      - {{ name: hub-to-spoke1, remote_vnet: spoke1, allow_forwarded_traffic: {} }}
      - {{ name: hub-to-spoke2, remote_vnet: spoke2, allow_forwarded_traffic: {} }}
  - name: spoke1
    address_space: [10.1.0.0/16]
    subnets:
      - {{ name: s, prefix: 10.1.1.0/24, route_table: spoke1-rt }}
    peerings:
      - {{ name: spoke1-to-hub, remote_vnet: hub, allow_forwarded_traffic: {} }}
  - name: spoke2
    address_space: [10.2.0.0/16]
    subnets:
      - {{ name: s, prefix: 10.2.1.0/24, route_table: spoke2-rt }}
    peerings:
      - {{ name: spoke2-to-hub, remote_vnet: hub, allow_forwarded_traffic: {} }}
route_tables:
  - name: spoke1-rt
    routes:
      - {{ name: to-spoke2, prefix: 10.2.0.0/16, next_hop: VirtualAppliance, next_hop_ip: 10.0.1.4 }}
  - name: spoke2-rt
    routes:
      - {{ name: to-spoke1, prefix: 10.1.0.0/16, next_hop: VirtualAppliance, next_hop_ip: 10.0.1.4 }}
endpoints:
  - {{ name: nva, kind: nva, subnet: hub/nva, ip: 10.0.1.4 }}
  - {{ name: a, kind: vm, subnet: spoke1/s }}
  - {{ name: b, kind: vm, subnet: spoke2/s }}
"#,
        flag("hub-to-spoke1"),
        flag("hub-to-spoke2"),
        flag("spoke1-to-hub"),
        flag("spoke2-to-hub"),
    )
}

/// R-15: traffic an NVA forwarded (source outside the peer VNet) is accepted only if the
/// receiving spoke's own peering (spoke2-to-hub) has `allow_forwarded_traffic`; the flag on the
/// sending side (hub-to-spoke2) or on the originating spoke does not help. The reply is forwarded
/// traffic into spoke1 and needs spoke1-to-hub. Naive: the flag on either side of the link, or
/// on the sender's link.
#[test]
fn r15_forwarded_traffic_needs_the_flag_on_the_receiving_spokes_side() {
    // (links with allow_forwarded_traffic, a -> b tcp/443)
    let table: [(&[&str], &str); 7] = [
        (&[], "peering_blocked by spoke2-to-hub"),
        (&["hub-to-spoke2"], "peering_blocked by spoke2-to-hub"),
        (&["hub-to-spoke1", "hub-to-spoke2"], "peering_blocked by spoke2-to-hub"),
        (&["spoke1-to-hub"], "peering_blocked by spoke2-to-hub"),
        // The reply into spoke1 is forwarded too, but it answers a flow a NIC of spoke1 opened:
        // the flag does not judge it (R-15 [FIELD]; the strict reading: tests/r15_replies.rs).
        (&["spoke2-to-hub"], "allowed"),
        (&["spoke2-to-hub", "hub-to-spoke1"], "allowed"),
        (&["spoke1-to-hub", "spoke2-to-hub"], "allowed"),
    ];
    let mut failures = Vec::new();
    for (flags, want) in table {
        let o = conn(&hub_and_spokes(flags), "a", "b", "tcp", 443);
        if o.summary() != want {
            failures.push(format!(
                "flags {flags:?}: expected `{want}`, got `{}`\n  request: {:?}\n  reply: {:?}",
                o.summary(),
                o.request_trail,
                o.reply_trail
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Not forwarded: a spoke reaches the NVA itself without any flag.
    check(&hub_and_spokes(&[]), &[("a", "nva", "tcp", 22, "allowed"), ("nva", "b", "tcp", 22, "allowed")]);
    let o = conn(&hub_and_spokes(&["spoke1-to-hub", "spoke2-to-hub"]), "a", "b", "tcp", 443);
    assert_eq!(o.request_steps("peering"), ["hub-to-spoke1 pass", "spoke2-to-hub pass"]);
    assert_eq!(o.request_steps("appliance"), ["nva pass"]);
}

// ---------------------------------------------------------------------------------------------
// R-17: routing loops
// ---------------------------------------------------------------------------------------------

/// R-17: an NVA in the subnet whose route table points at it sends its own output back to itself;
/// two NVAs pointing at each other ping-pong. Both are loops. Naive: the NVA's output skips its
/// subnet's route table (delivered), or the walk never ends.
#[test]
fn r17_routing_loop_is_detected() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: s, prefix: 10.0.1.0/24, route_table: to-self }
      - { name: p1, prefix: 10.0.2.0/24, route_table: to-nva2 }
      - { name: p2, prefix: 10.0.3.0/24, route_table: to-nva1 }
      - { name: c, prefix: 10.0.4.0/24, route_table: to-nva1 }
route_tables:
  - name: to-self
    routes:
      - { name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.1.10 }
  - name: to-nva1
    routes:
      - { name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.2.4 }
  - name: to-nva2
    routes:
      - { name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.3.4 }
endpoints:
  - { name: client, kind: vm, subnet: app/s }
  - { name: same-subnet-nva, kind: nva, subnet: app/s, ip: 10.0.1.10, public_ip: 20.0.1.10 }
  - { name: nva1, kind: nva, subnet: app/p1, ip: 10.0.2.4, public_ip: 20.0.2.4 }
  - { name: nva2, kind: nva, subnet: app/p2, ip: 10.0.3.4, public_ip: 20.0.3.4 }
  - { name: c, kind: vm, subnet: app/c }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("client", INTERNET_HOST, "tcp", 443, "loop by same-subnet-nva"),
            ("c", INTERNET_HOST, "tcp", 443, "loop by nva1"),
            // Inside the VNet the address-space route is more specific: no loop.
            ("client", "c", "tcp", 443, "allowed"),
        ],
    );
    assert_eq!(conn_on(&f, "c", INTERNET_HOST, "tcp", 443).request_steps("appliance"), ["nva1 pass", "nva2 pass"]);
}

// ---------------------------------------------------------------------------------------------
// O-3: default outbound access and private subnets
// ---------------------------------------------------------------------------------------------

/// O-3: a private subnet (`default_outbound_access: false`) has no implicit internet egress, for
/// the internet and public Azure endpoints alike; an explicit method (an instance public IP, a UDR
/// to an NVA) still works, and traffic inside Azure is unaffected. Naive: private subnet = no
/// internet at all, or the flag ignored.
#[test]
fn o3_private_subnet_has_no_internet_but_public_ip_still_egresses() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: private, prefix: 10.0.1.0/24, default_outbound_access: false }
      - { name: legacy, prefix: 10.0.2.0/24 }
      - { name: private-via-nva, prefix: 10.0.3.0/24, default_outbound_access: false, route_table: to-nva }
      - { name: dmz, prefix: 10.0.4.0/24 }
route_tables:
  - name: to-nva
    routes:
      - { name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.4.4 }
endpoints:
  - { name: bare, kind: vm, subnet: app/private }
  - { name: with-pip, kind: vm, subnet: app/private, public_ip: 20.0.1.5 }
  - { name: old, kind: vm, subnet: app/legacy }
  - { name: tunnelled, kind: vm, subnet: app/private-via-nva }
  - { name: nva, kind: nva, subnet: app/dmz, ip: 10.0.4.4 }
"#;
    let f = fabric(yaml);
    check_on(
        &f,
        &[
            ("bare", INTERNET_HOST, "tcp", 443, "no_outbound_access by app/private"),
            ("bare", "40.68.1.1", "tcp", 443, "no_outbound_access by app/private"),
            ("with-pip", INTERNET_HOST, "tcp", 443, "allowed"),
            ("internet", "with-pip", "tcp", 22, "allowed"),
            ("old", INTERNET_HOST, "tcp", 443, "allowed"),
            ("tunnelled", INTERNET_HOST, "tcp", 443, "allowed"),
            ("bare", "old", "tcp", 22, "allowed"),
        ],
    );
    assert_eq!(
        conn_on(&f, "with-pip", INTERNET_HOST, "tcp", 443).request_steps("egress"),
        ["with-pip pass"],
        "egress through the instance public IP"
    );
    assert_eq!(conn_on(&f, "old", INTERNET_HOST, "tcp", 443).request_steps("egress"), ["app/legacy pass"]);
    assert_eq!(conn_on(&f, "tunnelled", INTERNET_HOST, "tcp", 443).request_steps("egress"), ["app/dmz pass"]);
}

// ---------------------------------------------------------------------------------------------
// Dynamic IP allocation
// ---------------------------------------------------------------------------------------------

/// Azure reserves the first four addresses of a subnet, so the first dynamic IP is .4; dynamic
/// allocation skips every explicitly assigned IP, including ones written later in the file.
/// Naive: start at .1, or allocate in file order before static IPs are known (a collision).
#[test]
fn dynamic_ip_allocation_starts_at_dot4_and_skips_explicit_ips() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: s, prefix: 10.0.1.0/24 }
      - { name: t, prefix: 10.0.2.0/29 }
endpoints:
  - { name: first, kind: vm, subnet: app/s }
  - { name: pinned, kind: vm, subnet: app/s, ip: 10.0.1.5 }
  - { name: second, kind: vm, subnet: app/s }
  - { name: pool, kind: compute_cluster, node_count: 2, subnet: app/s }
  - { name: early-dynamic, kind: vm, subnet: app/t }
  - { name: late-pinned, kind: vm, subnet: app/t, ip: 10.0.2.4 }
"#;
    let f = fabric(yaml);
    let table = [
        ("first", "10.0.1.4"),
        ("pinned", "10.0.1.5"),
        ("second", "10.0.1.6"),
        ("pool[0]", "10.0.1.7"),
        ("pool[1]", "10.0.1.8"),
        ("early-dynamic", "10.0.2.5"),
        ("late-pinned", "10.0.2.4"),
    ];
    for (endpoint, ip) in table {
        let to = place(&f.scenario, endpoint, End::Destination);
        let (origin, _) = f.origin_of(place(&f.scenario, "first", End::Source)).unwrap();
        assert_eq!(f.address_of(origin, to).to_string(), ip, "{endpoint}");
    }
    // Addressing by IP reaches the NIC that holds it.
    let o = conn_on(&f, "pinned", "10.0.2.5", "tcp", 22);
    assert_eq!(o.summary(), "allowed");
    assert_eq!(o.request_trail.last().map(String::as_str), Some("delivered early-dynamic 10.0.2.5 deliver"));
    // The first four addresses are reserved: writing one is an error.
    let bad = yaml.replace("ip: 10.0.1.5", "ip: 10.0.1.3");
    let diags = load_scenario("ip.yaml", &bad, &ServiceTagTable::builtin()).expect_err("10.0.1.3 is reserved");
    assert!(diags.iter().any(|d| d.message.contains("reserved")), "{diags:?}");
}

// ---------------------------------------------------------------------------------------------
// §11 step 7, R-11, A-6: asymmetric return of internet-inbound traffic under forced tunnelling
// ---------------------------------------------------------------------------------------------

/// R-11 / A-6 (§11 step 7): a VM with a public IP in a subnet whose 0.0.0.0/0 UDR points at an NVA
/// receives an internet connection directly, but its reply follows the UDR to the NVA and leaves
/// from the NVA's address: asymmetric, dropped. A UDR with next hop Internet for the client
/// prefix fixes it; outbound-initiated traffic through the NVA is symmetric. Naive: replies
/// retrace the request's path.
#[test]
fn asymmetric_return_of_internet_inbound_with_default_route_to_nva() {
    let f = fabric(FORCED_TUNNEL);
    check_on(
        &f,
        &[
            ("internet", "web", "tcp", 443, "reply asymmetric_drop by nva"),
            ("internet", "web-fixed", "tcp", 443, "allowed"),
            ("web", INTERNET_HOST, "tcp", 443, "allowed"),
        ],
    );
    let o = conn_on(&f, "internet", "web", "tcp", 443);
    assert_eq!(o.verdict.request, Disposition::Delivered);
    assert_eq!(o.verdict.reply, Some(Disposition::AsymmetricDrop));
    assert_eq!(o.reply_steps("route")[0], "0.0.0.0/0 VirtualAppliance 10.0.9.4 forced/all-to-nva");
    assert_eq!(o.reply_steps("asymmetric_return"), ["nva drop"]);
    let fixed = conn_on(&f, "internet", "web-fixed", "tcp", 443);
    assert_eq!(fixed.reply_steps("route"), ["203.0.113.0/24 Internet forced-with-return/clients-direct"]);
}

// ---------------------------------------------------------------------------------------------
// Regressions from review
// ---------------------------------------------------------------------------------------------

/// O-3: an instance-level public IP on *any* NIC of a VM turns off default outbound access, so a
/// second NIC without a public IP has no way out.
#[test]
fn o3_public_ip_on_another_nic_of_the_vm_disables_default_outbound() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: front, prefix: 10.0.1.0/24 }
      - { name: back, prefix: 10.0.2.0/24 }
endpoints:
  - name: dual
    kind: vm
    nics:
      - { subnet: app/back }
      - { subnet: app/front, public_ip: 20.0.9.9 }
  - { name: single, kind: vm, subnet: app/back }
"#;
    check(
        yaml,
        &[
            ("dual", INTERNET_HOST, "tcp", 443, "no_outbound_access by app/back"),
            ("single", INTERNET_HOST, "tcp", 443, "allowed"),
        ],
    );
}

/// N-8 and O-3: a packet to another public IP of the scenario goes out and comes back in from
/// the internet, SNATed. The destination's NSG sees a public source, so a VirtualNetwork rule
/// does not admit it even when both VMs share a VNet.
#[test]
fn n8_traffic_to_a_scenario_public_ip_arrives_with_a_public_source() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: web, prefix: 10.0.1.0/24, nsg: web-nsg }
nsgs:
  - name: web-nsg
    rules:
      - { name: https-from-internet, priority: 100, direction: inbound, access: allow, protocol: tcp, source: Internet, destination_ports: 443 }
endpoints:
  - { name: server, kind: vm, subnet: app/web, public_ip: 20.0.2.2 }
  - { name: neighbour, kind: vm, subnet: app/web }
"#;
    check(
        yaml,
        &[
            ("neighbour", "20.0.2.2", "tcp", 443, "allowed"),
            ("neighbour", "20.0.2.2", "tcp", 22, "denied_by_nsg by web-nsg/DenyAllInBound"),
            ("neighbour", "server", "tcp", 22, "allowed"),
        ],
    );
}

/// R-3: only an IPv4 0.0.0.0/0 UDR removes the IPv4 reserved `None` routes; `::/0` does not.
#[test]
fn r3_ipv6_default_udr_keeps_the_ipv4_reserved_routes() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: s, prefix: 10.0.1.0/24, route_table: v6 }
route_tables:
  - name: v6
    routes:
      - { name: v6-default, prefix: "::/0", next_hop: None }
endpoints:
  - { name: vm, kind: vm, subnet: app/s }
"#;
    check(yaml, &[("vm", "10.99.0.1", "tcp", 443, "null_route by system routes of app/s")]);
}

/// Addresses the internet does not route are not "delivered" through the Internet next hop.
#[test]
fn r5_unroutable_addresses_are_not_delivered_to_the_internet() {
    let yaml = r#"
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - { name: s, prefix: 10.0.1.0/24 }
endpoints:
  - { name: vm, kind: vm, subnet: app/s }
"#;
    let f = fabric(yaml);
    for address in ["255.255.255.255", "0.0.0.1", "169.254.1.1", "224.0.0.1"] {
        assert_eq!(conn_on(&f, "vm", address, "udp", 53).verdict.request, Disposition::Unreachable, "{address}");
    }
    assert_eq!(conn_on(&f, "vm", INTERNET_HOST, "udp", 53).verdict.request, Disposition::Delivered);
}
