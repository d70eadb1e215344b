//! `terraform show -json` plans and states read into instances: values, unknowns, modules, ids,
//! positions, and every malformed input as a located error.

use vnetsim_import::azurerm::ids;
use vnetsim_import::terraform::plan::{looks_like_plan, read};
use vnetsim_import::{Instance, Mode, Value};

/// A plan of a hub VNet with a firewall, a spoke module holding a subnet (count) and a nested
/// NSG module, in the layout of `terraform show -json tfplan | jq .` (Terraform 1.9). The
/// firewall's private IP, every resource id and the subnet's `address_prefixes` of the second
/// instance are known only after apply; a VNet data source was read while planning, and an
/// old route table is being destroyed.
const PLAN: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "azurerm_virtual_network.hub",
          "mode": "managed",
          "type": "azurerm_virtual_network",
          "name": "hub",
          "provider_name": "registry.terraform.io/hashicorp/azurerm",
          "schema_version": 0,
          "values": {
            "address_space": ["10.0.0.0/16"],
            "location": "westeurope",
            "name": "vnet-hub",
            "resource_group_name": "rg-hub",
            "tags": null
          },
          "sensitive_values": { "address_space": [false] }
        },
        {
          "address": "azurerm_firewall.hub",
          "mode": "managed",
          "type": "azurerm_firewall",
          "name": "hub",
          "provider_name": "registry.terraform.io/hashicorp/azurerm",
          "schema_version": 0,
          "values": {
            "name": "fw-hub",
            "resource_group_name": "rg-hub",
            "sku_name": "AZFW_VNet",
            "sku_tier": "Standard",
            "ip_configuration": [
              { "name": "configuration", "public_ip_address_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/publicIPAddresses/pip-fw" }
            ]
          },
          "sensitive_values": { "ip_configuration": [{}] }
        }
      ],
      "child_modules": [
        {
          "address": "module.spoke",
          "resources": [
            {
              "address": "module.spoke.azurerm_subnet.x[0]",
              "mode": "managed",
              "type": "azurerm_subnet",
              "name": "x",
              "index": 0,
              "provider_name": "registry.terraform.io/hashicorp/azurerm",
              "schema_version": 0,
              "values": {
                "address_prefixes": ["10.1.0.0/26"],
                "name": "training",
                "resource_group_name": "rg-spoke",
                "virtual_network_name": "vnet-spoke"
              },
              "sensitive_values": { "address_prefixes": [false] }
            },
            {
              "address": "module.spoke.azurerm_subnet.x[1]",
              "mode": "managed",
              "type": "azurerm_subnet",
              "name": "x",
              "index": 1,
              "provider_name": "registry.terraform.io/hashicorp/azurerm",
              "schema_version": 0,
              "values": {
                "name": "scoring",
                "resource_group_name": "rg-spoke",
                "virtual_network_name": "vnet-spoke"
              },
              "sensitive_values": {}
            }
          ],
          "child_modules": [
            {
              "address": "module.spoke.module.nsg",
              "resources": [
                {
                  "address": "module.spoke.module.nsg.azurerm_network_security_group.this[\"compute\"]",
                  "mode": "managed",
                  "type": "azurerm_network_security_group",
                  "name": "this",
                  "index": "compute",
                  "provider_name": "registry.terraform.io/hashicorp/azurerm",
                  "schema_version": 0,
                  "values": {
                    "name": "nsg-compute",
                    "resource_group_name": "rg-spoke",
                    "security_rule": [
                      {
                        "access": "Allow",
                        "direction": "Inbound",
                        "name": "allow-azureml",
                        "priority": 100,
                        "protocol": "Tcp",
                        "source_address_prefix": "AzureMachineLearning",
                        "destination_port_range": "44224"
                      }
                    ]
                  },
                  "sensitive_values": { "security_rule": [{}] }
                }
              ]
            }
          ]
        }
      ]
    }
  },
  "resource_changes": [
    {
      "address": "azurerm_virtual_network.hub",
      "mode": "managed",
      "type": "azurerm_virtual_network",
      "name": "hub",
      "provider_name": "registry.terraform.io/hashicorp/azurerm",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": { "address_space": ["10.0.0.0/16"], "name": "vnet-hub" },
        "after_unknown": { "address_space": [false], "dns_servers": true, "guid": true, "id": true, "subnet": true },
        "before_sensitive": false,
        "after_sensitive": { "address_space": [false] }
      }
    },
    {
      "address": "azurerm_firewall.hub",
      "mode": "managed",
      "type": "azurerm_firewall",
      "name": "hub",
      "provider_name": "registry.terraform.io/hashicorp/azurerm",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": { "name": "fw-hub" },
        "after_unknown": {
          "id": true,
          "ip_configuration": [ { "private_ip_address": true, "subnet_id": true } ],
          "virtual_hub": []
        },
        "before_sensitive": false,
        "after_sensitive": { "ip_configuration": [{}] }
      }
    },
    {
      "address": "azurerm_firewall.hub",
      "mode": "managed",
      "type": "azurerm_firewall",
      "name": "hub",
      "deposed": "00000001",
      "change": {
        "actions": ["delete"],
        "before": { "name": "fw-hub" },
        "after": null,
        "after_unknown": { "ip_configuration": true }
      }
    },
    {
      "address": "module.spoke.azurerm_subnet.x[1]",
      "module_address": "module.spoke",
      "mode": "managed",
      "type": "azurerm_subnet",
      "name": "x",
      "index": 1,
      "change": {
        "actions": ["create"],
        "before": null,
        "after": { "name": "scoring" },
        "after_unknown": { "address_prefixes": true, "id": true }
      }
    },
    {
      "address": "azurerm_route_table.old",
      "mode": "managed",
      "type": "azurerm_route_table",
      "name": "old",
      "change": { "actions": ["delete"], "before": { "name": "rt-old" }, "after": null, "after_unknown": {} }
    }
  ],
  "prior_state": {
    "format_version": "1.0",
    "terraform_version": "1.9.5",
    "values": {
      "root_module": {
        "resources": [
          {
            "address": "data.azurerm_virtual_network.shared",
            "mode": "data",
            "type": "azurerm_virtual_network",
            "name": "shared",
            "provider_name": "registry.terraform.io/hashicorp/azurerm",
            "schema_version": 0,
            "values": {
              "address_space": ["10.9.0.0/16"],
              "id": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-shared/providers/Microsoft.Network/virtualNetworks/vnet-shared",
              "name": "vnet-shared",
              "resource_group_name": "rg-shared"
            },
            "sensitive_values": {}
          },
          {
            "address": "azurerm_route_table.old",
            "mode": "managed",
            "type": "azurerm_route_table",
            "name": "old",
            "schema_version": 0,
            "values": { "id": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-hub/providers/Microsoft.Network/routeTables/rt-old", "name": "rt-old", "resource_group_name": "rg-hub" }
          }
        ]
      }
    }
  },
  "configuration": { "root_module": {} }
}
"#;

