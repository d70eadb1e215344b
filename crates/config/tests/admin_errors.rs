//! `network_managers:` (N-16): what loads, and the located errors for its misuse, each with the
//! hint a person acts on (a "did you mean" where a name or word is close).

use vnetsim_config::load_scenario;
use vnetsim_model::*;

/// Two VNets, and `managers` appended as the `network_managers:` block.
fn scenario(managers: &str) -> String {
    format!(
        "name: t
vnets:
  - name: spoke1
    address_space: [10.1.0.0/16]
  - name: spoke2
    address_space: [10.2.0.0/16]
asgs: [web]
network_managers:
{managers}"
    )
}

/// A manager with group `spokes` of `members` and one collection applying to `applies_to` with
/// `rules` (each a flow mapping).
fn manager(members: &str, applies_to: &str, rules: &[&str]) -> String {
    let rules: String = rules.iter().map(|r| format!("              - {r}\n")).collect();
    format!(
        "  - name: avnm
    network_groups:
      - name: spokes
        members: {members}
    security_admin_configurations:
      - name: baseline
        rule_collections:
          - name: guardrails
            applies_to: {applies_to}
            rules:
{rules}"
    )
}

const DENY_SSH: &str =
    "{name: deny-ssh, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 22}";

/// The file's errors as `(line:col, message, help)`.
fn errors(text: &str) -> Vec<(String, String, String)> {
    match load_scenario("t.yaml", text, &ServiceTagTable::builtin()) {
        Ok(_) => panic!("loads, but errors were expected:\n{text}"),
        Err(d) => d
            .into_iter()
            .map(|d| (format!("{}:{}", d.loc.line, d.loc.column), d.message, d.help.unwrap_or_default()))
            .collect(),
    }
}

/// One error at `at` whose message starts with `message` and whose help contains `help`.
fn check(text: &str, at: &str, message: &str, help: &str) {
    let got = errors(text);
    assert_eq!(got.len(), 1, "{got:?}");
    let (loc, m, h) = &got[0];
    assert_eq!((loc.as_str(), m.starts_with(message), h.contains(help)), (at, true, true), "{got:?}");
}

#[test]
fn a_network_manager_loads_into_groups_collections_and_rules() {
    let always = "{name: scanner, priority: 110, direction: outbound, access: ALWAYS_ALLOW, destination: AzureCloud}";
    let s = load_scenario(
        "t.yaml",
        &scenario(&manager("[spoke1, spoke2]", "[spokes]", &[DENY_SSH, always])),
        &ServiceTagTable::builtin(),
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    let m = &s.network_managers[0];
    assert_eq!((m.name.as_str(), m.groups[0].members.as_slice()), ("avnm", [VnetId(0), VnetId(1)].as_slice()));
    let c = &m.configurations[0].collections[0];
    assert_eq!((c.name.as_str(), c.applies_to.as_slice()), ("guardrails", [0].as_slice()));
    let rules: Vec<(&str, u16, AdminAction, Access)> =
        c.rules.iter().map(|r| (r.rule.name.as_str(), r.rule.priority, r.action, r.rule.access)).collect();
    assert_eq!(
        rules,
        [("deny-ssh", 100, AdminAction::Deny, Access::Deny), ("scanner", 110, AdminAction::AlwaysAllow, Access::Allow)]
    );
    assert_eq!(c.rules[1].rule.destination, AddressMatch::ServiceTag("AzureCloud".into()));
    assert_eq!(
        s.admin_rule_path(AdminRuleRef { manager: 0, configuration: 0, collection: 0, rule: 1 }),
        "baseline/guardrails/scanner"
    );
}

#[test]
fn an_unknown_vnet_member_is_located_with_did_you_mean() {
    check(
        &scenario(&manager("[spoke1, spoke3]", "[spokes]", &[DENY_SSH])),
        "12:27",
        "unknown VNet `spoke3`",
        "did you mean `spoke1`?",
    );
}

#[test]
fn an_unknown_network_group_is_located_with_did_you_mean() {
    check(
        &scenario(&manager("[spoke1]", "[spoke]", &[DENY_SSH])),
        "17:26",
        "unknown network group `spoke`",
        "did you mean `spokes`?",
    );
}

#[test]
fn a_bad_access_is_located_with_did_you_mean() {
    let rule = "{name: r, priority: 100, direction: inbound, access: AlwaysAllowed, protocol: tcp}";
    check(
        &scenario(&manager("[spoke1]", "[spokes]", &[rule])),
        "19:70",
        "invalid access `AlwaysAllowed` for a security admin rule",
        "did you mean `always_allow`? expected one of: allow, always_allow, deny",
    );
}

#[test]
fn a_duplicate_priority_in_a_collection_is_located() {
    let twin =
        "{name: deny-rdp, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 3389}";
    check(
        &scenario(&manager("[spoke1]", "[spokes]", &[DENY_SSH, twin])),
        "20:44",
        "duplicate priority 100 for inbound rules in rule collection `guardrails` (also used by `deny-ssh`)",
        "",
    );
    // The other direction may use the same number, as in an NSG (N-4).
    let outbound = DENY_SSH.replace("deny-ssh", "deny-ssh-out").replace("inbound", "outbound");
    let text = scenario(&manager("[spoke1]", "[spokes]", &[DENY_SSH, &outbound]));
    assert!(load_scenario("t.yaml", &text, &ServiceTagTable::builtin()).is_ok());
}

#[test]
fn priorities_run_from_1_to_4096() {
    let rule = |p: u32| format!("{{name: r, priority: {p}, direction: inbound, access: allow}}");
    let ok = scenario(&manager("[spoke1]", "[spokes]", &[&rule(1)]));
    assert!(load_scenario("t.yaml", &ok, &ServiceTagTable::builtin()).is_ok(), "NSGs start at 100, admin rules at 1");
    let got = errors(&scenario(&manager("[spoke1]", "[spokes]", &[&rule(4097)])));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.contains("priority"), "{got:?}");
}

#[test]
fn an_asg_in_an_admin_rule_is_refused() {
    let rule = "{name: r, priority: 100, direction: inbound, access: deny, destination: web}";
    check(
        &scenario(&manager("[spoke1]", "[spokes]", &[rule])),
        "19:89",
        "security admin rule `r` names an ASG",
        "IP prefixes or service tags",
    );
}

#[test]
fn a_second_configuration_is_refused() {
    let text = scenario(&manager("[spoke1]", "[spokes]", &[DENY_SSH]))
        + "      - name: second\n        rule_collections: []\n";
    check(
        &text,
        "20:15",
        "network manager `avnm` has a second security admin configuration `second`",
        "one security admin configuration per region",
    );
}

#[test]
fn unknown_keys_get_did_you_mean() {
    let text = scenario(&manager("[spoke1]", "[spokes]", &[DENY_SSH])).replace("applies_to:", "apply_to:");
    let got = errors(&text);
    assert!(got.iter().any(|(_, m, h)| m.contains("apply_to") && h.contains("applies_to")), "{got:?}");
}

#[test]
fn by_can_name_a_network_manager_and_its_rules() {
    let text = scenario(&manager("[spoke1]", "[spokes]", &[DENY_SSH]))
        + "expect:\n  - {from: internet, to: 10.1.0.4, port: 22, outcome: denied, by: avnm/baseline/guardrails/deny-ssh}\n  - {from: internet, to: 10.1.0.4, port: 22, outcome: denied, by: avnn}\n";
    let got = errors(&text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.starts_with("`by: avnn` names no object") && got[0].2.contains("did you mean `avnm`?"), "{got:?}");
}
