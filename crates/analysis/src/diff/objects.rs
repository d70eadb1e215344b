//! The changed objects between two scenarios: a semantic diff, not a text diff.
//!
//! [`objects`] lists every object a scenario holds under the path scenario files and traces name
//! it by (`training-nsg/allow-https`, `spoke1/training`, `hub->spoke1`), with its attributes
//! rendered as text: referenced objects by name, never by id or index, so inserting an object
//! before others in the file changes nothing else. [`changes`] matches two such lists by
//! (kind, name).
//!
//! Order in the file carries no meaning for most lists: NSG rules are ordered by priority (N-4),
//! routes by longest prefix, rule collection groups and collections by priority (F-3).
//! Such sets are rendered sorted. Where order does decide, it is kept: a VNet's `dns_servers`
//! (clients ask the first), public IPs (SNAT uses the first), an on-premises network's first
//! prefix (its representative host), a load balancer's first backend, and the rules of a DNAT
//! collection (F-3 first match; two rules may match the same address and port with different
//! translations), which their collection reports as `rule_order`. Network and application rules
//! of one collection share its action, so their order changes only which rule is named, never
//! the verdict: it is not reported. Of the A records of one name in a zone the last answers
//! (D-9): they are one `dns_record` object, the earlier ones listed as `shadowed`.
//!
//! Left out: expectations (their verdicts are the diff's other half), the built-in Microsoft
//! services and internet hosts, NSGs' six default rules (N-5, the same in every NSG), and the
//! NICs of private endpoints, gateways and firewalls (their addresses are fields of those
//! objects). The service tag table is one object, `service_tags`, with a digest.

use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use vnetsim_model::*;

/// What an object is: `vnet`, `nsg_rule`, `service_tags`, ... in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Scenario,
    Vnet,
    Subnet,
    Peering,
    Nsg,
    NsgRule,
    NetworkManager,
    NetworkGroup,
    SecurityAdminConfiguration,
    AdminRuleCollection,
    AdminRule,
    Asg,
    RouteTable,
    Route,
    Endpoint,
    Nic,
    OnPrem,
    Gateway,
    Service,
    ServiceEndpointPolicy,
    PrivateEndpoint,
    DnsZone,
    DnsZoneLink,
    DnsRecord,
    Firewall,
    FirewallPolicy,
    FirewallRuleCollectionGroup,
    FirewallRuleCollection,
    FirewallRule,
    NatGateway,
    LoadBalancer,
    LoadBalancerRule,
    ManagedNetwork,
    ManagedOutboundRule,
    Audit,
    ServiceTags,
}

impl ObjectKind {
    /// Every kind, in the order [`objects`] lists them.
    pub const ALL: [ObjectKind; 36] = [
        ObjectKind::Scenario,
        ObjectKind::Vnet,
        ObjectKind::Subnet,
        ObjectKind::Peering,
        ObjectKind::Nsg,
        ObjectKind::NsgRule,
        ObjectKind::NetworkManager,
        ObjectKind::NetworkGroup,
        ObjectKind::SecurityAdminConfiguration,
        ObjectKind::AdminRuleCollection,
        ObjectKind::AdminRule,
        ObjectKind::Asg,
        ObjectKind::RouteTable,
        ObjectKind::Route,
        ObjectKind::Endpoint,
        ObjectKind::Nic,
        ObjectKind::OnPrem,
        ObjectKind::Gateway,
        ObjectKind::Service,
        ObjectKind::ServiceEndpointPolicy,
        ObjectKind::PrivateEndpoint,
        ObjectKind::DnsZone,
        ObjectKind::DnsZoneLink,
        ObjectKind::DnsRecord,
        ObjectKind::Firewall,
        ObjectKind::FirewallPolicy,
        ObjectKind::FirewallRuleCollectionGroup,
        ObjectKind::FirewallRuleCollection,
        ObjectKind::FirewallRule,
        ObjectKind::NatGateway,
        ObjectKind::LoadBalancer,
        ObjectKind::LoadBalancerRule,
        ObjectKind::ManagedNetwork,
        ObjectKind::ManagedOutboundRule,
        ObjectKind::Audit,
        ObjectKind::ServiceTags,
    ];

