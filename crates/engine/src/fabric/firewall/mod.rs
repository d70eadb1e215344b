//! Azure Firewall policies compiled into flat rule arrays in processing order (F-1..F-9).
//!
//! Three passes (F-3): DNAT, then network, then application rules, each in the order parent
//! groups, group priority, collection priority, rule order. The first match decides; no match is
//! the implicit deny (F-1). Tags and IP groups are expanded here; FQDNs of network rules are
//! resolved through the firewall's own DNS once the rest of the fabric exists (F-7). `index`
//! finds a packet's first match without scanning every rule.

mod index;

use crate::addr_set::AddrSet;
use crate::packet::Packet;
use index::{AddressIndex, TargetIndex, first_match};
use rustc_hash::FxHashMap;
use serde::Serialize;
use vnetsim_model::firewall::fqdn_matches;
use vnetsim_model::{
    Access, AppProtocol, FirewallAddress, FirewallId, FirewallRule, IpAddr, NicId, PortSet, Protocol, RuleKind,
    RuleMatch, Scenario,
};

/// Where a rule sits in its policy: group, collection and rule indexes as the model stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct RulePosition {
    pub group: u16,
    pub collection: u16,
    pub rule: u16,
}

/// What the firewall decided for a new flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FirewallDecision {
    /// A rule of this pass matched first.
    Rule { pass: RuleKind, at: RulePosition, access: Access },
    /// F-1: no rule in any of the examined collections matched.
    NoRule { collections: u16 },
    /// A connection to the firewall's own private IP other than DNS to its proxy (F-11).
    NotAService,
}

impl FirewallDecision {
    pub fn allows(self) -> bool {
        matches!(self, FirewallDecision::Rule { access: Access::Allow, .. })
    }
}

/// A source or destination field: any address, or a set.
#[derive(Clone, Debug)]
enum Addresses {
    Any,
    Set(AddrSet),
}

impl Addresses {
    fn contains(&self, ip: IpAddr) -> bool {
        match self {
            Addresses::Any => true,
            Addresses::Set(s) => s.contains(ip),
        }
    }

    /// The set, or `None` for any address: what an [`AddressIndex`] takes.
    fn as_set(&self) -> Option<&AddrSet> {
        match self {
            Addresses::Any => None,
            Addresses::Set(s) => Some(s),
        }
    }
}

#[derive(Clone, Debug)]
struct NetworkRule {
    at: RulePosition,
    access: Access,
    /// Empty: every protocol (F-6).
    protocols: Vec<Protocol>,
    sources: Addresses,
    destinations: Addresses,
    ports: PortSet,
    /// F-7: names to resolve through the firewall's DNS; their answers join `destinations`.
    fqdns: Vec<String>,
}

#[derive(Clone, Debug)]
struct ApplicationRule {
    at: RulePosition,
    access: Access,
    sources: Addresses,
    protocols: Vec<AppProtocol>,
    targets: Vec<String>,
}

#[derive(Clone, Debug)]
struct DnatRule {
    at: RulePosition,
    protocols: Vec<Protocol>,
    sources: Addresses,
    destination: IpAddr,
    port: u16,
    translated: IpAddr,
    translated_port: u16,
}

#[derive(Clone, Debug)]
pub struct CompiledFirewall {
    pub id: FirewallId,
    pub nic: NicId,
    pub private_ip: IpAddr,
    dnat: Vec<DnatRule>,
    network: Vec<NetworkRule>,
    application: Vec<ApplicationRule>,
    /// Collections per pass, for "no rule matched in N collections".
    collections: [u16; 3],
    /// F-12: network-rule destinations that keep their source.
    snat_exempt: AddrSet,
    /// F-9 unconfirmed reading: `*.contoso.com` also matches `contoso.com`.
    wildcard_matches_apex: bool,
    /// F-11: the firewall answers DNS on its private IP.
    dns_proxy: bool,
    /// Network rules by source and by destination address.
    network_by_source: AddressIndex,
    network_by_destination: AddressIndex,
    /// Application rules by source address and by target name.
    application_by_source: AddressIndex,
    application_by_name: TargetIndex,
    /// DNAT rules by the public address and port they listen on.
    dnat_by_frontend: FxHashMap<(IpAddr, u16), Vec<u32>>,
}

