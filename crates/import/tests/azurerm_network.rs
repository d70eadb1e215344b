//! azurerm network resources onto the scenario format: each test builds resource instances by
//! hand as the Terraform evaluator would, maps them, loads the YAML with the ordinary loader and
//! checks what the scenario holds or what the engine decides.

use serde_json::json;
use std::collections::BTreeMap;
use vnetsim_config::Loc;
use vnetsim_import::azurerm::{self, Mapped, ids};
use vnetsim_import::{Instance, Mode, Origin, Value};
use vnetsim_model::{PrivateEndpointNetworkPolicies, Scenario, ServiceTagTable};
use vnetsim_testkit::{compile, connect_port, ip, outcome};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers";

/// A JSON value with `"unknown:ADDRESS:PATH"` strings standing for values known after apply.
fn value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::String(s) if s.starts_with("unknown:") => {
            let mut parts = s.splitn(3, ':').skip(1);
            Value::unknown(parts.next().unwrap(), parts.next().unwrap())
        }
        serde_json::Value::Array(items) => Value::list(items.iter().map(value).collect()),
        serde_json::Value::Object(m) => Value::map(m.iter().map(|(k, v)| (k.clone(), value(v))).collect()),
        other => Value::from_json(other),
    }
}

/// Instances written at lines 10, 20, …; each argument on the next lines, in key order, so a
/// diagnostic's line says which argument it is located at.
fn instances(list: Vec<(&str, serde_json::Value)>) -> Vec<Instance> {
    let mut out = Vec::new();
    for (n, (address, mut attrs)) in list.into_iter().enumerate() {
        let rtype = address.split('.').next().unwrap().to_string();
        let obj = attrs.as_object_mut().unwrap();
        obj.entry("resource_group_name").or_insert(json!("rg"));
        let mut attrs = value(&attrs);
        // Associations have no name, hence no id.
        if let Some(id) = ids::resource_id(&rtype, &attrs) {
            let mut m: BTreeMap<String, Value> = attrs.as_map().unwrap().clone();
            m.insert("id".into(), Value::string(id));
            attrs = Value::map(m);
        }
        let line = 10 * (n as u32 + 1);
        let arg_locs = (attrs.as_map().unwrap().keys().enumerate())
            .map(|(i, k)| (k.clone(), Loc { line: line + 1 + i as u32, column: 3 }))
            .collect();
        out.push(Instance {
            address: address.to_string(),
            mode: Mode::Managed,
            rtype,
            attrs,
            origin: Origin { file: "main.tf".into(), loc: Loc { line, column: 1 } },
            arg_locs,
        });
    }
    out
}

fn map(list: Vec<(&str, serde_json::Value)>) -> (Mapped, String) {
    let insts = instances(list);
    let mapped = azurerm::map(&insts);
    let yaml = mapped.doc.to_yaml().yaml;
    (mapped, yaml)
}

/// Maps and loads; panics with the mapping's or the loader's errors.
fn load(list: Vec<(&str, serde_json::Value)>) -> (Scenario, String) {
    let (mapped, yaml) = map(list);
    assert!(mapped.errors.is_empty(), "mapping errors: {:#?}\n{yaml}", mapped.errors);
    match vnetsim_config::load_scenario("import.yaml", &yaml, &ServiceTagTable::builtin()) {
        Ok(s) => (s, yaml),
        Err(diags) => panic!("{}\n{yaml}", diags.iter().map(|d| d.render(&yaml)).collect::<String>()),
    }
}

fn id(kind: &str, name: &str) -> String {
    format!("{RG}/{kind}/{name}")
}

fn subnet_id(vnet: &str, subnet: &str) -> String {
    format!("{RG}/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}")
}

fn nic_id(name: &str) -> String {
    id("Microsoft.Network/networkInterfaces", name)
}

fn nic(name: &str, vnet: &str, subnet: &str) -> serde_json::Value {
    json!({"name": name, "ip_configuration": [{"name": "ipconfig", "subnet_id": subnet_id(vnet, subnet),
        "private_ip_address_allocation": "Dynamic"}]})
}

