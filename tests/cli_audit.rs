//! `vnetsim audit` and `vnetsim reach` through the binary: exit codes (audit 1 with findings, 0
//! clean, 2 bad input; reach 0), the human summary's groups, `--detail`'s findings with their
//! openers and witness traces, the JSON schemas, `--from` sources and their errors, F-9 suffix
//! rules and A-15's warning, and byte-identical reruns.

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
    assert!(out.contains("\nno exfiltration path from 3 sources: ci, cpu-cluster[0], aks-pool[0]\n"), "{out}");
    assert!(out.contains("\nread-only egress (not exfiltration): any-host.pythonhosted.org, "), "{out}");
    assert!(out.ends_with("\n0 exfiltration paths\n"), "{out}");

    let (code, out, _) = vnetsim(&["audit", CLEAN, "--detail"]);
    assert_eq!(code, 0);
    for source in ["ci (10.191.1.4)", "cpu-cluster[0] (10.191.1.5)", "aks-pool[0] (10.191.2.4)"] {
        assert!(out.contains(&format!("\n{source}: no exfiltration path\n")), "{source}:\n{out}");
    }
    assert!(out.contains("\n  read-only egress: ") && out.contains(" pypi.org, "), "{out}");
}

/// The summary: one line per (kind of destination, rule that lets the data out), across sources.
#[test]
fn audit_groups_findings_by_kind_and_opening_rule() {
    let (code, out, err) = vnetsim(&["audit", V1]);
    assert_eq!(code, 1, "findings exit 1:\n{out}{err}");
    assert!(
        out.contains("\n4 exfiltration paths in 2 groups, by kind of destination and the rule that lets the data out")
    );
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("  [")).collect();
    assert_eq!(
        lines,
        [
            "  [HIGH] any storage account: 2 paths from 2 sources, opened by nsg training-nsg / storage-region; \
             e.g. any storage account in eastus (Storage.eastus)",
            "  [HIGH] any Azure Front Door endpoint: 2 paths from 2 sources, opened by nsg training-nsg / front-door; \
             e.g. tcp 443 40.72.0.0, 40.72.0.2-40.72.255.255",
        ],
        "{out}"
    );
    assert!(!out.contains("witness request"), "the summary has no traces:\n{out}");
    assert!(out.ends_with("\n4 exfiltration paths\n"), "{out}");
}

