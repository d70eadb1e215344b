//! Workloads that send and receive packets, and their NICs.

use crate::dns::DnsForwarding;
use crate::{AsgId, EndpointId, IpAddr, NicId, NsgId, ServiceId, SubnetId};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
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
    /// Azure Bastion in `AzureBastionSubnet`: reaches VMs by private IP (H-4).
    Bastion,
    /// A managed online endpoint's deployment, in a workspace managed VNet.
    OnlineDeployment,
    /// The NIC of a virtual network gateway; created from `gateways:`, not declared.
    Gateway,
    /// The private IP of an Azure Firewall; created from `firewalls:`, not declared.
    Firewall,
}

impl EndpointKind {
    /// The kinds a scenario may declare under `endpoints:`.
    pub const NAMES: [&'static str; 8] = [
        "vm",
        "compute_instance",
        "compute_cluster",
        "aks_node_pool",
        "nva",
        "dns_resolver",
        "bastion",
        "online_deployment",
    ];
    const DECLARABLE: [EndpointKind; 8] = [
        EndpointKind::Vm,
        EndpointKind::ComputeInstance,
        EndpointKind::ComputeCluster,
        EndpointKind::AksNodePool,
        EndpointKind::Nva,
        EndpointKind::DnsResolver,
        EndpointKind::Bastion,
        EndpointKind::OnlineDeployment,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| Self::DECLARABLE[i])
    }

    pub fn name(self) -> &'static str {
        match self {
            EndpointKind::PrivateEndpoint => "private_endpoint",
            EndpointKind::Gateway => "gateway",
            EndpointKind::Firewall => "firewall",
            k => Self::NAMES[Self::DECLARABLE.iter().position(|d| *d == k).unwrap_or(0)],
        }
    }

    /// Kinds whose size is a node count rather than a single machine.
    pub fn has_nodes(self) -> bool {
        matches!(self, EndpointKind::ComputeCluster | EndpointKind::AksNodePool | EndpointKind::OnlineDeployment)
    }

    /// Endpoints that run a workspace's code (compute, AKS pools, online deployments): what a
    /// Whether endpoints of this kind start connections of their own: not private endpoints
    /// (P-2), gateways or firewalls, which only answer or forward.
    pub fn starts_connections(self) -> bool {
        !matches!(self, EndpointKind::PrivateEndpoint | EndpointKind::Gateway | EndpointKind::Firewall)
    }

    /// workspace owns and what the exfiltration audit protects.
    pub fn is_aml_workload(self) -> bool {
        self.is_aml_compute() || matches!(self, EndpointKind::AksNodePool | EndpointKind::OnlineDeployment)
    }

    /// Azure ML compute, which AML fronts with a load balancer when it has a public IP.
    pub fn is_aml_compute(self) -> bool {
        matches!(self, EndpointKind::ComputeInstance | EndpointKind::ComputeCluster)
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
    /// A stateful device (a firewall, or an NVA marked so) drops packets of sessions it did not
    /// see start (F-13, F-15).
    pub stateful: bool,
    /// AML compute, AKS pools and online deployments: the workspace they belong to, written as
    /// `workspace:` or implied by a managed VNet; flows use it (else every workspace).
    pub workspace: Option<ServiceId>,
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