/// The hub-and-spoke of 301-nat-gateway-hub-spoke-firewall (provider v4): inline subnets, a
/// spoke route whose next hop is the firewall's private IP known only after apply, a policy
/// allowing web traffic from the spoke.
fn hub_spoke_firewall() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "azurerm_virtual_network.hub",
            json!({"name": "hub", "location": "East US", "address_space": ["10.0.0.0/16"],
            "subnet": [{"name": "subnet-1", "address_prefixes": ["10.0.0.0/24"]},
                       {"name": "AzureFirewallSubnet", "address_prefixes": ["10.0.1.64/26"]}]}),
        ),
        (
            "azurerm_virtual_network.spoke",
            json!({"name": "spoke", "address_space": ["10.1.0.0/16"],
            "subnet": [{"name": "subnet-private", "address_prefixes": ["10.1.0.0/24"]}]}),
        ),
        (
            "azurerm_route_table.spoke",
            json!({"name": "rt-spoke", "bgp_route_propagation_enabled": false,
            "route": [{"name": "route-to-hub", "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance",
                "next_hop_in_ip_address": "unknown:azurerm_firewall.main:ip_configuration[0].private_ip_address"}]}),
        ),
        (
            "azurerm_subnet_route_table_association.spoke",
            json!({"subnet_id": subnet_id("spoke", "subnet-private"),
            "route_table_id": id("Microsoft.Network/routeTables", "rt-spoke")}),
        ),
        ("azurerm_public_ip.firewall", json!({"name": "pip-firewall"})),
        ("azurerm_firewall_policy.main", json!({"name": "afwp"})),
        (
            "azurerm_firewall_policy_rule_collection_group.main",
            json!({"name": "DefaultNetworkRuleCollectionGroup",
            "firewall_policy_id": id("Microsoft.Network/firewallPolicies", "afwp"), "priority": 200,
            "network_rule_collection": [{"name": "spoke-to-internet", "priority": 100, "action": "Allow",
                "rule": [{"name": "allow-web", "protocols": ["TCP"], "source_addresses": ["10.1.0.0/24"],
                    "destination_addresses": ["*"], "destination_ports": ["80", "443"]}]}]}),
        ),
        (
            "azurerm_firewall.main",
            json!({"name": "afw", "sku_name": "AZFW_VNet",
            "firewall_policy_id": id("Microsoft.Network/firewallPolicies", "afwp"),
            "ip_configuration": [{"name": "configuration", "subnet_id": subnet_id("hub", "AzureFirewallSubnet"),
                "public_ip_address_id": id("Microsoft.Network/publicIPAddresses", "pip-firewall")}]}),
        ),
        (
            "azurerm_virtual_network_peering.hub_to_spoke",
            json!({"name": "peer-hub-to-spoke", "virtual_network_name": "hub",
            "remote_virtual_network_id": id("Microsoft.Network/virtualNetworks", "spoke"),
            "allow_virtual_network_access": true, "allow_forwarded_traffic": true}),
        ),
        (
            "azurerm_virtual_network_peering.spoke_to_hub",
            json!({"name": "peer-spoke-to-hub", "virtual_network_name": "spoke",
            "remote_virtual_network_id": id("Microsoft.Network/virtualNetworks", "hub"),
            "allow_virtual_network_access": true, "allow_forwarded_traffic": true}),
        ),
        ("azurerm_network_interface.vm", nic("nic-vm", "spoke", "subnet-private")),
        (
            "azurerm_linux_virtual_machine.main",
            json!({"name": "vm-spoke", "network_interface_ids": [nic_id("nic-vm")]}),
        ),
    ]
}

#[test]
fn a_route_to_the_firewall_gets_the_private_ip_the_firewall_is_given() {
    let (s, yaml) = load(hub_spoke_firewall());
    let f = compile(s);
    // Azure gives the firewall the first usable address of 10.0.1.64/26; the route that names it
    // by reference must agree (a route to another address would lose every packet).
    assert!(yaml.contains("ip: 10.0.1.68  # computed: the first usable address of AzureFirewallSubnet"), "{yaml}");
    assert!(
        yaml.contains("next_hop_ip: 10.0.1.68  # computed: the private IP vnetsim gives azurerm_firewall.main"),
        "{yaml}"
    );
    let rt = &f.scenario.route_tables[0];
    assert!(rt.disable_bgp_route_propagation, "bgp_route_propagation_enabled = false is R-10's disable");
    // The policy's network rule allows 443 from the spoke, the firewall denies 22 (F-1).
    assert_eq!(outcome(&f, &connect_port(&f, "vm-spoke", "8.8.8.8", 443)), "allowed");
    let denied = outcome(&f, &connect_port(&f, "vm-spoke", "8.8.8.8", 22));
    assert!(denied.starts_with("denied") && denied.contains("afw"), "{denied}");
    // The firewall's public IP is the first of the synthetic pool, and the VNet's location the region.
    assert_eq!(f.scenario.firewalls[0].public_ips, vec![ip("20.250.0.1")]);
    assert_eq!(f.scenario.region, "eastus");
    // The dynamic NIC is the first usable address of its subnet.
    assert_eq!(f.scenario.nics[f.scenario.firewalls[0].nic.index() - 1].private_ip, ip("10.1.0.4"));
}

