//! The hop-by-hop packet walk (azure-semantics.md §11).
//!
//! A request leaves a NIC: NIC NSG out, subnet NSG out (N-7), route lookup, next hop, and at
//! the receiving NIC subnet NSG in, NIC NSG in; security admin rules come before the NSGs at
//! every NIC (N-16). The reply is walked with its own routes; NSGs on
//! NICs the request passed allow it by flow state (N-9), NSGs elsewhere judge it as a new flow.
//! Nothing here allocates: paths are kept in inline vectors bounded by the hop limit.

use crate::completion::Completion;
use crate::fabric::Fabric;
use crate::fabric::firewall::FirewallDecision;
use crate::fabric::routes::RouteOrigin;
use crate::packet::Packet;
use crate::service::{Arrival, admit};
use crate::trace::*;
use smallvec::SmallVec;
use vnetsim_model::addr::{DEFAULT_OUTBOUND_REPRESENTATIVE, is_not_internet_routable, is_platform_address};
use vnetsim_model::{
    Access, AdminAction, ConnectionState, Direction, GatewayId, IpAddr, LoadBalancerId, NextHop, NicId, OnPremId,
    PeeringId, PrivateEndpointId, Protocol, ServiceId, VnetId,
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
    /// Translations stateful devices made, which the reply undoes (F-5, F-12): the device, the
    /// packet as it arrived and as it left.
    translations: SmallVec<[(NicId, Packet, Packet); 2]>,
    /// The NIC the packet left the VNet from, for the internet, or to a service over its public
    /// endpoint or a service endpoint, with the source it had before any egress SNAT. The reply
    /// comes back there.
    egress: Option<(NicId, IpAddr)>,
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
    /// What the connection achieved: works, one-way or denied.
    pub fn completion(&self) -> Completion {
        Completion::of(self.request, self.reply)
    }

    /// A connection works when the request arrives and the reply gets back.
    pub fn allowed(&self) -> bool {
        self.completion() == Completion::Works
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
    /// The DNS name the flow was addressed by: the SNI or Host header application rules match
    /// (F-8).
    name: Option<&'a str>,
}

/// What a flow to a DNS name carries besides its packet.
#[derive(Clone, Copy, Debug, Default)]
pub struct FlowName<'n> {
    /// The service the name belongs to.
    pub server: Option<ServiceId>,
    /// The name itself (SNI, Host header).
    pub name: Option<&'n str>,
}

impl<'a, S: TraceSink> Walker<'a, S> {
    /// One NSG check; `true` when the packet may pass. Missing NSGs allow everything (N-6).
    fn nsg(&mut self, nic: NicId, level: NsgLevel, direction: Direction, packet: &Packet) -> bool {
        let f = self.fabric;
        let facts = &f.nics[nic.index()];
        let instance = match level {
            NsgLevel::Subnet => facts.subnet_nsg(),
            NsgLevel::Nic => facts.nic_nsg(),
        };
        let Some(instance) = instance else { return true };
        // N-9: a reply passes NSGs on NICs where the request created a flow record.
        if self.request.is_some_and(|r| r.nics.contains(&nic)) {
            self.sink.step(Step::NsgFlowState { nic, level, direction, instance });
            return true;
        }
        let (access, rule) = f.nsg_instance(instance).evaluate(direction, packet, false);
        self.sink.step(Step::Nsg { nic, level, direction, instance, rule, access });
        access == Access::Allow
    }

    /// N-16: the security admin rules of the NIC's VNet, before its NSGs. `Some` when a rule
    /// decided (AlwaysAllow passes, Deny drops, both skipping the NSGs), `None` when the NSGs
    /// decide: no rule matched, an Allow rule matched, or the packet is a reply at a NIC where
    /// the request created a flow record (unless `admin_rules_judge_replies`).
    fn admin_rules(&mut self, nic: NicId, direction: Direction, packet: &Packet) -> Option<bool> {
        let f = self.fabric;
        let instance = f.nics[nic.index()].admin()?;
        if !f.options.admin_rules_judge_replies && self.request.is_some_and(|r| r.nics.contains(&nic)) {
            return None;
        }
        let admin = f.admin_instance(instance);
        let rule = admin.evaluate(direction, packet)?;
        self.sink.step(Step::AdminRule { nic, direction, instance, rule });
        match admin.action(rule) {
            AdminAction::Allow => None,
            AdminAction::AlwaysAllow => Some(true),
            AdminAction::Deny => Some(false),
        }
    }

