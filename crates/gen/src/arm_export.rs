//! The generated landing zone as an Azure export: one JSON array of resource bodies as Azure
//! returns them for GETs (`az resource show`, a REST GET, `az … list -o json`): `id`, `name`,
//! `type`, `location`, `etag`, `properties` with `provisioningState` and the other read-only
//! properties Azure adds (an NSG's six default rules, back references from NSGs, route tables,
//! NAT gateways and policies to their subnets, peering states, the private endpoints' DNS
//! configurations), children embedded where Azure embeds them (a VNet's subnets and peerings, an
//! NSG's rules, a route table's routes) and separate where Azure keeps them apart (rule
//! collection groups, zone links, zone groups, resolver endpoints, workspace computes).
//!
//! As for Terraform (`terraform.rs`), the YAML writers write the network and it is read back
//! with the scenario loader's YAML parser and translated object by object, so both describe one
//! network. The shared resources go to the hub's resource group, each spoke's to its own, named
//! as the Terraform writer names them. Addresses Azure allocates (the private endpoints') are
//! the ones the scenario loader allocates for the YAML, read from the loaded scenario.
//!
//! What an export cannot hold is left out: expectations, hosts on the Internet, on-premises DNS
//! servers and the DNS forwarding the DNS VMs run (software inside machines), the AKS internal
//! load balancers (Azure makes them in the cluster's node resource group). The bastion and the
//! VPN gateway have the public IPs Azure requires, which the YAML leaves out; Application
//! Insights is reached through a private link scope, as Azure has it.

use crate::plan::{Spoke, World};
use crate::reread::{capitalised, get, items, items_of, parse_section, str_of, strs};
use crate::terraform::PRIVATE_ENDPOINTS;
use crate::{Doc, Options, firewall, hub, spoke};
use std::collections::HashMap;
use std::fmt::Write as _;
use vnetsim_config::yaml::Node;

/// The subscription of every id, as the importer's ids have it.
const SUBSCRIPTION: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";
const TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// The export as text; the same options give the same bytes.
pub fn write(options: &Options) -> String {
    let world = World::new(options);
    let mut shared = Doc::default();
    hub::write(&world, &mut shared);
    firewall::write_shared(&world, &mut shared);
    for k in 0..world.spokes {
        firewall::write_landing_zone(&world, &world.spoke(k), &mut shared);
    }
    firewall::write_firewall(&world, &mut shared);
    let hub_rg = format!("rg-{}-hub", world.org);
    let mut scopes = vec![Scope::parse(hub_rg.clone(), None, &shared)];
    for k in 0..world.spokes {
        let s = world.spoke(k);
        let mut doc = Doc::default();
        spoke::write(&world, &s, &mut doc);
        scopes.push(Scope::parse(format!("rg-{}", s.id), Some(&s), &doc));
    }
    let mut export = Export::new(&world, hub_rg, allocated_ips(options), &scopes);
    for scope in &scopes {
        export.scope(scope);
    }
    let mut out = String::with_capacity(export.resources.len() * 4096);
    write_json(&mut out, &J::A(export.resources), 0);
    out.push('\n');
    out
}

/// The private IPs the scenario loader allocates, by endpoint name (first NIC): what Azure
/// allocates for the same resources in the same order.
fn allocated_ips(options: &Options) -> HashMap<String, String> {
    let yaml = crate::generate(options);
    let tags = vnetsim_model::ServiceTagTable::builtin();
    let scenario = vnetsim_config::load_scenario("generated.yaml", &yaml, &tags)
        .unwrap_or_else(|e| panic!("the generated scenario does not load: {e:?}"));
    (scenario.endpoints.iter())
        .filter_map(|e| Some((e.name.clone(), scenario.nic(*e.nics.first()?).private_ip.to_string())))
        .collect()
}

/// One resource group's part of the landing zone: the YAML writers' lists, parsed.
struct Scope {
    rg: String,
    /// A spoke's Application Insights component and the private link scope it is reached by
    /// (`<spoke>-ampls`, as the Terraform writer names it).
    insights: Option<(String, String)>,
    sections: Vec<(&'static str, Node<'static>)>,
}

impl Scope {
    fn parse(rg: String, spoke: Option<&Spoke>, doc: &Doc) -> Scope {
        let sections = (doc.sections().into_iter())
            .filter(|(_, body)| !body.is_empty())
            .map(|(key, body)| (key, parse_section(key, body)))
            .collect();
        let insights = spoke.map(|s| (s.insights.clone(), format!("{}-ampls", s.id)));
        Scope { rg, insights, sections }
    }

    fn list<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Node<'static>> {
        self.sections.iter().filter(move |(k, _)| *k == key).flat_map(|(_, node)| items(node))
    }
}

