//! Errors a person can act on (issue 18): no follow-on errors for what depends on an object left
//! out, bounded output, clear messages for broken YAML and text, refusing what Azure refuses,
//! the `options:` block, and managed firewall public IPs.
//!
//! Each case is a table row through one `check` helper: the file's errors as `line:col: message`
//! prefixes, in source order.

use vnetsim_config::diagnostic::{MAX_LISTED, MAX_RENDERED};
use vnetsim_config::{Diagnostic, load_scenario, load_workspace_yaml};
use vnetsim_model::*;

fn load(source: &str) -> Result<Scenario, Vec<Diagnostic>> {
    load_scenario("t.yaml", source, &ServiceTagTable::builtin())
}

fn errors(source: &str) -> Vec<Diagnostic> {
    match load(source) {
        Ok(_) => panic!("loads, but errors were expected:\n{source}"),
        Err(d) => d,
    }
}

/// The file's errors must be exactly `expected`: `line:col` and the start of each message.
fn check(source: &str, expected: &[(&str, &str)]) {
    let got = errors(source);
    let rendered: Vec<String> = got.iter().map(|d| format!("{}:{}: {}", d.loc.line, d.loc.column, d.message)).collect();
    assert_eq!(got.len(), expected.len(), "errors:\n{}", rendered.join("\n"));
    for (d, (at, start)) in got.iter().zip(expected) {
        assert_eq!(format!("{}:{}", d.loc.line, d.loc.column), *at, "errors:\n{}", rendered.join("\n"));
        assert!(d.message.starts_with(start), "expected `{start}...`, got:\n{}", rendered.join("\n"));
    }
}

fn help_of(source: &str, message_start: &str) -> String {
    let all = errors(source);
    let d = all.iter().find(|d| d.message.starts_with(message_start)).unwrap_or_else(|| panic!("{all:#?}"));
    d.help.clone().unwrap_or_default()
}

// ---- cascades ----

#[test]
fn an_invalid_address_space_raises_no_errors_about_its_subnets_or_their_endpoints() {
    check(
        "
vnets:
  - name: a
    address_space: [10.0.0.0/33]
    subnets:
      - {name: s1, prefix: 10.0.1.0/24}
      - {name: s2, prefix: 10.0.2.0/24}
endpoints:
  - {name: vm1, kind: vm, subnet: a/s1}
  - {name: vm2, kind: vm, subnet: a/s2}
expect:
  - {from: vm1, to: vm2, port: 22, outcome: denied, by: a/s1}
",
        &[("4:21", "address_space: invalid prefix `10.0.0.0/33`")],
    );
}

#[test]
fn a_refused_range_of_several_leaves_out_only_the_subnets_it_would_hold() {
    check(
        "
vnets:
  - name: a
    address_space: [10.0.0.0/16, 224.1.0.0/16]
    subnets:
      - {name: ok, prefix: 10.0.1.0/24}
      - {name: in-refused, prefix: 224.1.1.0/24}
      - {name: outside-both, prefix: 10.9.0.0/24}
",
        &[("4:34", "address space 224.1.0.0/16: it overlaps 224.0.0.0/4, multicast")],
    );
}

#[test]
fn a_dangling_nsg_is_reported_once_not_per_subnet_and_nic() {
    check(
        "
vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s1, prefix: 10.0.1.0/24, nsg: nope}
      - {name: s2, prefix: 10.0.2.0/24, nsg: nope}
endpoints:
  - {name: vm1, kind: vm, subnet: a/s1, nsg: nope}
  - {name: vm2, kind: vm, subnet: a/s2, nsg: nope}
expect:
  - {from: vm1, to: vm2, port: 22, outcome: allowed}
",
        &[("6:46", "unknown NSG `nope`")],
    );
}

#[test]
fn an_invalid_subnet_prefix_raises_no_errors_about_its_endpoints() {
    check(
        "
vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s1, prefix: 10.0.1.0/33}
endpoints:
  - {name: vm1, kind: vm, subnet: a/s1}
  - {name: vm2, kind: vm, nics: [{subnet: a/s1}, {subnet: a/s1}]}
",
        &[("6:28", "subnet prefix: invalid prefix `10.0.1.0/33`")],
    );
}

