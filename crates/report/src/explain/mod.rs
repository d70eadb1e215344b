//! Words for steps: each step becomes a report naming where it happened, the object and rule that
//! decided it, and the result, with a headline and a sentence citing the semantics rule. The
//! engine gives the typed part ([`Fabric::outcome`]); the words are made here, so both formats
//! (human, JSON) carry the same content.

mod admin;
mod devices;
mod paas;
mod reasons;

use serde::Serialize;
use vnetsim_engine::Fabric;
use vnetsim_engine::fabric::nsg::NO_MATCHING_RULE;
use vnetsim_engine::fabric::routes::RouteOrigin;
use vnetsim_engine::outcome::{Decider, StepKind, StepVerdict};
use vnetsim_engine::trace::{NsgLevel, PeeringCheck, Step, UnreachableReason};
use vnetsim_model::Direction;

pub use paas::{admission_words, arrival_words};
pub use reasons::{
    answer_word, blocked_words, cause_words, exfiltration_words, flow_reason_words, path_object_name, reason_words,
};

/// One step in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StepReport {
    pub kind: StepKind,
    /// Where it happened: a NIC (`endpoint ip`), a subnet (`vnet/subnet`), the internet.
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Decider>,
    pub result: StepVerdict,
    /// The deciding object in one line: NSG + rule + priority, route prefix + source + next hop, ...
    pub headline: String,
    /// A sentence explaining the step, citing the semantics rule.
    pub detail: String,
}

/// The report for one step.
pub fn explain(fabric: &Fabric, step: &Step) -> StepReport {
    let o = fabric.outcome(step);
    let (headline, detail) = words(fabric, step, o.decided_by.as_ref());
    let headline = headline.unwrap_or_else(|| o.decided_by.as_ref().map_or_else(String::new, headline_of));
    StepReport { kind: o.kind, at: o.at, decided_by: o.decided_by, result: o.result, headline, detail }
}

/// The sentence explaining a step (the `detail` of [`explain`]).
pub fn detail(fabric: &Fabric, step: &Step) -> String {
    words(fabric, step, fabric.decider(step).as_ref()).1
}

/// The decider with its kind, for trace headlines: `nsg web-nsg / deny-ssh`.
pub fn headline_of(d: &Decider) -> String {
    match &d.rule {
        Some(rule) => format!("{} {} / {rule}", d.kind, d.name),
        None => format!("{} {}", d.kind, d.name),
    }
}

