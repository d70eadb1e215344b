//! `vnetsim routes`: a subnet's effective routes, active and invalid, in the columns Azure's
//! "effective routes" view uses.

use crate::output::Report;
use serde::Serialize;
use std::fmt::Write;
use vnetsim_engine::Fabric;
use vnetsim_engine::fabric::routes::{RouteOrigin, RouteState};
use vnetsim_model::SubnetId;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RoutesReport {
    pub subnet: String,
    pub routes: Vec<RouteRow>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RouteRow {
    /// `Default`, `User`, `VirtualNetworkGateway`, … as Azure names route sources.
    pub source: &'static str,
    /// `Active`, or `Invalid` for a route a better one of the same prefix overrides.
    pub state: &'static str,
    pub prefix: String,
    pub next_hop: String,
    /// Where the route comes from: `table/route`, `peering NAME`, `address space`, …
    pub origin: String,
}

impl RoutesReport {
    pub fn new(fabric: &Fabric, subnet: SubnetId) -> RoutesReport {
        let s = &fabric.scenario;
        let mut routes: Vec<_> = fabric.subnets[subnet.index()].routes.routes.iter().collect();
        routes.sort_by_key(|r| (r.prefix, r.state != RouteState::Active));
        let routes = routes
            .into_iter()
            .map(|r| RouteRow {
                source: r.source.name(),
                state: if r.state == RouteState::Active { "Active" } else { "Invalid" },
                prefix: r.prefix.to_string(),
                next_hop: r.next_hop.to_string(),
                origin: match r.origin {
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
                        format!("service endpoint {}", s.subnet(subnet).service_endpoints[k as usize])
                    }
                },
            })
            .collect();
        RoutesReport { subnet: s.subnet_path(subnet), routes }
    }
}

impl Report for RoutesReport {
    const SCHEMA: &'static str = "vnetsim-routes/1";

    fn human(&self) -> String {
        let mut out = format!("{:<22} {:<8} {:<20} {:<32} origin\n", "source", "state", "prefix", "next hop");
        for r in &self.routes {
            let _ = writeln!(out, "{:<22} {:<8} {:<20} {:<32} {}", r.source, r.state, r.prefix, r.next_hop, r.origin);
        }
        out
    }
}
