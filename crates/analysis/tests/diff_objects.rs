//! The semantic object diff (issue 7): objects are matched by name, never by position or id;
//! order that means nothing (N-4 priorities, R-8 longest prefix, F-3 collection priorities) is
//! no change, and every change names exactly the fields that differ. Each test edits one thing
//! of a small hub-and-spoke network and checks the whole list of changes.

use vnetsim_analysis::diff::objects::{FieldChange, ObjectChange, ObjectChangeKind, ObjectKind, changes, objects};
use vnetsim_model::{ServiceTag, ServiceTagTable};
use vnetsim_testkit::{builtin_scenarios, load, load_with};

/// A hub with a firewall and a private endpoint, a spoke with an NSG, a UDR table and two VMs.
const BASE: &str = r#"
name: diff-base
region: eastus
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - name: AzureFirewallSubnet
        prefix: 10.0.0.0/26
      - name: pe
        prefix: 10.0.2.0/24
    peerings:
      - remote_vnet: spoke1
        allow_forwarded_traffic: true
  - name: spoke1
    address_space: [10.1.0.0/16]
    subnets:
      - name: training
        prefix: 10.1.1.0/24
        nsg: training-nsg
        route_table: to-fw
      - name: scoring
        prefix: 10.1.2.0/24
    peerings:
      - remote_vnet: hub
nsgs:
  - name: training-nsg
    rules:
      - {name: allow-https, priority: 100, direction: outbound, access: allow, protocol: tcp, source: [10.0.0.0/8, 192.168.0.0/16], destination_ports: 443}
      - {name: deny-ssh, priority: 200, direction: inbound, access: deny, protocol: tcp, destination_ports: 22}
route_tables:
  - name: to-fw
    routes:
      - {name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.0.4}
      - {name: storage, prefix: Storage, next_hop: Internet}
endpoints:
  - {name: vm1, kind: vm, subnet: spoke1/training}
  - {name: vm2, kind: vm, subnet: spoke1/scoring}
services:
  - {name: mystore, kind: storage_account}
private_endpoints:
  - {name: mystore-blob, subnet: hub/pe, target: mystore, subresource: blob}
private_dns_zones:
  - name: privatelink.blob.core.windows.net
    links: [hub, spoke1]
firewall_policies:
  - name: hub-policy
    rule_collection_groups:
      - name: rules
        priority: 100
        rule_collections:
          - name: tags
            priority: 100
            type: network
            action: allow
            rules:
              - {name: aad, protocols: [tcp], source_addresses: [10.1.0.0/16], destination_addresses: [AzureActiveDirectory], destination_ports: [443]}
              - {name: arm, protocols: [tcp], source_addresses: [10.1.0.0/16], destination_addresses: [AzureResourceManager], destination_ports: [443]}
firewalls:
  - {name: hub-fw, vnet: hub, ip: 10.0.0.4, public_ips: [20.0.0.10], policy: hub-policy}
"#;

/// `BASE` with each `(from, to)` replaced once; each `from` must be there.
fn edit(edits: &[(&str, &str)]) -> String {
    edits.iter().fold(BASE.to_string(), |yaml, (from, to)| {
        assert!(yaml.contains(from), "`{from}` is not in the scenario");
        yaml.replacen(from, to, 1)
    })
}

fn diff(edits: &[(&str, &str)]) -> Vec<ObjectChange> {
    changes(&load(BASE), &load(&edit(edits)))
}

/// The changes as `change kind name`, for comparing whole lists.
fn summary(list: &[ObjectChange]) -> Vec<String> {
    list.iter().map(|c| format!("{:?} {} {}", c.change, c.kind.name(), c.name)).collect()
}

fn field(name: &'static str, before: Option<&str>, after: Option<&str>) -> FieldChange {
    FieldChange { field: name, before: before.map(str::to_string), after: after.map(str::to_string) }
}

#[test]
fn identical_scenarios_have_no_changes() {
    assert_eq!(changes(&load(BASE), &load(BASE)), vec![]);
}

