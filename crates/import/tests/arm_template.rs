//! ARM templates evaluated as Azure Resource Manager deploys them: the real samples under
//! `shared/real-configs/arm/` give the resources a reader of them expects, each language
//! feature is checked on a small template, and broken templates give located errors.

use vnetsim_import::Value;
use vnetsim_import::arm::ArmResource;
use vnetsim_import::arm::functions::unique_string;
use vnetsim_import::arm::template::{ParameterSource, evaluate};
use vnetsim_import::azurerm::ids::SUBSCRIPTION;
use vnetsim_testkit::real_configs;

fn rg_id(rg: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}")
}

fn inline(pairs: &[(&str, &str)]) -> ParameterSource {
    ParameterSource::Inline(pairs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect())
}

fn real(dir: &str, params: Option<&str>, extra: &[(&str, &str)]) -> Vec<ArmResource> {
    let text = real_configs::text(&format!("arm/{dir}/azuredeploy.json"));
    let mut sources: Vec<ParameterSource> = params
        .map(|p| ParameterSource::File { name: p.into(), text: real_configs::text(&format!("arm/{dir}/{p}")) })
        .into_iter()
        .collect();
    sources.push(inline(extra));
    evaluate("azuredeploy.json", &text, &sources).unwrap_or_else(|errors| {
        panic!("{dir}: {}", errors.iter().map(|e| e.render(&text)).collect::<Vec<_>>().join("\n"))
    })
}

fn eval_ok(text: &str, params: &[(&str, &str)]) -> Vec<ArmResource> {
    evaluate("t.json", text, &[inline(params)])
        .unwrap_or_else(|errors| panic!("{}", errors.iter().map(|e| e.render(text)).collect::<Vec<_>>().join("\n")))
}

fn find<'a>(all: &'a [ArmResource], rtype: &str, name: &str) -> &'a ArmResource {
    all.iter().find(|r| r.rtype.eq_ignore_ascii_case(rtype) && r.name == name).unwrap_or_else(|| {
        panic!("no {rtype} {name}; have {:?}", all.iter().map(|r| (&r.rtype, &r.name)).collect::<Vec<_>>())
    })
}

fn has(all: &[ArmResource], rtype: &str) -> bool {
    all.iter().any(|r| r.rtype.eq_ignore_ascii_case(rtype))
}

/// The value at a dotted path with `[i]` indexes: `routes[0].properties.nextHopIpAddress`.
fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
            None => (part, None),
        };
        if !key.is_empty() {
            cur = cur.get(key).unwrap_or_else(|| panic!("no `{key}` in {cur}"));
        }
        if let Some(i) = index {
            cur = &cur.as_seq().unwrap_or_else(|| panic!("{cur} is no array"))[i];
        }
    }
    cur
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    at(v, path).as_str().unwrap_or_else(|| panic!("{path} is {}", at(v, path)))
}

