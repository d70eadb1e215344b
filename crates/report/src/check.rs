//! `vnetsim check`: what each valid file holds, and every invalid file with its errors.

use crate::output::Report;
use crate::plural;
use serde::Serialize;
use std::fmt::Write;
use vnetsim_model::{OutboundRuleKind, Scenario};

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    pub files: Vec<CheckedFile>,
    pub invalid: Vec<InvalidFile>,
}

/// A file that failed to load: its diagnostics as printed (`file:line:col: error: …`), and each
/// located one as data.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct InvalidFile {
    pub file: String,
    pub errors: String,
    /// Empty when no place in the file is at fault (it is missing, a folder, unreadable).
    pub diagnostics: Vec<Located>,
}

/// One problem at a 1-based line and column of the file, or of the file named in `file`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Located {
    /// The file the line and column are in, when it is not the invalid file itself: a base it
    /// reaches through `extends:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: u32,
    pub column: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// The counts of a valid file.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CheckedFile {
    pub file: String,
    pub scenario: String,
    pub region: String,
    pub vnets: usize,
    pub subnets: usize,
    pub peerings: usize,
    pub endpoints: usize,
    pub nics: usize,
    pub nsgs: usize,
    /// Written rules, without the default rules every NSG has (N-5).
    pub nsg_rules: usize,
    pub route_tables: usize,
    pub routes: usize,
    pub services: usize,
    pub private_endpoints: usize,
    pub private_dns_zones: usize,
    pub gateways: usize,
    pub expectations: usize,
    pub firewalls: Vec<FirewallSummary>,
    pub managed_networks: Vec<ManagedSummary>,
    /// Azure Virtual Network Manager instances (N-16); left out of JSON when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_managers: Vec<NetworkManagerSummary>,
    /// What the file's imports (Terraform) understood and left aside; left out of JSON when it
    /// imports nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<ImportSummary>,
}