#[test]
fn tightening_a_rule_source_changes_exactly_that_field() {
    let list = diff(&[("source: [10.0.0.0/8, 192.168.0.0/16]", "source: [10.1.1.0/24]")]);
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::NsgRule,
            name: "training-nsg/allow-https".into(),
            change: ObjectChangeKind::Modified,
            fields: vec![field("source", Some("10.0.0.0/8, 192.168.0.0/16"), Some("10.1.1.0/24"))],
        }]
    );
}

#[test]
fn order_of_prefixes_in_a_rule_is_no_change() {
    assert_eq!(diff(&[("source: [10.0.0.0/8, 192.168.0.0/16]", "source: [192.168.0.0/16, 10.0.0.0/8]")]), vec![]);
}

#[test]
fn reordering_nsg_rules_routes_and_firewall_rules_is_no_change() {
    // N-4: NSG rules are ordered by priority; R-8: routes by longest prefix; F-3: a network
    // collection's rules share its action, so their order never changes a verdict.
    let swap = |text: &str, a: &str, b: &str| {
        let (la, lb) = (text.lines().find(|l| l.contains(a)).unwrap(), text.lines().find(|l| l.contains(b)).unwrap());
        text.replace(la, "\u{0}").replace(lb, la).replace('\u{0}', lb)
    };
    let mut yaml = swap(BASE, "name: allow-https", "name: deny-ssh");
    yaml = swap(&yaml, "name: default, prefix", "name: storage, prefix");
    yaml = swap(&yaml, "name: aad,", "name: arm,");
    yaml = swap(&yaml, "name: vm1,", "name: vm2,");
    assert_ne!(yaml, BASE);
    assert_eq!(changes(&load(BASE), &load(&yaml)), vec![]);
}

#[test]
fn adding_a_route_adds_one_route_with_every_field() {
    let list = diff(&[(
        "      - {name: storage,",
        "      - {name: onprem, prefix: 192.168.0.0/16, next_hop: VirtualNetworkGateway}\n      - {name: storage,",
    )]);
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::Route,
            name: "to-fw/onprem".into(),
            change: ObjectChangeKind::Added,
            fields: vec![
                field("prefix", None, Some("192.168.0.0/16")),
                field("next_hop", None, Some("VirtualNetworkGateway")),
                field("next_hop_ip", None, Some("none")),
            ],
        }]
    );
}

#[test]
fn removing_a_zone_link_removes_one_link() {
    let list = diff(&[("links: [hub, spoke1]", "links: [hub]")]);
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::DnsZoneLink,
            name: "privatelink.blob.core.windows.net->spoke1".into(),
            change: ObjectChangeKind::Removed,
            fields: vec![field("resolution_policy", Some("Default"), None)],
        }]
    );
}

#[test]
fn private_endpoint_records_are_objects_named_by_zone_and_name() {
    let s = load(BASE);
    let all = objects(&s);
    let record = all.iter().find(|o| o.kind == ObjectKind::DnsRecord).expect("the PE registers its record");
    assert_eq!(record.name, "privatelink.blob.core.windows.net/mystore");
    assert_eq!(
        record.fields,
        vec![
            ("ip", "10.0.2.4".to_string()),
            ("source", "private_endpoint mystore-blob".into()),
            ("shadowed", "none".into())
        ]
    );
    // Moving the endpoint moves its record; removing it removes both.
    let moved = diff(&[("subresource: blob}", "subresource: blob, ip: 10.0.2.9}")]);
    assert_eq!(
        summary(&moved),
        ["Modified private_endpoint mystore-blob", "Modified dns_record privatelink.blob.core.windows.net/mystore"]
    );
    assert_eq!(moved[1].fields, vec![field("ip", Some("10.0.2.4"), Some("10.0.2.9"))]);
    let gone = diff(&[("  - {name: mystore-blob, subnet: hub/pe, target: mystore, subresource: blob}\n", "")]);
    assert_eq!(
        summary(&gone),
        ["Removed private_endpoint mystore-blob", "Removed dns_record privatelink.blob.core.windows.net/mystore"]
    );
}

#[test]
fn d9_records_of_one_name_are_one_object_and_the_last_answers() {
    // A written record for the name the PE registers: the PE's, registered after, answers.
    let list = diff(&[("links: [hub, spoke1]", "links: [hub, spoke1]\n    records: [{name: mystore, ip: 10.0.2.50}]")]);
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::DnsRecord,
            name: "privatelink.blob.core.windows.net/mystore".into(),
            change: ObjectChangeKind::Modified,
            fields: vec![field("shadowed", Some("none"), Some("10.0.2.50 (written)"))],
        }]
    );
}