#[test]
fn audit_detail_prints_each_finding_with_its_openers_and_witness_trace() {
    let (code, out, err) = vnetsim(&["audit", V1, "--detail"]);
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
fn audit_json_has_the_schema_and_every_finding_in_its_group() {
    let (code, out, _) = vnetsim(&["audit", V1, "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(v["schema"], "vnetsim-audit/2");
    assert_eq!(v["findings"], 4);
    assert_eq!(sources(&v["sources"]), ["cpu-cluster[0]", "ci"]);
    assert!(v["sources"].as_array().unwrap().iter().all(|s| s["findings"] == 2));
    let groups = v["groups"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> =
        groups.iter().map(|g| (g["kind"].as_str().unwrap(), g["by"].as_str().unwrap())).collect();
    assert_eq!(kinds, [("storage_account", "training-nsg/storage-region"), ("front_door", "training-nsg/front-door")]);
    let findings: Vec<&Value> = groups.iter().flat_map(|g| g["findings"].as_array().unwrap()).collect();
    assert_eq!(findings.len(), 4, "every finding, once");
    let by_of = |destination: &str, source: &str| {
        let f = findings
            .iter()
            .find(|f| f["destination"] == destination && f["source"] == source)
            .unwrap_or_else(|| panic!("{destination} from {source}"));
        assert_eq!(f["severity"], "high");
        assert_eq!(f["witness"]["reply"], "works");
        assert_eq!(f["witness"]["request"]["disposition"], "delivered");
        assert!(!f["witness"]["request"]["steps"].as_array().unwrap().is_empty());
        f["by"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    for source in ["cpu-cluster[0]", "ci"] {
        let storage = by_of("any storage account in eastus (Storage.eastus)", source);
        assert!(storage.contains(&"training-nsg/storage-region".into()));
        let front_door = by_of("any Azure Front Door endpoint (AzureFrontDoor.FrontEnd)", source);
        assert!(front_door.contains(&"training-nsg/front-door".into()));
    }

    let (code, out, _) = vnetsim(&["audit", CLEAN, "--format", "json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!((v["schema"].as_str(), v["findings"].as_u64()), (Some("vnetsim-audit/2"), Some(0)));
    assert!(v["groups"].as_array().unwrap().is_empty());
    assert!(v["sources"].as_array().unwrap().iter().all(|s| s["findings"] == 0));
}

#[test]
fn audit_from_replaces_the_protected_sources() {
    // A VM is not protected by default; --from audits it, and its default outbound is a path (O-3).
    let (code, out, _) = vnetsim(&["audit", V1, "--from", "jumpbox", "--detail"]);
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
        vec!["audit", V1, "--detail"],
        vec!["audit", V1, "--format", "json"],
        vec!["reach", V1, "--from", "aml-vnet/training", "--format", "json"],
    ] {
        let first = vnetsim(&args);
        assert_eq!(first, vnetsim(&args), "{args:?} differs between runs");
    }
}

/// A managed network with `*.windows.net` and `*pytorch.org` FQDN rules (F-9, A-15).
const WILDCARDS: &str = "tests/fixtures/managed/a15-f9-wildcards.yaml";

/// `check` warns about an FQDN pattern covering storage hosts (and only that one); the
/// `*suffix` pattern loads (F-9's field note; the old reading refused the file), its expectations
/// pass, and the audit reports the registrable name it opens and no storage account.
#[test]
fn a15_check_warns_and_f9_suffix_rules_are_audited() {
    let (code, out, err) = vnetsim(&["check", WILDCARDS]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let warning = "      warning: the pattern covers Azure Storage hosts, which the managed firewall denies (A-15); \
                   reach storage through a private_endpoint rule";
    let lines: Vec<&str> = out.lines().collect();
    let at = lines.iter().position(|l| *l == warning).unwrap_or_else(|| panic!("no warning:\n{out}"));
    assert!(lines[at - 1].starts_with("    fqdn all-of-windows-net (written): *.windows.net"), "{out}");
    assert_eq!(lines.iter().filter(|l| **l == warning).count(), 1, "not for *pytorch.org:\n{out}");

    let (code, out, _) = vnetsim(&["run", WILDCARDS]);
    assert_eq!(code, 0, "{out}");

    let (code, out, _) = vnetsim(&["audit", WILDCARDS, "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    let kinds: Vec<&str> = v["groups"].as_array().unwrap().iter().map(|g| g["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["registrable_name", "write_capable_host"]);
    let registrable = &v["groups"][0];
    assert_eq!(registrable["by"], "ws-aoao-managed-fw/managed-outbound-rules/fqdn-rules/*pytorch.org");
    assert_eq!(registrable["findings"][0]["witness"]["name"], "attacker-chosen-pytorch.org");
}

/// The summary stays short on a generated landing zone (one line per group, at most ten per
/// kind, the rest counted), and `--detail` and JSON hold every finding.
#[test]
fn the_summary_of_a_generated_zone_is_short_and_detail_lists_every_finding() {
    let dir = std::env::temp_dir().join(format!("vnetsim-cli-audit-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("g12.yaml");
    let (code, yaml, _) = vnetsim(&["gen", "--spokes", "12"]);
    assert_eq!(code, 0);
    std::fs::write(&file, yaml).unwrap();
    let file = file.to_str().unwrap();

    let (_, out, _) = vnetsim(&["audit", file, "--format", "json"]);
    let v = json(&out);
    let findings = v["findings"].as_u64().unwrap() as usize;
    let groups = v["groups"].as_array().unwrap();
    assert!(findings > 100 && groups.len() > 10, "{findings} findings in {} groups", groups.len());
    assert_eq!(groups.iter().map(|g| g["findings"].as_array().unwrap().len()).sum::<usize>(), findings);

    let (code, summary, _) = vnetsim(&["audit", file]);
    assert_eq!(code, 1);
    assert!(summary.lines().count() < 40, "{summary}");
    // The group lines and the "and N more groups" lines account for every path.
    let paths = |line: &str| -> usize {
        let words: Vec<&str> = line.split(' ').collect();
        let at = words.iter().position(|w| *w == "paths" || *w == "path" || *w == "path,").unwrap();
        words[at - 1].parse().unwrap()
    };
    let counted: usize = summary
        .lines()
        .filter(|l| l.starts_with("  [") || l.starts_with("  ... and "))
        .map(|l| paths(l.split_once(": ").unwrap().1))
        .sum();
    assert_eq!(counted, findings, "{summary}");
    assert!(summary.contains("\n  ... and "), "more groups than shown:\n{summary}");

    let (_, detail, _) = vnetsim(&["audit", file, "--detail"]);
    assert_eq!(detail.lines().filter(|l| l.starts_with("  [")).count(), findings);
    std::fs::remove_dir_all(&dir).unwrap();
}
