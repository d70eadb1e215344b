//! Exports of deployed resources (REST GETs, `az … list`, Resource Graph, Azure's REST examples)
//! read into ArmResources named by their ids.

use vnetsim_import::Value;
use vnetsim_import::arm::ArmResource;
use vnetsim_import::arm::export::{looks_like_export, looks_like_template, read, read_all};
use vnetsim_testkit::real_configs;

/// Every file of the real exports folder, as (name, text), by name.
fn exports() -> Vec<(String, String)> {
    let dir = real_configs::dir().expect("available").join("exports");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the exports folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

fn only(file: &str) -> ArmResource {
    let text = real_configs::text(&format!("exports/{file}"));
    let mut all = read(file, &text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    assert_eq!(all.len(), 1, "{file}");
    all.remove(0)
}

#[test]
fn every_rest_example_reads_as_one_resource_named_by_its_id() {
    if !real_configs::available() {
        return;
    }
    let files = exports();
    assert!(files.len() >= 17, "{}", files.len());
    for (name, text) in &files {
        assert!(looks_like_export(text), "{name} is recognised as an export");
        assert!(!looks_like_template(text), "{name} is no template");
        let all = read(name, text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(all.len(), 1, "{name}");
        let r = &all[0];
        assert!(r.id.ends_with(&format!("/{}", r.name.rsplit('/').next().unwrap())), "{name}: {} {}", r.id, r.name);
        assert!(r.rtype.starts_with("Microsoft.Network/"), "{name}: {}", r.rtype);
        let body_line = text.lines().position(|l| l.contains("\"body\"")).expect("a body") as u32 + 1;
        assert_eq!(
            (r.origin.file.as_str(), r.origin.loc.line),
            (name.as_str(), body_line),
            "{name}: located at the body"
        );
    }
    let all = read_all(&files).expect("the folder reads");
    // Two examples (NAT and filter rule collection groups) GET the same id: the first file
    // read keeps it, so no resource is there twice.
    assert_eq!(all.len(), files.len() - 1);
    let mut ids: Vec<String> = all.iter().map(|r| r.id.to_ascii_lowercase()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len());
    let rcg = all.iter().filter(|r| r.id.ends_with("00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/firewallPolicies/firewallPolicy/ruleCollectionGroups/ruleCollectionGroup1")).collect::<Vec<_>>();
    assert_eq!(rcg.len(), 1);
    assert_eq!(rcg[0].origin.file, "FirewallPolicyNatRuleCollectionGroupGet.json");
}

#[test]
fn children_get_full_types_and_names_from_their_ids() {
    if !real_configs::available() {
        return;
    }
    // The subnet body has no `type`: the id gives it (catches reading `type` only).
    let subnet = only("SubnetGet.json");
    assert_eq!(subnet.rtype, "Microsoft.Network/virtualNetworks/subnets");
    assert_eq!(subnet.name, "vnetname/subnet1");
    assert_eq!(subnet.resource_group, "subnet-test");
    assert_eq!(subnet.properties.get("addressPrefix").and_then(Value::as_str), Some("10.0.0.0/16"));
    let record = only("RecordSetAGet.json");
    assert_eq!(record.rtype, "Microsoft.Network/privateDnsZones/A");
    assert_eq!(record.name.split('/').count(), 2);
    let rcg = only("FirewallPolicyRuleCollectionGroupGet.json");
    assert_eq!(rcg.rtype, "Microsoft.Network/firewallPolicies/ruleCollectionGroups");
}

#[test]
fn embedded_children_and_read_only_properties_stay_as_azure_returned_them() {
    if !real_configs::available() {
        return;
    }
    let vnet = only("VirtualNetworkGet.json");
    assert_eq!(
        (vnet.rtype.as_str(), vnet.name.as_str(), vnet.location.as_deref()),
        ("Microsoft.Network/virtualNetworks", "test-vnet", Some("westus"))
    );
    let subnets = vnet.properties.get("subnets").and_then(Value::as_seq).expect("subnets embedded");
    assert_eq!(subnets[0].get("name").and_then(Value::as_str), Some("subnet1"));
    assert_eq!(vnet.properties.get("provisioningState").and_then(Value::as_str), Some("Succeeded"));
    let nsg = only("NetworkSecurityGroupGet.json");
    assert!(nsg.properties.get("defaultSecurityRules").and_then(Value::as_seq).is_some_and(|r| !r.is_empty()));
}

const VNET: &str = r#"{"id": "/subscriptions/s/resourceGroups/RG-A/providers/Microsoft.Network/virtualNetworks/hub", "name": "hub",
  "type": "Microsoft.Network/virtualNetworks", "location": "westeurope", "etag": "W/\"1\"", "sku": {"name": "x"},
  "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}"#;

#[test]
fn every_shape_of_export_reads() {
    let single = read("one.json", VNET).expect("a body");
    assert_eq!((single[0].resource_group.as_str(), single[0].extra.get("sku").is_some()), ("RG-A", true));
    let array = read("list.json", &format!("[{VNET}, {VNET}]")).expect("an array");
    assert_eq!(array.len(), 2);
    let page = read("page.json", &format!("{{\"value\": [{VNET}], \"nextLink\": null}}")).expect("a page");
    assert_eq!(page[0].name, "hub");
    let graph = read("graph.json", &format!("{{\"count\": 1, \"data\": [{VNET}]}}")).expect("Resource Graph");
    assert_eq!(graph[0].rtype, "Microsoft.Network/virtualNetworks");
    for text in [VNET.to_string(), format!("[{VNET}]"), format!("{{\"value\": [{VNET}]}}")] {
        assert!(looks_like_export(&text), "{text}");
        assert!(!looks_like_template(&text));
    }
    // The same resource in a list and a GET counts once.
    let twice = read_all(&[("a.json".into(), VNET.into()), ("b.json".into(), format!("[{VNET}]"))]).expect("reads");
    assert_eq!(twice.len(), 1);
    assert_eq!(twice[0].origin.file, "a.json");
}

#[test]
fn templates_and_exports_are_told_apart_by_content() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": []}"#;
    assert!(looks_like_template(template));
    assert!(!looks_like_export(template));
    assert!(looks_like_template(r#"{"contentVersion": "1.0.0.0", "resources": []}"#));
    let params = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {}}"#;
    assert!(!looks_like_template(params) && !looks_like_export(params));
    assert!(!looks_like_export(r#"[{"id": "x", "type": "Microsoft.Network/virtualNetworks"}]"#));
    assert!(!looks_like_export("name: zone\n"));
    assert!(!looks_like_export(r#"{"format_version": "1.0", "values": {}}"#));
}

#[test]
fn broken_exports_are_located() {
    let text = "[\n  {\"name\": \"a\"},\n  {\"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v\", \"type\": \"Microsoft.Network/routeTables\"},\n  {\"id\": \"nonsense\"},\n  7\n]";
    let diags = read("bad.json", text).expect_err("errors");
    let got: Vec<(u32, u32, &str)> = diags.iter().map(|d| (d.loc.line, d.loc.column, d.message.as_str())).collect();
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), (2, 3));
    assert!(got[0].2.starts_with("`[0]`: an exported resource without `id`"), "{}", got[0].2);
    assert_eq!(got[1].0, 3);
    assert!(got[1].2.contains("does not match the id"), "{}", got[1].2);
    assert!(got[2].2.contains("\"nonsense\" is not the id"), "{}", got[2].2);
    assert_eq!((got[3].0, got[3].1), (5, 3));
    let truncated = read("t.json", "{\"value\": [").expect_err("truncated");
    assert!(truncated[0].message.starts_with("not valid JSON"));
    let wrapper = read("w.json", "{\"parameters\": {}, \"responses\": {\"404\": {}}}").expect_err("no 200 body");
    assert!(wrapper[0].message.contains("`responses`"), "{}", wrapper[0].message);
}