/// A JSON value; objects keep their keys in the order Azure writes them.
enum J {
    S(String),
    N(u64),
    B(bool),
    A(Vec<J>),
    O(Vec<(&'static str, J)>),
}

fn s(text: impl Into<String>) -> J {
    J::S(text.into())
}

fn list(texts: &[String]) -> J {
    J::A(texts.iter().map(|t| s(t.as_str())).collect())
}

/// `{ "id": … }`, how Azure refers to another resource.
fn reference(id: &str) -> J {
    J::O(vec![("id", s(id))])
}

fn references(ids: &[String]) -> J {
    J::A(ids.iter().map(|id| reference(id)).collect())
}

/// A number the YAML writers wrote (priorities, ports, counts).
fn number(node: &Node, key: &str) -> J {
    J::N(str_of(node, key).and_then(|n| n.parse().ok()).unwrap_or_default())
}

/// The id of a resource in a resource group.
fn rid(rg: &str, rtype: &str, name: &str) -> String {
    format!("{SUBSCRIPTION}/resourceGroups/{rg}/providers/{rtype}/{name}")
}

/// `vnet/subnet` as the subnet's id.
fn subnet_id(rg: &str, path: &str) -> String {
    let (vnet, subnet) = path.split_once('/').unwrap_or((path, ""));
    format!("{}/subnets/{subnet}", rid(rg, "Microsoft.Network/virtualNetworks", vnet))
}

/// A stable GUID for `seed` (FNV-1a, twice): etags and resource GUIDs are Azure's own, any
/// value will do as long as the same export is written again.
fn guid(seed: &str) -> String {
    let hash = |basis: u64| seed.bytes().fold(basis, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn etag(id: &str) -> J {
    s(format!("W/\"{}\"", guid(id)))
}

/// A child as Azure embeds it in its parent: name, id, etag, type, properties.
fn child(parent_id: &str, segment: &str, rtype: &str, name: &str, props: Vec<(&'static str, J)>) -> J {
    let id = format!("{parent_id}/{segment}/{name}");
    let mut properties = vec![("provisioningState", s("Succeeded"))];
    properties.extend(props);
    J::O(vec![
        ("name", s(name)),
        ("id", s(id.as_str())),
        ("etag", etag(&id)),
        ("type", s(rtype)),
        ("properties", J::O(properties)),
    ])
}

/// The sequence of a field that is a scalar or a list.
fn values(node: &Node, key: &str) -> Vec<String> {
    strs(node, key)
}

/// The resources being written, and what they refer to across resource groups.
struct Export<'w> {
    world: &'w World,
    hub_rg: String,
    ips: HashMap<String, String>,
    /// VNets by name: resource group and address space (peerings report the remote's).
    vnets: HashMap<String, (String, Vec<String>)>,
    /// The resource group of each service (the ids of storage accounts in endpoint policies).
    services: HashMap<String, String>,
    /// The subnets that name each NSG, route table, NAT gateway and endpoint policy, by
    /// `kind/name`: Azure lists them on the resource.
    subnets_of: HashMap<String, Vec<String>>,
    /// Public IPs written that the YAML has not.
    extra_ips: usize,
    /// The resource group's Application Insights component and private link scope, if any.
    insights: (String, String),
    resources: Vec<J>,
}

impl<'w> Export<'w> {
    fn new(world: &'w World, hub_rg: String, ips: HashMap<String, String>, scopes: &[Scope]) -> Export<'w> {
        let mut export = Export {
            world,
            hub_rg,
            ips,
            vnets: HashMap::new(),
            services: HashMap::new(),
            subnets_of: HashMap::new(),
            extra_ips: 0,
            insights: Default::default(),
            resources: Vec::new(),
        };
        for scope in scopes {
            for vnet in scope.list("vnets") {
                let name = str_of(vnet, "name").unwrap_or_default();
                export.vnets.insert(name.to_string(), (scope.rg.clone(), values(vnet, "address_space")));
                for subnet in items_of(vnet, "subnets") {
                    let id = subnet_id(&scope.rg, &format!("{name}/{}", str_of(subnet, "name").unwrap_or_default()));
                    for key in ["nsg", "route_table", "nat_gateway"] {
                        if let Some(target) = str_of(subnet, key) {
                            export.subnets_of.entry(format!("{key}/{target}")).or_default().push(id.clone());
                        }
                    }
                    for policy in values(subnet, "service_endpoint_policies") {
                        export.subnets_of.entry(format!("policy/{policy}")).or_default().push(id.clone());
                    }
                }
            }
            for service in scope.list("services") {
                let name = str_of(service, "name").unwrap_or_default();
                export.services.insert(name.to_string(), scope.rg.clone());
            }
        }
        export
    }

    fn subnets_of(&self, kind: &str, name: &str) -> J {
        references(self.subnets_of.get(&format!("{kind}/{name}")).map(Vec::as_slice).unwrap_or_default())
    }

    /// Appends a top-level resource; `top` holds the fields beside `properties` (sku, kind,
    /// identity). Returns its id.
    fn push(
        &mut self,
        rg: &str,
        rtype: &str,
        name: &str,
        top: Vec<(&'static str, J)>,
        props: Vec<(&'static str, J)>,
    ) -> String {
        let id = rid(rg, rtype, name);
        self.push_id(&id, rtype, name, top, props);
        id
    }

    fn push_id(
        &mut self,
        id: &str,
        rtype: &str,
        name: &str,
        top: Vec<(&'static str, J)>,
        props: Vec<(&'static str, J)>,
    ) {
        let global = rtype.starts_with("Microsoft.Network/privateDnsZones");
        let location = if global { "global" } else { self.world.region };
        let mut fields = vec![("name", s(name)), ("id", s(id)), ("etag", etag(id)), ("type", s(rtype))];
        let located = ["ruleCollectionGroups", "privateDnsZoneGroups", "scopedResources"];
        if !located.iter().any(|t| rtype.ends_with(t)) {
            fields.push(("location", s(location)));
        }
        fields.extend(top);
        let mut properties = vec![("provisioningState", s("Succeeded"))];
        properties.extend(props);
        fields.push(("properties", J::O(properties)));
        self.resources.push(J::O(fields));
    }

    fn scope(&mut self, scope: &Scope) {
        let rg = scope.rg.as_str();
        self.insights = scope.insights.clone().unwrap_or_default();
        for vnet in scope.list("vnets") {
            self.vnet(rg, vnet);
        }
        for nsg in scope.list("nsgs") {
            self.nsg(rg, nsg);
        }
        for table in scope.list("route_tables") {
            self.route_table(rg, table);
        }
        for nat in scope.list("nat_gateways") {
            self.nat_gateway(rg, nat);
        }
        for policy in scope.list("service_endpoint_policies") {
            self.endpoint_policy(rg, policy);
        }
        for group in scope.list("ip_groups") {
            let name = str_of(group, "name").unwrap_or_default();
            self.push(
                rg,
                "Microsoft.Network/ipGroups",
                name,
                vec![],
                vec![
                    ("ipAddresses", list(&values(group, "prefixes"))),
                    ("firewalls", J::A(vec![])),
                    ("firewallPolicies", J::A(vec![])),
                ],
            );
        }
        for policy in scope.list("firewall_policies") {
            self.firewall_policy(rg, policy);
        }
        for fw in scope.list("firewalls") {
            self.firewall(rg, fw);
        }
        for (i, site) in scope.list("on_premises").enumerate() {
            let name = str_of(site, "name").unwrap_or_default();
            self.push(
                rg,
                "Microsoft.Network/localNetworkGateways",
                name,
                vec![],
                vec![
                    ("localNetworkAddressSpace", J::O(vec![("addressPrefixes", list(&values(site, "prefixes")))])),
                    // A documentation address (RFC 5737), as the Terraform writer has it.
                    ("gatewayIpAddress", s(format!("203.0.113.{}", i + 1))),
                ],
            );
        }
        for gateway in scope.list("gateways") {
            self.gateway(rg, gateway);
        }
        for endpoint in scope.list("endpoints") {
            self.endpoint(rg, endpoint);
        }
        for service in scope.list("services") {
            self.service(rg, service);
        }
        for pe in scope.list("private_endpoints") {
            self.private_endpoint(rg, pe);
        }
        for zone in scope.list("private_dns_zones") {
            self.dns_zone(rg, zone);
        }
    }

    fn vnet(&mut self, rg: &str, vnet: &Node) {
        let name = str_of(vnet, "name").unwrap_or_default();
        let id = rid(rg, "Microsoft.Network/virtualNetworks", name);
        let subnets = items_of(vnet, "subnets").map(|subnet| self.subnet(rg, &id, subnet)).collect();
        let peerings = items_of(vnet, "peerings").map(|peering| self.peering(&id, name, peering)).collect();
        let mut props = vec![
            ("resourceGuid", s(guid(&id))),
            ("addressSpace", J::O(vec![("addressPrefixes", list(&values(vnet, "address_space")))])),
        ];
        if get(vnet, "dns_servers").is_some() {
            props.push(("dhcpOptions", J::O(vec![("dnsServers", list(&values(vnet, "dns_servers")))])));
        }
        props.extend([
            ("subnets", J::A(subnets)),
            ("virtualNetworkPeerings", J::A(peerings)),
            ("enableDdosProtection", J::B(false)),
        ]);
        self.push_id(&id, "Microsoft.Network/virtualNetworks", name, vec![], props);
    }

    fn subnet(&self, rg: &str, vnet_id: &str, subnet: &Node) -> J {
        let mut props = vec![("addressPrefix", s(str_of(subnet, "prefix").unwrap_or_default()))];
        let refs = [
            ("nsg", "networkSecurityGroup", "Microsoft.Network/networkSecurityGroups"),
            ("route_table", "routeTable", "Microsoft.Network/routeTables"),
            ("nat_gateway", "natGateway", "Microsoft.Network/natGateways"),
        ];
        for (key, prop, rtype) in refs {
            if let Some(target) = str_of(subnet, key) {
                props.push((prop, reference(&rid(rg, rtype, target))));
            }
        }
        let services: Vec<J> = (values(subnet, "service_endpoints").into_iter())
            .map(|service| {
                J::O(vec![
                    ("provisioningState", s("Succeeded")),
                    ("service", s(service)),
                    ("locations", J::A(vec![s(self.world.region)])),
                ])
            })
            .collect();
        if !services.is_empty() {
            props.push(("serviceEndpoints", J::A(services)));
        }
        let policies: Vec<String> = (values(subnet, "service_endpoint_policies").iter())
            .map(|p| rid(rg, "Microsoft.Network/serviceEndpointPolicies", p))
            .collect();
        if !policies.is_empty() {
            props.push(("serviceEndpointPolicies", references(&policies)));
        }
        let pe_policies = str_of(subnet, "private_endpoint_network_policies").unwrap_or("Disabled");
        props.push(("privateEndpointNetworkPolicies", s(pe_policies)));
        props.push(("privateLinkServiceNetworkPolicies", s("Enabled")));
        if let Some(access) = str_of(subnet, "default_outbound_access") {
            props.push(("defaultOutboundAccess", J::B(access == "true")));
        }
        let name = str_of(subnet, "name").unwrap_or_default();
        child(vnet_id, "subnets", "Microsoft.Network/virtualNetworks/subnets", name, props)
    }

    fn peering(&self, vnet_id: &str, vnet: &str, peering: &Node) -> J {
        let remote = str_of(peering, "remote_vnet").unwrap_or_default();
        let (remote_rg, remote_space) = self.vnets.get(remote).cloned().unwrap_or_default();
        let flag = |key: &str| J::B(str_of(peering, key) == Some("true"));
        let space = || J::O(vec![("addressPrefixes", list(&remote_space))]);
        let props = vec![
            ("peeringState", s("Connected")),
            ("peeringSyncLevel", s("FullyInSync")),
            ("remoteVirtualNetwork", reference(&rid(&remote_rg, "Microsoft.Network/virtualNetworks", remote))),
            ("allowVirtualNetworkAccess", J::B(true)),
            ("allowForwardedTraffic", flag("allow_forwarded_traffic")),
            ("allowGatewayTransit", flag("allow_gateway_transit")),
            ("useRemoteGateways", flag("use_remote_gateways")),
            ("doNotVerifyRemoteGateways", J::B(false)),
            ("remoteAddressSpace", space()),
            ("remoteVirtualNetworkAddressSpace", space()),
        ];
        let name = format!("{vnet}-to-{remote}");
        child(
            vnet_id,
            "virtualNetworkPeerings",
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            &name,
            props,
        )
    }

    fn nsg(&mut self, rg: &str, nsg: &Node) {
        let name = str_of(nsg, "name").unwrap_or_default();
        let id = rid(rg, "Microsoft.Network/networkSecurityGroups", name);
        let rules = items_of(nsg, "rules").map(|rule| security_rule(&id, "securityRules", rule)).collect();
        let defaults = DEFAULT_RULES.iter().map(|rule| default_rule(&id, rule)).collect();
        let subnets = self.subnets_of("nsg", name);
        self.push_id(
            &id,
            "Microsoft.Network/networkSecurityGroups",
            name,
            vec![],
            vec![
                ("resourceGuid", s(guid(&id))),
                ("securityRules", J::A(rules)),
                ("defaultSecurityRules", J::A(defaults)),
                ("subnets", subnets),
            ],
        );
    }

    fn route_table(&mut self, rg: &str, table: &Node) {
        let name = str_of(table, "name").unwrap_or_default();
        let id = rid(rg, "Microsoft.Network/routeTables", name);
        let routes = (items_of(table, "routes"))
            .map(|route| {
                let mut props = vec![
                    ("addressPrefix", s(str_of(route, "prefix").unwrap_or_default())),
                    ("nextHopType", s(str_of(route, "next_hop").unwrap_or_default())),
                ];
                if let Some(ip) = str_of(route, "next_hop_ip") {
                    props.push(("nextHopIpAddress", s(ip)));
                }
                props.push(("hasBgpOverride", J::B(false)));
                let route_name = str_of(route, "name").unwrap_or_default();
                child(&id, "routes", "Microsoft.Network/routeTables/routes", route_name, props)
            })
            .collect();
        let subnets = self.subnets_of("route_table", name);
        self.push_id(
            &id,
            "Microsoft.Network/routeTables",
            name,
            vec![],
            vec![("disableBgpRoutePropagation", J::B(false)), ("routes", J::A(routes)), ("subnets", subnets)],
        );
    }

    /// A Standard static public IP with the address Azure gave it.
    fn public_ip(&mut self, rg: &str, name: &str, address: &str) -> String {
        let sku = J::O(vec![("name", s("Standard")), ("tier", s("Regional"))]);
        self.push(
            rg,
            "Microsoft.Network/publicIPAddresses",
            name,
            vec![("sku", sku)],
            vec![
                ("resourceGuid", s(guid(name))),
                ("ipAddress", s(address)),
                ("publicIPAddressVersion", s("IPv4")),
                ("publicIPAllocationMethod", s("Static")),
                ("idleTimeoutInMinutes", J::N(4)),
                ("ipTags", J::A(vec![])),
            ],
        )
    }

    fn nat_gateway(&mut self, rg: &str, nat: &Node) {
        let name = str_of(nat, "name").unwrap_or_default();
        let ips: Vec<String> = (values(nat, "public_ips").iter().enumerate())
            .map(|(i, ip)| {
                let suffix = if i == 0 { String::new() } else { format!("-{}", i + 1) };
                self.public_ip(rg, &format!("{name}-pip{suffix}"), ip)
            })
            .collect();
        let subnets = self.subnets_of("nat_gateway", name);
        let sku = J::O(vec![("name", s("Standard"))]);
        self.push(
            rg,
            "Microsoft.Network/natGateways",
            name,
            vec![("sku", sku)],
            vec![
                ("resourceGuid", s(guid(name))),
                ("idleTimeoutInMinutes", J::N(4)),
                ("publicIpAddresses", references(&ips)),
                ("subnets", subnets),
            ],
        );
    }

    /// S-5, S-6: a policy's accounts by id, Azure ML's by its alias.
    fn endpoint_policy(&mut self, rg: &str, policy: &Node) {
        let name = str_of(policy, "name").unwrap_or_default();
        let id = rid(rg, "Microsoft.Network/serviceEndpointPolicies", name);
        let (aliases, accounts): (Vec<String>, Vec<String>) =
            values(policy, "resources").into_iter().partition(|r| r.starts_with('/'));
        let accounts: Vec<String> = (accounts.iter())
            .map(|a| {
                let account_rg = self.services.get(a).map_or(rg, String::as_str);
                rid(account_rg, "Microsoft.Storage/storageAccounts", a)
            })
            .collect();
        let definition_type = "Microsoft.Network/serviceEndpointPolicies/serviceEndpointPolicyDefinitions";
        let mut definitions = Vec::new();
        if !accounts.is_empty() {
            definitions.push(child(
                &id,
                "serviceEndpointPolicyDefinitions",
                definition_type,
                "own-storage",
                vec![("service", s("Microsoft.Storage")), ("serviceResources", list(&accounts))],
            ));
        }
        if !aliases.is_empty() {
            definitions.push(child(
                &id,
                "serviceEndpointPolicyDefinitions",
                definition_type,
                "azure-ml",
                vec![("service", s("Global")), ("serviceResources", list(&aliases))],
            ));
        }
        let subnets = self.subnets_of("policy", name);
        self.push_id(
            &id,
            "Microsoft.Network/serviceEndpointPolicies",
            name,
            vec![],
            vec![
                ("resourceGuid", s(guid(&id))),
                ("serviceEndpointPolicyDefinitions", J::A(definitions)),
                ("subnets", subnets),
            ],
        );
    }

    /// A policy with its parent as base policy, and one resource per rule collection group.
    fn firewall_policy(&mut self, rg: &str, policy: &Node) {
        let name = str_of(policy, "name").unwrap_or_default();
        let id = rid(rg, "Microsoft.Network/firewallPolicies", name);
        let groups: Vec<String> = (items_of(policy, "rule_collection_groups"))
            .map(|g| format!("{id}/ruleCollectionGroups/{}", str_of(g, "name").unwrap_or_default()))
            .collect();
        let mut props = vec![("sku", J::O(vec![("tier", s("Premium"))])), ("threatIntelMode", s("Alert"))];
        if let Some(parent) = str_of(policy, "parent") {
            props.push(("basePolicy", reference(&rid(rg, "Microsoft.Network/firewallPolicies", parent))));
        }
        props.push(("ruleCollectionGroups", references(&groups)));
        self.push_id(&id, "Microsoft.Network/firewallPolicies", name, vec![], props);
        for (group, group_id) in items_of(policy, "rule_collection_groups").zip(&groups) {
            let collections = items_of(group, "rule_collections").map(|c| self.collection(rg, c)).collect();
            let group_name = format!("{name}/{}", str_of(group, "name").unwrap_or_default());
            self.push_id(
                group_id,
                "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                &group_name,
                vec![],
                vec![("priority", number(group, "priority")), ("ruleCollections", J::A(collections))],
            );
        }
    }

    fn collection(&self, rg: &str, collection: &Node) -> J {
        let application = str_of(collection, "type") == Some("application");
        let groups = |rule: &Node, key: &str| -> J {
            let ids: Vec<String> = values(rule, key).iter().map(|g| rid(rg, "Microsoft.Network/ipGroups", g)).collect();
            list(&ids)
        };
        let rules = (items_of(collection, "rules"))
            .map(|rule| {
                let mut r = vec![("name", s(str_of(rule, "name").unwrap_or_default()))];
                r.push(("sourceAddresses", list(&values(rule, "source_addresses"))));
                r.push(("sourceIpGroups", groups(rule, "source_ip_groups")));
                if application {
                    r.push(("ruleType", s("ApplicationRule")));
                    let protocols = (values(rule, "protocols").into_iter())
                        .map(|p| {
                            let (kind, port) = match p.split_once(':') {
                                Some((kind, port)) => (kind.to_string(), port.parse().unwrap_or_default()),
                                None => (p.clone(), if p == "Http" { 80 } else { 443 }),
                            };
                            J::O(vec![("protocolType", s(kind)), ("port", J::N(port))])
                        })
                        .collect();
                    r.push(("protocols", J::A(protocols)));
                    r.push(("targetFqdns", list(&values(rule, "target_fqdns"))));
                    r.push(("fqdnTags", J::A(vec![])));
                    r.push(("targetUrls", J::A(vec![])));
                    r.push(("destinationAddresses", J::A(vec![])));
                    r.push(("terminateTLS", J::B(false)));
                    r.push(("webCategories", J::A(vec![])));
                } else {
                    r.push(("ruleType", s("NetworkRule")));
                    let protocols: Vec<String> = (values(rule, "protocols").iter())
                        .map(|p| if p == "any" { "Any".into() } else { p.to_uppercase() })
                        .collect();
                    r.push(("ipProtocols", list(&protocols)));
                    r.push(("destinationAddresses", list(&values(rule, "destination_addresses"))));
                    r.push(("destinationIpGroups", groups(rule, "destination_ip_groups")));
                    r.push(("destinationFqdns", J::A(vec![])));
                    let ports = if get(rule, "destination_ports").is_some() {
                        values(rule, "destination_ports")
                    } else {
                        vec!["*".into()]
                    };
                    r.push(("destinationPorts", list(&ports)));
                }
                J::O(r)
            })
            .collect();
        J::O(vec![
            ("ruleCollectionType", s("FirewallPolicyFilterRuleCollection")),
            ("name", s(str_of(collection, "name").unwrap_or_default())),
            ("priority", number(collection, "priority")),
            ("action", J::O(vec![("type", s(capitalised(str_of(collection, "action").unwrap_or_default())))])),
            ("rules", J::A(rules)),
        ])
    }

    /// The firewall, its public IPs first: the first IP configuration holds the subnet and the
    /// private IP Azure gave it.
    fn firewall(&mut self, rg: &str, fw: &Node) {
        let name = str_of(fw, "name").unwrap_or_default();
        let id = rid(rg, "Microsoft.Network/azureFirewalls", name);
        let addresses = values(fw, "public_ips");
        let pips: Vec<String> = (addresses.iter().enumerate())
            .map(|(i, ip)| self.public_ip(rg, &format!("{name}-pip-{}", i + 1), ip))
            .collect();
        let vnet = str_of(fw, "vnet").unwrap_or_default();
        let private_ip = str_of(fw, "ip").unwrap_or_default();
        let configs = (pips.iter().enumerate())
            .map(|(i, pip)| {
                let mut props = vec![];
                if i == 0 {
                    props.push(("privateIPAddress", s(private_ip)));
                    props.push(("privateIPAllocationMethod", s("Dynamic")));
                    props.push(("subnet", reference(&subnet_id(rg, &format!("{vnet}/AzureFirewallSubnet")))));
                }
                props.push(("publicIPAddress", reference(pip)));
                let config_type = "Microsoft.Network/azureFirewalls/azureFirewallIpConfigurations";
                child(&id, "azureFirewallIpConfigurations", config_type, &format!("ipconfig-{}", i + 1), props)
            })
            .collect();
        let policy = rid(rg, "Microsoft.Network/firewallPolicies", str_of(fw, "policy").unwrap_or_default());
        let public: Vec<J> = addresses.iter().map(|a| J::O(vec![("address", s(a.as_str()))])).collect();
        self.push_id(
            &id,
            "Microsoft.Network/azureFirewalls",
            name,
            vec![],
            vec![
                ("sku", J::O(vec![("name", s("AZFW_VNet")), ("tier", s("Premium"))])),
                ("threatIntelMode", s("Alert")),
                ("additionalProperties", J::O(vec![])),
                ("ipConfigurations", J::A(configs)),
                (
                    "hubIPAddresses",
                    J::O(vec![
                        ("privateIPAddress", s(private_ip)),
                        ("publicIPs", J::O(vec![("addresses", J::A(public)), ("count", J::N(addresses.len() as u64))])),
                    ]),
                ),
                ("firewallPolicy", reference(&policy)),
                ("networkRuleCollections", J::A(vec![])),
                ("applicationRuleCollections", J::A(vec![])),
                ("natRuleCollections", J::A(vec![])),
            ],
        );
    }

    /// A public IP Azure requires that the YAML leaves out: the next address after the
    /// firewall's.
    fn extra_public_ip(&mut self, rg: &str, name: &str) -> String {
        self.extra_ips += 1;
        self.public_ip(rg, name, &World::firewall_public_ip(self.world.firewall_public_ips + self.extra_ips - 1))
    }

    /// The VPN gateway and its IPsec connections to the on-premises sites.
    fn gateway(&mut self, rg: &str, gateway: &Node) {
        let name = str_of(gateway, "name").unwrap_or_default();
        let pip = self.extra_public_ip(rg, &format!("{name}-pip"));
        let id = rid(rg, "Microsoft.Network/virtualNetworkGateways", name);
        let vnet = str_of(gateway, "vnet").unwrap_or_default();
        let config = child(
            &id,
            "ipConfigurations",
            "Microsoft.Network/virtualNetworkGateways/ipConfigurations",
            "vnetGatewayConfig",
            vec![
                ("privateIPAllocationMethod", s("Dynamic")),
                ("subnet", reference(&subnet_id(rg, &format!("{vnet}/GatewaySubnet")))),
                ("publicIPAddress", reference(&pip)),
            ],
        );
        self.push_id(
            &id,
            "Microsoft.Network/virtualNetworkGateways",
            name,
            vec![],
            vec![
                ("resourceGuid", s(guid(&id))),
                ("gatewayType", s("Vpn")),
                ("vpnType", s("RouteBased")),
                ("vpnGatewayGeneration", s("Generation2")),
                ("sku", J::O(vec![("name", s("VpnGw2")), ("tier", s("VpnGw2")), ("capacity", J::N(2))])),
                ("enableBgp", J::B(false)),
                ("activeActive", J::B(false)),
                ("ipConfigurations", J::A(vec![config])),
            ],
        );
        for site in values(gateway, "connections") {
            let local = rid(rg, "Microsoft.Network/localNetworkGateways", &site);
            self.push(
                rg,
                "Microsoft.Network/connections",
                &format!("{name}-to-{site}"),
                vec![],
                vec![
                    ("resourceGuid", s(guid(&format!("{name}-to-{site}")))),
                    ("connectionType", s("IPsec")),
                    ("connectionProtocol", s("IKEv2")),
                    ("virtualNetworkGateway1", reference(&id)),
                    ("localNetworkGateway2", reference(&local)),
                    ("routingWeight", J::N(0)),
                    ("enableBgp", J::B(false)),
                    ("connectionStatus", s("Connected")),
                ],
            );
        }
    }

    fn endpoint(&mut self, rg: &str, endpoint: &Node) {
        let name = str_of(endpoint, "name").unwrap_or_default();
        let subnet = subnet_id(rg, str_of(endpoint, "subnet").unwrap_or_default());
        match str_of(endpoint, "kind") {
            Some("vm") => self.vm(rg, name, &subnet, str_of(endpoint, "ip")),
            Some("dns_resolver") => {
                let vnet = subnet.rsplit_once("/subnets/").map_or("", |(v, _)| v).to_string();
                let resolver = format!("{}-resolver", self.world.org);
                let id = self.push(
                    rg,
                    "Microsoft.Network/dnsResolvers",
                    &resolver,
                    vec![],
                    vec![
                        ("resourceGuid", s(guid(&resolver))),
                        ("virtualNetwork", reference(&vnet)),
                        ("dnsResolverState", s("Connected")),
                    ],
                );
                let ip = str_of(endpoint, "ip").unwrap_or_default();
                let config = J::O(vec![
                    ("subnet", reference(&subnet)),
                    ("privateIpAddress", s(ip)),
                    ("privateIpAllocationMethod", s("Static")),
                ]);
                self.push_id(
                    &format!("{id}/inboundEndpoints/{name}"),
                    "Microsoft.Network/dnsResolvers/inboundEndpoints",
                    &format!("{resolver}/{name}"),
                    vec![],
                    vec![("resourceGuid", s(guid(name))), ("ipConfigurations", J::A(vec![config]))],
                );
            }
            Some("bastion") => {
                let pip = self.extra_public_ip(rg, &format!("{name}-pip"));
                let id = rid(rg, "Microsoft.Network/bastionHosts", name);
                let config = child(
                    &id,
                    "bastionHostIpConfigurations",
                    "Microsoft.Network/bastionHosts/bastionHostIpConfigurations",
                    "IpConf",
                    vec![
                        ("privateIPAllocationMethod", s("Dynamic")),
                        ("subnet", reference(&subnet)),
                        ("publicIPAddress", reference(&pip)),
                    ],
                );
                let sku = J::O(vec![("name", s("Standard"))]);
                self.push_id(
                    &id,
                    "Microsoft.Network/bastionHosts",
                    name,
                    vec![("sku", sku)],
                    vec![
                        ("dnsName", s(format!("bst-{}.bastion.azure.com", guid(name)))),
                        ("scaleUnits", J::N(2)),
                        ("ipConfigurations", J::A(vec![config])),
                    ],
                );
            }
            Some("compute_cluster" | "compute_instance") => self.compute(rg, endpoint, &subnet),
            Some("aks_node_pool") => self.aks(rg, endpoint, &subnet),
            _ => {}
        }
    }

    /// A Linux VM and its NIC: static where the YAML gives the address, else what Azure allocated.
    fn vm(&mut self, rg: &str, name: &str, subnet: &str, ip: Option<&str>) {
        let vm_id = rid(rg, "Microsoft.Compute/virtualMachines", name);
        let nic_name = format!("{name}-nic");
        let nic_id = rid(rg, "Microsoft.Network/networkInterfaces", &nic_name);
        let (address, method) = match ip {
            Some(ip) => (ip.to_string(), "Static"),
            None => (self.ips.get(name).cloned().unwrap_or_default(), "Dynamic"),
        };
        let config = child(
            &nic_id,
            "ipConfigurations",
            "Microsoft.Network/networkInterfaces/ipConfigurations",
            "internal",
            vec![
                ("privateIPAddress", s(address)),
                ("privateIPAllocationMethod", s(method)),
                ("privateIPAddressVersion", s("IPv4")),
                ("subnet", reference(subnet)),
                ("primary", J::B(true)),
            ],
        );
        self.push_id(
            &nic_id,
            "Microsoft.Network/networkInterfaces",
            &nic_name,
            vec![],
            vec![
                ("resourceGuid", s(guid(&nic_id))),
                ("ipConfigurations", J::A(vec![config])),
                ("dnsSettings", J::O(vec![("dnsServers", J::A(vec![])), ("appliedDnsServers", J::A(vec![]))])),
                ("enableAcceleratedNetworking", J::B(false)),
                ("enableIPForwarding", J::B(false)),
                ("primary", J::B(true)),
                ("virtualMachine", reference(&vm_id)),
                ("nicType", s("Standard")),
            ],
        );
        let nic = J::O(vec![("id", s(nic_id.as_str())), ("properties", J::O(vec![("primary", J::B(true))]))]);
        self.push_id(
            &vm_id,
            "Microsoft.Compute/virtualMachines",
            name,
            vec![],
            vec![
                ("vmId", s(guid(&vm_id))),
                ("hardwareProfile", J::O(vec![("vmSize", s("Standard_B2s"))])),
                (
                    "storageProfile",
                    J::O(vec![
                        (
                            "imageReference",
                            J::O(vec![
                                ("publisher", s("Canonical")),
                                ("offer", s("ubuntu-24_04-lts")),
                                ("sku", s("server")),
                                ("version", s("latest")),
                            ]),
                        ),
                        (
                            "osDisk",
                            J::O(vec![
                                ("osType", s("Linux")),
                                ("name", s(format!("{name}-osdisk"))),
                                ("createOption", s("FromImage")),
                                ("caching", s("ReadWrite")),
                            ]),
                        ),
                    ]),
                ),
                (
                    "osProfile",
                    J::O(vec![
                        ("computerName", s(name)),
                        ("adminUsername", s("azureuser")),
                        ("linuxConfiguration", J::O(vec![("disablePasswordAuthentication", J::B(true))])),
                    ]),
                ),
                ("networkProfile", J::O(vec![("networkInterfaces", J::A(vec![nic]))])),
            ],
        );
    }

    /// An Azure ML compute cluster or instance, a resource of its workspace.
    fn compute(&mut self, rg: &str, endpoint: &Node, subnet: &str) {
        let name = str_of(endpoint, "name").unwrap_or_default();
        let workspace = str_of(endpoint, "workspace").unwrap_or_default();
        let id = format!("{}/computes/{name}", rid(rg, "Microsoft.MachineLearningServices/workspaces", workspace));
        let cluster = str_of(endpoint, "kind") == Some("compute_cluster");
        let mut inner = vec![("vmSize", s("STANDARD_DS3_V2")), ("subnet", reference(subnet))];
        inner.push(("enableNodePublicIp", J::B(false)));
        if cluster {
            let count: u64 = str_of(endpoint, "node_count").and_then(|n| n.parse().ok()).unwrap_or(1);
            inner.push(("vmPriority", s("Dedicated")));
            inner.push((
                "scaleSettings",
                J::O(vec![
                    ("minNodeCount", J::N(count)),
                    ("maxNodeCount", J::N(count)),
                    ("nodeIdleTimeBeforeScaleDown", s("PT30M")),
                ]),
            ));
        }
        let kind = if cluster { "AmlCompute" } else { "ComputeInstance" };
        self.push_id(
            &id,
            "Microsoft.MachineLearningServices/workspaces/computes",
            &format!("{workspace}/{name}"),
            vec![],
            vec![
                ("computeType", s(kind)),
                ("computeLocation", s(self.world.region)),
                ("disableLocalAuth", J::B(true)),
                ("properties", J::O(inner)),
            ],
        );
    }

    /// An AKS pool as a cluster named by its spoke with one pool, attached to the workspace:
    /// the importer names the pool `<cluster>-<pool>`, which is the YAML's name.
    fn aks(&mut self, rg: &str, endpoint: &Node, subnet: &str) {
        let name = str_of(endpoint, "name").unwrap_or_default();
        let (cluster, pool) = name.rsplit_once('-').unwrap_or((name, "pool"));
        let workspace = str_of(endpoint, "workspace").unwrap_or_default();
        let pool_props = J::O(vec![
            ("name", s(pool)),
            ("count", number(endpoint, "node_count")),
            ("vmSize", s("Standard_D4s_v3")),
            ("mode", s("System")),
            ("osType", s("Linux")),
            ("type", s("VirtualMachineScaleSets")),
            ("vnetSubnetID", s(subnet)),
            ("provisioningState", s("Succeeded")),
        ]);
        let identity = J::O(vec![("type", s("SystemAssigned"))]);
        let id = self.push(
            rg,
            "Microsoft.ContainerService/managedClusters",
            cluster,
            vec![("identity", identity)],
            vec![
                ("kubernetesVersion", s("1.30")),
                ("dnsPrefix", s(cluster)),
                ("agentPoolProfiles", J::A(vec![pool_props])),
                ("nodeResourceGroup", s(format!("MC_{rg}_{cluster}_{}", self.world.region))),
                (
                    "networkProfile",
                    J::O(vec![
                        ("networkPlugin", s("azure")),
                        ("loadBalancerSku", s("standard")),
                        ("outboundType", s("userDefinedRouting")),
                    ]),
                ),
            ],
        );
        let compute = format!("{}/computes/{name}", rid(rg, "Microsoft.MachineLearningServices/workspaces", workspace));
        self.push_id(
            &compute,
            "Microsoft.MachineLearningServices/workspaces/computes",
            &format!("{workspace}/{name}"),
            vec![],
            vec![("computeType", s("Kubernetes")), ("computeLocation", s(self.world.region)), ("resourceId", s(id))],
        );
    }

    fn service(&mut self, rg: &str, service: &Node) {
        let name = str_of(service, "name").unwrap_or_default();
        let public = str_of(service, "public_network_access").unwrap_or("Enabled");
        match str_of(service, "kind") {
            Some("storage_account") => {
                let rules = get(service, "network_rules");
                let field = |key: &str| rules.and_then(|r| str_of(r, key));
                let instances: Vec<J> = rules
                    .map(|r| values(r, "resource_instances"))
                    .unwrap_or_default()
                    .iter()
                    .map(|w| {
                        J::O(vec![
                            ("tenantId", s(TENANT)),
                            ("resourceId", s(rid(rg, "Microsoft.MachineLearningServices/workspaces", w))),
                        ])
                    })
                    .collect();
                let bypass = rules.map(|r| values(r, "bypass").join(", ")).filter(|b| !b.is_empty());
                let endpoints = ["blob", "file", "queue", "table", "dfs", "web"]
                    .map(|kind| (kind, s(format!("https://{name}.{kind}.core.windows.net/"))));
                let sku = J::O(vec![("name", s("Standard_LRS")), ("tier", s("Standard"))]);
                self.push(
                    rg,
                    "Microsoft.Storage/storageAccounts",
                    name,
                    vec![("sku", sku), ("kind", s("StorageV2"))],
                    vec![
                        ("publicNetworkAccess", s(public)),
                        (
                            "networkAcls",
                            J::O(vec![
                                ("bypass", s(bypass.unwrap_or_else(|| "AzureServices".into()))),
                                ("defaultAction", s(field("default_action").unwrap_or("Allow"))),
                                ("ipRules", J::A(vec![])),
                                ("virtualNetworkRules", J::A(vec![])),
                                ("resourceAccessRules", J::A(instances)),
                            ]),
                        ),
                        ("primaryEndpoints", J::O(endpoints.into_iter().collect())),
                        ("minimumTlsVersion", s("TLS1_2")),
                        ("supportsHttpsTrafficOnly", J::B(true)),
                    ],
                );
            }
            Some("key_vault") => {
                self.push(
                    rg,
                    "Microsoft.KeyVault/vaults",
                    name,
                    vec![],
                    vec![
                        ("tenantId", s(TENANT)),
                        ("sku", J::O(vec![("family", s("A")), ("name", s("standard"))])),
                        ("vaultUri", s(format!("https://{name}.vault.azure.net/"))),
                        ("enableRbacAuthorization", J::B(true)),
                        ("publicNetworkAccess", s(public)),
                    ],
                );
            }
            Some("container_registry") => {
                let tier = str_of(service, "sku").unwrap_or("Premium");
                let sku = J::O(vec![("name", s(tier)), ("tier", s(tier))]);
                self.push(
                    rg,
                    "Microsoft.ContainerRegistry/registries",
                    name,
                    vec![("sku", sku)],
                    vec![
                        ("loginServer", s(format!("{name}.azurecr.io"))),
                        ("adminUserEnabled", J::B(false)),
                        ("publicNetworkAccess", s(public)),
                        ("networkRuleBypassOptions", s("AzureServices")),
                    ],
                );
            }
            Some("application_insights") => self.insights(rg, name, public),
            Some("workspace") => {
                let id_of = |key: &str, rtype: &str| s(rid(rg, rtype, str_of(service, key).unwrap_or_default()));
                let insights = rid(rg, "Microsoft.Insights/components", &self.insights.0);
                let identity = J::O(vec![("type", s("SystemAssigned"))]);
                let sku = J::O(vec![("name", s("Basic")), ("tier", s("Basic"))]);
                self.push(
                    rg,
                    "Microsoft.MachineLearningServices/workspaces",
                    name,
                    vec![("identity", identity), ("sku", sku), ("kind", s("Default"))],
                    vec![
                        ("friendlyName", s(name)),
                        ("workspaceId", s(str_of(service, "workspace_id").unwrap_or_default())),
                        ("storageAccount", id_of("storage_account", "Microsoft.Storage/storageAccounts")),
                        ("keyVault", id_of("key_vault", "Microsoft.KeyVault/vaults")),
                        ("containerRegistry", id_of("container_registry", "Microsoft.ContainerRegistry/registries")),
                        ("applicationInsights", s(insights)),
                        ("publicNetworkAccess", s(public)),
                        ("imageBuildCompute", s(str_of(service, "image_build_compute").unwrap_or_default())),
                        ("hbiWorkspace", J::B(false)),
                        ("v1LegacyMode", J::B(false)),
                    ],
                );
            }
            Some("online_endpoint") => {
                let workspace = str_of(service, "workspace").unwrap_or_default();
                let id = format!(
                    "{}/onlineEndpoints/{name}",
                    rid(rg, "Microsoft.MachineLearningServices/workspaces", workspace)
                );
                self.push_id(
                    &id,
                    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                    &format!("{workspace}/{name}"),
                    vec![],
                    vec![
                        ("authMode", s("Key")),
                        ("scoringUri", s(format!("https://{name}.{}.inference.ml.azure.com/score", self.world.region))),
                    ],
                );
            }
            // Hosts on the Internet are no Azure resources.
            _ => {}
        }
    }

    /// Application Insights, and the private link scope its private endpoint connects to.
    fn insights(&mut self, rg: &str, name: &str, public: &str) {
        let component = self.push(
            rg,
            "Microsoft.Insights/components",
            name,
            vec![("kind", s("web"))],
            vec![
                ("ApplicationId", s(name)),
                ("AppId", s(guid(name))),
                ("Application_Type", s("web")),
                ("publicNetworkAccessForIngestion", s(public)),
                ("publicNetworkAccessForQuery", s(public)),
            ],
        );
        let scope = self.insights.1.clone();
        let id = self.push(
            rg,
            "Microsoft.Insights/privateLinkScopes",
            &scope,
            vec![],
            vec![(
                "accessModeSettings",
                J::O(vec![("ingestionAccessMode", s("PrivateOnly")), ("queryAccessMode", s("PrivateOnly"))]),
            )],
        );
        let scoped = format!("{scope}/{name}");
        self.push_id(
            &format!("{id}/scopedResources/{name}"),
            "Microsoft.Insights/privateLinkScopes/scopedResources",
            &scoped,
            vec![],
            vec![("linkedResourceId", s(component))],
        );
    }

    /// A private endpoint with the address Azure allocated, recorded as Azure records it for an
    /// endpoint without static configurations: in `customDnsConfigs`; its zone group apart.
    fn private_endpoint(&mut self, rg: &str, pe: &Node) {
        let name = str_of(pe, "name").unwrap_or_default();
        let target = str_of(pe, "target").unwrap_or_default();
        let subresource = str_of(pe, "subresource").unwrap_or_default();
        let id = rid(rg, "Microsoft.Network/privateEndpoints", name);
        let target_rg = self.services.get(target).map_or(rg, String::as_str);
        let target_id = match subresource {
            "amlworkspace" => rid(target_rg, "Microsoft.MachineLearningServices/workspaces", target),
            "blob" | "file" => rid(target_rg, "Microsoft.Storage/storageAccounts", target),
            "vault" => rid(target_rg, "Microsoft.KeyVault/vaults", target),
            "registry" => rid(target_rg, "Microsoft.ContainerRegistry/registries", target),
            _ => rid(target_rg, "Microsoft.Insights/privateLinkScopes", &self.insights.1),
        };
        let ip = self.ips.get(name).cloned().unwrap_or_default();
        let fqdn = self.fqdn(subresource, target);
        let connection = child(
            &id,
            "privateLinkServiceConnections",
            "Microsoft.Network/privateEndpoints/privateLinkServiceConnections",
            name,
            vec![
                ("privateLinkServiceId", s(target_id)),
                ("groupIds", J::A(vec![s(subresource)])),
                (
                    "privateLinkServiceConnectionState",
                    J::O(vec![
                        ("status", s("Approved")),
                        ("description", s("Auto-Approved")),
                        ("actionsRequired", s("None")),
                    ]),
                ),
            ],
        );
        let nic = rid(rg, "Microsoft.Network/networkInterfaces", &format!("{name}.nic.{}", guid(name)));
        self.push_id(
            &id,
            "Microsoft.Network/privateEndpoints",
            name,
            vec![],
            vec![
                ("resourceGuid", s(guid(&id))),
                ("subnet", reference(&subnet_id(rg, str_of(pe, "subnet").unwrap_or_default()))),
                ("privateLinkServiceConnections", J::A(vec![connection])),
                ("manualPrivateLinkServiceConnections", J::A(vec![])),
                ("networkInterfaces", J::A(vec![reference(&nic)])),
                ("customNetworkInterfaceName", s("")),
                ("ipConfigurations", J::A(vec![])),
                (
                    "customDnsConfigs",
                    J::A(vec![J::O(vec![("fqdn", s(fqdn.as_str())), ("ipAddresses", J::A(vec![s(ip.as_str())]))])]),
                ),
                ("applicationSecurityGroups", J::A(vec![])),
            ],
        );
        // D-2: the zone group registers the endpoint in the hub's privatelink zones.
        let zones = PRIVATE_ENDPOINTS.iter().find(|(_, sub, _, _)| *sub == subresource).map_or(&[][..], |e| e.3);
        let configs = (zones.iter())
            .map(|zone| {
                let zone_id = rid(&self.hub_rg, "Microsoft.Network/privateDnsZones", zone);
                let record = fqdn.split('.').next().unwrap_or_default();
                J::O(vec![
                    ("name", s(zone.replace('.', "-"))),
                    (
                        "properties",
                        J::O(vec![
                            ("privateDnsZoneId", s(zone_id)),
                            (
                                "recordSets",
                                J::A(vec![J::O(vec![
                                    ("recordType", s("A")),
                                    ("recordSetName", s(record)),
                                    ("fqdn", s(format!("{record}.{zone}"))),
                                    ("ttl", J::N(10)),
                                    ("ipAddresses", J::A(vec![s(ip.as_str())])),
                                    ("provisioningState", s("Succeeded")),
                                ])]),
                            ),
                        ]),
                    ),
                ])
            })
            .collect();
        self.push_id(
            &format!("{id}/privateDnsZoneGroups/default"),
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            &format!("{name}/default"),
            vec![],
            vec![("privateDnsZoneConfigs", J::A(configs))],
        );
    }

    /// The name a private endpoint's first DNS configuration holds (D-2).
    fn fqdn(&self, subresource: &str, target: &str) -> String {
        match subresource {
            "blob" | "file" => format!("{target}.{subresource}.core.windows.net"),
            "vault" => format!("{target}.vault.azure.net"),
            "registry" => format!("{target}.azurecr.io"),
            "amlworkspace" => format!("{}.workspace.{}.api.azureml.ms", guid(target), self.world.region),
            _ => "api.monitor.azure.com".to_string(),
        }
    }

    fn dns_zone(&mut self, rg: &str, zone: &Node) {
        let name = str_of(zone, "name").unwrap_or_default();
        let links = values(zone, "links");
        let id = self.push(
            rg,
            "Microsoft.Network/privateDnsZones",
            name,
            vec![],
            vec![
                ("maxNumberOfRecordSets", J::N(25000)),
                ("maxNumberOfVirtualNetworkLinks", J::N(1000)),
                ("maxNumberOfVirtualNetworkLinksWithRegistration", J::N(100)),
                ("numberOfVirtualNetworkLinks", J::N(links.len() as u64)),
                ("numberOfVirtualNetworkLinksWithRegistration", J::N(0)),
            ],
        );
        for vnet in links {
            let vnet_rg = self.vnets.get(&vnet).map_or(rg, |(r, _)| r.as_str()).to_string();
            let link = format!("{vnet}-link");
            self.push_id(
                &format!("{id}/virtualNetworkLinks/{link}"),
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                &format!("{name}/{link}"),
                vec![],
                vec![
                    ("virtualNetwork", reference(&rid(&vnet_rg, "Microsoft.Network/virtualNetworks", &vnet))),
                    ("registrationEnabled", J::B(false)),
                    ("virtualNetworkLinkState", s("Completed")),
                ],
            );
        }
    }
}

/// One NSG rule from its scenario fields, in Azure's names; Azure returns the singular and the
/// plural forms both, one of them empty.
fn security_rule(nsg_id: &str, segment: &str, rule: &Node) -> J {
    let word = |key: &str| capitalised(str_of(rule, key).unwrap_or_default());
    let protocol = match str_of(rule, "protocol").unwrap_or("*") {
        "*" | "any" => "*".to_string(),
        p => capitalised(p),
    };
    let mut props = vec![("protocol", s(protocol)), ("sourcePortRange", s("*")), ("sourcePortRanges", J::A(vec![]))];
    let mut side = |one: &'static str, many: &'static str, key: &str| {
        let all = values(rule, key);
        if all.len() > 1 {
            props.push((many, list(&all)));
        } else {
            props.push((one, s(all.first().map_or("*", String::as_str))));
            props.push((many, J::A(vec![])));
        }
    };
    side("destinationPortRange", "destinationPortRanges", "destination_ports");
    side("sourceAddressPrefix", "sourceAddressPrefixes", "source");
    side("destinationAddressPrefix", "destinationAddressPrefixes", "destination");
    props.extend([
        ("access", s(word("access"))),
        ("priority", number(rule, "priority")),
        ("direction", s(word("direction"))),
    ]);
    let name = str_of(rule, "name").unwrap_or_default();
    child(nsg_id, segment, &format!("Microsoft.Network/networkSecurityGroups/{segment}"), name, props)
}

/// The rules Azure adds to every NSG (N-5): name, description, direction, access, priority,
/// source, destination.
const DEFAULT_RULES: [(&str, &str, &str, &str, u64, &str, &str); 6] = [
    (
        "AllowVnetInBound",
        "Allow inbound traffic from all VMs in VNET",
        "Inbound",
        "Allow",
        65000,
        "VirtualNetwork",
        "VirtualNetwork",
    ),
    (
        "AllowAzureLoadBalancerInBound",
        "Allow inbound traffic from azure load balancer",
        "Inbound",
        "Allow",
        65001,
        "AzureLoadBalancer",
        "*",
    ),
    ("DenyAllInBound", "Deny all inbound traffic", "Inbound", "Deny", 65500, "*", "*"),
    (
        "AllowVnetOutBound",
        "Allow outbound traffic from all VMs to all VMs in VNET",
        "Outbound",
        "Allow",
        65000,
        "VirtualNetwork",
        "VirtualNetwork",
    ),
    (
        "AllowInternetOutBound",
        "Allow outbound traffic from all VMs to Internet",
        "Outbound",
        "Allow",
        65001,
        "*",
        "Internet",
    ),
    ("DenyAllOutBound", "Deny all outbound traffic", "Outbound", "Deny", 65500, "*", "*"),
];

fn default_rule(nsg_id: &str, rule: &(&str, &str, &str, &str, u64, &str, &str)) -> J {
    let &(name, description, direction, access, priority, source, destination) = rule;
    child(
        nsg_id,
        "defaultSecurityRules",
        "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
        name,
        vec![
            ("description", s(description)),
            ("protocol", s("*")),
            ("sourcePortRange", s("*")),
            ("destinationPortRange", s("*")),
            ("sourceAddressPrefix", s(source)),
            ("destinationAddressPrefix", s(destination)),
            ("sourcePortRanges", J::A(vec![])),
            ("destinationPortRanges", J::A(vec![])),
            ("sourceAddressPrefixes", J::A(vec![])),
            ("destinationAddressPrefixes", J::A(vec![])),
            ("access", s(access)),
            ("priority", J::N(priority)),
            ("direction", s(direction)),
        ],
    )
}

/// JSON as `az … -o json` prints it: two spaces a level, `"key": value`.
fn write_json(out: &mut String, value: &J, depth: usize) {
    let indent = |out: &mut String, depth: usize| {
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    match value {
        J::S(text) => quote(out, text),
        J::N(n) => {
            let _ = write!(out, "{n}");
        }
        J::B(b) => out.push_str(if *b { "true" } else { "false" }),
        J::A(items) if items.is_empty() => out.push_str("[]"),
        J::O(fields) if fields.is_empty() => out.push_str("{}"),
        J::A(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, depth + 1);
                write_json(out, item, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push(']');
        }
        J::O(fields) => {
            out.push_str("{\n");
            for (i, (key, item)) in fields.iter().enumerate() {
                indent(out, depth + 1);
                quote(out, key);
                out.push_str(": ");
                write_json(out, item, depth + 1);
                out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

fn quote(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
