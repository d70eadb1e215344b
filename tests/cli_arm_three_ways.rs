//! Issue 20: one network written three ways — a scenario by hand (`network.yaml`), an ARM
//! template by hand (`network.json`), and an export of the deployed resources as Azure's REST
//! GETs return them (`export/`: ids, etags, provisioningState, default security rules, subnets
//! and peerings embedded in their VNet, references whose resource group and provider are in
//! another case than the resources' own ids, single bodies, `az … list` arrays and `{value: […]}`
//! pages) — and `vnetsim diff` finds no difference between any two, walking every class of
//! every source.
//!
//! The network: a hub with a firewall whose policy allows one FQDN and one network rule and a
//! workload subnet, a peered spoke with a VM, an NSG on the spoke's subnet, and one route table
//! sending 0.0.0.0/0 to the firewall from both workload subnets. A reader that drops or
//! misreads any of it (a rule, a route, a peering flag, a subnet association, an allocated IP)
//! makes a pair differ; the last tests check that such a difference is seen, and that the
//! network does what it is written to do in all three forms.

use std::path::{Path, PathBuf};
use vnetsim_testkit::cli::vnetsim;

const DIR: &str = "tests/fixtures/three-ways";

/// The three forms, as scenarios with the same name (`via-*.yaml` import the template and the
/// export; a path on the command line is named after its file, which `--fail-on any` reports).
const FORMS: [&str; 3] = ["network.yaml", "via-template.yaml", "via-export.yaml"];

fn path(file: &str) -> String {
    format!("{DIR}/{file}")
}

#[test]
fn any_two_of_the_three_forms_show_no_change() {
    for (i, before) in FORMS.iter().enumerate() {
        for after in &FORMS[i + 1..] {
            let (code, stdout, stderr) =
                vnetsim(&["diff", &path(before), &path(after), "--fail-on", "any", "--everything"]);
            assert_eq!(code, 0, "diff {before} {after}\nstdout:\n{stdout}\nstderr:\n{stderr}");
            assert!(stdout.contains(": no change\n"), "diff {before} {after}:\n{stdout}");
        }
    }
}

/// `vnetsim diff azuredeploy.json exported/` (template against what runs), the paths given as
/// they are: no traffic changes either way, and the one object that differs is the scenario's
/// name, taken from the file and the folder.
#[test]
fn the_template_and_the_export_on_the_command_line_differ_only_in_name() {
    let (template, export) = (path("network.json"), path("export"));
    for fail_on in ["new-access", "lost-access"] {
        let (code, stdout, stderr) = vnetsim(&["diff", &template, &export, "--fail-on", fail_on, "--everything"]);
        assert_eq!(code, 0, "--fail-on {fail_on}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(
            stdout.contains("0 new-access, 0 lost-access and 0 changed-path class groups, 1 object, 0 flows"),
            "{stdout}"
        );
        assert!(stdout.contains("~ scenario scenario: name network.json -> export"), "{stdout}");
    }
}

