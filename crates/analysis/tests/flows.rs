//! The flow catalogue replayed against small scenarios: which connections a flow stands for
//! (roles and the `When` conditions of A-1..A-3), the serverless image build of A-8, the first
//! blocking step, and `flow:` expectations.

use vnetsim_analysis::check_scenario;
use vnetsim_analysis::flows::{FlowCell, FlowStatus, matrix};
use vnetsim_model::catalogue::FLOWS;
use vnetsim_report::explain::{flow_reason_words, reason_words};
use vnetsim_testkit::fabric;

/// A workspace with a private endpoint, its storage behind private endpoints, a key vault and a
/// registry, a cluster and an instance in `training`, and a client VM. `{extra}` goes under
/// `services:`'s workspace entry; `{tail}` is appended as more top-level keys.
fn scenario(workspace_keys: &str, registry_access: &str, tail: &str) -> String {
    format!(
        r#"
name: flows
region: eastus
vnets:
  - name: ml
    address_space: [10.0.0.0/16]
    subnets:
      - {{name: training, prefix: 10.0.1.0/24}}
      - {{name: pe, prefix: 10.0.2.0/24}}
      - {{name: clients, prefix: 10.0.3.0/24}}
endpoints:
  - {{name: cpu, kind: compute_cluster, node_count: 2, subnet: ml/training}}
  - {{name: ci, kind: compute_instance, subnet: ml/training}}
  - {{name: jumpbox, kind: vm, subnet: ml/clients}}
services:
  - name: ws
    kind: workspace
    public_network_access: Disabled
{workspace_keys}
  - {{name: mlstore, kind: storage_account, public_network_access: Disabled}}
  - {{name: mlkv, kind: key_vault}}
  - {{name: mlacr, kind: container_registry, sku: Premium, public_network_access: {registry_access}}}
private_endpoints:
  - {{name: pe-ws, subnet: ml/pe, target: ws, subresource: amlworkspace}}
  - {{name: pe-blob, subnet: ml/pe, target: mlstore, subresource: blob}}
  - {{name: pe-file, subnet: ml/pe, target: mlstore, subresource: file}}
  - {{name: pe-acr, subnet: ml/pe, target: mlacr, subresource: registry}}
private_dns_zones:
  - {{name: privatelink.api.azureml.ms, links: [ml]}}
  - {{name: privatelink.notebooks.azure.net, links: [ml]}}
  - {{name: privatelink.blob.core.windows.net, links: [ml]}}
  - {{name: privatelink.file.core.windows.net, links: [ml]}}
  - {{name: privatelink.azurecr.io, links: [ml]}}
{tail}
"#
    )
}

fn cell<'a>(cells: &'a [FlowCell], flow: &str, source: &str) -> &'a FlowCell {
    cells.iter().find(|c| c.flow == flow && c.source == source).unwrap_or_else(|| {
        panic!("no cell {flow} from {source}: {:?}", cells.iter().map(|c| (c.flow, &c.source)).collect::<Vec<_>>())
    })
}

fn labels(c: &FlowCell) -> Vec<&str> {
    c.connections.iter().map(|x| x.label.as_str()).collect()
}

#[test]
fn the_catalogue_is_one_table_of_distinct_cited_flows() {
    for (i, f) in FLOWS.iter().enumerate() {
        assert!(FLOWS[..i].iter().all(|g| g.name != f.name), "flow {} twice", f.name);
        assert!(!f.connections.is_empty(), "{} has no connections", f.name);
        // Each flow cites a seed document (000..004) and a semantics rule id.
        assert!(f.source.starts_with("00"), "{} cites no seed: {}", f.name, f.source);
        assert!(f.source.contains("A-") || f.source.contains("S-"), "{} cites no rule: {}", f.name, f.source);
    }
}

#[test]
fn a1_a3_compute_instances_alone_use_udp_5831_and_8787_18881_need_a_workspace_pe() {
    let f = fabric(&scenario("", "Disabled", ""));
    let cells = matrix(&f, Some("compute-manage"), None);
    let instance = labels(cell(&cells, "compute-manage", "ci"));
    let cluster = labels(cell(&cells, "compute-manage", "cpu"));
    assert!(instance.contains(&"eastus.tundra.azureml.ms:5831/udp"), "{instance:?}");
    assert!(!cluster.iter().any(|l| l.contains(":5831/")), "5831 is the instance's: {cluster:?}");
    assert!(
        instance.contains(&"eastus.api.azureml.ms:8787/tcp") && instance.contains(&"eastus.api.azureml.ms:18881/tcp")
    );

    // Without the workspace PE, 8787 and 18881 are not required (A-3).
    let no_pe = scenario("", "Disabled", "")
        .replace("  - {name: pe-ws, subnet: ml/pe, target: ws, subresource: amlworkspace}\n", "");
    let f = fabric(&no_pe);
    let cells = matrix(&f, Some("compute-manage"), Some("ci"));
    let instance = labels(cell(&cells, "compute-manage", "ci"));
    assert!(!instance.iter().any(|l| l.contains(":8787/") || l.contains(":18881/")), "{instance:?}");
}

