//! Issue 20, bad input: broken ARM templates, parameter files and exports (expression syntax,
//! functions, parameters, variables, copy loops, references, cycles, nested deployments,
//! languageVersion 2.0, truncated or misshapen JSON, exports without ids or with ids that
//! contradict their type) each give one located error — file:line:col with the snippet, the
//! JSON path in the message — and exit code 2, never a panic.
//!
//! Each case is a folder under `tests/fixtures/arm-broken/` holding one mistake; the table says
//! where it is and what the message names. Adding a case is a folder and a row.

use vnetsim_testkit::cli::{broken, error_headers, vnetsim};

const ROOT: &str = "tests/fixtures/arm-broken";

/// (what `check` is given under [`ROOT`]: a template, a scenario importing one with its
/// parameters file, an export file or folder; where the error must be, `file:line:col` in that
/// folder; a part of its message).
const CASES: &[(&str, &str, &str)] = &[
    // Expression syntax, located at the character where the expression goes wrong.
    (
        "01-expr-unclosed-call/azuredeploy.json",
        "azuredeploy.json:12:52",
        "`resources[0].name`: bad expression: the expression ends inside the arguments of `concat`; a `)` is missing",
    ),
    ("02-expr-unclosed-string/azuredeploy.json", "azuredeploy.json:10:32", "bad expression: expected `,` or `)`"),
    (
        "03-expr-bare-word/azuredeploy.json",
        "azuredeploy.json:12:28",
        "bad expression: `vnetName` is not a function call; strings are quoted ('vnetName')",
    ),
    ("04-expr-trailing-text/azuredeploy.json", "azuredeploy.json:12:40", "unexpected `'` after the expression"),
    (
        "05-expr-empty/azuredeploy.json",
        "azuredeploy.json:13:50",
        "`resources[0].properties.addressSpace.addressPrefixes[0]`: bad expression: an empty expression",
    ),
    ("06-expr-missing-comma/azuredeploy.json", "azuredeploy.json:10:31", "in the arguments of `concat`, found `'`"),
    // Were not reported at all: ARM validates every expression, read or not.
    ("65-unused-variable-bad-syntax/azuredeploy.json", "azuredeploy.json:7:47", "`variables.unused`: bad expression"),
    ("66-false-condition-bad-syntax/azuredeploy.json", "azuredeploy.json:24:31", "`resources[1].name`: bad expression"),
    // Functions. The did-you-mean was in lower case (`tolower`).
    (
        "07-unknown-function/azuredeploy.json",
        "azuredeploy.json:12:17",
        "unknown function `toLowr`; did you mean `toLower`?",
    ),
    ("08-function-arity/azuredeploy.json", "azuredeploy.json:10:17", "`substring` takes 2 to 3 arguments, got 1"),
    (
        "09-function-argument-type/azuredeploy.json",
        "azuredeploy.json:10:17",
        "`toLower` expects a string as argument 1, got the number 42",
    ),
    (
        "10-int-of-text/azuredeploy.json",
        "azuredeploy.json:6:16",
        "`variables.count`: `int`: \"three\" is not an integer",
    ),
    (
        "11-cidrsubnet-too-many-bits/azuredeploy.json",
        "azuredeploy.json:15:68",
        "the new prefix length 40 must be between 16",
    ),
    ("12-cidrhost-out-of-range/azuredeploy.json", "azuredeploy.json:6:18", "`cidrHost`: 10.0.1.0/24 has 254 usable"),
    (
        "13-json-function-bad-text/azuredeploy.json",
        "azuredeploy.json:6:17",
        "`json`: \"{\\\"a\\\": \" is not valid JSON",
    ),
    ("14-division-by-zero/azuredeploy.json", "azuredeploy.json:10:40", "`div`: division by zero"),
    (
        "15-copyindex-outside-loop/azuredeploy.json",
        "azuredeploy.json:10:33",
        "`copyIndex()` is used outside a copy loop",
    ),
    // Parameters. A value of the wrong type or outside allowedValues was reported at the
    // template's declaration; it is where the parameters file writes it. A default of the wrong
    // type, and a declaration of no known type, were accepted silently.
    (
        "16-missing-required-parameter/azuredeploy.json",
        "azuredeploy.json:5:17",
        "`parameters.vnetName`: parameter `vnetName` is required: it has no default and no value is given",
    ),
    (
        "17-parameter-wrong-type/scenario.yaml",
        "azuredeploy.parameters.json:5:5",
        "`parameters.subnetCount.value`: the value given for parameter `subnetCount` is the string \"two\", not of its declared type `int`",
    ),
    (
        "18-parameter-not-allowed/scenario.yaml",
        "azuredeploy.parameters.json:5:5",
        "parameter `environment` is \"staging\", which is not among its allowedValues (\"dev\", \"prod\")",
    ),
    (
        "19-parameters-for-another-template/scenario.yaml",
        "other.parameters.json:5:5",
        "a value is given for parameter `storageAccountName`, which the template does not declare",
    ),
    (
        "20-parameters-file-without-parameters/scenario.yaml",
        "azuredeploy.parameters.json:1:1",
        "not a parameters file: no `parameters` object",
    ),
    (
        "21-parameters-file-entry-without-value/scenario.yaml",
        "azuredeploy.parameters.json:5:17",
        "`parameters.vnetName`: expected an object with `value`",
    ),
    // Was at line 6 (past the line break), with no snippet.
    (
        "22-parameters-file-truncated/scenario.yaml",
        "azuredeploy.parameters.json:5:28",
        "not valid JSON: a string is not closed before the end of its line",
    ),
    (
        "23-unknown-parameter/azuredeploy.json",
        "azuredeploy.json:12:17",
        "the template declares no parameter `vnetNmae`; did you mean `vnetName`?",
    ),
    (
        "24-default-value-cycle/azuredeploy.json",
        "azuredeploy.json:6:54",
        "a cycle among parameter defaults: parameters('vnetName') → parameters('hubName') → parameters('vnetName')",
    ),
    (
        "25-default-value-wrong-type/azuredeploy.json",
        "azuredeploy.json:5:53",
        "`parameters.subnetCount.defaultValue`: the default value of parameter `subnetCount` is the string \"two\"",
    ),
    ("64-parameter-unknown-type/azuredeploy.json", "azuredeploy.json:5:30", "\"integer\" is not a parameter type"),
    (
        "62-template-wrong-section-type/azuredeploy.json",
        "azuredeploy.json:4:17",
        "`parameters` is an array, not an object",
    ),
    // Variables. A cycle named only its first variable; a loop without `input` in a variable
    // nothing read passed.
    (
        "26-variable-cycle/azuredeploy.json",
        "azuredeploy.json:7:25",
        "`variables.prefix`: a cycle among variables: variables('vnetName') → variables('prefix') → variables('vnetName')",
    ),
    (
        "27-unknown-variable/azuredeploy.json",
        "azuredeploy.json:12:17",
        "the template declares no variable `vnetNam`; did you mean `vnetName`?",
    ),
    (
        "28-missing-property/azuredeploy.json",
        "azuredeploy.json:15:66",
        "no property `addressPrefix` (it has name, prefix)",
    ),
    ("29-index-out-of-range/azuredeploy.json", "azuredeploy.json:17:89", "index 2 is outside the array of 2 items"),
    (
        "30-variable-copy-without-input/azuredeploy.json",
        "azuredeploy.json:7:7",
        "`variables.copy[0]`: the `copy` of `subnetPrefixes` needs `input`",
    ),
    // Copy loops.
    (
        "31-copy-count-negative/azuredeploy.json",
        "azuredeploy.json:14:44",
        "`resources[0].copy.count`: the copy count is -2",
    ),
    ("32-copy-count-over-800/azuredeploy.json", "azuredeploy.json:12:42", "the copy count is 801; ARM allows 0 to 800"),
    (
        "33-copy-count-not-integer/azuredeploy.json",
        "azuredeploy.json:12:42",
        "the copy count must be an integer, got the string \"three\"",
    ),
    (
        "34-property-copy-negative/azuredeploy.json",
        "azuredeploy.json:17:22",
        "`resources[0].properties.copy[0].count`: the copy count is -2",
    ),
    // Resources and references.
    (
        "35-reference-missing-resource/azuredeploy.json",
        "azuredeploy.json:30:35",
        "/virtualNetworks/vnet-spoke`, which this deployment does not deploy",
    ),
    (
        "36-reference-cycle/azuredeploy.json",
        "azuredeploy.json:22:50",
        "a cycle through `reference`: reference('vnet-a') → reference('vnet-b') → reference('vnet-a')",
    ),
    (
        "37-condition-not-boolean/azuredeploy.json",
        "azuredeploy.json:10:20",
        "`resources[0].condition`: a condition must be a boolean, got the string \"yes\"",
    ),
    (
        "38-resource-name-not-string/azuredeploy.json",
        "azuredeploy.json:10:15",
        "`name` must be a string, got the number 8",
    ),
    ("39-resource-without-type/azuredeploy.json", "azuredeploy.json:7:5", "`resources[0]`: a resource without `type`"),
    ("40-resources-not-array/azuredeploy.json", "azuredeploy.json:4:16", "`resources` is a string, not an array"),
    ("41-resource-not-object/azuredeploy.json", "azuredeploy.json:20:5", "`resources[1]`: a resource is a string"),
    (
        "42-name-does-not-fit-type/azuredeploy.json",
        "azuredeploy.json:10:15",
        "the type \"Microsoft.Network/virtualNetworks/subnets\" needs 2 names but 1 is given",
    ),
    (
        "63-property-name-not-string/azuredeploy.json",
        "azuredeploy.json:12:17",
        "a property name must be a string, the expression gives the number 5",
    ),
    // Documents. An unclosed comment was reported as the end of the file, at the character
    // before it.
    (
        "43-truncated-template/azuredeploy.json",
        "azuredeploy.json:15:73",
        "the file ends inside the document (cut short?)",
    ),
    (
        "44-template-not-object/azuredeploy.json",
        "azuredeploy.json:1:1",
        "not an ARM template: the document is an array",
    ),
    ("45-unclosed-comment/azuredeploy.json", "azuredeploy.json:10:26", "a `/*` comment is never closed"),
    // Nested deployments (Bicep modules) and languageVersion 2.0. A missing output of a nested
    // deployment was taken for a value Azure fills in, then refused as a resource name.
    (
        "46-nested-inner-unknown-function/azuredeploy.json",
        "azuredeploy.json:23:25",
        "`resources[0].properties.template.resources[0].name`: unknown function `toUpperCase`",
    ),
    (
        "47-nested-missing-parameter/azuredeploy.json",
        "azuredeploy.json:18:39",
        "`resources[0].properties.template.parameters.vnetName`: parameter `vnetName` is required",
    ),
    (
        "48-nested-undeclared-parameter/azuredeploy.json",
        "azuredeploy.json:14:62",
        "`resources[0].properties.parameters.vnetNmae.value`: a value is given for parameter `vnetNmae`",
    ),
    (
        "49-nested-inner-reads-outer-variable/azuredeploy.json",
        "azuredeploy.json:25:25",
        "the template declares no variable `hubName`",
    ),
    (
        "50-linked-template/azuredeploy.json",
        "azuredeploy.json:11:21",
        "a deployment of a linked template (`templateLink`)",
    ),
    (
        "51-symbolic-reference-to-nothing/azuredeploy.json",
        "azuredeploy.json:17:53",
        "`resources.workload.properties.addressPrefix`: `reference` names `hubb`, which this deployment does not deploy",
    ),
    (
        "68-nested-output-missing/azuredeploy.json",
        "azuredeploy.json:36:71",
        "the object has no property `vnetName` (it has vnetId)",
    ),
    // Exports: a single file is read as an export by a scenario's `import:` (a broken file
    // is not recognised by its content on the command line); a folder by its good files.
    ("52-export-missing-id/scenario.yaml", "vnet.json:1:1", "an exported resource without `id`"),
    (
        "53-export-type-contradicts-id/vnet.json",
        "vnet.json:4:11",
        "`type`: the type \"Microsoft.Network/networkSecurityGroups\" does not match the id, which names a Microsoft.Network/virtualNetworks",
    ),
    ("54-export-id-not-a-resource/scenario.yaml", "vnet.json:3:9", "is not the id of a resource in a resource group"),
    ("67-export-id-without-name/scenario.yaml", "vnet.json:3:9", "is not the id of a resource in a resource group"),
    ("55-export-folder-one-broken-file/exports", "exports/nsg.json:11:59", "the file ends inside the document"),
    ("56-export-truncated/scenario.yaml", "vnet.json:14:51", "EOF while parsing a string"),
    (
        "57-export-not-a-resource-list/scenario.yaml",
        "vnet.json:3:5",
        "`value[0]`: a resource is a string, not an object",
    ),
    (
        "58-export-rest-example-without-body/scenario.yaml",
        "vnet.json:3:16",
        "`responses`: a REST example without a `200` response `body`",
    ),
    // What the mapping and the scenario loader report, moved back to the resource.
    ("59-subnet-bad-prefix/azuredeploy.json", "azuredeploy.json:7:5", "invalid prefix `10.0.300.0/24`"),
    ("60-nsg-rule-bad-priority/azuredeploy.json", "azuredeploy.json:7:5", "priority 5000 is out of range"),
    ("61-route-bad-next-hop-type/azuredeploy.json", "azuredeploy.json:7:5", "\"Firewall\""),
];