#[test]
fn sandbox_firewall_copy_loops_give_each_public_ip_and_ip_configuration() {
    if !real_configs::available() {
        return;
    }
    let all = real(
        "azurefirewall-sandbox-linux",
        Some("azuredeploy.parameters.json"),
        &[("numberOfFirewallPublicIPAddresses", "3")],
    );
    // `concat(variables('publicIPNamePrefix'), add(copyIndex(), 1))` over count 3 (catches a
    // copy loop evaluated once or copyIndex starting at 1).
    for n in 1..=3 {
        let pip = find(&all, "Microsoft.Network/publicIPAddresses", &format!("publicIP{n}"));
        assert_eq!(pip.location.as_deref(), Some("eastus2"), "location from the parameters file");
    }
    assert!(all.iter().all(|r| r.name != "publicIP4" && r.name != "publicIP0"));
    let fw = find(&all, "Microsoft.Network/azureFirewalls", "firewall1");
    let configs = at(&fw.properties, "ipConfigurations").as_seq().unwrap();
    assert_eq!(configs.len(), 3, "the variables' copy builds one ipConfiguration per address");
    assert_eq!(s(&fw.properties, "ipConfigurations[0].name"), "IpConf0");
    assert!(
        s(&fw.properties, "ipConfigurations[0].properties.subnet.id")
            .ends_with("/virtualNetworks/test-vnet/subnets/AzureFirewallSubnet")
    );
    // `if(equals(copyIndex(…), 0), subnet, json('null'))`: only the first has a subnet.
    assert_eq!(at(&fw.properties, "ipConfigurations[2].properties.subnet"), &Value::Null);
    assert_eq!(
        s(&fw.properties, "ipConfigurations[2].properties.publicIPAddress.id"),
        format!("{}/providers/Microsoft.Network/publicIPAddresses/publicIP3", rg_id("rg"))
    );
    let rt = find(&all, "Microsoft.Network/routeTables", "AzfwRouteTable");
    assert_eq!(s(&rt.properties, "routes[0].properties.nextHopIpAddress"), "10.0.1.4");
    // uniqueString(resourceGroup().id) is Azure's value for this resource group id.
    let suffix = unique_string(&rg_id("rg"));
    assert!(all.iter().any(|r| r.rtype == "Microsoft.Storage/storageAccounts" && r.name.starts_with(&suffix)));
}

#[test]
fn hub_spoke_default_route_points_at_the_firewall_ip_azure_allocates() {
    if !real_configs::available() {
        return;
    }
    let all = real("mspnp-samples_azure-hub-spoke", None, &[("resourceGroupLocation", "westeurope")]);
    // `location` defaults to resourceGroup().location.
    let hub = find(&all, "Microsoft.Network/virtualNetworks", "vnet-westeurope-hub");
    assert_eq!(s(&hub.properties, "addressSpace.addressPrefixes[0]"), "10.0.0.0/22");
    let fw = find(&all, "Microsoft.Network/azureFirewalls", "fw-westeurope");
    let rt = find(&all, "Microsoft.Network/routeTables", "route-to-westeurope-hub-fw");
    // `reference(fw).ipConfigurations[0].properties.privateIPAddress`: not in the template,
    // so unknown, naming the firewall and the path (catches an error or a null).
    assert_eq!(
        at(&rt.properties, "routes[0].properties.nextHopIpAddress"),
        &Value::unknown(fw.id.clone(), "ipConfigurations[0].properties.privateIPAddress")
    );
    assert_eq!(s(&rt.properties, "routes[0].properties.addressPrefix"), "0.0.0.0/0");
    // padLeft over a copy loop of 3.
    for n in ["00", "01", "02"] {
        find(&all, "Microsoft.Network/publicIPAddresses", &format!("pip-fw-westeurope-{n}"));
    }
    // `reference(subnet id).addressPrefix` of a subnet written inside the hub VNet.
    let nsg = find(&all, "Microsoft.Network/networkSecurityGroups", "nsg-spoke-resources");
    assert_eq!(s(&nsg.properties, "securityRules[0].properties.sourceAddressPrefix"), "10.0.1.0/26");
    // The VPN gateway's condition is false by default, true when asked for.
    assert!(!has(&all, "Microsoft.Network/virtualNetworkGateways"));
    let with_vpn = real("mspnp-samples_azure-hub-spoke", None, &[("deployVpnGateway", "true")]);
    assert!(has(&with_vpn, "Microsoft.Network/virtualNetworkGateways"));
    // Extension resources get ids under the resource they extend.
    let diag = all.iter().find(|r| r.rtype == "Microsoft.Insights/diagnosticSettings").unwrap();
    assert!(diag.id.contains("/providers/Microsoft.Insights/diagnosticSettings/to-hub-la"), "{}", diag.id);
    // Peerings declared separately keep their full `parent/child` names.
    find(
        &all,
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "vnet-westeurope-hub/to_vnet-westeurope-spoke-one",
    );
}

