//! The exfiltration audit against a small network: a compute cluster in a `training` subnet whose
//! NSG, service endpoints, policies, egress and (optional) hub firewall are the knobs. Each test
//! pins one classification rule (000 "Data exfiltration protection", S-5..S-7, F-8, F-9, O-1,
//! O-3) so that it fails when the rule is wrong; the last one checks that auditing every built-in
//! scenario twice gives the same findings.

use vnetsim_analysis::ExpectationResult;
use vnetsim_analysis::audit::{
    Class, Exfiltration, ExfiltrationKind, Severity, SourceAudit, audit, check_exfiltration_expectations,
};
use vnetsim_analysis::audit::{classify, protected_sources};
use vnetsim_analysis::expectation::{Decided, ExpectationKind, Observed};
use vnetsim_analysis::reach::{Group, Reach, ReachOptions, Reached, Space, most_specific_tag, reach};
use vnetsim_engine::{DeciderKind, Fabric};
use vnetsim_model::{EndpointId, Protocol, ServiceTagTable};
use vnetsim_report::explain::{exfiltration_words, reason_words};
use vnetsim_testkit::{compile, fabric, load_named};

/// Allows everything out: the firewall, the egress or the service decides.
const ALLOW_ALL: &str = "{name: allow-all-out, priority: 100, direction: outbound, access: allow, protocol: '*'}";

/// The knobs of the test network. Strings are YAML; empty means "not there".
#[derive(Clone, Copy, Default)]
struct Net<'a> {
    /// More keys of the training subnet's flow mapping, each starting with `, `.
    subnet: &'a str,
    /// More subnets of `ml` (one flow mapping per line) after `training` and `pe`.
    subnets: &'a str,
    /// Outbound rules of `training-nsg`, one flow mapping per line, ahead of its deny-all at 4000.
    nsg: &'a str,
    /// Rule collections of the hub firewall's policy (see [`app_rules`], [`network_rules`]). When
    /// set, a hub VNet holds the firewall `hub-fw` (10.1.0.4, SNAT to 20.1.0.10) and a 0.0.0.0/0
    /// UDR on the training subnet sends everything there.
    firewall: &'a str,
    /// More endpoints (one flow mapping per line) after the cluster `cpu`.
    endpoints: &'a str,
    /// More entries under `services:` (one flow mapping per line), after the own `mlstore`.
    services: &'a str,
    /// More top-level keys.
    tail: &'a str,
}

impl Net<'_> {
    fn yaml(&self) -> String {
        let indent = |text: &str, by: &str| text.lines().map(|l| format!("{by}{l}\n")).collect::<String>();
        let (route, peering, hub, firewall) = if self.firewall.is_empty() {
            Default::default()
        } else {
            (
                ", route_table: to-fw",
                "    peerings: [{remote_vnet: hub, allow_forwarded_traffic: true}]\n",
                "  - name: hub\n    address_space: [10.1.0.0/16]\n    subnets: [{name: AzureFirewallSubnet, prefix: 10.1.0.0/26}]\n    peerings: [{remote_vnet: ml, allow_forwarded_traffic: true}]\n",
                format!(
                    r#"route_tables:
  - name: to-fw
    routes: [{{name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.1.0.4}}]
firewalls:
  - {{name: hub-fw, vnet: hub, ip: 10.1.0.4, public_ips: [20.1.0.10], policy: fw-policy}}
firewall_policies:
  - name: fw-policy
    rule_collection_groups:
      - name: rules
        priority: 100
        rule_collections:
{}"#,
                    indent(self.firewall, "          ")
                ),
            )
        };
        format!(
            r#"name: audit
region: eastus
vnets:
  - name: ml
    address_space: [10.0.0.0/16]
    subnets:
      - {{name: training, prefix: 10.0.1.0/24, nsg: training-nsg{route}{subnet}}}
      - {{name: pe, prefix: 10.0.2.0/24}}
{subnets}{peering}{hub}nsgs:
  - name: training-nsg
    rules:
{nsg}      - {{name: deny-all-out, priority: 4000, direction: outbound, access: deny, protocol: '*'}}
endpoints:
  - {{name: cpu, kind: compute_cluster, node_count: 2, subnet: ml/training}}
{endpoints}services:
  - {{name: mlstore, kind: storage_account}}
{services}{firewall}{tail}"#,
            subnet = self.subnet,
            subnets = indent(self.subnets, "      - "),
            endpoints = indent(self.endpoints, "  - "),
            nsg = indent(self.nsg, "      - "),
            services = indent(self.services, "  - "),
            tail = self.tail,
        )
    }

    fn fabric(&self) -> Fabric {
        fabric(&self.yaml())
    }
}

