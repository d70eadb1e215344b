//! Words for the steps of private endpoints and services (P-, S- rules).

use super::headline_of;
use vnetsim_engine::Fabric;
use vnetsim_engine::outcome::Decider;
use vnetsim_engine::service::{Admission, Arrival};
use vnetsim_engine::trace::{PeCheck, Step};

/// A PaaS step's headline (when not its decider's) and sentence; only the steps matched in
/// [`super::words`] come here.
pub(super) fn words(f: &Fabric, step: &Step, decider: Option<&Decider>) -> (Option<String>, String) {
    let s = &f.scenario;
    match *step {
        Step::PeNsgBypassed { nic, instance } => {
            let subnet = s.nic(nic).subnet;
            let nsg = &s.nsgs[f.nsg_instance(instance).nsg.index()].name;
            (
                Some(format!(
                    "subnet {} private_endpoint_network_policies {:?}",
                    s.subnet_path(subnet),
                    s.subnet(subnet).private_endpoint_network_policies
                )),
                format!(
                    "these network policies leave the NSG out for private endpoints, so NSG {nsg} does not filter traffic to them (P-6)"
                ),
            )
        }
        Step::PrivateEndpoint { pe, check } => {
            let p = s.private_endpoint(pe);
            let target = &s.service(p.target).name;
            let detail = match check {
                PeCheck::Passed => {
                    format!("connection Approved; leads to {target} subresource {} (P-3, P-4)", p.subresource)
                }
                PeCheck::NotApproved => format!(
                    "connection state is {}: only Approved private endpoint connections pass traffic (P-3)",
                    p.state.name()
                ),
                PeCheck::ProtocolNotSupported => "private endpoints carry TCP only (P-10, a third-party reading; turn off the pe_tcp_only option to let other protocols through)".into(),
            };
            let headline = format!("private endpoint {} -> {target}/{} {}", p.name, p.subresource, p.state.name());
            (Some(headline), detail)
        }
        Step::Service { service, arrival, admission } => {
            let by = decider.map_or_else(String::new, headline_of);
            let headline = format!("{by} {}", if admission.allows() { "accepts" } else { "refuses" });
            let detail = format!("{}; {}", arrival_words(f, arrival), admission_words(f, service, arrival, admission));
            (Some(headline), detail)
        }
        Step::ForeignServiceAddress { subnet, .. } => (
            Some(String::new()),
            format!(
                "an Azure service address that no service of the scenario holds, reached over the service endpoint of {}",
                s.subnet_path(subnet)
            ),
        ),
        Step::ServiceAnswers { service } => {
            (Some(String::new()), format!("{} answers the request", s.service(service).name))
        }
        Step::DeliveredToService { service } => {
            (Some(String::new()), format!("delivered back to {}", s.service(service).name))
        }
        // Only the steps above are routed here.
        other => (Some(String::new()), format!("{other:?}")),
    }
}

/// How a request reached a service.
pub fn arrival_words(f: &Fabric, arrival: Arrival) -> String {
    let s = &f.scenario;
    match arrival {
        Arrival::PrivateEndpoint(pe) => format!("through private endpoint {}", s.private_endpoint(pe).name),
        Arrival::ServiceEndpoint(subnet) => format!(
            "over the service endpoint of {}: the service sees the private source and the subnet (S-2)",
            s.subnet_path(subnet)
        ),
        Arrival::Public { source, same_region: true } => {
            format!("at the public endpoint from {source}, an Azure caller in the service's region")
        }
        Arrival::Public { source, same_region: false } => format!("at the public endpoint from {source}"),
        Arrival::Service(caller) => format!("from {} with its managed identity", s.service(caller).name),
    }
}

/// Why a service admitted or refused a request (the object is [`Fabric::admission_decider`]).
pub fn admission_words(
    f: &Fabric,
    service: vnetsim_model::ServiceId,
    arrival: Arrival,
    admission: Admission,
) -> String {
    let s = &f.scenario;
    let svc = s.service(service);
    let rules = &svc.network_rules;
    match admission {
        Admission::PrivateEndpoint => "private endpoint traffic needs no firewall rule (S-8)".into(),
        Admission::PublicAccess => {
            format!("public network access {} and no rule narrows it", svc.public_network_access.name())
        }
        Admission::IpRule(i) => {
            let cite = match svc.kind {
                vnetsim_model::ServiceKind::Workspace | vnetsim_model::ServiceKind::OnlineEndpoint => "A-7, A-12",
                _ => "S-9, S-12",
            };
            format!("IP rule {} matches the source ({cite})", rules.ip_rules[i as usize])
        }
        Admission::VirtualNetworkRule(i) => format!(
            "VNet rule for {} admits the service endpoint traffic (S-9)",
            s.subnet_path(rules.virtual_network_rules[i as usize])
        ),
        Admission::ResourceInstance(i) => format!(
            "resource instance rule for {} admits the caller (S-9)",
            s.service(rules.resource_instances[i as usize]).name
        ),
        Admission::TrustedService => "the trusted Microsoft services bypass admits the caller (S-9)".into(),
        Admission::PublicAccessDisabled => "public network access is Disabled: every request to the public endpoint is refused, whatever the network rules (S-9, A-7, D-6)".into(),
        Admission::NoRuleMatched { ignored_ip_rule } => {
            let mut why = match (svc.kind, arrival) {
                (vnetsim_model::ServiceKind::Workspace, _) | (vnetsim_model::ServiceKind::OnlineEndpoint, _) => {
                    "public access is limited to selected IPs and none matches the source (A-7, A-12)".to_string()
                }
                (_, Arrival::ServiceEndpoint(_)) => "default action Deny and no VNet rule names the subnet; IP rules never match service endpoint traffic (S-2, S-9)".to_string(),
                (_, Arrival::Service(_)) => "default action Deny and neither a resource instance rule nor the trusted services bypass admits the caller (S-9)".to_string(),
                _ => "default action Deny and no network rule matches the source (S-9)".to_string(),
            };
            if let Some(i) = ignored_ip_rule {
                why.push_str(&format!(
                    "; IP rule {} covers the source but has no effect on callers in the account's own region (S-10)",
                    rules.ip_rules[i as usize]
                ));
            }
            why
        }
        Admission::ServiceEndpointPolicy(subnet) => {
            let policies: Vec<&str> = s
                .subnet(subnet)
                .service_endpoint_policies
                .iter()
                .map(|p| s.policies[p.index()].name.as_str())
                .collect();
            format!(
                "service endpoint policies {} on {} do not list {} (S-5, S-6)",
                policies.join(", "),
                s.subnet_path(subnet),
                svc.name
            )
        }
    }
}
