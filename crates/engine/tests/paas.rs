//! The PaaS rules of `azure-semantics.md`: private endpoint routes (§2 R-12, R-13), private
//! endpoints (§3 P-), DNS as packets (§4 D-), service endpoints, policies and resource firewalls
//! (§5 S-), the Azure ML specifics (§9 A-7, A-9, A-11, A-12) and loaded service tags (§10 T-).
//! One or more tests per rule id, each named after its rule.
//!
//! Each scenario is built so that the naive reading of the rule (a UDR always beats a system
//! route, the subnet NSG always applies, the client's VNet decides which zones it sees, an IP
//! rule matches whatever source IP the caller has, ...) gives a different answer. Assertions name
//! the steps, admissions, arrivals and DNS answers the rule demands, not only allowed or denied.

use vnetsim_config::place::{End, parse_place};
use vnetsim_config::{load_scenario, load_service_tags};
use vnetsim_engine::dns::{AnswerSource, DnsOutcome, HopReason, Record, Resolution, ServerRole};
use vnetsim_engine::fabric::routes::{RouteOrigin, RouteState};
use vnetsim_engine::query::QueryError;
use vnetsim_engine::service::{Admission, Arrival};
use vnetsim_engine::trace::PeCheck;
use vnetsim_engine::{Connection, Disposition, Fabric, Options, Step};
use vnetsim_model::public_services::FOREIGN_SERVICES;
use vnetsim_model::{Destination, NextHop, Place, Protocol, ServiceId, ServiceTagTable};
use vnetsim_testkit::{
    connect, connect_with, fabric, fabric_with, ip, load_with, nic, nic_name, outcome, private_endpoint, service,
    source, subnet, vnet,
};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// The lines (1-based) the loader reports errors at; empty when the scenario loads.
fn error_lines(yaml: &str) -> Vec<u32> {
    load_scenario("paas.yaml", yaml, &ServiceTagTable::builtin())
        .err()
        .unwrap_or_default()
        .iter()
        .map(|d| d.loc.line)
        .collect()
}

/// Resolves `name` as `from` would, hop by hop.
fn resolve(f: &Fabric, from: &str, name: &str) -> Resolution {
    let (origin, address) = f.origin_of(source(f, from)).expect("a source");
    f.resolve(origin, address, name)
}

/// The service's decision at the end of the request: (service, arrival, admission).
fn service_step(c: &Connection) -> Option<(ServiceId, Arrival, Admission)> {
    c.request.steps.iter().find_map(|s| match *s {
        Step::Service { service, arrival, admission } => Some((service, arrival, admission)),
        _ => None,
    })
}

/// The routes a trace took: `<prefix> <next hop> by <decider>`.
fn routes_taken(f: &Fabric, steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|s| match *s {
            Step::Route { subnet, route, private_endpoint } => {
                let r = f.route_table(subnet, private_endpoint).route(route);
                let by = f.decider(s).map(|d| d.to_string()).unwrap_or_default();
                Some(format!("{} {} by {by}", r.prefix, r.next_hop))
            }
            _ => None,
        })
        .collect()
}

/// The appliances a trace passed, by endpoint name.
fn appliances<'f>(f: &'f Fabric, steps: &[Step]) -> Vec<&'f str> {
    steps
        .iter()
        .filter_map(|s| match *s {
            Step::Appliance { nic, .. } => Some(nic_name(f, nic)),
            _ => None,
        })
        .collect()
}

/// The answers of a resolution: `<name> <record> <where from>`.
fn answers(f: &Fabric, r: &Resolution) -> Vec<String> {
    r.answers
        .iter()
        .map(|a| {
            let record = match &a.record {
                Record::Cname(target) => format!("CNAME {target}"),
                Record::A(address) => format!("A {address}"),
                Record::NxDomain => "NXDOMAIN".into(),
            };
            let source = match a.source {
                AnswerSource::Public => "public".to_string(),
                AnswerSource::Foreign { service } => format!("foreign {}", FOREIGN_SERVICES[service].kind),
                AnswerSource::StandIn => "stand-in".to_string(),
                AnswerSource::PrivateZone { zone, vnet, redirected } => format!(
                    "{}zone {} linked to {}",
                    if redirected { "redirected by " } else { "" },
                    f.scenario.zones[zone.index()].name,
                    f.scenario.vnet(vnet).name
                ),
            };
            format!("{} {record} {source}", a.name)
        })
        .collect()
}

/// A UDR named `name` sending `prefix` to the appliance at `next_hop_ip`.
fn udr(name: &str, prefix: &str, next_hop_ip: &str) -> String {
    format!("{{ name: {name}, prefix: {prefix}, next_hop: VirtualAppliance, next_hop_ip: {next_hop_ip} }}")
}

/// The HTTPS URL of a storage account's blob endpoint.
fn blob(account: &str) -> String {
    format!("https://{account}.blob.core.windows.net")
}

/// The effective route for `prefix` in a subnet's ordinary table, with its state, for every
/// route of that prefix: `(next hop, state)`.
fn effective(f: &Fabric, subnet_path: &str, prefix: &str) -> Vec<(NextHop, RouteState)> {
    let prefix = prefix.parse().expect("prefix");
    let table = f.route_table(subnet(f, subnet_path), false);
    table.routes.iter().filter(|r| r.prefix == prefix).map(|r| (r.next_hop, r.state)).collect()
}

// ---------------------------------------------------------------------------------------------
// R-13, P-6, P-8, P-9: a hub with an NVA, a spoke holding a private endpoint, a VNet peered with
// the hub only
// ---------------------------------------------------------------------------------------------

const NVA: &str = "10.0.1.4";
const PE_IP: &str = "10.1.2.10";

/// `client_routes`: the routes of `client-rt` on spoke/app (YAML flow mappings, comma-separated).
/// `pe_subnet`: extra keys of spoke/pe (`, nsg: pe-nsg`, ...).
fn hub_spoke(client_routes: &str, pe_subnet: &str) -> String {
    let app_via_fw = udr("app-via-fw", "10.1.1.0/24", NVA);
    format!(
        r#"
region: eastus
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {{ name: fw, prefix: 10.0.1.0/24 }}
      - {{ name: shared, prefix: 10.0.2.0/24 }}
    peerings:
      - {{ remote_vnet: spoke, allow_forwarded_traffic: true }}
      - {{ remote_vnet: other }}
  - name: spoke
    address_space: [10.1.0.0/16]
    subnets:
      - {{ name: app, prefix: 10.1.1.0/24, route_table: client-rt }}
      - {{ name: pe, prefix: 10.1.2.0/24{pe_subnet} }}
    peerings: [{{ remote_vnet: hub, allow_forwarded_traffic: true }}]
  - name: other
    address_space: [10.2.0.0/16]
    subnets: [{{ name: s, prefix: 10.2.1.0/24 }}]
    peerings: [{{ remote_vnet: hub }}]
  # Peered towards the spoke from its side only (R-15 Initiated).
  - name: half
    address_space: [10.4.0.0/16]
    subnets: [{{ name: s, prefix: 10.4.1.0/24 }}]
    peerings: [{{ remote_vnet: spoke }}]
route_tables:
  - name: client-rt
    routes: [{client_routes}]
  - name: pe-rt
    routes:
      - {app_via_fw}
nsgs:
  - name: pe-nsg
    rules:
      - {{ name: deny-app-8443, priority: 100, direction: inbound, access: deny, protocol: tcp, source: 10.1.1.0/24, destination_ports: 8443 }}
      - {{ name: deny-low-sports, priority: 110, direction: inbound, access: deny, protocol: tcp, source_ports: 1000-2000, destination_ports: 443 }}
endpoints:
  - {{ name: nva, kind: nva, subnet: hub/fw, ip: {NVA} }}
  - {{ name: hubvm, kind: vm, subnet: hub/shared, ip: 10.0.2.4 }}
  - {{ name: client, kind: vm, subnet: spoke/app, ip: 10.1.1.4 }}
  - {{ name: pevm, kind: vm, subnet: spoke/pe, ip: 10.1.2.20 }}
  - {{ name: othervm, kind: vm, subnet: other/s, ip: 10.2.1.4 }}
services:
  - {{ name: acct, kind: storage_account }}
private_endpoints:
  - {{ name: pe-blob, subnet: spoke/pe, ip: {PE_IP}, target: acct, subresource: blob }}
"#
    )
}

/// A UDR for `prefix` to the hub NVA, named `to-nva`.
fn via_nva(prefix: &str) -> String {
    udr("to-nva", prefix, NVA)
}

/// Extra keys of spoke/pe: its `private_endpoint_network_policies`.
fn policy(policies: &str) -> String {
    format!(", private_endpoint_network_policies: {policies}")
}

/// The arrival every connection to the endpoint should end with.
fn through_pe(f: &Fabric) -> Option<(ServiceId, Arrival, Admission)> {
    Some((service(f, "acct"), Arrival::PrivateEndpoint(private_endpoint(f, "pe-blob")), Admission::PrivateEndpoint))
}

/// R-13: the endpoint's /32 (next hop InterfaceEndpoint) beats a 0.0.0.0/0 UDR to the
/// firewall, and a hub-range UDR too: the request goes straight to the endpoint and no appliance
/// sees it, while internet traffic of the same subnet still goes through the NVA. Naive: "UDR
/// beats system routes" regardless of prefix length, or no /32 at all (then the /16 route wins
/// and the trace names the address space, not the endpoint).
#[test]
fn r13_pe_slash32_beats_default_udr_to_firewall() {
    let f = fabric(&hub_spoke(&udr("default", "0.0.0.0/0", NVA), ""));
    let c = connect(&f, "client", PE_IP);
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(routes_taken(&f, &c.request.steps), ["10.1.2.10/32 InterfaceEndpoint by pe-blob"]);
    assert!(appliances(&f, &c.request.steps).is_empty(), "{:?}", c.request.steps);
    assert_eq!(service_step(&c), through_pe(&f));
    // The UDR is live: other traffic of the subnet goes to the firewall.
    let web = connect(&f, "client", "pypi.org");
    assert_eq!(appliances(&f, &web.request.steps), ["nva"]);
    assert_eq!(routes_taken(&f, &web.request.steps)[0], "0.0.0.0/0 VirtualAppliance 10.0.1.4 by client-rt/default");
}

