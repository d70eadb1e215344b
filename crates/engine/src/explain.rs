//! Words for steps: each step becomes a report naming where it happened, the object and rule that
//! decided it, and the result. Reports are what printers (human, JSON) show, so both formats
//! carry the same content.

use crate::fabric::Fabric;
use crate::fabric::nsg::NO_MATCHING_RULE;
use crate::fabric::routes::RouteOrigin;
use crate::trace::*;
use serde::Serialize;
use vnetsim_model::{Access, Direction, NicId};

/// The object that decided a step, as scenario files name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
            Step::Route { subnet, route } => {
                let r = self.subnets[subnet.index()].routes.route(route);
                let source = r.source.name();
                let decider = self.route_decider(subnet, route);
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
                    Some(self.route_decider(subnet, route)),
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
            Step::Egress { nic, egress } => {
                let n = s.nic(nic);
                let (result, detail, decider) = match egress {
                    Egress::InstancePublicIp(ip) => ("pass", format!("leaves for the internet from instance public IP {ip} (O-1)"), Decider { kind: "nic", name: s.endpoint(n.endpoint).name.clone(), rule: None }),
                    Egress::DefaultOutboundAccess => ("pass", "leaves for the internet through default outbound access, from an implicit Microsoft-owned IP (O-3)".into(), Decider { kind: "subnet", name: s.subnet_path(n.subnet), rule: None }),
                    Egress::None => ("drop", "private subnet (default_outbound_access false) with no NAT gateway, public IP or appliance: no internet access (O-3)".into(), Decider { kind: "subnet", name: s.subnet_path(n.subnet), rule: None }),
                };
                report("egress", self.nic_label(nic), Some(decider), result, detail)
            }
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

    /// Where an NSG check happened: the NIC, or the subnet for subnet NSGs.
    fn nsg_location(&self, nic: NicId, level: NsgLevel) -> String {
        match level {
            NsgLevel::Nic => self.nic_label(nic),
            NsgLevel::Subnet => self.scenario.subnet_path(self.scenario.nic(nic).subnet),
        }
    }

    /// The object a route came from: its route table and route, the peering, or the system routes.
    fn route_decider(&self, subnet: vnetsim_model::SubnetId, route: u32) -> Decider {
        let s = &self.scenario;
        match self.subnets[subnet.index()].routes.route(route).origin {
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

    /// The object that decided a trace: the last step that dropped or denied the packet, else
    /// the last step that names an object.
    pub fn decider_of(&self, steps: &[Step]) -> Option<Decider> {
        let reports: Vec<StepReport> = steps.iter().map(|s| self.explain(s)).collect();
        let dropped = reports.iter().rev().find(|r| matches!(r.result, "drop" | "deny") && r.decided_by.is_some());
        dropped.or_else(|| reports.iter().rev().find(|r| r.decided_by.is_some())).and_then(|r| r.decided_by.clone())
    }
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
