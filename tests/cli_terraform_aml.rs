//! The Azure ML Terraform configurations of the real configs (issue 19): the 201 quickstart
//! imported and the same network written by hand give the same `flows` and `audit` reports, the
//! scenarios of `tests/terraform/` that import the 201, 202 and AVM configurations pass, and the
//! AVM example's import lists what an offline import cannot read (the AVM scenario relies on it).
//!
//! Every test needs the real configs and prints `skipped:` without them.

use vnetsim_testkit::cli::vnetsim;
use vnetsim_testkit::real_configs;

const BY_HAND: &str = "tests/fixtures/terraform-201-by-hand.yaml";
const QUICKSTART_201: &str = "terraform/azure-terraform_201-machine-learning-moderately-secure";
const AVM_EXAMPLE: &str = "terraform/avm-res-machinelearningservices-workspace/examples/private_byo_vnet";

/// The scenarios of `tests/terraform/` this file owns, with how many expectations each holds.
const SCENARIOS: &[(&str, usize)] = &[
    ("tests/terraform/aml-201-moderately-secure.yaml", 16),
    ("tests/terraform/aml-202-existing-vnet.yaml", 12),
    ("tests/terraform/avm-aml-private-byo-vnet.yaml", 8),
];

/// A folder of the real configs as an absolute path (`real_configs::path` is for files).
fn real_folder(relative: &str) -> String {
    let dir = real_configs::dir().expect("checked by available()").join(relative);
    assert!(dir.is_dir(), "{} is missing from the real configs", dir.display());
    dir.display().to_string()
}

/// `vnetsim COMMAND INPUT` (human format): its exit code (`audit` exits 1 when it finds an
/// exfiltration path) and its report with INPUT replaced by `FILE`. Nothing on standard error.
fn report(command: &str, input: &str) -> (i32, String) {
    let (code, stdout, stderr) = vnetsim(&[command, input]);
    assert!(code == 0 || code == 1, "vnetsim {command} {input}:\n{stdout}{stderr}");
    assert_eq!(stderr, "", "vnetsim {command} {input}");
    (code, stdout.replace(input, "FILE"))
}

/// The hand translation differs from the import in nothing that changes a report: the same
/// objects, names, addresses (the DSVM's and the endpoints' allocated the same way), zones and
/// rules. A mapping that dropped a rule, a link, a zone group or a compute's public IP, or read an
/// argument differently (P-6 policies, a route's tag prefix, a firewall's bypass), changes a
/// flow cell or an exfiltration group and fails here.
#[test]
fn the_201_quickstart_imported_and_written_by_hand_report_the_same() {
    if !real_configs::available() {
        return;
    }
    let imported = real_folder(QUICKSTART_201);
    for command in ["flows", "audit"] {
        let from_terraform = report(command, &imported);
        let by_hand = report(command, BY_HAND);
        assert_eq!(from_terraform, by_hand, "vnetsim {command}: the import (left) and the hand translation (right)");
    }
    // The reports compared say something: the workspace's grid and the audit's findings.
    let (_, flows) = report("flows", BY_HAND);
    assert!(flows.contains("workspace mlw-examplehost-dev"), "{flows}");
    assert!(flows.contains("26 work, 2 broken, 6 not applicable"), "{flows}");
    let (code, audit) = report("audit", BY_HAND);
    assert_eq!(code, 1, "the training subnet's egress is open: {audit}");
    assert!(audit.contains("3 protected sources"), "{audit}");
    assert!(audit.contains("opened by nsg nsg-training / AllowVnetOutBound"), "{audit}");
}

/// `vnetsim run` on each scenario that imports an Azure ML configuration: every expectation
/// passes, and each was counted (an import that lost objects would make expectations invalid
/// or fail).
#[test]
fn the_terraform_aml_scenarios_pass() {
    if !real_configs::available() {
        return;
    }
    for (file, expectations) in SCENARIOS {
        let (code, stdout, stderr) = vnetsim(&["run", file]);
        assert_eq!(code, 0, "vnetsim run {file}:\n{stdout}{stderr}");
        assert!(stdout.contains(&format!("{expectations} passed, 0 failed")), "{file}:\n{stdout}");
        assert_eq!(stdout.lines().filter(|l| l.starts_with("PASS ")).count(), *expectations, "{stdout}");
    }
}

/// The AVM example offline: its registry modules are not read, the workspace is an azapi
/// resource vnetsim does not model, and the three private endpoints that need the unread VNet
/// module's subnet are incomplete; nothing that carries traffic is written. The AVM scenario
/// writes those objects by hand; when the importer reads more, this test fails and the scenario's
/// hand-written part must shrink (its names would collide with the imported ones).
#[test]
fn the_avm_example_imports_nothing_that_carries_traffic_and_says_why() {
    if !real_configs::available() {
        return;
    }
    let (code, stdout, stderr) = vnetsim(&["import", &real_folder(AVM_EXAMPLE)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let yaml: Vec<&str> = stdout.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect();
    assert_eq!(yaml.len(), 1, "only the name is written:\n{stdout}");
    assert!(yaml[0].starts_with("name: "), "{stdout}");

    let not_read = stdout.lines().filter(|l| l.starts_with("#   module.") && l.contains(" = \"Azure/")).count();
    assert_eq!(not_read, 17, "the 17 registry modules of main.tf:25-396:\n{stdout}");
    let section = |title: &str| -> Vec<String> {
        let start = stdout.find(title).unwrap_or_else(|| panic!("no `{title}` in:\n{stdout}"));
        stdout[start + title.len()..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("#   "))
            .map(|l| l.trim_start_matches("#   ").split("  ").next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(section("# Not modelled, may change verdicts:"), ["module.azureml.azapi_resource.this[0]"]);
    assert_eq!(
        section("# Incomplete: these need a value from a module that was not read:"),
        [
            "azurerm_private_endpoint.privatelinkscope",
            "module.azureml.azurerm_private_endpoint.this[\"api\"]",
            "module.azureml.azurerm_private_endpoint.this[\"notebooks\"]",
        ]
    );
    assert!(stdout.matches("(needs module.virtual_network)").count() == 3, "{stdout}");
}
