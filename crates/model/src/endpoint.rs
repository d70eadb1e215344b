//! Workloads that send and receive packets, and their NICs.

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
}

impl EndpointKind {
    pub const NAMES: [&'static str; 5] = ["vm", "compute_instance", "compute_cluster", "aks_node_pool", "nva"];
    const ALL: [EndpointKind; 5] = [
        EndpointKind::Vm,
        EndpointKind::ComputeInstance,
        EndpointKind::ComputeCluster,
        EndpointKind::AksNodePool,
        EndpointKind::Nva,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| Self::ALL[i])
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|k| *k == self).unwrap_or(0)]
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