    /// N-16, then the NSGs of one direction in N-7 order (outbound: NIC NSG first, then subnet
    /// NSG; inbound the other way round).
    fn filters(&mut self, nic: NicId, direction: Direction, packet: &Packet) -> Result<(), Disposition> {
        let passed = match self.admin_rules(nic, direction, packet) {
            Some(true) => true,
            Some(false) => return Err(Disposition::DeniedByAdminRule),
            None => {
                let order = match direction {
                    Direction::Outbound => [NsgLevel::Nic, NsgLevel::Subnet],
                    Direction::Inbound => [NsgLevel::Subnet, NsgLevel::Nic],
                };
                order.into_iter().all(|level| self.nsg(nic, level, direction, packet))
            }
        };
        if !passed {
            return Err(Disposition::DeniedByNsg);
        }
        self.admitted(nic);
        Ok(())
    }

    fn egress_nsgs(&mut self, nic: NicId, packet: &Packet) -> Result<(), Disposition> {
        self.filters(nic, Direction::Outbound, packet)
    }

    fn ingress_nsgs(&mut self, nic: NicId, packet: &Packet) -> Result<(), Disposition> {
        self.filters(nic, Direction::Inbound, packet)
    }

    /// Records that `nic` admitted the packet, so the reply finds a flow record there (N-9).
    fn admitted(&mut self, nic: NicId) {
        if !self.flow.nics.contains(&nic) {
            self.flow.nics.push(nic);
        }
    }

