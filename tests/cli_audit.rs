//! `vnetsim audit` and `vnetsim reach` through the binary: exit codes (audit 1 with findings, 0
//! clean, 2 bad input; reach 0), the human report's findings with their openers and witness
//! traces, the JSON schemas, `--from` sources and their errors, and byte-identical reruns.

use serde_json::Value;
use vnetsim_testkit::cli::{error_headers, vnetsim};

/// The recommended exfiltration-prevention architecture: audits clean (000, S-5..S-7).
const CLEAN: &str = "scenarios/19-data-exfiltration-prevention.yaml";
/// The v1 secure workspace, whose NSG opens Storage.eastus and AzureFrontDoor.FrontEnd.
const V1: &str = "scenarios/22-v1-secure-workspace.yaml";

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

/// The `source` of each per-source section of an audit or reach JSON report.
fn sources(list: &Value) -> Vec<&str> {
    list.as_array().expect("a list").iter().map(|s| s["source"].as_str().expect("a source")).collect()
}

#[test]
fn audit_of_the_exfiltration_prevention_architecture_is_clean() {
    let (code, out, err) = vnetsim(&["audit", CLEAN]);
    assert_eq!(code, 0, "no finding exits 0:\n{out}{err}");
    assert_eq!(err, "");
    assert!(
        out.starts_with(&format!("exfiltration audit of {CLEAN} (data-exfiltration-prevention): 3 protected sources"))
    );
    for source in ["ci (10.191.1.4)", "cpu-cluster[0] (10.191.1.5)", "aks-pool[0] (10.191.2.4)"] {
        assert!(out.contains(&format!("\n{source}: no exfiltration path\n")), "{source}:\n{out}");
    }
    assert!(out.contains("\n  read-only egress: ") && out.contains(" pypi.org, "), "{out}");
    assert!(out.ends_with("\n0 exfiltration paths\n"), "{out}");
}

#[test]
fn audit_prints_each_finding_with_its_openers_and_witness_trace() {
    let (code, out, err) = vnetsim(&["audit", V1]);
    assert_eq!(code, 1, "findings exit 1:\n{out}{err}");
    for source in ["cpu-cluster[0] (10.40.1.4)", "ci (10.40.1.6)"] {
        assert!(out.contains(&format!("\n{source}: 2 exfiltration paths\n")), "{source}:\n{out}");
    }
    let cluster = out.split("\nci (10.40.1.6)").next().unwrap();
    let storage = cluster.split("\n  [HIGH] any storage account in eastus (Storage.eastus)\n").nth(1).expect("finding");
    let lines: Vec<&str> = storage.lines().collect();
    assert_eq!(lines[0], "    ports: tcp 443");
    assert!(lines[2].starts_with("    opened by: nsg training-nsg / storage-region; "), "{}", lines[2]);
    assert!(lines[2].contains("nat_gateway training-nat"), "the egress that lets it out: {}", lines[2]);
    assert!(
        lines[3].starts_with("    witness: tcp 10.40.1.4:50000 -> 40.68."),
        "a Storage.eastus address: {}",
        lines[3]
    );
    let trace = &lines[4..];
    assert!(trace.iter().any(|l| l.starts_with("    witness request: tcp 10.40.1.4:50000 -> 40.68.")), "{storage}");
    assert!(trace.iter().any(|l| l.contains("ALLOW") && l.contains("nsg training-nsg rule storage-region")));
    assert!(trace.iter().any(|l| l.starts_with("    witness reply: tcp 40.68.")), "{storage}");
    assert!(trace.iter().filter(|l| l.trim() == "=> delivered").count() >= 2, "request and reply delivered");
    assert!(cluster.contains("\n  [HIGH] any Azure Front Door endpoint (AzureFrontDoor.FrontEnd)\n"), "{cluster}");
    assert!(cluster.contains("\n    opened by: nsg training-nsg / front-door; "), "{cluster}");
    assert!(out.ends_with("\n4 exfiltration paths\n"), "{out}");
}