/// R-13: the /32 is installed in every subnet of the endpoint's VNet and of VNets peered with
/// it (the hub, including the NVA's subnet), but not in a VNet peered only with the hub
/// (peering is not transitive, R-14) nor in one whose peering is one-sided (R-15). Naive: own
/// VNet only, or every VNet that names the spoke.
#[test]
fn r13_pe_route_installed_in_own_and_peered_vnets_only() {
    let f = fabric(&hub_spoke("", ""));
    let pe_route = |path: &str| effective(&f, path, "10.1.2.10/32");
    let interface = vec![(NextHop::InterfaceEndpoint, RouteState::Active)];
    for path in ["spoke/app", "spoke/pe", "hub/fw", "hub/shared"] {
        assert_eq!(pe_route(path), interface, "{path}");
    }
    assert_eq!(pe_route("other/s"), [], "other is not peered with the spoke");
    assert_eq!(pe_route("half/s"), [], "half's peering is only Initiated");
    let c = connect(&f, "hubvm", PE_IP);
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(routes_taken(&f, &c.request.steps), ["10.1.2.10/32 InterfaceEndpoint by pe-blob"]);
    assert!(c.request.steps.iter().any(|s| matches!(s, Step::Peering { .. })), "crosses hub -> spoke");
    assert_eq!(service_step(&c), through_pe(&f));
    // From the VNet peered with the hub only: no route to the spoke at all.
    let c = connect(&f, "othervm", PE_IP);
    assert_eq!(c.disposition(), Disposition::NullRoute, "{:?}", routes_taken(&f, &c.request.steps));
}

/// R-13, P-7: a /32 UDR for the endpoint's IP always overrides it (equal prefix, UDR wins by
/// R-8), whatever the endpoint subnet's network policies. Naive: the endpoint route is special
/// and always wins.
#[test]
fn r13_equal_slash32_udr_overrides_pe_route() {
    for policies in ["Disabled", "RouteTableEnabled"] {
        let f = fabric(&hub_spoke(&via_nva("10.1.2.10/32"), &policy(policies)));
        let c = connect(&f, "client", PE_IP);
        assert_eq!(outcome(&f, &c), "allowed", "{policies}");
        assert_eq!(appliances(&f, &c.request.steps), ["nva"], "{policies}");
        assert_eq!(
            routes_taken(&f, &c.request.steps),
            ["10.1.2.10/32 VirtualAppliance 10.0.1.4 by client-rt/to-nva", "10.1.2.10/32 InterfaceEndpoint by pe-blob"],
            "{policies}: the NVA's subnet (no UDR) uses the endpoint route"
        );
        assert_eq!(service_step(&c), through_pe(&f));
    }
}

/// R-13, P-6: a UDR for the endpoint VNet's range (or a longer prefix inside it) overrides the
/// /32 only when the **endpoint's** subnet has RouteTableEnabled (or Enabled). Naive 1: the
/// flag is ignored (always or never overridden). Naive 2: NetworkSecurityGroupEnabled counts.
#[test]
fn r13_vnet_range_udr_overrides_only_with_route_table_enabled() {
    let cases =
        [("Disabled", false), ("NetworkSecurityGroupEnabled", false), ("RouteTableEnabled", true), ("Enabled", true)];
    for prefix in ["10.1.0.0/16", "10.1.2.0/24"] {
        for (policies, overridden) in cases {
            let f = fabric(&hub_spoke(&via_nva(prefix), &policy(policies)));
            let c = connect(&f, "client", PE_IP);
            let what = format!("UDR {prefix}, {policies}");
            assert_eq!(outcome(&f, &c), "allowed", "{what}");
            let first = &routes_taken(&f, &c.request.steps)[0];
            if overridden {
                assert_eq!(first, &format!("{prefix} VirtualAppliance 10.0.1.4 by client-rt/to-nva"), "{what}");
                assert_eq!(appliances(&f, &c.request.steps), ["nva"], "{what}");
            } else {
                assert_eq!(first, "10.1.2.10/32 InterfaceEndpoint by pe-blob", "{what}");
                assert!(appliances(&f, &c.request.steps).is_empty(), "{what}");
            }
            assert_eq!(service_step(&c), through_pe(&f), "{what}");
        }
    }
}

/// R-13: a UDR shorter than the endpoint VNet's address space (10.0.0.0/8 for a /16) never
/// overrides the /32, not even with RouteTableEnabled; neither does 0.0.0.0/0. Naive: any UDR
/// containing the endpoint's IP overrides once the flag is on.
#[test]
fn r13_supernet_udr_does_not_override_pe_route_even_with_route_table_enabled() {
    for prefix in ["10.0.0.0/8", "0.0.0.0/0"] {
        let f = fabric(&hub_spoke(&via_nva(prefix), &policy("Enabled")));
        let c = connect(&f, "client", PE_IP);
        assert_eq!(outcome(&f, &c), "allowed", "{prefix}");
        assert_eq!(routes_taken(&f, &c.request.steps), ["10.1.2.10/32 InterfaceEndpoint by pe-blob"], "{prefix}");
        assert!(appliances(&f, &c.request.steps).is_empty(), "{prefix}");
        assert_eq!(effective(&f, "spoke/app", "10.1.2.10/32"), [(NextHop::InterfaceEndpoint, RouteState::Active)]);
    }
}

/// R-8.5, R-13: the effective-route view keeps the overridden /32 with state Invalid, both when
/// an equal /32 UDR wins and when a VNet-range UDR overrides it under RouteTableEnabled; only
/// subnets using the route table are affected. Naive: drop the loser from the table, or mark
/// nothing Invalid because no route has the same prefix.
#[test]
fn r13_effective_routes_show_overridden_pe_route_invalid() {
    let f = fabric(&hub_spoke(&via_nva("10.1.2.10/32"), ""));
    let vnet_appliance = NextHop::VirtualAppliance(ip(NVA));
    assert_eq!(
        effective(&f, "spoke/app", "10.1.2.10/32"),
        [(NextHop::InterfaceEndpoint, RouteState::Invalid), (vnet_appliance, RouteState::Active)]
    );
    let f = fabric(&hub_spoke(&via_nva("10.1.0.0/16"), &policy("RouteTableEnabled")));
    assert_eq!(effective(&f, "spoke/app", "10.1.2.10/32"), [(NextHop::InterfaceEndpoint, RouteState::Invalid)]);
    assert_eq!(
        effective(&f, "spoke/app", "10.1.0.0/16"),
        [(NextHop::VnetLocal, RouteState::Invalid), (vnet_appliance, RouteState::Active)]
    );
    // spoke/pe has no route table: its /32 stays active.
    assert_eq!(effective(&f, "spoke/pe", "10.1.2.10/32"), [(NextHop::InterfaceEndpoint, RouteState::Active)]);
    let table = f.route_table(subnet(&f, "spoke/app"), false);
    let pe_route = table.routes.iter().find(|r| r.next_hop == NextHop::InterfaceEndpoint).expect("the /32");
    assert_eq!(pe_route.origin, RouteOrigin::PrivateEndpoint(private_endpoint(&f, "pe-blob")));
}

/// P-6: while the endpoint subnet's network policies are Disabled (the default) or only
/// RouteTableEnabled, the subnet NSG is not applied to the endpoint (a `PeNsgBypassed` step),
/// yet it still filters the VM next to it; NetworkSecurityGroupEnabled and Enabled apply it.
/// Naive: the subnet NSG filters every NIC of the subnet, endpoints included (or never).
#[test]
fn p6_subnet_nsg_ignored_for_pe_unless_network_security_group_enabled() {
    let cases =
        [("Disabled", false), ("RouteTableEnabled", false), ("NetworkSecurityGroupEnabled", true), ("Enabled", true)];
    for (policies, applies) in cases {
        let f = fabric(&hub_spoke("", &format!(", nsg: pe-nsg{}", policy(policies))));
        let pe = connect(&f, "client", "10.1.2.10:8443");
        let bypassed = pe.request.steps.iter().any(|s| matches!(s, Step::PeNsgBypassed { .. }));
        if applies {
            assert_eq!(outcome(&f, &pe), "denied_by_nsg by pe-nsg/deny-app-8443", "{policies}");
            assert!(!bypassed, "{policies}");
        } else {
            assert_eq!(outcome(&f, &pe), "allowed", "{policies}");
            assert!(bypassed, "{policies}: {:?}", pe.request.steps);
            assert_eq!(service_step(&pe), through_pe(&f), "{policies}");
        }
        let vm = connect(&f, "client", "10.1.2.20:8443");
        assert_eq!(outcome(&f, &vm), "denied_by_nsg by pe-nsg/deny-app-8443", "{policies}: the VM is filtered");
    }
}

