//! NAT gateways and load balancers: how traffic leaves for and arrives from the internet (O-1..O-3,
//! A-2, F-15).

use crate::{EndpointId, IpAddr, Protocol, SubnetId};

/// A NAT gateway: outbound SNAT for the subnets that use it (O-2). It accepts no unsolicited
/// inbound connection.
#[derive(Clone, Debug)]
pub struct NatGateway {
    pub name: String,
    pub public_ips: Vec<IpAddr>,
    /// Filled from the subnets that name the gateway.
    pub subnets: Vec<SubnetId>,
}

/// A load balancer: a frontend address whose rules forward to the NICs of its backend endpoints.
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    pub name: String,
    /// A public frontend (an internet address) or an internal one (a private IP in `subnet`).
    pub frontend: IpAddr,
    pub subnet: Option<SubnetId>,
    pub backends: Vec<EndpointId>,
    pub rules: Vec<LoadBalancingRule>,
    /// O-1 item 4: outbound rules SNAT the backends' internet traffic to the frontend.
    pub outbound_snat: bool,
    /// Created by Azure ML for a compute with a public IP, not declared.
    pub aml_managed: bool,
}

impl LoadBalancer {
    pub fn is_public(&self) -> bool {
        self.subnet.is_none()
    }

    /// The rule that forwards a packet to the frontend on `port`.
    pub fn rule_for(&self, protocol: Protocol, port: u16) -> Option<usize> {
        self.rules.iter().position(|r| r.protocol == protocol && r.frontend_port == port)
    }
}

#[derive(Clone, Debug)]
pub struct LoadBalancingRule {
    pub name: String,
    pub protocol: Protocol,
    pub frontend_port: u16,
    pub backend_port: u16,
}
