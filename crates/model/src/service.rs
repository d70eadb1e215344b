//! PaaS services, Microsoft's public services and internet hosts: what DNS names resolve to and
//! what decides, at the service, whether a connection is accepted (S-8..S-12, A-7, A-12).

use crate::{EndpointId, IpAddr, IpNet, ServiceId, SubnetId};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Workspace,
    StorageAccount,
    KeyVault,
    ContainerRegistry,
    OnlineEndpoint,
    ApplicationInsights,
    /// One of Microsoft's public services (Entra ID, Resource Manager, MCR, ...): built in.
    Microsoft,
    /// A host on the public internet (pypi.org, ...): built in or declared by the scenario.
    InternetHost,
}

impl ServiceKind {
    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::Workspace => "workspace",
            ServiceKind::StorageAccount => "storage_account",
            ServiceKind::KeyVault => "key_vault",
            ServiceKind::ContainerRegistry => "container_registry",
            ServiceKind::OnlineEndpoint => "online_endpoint",
            ServiceKind::ApplicationInsights => "application_insights",
            ServiceKind::Microsoft => "microsoft_service",
            ServiceKind::InternetHost => "internet_host",
        }
    }

    /// The private-endpoint subresources (group ids) of the kind (P-4).
    pub fn subresources(self) -> &'static [&'static str] {
        match self {
            ServiceKind::Workspace => &["amlworkspace"],
            ServiceKind::StorageAccount => &[
                "blob",
                "file",
                "queue",
                "table",
                "dfs",
                "web",
                "blob_secondary",
                "file_secondary",
                "queue_secondary",
                "table_secondary",
                "dfs_secondary",
                "web_secondary",
            ],
            ServiceKind::KeyVault => &["vault"],
            ServiceKind::ContainerRegistry => &["registry"],
            ServiceKind::ApplicationInsights => &["azuremonitor"],
            ServiceKind::OnlineEndpoint | ServiceKind::Microsoft | ServiceKind::InternetHost => &[],
        }
    }
}

/// The public domains of storage accounts' endpoints (`<account>.blob.core.windows.net`, one
/// per non-secondary subresource of [`ServiceKind::StorageAccount`]), under which anyone can
/// create an account.
pub const STORAGE_DOMAINS: [&str; 6] = [
    "blob.core.windows.net",
    "file.core.windows.net",
    "queue.core.windows.net",
    "table.core.windows.net",
    "dfs.core.windows.net",
    "web.core.windows.net",
];

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `public_network_access` of a service (A-7, A-11, S-9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum PublicNetworkAccess {
    #[default]
    Enabled,
    Disabled,
    /// Workspace only: "Enabled from selected IP addresses".
    SelectedIps,
}

impl PublicNetworkAccess {
    pub fn name(self) -> &'static str {
        match self {
            PublicNetworkAccess::Enabled => "Enabled",
            PublicNetworkAccess::Disabled => "Disabled",
            PublicNetworkAccess::SelectedIps => "SelectedIps",
        }
    }
}

/// The resource firewall of storage, Key Vault and registries (S-9, S-12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkRules {
    /// `Allow` admits every public caller; `Deny` ("selected networks") only the rules below.
    pub default_allow: bool,
    /// Public source ranges (S-9). Same-region Azure callers never match them (S-10).
    pub ip_rules: Vec<IpNet>,
    /// Subnets whose service-endpoint traffic is admitted (S-2, S-9).
    pub virtual_network_rules: Vec<SubnetId>,
    /// Services whose managed identity is admitted (resource instance rules, S-9).
    pub resource_instances: Vec<ServiceId>,
    /// `bypass: AzureServices`: trusted Microsoft services are admitted (S-9).
    pub trusted_services: bool,
}

impl Default for NetworkRules {
    fn default() -> Self {
        NetworkRules {
            default_allow: true,
            ip_rules: Vec::new(),
            virtual_network_rules: Vec::new(),
            resource_instances: Vec::new(),
            trusted_services: false,
        }
    }
}

/// A DNS name a service answers on, and how private endpoints change its resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceName {
    /// The public name, lower case; a leading `*.` matches any labels (e.g. compute instances).
    pub fqdn: String,
    /// The service a connection to this name reaches.
    pub service: ServiceId,
    /// The private endpoint target that serves the name: `(resource, subresource)`. When the
    /// resource has a private endpoint for that subresource, public DNS answers with a CNAME to
    /// `privatelink` (D-1) and the endpoint's IP answers in the private zone.
    pub private_link: Option<(ServiceId, &'static str)>,
    /// The privatelink name (D-2), with the same leading `*.` as `fqdn` when it has one.
    pub privatelink: Option<String>,
}

/// A storage account owned by a Microsoft service, which service endpoint policy aliases admit
/// (S-6): `/services/Azure/MachineLearning` admits the accounts of `AzureMachineLearning`.
pub const MANAGED_BY: [&str; 6] =
    ["AzureMachineLearning", "Batch", "DataFactory", "ManagedInstance", "WebPI", "Databricks"];

#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub kind: ServiceKind,
    pub region: String,
    pub public_ip: IpAddr,
    /// The service tag the public IP was drawn from (so tag rules cover it).
    pub tag: Option<String>,
    pub public_network_access: PublicNetworkAccess,
    /// Workspace selected IPs, and the resource firewall of storage, Key Vault, ACR.
    pub network_rules: NetworkRules,
    /// Online endpoints: their workspace.
    pub workspace: Option<ServiceId>,
    /// Storage owned by a Microsoft service (one of [`MANAGED_BY`]), for SEP aliases (S-6).
    pub managed_by: Option<&'static str>,
    /// Container registries: the SKU (`Basic`, `Standard`, `Premium`).
    pub sku: Option<&'static str>,
    /// Built into vnetsim rather than declared by the scenario.
    pub builtin: bool,
    /// Stands for every account of its kind under its service tag that nobody declared: the
    /// storage account an attacker creates (exfiltration audit). Built in, owned by no one.
    pub foreign: bool,
    /// Workspaces: the associated resources, which a managed network reaches through
    /// private endpoints Azure adds itself.
    pub resources: WorkspaceResources,
}