/// P-8: for traffic to an endpoint the NSG treats every rule's source ports as `*`, so a deny
/// rule for source ports 1000-2000 catches the endpoint's traffic from port 50000, while the VM
/// in the same subnet is denied only from a port in the range. Naive 1: honour source ports for
/// the endpoint too (port 50000 passes). Naive 2: ignore source ports for every NIC.
#[test]
fn p8_source_port_rule_treated_as_any_for_pe_traffic_only() {
    let f = fabric(&hub_spoke("", &format!(", nsg: pe-nsg{}", policy("NetworkSecurityGroupEnabled"))));
    let deny = "denied_by_nsg by pe-nsg/deny-low-sports";
    let cases = [(PE_IP, 50000, deny), (PE_IP, 1500, deny), ("10.1.2.20", 50000, "allowed"), ("10.1.2.20", 1500, deny)];
    for (to, sport, want) in cases {
        let c = connect_with(&f, "client", to, Protocol::Tcp, sport);
        assert_eq!(outcome(&f, &c), want, "client:{sport} -> {to}:443");
    }
    // With the NSG off for endpoints, no source port matters.
    let f = fabric(&hub_spoke("", ", nsg: pe-nsg"));
    assert_eq!(outcome(&f, &connect_with(&f, "client", PE_IP, Protocol::Tcp, 1500)), "allowed");
}

/// P-9: without RouteTableEnabled the endpoint answers with system routes only: the reply skips
/// the UDR of the endpoint's subnet, so it does not pass the NVA the request passed (the trace
/// reports the divergence). With RouteTableEnabled the same UDR brings the reply back through the
/// NVA. Naive: the endpoint's reply uses its subnet's route table like any NIC.
#[test]
fn p9_pe_reply_uses_system_routes_without_route_table_enabled() {
    let request_routes =
        ["10.1.2.10/32 VirtualAppliance 10.0.1.4 by client-rt/to-nva", "10.1.2.10/32 InterfaceEndpoint by pe-blob"];
    let diverges =
        |c: &Connection| c.reply.steps.iter().any(|s| matches!(s, Step::PathDiverges { seen_by_request: true, .. }));

    let with_pe_rt = |policies: &str| {
        fabric(&hub_spoke(&via_nva("10.1.2.10/32"), &format!(", route_table: pe-rt{}", policy(policies))))
    };

    let f = with_pe_rt("Disabled");
    let c = connect(&f, "client", PE_IP);
    assert_eq!(routes_taken(&f, &c.request.steps), request_routes);
    assert_eq!(appliances(&f, &c.request.steps), ["nva"]);
    assert_eq!(routes_taken(&f, &c.reply.steps), ["10.1.0.0/16 VnetLocal by system routes of spoke/pe"]);
    assert!(c.reply.steps.iter().any(|s| matches!(s, Step::Route { private_endpoint: true, .. })));
    assert!(appliances(&f, &c.reply.steps).is_empty());
    assert!(diverges(&c), "the NVA saw the request only: {:?}", c.reply.steps);
    // The VM in the same subnet does use the route table.
    let vm = connect(&f, "pevm", "10.1.1.4:22");
    assert_eq!(appliances(&f, &vm.request.steps), ["nva"]);

    let f = with_pe_rt("RouteTableEnabled");
    let c = connect(&f, "client", PE_IP);
    assert_eq!(routes_taken(&f, &c.request.steps), request_routes);
    assert_eq!(routes_taken(&f, &c.reply.steps)[0], "10.1.1.0/24 VirtualAppliance 10.0.1.4 by pe-rt/app-via-fw");
    assert_eq!(appliances(&f, &c.reply.steps), ["nva"]);
    assert!(!diverges(&c), "{:?}", c.reply.steps);
    assert_eq!(outcome(&f, &c), "allowed");
}

/// P-4: storage accounts take `blob`, `table`, `queue`, `file`, `web` and `dfs` endpoints, each
/// with a `_secondary` variant; other kinds have their own group ids. Naive: accept any word.
#[test]
fn p4_storage_subresources_include_secondary_variants() {
    let yaml =
        |subresource: &str| hub_spoke("", "").replace("subresource: blob }", &format!("subresource: {subresource} }}"));
    for ok in ["blob", "dfs", "web", "blob_secondary", "dfs_secondary"] {
        assert_eq!(error_lines(&yaml(ok)), [0u32; 0], "{ok}");
    }
    let line = yaml("vault").lines().position(|l| l.contains("subresource: vault")).expect("line") as u32 + 1;
    assert_eq!(error_lines(&yaml("vault")), [line], "a key vault group id on a storage account");
}

/// The `pe-blob` endpoint with a given connection state.
fn with_state(state: &str) -> String {
    hub_spoke("", "").replace("subresource: blob }", &format!("subresource: blob, connection_state: {state} }}"))
}

/// P-3: only Approved connections pass traffic; Pending, Rejected and Disconnected endpoints
/// refuse it at the endpoint, after routing delivered it there. Naive: the state is ignored.
#[test]
fn p3_pending_rejected_and_disconnected_connections_refuse_traffic() {
    for state in ["Pending", "Rejected", "Disconnected"] {
        let f = fabric(&with_state(state));
        let c = connect(&f, "client", PE_IP);
        assert_eq!(outcome(&f, &c), "private_endpoint_refused by pe-blob", "{state}");
        let pe = private_endpoint(&f, "pe-blob");
        assert_eq!(c.request.steps.last(), Some(&Step::PrivateEndpoint { pe, check: PeCheck::NotApproved }), "{state}");
        assert_eq!(service_step(&c), None, "{state}: the service never sees it");
    }
    let f = fabric(&with_state("Approved"));
    assert_eq!(outcome(&f, &connect(&f, "client", PE_IP)), "allowed");
}

/// P-10 (unconfirmed; the `pe_tcp_only` option): by default an endpoint carries TCP only, so UDP
/// and ICMP are refused at the endpoint while the VM next to it takes them; with the option off
/// they pass. Naive: any protocol passes (or the option is ignored).
#[test]
fn p10_pe_refuses_udp_and_icmp_by_default_and_allows_them_with_option() {
    let yaml = hub_spoke("", "");
    let default = fabric(&yaml);
    let open = fabric_with(&yaml, Options { pe_tcp_only: false, ..Default::default() });
    for protocol in [Protocol::Udp, Protocol::Icmp] {
        let c = connect_with(&default, "client", "10.1.2.10:53", protocol, 50000);
        assert_eq!(outcome(&default, &c), "private_endpoint_refused by pe-blob", "{protocol}");
        let pe = private_endpoint(&default, "pe-blob");
        let check = Step::PrivateEndpoint { pe, check: PeCheck::ProtocolNotSupported };
        assert_eq!(c.request.steps.last(), Some(&check), "{protocol}");
        let vm = connect_with(&default, "client", "10.1.2.20:53", protocol, 50000);
        assert_eq!(outcome(&default, &vm), "allowed", "{protocol} to the VM");

        let c = connect_with(&open, "client", "10.1.2.10:53", protocol, 50000);
        assert_eq!(outcome(&open, &c), "allowed", "{protocol} with pe_tcp_only off");
        assert_eq!(service_step(&c), through_pe(&open), "{protocol}");
    }
    assert_eq!(outcome(&default, &connect(&default, "client", PE_IP)), "allowed");
}

/// P-2: connections are only initiated towards an endpoint; one cannot start from it. Naive:
/// the endpoint's NIC is a source like any other.
#[test]
fn p2_private_endpoint_cannot_be_a_source() {
    let f = fabric(&hub_spoke("", ""));
    // Scenario files and the command line refuse it as a source...
    let refused = parse_place(&f.scenario, "pe-blob", End::Source).expect_err("a private endpoint as a source");
    assert!(refused.contains("(P-2)"), "{refused}");
    // ...and so does the engine, for callers that build places themselves.
    let pe = f.scenario.endpoints.iter().position(|e| e.name == "pe-blob").expect("pe-blob");
    let from = Place::Endpoint { endpoint: vnetsim_model::EndpointId::from_index(pe), node: 0 };
    let to = Destination::Place(source(&f, "client"));
    let err = f.connect(from, &to, Protocol::Tcp, 443, 50000).expect_err("a private endpoint initiated a connection");
    assert_eq!(err, QueryError::PrivateEndpointSource("pe-blob".into()));
    let name = Destination::Name("pypi.org".into());
    assert!(matches!(f.connect(from, &name, Protocol::Tcp, 443, 50000), Err(QueryError::PrivateEndpointSource(_))));
    // Towards it works.
    assert_eq!(outcome(&f, &connect(&f, "client", PE_IP)), "allowed");
}

// ---------------------------------------------------------------------------------------------
// D-: DNS as packets. A hub with DNS servers, a spoke with a blob and a file endpoint, and a
// VNet (`plain`) that uses Azure DNS and is linked to nothing.
// ---------------------------------------------------------------------------------------------

