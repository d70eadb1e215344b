//! Scenario files with network devices: IP groups, Azure Firewall policies and firewalls
//! (F-1..F-16), NAT gateways (O-2), load balancers (O-1), stateful NVAs (F-15), Azure ML computes
//! with a public IP and Bastion (H-4).
//!
//! Broken fixtures (`tests/fixtures/broken/`, one problem each) run through `vnetsim check`;
//! `tests/fixtures/devices.yaml` uses every key and is loaded with `vnetsim_config::load_scenario`
//! to check the model it becomes. Smaller cases load inline YAML.

use vnetsim_model::firewall::iana_private_ranges;
use vnetsim_model::*;
use vnetsim_testkit::cli::{assert_one_error, vnetsim};
use vnetsim_testkit::real_configs;

const DEVICES: &str = "tests/fixtures/devices.yaml";

fn load(file: &str, source: &str) -> Result<Scenario, Vec<vnetsim_config::Diagnostic>> {
    vnetsim_config::load_scenario(file, source, &ServiceTagTable::builtin())
}

fn devices() -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DEVICES);
    let source = std::fs::read_to_string(&path).expect("devices fixture");
    load(DEVICES, &source).unwrap_or_else(|d| panic!("{DEVICES} does not load: {d:#?}"))
}

/// `line:col: message (help)` of every diagnostic of an inline scenario that must not load.
fn errors(source: &str) -> Vec<String> {
    match load("inline.yaml", source) {
        Ok(_) => panic!("the scenario loaded:\n{source}"),
        Err(d) => d
            .iter()
            .map(|d| {
                let help = d.help.as_ref().map(|h| format!(" ({h})")).unwrap_or_default();
                format!("{}:{}: {}{help}", d.loc.line, d.loc.column, d.message)
            })
            .collect(),
    }
}

/// The one diagnostic of an inline scenario.
fn one_error(source: &str) -> String {
    let list = errors(source);
    assert_eq!(list.len(), 1, "expected one error, got {list:#?}");
    list.into_iter().next().unwrap()
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn endpoint<'a>(s: &'a Scenario, name: &str) -> (EndpointId, &'a Endpoint) {
    let i = s.endpoints.iter().position(|e| e.name == name).unwrap_or_else(|| panic!("no endpoint `{name}`"));
    (EndpointId::from_index(i), &s.endpoints[i])
}

fn subnet(s: &Scenario, path: &str) -> SubnetId {
    let i = (0..s.subnets.len()).find(|&i| s.subnet_path(SubnetId::from_index(i)) == path).expect("subnet");
    SubnetId::from_index(i)
}

fn nsg_named(s: &Scenario, name: &str) -> NsgId {
    NsgId::from_index(s.nsgs.iter().position(|n| n.name == name).unwrap_or_else(|| panic!("no NSG `{name}`")))
}

// ---------------------------------------------------------------------------------------------
// Broken fixtures

#[test]
fn f7_fqdn_in_a_network_rule_needs_dns_proxy() {
    assert_one_error(
        "fw-fqdn-without-dns-proxy.yaml",
        "16:37",
        "network rule `login` names FQDNs but policy `egress` does not enable dns_proxy: FQDNs in network rules need DNS proxy (F-7)",
    );
}

#[test]
fn f7_network_rule_fqdns_take_no_wildcard() {
    assert_one_error(
        "fw-network-fqdn-wildcard.yaml",
        "17:37",
        "`*.microsoftonline.com`: network rules take no wildcard FQDNs (F-7)",
    );
}

#[test]
fn f9_application_targets_take_star_only_leading() {
    let stderr = assert_one_error(
        "fw-app-wildcard-in-label.yaml",
        "16:42",
        "invalid target FQDN `foo*.com`: `*` may only lead the pattern",
    );
    assert!(stderr.contains("= help: F-9:"), "{stderr}");
    assert_one_error(
        "fw-app-wildcard-inner-label.yaml",
        "16:42",
        "invalid target FQDN `a.*.com`: `*` may only lead the pattern",
    );
}

#[test]
fn unknown_ip_group_suggests_the_close_name() {
    let stderr = assert_one_error("fw-unknown-ip-group.yaml", "17:36", "unknown IP group `spoke`");
    assert!(stderr.contains("= help: did you mean `spokes`?"), "{stderr}");
}

