//! End-to-end tests of the `vnetsim` command line: exit codes, located diagnostics, and the
//! exact output of each subcommand.
//!
//! Every test runs the real binary with the package root as current directory, so the paths in
//! the output are relative (`tests/fixtures/...`, `scenarios/...`) and the same on every machine.
//!
//! Golden files: outputs compared byte for byte live in `tests/golden/<name>`. After an intended
//! change of output, regenerate them and review the diff:
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --test cli
//! git diff tests/golden
//! ```
//!
//! Goldens use only `scenarios/01-single-vnet-nsgs.yaml` and the fixtures under
//! `tests/fixtures/`, never the whole built-in scenario set, which grows.

use std::path::Path;
use vnetsim_testkit::cli::{assert_one_error, error_headers, vnetsim};

const SCENARIO_01: &str = "scenarios/01-single-vnet-nsgs.yaml";

/// Compares `actual` with `tests/golden/<name>`; with `UPDATE_GOLDEN=1`, rewrites the file instead.
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden file {}: {e}\nrun `UPDATE_GOLDEN=1 cargo test --test cli` to create it",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    let (mut exp_lines, mut act_lines) = (expected.split('\n'), actual.split('\n'));
    let mut line = 1;
    let (first_expected, first_actual) = loop {
        match (exp_lines.next(), act_lines.next()) {
            (e, a) if e != a => break (e, a),
            _ => line += 1,
        }
    };
    panic!(
        "output differs from golden file tests/golden/{name} at line {line}\n  expected: {first_expected:?}\n  actual:   {first_actual:?}\n\
         --- full actual output ---\n{actual}--- end ---\n\
         if the change is intended, run `UPDATE_GOLDEN=1 cargo test --test cli` and review the diff"
    );
}

/// Steps of a human trace: lines like `   3. DENY    nsg ...`.
fn human_step_count(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            l.trim_start().split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .count()
}

/// Steps of a JSON trace: every step object has exactly one `headline`.
fn json_step_count(text: &str) -> usize {
    text.matches("\"headline\":").count()
}

/// A minimal well-formedness check without a JSON parser: one top-level object, with braces and
/// brackets balanced outside string literals.
fn assert_json_object(text: &str) {
    let trimmed = text.trim();
    assert!(trimmed.starts_with('{') && trimmed.ends_with('}'), "not a JSON object:\n{text}");
    let (mut stack, mut in_string, mut escaped) = (Vec::new(), false, false);
    for (i, c) in trimmed.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => stack.push(c),
            '}' | ']' => {
                let open = stack.pop().unwrap_or_else(|| panic!("unbalanced `{c}` at byte {i}:\n{text}"));
                let close = if open == '{' { '}' } else { ']' };
                assert_eq!(c, close, "mismatched `{c}` at byte {i}:\n{text}");
                assert!(!stack.is_empty() || i == trimmed.len() - 1, "text after the top-level object:\n{text}");
            }
            _ => {}
        }
    }
    assert!(stack.is_empty() && !in_string, "unterminated JSON:\n{text}");
}

// ---------------------------------------------------------------------------------------------
// 1. Broken inputs: exit 2 and the exact location of each problem.

#[test]
fn yaml_syntax_error_is_located() {
    assert_one_error("yaml-syntax.yaml", "4:20", "YAML syntax error: the list `[` opened here is never closed");
}

#[test]
fn unknown_key_is_located_with_did_you_mean() {
    let stderr = assert_one_error("unknown-key.yaml", "17:9", "unknown key `destination_port` in NSG rule");
    assert!(stderr.contains("17 |         destination_port: 443\n"), "missing source snippet:\n{stderr}");
    assert!(stderr.contains("  = help: did you mean `destination_ports`?"), "missing did-you-mean help:\n{stderr}");
}

#[test]
fn dangling_nsg_on_subnet_is_located() {
    let stderr = assert_one_error("dangling-nsg.yaml", "8:14", "unknown NSG `web-nsgg`");
    assert!(stderr.contains("  = help: did you mean `web-nsg`?"), "missing did-you-mean help:\n{stderr}");
}