/// A step's headline, when it is not its decider's, and its sentence.
fn words(f: &Fabric, step: &Step, decider: Option<&Decider>) -> (Option<String>, String) {
    let s = &f.scenario;
    let plain = |detail: String| (None, detail);
    match *step {
        Step::Gateway { gateway, network, inbound } => {
            let g = &s.gateways[gateway.index()];
            let net = &s.on_prem[network.index()].name;
            plain(if inbound {
                format!(
                    "from on-premises network {net} through {} gateway {} into VNet {} (H-1)",
                    g.kind,
                    g.name,
                    s.vnet(g.vnet).name
                )
            } else {
                format!("out through {} gateway {} to on-premises network {net} (R-6, R-16)", g.kind, g.name)
            })
        }
        Step::PeNsgBypassed { .. }
        | Step::PrivateEndpoint { .. }
        | Step::Service { .. }
        | Step::ForeignServiceAddress { .. }
        | Step::ServiceAnswers { .. }
        | Step::DeliveredToService { .. } => paas::words(f, step, decider),
        Step::Firewall { .. }
        | Step::Translation { .. }
        | Step::Session { .. }
        | Step::Asymmetric { .. }
        | Step::LoadBalancer { .. }
        | Step::Egress { .. } => devices::words(f, step),
        Step::AdminRule { direction, instance, rule, .. } => admin::words(f, direction, instance, rule),
        Step::PlatformExempt { .. } => {
            plain("traffic to 168.63.129.16 and 169.254.169.254 is not filtered by NSGs (N-10)".into())
        }
        Step::Nsg { direction, instance, rule, .. } if rule == NO_MATCHING_RULE => {
            let nsg = &s.nsgs[f.nsg_instance(instance).nsg.index()];
            (
                Some(format!("nsg {} no rule matched {direction}", nsg.name)),
                "no rule matches this protocol: with the TCP/UDP/ICMP reading of `Any` (N-3), not even the default deny-all does, and the packet is dropped".into(),
            )
        }
        Step::Nsg { nic, level, direction, instance, rule, .. } => {
            let nsg = &s.nsgs[f.nsg_instance(instance).nsg.index()];
            let r = &nsg.rules[rule as usize];
            let order = match (level, direction) {
                (NsgLevel::Nic, Direction::Outbound) => "NIC NSG first outbound (N-7)",
                (NsgLevel::Subnet, Direction::Outbound) => "subnet NSG after NIC NSG outbound (N-7)",
                (NsgLevel::Subnet, Direction::Inbound) => "subnet NSG first inbound (N-7)",
                (NsgLevel::Nic, Direction::Inbound) => "NIC NSG after subnet NSG inbound (N-7)",
            };
            let default = if r.is_default { ", default rule (N-5)" } else { "" };
            let default = if f.private_endpoint_of(nic).is_some() {
                format!("{default}; to a private endpoint the source port counts as * (P-8)")
            } else {
                default.to_string()
            };
            let headline =
                format!("nsg {} rule {} priority {} {direction} {}", nsg.name, r.name, r.priority, r.access);
            (
                Some(headline),
                format!(
                    "{direction} rule {}{default}; first match by priority (N-4); {order}",
                    rule_words(s, r, r.access)
                ),
            )
        }
        Step::NsgFlowState { direction, .. } => plain(format!(
            "{direction} reply allowed by the flow record the request created; rules are not evaluated (N-9)"
        )),
        Step::Route { subnet, route, private_endpoint } => {
            let r = f.route_table(subnet, private_endpoint).route(route);
            let source = r.source.name();
            let why = match r.origin {
                RouteOrigin::User { table, route: i } => {
                    match &s.route_tables[table.index()].routes[i as usize].destination {
                        vnetsim_model::RouteDestination::ServiceTag(tag) => {
                            format!("user-defined route (service tag {tag})")
                        }
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
                RouteOrigin::Gateway(g) => {
                    format!("on-premises prefix learned from gateway {} (R-6, R-16)", s.gateways[g.index()].name)
                }
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
            let by = decider.map_or_else(String::new, headline_of);
            let headline = format!("route {} -> {} source {source} ({by})", r.prefix, r.next_hop);
            (Some(headline), format!("{why}; longest prefix match, UDR > BGP > system (R-8)"))
        }
        Step::Peering { link, forwarded, check } => {
            let p = &s.peerings[link.index()];
            plain(match check {
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
                PeeringCheck::ReplyExempt => format!(
                    "a reply to a flow that `{}` opened: allow_forwarded_traffic (false on `{}`) judges new flows only (R-15, revised from deployed networks; the option forwarded_traffic_checks_replies judges replies too)",
                    s.vnet(p.local).name,
                    p.name
                ),
            })
        }
        Step::NextHopMissing { address, .. } => {
            plain(format!("no NIC holds next hop {address} in this VNet or a peered one (R-7)"))
        }
        Step::Appliance { forwarding, .. } => plain(if forwarding {
            "appliance forwards the packet and routes it again from its own subnet (R-7, R-14)".into()
        } else {
            "the NIC does not have IP forwarding enabled, so it drops packets not addressed to it (R-7)".into()
        }),
        Step::InboundNat { nic, .. } => plain(format!(
            "translated to private IP {}; inbound NSGs see the private address (N-8)",
            s.nic(nic).private_ip
        )),
        Step::DeliveredToNic { .. } => plain("delivered to the NIC".into()),
        Step::DeliveredToInternet { address } => plain(format!("delivered to internet host {address}")),
        Step::DeliveredToPlatform { .. } => plain("delivered to the Azure platform service".into()),
        Step::NoHost { address, .. } => {
            plain(format!("{address} is in the VNet's address space but no NIC holds it"))
        }
        Step::Unreachable { address, reason } => plain(match reason {
            UnreachableReason::PrivateAddressOnInternet => {
                format!("{address} is a private address; the internet does not route it")
            }
            UnreachableReason::NotAPublicIp => format!("{address} is not a public IP of any NIC in the scenario"),
            UnreachableReason::NoGatewayToOnPremises => {
                "no virtual network gateway connects this VNet and the on-premises network".to_string()
            }
            UnreachableReason::PlatformFromOnPremises => format!(
                "{address} answers only from inside a VNet; on premises cannot query Azure DNS directly (D-3)"
            ),
            UnreachableReason::NotAdvertisedToOnPremises => format!(
                "{address} is not in the gateway's VNet or a peer using it through gateway transit, so on premises has no route to it (R-16)"
            ),
            UnreachableReason::NotOnPremises => {
                format!("no on-premises network connected to the gateway holds {address}")
            }
            UnreachableReason::NatGatewayInbound => format!(
                "{address} belongs to a NAT gateway, which accepts no unsolicited inbound connection (O-2)"
            ),
            UnreachableReason::NoLoadBalancingRule(lb) => format!(
                "load balancer {} (frontend {address}) has no rule for this protocol and port, so it drops the packet",
                s.load_balancers[lb.index()].name
            ),
        }),
        Step::Loop { .. } => plain(
            "the packet came back to an appliance it already passed, or passed more appliances than the hop limit: routing loop (R-17)".into(),
        ),
        Step::PathDiverges { seen_by_request, .. } => plain(if seen_by_request {
            "the request passed this appliance but the reply does not: asymmetric path (a stateful appliance would drop it, F-15)".into()
        } else {
            "the reply passes this appliance but the request did not: asymmetric path (a stateful appliance would drop it, F-15)".into()
        }),
        Step::AsymmetricReturn { expected, .. } => plain(format!(
            "the request came in on public IP {expected} but the reply leaves from here, so the client drops it (R-11, A-6)"
        )),
    }
}

/// A rule's name, priority, `access` and match fields: `deny-ssh priority 100 deny tcp *:* -> *:22`.
fn rule_words(s: &vnetsim_model::Scenario, r: &vnetsim_model::NsgRule, access: impl std::fmt::Display) -> String {
    format!(
        "{} priority {} {access} {} {}:{} -> {}:{}",
        r.name,
        r.priority,
        r.protocol,
        describe_addresses(s, &r.source),
        r.source_ports,
        describe_addresses(s, &r.destination),
        r.destination_ports
    )
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
