//! Exhaustive reachability: every packet a source can get delivered, over the whole IPv4
//! destination space, every protocol and destination port, and every SNI name that matters.
//!
//! The interval method: the fabric's cuts (`Fabric::cuts`) split addresses and ports into
//! pieces inside which every predicate of the walk (routes, NSG rules, firewall rules, services,
//! special ranges) answers the same way, so one representative packet per (protocol, address
//! piece, port piece) decides for all of it. A piece whose walk reaches a firewall that found no
//! network rule, or a private endpoint, is split further by the names of [`crate::sni`], since
//! application rules (F-8) and multi-service endpoints tell flows apart by name. Pieces
//! with the same outcome, path and deciding rules form a [`Group`]; the first piece's packet is
//! the group's witness. The source port is the client's ephemeral port (`DEFAULT_SOURCE_PORT`).

use crate::sni::Names;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use vnetsim_engine::Completion;
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::fabric::cuts::HeaderSpace;
use vnetsim_engine::fabric::firewall::FirewallDecision;
use vnetsim_engine::lpm::{IntervalLookup, PrefixLookup};
use vnetsim_engine::packet::Packet;
use vnetsim_engine::trace::{Disposition, Recorder, Step};
use vnetsim_engine::walk::{FlowName, Origin, Verdict};
use vnetsim_model::scenario::DEFAULT_SOURCE_PORT;
use vnetsim_model::{IpAddr, Ipv4Addr, NicId, OnPremId, Protocol, ServiceId, ServiceTag};

/// What the analysis may assume about clients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReachOptions {
    /// A client may send any SNI to any address (see [`crate::sni`]).
    pub sni_spoofing: bool,
}

/// The header space of a fabric, cut once and shared by every source.
pub struct Space {
    pub header: HeaderSpace,
    pub names: Names,
    tags: TagIndex,
    /// Per firewall, the ports its application rules listen on: a name matters only there.
    app_ports: Vec<Vec<u16>>,
}

impl Space {
    pub fn new(fabric: &Fabric, options: ReachOptions) -> Space {
        Space::over(fabric, options, fabric.cuts().finish())
    }

    /// The space of `fabric` over a header space cut elsewhere (the diff cuts two fabrics
    /// alike).
    pub fn over(fabric: &Fabric, options: ReachOptions, header: HeaderSpace) -> Space {
        let app_ports = (fabric.firewalls.iter())
            .map(|fw| {
                let mut ports: Vec<u16> = fw.application_targets().map(|(_, port)| port).collect();
                ports.sort_unstable();
                ports.dedup();
                ports
            })
            .collect();
        Space { header, names: Names::new(fabric, options.sni_spoofing), app_ports, tags: TagIndex::new(fabric) }
    }

    /// The service tag of an internet destination a walk reached.
    fn tag_of(&self, outcome: &Outcome, address: IpAddr) -> Option<u32> {
        (outcome.reached == Some(Reached::Internet)).then(|| self.tags.at(address)).flatten()
    }

    /// Whether the name a flow carries could change this walk: a firewall found no network
    /// rule and has application rules on the port, which look at the name (F-3, F-8), or a
    /// private endpoint picks the service by it.
    pub(crate) fn name_matters(&self, packet: &Packet, steps: &[Step]) -> bool {
        packet.protocol == Protocol::Tcp
            && steps.iter().any(|s| match s {
                Step::Firewall { firewall, decision: FirewallDecision::NoRule { .. } } => {
                    self.app_ports[firewall.index()].binary_search(&packet.destination_port).is_ok()
                }
                Step::PrivateEndpoint { .. } => true,
                _ => false,
            })
    }
}

/// Where a delivered request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reached {
    Endpoint(NicId),
    Service(ServiceId),
    OnPrem(OnPremId),
    Platform,
    /// An internet address no service of the scenario holds.
    Internet,
}

/// Inclusive destination address ranges, each with its inclusive destination port ranges.
pub type Ranges = Vec<((u32, u32), Vec<(u16, u16)>)>;