#[test]
fn an_invalid_vnet_name_raises_no_errors_about_its_subnets() {
    check(
        "
vnets:
  - name: 'a b'
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s1, prefix: 10.0.1.0/24}
endpoints:
  - {name: vm1, kind: vm, subnet: a b/s1}
",
        &[("3:11", "invalid VNet name `a b`")],
    );
}

#[test]
fn a_left_out_endpoint_or_rule_raises_no_errors_in_expectations() {
    check(
        "
vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s, prefix: 10.0.1.0/24, nsg: n}
nsgs:
  - name: n
    rules:
      - {name: bad, priority: 99, direction: inbound, access: deny}
endpoints:
  - {name: vm1, kind: toaster, subnet: a/s}
  - {name: vm2, kind: vm, subnet: a/s}
expect:
  - {from: vm1, to: vm2, port: 22, outcome: allowed}
  - {from: vm2, to: 'vm1[0]', port: 22, outcome: denied, by: vm1}
  - {from: vm2, to: vm2, port: 22, outcome: denied, by: n/bad}
",
        &[("10:31", "priority 99 is out of range 100..=4096"), ("12:23", "unknown endpoint kind `toaster`")],
    );
}

#[test]
fn gateways_firewalls_and_private_endpoints_in_left_out_subnets_raise_no_errors() {
    check(
        "
vnets:
  - name: hub
    address_space: [10.0.0.0/33]
    subnets:
      - {name: GatewaySubnet, prefix: 10.0.0.0/27}
      - {name: AzureFirewallSubnet, prefix: 10.0.1.0/26}
      - {name: pe, prefix: 10.0.2.0/24}
  - name: spoke
    address_space: [10.1.0.0/16]
    subnets:
      - {name: s, prefix: 10.1.0.0/24}
on_premises:
  - {name: corp, prefixes: [192.168.0.0/16]}
gateways:
  - {name: gw, kind: vpn, vnet: hub, connections: [corp]}
firewalls:
  - {name: fw, vnet: hub, public_ips: [20.0.0.1]}
services:
  - {name: st1, kind: storage_account}
private_endpoints:
  - {name: pe1, subnet: hub/pe, target: st1, subresource: blob}
endpoints:
  - {name: vm, kind: vm, subnet: spoke/s}
expect:
  - {from: vm, to: pe1, port: 443, outcome: allowed}
  - {from: vm, to: internet, port: 443, outcome: denied, by: fw}
",
        &[("4:21", "address_space: invalid prefix `10.0.0.0/33`")],
    );
}

#[test]
fn a_refused_port_or_next_hop_ip_raises_no_missing_key_error() {
    check(
        "
vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s, prefix: 10.0.1.0/24}
route_tables:
  - name: rt
    routes:
      - {name: r, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: fd00::4}
endpoints:
  - {name: vm1, kind: vm, subnet: a/s}
expect:
  - {from: vm1, to: internet, port: -1, outcome: allowed}
",
        &[
            ("10:79", "next_hop_ip: `fd00::4` is an IPv6 address: IPv6 is not modelled yet"),
            ("14:37", "port -1 is out of range 0..=65535"),
        ],
    );
}

// ---- bounded output ----

#[test]
fn defined_hints_list_a_handful_of_names_and_count_the_rest() {
    let nsgs: String = (0..1000).map(|i| format!("  - name: nsg-{i:04}\n")).collect();
    let source = format!(
        "nsgs:\n{nsgs}vnets:\n  - name: a\n    address_space: [10.0.0.0/16]\n    subnets:\n      - {{name: s, prefix: 10.0.1.0/24, nsg: zzzzzzzzzzzzzz}}\n"
    );
    let help = help_of(&source, "unknown NSG `zzzzzzzzzzzzzz`");
    assert!(help.starts_with("defined: "), "{help}");
    assert_eq!(help.matches("nsg-").count(), MAX_LISTED, "{help}");
    assert!(help.ends_with(&format!("(and {} more)", 1000 - MAX_LISTED)), "{help}");
}

