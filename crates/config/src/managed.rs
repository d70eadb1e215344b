//! The workspace managed VNet (A-14..A-17) expressed in ordinary scenario objects, before the
//! scenario is resolved, so every check and every walk treats them like written ones:
//!
//! - a VNet `<workspace>-managed` with subnets `compute` (managed compute and online
//!   deployments), `private-endpoints` and, when FQDN rules exist, `AzureFirewallSubnet`;
//! - private endpoints for the private endpoint rules, the user's and those Azure adds;
//! - in allow_only_approved_outbound: an NSG on `compute` that allows the service tag rules and
//!   the VNet and denies everything else, and with FQDN rules a managed firewall behind a
//!   0.0.0.0/0 route, whose application rules hold the FQDNs on ports 80 and 443, behind
//!   a deny rule for storage hosts when a pattern covers them (A-15: storage only through a
//!   private endpoint rule, wildcards included).
//!
//! Azure runs the managed VNet's DNS: its private endpoints register in zones linked only to it,
//! which the resolver adds from [`ManagedPlan`]s.

use crate::decode::Sp;
use crate::diagnostic::{Diagnostics, Loc};
use crate::raw::managed::{RawManagedNetwork, RawOutboundDestination, RawOutboundRule};
use crate::raw::*;
use vnetsim_model::addr::overlaps;
use vnetsim_model::firewall::RuleKind;
use vnetsim_model::name_pattern::NamePattern;
use vnetsim_model::service::STORAGE_DOMAINS;
use vnetsim_model::{
    Access, Direction, IpAddr, IpNet, Ipv4Addr, Ipv4Net, IsolationMode, OutboundRule, OutboundRuleKind, PortSet,
    ServiceTagTable,
};

/// What the resolver needs to finish a managed network: its objects' names and its rules.
pub struct ManagedPlan {
    pub workspace: Sp<String>,
    pub mode: IsolationMode,
    pub vnet: String,
    pub firewall: Option<String>,
    pub private_endpoints: Vec<String>,
    pub rules: Vec<OutboundRule>,
}

/// service tags every managed VNet allows outbound: (tag, protocol, ports).
const REQUIRED_TAGS: [(&str, &str, &str); 8] = [
    ("AzureMachineLearning", "tcp", "443, 8787, 18881"),
    ("AzureMachineLearning", "udp", "5831"),
    ("AzureActiveDirectory", "tcp", "80, 443"),
    ("BatchNodeManagement.{region}", "*", "443"),
    ("AzureResourceManager", "tcp", "443"),
    ("AzureFrontDoor.FirstParty", "tcp", "443"),
    ("MicrosoftContainerRegistry", "tcp", "443"),
    ("AzureMonitor", "tcp", "443"),
];

/// Compute's Microsoft-managed storage (003 "Microsoft storage", A-3 `Storage.<region>`). In
/// allow_only_approved_outbound Azure enables it with exfiltration protection for the default
/// rules (A-16, 000): modelled as the tag rule over a Microsoft.Storage service endpoint whose
/// policy admits only the `/services/Azure/MachineLearning` alias (S-5, S-6).
const MANAGED_STORAGE_TAG: (&str, &str, &str) = ("Storage.{region}", "tcp", "443");
const MANAGED_STORAGE_ALIAS: &str = "/services/Azure/MachineLearning";

/// The managed firewall's application rule collection that keeps storage hosts out of FQDN
/// rules, ahead of them, and its one rule, named for the rule it implements.
const STORAGE_DENY_COLLECTION: &str = "deny-storage-fqdns";
pub const STORAGE_DENY_RULE: &str = "A-15-storage-only-through-private-endpoints";

/// Whether an FQDN pattern opens some Azure Storage host: the name itself, a wildcard or
/// suffix over a storage domain, or a broader one (`*`, `*.core.windows.net`, `*windows.net`).
fn covers_storage(pattern: &str) -> bool {
    NamePattern::parse(pattern).is_ok_and(|p| STORAGE_DOMAINS.iter().any(|d| p.covers_names_under(d)))
}