/// Pieces of header space with one outcome: the same destination, path and deciding rules.
#[derive(Clone, Debug)]
pub struct Group {
    pub protocol: Protocol,
    /// Where the request was delivered; `None` when it was dropped.
    pub reached: Option<Reached>,
    /// The request's disposition, and the reply's when the request was delivered.
    pub request: Disposition,
    pub reply: Option<Disposition>,
    /// The SNI or Host name the pieces carry, an index into the space's [`Names`]; `None`: no name.
    pub name: Option<u32>,
    /// Destination address ranges, each with the destination port ranges of the group there.
    pub ranges: Ranges,
    /// The first packet of the group: walk it to see the path.
    pub witness: Packet,
    /// Classes walked into the group.
    pub classes: usize,
}

impl Group {
    /// What its connections achieve: works, one-way or denied.
    pub fn completion(&self) -> Completion {
        Completion::of(self.request, self.reply)
    }

    /// The request arrived and the reply came back.
    pub fn works(&self) -> bool {
        self.completion() == Completion::Works
    }

    /// Whether the group carries data to its destination (`Completion::carries_data`).
    pub fn carries_data(&self) -> bool {
        self.completion().carries_data(self.protocol)
    }

    /// The number of (address, port) pairs the group covers.
    pub fn size(&self) -> u64 {
        let ports = |ps: &[(u16, u16)]| ps.iter().map(|(lo, hi)| u64::from(hi - lo) + 1).sum::<u64>();
        self.ranges.iter().map(|((lo, hi), ps)| (u64::from(hi - lo) + 1) * ports(ps)).sum()
    }

    /// The name the witness carries.
    pub fn witness_name<'s>(&self, space: &'s Space) -> FlowName<'s> {
        self.name.map_or_else(FlowName::default, |n| space.names.flow_name(n))
    }

    /// Walks the witness again, for its trace.
    pub fn replay(&self, fabric: &Fabric, space: &Space, source: NicId) -> (Verdict, Recorder, Recorder) {
        let (mut request, mut reply) = (Recorder::default(), Recorder::default());
        let v = fabric.walk_connection_to(
            Origin::Nic(source),
            self.witness,
            self.witness_name(space),
            &mut request,
            &mut reply,
        );
        (v, request, reply)
    }

    /// Whether the group holds destination `address` and port `port`.
    pub fn contains(&self, address: u32, port: u16) -> bool {
        let ports = if self.protocol.has_ports() { port } else { 0 };
        self.ranges.iter().any(|((lo, hi), ps)| {
            (*lo..=*hi).contains(&address) && ps.iter().any(|(plo, phi)| (*plo..=*phi).contains(&ports))
        })
    }
}

/// Everything one source can send, as groups in a deterministic order.
#[derive(Clone, Debug)]
pub struct Reach {
    pub source: NicId,
    /// Classes walked: (protocol, address piece, port piece, name) combinations.
    pub classes: usize,
    pub groups: Vec<Group>,
}

impl Reach {
    /// The groups whose requests were delivered.
    pub fn delivered(&self) -> impl Iterator<Item = &Group> {
        self.groups.iter().filter(|g| g.request.is_delivered())
    }
}

/// A walk's steps with the per-packet addresses taken out: two packets with equal keys took
/// the same path and were decided by the same rules.
fn generalise(step: Step) -> Step {
    let zero = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    match step {
        Step::DeliveredToInternet { .. } => Step::DeliveredToInternet { address: zero },
        Step::NoHost { vnet, .. } => Step::NoHost { vnet, address: zero },
        Step::Unreachable { reason, .. } => Step::Unreachable { address: zero, reason },
        Step::ForeignServiceAddress { subnet, .. } => Step::ForeignServiceAddress { address: zero, subnet },
        Step::Translation { nic, destination, .. } => Step::Translation { nic, destination, from: zero, to: zero },
        Step::Session { nic, .. } => Step::Session { nic, restored: zero },
        other => other,
    }
}

/// The destination of a delivered request, from its last step.
fn reached(steps: &[Step]) -> Option<Reached> {
    Some(match steps.last()? {
        Step::DeliveredToNic { nic } => Reached::Endpoint(*nic),
        Step::Service { service, .. } => Reached::Service(*service),
        Step::Gateway { network, inbound: false, .. } => Reached::OnPrem(*network),
        Step::DeliveredToPlatform { .. } => Reached::Platform,
        Step::DeliveredToInternet { .. } | Step::ForeignServiceAddress { .. } => Reached::Internet,
        _ => return None,
    })
}