/// One import of a file: how many resources became scenario objects, and every resource that
/// did not, listed (never dropped silently).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ImportSummary {
    /// What was imported (`the import of ../infra`).
    pub source: String,
    /// Resources mapped onto scenario objects.
    pub mapped: usize,
    /// Values vnetsim computed where Azure would at apply time (allocated IPs, ids).
    pub computed: usize,
    /// Resources with no effect on traffic.
    pub ignored: Vec<ListedResource>,
    /// Network-shaped resources vnetsim does not model yet: they may change verdicts.
    pub not_modelled: Vec<ListedResource>,
    /// Modules that could not be read offline (registry, git): their resources are missing.
    pub missing_modules: Vec<MissingModule>,
    /// Resources left incomplete because they depend on such a module.
    pub incomplete: Vec<IncompleteResource>,
    /// References of an export to resources it does not contain, treated as absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_exported: Vec<NotExported>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NotExported {
    /// The resource that refers.
    pub address: String,
    /// The id it refers to, which the export lacks.
    pub id: String,
    pub at: String,
    /// Whether the input holds the resource referred to, but it was left out in turn (a subnet
    /// whose VNet was not exported).
    pub left_out: bool,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct IncompleteResource {
    pub address: String,
    pub at: String,
    /// The module (not read) it needs a value from.
    pub needs: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ListedResource {
    pub address: String,
    #[serde(rename = "type")]
    pub rtype: String,
    /// `file:line` of its block.
    pub at: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct MissingModule {
    pub address: String,
    pub source: String,
    pub at: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NetworkManagerSummary {
    pub name: String,
    pub network_groups: usize,
    /// The VNets of its groups, in file order, each once.
    pub vnets: Vec<String>,
    /// Its security admin configuration, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
    pub rule_collections: usize,
    pub admin_rules: usize,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FirewallSummary {
    pub name: String,
    /// Empty when the firewall has no policy, which denies everything (F-1).
    pub policy: String,
    pub rule_collection_groups: usize,
    pub rules: usize,
    pub dns_proxy: bool,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ManagedSummary {
    pub workspace: String,
    pub mode: &'static str,
    pub vnet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firewall: Option<String>,
    pub rules: Vec<ManagedRule>,
}

impl ImportSummary {
    fn to_human(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "  {}: {} mapped, {} computed",
            self.source,
            plural(self.mapped, "resource", "resources"),
            plural(self.computed, "value", "values")
        );
        let mut list = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(out, "  {title} ({}):", lines.len());
                for l in lines {
                    let _ = writeln!(out, "    {l}");
                }
            }
        };
        let resources = |items: &[ListedResource]| items.iter().map(|r| format!("{}  {}", r.address, r.at)).collect();
        list("ignored, no effect on traffic", resources(&self.ignored));
        list("not modelled, may change verdicts", resources(&self.not_modelled));
        list(
            "incomplete, needing a value from a module that was not read",
            self.incomplete.iter().map(|r| format!("{}  {}  needs {}", r.address, r.at, r.needs)).collect(),
        );
        list(
            "referenced but not exported, treated as absent",
            self.not_exported
                .iter()
                .map(|r| {
                    let why = if r.left_out { "which was left out in turn" } else { "which the input lacks" };
                    format!("{}  {}  refers to {}, {why}", r.address, r.at, r.id)
                })
                .collect(),
        );
        list(
            "modules not read (registry or git): their resources are missing; import a plan (`terraform show -json`) to include them",
            self.missing_modules.iter().map(|m| format!("{} = \"{}\"  {}", m.address, m.source, m.at)).collect(),
        );
    }
}

/// An outbound rule of a managed network, written or added by Azure; `inert` says why a
/// rule opens nothing walkable.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ManagedRule {
    pub kind: &'static str,
    pub name: String,
    pub required: bool,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inert: Option<String>,
    /// an FQDN pattern covering Azure Storage hosts, which the managed firewall denies.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub covers_storage: bool,
}

impl CheckedFile {
    pub fn new(file: String, s: &Scenario) -> CheckedFile {
        let firewalls = s
            .firewalls
            .iter()
            .map(|fw| FirewallSummary {
                name: fw.name.clone(),
                policy: fw.policy.name.clone(),
                rule_collection_groups: fw.policy.groups.len(),
                rules: fw.policy.groups.iter().flat_map(|g| &g.collections).map(|c| c.rules.len()).sum(),
                dns_proxy: fw.policy.dns_proxy,
            })
            .collect();
        let managed_networks = s
            .managed_networks
            .iter()
            .map(|m| ManagedSummary {
                workspace: s.service(m.workspace).name.clone(),
                mode: m.mode.name(),
                vnet: s.vnet(m.vnet).name.clone(),
                firewall: m.firewall.map(|f| s.firewalls[f.index()].name.clone()),
                rules: m
                    .rules
                    .iter()
                    .map(|r| ManagedRule {
                        kind: match r.kind {
                            OutboundRuleKind::PrivateEndpoint => "private_endpoint",
                            OutboundRuleKind::ServiceTag => "service_tag",
                            OutboundRuleKind::Fqdn => "fqdn",
                        },
                        name: r.name.clone(),
                        required: r.required,
                        target: r.target.clone(),
                        inert: r.inert.clone(),
                        covers_storage: r.covers_storage,
                    })
                    .collect(),
            })
            .collect();
        let network_managers = s
            .network_managers
            .iter()
            .map(|m| {
                let mut vnets: Vec<String> = Vec::new();
                for v in m.groups.iter().flat_map(|g| &g.members) {
                    let name = &s.vnet(*v).name;
                    if !vnets.contains(name) {
                        vnets.push(name.clone());
                    }
                }
                let collections = m.configurations.iter().flat_map(|c| &c.collections);
                NetworkManagerSummary {
                    name: m.name.clone(),
                    network_groups: m.groups.len(),
                    vnets,
                    configuration: m.configurations.first().map(|c| c.name.clone()),
                    rule_collections: collections.clone().count(),
                    admin_rules: collections.map(|c| c.rules.len()).sum(),
                }
            })
            .collect();
        CheckedFile {
            file,
            scenario: s.name.clone(),
            region: s.region.clone(),
            vnets: s.vnets.len(),
            subnets: s.subnets.len(),
            peerings: s.peerings.len(),
            endpoints: s.endpoints.len(),
            nics: s.nics.len(),
            nsgs: s.nsgs.len(),
            nsg_rules: s.nsgs.iter().map(|n| n.rules.iter().filter(|r| !r.is_default).count()).sum(),
            route_tables: s.route_tables.len(),
            routes: s.route_tables.iter().map(|t| t.routes.len()).sum(),
            services: s.services.iter().filter(|x| !x.builtin).count(),
            private_endpoints: s.private_endpoints.len(),
            private_dns_zones: s.zones.len(),
            gateways: s.gateways.len(),
            expectations: s.expectations.len() + s.flow_expectations.len() + s.exfiltration_expectations.len(),
            firewalls,
            managed_networks,
            network_managers,
            imports: Vec::new(),
        }
    }

    fn to_human(&self, out: &mut String) {
        let paas = if self.services + self.private_endpoints + self.private_dns_zones + self.gateways == 0 {
            String::new()
        } else {
            format!(
                ", {}, {}, {}, {}",
                plural(self.services, "service", "services"),
                plural(self.private_endpoints, "private endpoint", "private endpoints"),
                plural(self.private_dns_zones, "private DNS zone", "private DNS zones"),
                plural(self.gateways, "gateway", "gateways"),
            )
        };
        let _ = writeln!(
            out,
            "{}: ok: {}, {}, {}, {} ({}), {} ({}), {} ({}){paas}, {}",
            self.file,
            plural(self.vnets, "VNet", "VNets"),
            plural(self.subnets, "subnet", "subnets"),
            plural(self.peerings, "peering", "peerings"),
            plural(self.endpoints, "endpoint", "endpoints"),
            plural(self.nics, "NIC", "NICs"),
            plural(self.nsgs, "NSG", "NSGs"),
            plural(self.nsg_rules, "rule", "rules"),
            plural(self.route_tables, "route table", "route tables"),
            plural(self.routes, "route", "routes"),
            plural(self.expectations, "expectation", "expectations"),
        );
        for fw in &self.firewalls {
            let _ = writeln!(
                out,
                "  firewall {}: policy {} ({}, {}), DNS proxy {}",
                fw.name,
                if fw.policy.is_empty() { "(none: deny all)" } else { &fw.policy },
                plural(fw.rule_collection_groups, "rule collection group", "rule collection groups"),
                plural(fw.rules, "rule", "rules"),
                if fw.dns_proxy { "on" } else { "off" }
            );
        }
        for m in &self.network_managers {
            let configuration = match &m.configuration {
                Some(c) => format!(
                    "security admin configuration {c} ({}, {})",
                    plural(m.rule_collections, "rule collection", "rule collections"),
                    plural(m.admin_rules, "admin rule", "admin rules")
                ),
                None => "no security admin configuration".into(),
            };
            let vnets = if m.vnets.is_empty() { "no VNets".into() } else { m.vnets.join(", ") };
            let groups = plural(m.network_groups, "network group", "network groups");
            let _ = writeln!(out, "  network manager {} ({groups}: {vnets}): {configuration}", m.name);
        }
        self.managed_to_human(out);
        for i in &self.imports {
            i.to_human(out);
        }
    }

    /// The managed networks: mode, objects, and every outbound rule, written or added by
    /// Azure, with the ones that open nothing walkable flagged.
    pub fn managed_to_human(&self, out: &mut String) {
        for m in &self.managed_networks {
            let firewall = m.firewall.as_ref().map_or(String::new(), |f| format!(", managed firewall {f}"));
            let _ = writeln!(out, "  managed network of {} ({}): VNet {}{firewall}", m.workspace, m.mode, m.vnet);
            for r in &m.rules {
                let origin = if r.required { "added by Azure" } else { "written" };
                let inert = r.inert.as_ref().map_or(String::new(), |why| format!(" -- opens nothing: {why}"));
                let _ = writeln!(out, "    {} {} ({origin}): {}{inert}", r.kind, r.name, r.target);
                if r.covers_storage {
                    let _ = writeln!(
                        out,
                        "      warning: the pattern covers Azure Storage hosts, which the managed firewall denies (A-15); reach storage through a private_endpoint rule"
                    );
                }
            }
        }
    }
}

impl Report for CheckReport {
    const SCHEMA: &'static str = "vnetsim-check/1";

    fn human(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            f.to_human(&mut out);
        }
        out
    }
}

/// `check --workspace-yaml FILE` alone: the managed network that file describes.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct WorkspaceCheckReport {
    pub file: String,
    pub workspace: String,
    pub region: String,
    pub network: CheckedFile,
}

impl Report for WorkspaceCheckReport {
    const SCHEMA: &'static str = "vnetsim-workspace-check/1";

    fn human(&self) -> String {
        let mut out = format!("{}: ok: workspace {} in {}\n", self.file, self.workspace, self.region);
        self.network.managed_to_human(&mut out);
        out
    }
}