/// A state (`terraform show -json | jq .`): real ids, everything known, a module.
const STATE: &str = r#"{
  "format_version": "1.0",
  "terraform_version": "1.9.5",
  "values": {
    "outputs": {},
    "root_module": {
      "resources": [
        {
          "address": "azurerm_virtual_network.hub",
          "mode": "managed",
          "type": "azurerm_virtual_network",
          "name": "hub",
          "provider_name": "registry.terraform.io/hashicorp/azurerm",
          "schema_version": 0,
          "values": {
            "address_space": ["10.0.0.0/16"],
            "guid": "2f0c3a1e-9d1b-4a43-9a52-6d0f3c1b2a11",
            "id": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub",
            "name": "vnet-hub",
            "resource_group_name": "rg-hub"
          },
          "sensitive_values": {}
        }
      ],
      "child_modules": [
        {
          "address": "module.spoke",
          "resources": [
            {
              "address": "module.spoke.azurerm_subnet.x[0]",
              "mode": "managed",
              "type": "azurerm_subnet",
              "name": "x",
              "index": 0,
              "schema_version": 0,
              "values": {
                "address_prefixes": ["10.1.0.0/26"],
                "id": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/training",
                "name": "training",
                "resource_group_name": "rg-spoke",
                "virtual_network_name": "vnet-spoke"
              },
              "sensitive_values": {}
            }
          ]
        }
      ]
    }
  }
}
"#;

