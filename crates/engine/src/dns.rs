//! DNS resolution as packets (D-1..D-10, A-9).
//!
//! The client's query is a UDP packet to its VNet's DNS servers (Azure DNS when unset), walked
//! through NSGs and routes like any other. A custom DNS server forwards, per its conditional
//! forwarders, with packets of its own. Azure DNS answers with the private zones linked to the
//! VNet of whoever asks it (D-3, D-4); a resolver inbound endpoint with its own VNet's links
//! (D-7); anything else gets public DNS, where names of resources with private endpoints are
//! CNAMEs to their privatelink names (D-1).

use crate::fabric::Fabric;
use crate::packet::Packet;
use crate::trace::Recorder;
use crate::walk::{Delivery, FlowName, Origin, Verdict};
use serde::Serialize;
use vnetsim_model::addr::AZURE_PLATFORM_VIP;
use vnetsim_model::public_services::{
    foreign_service_of, is_public_internet_name, stand_in_address, under_foreign_service,
};
use vnetsim_model::scenario::DEFAULT_SOURCE_PORT;
use vnetsim_model::{DnsForwarding, EndpointKind, IpAddr, NicId, OnPremId, Protocol, ServiceId, VnetId, ZoneId};

/// Forwarding chains longer than this are a loop.
const MAX_FORWARDS: usize = 8;
/// CNAME chains longer than this are a loop.
const MAX_CNAMES: usize = 8;

/// Why a query went to a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "zone")]
pub enum HopReason {
    /// The client VNet's DNS servers, or Azure DNS when it has none (D-4).
    VnetDnsSetting,
    /// The on-premises network's DNS servers (D-8).
    OnPremDnsSetting,
    /// A server's default forwarders.
    Forwarder,
    /// A conditional forwarder for this zone (D-5 step 2).
    ConditionalForwarder(String),
}

/// Who answered a query that got through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ServerRole {
    /// Azure DNS, asked from this VNet: its zone links decide (D-3).
    AzureDns { vnet: VnetId },
    /// A Private Resolver inbound endpoint: Azure DNS with its VNet's links (D-7).
    Resolver { nic: NicId, vnet: VnetId },
    /// A DNS server VM: it forwards, or recurses from the internet when it has no forwarders.
    Forwarder { nic: NicId },
    /// An on-premises DNS server.
    OnPrem { network: OnPremId },
    /// A server that resolves public names itself (internet recursion).
    Public,
    /// The address answered the packet but runs no DNS server: the query times out.
    NotADnsServer { nic: Option<NicId> },
}