#[test]
fn subnet_outside_vnet_address_space_is_located() {
    assert_one_error(
        "subnet-outside-vnet.yaml",
        "9:17",
        "subnet `app/stray` prefix 10.1.0.0/24 is outside the address space of VNet `app`",
    );
}

#[test]
fn three_problems_in_one_file_are_all_reported() {
    let file = "tests/fixtures/broken/three-errors.yaml";
    let (code, stdout, stderr) = vnetsim(&["check", file]);
    assert_eq!(code, 2, "stderr:\n{stderr}");
    assert_eq!(stdout, "");
    let headers = error_headers(&stderr);
    assert_eq!(headers.len(), 3, "expected three errors, got:\n{stderr}");
    assert!(headers[0].starts_with(&format!("{file}:9:14: error: unknown NSG `web-nsgg`")), "{stderr}");
    assert!(headers[1].starts_with(&format!("{file}:11:17: error: subnet `app/stray` prefix 10.1.0.0/24")), "{stderr}");
    assert!(headers[2].starts_with(&format!("{file}:20:9: error: unknown key `destination_port`")), "{stderr}");
    assert!(stderr.ends_with(&format!("\n{file}: 3 errors\n")), "{stderr}");
    golden("three-errors.stderr", &stderr);
}

#[test]
fn duplicate_priority_in_one_direction_is_located() {
    // The outbound rule shares priority 100 legitimately; only the second inbound one is wrong.
    let stderr = assert_one_error("duplicate-priority.yaml", "26:19", "duplicate priority 100 for inbound rules");
    assert!(stderr.contains("(also used by `allow-https`)"), "{stderr}");
}

#[test]
fn prefix_with_host_bits_is_located() {
    let stderr =
        assert_one_error("host-bits.yaml", "7:17", "subnet prefix: invalid prefix `10.0.1.5/24`: host bits are set");
    assert!(stderr.contains("10.0.1.0/24"), "the correct prefix should be suggested:\n{stderr}");
}

#[test]
fn overlapping_subnets_are_located() {
    assert_one_error(
        "overlapping-subnets.yaml",
        "9:17",
        "subnet `app/data` (10.0.1.0/24) overlaps subnet `app/web` (10.0.0.0/23)",
    );
}

#[test]
fn peering_vnets_with_overlapping_address_spaces_is_located() {
    assert_one_error(
        "peered-overlap.yaml",
        "9:22",
        "cannot peer `hub` with `spoke`: address spaces 10.0.0.0/16 and 10.0.128.0/17 overlap",
    );
}

#[test]
fn compute_cluster_larger_than_its_subnet_is_located() {
    let stderr = assert_one_error(
        "ip-exhausted.yaml",
        "9:5",
        "cannot allocate an IP for `cluster`: subnet `ml/compute` (10.20.0.0/29) has 3 usable addresses and 4 NICs",
    );
    assert!(stderr.contains("  = help: Azure reserves 5 addresses per subnet"), "{stderr}");
}

#[test]
fn missing_required_key_is_located() {
    assert_one_error("missing-key.yaml", "8:9", "missing key `prefix` in subnet");
}

#[test]
fn unknown_endpoint_in_expectation_is_located() {
    assert_one_error("unknown-endpoint-in-expect.yaml", "15:9", "unknown endpoint `web3` (did you mean `web1`?)");
}

