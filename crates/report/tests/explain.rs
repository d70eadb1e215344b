//! Steps in words: the report agrees with the engine's typed outcome and cites the rule that
//! decided (F-1, F-3, F-12 for a firewall's steps).

use vnetsim_config::place::{End, parse_destination, parse_place};
use vnetsim_engine::trace::Step;
use vnetsim_engine::{DeciderKind, Fabric, StepKind, StepVerdict};
use vnetsim_model::Protocol;
use vnetsim_report::explain::{StepReport, explain};
use vnetsim_testkit::builtin_fabric as fabric;

/// The reports of a connection's request, from `cpu-cluster` to `to`.
fn request(f: &Fabric, to: &str) -> Vec<(Step, StepReport)> {
    let from = parse_place(&f.scenario, "cpu-cluster", End::Source).expect("a source");
    let to = parse_destination(&f.scenario, to).expect("a destination");
    let c = f.connect(from, &to.destination, Protocol::Tcp, 443, 50000).expect("a connection");
    c.request.steps.iter().map(|s| (*s, explain(f, s))).collect()
}

#[test]
fn every_report_carries_the_engine_outcome() {
    let f = fabric("12-hub-firewall.yaml");
    for (step, report) in request(&f, "https://pypi.org") {
        let o = f.outcome(&step);
        assert_eq!((report.kind, report.at, report.decided_by, report.result), (o.kind, o.at, o.decided_by, o.result));
        assert!(!report.detail.is_empty(), "{step:?}");
    }
}

#[test]
fn firewall_steps_cite_the_processing_order() {
    let f = fabric("12-hub-firewall.yaml");
    let steps = request(&f, "https://pypi.org");
    let (_, allow) = steps.iter().find(|(s, _)| matches!(s, Step::Firewall { .. })).expect("a firewall step");
    assert_eq!(allow.result, StepVerdict::Allow);
    assert_eq!(allow.decided_by.as_ref().map(|d| d.kind), Some(DeciderKind::Firewall));
    assert!(allow.headline.starts_with("firewall hub-fw application rule "), "{}", allow.headline);
    assert!(allow.detail.contains("F-1") && allow.detail.contains("F-3"), "{}", allow.detail);
    let (_, snat) = steps.iter().find(|(_, r)| r.kind == StepKind::Snat).expect("a SNAT step");
    assert!(snat.detail.contains("F-12"), "{}", snat.detail);

    let f = fabric("26-variant-firewall-missing-pypi.yaml");
    let steps = request(&f, "https://pypi.org");
    let (_, deny) = steps.iter().find(|(s, _)| matches!(s, Step::Firewall { .. })).expect("a firewall step");
    assert_eq!((deny.result, deny.headline.as_str()), (StepVerdict::Deny, "firewall hub-fw no rule matched"));
    assert!(deny.detail.contains("F-1") && deny.detail.contains("3 rule collections"), "{}", deny.detail);
}
