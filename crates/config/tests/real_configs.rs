//! `load_service_tags` on Microsoft's own data: one value of the ServiceTags_Public JSON from the
//! shared real configs (`formats/servicetag_AzureMachineLearning.EastUS.json`, T-1). Without the
//! real configs each test prints `skipped: ...` and passes; CI always has them (`.ci/run`).

use vnetsim_config::{Diagnostic, Loc, load_service_tags};
use vnetsim_model::{IpNet, ServiceTagTable};
use vnetsim_testkit::real_configs;

const FIXTURE: &str = "formats/servicetag_AzureMachineLearning.EastUS.json";

/// A whole service tag file around `values`.
fn tag_file(values: &[String]) -> String {
    format!("{{\n  \"changeNumber\": 7,\n  \"cloud\": \"Public\",\n  \"values\": [\n{}\n  ]\n}}\n", values.join(",\n"))
}

fn load(text: &str) -> ServiceTagTable {
    load_service_tags("tags.json", text).unwrap_or_else(|d| panic!("{}", Diagnostic::render_all(&d, text)))
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

#[test]
fn fixture_value_loads_with_its_ipv4_and_ipv6_prefixes() {
    if !real_configs::available() {
        return;
    }
    let table = load(&tag_file(&[real_configs::text(FIXTURE)]));
    assert_eq!(table.len(), 1);
    let aml = table.get("AzureMachineLearning.EastUS").expect("tag from the fixture");
    assert_eq!(aml.name, "AzureMachineLearning.EastUS");
    assert_eq!(aml.prefixes.len(), 20);
    assert!(aml.prefixes.contains(&net("20.42.0.240/28")));
    assert!(aml.prefixes.contains(&net("2603:1030:210:1::2c0/122")));
    assert_eq!(aml.prefixes.iter().filter(|p| matches!(p, IpNet::V6(_))).count(), 6);
    // Its parent `AzureMachineLearning` is not in the file, so it is a top-level tag here.
    assert_eq!((aml.region.as_deref(), aml.parent.as_deref()), (None, None));
}

#[test]
fn fixture_value_with_its_parent_is_regional() {
    if !real_configs::available() {
        return;
    }
    let child = real_configs::text(FIXTURE);
    let parent = child
        .replace("\"AzureMachineLearning.EastUS\"", "\"AzureMachineLearning\"")
        .replace("\"region\": \"eastus\"", "\"region\": \"\"");
    let table = load(&tag_file(&[parent, child]));
    let aml = table.get("AzureMachineLearning.EastUS").unwrap();
    assert_eq!(aml.region.as_deref(), Some("eastus"));
    assert_eq!(aml.parent.as_deref(), Some("AzureMachineLearning"));
    assert_eq!(table.get("AzureMachineLearning").unwrap().region, None);
    assert_eq!(table.route_rank("AzureMachineLearning.EastUS"), 1);
    assert_eq!(table.route_rank("AzureMachineLearning"), 2);
}

#[test]
fn the_bare_fixture_value_is_not_a_whole_file() {
    if !real_configs::available() {
        return;
    }
    let text = real_configs::text(FIXTURE);
    let diags = load_service_tags("tags.json", &text).expect_err("a bare value is not a file");
    assert!(
        text.starts_with('{')
            && diags
                .iter()
                .any(|d| d.message == "missing key `values` in service tag file" && d.loc == Loc { line: 1, column: 1 }),
        "{diags:?}"
    );
    assert!(diags.iter().any(|d| d.message == "unknown key `name` in service tag file"));
}