#[test]
fn firewall_needs_an_azure_firewall_subnet() {
    assert_one_error("fw-no-firewall-subnet.yaml", "10:11", "VNet `hub` has no subnet named AzureFirewallSubnet");
}

#[test]
fn azure_firewall_subnet_takes_no_nsg() {
    assert_one_error("fw-subnet-nsg.yaml", "10:14", "subnet `hub/AzureFirewallSubnet` cannot have an NSG");
}

#[test]
fn o2_nat_gateway_is_never_on_gateway_subnet() {
    assert_one_error("nat-on-gateway-subnet.yaml", "8:22", "a NAT gateway cannot be attached to GatewaySubnet (O-2)");
}

#[test]
fn o2_nat_gateway_stays_within_one_vnet() {
    assert_one_error(
        "nat-two-vnets.yaml",
        "14:22",
        "NAT gateway `nat` already serves subnets of VNet `a`; O-2 keeps a NAT gateway within one VNet",
    );
}

#[test]
fn f5_dnat_destination_is_a_public_ip_of_the_firewall() {
    assert_one_error(
        "fw-dnat-not-public-ip.yaml",
        "21:38",
        "DNAT rule `ssh-jump` matches 20.0.0.99, which is not a public IP of firewall `hub-fw` (F-5)",
    );
}

#[test]
fn firewall_and_nat_gateway_cannot_share_a_public_ip() {
    assert_one_error("fw-public-ip-taken-by-nat.yaml", "14:18", "public IP 20.0.0.10 is already assigned to `nat`");
}

#[test]
fn f2_rule_collection_priority_is_100_to_65000() {
    assert_one_error(
        "fw-collection-priority.yaml",
        "9:23",
        "rule collection priority 70000 is out of range 100..=65000 (F-2)",
    );
}

#[test]
fn f15_only_nvas_are_stateful() {
    assert_one_error("stateful-vm.yaml", "12:15", "`stateful` applies to nva endpoints, not vm (F-15)");
}

#[test]
fn a2_node_public_ip_is_for_aml_compute() {
    assert_one_error(
        "node-public-ip-vm.yaml",
        "12:21",
        "`node_public_ip` applies to compute_instance and compute_cluster, not vm (A-2)",
    );
}

#[test]
fn h4_bastion_lives_in_azure_bastion_subnet() {
    assert_one_error(
        "bastion-outside-its-subnet.yaml",
        "11:13",
        "bastion `jump` must be in a subnet named AzureBastionSubnet, not `hub/bastion` (H-4)",
    );
}

#[test]
fn f3_policy_parent_cycle_is_reported_once() {
    assert_one_error(
        "fw-policy-parent-cycle.yaml",
        "4:13",
        "firewall policy `base` is its own ancestor: base -> team -> base (F-3)",
    );
}

#[test]
fn internal_load_balancer_frontend_is_in_its_subnet() {
    assert_one_error(
        "internal-lb-outside-subnet.yaml",
        "14:18",
        "IP 10.1.5.10 is outside subnet `spoke/aks` (10.1.0.0/24)",
    );
}

// ---------------------------------------------------------------------------------------------
// The model of the good fixture

#[test]
fn devices_fixture_checks() {
    let (code, stdout, stderr) = vnetsim(&["check", DEVICES]);
    assert_eq!(code, 0, "stderr:\n{stderr}");
    assert!(stdout.starts_with(&format!("{DEVICES}: ok:")), "{stdout}");
}

#[test]
fn f3_parent_groups_come_first_marked_inherited() {
    let s = devices();
    let fw = &s.firewalls[0];
    assert_eq!(fw.name, "hub-fw");
    assert_eq!(fw.policy.name, "hub-policy");
    let groups: Vec<(&str, u16, bool)> =
        fw.policy.groups.iter().map(|g| (g.name.as_str(), g.priority, g.inherited())).collect();
    assert_eq!(
        groups,
        [
            ("base-rules", 100, true),
            ("DefaultNetworkRuleCollectionGroup", 200, false),
            ("DefaultApplicationRuleCollectionGroup", 300, false),
            ("DefaultDnatRuleCollectionGroup", 100, false),
        ]
    );
    let deny = &fw.policy.groups[0].collections[0];
    assert_eq!((deny.name.as_str(), deny.kind, deny.action), ("deny-smb", RuleKind::Network, Access::Deny));
    assert!(fw.policy.dns_proxy);
    assert_eq!(fw.policy.dns_servers, [ip("10.0.0.4")]);
}

