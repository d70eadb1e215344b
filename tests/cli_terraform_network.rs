//! The network scenarios of `tests/terraform/` (issue 19): the 301 hub-spoke, 301 NAT gateway
//! with firewall and HashiCorp azure-firewall configurations imported, with expectations read off
//! their `.tf` files. Each scenario passes, and each expectation depends on the lines its comment
//! cites: the configuration is copied, those lines changed, and exactly the expectations that
//! rest on them fail. An importer that ignored a cited argument (a route's next hop, a peering
//! flag, a rule's source or protocol, an association) lets a mutation pass and fails here.
//!
//! Every test needs the real configs and prints `skipped:` without them.

use std::path::{Path, PathBuf};
use vnetsim_testkit::cli::vnetsim;
use vnetsim_testkit::real_configs;

const HUB_SPOKE: &str = "tests/terraform/301-hub-spoke.yaml";
const NAT_FIREWALL: &str = "tests/terraform/301-nat-gateway-firewall.yaml";
const HASHICORP: &str = "tests/terraform/hashicorp-azure-firewall.yaml";

/// One change to a configuration's file: on line `line` of `file`, `from` becomes `to` (which
/// may hold new lines: a block added after the line).
type Edit = (&'static str, usize, &'static str, &'static str);

/// Changed lines, and the expectations (by their line in the scenario) that must then fail.
struct Mutation {
    edits: &'static [Edit],
    fails: &'static [usize],
}

#[test]
fn the_network_scenarios_pass() {
    if !real_configs::available() {
        return;
    }
    for (scenario, count) in [(HUB_SPOKE, 8), (NAT_FIREWALL, 6), (HASHICORP, 8)] {
        let (code, stdout, stderr) = vnetsim(&["run", scenario]);
        assert_eq!(code, 0, "{scenario}:\n{stdout}{stderr}");
        assert!(stdout.contains(&format!("{count} passed, 0 failed")), "{scenario}:\n{stdout}");
    }
}

/// A copy of the real configuration `config` with `edits` made, in a real-configs layout under a
/// fresh folder (returned, for `VNETSIM_REAL_CONFIGS`).
fn mutated_copy(config: &str, edits: &[Edit], tag: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("vnetsim-tf-network-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let copy = root.join("terraform").join(config);
    std::fs::create_dir_all(&copy).expect("copy folder");
    let source = real_configs::dir().expect("checked by available()").join("terraform").join(config);
    for entry in std::fs::read_dir(&source).expect("the configuration's folder") {
        let path = entry.expect("folder entry").path();
        if path.is_file() {
            std::fs::copy(&path, copy.join(path.file_name().expect("file name"))).expect("copy");
        }
    }
    // Bottom-up, so an edit that adds lines does not move the ones still to edit.
    let mut edits = edits.to_vec();
    edits.sort_by_key(|&(file, line, _, _)| (file, std::cmp::Reverse(line)));
    for (file, line, from, to) in edits {
        let path = copy.join(file);
        let text = std::fs::read_to_string(&path).expect("the file to edit");
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let at = &mut lines[line - 1];
        assert!(at.contains(from), "{config}/{file}:{line} is `{at}`, without `{from}`");
        *at = at.replacen(from, to, 1);
        std::fs::write(&path, lines.join("\n")).expect("the edited file");
    }
    root
}

fn check(config: &str, scenario: &str, mutations: &[Mutation]) {
    for (i, m) in mutations.iter().enumerate() {
        let stem = Path::new(scenario).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let root = mutated_copy(config, m.edits, &format!("{stem}-{i}"));
        assert_eq!(real_configs::failing_against(scenario, &root), m.fails, "{scenario}, mutation {i}: {:?}", m.edits);
        let _ = std::fs::remove_dir_all(&root);
    }
}

#[test]
fn hub_spoke_301_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    const SPOKE1_PIP: [Edit; 2] = [
        ("spoke1.tf", 59, "\"Dynamic\"", "\"Dynamic\"\n    public_ip_address_id = azurerm_public_ip.spoke1-pip.id"),
        (
            "spoke1.tf",
            61,
            "}",
            "}\nresource \"azurerm_public_ip\" \"spoke1-pip\" {\n  name = \"spoke1-pip\"\n  location = \"eastus\"\n  \
             resource_group_name = azurerm_resource_group.spoke1-vnet-rg.name\n  allocation_method = \"Static\"\n}",
        ),
    ];
    let mutations = [
        // The NVA's static IP is no longer the routes' next hop.
        Mutation { edits: &[("hub-nva.tf", 32, "10.0.0.36", "10.0.0.37")], fails: &[17, 25] },
        // spoke1-rt's toSpoke2 route names another range.
        Mutation { edits: &[("hub-nva.tf", 143, "10.2.0.0/16", "10.3.0.0/16")], fails: &[17, 25] },
        // Each spoke's side refuses forwarded traffic: only the flow into that spoke breaks.
        Mutation { edits: &[("spoke2.tf", 44, "true", "false")], fails: &[17] },
        Mutation { edits: &[("spoke1.tf", 44, "true", "false")], fails: &[25] },
        // The hub side of the spoke1 peering refuses access.
        Mutation { edits: &[("spoke1.tf", 104, "true", "false")], fails: &[17, 25, 33] },
        // spoke1-rt's default route goes to the internet.
        Mutation { edits: &[("hub-nva.tf", 151, "VnetLocal", "Internet")], fails: &[42] },
        // spoke1-rt also on the hub's mgmt subnet (instead of spoke1/workload).
        Mutation { edits: &[("hub-nva.tf", 166, "spoke1-workload", "hub-mgmt")], fails: &[49] },
        // onprem-nsg's SSH rule on another port; onprem-vm without its public IP.
        Mutation { edits: &[("on-prem.tf", 75, "\"22\"", "\"2222\"")], fails: &[56] },
        Mutation { edits: &[("on-prem.tf", 58, "public_ip_address_id", "# public_ip_address_id")], fails: &[56, 63] },
        // spoke1-vm with a public IP: its reply still dies on the VnetLocal default route...
        Mutation { edits: &SPOKE1_PIP, fails: &[] },
        // ...until that route goes to the internet too.
        Mutation {
            edits: &[SPOKE1_PIP[0], SPOKE1_PIP[1], ("hub-nva.tf", 151, "VnetLocal", "Internet")],
            fails: &[42, 71],
        },
    ];
    check("azure-terraform_301-hub-spoke", HUB_SPOKE, &mutations);
}

#[test]
fn nat_gateway_firewall_301_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    const VM_PIP: [Edit; 2] = [
        ("main.tf", 216, "\"Dynamic\"", "\"Dynamic\"\n    public_ip_address_id = azurerm_public_ip.vm.id"),
        (
            "main.tf",
            218,
            "}",
            "}\nresource \"azurerm_public_ip\" \"vm\" {\n  name = \"pip-vm\"\n  location = \"eastus\"\n  \
             resource_group_name = azurerm_resource_group.main.name\n  allocation_method = \"Static\"\n}",
        ),
    ];
    const SSH_RULE: Edit = (
        "main.tf",
        205,
        "}",
        "  security_rule {\n    name = \"ssh\"\n    priority = 100\n    direction = \"Inbound\"\n    access = \"Allow\"\n    \
         protocol = \"Tcp\"\n    source_port_range = \"*\"\n    destination_port_range = \"22\"\n    \
         source_address_prefix = \"*\"\n    destination_address_prefix = \"*\"\n  }\n}",
    );
    const NO_DEFAULT_ROUTE: Edit = ("main.tf", 57, "0.0.0.0/0", "8.0.0.0/8");
    let mutations = [
        // Without the 0.0.0.0/0 route the VM goes out by default outbound access, past the firewall.
        Mutation { edits: &[NO_DEFAULT_ROUTE], fails: &[18, 26, 33, 39] },
        // allow-web for another source, with SSH, with UDP.
        Mutation { edits: &[("main.tf", 151, "10.1.0.0/24", "10.1.1.0/24")], fails: &[18, 26] },
        Mutation { edits: &[("main.tf", 153, "\"80\", \"443\"", "\"80\", \"443\", \"22\"")], fails: &[33] },
        Mutation { edits: &[("main.tf", 150, "\"TCP\"", "\"TCP\", \"UDP\"")], fails: &[39] },
        // The NAT gateway on subnet-1 instead of AzureFirewallSubnet: the firewall's own IP is seen.
        Mutation { edits: &[("main.tf", 95, "AzureFirewallSubnet", "subnet-1")], fails: &[18] },
        // A rule in the VM's NSG decides the bastion's SSH instead of the default AllowVNetInBound.
        Mutation { edits: &[SSH_RULE], fails: &[49] },
        // The internet reaches the VM only with a public IP, an allow rule and no UDR to the firewall.
        Mutation { edits: &[VM_PIP[0], VM_PIP[1], SSH_RULE], fails: &[49] },
        Mutation { edits: &[VM_PIP[0], VM_PIP[1], SSH_RULE, NO_DEFAULT_ROUTE], fails: &[18, 26, 33, 39, 49, 60] },
    ];
    check("azure-terraform_301-nat-gateway-hub-spoke-firewall", NAT_FIREWALL, &mutations);
}

