//! N-16: security admin rules of Azure Virtual Network Manager, evaluated before NSGs at every
//! NIC of the VNets in the network groups a rule collection targets. Allow goes on to the NSGs,
//! AlwaysAllow delivers without them, Deny drops without them. Before N-16 was modelled the NSGs
//! alone decided: every case below where the admin action and the NSG disagree caught that.

use vnetsim_engine::fabric::admin::AdminInstance;
use vnetsim_engine::{Fabric, Options, Step};
use vnetsim_model::{AdminAction, Direction};
use vnetsim_testkit::{connect_port, fabric, fabric_with, nic, outcome};

/// VNet `app` (in group `g`) with VMs `a` and `b` in subnet `s` under NSG `n`, VNet `other`
/// with VM `c` under the same NSG, peered with `app`. The NSG rule `nsg-rule` and the admin rule
/// `admin-rule` both match TCP 22 in `direction` (inbound at `b`, or outbound from `a`).
fn scenario(direction: &str, admin: Option<&str>, nsg: &str) -> String {
    let managers = match admin {
        Some(action) => format!(
            r#"
network_managers:
  - name: avnm
    network_groups:
      - {{name: g, members: [app]}}
      - {{name: untargeted, members: [other]}}
    security_admin_configurations:
      - name: cfg
        rule_collections:
          - name: rc
            applies_to: [g]
            rules:
              - {{name: admin-rule, priority: 100, direction: {direction}, access: {action}, protocol: tcp, destination_ports: 22}}
"#
        ),
        None => String::new(),
    };
    format!(
        r#"
name: admin
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - {{name: s, prefix: 10.1.1.0/24, nsg: n}}
    peerings:
      - remote_vnet: other
  - name: other
    address_space: [10.2.0.0/16]
    subnets:
      - {{name: s, prefix: 10.2.1.0/24, nsg: n}}
    peerings:
      - remote_vnet: app
nsgs:
  - name: n
    rules:
      - {{name: nsg-rule, priority: 100, direction: {direction}, access: {nsg}, protocol: tcp, destination_ports: 22}}
endpoints:
  - {{name: a, kind: vm, subnet: app/s, ip: 10.1.1.4}}
  - {{name: b, kind: vm, subnet: app/s, ip: 10.1.1.5}}
  - {{name: c, kind: vm, subnet: other/s, ip: 10.2.1.4}}
{managers}"#
    )
}

/// The admin rule steps of a trace: where, which direction, which rule.
fn admin_steps(f: &Fabric, steps: &[Step]) -> Vec<(String, Direction, AdminAction)> {
    steps
        .iter()
        .filter_map(|s| match *s {
            Step::AdminRule { nic, direction, instance, rule } => {
                let admin = f.admin_instance(instance);
                Some((f.nic_label(nic), direction, admin.action(rule)))
            }
            _ => None,
        })
        .collect()
}

fn nsg_steps(steps: &[Step]) -> usize {
    steps.iter().filter(|s| matches!(s, Step::Nsg { .. })).count()
}

#[test]
fn n16_each_action_against_the_nsg_in_both_directions() {
    // (admin action, NSG access) -> outcome of a -> b TCP 22. The NSG-only reading (admin None)
    // is the old one; the admin rows differ from it wherever the two disagree.
    let cases: [(Option<&str>, &str, &str); 6] = [
        (None, "allow", "allowed"),
        (None, "deny", "denied_by_nsg by n/nsg-rule"),
        (Some("deny"), "allow", "denied_by_admin_rule by avnm/cfg/rc/admin-rule"),
        (Some("always_allow"), "deny", "allowed"),
        (Some("allow"), "deny", "denied_by_nsg by n/nsg-rule"),
        (Some("allow"), "allow", "allowed"),
    ];
    for direction in ["inbound", "outbound"] {
        for (admin, nsg, expected) in cases {
            let f = fabric(&scenario(direction, admin, nsg));
            let c = connect_port(&f, "a", "b", 22);
            assert_eq!(outcome(&f, &c), expected, "{direction}: admin {admin:?}, NSG {nsg}");
            let steps = admin_steps(&f, &c.request.steps);
            let at = if direction == "inbound" { "b 10.1.1.5" } else { "a 10.1.1.4" };
            match admin {
                Some(action) => {
                    let action = AdminAction::NAMES.iter().find(|(w, _)| *w == action).unwrap().1;
                    let dir = if direction == "inbound" { Direction::Inbound } else { Direction::Outbound };
                    assert_eq!(steps, [(at.to_string(), dir, action)], "{direction} {action}");
                    // Allow leaves the NSG to judge; AlwaysAllow and Deny end the evaluation,
                    // so the NSG of that NIC and direction is never read.
                    let index = c.request.steps.iter().position(|s| matches!(s, Step::AdminRule { .. })).unwrap();
                    let judged = c.request.steps[index + 1..].iter().any(|s| {
                        matches!(s, Step::Nsg { direction: d, .. } if *d == dir)
                            && matches!(s, Step::Nsg { nic: n, .. } if f.nic_label(*n) == at)
                    });
                    assert_eq!(judged, action == AdminAction::Allow, "{direction} {action}");
                }
                None => assert!(steps.is_empty()),
            }
        }
    }
}

