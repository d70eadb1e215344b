//! The generator's promises: the same options give the same bytes, every file loads without a
//! diagnostic and every expectation it writes holds, the structure per spoke is as documented,
//! and the firewall policy grows into the thousands of rules.

use vnetsim_analysis::check_scenario;
use vnetsim_engine::{Fabric, Options as EngineOptions};
use vnetsim_gen::{MAX_SPOKES, Options, generate};
use vnetsim_model::{EndpointKind, NextHop, RouteDestination, Scenario, ServiceKind, ServiceTagTable};

fn load(options: Options) -> Scenario {
    vnetsim_testkit::load_named(&format!("{options:?}"), &generate(&options), &ServiceTagTable::builtin())
}

/// Loads, compiles and checks every expectation; returns the fabric for further checks.
fn run(options: Options) -> Fabric {
    let fabric = Fabric::compile(load(options), EngineOptions::default());
    let results = check_scenario(&fabric);
    let failed: Vec<String> =
        results.iter().filter(|r| !r.passed).map(|r| format!("line {}: {}: {:?}", r.line, r.label, r.reason)).collect();
    assert!(
        failed.is_empty(),
        "{options:?}: {} of {} expectations fail:\n{}",
        failed.len(),
        results.len(),
        failed.join("\n")
    );
    fabric
}

/// The scenario's section `key:` as text, up to the next top-level key.
fn section<'a>(yaml: &'a str, key: &str) -> &'a str {
    let start = yaml.find(&format!("\n{key}:\n")).unwrap_or_else(|| panic!("no {key} section")) + key.len() + 3;
    let end = yaml[start..].find("\n\n").map_or(yaml.len(), |e| start + e);
    &yaml[start..end]
}

/// Firewall rules are the only entries nested 14 spaces deep.
fn firewall_rules(yaml: &str) -> usize {
    section(yaml, "firewall_policies").lines().filter(|l| l.starts_with("              - {name:")).count()
}

#[test]
fn the_same_options_give_the_same_bytes_and_the_seed_changes_them() {
    let a = generate(&Options { spokes: 5, seed: 7 });
    assert_eq!(a, generate(&Options { spokes: 5, seed: 7 }));
    assert_ne!(a, generate(&Options { spokes: 5, seed: 8 }));
    assert_ne!(a, generate(&Options { spokes: 6, seed: 7 }));
}

#[test]
fn every_expectation_holds_for_small_sizes_and_several_seeds() {
    for spokes in [0, 1, 3, 10] {
        for seed in [1, 2, 42] {
            let fabric = run(Options { spokes, seed });
            let s = &fabric.scenario;
            // Five shared checks, and per spoke four core ones, the east-west one when there is
            // another spoke, and three from the menu.
            let per_spoke = if spokes > 1 { 8 } else { 7 };
            assert_eq!(s.expectations.len(), 5 + per_spoke * spokes, "{spokes} spokes, seed {seed}");
            // Flows for up to four showcase spokes; audits never (too costly at scale).
            assert_eq!(s.flow_expectations.is_empty(), spokes == 0);
            assert!(s.exfiltration_expectations.is_empty());
        }
    }
}

#[test]
fn many_seeds_stay_valid() {
    // The seed picks the region, the partners, ports, node counts, AKS pools, online endpoints
    // and each spoke's extra checks: none of it may break a file.
    for seed in 100..130 {
        run(Options { spokes: 2, seed });
    }
}

#[test]
fn crossing_an_address_block_and_a_rule_collection_group_stays_valid() {
    // Spoke 256 opens 10.2.0.0/16, spokes 100 and 200 open new landing-zone groups.
    let fabric = run(Options { spokes: 257, seed: 3 });
    let s = &fabric.scenario;
    let last = s.vnets.iter().find(|v| v.name == "s0256").expect("spoke s0256");
    assert_eq!(last.address_space[0].to_string(), "10.2.0.0/24");
    let groups = &s.firewalls[0].policy.groups;
    assert_eq!(groups.iter().filter(|g| g.name.starts_with("landing-zones-")).count(), 3);
}

