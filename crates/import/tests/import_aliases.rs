//! The names an import gives its places besides their Azure names: the Terraform address, an
//! ARM template's resource `type/name` (or symbolic name) and its resource id.

use vnetsim_import::{Kind, Memory, Request, import};

fn request(kind: Kind, path: &str) -> Request {
    Request {
        kind,
        path: path.into(),
        display: path.into(),
        vars: Vec::new(),
        var_files: Vec::new(),
        parameter_files: Vec::new(),
        parameters: Vec::new(),
    }
}

fn aliases(yaml: &str) -> Vec<String> {
    yaml.lines()
        .skip_while(|l| *l != "aliases:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::to_string)
        .collect()
}

const VM: &str = r#"
resource "azurerm_virtual_network" "v" {
  name                = "hub"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
  subnet {
    name             = "work"
    address_prefixes = ["10.0.1.0/24"]
  }
}
resource "azurerm_network_interface" "n" {
  name                = "vm1-nic"
  resource_group_name = "rg"
  ip_configuration {
    name      = "c"
    subnet_id = "${azurerm_virtual_network.v.id}/subnets/work"
  }
}
resource "azurerm_linux_virtual_machine" "vm" {
  name                  = "vm1"
  resource_group_name   = "rg"
  network_interface_ids = [azurerm_network_interface.n.id]
}
"#;

#[test]
fn a_terraform_place_is_also_named_by_its_address() {
    let files = Memory::with(&[("tf/main.tf", VM)]);
    let imported = import(&[request(Kind::Terraform, "tf")], &files).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(aliases(&imported.yaml), [r#"  "azurerm_linux_virtual_machine.vm": "vm1""#]);
}

const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "hub", "location": "eastus",
     "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
       "subnets": [{"name": "work", "properties": {"addressPrefix": "10.0.1.0/24"}}]}},
    {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-05-01", "name": "vm1-nic", "location": "eastus",
     "properties": {"ipConfigurations": [{"name": "c", "properties": {"privateIPAllocationMethod": "Dynamic",
       "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'work')]"}}}]}},
    {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2024-07-01", "name": "vm1", "location": "eastus",
     "properties": {"networkProfile": {"networkInterfaces": [{"id": "[resourceId('Microsoft.Network/networkInterfaces', 'vm1-nic')]"}]}}}
  ]
}"#;

#[test]
fn an_arm_place_is_also_named_by_its_type_and_name_and_its_resource_id() {
    let files = Memory::with(&[("t/azuredeploy.json", TEMPLATE)]);
    let imported =
        import(&[request(Kind::ArmTemplate, "t/azuredeploy.json")], &files).unwrap_or_else(|d| panic!("{d:#?}"));
    let got = aliases(&imported.yaml);
    assert!(got.iter().any(|l| l.contains("\"Microsoft.Compute/virtualMachines/vm1\": \"vm1\"")), "{got:?}");
    assert!(
        got.iter().any(|l| l.contains("/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1\": \"vm1\"")),
        "{got:?}"
    );
}
