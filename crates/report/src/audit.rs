//! `vnetsim audit` output: the findings grouped by the kind of destination and the rule that
//! lets the data out, one line per group; with `--detail`, per protected source every finding
//! with its destination, ports, the rules that open it and a witness packet with its trace, then
//! the read-only egress the source has. JSON holds every finding, inside its group.

use crate::plural;
use crate::reach::{ReachedReport, abbreviated, address_ranges, write_witness};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::audit::{Audit, ExfiltrationKind, Finding, Severity, SourceAudit};
use vnetsim_analysis::reach::Space;
use vnetsim_engine::Completion;
use vnetsim_engine::fabric::Fabric;
use vnetsim_model::IpAddr;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FindingReport {
    pub severity: Severity,
    pub destination: String,
    /// Protocols and ports, one entry per group: `tcp 443`; `udp 53 one-way` when the data
    /// arrives and no reply returns (`engine::Completion`).
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
                let one_way = if g.completion() == Completion::OneWay { "one-way" } else { "" };
                let protocol = g.protocol.to_string();
                [protocol.as_str(), &ports, one_way].into_iter().filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
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
            by: f.opened_by.iter().map(by_name).collect(),
            witness: ReachedReport::new(fabric, space, f.source, f.witness(&source.reach)),
        }
    }
}

/// A finding of a group, with the source it leaves from.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct GroupedFinding {
    pub source: String,
    /// The source's index in `sources`.
    pub source_index: usize,
    #[serde(flatten)]
    pub finding: FindingReport,
}

/// The findings one rule opens to one kind of destination, across sources.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FindingGroupReport {
    pub severity: Severity,
    pub kind: ExfiltrationKind,
    /// The rule that lets the data out (the last firewall or NSG rule of the witness, else the
    /// first opener), as `kind name / rule`; absent when nothing is named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opened_by: Option<String>,
    /// Its `by:` name (`nsg/rule`, `firewall/group/collection/rule`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// How many sources the group's findings leave from.
    pub sources: usize,
    pub findings: Vec<GroupedFinding>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SourceReport {
    pub source: String,
    pub address: IpAddr,
    pub classes: usize,
    /// How many findings leave from this source (they are listed in `groups`).
    pub findings: usize,
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
    /// High severity first, then by first appearance.
    pub groups: Vec<FindingGroupReport>,
    pub sources: Vec<SourceReport>,
    /// Human output lists every finding with its witness trace (`--detail`).
    #[serde(skip)]
    pub detail: bool,
}

/// Groups listed per kind in the human summary; the rest are counted (`--detail` lists all).
const GROUPS_SHOWN_PER_KIND: usize = 10;
/// Example destinations on a group's line.
const EXAMPLES: usize = 2;
/// Names listed on the summary's lines of clean sources and read-only egress.
const NAMES_SHOWN: usize = 8;

/// The kind of destination in words, without its particulars.
fn kind_words(kind: ExfiltrationKind) -> &'static str {
    match kind {
        ExfiltrationKind::StorageAccount => "any storage account",
        ExfiltrationKind::FrontDoor => "any Azure Front Door endpoint",
        ExfiltrationKind::InternetHost => "any internet host",
        ExfiltrationKind::TenantResource => "anyone's resource in a multi-tenant service tag",
        ExfiltrationKind::MultiTenantName => "a name the attacker registers under a multi-tenant domain",
        ExfiltrationKind::RegistrableName => "a name anyone can register that a `*suffix` rule matches (F-9)",
        ExfiltrationKind::WriteCapableHost => "a write-capable host",
        ExfiltrationKind::ForeignService => "a foreign service",
    }
}

/// `names` joined, the first `NAMES_SHOWN`, then how many more.
fn some_of(names: &[&str]) -> String {
    let mut out = names.iter().take(NAMES_SHOWN).copied().collect::<Vec<_>>().join(", ");
    if names.len() > NAMES_SHOWN {
        let _ = write!(out, " and {} more", names.len() - NAMES_SHOWN);
    }
    out
}