    /// The kind as JSON writes it.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Scenario => "scenario",
            ObjectKind::Vnet => "vnet",
            ObjectKind::Subnet => "subnet",
            ObjectKind::Peering => "peering",
            ObjectKind::Nsg => "nsg",
            ObjectKind::NsgRule => "nsg_rule",
            ObjectKind::NetworkManager => "network_manager",
            ObjectKind::NetworkGroup => "network_group",
            ObjectKind::SecurityAdminConfiguration => "security_admin_configuration",
            ObjectKind::AdminRuleCollection => "admin_rule_collection",
            ObjectKind::AdminRule => "admin_rule",
            ObjectKind::Asg => "asg",
            ObjectKind::RouteTable => "route_table",
            ObjectKind::Route => "route",
            ObjectKind::Endpoint => "endpoint",
            ObjectKind::Nic => "nic",
            ObjectKind::OnPrem => "on_prem",
            ObjectKind::Gateway => "gateway",
            ObjectKind::Service => "service",
            ObjectKind::ServiceEndpointPolicy => "service_endpoint_policy",
            ObjectKind::PrivateEndpoint => "private_endpoint",
            ObjectKind::DnsZone => "dns_zone",
            ObjectKind::DnsZoneLink => "dns_zone_link",
            ObjectKind::DnsRecord => "dns_record",
            ObjectKind::Firewall => "firewall",
            ObjectKind::FirewallPolicy => "firewall_policy",
            ObjectKind::FirewallRuleCollectionGroup => "firewall_rule_collection_group",
            ObjectKind::FirewallRuleCollection => "firewall_rule_collection",
            ObjectKind::FirewallRule => "firewall_rule",
            ObjectKind::NatGateway => "nat_gateway",
            ObjectKind::LoadBalancer => "load_balancer",
            ObjectKind::LoadBalancerRule => "load_balancer_rule",
            ObjectKind::ManagedNetwork => "managed_network",
            ObjectKind::ManagedOutboundRule => "managed_outbound_rule",
            ObjectKind::Audit => "audit",
            ObjectKind::ServiceTags => "service_tags",
        }
    }
}

