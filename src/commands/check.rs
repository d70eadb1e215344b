use crate::input::{self, InputError};
use std::path::PathBuf;
use std::process::ExitCode;

/// Validates each file; prints a summary line per valid file and every diagnostic of the others.
/// With `--workspace-yaml` and no file, checks the workspace YAML on its own.
pub fn check(files: &[PathBuf]) -> Result<ExitCode, InputError> {
    if files.is_empty() {
        let Some(ws) = input::workspace_yaml() else {
            return Err(InputError("error: check needs scenario files, or --workspace-yaml FILE\n".into()));
        };
        let s = input::load_workspace_alone(ws)?;
        println!("{}: ok: workspace {} in {}", ws.file, ws.name, s.region);
        print_managed(&s);
        return Ok(ExitCode::SUCCESS);
    }
    let mut failures = String::new();
    for path in files {
        match input::read(path).and_then(|s| input::load(&s)) {
            Ok(s) => {
                let custom_rules: usize = s.nsgs.iter().map(|n| n.rules.iter().filter(|r| !r.is_default).count()).sum();
                let routes: usize = s.route_tables.iter().map(|t| t.routes.len()).sum();
                let services = s.services.iter().filter(|x| !x.builtin).count();
                let paas = if services + s.private_endpoints.len() + s.zones.len() + s.gateways.len() == 0 {
                    String::new()
                } else {
                    format!(
                        ", {services} services, {} private endpoints, {} private DNS zones, {} gateways",
                        s.private_endpoints.len(),
                        s.zones.len(),
                        s.gateways.len()
                    )
                };
                println!(
                    "{}: ok: {} VNets, {} subnets, {} peerings, {} endpoints ({} NICs), {} NSGs ({} rules), {} route tables ({} routes){paas}, {} expectations",
                    path.display(),
                    s.vnets.len(),
                    s.subnets.len(),
                    s.peerings.len(),
                    s.endpoints.len(),
                    s.nics.len(),
                    s.nsgs.len(),
                    custom_rules,
                    s.route_tables.len(),
                    routes,
                    s.expectations.len() + s.flow_expectations.len() + s.exfiltration_expectations.len()
                );
                for fw in &s.firewalls {
                    let rules: usize =
                        fw.policy.groups.iter().flat_map(|g| &g.collections).map(|c| c.rules.len()).sum();
                    println!(
                        "  firewall {}: policy {} ({} rule collection groups, {rules} rules), DNS proxy {}",
                        fw.name,
                        if fw.policy.name.is_empty() { "(none: deny all)" } else { &fw.policy.name },
                        fw.policy.groups.len(),
                        if fw.policy.dns_proxy { "on" } else { "off" }
                    );
                }
                print_managed(&s);
            }
            Err(e) => failures.push_str(&e.0),
        }
    }
    if failures.is_empty() { Ok(ExitCode::SUCCESS) } else { Err(InputError(failures)) }
}

/// The managed networks of a scenario: mode, objects, and every outbound rule, written or added
/// by Azure, with the ones that open nothing walkable flagged.
fn print_managed(s: &vnetsim_model::Scenario) {
    for m in &s.managed_networks {
        let firewall =
            m.firewall.map_or(String::new(), |f| format!(", managed firewall {}", s.firewalls[f.index()].name));
        println!(
            "  managed network of {} ({}): VNet {}{firewall}",
            s.service(m.workspace).name,
            m.mode.name(),
            s.vnet(m.vnet).name
        );
        for r in &m.rules {
            let origin = if r.required { "added by Azure" } else { "written" };
            let kind = match r.kind {
                vnetsim_model::OutboundRuleKind::PrivateEndpoint => "private_endpoint",
                vnetsim_model::OutboundRuleKind::ServiceTag => "service_tag",
                vnetsim_model::OutboundRuleKind::Fqdn => "fqdn",
            };
            let inert = r.inert.as_ref().map_or(String::new(), |why| format!(" -- opens nothing: {why}"));
            println!("    {kind} {} ({origin}): {}{inert}", r.name, r.target);
        }
    }
}
