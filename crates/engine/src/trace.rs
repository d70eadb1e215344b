//! Traces: the steps a packet took, each naming what decided it, and one final disposition.
//!
//! Steps are small `Copy` values holding ids; [`crate::outcome`] says what each did, and printers
//! turn them into words. A walk writes steps into a [`TraceSink`]: [`Recorder`] keeps them,
//! [`NoTrace`] drops them so batch replays pay nothing for explanations they do not print.

use crate::fabric::NsgInstance;
use crate::fabric::admin::AdminInstance;
use crate::fabric::firewall::FirewallDecision;
use crate::service::{Admission, Arrival};
use serde::Serialize;
use smallvec::SmallVec;
use vnetsim_model::{
    Access, Direction, FirewallId, GatewayId, IpAddr, LoadBalancerId, NatGatewayId, NicId, OnPremId, PeeringId,
    PrivateEndpointId, ServiceId, SubnetId, VnetId,
};

/// The final fate of a packet: a small fixed set, as Batfish does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Delivered,
    DeniedByNsg,
    /// A security admin rule with action Deny (N-16).
    DeniedByAdminRule,
    /// Next hop `None`.
    NullRoute,
    NoRoute,
    /// A peering that is not connected, disallows access, or refuses forwarded traffic.
    PeeringBlocked,
    /// A VirtualAppliance next hop that no NIC holds, is out of reach, or does not forward.
    NextHopUnreachable,
    /// The destination address is in a VNet but no NIC holds it.
    NoHost,
    /// Internet-bound traffic from a subnet with no outbound method (O-3).
    NoOutboundAccess,
    /// The address cannot be reached from where the packet is (e.g. a private address from the
    /// internet, or an on-premises network with no gateway).
    Unreachable,
    Loop,
    /// The reply left by a different path than the request came in on, or a stateful device saw
    /// one direction of the flow only (F-15, P-9).
    AsymmetricDrop,
    /// An Azure Firewall denied the flow: a deny rule, or no rule matched (F-1).
    DeniedByFirewall,
    /// The service refused the connection: public access disabled, no firewall rule matched, or
    /// a service endpoint policy (S-5, S-8..S-12).
    DeniedByService,
    /// A private endpoint whose connection is not Approved (P-3), or a protocol it does not
    /// carry (P-10).
    PrivateEndpointRefused,
    /// No DNS server answered: a query or forward could not get through (D-5).
    DnsFailed,
    /// The name does not exist where it was resolved (D-5 step 4, D-9).
    NxDomain,
}

impl Disposition {
    pub fn is_delivered(self) -> bool {
        self == Disposition::Delivered
    }

    pub fn name(self) -> &'static str {
        match self {
            Disposition::Delivered => "delivered",
            Disposition::DeniedByNsg => "denied_by_nsg",
            Disposition::DeniedByAdminRule => "denied_by_admin_rule",
            Disposition::NullRoute => "null_route",
            Disposition::NoRoute => "no_route",
            Disposition::PeeringBlocked => "peering_blocked",
            Disposition::NextHopUnreachable => "next_hop_unreachable",
            Disposition::NoHost => "no_host",
            Disposition::NoOutboundAccess => "no_outbound_access",
            Disposition::Unreachable => "unreachable",
            Disposition::Loop => "loop",
            Disposition::AsymmetricDrop => "asymmetric_drop",
            Disposition::DeniedByFirewall => "denied_by_firewall",
            Disposition::DeniedByService => "denied_by_service",
            Disposition::PrivateEndpointRefused => "private_endpoint_refused",
            Disposition::DnsFailed => "dns_failed",
            Disposition::NxDomain => "nxdomain",
        }
    }
}

/// Which NSG of a NIC: the one on its subnet or the one on the NIC itself (N-6, N-7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NsgLevel {
    Subnet,
    Nic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeeringCheck {
    Passed,
    /// only one side of the peering exists (`Initiated`).
    NotConnected,
    /// `allow_virtual_network_access` is false on one side.
    AccessDisabled,
    /// forwarded traffic and the receiving side's `allow_forwarded_traffic` is false.
    ForwardedTrafficRefused,
    /// R-15 ([FIELD]): forwarded, and the flag is false, but the packet is the reply of a flow
    /// a NIC of the receiving VNet opened, which the flag does not judge.
    ReplyExempt,
}

impl PeeringCheck {
    /// Whether the packet crosses the peering.
    pub fn passes(self) -> bool {
        matches!(self, PeeringCheck::Passed | PeeringCheck::ReplyExempt)
    }
}