#[test]
fn audit_block_errors_are_located() {
    let stderr = assert_one_error("audit-unknown-key.yaml", "18:3", "unknown key `read_onyl` in audit");
    assert!(stderr.contains("  = help: did you mean `read_only`?"), "{stderr}");
    assert_one_error(
        "audit-unknown-source.yaml",
        "17:13",
        "unknown endpoint `cpu-clustr` (did you mean `cpu-cluster`?)",
    );
    // P-2: a private endpoint starts no connection, so nothing leaves from it.
    assert_one_error(
        "audit-source-private-endpoint.yaml",
        "17:26",
        "`pe-partner` is a private_endpoint: it does not start connections (P-2)",
    );
    assert_one_error("audit-source-not-endpoint.yaml", "17:13", "`internet` is the internet, not an endpoint");
    assert_one_error("audit-foreign-builtin.yaml", "17:13", "`pypi.org` is a built-in service");
    let stderr = assert_one_error("audit-foreign-unknown.yaml", "17:13", "unknown service `partnerstor`");
    assert!(stderr.contains("  = help: did you mean `partnerstore`?"), "{stderr}");
    assert_one_error(
        "audit-wildcard-inner-label.yaml",
        "17:25",
        "invalid read_only entry `mirror.*.contoso.com`: `*` may only lead the pattern",
    );
    // Compared case-insensitively; the later of the two entries is the error.
    assert_one_error(
        "audit-read-only-and-write-capable.yaml",
        "18:19",
        "`github.com` is listed in both read_only and write_capable (first at line 17)",
    );
}

#[test]
fn exfiltration_expectation_errors_are_located() {
    assert_one_error("audit-expect-to.yaml", "17:29", "`to` does not apply to `outcome: exfiltration`");
    assert_one_error("audit-expect-port.yaml", "17:31", "`port` does not apply to `outcome: no_exfiltration`");
    assert_one_error(
        "audit-expect-by-no-exfiltration.yaml",
        "17:55",
        "`by` names what opens the path; it goes with `outcome: exfiltration`",
    );
    assert_one_error("audit-expect-from-service.yaml", "17:12", "`ws` is a service, not an endpoint");
    assert_one_error(
        "audit-expect-from-node.yaml",
        "17:12",
        "the exfiltration audit covers every node of `cpu-cluster`",
    );
    let stderr = assert_one_error(
        "audit-expect-neither-to-nor-flow.yaml",
        "17:5",
        "an expectation needs exactly one of `to:` (a connection) and `flow:` (a catalogue flow)",
    );
    assert!(stderr.contains("  = help: or neither, with `outcome: no_exfiltration` or `exfiltration`"), "{stderr}");
}