/// What Azure refuses in an outbound rule whatever the scenario: service tag and FQDN
/// rules outside allow_only_approved_outbound, and storage hosts in FQDN rules (names or patterns
/// under a storage domain; broader patterns are accepted, warned about and denied storage by the
/// managed firewall). Returns whether the rule is acceptable.
pub fn check_rule(rule: &RawOutboundRule, mode: IsolationMode, d: &mut Diagnostics) -> bool {
    let approved = mode == IsolationMode::AllowOnlyApprovedOutbound;
    match &rule.destination {
        RawOutboundDestination::PrivateEndpoint { .. } => true,
        _ if !approved => {
            d.error_with_help(
                rule.loc,
                format!("outbound rule `{}`: service tag and FQDN rules are valid only in allow_only_approved_outbound", rule.name.value),
                "in allow_internet_outbound all internet traffic is allowed already; only private_endpoint rules apply (A-15)",
            );
            false
        }
        RawOutboundDestination::Fqdn(fqdn)
            if STORAGE_DOMAINS.iter().any(|d| NamePattern::Exact(fqdn.value.as_str()).covers_names_under(d)) =>
        {
            d.error_with_help(
                fqdn.loc,
                format!(
                    "outbound rule `{}` opens Azure Storage host `{}` through an FQDN rule",
                    rule.name.value, fqdn.value
                ),
                "in allow_only_approved_outbound storage is reachable only through a private_endpoint rule (A-15)",
            );
            false
        }
        _ => true,
    }
}

/// Public IPs of managed firewalls: one per workspace, from the documentation range
/// 198.51.100.0/24 (RFC 5737), which nothing else in vnetsim uses.
const MANAGED_FIREWALL_IPS: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 0);

/// The public IP of the `n`th managed workspace's firewall: 198.51.100.200 upwards, then
/// 198.51.100.1 upwards, each distinct; `None` once the range's 255 addresses are used.
fn managed_firewall_ip(n: usize) -> Option<Ipv4Addr> {
    let host = match n {
        0..=55 => 200 + n,
        56..=254 => n - 55,
        _ => return None,
    };
    Some(Ipv4Addr::from(u32::from(MANAGED_FIREWALL_IPS) + host as u32))
}

/// Expands every workspace's managed network into `raw`. Returns the plans for the resolver.
pub fn expand(raw: &mut RawScenario, tags: &ServiceTagTable, d: &mut Diagnostics) -> Vec<ManagedPlan> {
    let region = raw.region.as_ref().map_or("eastus".to_string(), |r| r.value.to_ascii_lowercase());
    let mut plans = Vec::new();
    let workspaces: Vec<usize> = (0..raw.services.len())
        .filter(|&i| raw.services[i].managed_network.as_ref().is_some_and(|m| m.mode.value != IsolationMode::Disabled))
        .collect();
    for (n, i) in workspaces.into_iter().enumerate() {
        let Some(space) = free_space(raw) else {
            let loc = raw.services[i].managed_network.as_ref().map_or(raw.services[i].loc, |m| m.loc);
            d.error(loc, "no free 10.x.0.0/16 range is left for the managed VNet");
            continue;
        };
        if let Some(plan) = expand_one(raw, i, n, space, &region, tags, d) {
            plans.push(plan);
        }
    }
    plans
}

/// The first `10.{255 - k}.0.0/16` that overlaps no VNet of the scenario.
fn free_space(raw: &RawScenario) -> Option<Ipv4Net> {
    (0..=245u8).map(|k| Ipv4Net::new(Ipv4Addr::new(10, 255 - k, 0, 0), 16).expect("valid /16")).find(|candidate| {
        !raw.vnets.iter().flat_map(|v| &v.address_space).any(|p| overlaps(p.value, IpNet::V4(*candidate)))
    })
}

struct Builder<'a> {
    loc: Loc,
    workspace: String,
    vnet: String,
    tags: &'a ServiceTagTable,
    rules: Vec<OutboundRule>,
    /// NSG rules for the compute subnet and network rules for the managed firewall.
    tag_rules: Vec<(String, String, PortSet, Vec<String>)>,
    fqdns: Vec<(String, Loc)>,
    pes: Vec<(String, String)>,
}