/// One object of a scenario, as scenario files name it, with its attributes rendered as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Object {
    pub kind: ObjectKind,
    /// The path that names it: `training-nsg/allow-https`, `spoke1/training`, `hub->spoke1`,
    /// `privatelink.blob.core.windows.net/mystore`, `hub-policy/rules/tags/aad`.
    pub name: String,
    /// Attributes, in a fixed order per kind; values rendered with names, never ids or indexes.
    pub fields: Vec<(&'static str, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
// Whether an object was added, removed or modified; `Change` in the JSON Schema, as before the
// rename (a plain comment: a doc comment would add a description to the schema).
#[schemars(rename = "Change")]
pub enum ObjectChangeKind {
    Added,
    Removed,
    Modified,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ObjectChange {
    pub kind: ObjectKind,
    pub name: String,
    pub change: ObjectChangeKind,
    /// Added: every field with `before: None`; removed: every field with `after: None`;
    /// modified: only the fields that differ (a field only one side has keeps `None` on the
    /// other), and for `service_tags` a `differing_tags` summary with `before: None`.
    pub fields: Vec<FieldChange>,
}

/// Every object of a scenario: the declared ones and those desugaring created (managed networks'
/// VNets, NSGs and firewalls, A-2 load balancers, private endpoints' DNS records), not the
/// built-in Microsoft services and hosts. The tag table is the one `service_tags` object.
pub fn objects(s: &Scenario) -> Vec<Object> {
    let mut out = Objects { s, list: Vec::new(), seen: HashMap::new() };
    out.push(ObjectKind::Scenario, "scenario".into(), vec![("name", s.name.clone()), ("region", s.region.clone())]);
    out.network();
    out.security();
    out.routing();
    out.endpoints();
    out.services();
    out.dns();
    out.firewalls();
    out.outbound();
    out.managed();
    out.audit();
    out.push(ObjectKind::ServiceTags, "service_tags".into(), tag_table(&s.service_tags));
    out.list
}

/// The objects that differ, matched by (kind, name). Modified and added objects come in the
/// order of `after`; a removed object comes right after the nearest object before it in
/// `before` that `after` still has (first when there is none), so it stays among its siblings.
pub fn changes(before: &Scenario, after: &Scenario) -> Vec<ObjectChange> {
    let (old, new) = (objects(before), objects(after));
    let new_at: HashMap<(ObjectKind, &str), usize> =
        new.iter().enumerate().map(|(i, o)| ((o.kind, o.name.as_str()), i)).collect();
    // Removed objects by the `after` position they follow (0: first, i + 1: after object i).
    let mut removed: Vec<Vec<ObjectChange>> = vec![Vec::new(); new.len() + 1];
    let mut matched: Vec<Option<&Object>> = vec![None; new.len()];
    let mut anchor = 0;
    for o in &old {
        match new_at.get(&(o.kind, o.name.as_str())) {
            Some(&i) => {
                matched[i] = Some(o);
                anchor = i + 1;
            }
            None => removed[anchor].push(whole(o, ObjectChangeKind::Removed)),
        }
    }
    let mut out: Vec<ObjectChange> = removed[0].drain(..).collect();
    for (i, o) in new.iter().enumerate() {
        match matched[i] {
            None => out.push(whole(o, ObjectChangeKind::Added)),
            Some(was) => {
                let mut fields = field_changes(&was.fields, &o.fields);
                if o.kind == ObjectKind::ServiceTags && !fields.is_empty() {
                    fields.push(FieldChange {
                        field: "differing_tags",
                        before: None,
                        after: Some(differing_tags(&before.service_tags, &after.service_tags)),
                    });
                }
                if !fields.is_empty() {
                    out.push(ObjectChange {
                        kind: o.kind,
                        name: o.name.clone(),
                        change: ObjectChangeKind::Modified,
                        fields,
                    });
                }
            }
        }
        out.append(&mut removed[i + 1]);
    }
    out
}

/// An added or removed object: every field on its side.
fn whole(o: &Object, change: ObjectChangeKind) -> ObjectChange {
    let fields = o
        .fields
        .iter()
        .map(|&(field, ref value)| {
            let value = Some(value.clone());
            match change {
                ObjectChangeKind::Removed => FieldChange { field, before: value, after: None },
                _ => FieldChange { field, before: None, after: value },
            }
        })
        .collect();
    ObjectChange { kind: o.kind, name: o.name.clone(), change, fields }
}

/// The fields that differ: `after`'s order, then fields only `before` has.
fn field_changes(before: &[(&'static str, String)], after: &[(&'static str, String)]) -> Vec<FieldChange> {
    fn find<'a>(list: &'a [(&'static str, String)], field: &str) -> Option<&'a String> {
        list.iter().find(|(f, _)| *f == field).map(|(_, v)| v)
    }
    let mut out: Vec<FieldChange> = after
        .iter()
        .filter(|(field, value)| find(before, field) != Some(value))
        .map(|&(field, ref value)| FieldChange {
            field,
            before: find(before, field).cloned(),
            after: Some(value.clone()),
        })
        .collect();
    out.extend(
        before.iter().filter(|(field, _)| find(after, field).is_none()).map(|&(field, ref value)| FieldChange {
            field,
            before: Some(value.clone()),
            after: None,
        }),
    );
    out
}

type Fields = Vec<(&'static str, String)>;

/// `none` for an empty list, else the items joined with `, ` in the order given.
fn list<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if items.is_empty() { "none".into() } else { items.join(", ") }
}

/// A list whose order means nothing, in one canonical order.
fn set<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    let mut items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    items.sort();
    items.dedup();
    list(items)
}

fn opt<T: Display>(value: Option<T>) -> String {
    value.map_or_else(|| "none".into(), |v| v.to_string())
}

fn ports(p: &PortSet) -> String {
    list(p.ranges())
}

struct Objects<'s> {
    s: &'s Scenario,
    list: Vec<Object>,
    /// How often each (kind, name) was pushed, so a repeated path still names one object.
    seen: HashMap<(ObjectKind, String), usize>,
}

impl Objects<'_> {
    /// Adds an object. Valid scenarios name every object once; a repeat (which the config does
    /// not forbid everywhere) gets `#2`, `#3`, ... so matching never loses an object.
    fn push(&mut self, kind: ObjectKind, name: String, fields: Fields) {
        let count = self.seen.entry((kind, name.clone())).or_insert(0);
        *count += 1;
        let name = if *count == 1 { name } else { format!("{name} #{count}") };
        self.list.push(Object { kind, name, fields });
    }

    fn vnet(&self, id: VnetId) -> &str {
        &self.s.vnet(id).name
    }

    fn nsg(&self, id: Option<NsgId>) -> String {
        opt(id.map(|n| &self.s.nsgs[n.index()].name))
    }

    fn service(&self, id: Option<ServiceId>) -> String {
        opt(id.map(|x| &self.s.service(x).name))
    }

    fn endpoint(&self, id: EndpointId) -> &str {
        &self.s.endpoint(id).name
    }

    fn nic_ip(&self, id: NicId) -> IpAddr {
        self.s.nic(id).private_ip
    }

    fn network(&mut self) {
        let s = self.s;
        for v in &s.vnets {
            let fields = vec![("address_space", set(&v.address_space)), ("dns_servers", list(&v.dns_servers))];
            self.push(ObjectKind::Vnet, v.name.clone(), fields);
        }
        for (i, n) in s.subnets.iter().enumerate() {
            let fields = vec![
                ("prefix", n.prefix.to_string()),
                ("nsg", self.nsg(n.nsg)),
                ("route_table", opt(n.route_table.map(|t| &s.route_tables[t.index()].name))),
                ("service_endpoints", set(&n.service_endpoints)),
                (
                    "service_endpoint_policies",
                    set(n.service_endpoint_policies.iter().map(|p| &s.policies[p.index()].name)),
                ),
                (
                    "private_endpoint_network_policies",
                    PrivateEndpointNetworkPolicies::NAMES[n.private_endpoint_network_policies as usize].into(),
                ),
                ("default_outbound_access", n.default_outbound_access.to_string()),
                ("nat_gateway", opt(n.nat_gateway.map(|g| &s.nat_gateways[g.index()].name))),
            ];
            self.push(ObjectKind::Subnet, s.subnet_path(SubnetId::from_index(i)), fields);
        }
        for p in &s.peerings {
            let fields = vec![
                ("name", p.name.clone()),
                ("allow_virtual_network_access", p.allow_virtual_network_access.to_string()),
                ("allow_forwarded_traffic", p.allow_forwarded_traffic.to_string()),
                ("allow_gateway_transit", p.allow_gateway_transit.to_string()),
                ("use_remote_gateways", p.use_remote_gateways.to_string()),
            ];
            self.push(ObjectKind::Peering, format!("{}->{}", self.vnet(p.local), self.vnet(p.remote)), fields);
        }
        for o in &s.on_prem {
            let mut fields = vec![("prefixes", list(&o.prefixes)), ("dns_servers", list(&o.dns_servers))];
            fields.extend(forwarding(&o.dns_forwarding));
            self.push(ObjectKind::OnPrem, o.name.clone(), fields);
        }
        for g in &s.gateways {
            let fields = vec![
                ("kind", g.kind.to_string()),
                ("vnet", self.vnet(g.vnet).to_string()),
                ("ip", self.nic_ip(g.nic).to_string()),
                ("connections", set(g.connections.iter().map(|c| &s.on_prem[c.index()].name))),
            ];
            self.push(ObjectKind::Gateway, g.name.clone(), fields);
        }
    }

    fn security(&mut self) {
        let s = self.s;
        for n in &s.nsgs {
            self.push(ObjectKind::Nsg, n.name.clone(), Vec::new());
            for r in n.rules.iter().filter(|r| !r.is_default) {
                let fields = self.rule_fields(r, r.access.to_string());
                self.push(ObjectKind::NsgRule, format!("{}/{}", n.name, r.name), fields);
            }
        }
        self.network_managers();
        for a in &s.asgs {
            self.push(ObjectKind::Asg, a.clone(), Vec::new());
        }
    }

    /// An NSG rule's fields, or a security admin rule's with its action as `access` (N-16).
    fn rule_fields(&self, r: &NsgRule, access: String) -> Fields {
        vec![
            ("priority", r.priority.to_string()),
            ("direction", r.direction.to_string()),
            ("access", access),
            ("protocol", r.protocol.to_string()),
            ("source", self.address(&r.source)),
            ("source_ports", ports(&r.source_ports)),
            ("destination", self.address(&r.destination)),
            ("destination_ports", ports(&r.destination_ports)),
        ]
    }

    /// Network managers (N-16), their groups by member VNets, their configuration, and each
    /// rule collection with the groups it applies to and its rules.
    fn network_managers(&mut self) {
        let s = self.s;
        for m in &s.network_managers {
            self.push(ObjectKind::NetworkManager, m.name.clone(), Vec::new());
            for g in &m.groups {
                let fields = vec![("members", set(g.members.iter().map(|v| self.vnet(*v))))];
                self.push(ObjectKind::NetworkGroup, format!("{}/{}", m.name, g.name), fields);
            }
            for c in &m.configurations {
                let path = format!("{}/{}", m.name, c.name);
                self.push(ObjectKind::SecurityAdminConfiguration, path.clone(), Vec::new());
                for rc in &c.collections {
                    let path = format!("{path}/{}", rc.name);
                    let fields = vec![("applies_to", set(rc.applies_to.iter().map(|g| &m.groups[*g].name)))];
                    self.push(ObjectKind::AdminRuleCollection, path.clone(), fields);
                    for r in &rc.rules {
                        let fields = self.rule_fields(&r.rule, r.action.to_string());
                        self.push(ObjectKind::AdminRule, format!("{path}/{}", r.rule.name), fields);
                    }
                }
            }
        }
    }

    fn address(&self, a: &AddressMatch) -> String {
        match a {
            AddressMatch::Any => "*".into(),
            AddressMatch::Prefixes(p) => set(p),
            AddressMatch::ServiceTag(t) => t.clone(),
            AddressMatch::Asg(id) => self.s.asgs[id.index()].clone(),
        }
    }

    fn routing(&mut self) {
        for t in &self.s.route_tables {
            let fields = vec![("disable_bgp_route_propagation", t.disable_bgp_route_propagation.to_string())];
            self.push(ObjectKind::RouteTable, t.name.clone(), fields);
            for r in &t.routes {
                let next_hop_ip = match r.next_hop {
                    NextHop::VirtualAppliance(ip) => ip.to_string(),
                    _ => "none".into(),
                };
                let fields = vec![
                    ("prefix", r.destination.to_string()),
                    ("next_hop", r.next_hop.type_name().into()),
                    ("next_hop_ip", next_hop_ip),
                ];
                self.push(ObjectKind::Route, format!("{}/{}", t.name, r.name), fields);
            }
        }
    }

    /// Declared workloads and their NICs, named `vm/nic0` (`cluster[2]/nic0` for node kinds,
    /// whatever the count, so growing a cluster only adds NICs). A NIC's position in its node
    /// is in its name: the first is the node's primary NIC.
    fn endpoints(&mut self) {
        let s = self.s;
        let internal = [EndpointKind::PrivateEndpoint, EndpointKind::Gateway, EndpointKind::Firewall];
        for e in s.endpoints.iter().filter(|e| !internal.contains(&e.kind)) {
            let mut fields = vec![
                ("kind", e.kind.to_string()),
                ("node_count", e.node_count.to_string()),
                ("stateful", e.stateful.to_string()),
                ("workspace", self.service(e.workspace)),
                ("dns_server", e.dns.is_some().to_string()),
            ];
            fields.extend(forwarding(&e.dns.clone().unwrap_or_default()));
            self.push(ObjectKind::Endpoint, e.name.clone(), fields);
            let mut index_in_node: HashMap<u32, usize> = HashMap::new();
            for &id in &e.nics {
                let n = s.nic(id);
                let k = index_in_node.entry(n.node).or_insert(0);
                let node = if e.kind.has_nodes() { format!("{}[{}]", e.name, n.node) } else { e.name.clone() };
                let name = format!("{node}/nic{k}");
                *k += 1;
                let fields = vec![
                    ("subnet", s.subnet_path(n.subnet)),
                    ("private_ip", n.private_ip.to_string()),
                    ("public_ip", opt(n.public_ip)),
                    ("nsg", self.nsg(n.nsg)),
                    ("asgs", set(n.asgs.iter().map(|a| &s.asgs[a.index()]))),
                    ("ip_forwarding", n.ip_forwarding.to_string()),
                ];
                self.push(ObjectKind::Nic, name, fields);
            }
        }
    }

    fn services(&mut self) {
        let s = self.s;
        for (i, v) in s.services.iter().enumerate().filter(|(_, v)| !v.builtin) {
            let id = ServiceId::from_index(i);
            let rules = &v.network_rules;
            let mut fields = vec![
                ("kind", v.kind.to_string()),
                ("region", v.region.clone()),
                ("public_ip", v.public_ip.to_string()),
                ("tag", opt(v.tag.as_ref())),
                ("public_network_access", v.public_network_access.name().into()),
                ("default_action", if rules.default_allow { "Allow" } else { "Deny" }.into()),
                ("ip_rules", set(&rules.ip_rules)),
                ("virtual_network_rules", set(rules.virtual_network_rules.iter().map(|n| s.subnet_path(*n)))),
                ("resource_instances", set(rules.resource_instances.iter().map(|r| &s.service(*r).name))),
                ("bypass", if rules.trusted_services { "AzureServices" } else { "None" }.into()),
                ("dns_names", set(s.service_names.iter().filter(|n| n.service == id).map(|n| &n.fqdn))),
            ];
            match v.kind {
                ServiceKind::Workspace => fields.extend([
                    ("storage_account", self.service(v.resources.storage_account)),
                    ("key_vault", self.service(v.resources.key_vault)),
                    ("container_registry", self.service(v.resources.container_registry)),
                    ("image_build_compute", opt(v.resources.image_build_compute.map(|e| self.endpoint(e)))),
                ]),
                ServiceKind::OnlineEndpoint => fields.push(("workspace", self.service(v.workspace))),
                ServiceKind::StorageAccount => fields.push(("managed_by", opt(v.managed_by))),
                ServiceKind::ContainerRegistry => fields.push(("sku", opt(v.sku))),
                _ => {}
            }
            self.push(ObjectKind::Service, v.name.clone(), fields);
        }
        for p in &s.policies {
            let accounts = p.accounts.iter().map(|a| &s.service(*a).name);
            self.push(
                ObjectKind::ServiceEndpointPolicy,
                p.name.clone(),
                vec![("resources", set(accounts.chain(&p.aliases)))],
            );
        }
        for p in &s.private_endpoints {
            let fields = vec![
                ("subnet", s.subnet_path(s.nic(p.nic).subnet)),
                ("ip", self.nic_ip(p.nic).to_string()),
                ("target", s.service(p.target).name.clone()),
                ("subresource", p.subresource.into()),
                ("connection_state", p.state.name().into()),
                ("register_dns", p.register_dns.to_string()),
            ];
            self.push(ObjectKind::PrivateEndpoint, p.name.clone(), fields);
        }
    }

    /// Zones, their links and records. A zone Azure keeps for a managed VNet has the name of the
    /// customer's zone, so a zone linked only to managed VNets is named `zone@vnet`.
    fn dns(&mut self) {
        let s = self.s;
        let managed: Vec<VnetId> = s.managed_networks.iter().map(|m| m.vnet).collect();
        for z in &s.zones {
            let zone = if !z.links.is_empty() && z.links.iter().all(|l| managed.contains(&l.vnet)) {
                format!("{}@{}", z.name, z.links.iter().map(|l| self.vnet(l.vnet)).collect::<Vec<_>>().join("+"))
            } else {
                z.name.clone()
            };
            self.push(ObjectKind::DnsZone, zone.clone(), Vec::new());
            for l in &z.links {
                let policy = if l.nxdomain_redirect { "NxDomainRedirect" } else { "Default" };
                self.push(
                    ObjectKind::DnsZoneLink,
                    format!("{zone}->{}", self.vnet(l.vnet)),
                    vec![("resolution_policy", policy.into())],
                );
            }
            // D-9: one A record per name; the last written or registered answers.
            let mut names: Vec<&str> = Vec::new();
            for r in &z.records {
                if !names.contains(&r.name.as_str()) {
                    names.push(&r.name);
                }
            }
            for name in names {
                let records: Vec<&DnsRecord> = z.records.iter().filter(|r| r.name == name).collect();
                let Some((last, earlier)) = records.split_last() else { continue };
                let fields = vec![
                    ("ip", last.address.to_string()),
                    ("source", self.record_source(last.source)),
                    (
                        "shadowed",
                        list(earlier.iter().map(|r| format!("{} ({})", r.address, self.record_source(r.source)))),
                    ),
                ];
                self.push(ObjectKind::DnsRecord, format!("{zone}/{name}"), fields);
            }
        }
    }

    fn record_source(&self, source: RecordSource) -> String {
        match source {
            RecordSource::Manual => "written".into(),
            RecordSource::PrivateEndpoint(p) => format!("private_endpoint {}", self.s.private_endpoint(p).name),
        }
    }

    /// Firewalls and their policies. A policy shared by several firewalls is listed once; the
    /// groups it inherits are named under it by how far up they come from (F-3), since parent
    /// and child often both have `DefaultNetworkRuleCollectionGroup`.
    fn firewalls(&mut self) {
        let s = self.s;
        let mut policies: Vec<&str> = Vec::new();
        for f in &s.firewalls {
            let fields = vec![
                ("vnet", self.vnet(f.vnet).to_string()),
                ("ip", self.nic_ip(f.nic).to_string()),
                ("public_ips", list(&f.public_ips)),
                ("policy", if f.policy.name.is_empty() { "none".into() } else { f.policy.name.clone() }),
            ];
            self.push(ObjectKind::Firewall, f.name.clone(), fields);
            let p = &f.policy;
            if p.name.is_empty() || policies.contains(&p.name.as_str()) {
                continue;
            }
            policies.push(&p.name);
            let fields = vec![
                ("dns_proxy", p.dns_proxy.to_string()),
                ("dns_servers", list(&p.dns_servers)),
                ("snat_private_ranges", set(&p.snat_private_ranges)),
            ];
            self.push(ObjectKind::FirewallPolicy, p.name.clone(), fields);
            for g in &p.groups {
                let group = match g.level {
                    0 => format!("{}/{}", p.name, g.name),
                    1 => format!("{}/(parent)/{}", p.name, g.name),
                    2 => format!("{}/(grandparent)/{}", p.name, g.name),
                    n => format!("{}/(ancestor {n})/{}", p.name, g.name),
                };
                self.push(
                    ObjectKind::FirewallRuleCollectionGroup,
                    group.clone(),
                    vec![("priority", g.priority.to_string())],
                );
                for c in &g.collections {
                    let path = format!("{group}/{}", c.name);
                    let mut fields = vec![
                        ("priority", c.priority.to_string()),
                        ("type", c.kind.to_string()),
                        ("action", c.action.to_string()),
                    ];
                    if c.kind == RuleKind::Dnat {
                        fields.push(("rule_order", list(c.rules.iter().map(|r| &r.name))));
                    }
                    self.push(ObjectKind::FirewallRuleCollection, path.clone(), fields);
                    for r in &c.rules {
                        self.push(ObjectKind::FirewallRule, format!("{path}/{}", r.name), firewall_rule(r));
                    }
                }
            }
        }
    }

    fn outbound(&mut self) {
        let s = self.s;
        for g in &s.nat_gateways {
            // Its subnets are the subnets' `nat_gateway`.
            self.push(ObjectKind::NatGateway, g.name.clone(), vec![("public_ips", list(&g.public_ips))]);
        }
        for lb in &s.load_balancers {
            let fields = vec![
                ("frontend", lb.frontend.to_string()),
                ("subnet", opt(lb.subnet.map(|n| s.subnet_path(n)))),
                ("backends", list(lb.backends.iter().map(|e| self.endpoint(*e)))),
                ("outbound_snat", lb.outbound_snat.to_string()),
                ("aml_managed", lb.aml_managed.to_string()),
            ];
            self.push(ObjectKind::LoadBalancer, lb.name.clone(), fields);
            for r in &lb.rules {
                let fields = vec![
                    ("protocol", r.protocol.to_string()),
                    ("frontend_port", r.frontend_port.to_string()),
                    ("backend_port", r.backend_port.to_string()),
                ];
                self.push(ObjectKind::LoadBalancerRule, format!("{}/{}", lb.name, r.name), fields);
            }
        }
    }

    fn managed(&mut self) {
        let s = self.s;
        for m in &s.managed_networks {
            let workspace = s.service(m.workspace).name.clone();
            let fields = vec![
                ("isolation_mode", m.mode.name().into()),
                ("vnet", self.vnet(m.vnet).to_string()),
                ("subnet", s.subnet_path(m.subnet)),
                ("firewall", opt(m.firewall.map(|f| &s.firewalls[f.index()].name))),
            ];
            self.push(ObjectKind::ManagedNetwork, workspace.clone(), fields);
            for r in &m.rules {
                let kind = match r.kind {
                    OutboundRuleKind::PrivateEndpoint => "private_endpoint",
                    OutboundRuleKind::ServiceTag => "service_tag",
                    OutboundRuleKind::Fqdn => "fqdn",
                };
                let fields = vec![
                    ("type", kind.into()),
                    ("target", r.target.clone()),
                    ("required", r.required.to_string()),
                    ("inert", opt(r.inert.as_ref())),
                ];
                // Azure's required tag rules are named by their tag, which repeats (AzureMachineLearning
                // over TCP and over UDP, A-16): the target tells them apart.
                let name = if m.rules.iter().filter(|x| x.name == r.name).count() > 1 {
                    format!("{workspace}/{} ({})", r.name, r.target)
                } else {
                    format!("{workspace}/{}", r.name)
                };
                self.push(ObjectKind::ManagedOutboundRule, name, fields);
            }
        }
    }

    fn audit(&mut self) {
        let s = self.s;
        let a = &s.audit;
        let fields = vec![
            ("sources", set(a.sources.iter().map(|e| self.endpoint(*e)))),
            ("read_only", set(&a.read_only)),
            ("write_capable", set(&a.write_capable)),
            ("foreign", set(a.foreign.iter().map(|f| &s.service(*f).name))),
        ];
        self.push(ObjectKind::Audit, "audit".into(), fields);
    }
}

/// `forwarders` (tried in order) and `conditional_forwarders` (longest zone wins; ties keep
/// their written order, which the stable sort preserves).
fn forwarding(f: &DnsForwarding) -> Fields {
    let mut conditional: Vec<&ConditionalForwarder> = f.conditional.iter().collect();
    conditional.sort_by(|a, b| a.zone.cmp(&b.zone));
    let conditional = conditional.iter().map(|c| format!("{}: {}", c.zone, list(&c.servers)));
    vec![("forwarders", list(&f.forwarders)), ("conditional_forwarders", list(conditional))]
}

fn firewall_address(a: &FirewallAddress) -> String {
    match a {
        FirewallAddress::Any => "*".into(),
        FirewallAddress::Prefix(p) => p.to_string(),
        FirewallAddress::ServiceTag(t) | FirewallAddress::Fqdn(t) => t.clone(),
    }
}

/// A firewall rule's fields, by its collection's type (F-5, F-6, F-8).
fn firewall_rule(r: &FirewallRule) -> Fields {
    let mut fields = vec![("source_addresses", set(r.sources.iter().map(firewall_address)))];
    match &r.matcher {
        RuleMatch::Network { protocols, destinations, ports: p } => fields.extend([
            ("protocols", if protocols.is_empty() { "any".into() } else { set(protocols) }),
            ("destinations", set(destinations.iter().map(firewall_address))),
            ("destination_ports", ports(p)),
        ]),
        RuleMatch::Application { protocols, target_fqdns, fqdn_tags } => {
            let own = vnetsim_model::firewall::own_targets(target_fqdns, fqdn_tags);
            fields.extend([("protocols", set(protocols)), ("target_fqdns", set(own))]);
            if !fqdn_tags.is_empty() {
                fields.push(("fqdn_tags", set(fqdn_tags)));
            }
        }
        RuleMatch::Dnat { protocols, destination, port, translated, translated_port } => fields.extend([
            ("protocols", set(protocols)),
            ("destination_address", destination.to_string()),
            ("destination_port", port.to_string()),
            ("translated_address", translated.to_string()),
            ("translated_port", translated_port.to_string()),
        ]),
    }
    fields
}

/// The table as one object: where it comes from, its size and a digest of its content.
fn tag_table(table: &ServiceTagTable) -> Fields {
    let source = if *table == ServiceTagTable::builtin() { "built-in (synthetic)" } else { "loaded" };
    // FNV-1a over the tags in name order: stable across runs, builds and file order.
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for line in tag_lines(table) {
        for byte in line.bytes().chain([b'\n']) {
            digest = (digest ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    vec![("source", source.into()), ("tags", table.len().to_string()), ("digest", format!("{digest:016x}"))]
}

/// One line per tag, sorted: `name region parent prefixes`.
fn tag_lines(table: &ServiceTagTable) -> Vec<String> {
    let mut lines: Vec<String> = table
        .iter()
        .map(|t| format!("{} {} {} {}", t.name, opt(t.region.as_ref()), opt(t.parent.as_ref()), set(&t.prefixes)))
        .collect();
    lines.sort();
    lines
}

/// The names of the tags added, removed or changed between two tables, the first ten of them.
fn differing_tags(before: &ServiceTagTable, after: &ServiceTagTable) -> String {
    let (old, new) = (tag_lines(before), tag_lines(after));
    let (old_set, new_set): (HashSet<&String>, HashSet<&String>) = (old.iter().collect(), new.iter().collect());
    let name = |line: &&String| line.split(' ').next().unwrap_or_default().to_string();
    let mut names: Vec<String> = old_set.difference(&new_set).chain(new_set.difference(&old_set)).map(name).collect();
    names.sort();
    names.dedup();
    const SHOWN: usize = 10;
    let more = names.len().saturating_sub(SHOWN);
    names.truncate(SHOWN);
    if more > 0 { format!("{} (+{more} more)", names.join(", ")) } else { list(names) }
}