/// An application rule collection allowing `fqdns` on Https:443 from anywhere (F-8).
fn app_rules(fqdns: &str) -> String {
    format!(
        "- name: apps\n  priority: 200\n  type: application\n  action: allow\n  rules:\n    - {{name: web, source_addresses: ['*'], protocols: [Https], target_fqdns: [{fqdns}]}}\n"
    )
}

/// A network rule collection allowing TCP 443 to `destinations` from anywhere (F-6).
fn network_rules(destinations: &str) -> String {
    format!(
        "- name: tags\n  priority: 100\n  type: network\n  action: allow\n  rules:\n    - {{name: out, source_addresses: ['*'], protocols: [tcp], destination_addresses: [{destinations}], destination_ports: [443]}}\n"
    )
}

/// The cluster behind the hub firewall with `app_rules(fqdns)`, its NSG open and no other way
/// out.
fn behind_firewall(fqdns: &str) -> Fabric {
    let rules = app_rules(fqdns);
    Net { nsg: ALLOW_ALL, firewall: &rules, subnet: ", default_outbound_access: false", ..Net::default() }.fabric()
}

fn endpoint(f: &Fabric, name: &str) -> EndpointId {
    let i = f.scenario.endpoints.iter().position(|e| e.name == name).unwrap_or_else(|| panic!("no endpoint {name}"));
    EndpointId::from_index(i)
}

/// The audit of node 0 of `cpu`.
fn audit_cpu(f: &Fabric, options: ReachOptions) -> (Space, SourceAudit) {
    let (space, mut result) = audit(f, &[endpoint(f, "cpu")], options);
    assert_eq!(result.sources.len(), 1);
    (space, result.sources.remove(0))
}

/// Everything node 0 of `cpu` can send (a `SourceAudit` keeps only its findings' groups).
fn reach_cpu(f: &Fabric, space: &Space) -> Reach {
    let nic = f.scenario.primary_nic(endpoint(f, "cpu"), 0).expect("cpu has a NIC");
    reach(f, space, nic)
}

fn destinations(a: &SourceAudit) -> Vec<&Exfiltration> {
    a.findings.iter().map(|f| &f.destination).collect()
}

fn storage(region: &str) -> Exfiltration {
    Exfiltration::StorageAccount { region: Some(region.to_string()) }
}

fn host(name: &str) -> Exfiltration {
    Exfiltration::WriteCapableHost { name: name.to_string() }
}

fn has(a: &SourceAudit, d: &Exfiltration) -> bool {
    a.findings.iter().any(|f| f.destination == *d)
}

fn finding<'a>(a: &'a SourceAudit, d: &Exfiltration) -> &'a vnetsim_analysis::audit::Finding {
    a.findings
        .iter()
        .find(|f| f.destination == *d)
        .unwrap_or_else(|| panic!("no finding {d:?} in {:?}", destinations(a)))
}

const STORAGE_ALL: &str = "{name: allow-storage, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: Storage, destination_ports: 443}";

#[test]
fn s5_a_policy_filters_the_endpoints_regions_only() {
    let policy = "service_endpoint_policies:\n  - {name: mine, resources: [mlstore]}\n";
    let with_policy = Net {
        subnet: ", service_endpoints: [Microsoft.Storage], service_endpoint_policies: [mine]",
        nsg: STORAGE_ALL,
        tail: policy,
        ..Net::default()
    };
    let (_, a) = audit_cpu(&with_policy.fabric(), ReachOptions::default());
    let found = destinations(&a);
    // eastus and its pair westus ride the service endpoint and meet the policy (S-5, R-12).
    assert!(!has(&a, &storage("eastus")), "the policy refuses unlisted eastus accounts: {found:?}");
    assert!(!has(&a, &storage("westus")), "the pair is filtered too: {found:?}");
    // Another region's accounts leave by default outbound and are not filtered (S-5).
    let elsewhere = finding(&a, &storage("westeurope"));
    assert_eq!(elsewhere.destination.severity(), Severity::High);
    assert_eq!(exfiltration_words(&elsewhere.destination), "any storage account in westeurope (Storage.westeurope)");
    assert!(elsewhere.opened_by.iter().any(|d| d.matches("training-nsg/allow-storage")), "{:?}", elsewhere.opened_by);
    // The parent tag's remainder is storage no region names.
    assert!(has(&a, &Exfiltration::StorageAccount { region: None }), "{found:?}");

    // Without a policy every account over the endpoint is reachable (S-5 "No policy").
    let no_policy = Net { subnet: ", service_endpoints: [Microsoft.Storage]", ..with_policy };
    let (_, a) = audit_cpu(&no_policy.fabric(), ReachOptions::default());
    assert!(has(&a, &storage("eastus")) && has(&a, &storage("westus")), "{:?}", destinations(&a));
}

