//! Packets as the walk sees them: the five fields routes, NSGs and firewalls look at.

use serde::Serialize;
use vnetsim_model::{IpAddr, Protocol};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct Packet {
    pub protocol: Protocol,
    pub source: IpAddr,
    pub source_port: u16,
    pub destination: IpAddr,
    pub destination_port: u16,
}

impl Packet {
    /// The packet travelling back: addresses and ports swapped.
    pub fn reply(&self) -> Packet {
        Packet {
            protocol: self.protocol,
            source: self.destination,
            source_port: self.destination_port,
            destination: self.source,
            destination_port: self.source_port,
        }
    }
}

impl std::fmt::Display for Packet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.protocol.has_ports() {
            write!(
                f,
                "{} {}:{} -> {}:{}",
                self.protocol, self.source, self.source_port, self.destination, self.destination_port
            )
        } else {
            write!(f, "{} {} -> {}", self.protocol, self.source, self.destination)
        }
    }
}
