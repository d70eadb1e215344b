//! `vnetsim trace` output: a connection, hop by hop, in both directions, after the DNS
//! resolution that gave its address when the destination was a name.

use crate::explain::{StepReport, explain};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_engine::dns::{AnswerSource, DnsHop, HopReason, Record, Resolution, ServerRole};
use vnetsim_engine::{Completion, Connection, Fabric, Packet, Recorder, Verdict};
use vnetsim_model::public_services::{FOREIGN_SERVICES, STAND_IN_PREFIX_LEN};

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DirectionReport {
    pub packet: Packet,
    pub disposition: &'static str,
    pub steps: Vec<StepReport>,
}

/// One DNS query: who asked whom and why, the packets, and who answered.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DnsHopReport {
    pub from: String,
    pub server: String,
    /// Why the query went there: the VNet's DNS setting, a forwarder, a conditional forwarder.
    pub reason: String,
    /// `answered`, `forwarded`, `dropped`, `no DNS server`, or `on premises` for hops that
    /// never enter Azure.
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<DirectionReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<DirectionReport>,
}

/// One line of the answer: `name CNAME target` or `name A address`, and where it came from.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AnswerReport {
    pub name: String,
    pub record: String,
    pub source: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DnsReport {
    pub name: String,
    pub hops: Vec<DnsHopReport>,
    pub answers: Vec<AnswerReport>,
    /// The address the connection then uses, `NXDOMAIN`, or `no answer`.
    pub result: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TraceReport {
    pub scenario: String,
    pub from: String,
    pub to: String,
    /// `allowed` when the request is delivered and the reply gets back, `one_way` when only the
    /// request is delivered, else `denied` (`engine::Completion`).
    pub verdict: &'static str,
    /// The final disposition: the connection's, or `nxdomain` / `dns_failed`.
    pub disposition: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<DirectionReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<DirectionReport>,
}

pub(crate) fn direction(fabric: &Fabric, packet: Packet, disposition: &'static str, r: &Recorder) -> DirectionReport {
    DirectionReport { packet, disposition, steps: r.steps.iter().map(|s| explain(fabric, s)).collect() }
}

/// The request and reply reports of a walked connection.
pub(crate) fn directions(
    fabric: &Fabric,
    packet: Packet,
    verdict: Verdict,
    request: &Recorder,
    reply: &Recorder,
) -> (DirectionReport, Option<DirectionReport>) {
    let forward = direction(fabric, packet, verdict.request.name(), request);
    let back = verdict.reply.zip(verdict.reply_packet).map(|(d, p)| direction(fabric, p, d.name(), reply));
    (forward, back)
}

impl TraceReport {
    pub fn new(fabric: &Fabric, from: &str, to: &str, c: &Connection) -> TraceReport {
        let (request, reply) = match (c.packet, c.verdict) {
            (Some(p), Some(v)) => {
                let (a, b) = directions(fabric, p, v, &c.request, &c.reply);
                (Some(a), b)
            }
            _ => (None, None),
        };
        TraceReport {
            scenario: fabric.scenario.name.clone(),
            from: from.to_string(),
            to: to.to_string(),
            verdict: match c.completion() {
                Completion::Works => "allowed",
                Completion::OneWay => "one_way",
                Completion::Denied => "denied",
            },
            disposition: c.disposition().name(),
            dns: c.resolution.as_ref().map(|r| dns_report(fabric, r)),
            request,
            reply,
        }
    }

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        let verdict = self.verdict.to_uppercase().replace('_', "-");
        let one_way = if self.verdict == "one_way" { " (the request arrives; its reply does not return)" } else { "" };
        let _ = writeln!(out, "{} -> {}: {verdict}{one_way}", self.from, self.to);
        if let Some(dns) = &self.dns {
            write_dns(&mut out, dns);
        }
        if let Some(request) = &self.request {
            write_direction(&mut out, "request", request, "");
        }
        if let Some(reply) = &self.reply {
            write_direction(&mut out, "reply", reply, "");
        }
        if self.request.is_none() {
            let _ = writeln!(out, "\n=> {}", self.disposition);
        }
        out
    }
}

fn dns_report(fabric: &Fabric, r: &Resolution) -> DnsReport {
    DnsReport {
        name: r.name.clone(),
        hops: r.hops.iter().map(|h| hop_report(fabric, h)).collect(),
        answers: r.answers.iter().map(|a| answer_report(fabric, a)).collect(),
        result: crate::explain::answer_word(r.outcome),
    }
}