/// One DNS query: the packet, and what became of it.
#[derive(Clone, Debug)]
pub struct DnsHop {
    /// The client's or forwarder's address.
    pub from: IpAddr,
    pub server: IpAddr,
    pub reason: HopReason,
    pub packet: Packet,
    /// `None` for queries that never enter Azure (an on-premises client to its own DNS).
    pub verdict: Option<Verdict>,
    pub request: Recorder,
    pub reply: Recorder,
    /// Who answered, when the query got through.
    pub role: Option<ServerRole>,
}

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AnswerSource {
    Public,
    /// Public DNS, for a resource of an Azure service the scenario does not declare: entry
    /// `service` of `public_services::FOREIGN_SERVICES`, at `Fabric::foreign`'s address.
    Foreign {
        service: usize,
    },
    /// Public DNS, for an internet name nothing in the scenario or the built-in hosts holds: the
    /// name's stand-in address (`public_services::stand_in_address`).
    StandIn,
    /// A private zone linked to `vnet` (D-3); `redirected`: the record was missing and the
    /// link's NxDomainRedirect sent the query to public DNS (D-5).
    PrivateZone {
        zone: ZoneId,
        vnet: VnetId,
        redirected: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Record {
    Cname(String),
    A(IpAddr),
    NxDomain,
}

/// One step of the answer: a name, what it resolved to, and from where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AnswerStep {
    pub name: String,
    pub record: Record,
    pub source: AnswerSource,
}

/// The result of a resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "address")]
pub enum DnsOutcome {
    Address(IpAddr),
    NxDomain,
    /// No server answered (every query was dropped, or nothing is configured to answer).
    Failed,
}

#[derive(Clone, Debug)]
pub struct Resolution {
    pub name: String,
    pub hops: Vec<DnsHop>,
    pub answers: Vec<AnswerStep>,
    pub outcome: DnsOutcome,
    /// The service the name belongs to, if any.
    pub service: Option<ServiceId>,
}

impl Resolution {
    /// The hop whose failure made the resolution fail: the last one that was dropped.
    pub fn failed_hop(&self) -> Option<&DnsHop> {
        self.hops.iter().rev().find(|h| {
            h.verdict.is_some_and(|v| !v.allowed()) || matches!(h.role, Some(ServerRole::NotADnsServer { .. }))
        })
    }
}

impl Resolution {
    fn new(name: &str) -> Resolution {
        Resolution {
            name: name.trim_end_matches('.').to_ascii_lowercase(),
            hops: Vec::new(),
            answers: Vec::new(),
            outcome: DnsOutcome::Failed,
            service: None,
        }
    }
}

impl Fabric {
    /// Resolves `name` the way the DNS server at `nic` does for itself: per its own forwarders
    /// (a firewall resolving the FQDNs of its network rules, F-7, F-11).
    pub fn resolve_at(&self, nic: NicId, name: &str) -> Resolution {
        let mut r = Resolution::new(name);
        let forwarding = self.scenario.endpoint(self.scenario.nic(nic).endpoint).dns.as_ref();
        self.forward(&mut r, Origin::Nic(nic), self.scenario.nic(nic).private_ip, forwarding, 0);
        r
    }

    /// Resolves `name` as a client at `origin` (address `source`) would, hop by hop.
    pub fn resolve(&self, origin: Origin, source: IpAddr, name: &str) -> Resolution {
        let mut r = Resolution::new(name);
        match origin {
            Origin::Nic(nic) => {
                let vnet = self.scenario.vnet(self.scenario.subnet(self.scenario.nic(nic).subnet).vnet);
                let azure = [IpAddr::V4(AZURE_PLATFORM_VIP)];
                let servers = if vnet.dns_servers.is_empty() { &azure[..] } else { &vnet.dns_servers[..] };
                self.ask(&mut r, origin, source, servers, HopReason::VnetDnsSetting, 0);
            }
            Origin::OnPrem(network) => {
                let net = &self.scenario.on_prem[network.index()];
                match net.dns_servers.first() {
                    None => self.answer(&mut r, None),
                    Some(&server) => {
                        // The client reaches its own DNS server on premises: no Azure hop to walk.
                        let packet = dns_packet(source, server);
                        r.hops.push(DnsHop {
                            from: source,
                            server,
                            reason: HopReason::OnPremDnsSetting,
                            packet,
                            verdict: None,
                            request: Recorder::default(),
                            reply: Recorder::default(),
                            role: Some(ServerRole::OnPrem { network }),
                        });
                        self.forward(&mut r, origin, server, Some(&net.dns_forwarding), 0);
                    }
                }
            }
            Origin::Internet | Origin::Service(_) => self.answer(&mut r, None),
        }
        r
    }

    /// Sends the query from `client` to each of `servers` in turn until one answers. Returns
    /// whether one did.
    fn ask(
        &self,
        r: &mut Resolution,
        client: Origin,
        from: IpAddr,
        servers: &[IpAddr],
        reason: HopReason,
        depth: usize,
    ) -> bool {
        if depth > MAX_FORWARDS {
            return false;
        }
        for &server in servers {
            let packet = dns_packet(from, server);
            let (mut request, mut reply) = (Recorder::default(), Recorder::default());
            let (disposition, flow) = self.walk_request(client, packet, FlowName::default(), &mut request);
            let reply_disposition = disposition.is_delivered().then(|| self.walk_reply(&flow, &mut reply));
            let verdict = Verdict {
                request: disposition,
                reply: reply_disposition,
                reply_packet: flow.delivered.map(|p| p.reply()),
            };
            let role = verdict.allowed().then(|| self.role_of(client, flow.delivery));
            r.hops.push(DnsHop {
                from,
                server,
                reason: reason.clone(),
                packet,
                verdict: Some(verdict),
                request,
                reply,
                role,
            });
            let answered = match role {
                None | Some(ServerRole::NotADnsServer { .. }) => false,
                Some(ServerRole::AzureDns { vnet }) | Some(ServerRole::Resolver { vnet, .. }) => {
                    self.answer(r, Some(vnet));
                    true
                }
                Some(ServerRole::Public) => {
                    self.answer(r, None);
                    true
                }
                Some(ServerRole::Forwarder { nic }) => {
                    let forwarding = self.scenario.endpoint(self.scenario.nic(nic).endpoint).dns.as_ref();
                    let address = self.scenario.nic(nic).private_ip;
                    self.forward(r, Origin::Nic(nic), address, forwarding, depth)
                }
                Some(ServerRole::OnPrem { network }) => {
                    let forwarding = Some(&self.scenario.on_prem[network.index()].dns_forwarding);
                    self.forward(r, Origin::OnPrem(network), server, forwarding, depth)
                }
            };
            if answered {
                return true;
            }
        }
        false
    }

    /// A server that cannot answer itself forwards per its forwarders (D-5 step 2); without
    /// any, it recurses from the internet, which never sees private zones.
    fn forward(
        &self,
        r: &mut Resolution,
        server: Origin,
        address: IpAddr,
        forwarding: Option<&DnsForwarding>,
        depth: usize,
    ) -> bool {
        let (next, zone) = forwarding.map_or((&[][..], None), |f| f.servers_for(&r.name));
        if next.is_empty() {
            self.answer(r, None);
            return true;
        }
        let reason = zone.map_or(HopReason::Forwarder, |z| HopReason::ConditionalForwarder(z.to_string()));
        self.ask(r, server, address, next, reason, depth + 1)
    }

    /// What kind of server a delivered query reached.
    fn role_of(&self, client: Origin, delivery: Delivery) -> ServerRole {
        let s = &self.scenario;
        match (delivery, client) {
            (Delivery::Platform, Origin::Nic(nic)) => ServerRole::AzureDns { vnet: s.subnet(s.nic(nic).subnet).vnet },
            (Delivery::Nic(nic), _) => {
                let e = s.endpoint(s.nic(nic).endpoint);
                if e.kind == EndpointKind::DnsResolver {
                    ServerRole::Resolver { nic, vnet: s.subnet(s.nic(nic).subnet).vnet }
                } else if e.dns.is_some() {
                    ServerRole::Forwarder { nic }
                } else {
                    ServerRole::NotADnsServer { nic: Some(nic) }
                }
            }
            // A DNS server on the internet resolves public names.
            (Delivery::Internet, _) => ServerRole::Public,
            (Delivery::OnPrem(network, _), _) => ServerRole::OnPrem { network },
            _ => ServerRole::NotADnsServer { nic: None },
        }
    }

    /// Answers `r.name`: with the zones linked to `vnet` when Azure DNS answers there (D-5),
    /// public DNS otherwise. Follows CNAMEs.
    fn answer(&self, r: &mut Resolution, vnet: Option<VnetId>) {
        let mut current = r.name.clone();
        for _ in 0..MAX_CNAMES {
            let mut source = AnswerSource::Public;
            if let Some(vnet) = vnet
                && let Some((zone_id, redirect)) = self.linked_zone(vnet, &current)
            {
                let zone = &self.scenario.zones[zone_id.index()];
                let private = AnswerSource::PrivateZone { zone: zone_id, vnet, redirected: false };
                match zone.relative(&current).and_then(|rel| zone.lookup(rel)) {
                    Some(record) => {
                        r.outcome = DnsOutcome::Address(record.address);
                        r.answers.push(AnswerStep {
                            name: current,
                            record: Record::A(record.address),
                            source: private,
                        });
                        return;
                    }
                    // D-5 step 4: a zone without the record is authoritative NXDOMAIN, unless
                    // the link of a privatelink zone redirects to public resolution.
                    None if !(redirect && zone.name.split('.').any(|label| label == "privatelink")) => {
                        r.outcome = DnsOutcome::NxDomain;
                        r.answers.push(AnswerStep { name: current, record: Record::NxDomain, source: private });
                        return;
                    }
                    None => source = AnswerSource::PrivateZone { zone: zone_id, vnet, redirected: true },
                }
            }
            let (record, source) = match self.public_record(r, &current) {
                Record::NxDomain => self.undeclared(r, &current).unwrap_or((Record::NxDomain, source)),
                record => (record, source),
            };
            let next = match &record {
                Record::A(ip) => {
                    r.outcome = DnsOutcome::Address(*ip);
                    None
                }
                Record::NxDomain => {
                    r.outcome = DnsOutcome::NxDomain;
                    None
                }
                Record::Cname(target) => Some(target.clone()),
            };
            r.answers.push(AnswerStep { name: current, record, source });
            match next {
                Some(target) => current = target,
                None => return,
            }
        }
        r.outcome = DnsOutcome::Failed;
    }

    /// The zone linked to `vnet` with the longest name holding `name`, and whether the link
    /// redirects NXDOMAIN.
    fn linked_zone(&self, vnet: VnetId, name: &str) -> Option<(ZoneId, bool)> {
        self.zone_links[vnet.index()]
            .iter()
            .filter(|(z, _)| self.scenario.zones[z.index()].relative(name).is_some())
            .max_by_key(|(z, _)| self.scenario.zones[z.index()].name.len())
            .map(|(z, link)| (*z, link.nxdomain_redirect))
    }

    /// Public DNS for one name (D-1): a resource with a private endpoint answers with a CNAME to
    /// its privatelink name; otherwise its public IP.
    fn public_record(&self, r: &mut Resolution, name: &str) -> Record {
        let names = &self.scenario.service_names;
        if let Some((i, head)) = self.public_names.lookup(name) {
            let n = &names[i as usize];
            r.service.get_or_insert(n.service);
            if let (Some(link), Some(privatelink)) = (n.private_link, &n.privatelink)
                && self.has_private_link(link)
            {
                let target = match head {
                    Some(head) => privatelink.replacen('*', head, 1),
                    None => privatelink.clone(),
                };
                return Record::Cname(target);
            }
            return Record::A(self.scenario.service(n.service).public_ip);
        }
        if let Some((i, _)) = self.privatelink_names.lookup(name) {
            let n = &names[i as usize];
            r.service.get_or_insert(n.service);
            return Record::A(self.scenario.service(n.service).public_ip);
        }
        Record::NxDomain
    }

    /// Public DNS for a name nothing declares: a foreign resource of an Azure service, else the
    /// name's stand-in internet address; `None` (NXDOMAIN) for names public DNS never answers
    /// and for names under the scenario's own private zones.
    fn undeclared(&self, r: &mut Resolution, name: &str) -> Option<(Record, AnswerSource)> {
        if let Some(service) = foreign_service_of(name) {
            let resource = self.foreign.get(service)?;
            if let Some(id) = resource.service {
                r.service.get_or_insert(id);
            }
            return Some((Record::A(resource.address), AnswerSource::Foreign { service }));
        }
        // A name under one of the scenario's private zones is the scenario's: it has no public
        // record to stand in for.
        let private = self.scenario.zones.iter().any(|z| z.relative(name).is_some());
        (is_public_internet_name(name) && !private && !under_foreign_service(name))
            .then(|| (Record::A(IpAddr::V4(stand_in_address(name, self.stand_in_block()))), AnswerSource::StandIn))
    }
}

fn dns_packet(from: IpAddr, server: IpAddr) -> Packet {
    Packet {
        protocol: Protocol::Udp,
        source: from,
        source_port: DEFAULT_SOURCE_PORT,
        destination: server,
        destination_port: 53,
    }
}