#[test]
fn f12_iana_private_ranges_expand_and_a_custom_list_replaces_them() {
    let s = devices();
    let mut expected = iana_private_ranges();
    expected.push(net("203.0.113.0/24"));
    assert_eq!(s.firewalls[0].policy.snat_private_ranges, expected);
    // F-1: a firewall without a policy denies everything; its SNAT ranges are the defaults.
    let edge = &s.firewalls[1];
    assert_eq!(edge.name, "edge-fw");
    assert_eq!(edge.policy.name, "");
    assert!(edge.policy.groups.is_empty() && !edge.policy.dns_proxy);
    assert_eq!(edge.policy.snat_private_ranges, iana_private_ranges());
    let custom = one_error(
        "
firewall_policies:
  - name: p
    snat_private_ranges: [192.168.0.0/16, iana]
",
    );
    assert_eq!(
        custom,
        "4:43: invalid snat_private_ranges entry `iana` (expected prefixes or IANAPrivateRanges (F-12))"
    );
}

#[test]
fn f6_network_rules_expand_ip_groups_and_resolve_tags() {
    let s = devices();
    let allow = &s.firewalls[0].policy.groups[1].collections[0];
    assert_eq!((allow.kind, allow.action), (RuleKind::Network, Access::Allow));
    let rule = &allow.rules[0];
    assert_eq!(rule.name, "aml-tags");
    assert_eq!(
        rule.sources,
        [
            FirewallAddress::Any,
            FirewallAddress::Prefix(net("10.1.0.0/16")),
            FirewallAddress::Prefix(net("10.2.0.0/16"))
        ]
    );
    let RuleMatch::Network { protocols, destinations, ports } = &rule.matcher else { panic!("{:?}", rule.matcher) };
    assert_eq!(protocols, &[Protocol::Tcp, Protocol::Udp]);
    assert_eq!(
        destinations,
        &[
            FirewallAddress::ServiceTag("AzureMachineLearning".into()),
            FirewallAddress::Prefix(net("20.1.2.3/32")),
            FirewallAddress::Any,
            FirewallAddress::Fqdn("login.microsoftonline.com".into()),
        ]
    );
    assert!(ports.contains(443) && ports.contains(8787) && ports.contains(8005) && !ports.contains(80));
    let RuleMatch::Network { protocols, destinations, ports } = &allow.rules[1].matcher else { panic!() };
    assert!(protocols.is_empty(), "`any` is every protocol (F-6)");
    assert_eq!(destinations.len(), 2);
    assert!(ports.is_any(), "destination_ports defaults to *");
}

#[test]
fn f8_application_protocols_take_default_ports() {
    let s = devices();
    let app = &s.firewalls[0].policy.groups[2].collections[0];
    assert_eq!((app.kind, app.priority), (RuleKind::Application, 200));
    let RuleMatch::Application { protocols, target_fqdns, .. } = &app.rules[0].matcher else { panic!() };
    let written: Vec<String> = protocols.iter().map(ToString::to_string).collect();
    assert_eq!(written, ["Https:443", "Http:8080", "Mssql:1433"]);
    assert_eq!(target_fqdns, &["pypi.org", "*.pythonhosted.org", "*"]);
}

#[test]
fn f5_dnat_rules_allow_and_translate() {
    let s = devices();
    let dnat = &s.firewalls[0].policy.groups[3].collections[0];
    assert_eq!((dnat.kind, dnat.action), (RuleKind::Dnat, Access::Allow));
    let RuleMatch::Dnat { protocols, destination, port, translated, translated_port } = &dnat.rules[0].matcher else {
        panic!()
    };
    assert_eq!(protocols, &[Protocol::Tcp]);
    assert_eq!((*destination, *port, *translated, *translated_port), (ip("20.0.0.10"), 2222, ip("10.1.0.4"), 22));
}

#[test]
fn firewall_is_a_stateful_forwarding_nic_in_its_subnet() {
    let s = devices();
    let fw = &s.firewalls[0];
    let (id, e) = endpoint(&s, "hub-fw");
    assert_eq!((fw.endpoint, e.kind, e.stateful), (id, EndpointKind::Firewall, true));
    let nic = s.nic(fw.nic);
    assert!(nic.ip_forwarding);
    assert_eq!(nic.subnet, subnet(&s, "hub/AzureFirewallSubnet"));
    assert_eq!(nic.private_ip, ip("10.0.1.4"), "allocated like a gateway");
    assert_eq!(fw.public_ips, [ip("20.0.0.10"), ip("20.0.0.11")]);
    assert_eq!(s.nic(s.firewalls[1].nic).private_ip, ip("10.9.1.10"));
}

