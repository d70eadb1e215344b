//! Names nobody declared. Public DNS answers an undeclared resource of an Azure service
//! (`someone.blob.core.windows.net`) with a foreign resource of that service in the foreign
//! region, and an undeclared internet name with its stand-in address, so `trace` can follow
//! exactly what the exfiltration audit reasons about. Before, both answered NXDOMAIN.

use vnetsim_engine::dns::{AnswerSource, DnsOutcome};
use vnetsim_engine::trace::Disposition;
use vnetsim_engine::{Fabric, Options};
use vnetsim_model::public_services::stand_in_address;
use vnetsim_model::{IpAddr, Ipv4Addr, ServiceKind};
use vnetsim_testkit::{builtin_scenario_text, connect, connect_port, fabric_with, generated, outcome};

/// Scenario 18: spoke compute behind a hub firewall that allows `Storage.eastus` on 443 by a
/// network rule and `*.pytorch.org` by an application rule.
fn scenario_18(foreign_region: Option<&str>) -> Fabric {
    let options = Options { foreign_region: foreign_region.map(str::to_string), ..Options::default() };
    fabric_with(&builtin_scenario_text("18-hub-spoke-firewall-custom-dns"), options)
}

/// What the compute's DNS (the hub's DNS server, forwarding to Azure DNS) answers for `name`.
fn answer(f: &Fabric, name: &str) -> (DnsOutcome, Option<AnswerSource>) {
    let c = connect(f, "cpu-cluster", &format!("https://{name}"));
    let r = c.resolution.expect("a name destination is resolved");
    (r.outcome, r.answers.last().map(|a| a.source))
}

fn address_of(outcome: DnsOutcome) -> IpAddr {
    match outcome {
        DnsOutcome::Address(ip) => ip,
        other => panic!("expected an address, got {other:?}"),
    }
}

#[test]
fn an_undeclared_storage_account_is_the_foreign_account_of_the_scenarios_region() {
    let f = scenario_18(None);
    let (answered, source) = answer(&f, "someone.blob.core.windows.net");
    assert!(matches!(source, Some(AnswerSource::Foreign { .. })), "{source:?}");
    let address = address_of(answered);
    let service = f.service_at(address).map(|id| f.scenario.service(id));
    assert!(service.is_some_and(|s| s.foreign && s.kind == ServiceKind::StorageAccount && s.region == "eastus"));
    // The firewall's `Storage.eastus` network rule lets it through: the audit's finding, traced.
    let c = connect(&f, "cpu-cluster", "https://someone.blob.core.windows.net");
    assert_eq!(outcome(&f, &c), "allowed");
    assert_eq!(c.disposition(), Disposition::Delivered);
}

#[test]
fn the_foreign_region_moves_foreign_resources_out_of_the_firewalls_regional_rule() {
    let f = scenario_18(Some("westus"));
    let address = address_of(answer(&f, "someone.blob.core.windows.net").0);
    let service = f.service_at(address).map(|id| f.scenario.service(id));
    assert!(service.is_some_and(|s| s.foreign && s.region == "westus"), "{service:?}");
    let c = connect(&f, "cpu-cluster", "https://someone.blob.core.windows.net");
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw");
}

#[test]
fn other_azure_services_answer_with_a_free_address_of_their_regional_tag() {
    let f = scenario_18(None);
    for (name, tag) in [
        ("kv-elsewhere.vault.azure.net", "AzureKeyVault.eastus"),
        ("other.azurecr.io", "AzureContainerRegistry.eastus"),
    ] {
        let (answered, source) = answer(&f, name);
        assert!(matches!(source, Some(AnswerSource::Foreign { .. })), "{name}: {source:?}");
        let address = address_of(answered);
        let prefixes = &f.scenario.service_tags.get(tag).expect("built-in tag").prefixes;
        assert!(prefixes.iter().any(|p| p.contains(&address)), "{name} -> {address} outside {tag}");
        assert_eq!(f.service_at(address), None, "{name} -> {address} is a declared service's address");
    }
    // Declared resources keep their names: the workspace's key vault still resolves privately.
    let (answered, source) = answer(&f, "mlkv.vault.azure.net");
    assert!(matches!(source, Some(AnswerSource::PrivateZone { .. })), "{source:?}");
    assert!(matches!(answered, DnsOutcome::Address(IpAddr::V4(v)) if v.is_private()));
}

#[test]
fn an_undeclared_internet_name_gets_its_stand_in_and_the_firewall_judges_it_by_name() {
    let f = scenario_18(None);
    let (answered, source) = answer(&f, "vision.pytorch.org");
    assert_eq!(source, Some(AnswerSource::StandIn));
    assert_eq!(answered, DnsOutcome::Address(IpAddr::V4(stand_in_address("vision.pytorch.org", f.stand_in_block()))));
    assert_eq!(f.stand_in_block(), Ipv4Addr::new(198, 18, 0, 0), "scenario 18 mentions nothing in 198.18.0.0/16");
    // `*.pytorch.org` (F-9) allows it on the SNI; an unrelated name is denied by the same firewall.
    let c = connect_port(&f, "cpu-cluster", "vision.pytorch.org", 443);
    assert_eq!(outcome(&f, &c), "allowed");
    let c = connect_port(&f, "cpu-cluster", "unrelated-site.com", 443);
    assert_eq!(outcome(&f, &c), "denied_by_firewall by hub-fw");
    // Built-in hosts keep their documented addresses.
    assert_eq!(answer(&f, "pypi.org").0, DnsOutcome::Address("203.0.113.20".parse().unwrap()));
}

#[test]
fn names_public_dns_never_answers_stay_nxdomain() {
    let f = scenario_18(None);
    for name in [
        "host.corp.internal",
        "printer.local",
        "a.example",
        "someone.privatelink.blob.core.windows.net",
        "a.b.blob.core.windows.net",
    ] {
        assert_eq!(answer(&f, name).0, DnsOutcome::NxDomain, "{name}");
    }
}

/// A generated landing zone gives its partners 198.18.x.0/24 and its threat-intelligence feeds
/// 198.19.x.0/24, which its firewall allows and denies by rule: stand-ins move past both, so an
/// undeclared name never borrows a partner's access. Before, every stand-in was in 198.18.0.0/15.
#[test]
fn stand_ins_avoid_every_range_the_scenario_mentions() {
    let f = generated(3, 7);
    let block = f.stand_in_block();
    assert_eq!(block, Ipv4Addr::new(198, 20, 0, 0));
    let spaces = f.cuts().finish().addresses;
    let lo = u32::from(block);
    let piece = spaces.iter().find(|(a, b)| *a <= lo && lo <= *b).expect("a piece holds the block");
    assert!(piece.0 < lo && piece.1 > lo + 0xffff, "no boundary inside or at the edge of the block: {piece:?}");
}