#[test]
fn ml_workspace_nested_deployment_gives_its_resources_and_conditions_skip() {
    if !real_configs::available() {
        return;
    }
    let all = real("machine-learning-workspace-vnet", Some("azuredeploy.parameters.us.json"), &[]);
    let ws = find(&all, "Microsoft.MachineLearningServices/workspaces", "GEN-UNIQUE-10");
    let suffix = unique_string(&format!("{}-GEN-UNIQUE-10", rg_id("rg")));
    let vnet = find(&all, "Microsoft.Network/virtualNetworks", &format!("vn{suffix}"));
    // The nested (inner scope) deployment's private endpoint, with the parent's values passed in.
    let pe = find(&all, "Microsoft.Network/privateEndpoints", "GEN-UNIQUE-10-PrivateEndpoint");
    assert_eq!(s(&pe.properties, "subnet.id"), format!("{}/subnets/sn{suffix}", vnet.id));
    assert_eq!(s(&pe.properties, "privateLinkServiceConnections[0].properties.privateLinkServiceId"), ws.id);
    assert_eq!(s(&pe.properties, "privateLinkServiceConnections[0].properties.groupIds[0]"), "amlworkspace");
    // environment() is AzureCloud: the zone names of that cloud.
    find(&all, "Microsoft.Network/privateDnsZones", "privatelink.api.azureml.ms");
    find(
        &all,
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        &format!("privatelink.notebooks.azure.net/{}", unique_string(&vnet.id)),
    );
    // `storageAccountBehindVnet` in the file sets `storageAccountBehindVNet` (names ignore case).
    let sa = find(&all, "Microsoft.Storage/storageAccounts", &format!("sa{suffix}"));
    assert_eq!(s(&sa.properties, "networkAcls.defaultAction"), "deny");
    find(&all, "Microsoft.ContainerRegistry/registries", &format!("cr{suffix}"));
    assert!(all.iter().all(|r| r.rtype != "Microsoft.Resources/deployments"), "deployments are expanded, not listed");

    // Without private endpoints the VNet, subnet, endpoint and zones are skipped by condition.
    let none = real(
        "machine-learning-workspace-vnet",
        Some("azuredeploy.parameters.us.json"),
        &[("privateEndpointType", "none")],
    );
    for skipped in
        ["Microsoft.Network/virtualNetworks", "Microsoft.Network/privateEndpoints", "Microsoft.Network/privateDnsZones"]
    {
        assert!(!has(&none, skipped), "{skipped} should be skipped");
    }
    assert!(has(&none, "Microsoft.MachineLearningServices/workspaces"));
}

#[test]
fn the_other_samples_give_the_resources_they_declare() {
    if !real_configs::available() {
        return;
    }
    let nat = real("nat-gateway-1-vm", Some("azuredeploy.parameters.json"), &[]);
    let subnet = find(&nat, "Microsoft.Network/virtualNetworks/subnets", "vnet-1/subnet-1");
    let gw = find(&nat, "Microsoft.Network/natGateways", "nat-gateway");
    assert_eq!(s(&subnet.properties, "natGateway.id"), gw.id);
    let pe = real("private-endpoint-sql", Some("azuredeploy.parameters.json"), &[]);
    find(&pe, "Microsoft.Network/privateDnsZones", "privatelink.database.windows.net");
    let endpoint = find(&pe, "Microsoft.Network/privateEndpoints", "myPrivateEndpoint");
    assert_eq!(s(&endpoint.properties, "privateLinkServiceConnections[0].properties.groupIds[0]"), "sqlServer");
    let fw = real(
        "azurefirewall-create-with-firewallpolicy-apprule-netrule-ipgroups",
        Some("azuredeploy.parameters.json"),
        &[],
    );
    assert_eq!(fw.iter().filter(|r| r.rtype == "Microsoft.Network/ipGroups").count(), 2);
    let firewall = fw.iter().find(|r| r.rtype == "Microsoft.Network/azureFirewalls").unwrap();
    let configs = at(&firewall.properties, "ipConfigurations").as_seq().unwrap();
    assert_eq!(configs.len(), 2, "one per public IP (copy in variables over range())");
    assert_eq!(s(&firewall.properties, "ipConfigurations[1].name"), "IpConf1");
}

