//! F-9's field note: Azure accepts a target FQDN with a leading `*` and no dot (`*pytorch.org`,
//! deployed by a Microsoft Azure ML Terraform quickstart), and it matches every name ending in
//! the rest: `pytorch.org`, `download.pytorch.org`, and `evilpytorch.org`, which anyone can
//! register. The old reading refused the file; these tests load such rules and check the
//! compiled firewall's first match (its name index offers suffix lists) against the naive
//! evaluator, in F-3 order. Also F-8 FQDN tags, which load as target FQDNs of the same index.

#[allow(dead_code)]
#[path = "support/naive_firewall.rs"]
mod naive_firewall;

use naive_firewall::Naive;
use std::collections::HashMap;
use vnetsim_engine::fabric::firewall::FirewallDecision;
use vnetsim_engine::{Fabric, Packet};
use vnetsim_model::{Access, FirewallId, Protocol, RuleKind};
use vnetsim_testkit::{fabric, ip};

/// A hub firewall whose policy lists `collections` (YAML, one application collection per entry).
fn firewall(collections: &str) -> Fabric {
    fabric(&format!(
        r#"name: f9-suffix
region: eastus
vnets:
  - name: hub
    address_space: [10.1.0.0/16]
    subnets: [{{name: AzureFirewallSubnet, prefix: 10.1.0.0/26}}, {{name: apps, prefix: 10.1.1.0/24}}]
endpoints:
  - {{name: vm, kind: vm, subnet: hub/apps}}
firewalls: [{{name: hub-fw, vnet: hub, ip: 10.1.0.4, public_ips: [20.1.0.10], policy: fw-policy}}]
firewall_policies:
  - {{name: fw-policy, rule_collection_groups: [{{name: rules, priority: 100, rule_collections: [{collections}]}}]}}
"#
    ))
}

/// An application collection of one rule allowing or denying `targets` on Https:443, as an
/// entry of a flow sequence.
fn collection(name: &str, priority: u32, action: &str, targets: &str) -> String {
    collection_of(name, priority, action, &format!("target_fqdns: [{targets}]"))
}

/// [`collection`] with the rule's target keys written out (`target_fqdns`, `fqdn_tags`).
fn collection_of(name: &str, priority: u32, action: &str, keys: &str) -> String {
    format!(
        "{{name: {name}, priority: {priority}, type: application, action: {action}, rules: [{{name: {name}-rule, source_addresses: ['*'], protocols: [Https], {keys}}}]}}, "
    )
}

fn https(destination: &str) -> Packet {
    Packet {
        protocol: Protocol::Tcp,
        source: ip("10.1.1.4"),
        source_port: 50000,
        destination: ip(destination),
        destination_port: 443,
    }
}

/// The collection of the application rule that decides a flow carrying `name`, with its access.
fn decided_by(f: &Fabric, name: &str) -> Option<(String, Access)> {
    match f.firewall(FirewallId(0)).forward(https("198.51.100.7"), Some(name)).decision {
        FirewallDecision::Rule { pass: RuleKind::Application, at, access } => {
            let policy = &f.scenario.firewalls[0].policy;
            Some((policy.groups[at.group as usize].collections[at.collection as usize].name.clone(), access))
        }
        _ => None,
    }
}

