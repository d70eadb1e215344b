//! `vnetsim audit` output: per protected source, every exfiltration finding with its
//! destination, ports, the rules that open it and a witness packet with its trace, then the
//! read-only egress the source has.

use crate::plural;
use crate::reach::{ReachedReport, abbreviated, address_ranges, write_witness};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::audit::{Audit, Finding, Severity, SourceAudit};
use vnetsim_analysis::reach::Space;
use vnetsim_engine::fabric::Fabric;
use vnetsim_model::IpAddr;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FindingReport {
    pub severity: Severity,
    pub destination: String,
    /// Protocols and ports, one entry per group: `tcp 443`.
    pub ports: Vec<String>,
    pub addresses: Vec<String>,
    /// The objects that let the witness through, as `kind name / rule`.
    pub opened_by: Vec<String>,
    /// The `by:` names an expectation can use for them (`nsg/rule`, `firewall`).
    pub by: Vec<String>,
    pub witness: ReachedReport,
}

impl FindingReport {
    pub fn new(fabric: &Fabric, space: &Space, source: &SourceAudit, f: &Finding) -> FindingReport {
        let groups = f.groups.iter().map(|i| &source.reach.groups[*i]);
        let ports = groups
            .clone()
            .map(|g| {
                let ports = g.ranges.first().map(|(_, p)| crate::reach::port_ranges(g.protocol, p)).unwrap_or_default();
                format!("{} {ports}", g.protocol).trim_end().to_string()
            })
            .fold(Vec::<String>::new(), |mut acc, p| {
                if !acc.contains(&p) {
                    acc.push(p);
                }
                acc
            });
        let mut ranges: Vec<(u32, u32)> = groups.flat_map(|g| g.ranges.iter().map(|(a, _)| *a)).collect();
        ranges.sort_unstable();
        ranges.dedup();
        FindingReport {
            severity: f.destination.severity(),
            destination: crate::explain::exfiltration_words(&f.destination),
            ports,
            addresses: address_ranges(ranges.into_iter()),
            opened_by: f.opened_by.iter().map(crate::explain::headline_of).collect(),
            by: f
                .opened_by
                .iter()
                .map(|d| d.rule.as_ref().map_or(d.name.clone(), |r| format!("{}/{r}", d.name)))
                .collect(),
            witness: ReachedReport::new(fabric, space, f.source, f.witness(&source.reach)),
        }
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SourceReport {
    pub source: String,
    pub address: IpAddr,
    pub classes: usize,
    pub findings: Vec<FindingReport>,
    /// Read-only destinations reached (not exfiltration).
    pub read_only: Vec<String>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AuditReport {
    pub file: String,
    pub scenario: String,
    pub address_pieces: usize,
    pub port_pieces: usize,
    pub names: usize,
    pub classes: usize,
    pub findings: usize,
    pub sources: Vec<SourceReport>,
}

impl AuditReport {
    pub fn new(fabric: &Fabric, space: &Space, file: String, audit: &Audit) -> AuditReport {
        let s = &fabric.scenario;
        let sources = audit
            .sources
            .iter()
            .map(|a| {
                let nic = s.nic(a.source);
                SourceReport {
                    source: s.node_name(nic.endpoint, nic.node),
                    address: nic.private_ip,
                    classes: a.reach.classes,
                    findings: a.findings.iter().map(|f| FindingReport::new(fabric, space, a, f)).collect(),
                    read_only: a.read_only.clone(),
                }
            })
            .collect();
        AuditReport {
            file,
            scenario: s.name.clone(),
            address_pieces: space.header.addresses.len(),
            port_pieces: space.header.ports.len(),
            names: space.names.list.len(),
            classes: audit.classes(),
            findings: audit.findings(),
            sources,
        }
    }

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "exfiltration audit of {} ({}): {}, {} walked ({} x {}, {})",
            self.file,
            self.scenario,
            plural(self.sources.len(), "protected source", "protected sources"),
            plural(self.classes, "class", "classes"),
            plural(self.address_pieces, "address piece", "address pieces"),
            plural(self.port_pieces, "port piece", "port pieces"),
            plural(self.names, "name", "names")
        );
        if self.sources.is_empty() {
            let _ = writeln!(
                out,
                "no protected source: the scenario has no AML compute, AKS node pool or online deployment, and no `audit: sources:`"
            );
        }
        for src in &self.sources {
            if src.findings.is_empty() {
                let _ = writeln!(out, "\n{} ({}): no exfiltration path", src.source, src.address);
            } else {
                let paths = plural(src.findings.len(), "exfiltration path", "exfiltration paths");
                let _ = writeln!(out, "\n{} ({}): {paths}", src.source, src.address);
            }
            for f in &src.findings {
                let severity = format!("{:?}", f.severity).to_uppercase();
                let _ = writeln!(out, "\n  [{severity}] {}", f.destination);
                let _ = writeln!(out, "    ports: {}", f.ports.join(", "));
                let _ = writeln!(out, "    addresses: {}", abbreviated(&f.addresses));
                let _ = writeln!(out, "    opened by: {}", f.opened_by.join("; "));
                let sni = f.witness.name.as_ref().map(|n| format!(" (SNI {n})")).unwrap_or_default();
                let _ = writeln!(out, "    witness: {}{sni}", f.witness.witness);
                write_witness(&mut out, &f.witness, "    ");
            }
            if !src.read_only.is_empty() {
                let _ = writeln!(out, "\n  read-only egress: {}", src.read_only.join(", "));
            }
        }
        let _ = writeln!(out, "\n{}", plural(self.findings, "exfiltration path", "exfiltration paths"));
        out
    }
}

impl crate::Report for AuditReport {
    const SCHEMA: &'static str = "vnetsim-audit/1";

    fn human(&self) -> String {
        self.to_human()
    }
}