fn expand_one(
    raw: &mut RawScenario,
    index: usize,
    n: usize,
    space: Ipv4Net,
    region: &str,
    tags: &ServiceTagTable,
    d: &mut Diagnostics,
) -> Option<ManagedPlan> {
    let service = &raw.services[index];
    let m: &RawManagedNetwork = service.managed_network.as_ref()?;
    let mode = m.mode.value;
    let mut b = Builder {
        loc: m.loc,
        workspace: service.name.value.clone(),
        vnet: format!("{}-managed", service.name.value),
        tags,
        rules: Vec::new(),
        tag_rules: Vec::new(),
        fqdns: Vec::new(),
        pes: Vec::new(),
    };
    b.required_private_endpoints(raw, index, mode);
    let m = raw.services[index].managed_network.as_ref()?;
    for rule in &m.rules {
        b.user_rule(raw, rule, mode, d);
    }
    if mode == IsolationMode::AllowOnlyApprovedOutbound {
        for (tag, protocol, ports) in REQUIRED_TAGS.iter().chain([&MANAGED_STORAGE_TAG]) {
            let tag = tag.replace("{region}", region);
            let ports = crate::decode::parse_port_list(ports).expect("valid ports");
            b.tag_rule(&tag, protocol, ports, &[], &tag.clone(), true);
        }
    }
    // `space` is a /16: the subnets sit at fixed offsets in it.
    let at = |third: u32, last: u32| Ipv4Addr::from(u32::from(space.network()) + (third << 8) + last);
    let prefix = |third: u32, len: u8| IpNet::V4(Ipv4Net::new(at(third, 0), len).expect("valid prefix"));
    let firewall = (!b.fqdns.is_empty()).then(|| format!("{}-fw", b.vnet));
    let approved = mode == IsolationMode::AllowOnlyApprovedOutbound;
    let nsg = approved.then(|| format!("{}-outbound", b.vnet));
    let route_table = firewall.as_ref().map(|_| format!("{}-rt", b.vnet));
    let firewall_ip = IpAddr::V4(at(65, 4));
    let mut compute = b.subnet("compute", prefix(0, 18), nsg.clone(), route_table.clone());
    if approved {
        let policy = format!("{}-storage-policy", b.vnet);
        compute.service_endpoints.push(b.sp("Microsoft.Storage"));
        compute.service_endpoint_policies.push(b.sp(&policy));
        raw.policies.push(RawPolicy { name: b.sp(&policy), resources: vec![b.sp(MANAGED_STORAGE_ALIAS)] });
    }
    let mut subnets = vec![compute, b.subnet("private-endpoints", prefix(64, 24), None, None)];
    if firewall.is_some() {
        subnets.push(b.subnet(vnetsim_model::firewall::FIREWALL_SUBNET, prefix(65, 26), None, None));
    }
    raw.vnets.push(RawVnet {
        address_space_complete: true,
        name: b.sp(&b.vnet),
        address_space: vec![Sp { value: prefix(0, 16), loc: b.loc }],
        address_space_loc: Some(b.loc),
        dns_servers: Vec::new(),
        subnets,
        peerings: Vec::new(),
    });
    if let Some(nsg) = &nsg {
        raw.nsgs.push(b.outbound_nsg(nsg, &prefix(0, 16).to_string(), firewall.is_some()));
    }
    if let (Some(fw), Some(table)) = (&firewall, &route_table) {
        let public_ip = managed_firewall_ip(n);
        if public_ip.is_none() {
            d.error(
                b.loc,
                format!("no public IP is left for the managed firewall of workspace `{}`: the range 198.51.100.0/24 vnetsim draws them from holds 255", b.workspace),
            );
        }
        raw.route_tables.push(RawRouteTable {
            name: b.sp(table),
            disable_bgp_route_propagation: false,
            routes: vec![RawRoute {
                loc: b.loc,
                name: b.sp("to-managed-firewall"),
                destination: b.sp("0.0.0.0/0"),
                next_hop: Sp { value: NextHopType::VirtualAppliance, loc: b.loc },
                next_hop_ip: Some(Sp { value: firewall_ip, loc: b.loc }),
                next_hop_ip_written: true,
            }],
        });
        raw.firewall_policies.push(b.policy(&format!("{fw}-policy")));
        raw.firewalls.push(RawFirewall {
            loc: b.loc,
            name: b.sp(fw),
            vnet: b.sp(&b.vnet),
            ip: Some(Sp { value: firewall_ip, loc: b.loc }),
            public_ips: public_ip.map(|ip| Sp { value: IpAddr::V4(ip), loc: b.loc }).into_iter().collect(),
            policy: Some(b.sp(&format!("{fw}-policy"))),
        });
    }
    let mut names = Vec::new();
    for (k, (target, subresource)) in b.pes.iter().enumerate() {
        let name = format!("{}-pe-{}", b.vnet, k + 1);
        raw.private_endpoints.push(RawPrivateEndpoint {
            loc: b.loc,
            name: b.sp(&name),
            subnet: b.sp(&format!("{}/private-endpoints", b.vnet)),
            ip: None,
            target: b.sp(target),
            subresource: b.sp(subresource),
            connection_state: None,
            // Registered in the managed VNet's own zones by the resolver.
            register_dns: false,
            dns_zones: Vec::new(),
        });
        names.push(name);
    }
    Some(ManagedPlan {
        workspace: Sp { value: b.workspace.clone(), loc: b.loc },
        mode,
        vnet: b.vnet.clone(),
        firewall,
        private_endpoints: names,
        rules: b.rules,
    })
}