const FEATURES: &str = r#"{
  // ARM accepts comments; /* so does vnetsim */
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "prefix": { "type": "string", "defaultValue": "[concat(parameters('env'), '-net')]" },
    "env": { "type": "string", "defaultValue": "dev" },
    "count": { "type": "int", "defaultValue": 2 }
  },
  "variables": {
    "space": "[variables('base')]",
    "base": "10.1.0.0/16",
    "literal": "[[not an expression]",
    "copy": [ { "name": "cidrs", "count": "[parameters('count')]", "input": "[cidrSubnet(variables('base'), 24, copyIndex('cidrs', 1))]" } ]
  },
  "resources": [
    {
      "type": "Microsoft.Network/virtualNetworks",
      "apiVersion": "2023-05-01",
      "name": "[parameters('prefix')]",
      "location": "westeurope",
      "tags": { "note": "[variables('literal')]", "[toUpper('k')]": "v" },
      "properties": {
        "addressSpace": { "addressPrefixes": [ "[variables('space')]" ] },
        "copy": [ { "name": "subnets", "count": "[length(variables('cidrs'))]",
                    "input": { "name": "[format('s{0}', copyIndex('subnets'))]", "properties": { "addressPrefix": "[variables('cidrs')[copyIndex('subnets')]]" } } } ]
      },
      "resources": [
        { "type": "subnets", "apiVersion": "2023-05-01", "name": "inline", "properties": { "addressPrefix": "10.1.9.0/24" } }
      ]
    },
    {
      "type": "Microsoft.Network/virtualNetworks/subnets",
      "apiVersion": "2023-05-01",
      "name": "[format('{0}/separate', parameters('prefix'))]",
      "properties": { "addressPrefix": "[cidrHost('10.1.8.0/24', 3)]" }
    },
    {
      "type": "Microsoft.Network/publicIPAddresses",
      "apiVersion": "2023-05-01",
      "name": "[format('pip-{0}', copyIndex(10))]",
      "copy": { "name": "pips", "count": "[parameters('count')]" },
      "condition": "[not(equals(copyIndex(), 1))]",
      "properties": {}
    },
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "inner",
      "resourceGroup": "rg-spoke",
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": { "scope": "inner" },
        "parameters": { "vnet": { "value": "[parameters('prefix')]" } },
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": { "vnet": { "type": "string" } },
          "variables": { "rt": "[format('rt-{0}-{1}', parameters('vnet'), resourceGroup().name)]" },
          "resources": [
            { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-05-01", "name": "[variables('rt')]", "properties": {} }
          ],
          "outputs": { "rtId": { "type": "string", "value": "[resourceId('Microsoft.Network/routeTables', variables('rt'))]" } }
        }
      }
    },
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "apiVersion": "2023-05-01",
      "name": "nsg",
      "properties": {
        "note": "[reference('inner').outputs.rtId.value]",
        "space": "[reference(resourceId('Microsoft.Network/virtualNetworks', parameters('prefix'))).addressSpace.addressPrefixes[0]]"
      }
    },
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "outer",
      "properties": {
        "mode": "Incremental",
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "resources": [
            { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-05-01", "name": "[concat('outer-', parameters('env'))]", "properties": {} }
          ]
        }
      }
    }
  ]
}"#;

