//! Issue 21, assertions: `via:` / `not_via:` (objects the request must or must not cross),
//! `by:` on `outcome: allowed` (a rule that allowed the request), `seen_as:` (the source the
//! destination sees), their located errors, a service tag as `from:` naming the built-in source
//! that stands for it, and a load balancer without a rule named as the decider.
//!
//! Every case runs the topology of `tests/fixtures/assertions/hub-spoke.yaml` with its own
//! `expect:` block: the fixture's own expectations all hold, and the ones here fail or are
//! refused.

use serde_json::Value;
use std::path::PathBuf;
use vnetsim_testkit::cli::{error_headers, vnetsim};

const FIXTURE: &str = "tests/fixtures/assertions/hub-spoke.yaml";

fn fixture_text() -> String {
    std::fs::read_to_string(vnetsim_testkit::workspace_root().join(FIXTURE)).unwrap()
}

/// The fixture's topology with `expect` as its expectations, written to a file of its own;
/// returns the file and the line of the first expectation.
fn with_expectations(test: &str, expect: &str) -> (PathBuf, usize) {
    let text = fixture_text();
    let topology = &text[..text.find("\nexpect:\n").unwrap() + 1];
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_assertions");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{test}.yaml"));
    std::fs::write(&file, format!("{topology}expect:\n{expect}")).unwrap();
    (file, topology.lines().count() + 2)
}

#[test]
fn the_fixture_s_assertions_hold() {
    // Each would fail if the feature were wrong: `seen_as: hub-fw` if the firewall did not SNAT
    // (F-12) or seen_as ignored translations, `seen_as: spoke-nat` and `default_outbound_access`
    // if the egress address (O-2, O-3) were not what storage sees, `via: [spoke-to-hub,
    // app-to-hub]` if a peering's name stood for one direction only, `by:
    // work-nsg/allow-https-out` if `by:` on allowed read only the last allow, `via` on a denial
    // if a blocked step counted as crossed, and `by: web-lb` if a frontend without a rule named
    // nothing (the old behaviour).
    let (code, stdout, stderr) = vnetsim(&["run", FIXTURE]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with("8 passed, 0 failed\n"), "{stdout}");
    assert!(stdout.contains("(allowed by hub-fw/rules/net/storage)"), "a passing `by:` on allowed is shown:\n{stdout}");
    assert!(stdout.contains("(denied by web-lb)"), "{stdout}");
}

