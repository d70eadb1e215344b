//! `vnetsim reach` output: everything a source can get delivered, grouped by destination
//! (a service, an endpoint, on premises, a service tag, the internet), each group with its
//! addresses, ports, name, path and deciding rules, and a witness packet with its trace.

use crate::plural;
use crate::trace::{DirectionReport, directions, write_direction};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::reach::{Group, Ranges, Reach, Reached, Space, most_specific_tag};
use vnetsim_engine::Completion;
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::packet::Packet;
use vnetsim_model::{IpAddr, Ipv4Addr, Ipv4Net, NicId, Protocol};

/// Destination address ranges as prefixes when they are few, else as `first-last`.
pub fn address_ranges(ranges: impl Iterator<Item = (u32, u32)>) -> Vec<String> {
    ranges
        .map(|(lo, hi)| {
            let (a, b) = (Ipv4Addr::from(lo), Ipv4Addr::from(hi));
            let prefixes: Vec<Ipv4Net> = ipnet::Ipv4Subnets::new(a, b, 0).collect();
            match prefixes.as_slice() {
                [p] if p.prefix_len() == 32 => a.to_string(),
                [p] => p.to_string(),
                _ => format!("{a}-{b}"),
            }
        })
        .collect()
}

/// The first four items of a list (address ranges, names), and how many more there are.
pub fn abbreviated(ranges: &[String]) -> String {
    let mut out = ranges.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
    if ranges.len() > 4 {
        let _ = write!(out, " and {} more", ranges.len() - 4);
    }
    out
}

/// Port ranges as `443`, `80-81` or `*`.
pub fn port_ranges(protocol: Protocol, ranges: &[(u16, u16)]) -> String {
    if !protocol.has_ports() {
        return String::new();
    }
    let words: Vec<String> = ranges
        .iter()
        .map(|&(lo, hi)| match (lo, hi) {
            (0, u16::MAX) => "*".to_string(),
            (lo, hi) if lo == hi => lo.to_string(),
            (lo, hi) => format!("{lo}-{hi}"),
        })
        .collect();
    words.join(",")
}

/// The distinct port sets over ranges' addresses, in order.
pub fn distinct_ports(protocol: Protocol, ranges: &Ranges) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, ports) in ranges {
        let p = port_ranges(protocol, ports);
        if !p.is_empty() && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Traffic on one line: `tcp 10.0.0.0/24 port 443 named pypi.org`.
pub fn traffic_summary(protocol: Protocol, addresses: &[String], ports: &[String], names: &[String]) -> String {
    let ports = match ports {
        [] => String::new(),
        [one] => format!(" port {one}"),
        many => format!(" ports {}", many.join(" | ")),
    };
    let names = match names {
        [] => String::new(),
        [one] => format!(" named {one}"),
        many => format!(" named any of {}", abbreviated(many)),
    };
    format!("{protocol} {}{ports}{names}", abbreviated(addresses))
}

/// A destination in words, and its kind: `service`, `endpoint`, `on_premises`, `platform`,
/// `service_tag` or `internet`.
pub fn destination(fabric: &Fabric, g: &Group) -> (&'static str, String) {
    destination_of(fabric, g.reached, g.witness.destination)
}

/// Where a delivered packet to `address` ended, in words (see [`destination`]).
pub fn destination_of(fabric: &Fabric, reached: Option<Reached>, address: IpAddr) -> (&'static str, String) {
    let s = &fabric.scenario;
    match reached {
        Some(Reached::Service(id)) => ("service", s.service(id).name.clone()),
        Some(Reached::Endpoint(nic)) => {
            let n = s.nic(nic);
            ("endpoint", format!("{} ({})", s.node_name(n.endpoint, n.node), s.subnet_path(n.subnet)))
        }
        Some(Reached::OnPrem(o)) => ("on_premises", s.on_prem[o.index()].name.clone()),
        Some(Reached::Platform) => ("platform", "Azure platform (DNS, IMDS)".to_string()),
        Some(Reached::Internet) | None => match most_specific_tag(fabric, address) {
            Some(tag) => ("service_tag", tag.name.clone()),
            None => ("internet", "internet".to_string()),
        },
    }
}

/// One group of reached classes.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReachedReport {
    pub protocol: Protocol,
    /// The SNI or Host name the classes carry, when one was needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub addresses: Vec<String>,
    /// Destination ports, one entry per distinct set over the addresses.
    pub ports: Vec<String>,
    /// `works` when the reply gets back (the request always arrives here), else `one_way`.
    pub completion: Completion,
    /// `works` when the reply gets back, else the reply's disposition.
    pub reply: &'static str,
    /// The deciding steps of the witness's request, in order.
    pub path: Vec<String>,
    pub witness: Packet,
    pub request: DirectionReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_trace: Option<DirectionReport>,
}

impl ReachedReport {
    pub fn new(fabric: &Fabric, space: &Space, source: NicId, g: &Group) -> ReachedReport {
        let (verdict, request, reply) = g.replay(fabric, space, source);
        let (forward, back) = directions(fabric, g.witness, verdict, &request, &reply);
        ReachedReport {
            protocol: g.protocol,
            name: g.name.map(|n| space.names.list[n as usize].clone()),
            addresses: address_ranges(g.ranges.iter().map(|(a, _)| *a)),
            ports: distinct_ports(g.protocol, &g.ranges),
            completion: g.completion(),
            reply: match g.reply {
                Some(d) if d.is_delivered() => "works",
                Some(d) => d.name(),
                None => "none",
            },
            path: forward.steps.iter().filter(|s| s.decided_by.is_some()).map(|s| s.headline.clone()).collect(),
            witness: g.witness,
            request: forward,
            reply_trace: back,
        }
    }

