//! The hop-by-hop packet walk (azure-semantics.md §11).
//!
//! A request leaves a NIC: NIC NSG out, subnet NSG out (N-7), route lookup, next hop, and at
//! the receiving NIC subnet NSG in, NIC NSG in. The reply is walked with its own routes; NSGs on
//! NICs the request passed allow it by flow state (N-9), NSGs elsewhere judge it as a new flow.
//! Nothing here allocates: paths are kept in inline vectors bounded by the hop limit.

use crate::fabric::Fabric;
use crate::fabric::routes::RouteOrigin;
use crate::packet::Packet;
use crate::service::{Arrival, admit};
use crate::trace::*;
use smallvec::SmallVec;
use vnetsim_model::addr::{DEFAULT_OUTBOUND_REPRESENTATIVE, is_not_internet_routable, is_platform_address};
use vnetsim_model::{
    Access, ConnectionState, Direction, GatewayId, IpAddr, NextHop, NicId, OnPremId, PrivateEndpointId, Protocol,
    ServiceId, VnetId,
};

/// Where a packet enters the fabric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Nic(NicId),
    Internet,
    OnPrem(OnPremId),
    /// A service calling another with its managed identity (S-9).
    Service(ServiceId),
}

/// Where a request ended up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    #[default]
    Nowhere,
    Nic(NicId),
    Internet,
    Platform,
    Service(ServiceId, Arrival),
    /// Through this gateway to an on-premises network.
    OnPrem(OnPremId, GatewayId),
}

/// What a request leaves behind for its reply.
#[derive(Clone, Debug, Default)]
pub struct FlowRecord {
    pub origin: Option<Origin>,
    /// NICs whose NSGs admitted the request: they hold a flow record (N-9). Inline capacity
    /// covers the hop limit (source, each appliance, destination) so walks do not allocate.
    nics: SmallVec<[NicId; 20]>,
    /// Appliances the packet passed, in order.
    pub appliances: SmallVec<[NicId; 16]>,
    /// The NIC the packet left the VNet from: for the internet, or to a service over its public
    /// endpoint or a service endpoint. The reply comes back there.
    egress: Option<NicId>,
    /// A request from the internet came in on this public IP of this NIC.
    ingress_public: Option<(IpAddr, NicId)>,
    pub delivery: Delivery,
    /// The packet as delivered (after inbound NAT), which the reply answers.
    pub delivered: Option<Packet>,
}

/// The outcome of a connection: the request, and the reply if the request was delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub request: Disposition,
    pub reply: Option<Disposition>,
    /// The reply as sent: the delivered request (after inbound NAT) with ends swapped.
    pub reply_packet: Option<Packet>,
}

impl Verdict {
    /// A connection works when the request arrives and the reply gets back.
    pub fn allowed(&self) -> bool {
        self.request.is_delivered() && self.reply.is_some_and(Disposition::is_delivered)
    }

    /// The disposition that decided the outcome: the request's, else the reply's.
    pub fn disposition(&self) -> Disposition {
        match self.reply {
            Some(reply) if self.request.is_delivered() => reply,
            _ => self.request,
        }
    }
}

struct Walker<'a, S> {
    fabric: &'a Fabric,
    sink: &'a mut S,
    flow: FlowRecord,
    /// Set while walking a reply: the request's record.
    request: Option<&'a FlowRecord>,
    /// The packet came in from on premises through a gateway: crossing a peering is gateway
    /// transit, not forwarded traffic.
    via_gateway: bool,
    /// The service the flow's DNS name belongs to: a private endpoint that serves several
    /// services (the workspace's serves its online endpoints, A-9) hands the packet to it.
    server: Option<ServiceId>,
}