/// The outcome of the firewall for a new flow: its decision and the packet it sends on.
#[derive(Clone, Copy, Debug)]
pub struct FirewallOutcome {
    pub decision: FirewallDecision,
    pub packet: Packet,
}

impl CompiledFirewall {
    /// F-5: each DNAT rule's public address and the address it translates to.
    pub fn dnat_pairs(&self) -> impl Iterator<Item = (IpAddr, IpAddr)> + '_ {
        self.dnat.iter().map(|r| (r.destination, r.translated))
    }

    pub fn compile(scenario: &Scenario, id: FirewallId, wildcard_matches_apex: bool) -> CompiledFirewall {
        let fw = &scenario.firewalls[id.index()];
        let policy = &fw.policy;
        let mut c = CompiledFirewall {
            id,
            nic: fw.nic,
            private_ip: scenario.nic(fw.nic).private_ip,
            dnat: Vec::new(),
            network: Vec::new(),
            application: Vec::new(),
            collections: [0; 3],
            snat_exempt: AddrSet::from_prefixes(&policy.snat_private_ranges),
            wildcard_matches_apex,
            dns_proxy: policy.dns_proxy,
            network_by_source: AddressIndex::default(),
            network_by_destination: AddressIndex::default(),
            application_by_source: AddressIndex::default(),
            application_by_name: TargetIndex::default(),
            dnat_by_frontend: FxHashMap::default(),
        };
        // F-3: parent groups first, then by group priority, collection priority, rule order.
        let mut groups: Vec<usize> = (0..policy.groups.len()).collect();
        groups.sort_by_key(|&g| (std::cmp::Reverse(policy.groups[g].level), policy.groups[g].priority));
        for g in groups {
            let group = &policy.groups[g];
            let mut collections: Vec<usize> = (0..group.collections.len()).collect();
            collections.sort_by_key(|&k| group.collections[k].priority);
            for k in collections {
                let collection = &group.collections[k];
                c.collections[pass_index(collection.kind)] += 1;
                for (r, rule) in collection.rules.iter().enumerate() {
                    let at = RulePosition { group: g as u16, collection: k as u16, rule: r as u16 };
                    c.add(scenario, at, collection.action, rule);
                }
            }
        }
        c.index_network_rules();
        c.network_by_source = AddressIndex::build(c.network.iter().map(|r| r.sources.as_set()));
        c.application_by_source = AddressIndex::build(c.application.iter().map(|r| r.sources.as_set()));
        for (i, r) in c.application.iter().enumerate() {
            c.application_by_name.insert(i as u32, &r.targets);
        }
        for (i, r) in c.dnat.iter().enumerate() {
            c.dnat_by_frontend.entry((r.destination, r.port)).or_default().push(i as u32);
        }
        c
    }

    /// Network rule destinations change once FQDNs resolve (F-7); the index follows.
    fn index_network_rules(&mut self) {
        self.network_by_destination = AddressIndex::build(self.network.iter().map(|r| r.destinations.as_set()));
    }

    fn add(&mut self, scenario: &Scenario, at: RulePosition, access: Access, rule: &FirewallRule) {
        let sources = addresses(scenario, &rule.sources);
        match &rule.matcher {
            RuleMatch::Network { protocols, destinations, ports } => self.network.push(NetworkRule {
                at,
                access,
                // F-6: a rule for any protocol with explicit destination ports is a TCP+UDP rule.
                protocols: if protocols.is_empty() && !ports.is_any() {
                    vec![Protocol::Tcp, Protocol::Udp]
                } else {
                    protocols.clone()
                },
                sources,
                destinations: addresses(scenario, destinations),
                ports: ports.clone(),
                fqdns: destinations
                    .iter()
                    .filter_map(|d| match d {
                        FirewallAddress::Fqdn(name) => Some(name.clone()),
                        _ => None,
                    })
                    .collect(),
            }),
            RuleMatch::Application { protocols, target_fqdns, .. } => self.application.push(ApplicationRule {
                at,
                access,
                sources,
                protocols: protocols.clone(),
                targets: target_fqdns.clone(),
            }),
            RuleMatch::Dnat { protocols, destination, port, translated, translated_port } => self.dnat.push(DnatRule {
                at,
                protocols: protocols.clone(),
                sources,
                destination: *destination,
                port: *port,
                translated: *translated,
                translated_port: *translated_port,
            }),
        }
    }

    /// Adds the boundaries of every rule's addresses and ports, and of the SNAT ranges.
    pub fn cut(&self, c: &mut super::cuts::Cuts) {
        let mut addresses = |a: &Addresses| {
            if let Addresses::Set(s) = a {
                c.set(s);
            }
        };
        for r in &self.network {
            addresses(&r.sources);
            addresses(&r.destinations);
        }
        self.application.iter().for_each(|r| addresses(&r.sources));
        self.dnat.iter().for_each(|r| addresses(&r.sources));
        c.set(&self.snat_exempt);
        c.address(self.private_ip);
        self.network.iter().for_each(|r| c.port_set(&r.ports));
        self.application.iter().flat_map(|r| &r.protocols).for_each(|p| c.port_range(p.port, p.port));
        for r in &self.dnat {
            c.address(r.destination);
            c.address(r.translated);
            c.port_range(r.port, r.port);
            c.port_range(r.translated_port, r.translated_port);
        }
    }

    /// The target FQDNs of application rules with the ports they allow or deny: the names a
    /// flow's SNI or Host header can be told apart by (F-8).
    pub fn application_targets(&self) -> impl Iterator<Item = (&str, u16)> {
        self.application
            .iter()
            .flat_map(|r| r.targets.iter().flat_map(move |t| r.protocols.iter().map(move |p| (t.as_str(), p.port))))
    }

    /// F-11: whether a packet to the firewall's own private IP is a query its DNS proxy answers.
    pub fn answers_dns(&self, packet: &Packet) -> bool {
        self.dns_proxy && packet.destination_port == 53 && matches!(packet.protocol, Protocol::Udp | Protocol::Tcp)
    }

    /// The FQDNs of network rules, which the fabric resolves through the firewall's DNS (F-7).
    pub fn network_fqdns(&self) -> impl Iterator<Item = (usize, &str)> {
        self.network.iter().enumerate().flat_map(|(i, r)| r.fqdns.iter().map(move |n| (i, n.as_str())))
    }

    /// Adds the addresses FQDNs of network rules resolved to: (rule, address) pairs.
    pub fn add_resolved(&mut self, answers: impl IntoIterator<Item = (usize, IpAddr)>) {
        for (rule, address) in answers {
            let r = &mut self.network[rule];
            if let Addresses::Set(set) = &r.destinations {
                r.destinations = Addresses::Set(set.union(&AddrSet::from_addresses([address])));
            }
        }
        self.index_network_rules();
    }

    /// F-5: a packet from the internet to a public IP of the firewall. A matching DNAT rule
    /// translates the destination, and the source to the firewall's private IP, and allows it.
    pub fn inbound(&self, packet: Packet) -> FirewallOutcome {
        let listening = self.dnat_by_frontend.get(&(packet.destination, packet.destination_port));
        let hit = listening
            .into_iter()
            .flatten()
            .map(|&i| &self.dnat[i as usize])
            .find(|r| protocol_matches(&r.protocols, packet.protocol) && r.sources.contains(packet.source));
        match hit {
            Some(r) => FirewallOutcome {
                decision: FirewallDecision::Rule { pass: RuleKind::Dnat, at: r.at, access: Access::Allow },
                packet: Packet {
                    source: self.private_ip,
                    destination: r.translated,
                    destination_port: r.translated_port,
                    ..packet
                },
            },
            None => FirewallOutcome { decision: FirewallDecision::NoRule { collections: self.collections[0] }, packet },
        }
    }

    /// A new flow through the firewall: network rules, then application rules for HTTP(S) and
    /// MSSQL when the flow carries a name (SNI or Host header, F-8), then the implicit deny.
    /// Application rules always SNAT to the private IP; network rules do for destinations
    /// outside the SNAT-exempt ranges (F-12).
    pub fn forward(&self, packet: Packet, name: Option<&str>) -> FirewallOutcome {
        // Candidates by source or by destination, whichever list is shorter: both hold every
        // rule that can match.
        let by_source = self.network_by_source.candidates(packet.source);
        let by_destination = self.network_by_destination.candidates(packet.destination);
        let (a, b) = if by_source.0.len() + by_source.1.len() <= by_destination.0.len() + by_destination.1.len() {
            by_source
        } else {
            by_destination
        };
        let network = first_match(a, b, |i| {
            let r = &self.network[i as usize];
            protocol_matches(&r.protocols, packet.protocol)
                && r.sources.contains(packet.source)
                && r.destinations.contains(packet.destination)
                && (!packet.protocol.has_ports() || r.ports.contains(packet.destination_port))
        })
        .map(|i| &self.network[i as usize]);
        let snat = Packet { source: self.private_ip, ..packet };
        if let Some(r) = network {
            let keeps_source = r.access == Access::Deny || self.snat_exempt.contains(packet.destination);
            return FirewallOutcome {
                decision: FirewallDecision::Rule { pass: RuleKind::Network, at: r.at, access: r.access },
                packet: if keeps_source { packet } else { snat },
            };
        }
        let application =
            name.filter(|_| packet.protocol == Protocol::Tcp).and_then(|name| self.application_rule(&packet, name));
        match application {
            Some(r) => FirewallOutcome {
                decision: FirewallDecision::Rule { pass: RuleKind::Application, at: r.at, access: r.access },
                packet: snat,
            },
            None => FirewallOutcome {
                decision: FirewallDecision::NoRule { collections: self.collections[1] + self.collections[2] },
                packet,
            },
        }
    }
}

