//! Words for steps: each step becomes a report naming where it happened, the object and rule that
//! decided it, and the result. Reports are what printers (human, JSON) show, so both formats
//! carry the same content.

mod devices;

use crate::fabric::Fabric;
use crate::fabric::nsg::NO_MATCHING_RULE;
use crate::fabric::routes::RouteOrigin;
use crate::service::{Admission, Arrival};
use crate::trace::*;
use serde::Serialize;
use vnetsim_model::{Access, Direction, NicId};

/// The object that decided a step, as scenario files name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Decider {
    /// `nsg`, `route_table`, `system_routes`, `peering`, `nic`, `subnet`, `vnet`, `platform`.
    pub kind: &'static str,
    pub name: String,
    /// The rule or route inside the object, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Decider {
    /// Whether an expectation's `by:` names this decider: `object` or `object/rule`.
    pub fn matches(&self, by: &str) -> bool {
        by == self.name
            || self.rule.as_ref().is_some_and(|r| by.strip_prefix(self.name.as_str()) == Some(&format!("/{r}")))
    }

    /// The decider with its kind, for trace headlines: `nsg web-nsg / deny-ssh`.
    pub fn headline(&self) -> String {
        match &self.rule {
            Some(rule) => format!("{} {} / {rule}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// The form an expectation's `by:` uses: `object` or `object/rule`.
impl std::fmt::Display for Decider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "{}/{rule}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// What kind of step: `nsg`, `flow_state`, `route`, `peering`, `appliance`, `inbound_nat`,
    /// `egress`, `delivered`, `no_host`, `unreachable`, `next_hop_missing`, `loop`,
    /// `platform_exempt`, `path_diverges`, `asymmetric_return`.
    pub kind: &'static str,
    /// Where it happened: a NIC (`endpoint ip`), a subnet (`vnet/subnet`), the internet.
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Decider>,
    /// `allow`, `deny`, `pass`, `drop` or `deliver`.
    pub result: &'static str,
    /// The deciding object in one line: NSG + rule + priority, route prefix + source + next hop, ...
    pub headline: String,
    /// A sentence explaining the step, citing the semantics rule.
    pub detail: String,
}

impl Fabric {
    fn nic_label(&self, nic: NicId) -> String {
        let n = self.scenario.nic(nic);
        format!("{} {}", self.scenario.node_name(n.endpoint, n.node), n.private_ip)
    }

    /// The report for one step.
    pub fn explain(&self, step: &Step) -> StepReport {
        let s = &self.scenario;
        let report = |kind, at: String, decided_by: Option<Decider>, result, detail: String| {
            let headline = decided_by.as_ref().map_or_else(String::new, Decider::headline);
            StepReport { kind, at, decided_by, result, headline, detail }
        };
        match *step {
            Step::Gateway { gateway, network, inbound } => {
                let g = &s.gateways[gateway.index()];
                let net = &s.on_prem[network.index()].name;
                let detail = if inbound {
                    format!("from on-premises network {net} through {} gateway {} into VNet {} (H-1)", g.kind, g.name, s.vnet(g.vnet).name)
                } else {
                    format!("out through {} gateway {} to on-premises network {net} (R-6, R-16)", g.kind, g.name)
                };
                report(
                    "gateway",
                    self.nic_label(g.nic),
                    Some(Decider { kind: "gateway", name: g.name.clone(), rule: None }),
                    if inbound { "pass" } else { "deliver" },
                    detail,
                )
            }
            Step::PeNsgBypassed { .. }
            | Step::PrivateEndpoint { .. }
            | Step::Service { .. }
            | Step::ForeignServiceAddress { .. }
            | Step::ServiceAnswers { .. }
            | Step::DeliveredToService { .. } => self.explain_paas(step),
            Step::Firewall { .. }
            | Step::Translation { .. }
            | Step::Session { .. }
            | Step::Asymmetric { .. }
            | Step::LoadBalancer { .. }
            | Step::Egress { .. } => self.explain_device(step),
            Step::PlatformExempt { nic } => report(
                "platform_exempt",
                self.nic_label(nic),
                Some(Decider { kind: "platform", name: "azure-platform".into(), rule: None }),
                "pass",
                "traffic to 168.63.129.16 and 169.254.169.254 is not filtered by NSGs (N-10)".into(),
            ),
            Step::Nsg { nic, level, direction, instance, rule, .. } if rule == NO_MATCHING_RULE => {
                let nsg = &s.nsgs[self.nsg_instance(instance).nsg.index()];
                let at = self.nsg_location(nic, level);
                with_headline(
                    format!("nsg {} no rule matched {direction}", nsg.name),
                    report(
                        "nsg",
                        at,
                        Some(Decider { kind: "nsg", name: nsg.name.clone(), rule: None }),
                        "deny",
                        "no rule matches this protocol: with the TCP/UDP/ICMP reading of `Any` (N-3), not even the default deny-all does, and the packet is dropped".into(),
                    ),
                )
            }
            Step::Nsg { nic, level, direction, instance, rule, access } => {
                let nsg = &s.nsgs[self.nsg_instance(instance).nsg.index()];
                let r = &nsg.rules[rule as usize];
                let (at, order) = match (level, direction) {
                    (NsgLevel::Nic, Direction::Outbound) => (self.nic_label(nic), "NIC NSG first outbound (N-7)"),
                    (NsgLevel::Subnet, Direction::Outbound) => {
                        (s.subnet_path(s.nic(nic).subnet), "subnet NSG after NIC NSG outbound (N-7)")
                    }
                    (NsgLevel::Subnet, Direction::Inbound) => {
                        (s.subnet_path(s.nic(nic).subnet), "subnet NSG first inbound (N-7)")
                    }
                    (NsgLevel::Nic, Direction::Inbound) => {
                        (self.nic_label(nic), "NIC NSG after subnet NSG inbound (N-7)")
                    }
                };
                let default = if r.is_default { ", default rule (N-5)" } else { "" };
                let default = if self.private_endpoint_of(nic).is_some() {
                    format!("{default}; to a private endpoint the source port counts as * (P-8)")
                } else {
                    default.to_string()
                };
                let headline =
                    format!("nsg {} rule {} priority {} {direction} {}", nsg.name, r.name, r.priority, r.access);
                with_headline(
                    headline,
                    report(
                        "nsg",
                        at,
                        Some(Decider { kind: "nsg", name: nsg.name.clone(), rule: Some(r.name.clone()) }),
                        if access == Access::Allow { "allow" } else { "deny" },
                        format!(
                            "{direction} rule {} priority {} {} {} {}:{} -> {}:{}{default}; first match by priority (N-4); {order}",
                            r.name,
                            r.priority,
                            r.access,
                            r.protocol,
                            describe_addresses(s, &r.source),
                            r.source_ports,
                            describe_addresses(s, &r.destination),
                            r.destination_ports
                        ),
                    ),
                )
            }
            Step::NsgFlowState { nic, level, direction, instance } => {
                let nsg = &s.nsgs[self.nsg_instance(instance).nsg.index()];
                let at = self.nsg_location(nic, level);
                report(
                    "flow_state",
                    at,
                    Some(Decider { kind: "nsg", name: nsg.name.clone(), rule: None }),
                    "allow",
                    format!(
                        "{direction} reply allowed by the flow record the request created; rules are not evaluated (N-9)"
                    ),
                )
            }
            Step::Route { subnet, route, private_endpoint } => {
                let r = self.route_table(subnet, private_endpoint).route(route);
                let source = r.source.name();
                let decider = self.route_decider(subnet, route, private_endpoint);
                let why = match r.origin {
                    RouteOrigin::User { table, route: i } => {
                        match &s.route_tables[table.index()].routes[i as usize].destination {
                            vnetsim_model::RouteDestination::ServiceTag(tag) => format!("user-defined route (service tag {tag})"),
                            vnetsim_model::RouteDestination::Prefix(_) => "user-defined route".to_string(),
                        }
                    }
                    RouteOrigin::Peering(_) => "peered VNet address space (R-6)".into(),
                    RouteOrigin::AddressSpace => "VNet address space (R-2)".into(),
                    RouteOrigin::DefaultInternet => "default route (R-2)".into(),
                    RouteOrigin::ReservedRange => "reserved private range (R-2); next hop None drops (R-4)".into(),
                    RouteOrigin::PrivateEndpoint(pe) => {
                        format!("private endpoint {} /32 (R-13)", s.private_endpoint(pe).name)
                    }
                    RouteOrigin::Gateway(g) => format!(
                        "on-premises prefix learned from gateway {} (R-6, R-16)",
                        s.gateways[g.index()].name
                    ),
                    RouteOrigin::ServiceEndpoint(k) => format!(
                        "service endpoint {} of the subnet: the service's tag prefixes (R-6, R-12)",
                        s.subnet(subnet).service_endpoints[k as usize]
                    ),
                };
                let why = if private_endpoint {
                    format!("{why}; the table of private endpoints, without the subnet's UDRs (P-6, P-9)")
                } else {
                    why
                };
                let dropped = r.next_hop == vnetsim_model::NextHop::None;
                let headline = format!("route {} -> {} source {source} ({})", r.prefix, r.next_hop, decider.headline());
                with_headline(
                    headline,
                    report(
                        "route",
                        s.subnet_path(subnet),
                        Some(decider),
                        if dropped { "drop" } else { "pass" },
                        format!("{why}; longest prefix match, UDR > BGP > system (R-8)"),
                    ),
                )
            }
            Step::Peering { link, forwarded, check } => {
                let p = &s.peerings[link.index()];
                let detail = match check {
                    PeeringCheck::Passed if forwarded => {
                        "forwarded traffic accepted: allow_forwarded_traffic is true (R-15)".to_string()
                    }
                    PeeringCheck::Passed => "peering connected and access allowed (R-15)".to_string(),
                    PeeringCheck::NotConnected => format!(
                        "peering is Initiated: `{}` has no peering back to `{}`, so no traffic flows (R-15)",
                        s.vnet(p.remote).name,
                        s.vnet(p.local).name
                    ),
                    PeeringCheck::AccessDisabled => {
                        "allow_virtual_network_access is false: no traffic flows between the VNets (R-15)".to_string()
                    }
                    PeeringCheck::ForwardedTrafficRefused => format!(
                        "the packet was forwarded by an appliance (source outside `{}`) and allow_forwarded_traffic is false on `{}` (R-15)",
                        s.vnet(p.remote).name,
                        p.name
                    ),
                };
                report(
                    "peering",
                    format!("{} <-> {}", s.vnet(p.local).name, s.vnet(p.remote).name),
                    Some(Decider { kind: "peering", name: p.name.clone(), rule: None }),
                    if check == PeeringCheck::Passed { "pass" } else { "drop" },
                    detail,
                )
            }
            Step::NextHopMissing { subnet, route, address } => {
                report(
                    "next_hop_missing",
                    s.subnet_path(subnet),
                    Some(self.route_decider(subnet, route, false)),
                    "drop",
                    format!("no NIC holds next hop {address} in this VNet or a peered one (R-7)"),
                )
            }
            Step::Appliance { nic, forwarding } => report(
                "appliance",
                self.nic_label(nic),
                Some(Decider { kind: "nic", name: s.endpoint(s.nic(nic).endpoint).name.clone(), rule: None }),
                if forwarding { "pass" } else { "drop" },
                if forwarding {
                    "appliance forwards the packet and routes it again from its own subnet (R-7, R-14)".into()
                } else {
                    "the NIC does not have IP forwarding enabled, so it drops packets not addressed to it (R-7)".into()
                },
            ),
            Step::InboundNat { nic, public } => report(
                "inbound_nat",
                format!("public IP {public}"),
                Some(Decider { kind: "nic", name: s.endpoint(s.nic(nic).endpoint).name.clone(), rule: None }),
                "pass",
                format!(
                    "translated to private IP {}; inbound NSGs see the private address (N-8)",
                    s.nic(nic).private_ip
                ),
            ),
            Step::DeliveredToNic { nic } => {
                report("delivered", self.nic_label(nic), None, "deliver", "delivered to the NIC".into())
            }
            Step::DeliveredToInternet { address } => {
                report("delivered", "internet".into(), None, "deliver", format!("delivered to internet host {address}"))
            }
            Step::DeliveredToPlatform { address } => report(
                "delivered",
                format!("platform {address}"),
                None,
                "deliver",
                "delivered to the Azure platform service".into(),
            ),
            Step::NoHost { vnet, address } => report(
                "no_host",
                s.vnet(vnet).name.clone(),
                Some(Decider { kind: "vnet", name: s.vnet(vnet).name.clone(), rule: None }),
                "drop",
                format!("{address} is in the VNet's address space but no NIC holds it"),
            ),
            Step::Unreachable { address, reason } => {
                let detail = match reason {
                    UnreachableReason::PrivateAddressOnInternet => {
                        format!("{address} is a private address; the internet does not route it")
                    }
                    UnreachableReason::NotAPublicIp => {
                        format!("{address} is not a public IP of any NIC in the scenario")
                    }
                    UnreachableReason::NoGatewayToOnPremises => {
                        "no virtual network gateway connects this VNet and the on-premises network".to_string()
                    }
                    UnreachableReason::PlatformFromOnPremises => {
                        format!("{address} answers only from inside a VNet; on premises cannot query Azure DNS directly (D-3)")
                    }
                    UnreachableReason::NotAdvertisedToOnPremises => format!(
                        "{address} is not in the gateway's VNet or a peer using it through gateway transit, so on premises has no route to it (R-16)"
                    ),
                    UnreachableReason::NotOnPremises => {
                        format!("no on-premises network connected to the gateway holds {address}")
                    }
                    UnreachableReason::NatGatewayInbound => format!(
                        "{address} belongs to a NAT gateway, which accepts no unsolicited inbound connection (O-2)"
                    ),
                    UnreachableReason::NoLoadBalancingRule => {
                        format!("load balancer frontend {address} has no rule for this protocol and port")
                    }
                };
                report("unreachable", address.to_string(), None, "drop", detail)
            }
            Step::Loop { nic } => report(
                "loop",
                self.nic_label(nic),
                Some(Decider { kind: "nic", name: s.endpoint(s.nic(nic).endpoint).name.clone(), rule: None }),
                "drop",
                "the packet came back to an appliance it already passed, or passed more appliances than the hop limit: routing loop (R-17)".into(),
            ),
            Step::PathDiverges { nic, seen_by_request } => report(
                "path_diverges",
                self.nic_label(nic),
                Some(Decider { kind: "nic", name: s.endpoint(s.nic(nic).endpoint).name.clone(), rule: None }),
                "pass",
                if seen_by_request {
                    "the request passed this appliance but the reply does not: asymmetric path (a stateful appliance would drop it, F-15)".into()
                } else {
                    "the reply passes this appliance but the request did not: asymmetric path (a stateful appliance would drop it, F-15)".into()
                },
            ),
            Step::AsymmetricReturn { expected, actual } => report(
                "asymmetric_return",
                self.nic_label(actual),
                Some(Decider { kind: "nic", name: s.endpoint(s.nic(actual).endpoint).name.clone(), rule: None }),
                "drop",
                format!(
                    "the request came in on public IP {expected} but the reply leaves from here, so the client drops it (R-11, A-6)"
                ),
            ),
        }
    }

    /// Words for the steps of private endpoints and services.
    fn explain_paas(&self, step: &Step) -> StepReport {
        let s = &self.scenario;
        let plain = |kind, at: String, decided_by: Option<Decider>, result, headline: String, detail: String| {
            StepReport { kind, at, decided_by, result, headline, detail }
        };
        match *step {
            Step::PeNsgBypassed { nic, instance } => {
                let subnet = s.nic(nic).subnet;
                let nsg = &s.nsgs[self.nsg_instance(instance).nsg.index()].name;
                let decider = Decider {
                    kind: "subnet",
                    name: s.subnet_path(subnet),
                    rule: Some("private_endpoint_network_policies".into()),
                };
                plain(
                    "pe_network_policy",
                    s.subnet_path(subnet),
                    Some(decider),
                    "pass",
                    format!(
                        "subnet {} private_endpoint_network_policies {:?}",
                        s.subnet_path(subnet),
                        s.subnet(subnet).private_endpoint_network_policies
                    ),
                    format!(
                        "these network policies leave the NSG out for private endpoints, so NSG {nsg} does not filter traffic to them (P-6)"
                    ),
                )
            }
            Step::PrivateEndpoint { pe, check } => {
                let p = s.private_endpoint(pe);
                let target = &s.service(p.target).name;
                let (result, detail) = match check {
                    PeCheck::Passed => ("pass", format!("connection Approved; leads to {target} subresource {} (P-3, P-4)", p.subresource)),
                    PeCheck::NotApproved => ("drop", format!("connection state is {}: only Approved private endpoint connections pass traffic (P-3)", p.state.name())),
                    PeCheck::ProtocolNotSupported => ("drop", "private endpoints carry TCP only (P-10, a third-party reading; turn off the pe_tcp_only option to let other protocols through)".into()),
                };
                let decider = Decider { kind: "private_endpoint", name: p.name.clone(), rule: None };
                let headline = format!("private endpoint {} -> {target}/{} {}", p.name, p.subresource, p.state.name());
                plain("private_endpoint", self.nic_label(p.nic), Some(decider), result, headline, detail)
            }
            Step::Service { service, arrival, admission } => {
                let svc = s.service(service);
                let (decider, detail) = self.admission_words(svc, arrival, admission);
                let result = if admission.allows() { "allow" } else { "deny" };
                let headline =
                    format!("{} {}", decider.headline(), if admission.allows() { "accepts" } else { "refuses" });
                let detail = format!("{}; {detail}", self.arrival_words(arrival));
                plain("service", format!("{} ({})", svc.name, svc.kind), Some(decider), result, headline, detail)
            }
            Step::ForeignServiceAddress { address, subnet } => plain(
                "delivered",
                address.to_string(),
                None,
                "deliver",
                String::new(),
                format!(
                    "an Azure service address that no service of the scenario holds, reached over the service endpoint of {}",
                    s.subnet_path(subnet)
                ),
            ),
            Step::ServiceAnswers { service } => plain(
                "service_answers",
                s.service(service).name.clone(),
                None,
                "pass",
                String::new(),
                format!("{} answers the request", s.service(service).name),
            ),
            Step::DeliveredToService { service } => plain(
                "delivered",
                s.service(service).name.clone(),
                None,
                "deliver",
                String::new(),
                format!("delivered back to {}", s.service(service).name),
            ),
            // Only the steps above are routed here.
            other => plain("step", String::new(), None, "pass", String::new(), format!("{other:?}")),
        }
    }

    fn arrival_words(&self, arrival: Arrival) -> String {
        let s = &self.scenario;
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

    /// The object behind a service's decision, and why.
    fn admission_words(
        &self,
        svc: &vnetsim_model::Service,
        arrival: Arrival,
        admission: Admission,
    ) -> (Decider, String) {
        let s = &self.scenario;
        let rules = &svc.network_rules;
        let by = |rule: &str| Decider { kind: "service", name: svc.name.clone(), rule: Some(rule.to_string()) };
        match admission {
            Admission::PrivateEndpoint => (
                Decider { kind: "service", name: svc.name.clone(), rule: Some("private_endpoint".into()) },
                "private endpoint traffic needs no firewall rule (S-8)".into(),
            ),
            Admission::PublicAccess => (
                by("public_network_access"),
                format!("public network access {} and no rule narrows it", svc.public_network_access.name()),
            ),
            Admission::IpRule(i) => {
                let cite = match svc.kind {
                    vnetsim_model::ServiceKind::Workspace | vnetsim_model::ServiceKind::OnlineEndpoint => "A-7, A-12",
                    _ => "S-9, S-12",
                };
                (by("ip_rules"), format!("IP rule {} matches the source ({cite})", rules.ip_rules[i as usize]))
            }
            Admission::VirtualNetworkRule(i) => (
                by("virtual_network_rules"),
                format!("VNet rule for {} admits the service endpoint traffic (S-9)", s.subnet_path(rules.virtual_network_rules[i as usize])),
            ),
            Admission::ResourceInstance(i) => (
                by("resource_instances"),
                format!("resource instance rule for {} admits the caller (S-9)", s.service(rules.resource_instances[i as usize]).name),
            ),
            Admission::TrustedService => (by("trusted_services"), "the trusted Microsoft services bypass admits the caller (S-9)".into()),
            Admission::PublicAccessDisabled => (
                by("public_network_access"),
                "public network access is Disabled: every request to the public endpoint is refused, whatever the network rules (S-9, A-7, D-6)".into(),
            ),
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
                let rule = if matches!(svc.kind, vnetsim_model::ServiceKind::Workspace | vnetsim_model::ServiceKind::OnlineEndpoint) { "ip_rules" } else { "default_action" };
                (by(rule), why)
            }
            Admission::ServiceEndpointPolicy(subnet) => {
                let policies: Vec<&str> = s.subnet(subnet).service_endpoint_policies.iter().map(|p| s.policies[p.index()].name.as_str()).collect();
                (
                    Decider { kind: "service_endpoint_policy", name: policies.first().copied().unwrap_or_default().to_string(), rule: None },
                    format!("service endpoint policies {} on {} do not list {} (S-5, S-6)", policies.join(", "), s.subnet_path(subnet), svc.name),
                )
            }
        }
    }

    /// Where an NSG check happened: the NIC, or the subnet for subnet NSGs.
    fn nsg_location(&self, nic: NicId, level: NsgLevel) -> String {
        match level {
            NsgLevel::Nic => self.nic_label(nic),
            NsgLevel::Subnet => self.scenario.subnet_path(self.scenario.nic(nic).subnet),
        }
    }

    /// The object a route came from: its route table and route, the peering, or the system routes.
    fn route_decider(&self, subnet: vnetsim_model::SubnetId, route: u32, private_endpoint: bool) -> Decider {
        let s = &self.scenario;
        match self.route_table(subnet, private_endpoint).route(route).origin {
            RouteOrigin::PrivateEndpoint(pe) => {
                Decider { kind: "private_endpoint", name: s.private_endpoint(pe).name.clone(), rule: None }
            }
            RouteOrigin::Gateway(g) => {
                Decider { kind: "gateway", name: s.gateways[g.index()].name.clone(), rule: None }
            }
            RouteOrigin::ServiceEndpoint(k) => Decider {
                kind: "service_endpoint",
                name: s.subnet_path(subnet),
                rule: Some(s.subnet(subnet).service_endpoints[k as usize].clone()),
            },
            RouteOrigin::User { table, route: i } => {
                let t = &s.route_tables[table.index()];
                Decider { kind: "route_table", name: t.name.clone(), rule: Some(t.routes[i as usize].name.clone()) }
            }
            RouteOrigin::Peering(p) => {
                Decider { kind: "peering", name: s.peerings[p.index()].name.clone(), rule: None }
            }
            _ => system_routes(s, subnet),
        }
    }

    /// The step that decided a trace: the last step that dropped or denied the packet, else
    /// the last step that names an object.
    pub fn deciding_step(&self, steps: &[Step]) -> Option<StepReport> {
        let at = deciding_index(steps, |step| self.judge(step))?;
        Some(self.explain(&steps[at]))
    }

    /// Whether a step names an object and, if so, whether it dropped or denied the packet: what
    /// [`deciding_index`] asks of each step.
    pub fn judge(&self, step: &Step) -> Option<bool> {
        let r = self.explain(step);
        r.decided_by.is_some().then_some(matches!(r.result, "drop" | "deny"))
    }

    /// The object of [`Fabric::deciding_step`].
    pub fn decider_of(&self, steps: &[Step]) -> Option<Decider> {
        self.deciding_step(steps).and_then(|r| r.decided_by)
    }
}

/// The index of the step that decides a trace: the last that names an object and dropped or
/// denied the packet, else the last that names an object. `judge` answers [`Fabric::judge`]'s
/// question (batch replays answer it from a memo).
pub fn deciding_index(steps: &[Step], mut judge: impl FnMut(&Step) -> Option<bool>) -> Option<usize> {
    let mut named = None;
    for (i, step) in steps.iter().enumerate().rev() {
        match judge(step) {
            Some(true) => return Some(i),
            Some(false) if named.is_none() => named = Some(i),
            _ => {}
        }
    }
    named
}

fn with_headline(headline: String, mut report: StepReport) -> StepReport {
    report.headline = headline;
    report
}

fn system_routes(s: &vnetsim_model::Scenario, subnet: vnetsim_model::SubnetId) -> Decider {
    Decider { kind: "system_routes", name: format!("system routes of {}", s.subnet_path(subnet)), rule: None }
}

fn describe_addresses(s: &vnetsim_model::Scenario, m: &vnetsim_model::AddressMatch) -> String {
    use vnetsim_model::AddressMatch;
    match m {
        AddressMatch::Any => "*".into(),
        AddressMatch::Prefixes(p) => p.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        AddressMatch::ServiceTag(t) => t.clone(),
        AddressMatch::Asg(a) => format!("asg:{}", s.asgs[a.index()]),
    }
}