fn find<'a>(instances: &'a [Instance], address: &str) -> &'a Instance {
    instances.iter().find(|i| i.address == address).unwrap_or_else(|| panic!("no instance {address}"))
}

/// The 1-based (line, column) of the `{` opening the object whose `"address"` line is the
/// first holding `address` (planned values come before the changes in the file).
fn object_start(text: &str, address: &str) -> (u32, u32) {
    let needle = format!("\"address\": {}", serde_json::to_string(address).unwrap());
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains(&needle)).expect("address in the text");
    let open = lines[at - 1];
    assert_eq!(open.trim(), "{", "the sample writes `{{` on the line above the address");
    (at as u32, open.find('{').unwrap() as u32 + 1)
}

/// The 1-based position of the first `"key"` at or after the line holding `after`.
fn key_position(text: &str, after: &str, key: &str) -> (u32, u32) {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.iter().position(|l| l.contains(after)).expect("anchor");
    let quoted = format!("\"{key}\"");
    let (i, line) = lines.iter().enumerate().skip(from).find(|(_, l)| l.contains(&quoted)).expect("key");
    (i as u32 + 1, line.find(&quoted).unwrap() as u32 + 1)
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_seq().expect("a list").iter().map(|x| x.as_str().expect("a string")).collect()
}

#[test]
fn a_plan_gives_every_planned_instance_in_file_order_with_modules_nested() {
    let instances = read("plan.json", PLAN).expect("reads");
    let addresses: Vec<&str> = instances.iter().map(|i| i.address.as_str()).collect();
    // The route table being destroyed is not planned (catches reading prior_state's managed
    // resources); the data source read while planning is (catches ignoring prior_state).
    assert_eq!(
        addresses,
        [
            "azurerm_virtual_network.hub",
            "azurerm_firewall.hub",
            "module.spoke.azurerm_subnet.x[0]",
            "module.spoke.azurerm_subnet.x[1]",
            "module.spoke.module.nsg.azurerm_network_security_group.this[\"compute\"]",
            "data.azurerm_virtual_network.shared",
        ]
    );
    let subnet = find(&instances, "module.spoke.azurerm_subnet.x[0]");
    assert_eq!((subnet.mode, subnet.rtype.as_str()), (Mode::Managed, "azurerm_subnet"));
    assert_eq!(strs(subnet.arg("address_prefixes").unwrap()), ["10.1.0.0/26"]);
    let data = find(&instances, "data.azurerm_virtual_network.shared");
    assert_eq!(data.mode, Mode::Data);
    let nsg = find(&instances, "module.spoke.module.nsg.azurerm_network_security_group.this[\"compute\"]");
    let rule = &nsg.arg("security_rule").unwrap().as_seq().unwrap()[0];
    assert_eq!(rule.get("priority"), Some(&Value::Number(100.0)));
    assert_eq!(rule.get("source_address_prefix").and_then(Value::as_str), Some("AzureMachineLearning"));
}