impl FindingGroupReport {
    /// What stands for one finding on the group's line: its destination, or, when the kind has
    /// no particulars (any internet host, any Front Door endpoint), its ports and addresses.
    fn example(f: &FindingReport, kind: ExfiltrationKind) -> String {
        match kind {
            ExfiltrationKind::InternetHost | ExfiltrationKind::FrontDoor => {
                format!("{} {}", f.ports.join(", "), abbreviated(&f.addresses))
            }
            _ => f.destination.clone(),
        }
    }

    fn to_human(&self, out: &mut String) {
        let mut examples: Vec<String> = Vec::new();
        for f in &self.findings {
            let e = Self::example(&f.finding, self.kind);
            if !examples.contains(&e) {
                examples.push(e);
            }
        }
        let more = examples.len().saturating_sub(EXAMPLES);
        let mut shown = examples.into_iter().take(EXAMPLES).collect::<Vec<_>>().join("; ");
        if more > 0 {
            let _ = write!(shown, "; and {more} more");
        }
        let opener = self.opened_by.as_deref().map_or(String::new(), |o| format!(", opened by {o}"));
        let _ = writeln!(
            out,
            "  [{}] {}: {} from {}{opener}; e.g. {shown}",
            format!("{:?}", self.severity).to_uppercase(),
            kind_words(self.kind),
            plural(self.findings.len(), "path", "paths"),
            plural(self.sources, "source", "sources"),
        );
    }
}

