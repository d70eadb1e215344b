//! The `vnetsim import` round trip on ARM templates (issue 20): for every template of the real
//! configs, the YAML `vnetsim import TEMPLATE --parameters FILE -o` writes loads into the same
//! network as the template itself (`vnetsim_testkit::round_trip::same_network`: no difference
//! over every class of every source, the same flows and audit). A writer that drops or
//! misspells a key, or an alias, fails here on the template that uses it.
//!
//! The template side is a scenario with only `import:` (and the `name:` the import writes).
//! The real configs are skipped when absent (`real_configs`).

use std::path::{Path, PathBuf};
use vnetsim_import::doc::quote;
use vnetsim_testkit::cli::vnetsim;
use vnetsim_testkit::real_configs;
use vnetsim_testkit::round_trip::same_network;

/// How a template gets its parameters: a parameter file of its folder, or values one by one.
enum Parameters {
    File(&'static str),
    Values(&'static [(&'static str, &'static str)]),
}

/// A fresh scratch folder for one case.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vnetsim-arm-roundtrip-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

/// Imports the template of `folder` (under the real configs' `arm/`) with `parameters` to YAML,
/// then checks that the YAML and the template are the same network.
fn round_trip(folder: &str, parameters: Parameters, with_sources: bool) {
    let source = real_configs::dir().expect("checked by available()").join("arm").join(folder);
    let template = text(&source.join("azuredeploy.json"));
    let dir = scratch(folder);
    let imported = text(&dir.join("imported.yaml"));
    let mut args: Vec<String> = vec!["import".into(), template.clone()];
    let entry = match &parameters {
        Parameters::File(name) => {
            let file = text(&source.join(name));
            args.extend(["--parameters".into(), file.clone()]);
            format!("    parameters: {}\n", quote(&file))
        }
        Parameters::Values(values) => {
            args.extend(values.iter().flat_map(|(k, v)| ["--param".to_string(), format!("{k}={v}")]));
            let inline: Vec<String> = values.iter().map(|(k, v)| format!("{k}: {}", quote(v))).collect();
            format!("    parameters: {{{}}}\n", inline.join(", "))
        }
    };
    args.extend(["-o".into(), imported.clone()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, stderr) = vnetsim(&args);
    assert_eq!(code, 0, "vnetsim {args:?} failed:\n{stderr}");
    let yaml = std::fs::read_to_string(&imported).expect("the imported YAML");
    let name_line = yaml.lines().find(|l| l.starts_with("name: ")).expect("the import writes a name");
    let scenario = text(&dir.join("template.yaml"));
    let importing = format!("{name_line}\nimport:\n  - arm: {}\n{entry}", quote(&template));
    std::fs::write(&scenario, importing).expect("the importing scenario");
    same_network(folder, &scenario, &imported, with_sources);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sandbox_round_trips() {
    if real_configs::available() {
        round_trip("azurefirewall-sandbox-linux", Parameters::File("azuredeploy.parameters.json"), true);
    }
}

/// A hub with a firewall and nothing else: no source to walk from, so the round trip is the
/// object diff, the flows and the audit.
#[test]
fn firewall_policy_ip_groups_round_trips() {
    if real_configs::available() {
        let folder = "azurefirewall-create-with-firewallpolicy-apprule-netrule-ipgroups";
        round_trip(folder, Parameters::File("azuredeploy.parameters.json"), false);
    }
}

#[test]
fn nat_gateway_round_trips() {
    if real_configs::available() {
        round_trip("nat-gateway-1-vm", Parameters::File("azuredeploy.parameters.json"), true);
    }
}

#[test]
fn hub_spoke_round_trips() {
    if real_configs::available() {
        // With its VMs (a parameter), so the diff has sources; the password is never read.
        let values = &[("deployVirtualMachines", "true"), ("adminPassword", "not-a-real-password")];
        round_trip("mspnp-samples_azure-hub-spoke", Parameters::Values(values), true);
    }
}

#[test]
fn machine_learning_round_trips() {
    if real_configs::available() {
        round_trip("machine-learning-workspace-vnet", Parameters::File("azuredeploy.parameters.us.json"), false);
    }
}

#[test]
fn private_endpoint_sql_round_trips() {
    if real_configs::available() {
        round_trip("private-endpoint-sql", Parameters::File("azuredeploy.parameters.json"), true);
    }
}
