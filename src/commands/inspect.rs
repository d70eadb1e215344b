use crate::input::{self, InputError};
use std::path::Path;
use std::process::ExitCode;
use vnetsim_engine::fabric::graph::{GraphOptions, RoutingGraph};
use vnetsim_engine::fabric::routes::{RouteOrigin, RouteState};

pub fn graph(file: &Path, with_drop_routes: bool) -> Result<ExitCode, InputError> {
    let fabric = input::load_fabric(file)?;
    let options = GraphOptions { drop_routes: with_drop_routes };
    print!("{}", RoutingGraph::build(&fabric, options).to_dot(&fabric.scenario));
    Ok(ExitCode::SUCCESS)
}

/// A subnet's effective routes in Azure's column order: source, state, prefix, next hop.
pub fn routes(file: &Path, subnet: &str) -> Result<ExitCode, InputError> {
    let fabric = input::load_fabric(file)?;
    let s = &fabric.scenario;
    let Some(id) = (0..s.subnets.len()).map(vnetsim_model::SubnetId::from_index).find(|i| s.subnet_path(*i) == subnet)
    else {
        let known: Vec<String> =
            (0..s.subnets.len()).map(|i| s.subnet_path(vnetsim_model::SubnetId::from_index(i))).collect();
        return Err(InputError(format!("error: unknown subnet `{subnet}`; subnets: {}\n", known.join(", "))));
    };
    println!("{:<22} {:<8} {:<20} {:<32} origin", "source", "state", "prefix", "next hop");
    let mut routes: Vec<_> = fabric.subnets[id.index()].routes.routes.iter().collect();
    routes.sort_by_key(|r| (r.prefix, r.state != RouteState::Active));
    for r in routes {
        let source = r.source.name();
        let state = if r.state == RouteState::Active { "Active" } else { "Invalid" };
        let origin = match r.origin {
            RouteOrigin::User { table, route } => {
                let t = &s.route_tables[table.index()];
                format!("{}/{}", t.name, t.routes[route as usize].name)
            }
            RouteOrigin::Peering(p) => format!("peering {}", s.peerings[p.index()].name),
            RouteOrigin::AddressSpace => "address space".into(),
            RouteOrigin::DefaultInternet => "default".into(),
            RouteOrigin::ReservedRange => "reserved range".into(),
            RouteOrigin::Gateway(g) => format!("gateway {}", s.gateways[g.index()].name),
            RouteOrigin::PrivateEndpoint(pe) => format!("private endpoint {}", s.private_endpoint(pe).name),
            RouteOrigin::ServiceEndpoint(k) => {
                format!("service endpoint {}", s.subnet(id).service_endpoints[k as usize])
            }
        };
        println!("{source:<22} {state:<8} {:<20} {:<32} {origin}", r.prefix.to_string(), r.next_hop.to_string());
    }
    Ok(ExitCode::SUCCESS)
}
