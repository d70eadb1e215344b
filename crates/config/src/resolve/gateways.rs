//! Virtual network gateways: a NIC in the VNet's `GatewaySubnet` that connects on-premises
//! networks (H-1..H-3, R-10, R-16).

use super::Resolver;
use crate::raw::{GatewayKind, NextHopType, RawGateway};
use std::collections::HashSet;
use vnetsim_model::*;

/// The subnet Azure requires for gateways.
pub const GATEWAY_SUBNET: &str = "GatewaySubnet";

impl Resolver<'_> {
    pub(super) fn gateways(&mut self, raw: &[RawGateway]) {
        for g in raw {
            // Left out unless defined below: `from`/`to`/`by:` naming it are not reported again.
            self.endpoints.leave_out(&g.name.value, self.d);
            let Some(vnet) = self.vnets.resolve(&g.vnet, self.d) else { continue };
            let connections: Vec<OnPremId> =
                g.connections.iter().filter_map(|c| self.on_prem.resolve(c, self.d)).collect();
            let subnet = self.s.vnet(vnet).subnets.iter().copied().find(|s| self.s.subnet(*s).name == GATEWAY_SUBNET);
            let Some(subnet) = subnet else {
                // A subnet left out after an error of its own was reported there.
                if self.d.is_left_out("subnet", &format!("{}/{GATEWAY_SUBNET}", g.vnet.value)) {
                    continue;
                }
                self.d.error_with_help(
                    g.vnet.loc,
                    format!("VNet `{}` has no subnet named {GATEWAY_SUBNET}", g.vnet.value),
                    "a virtual network gateway lives in the VNet's `GatewaySubnet`",
                );
                continue;
            };
            if let Some(t) = self.s.subnet(subnet).route_table {
                let table = &self.s.route_tables[t.index()];
                if table.disable_bgp_route_propagation {
                    self.d.error(g.loc, format!("route table `{}` on {GATEWAY_SUBNET} disables gateway route propagation, which Azure does not allow there (R-10)", table.name));
                }
                let default_udr = table
                    .routes
                    .iter()
                    .any(|r| matches!(r.destination, RouteDestination::Prefix(IpNet::V4(p)) if p.prefix_len() == 0));
                if default_udr && g.kind.value == GatewayKind::Vpn {
                    self.d.error(g.loc, format!("route table `{}` puts a 0.0.0.0/0 route on the {GATEWAY_SUBNET} of a VPN gateway, which breaks it (R-10)", table.name));
                }
            }
            if self.s.gateways.iter().any(|x| x.vnet == vnet) {
                self.d.error(g.name.loc, format!("VNet `{}` already has a gateway", g.vnet.value));
                continue;
            }
            let Some((endpoint, nic)) =
                self.attach_nic_endpoint(&g.name, EndpointKind::Gateway, subnet, g.ip.as_ref(), g.loc)
            else {
                continue;
            };
            self.s.gateways.push(Gateway {
                name: g.name.value.clone(),
                kind: g.kind.value.name(),
                vnet,
                endpoint,
                nic,
                connections,
            });
        }
    }

    /// `use_remote_gateways` needs a gateway in the remote VNet, none in the local one, and
    /// `allow_gateway_transit` on the remote side.
    pub(super) fn check_gateway_transit(&mut self, raw: &[crate::raw::RawVnet]) {
        let transit: HashSet<(VnetId, VnetId)> =
            self.s.peerings.iter().filter(|x| x.allow_gateway_transit).map(|x| (x.local, x.remote)).collect();
        for v in raw {
            let Some(local) = self.vnets.get(&v.name.value) else { continue };
            for p in v.peerings.iter().filter(|p| p.use_remote_gateways) {
                let Some(remote) = self.vnets.get(&p.remote_vnet.value) else { continue };
                let has_gateway = |vnet: VnetId| self.s.gateways.iter().any(|g| g.vnet == vnet);
                let transit = transit.contains(&(remote, local));
                let problem = if !has_gateway(remote) {
                    Some(format!("VNet `{}` has no gateway to use", p.remote_vnet.value))
                } else if has_gateway(local) {
                    Some(format!("VNet `{}` has a gateway of its own", v.name.value))
                } else if !transit {
                    Some(format!(
                        "no peering from `{}` back to `{}` sets allow_gateway_transit",
                        p.remote_vnet.value, v.name.value
                    ))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    self.d.error_with_help(p.loc, format!("use_remote_gateways: {problem}"), "R-16: gateway transit needs a gateway on the remote side and allow_gateway_transit on its peering");
                }
            }
        }
    }

    /// H-3: a UDR cannot name an ExpressRoute gateway as its next hop; ExpressRoute routes come
    /// from BGP.
    pub(super) fn check_expressroute_udrs(&mut self, raw: &[crate::raw::RawRouteTable]) {
        // VNets an ExpressRoute gateway serves, its own or a peer's by transit; then the route
        // tables of their subnets.
        let gateways: HashSet<VnetId> =
            self.s.gateways.iter().filter(|g| g.kind == "expressroute").map(|g| g.vnet).collect();
        let transit = self.s.peerings.iter().filter(|p| p.use_remote_gateways && gateways.contains(&p.remote));
        let served: HashSet<VnetId> = gateways.iter().copied().chain(transit.map(|p| p.local)).collect();
        let tables: HashSet<RouteTableId> =
            self.s.subnets.iter().filter(|sn| served.contains(&sn.vnet)).filter_map(|sn| sn.route_table).collect();
        for table in raw {
            let Some(id) = self.route_tables.get(&table.name.value) else { continue };
            if !tables.contains(&id) {
                continue;
            }
            for r in table.routes.iter().filter(|r| r.next_hop.value == NextHopType::VirtualNetworkGateway) {
                self.d.error_with_help(
                    r.next_hop.loc,
                    format!("route `{}` has next hop VirtualNetworkGateway, but the VNet's gateway is ExpressRoute", r.name.value),
                    "H-3: a UDR cannot point at an ExpressRoute gateway; its routes come from BGP (steer ExpressRoute traffic with GatewaySubnet UDRs to an appliance instead)",
                );
            }
        }
    }
}
