//! Issue 19, bad input: broken Terraform inputs (HCL syntax, references, cycles, CIDR
//! functions, types, modules, sizes, unknown values, mapping and scenario problems, plan JSON,
//! variable files) each give one located error and exit code 2, never a panic.
//!
//! Each case is a folder under `tests/fixtures/terraform-broken/` holding one mistake; the table
//! says where it is and what the message names. Adding a case is a folder and a row.

use vnetsim_testkit::cli::{broken, error_headers, vnetsim};

const ROOT: &str = "tests/fixtures/terraform-broken";

/// (what `check` is given under [`ROOT`]: a folder, or a file in one; where the error must be,
/// `file:line:col` in that folder; a part of its message).
const CASES: &[(&str, &str, &str)] = &[
    // HCL syntax. The first two were reported where the parser gave up (the next line's quote,
    // the end of the file); the error is where the string or block opens.
    ("01-unclosed-string", "main.tf:2:14", "unclosed string"),
    ("02-unclosed-brace", "main.tf:1:40", "unclosed `{`"),
    ("03-bad-attribute", "main.tf:3:14", "HCL syntax: invalid expression"),
    ("04-stray-top-level-attribute", "main.tf:1:1", "unexpected argument `location` at the top level"),
    ("05-unknown-block-type", "main.tf:6:1", "unknown block type `resources`"),
    ("06-wrong-label-count", "main.tf:1:1", "a `resource` block takes 2 labels, found 1"),
    ("07-duplicate-resource", "main.tf:6:1", "duplicate resource block `azurerm_resource_group.rg`"),
    ("51-duplicate-variable", "main.tf:5:1", "duplicate variable `location`"),
    ("58-list-closed-by-brace", "main.tf:5:25", "unclosed `[`: it has no matching `]`"),
    // References, with a did-you-mean where a declared name is close (locals, data sources and
    // module outputs had none).
    (
        "08-unknown-variable",
        "main.tf:7:20",
        "no variable `prefx` is declared in this module; did you mean `var.prefix`?",
    ),
    (
        "09-unknown-local",
        "main.tf:7:14",
        "no local value `locaton` is declared in this module; did you mean `local.location`?",
    ),
    (
        "10-unknown-resource",
        "main.tf:8:25",
        "no resource `azurerm_resource_group.hub` is declared in this module; did you mean `azurerm_resource_group.rg`?",
    ),
    ("11-unknown-data-source", "main.tf:7:25", "did you mean `data.azurerm_resource_group.shared`?"),
    ("12-unknown-module-output", "main.tf:6:14", "module `net` has no output `vnet_id` (it has vnet_name)"),
    ("23-object-missing-attribute", "main.tf:10:23", "this object has no attribute `region` (it has location, name)"),
    ("52-each-without-for-each", "main.tf:2:14", "`each` is only available in a block with `for_each`"),
    ("53-count-index-without-count", "main.tf:2:20", "`count.index` is only available in a block with `count`"),
    ("61-index-out-of-range", "main.tf:9:39", "index 2 is out of range: the list has 2 elements"),
    // Cycles, reported at the reference that closes them (resources were at the first block).
    ("13-local-cycle", "main.tf:3:10", "reference cycle: local.a → local.b → local.a"),
    (
        "14-resource-cycle",
        "main.tf:7:14",
        "reference cycle: azurerm_resource_group.a → azurerm_resource_group.b → azurerm_resource_group.a",
    ),
    ("62-module-cycle", "main.tf:3:12", "reference cycle: module.b → module.a → module.b"),
    // CIDR functions.
    ("15-cidrsubnet-too-many-bits", "main.tf:17:27", "cidrsubnet: prefix 10.0.0.0/16 has no room for 20 more bits"),
    (
        "16-cidrhost-out-of-range",
        "main.tf:17:27",
        "cidrhost: prefix 10.0.0.0/24 has 8 host bits, too few for host number 300",
    ),
    ("17-cidrsubnet-not-a-prefix", "main.tf:17:27", "cidrsubnet: invalid CIDR address \"10.0.0.0\""),
    // Types.
    ("18-string-plus-number", "main.tf:17:27", "`+` needs two numbers, found string"),
    ("19-for-each-over-list", "main.tf:6:14", "`for_each` must be a map or a set of strings, found list"),
    ("20-count-as-string", "main.tf:2:14", "`count` must be a whole number ≥ 0, found string \"x\""),
    ("21-index-a-string", "main.tf:6:25", "cannot index string \"rg-hub\""),
    ("22-condition-not-bool", "main.tf:6:14", "a condition must be a bool, found string \"prod\""),
    // Was silently kept: a default of the wrong type.
    (
        "50-variable-default-wrong-type",
        "main.tf:3:13",
        "the default of variable `subnet_count` is wrong: a number is required",
    ),
    ("60-tonumber-not-a-number", "main.tf:2:14", "tonumber: the argument must be a number"),
    // Functions.
    ("24-unknown-function", "main.tf:2:14", "unknown function `uppercase`"),
    ("25-function-arity", "main.tf:2:14", "upper: takes 1 argument, got 2"),
    ("57-lookup-missing-key", "main.tf:12:26", "lookup: the key \"edge\" does not exist in the map"),
    // Modules. A missing folder was reported at the folder itself, line 1, with no snippet.
    ("26-missing-module-folder", "main.tf:2:12", "no module folder"),
    ("27-module-undeclared-variable", "main.tf:4:3", "module `rg` (./modules/rg) declares no variable `locaton`"),
    ("28-module-missing-required-variable", "main.tf:1:1", "the module call lacks the required variable `name`"),
    ("29-self-recursive-module", "main.tf:6:1", "modules nested more than 16 deep"),
    ("54-module-without-source", "main.tf:1:1", "module `network` needs a string `source`"),
    ("55-dynamic-without-content", "main.tf:6:3", "dynamic \"security_rule\" needs a `content` block"),
    // Sizes and values known only after apply.
    ("30-huge-count", "main.tf:2:14", "`count` of azurerm_resource_group.rg is 1000000: more than the 100000"),
    ("31-huge-range", "main.tf:2:13", "range: more than 1024 values"),
    ("32-count-apply-time", "main.tf:24:25", "depends on azurerm_virtual_network.hub.guid, known only after apply"),
    ("33-count-variable-without-value", "main.tf:6:14", "depends on variable `subnet_count`, which has no value"),
    ("34-for-each-unknown", "main.tf:14:25", "the `for_each` of azurerm_network_security_group.per_vnet depends on"),
    ("35-unresolved-data-subnet", "main.tf:1:1", "data.azurerm_subnet.shared: no azurerm_subnet with id"),
    // What the azurerm mapping reports, at the argument.
    ("39-route-bad-next-hop-type", "main.tf:18:3", "unknown `route.next_hop_type` \"Firewall\""),
    ("40-association-unknown-subnet", "main.tf:27:3", "`subnet_id` names a subnet this configuration does not create"),
    // What the scenario loader reports in the generated scenario, moved back to the resource
    // that made the object.
    ("36-subnet-bad-cidr", "main.tf:13:1", "invalid prefix `10.0.300.0/24`"),
    ("37-nsg-rule-bad-priority", "main.tf:13:1", "priority 5000 is out of range"),
    ("38-nsg-rule-bad-protocol", "main.tf:13:1", "invalid protocol `tpc`"),
    ("41-nic-undeclared-subnet", "main.tf:32:1", "unknown subnet `vnet-hub/b`"),
    ("42-overlapping-subnets", "main.tf:20:1", "subnet `vnet-hub/b` (10.0.1.128/25) overlaps subnet `vnet-hub/a`"),
    ("43-subnet-outside-vnet", "main.tf:13:1", "is outside the address space of VNet `vnet-hub`"),
    ("59-peering-to-unknown-vnet", "main.tf:13:1", "unknown VNet `vnet-spoke`"),
    // Plan and state JSON. A truncated file was located past its end, with no snippet. An array
    // is not taken for a plan on the command line, so it is imported by a scenario.
    ("44-plan-truncated/plan.json", "plan.json:14:31", "not valid JSON: EOF while parsing a value"),
    ("45-plan-not-object/scenario.yaml", "plan.json:1:1", "the document is an array, not an object"),
    ("46-plan-missing-planned-values/plan.json", "plan.json:1:1", "neither `planned_values` (a plan) nor `values`"),
    // Variable files: the syntax error was at 1:1, a value of the wrong type at the variable's
    // block in main.tf; both are where the value is written.
    ("47-tfvars-syntax", "terraform.tfvars:1:12", "unclosed string"),
    ("48-tfvars-wrong-type", "terraform.tfvars:1:17", "variable `address_space`: a list is required, found object"),
    ("56-tfvars-undeclared-variable", "terraform.tfvars:2:13", "a value is given for `locaiton2`"),
];

