//! The Terraform evaluator: each language feature evaluated as `terraform plan` would, and
//! each kind of mistake reported where it is written.

use std::path::Path;
use vnetsim_import::terraform::eval::{Evaluated, Evaluator, Input};
use vnetsim_import::{Diagnostic, Instance, Memory, Value};

fn eval_with(files: &[(&str, &str)], vars: &[(&str, &str)]) -> Result<Evaluated, Vec<Diagnostic>> {
    let mem = Memory::with(files);
    let input = Input {
        dir: Path::new("infra"),
        display: "infra".into(),
        vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        var_files: Vec::new(),
    };
    Evaluator::new(&mem, &[]).run(&input)
}

fn eval(main: &str) -> Vec<Instance> {
    match eval_with(&[("infra/main.tf", main)], &[]) {
        Ok(e) => e.instances,
        Err(d) => panic!("does not evaluate: {d:#?}"),
    }
}

fn errors(main: &str) -> Vec<Diagnostic> {
    match eval_with(&[("infra/main.tf", main)], &[]) {
        Ok(e) => panic!("evaluated, expected errors: {:?}", e.instances.iter().map(|i| &i.address).collect::<Vec<_>>()),
        Err(d) => d,
    }
}

fn find<'a>(instances: &'a [Instance], address: &str) -> &'a Instance {
    instances
        .iter()
        .find(|i| i.address == address)
        .unwrap_or_else(|| panic!("no {address} among {:?}", instances.iter().map(|i| &i.address).collect::<Vec<_>>()))
}

fn s(i: &Instance, key: &str) -> String {
    match i.attrs.get(key) {
        Some(Value::String(s)) => s.to_string(),
        other => panic!("{}.{key} is {other:?}", i.address),
    }
}

#[test]
fn variables_locals_and_interpolation_evaluate_in_any_order() {
    let got = eval(
        r#"
        resource "azurerm_virtual_network" "hub" {
          name                = "vnet-${local.env}"
          resource_group_name = var.rg
          address_space       = [local.space]
        }
        locals {
          env   = "${var.prefix}-prod"
          space = "10.${var.octet}.0.0/16"
        }
        variable "prefix" { default = "ml" }
        variable "octet" {
          type    = number
          default = "7"
        }
        variable "rg" { default = "rg-hub" }
        "#,
    );
    let vnet = find(&got, "azurerm_virtual_network.hub");
    assert_eq!(s(vnet, "name"), "vnet-ml-prod");
    assert_eq!(vnet.attrs.get("address_space"), Some(&Value::list(vec![Value::string("10.7.0.0/16")])));
    // The id Azure would give it, made from its names.
    assert!(s(vnet, "id").ends_with("/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-ml-prod"));
}

#[test]
fn var_values_override_defaults_and_tfvars_files_are_read() {
    let files = [
        (
            "infra/main.tf",
            r#"
            variable "a" { default = "default" }
            variable "b" { default = "default" }
            variable "n" { type = list(string) }
            resource "azurerm_resource_group" "x" { name = "${var.a}-${var.b}-${var.n[1]}" }
        "#,
        ),
        ("infra/terraform.tfvars", "a = \"tfvars\"\nb = \"tfvars\"\n"),
    ];
    let got = eval_with(&files, &[("b", "cli"), ("n", "[\"p\", \"q\"]")]).expect("evaluates").instances;
    assert_eq!(s(find(&got, "azurerm_resource_group.x"), "name"), "tfvars-cli-q");
}

#[test]
fn count_and_for_each_make_one_instance_each_with_their_keys() {
    let got = eval(
        r#"
        variable "names" { default = ["a", "b"] }
        resource "azurerm_subnet" "by_count" {
          count                = length(var.names) == 2 ? 2 : 0
          name                 = "sub-${count.index}-${var.names[count.index]}"
          resource_group_name  = "rg"
          virtual_network_name = "v"
        }
        resource "azurerm_subnet" "by_map" {
          for_each             = { pe = "10.0.1.0/24", ml = "10.0.2.0/24" }
          name                 = each.key
          address_prefixes     = [each.value]
          resource_group_name  = "rg"
          virtual_network_name = "v"
        }
        resource "azurerm_subnet" "by_set" {
          for_each             = toset(["z", "y"])
          name                 = each.value
          resource_group_name  = "rg"
          virtual_network_name = "v"
        }
        "#,
    );
    assert_eq!(s(find(&got, "azurerm_subnet.by_count[1]"), "name"), "sub-1-b");
    assert_eq!(s(find(&got, "azurerm_subnet.by_map[\"ml\"]"), "name"), "ml");
    // Sets iterate in lexical order.
    let sets: Vec<&str> =
        got.iter().filter(|i| i.address.starts_with("azurerm_subnet.by_set")).map(|i| i.address.as_str()).collect();
    assert_eq!(sets, ["azurerm_subnet.by_set[\"y\"]", "azurerm_subnet.by_set[\"z\"]"]);
}