/// Loads and allows every name ending in the suffix, registrable ones included. The old reading
/// refused `*pytorch.org` (`*` not a whole label), so this scenario did not load.
#[test]
fn f9_a_suffix_target_allows_every_name_ending_in_it() {
    let f = firewall(&collection("torch", 100, "allow", r#""*pytorch.org""#));
    let allow = Some(("torch".to_string(), Access::Allow));
    for name in ["pytorch.org", "download.pytorch.org", "evilpytorch.org", "EvilPyTorch.org."] {
        assert_eq!(decided_by(&f, name), allow, "{name}");
    }
    for name in ["pytorch.org.attacker-domain.example", "pytorch.com", "ytorch.org"] {
        assert_eq!(decided_by(&f, name), None, "{name} falls to the implicit deny");
    }
}

/// F-3 order holds across the index's lists: an earlier exact, wildcard or `*` rule beats a later
/// suffix rule, and an earlier suffix rule beats later ones of every form.
#[test]
fn f3_the_first_rule_wins_between_suffix_and_other_targets() {
    let f = firewall(
        &[
            collection("deny-evil", 100, "deny", "evilpytorch.org"),
            collection("deny-sub", 110, "deny", r#""*.attack.pytorch.org""#),
            collection("torch", 200, "allow", r#""*pytorch.org""#),
            collection("deny-after", 300, "deny", r#"download.pytorch.org, "*torch.org", "*""#),
        ]
        .concat(),
    );
    let at = |c: &str, a| Some((c.to_string(), a));
    assert_eq!(decided_by(&f, "evilpytorch.org"), at("deny-evil", Access::Deny));
    assert_eq!(decided_by(&f, "x.attack.pytorch.org"), at("deny-sub", Access::Deny));
    assert_eq!(decided_by(&f, "otherpytorch.org"), at("torch", Access::Allow));
    assert_eq!(decided_by(&f, "download.pytorch.org"), at("torch", Access::Allow));
    assert_eq!(decided_by(&f, "mytorch.org"), at("deny-after", Access::Deny));
    assert_eq!(decided_by(&f, "example.com"), at("deny-after", Access::Deny));
}

/// The indexed first match equals the naive scan for every name against a policy mixing every
/// target form in shuffled order, two suffixes sharing a tail, and case.
#[test]
fn f9_indexed_suffix_matching_equals_the_naive_scan() {
    let targets = [
        r#""*Torch.org""#,
        "pytorch.org",
        r#""*.pytorch.org""#,
        r#""*pytorch.org""#,
        r#""*.org""#,
        r#""*-mirror.example""#,
        "files.pythonhosted.org",
        r#""*""#,
    ];
    let collections: String = targets
        .iter()
        .enumerate()
        .map(|(k, t)| collection(&format!("c{k}"), 100 + k as u32 * 10, if k % 2 == 0 { "deny" } else { "allow" }, t))
        .collect();
    // The same rules without `*` at the end, so names can also fall to the implicit deny.
    let without_star: String = collections.split_inclusive("}]}, ").take(targets.len() - 1).collect();
    let names = [
        "pytorch.org",
        "PyTorch.ORG",
        "download.pytorch.org",
        "evilpytorch.org",
        "torch.org",
        "mytorch.org",
        "orch.org",
        "files.pythonhosted.org",
        "a.b.org",
        "org",
        "eu-mirror.example",
        "-mirror.example",
        "mirror.example",
        "pytorch.org.evil.example",
        "",
    ];
    for policy in [collections, without_star] {
        let f = firewall(&policy);
        let fw = &f.scenario.firewalls[0];
        let naive =
            Naive { scenario: &f.scenario, policy: &fw.policy, private_ip: ip("10.1.0.4"), fqdns: HashMap::new() };
        let compiled = f.firewall(FirewallId(0));
        for name in names {
            let packet = https("198.51.100.7");
            assert_eq!(compiled.forward(packet, Some(name)).decision, naive.forward(&packet, Some(name)).0, "{name:?}");
        }
    }
}

/// F-8: a rule with only `fqdn_tags: [WindowsUpdate]` allows a WindowsUpdate host and no other
/// name. Without the expansion at load the rule had no targets and matched nothing.
#[test]
fn f8_an_fqdn_tag_allows_its_hosts_and_nothing_else() {
    let f = firewall(&collection_of("updates", 100, "allow", "fqdn_tags: [WindowsUpdate]"));
    let allow = Some(("updates".to_string(), Access::Allow));
    assert_eq!(decided_by(&f, "download.windowsupdate.com"), allow);
    assert_eq!(decided_by(&f, "fe2.update.microsoft.com"), allow);
    assert_eq!(decided_by(&f, "pypi.org"), None);
    assert_eq!(decided_by(&f, "windowsupdate.com.evil.example"), None);
}

/// F-8: a rule's targets and tags add up (tag names are case-insensitive).
#[test]
fn f8_targets_and_fqdn_tags_add_up() {
    let f =
        firewall(&collection_of("aks", 100, "allow", "target_fqdns: [pypi.org], fqdn_tags: [azurekubernetesservice]"));
    let allow = Some(("aks".to_string(), Access::Allow));
    for name in ["pypi.org", "mcr.microsoft.com", "x.hcp.eastus.azmk8s.io"] {
        assert_eq!(decided_by(&f, name), allow, "{name}");
    }
    assert_eq!(decided_by(&f, "download.windowsupdate.com"), None);
}