impl<S: TraceSink> Walker<'_, S> {
    /// One NSG check; `true` when the packet may pass. Missing NSGs allow everything (N-6).
    fn nsg(&mut self, nic: NicId, level: NsgLevel, direction: Direction, packet: &Packet) -> bool {
        let f = self.fabric;
        let instance = match level {
            NsgLevel::Subnet => f.subnets[f.scenario.nic(nic).subnet.index()].nsg,
            NsgLevel::Nic => f.nic_nsgs[nic.index()],
        };
        let Some(instance) = instance else { return true };
        // N-9: a reply passes NSGs on NICs where the request created a flow record.
        if self.request.is_some_and(|r| r.nics.contains(&nic)) {
            self.sink.step(Step::NsgFlowState { nic, level, direction, instance });
            return true;
        }
        let (access, rule) = f.nsg_instance(instance).evaluate(direction, &packet.five_tuple(), false);
        self.sink.step(Step::Nsg { nic, level, direction, instance, rule, access });
        access == Access::Allow
    }

    /// N-7 outbound: NIC NSG first, then subnet NSG.
    fn egress_nsgs(&mut self, nic: NicId, packet: &Packet) -> bool {
        self.nsg(nic, NsgLevel::Nic, Direction::Outbound, packet)
            && self.nsg(nic, NsgLevel::Subnet, Direction::Outbound, packet)
            && self.admitted(nic)
    }

    /// N-7 inbound: subnet NSG first, then NIC NSG.
    fn ingress_nsgs(&mut self, nic: NicId, packet: &Packet) -> bool {
        self.nsg(nic, NsgLevel::Subnet, Direction::Inbound, packet)
            && self.nsg(nic, NsgLevel::Nic, Direction::Inbound, packet)
            && self.admitted(nic)
    }

    /// Records that `nic` admitted the packet, so the reply finds a flow record there (N-9).
    fn admitted(&mut self, nic: NicId) -> bool {
        if !self.flow.nics.contains(&nic) {
            self.flow.nics.push(nic);
        }
        true
    }

    fn start(&mut self, origin: Origin, packet: Packet) -> Disposition {
        self.flow.origin = Some(origin);
        match origin {
            Origin::Nic(nic) => self.leave_nic(nic, packet),
            Origin::Internet => self.enter_from_internet(packet),
            Origin::Service(caller) => match self.fabric.service_at(packet.destination) {
                Some(service) => self.arrive(service, Arrival::Service(caller), packet),
                None => {
                    self.sink.step(Step::Unreachable {
                        address: packet.destination,
                        reason: UnreachableReason::NotAPublicIp,
                    });
                    Disposition::Unreachable
                }
            },
            Origin::OnPrem(network) => self.enter_from_on_premises(network, packet),
        }
    }

    fn leave_nic(&mut self, nic: NicId, packet: Packet) -> Disposition {
        if is_platform_address(packet.destination) {
            // N-10: DNS, DHCP, IMDS and health probes are not filtered by NSGs.
            self.sink.step(Step::PlatformExempt { nic });
            self.sink.step(Step::DeliveredToPlatform { address: packet.destination });
            self.flow.delivery = Delivery::Platform;
            self.flow.delivered = Some(packet);
            return Disposition::Delivered;
        }
        if !self.egress_nsgs(nic, &packet) {
            return Disposition::DeniedByNsg;
        }
        self.route(nic, packet)
    }

    /// H-1, R-16: from on premises through the gateway that connects the network, to the
    /// gateway's VNet or a peer that uses it through transit (on premises learns no other
    /// prefixes). Azure public endpoints are reached over the network's own internet access.
    fn enter_from_on_premises(&mut self, network: OnPremId, packet: Packet) -> Disposition {
        let f = self.fabric;
        let unreachable = |w: &mut Self, reason| {
            w.sink.step(Step::Unreachable { address: packet.destination, reason });
            Disposition::Unreachable
        };
        if let Some(service) = f.service_at(packet.destination) {
            return self.arrive(service, Arrival::Public { source: packet.source, same_region: false }, packet);
        }
        let Some(g) = f.gateway_connecting(network) else {
            return unreachable(self, UnreachableReason::NoGatewayToOnPremises);
        };
        if is_platform_address(packet.destination) {
            // D-3: 168.63.129.16 answers only from inside a VNet.
            return unreachable(self, UnreachableReason::PlatformFromOnPremises);
        }
        let gateway = &f.scenario.gateways[g.index()];
        self.sink.step(Step::Gateway { gateway: g, network, inbound: true });
        let advertised = f
            .vnet_of_peer_address(gateway.vnet, packet.destination)
            .is_some_and(|v| v == gateway.vnet || f.gateway_of(v) == Some(g));
        if !advertised {
            return unreachable(self, UnreachableReason::NotAdvertisedToOnPremises);
        }
        self.via_gateway = true;
        self.route(gateway.nic, packet)
    }

    /// Out through a gateway to the on-premises network holding the destination.
    fn exit_to_on_premises(&mut self, vnet: VnetId, gateway: Option<GatewayId>, packet: Packet) -> Disposition {
        let f = self.fabric;
        let Some(g) = gateway else {
            self.sink.step(Step::Unreachable {
                address: packet.destination,
                reason: UnreachableReason::NoGatewayToOnPremises,
            });
            return Disposition::Unreachable;
        };
        let gw = &f.scenario.gateways[g.index()];
        if gw.vnet != vnet && !self.cross_peering(vnet, gw.vnet, &packet) {
            return Disposition::PeeringBlocked;
        }
        let holder = gw
            .connections
            .iter()
            .copied()
            .find(|n| f.scenario.on_prem[n.index()].prefixes.iter().any(|p| p.contains(&packet.destination)));
        let Some(network) = holder else {
            self.sink.step(Step::Unreachable { address: packet.destination, reason: UnreachableReason::NotOnPremises });
            return Disposition::Unreachable;
        };
        self.sink.step(Step::Gateway { gateway: g, network, inbound: false });
        self.flow.delivery = Delivery::OnPrem(network, g);
        self.flow.delivered = Some(packet);
        Disposition::Delivered
    }

    fn enter_from_internet(&mut self, mut packet: Packet) -> Disposition {
        if let Some(service) = self.fabric.service_at(packet.destination) {
            return self.arrive(service, Arrival::Public { source: packet.source, same_region: false }, packet);
        }
        let Some(nic) = self.fabric.nic_with_public_ip(packet.destination) else {
            self.sink.step(Step::Unreachable { address: packet.destination, reason: UnreachableReason::NotAPublicIp });
            return Disposition::Unreachable;
        };
        // N-8: inbound NSGs see the private destination.
        self.sink.step(Step::InboundNat { nic, public: packet.destination });
        self.flow.ingress_public = Some((packet.destination, nic));
        packet.destination = self.fabric.scenario.nic(nic).private_ip;
        self.deliver_to(nic, packet)
    }

    fn deliver_to(&mut self, nic: NicId, packet: Packet) -> Disposition {
        if let Some(pe) = self.fabric.private_endpoint_of(nic) {
            return self.deliver_to_private_endpoint(nic, pe, packet);
        }
        if !self.ingress_nsgs(nic, &packet) {
            return Disposition::DeniedByNsg;
        }
        self.sink.step(Step::DeliveredToNic { nic });
        self.flow.delivery = Delivery::Nic(nic);
        self.flow.delivered = Some(packet);
        Disposition::Delivered
    }

    /// A packet for a private endpoint: the subnet NSG only if network policies enable it, with
    /// the source port as `*` (P-6, P-8); then the endpoint (P-3, P-10); then the service (S-8).
    fn deliver_to_private_endpoint(&mut self, nic: NicId, id: PrivateEndpointId, packet: Packet) -> Disposition {
        let f = self.fabric;
        let subnet = f.scenario.subnet(f.scenario.nic(nic).subnet);
        if let Some(instance) = f.subnets[f.scenario.nic(nic).subnet.index()].nsg {
            if subnet.private_endpoint_network_policies.nsg_applies() {
                let (access, rule) = f.nsg_instance(instance).evaluate(Direction::Inbound, &packet.five_tuple(), true);
                self.sink.step(Step::Nsg {
                    nic,
                    level: NsgLevel::Subnet,
                    direction: Direction::Inbound,
                    instance,
                    rule,
                    access,
                });
                if access != Access::Allow {
                    return Disposition::DeniedByNsg;
                }
            } else {
                self.sink.step(Step::PeNsgBypassed { nic, instance });
            }
        }
        let pe = f.scenario.private_endpoint(id);
        let check = if pe.state != ConnectionState::Approved {
            PeCheck::NotApproved
        } else if f.options.pe_tcp_only && packet.protocol != Protocol::Tcp {
            PeCheck::ProtocolNotSupported
        } else {
            PeCheck::Passed
        };
        self.sink.step(Step::PrivateEndpoint { pe: id, check });
        if check != PeCheck::Passed {
            return Disposition::PrivateEndpointRefused;
        }
        // The named service when this endpoint serves it, else the endpoint's target.
        let serves = |s: ServiceId| s == pe.target || f.scenario.service(s).workspace == Some(pe.target);
        let service = self.server.filter(|s| serves(*s)).unwrap_or(pe.target);
        self.arrive(service, Arrival::PrivateEndpoint(id), packet)
    }

    /// The service's own decision, the last step of a flow to it.
    fn arrive(&mut self, service: ServiceId, arrival: Arrival, packet: Packet) -> Disposition {
        let admission = admit(&self.fabric.scenario, service, arrival);
        self.sink.step(Step::Service { service, arrival, admission });
        if !admission.allows() {
            return Disposition::DeniedByService;
        }
        self.flow.delivery = Delivery::Service(service, arrival);
        self.flow.delivered = Some(packet);
        Disposition::Delivered
    }

    /// Routes from `at`'s subnet until the packet is delivered or dropped.
    fn route(&mut self, mut at: NicId, packet: Packet) -> Disposition {
        let f = self.fabric;
        loop {
            let subnet = f.scenario.nic(at).subnet;
            let vnet = f.scenario.subnet(subnet).vnet;
            let (routes, private_endpoint) = f.routes_from(at);
            let Some(index) = routes.lookup(packet.destination) else {
                return Disposition::NoRoute;
            };
            self.sink.step(Step::Route { subnet, route: index, private_endpoint });
            let route = routes.route(index);
            match route.next_hop {
                NextHop::VnetLocal => return self.deliver_in_vnet(vnet, packet),
                NextHop::VNetPeering => {
                    let RouteOrigin::Peering(link) = route.origin else { return Disposition::NoRoute };
                    let remote = f.scenario.peerings[link.index()].remote;
                    if !self.cross_peering(vnet, remote, &packet) {
                        return Disposition::PeeringBlocked;
                    }
                    return self.deliver_in_vnet(remote, packet);
                }
                NextHop::VirtualAppliance(address) => {
                    // the next hop must be a NIC in this VNet or a peered one.
                    let target =
                        f.vnet_of_peer_address(vnet, address).and_then(|v| f.nic_at(v, address).map(|n| (v, n)));
                    let Some((target_vnet, appliance)) = target else {
                        self.sink.step(Step::NextHopMissing { subnet, route: index, address });
                        return Disposition::NextHopUnreachable;
                    };
                    if target_vnet != vnet && !self.cross_peering(vnet, target_vnet, &packet) {
                        return Disposition::PeeringBlocked;
                    }
                    if self.flow.appliances.contains(&appliance)
                        || self.flow.appliances.len() >= usize::from(f.options.max_hops)
                    {
                        self.sink.step(Step::Loop { nic: appliance });
                        return Disposition::Loop;
                    }
                    if !self.ingress_nsgs(appliance, &packet) {
                        return Disposition::DeniedByNsg;
                    }
                    if packet.destination == f.scenario.nic(appliance).private_ip {
                        self.sink.step(Step::DeliveredToNic { nic: appliance });
                        self.flow.delivery = Delivery::Nic(appliance);
                        self.flow.delivered = Some(packet);
                        return Disposition::Delivered;
                    }
                    let forwarding = f.scenario.nic(appliance).ip_forwarding;
                    self.sink.step(Step::Appliance { nic: appliance, forwarding });
                    if !forwarding {
                        return Disposition::NextHopUnreachable;
                    }
                    self.flow.appliances.push(appliance);
                    if !self.egress_nsgs(appliance, &packet) {
                        return Disposition::DeniedByNsg;
                    }
                    at = appliance;
                }
                NextHop::Internet => return self.exit_to_internet(at, packet),
                // straight to the private endpoint, across a peering if it is in a peer.
                NextHop::InterfaceEndpoint => {
                    let RouteOrigin::PrivateEndpoint(pe) = route.origin else { return Disposition::NoRoute };
                    let nic = f.scenario.private_endpoint(pe).nic;
                    let pe_vnet = f.scenario.subnet(f.scenario.nic(nic).subnet).vnet;
                    if pe_vnet != vnet && !self.cross_peering(vnet, pe_vnet, &packet) {
                        return Disposition::PeeringBlocked;
                    }
                    return self.deliver_to(nic, packet);
                }
                // R-12, S-2: to the service over the backbone, with the private source and the
                // subnet's identity.
                NextHop::VirtualNetworkServiceEndpoint => {
                    self.flow.egress = Some(at);
                    return match f.service_at(packet.destination) {
                        Some(service) => self.arrive(service, Arrival::ServiceEndpoint(subnet), packet),
                        None => {
                            self.sink.step(Step::ForeignServiceAddress { address: packet.destination, subnet });
                            self.flow.delivery = Delivery::Internet;
                            self.flow.delivered = Some(packet);
                            Disposition::Delivered
                        }
                    };
                }
                // next hop None drops; the route step names the route.
                NextHop::None => {
                    self.explain_unconnected_peering(vnet, packet.destination);
                    return Disposition::NullRoute;
                }
                // A learned route names its gateway; a UDR uses the one the VNet reaches.
                NextHop::VirtualNetworkGateway => {
                    let gateway = match route.origin {
                        RouteOrigin::Gateway(g) => Some(g),
                        _ => f.gateway_of(vnet),
                    };
                    return self.exit_to_on_premises(vnet, gateway, packet);
                }
            }
        }
    }

    /// R-15 checks on the way from `from` into `to`.
    fn cross_peering(&mut self, from: VnetId, to: VnetId, packet: &Packet) -> bool {
        let f = self.fabric;
        let (Some(sending), Some(receiving)) = (f.peering(from, to), f.peering(to, from)) else {
            return false;
        };
        let forwarded = !f.in_vnet(from, packet.source) && !self.via_gateway;
        let (s, r) = (&f.scenario.peerings[sending.index()], &f.scenario.peerings[receiving.index()]);
        let check = if !s.allow_virtual_network_access || !r.allow_virtual_network_access {
            PeeringCheck::AccessDisabled
        } else if forwarded && !r.allow_forwarded_traffic {
            PeeringCheck::ForwardedTrafficRefused
        } else {
            PeeringCheck::Passed
        };
        let link = if s.allow_virtual_network_access { receiving } else { sending };
        self.sink.step(Step::Peering { link, forwarded, check });
        check == PeeringCheck::Passed
    }

    /// When a packet is dropped for want of a route, a one-sided peering to the VNet that holds
    /// the address is the likely cause: say so.
    fn explain_unconnected_peering(&mut self, vnet: VnetId, address: IpAddr) {
        let f = self.fabric;
        let holder = (0..f.scenario.vnets.len()).map(VnetId::from_index).find(|v| *v != vnet && f.in_vnet(*v, address));
        if let Some(other) = holder
            && let Some(link) = f.initiated_peering(vnet, other).or_else(|| f.initiated_peering(other, vnet))
        {
            self.sink.step(Step::Peering { link, forwarded: false, check: PeeringCheck::NotConnected });
        }
    }

    fn deliver_in_vnet(&mut self, vnet: VnetId, packet: Packet) -> Disposition {
        match self.fabric.nic_at(vnet, packet.destination) {
            Some(nic) => self.deliver_to(nic, packet),
            None => {
                self.sink.step(Step::NoHost { vnet, address: packet.destination });
                Disposition::NoHost
            }
        }
    }

    fn exit_to_internet(&mut self, at: NicId, mut packet: Packet) -> Disposition {
        let f = self.fabric;
        if is_not_internet_routable(packet.destination) {
            self.sink.step(Step::Unreachable {
                address: packet.destination,
                reason: UnreachableReason::PrivateAddressOnInternet,
            });
            return Disposition::Unreachable;
        }
        let nic = f.scenario.nic(at);
        // O-1/O-3: an instance public IP, else default outbound access, which a private subnet or
        // a public IP on another NIC of the same machine turns off.
        let egress = match nic.public_ip {
            Some(ip) => Egress::InstancePublicIp(ip),
            None if f.scenario.subnet(nic.subnet).default_outbound_access && !f.machine_has_public_ip(at) => {
                Egress::DefaultOutboundAccess
            }
            None => Egress::None,
        };
        self.sink.step(Step::Egress { nic: at, egress });
        if egress == Egress::None {
            return Disposition::NoOutboundAccess;
        }
        self.flow.egress = Some(at);
        // A reply to a request from the internet must leave where the request came in, or the
        // client sees an answer from an address it never talked to.
        if let Some((public, entry)) = self.request.and_then(|r| r.ingress_public)
            && entry != at
        {
            self.sink.step(Step::AsymmetricReturn { expected: public, actual: at });
            return Disposition::AsymmetricDrop;
        }
        let public_source = match egress {
            Egress::InstancePublicIp(ip) => ip,
            _ => IpAddr::V4(DEFAULT_OUTBOUND_REPRESENTATIVE),
        };
        if self.request.is_none()
            && let Some(service) = f.service_at(packet.destination)
        {
            // to an Azure public IP over the backbone; the service sees the public source,
            // and knows an Azure caller of its own region (S-10).
            let target = f.scenario.service(service);
            let same_region = !target.builtin && target.region == f.scenario.region;
            return self.arrive(service, Arrival::Public { source: public_source, same_region }, packet);
        }
        if self.request.is_none() && f.nic_with_public_ip(packet.destination).is_some() {
            // To another public IP of the scenario: back in from the internet, SNATed (N-8).
            packet.source = public_source;
            return self.enter_from_internet(packet);
        }
        self.sink.step(Step::DeliveredToInternet { address: packet.destination });
        self.flow.delivery = Delivery::Internet;
        self.flow.delivered = Some(packet);
        Disposition::Delivered
    }

    /// A reply to a request that left the VNet at `request.egress`: it comes back in there.
    fn back_through_egress(&mut self, request: &FlowRecord, reply: Packet) -> Disposition {
        let Some(egress) = request.egress else { return Disposition::NoRoute };
        if !self.ingress_nsgs(egress, &reply) {
            Disposition::DeniedByNsg
        } else if Some(Origin::Nic(egress)) == request.origin {
            self.sink.step(Step::DeliveredToNic { nic: egress });
            Disposition::Delivered
        } else {
            // The appliance that sent the request out forwards the reply back in.
            self.sink.step(Step::Appliance { nic: egress, forwarding: true });
            self.flow.appliances.push(egress);
            if !self.egress_nsgs(egress, &reply) { Disposition::DeniedByNsg } else { self.route(egress, reply) }
        }
    }

    /// Appliances seen in one direction only: the reply's path differs from the request's.
    fn report_divergence(&mut self, request: &FlowRecord) {
        for &a in &request.appliances {
            if !self.flow.appliances.contains(&a) {
                self.sink.step(Step::PathDiverges { nic: a, seen_by_request: true });
            }
        }
        for &a in &self.flow.appliances {
            if !request.appliances.contains(&a) {
                self.sink.step(Step::PathDiverges { nic: a, seen_by_request: false });
            }
        }
    }
}