#[test]
fn template_language_features_evaluate_as_arm_does() {
    let all = eval_ok(FEATURES, &[("env", "prod")]);
    // A default reading another parameter, given inline; variables used before declared.
    let vnet = find(&all, "Microsoft.Network/virtualNetworks", "prod-net");
    assert_eq!(s(&vnet.properties, "addressSpace.addressPrefixes[0]"), "10.1.0.0/16");
    assert_eq!(s(&vnet.extra, "tags.note"), "[not an expression]", "`[[` escapes");
    assert_eq!(s(&vnet.extra, "tags.K"), "v", "property names may be expressions");
    // Variable copy with copyIndex offset, then property copy.
    assert_eq!(s(&vnet.properties, "subnets[0].properties.addressPrefix"), "10.1.1.0/24");
    assert_eq!(s(&vnet.properties, "subnets[1].name"), "s1");
    assert_eq!(s(&vnet.properties, "subnets[1].properties.addressPrefix"), "10.1.2.0/24");
    // Children inline (relative type and name) and separate (`parent/child`): both, not merged.
    let inline_child = find(&all, "Microsoft.Network/virtualNetworks/subnets", "prod-net/inline");
    assert_eq!(inline_child.id, format!("{}/subnets/inline", vnet.id));
    let separate = find(&all, "Microsoft.Network/virtualNetworks/subnets", "prod-net/separate");
    assert_eq!(s(&separate.properties, "addressPrefix"), "10.1.8.4", "cidrHost(…, 3): the 4th usable address");
    // copyIndex(10) offset; the condition skips iteration 1.
    find(&all, "Microsoft.Network/publicIPAddresses", "pip-10");
    assert!(all.iter().all(|r| r.name != "pip-11"));
    // The inner deployment deploys to its resourceGroup, reads its own parameters, and its
    // outputs are read by reference().
    let rt = find(&all, "Microsoft.Network/routeTables", "rt-prod-net-rg-spoke");
    assert_eq!(rt.resource_group, "rg-spoke");
    assert_eq!(rt.id, format!("{}/providers/Microsoft.Network/routeTables/rt-prod-net-rg-spoke", rg_id("rg-spoke")));
    let nsg = find(&all, "Microsoft.Network/networkSecurityGroups", "nsg");
    assert_eq!(s(&nsg.properties, "note"), rt.id);
    assert_eq!(s(&nsg.properties, "space"), "10.1.0.0/16", "reference() reads evaluated properties");
    // The outer-scope deployment reads the parent's parameters.
    let outer = find(&all, "Microsoft.Network/routeTables", "outer-prod");
    assert_eq!(outer.resource_group, "rg");
}

#[test]
fn symbolic_name_templates_and_existing_resources() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "resources": {
    "shared": { "existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-05-01", "name": "shared-vnet" },
    "hub": { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-05-01", "name": "hub",
             "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] } } },
    "peer": { "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2023-05-01", "name": "hub/to-shared",
              "properties": { "remoteVirtualNetwork": { "id": "[resourceInfo('shared').id]" },
                              "remoteSpace": "[reference('shared').addressSpace.addressPrefixes]",
                              "local": "[reference('hub').addressSpace.addressPrefixes[0]]" } }
  }
}"#;
    let all = eval_ok(text, &[("resourceGroup", "rg-hub")]);
    assert_eq!(all.len(), 2, "the existing VNet is referenced, not deployed");
    let hub = find(&all, "Microsoft.Network/virtualNetworks", "hub");
    assert_eq!(hub.symbolic.as_deref(), Some("hub"));
    assert_eq!(hub.resource_group, "rg-hub");
    let peer = find(&all, "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "hub/to-shared");
    let shared_id = format!("{}/providers/Microsoft.Network/virtualNetworks/shared-vnet", rg_id("rg-hub"));
    assert_eq!(s(&peer.properties, "remoteVirtualNetwork.id"), shared_id);
    assert_eq!(at(&peer.properties, "remoteSpace"), &Value::unknown(shared_id, "addressSpace.addressPrefixes"));
    assert_eq!(s(&peer.properties, "local"), "10.0.0.0/16");
}

