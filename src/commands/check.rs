use crate::input::{self, InputError};
use std::path::PathBuf;
use std::process::ExitCode;

/// Validates each file; prints a summary line per valid file and every diagnostic of the others.
pub fn check(files: &[PathBuf]) -> Result<ExitCode, InputError> {
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
                    s.expectations.len()
                );
            }
            Err(e) => failures.push_str(&e.0),
        }
    }
    if failures.is_empty() { Ok(ExitCode::SUCCESS) } else { Err(InputError(failures)) }
}
