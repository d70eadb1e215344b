//! The PaaS side of a scenario file as written: services, private endpoints, private DNS zones,
//! service endpoint policies and DNS forwarding.

use super::{each, flag, opt};
use crate::decode::{self, Fields, Sp};
use crate::diagnostic::{Diagnostics, Loc};
use crate::yaml::{Node, NodeKind};
use vnetsim_model::{Access, IpAddr, IpNet, ServiceKind};

pub const SERVICE_KINDS: [(&str, ServiceKind); 7] = [
    ("workspace", ServiceKind::Workspace),
    ("storage_account", ServiceKind::StorageAccount),
    ("key_vault", ServiceKind::KeyVault),
    ("container_registry", ServiceKind::ContainerRegistry),
    ("online_endpoint", ServiceKind::OnlineEndpoint),
    ("application_insights", ServiceKind::ApplicationInsights),
    ("internet_host", ServiceKind::InternetHost),
];

/// A service's `network_rules.default_action` (S-9).
pub const DEFAULT_ACTIONS: [(&str, Access); 2] = [("Allow", Access::Allow), ("Deny", Access::Deny)];

pub struct RawService {
    pub loc: Loc,
    pub name: Sp<String>,
    pub kind: Sp<ServiceKind>,
    pub region: Option<Sp<String>>,
    pub public_ip: Option<Sp<IpAddr>>,
    pub public_network_access: Option<Sp<String>>,
    pub network_rules: Option<RawNetworkRules>,
    pub workspace_id: Option<Sp<String>>,
    pub workspace: Option<Sp<String>>,
    pub sku: Option<Sp<String>>,
    pub managed_by: Option<Sp<String>>,
    pub fqdns: Vec<Sp<String>>,
    /// Workspaces: `storage_account`, `key_vault`, `container_registry`, each a service
    /// name or an ARM resource id ending in one.
    pub resources: [Option<Sp<String>>; 3],
    /// Workspaces: the compute that builds images when the registry is behind a VNet.
    pub image_build_compute: Option<Sp<String>>,
    pub managed_network: Option<super::managed::RawManagedNetwork>,
}

/// The keys of a workspace's associated resources, in [`RawService::resources`] order.
pub const WORKSPACE_RESOURCE_KEYS: [&str; 3] = ["storage_account", "key_vault", "container_registry"];

pub struct RawNetworkRules {
    pub loc: Loc,
    /// Index into `["Allow", "Deny"]`.
    pub default_action: Option<Sp<Access>>,
    pub ip_rules: Vec<Sp<IpNet>>,
    pub virtual_network_rules: Vec<Sp<String>>,
    pub resource_instances: Vec<Sp<String>>,
    pub bypass: Vec<Sp<String>>,
}

pub struct RawPrivateEndpoint {
    pub loc: Loc,
    pub name: Sp<String>,
    pub subnet: Sp<String>,
    pub ip: Option<Sp<IpAddr>>,
    pub target: Sp<String>,
    pub subresource: Sp<String>,
    pub connection_state: Option<Sp<String>>,
    pub register_dns: bool,
    /// The zones of Azure's DNS zone group, by object name; empty: found by DNS name.
    pub dns_zones: Vec<Sp<String>>,
}

pub struct RawZone {
    /// The object name; also the DNS name unless `zone` is written.
    pub name: Sp<String>,
    /// The DNS name, when the object name differs from it (`rg-hub/privatelink.blob…`).
    pub zone: Option<Sp<String>>,
    pub links: Vec<RawZoneLink>,
    pub records: Vec<RawRecord>,
}

pub struct RawZoneLink {
    pub vnet: Sp<String>,
    pub nxdomain_redirect: bool,
}

pub struct RawRecord {
    pub name: Sp<String>,
    pub ip: Sp<IpAddr>,
}

pub struct RawPolicy {
    pub name: Sp<String>,
    pub resources: Vec<Sp<String>>,
}

