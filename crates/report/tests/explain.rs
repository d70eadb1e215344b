//! Steps in words: the report agrees with the engine's typed outcome and cites the rule that
//! decided (F-1, F-3, F-12 for a firewall's steps).

use vnetsim_config::place::{End, parse_destination, parse_place};
use vnetsim_engine::trace::Step;
use vnetsim_engine::{DeciderKind, Fabric, StepKind, StepVerdict};
use vnetsim_model::Protocol;
use vnetsim_report::explain::{StepReport, explain};
use vnetsim_testkit::builtin_fabric as fabric;

/// The reports of a connection's request, from `cpu-cluster` to `to`.
fn request(f: &Fabric, to: &str) -> Vec<(Step, StepReport)> {
    let from = parse_place(&f.scenario, "cpu-cluster", End::Source).expect("a source");
    let to = parse_destination(&f.scenario, to).expect("a destination");
    let c = f.connect(from, &to.destination, Protocol::Tcp, 443, 50000).expect("a connection");
    c.request.steps.iter().map(|s| (*s, explain(f, s))).collect()
}

#[test]
fn every_report_carries_the_engine_outcome() {
    let f = fabric("12-hub-firewall.yaml");
    for (step, report) in request(&f, "https://pypi.org") {
        let o = f.outcome(&step);
        assert_eq!((report.kind, report.at, report.decided_by, report.result), (o.kind, o.at, o.decided_by, o.result));
        assert!(!report.detail.is_empty(), "{step:?}");
    }
}

#[test]
fn firewall_steps_cite_the_processing_order() {
    let f = fabric("12-hub-firewall.yaml");
    let steps = request(&f, "https://pypi.org");
    let (_, allow) = steps.iter().find(|(s, _)| matches!(s, Step::Firewall { .. })).expect("a firewall step");
    assert_eq!(allow.result, StepVerdict::Allow);
    assert_eq!(allow.decided_by.as_ref().map(|d| d.kind), Some(DeciderKind::Firewall));
    assert!(allow.headline.starts_with("firewall hub-fw application rule "), "{}", allow.headline);
    assert!(allow.detail.contains("F-1") && allow.detail.contains("F-3"), "{}", allow.detail);
    let (_, snat) = steps.iter().find(|(_, r)| r.kind == StepKind::Snat).expect("a SNAT step");
    assert!(snat.detail.contains("F-12"), "{}", snat.detail);

    let f = fabric("26-variant-firewall-missing-pypi.yaml");
    let steps = request(&f, "https://pypi.org");
    let (_, deny) = steps.iter().find(|(s, _)| matches!(s, Step::Firewall { .. })).expect("a firewall step");
    assert_eq!((deny.result, deny.headline.as_str()), (StepVerdict::Deny, "firewall hub-fw no rule matched"));
    assert!(deny.detail.contains("F-1") && deny.detail.contains("3 rule collections"), "{}", deny.detail);
}

/// F-8: a rule that matched through an FQDN tag names the tag, not the tag's hosts one by one.
#[test]
fn an_application_rule_names_its_fqdn_tags() {
    use vnetsim_engine::Packet;
    use vnetsim_model::FirewallId;
    let f = vnetsim_testkit::fabric(
        r#"name: fqdn-tags
vnets:
  - name: hub
    address_space: [10.1.0.0/16]
    subnets: [{name: AzureFirewallSubnet, prefix: 10.1.0.0/26}, {name: apps, prefix: 10.1.1.0/24}]
firewalls: [{name: hub-fw, vnet: hub, ip: 10.1.0.4, public_ips: [20.1.0.10], policy: p}]
firewall_policies:
  - name: p
    rule_collection_groups:
      - name: g
        priority: 100
        rule_collections:
          - {name: c, priority: 100, type: application, action: allow, rules: [{name: wu, source_addresses: ['*'], protocols: [Https], target_fqdns: [pypi.org], fqdn_tags: [WindowsUpdate]}]}
"#,
    );
    let packet = Packet {
        protocol: Protocol::Tcp,
        source: "10.1.1.4".parse().unwrap(),
        source_port: 50000,
        destination: "198.51.100.7".parse().unwrap(),
        destination_port: 443,
    };
    let decision = f.firewall(FirewallId(0)).forward(packet, Some("download.windowsupdate.com")).decision;
    let report = explain(&f, &Step::Firewall { firewall: FirewallId(0), decision });
    assert_eq!(report.result, StepVerdict::Allow);
    assert!(report.detail.contains("Https:443 to pypi.org,FQDN tag WindowsUpdate"), "{}", report.detail);
    assert!(!report.detail.contains("windowsupdate.com"), "{}", report.detail);
}