#[test]
fn adding_a_firewall_rule_adds_it_under_its_policy_path() {
    let list = diff(&[(
        "              - {name: arm,",
        "              - {name: mcr, protocols: [tcp], source_addresses: [10.1.0.0/16], destination_addresses: [MicrosoftContainerRegistry], destination_ports: [443]}\n              - {name: arm,",
    )]);
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::FirewallRule,
            name: "hub-policy/rules/tags/mcr".into(),
            change: ObjectChangeKind::Added,
            fields: vec![
                field("source_addresses", None, Some("10.1.0.0/16")),
                field("protocols", None, Some("tcp")),
                field("destinations", None, Some("MicrosoftContainerRegistry")),
                field("destination_ports", None, Some("443")),
            ],
        }]
    );
}

#[test]
fn objects_inserted_before_others_change_nothing_else() {
    // A subnet at the top of spoke1, a VNet and an NSG before the others: ids shift, names do not.
    let list = diff(&[
        (
            "    subnets:\n      - name: training",
            "    subnets:\n      - name: data\n        prefix: 10.1.0.0/24\n      - name: training",
        ),
        (
            "vnets:\n",
            "vnets:\n  - name: edge\n    address_space: [10.9.0.0/16]\n    subnets: [{name: dmz, prefix: 10.9.0.0/24}]\n",
        ),
        (
            "nsgs:\n",
            "nsgs:\n  - name: dmz-nsg\n    rules: [{name: allow-web, priority: 100, direction: inbound, access: allow, protocol: tcp, destination_ports: 443}]\n",
        ),
    ]);
    assert_eq!(
        summary(&list),
        [
            "Added vnet edge",
            "Added subnet edge/dmz",
            "Added subnet spoke1/data",
            "Added nsg dmz-nsg",
            "Added nsg_rule dmz-nsg/allow-web",
        ]
    );
}

#[test]
fn removed_objects_stay_among_their_siblings() {
    let list = diff(&[
        (
            "      - {name: deny-ssh, priority: 200, direction: inbound, access: deny, protocol: tcp, destination_ports: 22}\n",
            "",
        ),
        (
            "route_tables:\n  - name: to-fw\n",
            "route_tables:\n  - name: to-fw\n    disable_bgp_route_propagation: true\n",
        ),
    ]);
    assert_eq!(summary(&list), ["Removed nsg_rule training-nsg/deny-ssh", "Modified route_table to-fw"]);
}

#[test]
fn a_peering_flag_set_to_its_default_or_away_from_it_is_a_change() {
    let list = diff(&[("        allow_forwarded_traffic: true\n", "")]);
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::Peering,
            name: "hub->spoke1".into(),
            change: ObjectChangeKind::Modified,
            fields: vec![field("allow_forwarded_traffic", Some("true"), Some("false"))],
        }]
    );
    // Written as its default: no change.
    assert_eq!(
        diff(&[("      - remote_vnet: hub\n", "      - remote_vnet: hub\n        use_remote_gateways: false\n")]),
        vec![]
    );
}

#[test]
fn public_network_access_is_one_field_of_the_service() {
    let list = diff(&[("kind: storage_account}", "kind: storage_account, public_network_access: Disabled}")]);
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::Service,
            name: "mystore".into(),
            change: ObjectChangeKind::Modified,
            fields: vec![field("public_network_access", Some("Enabled"), Some("Disabled"))],
        }]
    );
}

#[test]
fn a_service_added_before_another_moves_its_tag_drawn_public_ip() {
    // Services draw public IPs from their tag in file order: the move is real and reported.
    let list = diff(&[(
        "  - {name: mystore, kind: storage_account}",
        "  - {name: archive, kind: storage_account}\n  - {name: mystore, kind: storage_account}",
    )]);
    assert_eq!(summary(&list), ["Added service archive", "Modified service mystore"]);
    assert_eq!(list[1].fields.iter().map(|f| f.field).collect::<Vec<_>>(), ["public_ip"]);
}