impl Fabric {
    /// Walks a request from `origin`. The returned record feeds [`Fabric::walk_reply`].
    pub fn walk_request<S: TraceSink>(
        &self,
        origin: Origin,
        packet: Packet,
        server: Option<ServiceId>,
        sink: &mut S,
    ) -> (Disposition, FlowRecord) {
        let mut w =
            Walker { fabric: self, sink, flow: FlowRecord::default(), request: None, server, via_gateway: false };
        let d = w.start(origin, packet);
        (d, w.flow)
    }

    /// Walks the reply to a delivered request.
    pub fn walk_reply<S: TraceSink>(&self, request: &FlowRecord, sink: &mut S) -> Disposition {
        let Some(delivered) = request.delivered else { return Disposition::NoRoute };
        let reply = delivered.reply();
        let mut w = Walker {
            fabric: self,
            sink,
            flow: FlowRecord::default(),
            request: Some(request),
            server: None,
            via_gateway: false,
        };
        let d = match request.delivery {
            Delivery::Nic(nic) => {
                if !w.egress_nsgs(nic, &reply) {
                    Disposition::DeniedByNsg
                } else {
                    w.route(nic, reply)
                }
            }
            Delivery::Internet => w.back_through_egress(request, reply),
            Delivery::Service(service, arrival) => {
                w.sink.step(Step::ServiceAnswers { service });
                match (arrival, request.origin) {
                    // P-9: the endpoint answers with its own subnet's routing.
                    (Arrival::PrivateEndpoint(pe), _) => w.route(self.scenario.private_endpoint(pe).nic, reply),
                    (_, Some(Origin::Nic(_))) => w.back_through_egress(request, reply),
                    (_, Some(Origin::Service(caller))) => {
                        w.sink.step(Step::DeliveredToService { service: caller });
                        Disposition::Delivered
                    }
                    _ => {
                        w.sink.step(Step::DeliveredToInternet { address: reply.destination });
                        Disposition::Delivered
                    }
                }
            }
            Delivery::OnPrem(network, g) => {
                // The on-premises host answers back through the same gateway.
                w.sink.step(Step::Gateway { gateway: g, network, inbound: true });
                w.via_gateway = true;
                w.route(self.scenario.gateways[g.index()].nic, reply)
            }
            Delivery::Platform => match request.origin {
                Some(Origin::Nic(nic)) => {
                    w.sink.step(Step::DeliveredToNic { nic });
                    Disposition::Delivered
                }
                _ => Disposition::NoRoute,
            },
            Delivery::Nowhere => Disposition::NoRoute,
        };
        if d.is_delivered() {
            w.report_divergence(request);
        }
        d
    }

    /// Walks a whole connection: the request and, if it arrives, the reply.
    pub fn walk_connection<S: TraceSink>(
        &self,
        origin: Origin,
        packet: Packet,
        request_sink: &mut S,
        reply_sink: &mut S,
    ) -> Verdict {
        self.walk_connection_to(origin, packet, None, request_sink, reply_sink)
    }

    /// Walks a connection to a DNS name's service: `server` is the service the name belongs to.
    pub fn walk_connection_to<S: TraceSink>(
        &self,
        origin: Origin,
        packet: Packet,
        server: Option<ServiceId>,
        request_sink: &mut S,
        reply_sink: &mut S,
    ) -> Verdict {
        let (request, flow) = self.walk_request(origin, packet, server, request_sink);
        let reply = request.is_delivered().then(|| self.walk_reply(&flow, reply_sink));
        Verdict { request, reply, reply_packet: flow.delivered.map(|p| p.reply()) }
    }
}