/// How a packet leaves for the internet, in the precedence of O-1 (a UDR to an appliance or
/// gateway comes first and is a route, not an egress).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Egress {
    /// A firewall leaves from its public IP (F-12), or its subnet's NAT gateway (F-16).
    Firewall(FirewallId, IpAddr),
    NatGateway(NatGatewayId, IpAddr),
    InstancePublicIp(IpAddr),
    /// Outbound rules of a public load balancer the endpoint is a backend of.
    LoadBalancer(LoadBalancerId, IpAddr),
    DefaultOutboundAccess,
    /// The reply of a flow that came in from the internet, from the public IP it came in on.
    Return(IpAddr),
    /// O-3: a private subnet and no explicit method.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// N-10: traffic to the platform addresses skips NSGs.
    PlatformExempt {
        nic: NicId,
    },
    /// An NSG evaluated its rules; `rule` indexes the model NSG's rules.
    Nsg {
        nic: NicId,
        level: NsgLevel,
        direction: Direction,
        instance: NsgInstance,
        rule: u16,
        access: Access,
    },
    /// N-16: a security admin rule of the NIC's VNet matched, before the NSGs; `rule` indexes
    /// the instance's `refs`. No step when none matches: the NSGs decide.
    AdminRule {
        nic: NicId,
        direction: Direction,
        instance: AdminInstance,
        rule: u16,
    },
    /// N-9: a reply allowed by the flow record the request created at this NIC.
    NsgFlowState {
        nic: NicId,
        level: NsgLevel,
        direction: Direction,
        instance: NsgInstance,
    },
    /// the route chosen in a subnet's effective table; `private_endpoint` when it is the
    /// table private endpoints use (P-6).
    Route {
        subnet: SubnetId,
        route: u32,
        private_endpoint: bool,
    },
    /// Crossing a peering; `link` is the receiving side's link towards the sender.
    Peering {
        link: PeeringId,
        forwarded: bool,
        check: PeeringCheck,
    },
    /// The next hop address names no reachable NIC.
    NextHopMissing {
        subnet: SubnetId,
        route: u32,
        address: IpAddr,
    },
    /// An appliance received the packet; `forwarding` says whether its NIC forwards.
    Appliance {
        nic: NicId,
        forwarding: bool,
    },
    /// A packet from the internet to a public IP, translated to the NIC's private IP (N-8).
    InboundNat {
        nic: NicId,
        public: IpAddr,
    },
    /// Leaving for the internet from this NIC.
    Egress {
        nic: NicId,
        egress: Egress,
    },
    DeliveredToNic {
        nic: NicId,
    },
    DeliveredToInternet {
        address: IpAddr,
    },
    DeliveredToPlatform {
        address: IpAddr,
    },
    /// In a VNet's address space but held by no NIC.
    NoHost {
        vnet: VnetId,
        address: IpAddr,
    },
    Unreachable {
        address: IpAddr,
        reason: UnreachableReason,
    },
    /// The walk came back to an appliance it had already passed.
    Loop {
        nic: NicId,
    },
    /// The reply's path differs from the request's at this appliance (seen in one direction only).
    PathDiverges {
        nic: NicId,
        seen_by_request: bool,
    },
    /// The reply leaves for the internet from a different place than the request came in.
    AsymmetricReturn {
        expected: IpAddr,
        actual: NicId,
    },
    /// Through a virtual network gateway, into Azure (`inbound`) or out to on premises.
    Gateway {
        gateway: GatewayId,
        network: OnPremId,
        inbound: bool,
    },
    /// P-6: the private endpoint's subnet NSG is not applied (network policies disabled).
    PeNsgBypassed {
        nic: NicId,
        instance: NsgInstance,
    },
    /// The private endpoint's own checks (P-3, P-10).
    PrivateEndpoint {
        pe: PrivateEndpointId,
        check: PeCheck,
    },
    /// The service decided (S-5, S-8..S-12).
    Service {
        service: ServiceId,
        arrival: Arrival,
        admission: Admission,
    },
    /// An Azure address no service of the scenario holds, reached over a service endpoint.
    ForeignServiceAddress {
        address: IpAddr,
        subnet: SubnetId,
    },
    /// The service answers the request (start of a reply).
    ServiceAnswers {
        service: ServiceId,
    },
    /// A reply back to the service that called (S-9).
    DeliveredToService {
        service: ServiceId,
    },
    /// An Azure Firewall's rule processing for a new flow (F-1..F-9).
    Firewall {
        firewall: FirewallId,
        decision: FirewallDecision,
    },
    /// A device rewrote the packet's source (`destination` false, F-12) or destination (F-5).
    Translation {
        nic: NicId,
        destination: bool,
        from: IpAddr,
        to: IpAddr,
    },
    /// F-13: a reply matched the session a stateful device holds; `restored` is the address the
    /// reply goes on to, once any translation is undone.
    Session {
        nic: NicId,
        restored: IpAddr,
    },
    /// F-15, P-9: a stateful device saw only one direction of the flow and drops it. The reply
    /// reached it without the request (`seen_by_request` false), or bypassed it.
    Asymmetric {
        nic: NicId,
        seen_by_request: bool,
        /// The public IP the request came in on, when it came from the internet.
        came_in_on: Option<IpAddr>,
    },
    /// A load balancer rule forwarded the packet to a backend NIC.
    LoadBalancer {
        lb: LoadBalancerId,
        rule: u16,
        nic: NicId,
    },
}

