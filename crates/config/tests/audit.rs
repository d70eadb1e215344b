//! `audit:` and the exfiltration expectations (`outcome: no_exfiltration` / `exfiltration`)
//! resolve into `Scenario::audit` and `Scenario::exfiltration_expectations`. Located errors for
//! single problems are checked through the CLI on `tests/fixtures/broken/audit-*.yaml`.

use vnetsim_config::load_scenario;
use vnetsim_model::*;

const NETWORK: &str = "
name: audit
region: eastus
vnets:
  - name: ml
    address_space: [10.0.0.0/16]
    subnets:
      - {name: training, prefix: 10.0.1.0/24}
      - {name: scoring, prefix: 10.0.2.0/24}
      - {name: pe, prefix: 10.0.3.0/24}
endpoints:
  - {name: jumpbox, kind: vm, subnet: ml/training}
  - {name: cpu-cluster, kind: compute_cluster, node_count: 2, subnet: ml/training}
  - {name: scoring-pool, kind: aks_node_pool, subnet: ml/scoring}
services:
  - {name: ws, kind: workspace}
  - {name: ourstore, kind: storage_account}
  - {name: partnerstore, kind: storage_account}
private_endpoints:
  - {name: pe-ours, subnet: ml/pe, target: ourstore, subresource: blob}
";

fn load(tail: &str) -> Result<Scenario, Vec<String>> {
    let source = format!("{NETWORK}{tail}");
    load_scenario("audit.yaml", &source, &ServiceTagTable::builtin())
        .map_err(|d| d.iter().map(|d| format!("{}:{}: {}", d.loc.line, d.loc.column, d.message)).collect())
}

fn scenario(tail: &str) -> Scenario {
    vnetsim_testkit::load(&format!("{NETWORK}{tail}"))
}

fn errors(tail: &str) -> Vec<String> {
    load(tail).expect_err("the scenario loaded")
}

fn endpoint(s: &Scenario, name: &str) -> EndpointId {
    EndpointId::from_index(s.endpoints.iter().position(|e| e.name == name).expect(name))
}

fn service(s: &Scenario, name: &str) -> ServiceId {
    ServiceId::from_index(s.services.iter().position(|x| x.name == name).expect(name))
}

/// The line `NETWORK` leaves the first line of a tail on.
fn line(n: u32) -> u32 {
    NETWORK.lines().count() as u32 + n
}

#[test]
fn without_an_audit_block_everything_is_the_built_in_reading() {
    let s = scenario("");
    assert_eq!(s.audit, AuditSettings::default());
    assert!(s.exfiltration_expectations.is_empty());
}

#[test]
fn the_audit_block_resolves_sources_and_foreign_services_and_keeps_destinations_as_written() {
    let s = scenario(
        r#"audit:
  sources: [scoring-pool, cpu-cluster]
  read_only: [mirror.contoso.com, "*.contoso.com", pypi.org, AzureFrontDoor.Frontend, "*"]
  write_capable: [github.com, ourstore]
  foreign: [partnerstore]
"#,
    );
    assert_eq!(
        s.audit,
        AuditSettings {
            sources: vec![endpoint(&s, "scoring-pool"), endpoint(&s, "cpu-cluster")],
            read_only: ["mirror.contoso.com", "*.contoso.com", "pypi.org", "AzureFrontDoor.Frontend", "*"]
                .map(String::from)
                .to_vec(),
            write_capable: vec!["github.com".to_string(), "ourstore".to_string()],
            foreign: vec![service(&s, "partnerstore")],
        }
    );
}