#[test]
fn peering_flags_are_read_and_decide() {
    // allow_virtual_network_access = false on the spoke's side blocks everything between the
    // VNets (R-15), the firewall's path to the internet included.
    let mut list = hub_spoke_firewall();
    let (_, hub_to_spoke) =
        list.iter_mut().find(|(a, _)| *a == "azurerm_virtual_network_peering.hub_to_spoke").unwrap();
    hub_to_spoke["allow_forwarded_traffic"] = json!(false);
    hub_to_spoke["allow_gateway_transit"] = json!(true);
    let (_, spoke_to_hub) =
        list.iter_mut().find(|(a, _)| *a == "azurerm_virtual_network_peering.spoke_to_hub").unwrap();
    spoke_to_hub["allow_virtual_network_access"] = json!(false);
    let (s, _) = load(list);
    let p = s.peerings.iter().find(|p| p.name == "peer-hub-to-spoke").expect("the Azure name is kept");
    assert!(!p.allow_forwarded_traffic && p.allow_gateway_transit && p.allow_virtual_network_access);
    let q = s.peerings.iter().find(|p| p.name == "peer-spoke-to-hub").unwrap();
    assert!(!q.allow_virtual_network_access && q.allow_forwarded_traffic);
    let f = compile(s);
    let blocked = outcome(&f, &connect_port(&f, "vm-spoke", "8.8.8.8", 443));
    assert!(blocked.contains("peer-spoke-to-hub"), "allow_virtual_network_access = false must be read: {blocked}");
}

#[test]
fn v3_and_v4_subnet_spellings_both_set_network_policies() {
    let subnet = |name: &str, extra: serde_json::Value| {
        let mut v = json!({"name": name, "virtual_network_name": "app", "address_prefixes": [format!("10.9.{}.0/24", name.len())]});
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    };
    let (s, _) = load(vec![
        ("azurerm_virtual_network.app", json!({"name": "app", "address_space": ["10.9.0.0/16"]})),
        // enforce_…=true DISABLES the policies despite its name (v2/v3).
        ("azurerm_subnet.a", subnet("a", json!({"enforce_private_link_endpoint_network_policies": true}))),
        ("azurerm_subnet.bb", subnet("bb", json!({"enforce_private_link_endpoint_network_policies": false}))),
        ("azurerm_subnet.ccc", subnet("ccc", json!({"private_endpoint_network_policies_enabled": true}))),
        (
            "azurerm_subnet.dddd",
            subnet(
                "dddd",
                json!({"private_endpoint_network_policies": "NetworkSecurityGroupEnabled",
            "default_outbound_access_enabled": false, "service_endpoints": ["Microsoft.Storage"]}),
            ),
        ),
        ("azurerm_subnet.eeeee", subnet("eeeee", json!({}))),
    ]);
    let policy = |name: &str| s.subnets.iter().find(|x| x.name == name).unwrap().private_endpoint_network_policies;
    assert_eq!(policy("a"), PrivateEndpointNetworkPolicies::Disabled);
    assert_eq!(policy("bb"), PrivateEndpointNetworkPolicies::Enabled);
    assert_eq!(policy("ccc"), PrivateEndpointNetworkPolicies::Enabled);
    assert_eq!(policy("dddd"), PrivateEndpointNetworkPolicies::NetworkSecurityGroupEnabled);
    assert_eq!(policy("eeeee"), PrivateEndpointNetworkPolicies::Disabled);
    let d = s.subnets.iter().find(|x| x.name == "dddd").unwrap();
    assert!(!d.default_outbound_access);
    assert_eq!(d.service_endpoints, vec!["Microsoft.Storage".to_string()]);
}

