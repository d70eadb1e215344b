//! The exfiltration audit: every way data can leave a protected source for a destination that
//! accepts writes and is not the scenario's own (000 "Data exfiltration protection": "read only
//! outbound can't be exploited ... read/write outbound can be"; S-5..S-7, A-14..A-16).
//!
//! Each protected source's exhaustive reachability ([`crate::reach`]) is classified: the
//! scenario's own resources are fine; read-only egress (Microsoft services, package indexes,
//! MCR) is listed apart; write-capable destinations are findings: storage accounts nobody
//! declared (the attacker's, one per `Storage` tag, filtered by service endpoint policies), Front
//! Door endpoints (`AzureFrontDoor.FrontEnd`), arbitrary internet hosts, names an attacker can
//! register under a multi-tenant domain that a wildcard rule lets through, names anyone can
//! register that a `*suffix` rule lets through outside its intended domain (F-9's field note),
//! and named hosts that accept writes. A TCP path counts when the connection works; UDP, ICMP, ESP and AH when the
//! request arrives, since they carry data one way.

use crate::expectation::{Decided, Evidence, ExpectationKind, ExpectationResult, Observed, Reason};
use crate::progress::{Progress, Silent};
use crate::reach::{Group, Reach, ReachOptions, Reached, Space, most_specific_tag, reach};
use crate::sni::{ATTACKER_DOMAIN, ATTACKER_LABEL};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::flow::Connection;
use vnetsim_engine::outcome::{Decider, DeciderKind, StepKind, StepVerdict};
use vnetsim_engine::trace::{Disposition, Recorder};
use vnetsim_model::firewall::fqdn_matches;
use vnetsim_model::{EndpointId, ExfiltrationExpectation, ExpectedExfiltration, IpAddr, NicId, ServiceKind};

/// Hosts that accept uploads: code hosting, container registries, model hubs. A scenario's
/// `audit.read_only` overrides them.
pub const WRITE_CAPABLE_HOSTS: [&str; 4] = ["github.com", "docker.io", "registry-1.docker.io", "huggingface.co"];

/// Read-only in the seeds' sense: package indexes, MCR and the Microsoft hosts AML needs (A-3,
/// A-4, 004's FQDN tables). A scenario's `audit.write_capable` overrides them.
pub const READ_ONLY_HOSTS: [&str; 24] = [
    "pypi.org",
    "*.pythonhosted.org",
    "anaconda.com",
    "*.anaconda.com",
    "anaconda.org",
    "*.anaconda.org",
    "pytorch.org",
    "*.pytorch.org",
    "*.tensorflow.org",
    "cloud.r-project.org",
    "ghcr.io",
    "pkg-containers.githubusercontent.com",
    "*.ubuntu.com",
    "ppa.launchpad.net",
    "cdn-lfs.huggingface.co",
    "*.visualstudio.com",
    "*.vo.msecnd.net",
    "*.gallerycdn.vsassets.io",
    "vscode.blob.core.windows.net",
    "*.microsoft.com",
    "*.azureml.ms",
    "*.azureml.net",
    "ml.azure.com",
    "automlresources-prod.azureedge.net",
];

/// Service tags whose addresses anyone can rent: an Azure VM, web app, database, event hub,
/// registry or key vault of the attacker's own (000 names Storage and Front Door; these are the
/// same kind). Other Microsoft tags (Entra ID, ARM, AzureMachineLearning, Batch, MCR,
/// AzureFrontDoor.FirstParty, AzureMonitor) are read-only egress, as the seeds treat them.
pub const WRITE_CAPABLE_TAGS: [&str; 9] = [
    "AzureFrontDoor.FrontEnd",
    "AzureCloud",
    "AppService",
    "Sql",
    "AzureCosmosDB",
    "EventHub",
    "ServiceBus",
    "AzureContainerRegistry",
    "AzureKeyVault",
];

