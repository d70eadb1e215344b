//! ARM resources (as the template evaluator and the export reader give them) onto the azurerm
//! mapping: each test builds resources by hand from JSON bodies shaped like Azure's, runs the
//! adapter and the shared mapping, loads the YAML with the ordinary loader and checks what the
//! scenario holds and what the engine decides.

use serde_json::json;
use vnetsim_config::Loc;
use vnetsim_import::arm::ArmResource;
use vnetsim_import::arm::adapter::{self, NotExported};
use vnetsim_import::azurerm::{self, Mapped};
use vnetsim_import::{Instance, Origin, Value};
use vnetsim_model::{PrivateEndpointNetworkPolicies, Scenario, ServiceTagTable};
use vnetsim_testkit::{compile, connect, connect_port, ip, outcome};

const SUB: &str = "00000000-0000-0000-0000-000000000000";

/// The id ARM gives `rtype` `name` in a subscription and resource group.
fn id_in(sub: &str, rg: &str, rtype: &str, name: &str) -> String {
    let types: Vec<&str> = rtype.split('/').collect();
    let names: Vec<&str> = name.split('/').collect();
    let mut path = types[0].to_string();
    for (t, n) in types[1..].iter().zip(&names) {
        path.push_str(&format!("/{t}/{n}"));
    }
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{path}")
}

fn id(rtype: &str, name: &str) -> String {
    id_in(SUB, "rg", rtype, name)
}

fn subnet_id(vnet: &str, subnet: &str) -> String {
    id("Microsoft.Network/virtualNetworks/subnets", &format!("{vnet}/{subnet}"))
}

/// A JSON value with `"unknown:ID:PATH"` strings standing for what `reference()` gives before
/// deployment (the evaluator's unknowns: resource id and ARM path).
fn value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::String(s) if s.starts_with("unknown:") => {
            let (address, path) = s["unknown:".len()..].rsplit_once(':').unwrap();
            Value::unknown(address, path)
        }
        serde_json::Value::Array(items) => Value::list(items.iter().map(value).collect()),
        serde_json::Value::Object(m) => Value::map(m.iter().map(|(k, v)| (k.clone(), value(v))).collect()),
        other => Value::from_json(other),
    }
}

/// A resource of a template (resource group `rg`), written at line `10 × (its index + 1)`.
fn res(rtype: &str, name: &str, properties: serde_json::Value) -> ArmResource {
    res_in(SUB, "rg", rtype, name, properties)
}

fn res_in(sub: &str, rg: &str, rtype: &str, name: &str, properties: serde_json::Value) -> ArmResource {
    ArmResource {
        rtype: rtype.into(),
        name: name.into(),
        id: id_in(sub, rg, rtype, name),
        resource_group: rg.into(),
        location: Some("eastus".into()),
        properties: value(&properties),
        extra: Value::Null,
        symbolic: None,
        origin: Origin { file: "azuredeploy.json".into(), loc: Loc { line: 1, column: 1 } },
    }
}

fn with_extra(mut r: ArmResource, extra: serde_json::Value) -> ArmResource {
    r.extra = value(&extra);
    r
}

fn numbered(mut list: Vec<ArmResource>) -> Vec<ArmResource> {
    for (i, r) in list.iter_mut().enumerate() {
        r.origin.loc.line = 10 * (i as u32 + 1);
    }
    list
}

fn map(list: Vec<ArmResource>) -> (Vec<Instance>, Vec<NotExported>, Mapped, String) {
    let (instances, missing) = adapter::instances(&numbered(list));
    let mapped = azurerm::map(&instances);
    let yaml = mapped.doc.to_yaml().yaml;
    (instances, missing, mapped, yaml)
}

/// Adapts, maps and loads; panics with the mapping's or the loader's errors.
fn load(list: Vec<ArmResource>) -> (Scenario, String, Vec<NotExported>) {
    let (_, missing, mapped, yaml) = map(list);
    assert!(mapped.errors.is_empty(), "mapping errors: {:#?}\n{yaml}", mapped.errors);
    match vnetsim_config::load_scenario("import.yaml", &yaml, &ServiceTagTable::builtin()) {
        Ok(s) => (s, yaml, missing),
        Err(diags) => panic!("{}\n{yaml}", diags.iter().map(|d| d.render(&yaml)).collect::<String>()),
    }
}

