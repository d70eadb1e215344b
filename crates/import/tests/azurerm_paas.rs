//! azurerm PaaS, DNS and Azure ML resources mapped onto the scenario format: instances written
//! by hand in the shapes of the real configurations (201/202 moderately secure workspaces), the
//! generated YAML loaded by the scenario loader, and verdicts that a wrong mapping would change.
//! The VNets are written by hand in front of the generated text (their mapping is another
//! module's), so these tests see only what paas.rs and ml.rs produce.

use std::collections::BTreeMap;
use vnetsim_import::azurerm::{self, ids};
use vnetsim_import::{Instance, Loc, Mode, Origin, Value};
use vnetsim_model::*;
use vnetsim_testkit::{compile, connect, outcome};

const RG: &str = "rg-ml";

const VNETS: &str = "\
vnets:
  - name: vnet-ml
    address_space: [10.0.0.0/16]
    subnets:
      - {name: training, prefix: 10.0.1.0/24}
      - {name: pe, prefix: 10.0.2.0/24}
  - name: spoke
    address_space: [10.1.0.0/16]
    subnets:
      - {name: training, prefix: 10.1.1.0/24}
";

/// An instance of `address` (`type.name`) with these arguments, in resource group `rg-ml`
/// unless they say otherwise, and the id Azure would give it (when made from names).
fn res(address: &str, json: serde_json::Value) -> Instance {
    let rtype = address.split('.').next().expect("type.name").to_string();
    let mut attrs = Value::from_json(&json).as_map().expect("an object").clone();
    attrs.entry("resource_group_name".into()).or_insert_with(|| Value::string(RG));
    // Computes name their workspace by id, not name: Azure's id for them is not made here.
    if let Some(id) = ids::resource_id(&rtype, &Value::map(attrs.clone())) {
        attrs.insert("id".into(), Value::string(id));
    }
    let line = address.len() as u32; // any position: each instance its own
    Instance {
        address: address.to_string(),
        mode: Mode::Managed,
        rtype,
        attrs: Value::map(attrs),
        origin: Origin { file: "main.tf".into(), loc: Loc { line, column: 1 } },
        arg_locs: BTreeMap::new(),
    }
}

fn id(inst: &Instance) -> String {
    inst.attrs.get("id").and_then(Value::as_str).expect("id").to_string()
}

fn subnet_id(vnet: &str, subnet: &str) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}",
        ids::SUBSCRIPTION
    )
}

fn vnet_id(vnet: &str) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/{vnet}",
        ids::SUBSCRIPTION
    )
}

/// Replaces one argument (a value JSON cannot write, such as one known only after apply).
fn with(mut inst: Instance, key: &str, value: Value) -> Instance {
    let mut attrs = inst.attrs.as_map().expect("object").clone();
    attrs.insert(key.into(), value);
    inst.attrs = Value::map(attrs);
    inst
}

/// Maps the instances; no errors; the YAML with the hand-written VNets in front.
fn yaml(instances: &[Instance]) -> (String, azurerm::Mapped) {
    let mapped = azurerm::map(instances);
    let messages: Vec<&str> = mapped.errors.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.is_empty(), "{messages:#?}");
    (format!("{VNETS}{}", mapped.doc.to_yaml().yaml), mapped)
}

fn load(text: &str) -> Scenario {
    vnetsim_config::load_scenario("import.yaml", text, &ServiceTagTable::builtin())
        .unwrap_or_else(|e| panic!("{e:#?}\n{text}"))
}

fn private_zone(name: &str, rg: &str) -> Instance {
    res(
        &format!("azurerm_private_dns_zone.{}", rg.replace('-', "_")),
        serde_json::json!({"name": name, "resource_group_name": rg}),
    )
}

fn link(zone: &Instance, vnet: &str) -> Instance {
    let zone_name = zone.attrs.get("name").and_then(Value::as_str).unwrap();
    let rg = zone.attrs.get("resource_group_name").and_then(Value::as_str).unwrap();
    res(
        &format!("azurerm_private_dns_zone_virtual_network_link.{}_{vnet}", zone.address.split('.').nth(1).unwrap()),
        serde_json::json!({"name": format!("{vnet}-link"), "resource_group_name": rg, "private_dns_zone_name": zone_name, "virtual_network_id": vnet_id(vnet)}),
    )
}