fn hop_report(fabric: &Fabric, h: &DnsHop) -> DnsHopReport {
    let s = &fabric.scenario;
    let reason = match &h.reason {
        HopReason::VnetDnsSetting => "the VNet's DNS servers (Azure DNS when none are set, D-4)".to_string(),
        HopReason::OnPremDnsSetting => "the on-premises network's DNS server (D-8)".to_string(),
        HopReason::Forwarder => "the server's forwarder".to_string(),
        HopReason::ConditionalForwarder(zone) => format!("conditional forwarder for {zone} (D-5)"),
    };
    let nic_name = |nic: vnetsim_model::NicId| s.endpoint(s.nic(nic).endpoint).name.clone();
    let result = match h.role {
        None if h.verdict.is_none() => "on premises".to_string(),
        None => "dropped: the query did not get through".to_string(),
        Some(ServerRole::AzureDns { vnet }) => {
            format!("answered by Azure DNS with the zones linked to VNet {} (D-3)", s.vnet(vnet).name)
        }
        Some(ServerRole::Resolver { nic, vnet }) => format!(
            "answered by resolver inbound endpoint {} with the zones linked to VNet {} (D-7)",
            nic_name(nic),
            s.vnet(vnet).name
        ),
        Some(ServerRole::Forwarder { nic }) => format!("received by DNS server {}, which forwards", nic_name(nic)),
        Some(ServerRole::OnPrem { network }) => {
            format!("on-premises DNS server of {}", s.on_prem[network.index()].name)
        }
        Some(ServerRole::Public) => "answered from public DNS (recursion; no private zones)".to_string(),
        Some(ServerRole::NotADnsServer { .. }) => {
            "delivered, but no DNS server runs there: the query times out".to_string()
        }
    };
    let (request, reply) = match h.verdict {
        Some(v) => {
            let (a, b) = directions(fabric, h.packet, v, &h.request, &h.reply);
            (Some(a), b)
        }
        None => (None, None),
    };
    DnsHopReport { from: h.from.to_string(), server: h.server.to_string(), reason, result, request, reply }
}

fn answer_report(fabric: &Fabric, a: &vnetsim_engine::dns::AnswerStep) -> AnswerReport {
    let s = &fabric.scenario;
    let record = match &a.record {
        Record::Cname(t) => format!("CNAME {t}"),
        Record::A(ip) => format!("A {ip}"),
        Record::NxDomain => "NXDOMAIN".to_string(),
    };
    let source = match (a.source, &a.record) {
        (AnswerSource::Public, Record::Cname(_)) => {
            "public DNS: the resource has a private endpoint, so its name is a CNAME to its privatelink name (D-1)"
                .to_string()
        }
        (AnswerSource::Public, Record::NxDomain) => "public DNS: no such name".to_string(),
        (AnswerSource::Public, _) => "public DNS".to_string(),
        (AnswerSource::Foreign { service }, _) => {
            let f = &FOREIGN_SERVICES[service];
            let tag = fabric.foreign.get(service).map_or(f.tag, |r| r.tag.as_str());
            format!(
                "public DNS: no {} of the scenario has this name, so it is someone else's: a foreign {} at an address of {tag}",
                f.kind, f.kind
            )
        }
        (AnswerSource::StandIn, _) => format!(
            "public DNS: nothing in the scenario has this name; an internet host stands in for it at its stand-in address (in {}/{STAND_IN_PREFIX_LEN}, one per name)",
            fabric.stand_in_block()
        ),
        (AnswerSource::PrivateZone { zone, vnet, redirected: false }, Record::NxDomain) => format!(
            "private zone {} linked to {} has no record for it: NXDOMAIN (D-5 step 4, D-9)",
            s.zones[zone.index()].name,
            s.vnet(vnet).name
        ),
        (AnswerSource::PrivateZone { zone, vnet, redirected: false }, _) => {
            let z = &s.zones[zone.index()];
            let record = z.relative(&a.name).and_then(|rel| z.lookup(rel)).map_or("?", |r| r.name.as_str());
            format!("private zone {} linked to {}, record {record} (D-3)", z.name, s.vnet(vnet).name)
        }
        (AnswerSource::PrivateZone { zone, vnet, redirected: true }, _) => format!(
            "private zone {} linked to {} has no record; the link's NxDomainRedirect falls back to public DNS (D-5)",
            s.zones[zone.index()].name,
            s.vnet(vnet).name
        ),
    };
    AnswerReport { name: a.name.clone(), record, source }
}

fn write_dns(out: &mut String, dns: &DnsReport) {
    let _ = writeln!(out, "\ndns: {}", dns.name);
    for (i, h) in dns.hops.iter().enumerate() {
        let _ = writeln!(out, "  query {}: {} -> {}:53 via {}", i + 1, h.from, h.server, h.reason);
        if let Some(request) = &h.request {
            write_direction(out, "    request", request, "    ");
        }
        if let Some(reply) = &h.reply {
            write_direction(out, "    reply", reply, "    ");
        }
        let _ = writeln!(out, "    => {}", h.result);
    }
    for a in &dns.answers {
        let _ = writeln!(out, "  answer: {} {}", a.name, a.record);
        let _ = writeln!(out, "          {}", a.source);
    }
    let _ = writeln!(out, "  => {}", dns.result);
}

pub(crate) fn write_direction(out: &mut String, name: &str, d: &DirectionReport, indent: &str) {
    let _ = writeln!(out, "\n{name}: {}", d.packet);
    for (i, s) in d.steps.iter().enumerate() {
        let line = format!(
            "{indent}  {:>2}. {:<7} {:<16} [{}] {}",
            i + 1,
            s.result.name().to_uppercase(),
            s.kind,
            s.at,
            s.headline
        );
        let _ = writeln!(out, "{}", line.trim_end());
        let _ = writeln!(out, "{indent}      {}", s.detail);
    }
    let _ = writeln!(out, "{indent}  => {}", d.disposition);
}

impl crate::Report for TraceReport {
    const SCHEMA: &'static str = "vnetsim-trace/1";

    fn human(&self) -> String {
        self.to_human()
    }
}
