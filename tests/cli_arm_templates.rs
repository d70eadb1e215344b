//! The scenarios of `tests/arm/` (issue 20): every ARM template of the real configs imported,
//! with expectations read off its `azuredeploy.json`. Each scenario passes, and each expectation
//! rests on the lines its comment cites: the template is copied, those lines changed, and
//! exactly the expectations that rest on them fail. An adapter that dropped a cited property (a
//! rule's source, a subnet's NAT gateway, a peering flag, a private endpoint's approval) lets a
//! mutation pass and fails here.
//!
//! Every test needs the real configs and prints `skipped:` without them.

use std::path::PathBuf;
use vnetsim_testkit::cli::vnetsim;
use vnetsim_testkit::real_configs;

/// One template: its folder under the real configs' `arm/`, its scenario, how many
/// expectations the scenario holds.
struct Template {
    folder: &'static str,
    scenario: &'static str,
    expectations: usize,
}

const SANDBOX: Template = Template {
    folder: "azurefirewall-sandbox-linux",
    scenario: "tests/arm/azurefirewall-sandbox-linux.yaml",
    expectations: 9,
};
const IP_GROUPS: Template = Template {
    folder: "azurefirewall-create-with-firewallpolicy-apprule-netrule-ipgroups",
    scenario: "tests/arm/azurefirewall-firewallpolicy-ipgroups.yaml",
    expectations: 8,
};
const NAT_GATEWAY: Template =
    Template { folder: "nat-gateway-1-vm", scenario: "tests/arm/nat-gateway-1-vm.yaml", expectations: 6 };
const HUB_SPOKE: Template =
    Template { folder: "mspnp-samples_azure-hub-spoke", scenario: "tests/arm/mspnp-hub-spoke.yaml", expectations: 10 };
const MACHINE_LEARNING: Template = Template {
    folder: "machine-learning-workspace-vnet",
    scenario: "tests/arm/machine-learning-workspace-vnet.yaml",
    expectations: 8,
};
const PRIVATE_ENDPOINT_SQL: Template =
    Template { folder: "private-endpoint-sql", scenario: "tests/arm/private-endpoint-sql.yaml", expectations: 7 };

/// On line `.0` of `azuredeploy.json`, `.1` becomes `.2`.
type Edit = (usize, &'static str, &'static str);

/// Changed lines, and the expectations (by their line in the scenario) that must then fail.
struct Mutation {
    edits: &'static [Edit],
    fails: &'static [usize],
}

#[test]
fn the_template_scenarios_pass() {
    if !real_configs::available() {
        return;
    }
    for t in [SANDBOX, IP_GROUPS, NAT_GATEWAY, HUB_SPOKE, MACHINE_LEARNING, PRIVATE_ENDPOINT_SQL] {
        let (code, stdout, stderr) = vnetsim(&["run", t.scenario]);
        assert_eq!(code, 0, "{}:\n{stdout}{stderr}", t.scenario);
        assert!(stdout.contains(&format!("{} passed, 0 failed", t.expectations)), "{}:\n{stdout}", t.scenario);
        assert!(t.expectations >= 6, "{}: issue 20 asks for at least 6 expectations", t.scenario);
    }
}