/// The storage account, key vault and container registry of a workspace, and the
/// compute that builds its images when the registry is behind a VNet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceResources {
    pub storage_account: Option<ServiceId>,
    pub key_vault: Option<ServiceId>,
    pub container_registry: Option<ServiceId>,
    pub image_build_compute: Option<EndpointId>,
}

impl Service {
    /// Whether the trusted-services bypass (S-9) lists this kind of caller. The AML workspace
    /// (`Microsoft.MachineLearningServices`) is on Microsoft's list.
    pub fn is_trusted_caller(&self) -> bool {
        self.kind == ServiceKind::Workspace
    }
}

/// A service endpoint policy (S-5, S-6): the storage accounts a subnet may reach over its
/// service endpoint.
#[derive(Clone, Debug)]
pub struct ServiceEndpointPolicy {
    pub name: String,
    pub accounts: Vec<ServiceId>,
    /// Aliases such as `/services/Azure/MachineLearning` (S-6).
    pub aliases: Vec<String>,
}

impl ServiceEndpointPolicy {
    /// The known aliases and the `managed_by` owner each admits (`None`: every managed account).
    pub const ALIASES: [(&'static str, Option<&'static str>); 7] = [
        ("/services/Azure", None),
        ("/services/Azure/MachineLearning", Some("AzureMachineLearning")),
        ("/services/Azure/Batch", Some("Batch")),
        ("/services/Azure/DataFactory", Some("DataFactory")),
        ("/services/Azure/ManagedInstance", Some("ManagedInstance")),
        ("/services/Azure/WebPI", Some("WebPI")),
        ("/services/Azure/Databricks", Some("Databricks")),
    ];

    /// Whether the policy admits `account` (S-5: listed; S-6: covered by an alias).
    pub fn admits(&self, id: ServiceId, account: &Service) -> bool {
        self.accounts.contains(&id)
            || self.aliases.iter().any(|alias| {
                Self::ALIASES.iter().any(|(name, owner)| {
                    name.eq_ignore_ascii_case(alias) && account.managed_by.is_some_and(|m| owner.is_none_or(|o| o == m))
                })
            })
    }
}

/// The connection state of a private endpoint (P-3): only `Approved` passes traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum ConnectionState {
    #[default]
    Approved,
    Pending,
    Rejected,
    Disconnected,
}

impl ConnectionState {
    pub const NAMES: [&'static str; 4] = ["Approved", "Pending", "Rejected", "Disconnected"];
    const ALL: [ConnectionState; 4] =
        [ConnectionState::Approved, ConnectionState::Pending, ConnectionState::Rejected, ConnectionState::Disconnected];

    pub fn parse(s: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| n.eq_ignore_ascii_case(s)).map(|i| Self::ALL[i])
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|c| *c == self).unwrap_or(0)]
    }
}

/// A private endpoint: a NIC (of a `private_endpoint` endpoint) that leads to one subresource of
/// one resource (P-1, P-4).
#[derive(Clone, Debug)]
pub struct PrivateEndpoint {
    pub name: String,
    pub endpoint: crate::EndpointId,
    pub nic: crate::NicId,
    pub target: ServiceId,
    pub subresource: &'static str,
    pub state: ConnectionState,
    /// Whether the endpoint registers its A records in the scenario's matching private zones
    /// (Azure's private DNS zone group).
    pub register_dns: bool,
}

/// R-6, S-4: the service tag whose prefixes a subnet's service endpoint routes cover
/// (`{region}` is the VNet's region). `Microsoft.Storage.Global` covers every region (S-2).
pub fn service_endpoint_tag(service_endpoint: &str) -> Option<&'static str> {
    const TAGS: [(&str, &str); 11] = [
        ("Microsoft.Storage", "Storage.{region}"),
        ("Microsoft.Storage.Global", "Storage"),
        ("Microsoft.KeyVault", "AzureKeyVault.{region}"),
        ("Microsoft.ContainerRegistry", "AzureContainerRegistry.{region}"),
        ("Microsoft.Sql", "Sql.{region}"),
        ("Microsoft.AzureCosmosDB", "AzureCosmosDB"),
        ("Microsoft.AzureActiveDirectory", "AzureActiveDirectory"),
        ("Microsoft.Web", "AppService.{region}"),
        ("Microsoft.EventHub", "EventHub.{region}"),
        ("Microsoft.ServiceBus", "ServiceBus.{region}"),
        ("Microsoft.CognitiveServices", "CognitiveServicesManagement"),
    ];
    TAGS.iter().find(|(se, _)| se.eq_ignore_ascii_case(service_endpoint)).map(|(_, tag)| *tag)
}

/// The service endpoint that carries traffic to a kind of service (S-1).
pub fn service_endpoint_for(kind: ServiceKind) -> Option<&'static str> {
    match kind {
        ServiceKind::StorageAccount => Some("Microsoft.Storage"),
        ServiceKind::KeyVault => Some("Microsoft.KeyVault"),
        ServiceKind::ContainerRegistry => Some("Microsoft.ContainerRegistry"),
        _ => None,
    }
}