#[test]
fn values_known_only_after_apply_are_unknown_with_their_path() {
    let instances = read("plan.json", PLAN).expect("reads");
    let fw = find(&instances, "azurerm_firewall.hub");
    let config = &fw.arg("ip_configuration").unwrap().as_seq().unwrap()[0];
    // Known values next to unknown ones stay (catches replacing the whole block).
    assert_eq!(config.get("name").and_then(Value::as_str), Some("configuration"));
    assert_eq!(
        config.get("private_ip_address"),
        Some(&Value::unknown("azurerm_firewall.hub", "ip_configuration[0].private_ip_address"))
    );
    assert_eq!(config.get("subnet_id"), Some(&Value::unknown("azurerm_firewall.hub", "ip_configuration[0].subnet_id")));
    // The deposed object's `ip_configuration: true` is not this one's (catches reading deposed changes).
    assert!(config.get("public_ip_address_id").and_then(Value::as_str).is_some());
    // An empty array of marks and `false` marks change nothing.
    assert_eq!(fw.arg("virtual_hub"), Some(&Value::list(vec![])));
    let hub = find(&instances, "azurerm_virtual_network.hub");
    assert_eq!(strs(hub.arg("address_space").unwrap()), ["10.0.0.0/16"]);
    assert_eq!(hub.arg("dns_servers"), Some(&Value::unknown("azurerm_virtual_network.hub", "dns_servers")));
    let scoring = find(&instances, "module.spoke.azurerm_subnet.x[1]");
    assert_eq!(
        scoring.arg("address_prefixes"),
        Some(&Value::unknown("module.spoke.azurerm_subnet.x[1]", "address_prefixes"))
    );
}

#[test]
fn unknown_ids_are_the_ids_vnetsim_gives_and_known_ones_stay() {
    let instances = read("plan.json", PLAN).expect("reads");
    for inst in &instances {
        let id = inst.arg("id").and_then(Value::as_str).unwrap_or_else(|| panic!("{} has an id", inst.address));
        if inst.mode == Mode::Managed {
            // `after_unknown.id = true` is replaced, not kept unknown (catches marking after ids).
            assert_eq!(Some(id.to_string()), ids::resource_id(&inst.rtype, &inst.attrs), "{}", inst.address);
        }
    }
    let subnet = find(&instances, "module.spoke.azurerm_subnet.x[0]");
    assert!(subnet.arg("id").unwrap().as_str().unwrap().ends_with("/virtualNetworks/vnet-spoke/subnets/training"));
    let data = find(&instances, "data.azurerm_virtual_network.shared");
    assert!(data.arg("id").unwrap().as_str().unwrap().starts_with("/subscriptions/11111111-"));

    let state = read("state.json", STATE).expect("reads");
    let hub = find(&state, "azurerm_virtual_network.hub");
    assert!(hub.arg("id").unwrap().as_str().unwrap().starts_with("/subscriptions/11111111-"), "a real id is kept");
    assert_eq!(hub.arg("guid").and_then(Value::as_str), Some("2f0c3a1e-9d1b-4a43-9a52-6d0f3c1b2a11"));
}

#[test]
fn an_id_whose_names_are_unknown_is_unknown() {
    let plan = r#"{"format_version":"1.2","terraform_version":"1.9.5",
"planned_values":{"root_module":{"resources":[{"address":"azurerm_subnet.a","mode":"managed","type":"azurerm_subnet","name":"a","values":{"resource_group_name":"rg","virtual_network_name":"v"}}]}},
"resource_changes":[{"address":"azurerm_subnet.a","change":{"actions":["create"],"after_unknown":{"id":true,"name":true}}}]}"#;
    let instances = read("p.json", plan).expect("reads");
    assert_eq!(instances[0].arg("name"), Some(&Value::unknown("azurerm_subnet.a", "name")));
    assert_eq!(instances[0].arg("id"), Some(&Value::unknown("azurerm_subnet.a", "id")));
}

#[test]
fn a_state_gives_its_resources_and_modules() {
    let instances = read("state.json", STATE).expect("reads");
    let addresses: Vec<&str> = instances.iter().map(|i| i.address.as_str()).collect();
    assert_eq!(addresses, ["azurerm_virtual_network.hub", "module.spoke.azurerm_subnet.x[0]"]);
    assert!(instances.iter().all(|i| i.attrs.find_unknown().is_none()));
}