#[test]
fn o2_nat_gateways_know_their_subnets() {
    let s = devices();
    let names: Vec<&str> = s.nat_gateways.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["nat", "fw-nat", "unused-nat"]);
    assert_eq!(s.nat_gateways[0].subnets, [subnet(&s, "spoke/aks"), subnet(&s, "spoke/ml")]);
    assert_eq!(s.nat_gateways[1].subnets, [subnet(&s, "hub/AzureFirewallSubnet")]);
    assert!(s.nat_gateways[2].subnets.is_empty());
    assert_eq!(s.nat_gateways[2].public_ips, [ip("20.0.0.21"), ip("20.0.0.22")]);
    assert_eq!(s.subnet(subnet(&s, "spoke/ml")).nat_gateway, Some(NatGatewayId::from_index(0)));
    assert_eq!(s.subnet(subnet(&s, "hub/nva")).nat_gateway, None);
}

#[test]
fn load_balancers_public_and_internal() {
    let s = devices();
    let (pool, _) = endpoint(&s, "aks-pool");
    let web = s.load_balancers.iter().find(|l| l.name == "web-lb").unwrap();
    assert!(web.is_public() && web.outbound_snat && !web.aml_managed);
    assert_eq!((web.frontend, web.backends.as_slice()), (ip("20.0.0.30"), &[pool][..]));
    assert_eq!(web.rule_for(Protocol::Tcp, 443).map(|r| web.rules[r].backend_port), Some(8443));
    assert_eq!(web.rule_for(Protocol::Udp, 53).map(|r| web.rules[r].name.as_str()), Some("dns"));
    let internal = s.load_balancers.iter().find(|l| l.name == "internal-lb").unwrap();
    assert_eq!((internal.subnet, internal.frontend), (Some(subnet(&s, "spoke/aks")), ip("10.1.0.4")));
    assert!(!internal.outbound_snat);
    // The frontend is taken: the pool's nodes get the next addresses.
    let pool_ips: Vec<IpAddr> = s.endpoint(pool).nics.iter().map(|n| s.nic(*n).private_ip).collect();
    assert_eq!(pool_ips, [ip("10.1.0.5"), ip("10.1.0.6")]);
}

#[test]
fn a2_node_public_ip_creates_the_aml_load_balancer_and_nsg() {
    let s = devices();
    let (ci, _) = endpoint(&s, "ci");
    let lb = s.load_balancers.iter().find(|l| l.name == "ci-lb").expect("ci-lb");
    assert!(lb.aml_managed && lb.outbound_snat && lb.is_public());
    assert_eq!((lb.frontend, lb.backends.as_slice()), (ip("52.1.2.3"), &[ci][..]));
    let rules: Vec<(&str, Protocol, u16, u16)> =
        lb.rules.iter().map(|r| (r.name.as_str(), r.protocol, r.frontend_port, r.backend_port)).collect();
    assert_eq!(rules, [("AzureMachineLearning", Protocol::Tcp, 44224, 44224)]);

    let nsg = nsg_named(&s, "ci-aml-nsg");
    let rules = &s.nsgs[nsg.index()].rules;
    assert_eq!(rules.len(), 7, "the AML rule and the six defaults");
    let aml = &rules[0];
    assert_eq!((aml.name.as_str(), aml.priority, aml.direction), ("AzureMachineLearning", 1000, Direction::Inbound));
    assert_eq!((aml.access, aml.protocol), (Access::Allow, ProtocolMatch::One(Protocol::Tcp)));
    assert_eq!(aml.source, AddressMatch::ServiceTag("AzureMachineLearning".into()));
    assert_eq!(aml.destination, AddressMatch::ServiceTag("VirtualNetwork".into()));
    assert!(aml.source_ports.is_any() && aml.destination_ports.to_string() == "44224" && !aml.is_default);
    assert!(rules[1..].iter().all(|r| r.is_default));
    for nic in &s.endpoint(ci).nics {
        assert_eq!(s.nic(*nic).nsg, Some(nsg));
        assert_eq!(s.nic(*nic).public_ip, None, "the public IP is the load balancer's");
    }

    // A cluster's NICs with an NSG of their own keep it.
    let (cluster, e) = endpoint(&s, "cluster");
    let lb = s.load_balancers.iter().find(|l| l.name == "cluster-lb").expect("cluster-lb");
    assert_eq!((lb.frontend, lb.backends.as_slice()), (ip("52.1.2.4"), &[cluster][..]));
    let (own, aml) = (nsg_named(&s, "own-nsg"), nsg_named(&s, "cluster-aml-nsg"));
    let nsgs: Vec<Option<NsgId>> = e.nics.iter().map(|n| s.nic(*n).nsg).collect();
    assert_eq!(nsgs, [Some(own), Some(aml), Some(own), Some(aml)]);
}