/// Two VMs in one subnet behind an NSG (inline rules and a separate rule resource), one with a
/// NIC NSG and an ASG.
fn nsg_pair() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "azurerm_virtual_network.app",
            json!({"name": "app", "address_space": ["10.2.0.0/16"],
            "subnet": [{"name": "web", "address_prefix": "10.2.1.0/24"}]}),
        ),
        ("azurerm_application_security_group.web", json!({"name": "web-servers"})),
        (
            "azurerm_network_security_group.subnet",
            json!({"name": "subnet-nsg", "security_rule": [
            {"name": "deny-ssh", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
             "source_port_range": "*", "destination_port_range": "22", "source_address_prefix": "VirtualNetwork",
             "destination_address_prefix": "*"},
            {"name": "allow-https-to-web", "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
             "source_port_range": "*", "destination_port_ranges": ["443", "8000-8100"], "source_address_prefixes": ["10.2.1.0/24"],
             "destination_application_security_group_ids": [id("Microsoft.Network/applicationSecurityGroups", "web-servers")]},
            {"name": "deny-rest", "priority": 4000, "direction": "Inbound", "access": "Deny", "protocol": "*",
             "source_port_range": "*", "destination_port_range": "*", "source_address_prefix": "*",
             "destination_address_prefix": "*"}]}),
        ),
        (
            "azurerm_network_security_rule.allow_ssh_outbound_only",
            json!({"name": "ssh-first", "priority": 105,
            "direction": "Outbound", "access": "Deny", "protocol": "Tcp", "source_port_range": "*",
            "destination_port_range": "2222", "source_address_prefix": "*", "destination_address_prefix": "*",
            "network_security_group_name": "subnet-nsg"}),
        ),
        (
            "azurerm_subnet_network_security_group_association.web",
            json!({"subnet_id": subnet_id("app", "web"),
            "network_security_group_id": id("Microsoft.Network/networkSecurityGroups", "subnet-nsg")}),
        ),
        (
            "azurerm_network_security_group.nic",
            json!({"name": "nic-nsg", "security_rule": [
            {"name": "deny-8080", "priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
             "source_port_range": "*", "destination_port_range": "8080", "source_address_prefix": "*",
             "destination_address_prefix": "*"}]}),
        ),
        ("azurerm_network_interface.a", nic("nic-a", "app", "web")),
        ("azurerm_network_interface.b", nic("nic-b", "app", "web")),
        (
            "azurerm_network_interface_security_group_association.b",
            json!({"network_interface_id": nic_id("nic-b"),
            "network_security_group_id": id("Microsoft.Network/networkSecurityGroups", "nic-nsg")}),
        ),
        (
            "azurerm_network_interface_application_security_group_association.b",
            json!({"network_interface_id": nic_id("nic-b"),
            "application_security_group_id": id("Microsoft.Network/applicationSecurityGroups", "web-servers")}),
        ),
        ("azurerm_windows_virtual_machine.a", json!({"name": "client", "network_interface_ids": [nic_id("nic-a")]})),
        ("azurerm_virtual_machine.b", json!({"name": "server", "network_interface_ids": [nic_id("nic-b")]})),
    ]
}

#[test]
fn nsg_rules_keep_priority_direction_ports_and_asgs() {
    let (s, _) = load(nsg_pair());
    let f = compile(s);
    // Inbound 22 from the VNet: the priority-100 deny, not the default AllowVNetInBound.
    assert_eq!(outcome(&f, &connect_port(&f, "client", "server", 22)), "denied_by_nsg by subnet-nsg/deny-ssh");
    // 8050 is inside the rule's 8000-8100 and `server` is in the destination ASG.
    assert_eq!(outcome(&f, &connect_port(&f, "client", "server", 8050)), "allowed");
    // 8200 is not in the rule's ports: the priority-4000 deny decides.
    assert_eq!(outcome(&f, &connect_port(&f, "client", "server", 8200)), "denied_by_nsg by subnet-nsg/deny-rest");
    // `client` is not in the ASG: the allow does not apply to it.
    assert_eq!(outcome(&f, &connect_port(&f, "server", "client", 443)), "denied_by_nsg by subnet-nsg/deny-rest");
    // The separate rule resource joins its NSG as an outbound rule.
    assert_eq!(outcome(&f, &connect_port(&f, "client", "server", 2222)), "denied_by_nsg by subnet-nsg/ssh-first");
}