#[test]
fn s5_the_own_listed_account_stays_own_behind_the_policy() {
    let net = Net {
        subnet: ", service_endpoints: [Microsoft.Storage], service_endpoint_policies: [mine]",
        nsg: STORAGE_ALL,
        tail: "service_endpoint_policies:\n  - {name: mine, resources: [mlstore]}\n",
        ..Net::default()
    };
    let f = net.fabric();
    let space = Space::new(&f, ReachOptions::default());
    let mlstore = f.scenario.services.iter().position(|s| s.name == "mlstore").unwrap();
    let all = reach_cpu(&f, &space);
    let own: Vec<_> = (all.delivered())
        .filter(|g| matches!(g.reached, Some(Reached::Service(id)) if id.index() == mlstore))
        .collect();
    assert!(!own.is_empty(), "the listed account is reachable over the endpoint");
    assert!(own.iter().all(|g| g.works() && classify(&f, &space, g) == Class::Own));
}

#[test]
fn front_door_frontend_is_a_high_finding_from_an_nsg_or_a_firewall_rule() {
    let nsg = Net {
        nsg: "{name: allow-frontdoor, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: AzureFrontDoor.FrontEnd, destination_ports: 443}",
        ..Net::default()
    };
    let (_, a) = audit_cpu(&nsg.fabric(), ReachOptions::default());
    let fd = finding(&a, &Exfiltration::FrontDoor);
    assert_eq!(fd.destination.severity(), Severity::High);
    assert!(fd.opened_by.iter().any(|d| d.matches("training-nsg/allow-frontdoor")), "{:?}", fd.opened_by);
    // The studio's own Front Door address (ml.azure.com) is Microsoft's, read-only egress (000).
    assert!(a.read_only.iter().any(|n| n == "azureml-studio"), "{:?}", a.read_only);
    assert_eq!(a.findings.len(), 1, "{:?}", destinations(&a));

    let rules = network_rules("AzureFrontDoor.FrontEnd");
    let fw = Net { nsg: ALLOW_ALL, firewall: &rules, subnet: ", default_outbound_access: false", ..Net::default() };
    let (_, a) = audit_cpu(&fw.fabric(), ReachOptions::default());
    let fd = finding(&a, &Exfiltration::FrontDoor);
    assert!(fd.opened_by.iter().any(|d| d.matches("hub-fw/rules/tags/out")), "{:?}", fd.opened_by);
}

#[test]
fn multi_tenant_tags_are_anyones_resources_and_microsoft_tags_read_only() {
    let net = Net {
        nsg: "{name: allow-sql, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: Sql, destination_ports: 443}
{name: allow-entra, priority: 110, direction: outbound, access: allow, protocol: tcp, destination: AzureActiveDirectory, destination_ports: 443}",
        ..Net::default()
    };
    let (_, a) = audit_cpu(&net.fabric(), ReachOptions::default());
    let sql = Exfiltration::TenantResource { tag: "Sql.eastus".into() };
    assert_eq!(finding(&a, &sql).destination.severity(), Severity::High);
    assert!(
        destinations(&a).iter().all(|d| matches!(d, Exfiltration::TenantResource { tag } if tag.starts_with("Sql")))
    );
    assert!(a.read_only.iter().any(|n| n == "service tag AzureActiveDirectory"), "{:?}", a.read_only);
}

