//! `aliases:`: other names of places and route tables (an imported object's Terraform address),
//! accepted wherever the name is: `from`, `to`, `via`, and the command line's places.

use vnetsim_config::load_scenario;
use vnetsim_model::ServiceTagTable;

const NETWORK: &str = "
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - {name: web, prefix: 10.0.1.0/24, route_table: rt}
      - {name: nva, prefix: 10.0.2.0/24}
route_tables:
  - name: rt
    routes:
      - {name: to-nva, prefix: 10.0.3.0/24, next_hop: VirtualAppliance, next_hop_ip: 10.0.2.4}
endpoints:
  - {name: router, kind: nva, subnet: app/nva, ip: 10.0.2.4}
  - {name: vm1, kind: vm, subnet: app/web}
";

fn load(extra: &str) -> Result<vnetsim_model::Scenario, Vec<vnetsim_config::Diagnostic>> {
    load_scenario("a.yaml", &format!("{NETWORK}{extra}"), &ServiceTagTable::builtin())
}

#[test]
fn an_alias_names_its_place_and_route_table_in_expectations() {
    let s = load(
        "aliases:
  azurerm_linux_virtual_machine.vm1: vm1
  azurerm_linux_virtual_machine.router: router
  azurerm_route_table.rt: rt
expect:
  - from: azurerm_linux_virtual_machine.vm1
    to: azurerm_linux_virtual_machine.router
    port: 22
    outcome: allowed
    via: [azurerm_route_table.rt]
",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(s.aliases.len(), 3);
    let e = &s.expectations[0];
    // The expectation reads exactly like one written with the names.
    let plain = load(
        "expect:
  - {from: vm1, to: router, port: 22, outcome: allowed, via: [rt]}
",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(format!("{:?}", e.from), format!("{:?}", plain.expectations[0].from));
    assert_eq!(format!("{:?}", e.to), format!("{:?}", plain.expectations[0].to));
    assert_eq!(format!("{:?}", e.via), format!("{:?}", plain.expectations[0].via));
}

#[test]
fn an_alias_must_stand_for_something_and_not_shadow_a_name() {
    let errors = load(
        "aliases:
  tf.ghost: nobody
  vm1: router
",
    )
    .expect_err("both aliases are wrong");
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("stands for `nobody`")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("alias `vm1` is already the name of a place")), "{messages:?}");
}
