//! The request path and the allow rules that `via:`/`not_via:` and `by:` on allowed read
//! (issue 21), on the topology of `tests/fixtures/assertions/hub-spoke.yaml`.

use vnetsim_analysis::expectation::allowed_by;
use vnetsim_analysis::path::{crossed, crosses};
use vnetsim_engine::Fabric;
use vnetsim_model::{PathObject, PeeringId};
use vnetsim_testkit::{connect, connect_port, fabric, workspace_root};

fn hub_spoke() -> Fabric {
    let yaml = std::fs::read_to_string(workspace_root().join("tests/fixtures/assertions/hub-spoke.yaml")).unwrap();
    fabric(&yaml)
}

fn peering(f: &Fabric, name: &str) -> PathObject {
    let i = f.scenario.peerings.iter().position(|p| p.name == name).unwrap();
    PathObject::Peering(PeeringId::from_index(i))
}

fn names(f: &Fabric, path: &[PathObject]) -> Vec<String> {
    path.iter().map(|o| vnetsim_report::explain::path_object_name(f, *o)).collect()
}

#[test]
fn a_denied_request_crossed_only_what_let_it_through() {
    // The hub firewall denies github.com (F-1): the request passed its subnet, the UDR and the
    // peering, but not the firewall (nor, with it, the firewall's subnet). Counting a blocking
    // step as crossed would put `hub-fw` on the path.
    let f = hub_spoke();
    let c = connect(&f, "worker", "https://github.com");
    assert!(!c.allowed());
    let path = crossed(&f, &c.request.steps);
    assert_eq!(names(&f, &path), ["spoke/work", "work-rt/default-via-fw", "spoke-to-hub"]);
}

#[test]
fn a_peering_name_stands_for_both_directions() {
    // Spoke to app crosses spoke->hub and hub->app; either side's name matches (a name per
    // direction would make `via: [hub-to-spoke]` fail for spoke-to-hub traffic).
    let f = hub_spoke();
    let c = connect_port(&f, "worker", "api1", 443);
    let path = crossed(&f, &c.request.steps);
    for name in ["spoke-to-hub", "hub-to-spoke", "app-to-hub", "hub-to-app"] {
        assert!(crosses(&f, &path, peering(&f, name)), "{name} in {:?}", names(&f, &path));
    }
    // The path names the sending side, in the packet's direction.
    assert!(names(&f, &path).contains(&"hub-to-app".to_string()), "{:?}", names(&f, &path));
}

#[test]
fn allowed_by_lists_every_allow_of_the_request_in_order() {
    // The source NSG's rule, the firewall's network rule, then the storage account's admission:
    // `by:` on allowed may name any of them, not only the last.
    let f = hub_spoke();
    let c = connect(&f, "worker", "https://datastore.blob.core.windows.net");
    assert!(c.allowed());
    let rules: Vec<String> = allowed_by(&f, &c.request.steps).iter().map(ToString::to_string).collect();
    assert_eq!(rules, ["work-nsg/allow-https-out", "hub-fw/rules/net/storage", "datastore/public_network_access"]);
}