#[test]
fn unreadable_file_and_bad_usage_exit_2() {
    let (code, stdout, stderr) = vnetsim(&["check", "tests/fixtures/does-not-exist.yaml"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "stderr:\n{stderr}");
    assert!(stderr.starts_with("error: cannot read tests/fixtures/does-not-exist.yaml"), "{stderr}");

    let (code, _, stderr) = vnetsim(&["no-such-subcommand"]);
    assert_eq!(code, 2, "stderr:\n{stderr}");
    let (code, _, stderr) = vnetsim(&["trace", SCENARIO_01, "--from", "web1"]);
    assert_eq!(code, 2, "missing --to must be a usage error; stderr:\n{stderr}");
}

// ---------------------------------------------------------------------------------------------
// 2. check

#[test]
fn check_scenario_01() {
    let (code, stdout, stderr) = vnetsim(&["check", SCENARIO_01]);
    assert_eq!(code, 0, "stderr:\n{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(stdout.lines().count(), 1, "one summary line per file:\n{stdout}");
    golden("check-01.txt", &stdout);
}

// ---------------------------------------------------------------------------------------------
// 3. trace

fn trace(from: &str, to: &str, port: &str, format: &str) -> String {
    let (code, stdout, stderr) =
        vnetsim(&["trace", SCENARIO_01, "--from", from, "--to", to, "--port", port, "--format", format]);
    assert_eq!(code, 0, "trace {from} -> {to}:{port} failed; stderr:\n{stderr}");
    assert_eq!(stderr, "");
    stdout
}

#[test]
fn trace_internet_to_web1_https() {
    let human = trace("internet", "web1", "443", "human");
    assert!(human.starts_with("internet -> web1: ALLOWED\n"), "{human}");
    golden("trace-internet-web1-443.txt", &human);

    let json = trace("internet", "web1", "443", "json");
    assert_json_object(&json);
    for key in ["\"verdict\"", "\"request\"", "\"reply\"", "\"steps\"", "\"decided_by\""] {
        assert!(json.contains(key), "JSON trace lacks {key}:\n{json}");
    }
    assert!(json.contains("\"verdict\": \"allowed\""), "{json}");
    // Same steps, request and reply alike.
    let (human_req, human_rep) = human.split_once("\nreply:").expect("human trace has a reply section");
    let (json_req, json_rep) = json.split_once("\"reply\":").expect("JSON trace has a reply");
    assert!(human_step_count(&human) > 0);
    assert_eq!(human_step_count(human_req), json_step_count(json_req), "request steps differ");
    assert_eq!(human_step_count(human_rep), json_step_count(json_rep), "reply steps differ");
}

#[test]
fn trace_jump_to_sql1_is_denied_by_the_subnet_nsg() {
    let human = trace("jump", "sql1", "1433", "human");
    assert!(human.starts_with("jump -> sql1: DENIED\n"), "{human}");
    assert!(human.contains("deny-jump-to-sql"), "{human}");
    golden("trace-jump-sql1-1433.txt", &human);

    let json = trace("jump", "sql1", "1433", "json");
    assert_json_object(&json);
    for key in ["\"verdict\"", "\"request\"", "\"steps\"", "\"decided_by\""] {
        assert!(json.contains(key), "JSON trace lacks {key}:\n{json}");
    }
    assert!(json.contains("\"verdict\": \"denied\""), "{json}");
    assert!(human_step_count(&human) > 0);
    assert_eq!(human_step_count(&human), json_step_count(&json), "human and JSON step counts differ");
}

#[test]
fn trace_unknown_endpoint_exits_2() {
    let (code, stdout, stderr) = vnetsim(&["trace", SCENARIO_01, "--from", "nobody", "--to", "web1"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "stderr:\n{stderr}");
    assert!(stderr.contains("--from: unknown endpoint `nobody`"), "{stderr}");

    let (code, _, stderr) = vnetsim(&["trace", SCENARIO_01, "--from", "web11", "--to", "web1"]);
    assert_eq!(code, 2, "stderr:\n{stderr}");
    assert!(stderr.contains("unknown endpoint `web11` (did you mean `web1`?)"), "{stderr}");

    let (code, _, stderr) = vnetsim(&["trace", SCENARIO_01, "--from", "web1", "--to", "nowhere"]);
    assert_eq!(code, 2, "stderr:\n{stderr}");
    assert!(stderr.contains("--to: unknown endpoint `nowhere`"), "{stderr}");
}

#[test]
fn trace_bad_protocol_exits_2() {
    let (code, stdout, stderr) = vnetsim(&["trace", SCENARIO_01, "--from", "web1", "--to", "web2", "--proto", "sctp"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "stderr:\n{stderr}");
    assert!(stderr.contains("invalid --proto `sctp`"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// 4. run

/// The closing `N passed, M failed` line, parsed.
fn closing_line(stdout: &str) -> (usize, usize) {
    let last = stdout.lines().last().unwrap_or_else(|| panic!("no output:\n{stdout}"));
    // `P passed, F failed`, and `, N files invalid` after it when files could not be loaded.
    let mut parts = last.split(", ");
    let mut count = |word: &str| parts.next()?.strip_suffix(word)?.parse().ok();
    let parsed = count(" passed").zip(count(" failed"));
    parsed.unwrap_or_else(|| panic!("last line is not `N passed, M failed`: {last:?}\n{stdout}"))
}

#[test]
fn run_builtin_scenarios_all_pass() {
    let (code, stdout, stderr) = vnetsim(&["run"]);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let (passed, failed) = closing_line(&stdout);
    assert!(passed > 0, "{stdout}");
    assert_eq!(failed, 0, "{stdout}");
}

#[test]
fn run_with_a_wrong_expectation_exits_1() {
    let (code, stdout, stderr) = vnetsim(&["run", "tests/fixtures/failing.yaml"]);
    assert_eq!(code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(stderr, "");
    let fails: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(fails.len(), 1, "{stdout}");
    assert!(fails[0].starts_with("FAIL tests/fixtures/failing.yaml:33 wrong on purpose"), "{stdout}");
    assert!(fails[0].contains("deny-ssh-inbound"), "the failure should name what denied it: {stdout}");
    assert!(stdout.contains("PASS tests/fixtures/failing.yaml:27 "), "{stdout}");
    assert_eq!(closing_line(&stdout), (1, 1));
}

#[test]
fn run_on_a_folder_with_a_broken_file_exits_2() {
    let (code, stdout, stderr) = vnetsim(&["run", "tests/fixtures/mixed"]);
    assert_eq!(code, 2, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let broken = Path::new("tests/fixtures/mixed").join("broken.yaml");
    let expected = format!("{}:8:14: error: unknown NSG `missing-nsg`", broken.display());
    assert!(stderr.contains(&expected), "expected `{expected}` in:\n{stderr}");
    // The valid file is still run and reported.
    assert!(stdout.contains("PASS "), "{stdout}");
    assert_eq!(closing_line(&stdout), (1, 0));
}

// ---------------------------------------------------------------------------------------------
// 5. routes and graph

#[test]
fn routes_of_a_subnet() {
    let (code, stdout, stderr) = vnetsim(&["routes", SCENARIO_01, "--subnet", "app/web"]);
    assert_eq!(code, 0, "stderr:\n{stderr}");
    assert_eq!(stderr, "");
    golden("routes-01-app-web.txt", &stdout);
}

#[test]
fn routes_of_an_unknown_subnet_exits_2() {
    let (code, stdout, stderr) = vnetsim(&["routes", SCENARIO_01, "--subnet", "app/nope"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "stderr:\n{stderr}");
    assert!(stderr.contains("unknown subnet `app/nope`"), "{stderr}");
    assert!(stderr.contains("app/web, app/data"), "known subnets should be listed:\n{stderr}");
}

#[test]
fn graph_of_scenario_01() {
    let (code, stdout, stderr) = vnetsim(&["graph", SCENARIO_01]);
    assert_eq!(code, 0, "stderr:\n{stderr}");
    assert_eq!(stderr, "");
    assert!(stdout.starts_with("digraph ") && stdout.trim_end().ends_with('}'), "{stdout}");
    golden("graph-01.dot", &stdout);
}

/// Issue 18: the reserved ranges' system drop routes (R-2) are drawn only when asked for.
#[test]
fn graph_draws_system_drop_routes_only_with_the_flag() {
    let (_, default, _) = vnetsim(&["graph", SCENARIO_01]);
    let (code, with_drops, stderr) = vnetsim(&["graph", SCENARIO_01, "--with-drop-routes"]);
    assert_eq!(code, 0, "stderr:\n{stderr}");
    assert!(!default.contains(" None\"") && !default.contains("\"drop\""), "{default}");
    for reserved in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] {
        assert_eq!(with_drops.matches(&format!("{reserved} None")).count(), 2, "{reserved} in\n{with_drops}");
    }
    assert!(with_drops.contains("[label=\"drop\""), "{with_drops}");
}

// ---------------------------------------------------------------------------------------------
// 6. Determinism

#[test]
fn json_trace_is_byte_identical_across_runs() {
    let args = ["trace", SCENARIO_01, "--from", "internet", "--to", "web1", "--port", "443", "--format", "json"];
    let first = vnetsim(&args);
    let second = vnetsim(&args);
    assert_eq!(first.0, 0, "stderr:\n{}", first.2);
    assert_eq!(first, second, "two identical runs gave different output");
}

// ---------------------------------------------------------------------------------------------
// 6. names, DNS and service tags

const SCENARIO_HYBRID: &str = "scenarios/11-hybrid-dns.yaml";
const TAGS_SCENARIO: &str = "tests/fixtures/service-tags/storage-egress.yaml";
const TAGS_FILE: &str = "tests/fixtures/service-tags/ServiceTags_Public.json";

#[test]
fn trace_to_a_storage_url_shows_dns_hop_by_hop_then_the_private_endpoint_flow() {
    let args = ["trace", SCENARIO_HYBRID, "--from", "cpu-cluster", "--to", "https://sthybrid.blob.core.windows.net"];
    let (code, human, stderr) = vnetsim(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(human.starts_with("cpu-cluster -> https://sthybrid.blob.core.windows.net: ALLOWED\n"), "{human}");
    // The client asks the hub DNS VM (the spoke's DNS setting), which forwards to Azure DNS.
    assert!(human.contains("query 1: 10.1.3.4 -> 10.0.2.4:53 via the VNet's DNS servers"), "{human}");
    assert!(human.contains("query 2: 10.0.2.4 -> 168.63.129.16:53 via the server's forwarder"), "{human}");
    assert!(human.contains("answered by Azure DNS with the zones linked to VNet hub (D-3)"), "{human}");
    assert!(human.contains("CNAME sthybrid.privatelink.blob.core.windows.net"), "{human}");
    assert!(human.contains("private zone privatelink.blob.core.windows.net linked to hub, record sthybrid"), "{human}");
    // Then the TCP flow to the endpoint's IP, both directions.
    assert!(human.contains("\nrequest: tcp 10.1.3.4:50000 -> 10.1.2.5:443\n"), "{human}");
    assert!(human.contains("\nreply: tcp 10.1.2.5:443 -> 10.1.3.4:50000\n"), "{human}");
    golden("trace-cpu-cluster-storage-url.txt", &human);

    let (code, json, _) = vnetsim(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    assert_json_object(&json);
    for key in ["\"dns\"", "\"hops\"", "\"answers\"", "\"result\": \"10.1.2.5\"", "\"disposition\": \"delivered\""] {
        assert!(json.contains(key), "JSON trace lacks {key}:\n{json}");
    }
}

#[test]
fn trace_port_comes_from_the_url_and_a_contradicting_port_is_refused() {
    let (code, human, _) =
        vnetsim(&["trace", SCENARIO_HYBRID, "--from", "cpu-cluster", "--to", "sthybrid.file.core.windows.net:445"]);
    assert_eq!(code, 0);
    assert!(human.contains(":445\n"), "{human}");
    let (code, _, stderr) = vnetsim(&[
        "trace",
        SCENARIO_HYBRID,
        "--from",
        "cpu-cluster",
        "--to",
        "https://sthybrid.blob.core.windows.net",
        "--port",
        "80",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--port 80 contradicts port 443"), "{stderr}");
}

#[test]
fn a_service_tag_file_changes_which_addresses_a_tag_covers() {
    let to_address = ["trace", TAGS_SCENARIO, "--from", "vm1", "--to", "40.68.0.1"];
    // Built-in synthetic table: 40.68.0.1 is in Storage.eastus, so the allow rule matches.
    let (code, builtin, _) = vnetsim(&to_address);
    assert_eq!(code, 0);
    assert!(builtin.contains("rule allow-storage priority 100 outbound allow"), "{builtin}");
    // Microsoft's file: Storage.EastUS is 52.239.1.0/24, so the same address is plain internet.
    let (code, loaded, _) = vnetsim(&[&to_address[..], &["--service-tags", TAGS_FILE]].concat());
    assert_eq!(code, 0);
    assert!(loaded.contains("rule deny-internet priority 200 outbound deny"), "{loaded}");
    // Service public IPs are drawn from the loaded tag, and the tag rule covers them.
    let to_name = ["trace", TAGS_SCENARIO, "--from", "vm1", "--to", "https://stegress.blob.core.windows.net"];
    let (code, named, _) = vnetsim(&[&to_name[..], &["--service-tags", TAGS_FILE]].concat());
    assert_eq!(code, 0);
    assert!(named.contains("A 52.239.1."), "{named}");
    assert!(named.contains("rule allow-storage priority 100 outbound allow"), "{named}");
}

#[test]
fn a_malformed_service_tag_file_is_a_located_error() {
    let file = "tests/fixtures/service-tags/malformed.json";
    let (code, stdout, stderr) = vnetsim(&["check", TAGS_SCENARIO, "--service-tags", file]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    let headers = error_headers(&stderr);
    assert_eq!(headers.len(), 1, "{stderr}");
    assert!(headers[0].starts_with(&format!("{file}:10:29: error: ")), "{stderr}");
    assert!(headers[0].contains("host bits are set"), "{stderr}");
}