/// A copy of the template's folder with `edits` made, in a real-configs layout under a fresh
/// folder (returned, for `VNETSIM_REAL_CONFIGS`).
fn mutated_copy(t: &Template, edits: &[Edit], tag: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("vnetsim-arm-templates-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let copy = root.join("arm").join(t.folder);
    std::fs::create_dir_all(&copy).expect("copy folder");
    let source = real_configs::dir().expect("checked by available()").join("arm").join(t.folder);
    for entry in std::fs::read_dir(&source).expect("the template's folder") {
        let path = entry.expect("folder entry").path();
        std::fs::copy(&path, copy.join(path.file_name().expect("file name"))).expect("copy");
    }
    let template = copy.join("azuredeploy.json");
    let text = std::fs::read_to_string(&template).expect("the template");
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for &(line, from, to) in edits {
        let at = &mut lines[line - 1];
        assert!(at.contains(from), "{}/azuredeploy.json:{line} is `{at}`, without `{from}`", t.folder);
        *at = at.replacen(from, to, 1);
    }
    std::fs::write(&template, lines.join("\n")).expect("the edited template");
    root
}

fn check(t: &Template, mutations: &[Mutation]) {
    for (i, m) in mutations.iter().enumerate() {
        let root = mutated_copy(t, m.edits, &format!("{}-{i}", t.folder));
        assert_eq!(
            real_configs::failing_against(t.scenario, &root),
            m.fails,
            "{}, mutation {i}: {:?}",
            t.scenario,
            m.edits
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}

#[test]
fn sandbox_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    const DENY_SSH: &str = r#""properties": {"securityRules": [{"name": "deny-ssh", "properties": {"protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "22", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Deny", "priority": 100, "direction": "Inbound"}}]}"#;
    let mutations = [
        // No 0.0.0.0/0 route: the Server goes out directly, past the firewall.
        Mutation { edits: &[(167, "0.0.0.0/0", "8.0.0.0/8")], fails: &[19, 26, 31, 38, 45] },
        // The next hop is not the firewall's address.
        Mutation { edits: &[(100, "10.0.1.4", "10.0.1.5")], fails: &[19, 26, 31, 38, 45] },
        // appRule1 with a source that is not the Server's subnet: a source-less classic rule
        // matches any source, one with sources only those (the adapter's old error: no source).
        Mutation {
            edits: &[(518, r#""name": "appRule1","#, r#""name": "appRule1", "sourceAddresses": ["10.0.0.0/24"],"#)],
            fails: &[19],
        },
        Mutation { edits: &[(530, "*microsoft.com", "www.example.org")], fails: &[19, 26] },
        // netRule1 for another source, protocol, port range.
        Mutation { edits: &[(552, "10.0.2.0/24", "10.0.0.0/24")], fails: &[31] },
        Mutation { edits: &[(549, "TCP", "UDP")], fails: &[31, 38] },
        Mutation { edits: &[(558, "8000-8999", "8000-9000")], fails: &[45] },
        // JumpHostNSG's rule on RDP; the JumpBox without its public IP.
        Mutation { edits: &[(267, "\"22\"", "\"3389\"")], fails: &[60, 66] },
        Mutation { edits: &[(294, "publicIPAddress", "publicIPAddressX")], fails: &[53, 60, 66] },
        // ServersSubnet-nsg with a rule denying SSH in.
        Mutation { edits: &[(181, "\"properties\": {}", DENY_SSH)], fails: &[74] },
    ];
    check(&SANDBOX, &mutations);
}

#[test]
fn firewall_policy_ip_groups_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    let mutations = [
        // The workload IP group without the workload spoke; the infra group with the other one.
        Mutation { edits: &[(94, "10.20.0.0/24", "10.21.0.0/24")], fails: &[52] },
        Mutation { edits: &[(107, "10.50.0.0/24", "10.60.0.0/24")], fails: &[64] },
        // AzureFirewallSubnet elsewhere: the firewall's address is no longer the spokes' next hop.
        Mutation { edits: &[(79, "10.10.0.0/25", "10.10.0.128/25")], fails: &[52, 59, 64, 70, 75, 82, 88, 96] },
        // time-windows for any protocol; for the whole /24.
        Mutation { edits: &[(181, "UDP", "Any")], fails: &[82] },
        Mutation { edits: &[(184, "13.86.101.172", "13.86.101.0/24")], fails: &[88] },
        // winupdate-rule-01 for another FQDN tag.
        Mutation { edits: &[(233, "WindowsUpdate", "WindowsDiagnostics")], fails: &[70] },
    ];
    check(&IP_GROUPS, &mutations);
}

#[test]
fn nat_gateway_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    const DENY_VNET: &str = r#""properties": {"securityRules": [{"name": "deny-vnet", "properties": {"protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*", "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "*", "access": "Deny", "priority": 100, "direction": "Inbound"}}]}"#;
    let mutations = [
        // The separate subnet declaration without the NAT gateway: deployed last and whole, it
        // takes the gateway off the subnet (the adapter used to keep the inline one's).
        Mutation { edits: &[(255, "natGateway", "natGatewayX")], fails: &[22, 29, 52] },
        // ...while the inline declaration's is overwritten anyway.
        Mutation { edits: &[(209, "natGateway", "natGatewayX")], fails: &[] },
        // The NIC without nsg-1; nsg-1 with a rule denying the VNet.
        Mutation { edits: &[(288, "networkSecurityGroup", "networkSecurityGroupX")], fails: &[22, 44, 59] },
        Mutation { edits: &[(128, "\"properties\": {}", DENY_VNET)], fails: &[44, 59] },
    ];
    check(&NAT_GATEWAY, &mutations);
}

#[test]
fn hub_spoke_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    let mutations = [
        // WindowsVirtualMachineHealth for spoke one instead of spoke two.
        Mutation { edits: &[(151, "createArray('10.200.0.0/24')", "createArray('10.100.0.0/24')")], fails: &[20, 28] },
        // The DNS rule for any protocol.
        Mutation { edits: &[(114, "UDP", "Any")], fails: &[41] },
        // No default route: without outbound access the spokes go nowhere.
        Mutation { edits: &[(897, "0.0.0.0/0", "8.0.0.0/8")], fails: &[20, 28, 33, 41, 48] },
        // AzureFirewallSubnet elsewhere in the hub: the route's next hop follows the firewall's
        // allocated address (reference(), 898).
        Mutation { edits: &[(475, "10.0.3.0/26", "10.0.3.64/26")], fails: &[] },
        // AllowBastionSshFromHub outbound; the Bastion's NSG with SSH out on another port.
        Mutation { edits: &[(944, "Inbound", "Outbound")], fails: &[56] },
        Mutation { edits: &[(332, "\"22\"", "\"2222\"")], fails: &[56] },
        // The Bastion's web experience not from the internet.
        Mutation { edits: &[(259, "Internet", "AzureCloud")], fails: &[75] },
        // Either side of the spoke-one peering without access.
        Mutation { edits: &[(63, "true", "false")], fails: &[28, 33, 41, 48, 56, 69] },
        Mutation { edits: &[(167, "true", "false")], fails: &[28, 33, 41, 48, 56] },
    ];
    check(&HUB_SPOKE, &mutations);
}

#[test]
fn machine_learning_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    let mutations = [
        // The workspace open to the public.
        Mutation { edits: &[(552, "Disabled", "Enabled")], fails: &[35] },
        // The endpoint's connection manual (Pending); the zones not deployed.
        Mutation {
            edits: &[(668, "'AutoApproval'", "'Never'"), (669, "'ManualApproval'", "'AutoApproval'")],
            fails: &[22, 29],
        },
        Mutation { edits: &[(700, "'AutoApproval'", "'Never'")], fails: &[22] },
        // The ACL's default action allow (storage and vault share it); the vault without it.
        Mutation { edits: &[(360, "deny", "allow")], fails: &[42, 47, 53, 57] },
        Mutation { edits: &[(490, "'true'", "'false'")], fails: &[53, 57] },
        // The registry behind the VNet by default.
        Mutation { edits: &[(217, "false", "true")], fails: &[63] },
    ];
    check(&MACHINE_LEARNING, &mutations);
}

#[test]
fn private_endpoint_sql_expectations_rest_on_the_lines_they_cite() {
    if !real_configs::available() {
        return;
    }
    const NSG: &str = r#""resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2021-05-01", "name": "nsg", "location": "[parameters('location')]", "properties": {}},"#;
    const ON_SUBNET: &str = r#""Disabled", "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"}"#;
    let mutations = [
        // The VM without its public IP.
        Mutation { edits: &[(230, "publicIPAddress", "publicIPAddressX")], fails: &[20, 25, 31, 35] },
        // mySubnet without default outbound access.
        Mutation { edits: &[(123, "\"Disabled\"", "\"Disabled\", \"defaultOutboundAccess\": false")], fails: &[48] },
        // An NSG (default rules only) on mySubnet.
        Mutation { edits: &[(66, "\"resources\": [", NSG), (123, "\"Disabled\"", ON_SUBNET)], fails: &[20, 25] },
    ];
    check(&PRIVATE_ENDPOINT_SQL, &mutations);
}
