//! The Azure ML flow catalogue: the documented features as sets of connections that must all
//! work (A-1..A-17, and the seeds' "Scenario:" sections). One table, read by `vnetsim flows` and
//! by `flow:` expectations; nothing here walks packets.

use crate::{EndpointKind, Place, Protocol, Scenario, ServiceKind};

/// Who starts a flow's connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A user's machine: a VM that is not a DNS server, an on-premises network, the internet.
    Client,
    /// An AML compute instance or compute cluster.
    Compute,
    /// An AKS node pool used for inference.
    AksPool,
    /// A managed online endpoint's deployment.
    Deployment,
    /// The workspace's managed service calling with its identity (trusted services, S-9).
    WorkspaceService,
    /// Whatever builds the workspace's images: its `image_build_compute`, else the serverless
    /// build compute outside the network.
    ImageBuilder,
}

/// Where a connection goes. Templates name a workspace's own resources or fixed hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `<ws-guid>.workspace.<region>.api.azureml.ms`.
    WorkspaceApi,
    /// `ml-<ws>-<region>-<guid>.<region>.notebooks.azure.net`.
    WorkspaceNotebooks,
    /// The default storage account's endpoint for a subresource (`blob`, `file`, ...).
    Storage(&'static str),
    KeyVault,
    RegistryLogin,
    RegistryData,
    /// Every online endpoint of the workspace, by its scoring name.
    OnlineEndpoints,
    /// Every compute instance of the workspace, by its `*.instances` name.
    ComputeInstances,
    /// The frontend of every internal load balancer in front of an AKS pool.
    AksLoadBalancers,
    /// A fixed host; `{region}` is the scenario region.
    Host(&'static str),
    /// A connection *to* the source from a built-in Microsoft service (inbound, A-2).
    FromService(&'static str),
}

/// When a connection is part of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// The workspace has a private endpoint (A-3: 8787 and 18881).
    WorkspaceHasPrivateEndpoint,
    /// The source is a compute with a public IP (A-2: inbound 44224).
    PublicIpCompute,
    /// The source is a compute without a public IP (A-5: it needs a reachable workspace
    /// private endpoint to be created).
    NoPublicIpCompute,
    /// The source is a compute instance (A-1: UDP 5831, RStudio 8787, language server 18881).
    ComputeInstance,
}

/// One connection of a flow, for sources of one role.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionSpec {
    pub role: Role,
    pub to: Target,
    pub protocol: Protocol,
    pub port: u16,
    pub when: When,
}

/// A documented flow: connections that must all succeed for a feature to work.
#[derive(Debug)]
pub struct FlowSpec {
    pub name: &'static str,
    pub summary: &'static str,
    /// The seed passage and semantics rules the flow comes from.
    pub source: &'static str,
    pub connections: &'static [ConnectionSpec],
}

impl FlowSpec {
    /// Whether sources of `role` take part in the flow.
    pub fn has_role(&self, role: Role) -> bool {
        self.connections.iter().any(|c| c.role == role)
    }
}

const fn tcp(role: Role, to: Target, port: u16) -> ConnectionSpec {
    ConnectionSpec { role, to, protocol: Protocol::Tcp, port, when: When::Always }
}

const fn tcp_when(role: Role, to: Target, port: u16, when: When) -> ConnectionSpec {
    ConnectionSpec { role, to, protocol: Protocol::Tcp, port, when }
}

const fn udp_when(role: Role, to: Target, port: u16, when: When) -> ConnectionSpec {
    ConnectionSpec { role, to, protocol: Protocol::Udp, port, when }
}

use Role::*;
use Target::*;