#[test]
fn references_index_resources_and_splat_them() {
    let got = eval(
        r#"
        resource "azurerm_subnet" "s" {
          count                = 2
          name                 = "s${count.index}"
          resource_group_name  = "rg"
          virtual_network_name = "v"
        }
        resource "azurerm_route_table" "rt" {
          name                = azurerm_subnet.s[1].name
          resource_group_name = "rg"
          tags                = { all = join(",", azurerm_subnet.s[*].name) }
        }
        "#,
    );
    let rt = find(&got, "azurerm_route_table.rt");
    assert_eq!(s(rt, "name"), "s1");
    assert_eq!(rt.attrs.get("tags").and_then(|t| t.get("all")), Some(&Value::string("s0,s1")));
}

#[test]
fn an_attribute_azure_computes_is_unknown_with_its_origin() {
    let got = eval(
        r#"
        resource "azurerm_firewall" "fw" {
          name                = "fw"
          resource_group_name = "rg"
        }
        locals { fw = azurerm_firewall.fw }
        resource "azurerm_route" "r" {
          name                   = "default"
          next_hop_in_ip_address = azurerm_firewall.fw.ip_configuration[0].private_ip_address
          via_local              = local.fw.ip_configuration[0].private_ip_address
        }
        "#,
    );
    let r = find(&got, "azurerm_route.r");
    for key in ["next_hop_in_ip_address", "via_local"] {
        match r.attrs.get(key) {
            Some(Value::Unknown(c)) => {
                assert_eq!(c.address, "azurerm_firewall.fw", "{key}");
                assert!(c.path.contains("private_ip_address"), "{key}: {}", c.path);
            }
            other => panic!("{key} should be known after apply, is {other:?}"),
        }
    }
}

#[test]
fn conditionals_for_expressions_and_templates() {
    let got = eval(
        r#"
        locals {
          rules = { web = 443, ssh = 22, dns = 53 }
          open  = [for name, port in local.rules : "${name}:${port}" if port != 22]
          byport = { for name, port in local.rules : port => name }
          grouped = { for name, port in local.rules : (port > 100 ? "high" : "low") => name... }
          text = "%{ for n in ["a", "b"] }[${n}]%{ endfor }%{ if true }!%{ else }?%{ endif }"
        }
        resource "azurerm_resource_group" "x" {
          name    = local.text
          open    = local.open
          byport  = local.byport
          grouped = local.grouped
          heredoc = <<-EOT
            line ${1 + 2}
            EOT
        }
        "#,
    );
    let x = find(&got, "azurerm_resource_group.x");
    assert_eq!(s(x, "name"), "[a][b]!");
    assert_eq!(x.attrs.get("open"), Some(&Value::list(vec![Value::string("dns:53"), Value::string("web:443")])));
    assert_eq!(x.attrs.get("byport").and_then(|m| m.get("443")), Some(&Value::string("web")));
    assert_eq!(
        x.attrs.get("grouped").and_then(|m| m.get("low")),
        Some(&Value::list(vec![Value::string("dns"), Value::string("ssh")]))
    );
    assert_eq!(s(x, "heredoc"), "line 3\n");
}

#[test]
fn dynamic_blocks_expand_into_nested_blocks() {
    let got = eval(
        r#"
        variable "rules" {
          default = [{ name = "a", priority = 100 }, { name = "b", priority = 200 }]
        }
        resource "azurerm_network_security_group" "nsg" {
          name                = "nsg"
          resource_group_name = "rg"
          security_rule {
            name     = "first"
            priority = 50
          }
          dynamic "security_rule" {
            for_each = var.rules
            iterator = r
            content {
              name     = r.value.name
              priority = r.value.priority + r.key
            }
          }
        }
        "#,
    );
    let nsg = find(&got, "azurerm_network_security_group.nsg");
    let rules = nsg.attrs.get("security_rule").and_then(Value::as_seq).expect("rules");
    let names: Vec<&str> = rules.iter().filter_map(|r| r.get("name").and_then(Value::as_str)).collect();
    assert_eq!(names, ["first", "a", "b"]);
    assert_eq!(rules[2].get("priority"), Some(&Value::Number(201.0)));
}

