//! Network security groups and their rules (N-1..N-15).

use crate::{AsgId, IpNet, PortSet, ProtocolMatch};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Allow,
    Deny,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Allow => "allow",
            Access::Deny => "deny",
        })
    }
}

/// The source or destination field of a rule. N-2: a field holds any number of prefixes, or
/// exactly one service tag, or exactly one ASG.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddressMatch {
    Any,
    Prefixes(Vec<IpNet>),
    /// A service tag, by its canonical name in the scenario's tag table (or one of the contextual
    /// tags `VirtualNetwork`, `Internet`, `AzureLoadBalancer`).
    ServiceTag(String),
    Asg(AsgId),
}

#[derive(Clone, Debug)]
pub struct NsgRule {
    pub name: String,
    pub priority: u16,
    pub direction: Direction,
    pub access: Access,
    pub protocol: ProtocolMatch,
    pub source: AddressMatch,
    pub source_ports: PortSet,
    pub destination: AddressMatch,
    pub destination_ports: PortSet,
    /// One of the six rules every NSG carries (N-5).
    pub is_default: bool,
}

#[derive(Clone, Debug)]
pub struct Nsg {
    pub name: String,
    /// Custom rules followed by the six default rules; evaluation sorts by priority (N-4).
    pub rules: Vec<NsgRule>,
}

impl NsgRule {
    /// N-5: the six default rules every NSG contains.
    pub fn defaults() -> Vec<NsgRule> {
        use Access::*;
        use Direction::*;
        let tag = |t: &str| AddressMatch::ServiceTag(t.to_string());
        let rule = |name: &str, direction, priority, source, destination, access| NsgRule {
            name: name.to_string(),
            priority,
            direction,
            access,
            protocol: ProtocolMatch::Any,
            source,
            source_ports: PortSet::any(),
            destination,
            destination_ports: PortSet::any(),
            is_default: true,
        };
        vec![
            rule("AllowVNetInBound", Inbound, 65000, tag("VirtualNetwork"), tag("VirtualNetwork"), Allow),
            rule("AllowAzureLoadBalancerInBound", Inbound, 65001, tag("AzureLoadBalancer"), AddressMatch::Any, Allow),
            rule("DenyAllInBound", Inbound, 65500, AddressMatch::Any, AddressMatch::Any, Deny),
            rule("AllowVnetOutBound", Outbound, 65000, tag("VirtualNetwork"), tag("VirtualNetwork"), Allow),
            rule("AllowInternetOutBound", Outbound, 65001, AddressMatch::Any, tag("Internet"), Allow),
            rule("DenyAllOutBound", Outbound, 65500, AddressMatch::Any, AddressMatch::Any, Deny),
        ]
    }
}