#[test]
fn f9_a_wildcard_over_a_multi_tenant_domain_lets_attacker_registered_names_out() {
    // `*.blob.core.windows.net` matches attacker-chosen.blob.core.windows.net (F-9): the account
    // it reaches is the attacker's, in every region of the Storage tag.
    let f = behind_firewall("'*.blob.core.windows.net'");
    let (space, a) = audit_cpu(&f, ReachOptions::default());
    for region in ["eastus", "westus", "westeurope"] {
        let found = finding(&a, &storage(region));
        let witness = found.witness(&a.reach);
        let name = witness.name.map(|n| space.names.list[n as usize].as_str());
        assert_eq!(name, Some("attacker-chosen.blob.core.windows.net"));
        assert!(found.opened_by.iter().any(|d| d.matches("hub-fw/rules/apps/web")), "{:?}", found.opened_by);
    }

    // Under a claimable domain with no Storage account behind it the finding is the name itself.
    let (_, a) = audit_cpu(&behind_firewall("'*.azurefd.net'"), ReachOptions::default());
    let name = Exfiltration::MultiTenantName { name: "attacker-chosen.azurefd.net".into() };
    assert_eq!(finding(&a, &name).destination.severity(), Severity::High);
}

/// F-9's field note: `*pytorch.org` matches every name ending in `pytorch.org`, so besides the
/// intended pytorch.org (read-only egress) it lets out `attacker-chosen-pytorch.org`, which
/// anyone can register: a high finding naming the pattern, opened by the rule, with that name as
/// the witness's SNI. The old reading refused the target, and a `*.pytorch.org` rule (no such
/// name) gives no finding.
#[test]
fn f9_a_suffix_rule_lets_a_registrable_name_out_beside_its_intended_domain() {
    let f = behind_firewall("'*pytorch.org'");
    let (space, a) = audit_cpu(&f, ReachOptions::default());
    let registrable =
        Exfiltration::RegistrableName { name: "attacker-chosen-pytorch.org".into(), pattern: "*pytorch.org".into() };
    let found = finding(&a, &registrable);
    assert_eq!(found.destination.severity(), Severity::High);
    assert!(found.opened_by.iter().any(|d| d.matches("hub-fw/rules/apps/web")), "{:?}", found.opened_by);
    assert_eq!(found.opening_rule().map(|d| d.rule.as_deref()), Some(Some("rules/apps/web")));
    let witness = found.witness(&a.reach);
    assert_eq!(witness.name.map(|n| space.names.list[n as usize].as_str()), Some("attacker-chosen-pytorch.org"));
    assert!(a.read_only.iter().any(|r| r == "pytorch.org"), "{:?}", a.read_only);
    assert_eq!(destinations(&a), [&registrable], "nothing else gets out");
    assert_eq!(
        exfiltration_words(&registrable),
        "a name anyone can register that *pytorch.org matches, such as attacker-chosen-pytorch.org (F-9)"
    );

    // Reach shows the registrable name as its own group, apart from pytorch.org.
    let r = reach_cpu(&f, &space);
    let named =
        |name: &str| r.groups.iter().filter(|g| g.name.is_some_and(|n| space.names.list[n as usize] == name)).count();
    assert!(named("attacker-chosen-pytorch.org") >= 1 && named("pytorch.org") >= 1);

    let (_, a) = audit_cpu(&behind_firewall("'*.pytorch.org'"), ReachOptions::default());
    assert!(a.findings.is_empty(), "{:?}", destinations(&a));
}

