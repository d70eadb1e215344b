//! F-8 FQDN tags in application rules: `fqdn_tags` expand into the tag's documented hosts after
//! the rule's own targets; an unknown tag is a located error with "did you mean".

use vnetsim_config::{Diagnostic, load_scenario};
use vnetsim_model::fqdn_tags::FQDN_TAGS;
use vnetsim_model::*;

/// A scenario whose one application rule has the keys `keys`, at line 11.
fn scenario(keys: &str) -> String {
    format!(
        r#"vnets:
  - name: hub
    address_space: [10.1.0.0/16]
    subnets: [{{name: AzureFirewallSubnet, prefix: 10.1.0.0/26}}]
firewalls: [{{name: fw, vnet: hub, public_ips: [20.1.0.10], policy: p}}]
firewall_policies:
  - name: p
    rule_collection_groups:
      - {{name: g, priority: 100, rule_collections: [{{name: c, priority: 100, type: application, action: allow, rules: [
          {{name: r, source_addresses: ['*'], protocols: [Https], {keys}}}]}}]}}
"#
    )
}

fn load(keys: &str) -> Result<Scenario, Vec<Diagnostic>> {
    load_scenario("t.yaml", &scenario(keys), &ServiceTagTable::builtin())
}

fn application(s: &Scenario) -> (Vec<String>, Vec<String>) {
    match &s.firewalls[0].policy.groups[0].collections[0].rules[0].matcher {
        RuleMatch::Application { target_fqdns, fqdn_tags, .. } => (target_fqdns.clone(), fqdn_tags.clone()),
        other => panic!("{other:?}"),
    }
}

/// Every tag expands to exactly its table hosts (each passing the loader's FQDN checks
/// unchanged), after the rule's own targets, and keeps its canonical name whatever the case.
#[test]
fn f8_every_tag_expands_after_the_rules_own_targets() {
    for (tag, hosts) in FQDN_TAGS {
        let s = load(&format!("target_fqdns: [pypi.org], fqdn_tags: [{}]", tag.to_lowercase()))
            .unwrap_or_else(|e| panic!("{tag}: {e:?}"));
        let (targets, tags) = application(&s);
        let expected: Vec<String> =
            std::iter::once("pypi.org").chain(hosts.iter().copied()).map(String::from).collect();
        assert_eq!((targets, tags), (expected, vec![tag.to_string()]));
    }
}

#[test]
fn f8_a_rule_with_tags_only_needs_no_targets() {
    let (targets, tags) = application(&load("fqdn_tags: [WindowsUpdate, AzureBackup]").unwrap());
    assert_eq!(tags, ["WindowsUpdate", "AzureBackup"]);
    assert!(targets.contains(&"*.windowsupdate.com".to_string()));
    assert!(targets.contains(&"*.backup.windowsazure.com".to_string()));
}

#[test]
fn f8_an_unknown_tag_is_located_with_did_you_mean() {
    let errors = load("fqdn_tags: [WindowsUpdate, WindowsUpdates]").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let d = &errors[0];
    assert_eq!((d.loc.line, d.loc.column), (10, 93), "{d:#?}");
    assert_eq!(d.message, "unknown FQDN tag `WindowsUpdates`");
    assert_eq!(d.help.as_deref(), Some("did you mean `WindowsUpdate`?"));

    let errors = load("fqdn_tags: [pypi.org]").unwrap_err();
    assert!(errors[0].help.as_deref().unwrap().contains("host names go in target_fqdns"), "{errors:#?}");
}

#[test]
fn f8_a_rule_needs_targets_or_tags() {
    let errors = load("target_fqdns: []").unwrap_err();
    assert_eq!(errors[0].message, "application rule `r` lists no target_fqdns and no fqdn_tags (F-8)");
    assert_eq!(errors[0].loc.line, 10);
}