/// `AzureCloud` and its regions, which hold every Azure address.
fn azure_cloud(t: &ServiceTag) -> bool {
    t.name == "AzureCloud" || t.parent.as_deref() == Some("AzureCloud")
}

/// The most specific service tag holding an address: a service's tag before `AzureCloud`,
/// which holds every Azure address; then the longest prefix; then a regional tag over its parent.
pub fn most_specific_tag(fabric: &Fabric, address: IpAddr) -> Option<&ServiceTag> {
    let holding = fabric.scenario.service_tags.iter().filter_map(|t| {
        t.prefixes.iter().filter(|p| p.contains(&address)).map(|p| p.prefix_len()).max().map(|len| (len, t))
    });
    holding.max_by_key(|(len, t)| (!azure_cloud(t), *len, t.region.is_some())).map(|(_, t)| t)
}

/// [`most_specific_tag`] by longest-prefix match, for one lookup per walked piece: an internet
/// destination is a different destination in each tag (the audit classifies by it), so pieces
/// group only with pieces of the same tag.
struct TagIndex {
    specific: IntervalLookup,
    cloud: IntervalLookup,
}

impl TagIndex {
    fn new(fabric: &Fabric) -> TagIndex {
        let mut tags: Vec<(u32, &ServiceTag)> =
            (fabric.scenario.service_tags.iter()).zip(0..).map(|(t, i)| (i, t)).collect();
        // Of equal prefixes the last inserted wins: a regional tag over its parent.
        tags.sort_by_key(|(_, t)| t.region.is_some());
        let entries = |cloud: bool| {
            (tags.iter().filter(move |(_, t)| azure_cloud(t) == cloud))
                .flat_map(|(i, t)| t.prefixes.iter().map(move |p| (*p, *i)))
                .collect::<Vec<_>>()
        };
        TagIndex { specific: IntervalLookup::build(entries(false)), cloud: IntervalLookup::build(entries(true)) }
    }

    fn at(&self, address: IpAddr) -> Option<u32> {
        self.specific.longest_match(address).or_else(|| self.cloud.longest_match(address))
    }
}

/// What one walk came to, with the per-packet addresses taken out: two packets with equal
/// outcomes took the same path and were decided by the same rules.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Outcome {
    pub request: Disposition,
    pub reply: Option<Disposition>,
    /// Where the request was delivered.
    pub reached: Option<Reached>,
    /// The request's steps then the reply's, generalised.
    pub steps: SmallVec<[Step; 32]>,
}

/// Walks one connection from `source`. The recorders keep the raw steps.
pub fn walk(
    fabric: &Fabric,
    source: NicId,
    packet: Packet,
    name: FlowName<'_>,
    request: &mut Recorder,
    reply: &mut Recorder,
) -> Outcome {
    request.steps.clear();
    reply.steps.clear();
    let v = fabric.walk_connection_to(Origin::Nic(source), packet, name, request, reply);
    Outcome {
        request: v.request,
        reply: v.reply,
        reached: if v.request.is_delivered() { reached(&request.steps) } else { None },
        steps: request.steps.iter().chain(&reply.steps).map(|s| generalise(*s)).collect(),
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    protocol: Protocol,
    name: Option<u32>,
    /// For a packet delivered to the internet, the service tag its address is in.
    tag: Option<u32>,
    outcome: Outcome,
}

/// Collects walked pieces into groups.
struct Grouper {
    index: FxHashMap<Key, usize>,
    groups: Vec<Group>,
}

impl Grouper {
    fn add(&mut self, packet: Packet, name: Option<u32>, tag: Option<u32>, outcome: Outcome, piece: Piece) {
        let (request, reply, reached) = (outcome.request, outcome.reply, outcome.reached);
        let key = Key { protocol: packet.protocol, name, tag, outcome };
        let next = self.groups.len();
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            self.groups.push(Group {
                protocol: packet.protocol,
                reached,
                request,
                reply,
                name,
                ranges: Vec::new(),
                witness: packet,
                classes: 0,
            });
        }
        self.groups[i].classes += 1;
        piece.add_to(&mut self.groups[i].ranges);
    }

    fn finish(self) -> Vec<Group> {
        let mut groups = self.groups;
        for g in &mut groups {
            merge_neighbours(&mut g.ranges);
        }
        groups
    }
}