fn private_endpoint(address: &str, target: &Instance, subresource: &str, zones: &[&Instance]) -> Instance {
    let mut json = serde_json::json!({
        "name": address.split('.').nth(1).unwrap().replace('_', "-"),
        "subnet_id": subnet_id("vnet-ml", "pe"),
        "private_service_connection": [{
            "name": "psc",
            "private_connection_resource_id": id(target),
            "subresource_names": [subresource],
            "is_manual_connection": false
        }]
    });
    if !zones.is_empty() {
        json["private_dns_zone_group"] = serde_json::json!([{"name": "default", "private_dns_zone_ids": zones.iter().map(|z| id(z)).collect::<Vec<_>>()}]);
    }
    res(address, json)
}

fn compute_instance(name: &str, workspace: &Instance, subnet: Option<(&str, &str)>) -> Instance {
    let mut json = serde_json::json!({"name": name, "machine_learning_workspace_id": id(workspace), "node_public_ip_enabled": false});
    if let Some((vnet, s)) = subnet {
        json["subnet_resource_id"] = serde_json::Value::String(subnet_id(vnet, s));
    }
    res(&format!("azurerm_machine_learning_compute_instance.{}", name.replace('-', "_")), json)
}

fn endpoint(s: &Scenario, name: &str) -> EndpointId {
    EndpointId::from_index(
        s.endpoints.iter().position(|e| e.name == name).unwrap_or_else(|| panic!("no endpoint {name}")),
    )
}

fn service(s: &Scenario, name: &str) -> ServiceId {
    ServiceId::from_index(s.services.iter().position(|x| x.name == name).unwrap_or_else(|| panic!("no service {name}")))
}