/// DNS forwarding of a custom DNS server or an on-premises DNS (D-5 step 2).
#[derive(Default)]
pub struct RawDnsForwarding {
    pub forwarders: Vec<Sp<IpAddr>>,
    pub conditional: Vec<(Sp<String>, Vec<Sp<IpAddr>>)>,
}

fn strings(f: &mut Fields<'_>, key: &'static str, d: &mut Diagnostics) -> Vec<Sp<String>> {
    opt(f, key, d, |n, d| Some(decode::list(n, |n, d| decode::string(n, key, d), d))).unwrap_or_default()
}

fn ips(f: &mut Fields<'_>, key: &'static str, d: &mut Diagnostics) -> Vec<Sp<IpAddr>> {
    opt(f, key, d, |n, d| Some(decode::list(n, |n, d| decode::ip(n, key, d), d))).unwrap_or_default()
}

pub fn services(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawService> {
    each(f, "services", "services", d, service)
}

fn service(node: &Node, d: &mut Diagnostics) -> Option<RawService> {
    let mut f = Fields::open(node, "service", d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::name(n, "service name", d));
    let kind = f.require("kind", d).and_then(|n| decode::choice(n, "service kind", &SERVICE_KINDS, d));
    let s = RawService {
        loc,
        region: opt(&mut f, "region", d, |n, d| decode::name(n, "region", d)),
        public_ip: opt(&mut f, "public_ip", d, |n, d| decode::ip(n, "public_ip", d)),
        public_network_access: opt(&mut f, "public_network_access", d, |n, d| {
            decode::string(n, "public_network_access", d)
        }),
        network_rules: opt(&mut f, "network_rules", d, network_rules),
        workspace_id: opt(&mut f, "workspace_id", d, |n, d| decode::name(n, "workspace_id", d)),
        workspace: opt(&mut f, "workspace", d, |n, d| decode::name(n, "workspace", d)),
        sku: opt(&mut f, "sku", d, |n, d| decode::string(n, "sku", d)),
        managed_by: opt(&mut f, "managed_by", d, |n, d| decode::string(n, "managed_by", d)),
        fqdns: strings(&mut f, "fqdns", d),
        resources: WORKSPACE_RESOURCE_KEYS.map(|key| opt(&mut f, key, d, |n, d| decode::string(n, key, d))),
        managed_network: opt(&mut f, "managed_network", d, super::managed::managed_network),
        image_build_compute: opt(&mut f, "image_build_compute", d, |n, d| decode::name(n, "image_build_compute", d)),
        name: name?,
        kind: kind?,
    };
    f.finish(d);
    Some(s)
}

fn network_rules(node: &Node, d: &mut Diagnostics) -> Option<RawNetworkRules> {
    let mut f = Fields::open(node, "network_rules", d)?;
    let r = RawNetworkRules {
        loc: f.loc(),
        default_action: opt(&mut f, "default_action", d, |n, d| {
            decode::choice(n, "default_action", &DEFAULT_ACTIONS, d)
        }),
        ip_rules: opt(&mut f, "ip_rules", d, |n, d| Some(decode::list(n, |n, d| decode::prefix(n, "ip_rules", d), d)))
            .unwrap_or_default(),
        virtual_network_rules: strings(&mut f, "virtual_network_rules", d),
        resource_instances: strings(&mut f, "resource_instances", d),
        bypass: strings(&mut f, "bypass", d),
    };
    f.finish(d);
    Some(r)
}

pub fn private_endpoints(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawPrivateEndpoint> {
    each(f, "private_endpoints", "private endpoints", d, private_endpoint)
}

fn private_endpoint(node: &Node, d: &mut Diagnostics) -> Option<RawPrivateEndpoint> {
    let mut f = Fields::open(node, "private endpoint", d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::name(n, "private endpoint name", d));
    let subnet = f.require("subnet", d).and_then(|n| decode::string(n, "subnet", d));
    let ip = opt(&mut f, "ip", d, |n, d| decode::ip(n, "ip", d));
    let target = f.require("target", d).and_then(|n| decode::name(n, "target", d));
    let subresource = f.require("subresource", d).and_then(|n| decode::string(n, "subresource", d));
    let connection_state = opt(&mut f, "connection_state", d, |n, d| decode::string(n, "connection_state", d));
    let register_dns = flag(&mut f, "register_dns", true, d);
    let dns_zones = strings(&mut f, "dns_zones", d);
    f.finish(d);
    Some(RawPrivateEndpoint {
        loc,
        name: name?,
        subnet: subnet?,
        ip,
        target: target?,
        subresource: subresource?,
        connection_state,
        register_dns,
        dns_zones,
    })
}

pub fn zones(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawZone> {
    each(f, "private_dns_zones", "private DNS zones", d, zone)
}

fn zone(node: &Node, d: &mut Diagnostics) -> Option<RawZone> {
    let mut f = Fields::open(node, "private DNS zone", d)?;
    let name = f.require("name", d).and_then(|n| decode::string(n, "zone name", d));
    let zone = opt(&mut f, "zone", d, |n, d| decode::string(n, "zone", d));
    let links = opt(&mut f, "links", d, |n, d| Some(decode::list(n, zone_link, d))).unwrap_or_default();
    let records = each(&mut f, "records", "DNS records", d, record);
    f.finish(d);
    Some(RawZone { name: name?, zone, links, records })
}

/// A link: a VNet name, or `{vnet, resolution_policy}`.
fn zone_link(node: &Node, d: &mut Diagnostics) -> Option<RawZoneLink> {
    if let NodeKind::Scalar { .. } = node.kind {
        return decode::name(node, "linked VNet", d).map(|vnet| RawZoneLink { vnet, nxdomain_redirect: false });
    }
    let mut f = Fields::open(node, "zone link", d)?;
    let vnet = f.require("vnet", d).and_then(|n| decode::name(n, "linked VNet", d));
    let policy = opt(&mut f, "resolution_policy", d, |n, d| {
        decode::choice(n, "resolution_policy", &[("Default", false), ("NxDomainRedirect", true)], d)
    });
    f.finish(d);
    Some(RawZoneLink { vnet: vnet?, nxdomain_redirect: policy.is_some_and(|p| p.value) })
}

fn record(node: &Node, d: &mut Diagnostics) -> Option<RawRecord> {
    let mut f = Fields::open(node, "DNS record", d)?;
    let name = f.require("name", d).and_then(|n| decode::string(n, "record name", d));
    let ip = f.require("ip", d).and_then(|n| decode::ip(n, "record ip", d));
    f.finish(d);
    Some(RawRecord { name: name?, ip: ip? })
}

pub fn policies(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawPolicy> {
    each(f, "service_endpoint_policies", "service endpoint policies", d, policy)
}

fn policy(node: &Node, d: &mut Diagnostics) -> Option<RawPolicy> {
    let mut f = Fields::open(node, "service endpoint policy", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "policy name", d));
    let resources = f
        .require("resources", d)
        .map(|n| decode::list(n, |n, d| decode::string(n, "resources", d), d))
        .unwrap_or_default();
    f.finish(d);
    Some(RawPolicy { name: name?, resources })
}

/// The `dns:` block of a DNS server endpoint or an on-premises network.
pub fn dns_forwarding(node: &Node, d: &mut Diagnostics) -> Option<RawDnsForwarding> {
    let mut f = Fields::open(node, "dns", d)?;
    let forwarders = ips(&mut f, "forwarders", d);
    let conditional = each(&mut f, "conditional_forwarders", "conditional forwarders", d, |n, d| {
        let mut f = Fields::open(n, "conditional forwarder", d)?;
        let zone = f.require("zone", d).and_then(|n| decode::string(n, "zone", d));
        let servers = f.require("servers", d).map(|n| decode::list(n, |n, d| decode::ip(n, "servers", d), d));
        f.finish(d);
        Some((zone?, servers?))
    });
    f.finish(d);
    Some(RawDnsForwarding { forwarders, conditional })
}
