//! A whole scenario: one network description plus its expectations.

use crate::*;

/// Ephemeral source port used when a scenario or command gives none.
pub const DEFAULT_SOURCE_PORT: u16 = 50000;

#[derive(Clone, Debug, Default)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Region of the scenario's resources (for the regional service tags of later analyses).
    pub region: String,
    pub vnets: Vec<Vnet>,
    pub subnets: Vec<Subnet>,
    pub peerings: Vec<Peering>,
    pub nsgs: Vec<Nsg>,
    pub asgs: Vec<String>,
    pub route_tables: Vec<RouteTable>,
    pub endpoints: Vec<Endpoint>,
    pub nics: Vec<Nic>,
    pub on_prem: Vec<OnPremNetwork>,
    /// Declared services first, then the built-in Microsoft services and internet hosts.
    pub services: Vec<Service>,
    /// Every DNS name a service answers on.
    pub service_names: Vec<ServiceName>,
    pub private_endpoints: Vec<PrivateEndpoint>,
    pub zones: Vec<PrivateDnsZone>,
    pub policies: Vec<ServiceEndpointPolicy>,
    pub gateways: Vec<Gateway>,
    pub firewalls: Vec<Firewall>,
    pub nat_gateways: Vec<NatGateway>,
    pub load_balancers: Vec<LoadBalancer>,
    /// Azure Virtual Network Manager instances with their security admin rules (N-16).
    pub network_managers: Vec<NetworkManager>,
    pub managed_networks: Vec<ManagedNetwork>,
    pub expectations: Vec<Expectation>,
    /// `flow:` expectations, in file order.
    pub flow_expectations: Vec<FlowExpectation>,
    /// `outcome: no_exfiltration` / `exfiltration` expectations, in file order.
    pub exfiltration_expectations: Vec<ExfiltrationExpectation>,
    /// `audit:`: protected sources and destination classification for the exfiltration audit.
    pub audit: AuditSettings,
    pub service_tags: ServiceTagTable,
    /// `options:`: the switches for unconfirmed semantics the fabric is compiled with.
    pub options: Options,
    /// `aliases:`: other names of places (an imported object's Terraform address), each with
    /// the name it stands for.
    pub aliases: Vec<(String, String)>,
}

impl Scenario {
    /// The services of one kind, in file order (declared before built-in).
    pub fn services_of(&self, kind: ServiceKind) -> impl Iterator<Item = ServiceId> + '_ {
        (0..self.services.len()).map(ServiceId::from_index).filter(move |id| self.service(*id).kind == kind)
    }

    pub fn vnet(&self, id: VnetId) -> &Vnet {
        &self.vnets[id.index()]
    }

    pub fn subnet(&self, id: SubnetId) -> &Subnet {
        &self.subnets[id.index()]
    }

    pub fn nic(&self, id: NicId) -> &Nic {
        &self.nics[id.index()]
    }

    pub fn endpoint(&self, id: EndpointId) -> &Endpoint {
        &self.endpoints[id.index()]
    }

    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }

    pub fn private_endpoint(&self, id: PrivateEndpointId) -> &PrivateEndpoint {
        &self.private_endpoints[id.index()]
    }

    /// `vnet/subnet`, the way scenario files and traces name a subnet.
    pub fn subnet_path(&self, id: SubnetId) -> String {
        let s = self.subnet(id);
        format!("{}/{}", self.vnet(s.vnet).name, s.name)
    }

    /// The first NIC of a node of an endpoint.
    pub fn primary_nic(&self, endpoint: EndpointId, node: u32) -> Option<NicId> {
        let e = self.endpoint(endpoint);
        e.nics.iter().copied().find(|n| self.nic(*n).node == node)
    }

    /// An endpoint's name, with the node index for multi-node endpoints (`cpu-cluster[2]`).
    pub fn node_name(&self, endpoint: EndpointId, node: u32) -> String {
        let e = self.endpoint(endpoint);
        if e.node_count > 1 { format!("{}[{}]", e.name, node) } else { e.name.clone() }
    }
}