/// The 201 example's shape: a workspace with private storage, Key Vault, registry and App
/// Insights, private endpoints with DNS zone groups, compute in a training subnet.
#[test]
fn a_moderately_secure_workspace_resolves_privately_and_links_its_resources() {
    let st = res(
        "azurerm_storage_account.default",
        serde_json::json!({"name": "st201", "public_network_access_enabled": false,
            "network_rules": [{"default_action": "Deny", "bypass": ["AzureServices"]}]}),
    );
    let closed = res(
        "azurerm_storage_account.closed",
        serde_json::json!({"name": "stclosed", "public_network_access_enabled": false}),
    );
    let kv = res(
        "azurerm_key_vault.default",
        serde_json::json!({"name": "kv201", "network_acls": [{"default_action": "Deny", "bypass": "AzureServices"}]}),
    );
    let cr = res(
        "azurerm_container_registry.default",
        serde_json::json!({"name": "cr201", "sku": "Premium", "public_network_access_enabled": false, "network_rule_set": [{"default_action": "Deny"}]}),
    );
    let appi =
        res("azurerm_application_insights.default", serde_json::json!({"name": "appi201", "application_type": "web"}));
    let ws = res(
        "azurerm_machine_learning_workspace.default",
        serde_json::json!({"name": "mlw201", "public_network_access_enabled": false, "image_build_compute_name": "cpu-cluster",
            "storage_account_id": id(&st), "key_vault_id": id(&kv), "container_registry_id": id(&cr), "application_insights_id": id(&appi)}),
    );
    let blob_zone = private_zone("privatelink.blob.core.windows.net", RG);
    let vault_zone =
        res("azurerm_private_dns_zone.vault", serde_json::json!({"name": "privatelink.vaultcore.azure.net"}));
    let pe_blob = private_endpoint("azurerm_private_endpoint.st_blob", &st, "blob", &[&blob_zone]);
    // No zone group: the A record written next to it holds the address Azure gives at apply.
    let pe_kv = private_endpoint("azurerm_private_endpoint.kv", &kv, "vault", &[]);
    let kv_record = with(
        res(
            "azurerm_private_dns_a_record.kv",
            serde_json::json!({"name": "kv201", "zone_name": "privatelink.vaultcore.azure.net", "ttl": 300}),
        ),
        "records",
        Value::list(vec![Value::unknown(
            "azurerm_private_endpoint.kv",
            "private_service_connection[0].private_ip_address",
        )]),
    );
    let cluster = res(
        "azurerm_machine_learning_compute_cluster.compute",
        serde_json::json!({"name": "cpu-cluster", "machine_learning_workspace_id": id(&ws), "subnet_resource_id": subnet_id("vnet-ml", "training"),
            "scale_settings": [{"min_node_count": 0, "max_node_count": 3}]}),
    );
    let ci = compute_instance("ci201", &ws, Some(("vnet-ml", "training")));
    let instances = vec![
        st,
        closed,
        kv,
        cr,
        appi,
        ws,
        link(&blob_zone, "vnet-ml"),
        link(&vault_zone, "vnet-ml"),
        blob_zone,
        vault_zone,
        pe_blob,
        pe_kv,
        kv_record,
        cluster,
        ci,
    ];
    let (text, mapped) = yaml(&instances);
    assert_eq!(mapped.summary.not_modelled, vec![], "every resource here is mapped");
    let s = load(&text);

    // A-8: the workspace's associated resources and image build compute.
    let w = &s.services[service(&s, "mlw201").index()];
    assert_eq!(w.public_network_access, PublicNetworkAccess::Disabled);
    assert_eq!(w.resources.storage_account, Some(service(&s, "st201")));
    assert_eq!(w.resources.key_vault, Some(service(&s, "kv201")));
    assert_eq!(w.resources.container_registry, Some(service(&s, "cr201")));
    assert_eq!(w.resources.image_build_compute, Some(endpoint(&s, "cpu-cluster")));

    // Compute in its subnet, for its workspace; the cluster's maximum of 3 is written as 2 nodes
    // (ml::NODES), and only the cluster has a public IP (node_public_ip_enabled defaults on).
    let cluster_nics: Vec<&Nic> = s.nics.iter().filter(|n| n.endpoint == endpoint(&s, "cpu-cluster")).collect();
    assert_eq!(cluster_nics.len(), 2);
    assert!(cluster_nics.iter().all(|n| s.subnet_path(n.subnet) == "vnet-ml/training"));
    assert_eq!(s.endpoints[endpoint(&s, "ci201").index()].workspace, Some(service(&s, "mlw201")));
    assert!(text.contains("node_public_ip: 192.0.2.1  # computed"), "{text}");
    assert_eq!(text.matches("node_public_ip:").count(), 1, "{text}");
    assert!(
        text.contains("dns_zones: [privatelink.vaultcore.azure.net]  # computed: azurerm_private_dns_a_record.kv"),
        "{text}"
    );

    let f = compile(s);
    // P-1, D-2: the zone group registers the blob endpoint; the name resolves to it.
    let c = connect(&f, "ci201", "https://st201.blob.core.windows.net");
    assert_eq!(outcome(&f, &c), "allowed");
    let pe_ip = f.scenario.nic(f.scenario.private_endpoints[0].nic).private_ip;
    assert_eq!(c.packet.map(|p| p.destination), Some(pe_ip));
    // The Key Vault's A record pointed at its endpoint's address known after apply: left to
    // the endpoint, which registers in the record's zone, so the name still resolves to it.
    let c = connect(&f, "ci201", "https://kv201.vault.azure.net");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(c.packet.map(|p| p.destination), Some(f.scenario.nic(f.scenario.private_endpoints[1].nic).private_ip));
    // S-9: public network access off refuses what reaches the public endpoint.
    let c = connect(&f, "ci201", "https://stclosed.blob.core.windows.net");
    assert_eq!(outcome(&f, &c), "denied_by_service by stclosed/public_network_access");
}