#[test]
fn functions_behave_as_documented() {
    let text = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
"resources": [{"type": "Microsoft.Network/routeTables", "name": "t", "properties": {
  "a": "[format('{0}-{1:D3}-{2}', 'x', 7, true())]",
  "b": "[string(createObject('k', createArray(1, 'two')))]",
  "c": "[union(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2)))]",
  "d": "[intersection(createArray(1, 2, 3), createArray(3, 2))]",
  "e": "[contains(createObject('Key', 1), 'key')]",
  "f": "[indexOf('ABCabc', 'c')]",
  "g": "[padLeft(7, 3, '0')]",
  "h": "[split('a,b;c', createArray(',', ';'))]",
  "i": "[coalesce(null(), json('null'), 'z')]",
  "j": "[take(skip(range(5, 5), 1), 2)]",
  "k": "[if(less(1, 2), 'yes', fail())]",
  "l": "[substring(replace(trim(' hello '), 'l', 'L'), 1, 3)]",
  "m": "[subscriptionResourceId('Microsoft.Network/ipGroups', 'g')]",
  "n": "[resourceId('other', 'Microsoft.Network/virtualNetworks/subnets', 'v', 's')]",
  "o": "[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'lock')]",
  "p": "[environment().suffixes.storage]",
  "q": "[div(mod(17, 5), 2)]",
  "r": "[last(createArray(1, 2, 3))]",
  "s": "[empty(createObject())]",
  "t": "[guid('a', 'b')]",
  "u": "[uniqueString('aaa')]",
  "v": "[and(true(), or(false(), greaterOrEquals('b', 'a')))]",
  "w": "[join(createArray('a', 'b'), '/')]",
  "x": "[int('42')]",
  "y": "[first('xyz')]",
  "z": "[toLower(deployment().name)]"
}}]}"#;
    let all = eval_ok(text, &[]);
    let p = &all[0].properties;
    assert_eq!(s(p, "a"), "x-007-True", ".NET formats booleans as True");
    assert_eq!(s(p, "b"), r#"{"k":[1,"two"]}"#);
    assert_eq!(at(p, "c.a.x"), &Value::Number(1.0), "union merges nested objects");
    assert_eq!(at(p, "c.a.y"), &Value::Number(2.0));
    assert_eq!(at(p, "d"), &Value::list(vec![Value::Number(2.0), Value::Number(3.0)]));
    assert_eq!(at(p, "e"), &Value::Bool(true), "object keys match ignoring case");
    assert_eq!(at(p, "f"), &Value::Number(2.0), "indexOf ignores case");
    assert_eq!(s(p, "g"), "007");
    assert_eq!(at(p, "h").as_seq().unwrap().len(), 3);
    assert_eq!(s(p, "i"), "z");
    assert_eq!(at(p, "j"), &Value::list(vec![Value::Number(6.0), Value::Number(7.0)]));
    assert_eq!(s(p, "k"), "yes", "`if` evaluates only the branch taken");
    assert_eq!(s(p, "l"), "eLL");
    assert_eq!(s(p, "m"), format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Network/ipGroups/g"));
    assert_eq!(s(p, "n"), format!("{}/providers/Microsoft.Network/virtualNetworks/v/subnets/s", rg_id("other")));
    assert_eq!(s(p, "o"), format!("{}/providers/Microsoft.Authorization/locks/lock", rg_id("rg")));
    assert_eq!(s(p, "p"), "core.windows.net");
    assert_eq!(at(p, "q"), &Value::Number(1.0));
    assert_eq!(at(p, "r"), &Value::Number(3.0));
    assert_eq!(at(p, "s"), &Value::Bool(true));
    assert_eq!(s(p, "t").len(), 36);
    assert_eq!(s(p, "u"), "zavj67f3en4hc");
    assert_eq!(at(p, "v"), &Value::Bool(true));
    assert_eq!(s(p, "w"), "a/b");
    assert_eq!(at(p, "x"), &Value::Number(42.0));
    assert_eq!(s(p, "y"), "x");
    assert_eq!(s(p, "z"), "main");
}

/// The errors of `text`, as (line, column, message).
fn errors(text: &str, params: &[(&str, &str)]) -> Vec<(u32, u32, String)> {
    let diags = evaluate("bad.json", text, &[inline(params)]).expect_err("errors");
    assert!(diags.iter().all(|d| d.file == "bad.json"));
    diags.into_iter().map(|d| (d.loc.line, d.loc.column, d.message)).collect()
}

/// The 1-based line and column where `needle` first appears in `text`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    let byte = text.find(needle).unwrap_or_else(|| panic!("{needle} not in the text"));
    let line = text[..byte].matches('\n').count() as u32 + 1;
    let start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..byte].chars().count() as u32 + 1)
}