/// One NSG rule to a multi-tenant tag gives a finding per regional tag, per source; the audit's
/// groups fold them by (kind, the rule that lets the data out) across sources, every finding
/// kept once, and a medium group comes after the high ones.
#[test]
fn findings_group_by_kind_and_opening_rule_across_sources() {
    let net = Net {
        nsg: "{name: allow-sql, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: Sql, destination_ports: 443}
{name: allow-fd, priority: 110, direction: outbound, access: allow, protocol: tcp, destination: AzureFrontDoor.FrontEnd, destination_ports: 443}
{name: allow-monitor, priority: 120, direction: outbound, access: allow, protocol: tcp, destination: AzureMonitor, destination_ports: 443}",
        endpoints: "{name: ci, kind: compute_instance, subnet: ml/training}",
        tail: "audit:\n  write_capable: [AzureMonitor]\n",
        ..Net::default()
    };
    let f = net.fabric();
    let (_, result) = audit(&f, &protected_sources(&f), ReachOptions::default());
    assert_eq!(result.sources.len(), 2);
    let count = |kind: ExfiltrationKind| {
        result.sources.iter().flat_map(|s| &s.findings).filter(|x| x.destination.kind() == kind).count()
    };
    assert!(count(ExfiltrationKind::TenantResource) > 2, "one finding per regional Sql tag and source");
    let groups = result.groups();
    let summary: Vec<(ExfiltrationKind, Option<&str>, usize)> = groups
        .iter()
        .map(|g| (g.kind, g.opened_by.as_ref().and_then(|d| d.rule.as_deref()), g.members.len()))
        .collect();
    let high = &summary[..2];
    assert!(high.contains(&(
        ExfiltrationKind::TenantResource,
        Some("allow-sql"),
        count(ExfiltrationKind::TenantResource)
    )));
    assert!(high.contains(&(ExfiltrationKind::FrontDoor, Some("allow-fd"), count(ExfiltrationKind::FrontDoor))));
    assert_eq!(
        summary[2..],
        [(ExfiltrationKind::WriteCapableHost, Some("allow-monitor"), count(ExfiltrationKind::WriteCapableHost))]
    );
    let mut members: Vec<(usize, usize)> = groups.iter().flat_map(|g| g.members.iter().copied()).collect();
    members.sort_unstable();
    let all: Vec<(usize, usize)> =
        result.sources.iter().enumerate().flat_map(|(i, s)| (0..s.findings.len()).map(move |j| (i, j))).collect();
    assert_eq!(members, all, "every finding in exactly one group");
}

#[test]
fn f8_an_exact_read_only_name_is_egress_not_exfiltration() {
    let (_, a) = audit_cpu(&behind_firewall("pypi.org"), ReachOptions::default());
    assert!(a.findings.is_empty(), "{:?}", destinations(&a));
    assert!(a.read_only.iter().any(|n| n == "pypi.org"), "{:?}", a.read_only);
}

#[test]
fn f8_with_sni_spoofing_an_exact_name_reaches_any_destination() {
    // Without TLS inspection the firewall sees only the SNI (F-8): a client that sends
    // `pypi.org` to any address passes the pypi.org rule. Where the data lands is the
    // destination's, not the name's: an internet address no service holds is the attacker's
    // server, github.com accepts writes, an undeclared storage account is the attacker's.
    let f = behind_firewall("pypi.org");
    let (_, honest) = audit_cpu(&f, ReachOptions::default());
    assert!(honest.findings.is_empty(), "{:?}", destinations(&honest));

    let options = ReachOptions { sni_spoofing: true };
    let (space, spoofed) = audit_cpu(&f, options);
    assert!(has(&spoofed, &storage("eastus")), "{:?}", destinations(&spoofed));
    let pypi = (reach_cpu(&f, &space).groups.into_iter())
        .filter(|g| g.works() && g.name.is_some_and(|n| space.names.list[n as usize] == "pypi.org"))
        .collect::<Vec<_>>();
    let github = f.scenario.services.iter().position(|s| s.name == "github.com").expect("built-in host");
    let at_github = |g: &Group| matches!(g.reached, Some(Reached::Service(id)) if id.index() == github);
    assert!(pypi.iter().any(|g| g.reached == Some(Reached::Internet)) && pypi.iter().any(at_github));
    let mut wrong = Vec::new();
    for g in &pypi {
        let expected = match g.reached {
            // Addresses of a service tag are that tag's (classified by the destination too).
            Some(Reached::Internet) if most_specific_tag(&f, g.witness.destination).is_some() => continue,
            Some(Reached::Internet) => Exfiltration::InternetHost,
            _ if at_github(g) => host("github.com"),
            _ => continue,
        };
        let class = classify(&f, &space, g);
        if class != Class::Exfiltration(expected.clone()) {
            wrong.push(format!("{} with SNI pypi.org: {class:?}, expected {expected:?}", g.witness.destination));
        }
    }
    assert!(wrong.is_empty(), "classified by the SNI instead of the destination:\n{}", wrong.join("\n"));
    assert!(has(&spoofed, &Exfiltration::InternetHost), "{:?}", destinations(&spoofed));
}