/// What a write-capable destination is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exfiltration {
    /// Any storage account of a region (`None`: of a region the tag table does not name).
    StorageAccount { region: Option<String> },
    /// An endpoint of Azure Front Door, which anyone can create.
    FrontDoor,
    /// An arbitrary internet host, the attacker's own.
    InternetHost,
    /// Any resource of a multi-tenant Azure service tag (see [`WRITE_CAPABLE_TAGS`]).
    TenantResource { tag: String },
    /// A name an attacker registers under a multi-tenant domain (`attacker-chosen.azurefd.net`).
    MultiTenantName { name: String },
    /// A name outside the intended domain that a `*suffix` target (`pattern`) matches, which
    /// anyone can register (`attacker-chosen-pytorch.org` for `*pytorch.org`, F-9).
    RegistrableName { name: String, pattern: String },
    /// A named host that accepts writes, by the built-in list or the scenario's.
    WriteCapableHost { name: String },
    /// A declared service the scenario says is not its own (`audit.foreign`).
    ForeignService { name: String },
}

/// How bad a finding is: anyone can own the destination (high), or a known third party does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
}

/// How the audit sees a delivered group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Class {
    Own,
    ReadOnly(String),
    Exfiltration(Exfiltration),
}

/// What kind of destination a finding has, without its particulars (region, tag, name):
/// findings group by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExfiltrationKind {
    StorageAccount,
    FrontDoor,
    InternetHost,
    TenantResource,
    MultiTenantName,
    RegistrableName,
    WriteCapableHost,
    ForeignService,
}

impl ExfiltrationKind {
    pub fn severity(self) -> Severity {
        match self {
            ExfiltrationKind::WriteCapableHost | ExfiltrationKind::ForeignService => Severity::Medium,
            _ => Severity::High,
        }
    }
}

impl Exfiltration {
    pub fn kind(&self) -> ExfiltrationKind {
        match self {
            Exfiltration::StorageAccount { .. } => ExfiltrationKind::StorageAccount,
            Exfiltration::FrontDoor => ExfiltrationKind::FrontDoor,
            Exfiltration::InternetHost => ExfiltrationKind::InternetHost,
            Exfiltration::TenantResource { .. } => ExfiltrationKind::TenantResource,
            Exfiltration::MultiTenantName { .. } => ExfiltrationKind::MultiTenantName,
            Exfiltration::RegistrableName { .. } => ExfiltrationKind::RegistrableName,
            Exfiltration::WriteCapableHost { .. } => ExfiltrationKind::WriteCapableHost,
            Exfiltration::ForeignService { .. } => ExfiltrationKind::ForeignService,
        }
    }

    pub fn severity(&self) -> Severity {
        self.kind().severity()
    }
}

/// One way out: a group of classes from a source to a write-capable destination.
#[derive(Clone, Debug)]
pub struct Finding {
    pub source: NicId,
    pub destination: Exfiltration,
    /// The groups of the source's reach that lead there by the same rules.
    pub groups: Vec<usize>,
    /// The steps of the witness that let it through: allow rules, routes, egress.
    pub opened_by: Vec<Decider>,
}

impl Finding {
    /// The first group: its witness stands for the finding.
    pub fn witness<'r>(&self, reach: &'r Reach) -> &'r Group {
        &reach.groups[self.groups[0]]
    }

    /// The rule that lets the data out: the last firewall or NSG rule the witness passed, else
    /// the first object that opened the path.
    pub fn opening_rule(&self) -> Option<&Decider> {
        let rule = self
            .opened_by
            .iter()
            .rev()
            .find(|d| matches!(d.kind, DeciderKind::Firewall | DeciderKind::Nsg) && d.rule.is_some());
        rule.or(self.opened_by.first())
    }
}

/// The findings of every source that one rule opens to one kind of destination.
#[derive(Clone, Debug)]
pub struct FindingGroup {
    pub kind: ExfiltrationKind,
    /// The findings' [`Finding::opening_rule`].
    pub opened_by: Option<Decider>,
    /// `(source, finding)`: indexes into [`Audit::sources`] and that source's findings.
    pub members: Vec<(usize, usize)>,
}

/// A source's audit: its reach (the findings' groups only), the findings and the read-only
/// egress.
#[derive(Clone, Debug)]
pub struct SourceAudit {
    pub source: NicId,
    pub reach: Reach,
    pub findings: Vec<Finding>,
    /// Read-only destinations reached.
    pub read_only: Vec<String>,
}