impl CompiledFirewall {
    /// The first application rule for a named TCP flow: the earliest first match among the
    /// name's candidate lists, each checked only as far as its own first match.
    fn application_rule(&self, packet: &Packet, name: &str) -> Option<&ApplicationRule> {
        let (by_source, any_source) = self.application_by_source.candidates(packet.source);
        let matches = |i: u32| {
            let r = &self.application[i as usize];
            r.sources.contains(packet.source)
                && r.protocols.iter().any(|p| p.port == packet.destination_port)
                && r.targets.iter().any(|t| fqdn_matches(t, name, self.wildcard_matches_apex))
        };
        let mut first: Option<u32> = None;
        let mut earliest = |list: &[u32]| {
            let bound = first.unwrap_or(u32::MAX);
            let before = &list[..list.partition_point(|&i| i < bound)];
            if let Some(i) = first_match(before, &[], matches) {
                first = Some(i);
            }
        };
        // Whichever narrows more: the name's lists, or the rules covering the source.
        let mut by_name = 0;
        self.application_by_name.for_each_candidates(name, self.wildcard_matches_apex, |l| by_name += l.len());
        if by_name <= by_source.len() + any_source.len() {
            self.application_by_name.for_each_candidates(name, self.wildcard_matches_apex, &mut earliest);
        } else {
            earliest(by_source);
            earliest(any_source);
        }
        first.map(|i| &self.application[i as usize])
    }
}

fn pass_index(kind: RuleKind) -> usize {
    match kind {
        RuleKind::Dnat => 0,
        RuleKind::Network => 1,
        RuleKind::Application => 2,
    }
}

fn protocol_matches(protocols: &[Protocol], p: Protocol) -> bool {
    protocols.is_empty() || protocols.contains(&p)
}

/// Expands a rule field: prefixes and service tags into one set (FQDNs are added once
/// resolved), `*` into any address.
fn addresses(scenario: &Scenario, entries: &[FirewallAddress]) -> Addresses {
    if entries.contains(&FirewallAddress::Any) {
        return Addresses::Any;
    }
    let mut set = AddrSet::empty();
    for e in entries {
        let add = match e {
            FirewallAddress::Prefix(p) => AddrSet::from_prefixes([p]),
            FirewallAddress::ServiceTag(t) => {
                scenario.service_tags.get(t).map(|t| AddrSet::from_prefixes(&t.prefixes)).unwrap_or_default()
            }
            FirewallAddress::Any | FirewallAddress::Fqdn(_) => continue,
        };
        set = set.union(&add);
    }
    Addresses::Set(set)
}
