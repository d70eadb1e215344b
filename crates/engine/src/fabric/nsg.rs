//! NSGs compiled for the tag context they are evaluated in (N-4, N-11, N-12): one copy per
//! VirtualNetwork set, shared by the subnets that have it.

use crate::addr_set::AddrSet;
use crate::intervals::Bound;
use crate::options::{AnyProtocol, Options};
use crate::packet::Packet;
use crate::rule_masks::{FieldRanges, RuleMasks};
use vnetsim_model::{
    Access, AddressMatch, Direction, IpAddr, NsgId, NsgRule, PortSet, Protocol, ProtocolMatch, Scenario,
};

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

#[inline]
fn protocol_bit(p: Protocol) -> u8 {
    1 << (p as u8)
}

/// The rule index reported when no rule of an NSG matches a packet.
pub const NO_MATCHING_RULE: u16 = u16::MAX;

/// An NSG as seen from one subnet.
#[derive(Clone, Debug)]
pub struct CompiledNsg {
    pub nsg: NsgId,
    pub rules: CompiledRules,
}

/// A rule list as seen from one subnet: both directions' rules, sorted by priority (N-4), and
/// the same rules as bit-vector fields for evaluation. NSGs and security admin rules (N-16)
/// share it.
#[derive(Clone, Debug)]
pub struct CompiledRules {
    inbound: Vec<CompiledRule>,
    outbound: Vec<CompiledRule>,
    inbound_masks: DirectionMasks,
    outbound_masks: DirectionMasks,
}

/// One direction's rules as [`RuleMasks`] over protocol, source, destination, source port and
/// destination port, one classifier per address family: bit `r` stands for rule `r` in
/// priority order.
#[derive(Clone, Debug)]
struct DirectionMasks {
    v4: RuleMasks<u32, 5>,
    v6: RuleMasks<u128, 5>,
}

/// A packet's values in [`DirectionMasks`] field order; `None` for ports that do not apply.
fn fields<T: From<u16>>(
    protocol: u16,
    source: T,
    destination: T,
    source_port: Option<u16>,
    destination_port: Option<u16>,
) -> [Option<T>; 5] {
    [
        Some(protocol.into()),
        Some(source),
        Some(destination),
        source_port.map(Into::into),
        destination_port.map(Into::into),
    ]
}

impl DirectionMasks {
    fn build(rules: &[CompiledRule]) -> DirectionMasks {
        DirectionMasks { v4: Self::family(rules, AddrMatcher::v4), v6: Self::family(rules, AddrMatcher::v6) }
    }

    fn family<T: Bound + From<u16>>(
        rules: &[CompiledRule],
        addresses: for<'r> fn(&'r AddrMatcher) -> FieldRanges<'r, T>,
    ) -> RuleMasks<T, 5> {
        let one = |v: u16| (T::from(v), T::from(v));
        let protocols: Vec<Vec<(T, T)>> = rules
            .iter()
            .map(|r| {
                (Protocol::ALL.iter().enumerate())
                    .filter(|(_, p)| r.protocols & protocol_bit(**p) != 0)
                    .map(|(k, _)| one(k as u16))
                    .collect()
            })
            .collect();
        let ports = |f: fn(&CompiledRule) -> &PortSet| -> Vec<Vec<(T, T)>> {
            rules.iter().map(|r| f(r).ranges().iter().map(|p| (T::from(p.first), T::from(p.last))).collect()).collect()
        };
        let (source_ports, destination_ports) = (ports(|r| &r.source_ports), ports(|r| &r.destination_ports));
        let fields: Vec<(bool, [FieldRanges<'_, T>; 5])> = (rules.iter().enumerate())
            .map(|(i, r)| {
                let fields = [
                    Some(&protocols[i][..]),
                    addresses(&r.source),
                    addresses(&r.destination),
                    Some(&source_ports[i][..]),
                    Some(&destination_ports[i][..]),
                ];
                (r.access == Access::Allow, fields)
            })
            .collect();
        RuleMasks::build(&fields)
    }

    /// The first rule, in priority order, matching the packet, and whether it allows. A packet
    /// whose ends are of different families exists nowhere in Azure and matches no rule.
    #[inline]
    fn first(&self, p: &Packet, ignore_source_port: bool) -> Option<(usize, bool)> {
        let k = Protocol::ALL.iter().position(|&q| q == p.protocol).unwrap_or(0) as u16;
        // N-1: ports never exclude protocols without them.
        let has_ports = p.protocol.has_ports();
        let source_port = (has_ports && !ignore_source_port).then_some(p.source_port);
        let destination_port = has_ports.then_some(p.destination_port);
        match (p.source, p.destination) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                self.v4.first(fields(k, s.into(), d.into(), source_port, destination_port))
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                self.v6.first(fields(k, s.into(), d.into(), source_port, destination_port))
            }
            _ => None,
        }
    }
}

impl CompiledNsg {
    /// N-4: the first rule in priority order that matches decides: `(access, model rule index)`.
    /// The default deny-all (N-5) catches everything except protocols that the N-3 option keeps
    /// out of `Any`; those are denied with [`NO_MATCHING_RULE`].
    /// `ignore_source_port` treats every rule's source ports as `*`, as Azure does for traffic to
    /// private endpoints (P-8).
    #[inline]
    pub fn evaluate(&self, direction: Direction, packet: &Packet, ignore_source_port: bool) -> (Access, u16) {
        self.rules.evaluate(direction, packet, ignore_source_port)
    }

    pub fn cut(&self, c: &mut super::cuts::Cuts) {
        self.rules.cut(c);
    }
}

impl CompiledRules {
    /// The first rule in priority order that matches: `(access, index in the compiled list)`,
    /// `(Deny, NO_MATCHING_RULE)` when none does.
    #[inline]
    pub fn evaluate(&self, direction: Direction, packet: &Packet, ignore_source_port: bool) -> (Access, u16) {
        let (rules, masks) = match direction {
            Direction::Inbound => (&self.inbound, &self.inbound_masks),
            Direction::Outbound => (&self.outbound, &self.outbound_masks),
        };
        // The verdict comes from the masks; the rule's index only feeds traces, and with no
        // trace recorded the compiler drops the read, a cache miss per packet.
        masks.first(packet, ignore_source_port).map_or((Access::Deny, NO_MATCHING_RULE), |(r, allows)| {
            (if allows { Access::Allow } else { Access::Deny }, rules.get(r).map_or(NO_MATCHING_RULE, |c| c.rule))
        })
    }
}

impl CompiledRules {
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
    CompiledNsg { nsg, rules: compile_rules(scenario, &scenario.nsgs[nsg.index()].rules, ctx, options) }
}

/// Compiles a rule list for evaluation at NICs of one subnet; compiled rules keep their index
/// in `rules`.
pub fn compile_rules(scenario: &Scenario, rules: &[NsgRule], ctx: &TagContext<'_>, options: &Options) -> CompiledRules {
    let any_bits = match options.any_protocol {
        AnyProtocol::AllProtocols => Protocol::ALL.iter().fold(0, |b, p| b | protocol_bit(*p)),
        AnyProtocol::TcpUdpIcmp => {
            protocol_bit(Protocol::Tcp) | protocol_bit(Protocol::Udp) | protocol_bit(Protocol::Icmp)
        }
    };
    let mut order: Vec<usize> = (0..rules.len()).collect();
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
    CompiledRules { inbound, outbound, inbound_masks, outbound_masks }
}