#[test]
fn a_nic_nsg_association_filters_that_nic_only() {
    let mut list = nsg_pair();
    // Open the subnet NSG so the NIC NSG decides.
    list.retain(|(a, _)| *a != "azurerm_subnet_network_security_group_association.web");
    let (s, _) = load(list);
    let f = compile(s);
    assert_eq!(outcome(&f, &connect_port(&f, "client", "server", 8080)), "denied_by_nsg by nic-nsg/deny-8080");
    assert_eq!(outcome(&f, &connect_port(&f, "server", "client", 8080)), "allowed");
}

#[test]
fn static_ips_first_then_dynamic_in_order_and_references_agree() {
    let (s, yaml) = load(vec![
        ("azurerm_virtual_network.v", json!({"name": "v", "address_space": ["10.3.0.0/16"]})),
        ("azurerm_subnet.s", json!({"name": "s", "virtual_network_name": "v", "address_prefixes": ["10.3.0.0/24"]})),
        ("azurerm_subnet.t", json!({"name": "t", "virtual_network_name": "v", "address_prefixes": ["10.3.1.0/24"]})),
        ("azurerm_network_interface.dyn1", nic("dyn1", "v", "s")),
        // v3's enable_ip_forwarding makes its machine an NVA.
        (
            "azurerm_network_interface.fixed",
            json!({"name": "fixed", "enable_ip_forwarding": true, "ip_configuration": [
            {"name": "c", "subnet_id": subnet_id("v", "s"), "private_ip_address_allocation": "Static",
             "private_ip_address": "10.3.0.4"}]}),
        ),
        ("azurerm_network_interface.dyn2", nic("dyn2", "v", "s")),
        ("azurerm_linux_virtual_machine.nva", json!({"name": "router", "network_interface_ids": [nic_id("fixed")]})),
        ("azurerm_linux_virtual_machine.app", json!({"name": "app", "network_interface_ids": [nic_id("dyn2")]})),
        (
            "azurerm_route_table.r",
            json!({"name": "to-app", "route": [
            {"name": "via-app", "address_prefix": "10.50.0.0/16", "next_hop_type": "VirtualAppliance",
             "next_hop_in_ip_address": "unknown:azurerm_linux_virtual_machine.app:private_ip_address"},
            {"name": "via-dyn1", "address_prefix": "10.51.0.0/16", "next_hop_type": "virtualappliance",
             "next_hop_in_ip_address": "unknown:azurerm_network_interface.dyn1:private_ip_address"}]}),
        ),
        (
            "azurerm_subnet_route_table_association.t",
            json!({"subnet_id": subnet_id("v", "t"),
            "route_table_id": id("Microsoft.Network/routeTables", "to-app")}),
        ),
    ]);
    let ip_of = |endpoint: &str| {
        let e = s.endpoints.iter().position(|e| e.name == endpoint).unwrap_or_else(|| panic!("no {endpoint}\n{yaml}"));
        s.nics.iter().find(|n| n.endpoint.index() == e).unwrap().private_ip
    };
    // The static 10.3.0.4 is taken first; the dynamic ones follow in import order.
    assert_eq!(ip_of("router"), ip("10.3.0.4"));
    assert_eq!(ip_of("dyn1"), ip("10.3.0.5"), "a NIC no machine uses is an endpoint named after it");
    assert_eq!(ip_of("app"), ip("10.3.0.6"));
    let router = s.endpoints.iter().find(|e| e.name == "router").unwrap();
    assert_eq!(router.kind.name(), "nva");
    let routes = &s.route_tables[0].routes;
    assert!(format!("{:?}", routes[0].next_hop).contains("10.3.0.6"), "{:?}", routes[0].next_hop);
    assert!(format!("{:?}", routes[1].next_hop).contains("10.3.0.5"), "{:?}", routes[1].next_hop);
}