impl Builder<'_> {
    fn sp(&self, s: &str) -> Sp<String> {
        Sp { value: s.to_string(), loc: self.loc }
    }

    fn subnet(&self, name: &str, prefix: IpNet, nsg: Option<String>, route_table: Option<String>) -> RawSubnet {
        RawSubnet {
            name: self.sp(name),
            prefix: Sp { value: prefix, loc: self.loc },
            nsg: nsg.map(|n| self.sp(&n)),
            route_table: route_table.map(|t| self.sp(&t)),
            service_endpoints: Vec::new(),
            service_endpoint_policies: Vec::new(),
            private_endpoint_network_policies: None,
            default_outbound_access: Some(true),
            nat_gateway: None,
        }
    }

    /// private endpoints to the workspace and its storage, key vault and registry; in
    /// allow_internet_outbound only for those with public access disabled.
    fn required_private_endpoints(&mut self, raw: &RawScenario, index: usize, mode: IsolationMode) {
        let ws = &raw.services[index];
        let disabled =
            |s: &RawService| s.public_network_access.as_ref().is_some_and(|p| p.value.eq_ignore_ascii_case("Disabled"));
        let mut targets = vec![(ws.name.value.clone(), vec!["amlworkspace"], disabled(ws))];
        let subresources: [&[&str]; 3] = [&["blob", "file"], &["vault"], &["registry"]];
        for (resource, subs) in ws.resources.iter().zip(subresources) {
            let Some(r) = resource else { continue };
            let name = r.value.rsplit('/').next().unwrap_or_default();
            if let Some(s) = raw.services.iter().find(|s| s.name.value.eq_ignore_ascii_case(name)) {
                targets.push((s.name.value.clone(), subs.to_vec(), disabled(s)));
            }
        }
        for (target, subs, public_disabled) in targets {
            if mode == IsolationMode::AllowInternetOutbound && !public_disabled {
                continue;
            }
            for sub in subs {
                self.rules.push(OutboundRule {
                    name: format!("required-{target}-{sub}"),
                    kind: OutboundRuleKind::PrivateEndpoint,
                    target: format!("{target} {sub}"),
                    required: true,
                    inert: None,
                    covers_storage: false,
                });
                self.pes.push((target.clone(), sub.to_string()));
            }
        }
    }

    fn user_rule(
        &mut self,
        raw: &RawScenario,
        rule: &crate::raw::managed::RawOutboundRule,
        mode: IsolationMode,
        d: &mut Diagnostics,
    ) {
        match &rule.destination {
            RawOutboundDestination::PrivateEndpoint { service_resource_id, subresource_target } => {
                let name = service_resource_id.value.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
                let target = raw.services.iter().find(|s| s.name.value.eq_ignore_ascii_case(name));
                let inert = target.is_none().then(|| {
                    format!(
                        "`{}` is not a service of the scenario, so nothing answers behind this endpoint",
                        service_resource_id.value
                    )
                });
                if let Some(t) = target {
                    self.pes.push((t.name.value.clone(), subresource_target.value.to_ascii_lowercase()));
                }
                self.rules.push(OutboundRule {
                    name: rule.name.value.clone(),
                    kind: OutboundRuleKind::PrivateEndpoint,
                    target: format!("{} {}", service_resource_id.value, subresource_target.value),
                    required: false,
                    inert,
                    covers_storage: false,
                });
            }
            _ if !check_rule(rule, mode, d) => {}
            RawOutboundDestination::ServiceTag { tag, protocol, ports, address_prefixes } => {
                let protocol = protocol.as_ref().map_or("*".to_string(), |p| p.value.to_ascii_lowercase());
                let prefixes: Vec<String> = address_prefixes.iter().map(|p| p.value.clone()).collect();
                self.tag_rule(&tag.value, &protocol, ports.clone(), &prefixes, &rule.name.value, false);
            }
            RawOutboundDestination::Fqdn(fqdn) => {
                let host = fqdn.value.to_ascii_lowercase();
                self.rules.push(OutboundRule {
                    name: rule.name.value.clone(),
                    kind: OutboundRuleKind::Fqdn,
                    target: format!("{host} on ports 80 and 443"),
                    required: false,
                    inert: None,
                    covers_storage: covers_storage(&host),
                });
                self.fqdns.push((host, fqdn.loc));
            }
        }
    }

    /// A service tag rule: by its prefixes when written, else by the tag when the tag table
    /// knows it; otherwise it opens nothing the simulator can walk.
    fn tag_rule(&mut self, tag: &str, protocol: &str, ports: PortSet, prefixes: &[String], name: &str, required: bool) {
        let known = self.tags.get(tag).map(|t| t.name.clone());
        let inert = (prefixes.is_empty() && known.is_none()).then(|| {
            format!("service tag `{tag}` is not in the tag table; load one with --service-tags to give it addresses")
        });
        self.rules.push(OutboundRule {
            name: name.to_string(),
            kind: OutboundRuleKind::ServiceTag,
            target: format!("{tag} {protocol}/{ports}"),
            required,
            inert: inert.clone(),
            covers_storage: false,
        });
        if inert.is_none() {
            let destination = if prefixes.is_empty() { vec![known.unwrap_or_default()] } else { prefixes.to_vec() };
            self.tag_rules.push((name.to_string(), protocol.to_string(), ports, destination));
        }
    }

    /// The compute subnet's NSG in allow_only_approved_outbound: the tag rules, the VNet itself
    /// (private endpoints), HTTP(S) to the managed firewall's FQDN rules, and deny the rest.
    fn outbound_nsg(&self, name: &str, space: &str, firewall: bool) -> RawNsg {
        let rule =
            |k: usize, name: &str, access: Access, protocol: &str, destination: Vec<String>, ports: PortSet| RawRule {
                loc: self.loc,
                name: self.sp(name),
                priority: Sp { value: 100 + 10 * k as u64, loc: self.loc },
                direction: Sp { value: Direction::Outbound, loc: self.loc },
                access,
                protocol: self.sp(protocol),
                source: Sp { value: vec![self.sp("*")], loc: self.loc },
                source_ports: PortSet::any(),
                destination: Sp { value: destination.iter().map(|x| self.sp(x)).collect(), loc: self.loc },
                destination_ports: ports,
            };
        let mut rules = vec![rule(0, "managed-vnet", Access::Allow, "*", vec![space.to_string()], PortSet::any())];
        for (k, (name, protocol, ports, destination)) in self.tag_rules.iter().enumerate() {
            rules.push(rule(
                k + 1,
                &format!("{name}-{}", k + 1),
                Access::Allow,
                protocol,
                destination.clone(),
                ports.clone(),
            ));
        }
        if firewall {
            let web = crate::decode::parse_port_list("80, 443").expect("valid ports");
            rules.push(rule(
                self.tag_rules.len() + 1,
                "fqdn-rules-via-firewall",
                Access::Allow,
                "tcp",
                vec!["*".into()],
                web,
            ));
        }
        let mut deny = rule(0, "deny-all-outbound", Access::Deny, "*", vec!["*".into()], PortSet::any());
        deny.priority.value = 4096;
        rules.push(deny);
        RawNsg { name: self.sp(name), rules }
    }

    /// The managed firewall's policy: the tag rules as network rules (the 0.0.0.0/0 route sends
    /// their traffic through the firewall too) and the FQDN rules as application rules on
    /// ports 80 and 443.
    fn policy(&self, name: &str) -> RawFirewallPolicy {
        let any = vec![self.sp("*")];
        let web = vec![self.sp("Http:80"), self.sp("Https:443")];
        let tag_rules = self
            .tag_rules
            .iter()
            .enumerate()
            .map(|(k, (name, protocol, ports, destination))| RawFirewallRule {
                loc: self.loc,
                name: self.sp(&format!("{name}-{}", k + 1)),
                source_addresses: any.clone(),
                source_ip_groups: Vec::new(),
                matcher: RawRuleMatch::Network {
                    protocols: vec![self.sp(if protocol == "*" { "any" } else { protocol })],
                    destination_addresses: destination.iter().map(|x| self.sp(x)).collect(),
                    destination_ip_groups: Vec::new(),
                    destination_fqdns: Vec::new(),
                    destination_ports: ports.clone(),
                },
            })
            .collect();
        let fqdn_rules = self
            .fqdns
            .iter()
            .map(|(host, loc)| RawFirewallRule {
                loc: *loc,
                name: self.sp(host),
                source_addresses: any.clone(),
                source_ip_groups: Vec::new(),
                matcher: RawRuleMatch::Application {
                    protocols: web.clone(),
                    target_fqdns: vec![Sp { value: host.clone(), loc: *loc }],
                    fqdn_tags: Vec::new(),
                },
            })
            .collect();
        let collection = |name: &str, priority: u64, kind: RuleKind, action, rules| RawRuleCollection {
            loc: self.loc,
            name: self.sp(name),
            priority: Sp { value: priority, loc: self.loc },
            kind: Sp { value: kind, loc: self.loc },
            action: Some(Sp { value: action, loc: self.loc }),
            rules,
        };
        let mut collections =
            vec![collection("service-tags", 100, RuleKind::Network, CollectionAction::Allow, tag_rules)];
        // storage hosts only through private endpoint rules, whatever a wildcard covers.
        if self.fqdns.iter().any(|(host, _)| covers_storage(host)) {
            let storage = RawFirewallRule {
                loc: self.loc,
                name: self.sp(STORAGE_DENY_RULE),
                source_addresses: any.clone(),
                source_ip_groups: Vec::new(),
                matcher: RawRuleMatch::Application {
                    protocols: web.clone(),
                    target_fqdns: STORAGE_DOMAINS.iter().map(|d| self.sp(&format!("*.{d}"))).collect(),
                    fqdn_tags: Vec::new(),
                },
            };
            collections.push(collection(
                STORAGE_DENY_COLLECTION,
                150,
                RuleKind::Application,
                CollectionAction::Deny,
                vec![storage],
            ));
        }
        collections.push(collection("fqdn-rules", 200, RuleKind::Application, CollectionAction::Allow, fqdn_rules));
        RawFirewallPolicy {
            name: self.sp(name),
            parent: None,
            dns_proxy: false,
            dns_servers: Vec::new(),
            snat_private_ranges: None,
            groups: vec![RawRuleCollectionGroup {
                name: self.sp("managed-outbound-rules"),
                priority: Sp { value: 100, loc: self.loc },
                collections,
            }],
        }
    }
}
