//! The `vnetsim import` round trip (issue 19): for every real Terraform configuration and for
//! `vnetsim gen --format terraform` output, the YAML `vnetsim import -o` writes loads into the
//! same network as the Terraform itself. `vnetsim diff` walks every class of every source on
//! both (`--everything`) and finds no change, and `flows` and `audit` print the same report,
//! once the file names are made equal. A writer that drops or misspells a key, quotes a value
//! wrongly or loses an alias fails here on the configuration that uses it.
//!
//! The Terraform side is a scenario with only `import:` (and the `name:` the import writes:
//! an imported scenario's own name is dropped like a base's, so without it the object diff
//! reports the scenario name). The real configs are skipped when absent (`real_configs`).

use std::path::{Path, PathBuf};
use vnetsim_import::doc::quote;
use vnetsim_testkit::cli::vnetsim;
use vnetsim_testkit::real_configs;
use vnetsim_testkit::round_trip::same_network;

/// One Terraform folder to import, with the variables it needs.
struct Source {
    path: PathBuf,
    vars: Vec<(&'static str, String)>,
}

impl Source {
    fn plain(path: PathBuf) -> Source {
        Source { path, vars: Vec::new() }
    }
}

/// A fresh scratch folder for one case.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vnetsim-tf-roundtrip-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

/// The folder `vnetsim import` reads for `source`: the source itself, or, when it takes
/// variables, a copy of its `.tf` files with them in `terraform.tfvars` (the command's `--var`
/// would give them to every source, and the others declare no such variables).
fn cli_folder(source: &Source, copy: PathBuf) -> PathBuf {
    if source.vars.is_empty() {
        return source.path.clone();
    }
    std::fs::create_dir_all(&copy).expect("copy folder");
    for entry in std::fs::read_dir(&source.path).expect("source folder") {
        let path = entry.expect("folder entry").path();
        if path.extension().is_some_and(|e| e == "tf") {
            std::fs::copy(&path, copy.join(path.file_name().expect("file name"))).expect("copy .tf file");
        }
    }
    let tfvars: String = source.vars.iter().map(|(k, v)| format!("{k} = {}\n", quote(v))).collect();
    std::fs::write(copy.join("terraform.tfvars"), tfvars).expect("terraform.tfvars");
    copy
}

/// The scenario that imports `sources` and nothing else, named `name_line`.
fn importing_scenario(name_line: &str, sources: &[Source]) -> String {
    let mut out = format!("{name_line}\nimport:\n");
    for source in sources {
        out.push_str(&format!("  - terraform: {}\n", quote(&text(&source.path))));
        if !source.vars.is_empty() {
            out.push_str("    vars:\n");
            for (k, v) in &source.vars {
                out.push_str(&format!("      {k}: {}\n", quote(v)));
            }
        }
    }
    out
}

/// Imports `sources` to YAML, then checks that the YAML and the Terraform give the same
/// network: no difference over every class of every source, and the same flows and audit.
/// `with_sources`: whether the network has places to walk from (the diff must walk some).
fn round_trip(tag: &str, sources: &[Source], with_sources: bool) {
    let dir = scratch(tag);
    let folders: Vec<String> =
        (sources.iter().enumerate()).map(|(i, s)| text(&cli_folder(s, dir.join(format!("source-{i}"))))).collect();
    let imported = text(&dir.join("imported.yaml"));
    let mut args: Vec<&str> = vec!["import"];
    args.extend(folders.iter().map(String::as_str));
    args.extend(["-o", &imported]);
    let (code, _, stderr) = vnetsim(&args);
    assert_eq!(code, 0, "vnetsim {args:?} failed:\n{stderr}");
    let yaml = std::fs::read_to_string(&imported).expect("the imported YAML");
    let name_line = yaml.lines().find(|l| l.starts_with("name: ")).expect("the import writes a name");
    let terraform = text(&dir.join("terraform.yaml"));
    std::fs::write(&terraform, importing_scenario(name_line, sources)).expect("the importing scenario");

    same_network(tag, &terraform, &imported, with_sources);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder of the real configs' `terraform/`.
fn real(relative: &str) -> PathBuf {
    let dir = real_configs::dir().expect("checked by available()").join("terraform").join(relative);
    assert!(dir.is_dir(), "{} is missing from the real configs", dir.display());
    dir
}

#[test]
fn hub_spoke_301_round_trips() {
    if real_configs::available() {
        round_trip("301-hub-spoke", &[Source::plain(real("azure-terraform_301-hub-spoke"))], true);
    }
}

#[test]
fn nat_gateway_firewall_301_round_trips() {
    if real_configs::available() {
        let source = Source {
            path: real("azure-terraform_301-nat-gateway-hub-spoke-firewall"),
            vars: vec![("admin_ssh_key", "ssh-rsa AAAA test".into())],
        };
        round_trip("301-nat-firewall", &[source], true);
    }
}

#[test]
fn hashicorp_azure_firewall_round_trips() {
    if real_configs::available() {
        let source = Source {
            path: real("hashicorp-azurerm_examples-virtual-networks-azure-firewall"),
            vars: vec![("adminUsername", "azureuser".into()), ("adminPassword", "x".into())],
        };
        round_trip("hashicorp-firewall", &[source], true);
    }
}

#[test]
fn machine_learning_201_round_trips() {
    if real_configs::available() {
        let path = real("azure-terraform_201-machine-learning-moderately-secure");
        round_trip("201", &[Source::plain(path)], true);
    }
}

#[test]
fn avm_private_byo_vnet_round_trips() {
    if real_configs::available() {
        let path = real("avm-res-machinelearningservices-workspace/examples/private_byo_vnet");
        // A workspace with private endpoints and no compute or VM: nothing to walk from, so the
        // round trip is the object diff, the flows and the audit.
        round_trip("avm-byo-vnet", &[Source::plain(path)], false);
    }
}

/// 202 reads the VNet, subnets and DNS zones its `prequisite` folder creates, named by
/// variables: the resource group holds `random_string.suffix`, whose stand-in vnetsim derives
/// from the address (`u2ikwn`, the same in every import).
#[test]
fn machine_learning_202_with_its_prerequisite_round_trips() {
    if !real_configs::available() {
        return;
    }
    let folder = real("azure-terraform_202-machine-learning-moderately-secure-existing-VNet");
    let group = "rg-202-mlmsev-network-u2ikwn";
    let zones = format!(
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{group}/providers/Microsoft.Network/privateDnsZones"
    );
    let zone = |name: &str| format!("{zones}/{name}");
    let main = Source {
        path: folder.clone(),
        vars: vec![
            ("vnet_resource_group_name", group.into()),
            ("vnet_name", "202-mlmsev-vnet".into()),
            ("training_subnet_name", "training".into()),
            ("aks_subnet_name", "aks".into()),
            ("ml_subnet_name", "ml".into()),
            ("privatelink_api_azureml_ms_resource_id", zone("privatelink.api.azureml.ms")),
            ("privatelink_azurecr_io_resource_id", zone("privatelink.azurecr.io")),
            ("privatelink_notebooks_azure_net_resource_id", zone("privatelink.notebooks.azure.net")),
            ("privatelink_blob_core_windows_net_resource_id", zone("privatelink.blob.core.windows.net")),
            ("privatelink_file_core_windows_net_resource_id", zone("privatelink.file.core.windows.net")),
            ("privatelink_vaultcore_azure_net_resource_id", zone("privatelink.vaultcore.azure.net")),
        ],
    };
    round_trip("202", &[Source::plain(folder.join("prequisite")), main], true);
}

/// `gen --format terraform` writes the generated landing zone as one `main.tf`; its import
/// round-trips like the real configs (no real configs needed).
#[test]
fn generated_terraform_round_trips() {
    let dir = scratch("gen-source");
    let (code, stdout, stderr) = vnetsim(&["gen", "--spokes", "3", "--format", "terraform"]);
    assert_eq!(code, 0, "gen failed:\n{stderr}");
    std::fs::write(dir.join("main.tf"), stdout).expect("main.tf");
    round_trip("gen", &[Source::plain(dir.clone())], true);
    let _ = std::fs::remove_dir_all(&dir);
}
