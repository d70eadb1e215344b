//! Connections as users ask for them: from a place to a place or a DNS name. A name is resolved
//! from the source first (D-5), and the connection then goes to the address DNS gave.

use crate::completion::Completion;
use crate::dns::{DnsOutcome, Resolution};
use crate::fabric::Fabric;
use crate::packet::Packet;
use crate::query::QueryError;
use crate::trace::{Disposition, Recorder};
use crate::walk::{FlowName, Verdict};
use vnetsim_model::{Destination, Place, Protocol};

/// A connection, with its DNS resolution when the destination was a name.
#[derive(Clone, Debug)]
pub struct Connection {
    pub resolution: Option<Resolution>,
    /// The packet sent, once an address is known.
    pub packet: Option<Packet>,
    pub verdict: Option<Verdict>,
    pub request: Recorder,
    pub reply: Recorder,
}

impl Connection {
    /// What the connection achieved; denied when its name did not resolve.
    pub fn completion(&self) -> Completion {
        self.verdict.map_or(Completion::Denied, |v| v.completion())
    }

    pub fn allowed(&self) -> bool {
        self.completion() == Completion::Works
    }

    /// What decided the outcome: DNS when it failed, else the connection's disposition.
    pub fn disposition(&self) -> Disposition {
        match (&self.verdict, &self.resolution) {
            (Some(v), _) => v.disposition(),
            (None, Some(r)) if r.outcome == DnsOutcome::NxDomain => Disposition::NxDomain,
            _ => Disposition::DnsFailed,
        }
    }
}

impl Fabric {
    /// Walks a connection from `from` to `to`, resolving a name first.
    pub fn connect(
        &self,
        from: Place,
        to: &Destination,
        protocol: Protocol,
        port: u16,
        source_port: u16,
    ) -> Result<Connection, QueryError> {
        let (mut request, mut reply) = (Recorder::default(), Recorder::default());
        let (origin, packet, resolution) = match to {
            Destination::Place(place) => {
                let (origin, packet) = self.packet_between(from, *place, protocol, port, source_port)?;
                (origin, Some(packet), None)
            }
            Destination::Name(name) => {
                let (origin, source) = self.origin_of(from)?;
                let resolution = self.resolve(origin, source, name);
                let packet = match resolution.outcome {
                    DnsOutcome::Address(destination) => {
                        let (source_port, destination_port) =
                            if protocol.has_ports() { (source_port, port) } else { (0, 0) };
                        Some(Packet { protocol, source, source_port, destination, destination_port })
                    }
                    DnsOutcome::NxDomain | DnsOutcome::Failed => None,
                };
                (origin, packet, Some(resolution))
            }
        };
        let name = FlowName {
            server: resolution.as_ref().and_then(|r| r.service),
            name: match to {
                Destination::Name(name) => Some(name.as_str()),
                Destination::Place(_) => None,
            },
        };
        let verdict = packet.map(|p| self.walk_connection_to(origin, p, name, &mut request, &mut reply));
        Ok(Connection { resolution, packet, verdict, request, reply })
    }
}