#[test]
fn audit_json_has_the_schema_and_by_names_of_each_finding() {
    let (code, out, _) = vnetsim(&["audit", V1, "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(v["schema"], "vnetsim-audit/1");
    assert_eq!(v["findings"], 4);
    assert_eq!(sources(&v["sources"]), ["cpu-cluster[0]", "ci"]);
    let findings = v["sources"][0]["findings"].as_array().unwrap();
    let by_of = |destination: &str| {
        let f = findings.iter().find(|f| f["destination"] == destination).unwrap_or_else(|| panic!("{destination}"));
        assert_eq!(f["severity"], "high");
        assert_eq!(f["witness"]["reply"], "works");
        assert_eq!(f["witness"]["request"]["disposition"], "delivered");
        assert!(!f["witness"]["request"]["steps"].as_array().unwrap().is_empty());
        f["by"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert!(by_of("any storage account in eastus (Storage.eastus)").contains(&"training-nsg/storage-region".into()));
    assert!(
        by_of("any Azure Front Door endpoint (AzureFrontDoor.FrontEnd)").contains(&"training-nsg/front-door".into())
    );

    let (code, out, _) = vnetsim(&["audit", CLEAN, "--format", "json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!((v["schema"].as_str(), v["findings"].as_u64()), (Some("vnetsim-audit/1"), Some(0)));
    assert!(v["sources"].as_array().unwrap().iter().all(|s| s["findings"].as_array().unwrap().is_empty()));
}

#[test]
fn audit_from_replaces_the_protected_sources() {
    // A VM is not protected by default; --from audits it, and its default outbound is a path (O-3).
    let (code, out, _) = vnetsim(&["audit", V1, "--from", "jumpbox"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(": 1 protected source, ") && out.contains("\njumpbox (10.40.3.4): "), "{out}");
    assert!(!out.contains("cpu-cluster"), "{out}");

    // A subnet stands for its endpoints, each once; repeated --from adds up.
    let (_, by_subnet, _) = vnetsim(&["audit", V1, "--from", "aml-vnet/training", "--format", "json"]);
    let (_, by_name, _) = vnetsim(&["audit", V1, "--from", "cpu-cluster", "--from", "ci", "--format", "json"]);
    assert_eq!(sources(&json(&by_subnet)["sources"]), ["cpu-cluster[0]", "ci"]);
    assert_eq!(sources(&json(&by_name)["sources"]), ["cpu-cluster[0]", "ci"]);
}

#[test]
fn sni_spoofing_tries_every_name_at_every_address() {
    let classes = |extra: &[&str]| {
        let mut args = vec!["audit", CLEAN, "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, _) = vnetsim(&args);
        (code, json(&out)["classes"].as_u64().unwrap())
    };
    let (honest_code, honest) = classes(&[]);
    let (spoofed_code, spoofed) = classes(&["--sni-spoofing"]);
    assert!(spoofed > honest, "{spoofed} classes with spoofing, {honest} without");
    // The AKS pool's Front Door and MCR names, sent to an undeclared storage account (F-8).
    assert_eq!((honest_code, spoofed_code), (0, 1));
}

#[test]
fn reach_prints_each_destination_with_its_groups() {
    let (code, out, err) = vnetsim(&["reach", CLEAN, "--from", "cpu-cluster"]);
    assert_eq!(code, 0, "reachability is an answer:\n{err}");
    assert!(
        out.starts_with(&format!("reach from cpu-cluster[0] (10.191.1.5) in {CLEAN} (data-exfiltration-prevention): "))
    );
    let section = |heading: &str| {
        let start = out.find(&format!("\n\n{heading}\n")).unwrap_or_else(|| panic!("no {heading}:\n{out}"));
        out[start + 2..].split("\n\n").next().unwrap().to_string()
    };
    // The own storage through its private endpoint (P-1), pypi.org by name through the firewall (F-8).
    let mlstore = section("service mlstore");
    assert!(
        mlstore.contains("\n  tcp 10.191.3.11 port *\n") && mlstore.contains("private endpoint pe-blob"),
        "{mlstore}"
    );
    let pypi = section("service pypi.org");
    assert!(pypi.contains("\n  tcp 203.0.113.20 port 443 named pypi.org\n"), "{pypi}");
    assert!(pypi.contains("application rule DefaultApplicationRuleCollectionGroup/training-hosts/python allow"));
    assert!(pypi.contains("\n    witness: tcp 10.191.1.5:50000 -> 203.0.113.20:443 (SNI pypi.org)"), "{pypi}");
    let blocked = out.lines().last().unwrap();
    assert!(blocked.starts_with("blocked classes by disposition: ") && blocked.contains("denied_by_firewall "));
    // Protocols without ports print none.
    let neighbour = section("endpoint ci (spoke/training)");
    assert!(neighbour.contains("\n  icmp 10.191.1.4\n"), "{neighbour}");
}

#[test]
fn reach_from_a_subnet_covers_every_endpoint_in_it() {
    let (code, out, _) = vnetsim(&["reach", CLEAN, "--from", "spoke/training", "--format", "json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    // The compute instance and both cluster nodes: every NIC of the subnet that starts connections.
    assert_eq!(v["schema"], "vnetsim-reach/2");
    assert_eq!(sources(&v["sources"]), ["ci", "cpu-cluster[0]", "cpu-cluster[1]"]);
    let reports = v["sources"].as_array().unwrap();
    assert!(reports.iter().all(|r| r["file"] == CLEAN));
    assert!(reports.iter().all(|r| !r["destinations"].as_array().unwrap().is_empty()));

    let (_, human, _) = vnetsim(&["reach", CLEAN, "--from", "spoke/training"]);
    let headings: Vec<&str> = human.lines().filter(|l| l.starts_with("reach from ")).collect();
    assert_eq!(headings.len(), 3, "{headings:?}");
}

#[test]
fn unknown_sources_exit_2_with_the_choices() {
    for command in ["reach", "audit"] {
        let (code, out, err) = vnetsim(&[command, CLEAN, "--from", "nope"]);
        assert_eq!((code, out.as_str()), (2, ""), "{command}: {err}");
        assert!(
            err.starts_with(
                "error: --from: `nope` is no endpoint or subnet of the scenario; choose one of: \
                 ci, cpu-cluster, aks-pool, jumpbox, "
            ),
            "{command}: {err}"
        );
        assert!(err.contains("spoke/training"), "subnets are choices too: {err}");
    }
    let (code, _, err) = vnetsim(&["reach", CLEAN, "--from", "cpu-cluster[7]"]);
    assert_eq!((code, err.as_str()), (2, "error: --from: `cpu-cluster` has 2 nodes (0 to 1); node 7 does not exist\n"));
    let (code, _, err) = vnetsim(&["audit", CLEAN, "--from", "spoke/pe"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: --from: subnet `spoke/pe` has no endpoint that starts connections; choose one of: ci,"),
        "{err}"
    );
}

#[test]
fn a_broken_scenario_exits_2_with_located_errors() {
    let file = "tests/fixtures/broken/audit-expect-by-no-exfiltration.yaml";
    for command in [vec!["audit", file], vec!["reach", file, "--from", "cpu-cluster"]] {
        let (code, out, err) = vnetsim(&command);
        assert_eq!((code, out.as_str()), (2, ""), "{command:?}: {err}");
        let headers = error_headers(&err);
        assert_eq!(headers.len(), 1, "{err}");
        assert!(headers[0].starts_with(&format!("{file}:17:55: error: `by` names what opens the path")), "{err}");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    for args in [
        vec!["audit", V1],
        vec!["audit", V1, "--format", "json"],
        vec!["reach", V1, "--from", "aml-vnet/training", "--format", "json"],
    ] {
        let first = vnetsim(&args);
        assert_eq!(first, vnetsim(&args), "{args:?} differs between runs");
    }
}