#[test]
fn o1_o3_internet_egress_is_an_internet_host_finding() {
    // Default outbound access (O-3) with an open NSG.
    let open = Net { nsg: ALLOW_ALL, ..Net::default() };
    let (_, a) = audit_cpu(&open.fabric(), ReachOptions::default());
    let internet = finding(&a, &Exfiltration::InternetHost);
    assert_eq!(internet.destination.severity(), Severity::High);

    // A private subnet has no way out (O-3) ...
    let private = Net { subnet: ", default_outbound_access: false", ..open };
    let (_, a) = audit_cpu(&private.fabric(), ReachOptions::default());
    assert!(!has(&a, &Exfiltration::InternetHost), "{:?}", destinations(&a));

    // ... until a NAT gateway gives it one (O-1, O-2).
    let nat = Net {
        subnet: ", default_outbound_access: false, nat_gateway: nat",
        tail: "nat_gateways:\n  - {name: nat, public_ips: [20.0.0.20]}\n",
        ..open
    };
    let (_, a) = audit_cpu(&nat.fabric(), ReachOptions::default());
    let internet = finding(&a, &Exfiltration::InternetHost);
    assert!(
        internet.opened_by.iter().any(|d| d.kind == DeciderKind::NatGateway && d.name == "nat"),
        "{:?}",
        internet.opened_by
    );
}

#[test]
fn a_firewall_rule_to_a_write_capable_host_is_a_medium_finding() {
    let (_, a) = audit_cpu(&behind_firewall("github.com"), ReachOptions::default());
    assert_eq!(destinations(&a), [&host("github.com")]);
    assert_eq!(a.findings[0].destination.severity(), Severity::Medium);
    assert!(a.findings[0].opened_by.iter().any(|d| d.matches("hub-fw/rules/apps/web")));
}

#[test]
fn audit_overrides_reclassify_destinations() {
    let fw = |fqdns: &str, tail: &str| {
        let rules = app_rules(fqdns);
        let net = Net {
            nsg: ALLOW_ALL,
            firewall: &rules,
            subnet: ", default_outbound_access: false",
            tail,
            ..Net::default()
        };
        audit_cpu(&net.fabric(), ReachOptions::default()).1
    };
    // read_only removes the built-in write-capable github.com ...
    let a = fw("github.com", "audit:\n  read_only: [github.com]\n");
    assert!(a.findings.is_empty(), "{:?}", destinations(&a));
    assert!(a.read_only.iter().any(|n| n == "github.com"), "{:?}", a.read_only);
    // ... write_capable makes the built-in read-only pypi.org one.
    let a = fw("pypi.org", "audit:\n  write_capable: [pypi.org]\n");
    assert_eq!(destinations(&a), [&host("pypi.org")]);

    // A service tag in read_only covers the addresses it holds.
    let frontdoor = "{name: allow-frontdoor, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: AzureFrontDoor.FrontEnd, destination_ports: 443}";
    let net = Net { nsg: frontdoor, tail: "audit:\n  read_only: [AzureFrontDoor.FrontEnd]\n", ..Net::default() };
    let (_, a) = audit_cpu(&net.fabric(), ReachOptions::default());
    assert!(a.findings.is_empty(), "{:?}", destinations(&a));

    // foreign: a declared account that is not the scenario's own.
    let region = "{name: allow-storage, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: Storage.eastus, destination_ports: 443}";
    let partner = Net { nsg: region, services: "{name: partnerstore, kind: storage_account}", ..Net::default() };
    let foreign = Exfiltration::ForeignService { name: "partnerstore".into() };
    let (_, a) = audit_cpu(&partner.fabric(), ReachOptions::default());
    assert!(!has(&a, &foreign), "a declared service is own by default: {:?}", destinations(&a));
    let (_, a) =
        audit_cpu(&Net { tail: "audit:\n  foreign: [partnerstore]\n", ..partner }.fabric(), ReachOptions::default());
    assert_eq!(finding(&a, &foreign).destination.severity(), Severity::Medium);
    assert!(!has(&a, &Exfiltration::ForeignService { name: "mlstore".into() }));
}

#[test]
fn audit_sources_replace_the_default_protected_sources() {
    let net = Net { endpoints: "{name: jump, kind: vm, subnet: ml/pe}", ..Net::default() };
    let f = net.fabric();
    assert_eq!(protected_sources(&f), [endpoint(&f, "cpu")], "AML compute by default, not VMs");
    let f = Net { tail: "audit:\n  sources: [jump]\n", ..net }.fabric();
    assert_eq!(protected_sources(&f), [endpoint(&f, "jump")]);
}