#[test]
fn each_spoke_is_a_workspace_with_its_subnets_endpoints_and_rules() {
    let n = 10;
    let s = load(Options { spokes: n, seed: 5 });
    // The hub, the shared-services VNet and one per spoke, each peered both ways with the hub.
    assert_eq!(s.vnets.len(), n + 2);
    assert_eq!(s.peerings.len(), 2 * (n + 1));
    let count = |kind| s.services.iter().filter(|x| !x.builtin && x.kind == kind).count();
    assert_eq!(count(ServiceKind::Workspace), n);
    assert_eq!(count(ServiceKind::StorageAccount), n + 1, "one per spoke and the open-data account");
    assert_eq!(count(ServiceKind::KeyVault), n);
    assert_eq!(count(ServiceKind::ContainerRegistry), n);
    assert_eq!(count(ServiceKind::ApplicationInsights), n);
    assert_eq!(s.private_endpoints.len(), 6 * n);
    assert_eq!(s.zones.len(), 7);
    // Every private endpoint registered one record or more in a hub zone (D-2).
    let registered: usize = s.zones.iter().map(|z| z.records.len()).sum();
    assert!(registered >= 6 * n, "{registered} records for {} private endpoints", 6 * n);
    for k in 0..n {
        let id = format!("s{k:04}");
        let vnet = s.vnets.iter().find(|v| v.name == id).unwrap_or_else(|| panic!("no VNet {id}"));
        let subnets: Vec<&str> = vnet.subnets.iter().map(|&i| s.subnet(i).name.as_str()).collect();
        assert_eq!(subnets, ["training", "scoring", "pe"]);
        assert_eq!(vnet.dns_servers.len(), 2, "{id} asks the hub forwarders");
        let pes = s.private_endpoints.iter().filter(|p| p.name.starts_with(&format!("{id}-pe-"))).count();
        assert_eq!(pes, 6, "{id}");
        let compute = s.nsgs.iter().find(|x| x.name == format!("{id}-compute-nsg")).expect("compute NSG");
        // Custom rules plus the six defaults (N-5): tens of rules.
        assert!(compute.rules.len() - 6 >= 30, "{id}: {} custom rules", compute.rules.len() - 6);
        let rt = s.route_tables.iter().find(|r| r.name == format!("{id}-rt")).expect("route table");
        let default = &rt.routes[0];
        assert_eq!(default.destination.to_string(), "0.0.0.0/0");
        assert_eq!(default.next_hop, NextHop::VirtualAppliance("10.0.1.4".parse().unwrap()));
        // service-tag exceptions leave directly.
        let tags: Vec<&RouteDestination> =
            rt.routes.iter().filter(|r| r.next_hop == NextHop::Internet).map(|r| &r.destination).collect();
        assert!(tags.iter().all(|d| matches!(d, RouteDestination::ServiceTag(_))) && tags.len() == 2, "{tags:?}");
        let kinds: Vec<EndpointKind> =
            s.endpoints.iter().filter(|e| e.name.starts_with(&format!("{id}-"))).map(|e| e.kind).collect();
        assert!(kinds.contains(&EndpointKind::ComputeCluster) && kinds.contains(&EndpointKind::ComputeInstance));
    }
    assert!(s.endpoints.iter().any(|e| e.kind == EndpointKind::AksNodePool), "some spoke has an AKS pool");
    assert_eq!(s.firewalls.len(), 1);
    assert_eq!(s.gateways.len(), 1);
    // The line count the scale test relies on is the policy's rule count, inherited ones included.
    let groups = &s.firewalls[0].policy.groups;
    let rules: usize = groups.iter().flat_map(|g| &g.collections).map(|c| c.rules.len()).sum();
    assert_eq!(rules, firewall_rules(&generate(&Options { spokes: n, seed: 5 })));
}

#[test]
fn the_firewall_policy_reaches_thousands_of_rules_and_grows_with_the_spokes() {
    let small = firewall_rules(&generate(&Options { spokes: 100, seed: 9 }));
    let big = firewall_rules(&generate(&Options { spokes: 1000, seed: 9 }));
    assert!(big >= 4000, "{big} rules at 1,000 spokes");
    assert!(big > 8 * small, "{small} rules at 100 spokes, {big} at 1,000");
}

#[test]
fn the_file_is_compact_flow_style_per_spoke() {
    let yaml = generate(&Options { spokes: 20, seed: 11 });
    // Private endpoints, endpoints and services of a spoke are one line each.
    assert_eq!(section(&yaml, "private_endpoints").lines().count(), 6 * 20);
    assert!(section(&yaml, "nsgs").lines().filter(|l| l.trim_start().starts_with("- {name:")).count() > 30 * 20);
}

#[test]
#[should_panic(expected = "spokes fit the address plan")]
fn more_spokes_than_the_address_plan_holds_are_refused() {
    generate(&Options { spokes: MAX_SPOKES + 1, seed: 1 });
}

#[test]
fn past_the_tags_capacity_services_get_explicit_public_ips() {
    // A regional tag of the built-in table holds 4,094 addresses: from spoke 3000 on, services
    // carry their own public IP instead of drawing one, or the loader would run out.
    let yaml = generate(&Options { spokes: 3001, seed: 4 });
    let services = section(&yaml, "services");
    let storage = |k: usize| {
        let name = format!("{k:04}, kind: storage_account, ");
        services.lines().find(|l| l.contains(&name)).unwrap_or_else(|| panic!("no storage account of spoke {k}"))
    };
    let (drawn, written) = (storage(2999), storage(3000));
    assert!(!drawn.contains("public_ip"), "{drawn}");
    assert!(written.contains("public_ip: 52.1."), "{written}");
}