#[test]
fn hashicorp_azure_firewall_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    const SERVER_PIP: [Edit; 2] = [
        ("main.tf", 189, "\"Dynamic\"", "\"Dynamic\"\n    public_ip_address_id = azurerm_public_ip.server.id"),
        (
            "main.tf",
            197,
            "}",
            "}\nresource \"azurerm_public_ip\" \"server\" {\n  name = \"server-ip\"\n  location = \"eastus\"\n  \
             resource_group_name = azurerm_resource_group.azurg.name\n  allocation_method = \"Static\"\n}",
        ),
    ];
    const NO_DEFAULT_ROUTE: Edit = ("main.tf", 46, "0.0.0.0/0", "8.0.0.0/8");
    let mutations = [
        // The classic rules for ServersSubnet: the Server's traffic through the firewall is allowed.
        Mutation { edits: &[("main.tf", 306, "10.0.0.0/24", "10.0.2.0/24")], fails: &[20] },
        Mutation { edits: &[("main.tf", 332, "10.0.0.0/24", "10.0.2.0/24")], fails: &[26] },
        // The route's next hop is not the firewall's address.
        Mutation { edits: &[("main.tf", 48, "10.0.1.4", "10.0.1.5")], fails: &[20, 26] },
        // The route table on JumpboxSubnet instead of ServersSubnet.
        Mutation { edits: &[("main.tf", 96, "azusubnet.id", "azusubnetjb.id")], fails: &[20, 26, 35, 51, 57] },
        // JumpHostNSG's rule for all protocols; for port 22 only.
        Mutation { edits: &[("main.tf", 141, "\"Tcp\"", "\"*\"")], fails: &[57] },
        Mutation { edits: &[("main.tf", 143, "\"*\"", "\"22\"")], fails: &[44, 51] },
        // The JumpBox without its public IP: default outbound access, and no way in.
        Mutation { edits: &[("main.tf", 165, "public_ip_address_id", "# public_ip_address_id")], fails: &[35, 51, 57] },
        // A route sending the JumpboxSubnet range to the firewall: the Server's traffic there
        // crosses it and is denied, and the reply to the JumpBox's connection is asymmetric.
        Mutation {
            edits: &[(
                "main.tf",
                49,
                "}",
                "}\n  route {\n    name = \"jumpbox-via-fw\"\n    address_prefix = \"10.0.0.0/24\"\n    \
                 next_hop_type = \"VirtualAppliance\"\n    next_hop_in_ip_address = \"10.0.1.4\"\n  }",
            )],
            fails: &[44, 72],
        },
        // The Server with a public IP: its reply still goes to the firewall...
        Mutation { edits: &SERVER_PIP, fails: &[] },
        // ...until the default route is gone.
        Mutation { edits: &[SERVER_PIP[0], SERVER_PIP[1], NO_DEFAULT_ROUTE], fails: &[20, 26, 66] },
    ];
    check("hashicorp-azurerm_examples-virtual-networks-azure-firewall", HASHICORP, &mutations);
}