#[test]
fn a_huge_name_is_cut_in_messages_and_snippets() {
    let name = "n".repeat(100_000);
    let source = format!(
        "vnets:\n  - name: a\n    address_space: [10.0.0.0/16]\n    subnets:\n      - {{name: s, prefix: 10.0.1.0/24, route_table: {name}}}\n"
    );
    let all = errors(&source);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].message.len() < 400, "message of {} bytes", all[0].message.len());
    assert!(all[0].message.contains('…'));
    let text = Diagnostic::render_all(&all, &source);
    assert!(text.len() < 1200, "rendered {} bytes:\n{text}", text.len());
    assert!(text.lines().all(|l| l.chars().count() < 400), "{text}");
}

#[test]
fn after_200_errors_one_line_counts_the_rest() {
    let vnets: String = (0..300).map(|i| format!("  - {{name: v{i}, address_space: bogus}}\n")).collect();
    let source = format!("vnets:\n{vnets}");
    let all = errors(&source);
    assert_eq!(all.len(), 300);
    let text = Diagnostic::render_all(&all, &source);
    assert_eq!(text.matches(": error: ").count(), MAX_RENDERED);
    assert!(text.ends_with("t.yaml: 100 more errors not shown; fix the ones above first\n"), "{text}");
}

// ---- YAML and scalars ----

#[test]
fn broken_yaml_and_scalars_have_clear_messages() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("vnets:\n  - name: \"\"\n    address_space: 10.0.0.0/16\n", &[("2:11", "VNet name is empty")]),
        ("name: \"abc\nregion: x\n", &[("1:7", "YAML syntax error: the quote `\"` opened here is never closed")]),
        ("name: 'abc\nregion: x\n", &[("1:7", "YAML syntax error: the quote `'` opened here is never closed")]),
        (
            "vnets: [\n  {name: a, address_space: 10.0.0.0/16}\nnsgs: []\n",
            &[("1:8", "YAML syntax error: the list `[` opened here is never closed")],
        ),
        ("vnets: [{name: a\nnsgs: []\n", &[("1:9", "YAML syntax error: unclosed bracket '{'")]),
        (
            "name: !foo bar\nvnets: !!seq []\n",
            &[
                ("1:12", "YAML tags are not supported: remove `!foo`"),
                ("2:14", "YAML tags are not supported: remove `!!seq`"),
            ],
        ),
        (
            "%YAML 1.2\n%TAG !e! tag:example.com,2000:\n---\nname: x\n",
            &[
                ("1:1", "YAML directives are not supported: remove `%YAML`"),
                ("2:1", "YAML directives are not supported: remove `%TAG`"),
            ],
        ),
    ];
    for (source, expected) in cases {
        check(source, expected);
    }
    // Brackets inside plain scalars and apostrophes in text are not openers.
    assert!(load("description: it's a[1] test\nexpect: []\n").is_ok());
}

// ---- what Azure refuses ----

#[test]
fn leading_zero_octets_are_refused_wherever_addresses_are_read() {
    check(
        "
vnets:
  - name: a
    address_space: [010.000.0.0/16]
  - name: b
    address_space: [10.1.0.0/16]
    dns_servers: [10.1.0.04]
    subnets: [{name: s, prefix: 10.1.0.0/24}]
nsgs:
  - name: n
    rules:
      - {name: r, priority: 100, direction: inbound, access: allow, source: 10.01.0.0/16}
endpoints:
  - {name: vm, kind: vm, subnet: b/s}
expect:
  - {from: vm, to: 10.1.0.010, port: 22, outcome: allowed}
",
        &[
            (
                "4:21",
                "address_space: invalid prefix `010.000.0.0/16`: octet `010` has a leading zero, which Azure refuses (did you mean 10.0.0.0/16?)",
            ),
            ("7:19", "dns_servers: invalid IP address `10.1.0.04`: octet `04` has a leading zero"),
            ("12:77", "source: invalid prefix `10.01.0.0/16`: octet `01` has a leading zero"),
            ("16:20", "invalid IP address `10.1.0.010`: octet `010` has a leading zero"),
        ],
    );
}