#[test]
fn stateful_nva_and_bastion() {
    let s = devices();
    let (_, router) = endpoint(&s, "router");
    assert!(router.stateful && s.nic(router.nics[0]).ip_forwarding);
    assert!(!endpoint(&s, "aks-pool").1.stateful);
    assert_eq!(endpoint(&s, "jump").1.kind, EndpointKind::Bastion);
}

// ---------------------------------------------------------------------------------------------
// More validation, inline

const HUB: &str = "
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - name: AzureFirewallSubnet
        prefix: 10.0.1.0/26
      - name: AzureBastionSubnet
        prefix: 10.0.2.0/26
      - name: work
        prefix: 10.0.3.0/24
";

#[test]
fn f6_contextual_tags_are_not_firewall_destinations() {
    let e = one_error(
        "
firewall_policies:
  - name: p
    rule_collection_groups:
      - name: g
        priority: 100
        rule_collections:
          - name: c
            priority: 100
            type: network
            action: allow
            rules:
              - {name: r, source_addresses: ['*'], destination_addresses: [virtualnetwork]}
",
    );
    assert!(e.starts_with("13:76: service tag `VirtualNetwork` is not valid in firewall rules"), "{e}");
}

#[test]
fn f7_a_child_without_dns_proxy_cannot_inherit_fqdn_network_rules() {
    let e = one_error(
        "
firewall_policies:
  - name: child
    parent: base
  - name: base
    dns_proxy: true
    rule_collection_groups:
      - name: g
        priority: 100
        rule_collections:
          - name: c
            priority: 100
            type: network
            action: allow
            rules:
              - {name: r, source_addresses: ['*'], destination_fqdns: [example.com]}
",
    );
    assert!(e.starts_with("4:13: firewall policy `child` inherits network rules with FQDNs from `base`"), "{e}");
}

#[test]
fn f3_unknown_parent_and_dnat_actions() {
    let e = errors(
        "
firewall_policies:
  - name: base
  - name: child
    parent: bsae
    rule_collection_groups:
      - name: g
        priority: 100
        rule_collections:
          - {name: c, priority: 100, type: dnat, action: allow}
          - {name: d, priority: 200, type: network, action: dnat}
          - {name: e, priority: 200, type: network, action: allow}
",
    );
    assert_eq!(
        e,
        [
            "5:13: unknown firewall policy `bsae` (did you mean `base`?)",
            "10:58: a DNAT collection has no allow or deny: leave `action` out or write `dnat` (F-5)",
            "11:61: `dnat` is the action of DNAT collections; a network collection allows or denies (F-2)",
            "12:33: duplicate priority 200 for rule collections in group `g` (also used by `d`): F-2 requires unique priorities",
        ]
    );
}

#[test]
fn o2_a_nat_gateway_has_1_to_16_public_ips() {
    let ips: Vec<String> = (1..=17).map(|i| format!("20.0.0.{i}")).collect();
    let e = one_error(&format!("nat_gateways:\n  - name: nat\n    public_ips: [{}]\n", ips.join(", ")));
    assert_eq!(e, "3:17: NAT gateway `nat` has 17 public IPs: O-2 allows 1 to 16");
}

#[test]
fn special_subnets_take_only_their_device() {
    let e = errors(&format!(
        "{HUB}
endpoints:
  - {{name: vm1, kind: vm, subnet: hub/AzureBastionSubnet}}
  - {{name: vm2, kind: nva, subnet: hub/AzureFirewallSubnet}}
"
    ));
    assert_eq!(
        e,
        [
            "14:35: only bastion endpoints may be in AzureBastionSubnet; `vm1` is a vm (H-4)",
            "15:36: only an Azure Firewall may be in AzureFirewallSubnet; declare it under `firewalls:`, not as a nva",
        ]
    );
}

