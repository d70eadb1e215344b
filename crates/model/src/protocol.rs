//! IP protocols of packets and of NSG rules (N-1, N-3).

use serde::Serialize;
use std::fmt;

/// The protocol a packet carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Esp,
    Ah,
}

impl Protocol {
    pub const ALL: [Protocol; 5] = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::Esp, Protocol::Ah];

    /// Whether packets of this protocol have ports (ICMP, ESP and AH do not; rules' port ranges
    /// never exclude them).
    pub const fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    pub const fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Esp => "esp",
            Protocol::Ah => "ah",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The protocol field of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProtocolMatch {
    Any,
    One(Protocol),
}

impl fmt::Display for ProtocolMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolMatch::Any => f.write_str("*"),
            ProtocolMatch::One(p) => p.fmt(f),
        }
    }
}
