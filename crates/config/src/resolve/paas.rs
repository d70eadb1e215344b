//! Resolving services, private endpoints, private DNS zones, service endpoint policies and DNS
//! forwarding. Services get their DNS names (D-2, A-9) and a public IP inside their service tag.

use super::{Names, Resolver};
use crate::decode::Sp;
use crate::diagnostic::{Diagnostics, Loc};
use crate::raw::*;
use std::collections::HashMap;
use vnetsim_model::name_pattern::{NamePattern, is_wildcard, name_in_zone};
use vnetsim_model::public_services::{
    INTERNET_HOSTS, MANAGED_STORAGE, MANAGED_STORAGE_FQDN, MICROSOFT_SERVICES, any_storage_account, expand,
};
use vnetsim_model::service::MANAGED_BY;
use vnetsim_model::*;

const ACR_SKUS: [&str; 3] = ["Basic", "Standard", "Premium"];

/// The tag whose prefixes hold a kind's public IPs (`{region}` expanded).
fn tag_of(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Workspace | ServiceKind::OnlineEndpoint => "AzureMachineLearning.{region}",
        ServiceKind::StorageAccount => "Storage.{region}",
        ServiceKind::KeyVault => "AzureKeyVault.{region}",
        ServiceKind::ContainerRegistry => "AzureContainerRegistry.{region}",
        ServiceKind::ApplicationInsights => "AzureMonitor.{region}",
        ServiceKind::Microsoft | ServiceKind::InternetHost => "",
    }
}

/// A zone's object name when it differs from its DNS name: a resource group qualifies it
/// (`rg-hub/privatelink.blob.core.windows.net`), so Azure resource group characters and `/`.
fn is_zone_object_name(name: &str) -> bool {
    name.len() <= 400
        && name
            .split('/')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.()".contains(c)))
}

