//! T-1 on Microsoft's own data: an NSG rule written with the `AzureMachineLearning.EastUS` tag
//! covers exactly the prefixes of the real ServiceTags_Public value in the shared real configs
//! (`formats/servicetag_AzureMachineLearning.EastUS.json`), not the synthetic table's. Without
//! the real configs the test prints `skipped: ...` and passes; CI always has them (`.ci/run`).

use vnetsim_config::load_service_tags;
use vnetsim_engine::Fabric;
use vnetsim_testkit::{compile, connect, load, load_with, outcome, real_configs};

const SCENARIO: &str = r#"
name: real-tags
region: eastus
vnets:
  - name: ml
    address_space: [10.0.0.0/16]
    subnets:
      - {name: training, prefix: 10.0.1.0/24, nsg: out}
nsgs:
  - name: out
    rules:
      - {name: allow-aml, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: AzureMachineLearning.EastUS, destination_ports: 443}
      - {name: deny-internet, priority: 200, direction: outbound, access: deny, protocol: '*', destination: Internet}
endpoints:
  - {name: vm, kind: vm, subnet: ml/training}
"#;

/// The scenario with the real value as the whole tag table (one tag, as `--service-tags` would
/// load a file holding only it).
fn with_real_tags() -> Fabric {
    let value = real_configs::text("formats/servicetag_AzureMachineLearning.EastUS.json");
    let file = format!("{{\"changeNumber\": 1, \"cloud\": \"Public\", \"values\": [{value}]}}");
    let tags = load_service_tags("ServiceTags_Public.json", &file).unwrap_or_else(|d| panic!("{d:?}"));
    compile(load_with(SCENARIO, &tags))
}

#[test]
fn t1_an_nsg_tag_rule_covers_the_real_prefixes_of_the_tag() {
    if !real_configs::available() {
        return;
    }
    let real = with_real_tags();
    let synthetic = compile(load(SCENARIO));
    // First and last addresses of two of the file's IPv4 prefixes, and one just outside.
    for to in ["20.42.0.240", "20.42.0.255", "48.206.204.160", "48.206.204.191"] {
        assert_eq!(outcome(&real, &connect(&real, "vm", to)), "allowed", "{to}");
        // The synthetic table invents its prefixes inside 40.64.0.0/10: these are not in it.
        assert_eq!(outcome(&synthetic, &connect(&synthetic, "vm", to)), "denied_by_nsg by out/deny-internet", "{to}");
    }
    assert_eq!(outcome(&real, &connect(&real, "vm", "20.42.1.0")), "denied_by_nsg by out/deny-internet");
}