#[test]
fn a2_a5_public_ip_compute_takes_inbound_44224_and_private_compute_needs_the_workspace_pe() {
    let yaml = scenario("", "Disabled", "").replace(
        "{name: cpu, kind: compute_cluster, node_count: 2, subnet: ml/training}",
        "{name: cpu, kind: compute_cluster, node_count: 2, subnet: ml/training, node_public_ip: 20.0.0.10}",
    );
    let f = fabric(&yaml);
    let cells = matrix(&f, Some("compute-create"), None);
    let public = cell(&cells, "compute-create", "cpu");
    assert_eq!(public.connections[0].label, "from azureml-service:44224/tcp");
    assert!(public.connections[0].allowed, "the AML NSG and LB admit 44224 (A-2): {:?}", public.connections[0]);
    let private = labels(cell(&cells, "compute-create", "ci"));
    assert!(!private.iter().any(|l| l.contains("44224")));
    // A-5: no-public-IP compute is created through a reachable workspace private endpoint.
    assert!(private.contains(&"ws.workspace.eastus.api.azureml.ms:443/tcp"), "{private:?}");
    assert!(!labels(public).iter().any(|l| l.contains(".workspace.")), "{:?}", labels(public));
}

#[test]
fn a8_the_serverless_build_works_only_when_storage_and_registry_are_unrestricted() {
    // Storage has public access disabled: the serverless build cannot reach it.
    let f = fabric(&scenario("", "Enabled", ""));
    let cells = matrix(&f, Some("image-build"), None);
    assert_eq!(cells.len(), 1, "only the workspace builds: {cells:?}");
    let c = &cells[0];
    assert_eq!((c.source.as_str(), c.status), ("ws", FlowStatus::Broken));
    assert!(c.connections.is_empty(), "the serverless build is judged, not walked");
    let by = c.blocked_by.as_ref().expect("a decider");
    assert!(by.matches("ws/image_build_compute"), "{by:?}");
    let reason = flow_reason_words(&f, c.reason.as_ref().unwrap());
    assert!(reason.contains("mlstore"), "{reason}");

    let open = scenario("", "Enabled", "").replace(
        "{name: mlstore, kind: storage_account, public_network_access: Disabled}",
        "{name: mlstore, kind: storage_account}",
    );
    let f = fabric(&open);
    let cells = matrix(&f, Some("image-build"), None);
    assert_eq!(cells[0].status, FlowStatus::Works, "{:?}", cells[0]);
}

#[test]
fn a8_an_image_build_compute_builds_by_walking_from_itself() {
    let f = fabric(&scenario("    image_build_compute: cpu", "Disabled", ""));
    let cells = matrix(&f, Some("image-build"), None);
    assert_eq!(cells.len(), 1, "the workspace no longer builds: {cells:?}");
    let c = cell(&cells, "image-build", "cpu");
    let walked = labels(c);
    assert!(walked.contains(&"mlacr.azurecr.io:443/tcp") && walked.contains(&"pypi.org:443/tcp"), "{walked:?}");
    // Default outbound access reaches pypi.org; the registry answers on its PE.
    assert_eq!(c.status, FlowStatus::Works, "{c:?}");
}

#[test]
fn a_broken_flow_names_its_first_blocking_connection_and_step() {
    let tail = r#"
nsgs:
  - name: training-nsg
    rules:
      - {name: deny-pypi, priority: 100, direction: outbound, access: deny, protocol: tcp, destination: 203.0.113.20, destination_ports: 443}
"#;
    let yaml = scenario("", "Disabled", tail)
        .replace("{name: training, prefix: 10.0.1.0/24}", "{name: training, prefix: 10.0.1.0/24, nsg: training-nsg}");
    let f = fabric(&yaml);
    let cells = matrix(&f, Some("package-repositories"), Some("cpu"));
    let c = &cells[0];
    assert_eq!(c.status, FlowStatus::Broken);
    assert!(c.blocked_by.as_ref().unwrap().matches("training-nsg/deny-pypi"), "{:?}", c.blocked_by);
    let reason = flow_reason_words(&f, c.reason.as_ref().unwrap());
    assert!(reason.starts_with("pypi.org:443/tcp denied by nsg training-nsg / deny-pypi: "), "{reason}");
    // The other connections were still walked and work.
    assert_eq!(c.connections.iter().filter(|x| x.allowed).count(), c.connections.len() - 1);
    assert!(c.failing.is_some(), "the blocked connection is kept for its trace");
}