/// Every case, all run before failing, so one run lists every case that regressed.
#[test]
fn each_broken_template_or_export_gives_one_located_error_and_exit_code_2() {
    assert!(CASES.len() >= 40, "issue 20 asks for at least 40 broken templates and exports");
    broken::assert_all(ROOT, CASES);
}

/// Every fixture folder has a row, so a case cannot be added and silently left unchecked.
#[test]
fn every_fixture_folder_is_in_the_table() {
    let unlisted = broken::unlisted_folders(ROOT, CASES, &[]);
    assert!(unlisted.is_empty(), "fixture folders without a row: {unlisted:?}");
}

/// The command line's `--parameters FILE` and `--param NAME=VALUE` are checked as a scenario's
/// `parameters:` are: a file's wrong value where the file writes it, a `--param` of the wrong
/// type (which has no line) at the template's declaration.
#[test]
fn command_line_parameters_of_the_wrong_type_are_located_errors() {
    let folder = format!("{ROOT}/17-parameter-wrong-type");
    let template = format!("{folder}/azuredeploy.json");
    let file = format!("{folder}/azuredeploy.parameters.json");
    let (code, stdout, stderr) = vnetsim(&["check", &template, "--parameters", &file]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("azuredeploy.parameters.json:5:5: error: `parameters.subnetCount.value`"), "{stderr}");
    let (code, _, stderr) = vnetsim(&["check", &template, "--param", "subnetCount=two"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{template}:5:20: error: `parameters.subnetCount`: the value given for parameter `subnetCount` is the string \"two\""
        )),
        "{stderr}"
    );
    // The same template with a good value checks.
    let (code, _, stderr) = vnetsim(&["check", &template, "--param", "subnetCount=2"]);
    assert_eq!(code, 0, "{stderr}");
}