fn vm(name: &str, nic: &str) -> ArmResource {
    let nic = id("Microsoft.Network/networkInterfaces", nic);
    res(
        "Microsoft.Compute/virtualMachines",
        name,
        json!({"storageProfile": {"osDisk": {"osType": "Linux"}},
               "networkProfile": {"networkInterfaces": [{"id": nic}]}}),
    )
}

fn nic(name: &str, vnet: &str, subnet: &str) -> ArmResource {
    res(
        "Microsoft.Network/networkInterfaces",
        name,
        json!({"ipConfigurations": [{"name": "ipconfig1", "properties": {
            "privateIPAllocationMethod": "Dynamic", "subnet": {"id": subnet_id(vnet, subnet)}}}]}),
    )
}

/// nat-gateway-1-vm's shape: the subnet inline in the VNet AND as a child resource, a NAT
/// gateway, a NIC with an address hint next to `Dynamic`.
fn nat_gateway_vm() -> Vec<ArmResource> {
    let nat = id("Microsoft.Network/natGateways", "nat-1");
    vec![
        res("Microsoft.Network/networkSecurityGroups", "nsg-1", json!({})),
        res("Microsoft.Network/publicIPAddresses", "pip-nat", json!({"publicIPAllocationMethod": "Static"})),
        res(
            "Microsoft.Network/virtualNetworks",
            "vnet-1",
            json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                   "subnets": [{"name": "subnet-1", "properties": {"addressPrefix": "10.0.0.0/24",
                       "natGateway": {"id": nat}, "privateEndpointNetworkPolicies": "Enabled"}}]}),
        ),
        res(
            "Microsoft.Network/natGateways",
            "nat-1",
            json!({"publicIpAddresses": [{"id": id("Microsoft.Network/publicIPAddresses", "pip-nat")}]}),
        ),
        res(
            "Microsoft.Network/virtualNetworks/subnets",
            "vnet-1/subnet-1",
            json!({"addressPrefix": "10.0.0.0/24", "natGateway": {"id": nat},
                   "privateEndpointNetworkPolicies": "Disabled"}),
        ),
        res(
            "Microsoft.Network/networkInterfaces",
            "nic-1",
            json!({"ipConfigurations": [{"name": "ipconfig-1", "properties": {
                "privateIPAddress": "10.0.0.9", "privateIPAllocationMethod": "Dynamic",
                "subnet": {"id": subnet_id("vnet-1", "subnet-1")}, "primary": true}}],
                "enableIPForwarding": false,
                "networkSecurityGroup": {"id": id("Microsoft.Network/networkSecurityGroups", "nsg-1")}}),
        ),
        vm("vm-1", "nic-1"),
    ]
}

#[test]
fn a_subnet_declared_inline_and_as_a_child_is_one_subnet_and_the_child_wins() {
    let (s, yaml, missing) = load(nat_gateway_vm());
    assert!(missing.is_empty(), "{missing:?}");
    // Two subnets named subnet-1 would be refused by the loader, or give two prefixes; one is
    // expected, with the child's `Disabled` over the inline `Enabled`.
    assert_eq!(s.subnets.len(), 1, "{yaml}");
    let subnet = &s.subnets[0];
    assert_eq!(subnet.private_endpoint_network_policies, PrivateEndpointNetworkPolicies::Disabled, "{yaml}");
    let nat = subnet.nat_gateway.expect("the NAT gateway of the subnet");
    assert_eq!(s.nat_gateways[nat.index()].public_ips, vec![ip("20.250.0.1")]);
    // `Dynamic` with an address in a template: Azure allocates the first free one (.4), not .9.
    let f = compile(s);
    let vm_nic = &f.scenario.nics[0];
    assert_eq!(vm_nic.private_ip, ip("10.0.0.4"));
    assert!(vm_nic.nsg.is_some(), "the NIC's networkSecurityGroup becomes its NSG association");
    assert_eq!(outcome(&f, &connect_port(&f, "vm-1", "8.8.8.8", 443)), "allowed");
}