#[test]
fn instances_and_their_arguments_are_located_where_they_are_written() {
    let instances = read("plan.json", PLAN).expect("reads");
    for inst in &instances {
        let (line, column) = object_start(PLAN, &inst.address);
        assert_eq!(
            (inst.origin.file.as_str(), inst.origin.loc.line, inst.origin.loc.column),
            ("plan.json", line, column),
            "{}",
            inst.address
        );
    }
    let subnet = find(&instances, "module.spoke.azurerm_subnet.x[0]");
    let (line, column) = key_position(PLAN, "\"module.spoke.azurerm_subnet.x[0]\"", "address_prefixes");
    let loc = subnet.loc_of("address_prefixes").loc;
    assert_eq!((loc.line, loc.column), (line, column));
    // Keys of the nested module's values, not the first `"name"` in the file.
    let nsg = &instances[4];
    let (line, _) = key_position(PLAN, "\"module.spoke.module.nsg.", "security_rule");
    assert_eq!(nsg.loc_of("security_rule").loc.line, line);
}

#[test]
fn positions_in_one_line_output_count_characters() {
    // `terraform show -json` prints one line; a multi-byte character before counts once.
    let plan = r#"{"format_version":"1.2","terraform_version":"1.9.5","variables":{"owner":{"value":"Zoë"}},"planned_values":{"root_module":{"resources":[{"address":"azurerm_resource_group.rg","mode":"managed","type":"azurerm_resource_group","name":"rg","values":{"name":"rg-a","location":"westeurope"}}]}}}"#;
    let instances = read("p.json", plan).expect("reads");
    let byte = plan.find("{\"address\"").unwrap();
    let chars = plan[..byte].chars().count() as u32 + 1;
    assert_eq!((instances[0].origin.loc.line, instances[0].origin.loc.column), (1, chars));
    assert_eq!(
        instances[0].loc_of("location").loc.column,
        plan[..plan.find("\"location\"").unwrap()].chars().count() as u32 + 1
    );
    assert_eq!(
        instances[0].arg("id").and_then(Value::as_str),
        Some("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-a")
    );
}

/// The errors of `text`, as (line, column, message).
fn errors(text: &str) -> Vec<(u32, u32, String)> {
    let diags = read("bad.json", text).expect_err("an error");
    assert!(diags.iter().all(|d| d.file == "bad.json"));
    diags.into_iter().map(|d| (d.loc.line, d.loc.column, d.message)).collect()
}