/// A-14, A-15: a managed network's mode and outbound rules; compute without a subnet runs in
/// the managed VNet.
#[test]
fn a_managed_network_keeps_its_mode_and_rules_and_takes_compute_without_a_subnet() {
    let st = res("azurerm_storage_account.ws", serde_json::json!({"name": "stmanaged"}));
    let data = res(
        "azurerm_storage_account.data",
        serde_json::json!({"name": "stdata", "public_network_access_enabled": false}),
    );
    let ws = res(
        "azurerm_machine_learning_workspace.m",
        serde_json::json!({"name": "mlwm", "storage_account_id": id(&st),
            "managed_network": [{"isolation_mode": "AllowOnlyApprovedOutbound"}]}),
    );
    let fqdn = res(
        "azurerm_machine_learning_workspace_network_outbound_rule_fqdn.pypi",
        serde_json::json!({"name": "pypi", "workspace_id": id(&ws), "destination_fqdn": "pypi.org"}),
    );
    let pe_rule = res(
        "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint.data",
        serde_json::json!({"name": "data-blob", "workspace_id": id(&ws), "service_resource_id": id(&data), "sub_resource_target": "blob"}),
    );
    let ci = compute_instance("cim", &ws, None);
    let (text, _) = yaml(&[st, data, ws, fqdn, pe_rule, ci]);
    let s = load(&text);
    assert_eq!(s.managed_networks.len(), 1);
    assert_eq!(s.managed_networks[0].mode, IsolationMode::AllowOnlyApprovedOutbound);
    assert_eq!(
        s.subnet_path(s.nics[s.endpoints[endpoint(&s, "cim").index()].nics[0].index()].subnet),
        "mlwm-managed/compute"
    );
    let f = compile(s);
    // The FQDN rule opens pypi.org through the managed firewall; nothing opens github.com.
    assert_eq!(outcome(&f, &connect(&f, "cim", "https://pypi.org")), "allowed");
    assert!(outcome(&f, &connect(&f, "cim", "https://github.com")).ends_with("by mlwm-managed-fw"));
    // The private endpoint rule reaches the closed account privately.
    assert_eq!(outcome(&f, &connect(&f, "cim", "https://stdata.blob.core.windows.net")), "allowed");
}

/// Two zones named privatelink.blob.core.windows.net in two resource groups: each is its own
/// object (`rg/zone`), and the endpoint registers only in the zone its zone group names.
#[test]
fn one_zone_name_in_two_resource_groups_is_two_zones_and_the_zone_group_picks_one() {
    let st = res(
        "azurerm_storage_account.hub",
        serde_json::json!({"name": "sthub", "public_network_access_enabled": false}),
    );
    let ws = res("azurerm_machine_learning_workspace.w", serde_json::json!({"name": "mlw"}));
    let hub_zone = private_zone("privatelink.blob.core.windows.net", "rg-hub");
    let spoke_zone = private_zone("privatelink.blob.core.windows.net", "rg-spoke");
    let pe = private_endpoint("azurerm_private_endpoint.blob", &st, "blob", &[&hub_zone]);
    let instances = vec![
        st,
        link(&hub_zone, "vnet-ml"),
        link(&spoke_zone, "spoke"),
        pe,
        hub_zone,
        spoke_zone,
        compute_instance("ci-hub", &ws, Some(("vnet-ml", "training"))),
        compute_instance("ci-spoke", &ws, Some(("spoke", "training"))),
        ws,
    ];
    let (text, _) = yaml(&instances);
    assert!(text.contains("- name: rg-hub/privatelink.blob.core.windows.net"), "{text}");
    assert!(text.contains("dns_zones: [rg-hub/privatelink.blob.core.windows.net]"), "{text}");
    let f = compile(load(&text));
    assert_eq!(outcome(&f, &connect(&f, "ci-hub", "https://sthub.blob.core.windows.net")), "allowed");
    // D-5 step 4: the spoke's zone of that name has no record: NXDOMAIN, no packet sent.
    let c = connect(&f, "ci-spoke", "https://sthub.blob.core.windows.net");
    assert_ne!(outcome(&f, &c), "allowed");
    assert_eq!(c.packet, None);
}