#[test]
fn an_exported_dynamic_address_is_the_one_azure_allocated() {
    let mut list = nat_gateway_vm();
    let nic = list.iter_mut().find(|r| r.name == "nic-1").unwrap();
    nic.properties = value(&json!({"provisioningState": "Succeeded", "ipConfigurations": [{"name": "ipconfig-1",
        "properties": {"privateIPAddress": "10.0.0.9", "privateIPAllocationMethod": "Dynamic",
        "subnet": {"id": subnet_id("vnet-1", "subnet-1")}}}]}));
    let (s, _, _) = load(list);
    // Catches reading every `Dynamic` address as a hint: an export's is what runs.
    assert_eq!(s.nics[0].private_ip, ip("10.0.0.9"));
}

/// Three subnets with an NSG on the second: one rule inline (priority 110, deny SSH), one as a
/// child resource (priority 100, allow SSH from subnet a), and an export's default rules.
fn nsg_network() -> Vec<ArmResource> {
    let nsg = id("Microsoft.Network/networkSecurityGroups", "nsg-b");
    vec![
        res(
            "Microsoft.Network/networkSecurityGroups",
            "nsg-b",
            json!({"securityRules": [{"name": "deny-ssh", "properties": {"priority": 110, "direction": "Inbound",
                "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
                "destinationAddressPrefix": "*", "destinationPortRanges": ["22", "3389"]}}],
              "defaultSecurityRules": [{"name": "DenyAllInBound", "properties": {"priority": 65500,
                "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*",
                "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}]}),
        ),
        res(
            "Microsoft.Network/networkSecurityGroups/securityRules",
            "nsg-b/allow-ssh-from-a",
            json!({"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                "sourceAddressPrefixes": ["10.0.1.0/24"], "sourcePortRange": "*",
                "destinationAddressPrefix": "*", "destinationPortRange": "22"}),
        ),
        res(
            "Microsoft.Network/virtualNetworks",
            "vnet",
            json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                {"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}},
                {"name": "b", "properties": {"addressPrefix": "10.0.2.0/24", "networkSecurityGroup": {"id": nsg}}},
                {"name": "c", "properties": {"addressPrefix": "10.0.3.0/24"}}]}),
        ),
        nic("nic-a", "vnet", "a"),
        vm("vm-a", "nic-a"),
        nic("nic-b", "vnet", "b"),
        vm("vm-b", "nic-b"),
        nic("nic-c", "vnet", "c"),
        vm("vm-c", "nic-c"),
    ]
}

#[test]
fn nsg_rules_inline_and_child_keep_their_priorities_and_ports() {
    let (s, yaml, _) = load(nsg_network());
    let nsg = &s.nsgs[0];
    // The export's default rule is Azure's own, which the scenario adds: read as a custom rule
    // it would be listed twice.
    let custom: Vec<&str> = nsg.rules.iter().filter(|r| !r.is_default).map(|r| r.name.as_str()).collect();
    assert_eq!(custom, vec!["deny-ssh", "allow-ssh-from-a"], "{yaml}");
    let f = compile(s);
    // Priority 100 (the child) allows SSH from a before 110 denies it; from c the deny decides.
    assert_eq!(outcome(&f, &connect_port(&f, "vm-a", "vm-b", 22)), "allowed");
    assert_eq!(outcome(&f, &connect_port(&f, "vm-c", "vm-b", 22)), "denied_by_nsg by nsg-b/deny-ssh");
    // The second port of `destinationPortRanges`; and a port no custom rule names.
    assert_eq!(outcome(&f, &connect_port(&f, "vm-a", "vm-b", 3389)), "denied_by_nsg by nsg-b/deny-ssh");
    assert_eq!(outcome(&f, &connect_port(&f, "vm-c", "vm-b", 80)), "allowed");
}

/// mspnp hub-spoke's shape: a firewall with a policy, a spoke route whose next hop is
/// `reference(firewall).ipConfigurations[0].properties.privateIPAddress`, peerings as children.
fn hub_spoke() -> Vec<ArmResource> {
    let fw = id("Microsoft.Network/azureFirewalls", "afw");
    let policy = id("Microsoft.Network/firewallPolicies", "afwp");
    let peering = |from: &str, to: &str| {
        res(
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            &format!("{from}/{from}-to-{to}"),
            json!({"remoteVirtualNetwork": {"id": id("Microsoft.Network/virtualNetworks", to)},
                   "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true}),
        )
    };
    vec![
        res(
            "Microsoft.Network/virtualNetworks",
            "hub",
            json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                {"name": "AzureFirewallSubnet", "properties": {"addressPrefix": "10.0.1.64/26"}}]}),
        ),
        res(
            "Microsoft.Network/routeTables",
            "rt-spoke",
            json!({"disableBgpRoutePropagation": true, "routes": [{"name": "to-firewall", "properties": {
                "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                "nextHopIpAddress": format!("unknown:{fw}:ipConfigurations[0].properties.privateIPAddress")}}]}),
        ),
        res(
            "Microsoft.Network/virtualNetworks",
            "spoke",
            json!({"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "subnets": [
                {"name": "workload", "properties": {"addressPrefix": "10.1.0.0/24",
                 "routeTable": {"id": id("Microsoft.Network/routeTables", "rt-spoke")}}}]}),
        ),
        peering("hub", "spoke"),
        peering("spoke", "hub"),
        res("Microsoft.Network/publicIPAddresses", "pip-fw", json!({"publicIPAllocationMethod": "Static"})),
        res("Microsoft.Network/firewallPolicies", "afwp", json!({"threatIntelMode": "Alert"})),
        res(
            "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
            "afwp/network",
            json!({"priority": 200, "ruleCollections": [{"ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                "name": "spoke-out", "priority": 100, "action": {"type": "Allow"}, "rules": [
                    {"ruleType": "NetworkRule", "name": "web", "ipProtocols": ["TCP"],
                     "sourceAddresses": ["10.1.0.0/24"], "destinationAddresses": ["*"], "destinationPorts": ["443"]}]}]}),
        ),
        res(
            "Microsoft.Network/azureFirewalls",
            "afw",
            json!({"sku": {"name": "AZFW_VNet", "tier": "Standard"}, "firewallPolicy": {"id": policy},
                "ipConfigurations": [{"name": "cfg", "properties": {
                    "subnet": {"id": subnet_id("hub", "AzureFirewallSubnet")},
                    "publicIPAddress": {"id": id("Microsoft.Network/publicIPAddresses", "pip-fw")}}}]}),
        ),
        nic("nic-spoke", "spoke", "workload"),
        vm("vm-spoke", "nic-spoke"),
    ]
}

#[test]
fn a_route_to_the_firewall_by_reference_gets_the_firewall_private_ip() {
    let (s, yaml, missing) = load(hub_spoke());
    assert!(missing.is_empty(), "{missing:?}");
    // The unknown named by the firewall's id and ARM path must reach the shared resolver as the
    // firewall's address and Terraform path: otherwise the mapping reports it unknown.
    assert!(
        yaml.contains(
            "next_hop_ip: 10.0.1.68  # computed: the private IP vnetsim gives Microsoft.Network/azureFirewalls/afw"
        ),
        "{yaml}"
    );
    assert!(s.route_tables[0].disable_bgp_route_propagation);
    let f = compile(s);
    assert_eq!(outcome(&f, &connect_port(&f, "vm-spoke", "8.8.8.8", 443)), "allowed");
    let denied = outcome(&f, &connect_port(&f, "vm-spoke", "8.8.8.8", 22));
    assert!(denied.starts_with("denied") && denied.contains("afw"), "{denied}");
}

#[test]
fn peering_flags_are_read_and_decide() {
    let mut list = hub_spoke();
    let spoke_to_hub = list.iter_mut().find(|r| r.name == "spoke/spoke-to-hub").unwrap();
    spoke_to_hub.properties =
        value(&json!({"remoteVirtualNetwork": {"id": id("Microsoft.Network/virtualNetworks", "hub")},
        "allowVirtualNetworkAccess": false, "allowForwardedTraffic": true, "useRemoteGateways": false}));
    let (s, _, _) = load(list);
    let p = s.peerings.iter().find(|p| p.name == "spoke-to-hub").expect("the ARM name is kept");
    assert!(!p.allow_virtual_network_access && p.allow_forwarded_traffic);
    let f = compile(s);
    let blocked = outcome(&f, &connect_port(&f, "vm-spoke", "8.8.8.8", 443));
    assert!(blocked.contains("spoke-to-hub"), "allowVirtualNetworkAccess = false must be read: {blocked}");
}

/// A storage account reached through a private endpoint with a DNS zone group (a child
/// resource), its public endpoint closed to all but one subnet.
fn private_storage() -> Vec<ArmResource> {
    let zone = "privatelink.blob.core.windows.net";
    let st = id("Microsoft.Storage/storageAccounts", "stdata");
    vec![
        res(
            "Microsoft.Network/virtualNetworks",
            "vnet",
            json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                {"name": "pe", "properties": {"addressPrefix": "10.0.0.0/24", "privateEndpointNetworkPolicies": "Disabled"}},
                {"name": "allowed", "properties": {"addressPrefix": "10.0.1.0/24",
                    "serviceEndpoints": [{"service": "Microsoft.Storage", "locations": ["eastus"]}]}},
                {"name": "other", "properties": {"addressPrefix": "10.0.2.0/24"}}]}),
        ),
        with_extra(
            res(
                "Microsoft.Storage/storageAccounts",
                "stdata",
                json!({"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny",
                    "bypass": "AzureServices, Logging", "ipRules": [],
                    "virtualNetworkRules": [{"id": subnet_id("vnet", "allowed"), "action": "Allow"}]}}),
            ),
            json!({"sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
        ),
        res("Microsoft.Network/privateDnsZones", zone, json!({})),
        res(
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            &format!("{zone}/link"),
            json!({"virtualNetwork": {"id": id("Microsoft.Network/virtualNetworks", "vnet")}, "registrationEnabled": false}),
        ),
        res(
            "Microsoft.Network/privateEndpoints",
            "pe-blob",
            json!({"subnet": {"id": subnet_id("vnet", "pe")}, "privateLinkServiceConnections": [{"name": "blob",
                "properties": {"privateLinkServiceId": st, "groupIds": ["blob"]}}]}),
        ),
        res(
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "pe-blob/default",
            json!({"privateDnsZoneConfigs": [{"name": "blob", "properties": {
                "privateDnsZoneId": id("Microsoft.Network/privateDnsZones", zone)}}]}),
        ),
        nic("nic-pe-side", "vnet", "other"),
        vm("vm-other", "nic-pe-side"),
        nic("nic-allowed", "vnet", "allowed"),
        vm("vm-allowed", "nic-allowed"),
    ]
}

#[test]
fn a_private_endpoint_with_a_zone_group_answers_by_name() {
    let (s, yaml, missing) = load(private_storage());
    assert!(missing.is_empty(), "{missing:?}");
    let pe = &s.private_endpoints[0];
    assert!(pe.register_dns, "the zone group child resource registers the endpoint: {yaml}");
    let f = compile(s);
    // The name resolves to the endpoint through the linked zone, so the account's firewall
    // (which refuses `other` on the public path, see the next test) does not apply.
    let c = connect(&f, "vm-other", "https://stdata.blob.core.windows.net");
    assert_eq!(outcome(&f, &c), "allowed");
}

#[test]
fn storage_network_acls_deny_all_but_their_subnet() {
    // Without the endpoint, the public endpoint's firewall decides (S-9): the subnet of the VNet
    // rule (with its service endpoint) is let in, the other refused by the default action.
    let list: Vec<ArmResource> =
        private_storage().into_iter().filter(|r| !r.rtype.starts_with("Microsoft.Network/private")).collect();
    let (s, yaml, _) = load(list);
    assert!(yaml.contains("default_action: Deny"), "{yaml}");
    let f = compile(s);
    assert_eq!(outcome(&f, &connect(&f, "vm-allowed", "https://stdata.blob.core.windows.net")), "allowed");
    let denied = outcome(&f, &connect(&f, "vm-other", "https://stdata.blob.core.windows.net"));
    assert!(denied.starts_with("denied") && denied.contains("stdata"), "{denied}");
}

#[test]
fn references_the_export_does_not_hold_are_listed_and_dropped() {
    // An export of one VNet whose subnet names an NSG and a NAT gateway that were not exported,
    // a NIC with an unexported public IP, and a NIC in a VNet that was not exported.
    let sub = "a1b2c3d4-0000-0000-0000-000000000000";
    let rid = |t: &str, n: &str| id_in(sub, "rg-prod", t, n);
    let nsg = rid("Microsoft.Network/networkSecurityGroups", "nsg-gone");
    let pip = rid("Microsoft.Network/publicIPAddresses", "pip-gone");
    let vnet = rid("Microsoft.Network/virtualNetworks", "vnet");
    let list = vec![
        res_in(
            sub,
            "rg-prod",
            "Microsoft.Network/virtualNetworks",
            "vnet",
            json!({"provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "app", "id": format!("{vnet}/subnets/app"), "properties": {
                    "addressPrefix": "10.0.0.0/24", "networkSecurityGroup": {"id": nsg},
                    "natGateway": {"id": rid("Microsoft.Network/natGateways", "nat-gone")}}}]}),
        ),
        res_in(
            sub,
            "rg-prod",
            "Microsoft.Network/networkInterfaces",
            "nic-app",
            json!({"provisioningState": "Succeeded", "ipConfigurations": [{"name": "ipconfig1", "properties": {
                "privateIPAddress": "10.0.0.7", "privateIPAllocationMethod": "Dynamic",
                "subnet": {"id": format!("{vnet}/subnets/app")}, "publicIPAddress": {"id": pip}}}]}),
        ),
        res_in(
            sub,
            "rg-prod",
            "Microsoft.Network/networkInterfaces",
            "nic-elsewhere",
            json!({"ipConfigurations": [{"name": "ipconfig1", "properties": {
                "subnet": {"id": format!("{}/subnets/x", rid("Microsoft.Network/virtualNetworks", "other"))}}}]}),
        ),
    ];
    let (s, yaml, missing) = load(list);
    let listed: Vec<(&str, &str)> = missing.iter().map(|m| (m.address.as_str(), m.id.as_str())).collect();
    let app = "Microsoft.Network/virtualNetworks/vnet/subnets/app";
    let other_subnet = format!("{}/subnets/x", rid("Microsoft.Network/virtualNetworks", "other"));
    let nat = rid("Microsoft.Network/natGateways", "nat-gone");
    assert_eq!(
        listed,
        vec![
            (app, nsg.as_str()),
            (app, nat.as_str()),
            ("Microsoft.Network/networkInterfaces/nic-app", pip.as_str()),
            ("Microsoft.Network/networkInterfaces/nic-elsewhere", other_subnet.as_str()),
        ]
    );
    assert!(missing.iter().all(|m| m.origin.file == "azuredeploy.json" && m.origin.loc.line > 0));
    // Absent: the subnet has no NSG, the NIC no public IP, the NIC elsewhere is left out.
    assert_eq!(s.subnets.len(), 1);
    assert!(s.subnets[0].nsg.is_none() && s.subnets[0].nat_gateway.is_none(), "{yaml}");
    assert_eq!(s.nics.len(), 1, "{yaml}");
    assert_eq!(s.nics[0].public_ip, None);
    assert_eq!(s.nics[0].private_ip, ip("10.0.0.7"));
}

