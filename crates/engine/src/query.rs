//! From scenario places to packets: where a connection starts and what it is addressed to.

use crate::fabric::Fabric;
use crate::packet::Packet;
use crate::walk::Origin;
use vnetsim_model::{EndpointKind, IpAddr, Place, Protocol};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// `from` names something packets cannot start from.
    #[error("{0} cannot be the source of a packet")]
    NotASource(String),
    /// P-2: a private endpoint never initiates connections.
    #[error("{0} is a private endpoint: connections are only initiated towards it (P-2)")]
    PrivateEndpointSource(String),
}

impl Fabric {
    /// The origin and source address of a place.
    pub fn origin_of(&self, from: Place) -> Result<(Origin, IpAddr), QueryError> {
        match from {
            Place::Endpoint { endpoint, .. }
                if self.scenario.endpoint(endpoint).kind == EndpointKind::PrivateEndpoint =>
            {
                // P-2: connections are only initiated towards a private endpoint.
                Err(QueryError::PrivateEndpointSource(self.scenario.endpoint(endpoint).name.clone()))
            }
            Place::Endpoint { endpoint, node } => {
                let nic = self
                    .scenario
                    .primary_nic(endpoint, node)
                    .ok_or_else(|| QueryError::NotASource(self.scenario.node_name(endpoint, node)))?;
                Ok((Origin::Nic(nic), self.scenario.nic(nic).private_ip))
            }
            Place::Service(id) => Ok((Origin::Service(id), self.scenario.service(id).public_ip)),
            Place::Internet(ip) => Ok((Origin::Internet, ip)),
            Place::OnPrem { network, address } => Ok((Origin::OnPrem(network), address)),
            Place::Address(ip) => Err(QueryError::NotASource(ip.to_string())),
        }
    }

    /// The address a packet from `origin` uses to reach `to`: an endpoint's private IP from
    /// inside Azure; from the internet or a Microsoft service, its public IP or public load
    /// balancer frontend when it has one.
    pub fn address_of(&self, origin: Origin, to: Place) -> IpAddr {
        match to {
            Place::Endpoint { endpoint, node } => match self.scenario.primary_nic(endpoint, node) {
                Some(nic) if matches!(origin, Origin::Internet | Origin::Service(_)) => {
                    self.public_address_of(nic).unwrap_or(self.scenario.nic(nic).private_ip)
                }
                Some(nic) => self.scenario.nic(nic).private_ip,
                None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            },
            Place::Internet(ip) | Place::Address(ip) => ip,
            Place::OnPrem { address, .. } => address,
            Place::Service(id) => self.scenario.service(id).public_ip,
        }
    }

    /// The packet for a connection between two places.
    pub fn packet_between(
        &self,
        from: Place,
        to: Place,
        protocol: Protocol,
        port: u16,
        source_port: u16,
    ) -> Result<(Origin, Packet), QueryError> {
        let (origin, source) = self.origin_of(from)?;
        let destination = self.address_of(origin, to);
        let (source_port, destination_port) = if protocol.has_ports() { (source_port, port) } else { (0, 0) };
        Ok((origin, Packet { protocol, source, source_port, destination, destination_port }))
    }
}