#[test]
fn unknown_ids_and_missing_arguments_are_located_errors() {
    let insts = instances(vec![
        ("azurerm_virtual_network.v", json!({"name": "v", "address_space": ["10.4.0.0/16"]})),
        // An association with a subnet the import does not create.
        (
            "azurerm_subnet_network_security_group_association.x",
            json!({"subnet_id": subnet_id("v", "ghost"),
            "network_security_group_id": id("Microsoft.Network/networkSecurityGroups", "n")}),
        ),
        // A VM naming a NIC that does not exist.
        ("azurerm_linux_virtual_machine.vm", json!({"name": "vm", "network_interface_ids": [nic_id("nope")]})),
        // Not a subnet id.
        (
            "azurerm_network_interface.n",
            json!({"name": "n", "ip_configuration": [{"name": "c", "subnet_id": "garbage"}]}),
        ),
        // An unknown next hop type.
        (
            "azurerm_route.r",
            json!({"name": "r", "route_table_name": "rt", "address_prefix": "0.0.0.0/0", "next_hop_type": "Firewall"}),
        ),
        // A next hop nobody allocates.
        (
            "azurerm_route_table.rt",
            json!({"name": "rt", "route": [{"name": "x", "address_prefix": "10.0.0.0/8",
            "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "unknown:azurerm_lb.ilb:frontend_ip_configuration[0].private_ip_address"}]}),
        ),
    ]);
    let mapped = azurerm::map(&insts);
    let all = format!("{:#?}", mapped.errors);
    // Each error sits on the argument it is about (every argument has a line of its own here).
    let found = |address: &str, key: &str, text: &str| {
        let inst = insts.iter().find(|i| i.address == address).unwrap();
        let line = inst.arg_locs[key].line;
        assert!(
            mapped.errors.iter().any(|d| d.file == "main.tf" && d.loc.line == line && d.message.contains(text)),
            "no error at {address} {key} (line {line}) saying {text:?}: {all}"
        );
    };
    found(
        "azurerm_subnet_network_security_group_association.x",
        "subnet_id",
        "names a subnet this configuration does not create",
    );
    found(
        "azurerm_linux_virtual_machine.vm",
        "network_interface_ids",
        "names no network interface of this configuration",
    );
    found("azurerm_network_interface.n", "ip_configuration", "`ip_configuration.subnet_id` is not a subnet id");
    found("azurerm_route.r", "next_hop_type", "unknown `next_hop_type` \"Firewall\"");
    found(
        "azurerm_route_table.rt",
        "route",
        "`route.next_hop_in_ip_address` is azurerm_lb.ilb.frontend_ip_configuration[0].private_ip_address, known only after apply",
    );
    assert_eq!(mapped.errors.len(), 5, "each problem once: {all}");
}

#[test]
fn public_ips_nat_gateway_and_known_addresses() {
    let (s, yaml) = load(vec![
        (
            "azurerm_virtual_network.v",
            json!({"name": "v", "address_space": ["10.5.0.0/16"],
            "subnet": [{"name": "work", "address_prefixes": ["10.5.0.0/24"]}]}),
        ),
        ("azurerm_public_ip.known", json!({"name": "known", "ip_address": "52.1.2.3"})),
        ("azurerm_public_ip.nat", json!({"name": "nat-pip"})),
        ("azurerm_public_ip.vm", json!({"name": "vm-pip"})),
        ("azurerm_nat_gateway.ng", json!({"name": "ng"})),
        (
            "azurerm_nat_gateway_public_ip_association.ng",
            json!({"nat_gateway_id": id("Microsoft.Network/natGateways", "ng"),
            "public_ip_address_id": id("Microsoft.Network/publicIPAddresses", "nat-pip")}),
        ),
        (
            "azurerm_subnet_nat_gateway_association.ng",
            json!({"subnet_id": subnet_id("v", "work"),
            "nat_gateway_id": id("Microsoft.Network/natGateways", "ng")}),
        ),
        (
            "azurerm_network_interface.n",
            json!({"name": "n", "ip_configuration": [{"name": "c",
            "subnet_id": subnet_id("v", "work"), "private_ip_address_allocation": "Dynamic",
            "public_ip_address_id": id("Microsoft.Network/publicIPAddresses", "known")}]}),
        ),
    ]);
    // Pool addresses follow import order of the public IPs, the known one counted: nat-pip is
    // the second.
    assert_eq!(s.nat_gateways[0].public_ips, vec![ip("20.250.0.2")]);
    assert!(
        yaml.contains("# computed: azurerm_public_ip.nat from vnetsim's synthetic public range 20.250.0.0/16"),
        "{yaml}"
    );
    assert_eq!(s.nics[0].public_ip, Some(ip("52.1.2.3")));
    assert_eq!(s.subnets[0].nat_gateway.map(|n| n.index()), Some(0));
    let f = compile(s);
    // O-1: the subnet's NAT gateway comes before the instance public IP for new outbound flows.
    let c = connect_port(&f, "n", "8.8.8.8", 443);
    assert_eq!(outcome(&f, &c), "allowed");
    assert!(format!("{:?}", c.request.steps).contains("20.250.0.2"), "SNAT to the NAT gateway's IP");
}

#[test]
fn ipsec_connections_join_gateways_and_vnet_to_vnet_is_listed_not_modelled() {
    let (mapped, yaml) = map(vec![
        (
            "azurerm_virtual_network.hub",
            json!({"name": "hub", "address_space": ["10.0.0.0/16"],
            "subnet": [{"name": "GatewaySubnet", "address_prefixes": ["10.0.255.224/27"]},
                       {"name": "mgmt", "address_prefixes": ["10.0.0.64/27"]}]}),
        ),
        (
            "azurerm_virtual_network_gateway.hub",
            json!({"name": "hub-vpn", "type": "Vpn", "ip_configuration": [
            {"name": "c", "subnet_id": subnet_id("hub", "GatewaySubnet"), "private_ip_address_allocation": "Dynamic"}]}),
        ),
        ("azurerm_local_network_gateway.corp", json!({"name": "corp", "address_space": ["192.168.10.0/24"]})),
        (
            "azurerm_virtual_network_gateway_connection.ipsec",
            json!({"name": "c1", "type": "IPsec",
            "virtual_network_gateway_id": id("Microsoft.Network/virtualNetworkGateways", "hub-vpn"),
            "local_network_gateway_id": id("Microsoft.Network/localNetworkGateways", "corp")}),
        ),
        (
            "azurerm_virtual_network_gateway_connection.v2v",
            json!({"name": "c2", "type": "Vnet2Vnet",
            "virtual_network_gateway_id": id("Microsoft.Network/virtualNetworkGateways", "hub-vpn"),
            "peer_virtual_network_gateway_id": id("Microsoft.Network/virtualNetworkGateways", "other")}),
        ),
        ("azurerm_network_interface.n", nic("n", "hub", "mgmt")),
    ]);
    assert!(mapped.errors.is_empty(), "{:#?}", mapped.errors);
    let listed: Vec<&str> = mapped.summary.not_modelled.iter().map(|l| l.address.as_str()).collect();
    assert_eq!(listed, vec!["azurerm_virtual_network_gateway_connection.v2v"]);
    assert_eq!(mapped.summary.mapped, 5, "the IPsec connection is mapped, the VNet-to-VNet one is not");
    let s = vnetsim_config::load_scenario("import.yaml", &yaml, &ServiceTagTable::builtin()).expect("loads");
    let f = compile(s);
    assert_eq!(outcome(&f, &connect_port(&f, "corp", "n", 22)), "allowed", "corp reaches the hub over hub-vpn");
}

#[test]
fn classic_rule_collections_get_a_generated_policy() {
    let (s, yaml) = load(vec![
        ("azurerm_virtual_network.v", json!({"name": "virtualNetwork1", "address_space": ["10.0.0.0/16"]})),
        (
            "azurerm_subnet.fw",
            json!({"name": "AzureFirewallSubnet", "virtual_network_name": "virtualNetwork1",
            "address_prefixes": ["10.0.1.0/24"]}),
        ),
        (
            "azurerm_subnet.jb",
            json!({"name": "JumpboxSubnet", "virtual_network_name": "virtualNetwork1",
            "address_prefixes": ["10.0.0.0/24"]}),
        ),
        (
            "azurerm_route_table.rt",
            json!({"name": "AzfwRouteTable", "route": [{"name": "AzfwDefaultRoute",
            "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "10.0.1.4"}]}),
        ),
        (
            "azurerm_subnet_route_table_association.jb",
            json!({"subnet_id": subnet_id("virtualNetwork1", "JumpboxSubnet"),
            "route_table_id": id("Microsoft.Network/routeTables", "AzfwRouteTable")}),
        ),
        ("azurerm_public_ip.fw", json!({"name": "azureFirewalls-ip"})),
        (
            "azurerm_firewall.fw",
            json!({"name": "firewall1", "ip_configuration": [{"name": "configuration",
            "subnet_id": subnet_id("virtualNetwork1", "AzureFirewallSubnet"),
            "public_ip_address_id": id("Microsoft.Network/publicIPAddresses", "azureFirewalls-ip")}]}),
        ),
        (
            "azurerm_firewall_application_rule_collection.app",
            json!({"name": "appRc1", "azure_firewall_name": "firewall1",
            "priority": 101, "action": "Allow", "rule": [{"name": "appRule1", "source_addresses": ["10.0.0.0/24"],
                "target_fqdns": ["www.microsoft.com"], "protocol": [{"port": "80", "type": "Http"}]}]}),
        ),
        (
            "azurerm_firewall_network_rule_collection.net",
            json!({"name": "testcollection", "azure_firewall_name": "firewall1",
            "priority": 200, "action": "Allow", "rule": [{"name": "netRc1", "source_addresses": ["10.0.0.0/24"],
                "destination_ports": ["8000-8999"], "destination_addresses": ["*"], "protocols": ["TCP"]}]}),
        ),
        ("azurerm_network_interface.jb", nic("JumpHostNIC", "virtualNetwork1", "JumpboxSubnet")),
    ]);
    assert!(yaml.contains("name: firewall1-classic-policy  # computed"), "{yaml}");
    let f = compile(s);
    assert_eq!(outcome(&f, &connect_port(&f, "JumpHostNIC", "8.8.8.8", 8500)), "allowed", "network rule netRc1");
    let denied = outcome(&f, &connect_port(&f, "JumpHostNIC", "8.8.8.8", 9000));
    assert!(denied.contains("firewall1"), "outside 8000-8999: the firewall's implicit deny, got {denied}");
}

#[test]
fn a_dnat_rule_to_the_firewalls_public_ip_by_reference_loads() {
    // F-5: a DNAT rule's destination must be one of the firewall's public IPs; a rule naming it
    // by reference gets the same pool address the firewall is given.
    let mut list = hub_spoke_firewall();
    list.push((
        "azurerm_firewall_policy_rule_collection_group.dnat",
        json!({"name": "dnat", "priority": 100,
        "firewall_policy_id": id("Microsoft.Network/firewallPolicies", "afwp"),
        "nat_rule_collection": [{"name": "inbound", "priority": 100, "action": "Dnat", "rule": [{"name": "ssh",
            "protocols": ["TCP"], "source_addresses": ["*"],
            "destination_address": "unknown:azurerm_public_ip.firewall:ip_address", "destination_ports": ["2222"],
            "translated_address": "10.1.0.4", "translated_port": "22"}]}]}),
    ));
    let (s, _) = load(list);
    let f = compile(s);
    assert_eq!(outcome(&f, &connect_port(&f, "internet", "20.250.0.1", 2222)), "allowed");
}

#[test]
fn scale_set_instances_are_endpoints_named_as_azure_names_them() {
    let (s, yaml) = load(vec![
        (
            "azurerm_virtual_network.v",
            json!({"name": "v", "address_space": ["10.6.0.0/16"],
            "subnet": [{"name": "pool", "address_prefixes": ["10.6.0.0/24"]}]}),
        ),
        ("azurerm_network_interface.first", nic("first", "v", "pool")),
        (
            "azurerm_linux_virtual_machine_scale_set.pool",
            json!({"name": "workers", "instances": 3, "network_interface": [
            {"name": "nic", "primary": true, "ip_forwarding_enabled": false,
             "ip_configuration": [{"name": "c", "primary": true, "subnet_id": subnet_id("v", "pool")}]}]}),
        ),
    ]);
    let names: Vec<&str> = s.endpoints.iter().map(|e| e.name.as_str()).collect();
    // Machines in import order, then the NICs no machine uses.
    assert_eq!(names, vec!["workers_0", "workers_1", "workers_2", "first"], "{yaml}");
    // The loader allocates the instances after the address written for `first` (10.6.0.4).
    assert_eq!(s.nics[3].private_ip, ip("10.6.0.4"));
    assert_eq!(s.nics[2].private_ip, ip("10.6.0.7"));
}