#[test]
fn classic_collections_of_an_exported_firewall_decide_in_its_own_subscription() {
    // AzureFirewallGet's shape, in a subscription that is not vnetsim's: the collections must
    // still find their firewall (by id), and SNAT's private ranges come from additionalProperties.
    // Its NAT and network collections share priority 112, as Azure allows (each kind of classic
    // collection has its own priorities): one generated group for all would be refused.
    let sub = "9f0e0000-0000-0000-0000-000000000000";
    let rid = |t: &str, n: &str| id_in(sub, "rg1", t, n);
    let vnet = rid("Microsoft.Network/virtualNetworks", "hub");
    let list = vec![
        res_in(
            sub,
            "rg1",
            "Microsoft.Network/virtualNetworks",
            "hub",
            json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                {"name": "AzureFirewallSubnet", "id": format!("{vnet}/subnets/AzureFirewallSubnet"),
                 "properties": {"addressPrefix": "10.0.0.0/24"}},
                {"name": "servers", "id": format!("{vnet}/subnets/servers"), "properties": {"addressPrefix": "10.0.2.0/24",
                 "routeTable": {"id": rid("Microsoft.Network/routeTables", "rt")}}}]}),
        ),
        res_in(
            sub,
            "rg1",
            "Microsoft.Network/routeTables",
            "rt",
            json!({"routes": [{"name": "default", "properties": {"addressPrefix": "0.0.0.0/0",
                "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}]}),
        ),
        res_in(
            sub,
            "rg1",
            "Microsoft.Network/publicIPAddresses",
            "pip",
            json!({"provisioningState": "Succeeded", "ipAddress": "203.0.113.10"}),
        ),
        res_in(
            sub,
            "rg1",
            "Microsoft.Network/azureFirewalls",
            "azurefirewall",
            json!({"provisioningState": "Succeeded",
                "additionalProperties": {"Network.SNAT.PrivateRanges": "IANAPrivateRanges, 203.0.113.0/24"},
                "ipConfigurations": [{"name": "cfg", "properties": {"privateIPAddress": "10.0.0.4",
                    "subnet": {"id": format!("{vnet}/subnets/AzureFirewallSubnet")},
                    "publicIPAddress": {"id": rid("Microsoft.Network/publicIPAddresses", "pip")}}}],
                "networkRuleCollections": [{"name": "netrulecoll", "properties": {"priority": 112,
                    "action": {"type": "Allow"}, "rules": [{"name": "high-ports", "protocols": ["TCP"],
                    "sourceAddresses": ["10.0.2.0/24"], "destinationAddresses": ["*"], "destinationPorts": ["8000-8999"]}]}}],
                "natRuleCollections": [{"name": "natrulecoll", "properties": {"priority": 112,
                    "action": {"type": "Dnat"}, "rules": [{"name": "to-fqdn", "protocols": ["TCP"],
                    "sourceAddresses": ["*"], "destinationAddresses": ["203.0.113.10"], "destinationPorts": ["443"],
                    "translatedFqdn": "internalhttpserver", "translatedPort": "8443"}]}}]}),
        ),
        res_in(
            sub,
            "rg1",
            "Microsoft.Network/networkInterfaces",
            "nic-server",
            json!({"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAllocationMethod": "Dynamic",
                "subnet": {"id": format!("{vnet}/subnets/servers")}}}]}),
        ),
    ];
    let (_, _, mapped, _) = map(list.clone());
    // The DNAT rule to an FQDN has no counterpart in the format: listed, not dropped silently.
    assert!(
        mapped.summary.not_modelled.iter().any(|l| l.address.contains("natRuleCollections/natrulecoll")),
        "{:?}",
        mapped.summary.not_modelled
    );
    let (s, yaml, missing) = load(list);
    assert!(missing.is_empty(), "{missing:?}");
    let fw = &s.firewalls[0];
    assert_eq!(fw.public_ips, vec![ip("203.0.113.10")], "an exported public IP keeps its address");
    assert!(yaml.contains("snat_private_ranges: [IANAPrivateRanges, 203.0.113.0/24]"), "{yaml}");
    let f = compile(s);
    assert_eq!(outcome(&f, &connect_port(&f, "nic-server", "8.8.8.8", 8080)), "allowed");
    let denied = outcome(&f, &connect_port(&f, "nic-server", "8.8.8.8", 443));
    assert!(denied.contains("azurefirewall"), "{denied}");
}