/// The catalogue, in the order `vnetsim flows` prints it.
pub const FLOWS: [FlowSpec; 13] = [
    FlowSpec {
        name: "studio-access",
        summary: "a client opens the workspace in studio: Entra ID, Resource Manager, Front Door (ml.azure.com), \
                  the workspace API and notebooks names, and the default storage's blob and file",
        source: "003 'Scenario: Access workspace from studio'; A-7, A-9, A-17 (studio talks to storage directly)",
        connections: &[
            tcp(Client, Host("login.microsoftonline.com"), 443),
            tcp(Client, Host("management.azure.com"), 443),
            tcp(Client, Host("ml.azure.com"), 443),
            tcp(Client, WorkspaceApi, 443),
            tcp(Client, WorkspaceNotebooks, 443),
            tcp(Client, Storage("blob"), 443),
            tcp(Client, Storage("file"), 443),
        ],
    },
    FlowSpec {
        name: "data-profiling",
        summary: "the AML managed service reads the default storage with the workspace identity \
                  (dataset preview, designer, AutoML): resource instance rule or trusted services",
        source: "003 'Scenario: Use AutoML, designer, dataset, and datastore from studio'; S-9, A-8",
        connections: &[tcp(WorkspaceService, Storage("blob"), 443), tcp(WorkspaceService, Storage("file"), 443)],
    },
    FlowSpec {
        name: "compute-create",
        summary: "creating a compute instance or cluster: inbound 44224 from AzureMachineLearning for public-IP \
                  compute, the workspace (its private endpoint) for no-public-IP compute; outbound Entra ID, AzureMachineLearning, BatchNodeManagement, Resource Manager, \
                  Microsoft-managed storage (Storage.<region>), MCR and AzureFrontDoor.FirstParty",
        source: "003 'Scenario: Use compute instance and compute cluster'; A-2, A-3, A-5, A-16",
        connections: &[
            tcp_when(Compute, FromService("azureml-service"), 44224, When::PublicIpCompute),
            tcp_when(Compute, WorkspaceApi, 443, When::NoPublicIpCompute),
            tcp(Compute, Host("login.microsoftonline.com"), 443),
            tcp(Compute, Host("{region}.api.azureml.ms"), 443),
            tcp(Compute, Host("{region}.service.batch.azure.com"), 443),
            tcp(Compute, Host("management.azure.com"), 443),
            tcp(Compute, Host(crate::public_services::MANAGED_STORAGE_FQDN), 443),
            tcp(Compute, Host("mcr.microsoft.com"), 443),
            tcp(Compute, Host("{region}.data.mcr.microsoft.com"), 443),
            udp_when(Compute, Host("{region}.tundra.azureml.ms"), 5831, When::ComputeInstance),
        ],
    },
    FlowSpec {
        name: "compute-manage",
        summary: "running compute: the workspace API (through its private endpoint for no-public-IP compute), \
                  AzureMachineLearning on 443, 8787 and 18881, UDP 5831 for instances, Batch, and inbound 44224 \
                  for public-IP compute",
        source: "003 'Scenario: Use compute instance and compute cluster'; A-1, A-2, A-3, A-5",
        connections: &[
            tcp_when(Compute, FromService("azureml-service"), 44224, When::PublicIpCompute),
            tcp(Compute, WorkspaceApi, 443),
            tcp(Compute, Host("{region}.api.azureml.ms"), 443),
            tcp_when(Compute, Host("{region}.api.azureml.ms"), 8787, When::WorkspaceHasPrivateEndpoint),
            tcp_when(Compute, Host("{region}.api.azureml.ms"), 18881, When::WorkspaceHasPrivateEndpoint),
            udp_when(Compute, Host("{region}.tundra.azureml.ms"), 5831, When::ComputeInstance),
            tcp(Compute, Host("{region}.service.batch.azure.com"), 443),
        ],
    },
    FlowSpec {
        name: "compute-to-storage",
        summary: "compute mounts the default storage's file share over SMB 445 and reads files and blobs over HTTPS",
        source: "003 'Your storage … over ports 445 (SMB) and 443 (HTTPS)'; A-8 (port 445 must be open)",
        connections: &[
            tcp(Compute, Storage("file"), 445),
            tcp(Compute, Storage("file"), 443),
            tcp(Compute, Storage("blob"), 443),
        ],
    },
    FlowSpec {
        name: "compute-to-keyvault",
        summary: "compute reads the workspace's key vault",
        source: "001 'Secure Azure Key Vault'; A-8",
        connections: &[tcp(Compute, KeyVault, 443)],
    },
    FlowSpec {
        name: "compute-to-registry",
        summary: "compute pulls images from the workspace's container registry: login and data endpoints",
        source: "001 'Enable Azure Container Registry'; A-8, P-4",
        connections: &[tcp(Compute, RegistryLogin, 443), tcp(Compute, RegistryData, 443)],
    },
    FlowSpec {
        name: "image-build",
        summary: "building an environment image: the registry, the default storage, MCR, pypi.org and the conda \
                  hosts, from the image-build compute (the serverless build compute works only when storage and \
                  the registry are unrestricted)",
        source: "003 'Scenario: Use Docker images managed by Azure Machine Learning'; 001 (ACR behind the VNet \
                 needs image_build_compute); A-4, A-8",
        connections: &[
            tcp(ImageBuilder, RegistryLogin, 443),
            tcp(ImageBuilder, RegistryData, 443),
            tcp(ImageBuilder, Storage("blob"), 443),
            tcp(ImageBuilder, Host("mcr.microsoft.com"), 443),
            tcp(ImageBuilder, Host("{region}.data.mcr.microsoft.com"), 443),
            tcp(ImageBuilder, Host("pypi.org"), 443),
            tcp(ImageBuilder, Host("files.pythonhosted.org"), 443),
            tcp(ImageBuilder, Host("conda.anaconda.org"), 443),
            tcp(ImageBuilder, Host("repo.anaconda.com"), 443),
        ],
    },
    FlowSpec {
        name: "online-endpoint-scoring",
        summary: "a client scores a managed online endpoint through the workspace private endpoint (public \
                  clients only when the endpoint allows public access); the deployment reaches storage and the \
                  registry through the managed VNet",
        source: "003 'Scenario: Use online endpoints'; 000 (managed online endpoints); A-11, A-12",
        connections: &[
            tcp(Client, OnlineEndpoints, 443),
            tcp(Deployment, Storage("blob"), 443),
            tcp(Deployment, RegistryLogin, 443),
            tcp(Deployment, RegistryData, 443),
        ],
    },
    FlowSpec {
        name: "aks-scoring",
        summary: "a client scores a model on AKS through the internal load balancer in the scoring subnet; the \
                  pool reaches the workspace, storage, key vault and registry privately",
        source: "003 'Scenario: Use Azure Kubernetes Service'; 002 (scoring subnet); A-13",
        connections: &[
            tcp(Client, AksLoadBalancers, 443),
            tcp(AksPool, WorkspaceApi, 443),
            tcp(AksPool, Storage("blob"), 443),
            tcp(AksPool, KeyVault, 443),
            tcp(AksPool, RegistryLogin, 443),
            tcp(AksPool, RegistryData, 443),
        ],
    },
    FlowSpec {
        name: "vscode-remote",
        summary: "VS Code connects to a compute instance by its instances name (the workspace private endpoint), \
                  and the instance installs the server and extensions",
        source: "003 'If you use Visual Studio Code on a compute instance'; A-4 (VS Code hosts), A-9",
        connections: &[
            tcp(Client, ComputeInstances, 443),
            tcp_when(Compute, Host("code.visualstudio.com"), 443, When::ComputeInstance),
            tcp_when(Compute, Host("marketplace.visualstudio.com"), 443, When::ComputeInstance),
            tcp_when(Compute, Host("vscode.blob.core.windows.net"), 443, When::ComputeInstance),
        ],
    },
    FlowSpec {
        name: "package-repositories",
        summary: "jobs install Python packages from pypi.org and the conda channels",
        source: "001 (package repositories); A-4 'Python packages'",
        connections: &[
            tcp(Compute, Host("pypi.org"), 443),
            tcp(Compute, Host("files.pythonhosted.org"), 443),
            tcp(Compute, Host("conda.anaconda.org"), 443),
            tcp(Compute, Host("repo.anaconda.com"), 443),
        ],
    },
    FlowSpec {
        name: "azure-monitor",
        summary: "compute sends metrics and logs to Azure Monitor (when it is not private-linked)",
        source: "001 required-access table (AzureMonitor); A-3, A-4 'Monitoring'",
        connections: &[
            tcp(Compute, Host("dc.applicationinsights.azure.com"), 443),
            tcp(Compute, Host("dc.services.visualstudio.com"), 443),
        ],
    },
];