/// The protected sources: the scenario's `audit.sources`, else every AML compute, AKS node pool
/// and online deployment, a NIC each (node 0 of a cluster stands for its nodes).
pub fn protected_sources(fabric: &Fabric) -> Vec<EndpointId> {
    let s = &fabric.scenario;
    if !s.audit.sources.is_empty() {
        return s.audit.sources.clone();
    }
    (0..s.endpoints.len()).map(EndpointId::from_index).filter(|e| s.endpoint(*e).kind.is_aml_workload()).collect()
}

/// Whether a scenario pattern names this destination: a service name, an FQDN pattern over
/// the name the flow carried, or a service tag holding the address.
fn listed(fabric: &Fabric, patterns: &[String], service: Option<&str>, name: Option<&str>, address: IpAddr) -> bool {
    let apex = fabric.options.fw_wildcard_matches_apex;
    patterns.iter().any(|p| {
        service.is_some_and(|s| s.eq_ignore_ascii_case(p))
            || name.is_some_and(|n| fqdn_matches(p, n, apex))
            || fabric.scenario.service_tags.get(p).is_some_and(|t| t.prefixes.iter().any(|x| x.contains(&address)))
    })
}

/// Classifies a delivered group (see the module docs).
pub fn classify(fabric: &Fabric, space: &Space, group: &Group) -> Class {
    let s = &fabric.scenario;
    // A name tells where a flow goes only when names travel to their own addresses.
    let name_id = group.name.filter(|_| !space.names.spoofing());
    let name = name_id.map(|n| space.names.list[n as usize].as_str());
    let address = group.witness.destination;
    let service = match group.reached {
        Some(Reached::Service(id)) => Some(s.service(id)),
        _ => None,
    };
    let label = name.or(service.map(|v| v.name.as_str())).unwrap_or("an internet host").to_string();
    let (audit, apex) = (&s.audit, fabric.options.fw_wildcard_matches_apex);
    let service_name = service.map(|v| v.name.as_str());
    if listed(fabric, &audit.write_capable, service_name, name, address) {
        return Class::Exfiltration(Exfiltration::WriteCapableHost { name: label });
    }
    if listed(fabric, &audit.read_only, service_name, name, address) {
        return Class::ReadOnly(label);
    }
    // F-9: a name only a `*suffix` target matches, outside the domain it was written for.
    let registrable = name_id.and_then(|id| space.names.registrable_under(id));
    if let (Some(Reached::Internet), Some(n), Some(pattern)) = (group.reached, name, registrable) {
        return Class::Exfiltration(Exfiltration::RegistrableName {
            name: n.to_string(),
            pattern: pattern.to_string(),
        });
    }
    match group.reached {
        Some(Reached::Service(id)) => {
            let v = s.service(id);
            if v.foreign {
                let region = (!v.region.is_empty()).then(|| v.region.clone());
                return Class::Exfiltration(Exfiltration::StorageAccount { region });
            }
            if !v.builtin {
                return match audit.foreign.contains(&id) {
                    true => Class::Exfiltration(Exfiltration::ForeignService { name: v.name.clone() }),
                    false => Class::Own,
                };
            }
            if v.kind == ServiceKind::InternetHost && WRITE_CAPABLE_HOSTS.iter().any(|p| fqdn_matches(p, &v.name, apex))
            {
                return Class::Exfiltration(Exfiltration::WriteCapableHost { name: label });
            }
            Class::ReadOnly(v.name.clone())
        }
        Some(Reached::Internet) => match name {
            Some(n) if n.starts_with(ATTACKER_LABEL) => {
                Class::Exfiltration(Exfiltration::MultiTenantName { name: n.to_string() })
            }
            Some(n) if n != ATTACKER_DOMAIN => {
                let on = |list: &[&str]| list.iter().any(|p| fqdn_matches(p, n, apex));
                if on(&READ_ONLY_HOSTS) && !on(&WRITE_CAPABLE_HOSTS) {
                    Class::ReadOnly(n.to_string())
                } else {
                    Class::Exfiltration(Exfiltration::WriteCapableHost { name: n.to_string() })
                }
            }
            _ => match most_specific_tag(fabric, address) {
                Some(t) if t.name == "AzureFrontDoor.FrontEnd" => Class::Exfiltration(Exfiltration::FrontDoor),
                Some(t) if WRITE_CAPABLE_TAGS.contains(&t.parent.as_deref().unwrap_or(&t.name)) => {
                    Class::Exfiltration(Exfiltration::TenantResource { tag: t.name.clone() })
                }
                Some(t) => Class::ReadOnly(format!("service tag {}", t.name)),
                None => Class::Exfiltration(Exfiltration::InternetHost),
            },
        },
        _ => Class::Own,
    }
}