#[test]
fn types_without_translation_are_listed_as_ignored_or_not_modelled() {
    let mut list = nat_gateway_vm();
    list.push(res("Microsoft.Insights/diagnosticSettings", "diag", json!({})));
    list.push(res("Microsoft.Sql/servers", "sql", json!({"publicNetworkAccess": "Disabled"})));
    // Developer-SKU Bastion: no IP configuration, in Azure's shared network.
    list.push(res(
        "Microsoft.Network/bastionHosts",
        "bastion",
        json!({"virtualNetwork": {"id": id("Microsoft.Network/virtualNetworks", "vnet-1")}}),
    ));
    let (_, _, mapped, _) = map(list);
    assert!(mapped.errors.is_empty(), "{:#?}", mapped.errors);
    let names = |l: &[vnetsim_import::summary::Listed]| l.iter().map(|l| l.rtype.clone()).collect::<Vec<_>>();
    assert_eq!(names(&mapped.summary.ignored), vec!["arm:Microsoft.Insights/diagnosticSettings"]);
    assert_eq!(
        names(&mapped.summary.not_modelled),
        vec!["arm:Microsoft.Sql/servers", "arm:Microsoft.Network/bastionHosts"]
    );
}

#[test]
fn a_resource_left_out_is_absent_for_the_resources_that_name_it() {
    // A subnet exported without its VNet is left out; the NIC in it, and the VM of that NIC,
    // must then be left out too (each listed), or the loader meets a subnet that is not there.
    let list = vec![
        res("Microsoft.Network/virtualNetworks/subnets", "vnet-x/app", json!({"addressPrefix": "10.9.0.0/24"})),
        nic("nic-app", "vnet-x", "app"),
        vm("vm-app", "nic-app"),
        res("Microsoft.Network/networkSecurityGroups", "nsg-kept", json!({})),
    ];
    let (s, yaml, missing) = load(list);
    let listed: Vec<(&str, &str, bool)> =
        missing.iter().map(|m| (m.address.as_str(), m.id.as_str(), m.left_out)).collect();
    let subnet = subnet_id("vnet-x", "app");
    let nic = id("Microsoft.Network/networkInterfaces", "nic-app");
    assert_eq!(
        listed,
        vec![
            (
                "Microsoft.Network/virtualNetworks/vnet-x/subnets/app",
                id("Microsoft.Network/virtualNetworks", "vnet-x").as_str(),
                false
            ),
            ("Microsoft.Network/networkInterfaces/nic-app", subnet.as_str(), true),
            ("Microsoft.Compute/virtualMachines/vm-app", nic.as_str(), true),
        ]
    );
    assert!(s.endpoints.is_empty() && s.subnets.is_empty(), "{yaml}");
    assert_eq!(s.nsgs.len(), 1, "what needs nothing missing stays");
}

#[test]
fn a_nat_gateway_without_a_public_ip_in_the_input_is_not_modelled_and_absent() {
    // O-2 needs 1 to 16 public IPs: a NAT gateway whose only IP was not exported cannot be
    // written, and the subnet that names it gets none (the loader would refuse both).
    let mut list = nat_gateway_vm();
    list.retain(|r| r.name != "pip-nat");
    let (s, _, missing) = load(list);
    assert!(s.nat_gateways.is_empty() && s.subnets[0].nat_gateway.is_none());
    assert!(missing.iter().any(|m| m.address == "Microsoft.Network/natGateways/nat-1" && !m.left_out));
    assert!(missing.iter().any(|m| m.address.ends_with("subnets/subnet-1") && m.left_out));
}
