//! `vnetsim flows` and `flow:` expectations through the binary: the matrix, its narrowing and
//! JSON, the catalogue listing, and located errors for flow expectations.

use vnetsim_testkit::cli::{assert_one_error, vnetsim};

const HUB: &str = "scenarios/12-hub-firewall.yaml";

#[test]
fn flows_prints_the_matrix_and_the_blocking_step_of_each_broken_flow() {
    let (code, out, err) = vnetsim(&["flows", HUB]);
    assert_eq!(code, 0, "a broken flow is an answer, not a failure:\n{err}");
    let grid: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("workspace ws")).collect();
    assert!(grid[1].split_whitespace().eq(["flow", "internet", "ws", "cpu-cluster"]), "{out}");
    let row = |flow: &str| grid.iter().find(|l| l.split_whitespace().next() == Some(flow)).copied().unwrap_or("");
    assert!(row("compute-manage").split_whitespace().eq(["compute-manage", ".", ".", "works"]), "{out}");
    assert!(row("compute-create").split_whitespace().eq(["compute-create", ".", ".", "BROKEN"]), "{out}");
    assert!(
        out.contains(
            "broken: compute-create from cpu-cluster: amlmanagedeastus.blob.core.windows.net:443/tcp denied by \
             firewall hub-fw: no rule matched in 5 rule collections of policy hub-policy, so the implicit deny drops it (F-1)"
        ),
        "{out}"
    );
    assert!(out.trim_end().ends_with("not applicable ('.': the flow does not start from that source)"), "{out}");
}

#[test]
fn flows_narrows_by_flow_and_source_and_speaks_json() {
    let (code, out, _) =
        vnetsim(&["flows", HUB, "--flow", "package-repositories", "--from", "cpu-cluster", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 1, "{out}");
    assert_eq!(cells[0]["flow"], "package-repositories");
    assert_eq!(cells[0]["status"], "works");
    let walked: Vec<&str> =
        cells[0]["connections"].as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert_eq!(
        walked,
        [
            "pypi.org:443/tcp",
            "files.pythonhosted.org:443/tcp",
            "conda.anaconda.org:443/tcp",
            "repo.anaconda.com:443/tcp"
        ]
    );
    assert_eq!((v["works"].as_u64(), v["broken"].as_u64()), (Some(1), Some(0)));
}

#[test]
fn flows_rejects_an_unknown_flow_or_source_with_the_choices() {
    let (code, _, err) = vnetsim(&["flows", HUB, "--flow", "image-biuld"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --flow: unknown flow `image-biuld`\nthe flow catalogue:\n"), "{err}");
    let (code, _, err) = vnetsim(&["flows", HUB, "--from", "hub-fw"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: --from: `hub-fw` starts no flow; flow sources in this scenario: cpu-cluster, internet, ws\n"
    );
}

#[test]
fn flows_list_prints_each_flow_with_its_seed() {
    let (code, out, _) = vnetsim(&["flows", "--list"]);
    assert_eq!(code, 0);
    for name in ["studio-access", "image-build", "aks-scoring", "azure-monitor"] {
        assert!(out.contains(&format!("  {name} ")), "{name} missing:\n{out}");
    }
    assert_eq!(out.matches("source: 00").count(), 13, "every flow cites a seed:\n{out}");
}

#[test]
fn flow_expectation_errors_are_located() {
    assert_one_error("flow-unknown.yaml", "14:12", "unknown flow `imag-build` (did you mean `image-build`?)");
    assert_one_error(
        "flow-and-to.yaml",
        "14:5",
        "an expectation needs exactly one of `to:` (a connection) and `flow:`",
    );
    assert_one_error("flow-outcome-allowed.yaml", "14:48", "a flow `works` or is `broken`");
    assert_one_error("connection-outcome-works.yaml", "14:50", "a connection is `allowed`, `one_way` or `denied`");
    assert_one_error(
        "flow-wrong-source.yaml",
        "14:34",
        "flow `compute-manage` does not start from `jumpbox` (a client); it starts from AML compute",
    );
    assert_one_error("flow-port.yaml", "14:45", "`port` applies to connections");
    assert_one_error("flow-several-workspaces.yaml", "15:5", "the scenario has 2 workspaces: say whose flow");
    assert_one_error(
        "image-build-compute-vm.yaml",
        "12:54",
        "image_build_compute `jumpbox` is a vm, not an AML compute",
    );
    assert_one_error("endpoint-workspace-on-vm.yaml", "10:63", "`workspace` applies to compute_instance");
}

#[test]
fn the_flows_doc_lists_every_flow_of_the_catalogue() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/flows.md")).expect("docs/flows.md");
    for f in &vnetsim_model::catalogue::FLOWS {
        assert!(doc.contains(&format!("| `{}` |", f.name)), "docs/flows.md does not describe `{}`", f.name);
    }
}