#[test]
fn every_problem_is_reported_at_once_by_path_and_position() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "needed": { "type": "string" }, "kind": { "type": "string", "allowedValues": ["a", "b"], "defaultValue": "c" } },
  "variables": { "one": "[variables('two')]", "two": "[variables('one')]" },
  "resources": [
    { "type": "Microsoft.Network/routeTables", "name": "[concatt('a', 'b')]" },
    { "type": "Microsoft.Network/routeTables", "name": "[substring('abc')]" },
    { "type": "Microsoft.Network/routeTables", "name": "[concat('a' 'b')]" },
    { "type": "Microsoft.Network/routeTables", "name": "x", "properties": { "r": "[reference('nowhere').x]" } },
    { "type": "Microsoft.Network/routeTables", "name": "y", "properties": { "v": "[variables('one')]" } },
    { "type": "Microsoft.Network/routeTables", "name": "z", "copy": { "name": "c", "count": -1 } },
    { "type": "Microsoft.Network/routeTables", "name": "w", "copy": { "name": "c", "count": 801 } },
    { "type": "Microsoft.Network/routeTables", "name": "[toLower(5)]" },
    { "type": "Microsoft.Network/routeTables", "name": "[parameters('needed')]" },
    { "type": "Microsoft.Network/routeTables", "name": "[parameters('kind')]" },
    { "type": "Microsoft.Network/routeTables", "name": "[copyIndex()]" },
    { "type": "Microsoft.Network/routeTables", "name": "[parameters('nope')]" }
  ]
}"#;
    let got = errors(text, &[]);
    let want: &[(&str, &str)] = &[
        ("concatt(", "`resources[0].name`: unknown function `concatt`; did you mean `concat`?"),
        ("substring('abc')", "`resources[1].name`: `substring` takes 2 to 3 arguments"),
        (
            "'b')]\" },\n    { \"type\": \"Microsoft.Network/routeTables\", \"name\": \"x\"",
            "`resources[2].name`: bad expression: expected `,` or `)`",
        ),
        ("reference('nowhere')", "`resources[3].properties.r`: `reference` names `nowhere`"),
        (
            "variables('one')]\" },",
            "`variables.two`: a cycle among variables: variables('one') → variables('two') → variables('one')",
        ),
        ("-1 }", "`resources[5].copy.count`: the copy count is -1"),
        ("801", "`resources[6].copy.count`: the copy count is 801"),
        ("toLower(5)", "`resources[7].name`: `toLower` expects a string as argument 1, got the number 5"),
        ("{ \"type\": \"string\" }, \"kind\"", "`parameters.needed`: parameter `needed` is required"),
        ("[\"a\", \"b\"]", "`parameters.kind`: parameter `kind` is \"c\", which is not among its allowedValues"),
        ("copyIndex()", "`resources[10].name`: `copyIndex()` is used outside a copy loop"),
        ("parameters('nope')", "`resources[11].name`: the template declares no parameter `nope`"),
    ];
    for (needle, message) in want {
        let (line, column) = position(text, needle);
        assert!(
            got.iter().any(|(l, c, m)| (*l, *c) == (line, column) && m.starts_with(message)),
            "expected {line}:{column} {message}\n got {got:#?}"
        );
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
}