/// A flow of the catalogue by name.
pub fn flow(name: &str) -> Option<usize> {
    FLOWS.iter().position(|f| f.name == name)
}

/// The roles a place plays in flows. A compute can also be its workspace's image builder; a
/// workspace is both its managed service and, without an image-build compute, the serverless
/// builder.
pub fn roles(scenario: &Scenario, place: Place) -> Vec<Role> {
    match place {
        Place::Endpoint { endpoint, .. } => {
            let e = scenario.endpoint(endpoint);
            let builds = scenario.services.iter().any(|s| s.resources.image_build_compute == Some(endpoint));
            let mut roles = match e.kind {
                EndpointKind::Vm if e.dns.is_none() => vec![Client],
                EndpointKind::ComputeInstance | EndpointKind::ComputeCluster => vec![Compute],
                EndpointKind::AksNodePool => vec![AksPool],
                EndpointKind::OnlineDeployment => vec![Deployment],
                _ => Vec::new(),
            };
            if builds {
                roles.push(ImageBuilder);
            }
            roles
        }
        Place::Internet(_) | Place::OnPrem { .. } => vec![Client],
        Place::Service(id) if scenario.service(id).kind == ServiceKind::Workspace => {
            if scenario.service(id).resources.image_build_compute.is_some() {
                vec![WorkspaceService]
            } else {
                vec![WorkspaceService, ImageBuilder]
            }
        }
        Place::Service(_) | Place::Address(_) => Vec::new(),
    }
}

impl Role {
    /// How reports name the role.
    pub fn name(self) -> &'static str {
        match self {
            Client => "a client",
            Compute => "AML compute",
            AksPool => "an AKS node pool",
            Deployment => "an online deployment",
            WorkspaceService => "the workspace's managed service",
            ImageBuilder => "the image builder",
        }
    }
}