#[test]
fn growing_a_cluster_only_adds_nics() {
    let base = "  - {name: vm2, kind: vm, subnet: spoke1/scoring}";
    let before = edit(&[(base, "  - {name: cpu, kind: compute_cluster, node_count: 2, subnet: spoke1/scoring}")]);
    let after = edit(&[(base, "  - {name: cpu, kind: compute_cluster, node_count: 3, subnet: spoke1/scoring}")]);
    let list = changes(&load(&before), &load(&after));
    assert_eq!(summary(&list), ["Modified endpoint cpu", "Added nic cpu[2]/nic0"]);
    assert_eq!(list[0].fields, vec![field("node_count", Some("2"), Some("3"))]);
}

#[test]
fn f3_dnat_rule_order_is_the_collections_rule_order() {
    // Two DNAT rules on one address and port translate differently: the first match decides.
    let dnat = |first: &str, second: &str| {
        let rule = |name: &str, to: &str| {
            format!(
                "              - {{name: {name}, protocols: [tcp], source_addresses: ['*'], destination_address: 20.0.0.10, destination_ports: [8443], translated_address: {to}, translated_port: 443}}\n"
            )
        };
        let rules = [("a", "10.1.1.10"), ("b", "10.1.1.11")];
        let pick = |n: &str| rules.iter().find(|r| r.0 == n).map(|r| rule(r.0, r.1)).unwrap();
        edit(&[(
            "          - name: tags\n",
            &format!(
                "          - name: inbound\n            priority: 150\n            type: dnat\n            rules:\n{}{}          - name: tags\n",
                pick(first),
                pick(second)
            ),
        )])
    };
    let list = changes(&load(&dnat("a", "b")), &load(&dnat("b", "a")));
    assert_eq!(
        list,
        vec![ObjectChange {
            kind: ObjectKind::FirewallRuleCollection,
            name: "hub-policy/rules/inbound".into(),
            change: ObjectChangeKind::Modified,
            fields: vec![field("rule_order", Some("a, b"), Some("b, a"))],
        }]
    );
}

#[test]
fn inherited_rule_collection_groups_are_named_by_how_far_up_they_come_from() {
    let yaml = edit(&[(
        "firewall_policies:\n  - name: hub-policy\n",
        "firewall_policies:\n  - name: base\n    rule_collection_groups:\n      - name: rules\n        priority: 100\n        rule_collections: [{name: tags, priority: 100, type: network, action: deny, rules: [{name: aad, protocols: [tcp], source_addresses: ['*'], destination_addresses: [AzureActiveDirectory], destination_ports: [80]}]}]\n  - name: hub-policy\n    parent: base\n",
    )]);
    let names: Vec<String> =
        objects(&load(&yaml)).into_iter().filter(|o| o.kind == ObjectKind::FirewallRule).map(|o| o.name).collect();
    assert_eq!(names, ["hub-policy/(parent)/rules/tags/aad", "hub-policy/rules/tags/aad", "hub-policy/rules/tags/arm"]);
}

#[test]
fn a_different_tag_table_is_one_service_tags_change_naming_the_tags() {
    let mut tags = ServiceTagTable::builtin();
    tags.insert(ServiceTag {
        name: "Custom".into(),
        region: None,
        parent: None,
        prefixes: vec!["40.127.0.0/16".parse().unwrap()],
    });
    let list = changes(&load(BASE), &load_with(BASE, &tags));
    assert_eq!(summary(&list), ["Modified service_tags service_tags"]);
    let fields: Vec<&str> = list[0].fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, ["source", "tags", "digest", "differing_tags"]);
    assert_eq!(list[0].fields[3], field("differing_tags", None, Some("Custom")));
}

#[test]
fn every_builtin_scenario_is_unchanged_against_itself_and_names_no_ids() {
    for file in builtin_scenarios() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let s = load(&text);
        let name = file.display();
        assert_eq!(changes(&s, &load(&text)), vec![], "{name}");
        for o in &objects(&s) {
            // A repeated path would have been numbered: every object has a name of its own.
            assert!(!o.name.contains(" #"), "{name}: {} {} repeats", o.kind.name(), o.name);
            for (field, value) in &o.fields {
                assert!(!value.contains("Id("), "{name}: {} {} {field} = {value}", o.kind.name(), o.name);
            }
        }
    }
}
