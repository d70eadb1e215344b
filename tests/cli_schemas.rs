//! Issue 18: every JSON output carries its versioned schema id, and validates against the schema
//! of that id in `docs/schemas/` (generated from the report types; `crates/report/tests/schemas.rs`
//! keeps the files in step with the types).

use serde_json::Value;
use std::path::Path;
use vnetsim_testkit::cli::vnetsim;

const S01: &str = "scenarios/01-single-vnet-nsgs.yaml";
const S18: &str = "scenarios/18-hub-spoke-firewall-custom-dns.yaml";

/// Runs a command with `--format json` and checks its output against the schema it names.
fn assert_valid(args: &[&str], schema_id: &str) {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    let (code, stdout, stderr) = vnetsim(&args);
    assert!(code == 0 || code == 1, "{args:?} exited {code}:\n{stderr}");
    let output: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{stdout}"));
    assert_eq!(output["schema"], schema_id, "{args:?}");
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(format!("{}.json", schema_id.replace('/', "-")));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let errors: Vec<String> =
        validator.iter_errors(&output).take(5).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{args:?} does not match {}:\n{}", file.display(), errors.join("\n"));
}

#[test]
fn issue_18_every_json_output_validates_against_its_schema() {
    assert_valid(&["trace", S01, "--from", "internet", "--to", "web2", "--port", "443"], "vnetsim-trace/1");
    assert_valid(&["trace", S18, "--from", "cpu-cluster", "--to", "https://pypi.org"], "vnetsim-trace/1");
    assert_valid(&["run", S01, "scenarios/12-hub-firewall.yaml", "tests/fixtures/failing.yaml"], "vnetsim-suite/1");
    assert_valid(&["flows", S18], "vnetsim-flows/1");
    assert_valid(&["flows", "--list"], "vnetsim-catalogue/1");
    assert_valid(&["reach", S18, "--from", "spoke/training"], "vnetsim-reach/2");
    assert_valid(&["audit", "scenarios/29-variant-exfiltration-storage-on-firewall.yaml"], "vnetsim-audit/2");
    assert_valid(
        &["diff", "scenarios/12-hub-firewall.yaml", "scenarios/26-variant-firewall-missing-pypi.yaml"],
        "vnetsim-diff/2",
    );
    assert_valid(&["replay", "scenarios/12-hub-firewall.yaml", "--packets", "2000"], "vnetsim-replay/1");
    assert_valid(&["check", S01, "scenarios/16-managed-vnet-approved-outbound.yaml"], "vnetsim-check/1");
    assert_valid(&["routes", S18, "--subnet", "spoke/training"], "vnetsim-routes/1");
    assert_valid(&["bench", "--spokes", "2", "--packets", "500", "--rounds", "1"], "vnetsim-bench/1");
    assert_valid(&["graph", S18], "vnetsim-graph/1");
}

#[test]
fn issue_18_a_workspace_yaml_alone_validates_against_its_schema() {
    let dir = std::env::temp_dir().join(format!("vnetsim-schemas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("workspace.yaml");
    std::fs::write(&file, "name: ws1\nlocation: eastus\nmanaged_network:\n  isolation_mode: allow_internet_outbound\n")
        .unwrap();
    assert_valid(&["check", "--workspace-yaml", &file.display().to_string()], "vnetsim-workspace-check/1");
    std::fs::remove_dir_all(&dir).unwrap();
}