/// Every case, all run before failing, so one run lists every case that regressed.
#[test]
fn each_broken_input_gives_one_located_error_and_exit_code_2() {
    assert!(CASES.len() >= 40, "issue 19 asks for at least 40 broken inputs");
    broken::assert_all(ROOT, CASES);
}

/// Every fixture folder has a row, so a case cannot be added and silently left unchecked.
#[test]
fn every_fixture_folder_is_in_the_table() {
    let unlisted = broken::unlisted_folders(ROOT, CASES, &[MULTI]);
    assert!(unlisted.is_empty(), "fixture folders without a row: {unlisted:?}");
}

const MULTI: &str = "49-two-files-two-errors";

/// All errors at once: a mistake in each of two `.tf` files of one folder are both reported,
/// in file order, with the count.
#[test]
fn errors_in_two_files_are_reported_together() {
    let path = format!("{ROOT}/{MULTI}");
    let (code, stdout, stderr) = vnetsim(&["check", &path]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    let headers = error_headers(&stderr);
    assert_eq!(headers.len(), 2, "{stderr}");
    assert!(headers[0].starts_with(&format!("{path}/main.tf:2:20: error: no variable `prefix`")), "{stderr}");
    assert!(headers[1].starts_with(&format!("{path}/network.tf:5:26: error: cidrsubnet:")), "{stderr}");
    assert!(stderr.ends_with(": 2 errors\n"), "{stderr}");
}

/// `vnetsim import` fails the same way `check` does: exit code 2, nothing on standard output.
#[test]
fn import_exits_2_on_a_broken_configuration() {
    let path = format!("{ROOT}/13-local-cycle");
    let (code, stdout, stderr) = vnetsim(&["import", &path]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "", "import printed a scenario for a broken configuration");
    assert!(stderr.contains(&format!("{path}/main.tf:3:10: error: reference cycle")), "{stderr}");
}

/// A `--var` of the wrong type for a typed variable, and one for no declared variable (with
/// a did-you-mean): the command line has no line, so the first is at the variable's block and
/// the second at the folder.
#[test]
fn command_line_variables_of_the_wrong_type_or_name_are_errors() {
    let path = format!("{ROOT}/48-tfvars-wrong-type");
    let (code, _, stderr) = vnetsim(&["import", &path, "--var", "address_space=5"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{path}/main.tf:1:1: error: the value given for variable `address_space` (`--var` or the import's `vars:`) is wrong: a list is required, found number"
        )),
        "{stderr}"
    );
    let (code, _, stderr) = vnetsim(&["import", &path, "--var", "address_spac=[]"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("a value is given for `address_spac`, but the configuration declares no such variable"));
    assert!(stderr.contains("did you mean `address_space`?"), "{stderr}");
}