/// `spoke_dns`: the spoke's `dns_servers` (`[]` for Azure DNS). `dns1`: the `dns:` block of the
/// hub DNS server 10.0.2.4. `links`: the links of both privatelink zones. `hub_dns_nsg`: the NSG
/// on hub/dns (`~` for none).
fn dns_scenario(spoke_dns: &str, dns1: &str, links: &str, hub_dns_nsg: &str) -> String {
    format!(
        r#"
region: eastus
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
    subnets:
      - {{ name: dns, prefix: 10.0.2.0/24, nsg: {hub_dns_nsg} }}
      - {{ name: dns2, prefix: 10.0.3.0/24 }}
    peerings: [{{ remote_vnet: spoke }}]
  - name: spoke
    address_space: [10.1.0.0/16]
    dns_servers: {spoke_dns}
    subnets:
      - {{ name: app, prefix: 10.1.1.0/24 }}
      - {{ name: pe, prefix: 10.1.2.0/24 }}
    peerings: [{{ remote_vnet: hub }}]
  - name: plain
    address_space: [10.3.0.0/16]
    subnets: [{{ name: s, prefix: 10.3.1.0/24 }}]
nsgs:
  - name: dns-nsg
    rules:
      - {{ name: deny-dns-forward, priority: 100, direction: outbound, access: deny, protocol: udp, destination: 10.0.3.0/24, destination_ports: 53 }}
endpoints:
  - {{ name: dns1, kind: vm, subnet: hub/dns, ip: 10.0.2.4, dns: {dns1} }}
  - {{ name: dns2, kind: vm, subnet: hub/dns2, ip: 10.0.3.4, dns: {{ forwarders: [168.63.129.16] }} }}
  - {{ name: client, kind: vm, subnet: spoke/app, ip: 10.1.1.4 }}
  - {{ name: plainvm, kind: vm, subnet: plain/s, ip: 10.3.1.4 }}
services:
  - {{ name: withpe, kind: storage_account, public_ip: 40.68.0.10 }}
  - {{ name: nope, kind: storage_account, public_ip: 40.68.0.11 }}
  - {{ name: elsewhere, kind: storage_account, public_ip: 40.68.0.12 }}
private_endpoints:
  - {{ name: pe-blob, subnet: spoke/pe, ip: 10.1.2.10, target: withpe, subresource: blob }}
  - {{ name: pe-file, subnet: spoke/pe, ip: 10.1.2.11, target: withpe, subresource: file }}
  # An endpoint whose records are kept elsewhere: not registered in this scenario's zone (D-9).
  - {{ name: pe-elsewhere, subnet: plain/s, ip: 10.3.1.10, target: elsewhere, subresource: blob, register_dns: false }}
private_dns_zones:
  - {{ name: privatelink.blob.core.windows.net, links: {links} }}
  - {{ name: privatelink.file.core.windows.net, links: {links} }}
"#
    )
}

const TO_AZURE_DNS: &str = "{ forwarders: [168.63.129.16] }";

/// The spoke on Azure DNS with both zones linked to it.
fn spoke_linked() -> String {
    dns_scenario("[]", TO_AZURE_DNS, "[spoke]", "~")
}

/// D-1, D-9: public DNS answers with a privatelink CNAME only for a resource (and subresource,
/// P-4) that has a private endpoint; an account without one resolves straight to its public IP
/// even from a VNet linked to the privatelink zone. Naive: CNAME every storage name (the account
/// without an endpoint then hits the linked zone and gets NXDOMAIN).
#[test]
fn d1_privatelink_cname_only_when_the_resource_has_a_private_endpoint() {
    let f = fabric(&spoke_linked());
    let zone = "zone privatelink.blob.core.windows.net linked to spoke";
    let r = resolve(&f, "client", "withpe.blob.core.windows.net");
    assert_eq!(
        answers(&f, &r),
        [
            "withpe.blob.core.windows.net CNAME withpe.privatelink.blob.core.windows.net public".to_string(),
            format!("withpe.privatelink.blob.core.windows.net A 10.1.2.10 {zone}"),
        ]
    );
    assert_eq!(r.outcome, DnsOutcome::Address(ip("10.1.2.10")));
    assert_eq!(r.service, Some(service(&f, "withpe")));
    // D-9: no endpoint, no CNAME: the linked zone is never consulted.
    let r = resolve(&f, "client", "nope.blob.core.windows.net");
    assert_eq!(answers(&f, &r), ["nope.blob.core.windows.net A 40.68.0.11 public"]);
    // P-4: the endpoints are for blob and file only; the queue name stays public.
    let r = resolve(&f, "client", "withpe.queue.core.windows.net");
    assert_eq!(answers(&f, &r), ["withpe.queue.core.windows.net A 40.68.0.10 public"]);
    // From the internet the CNAME is there, but the privatelink name answers publicly.
    let r = resolve(&f, "internet", "withpe.blob.core.windows.net");
    assert_eq!(
        answers(&f, &r),
        [
            "withpe.blob.core.windows.net CNAME withpe.privatelink.blob.core.windows.net public",
            "withpe.privatelink.blob.core.windows.net A 40.68.0.10 public",
        ]
    );
    // The connection follows the answer.
    let c = connect(&f, "client", "https://withpe.blob.core.windows.net");
    let pe = private_endpoint(&f, "pe-blob");
    assert_eq!(
        service_step(&c),
        Some((service(&f, "withpe"), Arrival::PrivateEndpoint(pe), Admission::PrivateEndpoint))
    );
    let c = connect(&f, "client", "https://nope.blob.core.windows.net");
    assert!(matches!(service_step(&c), Some((_, Arrival::Public { .. }, Admission::PublicAccess))), "{:?}", c.request);
}

/// D-5 step 4, D-9: a zone linked to the querying VNet that lacks the record answers NXDOMAIN
/// (authoritative), so the connection never starts; with NxDomainRedirect on the link the query
/// falls back to public resolution. A VNet with no link resolves publicly anyway. Naive: a
/// missing record falls through to public DNS.
#[test]
fn d5_linked_zone_missing_the_record_is_nxdomain_unless_redirect() {
    let name = "elsewhere.blob.core.windows.net";
    let f = fabric(&spoke_linked());
    let r = resolve(&f, "client", name);
    assert_eq!(r.outcome, DnsOutcome::NxDomain);
    assert_eq!(
        answers(&f, &r),
        [
            "elsewhere.blob.core.windows.net CNAME elsewhere.privatelink.blob.core.windows.net public",
            "elsewhere.privatelink.blob.core.windows.net NXDOMAIN zone privatelink.blob.core.windows.net linked to spoke",
        ]
    );
    let c = connect(&f, "client", &format!("https://{name}"));
    assert_eq!((c.disposition(), c.verdict, c.packet), (Disposition::NxDomain, None, None));
    // Unlinked VNet: public.
    assert_eq!(resolve(&f, "plainvm", name).outcome, DnsOutcome::Address(ip("40.68.0.12")));

    let redirect = "[{ vnet: spoke, resolution_policy: NxDomainRedirect }]";
    let f = fabric(&dns_scenario("[]", TO_AZURE_DNS, redirect, "~"));
    let r = resolve(&f, "client", name);
    assert_eq!(r.outcome, DnsOutcome::Address(ip("40.68.0.12")));
    assert_eq!(
        answers(&f, &r)[1],
        "elsewhere.privatelink.blob.core.windows.net A 40.68.0.12 redirected by zone privatelink.blob.core.windows.net linked to spoke"
    );
    // The redirect only fills gaps: a record that exists still answers privately.
    assert_eq!(resolve(&f, "client", "withpe.blob.core.windows.net").outcome, DnsOutcome::Address(ip("10.1.2.10")));
    assert!(connect(&f, "client", &format!("https://{name}")).allowed());
}

/// D-3, D-4: with the spoke's DNS set to a hub server that forwards to Azure DNS, the zone links
/// of the hub (where the query to 168.63.129.16 is sent from) decide, not the client's. Linked to
/// the spoke only: public IP; linked to the hub only: the endpoint. Naive: the client's VNet links.
#[test]
fn d4_zone_links_of_the_forwarders_vnet_decide_not_the_clients() {
    let name = "withpe.blob.core.windows.net";
    for (links, want) in [("[spoke]", "40.68.0.10"), ("[hub]", "10.1.2.10")] {
        let f = fabric(&dns_scenario("[10.0.2.4]", TO_AZURE_DNS, links, "~"));
        let r = resolve(&f, "client", name);
        assert_eq!(r.outcome, DnsOutcome::Address(ip(want)), "links {links}: {:?}", answers(&f, &r));
        let hops: Vec<_> = r.hops.iter().map(|h| (h.from, h.server, h.reason.clone(), h.role)).collect();
        let dns1 = ServerRole::Forwarder { nic: nic(&f, "dns1") };
        let azure_dns_in_hub = ServerRole::AzureDns { vnet: vnet(&f, "hub") };
        assert_eq!(
            hops,
            [
                (ip("10.1.1.4"), ip("10.0.2.4"), HopReason::VnetDnsSetting, Some(dns1)),
                (ip("10.0.2.4"), ip("168.63.129.16"), HopReason::Forwarder, Some(azure_dns_in_hub)),
            ],
            "links {links}"
        );
    }
    // D-3: the same zone linked to the spoke does work for a spoke on Azure DNS.
    let f = fabric(&spoke_linked());
    let r = resolve(&f, "client", name);
    assert_eq!(r.hops.len(), 1);
    assert_eq!(r.hops[0].role, Some(ServerRole::AzureDns { vnet: vnet(&f, "spoke") }));
    assert_eq!(r.outcome, DnsOutcome::Address(ip("10.1.2.10")));
}

/// D-5 step 2: a DNS server applies the conditional forwarder with the longest matching zone,
/// whatever the order they are written in; other names go to its default forwarders. Here
/// `core.windows.net` (written first) goes to a public resolver and `blob.core.windows.net` to
/// Azure DNS in the hub, which is linked to the zones. Naive: first match in file order.
#[test]
fn d5_conditional_forwarder_longest_zone_wins() {
    let dns1 = "{ forwarders: [168.63.129.16], conditional_forwarders: [{ zone: core.windows.net, servers: [8.8.8.8] }, { zone: blob.core.windows.net, servers: [168.63.129.16] }] }";
    let f = fabric(&dns_scenario("[10.0.2.4]", dns1, "[hub]", "~"));
    let cases = [
        ("withpe.blob.core.windows.net", HopReason::ConditionalForwarder("blob.core.windows.net".into()), "10.1.2.10"),
        ("withpe.file.core.windows.net", HopReason::ConditionalForwarder("core.windows.net".into()), "40.68.0.10"),
    ];
    for (name, reason, want) in cases {
        let r = resolve(&f, "client", name);
        assert_eq!(r.hops.len(), 2, "{name}");
        assert_eq!(r.hops[1].reason, reason, "{name}");
        assert_eq!(r.outcome, DnsOutcome::Address(ip(want)), "{name}: {:?}", answers(&f, &r));
    }
    let r = resolve(&f, "client", "withpe.file.core.windows.net");
    assert_eq!((r.hops[1].server, r.hops[1].role), (ip("8.8.8.8"), Some(ServerRole::Public)));
    // Outside every conditional zone: the default forwarder.
    let r = resolve(&f, "client", "pypi.org");
    assert_eq!(r.hops[1].reason, HopReason::Forwarder);
    assert_eq!(r.hops[1].role, Some(ServerRole::AzureDns { vnet: vnet(&f, "hub") }));
}