#[test]
fn p1_a_private_endpoint_to_the_own_account_is_never_a_finding() {
    let net = Net {
        nsg: "{name: allow-pe, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: 10.0.2.0/24, destination_ports: 443}",
        services: "{name: vault, kind: key_vault, public_network_access: Disabled}",
        tail: "private_endpoints:\n  - {name: pe-blob, subnet: ml/pe, target: mlstore, subresource: blob}\n  - {name: pe-kv, subnet: ml/pe, target: vault, subresource: vault}\n",
        ..Net::default()
    };
    let f = net.fabric();
    let (space, a) = audit_cpu(&f, ReachOptions::default());
    let all = reach_cpu(&f, &space);
    let services: Vec<&str> = (all.delivered())
        .filter(|g| g.works())
        .filter_map(|g| match g.reached {
            Some(Reached::Service(id)) => Some(f.scenario.service(id).name.as_str()),
            _ => None,
        })
        .collect();
    assert!(services.contains(&"mlstore") && services.contains(&"vault"), "{services:?}");
    assert!(a.findings.is_empty(), "{:?}", destinations(&a));
}

#[test]
fn a_tcp_path_without_its_reply_carries_no_data_but_udp_one_way_does() {
    // Out through a forwarding NVA with a public IP; the NVA's subnet blackholes the route back
    // to training, so replies die there while requests reach the internet.
    let net = Net {
        nsg: ALLOW_ALL,
        subnet: ", route_table: via-nva",
        subnets: "{name: nva, prefix: 10.0.3.0/24, route_table: blackhole}",
        endpoints: "{name: router, kind: nva, subnet: ml/nva, ip: 10.0.3.4, public_ip: 20.0.3.4}",
        tail: r#"route_tables:
  - name: via-nva
    routes: [{name: default, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: 10.0.3.4}]
  - name: blackhole
    routes: [{name: no-return, prefix: 10.0.1.0/24, next_hop: None}]
"#,
        ..Net::default()
    };
    let f = net.fabric();
    let (space, a) = audit_cpu(&f, ReachOptions::default());
    let all = reach_cpu(&f, &space);
    let to_internet =
        |p: Protocol| (all.delivered()).filter(move |g| g.protocol == p && g.reached == Some(Reached::Internet));
    assert!(to_internet(Protocol::Tcp).count() > 0, "TCP requests reach the internet");
    assert!(to_internet(Protocol::Tcp).all(|g| !g.works()), "... and their replies are lost");
    let internet = finding(&a, &Exfiltration::InternetHost);
    assert!(internet.groups.iter().any(|i| a.reach.groups[*i].protocol == Protocol::Udp), "UDP carries data one way");
    let protocols: Vec<Protocol> =
        a.findings.iter().flat_map(|x| &x.groups).map(|i| a.reach.groups[*i].protocol).collect();
    assert!(!protocols.contains(&Protocol::Tcp), "a TCP path without its reply is no path: {protocols:?}");
}

/// An NSG with one exfiltration path (Front Door) and one rule that opens only read-only egress.
const TWO_RULES: &str = "{name: allow-frontdoor, priority: 100, direction: outbound, access: allow, protocol: tcp, destination: AzureFrontDoor.FrontEnd, destination_ports: 443}
{name: allow-azureml, priority: 110, direction: outbound, access: allow, protocol: tcp, destination: AzureMachineLearning, destination_ports: 443}";