#[test]
fn reserved_vnet_address_spaces_are_refused() {
    let cases = [
        ("0.0.0.0/0", "a VNet cannot span the whole IPv4 space"),
        ("224.0.0.0/4", "it overlaps 224.0.0.0/4, multicast"),
        ("240.0.0.0/8", "it overlaps 240.0.0.0/4, reserved"),
        ("127.0.0.0/16", "it overlaps 127.0.0.0/8, loopback"),
        ("169.254.0.0/16", "it overlaps 169.254.0.0/16, link-local"),
        ("168.63.0.0/16", "it overlaps 168.63.129.16/32, Azure's platform address"),
        ("fd00::/48", "IPv6 is not modelled yet"),
    ];
    for (space, why) in cases {
        let source = format!("vnets:\n  - name: a\n    address_space: [{space}]\n");
        check(&source, &[("3:21", &format!("address space {space}: {why}"))]);
    }
}

#[test]
fn ipv6_rule_prefixes_next_hops_and_destinations_are_refused() {
    check(
        "
vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s, prefix: 10.0.1.0/24}
nsgs:
  - name: n
    rules:
      - {name: r, priority: 100, direction: inbound, access: allow, source: 'fd00::/64'}
route_tables:
  - name: rt
    routes:
      - {name: r, prefix: 'fd00::/64', next_hop: None}
endpoints:
  - {name: vm, kind: vm, subnet: a/s}
expect:
  - {from: vm, to: 'fd00::5', port: 22, outcome: allowed}
",
        // An IPv6 route prefix stays accepted: R-3 models what a `::/0` UDR leaves alone.
        &[
            ("10:77", "source: `fd00::/64` is an IPv6 prefix: IPv6 is not modelled yet"),
            ("18:20", "`to: fd00::5` is an IPv6 address: IPv6 is not modelled yet"),
        ],
    );
}

const BY_NETWORK: &str = "
vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s, prefix: 10.0.1.0/24, nsg: web-nsg, route_table: rt}
nsgs:
  - name: web-nsg
    rules:
      - {name: deny-ssh, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 22}
route_tables:
  - name: rt
    routes:
      - {name: blackhole, prefix: 10.9.0.0/16, next_hop: None}
endpoints:
  - {name: vm1, kind: vm, subnet: a/s}
  - {name: vm2, kind: vm, subnet: a/s}
expect:
";

#[test]
fn by_naming_no_object_is_a_located_load_time_error() {
    let line = |by: &str| format!("{BY_NETWORK}  - {{from: vm1, to: vm2, port: 22, outcome: denied, by: '{by}'}}\n");
    for by in [
        "web-nsg",
        "web-nsg/deny-ssh",
        "web-nsg/DenyAllInBound",
        "rt/blackhole",
        "a/s",
        "system routes of a/s",
        "a/s/Microsoft.Storage",
        "vm2",
        "azure-platform",
        "public DNS",
        "a",
    ] {
        assert!(load(&line(by)).is_ok(), "`by: {by}` is refused: {:?}", load(&line(by)).err());
    }
    check(&line("web-nsg/deny-sshh"), &[("19:57", "`by: web-nsg/deny-sshh`: NSG `web-nsg` has no rule `deny-sshh`")]);
    assert_eq!(help_of(&line("web-nsg/deny-sshh"), "`by:"), "did you mean `web-nsg/deny-ssh`?");
    check(&line("rt/blackhol"), &[("19:57", "`by: rt/blackhol`: route table `rt` has no rule `blackhol`")]);
    check(&line("web-nzg"), &[("19:57", "`by: web-nzg` names no object of this scenario")]);
    assert_eq!(help_of(&line("web-nzg"), "`by:"), "did you mean `web-nsg`?");
    check(&line("foo/bar"), &[("19:57", "`by: foo/bar` names no object of this scenario")]);
}

