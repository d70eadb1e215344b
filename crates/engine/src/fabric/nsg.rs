//! NSGs compiled for the subnet whose context they are evaluated in (N-4, N-11, N-12).

use crate::addr_set::AddrSet;
use crate::options::{AnyProtocol, Options};
use crate::rule_masks::{FieldMasks, first_rule, words_for};
use vnetsim_model::{Access, AddressMatch, Direction, NsgId, PortSet, Protocol, ProtocolMatch, Scenario};

/// A rule's address field with tags and ASGs expanded.
#[derive(Clone, Debug)]
pub enum AddrMatcher {
    Any,
    Set(AddrSet),
}

impl AddrMatcher {
    fn v4(&self) -> Option<&[(u32, u32)]> {
        match self {
            AddrMatcher::Any => None,
            AddrMatcher::Set(s) => Some(s.v4_ranges()),
        }
    }

    fn v6(&self) -> Option<&[(u128, u128)]> {
        match self {
            AddrMatcher::Any => None,
            AddrMatcher::Set(s) => Some(s.v6_ranges()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// Index of the rule in the model NSG's `rules`, for explanations.
    pub rule: u16,
    pub access: Access,
    /// One bit per [`Protocol`], in `Protocol::ALL` order.
    protocols: u8,
    source: AddrMatcher,
    source_ports: PortSet,
    destination: AddrMatcher,
    destination_ports: PortSet,
}

/// The fields of a packet an NSG looks at.
#[derive(Clone, Copy, Debug)]
pub struct FiveTuple {
    pub protocol: Protocol,
    pub source: vnetsim_model::IpAddr,
    pub source_port: u16,
    pub destination: vnetsim_model::IpAddr,
    pub destination_port: u16,
}

#[inline]
fn protocol_bit(p: Protocol) -> u8 {
    1 << (p as u8)
}

/// The rule index reported when no rule of an NSG matches a packet.
pub const NO_MATCHING_RULE: u16 = u16::MAX;

/// An NSG as seen from one subnet: both directions' rules, sorted by priority (N-4), and the
/// same rules as bit-vector fields for evaluation.
#[derive(Clone, Debug)]
pub struct CompiledNsg {
    pub nsg: NsgId,
    inbound: Vec<CompiledRule>,
    outbound: Vec<CompiledRule>,
    inbound_masks: DirectionMasks,
    outbound_masks: DirectionMasks,
}

/// One direction's rules as [`crate::rule_masks`] fields: bit `r` stands for rule `r` in
/// priority order.
#[derive(Clone, Debug)]
struct DirectionMasks {
    words: usize,
    /// Per protocol, in `Protocol::ALL` order.
    protocols: Vec<u64>,
    source_v4: FieldMasks<u32>,
    source_v6: FieldMasks<u128>,
    destination_v4: FieldMasks<u32>,
    destination_v6: FieldMasks<u128>,
    source_ports: FieldMasks<u16>,
    destination_ports: FieldMasks<u16>,
    /// Every rule: the mask of a field that does not apply (ports of ICMP, P-8 source ports).
    all: Vec<u64>,
}

impl DirectionMasks {
    fn build(rules: &[CompiledRule]) -> DirectionMasks {
        let words = words_for(rules.len());
        let field_v4 = |f: fn(&CompiledRule) -> &AddrMatcher| {
            FieldMasks::build(words, &rules.iter().map(|r| f(r).v4()).collect::<Vec<_>>())
        };
        let field_v6 = |f: fn(&CompiledRule) -> &AddrMatcher| {
            FieldMasks::build(words, &rules.iter().map(|r| f(r).v6()).collect::<Vec<_>>())
        };
        let ports = |f: fn(&CompiledRule) -> &PortSet| {
            let ranges: Vec<Vec<(u16, u16)>> =
                rules.iter().map(|r| f(r).ranges().iter().map(|p| (p.first, p.last)).collect()).collect();
            FieldMasks::build(words, &ranges.iter().map(|r| Some(r.as_slice())).collect::<Vec<_>>())
        };
        let mut protocols = vec![0u64; Protocol::ALL.len() * words];
        let mut all = vec![0u64; words];
        for (r, rule) in rules.iter().enumerate() {
            all[r / 64] |= 1 << (r % 64);
            for (k, &p) in Protocol::ALL.iter().enumerate() {
                if rule.protocols & protocol_bit(p) != 0 {
                    protocols[k * words + r / 64] |= 1 << (r % 64);
                }
            }
        }
        DirectionMasks {
            words,
            protocols,
            source_v4: field_v4(|r| &r.source),
            source_v6: field_v6(|r| &r.source),
            destination_v4: field_v4(|r| &r.destination),
            destination_v6: field_v6(|r| &r.destination),
            source_ports: ports(|r| &r.source_ports),
            destination_ports: ports(|r| &r.destination_ports),
            all,
        }
    }

    /// The first rule, in priority order, matching the packet.
    #[inline]
    fn first(&self, p: &FiveTuple, ignore_source_port: bool) -> Option<usize> {
        let words = self.words;
        let k = Protocol::ALL.iter().position(|&q| q == p.protocol).unwrap_or(0);
        let protocol = &self.protocols[k * words..(k + 1) * words];
        let source = match p.source {
            vnetsim_model::IpAddr::V4(a) => self.source_v4.lookup(u32::from(a), words),
            vnetsim_model::IpAddr::V6(a) => self.source_v6.lookup(u128::from(a), words),
        };
        let destination = match p.destination {
            vnetsim_model::IpAddr::V4(a) => self.destination_v4.lookup(u32::from(a), words),
            vnetsim_model::IpAddr::V6(a) => self.destination_v6.lookup(u128::from(a), words),
        };
        // N-1: ports never exclude protocols without them.
        let has_ports = p.protocol.has_ports();
        let source_ports =
            if has_ports && !ignore_source_port { self.source_ports.lookup(p.source_port, words) } else { &self.all };
        let destination_ports =
            if has_ports { self.destination_ports.lookup(p.destination_port, words) } else { &self.all };
        first_rule([protocol, source, destination, source_ports, destination_ports])
    }
}

impl CompiledNsg {
    /// N-4: the first rule in priority order that matches decides: `(access, model rule index)`.
    /// The default deny-all (N-5) catches everything except protocols that the N-3 option keeps
    /// out of `Any`; those are denied with [`NO_MATCHING_RULE`].
    #[inline]
    /// `ignore_source_port` treats every rule's source ports as `*`, as Azure does for traffic to
    /// private endpoints (P-8).
    pub fn evaluate(&self, direction: Direction, packet: &FiveTuple, ignore_source_port: bool) -> (Access, u16) {
        let (rules, masks) = match direction {
            Direction::Inbound => (&self.inbound, &self.inbound_masks),
            Direction::Outbound => (&self.outbound, &self.outbound_masks),
        };
        masks
            .first(packet, ignore_source_port)
            .map_or((Access::Deny, NO_MATCHING_RULE), |r| (rules[r].access, rules[r].rule))
    }
}

impl CompiledNsg {
    /// Adds the boundaries of every rule's addresses and ports, in both directions: a reply
    /// judged as a new flow matches the request's destination against rule sources (N-9).
    pub fn cut(&self, c: &mut super::cuts::Cuts) {
        for r in self.inbound.iter().chain(&self.outbound) {
            for m in [&r.source, &r.destination] {
                if let AddrMatcher::Set(s) = m {
                    c.set(s);
                }
            }
            c.port_set(&r.source_ports);
            c.port_set(&r.destination_ports);
        }
    }
}

/// The address sets a subnet's context gives to contextual tags.
pub struct TagContext<'a> {
    /// N-11: VirtualNetwork for this subnet.
    pub virtual_network: &'a AddrSet,
    /// N-12: Internet, the complement of VirtualNetwork.
    pub internet: &'a AddrSet,
    /// N-13: AzureLoadBalancer, 168.63.129.16.
    pub load_balancer: &'a AddrSet,
    /// Member addresses per ASG (N-15).
    pub asg_members: &'a [AddrSet],
}

fn expand(m: &AddressMatch, scenario: &Scenario, ctx: &TagContext<'_>) -> AddrMatcher {
    match m {
        AddressMatch::Any => AddrMatcher::Any,
        AddressMatch::Prefixes(p) => AddrMatcher::Set(AddrSet::from_prefixes(p)),
        AddressMatch::Asg(a) => AddrMatcher::Set(ctx.asg_members[a.index()].clone()),
        AddressMatch::ServiceTag(t) => AddrMatcher::Set(match t.as_str() {
            "VirtualNetwork" => ctx.virtual_network.clone(),
            "Internet" => ctx.internet.clone(),
            "AzureLoadBalancer" => ctx.load_balancer.clone(),
            other => scenario.service_tags.get(other).map(|t| AddrSet::from_prefixes(&t.prefixes)).unwrap_or_default(),
        }),
    }
}

/// Compiles `nsg` for evaluation at NICs of one subnet, whose tag sets `ctx` holds.
pub fn compile_nsg(scenario: &Scenario, nsg: NsgId, ctx: &TagContext<'_>, options: &Options) -> CompiledNsg {
    let any_bits = match options.any_protocol {
        AnyProtocol::AllProtocols => Protocol::ALL.iter().fold(0, |b, p| b | protocol_bit(*p)),
        AnyProtocol::TcpUdpIcmp => {
            protocol_bit(Protocol::Tcp) | protocol_bit(Protocol::Udp) | protocol_bit(Protocol::Icmp)
        }
    };
    let mut order: Vec<usize> = (0..scenario.nsgs[nsg.index()].rules.len()).collect();
    let rules = &scenario.nsgs[nsg.index()].rules;
    order.sort_by_key(|&i| rules[i].priority);
    let (mut inbound, mut outbound) = (Vec::new(), Vec::new());
    for i in order {
        let r = &rules[i];
        let compiled = CompiledRule {
            rule: i as u16,
            access: r.access,
            protocols: match r.protocol {
                ProtocolMatch::Any => any_bits,
                ProtocolMatch::One(p) => protocol_bit(p),
            },
            source: expand(&r.source, scenario, ctx),
            source_ports: r.source_ports.clone(),
            destination: expand(&r.destination, scenario, ctx),
            destination_ports: r.destination_ports.clone(),
        };
        match r.direction {
            Direction::Inbound => inbound.push(compiled),
            Direction::Outbound => outbound.push(compiled),
        }
    }
    let (inbound_masks, outbound_masks) = (DirectionMasks::build(&inbound), DirectionMasks::build(&outbound));
    CompiledNsg { nsg, inbound, outbound, inbound_masks, outbound_masks }
}