#[test]
fn failed_assertions_name_the_object_and_the_path() {
    let storage = "to: https://datastore.blob.core.windows.net, outcome: allowed";
    let expect = format!(
        "  - {{from: worker, {storage}, via: [spoke-nat]}}
  - {{from: runner, {storage}, not_via: [spoke-nat]}}
  - {{from: worker, {storage}, seen_as: spoke-nat}}
  - {{from: worker, {storage}, by: work-nsg/deny-other-out}}
  - {{from: worker, to: api1, port: 443, outcome: allowed, not_via: [app-to-hub]}}
  - {{from: worker, to: api1, port: 443, outcome: allowed, seen_as: hub-fw}}
  - {{from: worker, to: api1, port: 443, outcome: allowed, via: [work-rt/default-via-fw]}}
"
    );
    let (file, _) = with_expectations("failing", &expect);
    let (code, stdout, stderr) = vnetsim(&["run", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let reasons: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    let expected = [
        "expected the request to cross spoke-nat, but it does not; its path: spoke/work -> work-rt/default-via-fw -> spoke-to-hub -> hub/AzureFirewallSubnet -> hub-fw",
        "expected the request not to cross spoke-nat, but it does; its path: spoke/direct -> spoke-nat",
        "expected the destination to see the source as spoke-nat, but it sees 20.10.0.10 (the source translated by hub-fw)",
        "expected allowed by work-nsg/deny-other-out, but the request was allowed by work-nsg/allow-https-out, hub-fw/rules/net/storage, datastore/public_network_access",
        // A peering's name stands for the pair: `app-to-hub` is crossed from hub to app.
        "expected the request not to cross app-to-hub, but it does; its path: spoke/work -> work-rt/app-via-nva -> spoke-to-hub -> hub/nva -> router -> hub-to-app -> app/api",
        "expected the destination to see the source as hub-fw, but it sees 10.1.1.4 (the source untranslated)",
        // Another route of the same table does not count as this one.
        "expected the request to cross work-rt/default-via-fw, but it does not; its path: spoke/work -> work-rt/app-via-nva",
    ];
    assert_eq!(reasons.len(), expected.len(), "{stdout}");
    for (line, reason) in reasons.iter().zip(expected) {
        assert!(line.contains(reason), "expected `{reason}` in\n{line}");
    }

    // JSON, JUnit and SARIF carry the same words; `expected_by` is the `by:` of an allowed entry.
    let (_, json, _) = vnetsim(&["run", file.to_str().unwrap(), "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let results = json["files"][0]["results"].as_array().unwrap();
    assert_eq!(results[3]["expected"], "allowed");
    assert_eq!(results[3]["expected_by"], "work-nsg/deny-other-out");
    assert!(results[0]["reason"].as_str().unwrap().starts_with(expected[0]));
    for format in ["junit", "sarif"] {
        let (_, out, _) = vnetsim(&["run", file.to_str().unwrap(), "--format", format]);
        assert!(out.contains("expected the request not to cross spoke-nat, but it does"), "{format}:\n{out}");
    }
}

#[test]
fn misused_assertion_keys_get_located_errors() {
    // (entry, message, help); each entry is alone in its file, and the error is on its line.
    let storage = "to: https://datastore.blob.core.windows.net";
    let cases = [
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, via: [hub-fx]}}"),
            "`via: hub-fx` names no object of this scenario",
            "did you mean `hub-fw`?",
        ),
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, not_via: [old-vm]}}"),
            "`not_via: old-vm` names a vm, which a request does not cross",
            "`via` and `not_via` name what a request crosses",
        ),
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, via: [spoke]}}"),
            "`via: spoke` names a VNet, which a request does not cross",
            "a subnet `vnet/subnet`",
        ),
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, via: [work-rt/default]}}"),
            "`via: work-rt/default`: route table `work-rt` has no route `default`",
            "its routes: default-via-fw, app-via-nva",
        ),
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, via: [hub-fw], not_via: [hub-fw]}}"),
            "`hub-fw` is in both `via` and `not_via`",
            "",
        ),
        (format!("  - {{from: worker, {storage}, outcome: allowed, via: []}}"), "`via` lists no object", ""),
        (
            format!("  - {{from: worker, {storage}, outcome: denied, seen_as: hub-fw}}"),
            "`seen_as` says what the destination sees; it goes with `outcome: allowed`",
            "",
        ),
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, seen_as: hub-fv}}"),
            "`seen_as: hub-fv` is no address and names nothing that sends or translates",
            "did you mean `hub-fw`?",
        ),
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, seen_as: 20.10.0.010}}"),
            "`seen_as`: invalid prefix `20.10.0.010`: octet `010` has a leading zero",
            "",
        ),
        (
            format!("  - {{from: worker, {storage}, outcome: allowed, by: work-nsg/allow-http}}"),
            "`by: work-nsg/allow-http`: NSG `work-nsg` has no rule `allow-http`",
            "did you mean `work-nsg/allow-https-out`?",
        ),
        (
            "  - {from: worker, outcome: no_exfiltration, via: [hub-fw]}".to_string(),
            "`via` does not apply to `outcome: no_exfiltration`",
            "",
        ),
        (
            // A tag is no place; the built-in service whose public IP is drawn from it is.
            "  - {from: AzureMachineLearning, to: api1, port: 443, outcome: allowed}".to_string(),
            "`AzureMachineLearning` is a service tag, not a place: the built-in source `azureml-service` stands for it (its public IP 40.65.0.1 is in AzureMachineLearning.eastus)",
            "",
        ),
    ];
    for (i, (entry, message, help)) in cases.iter().enumerate() {
        let (file, line) = with_expectations(&format!("error-{i}"), &format!("{entry}\n"));
        let file = file.to_str().unwrap();
        let (code, _, stderr) = vnetsim(&["check", file]);
        assert_eq!(code, 2, "{entry}\n{stderr}");
        let headers = error_headers(&stderr);
        assert_eq!(headers.len(), 1, "exactly one error for {entry}:\n{stderr}");
        let at = format!("{file}:{line}:");
        assert!(headers[0].starts_with(&at), "expected line {line} for {entry}:\n{stderr}");
        assert!(headers[0].contains(&format!(": error: {message}")), "expected `{message}` for {entry}:\n{stderr}");
        let help_line = stderr.lines().find(|l| l.trim_start().starts_with("= help: ")).unwrap_or_default();
        assert!(help_line.contains(help), "expected help `{help}` for {entry}:\n{stderr}");
    }
}