#[test]
fn exfiltration_expectations_pass_and_fail_with_evidence() {
    let expect = "expect:
  - {from: cpu, outcome: no_exfiltration}
  - {from: cpu, outcome: exfiltration}
  - {from: cpu, outcome: exfiltration, by: training-nsg/allow-frontdoor}
  - {from: cpu, outcome: exfiltration, by: training-nsg/allow-azureml}
";
    let f = Net { nsg: TWO_RULES, tail: expect, ..Net::default() }.fabric();
    let results = check_exfiltration_expectations(&f);
    let passed: Vec<bool> = results.iter().map(|r| r.passed).collect();
    assert_eq!(passed, [false, true, true, false], "{results:#?}");
    assert!(results.iter().all(|r| r.kind == ExpectationKind::Exfiltration && r.actual == Observed::Exfiltration));
    let reason = |r: &ExpectationResult| r.reason.as_ref().map_or_else(String::new, |why| reason_words(&f, why));

    let none = &results[0];
    assert!(
        reason(none).starts_with("expected no exfiltration path, but 1 found: any Azure Front Door"),
        "{}",
        reason(none)
    );
    assert!(
        none.decided_by.as_ref().is_some_and(|d| d.matches("training-nsg/allow-frontdoor")),
        "{:?}",
        none.decided_by
    );
    let evidence = none.evidence.as_ref().expect("a failed expectation shows its witness");
    assert!(evidence.connection.allowed(), "the witness connection works");
    // The trace goes to the witness packet's destination, an AzureFrontDoor.FrontEnd address.
    let witness = evidence.connection.packet.expect("the witness packet");
    assert_eq!((evidence.from.as_str(), evidence.to.clone()), ("cpu", witness.destination.to_string()));

    assert!(results[1].evidence.is_none() && results[2].evidence.is_none(), "passing results carry no evidence");
    assert_eq!(results[2].expected_by.as_deref(), Some("training-nsg/allow-frontdoor"));
    assert!(results[2].decided_by.as_ref().is_some_and(|d| d.matches("training-nsg/allow-frontdoor")));

    let wrong_by = &results[3];
    assert_eq!(
        reason(wrong_by),
        "expected an exfiltration path opened by training-nsg/allow-azureml, but none of the 1 found is"
    );
    assert!(wrong_by.evidence.is_some(), "the finding that exists is shown");

    // The same source with only read-only egress.
    let clean_rules = TWO_RULES.lines().nth(1).unwrap();
    let f =
        Net { nsg: clean_rules, tail: &expect.replace("allow-frontdoor", "allow-azureml"), ..Net::default() }.fabric();
    let results = check_exfiltration_expectations(&f);
    let passed: Vec<bool> = results.iter().map(|r| r.passed).collect();
    assert_eq!(passed, [true, false, false, false], "{results:#?}");
    assert!(results.iter().all(|r| r.actual == Observed::NoExfiltration && r.evidence.is_none()));
    let reason = |r: &ExpectationResult| r.reason.as_ref().map_or_else(String::new, |why| reason_words(&f, why));
    assert_eq!(reason(&results[1]), "expected an exfiltration path, but the audit finds none");
    assert_eq!(results[0].disposition, Decided::Nothing);
}

#[test]
fn the_audit_of_every_built_in_scenario_is_deterministic() {
    let files = vnetsim_testkit::builtin_scenarios();
    // One thread per scenario: debug builds walk tens of thousands of classes each.
    std::thread::scope(|scope| {
        for path in &files {
            scope.spawn(move || {
                let text = std::fs::read_to_string(path).expect("readable scenario");
                let name = path.display().to_string();
                let f = compile(load_named(&name, &text, &ServiceTagTable::builtin()));
                let sources = protected_sources(&f);
                let run = || {
                    let (_, a) = audit(&f, &sources, ReachOptions::default());
                    let sources: Vec<_> = a.sources.iter().map(|s| (s.source, &s.findings, &s.read_only)).collect();
                    format!("{sources:?}")
                };
                assert_eq!(run(), run(), "{name}: two audits differ");
            });
        }
    });
}

#[test]
fn an_internet_group_holds_one_service_tag_so_the_audit_classifies_every_address() {
    // One NSG rule opens part of a tag's range and an arbitrary internet range by the same
    // path. Grouped by path alone, the tag's first address would classify both as read-only
    // egress and hide the way out to 50.0.0.0/8.
    let rule = "{name: allow-two, priority: 100, direction: outbound, access: allow, protocol: '*', destination: [40.64.0.0/16, 50.0.0.0/8]}";
    let net = Net { nsg: rule, ..Net::default() };
    let f = net.fabric();
    let (space, a) = audit_cpu(&f, ReachOptions::default());
    let internet = finding(&a, &Exfiltration::InternetHost);
    let group = internet.witness(&a.reach);
    assert!(group.contains(u32::from(std::net::Ipv4Addr::new(50, 1, 2, 3)), 443), "{group:?}");
    assert!(!group.contains(u32::from(std::net::Ipv4Addr::new(40, 64, 0, 0)), 443), "{group:?}");
    // Every internet group of the reach is within one tag (or none), at each end of each range.
    for g in reach_cpu(&f, &space).groups.iter().filter(|g| g.reached == Some(Reached::Internet)) {
        let tag = |a: u32| most_specific_tag(&f, std::net::IpAddr::V4(a.into())).map(|t| t.name.clone());
        let first = tag(g.ranges[0].0.0);
        for ((lo, hi), _) in &g.ranges {
            assert_eq!((tag(*lo), tag(*hi)), (first.clone(), first.clone()), "{g:?}");
        }
    }
}