impl AuditReport {
    pub fn new(fabric: &Fabric, space: &Space, file: String, audit: &Audit, detail: bool) -> AuditReport {
        let s = &fabric.scenario;
        let names: Vec<String> = audit
            .sources
            .iter()
            .map(|a| {
                let nic = s.nic(a.source);
                s.node_name(nic.endpoint, nic.node)
            })
            .collect();
        let groups = audit
            .groups()
            .into_iter()
            .map(|g| {
                let findings: Vec<GroupedFinding> = g
                    .members
                    .iter()
                    .map(|&(i, j)| {
                        let a = &audit.sources[i];
                        GroupedFinding {
                            source: names[i].clone(),
                            source_index: i,
                            finding: FindingReport::new(fabric, space, a, &a.findings[j]),
                        }
                    })
                    .collect();
                let mut sources: Vec<usize> = g.members.iter().map(|&(i, _)| i).collect();
                sources.dedup();
                FindingGroupReport {
                    severity: g.kind.severity(),
                    kind: g.kind,
                    opened_by: g.opened_by.as_ref().map(crate::explain::headline_of),
                    by: g.opened_by.as_ref().map(by_name),
                    sources: sources.len(),
                    findings,
                }
            })
            .collect();
        let sources = audit
            .sources
            .iter()
            .zip(names)
            .map(|(a, source)| SourceReport {
                source,
                address: s.nic(a.source).private_ip,
                classes: a.reach.classes,
                findings: a.findings.len(),
                read_only: a.read_only.clone(),
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
            groups,
            sources,
            detail,
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
        if self.detail {
            self.detail_to_human(&mut out);
        } else {
            self.summary_to_human(&mut out);
        }
        let _ = writeln!(out, "\n{}", plural(self.findings, "exfiltration path", "exfiltration paths"));
        out
    }

    /// One line per group, at most [`GROUPS_SHOWN_PER_KIND`] per kind (the largest first), then
    /// the clean sources and the read-only egress of all sources.
    fn summary_to_human(&self, out: &mut String) {
        if !self.groups.is_empty() {
            let _ = writeln!(
                out,
                "\n{} in {}, by kind of destination and the rule that lets the data out (--detail lists each with its witness trace):",
                plural(self.findings, "exfiltration path", "exfiltration paths"),
                plural(self.groups.len(), "group", "groups"),
            );
        }
        let mut kinds: Vec<ExfiltrationKind> = Vec::new();
        for g in &self.groups {
            if !kinds.contains(&g.kind) {
                kinds.push(g.kind);
            }
        }
        for kind in kinds {
            let mut groups: Vec<&FindingGroupReport> = self.groups.iter().filter(|g| g.kind == kind).collect();
            groups.sort_by_key(|g| std::cmp::Reverse(g.findings.len()));
            out.push('\n');
            for g in groups.iter().take(GROUPS_SHOWN_PER_KIND) {
                g.to_human(out);
            }
            let rest = &groups[groups.len().min(GROUPS_SHOWN_PER_KIND)..];
            if !rest.is_empty() {
                let paths: usize = rest.iter().map(|g| g.findings.len()).sum();
                let mut sources: Vec<usize> = rest.iter().flat_map(|g| &g.findings).map(|f| f.source_index).collect();
                sources.sort_unstable();
                sources.dedup();
                let _ = writeln!(
                    out,
                    "  ... and {} more {} to {}: {} from {}",
                    rest.len(),
                    if rest.len() == 1 { "group" } else { "groups" },
                    kind_words(kind),
                    plural(paths, "path", "paths"),
                    plural(sources.len(), "source", "sources"),
                );
            }
        }
        let clean: Vec<&str> = self.sources.iter().filter(|s| s.findings == 0).map(|s| s.source.as_str()).collect();
        if !clean.is_empty() {
            let _ = writeln!(
                out,
                "\nno exfiltration path from {}: {}",
                plural(clean.len(), "source", "sources"),
                some_of(&clean)
            );
        }
        let mut read_only: Vec<&str> = Vec::new();
        for name in self.sources.iter().flat_map(|s| &s.read_only) {
            if !read_only.contains(&name.as_str()) {
                read_only.push(name);
            }
        }
        if !read_only.is_empty() {
            let _ = writeln!(out, "\nread-only egress (not exfiltration): {}", some_of(&read_only));
        }
    }

    /// Per source, every finding with its witness trace, then its read-only egress.
    fn detail_to_human(&self, out: &mut String) {
        for (i, src) in self.sources.iter().enumerate() {
            if src.findings == 0 {
                let _ = writeln!(out, "\n{} ({}): no exfiltration path", src.source, src.address);
            } else {
                let paths = plural(src.findings, "exfiltration path", "exfiltration paths");
                let _ = writeln!(out, "\n{} ({}): {paths}", src.source, src.address);
            }
            for f in self.groups.iter().flat_map(|g| &g.findings).filter(|f| f.source_index == i) {
                let f = &f.finding;
                let severity = format!("{:?}", f.severity).to_uppercase();
                let _ = writeln!(out, "\n  [{severity}] {}", f.destination);
                let _ = writeln!(out, "    ports: {}", f.ports.join(", "));
                let _ = writeln!(out, "    addresses: {}", abbreviated(&f.addresses));
                let _ = writeln!(out, "    opened by: {}", f.opened_by.join("; "));
                let sni = f.witness.name.as_ref().map(|n| format!(" (SNI {n})")).unwrap_or_default();
                let _ = writeln!(out, "    witness: {}{sni}", f.witness.witness);
                write_witness(out, &f.witness, "    ");
            }
            if !src.read_only.is_empty() {
                let _ = writeln!(out, "\n  read-only egress: {}", src.read_only.join(", "));
            }
        }
    }
}

/// The `by:` name an expectation uses for a decider: `name/rule`, or the name.
fn by_name(d: &vnetsim_engine::Decider) -> String {
    d.rule.as_ref().map_or(d.name.clone(), |r| format!("{}/{r}", d.name))
}

impl crate::Report for AuditReport {
    const SCHEMA: &'static str = "vnetsim-audit/2";

    fn human(&self) -> String {
        self.to_human()
    }
}
