//! One definition of what a connection achieves, in every command (`engine::Completion`): it
//! works when the request arrives and its reply returns, it is one-way when only the request
//! arrives, and it is denied otherwise. Before, `trace` and `run` called a one-way connection
//! "denied", and nothing said that its request had arrived.

use serde_json::Value;
use std::path::PathBuf;
use vnetsim_testkit::cli::vnetsim;

const S02: &str = "scenarios/02-hub-spoke-nva.yaml";
const S06: &str = "scenarios/06-asymmetric-return.yaml";
/// Scenario 02 under the strict R-15 reading: spoke3's replies through the hub NVA are lost.
const STRICT: &str = "--forwarded-traffic-checks-replies=true";

fn json(args: &[&str]) -> Value {
    let (_, out, err) = vnetsim(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}\n{err}"))
}

/// Scenario 06 with `expect:` replaced by `expectations`, written to a temporary file.
fn scenario_06_expecting(name: &str, expectations: &str) -> PathBuf {
    let text = std::fs::read_to_string(vnetsim_testkit::workspace_root().join(S06)).unwrap();
    let (network, _) = text.split_once("\nexpect:\n").expect("scenario 06 has expectations");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("one-way-{name}.yaml"));
    std::fs::write(&path, format!("{network}\nexpect:\n{expectations}")).unwrap();
    path
}

#[test]
fn trace_says_one_way_when_only_the_request_arrives() {
    let to_internet = ["--from", "app3", "--to", "93.184.216.34", "--port", "53", "--proto", "udp"];
    let (code, out, _) = vnetsim(&[&["trace", S02, STRICT][..], &to_internet].concat());
    assert_eq!(code, 0);
    assert!(
        out.starts_with("app3 -> 93.184.216.34: ONE-WAY (the request arrives; its reply does not return)"),
        "{out}"
    );
    let t = json(&[&["trace", S02, STRICT, "--format", "json"][..], &to_internet].concat());
    assert_eq!((t["verdict"].as_str(), t["disposition"].as_str()), (Some("one_way"), Some("peering_blocked")));
    // The revised reading (the default) gives the replies back: the same connection works.
    let t = json(&[&["trace", S02, "--format", "json"][..], &to_internet].concat());
    assert_eq!(t["verdict"], "allowed");
}

#[test]
fn run_judges_one_way_outcomes_and_says_why_they_fail() {
    let (code, out, err) = vnetsim(&["run", S06]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("(one_way by edge-nva)"), "{out}");

    let file = scenario_06_expecting(
        "failing",
        "  - {name: allowed but one-way, from: internet, to: web-forced, protocol: udp, port: 443, outcome: allowed}\n\
         \x20 - {name: one-way but works, from: internet, to: web-excepted, protocol: tcp, port: 443, outcome: one_way}\n\
         \x20 - {name: one-way but denied, from: internet, to: web-forced, protocol: tcp, port: 22, outcome: one_way}\n\
         \x20 - {name: one-way by the wrong object, from: internet, to: web-forced, protocol: tcp, port: 443, outcome: one_way, by: web-nsg}\n\
         \x20 - {name: denied holds for one-way, from: internet, to: web-forced, protocol: tcp, port: 443, outcome: denied, by: edge-nva}\n",
    );
    let (code, out, _) = vnetsim(&["run", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    for (label, reason) in [
        (
            "allowed but one-way",
            "expected allowed, but it is one-way: the request arrives and the reply was asymmetric_drop by edge-nva",
        ),
        ("one-way but works", "expected one-way, but the reply returns: the connection works"),
        ("one-way but denied", "expected one-way, but the request was denied_by_nsg by web-nsg"),
        (
            "one-way by the wrong object",
            "expected one-way with the reply dropped by web-nsg, but it was asymmetric_drop by edge-nva",
        ),
    ] {
        let line = out.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("{label}:\n{out}"));
        assert!(line.starts_with("FAIL") && line.contains(reason), "{line}");
    }
    assert!(
        out.lines().any(|l| l.starts_with("PASS") && l.contains("denied holds for one-way (one_way by edge-nva)")),
        "{out}"
    );
    let suite = json(&["run", file.to_str().unwrap(), "--format", "json"]);
    let actual: Vec<&str> =
        suite["files"][0]["results"].as_array().unwrap().iter().map(|r| r["actual"].as_str().unwrap()).collect();
    assert_eq!(actual, ["one_way", "allowed", "denied", "one_way", "one_way"]);
}

#[test]
fn reach_and_audit_label_one_way_groups() {
    let reach = json(&["reach", S02, "--from", "app3", STRICT, "--format", "json"]);
    let groups: Vec<&Value> = reach["sources"][0]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["reached"].as_array().unwrap())
        .collect();
    assert!(groups.iter().any(|g| g["completion"] == "one_way" && g["protocol"] == "udp"), "{reach}");
    assert!(groups.iter().all(|g| g["completion"] != "one_way" || g["reply"] != "works"));

    let audit = json(&["audit", S02, "--from", "app3", STRICT, "--format", "json"]);
    let ports: Vec<&str> = audit["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["findings"].as_array().unwrap())
        .flat_map(|f| f["ports"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    // UDP data leaves one way (an exfiltration path); a TCP path without its reply carries none.
    assert!(ports.contains(&"udp * one-way"), "{ports:?}");
    assert!(!ports.iter().any(|p| p.starts_with("tcp") && p.ends_with("one-way")), "{ports:?}");
}

#[test]
fn diff_labels_a_connection_that_turns_one_way() {
    // Scenario 02 with the strict R-15 reading: app3's replies through the hub NVA are lost.
    let base = vnetsim_testkit::workspace_root().join(S02);
    let strict = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("one-way-02-strict.yaml");
    let text =
        format!("extends: {}\nname: strict\noptions:\n  forwarded_traffic_checks_replies: true\n", base.display());
    std::fs::write(&strict, text).unwrap();
    let diff = json(&["diff", S02, strict.to_str().unwrap(), "--format", "json"]);
    let traffic = diff["traffic"].as_array().expect("traffic changes");
    let from_app3 =
        |t: &&Value| t["sources"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().starts_with("app3"));
    // UDP still carries its data one way: the path changed, and the after side says one-way.
    let udp = traffic.iter().filter(from_app3).find(|t| t["protocol"] == "udp").expect("a UDP change from app3");
    assert_eq!(udp["change"], "changed_path", "{udp}");
    assert_eq!(
        (udp["before"]["completion"].as_str(), udp["after"]["completion"].as_str()),
        (Some("works"), Some("one_way"))
    );
    assert!(udp["after"]["outcome"].as_str().unwrap().starts_with("one-way (reply peering_blocked)"), "{udp}");
    // TCP carries nothing without its reply: lost access.
    let tcp = traffic.iter().filter(from_app3).find(|t| t["protocol"] == "tcp").expect("a TCP change from app3");
    assert_eq!((tcp["change"].as_str(), tcp["after"]["completion"].as_str()), (Some("lost_access"), Some("one_way")));
}