/// `vnetsim import` fails the same way `check` does: exit code 2, nothing on standard output.
#[test]
fn import_exits_2_on_a_broken_template_or_export() {
    for (target, at) in [
        ("26-variable-cycle/azuredeploy.json", "azuredeploy.json:7:25"),
        ("53-export-type-contradicts-id/vnet.json", "vnet.json:4:11"),
    ] {
        let path = format!("{ROOT}/{target}");
        let (code, stdout, stderr) = vnetsim(&["import", &path]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stdout, "", "import printed a scenario for a broken input");
        let folder = target.split('/').next().unwrap_or(target);
        assert!(stderr.contains(&format!("{ROOT}/{folder}/{at}: error: ")), "{stderr}");
    }
}

/// All problems at once: a template with mistakes in three places reports all three, in file
/// order, with the count.
#[test]
fn every_problem_of_a_template_is_reported_together() {
    let path = "tests/fixtures/arm-broken-multi/azuredeploy.json";
    let (code, stdout, stderr) = vnetsim(&["check", path]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    let headers = error_headers(&stderr);
    assert_eq!(headers.len(), 3, "{stderr}");
    assert!(headers[0].contains("azuredeploy.json:6:28: error: `variables.unused`: bad expression"), "{stderr}");
    assert!(headers[1].contains("azuredeploy.json:11:17: error: `resources[0].name`: unknown function"), "{stderr}");
    assert!(
        headers[2].contains("azuredeploy.json:18:42: error: `resources[1].copy.count`: the copy count is -1"),
        "{stderr}"
    );
    assert!(stderr.ends_with(": 3 errors\n"), "{stderr}");
}