// ---- options ----

#[test]
fn the_options_block_sets_the_engines_switches() {
    assert_eq!(load("name: x\n").unwrap().options, Options::default());
    let s = load(
        "options:\n  any_protocol: TCP_UDP_ICMP\n  private_endpoint_tcp_only: false\n  firewall_wildcard_matches_apex: true\n  forwarded_traffic_checks_replies: true\n  admin_rules_judge_replies: true\n  max_hops: 32\n  foreign_region: WestUS\n",
    )
    .unwrap();
    assert_eq!(
        s.options,
        Options {
            any_protocol: AnyProtocol::TcpUdpIcmp,
            max_hops: 32,
            pe_tcp_only: false,
            fw_wildcard_matches_apex: true,
            forwarded_traffic_checks_replies: true,
            admin_rules_judge_replies: true,
            foreign_region: Some("westus".to_string()),
        }
    );
    assert_eq!(load("options:\n  any_protocol: all\n").unwrap().options.any_protocol, AnyProtocol::AllProtocols);
    check(
        "options:\n  any_protocl: all\n  any_protocol: some\n  private_endpoint_tcp_only: yes\n  max_hops: 0\n  foreign_region: west us\n",
        &[
            ("2:3", "unknown key `any_protocl` in options"),
            ("3:17", "invalid any_protocol `some`"),
            ("4:30", "expected true or false for private_endpoint_tcp_only, found `yes`"),
            ("5:13", "max_hops 0 is out of range 1..=255"),
            ("6:19", "invalid region `west us`"),
        ],
    );
}

// ---- managed networks ----

fn managed_workspaces(count: usize) -> String {
    let mut s = String::from("services:\n");
    for i in 0..count {
        s.push_str(&format!(
            "  - name: ws{i}\n    kind: workspace\n    managed_network:\n      isolation_mode: allow_only_approved_outbound\n      outbound_rules:\n        - {{name: pypi, type: fqdn, destination: pypi.org}}\n"
        ));
    }
    s
}

#[test]
fn every_managed_firewall_gets_its_own_public_ip_past_the_51st() {
    let s = load(&managed_workspaces(60)).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(s.firewalls.len(), 60);
    let ips: std::collections::HashSet<IpAddr> =
        s.firewalls.iter().flat_map(|f| f.public_ips.iter().copied()).collect();
    assert_eq!(ips.len(), 60, "public IPs are not distinct");
    assert!(s.firewalls[0].public_ips.contains(&"198.51.100.200".parse().unwrap()));
    assert!(s.firewalls[59].public_ips.contains(&"198.51.100.4".parse().unwrap()));
}

// ---- workspace YAML and library errors ----

#[test]
fn a_hostile_workspace_name_is_one_located_error_in_the_workspace_yaml() {
    let errors = load_workspace_yaml("ws.yaml", "name: \"ws: {x # y\"\nlocation: westus\n").err().expect("refused");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].loc.line, errors[0].loc.column), (1, 7));
    assert!(errors[0].message.starts_with("invalid workspace name `ws: {x # y`"), "{}", errors[0].message);
}

#[test]
fn a_workspace_yaml_alone_is_a_scenario_holding_its_workspace() {
    let ws = load_workspace_yaml(
        "ws.yaml",
        "name: ws-1\nlocation: WestUS\nmanaged_network:\n  isolation_mode: allow_internet_outbound\n",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let s = ws.standalone_scenario(&ServiceTagTable::builtin()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((s.name.as_str(), s.region.as_str()), ("ws-1", "westus"));
    assert_eq!(s.managed_networks.len(), 1);
    assert_eq!(s.services.iter().filter(|x| x.kind == ServiceKind::Workspace).count(), 1);
}

#[test]
fn diagnostics_are_std_errors() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    let d = &errors("vnets: 3\n")[0];
    is_error(d);
    assert_eq!(d.to_string(), "t.yaml:1:8: expected a list of vnets, found a scalar");
}