    fn start(&mut self, origin: Origin, packet: Packet) -> Disposition {
        self.flow.origin = Some(origin);
        match origin {
            Origin::Nic(nic) => self.leave_nic(nic, packet),
            Origin::Internet => self.enter_from_internet(packet),
            Origin::Service(caller) => match self.fabric.service_at(packet.destination) {
                Some(service) => self.arrive(service, Arrival::Service(caller), packet),
                // Microsoft services reach public IPs of the scenario from the internet side,
                // like AzureMachineLearning calling a compute's load balancer.
                None => self.enter_from_internet(packet),
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
        if let Err(d) = self.egress_nsgs(nic, &packet) {
            return d;
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
        let f = self.fabric;
        if let Some(service) = f.service_at(packet.destination) {
            return self.arrive(service, Arrival::Public { source: packet.source, same_region: false }, packet);
        }
        if let Some(fw) = f.firewall_at_public(packet.destination) {
            return self.through_dnat(fw, packet);
        }
        if let Some(lb) = f.public_lb_at(packet.destination) {
            return self.through_load_balancer(lb, packet);
        }
        let unreachable = |w: &mut Self, reason| {
            w.sink.step(Step::Unreachable { address: packet.destination, reason });
            Disposition::Unreachable
        };
        if f.nat_gateway_at(packet.destination).is_some() {
            return unreachable(self, UnreachableReason::NatGatewayInbound);
        }
        let Some(nic) = f.nic_with_public_ip(packet.destination) else {
            return unreachable(self, UnreachableReason::NotAPublicIp);
        };
        // N-8: inbound NSGs see the private destination.
        self.sink.step(Step::InboundNat { nic, public: packet.destination });
        self.flow.ingress_public = Some((packet.destination, nic));
        packet.destination = self.fabric.scenario.nic(nic).private_ip;
        self.deliver_to(nic, packet)
    }

    /// F-5: a DNAT rule translates a packet to a firewall public IP and sends it on from the
    /// firewall; the firewall holds the session for the reply.
    fn through_dnat(&mut self, fw: vnetsim_model::FirewallId, packet: Packet) -> Disposition {
        let compiled = self.fabric.firewall(fw);
        let out = compiled.inbound(packet);
        self.sink.step(Step::Firewall { firewall: fw, decision: out.decision });
        if !out.decision.allows() {
            return Disposition::DeniedByFirewall;
        }
        let nic = compiled.nic;
        self.translate(nic, packet, out.packet);
        self.flow.appliances.push(nic);
        self.flow.ingress_public = Some((packet.destination, nic));
        self.route(nic, out.packet)
    }

    /// Records a device's translation, for the trace and for the reply to undo.
    fn translate(&mut self, nic: NicId, before: Packet, after: Packet) {
        if before.source != after.source {
            self.sink.step(Step::Translation { nic, destination: false, from: before.source, to: after.source });
        }
        if before.destination != after.destination || before.destination_port != after.destination_port {
            self.sink.step(Step::Translation {
                nic,
                destination: true,
                from: before.destination,
                to: after.destination,
            });
        }
        if before != after {
            self.flow.translations.push((nic, before, after));
        }
    }

    /// A load balancer frontend: the rule for the port forwards to the first backend's NIC,
    /// translating the destination; the source is kept.
    fn through_load_balancer(&mut self, lb: LoadBalancerId, mut packet: Packet) -> Disposition {
        let f = self.fabric;
        let l = &f.scenario.load_balancers[lb.index()];
        let backend = l.backends.first().and_then(|e| f.scenario.primary_nic(*e, 0));
        let (Some(rule), Some(nic)) = (l.rule_for(packet.protocol, packet.destination_port), backend) else {
            self.sink.step(Step::Unreachable {
                address: packet.destination,
                reason: UnreachableReason::NoLoadBalancingRule(lb),
            });
            return Disposition::Unreachable;
        };
        self.sink.step(Step::LoadBalancer { lb, rule: rule as u16, nic });
        if l.is_public() {
            self.flow.ingress_public = Some((packet.destination, nic));
        }
        packet.destination = f.scenario.nic(nic).private_ip;
        packet.destination_port = l.rules[rule].backend_port;
        self.deliver_to(nic, packet)
    }

    fn deliver_to(&mut self, nic: NicId, packet: Packet) -> Disposition {
        let f = self.fabric;
        let facts = &f.nics[nic.index()];
        if let Some(pe) = facts.private_endpoint() {
            return self.deliver_to_private_endpoint(nic, pe, packet);
        }
        let origin = self.request.and_then(|r| r.origin);
        if facts.stateful() && origin != Some(Origin::Nic(nic)) {
            if let Some(request) = self.request {
                // A reply addressed to the device that translated the request (F-12, F-13).
                return match self.session(request, nic, packet) {
                    Ok(reply) => self.route(nic, reply),
                    Err(d) => d,
                };
            }
            if let Some(fw) = facts.firewall()
                && !f.firewall(fw).answers_dns(&packet)
            {
                self.sink.step(Step::Firewall { firewall: fw, decision: FirewallDecision::NotAService });
                return Disposition::DeniedByFirewall;
            }
        }
        if let Err(d) = self.ingress_nsgs(nic, &packet) {
            return d;
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
        let facts = &f.nics[nic.index()];
        let subnet = f.scenario.subnet(facts.subnet);
        if let Some(instance) = facts.subnet_nsg() {
            if subnet.private_endpoint_network_policies.nsg_applies() {
                let (access, rule) = f.nsg_instance(instance).evaluate(Direction::Inbound, &packet, true);
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
    fn route(&mut self, mut at: NicId, mut packet: Packet) -> Disposition {
        let f = self.fabric;
        loop {
            let facts = &f.nics[at.index()];
            let (subnet, vnet) = (facts.subnet, facts.vnet);
            let (routes, private_endpoint) = f.routes_from(facts);
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
                    if packet.destination == f.scenario.nic(appliance).private_ip {
                        return self.deliver_to(appliance, packet);
                    }
                    if let Err(d) = self.ingress_nsgs(appliance, &packet) {
                        return d;
                    }
                    match self.through_device(appliance, packet) {
                        Ok(forwarded) => packet = forwarded,
                        Err(d) => return d,
                    }
                    if let Err(d) = self.egress_nsgs(appliance, &packet) {
                        return d;
                    }
                    at = appliance;
                }
                NextHop::Internet => return self.exit_to_internet(at, packet),
                // straight to the private endpoint, across a peering if it is in a peer.
                NextHop::InterfaceEndpoint => {
                    let RouteOrigin::PrivateEndpoint(pe) = route.origin else { return Disposition::NoRoute };
                    let nic = f.scenario.private_endpoint(pe).nic;
                    let pe_vnet = f.nics[nic.index()].vnet;
                    if pe_vnet != vnet && !self.cross_peering(vnet, pe_vnet, &packet) {
                        return Disposition::PeeringBlocked;
                    }
                    return self.deliver_to(nic, packet);
                }
                // R-12, S-2: to the service over the backbone, with the private source and the
                // subnet's identity.
                NextHop::VirtualNetworkServiceEndpoint => {
                    self.flow.egress = Some((at, packet.source));
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

    /// An appliance a route sends the packet through: a firewall applies its policy (F-1..F-12),
    /// a stateful device matches replies to its sessions (F-13, F-15), any other NIC forwards
    /// if IP forwarding is on. Returns the packet the device sends on.
    fn through_device(&mut self, nic: NicId, packet: Packet) -> Result<Packet, Disposition> {
        let f = self.fabric;
        let facts = &f.nics[nic.index()];
        if let Some(request) = self.request
            && facts.stateful()
        {
            return self.session(request, nic, packet);
        }
        if let Some(fw) = facts.firewall() {
            let out = f.firewall(fw).forward(packet, self.name);
            self.sink.step(Step::Firewall { firewall: fw, decision: out.decision });
            if !out.decision.allows() {
                return Err(Disposition::DeniedByFirewall);
            }
            self.translate(nic, packet, out.packet);
            self.flow.appliances.push(nic);
            return Ok(out.packet);
        }
        let forwarding = f.scenario.nic(nic).ip_forwarding;
        self.sink.step(Step::Appliance { nic, forwarding });
        if !forwarding {
            return Err(Disposition::NextHopUnreachable);
        }
        self.flow.appliances.push(nic);
        Ok(packet)
    }

    /// F-13, F-15: a reply at a stateful device passes only if the request went through it,
    /// with the device's translation undone.
    fn session(&mut self, request: &FlowRecord, nic: NicId, reply: Packet) -> Result<Packet, Disposition> {
        if !request.appliances.contains(&nic) {
            let came_in_on = request.ingress_public.map(|(ip, _)| ip);
            self.sink.step(Step::Asymmetric { nic, seen_by_request: false, came_in_on });
            return Err(Disposition::AsymmetricDrop);
        }
        let restored = request
            .translations
            .iter()
            .find(|(device, _, after)| *device == nic && after.reply() == reply)
            .map_or(reply, |(_, before, _)| before.reply());
        self.sink.step(Step::Session { nic, restored: restored.destination });
        self.flow.appliances.push(nic);
        Ok(restored)
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
        } else if forwarded && !r.allow_forwarded_traffic && self.reply_to(to, packet) {
            PeeringCheck::ReplyExempt
        } else if forwarded && !r.allow_forwarded_traffic {
            PeeringCheck::ForwardedTrafficRefused
        } else {
            PeeringCheck::Passed
        };
        let link = if s.allow_virtual_network_access { receiving } else { sending };
        self.sink.step(Step::Peering { link, forwarded, check });
        check.passes()
    }

    /// R-15 ([FIELD]): whether the packet is the reply of a flow that a NIC of `vnet` opened,
    /// which `allowForwardedTraffic` does not judge (unless the strict reading is chosen).
    fn reply_to(&self, vnet: VnetId, packet: &Packet) -> bool {
        let f = self.fabric;
        !f.options.forwarded_traffic_checks_replies && self.request.is_some() && f.in_vnet(vnet, packet.destination)
    }

    /// When a packet is dropped for want of a route, a one-sided peering of this VNet to a VNet
    /// that holds the address is the likely cause: say so. Only the VNet's own peerings are
    /// read, so the walk depends on nothing beyond them (the diff's place digests rely on it).
    fn explain_unconnected_peering(&mut self, vnet: VnetId, address: IpAddr) {
        let f = self.fabric;
        let one_sided = f.scenario.peerings.iter().enumerate().find_map(|(i, p)| {
            let other = if p.local == vnet { p.remote } else { p.local };
            let link = PeeringId::from_index(i);
            let touches = p.local == vnet || p.remote == vnet;
            (touches && f.initiated_peering(p.local, p.remote) == Some(link) && f.in_vnet(other, address))
                .then_some(link)
        });
        if let Some(link) = one_sided {
            self.sink.step(Step::Peering { link, forwarded: false, check: PeeringCheck::NotConnected });
        }
    }

    fn deliver_in_vnet(&mut self, vnet: VnetId, packet: Packet) -> Disposition {
        let f = self.fabric;
        if let Some(nic) = f.nic_at(vnet, packet.destination) {
            return self.deliver_to(nic, packet);
        }
        if self.request.is_none()
            && let Some(lb) = f.internal_lb_at(vnet, packet.destination)
        {
            return self.through_load_balancer(lb, packet);
        }
        self.sink.step(Step::NoHost { vnet, address: packet.destination });
        Disposition::NoHost
    }

    /// O-1: how a NIC's new flows leave for the internet. A firewall from its public IP or its
    /// subnet's NAT gateway, for the flows it SNATed (F-12, F-16); otherwise NAT gateway, instance public IP, load
    /// balancer outbound rules, then default outbound access, which a private subnet or a public
    /// IP on another NIC of the machine turns off (O-3).
    fn egress_method(&self, at: NicId, packet: &Packet) -> Egress {
        let f = self.fabric;
        let nic = f.scenario.nic(at);
        let subnet = f.scenario.subnet(nic.subnet);
        let nat = subnet
            .nat_gateway
            .and_then(|g| f.scenario.nat_gateways[g.index()].public_ips.first().map(|ip| Egress::NatGateway(g, *ip)));
        if let Some(fw) = f.firewall_of(at) {
            // F-12: only traffic the firewall SNATed leaves for the internet; with
            // `snat_private_ranges: [0.0.0.0/0]` nothing does.
            if packet.source != f.firewall(fw).private_ip {
                return Egress::None;
            }
            let public = f.scenario.firewalls[fw.index()].public_ips.first().map(|ip| Egress::Firewall(fw, *ip));
            return nat.or(public).unwrap_or(Egress::None);
        }
        if let Some(nat) = nat {
            return nat;
        }
        if let Some(ip) = nic.public_ip {
            return Egress::InstancePublicIp(ip);
        }
        if let Some(lb) = f.outbound_lb_of(nic.endpoint) {
            return Egress::LoadBalancer(lb, f.scenario.load_balancers[lb.index()].frontend);
        }
        if subnet.default_outbound_access && !f.machine_has_public_ip(at) {
            Egress::DefaultOutboundAccess
        } else {
            Egress::None
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
        // A reply to a request from the internet must leave where the request came in, from the
        // public IP the client talked to, or the client drops it (R-11, A-6, O-2).
        let egress = match self.request.and_then(|r| r.ingress_public) {
            Some((expected, entry)) if entry != at => {
                self.sink.step(Step::AsymmetricReturn { expected, actual: at });
                return Disposition::AsymmetricDrop;
            }
            Some((public, _)) => Egress::Return(public),
            None => self.egress_method(at, &packet),
        };
        self.sink.step(Step::Egress { nic: at, egress });
        let public_source = match egress {
            Egress::None => return Disposition::NoOutboundAccess,
            Egress::Firewall(_, ip)
            | Egress::NatGateway(_, ip)
            | Egress::InstancePublicIp(ip)
            | Egress::LoadBalancer(_, ip)
            | Egress::Return(ip) => ip,
            Egress::DefaultOutboundAccess => IpAddr::V4(DEFAULT_OUTBOUND_REPRESENTATIVE),
        };
        self.flow.egress = Some((at, packet.source));
        packet.source = public_source;
        if self.request.is_none()
            && let Some(service) = f.service_at(packet.destination)
        {
            // to an Azure public IP over the backbone; the service sees the public source,
            // and knows an Azure caller of its own region (S-10).
            let target = f.scenario.service(service);
            let same_region = !target.builtin && target.region == f.scenario.region;
            return self.arrive(service, Arrival::Public { source: public_source, same_region }, packet);
        }
        if self.request.is_none() && self.reaches_scenario_public_ip(packet.destination) {
            // To another public IP of the scenario: back in from the internet (N-8).
            return self.enter_from_internet(packet);
        }
        self.sink.step(Step::DeliveredToInternet { address: packet.destination });
        self.flow.delivery = Delivery::Internet;
        self.flow.delivered = Some(packet);
        Disposition::Delivered
    }

    /// Whether a public address belongs to the scenario: a NIC, a firewall, a load balancer or a
    /// NAT gateway.
    fn reaches_scenario_public_ip(&self, ip: IpAddr) -> bool {
        let f = self.fabric;
        f.nic_with_public_ip(ip).is_some()
            || f.firewall_at_public(ip).is_some()
            || f.public_lb_at(ip).is_some()
            || f.nat_gateway_at(ip).is_some()
    }

    /// A reply to a request that left the VNet at `request.egress`: it comes back in there, with
    /// the egress SNAT undone.
    fn back_through_egress(&mut self, request: &FlowRecord, reply: Packet) -> Disposition {
        let Some((egress, private_source)) = request.egress else { return Disposition::NoRoute };
        let reply = Packet { destination: private_source, ..reply };
        if let Err(d) = self.ingress_nsgs(egress, &reply) {
            return d;
        }
        if Some(Origin::Nic(egress)) == request.origin {
            self.sink.step(Step::DeliveredToNic { nic: egress });
            return Disposition::Delivered;
        }
        // The appliance that sent the request out forwards the reply back in.
        let f = self.fabric;
        let reply = if f.nics[egress.index()].stateful() {
            match self.session(request, egress, reply) {
                Ok(restored) => restored,
                Err(d) => return d,
            }
        } else {
            self.sink.step(Step::Appliance { nic: egress, forwarding: true });
            self.flow.appliances.push(egress);
            reply
        };
        match self.egress_nsgs(egress, &reply) {
            Err(d) => d,
            Ok(()) => self.route(egress, reply),
        }
    }

    /// Appliances seen in one direction only: the reply's path differs from the request's.
    /// A stateful device the reply bypassed never sees the session complete, and drops the
    /// client's next packet (F-15, P-9): returns `false` for such a flow.
    fn report_divergence(&mut self, request: &FlowRecord) -> bool {
        let f = self.fabric;
        let mut symmetric = true;
        for &a in &request.appliances {
            if !self.flow.appliances.contains(&a) {
                if f.nics[a.index()].stateful() {
                    let came_in_on = request.ingress_public.map(|(ip, _)| ip);
                    self.sink.step(Step::Asymmetric { nic: a, seen_by_request: true, came_in_on });
                    symmetric = false;
                } else {
                    self.sink.step(Step::PathDiverges { nic: a, seen_by_request: true });
                }
            }
        }
        for &a in &self.flow.appliances {
            if !request.appliances.contains(&a) {
                self.sink.step(Step::PathDiverges { nic: a, seen_by_request: false });
            }
        }
        symmetric
    }
}

impl Fabric {
    /// Walks a request from `origin`. The returned record feeds [`Fabric::walk_reply`].
    pub fn walk_request<S: TraceSink>(
        &self,
        origin: Origin,
        packet: Packet,
        name: FlowName<'_>,
        sink: &mut S,
    ) -> (Disposition, FlowRecord) {
        let mut w = Walker {
            fabric: self,
            sink,
            flow: FlowRecord::default(),
            request: None,
            server: name.server,
            name: name.name,
            via_gateway: false,
        };
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
            name: None,
            via_gateway: false,
        };
        let d = match request.delivery {
            Delivery::Nic(nic) => match w.egress_nsgs(nic, &reply) {
                Err(d) => d,
                Ok(()) => w.route(nic, reply),
            },
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
        if d.is_delivered() && !w.report_divergence(request) {
            return Disposition::AsymmetricDrop;
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
        self.walk_connection_to(origin, packet, FlowName::default(), request_sink, reply_sink)
    }

    /// Walks a connection to a DNS name: `name` carries the name and the service it belongs to.
    pub fn walk_connection_to<S: TraceSink>(
        &self,
        origin: Origin,
        packet: Packet,
        name: FlowName<'_>,
        request_sink: &mut S,
        reply_sink: &mut S,
    ) -> Verdict {
        let (request, flow) = self.walk_request(origin, packet, name, request_sink);
        let reply = request.is_delivered().then(|| self.walk_reply(&flow, reply_sink));
        Verdict { request, reply, reply_packet: flow.delivered.map(|p| p.reply()) }
    }
}