#[test]
fn load_balancer_checks() {
    let e = errors(&format!(
        "{HUB}
endpoints:
  - {{name: vm1, kind: vm, subnet: hub/work}}
firewalls:
  - {{name: fw, vnet: hub}}
load_balancers:
  - name: ilb
    frontend_ip: 10.0.3.4
    subnet: hub/work
    backends: [vm1, fw]
    outbound_snat: true
    rules:
      - {{name: a, protocol: tcp, frontend_port: 80, backend_port: 80}}
      - {{name: b, protocol: tcp, frontend_port: 80, backend_port: 8080}}
"
    ));
    assert_eq!(
        e,
        [
            "21:21: `fw` is a firewall: load balancer backends are machines",
            "22:20: `outbound_snat` applies to public load balancers; `ilb` is internal (O-1)",
            "25:49: load balancer `ilb` already forwards tcp port 80 (rule `a`)",
        ]
    );
}

#[test]
fn firewall_names_are_endpoint_names() {
    let e = errors(&format!(
        "{HUB}
endpoints:
  - {{name: fw, kind: vm, subnet: hub/work}}
services:
  - {{name: st, kind: storage_account}}
firewalls:
  - {{name: fw, vnet: hub}}
  - {{name: st, vnet: hub}}
"
    ));
    assert_eq!(
        e,
        [
            "18:12: duplicate endpoint name `fw`",
            "19:12: firewall name `st` is also a service name; `from`/`to` could not tell them apart",
        ]
    );
}