/// The steps of a walk that let it through: allow rules, the routes it took, its way out.
fn opened_by(fabric: &Fabric, steps: &Recorder) -> Vec<Decider> {
    let mut out: Vec<Decider> = Vec::new();
    for step in &steps.steps {
        let (kind, result) = fabric.kind_and_verdict(step);
        let opens = result == StepVerdict::Allow || matches!(kind, StepKind::Route | StepKind::Egress);
        if let Some(d) = fabric.decider(step).filter(|_| opens)
            && !out.contains(&d)
        {
            out.push(d);
        }
    }
    out
}

/// Audits one source.
pub fn audit_source(fabric: &Fabric, space: &Space, source: NicId) -> SourceAudit {
    let reach = reach(fabric, space, source);
    let (mut findings, mut read_only): (Vec<Finding>, Vec<String>) = (Vec::new(), Vec::new());
    let (mut request, mut reply) = (Recorder::default(), Recorder::default());
    for (i, g) in reach.groups.iter().enumerate() {
        if !g.carries_data() {
            continue;
        }
        match classify(fabric, space, g) {
            Class::Own => {}
            Class::ReadOnly(name) => {
                if !read_only.contains(&name) {
                    read_only.push(name);
                }
            }
            Class::Exfiltration(destination) => {
                crate::reach::walk(fabric, source, g.witness, g.witness_name(space), &mut request, &mut reply);
                let opened_by = opened_by(fabric, &request);
                match findings.iter_mut().find(|f| f.destination == destination && f.opened_by == opened_by) {
                    Some(f) => f.groups.push(i),
                    None => findings.push(Finding { source, destination, groups: vec![i], opened_by }),
                }
            }
        }
    }
    findings.sort_by_key(|f| f.destination.severity());
    // Keep only the findings' groups: the rest of a large reach is not worth holding.
    let mut slots: Vec<Option<Group>> = reach.groups.into_iter().map(Some).collect();
    let mut groups = Vec::new();
    for f in &mut findings {
        f.groups = f
            .groups
            .iter()
            .filter_map(|i| slots[*i].take())
            .map(|g| {
                groups.push(g);
                groups.len() - 1
            })
            .collect();
    }
    SourceAudit { source, reach: Reach { groups, ..reach }, findings, read_only }
}

/// The audit of a whole scenario.
#[derive(Clone, Debug)]
pub struct Audit {
    pub sources: Vec<SourceAudit>,
}

impl Audit {
    pub fn findings(&self) -> usize {
        self.sources.iter().map(|s| s.findings.len()).sum()
    }

    pub fn classes(&self) -> usize {
        self.sources.iter().map(|s| s.reach.classes).sum()
    }

    /// The findings grouped by (kind, opening rule): high severity first, then in order of
    /// first appearance (sources in order, each source's findings in order).
    pub fn groups(&self) -> Vec<FindingGroup> {
        let mut groups: Vec<FindingGroup> = Vec::new();
        let mut index: FxHashMap<(ExfiltrationKind, Option<&Decider>), usize> = FxHashMap::default();
        for (i, source) in self.sources.iter().enumerate() {
            for (j, f) in source.findings.iter().enumerate() {
                let (kind, opened_by) = (f.destination.kind(), f.opening_rule());
                let next = groups.len();
                let at = *index.entry((kind, opened_by)).or_insert(next);
                if at == next {
                    groups.push(FindingGroup { kind, opened_by: opened_by.cloned(), members: Vec::new() });
                }
                groups[at].members.push((i, j));
            }
        }
        groups.sort_by_key(|g| g.kind.severity());
        groups
    }
}

/// Audits `sources` (each endpoint's node-0 NIC) with one cut of the header space.
pub fn audit(fabric: &Fabric, sources: &[EndpointId], options: ReachOptions) -> (Space, Audit) {
    audit_with(fabric, sources, options, &Silent)
}