#[test]
fn local_modules_take_inputs_and_give_outputs_under_their_address() {
    let files = [
        (
            "infra/main.tf",
            r#"
            module "spoke" {
              source   = "./modules/spoke"
              for_each = { a = "10.1.0.0/16", b = "10.2.0.0/16" }
              name     = "spoke-${each.key}"
              space    = each.value
            }
            resource "azurerm_resource_group" "out" {
              name = module.spoke["b"].vnet_name
            }
        "#,
        ),
        (
            "infra/modules/spoke/main.tf",
            r#"
            variable "name" {}
            variable "space" { type = string }
            variable "rg" { default = "rg-spokes" }
            resource "azurerm_virtual_network" "v" {
              name                = var.name
              resource_group_name = var.rg
              address_space       = [var.space]
            }
            output "vnet_name" { value = azurerm_virtual_network.v.name }
        "#,
        ),
    ];
    let got = eval_with(&files, &[]).expect("evaluates").instances;
    let v = find(&got, "module.spoke[\"a\"].azurerm_virtual_network.v");
    assert_eq!(s(v, "name"), "spoke-a");
    assert_eq!(v.origin.file, "infra/modules/spoke/main.tf");
    assert_eq!(s(find(&got, "azurerm_resource_group.out"), "name"), "spoke-b");
}

#[test]
fn a_registry_module_is_listed_as_missing_and_its_outputs_are_unknown() {
    let got = eval_with(
        &[(
            "infra/main.tf",
            r#"
            module "vnet" {
              source  = "Azure/avm-res-network-virtualnetwork/azurerm"
              version = "0.7.1"
            }
            resource "azurerm_private_endpoint" "pe" {
              name      = "pe"
              subnet_id = module.vnet.subnets["pe"].resource_id
            }
        "#,
        )],
        &[],
    )
    .expect("evaluates");
    assert_eq!(got.missing.len(), 1);
    assert_eq!(got.missing[0].address, "module.vnet");
    assert_eq!(got.missing[0].origin.loc.line, 3);
    let pe = find(&got.instances, "azurerm_private_endpoint.pe");
    assert!(matches!(pe.attrs.get("subnet_id"), Some(Value::Unknown(c)) if c.address == "module.vnet"));
}

#[test]
fn try_and_can_swallow_errors_and_a_data_source_of_nothing_network_keeps_its_arguments() {
    let got = eval(
        r#"
        variable "password" { default = null }
        data "azurerm_client_config" "current" {}
        resource "azurerm_resource_group" "x" {
          name   = try(var.password.length, "fallback")
          ok     = can(var.nothing_here)
          tenant = data.azurerm_client_config.current.tenant_id
        }
        "#,
    );
    let x = find(&got, "azurerm_resource_group.x");
    assert_eq!(s(x, "name"), "fallback");
    assert_eq!(x.attrs.get("ok"), Some(&Value::Bool(false)));
    assert!(matches!(x.attrs.get("tenant"), Some(Value::String(_))));
}

#[test]
fn a_variable_without_value_is_unknown_until_something_needs_it() {
    let got = eval("variable \"pw\" {}\nresource \"azurerm_resource_group\" \"x\" { secret = var.pw }\n");
    let x = find(&got, "azurerm_resource_group.x");
    assert!(matches!(x.attrs.get("secret"), Some(Value::Unknown(c)) if c.address == "var.pw"));
    // A count that needs it cannot be planned: located at the count.
    let e = errors("variable \"n\" {}\nresource \"azurerm_subnet\" \"s\" {\n  count = var.n\n}\n");
    assert_eq!((e[0].loc.line, e[0].loc.column), (3, 11));
    assert!(e[0].message.contains("variable `n`"), "{}", e[0].message);
}

