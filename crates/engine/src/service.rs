//! The last step of a flow to a PaaS service: the service's own decision (S-5, S-8..S-12, A-7,
//! Private endpoint traffic is accepted; public traffic faces the resource firewall.

use serde::Serialize;
use vnetsim_model::public_services::paired_region;
use vnetsim_model::{
    IpAddr, PrivateEndpointId, PublicNetworkAccess, Scenario, Service, ServiceId, ServiceKind, SubnetId,
};

/// How a connection reached a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    PrivateEndpoint(PrivateEndpointId),
    /// Over a service endpoint of this subnet: the private source plus the subnet's identity
    /// (S-2).
    ServiceEndpoint(SubnetId),
    /// At the public endpoint, from `source`. `same_region`: the caller is an Azure resource in
    /// the service's region, whose requests IP rules do not see (S-10).
    Public {
        source: IpAddr,
        same_region: bool,
    },
    /// Another service calling with its managed identity (S-9).
    Service(ServiceId),
}

/// Why the service accepted or refused the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Admission {
    /// S-8: private endpoint traffic needs no firewall rule.
    PrivateEndpoint,
    /// Public access enabled and nothing narrows it.
    PublicAccess,
    /// The `i`-th IP rule (selected IPs, S-9, A-7).
    IpRule(u16),
    /// The `i`-th VNet rule admits the service endpoint's subnet (S-9).
    VirtualNetworkRule(u16),
    /// The `i`-th resource instance rule names the caller (S-9).
    ResourceInstance(u16),
    /// The trusted Microsoft services bypass (S-9).
    TrustedService,
    /// `public_network_access: Disabled` refuses every public request (S-9, A-7, A-11, D-6).
    PublicAccessDisabled,
    /// Selected networks / selected IPs and no rule matched. `ignored_ip_rule`: an IP rule that
    /// covers the source but does not apply (S-10 same-region caller, S-2 service endpoint).
    NoRuleMatched { ignored_ip_rule: Option<u16> },
    /// S-5: the subnet's service endpoint policies do not list the account.
    ServiceEndpointPolicy(SubnetId),
}

impl Admission {
    pub fn allows(self) -> bool {
        matches!(
            self,
            Admission::PrivateEndpoint
                | Admission::PublicAccess
                | Admission::IpRule(_)
                | Admission::VirtualNetworkRule(_)
                | Admission::ResourceInstance(_)
                | Admission::TrustedService
        )
    }
}

/// Whether a service keeps a resource firewall (S-9, S-12).
fn has_firewall(kind: ServiceKind) -> bool {
    matches!(kind, ServiceKind::StorageAccount | ServiceKind::KeyVault | ServiceKind::ContainerRegistry)
}

fn ip_rule(s: &Service, source: IpAddr) -> Option<u16> {
    s.network_rules.ip_rules.iter().position(|p| p.contains(&source)).map(|i| i as u16)
}

/// The service's decision on a connection that arrived as `arrival`.
pub fn admit(scenario: &Scenario, id: ServiceId, arrival: Arrival) -> Admission {
    let s = scenario.service(id);
    if matches!(s.kind, ServiceKind::Microsoft | ServiceKind::InternetHost) {
        return Admission::PublicAccess;
    }
    match arrival {
        Arrival::PrivateEndpoint(_) => Admission::PrivateEndpoint,
        Arrival::ServiceEndpoint(subnet) => {
            let sn = scenario.subnet(subnet);
            let filtered = s.kind == ServiceKind::StorageAccount
                && !sn.service_endpoint_policies.is_empty()
                // S-5: only accounts in the endpoint's region and its pair are filtered.
                && (s.region == scenario.region || paired_region(&scenario.region) == Some(s.region.as_str()));
            if filtered && !sn.service_endpoint_policies.iter().any(|p| scenario.policies[p.index()].admits(id, s)) {
                return Admission::ServiceEndpointPolicy(subnet);
            }
            if s.public_network_access == PublicNetworkAccess::Disabled {
                return Admission::PublicAccessDisabled;
            }
            if !has_firewall(s.kind) || s.network_rules.default_allow {
                return Admission::PublicAccess;
            }
            // S-2: the private source never matches an IP rule; only a VNet rule admits it.
            match s.network_rules.virtual_network_rules.iter().position(|v| *v == subnet) {
                Some(i) => Admission::VirtualNetworkRule(i as u16),
                None => Admission::NoRuleMatched { ignored_ip_rule: None },
            }
        }
        Arrival::Public { source, same_region } => public(scenario, s, source, same_region),
        Arrival::Service(caller) => {
            if s.public_network_access == PublicNetworkAccess::Disabled {
                return Admission::PublicAccessDisabled;
            }
            if !has_firewall(s.kind) || s.network_rules.default_allow {
                return Admission::PublicAccess;
            }
            if let Some(i) = s.network_rules.resource_instances.iter().position(|r| *r == caller) {
                return Admission::ResourceInstance(i as u16);
            }
            if s.network_rules.trusted_services && scenario.service(caller).is_trusted_caller() {
                return Admission::TrustedService;
            }
            Admission::NoRuleMatched { ignored_ip_rule: None }
        }
    }
}

fn public(scenario: &Scenario, s: &Service, source: IpAddr, same_region: bool) -> Admission {
    match (s.kind, s.public_network_access) {
        (_, PublicNetworkAccess::Disabled) => Admission::PublicAccessDisabled,
        (ServiceKind::Workspace, PublicNetworkAccess::SelectedIps) => {
            ip_rule(s, source).map_or(Admission::NoRuleMatched { ignored_ip_rule: None }, Admission::IpRule)
        }
        // an enabled online endpoint honours its workspace's IP list, if it has one.
        (ServiceKind::OnlineEndpoint, _) => {
            let ws = s.workspace.map(|w| scenario.service(w));
            match ws.filter(|w| !w.network_rules.ip_rules.is_empty()) {
                Some(ws) => {
                    ip_rule(ws, source).map_or(Admission::NoRuleMatched { ignored_ip_rule: None }, Admission::IpRule)
                }
                None => Admission::PublicAccess,
            }
        }
        (kind, _) if has_firewall(kind) && !s.network_rules.default_allow => match ip_rule(s, source) {
            // S-10: storage IP rules have no effect on same-region Azure callers.
            Some(i) if same_region && kind == ServiceKind::StorageAccount => {
                Admission::NoRuleMatched { ignored_ip_rule: Some(i) }
            }
            Some(i) => Admission::IpRule(i),
            None => Admission::NoRuleMatched { ignored_ip_rule: None },
        },
        _ => Admission::PublicAccess,
    }
}