#[test]
fn exfiltration_expectations_resolve_in_file_order_with_generated_or_written_labels() {
    let s = scenario(
        "expect:
  - {from: cpu-cluster, outcome: no_exfiltration}
  - {from: jumpbox, to: 'https://ourstore.blob.core.windows.net', outcome: allowed}
  - name: storage tag opens a path
    from: scoring-pool
    outcome: exfiltration
    by: training-nsg/allow-storage
  - {from: jumpbox, outcome: Exfiltration}
  - {from: cpu-cluster, outcome: exfiltration, by: ourstore}
nsgs:
  - name: training-nsg
    rules:
      - {name: allow-storage, priority: 100, direction: outbound, access: allow, destination: Storage}
",
    );
    // The connection entry goes to the connection expectations, not here.
    assert_eq!(s.expectations.len(), 1);
    let got: Vec<_> = s
        .exfiltration_expectations
        .iter()
        .map(|e| (e.loc, e.label.as_str(), e.from_text.as_str(), e.from, e.outcome.clone()))
        .collect();
    let at = |n: u32| SourceLoc { line: line(n), column: 5 };
    let found = |by: Option<&str>| ExpectedExfiltration::Found { by: by.map(String::from) };
    let (cpu, pool, jumpbox) = (endpoint(&s, "cpu-cluster"), endpoint(&s, "scoring-pool"), endpoint(&s, "jumpbox"));
    assert_eq!(
        got,
        vec![
            (at(2), "no exfiltration from cpu-cluster", "cpu-cluster", cpu, ExpectedExfiltration::None),
            (at(4), "storage tag opens a path", "scoring-pool", pool, found(Some("training-nsg/allow-storage"))),
            (at(8), "exfiltration from jumpbox", "jumpbox", jumpbox, found(None)),
            (at(9), "exfiltration from cpu-cluster by ourstore", "cpu-cluster", cpu, found(Some("ourstore"))),
        ]
    );
}

#[test]
fn an_exfiltration_expectation_reports_every_key_that_picks_a_connection_or_a_flow() {
    let errors = errors(
        "expect:
  - {from: cpu-cluster, flow: image-build, workspace: ws, protocol: udp, source_port: 5, outcome: exfiltration}
",
    );
    let row = line(2);
    assert_eq!(
        errors,
        ["flow", "workspace", "protocol", "source_port"]
            .iter()
            .zip([31, 55, 69, 87])
            .map(|(key, col)| format!(
                "{row}:{col}: `{key}` does not apply to `outcome: exfiltration`: the audit follows every path out of `from`"
            ))
            .collect::<Vec<_>>()
    );
}

#[test]
fn audit_sources_start_connections_and_are_endpoints() {
    // P-2 for private endpoints; an on-premises network or a service is not the scenario's
    // endpoint to audit, whether in `sources:` or an expectation's `from:`.
    let errors = errors(
        "on_premises:
  - {name: branch, prefixes: [192.168.0.0/24]}
audit:
  sources: [pe-ours, branch]
expect:
  - {from: ourstore, outcome: no_exfiltration}
",
    );
    assert_eq!(
        errors,
        vec![
            format!("{}:13: `pe-ours` is a private_endpoint: it does not start connections (P-2)", line(4)),
            format!(
                "{}:22: `branch` is an on-premises network, not an endpoint: the exfiltration audit looks for paths out of the scenario's endpoints",
                line(4)
            ),
            format!(
                "{}:12: `ourstore` is a service, not an endpoint: the exfiltration audit looks for paths out of the scenario's endpoints",
                line(6)
            ),
        ]
    );
}

/// F-9: `*` only leads a pattern. `*contoso.com` (every name ending in contoso.com) is accepted:
/// the field note revised the old reading, which refused it.
#[test]
fn a_star_only_leads_a_destination_pattern() {
    let errors = errors("audit:\n  write_capable: ['*contoso.com', '*.', 'a.*', ok.com]\n");
    let cols = [35, 41];
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for (e, col) in errors.iter().zip(cols) {
        assert!(e.starts_with(&format!("{}:{col}: invalid write_capable entry", line(2))), "{e}");
    }
}

#[test]
fn the_same_destination_in_both_lists_is_reported_at_the_later_one() {
    // write_capable written first: the read_only entry is the later one.
    let errors = errors("audit:\n  write_capable: [pypi.org]\n  read_only: [PyPI.org]\n");
    assert_eq!(
        errors,
        vec![format!(
            "{}:15: `PyPI.org` is listed in both read_only and write_capable (first at line {})",
            line(3),
            line(2)
        )]
    );
}