#[test]
fn n16_admin_rules_come_before_the_nsgs_of_the_nic() {
    // Inbound Allow at b: the admin step precedes both NSG checks at b.
    let f = fabric(&scenario("inbound", Some("allow"), "allow"));
    let c = connect_port(&f, "a", "b", 22);
    let steps = &c.request.steps;
    let admin = steps.iter().position(|s| matches!(s, Step::AdminRule { .. })).unwrap();
    let first_inbound_nsg =
        steps.iter().position(|s| matches!(s, Step::Nsg { direction: Direction::Inbound, .. })).unwrap();
    assert!(admin < first_inbound_nsg, "{steps:?}");
    assert_eq!(nsg_steps(steps), 2, "outbound at a, inbound at b");
}

#[test]
fn n16_only_the_vnets_of_targeted_groups_are_affected() {
    // `other` is in a group no collection targets: its NIC c keeps the NSG's verdict, and only
    // the NICs of `app` meet the admin rule.
    let f = fabric(&scenario("inbound", Some("deny"), "allow"));
    assert_eq!(outcome(&f, &connect_port(&f, "a", "c", 22)), "allowed");
    assert_eq!(
        outcome(&f, &connect_port(&f, "c", "b", 22)),
        "denied_by_admin_rule by avnm/cfg/rc/admin-rule",
        "the peer's packet meets the admin rule where it enters app"
    );
    assert!(f.nics[nic(&f, "c").index()].admin().is_none());
    assert_eq!(f.nics[nic(&f, "a").index()].admin(), Some(AdminInstance(0)));
}

/// Rules `high` (priority 200, `first`) and `low` (priority 100, `second`), written in that
/// order, both matching inbound TCP 22 to b, whose NSG allows it. Order in the file must not
/// matter, only priorities.
fn two_rules(first: &str, second: &str) -> Fabric {
    let text = scenario("inbound", Some("allow"), "allow");
    let (head, _) = text.split_once("              - {name: admin-rule").unwrap();
    let rule = |name: &str, priority: u16, access: &str| {
        format!(
            "              - {{name: {name}, priority: {priority}, direction: inbound, access: {access}, protocol: tcp, destination_ports: 22}}\n"
        )
    };
    fabric(&format!("{head}{}{}", rule("high", 200, first), rule("low", 100, second)))
}

#[test]
fn n16_first_match_by_priority_within_the_configuration() {
    // Priority 100 Deny beats 200 AlwaysAllow, and 100 AlwaysAllow beats 200 Deny (against an
    // NSG that allows, and one written first in the file).
    let f = two_rules("always_allow", "deny");
    assert_eq!(outcome(&f, &connect_port(&f, "a", "b", 22)), "denied_by_admin_rule by avnm/cfg/rc/low");
    let f = two_rules("deny", "always_allow");
    let c = connect_port(&f, "a", "b", 22);
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(
        admin_steps(&f, &c.request.steps),
        [("b 10.1.1.5".to_string(), Direction::Inbound, AdminAction::AlwaysAllow)]
    );
}

/// An outbound flow to the internet whose reply an inbound admin Deny (source port 443) matches.
const REPLY: &str = r#"
name: admin-replies
vnets:
  - name: app
    address_space: [10.1.0.0/16]
    subnets:
      - {name: s, prefix: 10.1.1.0/24}
endpoints:
  - {name: a, kind: vm, subnet: app/s, ip: 10.1.1.4}