#[test]
fn broken_json_is_located_where_the_parser_stopped() {
    let diags = evaluate("t.json", "{\n  \"resources\": [\n    {\"name\": \"a\",\n", &[]).expect_err("truncated");
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.starts_with("not valid JSON"), "{}", diags[0].message);
    // Cut short: shown at the last character, where the text stops.
    assert_eq!(diags[0].loc.line, 3);
    let diags = evaluate("t.json", "{\"resources\": [1,]}", &[]).expect_err("trailing comma");
    assert_eq!((diags[0].loc.line, diags[0].loc.column), (1, 18), "at the `]` after the comma");
    let diags = evaluate("t.json", "[]", &[]).expect_err("not an object");
    assert!(diags[0].message.contains("not an ARM template"));
}

#[test]
fn parameter_values_are_checked_against_the_template() {
    let text = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
"parameters": {"count": {"type": "int"}, "secret": {"type": "securestring"}},
"resources": [{"type": "Microsoft.Network/routeTables", "name": "[string(parameters('count'))]", "properties": {"s": "[parameters('secret')]"}}]}"#;
    // An inline string converts to the declared int; a secure parameter without value is unknown.
    let all = eval_ok(text, &[("COUNT", "3")]);
    assert_eq!(all[0].name, "3");
    assert!(matches!(at(&all[0].properties, "s"), Value::Unknown(_)));
    let file = ParameterSource::File {
        name: "p.json".into(),
        text: "{\n  \"parameters\": {\n    \"count\": {\"value\": \"three\"},\n    \"cuont\": {\"value\": 1}\n  }\n}"
            .into(),
    };
    let diags = evaluate("t.json", text, &[file]).expect_err("errors");
    let unknown = diags.iter().find(|d| d.file == "p.json").expect("located in the parameters file");
    assert_eq!((unknown.loc.line, unknown.loc.column), (4, 5));
    assert!(unknown.message.contains("`cuont`"), "{}", unknown.message);
    assert_eq!(unknown.help.as_deref(), Some("did you mean `count`?"));
    // The wrong value is where the file writes it (it was at the template's declaration, which
    // the help now names).
    let wrong = diags.iter().find(|d| d.message.contains("not of its declared type `int`"));
    let wrong = wrong.unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!((wrong.file.as_str(), wrong.loc.line, wrong.loc.column), ("p.json", 3, 5), "{diags:?}");
    assert!(wrong.message.starts_with("`parameters.count.value`: "), "{}", wrong.message);
    assert_eq!(wrong.help.as_deref(), Some("declared at t.json:2:25"));
}

fn with_name(expression: &str) -> String {
    format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
"resources": [{{"type": "Microsoft.Network/routeTables", "name": {}}}]}}"#,
        serde_json::to_string(expression).unwrap()
    )
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("[{}'x'{}]", "concat(".repeat(5000), ")".repeat(5000));
    let diags = evaluate("t.json", &with_name(&deep), &[]).expect_err("too deep");
    assert!(diags[0].message.contains("nests deeper"), "{}", diags[0].message);
    // A chain of 3000 variables, each reading the next.
    let vars: Vec<String> = (0..3000).map(|i| format!("\"v{i}\": \"[variables('v{}')]\"", i + 1)).collect();
    let text = format!(
        r#"{{"contentVersion": "1.0.0.0", "variables": {{{}, "v3000": "end"}},
"resources": [{{"type": "Microsoft.Network/routeTables", "name": "[variables('v0')]"}}]}}"#,
        vars.join(", ")
    );
    let diags = evaluate("t.json", &text, &[]).expect_err("too deep");
    assert!(diags.iter().any(|d| d.message.contains("nests deeper")), "{diags:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Any expression text, and any prefix of a real-looking template, evaluates or gives
    /// located errors; nothing panics.
    #[test]
    fn arbitrary_input_never_panics(body in "[a-zA-Z0-9(),.'\\[\\] -]{0,40}", cut in 0usize..5000) {
        let _ = evaluate("t.json", &with_name(&format!("[{body}]")), &[]);
        let end = FEATURES.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(FEATURES.len());
        if let Err(diags) = evaluate("t.json", &FEATURES[..end], &[]) {
            proptest::prop_assert!(!diags.is_empty());
        }
    }
}