/// [`audit`], reporting each source audited to `progress`.
pub fn audit_with(
    fabric: &Fabric,
    sources: &[EndpointId],
    options: ReachOptions,
    progress: &dyn Progress,
) -> (Space, Audit) {
    let space = Space::new(fabric, options);
    let nics: Vec<NicId> = sources.iter().filter_map(|e| fabric.scenario.primary_nic(*e, 0)).collect();
    progress.start(nics.len() as u64);
    // Sources are independent; rayon keeps their order, so output does not depend on threads.
    let sources = (nics.par_iter())
        .map(|nic| {
            let audited = audit_source(fabric, &space, *nic);
            progress.advance(1);
            audited
        })
        .collect();
    (space, Audit { sources })
}

/// Checks the scenario's `no_exfiltration` / `exfiltration` expectations, auditing each
/// source they name once.
pub fn check_exfiltration_expectations(fabric: &Fabric) -> Vec<ExpectationResult> {
    let s = &fabric.scenario;
    if s.exfiltration_expectations.is_empty() {
        return Vec::new();
    }
    let mut endpoints: Vec<EndpointId> = Vec::new();
    for e in &s.exfiltration_expectations {
        if !endpoints.contains(&e.from) {
            endpoints.push(e.from);
        }
    }
    let (space, audit) = audit(fabric, &endpoints, ReachOptions::default());
    s.exfiltration_expectations
        .iter()
        .map(|e| {
            let nic = s.primary_nic(e.from, 0);
            let source = audit.sources.iter().find(|a| Some(a.source) == nic);
            judge(fabric, &space, e, source)
        })
        .collect()
}

fn judge(
    fabric: &Fabric,
    space: &Space,
    e: &ExfiltrationExpectation,
    source: Option<&SourceAudit>,
) -> ExpectationResult {
    let findings = source.map_or(&[][..], |a| a.findings.as_slice());
    let (expected, expected_by) = match &e.outcome {
        ExpectedExfiltration::None => (Observed::NoExfiltration, None),
        ExpectedExfiltration::Found { by } => (Observed::Exfiltration, by.clone()),
    };
    let opens = |f: &&Finding, by: &str| f.opened_by.iter().any(|d| d.matches(by));
    let (shown, reason) = match &e.outcome {
        ExpectedExfiltration::None => match findings.first() {
            None => (None, None),
            Some(f) => (
                Some(f),
                Some(Reason::NoExfiltrationExpected { found: findings.len(), destination: f.destination.clone() }),
            ),
        },
        ExpectedExfiltration::Found { by: None } if !findings.is_empty() => (findings.first(), None),
        ExpectedExfiltration::Found { by: Some(by) } => match findings.iter().find(|f| opens(f, by)) {
            Some(f) => (Some(f), None),
            None if findings.is_empty() => (None, Some(Reason::ExfiltrationExpected)),
            None => (findings.first(), Some(Reason::ExfiltrationExpectedBy { by: by.clone(), found: findings.len() })),
        },
        ExpectedExfiltration::Found { by: None } => (None, Some(Reason::ExfiltrationExpected)),
    };
    // The named opener, else the rule that lets it through.
    let decided_by = shown.and_then(|f| {
        let named = expected_by.as_deref().and_then(|by| f.opened_by.iter().find(|d| d.matches(by)));
        named.or_else(|| f.opening_rule()).cloned()
    });
    let evidence = match (shown, source) {
        (Some(f), Some(a)) if reason.is_some() => {
            let g = f.witness(&a.reach);
            let (verdict, request, reply) = g.replay(fabric, space, a.source);
            let connection =
                Connection { resolution: None, packet: Some(g.witness), verdict: Some(verdict), request, reply };
            // The trace goes to the witness: the name it carries, else its address.
            let to = g.name.map_or_else(|| g.witness.destination.to_string(), |n| space.names.list[n as usize].clone());
            Some(Evidence { from: e.from_text.clone(), to, connection: Box::new(connection) })
        }
        _ => None,
    };
    ExpectationResult {
        kind: ExpectationKind::Exfiltration,
        label: e.label.clone(),
        line: e.loc.line,
        column: e.loc.column,
        expected,
        expected_by,
        actual: if findings.is_empty() { Observed::NoExfiltration } else { Observed::Exfiltration },
        disposition: shown.map_or(Decided::Nothing, |_| Decided::Walk(Disposition::Delivered)),
        resolved: None,
        reply_delivered: None,
        decided_by,
        passed: reason.is_none(),
        reason,
        evidence,
    }
}
