//! The workspace managed VNet (A-14..A-17): a VNet Azure runs for the workspace's managed
//! compute, expressed in ordinary objects (subnet, NSG, route table, firewall, private
//! endpoints) when the scenario is read. This record keeps what the user wrote and what Azure
//! added, for reports.

use crate::{FirewallId, ServiceId, SubnetId, VnetId};
use serde::Serialize;

/// `isolation_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IsolationMode {
    Disabled,
    AllowInternetOutbound,
    AllowOnlyApprovedOutbound,
}

impl IsolationMode {
    pub const NAMES: [&'static str; 3] = ["disabled", "allow_internet_outbound", "allow_only_approved_outbound"];

    pub fn parse(s: &str) -> Option<Self> {
        let all = [Self::Disabled, Self::AllowInternetOutbound, Self::AllowOnlyApprovedOutbound];
        Self::NAMES.iter().position(|n| n.eq_ignore_ascii_case(s)).map(|i| all[i])
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Disabled => Self::NAMES[0],
            Self::AllowInternetOutbound => Self::NAMES[1],
            Self::AllowOnlyApprovedOutbound => Self::NAMES[2],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboundRuleKind {
    PrivateEndpoint,
    ServiceTag,
    Fqdn,
}

/// One outbound rule of the managed network, written or added by Azure.
#[derive(Clone, Debug)]
pub struct OutboundRule {
    pub name: String,
    pub kind: OutboundRuleKind,
    /// What the rule opens, as written (`storage blob`, `AzureMachineLearning tcp/443`, `pypi.org`).
    pub target: String,
    /// Added by Azure, not by the user.
    pub required: bool,
    /// Why the rule opens nothing the simulator can walk (an unknown tag, a resource outside the
    /// scenario), when that is so.
    pub inert: Option<String>,
    /// an FQDN pattern that covers Azure Storage hosts (`*`, `*.core.windows.net`, ...),
    /// which the managed firewall denies all the same; `check` warns.
    pub covers_storage: bool,
}

#[derive(Clone, Debug)]
pub struct ManagedNetwork {
    pub workspace: ServiceId,
    pub mode: IsolationMode,
    pub vnet: VnetId,
    /// Where managed compute and online deployments live.
    pub subnet: SubnetId,
    /// the managed firewall that FQDN rules create.
    pub firewall: Option<FirewallId>,
    pub rules: Vec<OutboundRule>,
}