#[test]
fn roles_clients_are_vms_without_dns_on_premises_and_the_internet() {
    let f = fabric(&scenario("", "Disabled", ""));
    let cells = matrix(&f, Some("studio-access"), None);
    let sources: Vec<&str> = cells.iter().map(|c| c.source.as_str()).collect();
    assert_eq!(sources, ["jumpbox", "internet"]);
    // The jumpbox resolves the workspace privately; the internet meets public access Disabled.
    assert_eq!(cell(&cells, "studio-access", "jumpbox").status, FlowStatus::Works);
    let internet = cell(&cells, "studio-access", "internet");
    assert!(internet.blocked_by.as_ref().unwrap().matches("ws/public_network_access"), "{internet:?}");
}

#[test]
fn a_flow_without_targets_is_not_applicable_and_two_unnamed_storage_accounts_leave_storage_out() {
    let f = fabric(&scenario("", "Disabled", ""));
    let cells = matrix(&f, Some("aks-scoring"), Some("jumpbox"));
    assert_eq!(cells[0].status, FlowStatus::NotApplicable, "no AKS load balancer");

    let two = scenario("", "Disabled", "").replace(
        "  - {name: mlkv, kind: key_vault}",
        "  - {name: mlkv, kind: key_vault}\n  - {name: other, kind: storage_account}",
    );
    let f = fabric(&two);
    let cells = matrix(&f, Some("compute-to-storage"), Some("cpu"));
    assert_eq!(cells[0].status, FlowStatus::NotApplicable, "which account is the default is unknown");
    let named = two.replace(
        "    public_network_access: Disabled\n\n",
        "    public_network_access: Disabled\n    storage_account: mlstore\n",
    );
    let named = fabric(&named);
    let cells = matrix(&named, Some("compute-to-storage"), Some("cpu"));
    assert_eq!(labels(&cells[0])[0], "mlstore.file.core.windows.net:445/tcp");
}

#[test]
fn computes_of_a_named_workspace_take_only_its_flows() {
    let yaml = scenario("", "Disabled", "")
        .replace(
            "  - {name: mlkv, kind: key_vault}",
            "  - {name: mlkv, kind: key_vault}\n  - {name: ws2, kind: workspace, region: westus}",
        )
        .replace(
            "{name: ci, kind: compute_instance, subnet: ml/training}",
            "{name: ci, kind: compute_instance, subnet: ml/training, workspace: ws2}",
        );
    let f = fabric(&yaml);
    let cells = matrix(&f, Some("compute-manage"), None);
    let pairs: Vec<(&str, &str)> = cells.iter().map(|c| (c.source.as_str(), c.workspace.as_str())).collect();
    assert_eq!(pairs, [("cpu", "ws"), ("cpu", "ws2"), ("ci", "ws2")]);
}

#[test]
fn flow_expectations_pass_fail_and_match_by() {
    let tail = r#"
expect:
  - {flow: compute-to-registry, from: cpu, outcome: works}
  - {flow: studio-access, from: internet, outcome: broken, by: ws/public_network_access}
  - {flow: studio-access, from: internet, outcome: broken, by: mlstore}
  - {flow: studio-access, from: jumpbox, outcome: broken}
  - {flow: image-build, from: ws, outcome: broken, by: ws/image_build_compute}
"#;
    let f = fabric(&scenario("", "Disabled", tail));
    let results = check_scenario(&f);
    let verdicts: Vec<(bool, &str)> = results.iter().map(|r| (r.passed, r.kind.name())).collect();
    assert_eq!(verdicts, [(true, "flow"), (true, "flow"), (false, "flow"), (false, "flow"), (true, "flow")]);
    let reason = |i: usize| results[i].reason.as_ref().map_or_else(String::new, |r| reason_words(&f, r));
    assert!(reason(2).starts_with("expected it broken by mlstore, but "), "{}", reason(2));
    assert_eq!(reason(3), "expected it to be broken, but every connection works");
    let evidence = results[2].evidence.as_ref().expect("the failing connection");
    assert!(!evidence.connection.allowed());
}
