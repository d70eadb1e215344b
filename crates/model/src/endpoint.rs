//! Workloads that send and receive packets, and their NICs.

use crate::dns::DnsForwarding;
use crate::{AsgId, EndpointId, IpAddr, NicId, NsgId, SubnetId};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointKind {
    Vm,
    ComputeInstance,
    ComputeCluster,
    AksNodePool,
    Nva,
    /// An Azure DNS Private Resolver inbound endpoint: answers with the zones linked to its VNet
    /// (D-7).
    DnsResolver,
    /// The NIC of a private endpoint (P-1); created from `private_endpoints:`, not declared.
    PrivateEndpoint,
    /// The NIC of a virtual network gateway; created from `gateways:`, not declared.
    Gateway,
}

impl EndpointKind {
    /// The kinds a scenario may declare under `endpoints:`.
    pub const NAMES: [&'static str; 6] =
        ["vm", "compute_instance", "compute_cluster", "aks_node_pool", "nva", "dns_resolver"];
    const DECLARABLE: [EndpointKind; 6] = [
        EndpointKind::Vm,
        EndpointKind::ComputeInstance,
        EndpointKind::ComputeCluster,
        EndpointKind::AksNodePool,
        EndpointKind::Nva,
        EndpointKind::DnsResolver,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| Self::DECLARABLE[i])
    }

    pub fn name(self) -> &'static str {
        match self {
            EndpointKind::PrivateEndpoint => "private_endpoint",
            EndpointKind::Gateway => "gateway",
            k => Self::NAMES[Self::DECLARABLE.iter().position(|d| *d == k).unwrap_or(0)],
        }
    }

    /// Kinds whose size is a node count rather than a single machine.
    pub fn has_nodes(self) -> bool {
        matches!(self, EndpointKind::ComputeCluster | EndpointKind::AksNodePool)
    }
}

impl fmt::Display for EndpointKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub name: String,
    pub kind: EndpointKind,
    /// Machines in the endpoint (1 for VMs, NVAs and compute instances).
    pub node_count: u32,
    /// All NICs of all nodes, node-major: node 0's NICs first.
    pub nics: Vec<NicId>,
    /// Set when the endpoint runs a DNS server (a custom DNS VM): how it forwards (D-4, D-5).
    pub dns: Option<DnsForwarding>,
}

#[derive(Clone, Debug)]
pub struct Nic {
    pub endpoint: EndpointId,
    /// Which node of the endpoint this NIC belongs to.
    pub node: u32,
    pub subnet: SubnetId,
    pub private_ip: IpAddr,
    pub public_ip: Option<IpAddr>,
    pub nsg: Option<NsgId>,
    pub asgs: Vec<AsgId>,
    /// Azure-level IP forwarding: required for a NIC to forward packets not addressed to it.
    pub ip_forwarding: bool,
}