#[test]
fn a2_compute_with_both_public_ips_is_refused_but_a_nic_public_ip_alone_is_accepted() {
    // Built-in scenario 09 gives a compute instance a NIC public IP; that stays valid.
    let ok =
        format!("{HUB}\nendpoints:\n  - {{name: ci, kind: compute_instance, subnet: hub/work, public_ip: 20.0.0.5}}\n");
    load("inline.yaml", &ok).unwrap_or_else(|d| panic!("{d:#?}"));
    let e = one_error(&format!(
        "{HUB}\nendpoints:\n  - {{name: ci, kind: compute_instance, subnet: hub/work, public_ip: 20.0.0.5, node_public_ip: 20.0.0.6}}\n"
    ));
    assert!(e.starts_with("14:69: compute `ci` has both node_public_ip and a NIC public_ip"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Workspace YAML (`--workspace-yaml`, A-14..A-16) with the AML samples from the shared real configs
// ---------------------------------------------------------------------------------------------

const HOST: &str = "tests/fixtures/managed/host.yaml";

/// The path of a sample from the shared real configs' `managed-vnet/` (tests using them first
/// check `real_configs::available()`, and are skipped without them).
fn real_config(name: &str) -> String {
    real_configs::path(&format!("managed-vnet/{name}")).display().to_string()
}

const AZUREML_EXAMPLES: &str = "azureml-examples_mvnet-allow-only-approved-outbound.yml";
const SDK_SAMPLE: &str = "azure-sdk-for-python_workspace_many_ob_rules.yaml";

/// Traces from the managed compute of the host scenario; returns whether the connection works,
/// and the trace.
fn trace_with(sample: &str, to: &str) -> (bool, String) {
    let yaml = real_config(sample);
    let (code, stdout, stderr) = vnetsim(&["trace", HOST, "--workspace-yaml", &yaml, "--from", "ci", "--to", to]);
    assert_eq!(code, 0, "trace failed:\n{stderr}");
    let header = stdout.lines().next().unwrap_or_default();
    (header.ends_with(": ALLOWED"), stdout)
}

#[test]
fn a14_both_sample_workspace_yamls_load_on_their_own() {
    if !real_configs::available() {
        return;
    }
    for (sample, workspace, fqdn) in
        [(AZUREML_EXAMPLES, "myworkspace_dep", "test2.com"), (SDK_SAMPLE, "unittest_test_mvnet", "microsoft.com")]
    {
        let yaml = real_config(sample);
        let (code, stdout, stderr) = vnetsim(&["check", "--workspace-yaml", &yaml]);
        assert_eq!(code, 0, "check --workspace-yaml {sample}:\n{stderr}");
        assert!(stdout.contains(&format!("managed network of {workspace} (allow_only_approved_outbound)")), "{stdout}");
        assert!(stdout.contains("fqdn ") && stdout.contains(&format!("{fqdn} on ports 80 and 443")), "{stdout}");
        // Azure adds the workspace's own private endpoint and the required tags.
        assert!(stdout.contains("(added by Azure): AzureMachineLearning udp/5831"), "{stdout}");
    }
}

#[test]
fn a15_rules_of_unknown_resources_and_tags_open_nothing_and_say_why() {
    if !real_configs::available() {
        return;
    }
    let (code, stdout, _) = vnetsim(&["check", "--workspace-yaml", &real_config(AZUREML_EXAMPLES)]);
    assert_eq!(code, 0);
    // DataFactory is in the built-in table since issue 19 (every documented tag name).
    assert!(stdout.contains("service_tag added-servicetagrule (written): DataFactory tcp/80,8080\n"), "{stdout}");
    assert!(stdout.contains("storageAccounts/MyAccount2 blob -- opens nothing:"), "{stdout}");
    // A tag no table has opens nothing: the same file naming one.
    let dir = std::env::temp_dir().join(format!("vnetsim-a15-unknown-tag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join("workspace.yml");
    let text = std::fs::read_to_string(real_config(AZUREML_EXAMPLES)).expect("the sample");
    assert!(text.contains("DataFactory"), "the sample names DataFactory");
    std::fs::write(&file, text.replace("DataFactory", "NoSuchServiceTag")).expect("write the copy");
    let (code, stdout, _) = vnetsim(&["check", "--workspace-yaml", file.to_str().expect("a UTF-8 temp path")]);
    std::fs::remove_dir_all(&dir).expect("remove the temp dir");
    assert_eq!(code, 0);
    assert!(
        stdout.contains(
            "NoSuchServiceTag tcp/80,8080 -- opens nothing: service tag `NoSuchServiceTag` is not in the tag table"
        ),
        "{stdout}"
    );
    // Written prefixes stand in for an unknown tag.
    let (_, stdout, _) = vnetsim(&["check", "--workspace-yaml", &real_config(SDK_SAMPLE)]);
    assert!(stdout.contains("service_tag servicetag-w-prefixes (written): sometag tcp/80,8080-8089\n"), "{stdout}");
}

#[test]
fn a15_the_azureml_examples_fqdn_rule_allows_its_host_and_nothing_else() {
    if !real_configs::available() {
        return;
    }
    let (allowed, out) = trace_with(AZUREML_EXAMPLES, "https://test2.com");
    assert!(allowed, "{out}");
    assert!(
        out.contains("firewall ws-managed-fw application rule managed-outbound-rules/fqdn-rules/test2.com allow"),
        "{out}"
    );
    let (allowed, out) = trace_with(AZUREML_EXAMPLES, "https://example.org");
    assert!(!allowed, "{out}");
    assert!(out.contains("firewall ws-managed-fw no rule matched"), "{out}");
    // FQDN rules only on 80 and 443; the managed NSG denies other ports.
    let (allowed, out) = trace_with(AZUREML_EXAMPLES, "test2.com:8443");
    assert!(!allowed, "{out}");
    assert!(out.contains("nsg ws-managed-outbound rule deny-all-outbound"), "{out}");
}

#[test]
fn a15_the_sdk_sample_fqdn_rule_allows_microsoft_com_only() {
    if !real_configs::available() {
        return;
    }
    let (allowed, out) = trace_with(SDK_SAMPLE, "http://microsoft.com");
    assert!(allowed, "{out}");
    let (allowed, out) = trace_with(SDK_SAMPLE, "https://test2.com");
    assert!(!allowed, "{out}");
    assert!(out.contains("no rule matched"), "{out}");
}

#[test]
fn workspace_yaml_conflicting_with_an_embedded_block_is_an_error() {
    if !real_configs::available() {
        return;
    }
    let yaml = real_config(SDK_SAMPLE);
    let (code, _, stderr) =
        vnetsim(&["check", "scenarios/16-managed-vnet-approved-outbound.yaml", "--workspace-yaml", &yaml]);
    assert_eq!(code, 2);
    assert!(stderr.contains("error: workspace `ws-aoao` already has a managed_network"), "{stderr}");
}

#[test]
fn a11_online_deployments_live_in_a_managed_vnet() {
    assert_one_error(
        "online-deployment-outside-managed-vnet.yaml",
        "9:5",
        "online deployment `scorer` is in subnet `spoke/ml`, not in a workspace managed VNet",
    );
}

#[test]
fn a15_storage_is_never_opened_by_an_fqdn_rule() {
    assert_one_error(
        "managed-storage-fqdn-rule.yaml",
        "10:24",
        "outbound rule `any-blob` opens Azure Storage host `attacker.blob.core.windows.net` through an FQDN rule",
    );
}

#[test]
fn a15_service_tag_rules_need_approved_outbound_mode() {
    assert_one_error(
        "managed-tag-rule-internet-outbound.yaml",
        "8:11",
        "outbound rule `data-factory`: service tag and FQDN rules are valid only in allow_only_approved_outbound",
    );
}

#[test]
fn h3_a_udr_cannot_point_at_an_expressroute_gateway() {
    assert_one_error(
        "udr-to-expressroute-gateway.yaml",
        "16:19",
        "route `to-on-premises` has next hop VirtualNetworkGateway, but the VNet's gateway is ExpressRoute",
    );
}

/// Request and reply sections of a human trace.
fn request_and_reply(trace: &str) -> (&str, &str) {
    let request = trace.find("\nrequest: ").expect("a request section");
    let reply = trace.find("\nreply: ").expect("a reply section");
    (&trace[request..reply], &trace[reply..])
}

#[test]
fn f2_f12_f13_a_trace_through_the_firewall_names_the_rule_the_snat_and_the_session() {
    let (code, out, err) =
        vnetsim(&["trace", "scenarios/12-hub-firewall.yaml", "--from", "cpu-cluster", "--to", "https://pypi.org"]);
    assert_eq!(code, 0, "{err}");
    let (request, reply) = request_and_reply(&out);
    // F-2: group, collection and rule.
    assert!(
        request.contains(
            "firewall hub-fw application rule DefaultApplicationRuleCollectionGroup/python-packages/pypi allow"
        ),
        "{out}"
    );
    // F-12: application rules SNAT to the private IP; the internet sees the public IP.
    assert!(request.contains("source 10.101.1.4 translated to 10.100.0.4"), "{out}");
    assert!(request.contains("leaves for the internet from firewall public IP 20.100.0.10"), "{out}");
    assert!(reply.starts_with("\nreply: tcp 203.0.113.20:443 -> 20.100.0.10:50000"), "{out}");
    // F-13: the reply matches the session and goes back to the original source.
    assert!(reply.contains("the reply matches the session the request opened"), "{out}");
    assert!(reply.contains("it goes on to 10.101.1.4"), "{out}");
    assert!(out.ends_with("  => delivered\n"), "{out}");
}

#[test]
fn f15_a6_the_asymmetric_public_ip_compute_is_dropped_at_the_firewall_and_the_fix_works() {
    let trace = |to: &str| {
        let (code, out, err) = vnetsim(&[
            "trace",
            "scenarios/13-public-ip-compute-forced-tunnel.yaml",
            "--from",
            "azureml-service",
            "--to",
            to,
            "--port",
            "44224",
        ]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let out = trace("cpu-forced");
    let (request, reply) = request_and_reply(&out);
    // The request's path: in through the AML load balancer, delivered to the node.
    assert!(request.contains("load_balancer    [frontend 20.110.1.10]"), "{out}");
    assert!(request.contains("=> delivered"), "{out}");
    // The reply's path: the 0.0.0.0/0 UDR to the firewall, which never saw the request.
    assert!(reply.contains("route_table forced-rt / default-via-firewall"), "{out}");
    assert!(reply.contains("DROP    asymmetric       [ml-fw 10.110.0.4]"), "{out}");
    assert!(
        reply.contains("which never saw the request (it came in from the internet on public IP 20.110.1.10)"),
        "{out}"
    );
    assert!(out.ends_with("  => asymmetric_drop\n"), "{out}");
    let out = trace("cpu-fixed");
    let (_, reply) = request_and_reply(&out);
    assert!(reply.contains("route_table fixed-rt / aml-direct"), "{out}");
    assert!(reply.contains("the reply leaves from public IP 20.110.2.10"), "{out}");
    assert!(out.ends_with("  => delivered\n"), "{out}");
}