    /// Addresses, ports and name on one line: `tcp 10.0.0.0/24 port 443 named pypi.org`.
    pub fn summary(&self) -> String {
        traffic_summary(self.protocol, &self.addresses, &self.ports, self.name.as_slice())
    }

    fn write(&self, out: &mut String, indent: &str) {
        let works = match self.completion {
            Completion::OneWay => format!("  (one-way: the reply is {})", self.reply),
            _ => String::new(),
        };
        let _ = writeln!(out, "{indent}{}{works}", self.summary());
        let _ = writeln!(out, "{indent}  path: {}", self.path.join(" -> "));
        let witness = self.name.as_ref().map(|n| format!(" (SNI {n})")).unwrap_or_default();
        let _ = writeln!(out, "{indent}  witness: {}{witness}", self.witness);
    }
}

/// Reached groups under one destination.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DestinationReport {
    pub kind: &'static str,
    pub destination: String,
    pub reached: Vec<ReachedReport>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReachReport {
    pub file: String,
    pub scenario: String,
    pub source: String,
    pub address: IpAddr,
    /// Classes walked, and the pieces the header space was cut into.
    pub classes: usize,
    pub address_pieces: usize,
    pub port_pieces: usize,
    pub names: usize,
    pub destinations: Vec<DestinationReport>,
    /// Classes whose request was dropped, by disposition.
    pub blocked: Vec<(&'static str, usize)>,
}

impl ReachReport {
    pub fn new(fabric: &Fabric, space: &Space, file: String, reach: &Reach) -> ReachReport {
        let s = &fabric.scenario;
        let nic = s.nic(reach.source);
        let mut destinations: Vec<DestinationReport> = Vec::new();
        let mut blocked: Vec<(&'static str, usize)> = Vec::new();
        for g in &reach.groups {
            if !g.request.is_delivered() {
                match blocked.iter_mut().find(|(d, _)| *d == g.request.name()) {
                    Some((_, n)) => *n += g.classes,
                    None => blocked.push((g.request.name(), g.classes)),
                }
                continue;
            }
            let (kind, destination) = destination(fabric, g);
            let report = ReachedReport::new(fabric, space, reach.source, g);
            match destinations.iter_mut().find(|d| d.destination == destination) {
                Some(d) => d.reached.push(report),
                None => destinations.push(DestinationReport { kind, destination, reached: vec![report] }),
            }
        }
        destinations.sort_by_key(|d| kind_rank(d.kind));
        ReachReport {
            file,
            scenario: s.name.clone(),
            source: s.node_name(nic.endpoint, nic.node),
            address: nic.private_ip,
            classes: reach.classes,
            address_pieces: space.header.addresses.len(),
            port_pieces: space.header.ports.len(),
            names: space.names.list.len(),
            destinations,
            blocked,
        }
    }

    /// The request traces are left to `--format json` and `vnetsim trace`: one line of path
    /// per group keeps the text readable.
    pub fn to_human(&self) -> String {
        let mut out = String::new();
        let groups: usize = self.destinations.iter().map(|d| d.reached.len()).sum();
        let _ = writeln!(
            out,
            "reach from {} ({}) in {} ({}): {} walked ({} x {}, {}), {}",
            self.source,
            self.address,
            self.file,
            self.scenario,
            plural(self.classes, "class", "classes"),
            plural(self.address_pieces, "address piece", "address pieces"),
            plural(self.port_pieces, "port piece", "port pieces"),
            plural(self.names, "name", "names"),
            plural(groups, "reachable group", "reachable groups")
        );
        for d in &self.destinations {
            let _ = writeln!(out, "\n{} {}", d.kind.replace('_', " "), d.destination);
            for r in &d.reached {
                r.write(&mut out, "  ");
            }
        }
        let blocked: Vec<String> = self.blocked.iter().map(|(d, n)| format!("{d} {n}")).collect();
        let _ = writeln!(out, "\nblocked classes by disposition: {}", blocked.join(", "));
        out
    }
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "endpoint" => 0,
        "on_premises" => 1,
        "platform" => 2,
        "service" => 3,
        "service_tag" => 4,
        _ => 5,
    }
}

/// A witness's request trace, for the audit's findings.
pub fn write_witness(out: &mut String, r: &ReachedReport, indent: &str) {
    write_direction(out, &format!("{indent}witness request"), &r.request, indent);
    if let Some(reply) = &r.reply_trace {
        write_direction(out, &format!("{indent}witness reply"), reply, indent);
    }
}

/// `vnetsim reach`: one report per source NIC (a subnet has several).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReachReports {
    pub sources: Vec<ReachReport>,
}

impl crate::Report for ReachReports {
    const SCHEMA: &'static str = "vnetsim-reach/2";

    fn human(&self) -> String {
        let texts: Vec<String> = self.sources.iter().map(ReachReport::to_human).collect();
        texts.join("\n")
    }
}