impl Step {
    /// The step with every address it carries set to 0.0.0.0. What decides a step (its object
    /// and result, [`crate::Fabric::judge`]) comes from its ids, never from the addresses, so
    /// batch replays memoise judgements by this key and stay bounded however many addresses
    /// their packets use.
    pub fn without_addresses(self) -> Step {
        let zero = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
        match self {
            Step::NextHopMissing { subnet, route, .. } => Step::NextHopMissing { subnet, route, address: zero },
            Step::InboundNat { nic, .. } => Step::InboundNat { nic, public: zero },
            Step::Egress { nic, egress } => Step::Egress {
                nic,
                egress: match egress {
                    Egress::Firewall(fw, _) => Egress::Firewall(fw, zero),
                    Egress::NatGateway(g, _) => Egress::NatGateway(g, zero),
                    Egress::InstancePublicIp(_) => Egress::InstancePublicIp(zero),
                    Egress::LoadBalancer(lb, _) => Egress::LoadBalancer(lb, zero),
                    Egress::Return(_) => Egress::Return(zero),
                    Egress::DefaultOutboundAccess | Egress::None => egress,
                },
            },
            Step::DeliveredToInternet { .. } => Step::DeliveredToInternet { address: zero },
            Step::DeliveredToPlatform { .. } => Step::DeliveredToPlatform { address: zero },
            Step::NoHost { vnet, .. } => Step::NoHost { vnet, address: zero },
            Step::Unreachable { reason, .. } => Step::Unreachable { address: zero, reason },
            Step::AsymmetricReturn { actual, .. } => Step::AsymmetricReturn { expected: zero, actual },
            Step::ForeignServiceAddress { subnet, .. } => Step::ForeignServiceAddress { address: zero, subnet },
            Step::Translation { nic, destination, .. } => Step::Translation { nic, destination, from: zero, to: zero },
            Step::Session { nic, .. } => Step::Session { nic, restored: zero },
            Step::Asymmetric { nic, seen_by_request, came_in_on } => {
                Step::Asymmetric { nic, seen_by_request, came_in_on: came_in_on.map(|_| zero) }
            }
            other => other,
        }
    }
}

/// The checks a private endpoint makes on a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeCheck {
    Passed,
    /// P-3: the connection is Pending, Rejected or Disconnected.
    NotApproved,
    /// P-10 (unconfirmed, third-party): private endpoints carry TCP only.
    ProtocolNotSupported,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnreachableReason {
    /// A private address sent to the internet.
    PrivateAddressOnInternet,
    /// From the internet to an address that is not a public IP of the scenario.
    NotAPublicIp,
    /// An on-premises network with no gateway connecting it.
    NoGatewayToOnPremises,
    /// D-3: the platform address 168.63.129.16 answers only from inside a VNet.
    PlatformFromOnPremises,
    /// the gateway does not advertise the destination's VNet to on premises.
    NotAdvertisedToOnPremises,
    /// A gateway route, but no connected on-premises network holds the address.
    NotOnPremises,
    /// O-2: a NAT gateway accepts no unsolicited inbound connection.
    NatGatewayInbound,
    /// A load balancer frontend with no rule for the protocol and port (or no backend): the
    /// load balancer drops it, and names itself as the decider.
    NoLoadBalancingRule(LoadBalancerId),
}

/// Receives the steps of a walk.
pub trait TraceSink {
    fn step(&mut self, step: Step);
}

/// Discards steps: for replays that only count dispositions.
#[derive(Default)]
pub struct NoTrace;

impl TraceSink for NoTrace {
    #[inline(always)]
    fn step(&mut self, _: Step) {}
}

/// Keeps steps, inline for typical path lengths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorder {
    pub steps: SmallVec<[Step; 16]>,
}

impl TraceSink for Recorder {
    #[inline]
    fn step(&mut self, step: Step) {
        self.steps.push(step);
    }
}