/// What each form must do, by the rules that decide it; all pass on all three.
const EXPECTATIONS: &str = "
expect:
  # nsg-app allows 443 and 22/2222 from the hub's workload subnet (network.json:26-41) before
  # denying the VNet (deny-vnet-in, network.json:42-49); the peering's prefix is longer than
  # 0.0.0.0/0, so hub to spoke goes straight.
  - {name: hub to app https, from: vm-hub, to: vm-app, port: 443, outcome: allowed, by: nsg-app/allow-https-from-hub}
  - {name: hub to app ssh, from: vm-hub, to: vm-app, port: 2222, outcome: allowed, by: nsg-app/allow-ssh-from-hub}
  - {name: hub to app http, from: vm-hub, to: vm-app, port: 80, outcome: denied, by: nsg-app/deny-vnet-in}
  # The spoke's default route goes to the firewall (network.json:62-81), whose policy allows
  # one FQDN (app-allow, network.json:184-198) and UDP 123 to one address (net-allow,
  # network.json:168-182), and nothing else.
  - {name: app to the allowed name, from: vm-app, to: 'https://www.microsoft.com', outcome: allowed, via: [fw-hub],
     by: fw-hub/rcg-hub/app-allow/allow-microsoft}
  - {name: app to another name, from: vm-app, to: 'https://www.bing.com', outcome: denied, by: fw-hub}
  - {name: app to ntp, from: vm-app, to: 203.0.113.10, protocol: udp, port: 123, outcome: allowed,
     by: fw-hub/rcg-hub/net-allow/allow-ntp}
  - {name: app to another address, from: vm-app, to: 203.0.113.11, protocol: udp, port: 123, outcome: denied, by: fw-hub}
  # Outbound SMB stops at the NSG (deny-smb-out, network.json:50-57) before any route.
  - {name: app to smb, from: vm-app, to: 203.0.113.10, port: 445, outcome: denied, by: nsg-app/deny-smb-out}
  # The hub's workload subnet is not among the network rule's sources (the spoke's prefix).
  - {name: hub to ntp, from: vm-hub, to: 203.0.113.10, protocol: udp, port: 123, outcome: denied, by: fw-hub}
";

/// A scratch folder for one test.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vnetsim-arm-three-ways-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn absolute(file: &str) -> PathBuf {
    vnetsim_testkit::workspace_root().join(DIR).join(file)
}

#[test]
fn the_network_does_what_it_is_written_to_do_in_every_form() {
    let dir = scratch("expect");
    for form in FORMS {
        let variant = dir.join(form);
        let text = format!("name: network\nextends: {}\n{EXPECTATIONS}", absolute(form).display());
        std::fs::write(&variant, text).expect("variant");
        let (code, stdout, stderr) = vnetsim(&["run", &variant.display().to_string()]);
        assert_eq!(code, 0, "{form}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains("9 passed"), "{form}:\n{stdout}");
    }
}

/// Copies `from` (a file or a folder of files) to `to`, replacing `old` by `new` in the file
/// named `file`; the replacement must happen.
fn copy_changing(from: &Path, to: &Path, file: &str, old: &str, new: &str) {
    let files: Vec<PathBuf> = if from.is_dir() {
        std::fs::create_dir_all(to).expect("copy folder");
        std::fs::read_dir(from).expect("folder").map(|e| e.expect("entry").path()).collect()
    } else {
        vec![from.to_path_buf()]
    };
    let mut changed = false;
    for source in files {
        let name = source.file_name().expect("a file name").to_string_lossy().into_owned();
        let mut text = std::fs::read_to_string(&source).expect("fixture");
        if name == file {
            assert!(text.contains(old), "{old} not in {name}");
            text = text.replace(old, new);
            changed = true;
        }
        let target = if from.is_dir() { to.join(&name) } else { to.to_path_buf() };
        std::fs::write(target, text).expect("copy");
    }
    assert!(changed, "no file {file}");
}

/// The comparison is not blind: one port of one NSG rule changed in the export, or the allowed
/// FQDN changed in the template, is lost access. (The copies keep their names, so only
/// traffic differs.)
#[test]
fn a_change_in_the_export_or_the_template_is_seen() {
    let dir = scratch("changed");
    let export = dir.join("export");
    copy_changing(
        &absolute("export"),
        &export,
        "nsg-app.json",
        "\"destinationPortRange\": \"443\"",
        "\"destinationPortRange\": \"8443\"",
    );
    let (code, stdout, stderr) =
        vnetsim(&["diff", &path("export"), &export.display().to_string(), "--fail-on", "lost-access"]);
    assert_eq!(code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("allow-https-from-hub"), "{stdout}");

    let template = dir.join("network.json");
    copy_changing(&absolute("network.json"), &template, "network.json", "\"www.microsoft.com\"", "\"www.bing.com\"");
    let (code, stdout, stderr) =
        vnetsim(&["diff", &path("network.json"), &template.display().to_string(), "--fail-on", "lost-access"]);
    assert_eq!(code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("www.microsoft.com"), "{stdout}");
}