/// A DNS name: labels of letters, digits and `-`, an optional leading `*.`.
fn is_dns_name(name: &str) -> bool {
    let body = match NamePattern::parse(name) {
        Ok(NamePattern::Wildcard { parent }) => parent,
        _ => name,
    };
    body.contains('.')
        && body.len() <= 253
        && body.split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

impl Resolver<'_> {
    /// Registers the names of declared services, so policies, network rules and private endpoints
    /// can refer to them in any order.
    pub(super) fn declare_services(&mut self, raw: &[RawService]) {
        for (i, s) in raw.iter().enumerate() {
            let reserved = MICROSOFT_SERVICES.iter().any(|m| m.name == s.name.value)
                || s.name.value == MANAGED_STORAGE
                || s.name.value.starts_with(&any_storage_account(None))
                || s.name.value.eq_ignore_ascii_case("internet");
            if reserved {
                self.d.error(s.name.loc, format!("service name `{}` is taken by a built-in service", s.name.value));
            }
            self.services.define(&s.name, ServiceId::from_index(i), self.d);
            self.raw_kinds.push(s.kind.value);
        }
    }

    /// S-5, S-6: policies list storage accounts by name and Microsoft aliases.
    pub(super) fn policies(&mut self, raw: &[RawPolicy], services: &[RawService]) {
        for p in raw {
            self.policies.define(&p.name, PolicyId::from_index(self.s.policies.len()), self.d);
            let mut policy =
                ServiceEndpointPolicy { name: p.name.value.clone(), accounts: Vec::new(), aliases: Vec::new() };
            for r in &p.resources {
                if r.value.starts_with('/') {
                    match ServiceEndpointPolicy::ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(&r.value)) {
                        Some((alias, _)) => policy.aliases.push(alias.to_string()),
                        None => self.d.error_with_help(
                            r.loc,
                            format!("unknown service endpoint policy alias `{}`", r.value),
                            format!(
                                "expected one of: {} (S-6)",
                                ServiceEndpointPolicy::ALIASES.map(|(a, _)| a).join(", ")
                            ),
                        ),
                    }
                } else if let Some(id) = self.services.resolve(r, self.d) {
                    if services[id.index()].kind.value == ServiceKind::StorageAccount {
                        policy.accounts.push(id);
                    } else {
                        self.d.error(
                            r.loc,
                            format!(
                                "`{}` is not a storage account: service endpoint policies list storage accounts (S-5)",
                                r.value
                            ),
                        );
                    }
                }
            }
            self.s.policies.push(policy);
        }
    }

    /// The policies of a subnet; S-5 requires the storage service endpoint on it.
    pub(super) fn subnet_policies(
        &mut self,
        path: &str,
        sn: &RawSubnet,
        service_endpoints: &[String],
    ) -> Vec<PolicyId> {
        let ids: Vec<PolicyId> =
            sn.service_endpoint_policies.iter().filter_map(|p| self.policies.resolve(p, self.d)).collect();
        if let Some(first) = sn.service_endpoint_policies.first()
            && !service_endpoints.iter().any(|s| s.starts_with("Microsoft.Storage"))
        {
            self.d.error_with_help(
                first.loc,
                format!("subnet `{path}` has a service endpoint policy but no Microsoft.Storage service endpoint"),
                "S-5: a policy applies to the service endpoint it filters; add `service_endpoints: [Microsoft.Storage]`",
            );
        }
        ids
    }

    /// Builds every declared service, then the built-in Microsoft services and internet hosts.
    pub(super) fn services(&mut self, raw: &[RawService]) {
        for s in raw {
            let service = self.service(s);
            self.s.services.push(service);
        }
        for (i, s) in raw.iter().enumerate() {
            if self.s.services[i].kind == ServiceKind::Workspace {
                self.workspace_ids.insert(ServiceId::from_index(i), workspace_id(s));
            }
        }
        for (i, s) in raw.iter().enumerate() {
            // A duplicate service name was reported already; its DNS names would clash again.
            if self.services.get(&s.name.value) == Some(ServiceId::from_index(i)) {
                self.service_names(ServiceId::from_index(i), s);
            }
        }
        let region = self.s.region.clone();
        for m in &MICROSOFT_SERVICES {
            let id = ServiceId::from_index(self.s.services.len());
            let tag = expand(m.tag, &region);
            // A loaded tag file without the service's tag leaves the service out: its names
            // then do not resolve, which `trace` shows plainly.
            let Some(public_ip) = self.draw_public_ip(&tag, m.name, None) else { continue };
            self.s.services.push(Service {
                name: m.name.to_string(),
                kind: ServiceKind::Microsoft,
                region: region.clone(),
                public_ip,
                tag: Some(tag),
                public_network_access: PublicNetworkAccess::Enabled,
                network_rules: NetworkRules::default(),
                workspace: None,
                managed_by: None,
                sku: None,
                builtin: true,
                foreign: false,
                resources: WorkspaceResources::default(),
            });
            for f in m.fqdns {
                self.add_name(ServiceName {
                    fqdn: expand(f, &region),
                    service: id,
                    private_link: None,
                    privatelink: None,
                });
            }
        }
        self.managed_storage(&region);
        self.foreign_storage_accounts();
        for (host, octet) in INTERNET_HOSTS {
            if self.name_index.contains_key(host) {
                continue; // the scenario declares this host itself
            }
            let id = ServiceId::from_index(self.s.services.len());
            let address = IpAddr::V4(Ipv4Addr::new(203, 0, 113, octet));
            self.s.services.push(internet_host(host.to_string(), address, &region, true));
            self.add_name(ServiceName { fqdn: host.to_string(), service: id, private_link: None, privatelink: None });
        }
    }

    /// `workspace:` of an endpoint: the workspace an AML compute, AKS pool or deployment serves.
    pub(super) fn endpoint_workspace(&mut self, w: &Sp<String>, kind: EndpointKind) -> Option<ServiceId> {
        if !kind.is_aml_workload() {
            self.d.error(
                w.loc,
                format!("`workspace` applies to compute_instance, compute_cluster, aks_node_pool and online_deployment, not {kind}"),
            );
            return None;
        }
        let id = self.services.resolve(w, self.d)?;
        if self.s.service(id).kind != ServiceKind::Workspace {
            self.d.error(w.loc, format!("`{}` is not a workspace", w.value));
            return None;
        }
        Some(id)
    }

    /// `image_build_compute` names a compute cluster or instance (once endpoints exist).
    pub(super) fn image_build_computes(&mut self, raw: &[RawService]) {
        for (i, s) in raw.iter().enumerate() {
            let Some(c) = &s.image_build_compute else { continue };
            if s.kind.value != ServiceKind::Workspace {
                self.d.error(c.loc, format!("`image_build_compute` does not apply to {}", with_article(s.kind.value)));
                continue;
            }
            let Some(id) = self.endpoints.resolve(c, self.d) else { continue };
            let kind = self.s.endpoint(id).kind;
            if !kind.is_aml_compute() {
                self.d.error(
                    c.loc,
                    format!(
                        "image_build_compute `{}` is a {kind}, not an AML compute instance or cluster (A-8)",
                        c.value
                    ),
                );
                continue;
            }
            // Declared services come first, so the raw index is the service id.
            if let Some(ws) = self.s.services.get_mut(i) {
                ws.resources.image_build_compute = Some(id);
            }
        }
    }

    /// The Microsoft-managed storage of AML compute: a storage account (so service endpoint
    /// policies filter it, S-5) that their `/services/Azure/MachineLearning` alias admits (S-6).
    fn managed_storage(&mut self, region: &str) {
        let tag = expand("Storage.{region}", region);
        let Some(public_ip) = self.draw_public_ip(&tag, MANAGED_STORAGE, None) else { return };
        let id = ServiceId::from_index(self.s.services.len());
        self.s.services.push(builtin_storage(MANAGED_STORAGE, region, public_ip, tag, Some("AzureMachineLearning")));
        let fqdn = expand(MANAGED_STORAGE_FQDN, region);
        self.add_name(ServiceName { fqdn, service: id, private_link: None, privatelink: None });
    }

    /// Every storage account nobody declared, one per `Storage` tag: the attacker's account of
    /// the exfiltration audit. Public access enabled, no firewall, in the tag's region, so
    /// service endpoint policies filter it in the SE's regions only (S-5). The fabric hands it
    /// every address of its tag that no other service holds.
    fn foreign_storage_accounts(&mut self) {
        let tags: Vec<(String, Option<String>, IpAddr)> = (self.s.service_tags.iter())
            .filter(|t| t.name == "Storage" || t.parent.as_deref() == Some("Storage"))
            .filter_map(|t| {
                let first = t.prefixes.iter().find(|p| matches!(p, IpNet::V4(_)))?;
                Some((t.name.clone(), t.region.clone(), first.network()))
            })
            .collect();
        // The address is only a label: the fabric finds these accounts by prefix.
        for (tag, region, address) in tags {
            let name = any_storage_account(region.as_deref());
            let mut account = builtin_storage(&name, region.as_deref().unwrap_or(""), address, tag, None);
            account.foreign = true;
            self.s.services.push(account);
        }
    }

    fn service(&mut self, s: &RawService) -> Service {
        let kind = s.kind.value;
        let region = s.region.as_ref().map_or_else(|| self.s.region.clone(), |r| r.value.to_ascii_lowercase());
        let applies = |key: &str, ok: bool, loc: Loc, d: &mut Diagnostics| {
            if !ok {
                d.error(loc, format!("`{key}` does not apply to {}", with_article(kind)));
            }
        };
        if let Some(w) = &s.workspace_id {
            applies("workspace_id", kind == ServiceKind::Workspace, w.loc, self.d);
        }
        if let Some(w) = &s.workspace {
            applies("workspace", kind == ServiceKind::OnlineEndpoint, w.loc, self.d);
        }
        if let Some(m) = &s.managed_by {
            applies("managed_by", kind == ServiceKind::StorageAccount, m.loc, self.d);
        }
        if let Some(f) = s.fqdns.first() {
            applies("fqdns", kind == ServiceKind::InternetHost, f.loc, self.d);
        }
        if let Some(p) = &s.public_network_access {
            applies("public_network_access", kind != ServiceKind::InternetHost, p.loc, self.d);
        }
        if let Some(r) = &s.network_rules {
            applies("network_rules", kind != ServiceKind::InternetHost, r.loc, self.d);
        }
        let sku = match (&s.sku, kind) {
            (Some(sku), ServiceKind::ContainerRegistry) => self.choose(sku, "sku", &ACR_SKUS),
            (Some(sku), _) => {
                applies("sku", false, sku.loc, self.d);
                None
            }
            (None, ServiceKind::ContainerRegistry) => Some("Standard"),
            (None, _) => None,
        };
        if kind == ServiceKind::InternetHost {
            if s.fqdns.is_empty() {
                self.d.error(
                    s.loc,
                    format!("internet host `{}` needs `fqdns`: the names that resolve to it", s.name.value),
                );
            }
            let Some(ip) = &s.public_ip else {
                self.d.error(s.loc, format!("internet host `{}` needs a `public_ip`", s.name.value));
                return internet_host(s.name.value.clone(), IpAddr::V4(Ipv4Addr::UNSPECIFIED), &region, false);
            };
            self.claim_public_ip(ip, &s.name.value);
            return internet_host(s.name.value.clone(), ip.value, &region, false);
        }
        let tag = expand(tag_of(kind), &region);
        let public_ip = match &s.public_ip {
            Some(ip) => {
                self.claim_public_ip(ip, &s.name.value);
                Some(ip.value)
            }
            None => self.draw_public_ip(&tag, &s.name.value, Some(s.loc)),
        };
        let access = s.public_network_access.as_ref().and_then(|p| {
            let choices: &[&str] = if kind == ServiceKind::Workspace {
                &["Enabled", "Disabled", "SelectedIps"]
            } else {
                &["Enabled", "Disabled"]
            };
            self.choose(p, "public_network_access", choices)
        });
        let access = match access {
            Some("Disabled") => PublicNetworkAccess::Disabled,
            Some("SelectedIps") => PublicNetworkAccess::SelectedIps,
            _ => PublicNetworkAccess::Enabled,
        };
        let network_rules =
            s.network_rules.as_ref().map_or_else(NetworkRules::default, |r| self.network_rules(r, kind, sku));
        if access == PublicNetworkAccess::SelectedIps && network_rules.ip_rules.is_empty() {
            self.d.error(
                s.loc,
                format!(
                    "workspace `{}` allows selected IPs but lists none in `network_rules.ip_rules` (A-7)",
                    s.name.value
                ),
            );
        }
        let managed_by = s.managed_by.as_ref().and_then(|m| self.choose(m, "managed_by", &MANAGED_BY));
        let workspace = s.workspace.as_ref().and_then(|w| {
            let id = self.services.resolve(w, self.d)?;
            let is_workspace = self.raw_kinds.get(id.index()) == Some(&ServiceKind::Workspace);
            if !is_workspace {
                self.d.error(w.loc, format!("`{}` is not a workspace", w.value));
            }
            is_workspace.then_some(id)
        });
        let mut resources = WorkspaceResources::default();
        let wanted = [ServiceKind::StorageAccount, ServiceKind::KeyVault, ServiceKind::ContainerRegistry];
        for ((key, raw), want) in WORKSPACE_RESOURCE_KEYS.iter().zip(&s.resources).zip(wanted) {
            let Some(raw) = raw else { continue };
            if kind != ServiceKind::Workspace {
                applies(key, false, raw.loc, self.d);
                continue;
            }
            // An ARM resource id names the resource in its last segment.
            let name = Sp { value: raw.value.rsplit('/').next().unwrap_or_default().to_string(), loc: raw.loc };
            let Some(id) = self.services.resolve(&name, self.d) else { continue };
            if self.raw_kinds.get(id.index()) != Some(&want) {
                self.d.error(raw.loc, format!("`{}` is not {}", name.value, with_article(want)));
                continue;
            }
            let slot = match want {
                ServiceKind::StorageAccount => &mut resources.storage_account,
                ServiceKind::KeyVault => &mut resources.key_vault,
                _ => &mut resources.container_registry,
            };
            *slot = Some(id);
        }
        if let Some(m) = &s.managed_network {
            applies("managed_network", kind == ServiceKind::Workspace, m.loc, self.d);
        }
        if kind == ServiceKind::OnlineEndpoint && s.workspace.is_none() {
            self.d.error(s.loc, format!("online endpoint `{}` needs `workspace:` (A-11)", s.name.value));
        }
        Service {
            name: s.name.value.clone(),
            kind,
            region,
            public_ip: public_ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            tag: Some(tag),
            public_network_access: access,
            network_rules,
            workspace,
            managed_by,
            sku,
            builtin: false,
            foreign: false,
            resources,
        }
    }

    /// One of a fixed set of words (case-insensitive), in its canonical spelling.
    fn choose(&mut self, value: &Sp<String>, what: &str, choices: &[&'static str]) -> Option<&'static str> {
        let parse = |s: &str| choices.iter().find(|c| c.eq_ignore_ascii_case(s)).copied();
        self.parse_word(value, what, choices, "", parse)
    }

    fn network_rules(&mut self, r: &RawNetworkRules, kind: ServiceKind, sku: Option<&str>) -> NetworkRules {
        let firewall =
            matches!(kind, ServiceKind::StorageAccount | ServiceKind::KeyVault | ServiceKind::ContainerRegistry);
        if kind == ServiceKind::Workspace {
            // a workspace has only its selected-IPs list.
            let extra = r.default_action.is_some()
                || !r.virtual_network_rules.is_empty()
                || !r.resource_instances.is_empty()
                || !r.bypass.is_empty();
            if extra {
                self.d.error(r.loc, "a workspace's network_rules take only `ip_rules` (selected IPs, A-7)");
            }
        } else if !firewall {
            self.d.error(r.loc, format!("`network_rules` does not apply to {}", with_article(kind)));
        } else if kind == ServiceKind::ContainerRegistry && sku != Some("Premium") {
            self.d.error(r.loc, "container registry network rules need the Premium SKU (S-12)");
        }
        let mut rules = NetworkRules {
            default_allow: r.default_action.as_ref().is_none_or(|a| a.value == Access::Allow),
            ip_rules: Vec::new(),
            virtual_network_rules: Vec::new(),
            resource_instances: Vec::new(),
            trusted_services: false,
        };
        for ip in &r.ip_rules {
            // S-9: IP rules take public ranges only.
            if let IpNet::V4(net) = ip.value
                && (net.addr().is_private() || net.addr().is_loopback() || net.addr().is_link_local())
            {
                self.d.error(ip.loc, format!("ip rule {}: private ranges are not allowed in IP rules (S-9)", ip.value));
                continue;
            }
            rules.ip_rules.push(ip.value);
        }
        for v in &r.virtual_network_rules {
            let Some(subnet) = self.subnets.resolve(v, self.d) else { continue };
            let endpoint = match kind {
                ServiceKind::KeyVault => "Microsoft.KeyVault",
                ServiceKind::ContainerRegistry => "Microsoft.ContainerRegistry",
                _ => "Microsoft.Storage",
            };
            if !self.s.subnet(subnet).service_endpoints.iter().any(|s| s.starts_with(endpoint)) {
                self.d.error_with_help(
                    v.loc,
                    format!("subnet `{}` has no {endpoint} service endpoint, so a VNet rule cannot name it", v.value),
                    format!("S-9: VNet rules admit service-endpoint traffic; add `service_endpoints: [{endpoint}]` to the subnet"),
                );
                continue;
            }
            rules.virtual_network_rules.push(subnet);
        }
        for i in &r.resource_instances {
            rules.resource_instances.extend(self.services.resolve(i, self.d));
        }
        for b in &r.bypass {
            match ["AzureServices", "Logging", "Metrics", "None"].iter().position(|x| x.eq_ignore_ascii_case(&b.value))
            {
                Some(0) => rules.trusted_services = true,
                Some(_) => {}
                None => self.d.error_with_help(
                    b.loc,
                    format!("invalid bypass `{}`", b.value),
                    "expected one of: AzureServices, Logging, Metrics, None (S-9)",
                ),
            }
        }
        rules
    }

    pub(super) fn claim_public_ip(&mut self, ip: &Sp<IpAddr>, owner: &str) {
        if let Some(other) = self.public_ips.insert(ip.value, owner.to_string()) {
            self.d.error(ip.loc, format!("public IP {} is already assigned to `{other}`", ip.value));
        }
    }

    /// The next free address of `tag` (the regional tag, else its parent): services get public
    /// IPs inside their tag so tag rules cover them.
    fn draw_public_ip(&mut self, tag: &str, owner: &str, loc: Option<Loc>) -> Option<IpAddr> {
        let table = &self.s.service_tags;
        let found = table.get(tag).or_else(|| tag.split_once('.').and_then(|(parent, _)| table.get(parent)));
        let Some(found) = found else {
            if let Some(loc) = loc {
                self.d.error_with_help(
                    loc,
                    format!("service tag `{tag}` is not in the service tag table, so `{owner}` has no public IP"),
                    "give the service a `public_ip`, or load a tag file that has the tag (--service-tags)",
                );
            }
            return None;
        };
        let name = found.name.clone();
        let v4 = || found.prefixes.iter().filter(|p| matches!(p, IpNet::V4(_)));
        // Resume where the tag's last search stopped: everything before is taken for good.
        let (first, offset) = self.public_ip_cursors.get(&name).copied().unwrap_or_default();
        let free = (v4().enumerate().skip(first))
            .flat_map(|(k, p)| {
                let skip = if k == first { offset } else { 0 };
                p.hosts().take(1 << 16).enumerate().skip(skip).map(move |(j, ip)| ((k, j + 1), ip))
            })
            .find(|(_, ip)| !self.public_ips.contains_key(ip));
        let cursor = free.map_or((v4().count(), 0), |(next, _)| next);
        let free = free.map(|(_, ip)| ip);
        self.public_ip_cursors.insert(name.clone(), cursor);
        match (free, loc) {
            (Some(ip), _) => {
                self.public_ips.insert(ip, owner.to_string());
            }
            (None, Some(loc)) => self.d.error_with_help(
                loc,
                format!("service tag `{name}` has no free address left for `{owner}`"),
                "give the service a `public_ip`",
            ),
            (None, None) => {}
        }
        free
    }

    /// D-2, A-9: the names of a declared service and their privatelink names.
    fn service_names(&mut self, id: ServiceId, raw: &RawService) {
        let s = &self.s.services[id.index()];
        let (name, region) = (s.name.to_ascii_lowercase(), s.region.clone());
        let mut names: Vec<ServiceName> = Vec::new();
        let mut linked = |fqdn: String, privatelink: String, owner: ServiceId, group: &'static str| {
            names.push(ServiceName {
                fqdn,
                service: id,
                private_link: Some((owner, group)),
                privatelink: Some(privatelink),
            });
        };
        match s.kind {
            ServiceKind::Workspace => {
                let wsid = workspace_id(raw);
                let ws = format!("{wsid}.workspace.{region}");
                linked(format!("{ws}.api.azureml.ms"), format!("{ws}.privatelink.api.azureml.ms"), id, "amlworkspace");
                linked(
                    format!("{ws}.cert.api.azureml.ms"),
                    format!("{ws}.cert.privatelink.api.azureml.ms"),
                    id,
                    "amlworkspace",
                );
                let nb = format!("ml-{name}-{region}-{wsid}.{region}");
                linked(
                    format!("{nb}.notebooks.azure.net"),
                    format!("{nb}.privatelink.notebooks.azure.net"),
                    id,
                    "amlworkspace",
                );
                // compute instance names resolve to the workspace private endpoint.
                linked(
                    format!("*.{region}.instances.azureml.ms"),
                    format!("*.{region}.instances.privatelink.api.azureml.ms"),
                    id,
                    "amlworkspace",
                );
                // every online endpoint of the workspace answers on the workspace PE.
                linked(
                    format!("*.{region}.inference.ml.azure.com"),
                    format!("*.{wsid}.inference.{region}.privatelink.api.azureml.ms"),
                    id,
                    "amlworkspace",
                );
            }
            ServiceKind::StorageAccount => {
                // P-4: `blob_secondary` serves the read-access secondary, `{name}-secondary`.
                for g in ServiceKind::StorageAccount.subresources() {
                    let (account, service) = match g.strip_suffix("_secondary") {
                        Some(service) => (format!("{name}-secondary"), service),
                        None => (name.clone(), *g),
                    };
                    linked(
                        format!("{account}.{service}.core.windows.net"),
                        format!("{account}.privatelink.{service}.core.windows.net"),
                        id,
                        g,
                    );
                }
            }
            ServiceKind::KeyVault => {
                linked(
                    format!("{name}.vault.azure.net"),
                    format!("{name}.privatelink.vaultcore.azure.net"),
                    id,
                    "vault",
                );
            }
            ServiceKind::ContainerRegistry => {
                // P-4: one `registry` endpoint serves the login and the regional data endpoint.
                linked(format!("{name}.azurecr.io"), format!("{name}.privatelink.azurecr.io"), id, "registry");
                linked(
                    format!("{name}.{region}.data.azurecr.io"),
                    format!("{name}.{region}.data.privatelink.azurecr.io"),
                    id,
                    "registry",
                );
            }
            ServiceKind::OnlineEndpoint => {
                if let Some(ws) = s.workspace {
                    let wsid = self.workspace_ids.get(&ws).cloned().unwrap_or_default();
                    let fqdn = format!("{name}.{region}.inference.ml.azure.com");
                    let privatelink = format!("{name}.{wsid}.inference.{region}.privatelink.api.azureml.ms");
                    linked(fqdn, privatelink, ws, "amlworkspace");
                }
            }
            ServiceKind::ApplicationInsights => {
                linked(
                    format!("{name}.in.applicationinsights.azure.com"),
                    format!("{name}.in.privatelink.monitor.azure.com"),
                    id,
                    "azuremonitor",
                );
            }
            ServiceKind::InternetHost => {
                for f in &raw.fqdns {
                    let fqdn = f.value.to_ascii_lowercase();
                    if is_dns_name(&fqdn) {
                        names.push(ServiceName { fqdn, service: id, private_link: None, privatelink: None });
                    } else {
                        self.d.error(f.loc, format!("`{}` is not a DNS name", f.value));
                    }
                }
            }
            ServiceKind::Microsoft => {}
        }
        for n in names {
            // Wildcards are shared: two workspaces in a region both answer for its compute
            // instances (the first keeps the pattern).
            if let Some(&other) = self.name_index.get(&n.fqdn).filter(|_| !is_wildcard(&n.fqdn)) {
                let other = &self.s.services[self.s.service_names[other].service.index()].name;
                self.d.error(
                    raw.name.loc,
                    format!("DNS name `{}` of `{}` is already the name of `{other}`", n.fqdn, raw.name.value),
                );
                continue;
            }
            self.add_name(n);
        }
    }

    fn add_name(&mut self, name: ServiceName) {
        // The first holder of a wildcard keeps it (two workspaces in one region share a pattern).
        if self.name_index.contains_key(&name.fqdn) {
            return;
        }
        self.name_index.insert(name.fqdn.clone(), self.s.service_names.len());
        self.s.service_names.push(name);
    }

    /// P-1, P-3, P-4: a private endpoint is a NIC in a subnet leading to one subresource.
    pub(super) fn private_endpoints(&mut self, raw: &[RawPrivateEndpoint]) {
        for p in raw {
            // Left out unless defined below: `from`/`to`/`by:` naming it are not reported again.
            self.endpoints.leave_out(&p.name.value, self.d);
            let target = self.services.resolve(&p.target, self.d);
            let subnet = self.subnets.resolve(&p.subnet, self.d);
            let state = match &p.connection_state {
                None => Some(ConnectionState::Approved),
                Some(c) => {
                    self.parse_word(c, "connection_state", &ConnectionState::NAMES, " (P-3)", ConnectionState::parse)
                }
            };
            let (Some(target), Some(subnet), Some(state)) = (target, subnet, state) else { continue };
            let service = &self.s.services[target.index()];
            let kind = service.kind;
            let Some(subresource) =
                kind.subresources().iter().find(|g| g.eq_ignore_ascii_case(&p.subresource.value)).copied()
            else {
                let valid = kind.subresources();
                let help = if valid.is_empty() {
                    format!("{} takes no private endpoint", with_article(kind))
                } else {
                    format!("a {kind} has: {} (P-4)", valid.join(", "))
                };
                self.d.error_with_help(
                    p.subresource.loc,
                    format!("`{}` is not a subresource of `{}`", p.subresource.value, p.target.value),
                    help,
                );
                continue;
            };
            if kind == ServiceKind::ContainerRegistry && service.sku != Some("Premium") {
                self.d.error(
                    p.target.loc,
                    format!(
                        "container registry `{}` is {}: private endpoints need Premium (A-8)",
                        service.name,
                        service.sku.unwrap_or("Standard")
                    ),
                );
                continue;
            }
            if self.services.get(&p.name.value).is_some() {
                self.d.error(p.name.loc, format!("private endpoint name `{}` is also a service name", p.name.value));
                continue;
            }
            let Some((endpoint, nic)) =
                self.attach_nic_endpoint(&p.name, EndpointKind::PrivateEndpoint, subnet, p.ip.as_ref(), p.loc)
            else {
                continue;
            };
            self.s.private_endpoints.push(PrivateEndpoint {
                name: p.name.value.clone(),
                endpoint,
                nic,
                target,
                subresource,
                state,
                register_dns: p.register_dns,
            });
        }
    }

    /// D-3, D-5, D-9: zones with their links and records; private endpoints register their A
    /// records in the zone holding their privatelink names (Azure's DNS zone group).
    pub(super) fn zones(&mut self, raw: &[RawZone], pes: &[RawPrivateEndpoint]) {
        let mut names = Names::<usize>::new("private DNS zone");
        // D-9: Azure refuses a link from a VNet to a second zone of the same DNS name.
        let mut linked_names: HashMap<(String, VnetId), String> = HashMap::new();
        for z in raw {
            let dns = z.zone.as_ref().unwrap_or(&z.name);
            let name = dns.value.trim_end_matches('.').to_ascii_lowercase();
            if !is_dns_name(&name) || is_wildcard(&name) {
                self.d.error(dns.loc, format!("`{}` is not a DNS zone name", dns.value));
                continue;
            }
            let object = match &z.zone {
                Some(_) if !is_zone_object_name(&z.name.value) => {
                    self.d.error(z.name.loc, format!(
                        "invalid private DNS zone name `{}`: use letters, digits, `-`, `_`, `.`, `(`, `)` and `/` (`rg-hub/{name}`)",
                        z.name.value
                    ));
                    continue;
                }
                Some(_) => z.name.clone(),
                None => Sp { value: name.clone(), loc: z.name.loc },
            };
            names.define(&object, self.s.zones.len(), self.d);
            let mut links: Vec<ZoneLink> = Vec::new();
            for l in &z.links {
                let Some(vnet) = self.vnets.resolve(&l.vnet, self.d) else { continue };
                if links.iter().any(|x| x.vnet == vnet) {
                    self.d.error(
                        l.vnet.loc,
                        format!("zone `{}` is linked to VNet `{}` twice", object.value, l.vnet.value),
                    );
                    continue;
                }
                if let Some(other) = linked_names.get(&(name.clone(), vnet)) {
                    self.d.error(l.vnet.loc, format!(
                        "VNet `{}` is linked to zone `{other}` already, also named `{name}`: Azure refuses a second zone of one name in a VNet (D-9)",
                        l.vnet.value
                    ));
                    continue;
                }
                linked_names.insert((name.clone(), vnet), object.value.clone());
                links.push(ZoneLink { vnet, nxdomain_redirect: l.nxdomain_redirect });
            }
            let mut records = Vec::new();
            for r in &z.records {
                let rel = r.name.value.trim_end_matches('.').to_ascii_lowercase();
                let rel = rel.strip_suffix(&format!(".{name}")).map(str::to_string).unwrap_or(rel);
                let labels_ok = |name: &str| {
                    name.split('.')
                        .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                };
                // D-9: `@`, a name, `*.name` or `*`.
                let valid = rel == "@"
                    || match NamePattern::parse(&rel) {
                        Ok(NamePattern::Any) => true,
                        Ok(NamePattern::Wildcard { parent }) => labels_ok(parent),
                        _ => labels_ok(&rel),
                    };
                if !valid {
                    self.d.error(r.name.loc, format!("invalid record name `{}`", r.name.value));
                    continue;
                }
                records.push(DnsRecord { name: rel, address: r.ip.value, source: RecordSource::Manual });
            }
            self.s.zones.push(PrivateDnsZone { name, links, records });
        }
        self.register_private_endpoints(&names, pes);
    }

    /// Azure's DNS zone group: each privatelink name of a private endpoint's target gets an A
    /// record in the zone with the longest name that holds it, among the endpoint's `dns_zones`
    /// or, without them, among all zones (then that zone's DNS name must be one zone's only).
    fn register_private_endpoints(&mut self, zones: &Names<usize>, pes: &[RawPrivateEndpoint]) {
        let raw_by_name: HashMap<&str, &RawPrivateEndpoint> =
            pes.iter().rev().map(|p| (p.name.value.as_str(), p)).collect();
        let linked = privatelink_names(&self.s.service_names);
        for (i, pe) in self.s.private_endpoints.iter().enumerate() {
            if !pe.register_dns {
                continue;
            }
            let raw = raw_by_name.get(pe.name.as_str());
            let listed = raw.map_or(&[][..], |r| &r.dns_zones[..]);
            let candidates: Vec<usize> = if listed.is_empty() {
                (0..self.s.zones.len()).collect()
            } else {
                listed.iter().filter_map(|z| zones.resolve(z, self.d)).collect()
            };
            let address = self.s.nics[pe.nic.index()].private_ip;
            for &privatelink in linked.get(&(pe.target, pe.subresource)).into_iter().flatten() {
                let zones_ = &self.s.zones;
                let holding = candidates.iter().copied().filter(|&z| name_in_zone(privatelink, &zones_[z].name));
                let Some(longest) = holding.clone().map(|z| zones_[z].name.len()).max() else { continue };
                let chosen: Vec<usize> = holding.filter(|&z| zones_[z].name.len() == longest).collect();
                if listed.is_empty() && chosen.len() > 1 {
                    let named = zones.map.iter().filter(|(_, z)| chosen.contains(z)).map(|(n, _)| format!("`{n}`"));
                    self.d.error_with_help(
                        raw.map_or(Loc::default(), |r| r.name.loc),
                        format!(
                            "private endpoint `{}` registers `{privatelink}` in zone `{}`, and {} zones have that name",
                            pe.name,
                            zones_[chosen[0]].name,
                            chosen.len()
                        ),
                        format!(
                            "name the zone of its DNS zone group with `dns_zones:`, one of {}",
                            named.collect::<Vec<_>>().join(", ")
                        ),
                    );
                    continue;
                }
                for z in chosen {
                    let zone = &mut self.s.zones[z];
                    let rel = zone.relative(privatelink).unwrap_or("@").to_string();
                    zone.records.push(DnsRecord {
                        name: rel,
                        address,
                        source: RecordSource::PrivateEndpoint(PrivateEndpointId::from_index(i)),
                    });
                }
            }
        }
    }

    /// The `dns:` forwarding of a DNS server or on-premises network.
    pub(super) fn dns_forwarding(&mut self, raw: &RawDnsForwarding) -> DnsForwarding {
        let mut conditional = Vec::new();
        for (zone, servers) in &raw.conditional {
            let name = zone.value.trim_end_matches('.').to_ascii_lowercase();
            if !is_dns_name(&name) || is_wildcard(&name) {
                self.d.error(zone.loc, format!("`{}` is not a DNS zone name", zone.value));
                continue;
            }
            if servers.is_empty() {
                self.d.error(zone.loc, format!("conditional forwarder for `{name}` lists no servers"));
            }
            conditional.push(ConditionalForwarder { zone: name, servers: servers.iter().map(|s| s.value).collect() });
        }
        DnsForwarding { forwarders: raw.forwarders.iter().map(|f| f.value).collect(), conditional }
    }
}