#[test]
fn mistakes_are_located_and_all_reported() {
    let e = errors(
        r#"resource "azurerm_subnet" "a" {
  name = var.missing
  other = local.nope
  third = azurerm_subnet.b.name
  fourth = 1 + "x"
  fifth = { a = 1 }.b
}
"#,
    );
    let at: Vec<(u32, &str)> = e.iter().map(|d| (d.loc.line, d.message.as_str())).collect();
    assert!(at.iter().any(|(l, m)| *l == 2 && m.contains("no variable `missing`")), "{at:?}");
    assert!(at.iter().any(|(l, m)| *l == 3 && m.contains("no local value `nope`")), "{at:?}");
    assert!(at.iter().any(|(l, m)| *l == 4 && m.contains("no resource `azurerm_subnet.b`")), "{at:?}");
    assert!(at.iter().any(|(l, m)| *l == 5 && m.contains("two numbers")), "{at:?}");
    assert!(at.iter().any(|(l, m)| *l == 6 && m.contains("no attribute `b`")), "{at:?}");
}

#[test]
fn a_reference_cycle_is_an_error_naming_the_cycle() {
    let e = errors(
        "locals {\n  a = local.b\n  b = local.a\n}\nresource \"azurerm_resource_group\" \"x\" { name = local.a }\n",
    );
    assert!(e.iter().any(|d| d.message.contains("reference cycle") && d.message.contains("local.a")), "{e:?}");
}

#[test]
fn syntax_errors_huge_counts_and_bad_for_each_are_located() {
    let e = errors("resource \"azurerm_subnet\" \"a\" {\n  name = \"x\n}\n");
    assert_eq!(e[0].file, "infra/main.tf");
    assert!(e[0].message.starts_with("HCL syntax"), "{}", e[0].message);
    let e = errors("resource \"azurerm_subnet\" \"a\" {\n  count = 100000000\n}\n");
    assert_eq!(e[0].loc.line, 2);
    assert!(e[0].message.contains("more than"), "{}", e[0].message);
    let e = errors("resource \"azurerm_subnet\" \"a\" {\n  for_each = [\"a\"]\n}\n");
    assert!(e[0].message.contains("map or a set of strings"), "{}", e[0].message);
}

#[test]
fn random_stand_ins_keep_to_the_characters_the_resource_allows() {
    let got = eval(
        r#"
        resource "random_string" "letters" {
          length  = 12
          upper   = false
          numeric = false
          special = false
        }
        resource "random_id" "hex" { byte_length = 4 }
        resource "azurerm_resource_group" "x" {
          name = "${random_string.letters.result}-${random_id.hex.hex}"
        }
        "#,
    );
    let name = s(find(&got, "azurerm_resource_group.x"), "name");
    let (letters, hex) = name.split_once('-').expect("two parts");
    assert_eq!(letters.len(), 12);
    assert!(letters.bytes().all(|b| b.is_ascii_lowercase()), "{letters}: numeric = false");
    assert_eq!(hex.len(), 8, "4 bytes as hex");
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{hex}");
    // The same address gives the same stand-in in every import.
    let again = eval(
        r#"resource "random_string" "letters" {
      length  = 12
      upper   = false
      numeric = false
    }"#,
    );
    assert_eq!(s(find(&again, "random_string.letters"), "result"), letters);
}

#[test]
fn variables_shared_by_several_configurations_go_to_those_that_declare_them() {
    use vnetsim_import::{Kind, Request, import};
    let mem = Memory::with(&[
        ("a/main.tf", "variable \"x\" {}\nresource \"azurerm_resource_group\" \"a\" { name = var.x }\n"),
        ("b/main.tf", "variable \"y\" {}\nresource \"azurerm_resource_group\" \"b\" { name = var.y }\n"),
    ]);
    let request = |dir: &str, vars: &[(&str, &str)]| Request {
        kind: Kind::Terraform,
        path: dir.into(),
        display: dir.into(),
        vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        var_files: Vec::new(),
        parameter_files: Vec::new(),
        parameters: Vec::new(),
    };
    let both = [("x", "1"), ("y", "2")];
    assert!(import(&[request("a", &both), request("b", &both)], &mem).is_ok(), "each takes the one it declares");
    let typo = [("x", "1"), ("z", "2")];
    let errors = import(&[request("a", &typo), request("b", &typo)], &mem).err().expect("z is nobody's");
    assert!(errors.iter().any(|d| d.message.contains("none of the configurations declares")), "{errors:?}");
}
