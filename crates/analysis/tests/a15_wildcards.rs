//! A-15 as revised: in allow_only_approved_outbound storage is never reachable through an FQDN
//! rule, wildcards included. A pattern that covers storage hosts (`*`, `*.windows.net`,
//! `*.core.windows.net`, `*windows.net`) is accepted but flagged for `check`, and the managed
//! firewall denies storage names ahead of the FQDN rules with a rule that names A-15, so neither
//! the walk nor the audit finds a path to a storage account through it. The old reading refused
//! only patterns ending in a storage domain: these patterns opened every account outside the
//! managed storage policy's regions, and the audit reported them.

use vnetsim_analysis::audit::{Exfiltration, audit, protected_sources};
use vnetsim_analysis::reach::ReachOptions;
use vnetsim_config::managed::STORAGE_DENY_RULE;
use vnetsim_engine::Fabric;
use vnetsim_model::OutboundRuleKind;
use vnetsim_testkit::{connect, fabric, outcome};

/// Patterns that cover storage hosts, and patterns that do not.
const COVERING: [&str; 4] = ["*", "*.windows.net", "*.core.windows.net", "*windows.net"];
const NOT_COVERING: [&str; 3] = ["*.pythonhosted.org", "*pytorch.org", "*.azureml.ms"];

/// A managed workspace in allow_only_approved_outbound whose one FQDN rule is `pattern`, and
/// someone's storage account in westeurope, a region the managed storage policy's service
/// endpoint does not carry (eastus and its pair only), so its traffic meets the firewall.
fn managed(pattern: &str) -> Fabric {
    fabric(&format!(
        r#"name: a15
region: eastus
services:
  - {{name: faraway, kind: storage_account, region: westeurope}}
  - name: ws
    kind: workspace
    storage_account: st
    key_vault: kv
    container_registry: acr
    managed_network:
      isolation_mode: allow_only_approved_outbound
      outbound_rules:
        - {{name: wide, type: fqdn, destination: '{pattern}'}}
  - {{name: st, kind: storage_account}}
  - {{name: kv, kind: key_vault}}
  - {{name: acr, kind: container_registry, sku: Premium}}
endpoints:
  - {{name: ci, kind: compute_instance, subnet: ws-managed/compute}}
"#
    ))
}

fn warned(f: &Fabric) -> bool {
    let rules = &f.scenario.managed_networks[0].rules;
    let wide = rules.iter().find(|r| r.kind == OutboundRuleKind::Fqdn).expect("the FQDN rule");
    wide.covers_storage
}

#[test]
fn a15_a_wildcard_covering_storage_is_denied_storage_by_the_managed_firewall_naming_a15() {
    for pattern in COVERING {
        let f = managed(pattern);
        assert!(warned(&f), "{pattern}: check warns");
        for host in ["https://faraway.blob.core.windows.net", "http://faraway.dfs.core.windows.net"] {
            let got = outcome(&f, &connect(&f, "ci", host));
            let want = format!(
                "denied_by_firewall by ws-managed-fw/managed-outbound-rules/deny-storage-fqdns/{STORAGE_DENY_RULE}"
            );
            assert_eq!(got, want, "{pattern} -> {host}");
        }
    }
    // The pattern still opens the names it covers outside storage (A-15 limits storage only).
    let f = managed("*");
    assert_eq!(outcome(&f, &connect(&f, "ci", "https://pypi.org")), "allowed");
}

#[test]
fn a15_a_pattern_not_covering_storage_adds_no_storage_rule_and_no_warning() {
    for pattern in NOT_COVERING {
        let f = managed(pattern);
        assert!(!warned(&f), "{pattern}");
        let policy = &f.scenario.firewalls[0].policy;
        let collections: Vec<&str> =
            policy.groups.iter().flat_map(|g| &g.collections).map(|c| c.name.as_str()).collect();
        assert_eq!(collections, ["service-tags", "fqdn-rules"], "{pattern}");
        // Storage outside the policy's regions is denied by the implicit deny, as before.
        let got = outcome(&f, &connect(&f, "ci", "https://faraway.blob.core.windows.net"));
        assert_eq!(got, "denied_by_firewall by ws-managed-fw", "{pattern}");
    }
}

/// The audit agrees with the walk: no storage account is reachable through the managed firewall,
/// while the wide pattern is still a finding for what it does open. Under the old reading `*`
/// gave "any storage account in westeurope" (and every other region outside the policy).
#[test]
fn a15_the_audit_finds_no_storage_account_through_the_managed_firewall() {
    for pattern in COVERING {
        let f = managed(pattern);
        let (_, result) = audit(&f, &protected_sources(&f), ReachOptions::default());
        let findings: Vec<&Exfiltration> =
            result.sources.iter().flat_map(|s| &s.findings).map(|finding| &finding.destination).collect();
        assert!(!findings.is_empty(), "{pattern} opens write-capable names");
        assert!(!findings.iter().any(|d| matches!(d, Exfiltration::StorageAccount { .. })), "{pattern}: {findings:?}");
    }
}
