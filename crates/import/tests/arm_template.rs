//! ARM templates evaluated as Azure Resource Manager deploys them.

use vnetsim_import::arm::ArmResource;
use vnetsim_import::arm::template::{ParameterSource, evaluate};
use vnetsim_testkit::real_configs;

fn real(dir: &str, params: Option<&str>) -> Vec<ArmResource> {
    let text = real_configs::text(&format!("arm/{dir}/azuredeploy.json"));
    let sources: Vec<ParameterSource> = params
        .map(|p| ParameterSource::File { name: p.into(), text: real_configs::text(&format!("arm/{dir}/{p}")) })
        .into_iter()
        .collect();
    match evaluate("azuredeploy.json", &text, &sources) {
        Ok(r) => r,
        Err(errors) => panic!("{dir}: {}", errors.iter().map(|e| e.render(&text)).collect::<Vec<_>>().join("\n")),
    }
}

#[test]
fn dump() {
    if !real_configs::available() {
        return;
    }
    for (dir, p) in [
        ("azurefirewall-create-with-firewallpolicy-apprule-netrule-ipgroups", Some("azuredeploy.parameters.json")),
        ("azurefirewall-sandbox-linux", Some("azuredeploy.parameters.json")),
        ("machine-learning-workspace-vnet", Some("azuredeploy.parameters.us.json")),
        ("mspnp-samples_azure-hub-spoke", None),
        ("nat-gateway-1-vm", Some("azuredeploy.parameters.json")),
        ("private-endpoint-sql", Some("azuredeploy.parameters.json")),
    ] {
        let r = real(dir, p);
        let mut s = String::new();
        for x in &r {
            s.push_str(&format!("{} {} {} {:?}\n  {}\n", x.rtype, x.name, x.id, x.origin.loc, x.properties));
        }
        std::fs::write(format!("/tmp/armdump/{dir}.txt"), s).unwrap();
    }
}
