//! R-15, revised from deployed networks ([FIELD]): `allowForwardedTraffic` judges packets that
//! open a flow, not the replies of a flow a NIC of the receiving VNet opened. Scenario 02's
//! spoke3 peering leaves the flag off; its traffic through the hub NVA gets its replies under
//! the revised reading and loses them under the strict one (`forwarded_traffic_checks_replies`).

use vnetsim_engine::trace::PeeringCheck;
use vnetsim_engine::{Fabric, Options, Step};
use vnetsim_testkit::{builtin_scenario_text, connect_port, fabric_with, outcome};

fn scenario_02(strict: bool) -> Fabric {
    let options = Options { forwarded_traffic_checks_replies: strict, ..Options::default() };
    fabric_with(&builtin_scenario_text("02-hub-spoke-nva"), options)
}

/// The peering checks a walk made, in order.
fn peering_checks(steps: &[Step]) -> Vec<PeeringCheck> {
    steps.iter().filter_map(|s| if let Step::Peering { check, .. } = s { Some(*check) } else { None }).collect()
}

#[test]
fn r15_replies_of_a_flow_the_vnet_opened_pass_a_peering_that_refuses_forwarded_traffic() {
    let f = scenario_02(false);
    for to in ["app1", "93.184.216.34"] {
        let c = connect_port(&f, "app3", to, 443);
        assert_eq!(outcome(&f, &c), "allowed", "app3 -> {to}");
        // The reply comes into spoke3 forwarded by the NVA: exempt as a reply, not passed as if
        // the flag were set.
        assert!(
            peering_checks(&c.reply.steps).contains(&PeeringCheck::ReplyExempt),
            "app3 -> {to}: {:?}",
            c.reply.steps
        );
    }
    // New flows are judged as before: spoke1 -> NVA -> spoke3 is refused where it enters spoke3.
    let c = connect_port(&f, "app1", "app3", 443);
    assert_eq!(outcome(&f, &c), "peering_blocked by spoke3-to-hub");
    assert!(peering_checks(&c.request.steps).contains(&PeeringCheck::ForwardedTrafficRefused));
}

#[test]
fn r15_strict_reading_refuses_forwarded_replies_too() {
    let f = scenario_02(true);
    for to in ["app1", "93.184.216.34"] {
        let c = connect_port(&f, "app3", to, 443);
        assert_eq!(outcome(&f, &c), "reply peering_blocked by spoke3-to-hub", "app3 -> {to}");
        assert!(peering_checks(&c.reply.steps).contains(&PeeringCheck::ForwardedTrafficRefused));
    }
    let c = connect_port(&f, "app1", "app3", 443);
    assert_eq!(outcome(&f, &c), "peering_blocked by spoke3-to-hub");
}

#[test]
fn r15_replies_into_a_vnet_that_accepts_forwarded_traffic_pass_as_before() {
    // spoke1 allows forwarded traffic: its replies pass the plain check under either reading.
    for strict in [false, true] {
        let f = scenario_02(strict);
        let c = connect_port(&f, "app2", "app1", 443);
        assert_eq!(outcome(&f, &c), "allowed");
        assert!(!peering_checks(&c.reply.steps).contains(&PeeringCheck::ReplyExempt));
    }
}
