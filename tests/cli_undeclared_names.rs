//! Names nobody declared, on the command line: `trace` follows a foreign storage account to
//! where the audit says data can go, `--foreign-region` moves it, and an internet name gets
//! its stand-in address (the trace says so) instead of NXDOMAIN.

use vnetsim_testkit::cli::vnetsim;

const S18: &str = "scenarios/18-hub-spoke-firewall-custom-dns.yaml";

#[test]
fn trace_reaches_the_foreign_storage_account_the_audit_warns_about() {
    let (code, audit, _) = vnetsim(&["audit", S18]);
    assert_eq!(code, 1, "scenario 18 has an exfiltration finding");
    assert!(audit.contains("any storage account in eastus"), "{audit}");

    let (code, out, err) =
        vnetsim(&["trace", S18, "--from", "cpu-cluster", "--to", "https://someone.blob.core.windows.net"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("cpu-cluster -> https://someone.blob.core.windows.net: ALLOWED"), "{out}");
    assert!(out.contains("a foreign storage account at an address of Storage.eastus"), "{out}");
    assert!(out.contains("service any-storage-account.eastus"), "{out}");

    let (code, out, err) = vnetsim(&[
        "trace",
        S18,
        "--from",
        "cpu-cluster",
        "--to",
        "https://someone.blob.core.windows.net",
        "--foreign-region",
        "WestUS",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DENIED"), "the firewall allows Storage.eastus only:\n{out}");
    assert!(out.contains("address of Storage.westus"), "{out}");
}

#[test]
fn an_internet_name_gets_a_stand_in_and_a_bad_region_is_a_usage_error() {
    let (code, out, _) =
        vnetsim(&["trace", S18, "--from", "cpu-cluster", "--to", "https://example.com", "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let answers = json["dns"]["answers"].as_array().expect("answers");
    assert_eq!(answers.last().unwrap()["record"], "A 198.18.133.233", "{out}");
    assert!(answers.last().unwrap()["source"].as_str().unwrap().contains("stands in"), "{out}");

    let (code, _, err) =
        vnetsim(&["trace", S18, "--from", "cpu-cluster", "--to", "x.test", "--foreign-region", "west us"]);
    assert_eq!(code, 2);
    assert!(err.contains("a region is letters and digits"), "{err}");
}