/// D-5: queries are packets. A DNS server whose forward is denied by its subnet's NSG gives no
/// answer: the resolution fails, the failing hop (the forward, not the client's query) is
/// recorded with the NSG rule, and the connection is never attempted. Naive: resolution by
/// table lookup, which answers regardless of the network.
#[test]
fn d5_dns_forward_blocked_by_nsg_fails_with_the_blocking_hop_recorded() {
    let f = fabric(&dns_scenario("[10.0.2.4]", "{ forwarders: [10.0.3.4] }", "[hub]", "dns-nsg"));
    let r = resolve(&f, "client", "withpe.blob.core.windows.net");
    assert_eq!(r.outcome, DnsOutcome::Failed);
    assert!(r.answers.is_empty());
    assert_eq!(r.hops.len(), 2);
    assert!(r.hops[0].verdict.is_some_and(|v| v.allowed()), "the client's query reaches dns1");
    let failed = r.failed_hop().expect("a failed hop");
    assert_eq!((failed.from, failed.server), (ip("10.0.2.4"), ip("10.0.3.4")));
    assert_eq!(failed.verdict.map(|v| v.disposition()), Some(Disposition::DeniedByNsg));
    assert_eq!(f.decider_of(&failed.request.steps).map(|d| d.to_string()).as_deref(), Some("dns-nsg/deny-dns-forward"));
    let c = connect(&f, "client", "https://withpe.blob.core.windows.net");
    assert_eq!((c.disposition(), c.verdict), (Disposition::DnsFailed, None));
    assert_eq!(outcome(&f, &c), "dns_failed");
    // Without the NSG the same chain answers, through dns2 in the linked hub.
    let f = fabric(&dns_scenario("[10.0.2.4]", "{ forwarders: [10.0.3.4] }", "[hub]", "~"));
    let r = resolve(&f, "client", "withpe.blob.core.windows.net");
    assert_eq!(r.outcome, DnsOutcome::Address(ip("10.1.2.10")));
    assert_eq!(r.hops.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// R-12, S-: service endpoints, policies and the storage firewall. One VNet: an NVA, a subnet
// with the regional storage endpoint and a 0.0.0.0/0 UDR to the NVA, a subnet with the
// cross-region endpoint, and a subnet with none. Builtin Storage.eastus is 40.68.0.0/20, its
// pair Storage.westus 40.68.32.0/20, Storage.northeurope (unpaired with eastus) 40.68.80.0/20.
// ---------------------------------------------------------------------------------------------

/// `routes`: the routes of `rt` on vnet/se besides the 0.0.0.0/0 to the NVA. `se_extra`: extra
/// keys of vnet/se.
fn se_scenario(routes: &str, se_extra: &str) -> String {
    let default = udr("default", "0.0.0.0/0", SE_NVA);
    format!(
        r#"
region: eastus
vnets:
  - name: vnet
    address_space: [10.1.0.0/16]
    subnets:
      - {{ name: fw, prefix: 10.1.0.0/24 }}
      - {{ name: se, prefix: 10.1.1.0/24, route_table: rt, service_endpoints: [Microsoft.Storage]{se_extra} }}
      - {{ name: global, prefix: 10.1.2.0/24, service_endpoints: [Microsoft.Storage.Global] }}
      - {{ name: nose, prefix: 10.1.3.0/24 }}
route_tables:
  - name: rt
    routes: [{default}{routes}]
service_endpoint_policies:
  - {{ name: sep1, resources: [st-listed, /services/Azure/MachineLearning] }}
endpoints:
  - {{ name: nva, kind: nva, subnet: vnet/fw, ip: {SE_NVA} }}
  - {{ name: sevm, kind: vm, subnet: vnet/se, ip: 10.1.1.4 }}
  - {{ name: globalvm, kind: vm, subnet: vnet/global, ip: 10.1.2.4, public_ip: 20.1.2.4 }}
  - {{ name: nosevm, kind: vm, subnet: vnet/nose, ip: 10.1.3.4, public_ip: 20.1.3.4 }}
services:
  - name: st-fw
    kind: storage_account
    network_rules: {{ default_action: Deny, virtual_network_rules: [vnet/se], ip_rules: [20.1.3.4, 203.0.113.77] }}
  - name: st-gw
    kind: storage_account
    region: westus
    network_rules: {{ default_action: Deny, ip_rules: [20.1.2.4, 20.1.3.4] }}
  - {{ name: st-pair, kind: storage_account, region: westus }}
  - {{ name: st-far, kind: storage_account, region: northeurope }}
  - {{ name: st-listed, kind: storage_account }}
  - {{ name: st-unlisted, kind: storage_account }}
  - {{ name: st-aml, kind: storage_account, managed_by: AzureMachineLearning }}
  - {{ name: st-batch, kind: storage_account, managed_by: Batch }}
  - {{ name: st-private, kind: storage_account }}
private_endpoints:
  - {{ name: pe-private, subnet: vnet/fw, ip: 10.1.0.10, target: st-private, subresource: blob }}
private_dns_zones:
  - {{ name: privatelink.blob.core.windows.net, links: [vnet] }}
"#
    )
}

const SE_NVA: &str = "10.1.0.4";

/// R-12, S-2, S-4: enabling Microsoft.Storage adds routes for Storage.<region> (and its paired
/// region) with next hop VirtualNetworkServiceEndpoint, which bypass a 0.0.0.0/0 UDR to the NVA:
/// the account is reached over the endpoint (the VNet rule admits the subnet), while an account in
/// an unpaired region follows the UDR through the NVA to its public endpoint. R-8.4 (suggested model): an equal-prefix UDR,
/// explicit or written as the service tag, loses to the endpoint route; a longer one wins. Naive:
/// "UDR beats system routes", so storage traffic goes to the NVA.
#[test]
fn r12_service_endpoint_route_beats_default_udr_to_nva() {
    let equal = format!(", {}", udr("storage-tag", "Storage.eastus", SE_NVA));
    for routes in ["", &equal] {
        let f = fabric(&se_scenario(routes, ""));
        let c = connect(&f, "sevm", &blob("st-fw"));
        assert_eq!(outcome(&f, &c), "allowed", "{routes}");
        assert_eq!(
            routes_taken(&f, &c.request.steps),
            ["40.68.0.0/20 VirtualNetworkServiceEndpoint by vnet/se/Microsoft.Storage"],
            "{routes}"
        );
        assert!(appliances(&f, &c.request.steps).is_empty(), "{routes}");
        let se = Arrival::ServiceEndpoint(subnet(&f, "vnet/se"));
        assert_eq!(service_step(&c), Some((service(&f, "st-fw"), se, Admission::VirtualNetworkRule(0))), "{routes}");
        // S-3: DNS is unchanged, the name resolves to the public IP.
        assert_eq!(
            c.resolution.map(|r| r.outcome),
            Some(DnsOutcome::Address(f.scenario.service(service(&f, "st-fw")).public_ip))
        );

        // The paired region is covered too.
        let c = connect(&f, "sevm", &blob("st-pair"));
        assert_eq!(
            routes_taken(&f, &c.request.steps),
            ["40.68.32.0/20 VirtualNetworkServiceEndpoint by vnet/se/Microsoft.Storage"],
            "{routes}"
        );
        // An unpaired region is not covered by Microsoft.Storage: the UDR takes it to the NVA.
        let c = connect(&f, "sevm", &blob("st-far"));
        assert_eq!(appliances(&f, &c.request.steps), ["nva"], "{routes}");
        assert!(matches!(
            service_step(&c),
            Some((_, Arrival::Public { same_region: false, .. }, Admission::PublicAccess))
        ));
    }
    let effective_se = |f: &Fabric| effective(f, "vnet/se", "40.68.0.0/20");
    let f = fabric(&se_scenario(&equal, ""));
    assert_eq!(
        effective_se(&f),
        [
            (NextHop::VirtualNetworkServiceEndpoint, RouteState::Active),
            (NextHop::VirtualAppliance(ip(SE_NVA)), RouteState::Invalid)
        ]
    );
    // A longer UDR wins by longest prefix match: the firewall then sees the NVA's public source.
    let longer = format!(", {}", udr("storage-24", "40.68.0.0/24", SE_NVA));
    let f = fabric(&se_scenario(&longer, ""));
    let c = connect(&f, "sevm", &blob("st-fw"));
    assert_eq!(appliances(&f, &c.request.steps), ["nva"]);
    assert!(
        matches!(service_step(&c), Some((_, Arrival::Public { .. }, Admission::NoRuleMatched { .. }))),
        "{:?}",
        c.request
    );
}

/// S-2, S-9: service endpoint traffic reaches the account with the VNet's private source, so an
/// IP rule listing the caller's public IP does not match it (the cross-region endpoint covers the
/// westus account); the same rule admits a caller without a service endpoint. Naive: the
/// firewall checks the caller's public IP whatever the path.
#[test]
fn s2_ip_rule_does_not_match_service_endpoint_traffic() {
    let f = fabric(&se_scenario("", ""));
    let st_gw = service(&f, "st-gw");
    let c = connect(&f, "globalvm", &blob("st-gw"));
    let se = Arrival::ServiceEndpoint(subnet(&f, "vnet/global"));
    assert_eq!(service_step(&c), Some((st_gw, se, Admission::NoRuleMatched { ignored_ip_rule: None })));
    assert_eq!(outcome(&f, &c), "denied_by_service by st-gw/default_action");
    assert_eq!(c.packet.map(|p| p.source), Some(ip("10.1.2.4")), "the private source");
    assert_eq!(
        routes_taken(&f, &c.request.steps),
        ["40.68.0.0/16 VirtualNetworkServiceEndpoint by vnet/global/Microsoft.Storage.Global"]
    );

    let c = connect(&f, "nosevm", &blob("st-gw"));
    let public = Arrival::Public { source: ip("20.1.3.4"), same_region: false };
    assert_eq!(service_step(&c), Some((st_gw, public, Admission::IpRule(1))));
    assert_eq!(outcome(&f, &c), "allowed");
}

/// S-10: storage IP rules have no effect on callers in the account's region: the eastus VM's
/// public IP is listed but the request is refused (the admission names the ignored rule), while
/// an internet caller in the list is admitted, and the same VM is admitted by the westus account.
/// Naive: an IP rule matches every public source.
#[test]
fn s10_ip_rule_ignored_for_same_region_caller_but_admits_internet_caller() {
    let f = fabric(&se_scenario("", ""));
    let st_fw = service(&f, "st-fw");
    let c = connect(&f, "nosevm", &blob("st-fw"));
    let same_region = Arrival::Public { source: ip("20.1.3.4"), same_region: true };
    assert_eq!(service_step(&c), Some((st_fw, same_region, Admission::NoRuleMatched { ignored_ip_rule: Some(0) })));
    assert_eq!(c.disposition(), Disposition::DeniedByService);

    let c = connect(&f, "internet@203.0.113.77", &blob("st-fw"));
    let internet = Arrival::Public { source: ip("203.0.113.77"), same_region: false };
    assert_eq!(service_step(&c), Some((st_fw, internet, Admission::IpRule(1))));
    assert_eq!(outcome(&f, &c), "allowed");

    let c = connect(&f, "internet@198.51.100.9", &blob("st-fw"));
    assert!(matches!(service_step(&c), Some((_, _, Admission::NoRuleMatched { ignored_ip_rule: None }))));

    let c = connect(&f, "nosevm", &blob("st-gw"));
    assert!(matches!(service_step(&c), Some((_, Arrival::Public { same_region: false, .. }, Admission::IpRule(1)))));
}

/// S-1: local (`Microsoft.Storage`) and cross-region (`Microsoft.Storage.Global`) storage
/// endpoints cannot coexist on one subnet; the loader must say so at the subnet. Naive: accept
/// both and install both sets of routes.
#[test]
fn s1_local_and_cross_region_storage_endpoints_cannot_coexist() {
    let yaml =
        se_scenario("", "").replace("[Microsoft.Storage.Global]", "[Microsoft.Storage, Microsoft.Storage.Global]");
    let line = yaml.lines().position(|l| l.contains("Microsoft.Storage, Microsoft.Storage.Global")).expect("line");
    assert_eq!(error_lines(&yaml), [line as u32 + 1]);
    assert_eq!(error_lines(&se_scenario("", "")), [0u32; 0]);
}

/// S-5: a service endpoint policy on the subnet admits only the listed accounts of the endpoint's
/// regions (its own and the geo-pair); an unlisted one is refused even when its own firewall has a
/// VNet rule for the subnet; an account in an unpaired region is not filtered, nor is an unlisted
/// account reached through its private endpoint (S-7: SEP and PE are independent), even when the
/// cross-region endpoint carries it over the service endpoint. Without the policy every account
/// is reachable. Naive: the policy filters every storage account (or only
/// checks the firewall, or only the endpoint's own region).
#[test]
fn s5_service_endpoint_policy_denies_unlisted_accounts_of_its_regions_only() {
    let f = fabric(&se_scenario("", ", service_endpoint_policies: [sep1]"));
    let se = Arrival::ServiceEndpoint(subnet(&f, "vnet/se"));
    let policy = Admission::ServiceEndpointPolicy(subnet(&f, "vnet/se"));
    let cases =
        [("st-listed", Admission::PublicAccess), ("st-unlisted", policy), ("st-fw", policy), ("st-pair", policy)];
    for (account, admission) in cases {
        let c = connect(&f, "sevm", &blob(account));
        assert_eq!(service_step(&c), Some((service(&f, account), se, admission)), "{account}");
    }
    assert_eq!(outcome(&f, &connect(&f, "sevm", &blob("st-unlisted"))), "denied_by_service by sep1");
    let c = connect(&f, "sevm", &blob("st-far"));
    assert!(matches!(service_step(&c), Some((_, Arrival::Public { .. }, Admission::PublicAccess))), "{:?}", c.request);
    assert_eq!(outcome(&f, &c), "allowed");
    // Other subnets are not filtered.
    assert_eq!(outcome(&f, &connect(&f, "nosevm", &blob("st-unlisted"))), "allowed");
    let c = connect(&f, "sevm", &blob("st-private"));
    let pe = Arrival::PrivateEndpoint(private_endpoint(&f, "pe-private"));
    assert_eq!(service_step(&c), Some((service(&f, "st-private"), pe, Admission::PrivateEndpoint)));

    let f = fabric(&se_scenario("", ""));
    let c = connect(&f, "sevm", &blob("st-unlisted"));
    assert_eq!(service_step(&c), Some((service(&f, "st-unlisted"), se, Admission::PublicAccess)));

    // The policy on the cross-region endpoint's subnet: the unpaired region arrives over the
    // endpoint and is still not filtered.
    let global = "service_endpoints: [Microsoft.Storage.Global] }";
    let yaml = se_scenario("", "").replace(global, &global.replace(" }", ", service_endpoint_policies: [sep1] }"));
    let f = fabric(&yaml);
    let global = subnet(&f, "vnet/global");
    let se = Arrival::ServiceEndpoint(global);
    let cases = [("st-far", Admission::PublicAccess), ("st-unlisted", Admission::ServiceEndpointPolicy(global))];
    for (account, admission) in cases {
        let c = connect(&f, "globalvm", &blob(account));
        assert_eq!(service_step(&c), Some((service(&f, account), se, admission)), "{account} over the global endpoint");
    }
}

/// S-6: the alias `/services/Azure/MachineLearning` admits the storage accounts Azure ML
/// manages, and only those: a Batch-managed account stays refused. Naive: an alias admits every
/// Microsoft-managed account, or none.
#[test]
fn s6_sep_alias_admits_only_accounts_of_the_named_service() {
    let f = fabric(&se_scenario("", ", service_endpoint_policies: [sep1]"));
    let se = Arrival::ServiceEndpoint(subnet(&f, "vnet/se"));
    let c = connect(&f, "sevm", &blob("st-aml"));
    assert_eq!(service_step(&c), Some((service(&f, "st-aml"), se, Admission::PublicAccess)));
    let c = connect(&f, "sevm", &blob("st-batch"));
    assert_eq!(
        service_step(&c),
        Some((service(&f, "st-batch"), se, Admission::ServiceEndpointPolicy(subnet(&f, "vnet/se"))))
    );
}

// ---------------------------------------------------------------------------------------------
// S-9: resource firewalls and managed identities
// ---------------------------------------------------------------------------------------------

const FIREWALLS: &str = r#"
region: eastus
vnets:
  - name: vnet
    address_space: [10.1.0.0/16]
    subnets:
      - { name: app, prefix: 10.1.1.0/24, service_endpoints: [Microsoft.Storage] }
      - { name: pe, prefix: 10.1.2.0/24 }
  - name: far
    address_space: [10.5.0.0/16]
    subnets: [{ name: s, prefix: 10.5.1.0/24 }]
endpoints:
  - { name: app, kind: vm, subnet: vnet/app, ip: 10.1.1.4 }
  - { name: farvm, kind: vm, subnet: far/s, ip: 10.5.1.4 }
services:
  - { name: ws1, kind: workspace }
  - { name: ws2, kind: workspace }
  - { name: kv, kind: key_vault }
  - { name: st-trusted, kind: storage_account, network_rules: { default_action: Deny, bypass: [AzureServices] } }
  - { name: st-instance, kind: storage_account, network_rules: { default_action: Deny, resource_instances: [ws1] } }
  - { name: st-other, kind: storage_account, network_rules: { default_action: Deny, resource_instances: [ws2] } }
  - { name: st-closed, kind: storage_account, network_rules: { default_action: Deny } }
  - name: st-off
    kind: storage_account
    public_network_access: Disabled
    network_rules: { default_action: Allow, bypass: [AzureServices], resource_instances: [ws1] }
private_endpoints:
  - { name: pe-off, subnet: vnet/pe, ip: 10.1.2.10, target: st-off, subresource: blob }
private_dns_zones:
  - { name: privatelink.blob.core.windows.net, links: [vnet] }
"#;

/// S-9: with default action Deny, a workspace calling with its managed identity (`from: ws1`,
/// a `Place::Service`) is admitted by the trusted-services bypass or by a resource instance rule
/// naming it, and by nothing else: another workspace's instance rule, or no rule, refuses it;
/// the bypass does not admit internet callers; a caller that is not a trusted service (a key
/// vault) is refused by the bypass. The reply goes back to the calling service. Naive: any
/// Azure service passes, or the bypass admits everyone.
#[test]
fn s9_trusted_services_and_resource_instance_rules_admit_the_workspace_identity() {
    let f = fabric(FIREWALLS);
    let ws1 = service(&f, "ws1");
    let cases = [
        ("ws1", "st-trusted", Admission::TrustedService),
        ("ws1", "st-instance", Admission::ResourceInstance(0)),
        ("ws1", "st-other", Admission::NoRuleMatched { ignored_ip_rule: None }),
        ("ws1", "st-closed", Admission::NoRuleMatched { ignored_ip_rule: None }),
        ("ws2", "st-instance", Admission::NoRuleMatched { ignored_ip_rule: None }),
        ("ws2", "st-trusted", Admission::TrustedService),
        ("kv", "st-trusted", Admission::NoRuleMatched { ignored_ip_rule: None }),
    ];
    for (caller, account, admission) in cases {
        let c = connect(&f, caller, &blob(account));
        let arrival = Arrival::Service(service(&f, caller));
        assert_eq!(service_step(&c), Some((service(&f, account), arrival, admission)), "{caller} -> {account}");
        assert_eq!(c.allowed(), admission.allows(), "{caller} -> {account}");
    }
    let c = connect(&f, "ws1", &blob("st-trusted"));
    assert_eq!(c.reply.steps.last(), Some(&Step::DeliveredToService { service: ws1 }));
    let c = connect(&f, "internet", &blob("st-trusted"));
    assert_eq!(outcome(&f, &c), "denied_by_service by st-trusted/default_action");
}

/// S-9, P-5, S-8: `public_network_access: Disabled` refuses every request to the public endpoint
/// even with default action Allow, a bypass and an instance rule: from the internet, from an
/// unlinked VNet, over a service endpoint and from the workspace's identity. Traffic through the
/// private endpoint needs no rule. Naive: the default action decides.
#[test]
fn s9_public_network_access_disabled_refuses_even_with_default_allow() {
    let f = fabric(FIREWALLS);
    let st_off = service(&f, "st-off");
    let public_ip = f.scenario.service(st_off).public_ip.to_string();
    let cases =
        [("internet", blob("st-off")), ("farvm", blob("st-off")), ("ws1", blob("st-off")), ("app", public_ip.clone())];
    for (from, to) in cases {
        let c = connect(&f, from, &to);
        let (service, _, admission) = service_step(&c).unwrap_or_else(|| panic!("{from}: {:?}", c.request));
        assert_eq!((service, admission), (st_off, Admission::PublicAccessDisabled), "{from} -> {to}");
        assert_eq!(outcome(&f, &c), "denied_by_service by st-off/public_network_access", "{from} -> {to}");
    }
    let c = connect(&f, "app", &public_ip);
    assert_eq!(service_step(&c).map(|s| s.1), Some(Arrival::ServiceEndpoint(subnet(&f, "vnet/app"))));
    let c = connect(&f, "app", &blob("st-off"));
    let pe = private_endpoint(&f, "pe-off");
    assert_eq!(service_step(&c), Some((st_off, Arrival::PrivateEndpoint(pe), Admission::PrivateEndpoint)));
    assert_eq!(outcome(&f, &c), "allowed");
}

// ---------------------------------------------------------------------------------------------
// A-7, A-9, A-11, A-12: a workspace with a private endpoint and an online endpoint
// ---------------------------------------------------------------------------------------------

const LISTED: &str = "internet@203.0.113.50";
const UNLISTED: &str = "internet@198.51.100.9";
const WS_API: &str = "https://0a1b2c3d.workspace.eastus.api.azureml.ms";
const EP_SCORE: &str = "https://ep1.eastus.inference.ml.azure.com";

/// `ws`, `ep`: the `public_network_access` of the workspace and of its online endpoint. The
/// workspace lists 203.0.113.50 in its selected IPs.
fn aml(ws: &str, ep: &str) -> String {
    format!(
        r#"
region: eastus
vnets:
  - name: spoke
    address_space: [10.1.0.0/16]
    subnets:
      - {{ name: app, prefix: 10.1.1.0/24 }}
      - {{ name: pe, prefix: 10.1.2.0/24 }}
endpoints:
  - {{ name: client, kind: vm, subnet: spoke/app, ip: 10.1.1.4 }}
  - {{ name: ci1, kind: compute_instance, subnet: spoke/app, ip: 10.1.1.5 }}
services:
  - name: ws1
    kind: workspace
    workspace_id: 0a1b2c3d
    public_network_access: {ws}
    network_rules: {{ ip_rules: [203.0.113.50] }}
  - {{ name: ep1, kind: online_endpoint, workspace: ws1, public_network_access: {ep} }}
private_endpoints:
  - {{ name: pe-ws, subnet: spoke/pe, ip: 10.1.2.10, target: ws1, subresource: amlworkspace }}
private_dns_zones:
  - {{ name: privatelink.api.azureml.ms, links: [spoke] }}
  - {{ name: privatelink.notebooks.azure.net, links: [spoke] }}
"#
    )
}

/// A-9: the workspace endpoint serves its API, cert and notebook names, every compute instance
/// name (`<ci>.<region>.instances.azureml.ms` resolves to the workspace endpoint, not to the
/// instance's own IP) and every online endpoint (`<ep>.<region>.inference.ml.azure.com`, a CNAME
/// into the workspace's privatelink inference names). Naive: compute instance names resolve to
/// the instance, endpoint names publicly.
#[test]
fn a9_compute_instance_and_online_endpoint_names_resolve_to_the_workspace_pe() {
    let f = fabric(&aml("Disabled", "Disabled"));
    let pe_ip = DnsOutcome::Address(ip("10.1.2.10"));
    for name in [
        "0a1b2c3d.workspace.eastus.api.azureml.ms",
        "0a1b2c3d.workspace.eastus.cert.api.azureml.ms",
        "ml-ws1-eastus-0a1b2c3d.eastus.notebooks.azure.net",
        "ci1.eastus.instances.azureml.ms",
        "ci1-22.eastus.instances.azureml.ms",
        "ep1.eastus.inference.ml.azure.com",
        "not-declared.eastus.inference.ml.azure.com",
    ] {
        let r = resolve(&f, "client", name);
        assert_eq!(r.outcome, pe_ip, "{name}: {:?}", answers(&f, &r));
        assert!(matches!(r.answers[0].record, Record::Cname(_)), "{name}: D-1 CNAME first");
    }
    assert_eq!(
        answers(&f, &resolve(&f, "client", "ep1.eastus.inference.ml.azure.com")),
        [
            "ep1.eastus.inference.ml.azure.com CNAME ep1.0a1b2c3d.inference.eastus.privatelink.api.azureml.ms public",
            "ep1.0a1b2c3d.inference.eastus.privatelink.api.azureml.ms A 10.1.2.10 zone privatelink.api.azureml.ms linked to spoke",
        ]
    );
    let r = resolve(&f, "client", "ci1.eastus.instances.azureml.ms");
    assert_eq!(r.service, Some(service(&f, "ws1")));
    let c = connect(&f, "client", "https://ci1.eastus.instances.azureml.ms");
    let pe = Arrival::PrivateEndpoint(private_endpoint(&f, "pe-ws"));
    assert_eq!(service_step(&c), Some((service(&f, "ws1"), pe, Admission::PrivateEndpoint)));
}

/// A-11: an online endpoint with public access disabled is scored through the workspace's private
/// endpoint, which hands the connection to the online endpoint (not to the workspace); from the
/// internet it is refused. Naive: the private endpoint always delivers to its target.
#[test]
fn a11_disabled_online_endpoint_is_scored_through_the_workspace_pe() {
    let f = fabric(&aml("Disabled", "Disabled"));
    let ep1 = service(&f, "ep1");
    let c = connect(&f, "client", EP_SCORE);
    let pe = Arrival::PrivateEndpoint(private_endpoint(&f, "pe-ws"));
    assert_eq!(service_step(&c), Some((ep1, pe, Admission::PrivateEndpoint)));
    assert_eq!(outcome(&f, &c), "allowed");
    let c = connect(&f, LISTED, EP_SCORE);
    assert!(matches!(service_step(&c), Some((s, Arrival::Public { .. }, Admission::PublicAccessDisabled)) if s == ep1));
}

/// A-7: a workspace with selected IPs admits public callers in its IP list and refuses the rest;
/// Disabled refuses them all, the list notwithstanding; traffic through its private endpoint is
/// unaffected. Naive: the IP list is applied whatever the access setting (or ignored).
#[test]
fn a7_workspace_selected_ips_admit_listed_public_sources_only() {
    let f = fabric(&aml("SelectedIps", "Disabled"));
    let ws1 = service(&f, "ws1");
    let listed = connect(&f, LISTED, WS_API);
    let public = Arrival::Public { source: ip("203.0.113.50"), same_region: false };
    assert_eq!(service_step(&listed), Some((ws1, public, Admission::IpRule(0))));
    assert_eq!(outcome(&f, &listed), "allowed");
    let unlisted = connect(&f, UNLISTED, WS_API);
    assert_eq!(outcome(&f, &unlisted), "denied_by_service by ws1/ip_rules");
    assert!(matches!(service_step(&unlisted), Some((_, _, Admission::NoRuleMatched { ignored_ip_rule: None }))));
    assert_eq!(outcome(&f, &connect(&f, "client", WS_API)), "allowed");

    let f = fabric(&aml("Disabled", "Disabled"));
    let c = connect(&f, LISTED, WS_API);
    assert!(matches!(service_step(&c), Some((_, Arrival::Public { .. }, Admission::PublicAccessDisabled))));
    let c = connect(&f, "client", WS_API);
    assert_eq!(service_step(&c).map(|s| s.2), Some(Admission::PrivateEndpoint));
}

/// A-12: the workspace/endpoint table. An enabled online endpoint honours the workspace's IP
/// list, even when the workspace itself is Disabled (the list is left from selected IPs); a
/// disabled endpoint refuses every public caller; the workspace honours its list only with
/// selected IPs. Naive: the endpoint follows the workspace's setting, or ignores the list.
#[test]
fn a12_online_endpoint_honours_the_workspace_ip_list() {
    let refused = Admission::PublicAccessDisabled;
    let no_rule = Admission::NoRuleMatched { ignored_ip_rule: None };
    // (workspace, endpoint, workspace for listed / unlisted, endpoint for listed / unlisted)
    let table = [
        ("Disabled", "Disabled", [refused, refused], [refused, refused]),
        ("Disabled", "Enabled", [refused, refused], [Admission::IpRule(0), no_rule]),
        ("SelectedIps", "Disabled", [Admission::IpRule(0), no_rule], [refused, refused]),
        ("SelectedIps", "Enabled", [Admission::IpRule(0), no_rule], [Admission::IpRule(0), no_rule]),
    ];
    for (ws, ep, at_ws, at_ep) in table {
        let f = fabric(&aml(ws, ep));
        for (to, want) in [(WS_API, at_ws), (EP_SCORE, at_ep)] {
            for (from, admission) in [LISTED, UNLISTED].into_iter().zip(want) {
                let c = connect(&f, from, to);
                let got = service_step(&c).map(|(_, _, a)| a);
                assert_eq!(got, Some(admission), "workspace {ws}, endpoint {ep}: {from} -> {to}");
            }
        }
    }
}

/// A-9 with two workspaces in one region: both declare the regional wildcard names
/// (`*.eastus.instances.azureml.ms`, `*.eastus.inference.ml.azure.com`), which must not stop the
/// scenario from loading, and each workspace's API name resolves to its own private endpoint,
/// which hands the connection to that workspace. Naive: reject the shared wildcard as a duplicate
/// name, or deliver both through the first endpoint.
#[test]
fn a9_two_workspaces_in_one_region_load_and_resolve_their_own_names() {
    let yaml = aml("Disabled", "Disabled").replace(
        "private_endpoints:",
        "  - { name: ws2, kind: workspace, workspace_id: 9f8e7d6c, public_network_access: Disabled }\nprivate_endpoints:\n  - { name: pe-ws2, subnet: spoke/pe, ip: 10.1.2.11, target: ws2, subresource: amlworkspace }",
    );
    let f = fabric(&yaml);
    let api = |id: &str| resolve(&f, "client", &format!("{id}.workspace.eastus.api.azureml.ms")).outcome;
    assert_eq!(api("0a1b2c3d"), DnsOutcome::Address(ip("10.1.2.10")));
    assert_eq!(api("9f8e7d6c"), DnsOutcome::Address(ip("10.1.2.11")));
    let c = connect(&f, "client", "https://9f8e7d6c.workspace.eastus.api.azureml.ms");
    let pe = Arrival::PrivateEndpoint(private_endpoint(&f, "pe-ws2"));
    assert_eq!(service_step(&c), Some((service(&f, "ws2"), pe, Admission::PrivateEndpoint)));
}

// ---------------------------------------------------------------------------------------------
// T-1..T-3: a loaded ServiceTags_Public file replaces the built-in synthetic table
// ---------------------------------------------------------------------------------------------

/// A ServiceTags_Public file (T-2 schema) whose Storage prefixes differ from the built-in table.
const TAG_FILE: &str = r#"{
  "changeNumber": 329,
  "cloud": "Public",
  "values": [
    {
      "name": "Storage",
      "id": "Storage",
      "properties": {
        "changeNumber": 12, "region": "", "regionId": 0, "platform": "Azure", "systemService": "AzureStorage",
        "addressPrefixes": ["52.239.0.0/16", "2603:1030::/48"], "networkFeatures": ["API", "NSG", "UDR", "FW"]
      }
    },
    {
      "name": "Storage.EastUS",
      "id": "Storage.EastUS",
      "properties": {
        "changeNumber": 7, "region": "eastus", "regionId": 32, "platform": "Azure", "systemService": "AzureStorage",
        "addressPrefixes": ["52.239.8.0/21"], "networkFeatures": ["API", "NSG", "UDR", "FW"]
      }
    }
  ]
}"#;

/// The tag is written in another case than the file's `Storage.EastUS` (T-3).
const TAGGED: &str = r#"
region: eastus
vnets:
  - name: vnet
    address_space: [10.1.0.0/16]
    subnets: [{ name: app, prefix: 10.1.1.0/24, nsg: out, service_endpoints: [Microsoft.Storage] }]
nsgs:
  - name: out
    rules:
      - { name: deny-storage, priority: 100, direction: outbound, access: deny, protocol: tcp, destination: storage.eastus }
endpoints:
  - { name: vm, kind: vm, subnet: vnet/app, ip: 10.1.1.4 }
services:
  - { name: drawn, kind: storage_account }
  - { name: fixed, kind: storage_account, public_ip: 52.239.10.5 }
"#;

/// T-1..T-3: the same scenario compiled with the built-in table and with a loaded tag file. The
/// loaded file moves the account's drawn public IP into its Storage.EastUS prefixes (and DNS
/// follows), the service endpoint routes onto those prefixes (S-4), and changes what the NSG rule
/// on `storage.eastus` matches: the account with the fixed 52.239.10.5 is allowed under the
/// built-in table and denied under the loaded one, while the drawn account is denied under both
/// (its IP always comes from the tag). Naive: the rule, the routes or the drawn IP stay on the
/// built-in prefixes, or tag names match case-sensitively.
#[test]
fn t1_loaded_service_tags_change_public_ips_and_nsg_tag_matches() {
    let loaded = load_service_tags("ServiceTags_Public_20240101.json", TAG_FILE)
        .unwrap_or_else(|d| panic!("tag file does not load: {d:?}"));
    assert_eq!(loaded.get("storage.eastus").map(|t| t.name.as_str()), Some("Storage.EastUS"));
    let builtin = Fabric::compile(load_with(TAGGED, &ServiceTagTable::builtin()), Options::default());
    let from_file = Fabric::compile(load_with(TAGGED, &loaded), Options::default());

    let drawn = |f: &Fabric| f.scenario.service(service(f, "drawn")).public_ip;
    assert_eq!(drawn(&builtin), ip("40.68.0.1"));
    assert_eq!(drawn(&from_file), ip("52.239.8.1"));
    for f in [&builtin, &from_file] {
        let r = resolve(f, "vm", "drawn.blob.core.windows.net");
        assert_eq!(r.outcome, DnsOutcome::Address(drawn(f)));
        assert_eq!(outcome(f, &connect(f, "vm", &blob("drawn"))), "denied_by_nsg by out/deny-storage");
    }
    let service_endpoint = [(NextHop::VirtualNetworkServiceEndpoint, RouteState::Active)];
    assert_eq!(effective(&builtin, "vnet/app", "40.68.0.0/20"), service_endpoint);
    assert_eq!(effective(&builtin, "vnet/app", "52.239.8.0/21"), []);
    assert_eq!(effective(&from_file, "vnet/app", "52.239.8.0/21"), service_endpoint);
    assert_eq!(effective(&from_file, "vnet/app", "40.68.0.0/20"), []);
    let fixed = connect(&builtin, "vm", &blob("fixed"));
    assert_eq!(outcome(&builtin, &fixed), "allowed");
    assert!(matches!(service_step(&fixed), Some((_, Arrival::Public { .. }, _))), "not over the endpoint");
    assert_eq!(outcome(&from_file, &connect(&from_file, "vm", &blob("fixed"))), "denied_by_nsg by out/deny-storage");
}

/// D-2, D-5 step 4: NxDomainRedirect applies to Private Link zones, and D-2 names
/// `{region}.data.privatelink.azurecr.io` as the zone of a registry's regional data endpoint. A
/// registry whose endpoint's records are kept elsewhere (not in this zone) must fall back to its
/// public IP for both its login and its data name. Naive: only zones named `privatelink.*`.
#[test]
fn d5_nxdomain_redirect_applies_to_regional_privatelink_zones() {
    let f = fabric(
        r#"
region: eastus
vnets:
  - name: vnet
    address_space: [10.1.0.0/16]
    subnets:
      - { name: app, prefix: 10.1.1.0/24 }
      - { name: pe, prefix: 10.1.2.0/24 }
endpoints:
  - { name: client, kind: vm, subnet: vnet/app, ip: 10.1.1.4 }
services:
  - { name: reg1, kind: container_registry, sku: Premium, public_ip: 40.70.0.10 }
  - { name: reg2, kind: container_registry, sku: Premium, public_ip: 40.70.0.11 }
private_endpoints:
  - { name: pe-reg1, subnet: vnet/pe, ip: 10.1.2.10, target: reg1, subresource: registry }
  - { name: pe-reg2, subnet: vnet/pe, ip: 10.1.2.11, target: reg2, subresource: registry, register_dns: false }
private_dns_zones:
  - { name: privatelink.azurecr.io, links: [{ vnet: vnet, resolution_policy: NxDomainRedirect }] }
  - { name: eastus.data.privatelink.azurecr.io, links: [{ vnet: vnet, resolution_policy: NxDomainRedirect }] }
"#,
    );
    // P-4: one `registry` endpoint answers for the login and the data name.
    for name in ["reg1.azurecr.io", "reg1.eastus.data.azurecr.io"] {
        assert_eq!(resolve(&f, "client", name).outcome, DnsOutcome::Address(ip("10.1.2.10")), "{name}");
    }
    for name in ["reg2.azurecr.io", "reg2.eastus.data.azurecr.io"] {
        let r = resolve(&f, "client", name);
        assert_eq!(r.outcome, DnsOutcome::Address(ip("40.70.0.11")), "{name}: {:?}", answers(&f, &r));
    }
}