/// The privatelink names of each private endpoint target `(resource, subresource)`, in name
/// order: a scenario's thousands of endpoints must not each scan every name.
fn privatelink_names(names: &[ServiceName]) -> HashMap<(ServiceId, &'static str), Vec<&str>> {
    let mut linked: HashMap<_, Vec<&str>> = HashMap::new();
    for n in names {
        if let (Some(target), Some(privatelink)) = (n.private_link, &n.privatelink) {
            linked.entry(target).or_default().push(privatelink);
        }
    }
    linked
}

/// `a storage_account`, `an internet_host`.
fn with_article(kind: ServiceKind) -> String {
    let article = if kind.name().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {kind}")
}

fn workspace_id(raw: &RawService) -> String {
    raw.workspace_id.as_ref().unwrap_or(&raw.name).value.to_ascii_lowercase()
}

fn builtin_storage(name: &str, region: &str, ip: IpAddr, tag: String, managed_by: Option<&'static str>) -> Service {
    Service {
        name: name.to_string(),
        kind: ServiceKind::StorageAccount,
        region: region.to_string(),
        public_ip: ip,
        tag: Some(tag),
        public_network_access: PublicNetworkAccess::Enabled,
        network_rules: NetworkRules::default(),
        workspace: None,
        managed_by,
        sku: None,
        builtin: true,
        foreign: false,
        resources: WorkspaceResources::default(),
    }
}

fn internet_host(name: String, ip: IpAddr, region: &str, builtin: bool) -> Service {
    Service {
        name,
        kind: ServiceKind::InternetHost,
        region: region.to_string(),
        public_ip: ip,
        tag: None,
        public_network_access: PublicNetworkAccess::Enabled,
        network_rules: NetworkRules::default(),
        workspace: None,
        managed_by: None,
        sku: None,
        builtin,
        foreign: false,
        resources: WorkspaceResources::default(),
    }
}
