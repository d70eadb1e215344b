//! F-8 FQDN tags: an application rule's `fqdn_tags` expand at load into the tag's hosts, so the
//! compiled firewall matches a tag's host like a target FQDN and nothing outside the tag.

use vnetsim_engine::fabric::firewall::FirewallDecision;
use vnetsim_engine::{Fabric, Packet};
use vnetsim_model::{Access, FirewallId, Protocol, RuleKind};
use vnetsim_testkit::{fabric, ip};

/// A hub firewall with one application rule allowing `keys` (the rule's target keys) on Https.
fn firewall(keys: &str) -> Fabric {
    fabric(&format!(
        r#"name: fqdn-tags
region: eastus
vnets:
  - name: hub
    address_space: [10.1.0.0/16]
    subnets: [{{name: AzureFirewallSubnet, prefix: 10.1.0.0/26}}, {{name: apps, prefix: 10.1.1.0/24}}]
endpoints:
  - {{name: vm, kind: vm, subnet: hub/apps}}
firewalls: [{{name: hub-fw, vnet: hub, ip: 10.1.0.4, public_ips: [20.1.0.10], policy: fw-policy}}]
firewall_policies:
  - name: fw-policy
    rule_collection_groups:
      - name: rules
        priority: 100
        rule_collections:
          - {{name: updates, priority: 100, type: application, action: allow, rules: [{{name: wu, source_addresses: ['*'], protocols: [Https], {keys}}}]}}
"#
    ))
}

/// The access of the application rule deciding an Https flow carrying `name`, if one does.
fn access(f: &Fabric, name: &str) -> Option<Access> {
    let packet = Packet {
        protocol: Protocol::Tcp,
        source: ip("10.1.1.4"),
        source_port: 50000,
        destination: ip("198.51.100.7"),
        destination_port: 443,
    };
    match f.firewall(FirewallId(0)).forward(packet, Some(name)).decision {
        FirewallDecision::Rule { pass: RuleKind::Application, access, .. } => Some(access),
        _ => None,
    }
}

/// A rule with only `fqdn_tags: [WindowsUpdate]` allows a WindowsUpdate host and no other name.
/// Without the expansion the rule had no targets and matched nothing (or the file failed to load).
#[test]
fn f8_a_tag_allows_its_hosts_and_nothing_else() {
    let f = firewall("fqdn_tags: [WindowsUpdate]");
    assert_eq!(access(&f, "download.windowsupdate.com"), Some(Access::Allow));
    assert_eq!(access(&f, "fe2.update.microsoft.com"), Some(Access::Allow));
    assert_eq!(access(&f, "pypi.org"), None);
    assert_eq!(access(&f, "windowsupdate.com.evil.example"), None);
}

/// Targets and tags together: both match.
#[test]
fn f8_targets_and_tags_add_up() {
    let f = firewall("target_fqdns: [pypi.org], fqdn_tags: [azurekubernetesservice]");
    assert_eq!(access(&f, "pypi.org"), Some(Access::Allow));
    assert_eq!(access(&f, "mcr.microsoft.com"), Some(Access::Allow));
    assert_eq!(access(&f, "x.hcp.eastus.azmk8s.io"), Some(Access::Allow));
    assert_eq!(access(&f, "download.windowsupdate.com"), None);
}