/// AKS node pools, DNS resolver inbound endpoints and service endpoint policies; a private
/// endpoint to a service the scenario has no kind for is listed, not dropped.
#[test]
fn node_pools_resolvers_policies_and_unsupported_targets() {
    let aks = res(
        "azurerm_kubernetes_cluster.aks",
        serde_json::json!({"name": "aks1", "default_node_pool": [{"name": "system", "node_count": 3, "vnet_subnet_id": subnet_id("vnet-ml", "training")}]}),
    );
    let pool = res(
        "azurerm_kubernetes_cluster_node_pool.gpu",
        serde_json::json!({"name": "gpu", "kubernetes_cluster_id": id(&aks), "node_count": 1}),
    );
    let resolver = res(
        "azurerm_private_dns_resolver.r",
        serde_json::json!({"name": "resolver", "virtual_network_id": vnet_id("spoke")}),
    );
    let inbound = res(
        "azurerm_private_dns_resolver_inbound_endpoint.in",
        serde_json::json!({"name": "resolver-in", "private_dns_resolver_id": id(&resolver),
            "ip_configurations": [{"subnet_id": subnet_id("spoke", "training"), "private_ip_allocation_method": "Static", "private_ip_address": "10.1.1.10"}]}),
    );
    let outbound =
        res("azurerm_private_dns_resolver_outbound_endpoint.out", serde_json::json!({"name": "resolver-out"}));
    let a = res("azurerm_storage_account.a", serde_json::json!({"name": "sta"}));
    let b = res("azurerm_storage_account.b", serde_json::json!({"name": "stb", "resource_group_name": "rg-other"}));
    let policy = res(
        "azurerm_subnet_service_endpoint_storage_policy.p",
        serde_json::json!({"name": "sep", "definition": [{"name": "d", "service": "Microsoft.Storage",
            "service_resources": [format!("/subscriptions/{}/resourceGroups/{RG}", ids::SUBSCRIPTION), "/services/Azure/MachineLearning"]}]}),
    );
    let sql = res("azurerm_mssql_server.sql", serde_json::json!({"name": "sql1"}));
    let pe_sql = private_endpoint("azurerm_private_endpoint.sql", &sql, "sqlServer", &[]);
    let (text, mapped) = yaml(&[aks, pool, resolver, inbound, outbound, a, b, policy, sql, pe_sql]);
    let not_modelled: Vec<&str> = mapped.summary.not_modelled.iter().map(|l| l.address.as_str()).collect();
    assert!(not_modelled.contains(&"azurerm_private_endpoint.sql"), "{not_modelled:?}");
    assert!(not_modelled.contains(&"azurerm_private_dns_resolver_outbound_endpoint.out"), "{not_modelled:?}");
    let s = load(&text);
    let pool_nodes = |name: &str| s.nics.iter().filter(|n| n.endpoint == endpoint(&s, name)).count();
    assert_eq!(pool_nodes("aks1-system"), 2, "3 nodes written as ml::NODES");
    assert_eq!(pool_nodes("aks1-gpu"), 1);
    let gpu = &s.nics[s.endpoints[endpoint(&s, "aks1-gpu").index()].nics[0].index()];
    assert_eq!(s.subnet_path(gpu.subnet), "vnet-ml/training", "the default pool's subnet");
    let resolver = &s.endpoints[endpoint(&s, "resolver-in").index()];
    assert_eq!(resolver.kind, EndpointKind::DnsResolver);
    assert_eq!(s.nics[resolver.nics[0].index()].private_ip.to_string(), "10.1.1.10");
    // S-5: a resource group scope lists that group's accounts only.
    assert!(text.contains("resources: [sta, \"/services/Azure/MachineLearning\"]"), "{text}");
}

/// A DNS zone group registers only in the zones it lists (D-2): one that lists none (the block
/// written with `private_dns_zone_ids = []`) registers nothing, so the linked zone has no record
/// and the name is NXDOMAIN. The old mapping wrote `register_dns: true` for any zone group
/// block, and the loader then registered the endpoint in every zone of the name.
#[test]
fn a_zone_group_listing_no_zone_registers_nothing() {
    let st = res(
        "azurerm_storage_account.quiet",
        serde_json::json!({"name": "stquiet", "public_network_access_enabled": false}),
    );
    let ws = res("azurerm_machine_learning_workspace.w", serde_json::json!({"name": "mlw"}));
    let zone = private_zone("privatelink.blob.core.windows.net", RG);
    let mut pe = private_endpoint("azurerm_private_endpoint.blob", &st, "blob", &[]);
    pe = with(
        pe,
        "private_dns_zone_group",
        Value::from_json(&serde_json::json!([{"name": "default", "private_dns_zone_ids": []}])),
    );
    let instances =
        vec![st, link(&zone, "vnet-ml"), zone, pe, compute_instance("ci", &ws, Some(("vnet-ml", "training"))), ws];
    let (text, _) = yaml(&instances);
    assert!(text.contains("register_dns: false"), "{text}");
    let f = compile(load(&text));
    let c = connect(&f, "ci", "https://stquiet.blob.core.windows.net");
    assert_ne!(outcome(&f, &c), "allowed");
    assert_eq!(c.packet, None, "NXDOMAIN: no packet is sent");
}
