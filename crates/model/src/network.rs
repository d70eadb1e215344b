//! VNets, subnets, peerings and on-premises networks.

use crate::dns::DnsForwarding;
use crate::{
    EndpointId, IpAddr, IpNet, NatGatewayId, NicId, NsgId, OnPremId, PolicyId, RouteTableId, SubnetId, VnetId,
};
use serde::Serialize;

#[derive(Clone, Debug)]
pub struct Vnet {
    pub name: String,
    pub address_space: Vec<IpNet>,
    /// Custom DNS servers; empty means Azure-provided DNS (168.63.129.16).
    pub dns_servers: Vec<IpAddr>,
    pub subnets: Vec<SubnetId>,
}

/// P-6: which of the subnet's NSG and route table apply to private endpoints in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum PrivateEndpointNetworkPolicies {
    #[default]
    Disabled,
    NetworkSecurityGroupEnabled,
    RouteTableEnabled,
    Enabled,
}

impl PrivateEndpointNetworkPolicies {
    /// Whether the subnet NSG applies to private endpoints (P-6).
    pub fn nsg_applies(self) -> bool {
        matches!(self, Self::NetworkSecurityGroupEnabled | Self::Enabled)
    }

    /// Whether the subnet route table applies to private endpoints (P-6, R-13).
    pub fn route_table_applies(self) -> bool {
        matches!(self, Self::RouteTableEnabled | Self::Enabled)
    }

    pub const NAMES: [&'static str; 4] = ["Disabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled", "Enabled"];

    pub fn parse(s: &str) -> Option<Self> {
        let all = [Self::Disabled, Self::NetworkSecurityGroupEnabled, Self::RouteTableEnabled, Self::Enabled];
        Self::NAMES.iter().position(|n| n.eq_ignore_ascii_case(s)).map(|i| all[i])
    }
}

#[derive(Clone, Debug)]
pub struct Subnet {
    pub name: String,
    pub vnet: VnetId,
    pub prefix: IpNet,
    pub nsg: Option<NsgId>,
    pub route_table: Option<RouteTableId>,
    /// Service endpoints enabled on the subnet, e.g. `Microsoft.Storage` (S-1, R-12).
    pub service_endpoints: Vec<String>,
    /// Service endpoint policies on the subnet (S-5); several form a union.
    pub service_endpoint_policies: Vec<PolicyId>,
    pub private_endpoint_network_policies: PrivateEndpointNetworkPolicies,
    /// O-3: `false` makes a private subnet, with no implicit outbound internet access.
    pub default_outbound_access: bool,
    /// O-2: the NAT gateway that takes over the subnet's internet egress.
    pub nat_gateway: Option<NatGatewayId>,
}

/// One side of a VNet peering: the link that `local` holds towards `remote`. Traffic flows only
/// when both sides exist (R-15: `Connected`); one side alone is `Initiated`.
#[derive(Clone, Debug)]
pub struct Peering {
    pub name: String,
    pub local: VnetId,
    pub remote: VnetId,
    pub allow_virtual_network_access: bool,
    pub allow_forwarded_traffic: bool,
    pub allow_gateway_transit: bool,
    pub use_remote_gateways: bool,
}

/// A virtual network gateway in a VNet's `GatewaySubnet`, connecting on-premises networks
/// (H-1..H-3). Its NIC is an ordinary NIC of a `gateway` endpoint.
#[derive(Clone, Debug)]
pub struct Gateway {
    pub name: String,
    /// `vpn` or `expressroute`.
    pub kind: &'static str,
    pub vnet: VnetId,
    pub endpoint: EndpointId,
    pub nic: NicId,
    pub connections: Vec<OnPremId>,
}

/// A named on-premises network: a place packets can come from or go to.
#[derive(Clone, Debug)]
pub struct OnPremNetwork {
    pub name: String,
    pub prefixes: Vec<IpNet>,
    pub dns_servers: Vec<IpAddr>,
    /// How the on-premises DNS servers forward (D-8): conditional forwarders to an Azure
    /// forwarder or resolver; without one, names resolve publicly.
    pub dns_forwarding: DnsForwarding,
}

impl OnPremNetwork {
    /// The address used when a scenario names the network rather than a host in it.
    pub fn representative_address(&self) -> Option<IpAddr> {
        self.prefixes.first().map(|p| p.hosts().next().unwrap_or_else(|| p.addr()))
    }
}