/// Merges neighbouring address ranges with the same ports.
pub(crate) fn merge_neighbours(ranges: &mut Ranges) {
    let mut merged: Ranges = Vec::with_capacity(ranges.len());
    for (a, ports) in ranges.drain(..) {
        match merged.last_mut() {
            Some((m, mp)) if u64::from(m.1) + 1 == u64::from(a.0) && *mp == ports => m.1 = a.1,
            _ => merged.push((a, ports)),
        }
    }
    *ranges = merged;
}

/// One address piece with one port piece of the header space.
#[derive(Clone, Copy)]
pub(crate) struct Piece {
    pub addresses: (u32, u32),
    pub ports: (u16, u16),
}

impl Piece {
    /// Adds the piece to ranges built in piece order.
    pub(crate) fn add_to(self, ranges: &mut Ranges) {
        match ranges.last_mut() {
            Some((a, ports)) if *a == self.addresses => match ports.last_mut() {
                Some(p) if u32::from(p.1) + 1 == u32::from(self.ports.0) => p.1 = self.ports.1,
                _ => ports.push(self.ports),
            },
            _ => ranges.push((self.addresses, vec![self.ports])),
        }
    }
}

/// A port to stand for a piece: its first, but not 0 when the piece has others.
fn representative_port((lo, hi): (u16, u16)) -> u16 {
    if lo == 0 && hi > 0 { 1 } else { lo }
}

/// Every (protocol, address piece, port piece) of `header` whose address piece `keep` accepts,
/// with the packet from `from` that stands for it.
pub(crate) fn pieces<'h>(
    header: &'h HeaderSpace,
    from: IpAddr,
    keep: impl Fn((u32, u32)) -> bool + Copy + 'h,
) -> impl Iterator<Item = (Piece, Packet)> + 'h {
    const NO_PORTS: [(u16, u16); 1] = [(0, 0)];
    Protocol::ALL.into_iter().flat_map(move |protocol| {
        let ports: &'h [(u16, u16)] = if protocol.has_ports() { &header.ports } else { &NO_PORTS };
        let source_port = if protocol.has_ports() { DEFAULT_SOURCE_PORT } else { 0 };
        header.addresses.iter().filter(move |a| keep(**a)).flat_map(move |&addresses| {
            ports.iter().map(move |&port_piece| {
                let packet = Packet {
                    protocol,
                    source: from,
                    source_port,
                    destination: IpAddr::V4(Ipv4Addr::from(addresses.0)),
                    destination_port: if protocol.has_ports() { representative_port(port_piece) } else { 0 },
                };
                (Piece { addresses, ports: port_piece }, packet)
            })
        })
    })
}

/// Every class of packets `source` can send, walked once each.
pub fn reach(fabric: &Fabric, space: &Space, source: NicId) -> Reach {
    let from = fabric.scenario.nic(source).private_ip;
    let mut grouper = Grouper { index: FxHashMap::default(), groups: Vec::new() };
    let mut classes = 0;
    let (mut request, mut reply) = (Recorder::default(), Recorder::default());
    for (piece, packet) in pieces(&space.header, from, |_| true) {
        let outcome = walk(fabric, source, packet, FlowName::default(), &mut request, &mut reply);
        classes += 1;
        let sensitive = space.name_matters(&packet, &request.steps);
        let tag = space.tag_of(&outcome, packet.destination);
        grouper.add(packet, None, tag, outcome, piece);
        if !sensitive {
            continue;
        }
        for &n in space.names.candidates(fabric, packet.destination) {
            let outcome = walk(fabric, source, packet, space.names.flow_name(n), &mut request, &mut reply);
            classes += 1;
            let tag = space.tag_of(&outcome, packet.destination);
            grouper.add(packet, Some(n), tag, outcome, piece);
        }
    }
    Reach { source, classes, groups: grouper.finish() }
}