fn one_error(text: &str) -> (u32, u32, String) {
    let mut all = errors(text);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn invalid_json_is_located_where_the_parser_stopped() {
    let (line, column, message) = one_error("{\n  \"format_version\": \"1.2\",\n  \"values\": {,}\n}\n");
    assert_eq!((line, column), (3, 14), "{message}");
    assert!(message.starts_with("not valid JSON: "), "{message}");
    let (line, _, message) = one_error("{\"format_version\": \"1.2\"");
    assert_eq!(line, 1, "{message}");
    let (line, column, _) = one_error("");
    assert_eq!((line, column), (1, 1));
}

#[test]
fn json_that_is_no_terraform_output_says_how_to_make_it() {
    let diags = read("x.json", "[1, 2]").expect_err("an error");
    assert!(diags[0].message.contains("not an object"), "{}", diags[0].message);
    assert!(diags[0].help.as_deref().unwrap().contains("terraform show -json"));
    let (line, column, message) = one_error("\n  {\"name\": \"x\", \"values\": {}}");
    assert_eq!((line, column), (2, 3));
    assert!(message.contains("no `format_version`"), "{message}");
    let (_, _, message) = one_error(r#"{"format_version": "1.0", "terraform_version": "1.9.5"}"#);
    assert!(message.contains("neither `planned_values`"), "{message}");
    let (line, column, message) = one_error("{\"format_version\": \"2.0\",\n \"values\": {\"root_module\": {}}}");
    assert_eq!((line, column), (1, 20));
    assert!(message.contains("unsupported"), "{message}");
    let (_, column, message) = one_error(r#"{"format_version": 1, "values": {"root_module": {}}}"#);
    assert_eq!(column, 20);
    assert!(message.contains("not a string"), "{message}");
}

#[test]
fn wrong_shapes_are_all_reported_at_their_place() {
    let text = r#"{"format_version": "1.0",
"values": {"root_module": {
  "resources": [
    {"mode": "managed", "type": "azurerm_subnet", "values": {}},
    {"address": "azurerm_subnet.b", "mode": "managed", "values": {}},
    {"address": "azurerm_subnet.c", "mode": "manged", "type": "azurerm_subnet", "values": {}},
    {"address": "azurerm_subnet.d", "mode": "managed", "type": "azurerm_subnet", "values": []},
    {"address": "azurerm_subnet.e", "mode": "managed", "type": "azurerm_subnet"},
    {"address": 7, "mode": "managed", "type": "azurerm_subnet", "values": {}},
    "azurerm_subnet.g",
    {"address": "azurerm_subnet.ok", "mode": "managed", "type": "azurerm_subnet", "values": {"name": "ok"}}
  ],
  "child_modules": {"address": "module.x"}
}}}"#;
    let got = errors(text);
    let want: [(u32, u32, &str); 8] = [
        (4, 5, "a resource without `address`"),
        (5, 5, "resource `azurerm_subnet.b` without `type`"),
        (6, 45, "resource `azurerm_subnet.c`: unknown `mode` \"manged\""),
        (7, 92, "resource `azurerm_subnet.d`: `values` is an array, not an object"),
        (8, 5, "resource `azurerm_subnet.e` has no `values`"),
        (9, 17, "a resource: `address` is a number, not a string"),
        (10, 5, "a resource is a string, not an object"),
        (13, 20, "`child_modules` is an object, not an array"),
    ];
    assert_eq!(got.len(), 8, "{got:?}");
    for ((line, column, message), (wl, wc, wm)) in got.iter().zip(want) {
        assert_eq!((*line, *column), (wl, wc), "{message}");
        assert!(message.starts_with(wm), "{message} should start with {wm}");
    }
}

#[test]
fn plan_sections_of_the_wrong_shape_are_errors() {
    let (line, column, message) = one_error(
        "{\"format_version\": \"1.2\",\n\"planned_values\": {\"root_module\": {}},\n\"resource_changes\": {}}",
    );
    assert_eq!((line, column), (3, 21));
    assert!(message.contains("`resource_changes` is an object, not an array"), "{message}");
    let (line, _, message) = one_error("{\"format_version\": \"1.2\",\n\"planned_values\": {\"outputs\": {}}}");
    assert_eq!(line, 2);
    assert!(message.contains("no `root_module`"), "{message}");
    let marks = r#"{"format_version":"1.2",
"planned_values":{"root_module":{"resources":[{"address":"azurerm_subnet.a","mode":"managed","type":"azurerm_subnet","values":{"name":"a","address_prefixes":["10.0.0.0/24"]}}]}},
"resource_changes":[{"address":"azurerm_subnet.a","change":{"after_unknown":{"address_prefixes":{"x":true},"name":"yes"}}}]}"#;
    let got = errors(marks);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].2.contains("marks an object at `address_prefixes`, where the planned value is a list"),
        "{}",
        got[0].2
    );
    assert!(got[1].2.contains("is a string at `name`"), "{}", got[1].2);
    assert!(got.iter().all(|(line, _, _)| *line == 3));
}

#[test]
fn terraform_output_is_recognised_by_its_head() {
    assert!(looks_like_plan(PLAN));
    assert!(looks_like_plan(STATE));
    assert!(looks_like_plan("\u{feff}{\"format_version\":\"1.0\",\"terraform_version\":\"1.9.5\"}"));
    assert!(!looks_like_plan("name: zone\nvnets: []\n"));
    assert!(!looks_like_plan("[{\"format_version\": \"1.0\", \"values\": {}}]"));
    assert!(!looks_like_plan("{\"name\": \"x\", \"values\": {}}"));
    assert!(!looks_like_plan("{\"format_version\": \"1.0\", \"name\": \"x\"}"));
}