network_managers:
  - name: avnm
    network_groups:
      - {name: g, members: [app]}
    security_admin_configurations:
      - name: cfg
        rule_collections:
          - name: rc
            applies_to: [g]
            rules:
              - {name: deny-from-443, priority: 100, direction: inbound, access: deny, protocol: tcp, source: Internet, source_ports: 443}
"#;

#[test]
fn n16_replies_pass_by_flow_state_unless_admin_rules_judge_replies() {
    // The documented reading: the reply of an allowed flow is not judged again (N-9).
    let f = fabric(REPLY);
    assert_eq!(outcome(&f, &connect_port(&f, "a", "93.184.216.34", 443)), "allowed");
    // The other reading: the reply meets the inbound Deny.
    let f = fabric_with(REPLY, Options { admin_rules_judge_replies: true, ..Options::default() });
    assert_eq!(
        outcome(&f, &connect_port(&f, "a", "93.184.216.34", 443)),
        "reply denied_by_admin_rule by avnm/cfg/rc/deny-from-443"
    );
    // A new flow from the internet with source port 443 is judged either way.
    let f = fabric(&REPLY.replace("ip: 10.1.1.4}", "ip: 10.1.1.4, public_ip: 20.1.1.4}"));
    let c = vnetsim_testkit::connect_with(&f, "internet", "20.1.1.4:80", vnetsim_model::Protocol::Tcp, 443);
    assert_eq!(outcome(&f, &c), "denied_by_admin_rule by avnm/cfg/rc/deny-from-443");
}

/// A hub whose subnet `app` routes `10.0.2.0/24` through an NVA; a Bastion and an Azure Firewall
/// subnet; one admin Deny for inbound TCP 8080 and one for outbound TCP 3389 on the whole VNet.
const APPLIANCES: &str = r#"
name: admin-appliances
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {name: app, prefix: 10.0.1.0/24, route_table: via-nva}
      - {name: far, prefix: 10.0.2.0/24}
      - {name: nva, prefix: 10.0.3.0/24}
      - {name: AzureBastionSubnet, prefix: 10.0.4.0/26}
route_tables:
  - name: via-nva
    routes:
      - {name: far-via-nva, prefix: 10.0.2.0/24, next_hop: VirtualAppliance, next_hop_ip: 10.0.3.4}
endpoints:
  - {name: a, kind: vm, subnet: hub/app, ip: 10.0.1.4}
  - {name: far, kind: vm, subnet: hub/far, ip: 10.0.2.4}
  - {name: nva, kind: nva, subnet: hub/nva, ip: 10.0.3.4}
  - {name: bastion, kind: bastion, subnet: hub/AzureBastionSubnet}
network_managers:
  - name: avnm
    network_groups:
      - {name: g, members: [hub]}
    security_admin_configurations:
      - name: cfg
        rule_collections:
          - name: rc
            applies_to: [g]
            rules:
              - {name: deny-8080-in, priority: 100, direction: inbound, access: deny, protocol: tcp, destination_ports: 8080}
              - {name: deny-rdp-out, priority: 110, direction: outbound, access: deny, protocol: tcp, destination_ports: 3389}
"#;

#[test]
fn n16_appliance_nics_evaluate_admin_rules_like_any_nic() {
    // a -> far 8080 is routed through the NVA: its NIC is the first to receive it, and denies.
    let f = fabric(APPLIANCES);
    let c = connect_port(&f, "a", "far", 8080);
    assert_eq!(outcome(&f, &c), "denied_by_admin_rule by avnm/cfg/rc/deny-8080-in");
    assert_eq!(
        admin_steps(&f, &c.request.steps),
        [("nva 10.0.3.4".to_string(), Direction::Inbound, AdminAction::Deny)]
    );
}

#[test]
fn n16_bastion_subnets_are_left_out_of_admin_rules() {
    // "Nonapplication of security admin rules at subnet level": Bastion's outbound RDP is not
    // judged, a VM's is.
    let f = fabric(APPLIANCES);
    assert!(f.nics[nic(&f, "bastion").index()].admin().is_none());
    assert_eq!(outcome(&f, &connect_port(&f, "bastion", "a", 3389)), "allowed");
    assert_eq!(outcome(&f, &connect_port(&f, "far", "a", 3389)), "denied_by_admin_rule by avnm/cfg/rc/deny-rdp-out");
}
