//! Route tables with user-defined routes.

use crate::IpAddr;
use crate::IpNet;
use serde::Serialize;
use std::fmt;

/// The next hop of a route: the UDR types of R-7 plus the system-only ones of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "ip")]
pub enum NextHop {
    VirtualAppliance(IpAddr),
    VirtualNetworkGateway,
    VnetLocal,
    Internet,
    None,
    /// System only: a peered VNet's address space.
    VNetPeering,
    /// System only: a private endpoint's /32.
    InterfaceEndpoint,
    /// System only: a service-tag prefix of a service endpoint on the subnet.
    VirtualNetworkServiceEndpoint,
}

impl NextHop {
    pub fn type_name(self) -> &'static str {
        match self {
            NextHop::VirtualAppliance(_) => "VirtualAppliance",
            NextHop::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHop::VnetLocal => "VnetLocal",
            NextHop::Internet => "Internet",
            NextHop::None => "None",
            NextHop::VNetPeering => "VNetPeering",
            NextHop::InterfaceEndpoint => "InterfaceEndpoint",
            NextHop::VirtualNetworkServiceEndpoint => "VirtualNetworkServiceEndpoint",
        }
    }
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHop::VirtualAppliance(ip) => write!(f, "VirtualAppliance {ip}"),
            other => f.write_str(other.type_name()),
        }
    }
}

/// What a UDR matches: an explicit prefix or a service tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RouteDestination {
    Prefix(IpNet),
    ServiceTag(String),
}

impl fmt::Display for RouteDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDestination::Prefix(p) => p.fmt(f),
            RouteDestination::ServiceTag(t) => f.write_str(t),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Route {
    pub name: String,
    pub destination: RouteDestination,
    pub next_hop: NextHop,
}

#[derive(Clone, Debug)]
pub struct RouteTable {
    pub name: String,
    /// suppresses all VirtualNetworkGateway routes in the associated subnets.
    pub disable_bgp_route_propagation: bool,
    pub routes: Vec<Route>,
}
