//! Issue 18, a professional CLI: a closed pipe is not an error, hostile names are inert in every
//! format, the semantics flags override a scenario's `options:`, `run` runs what is on disk,
//! and the command-line checks a newcomer meets (ports without a protocol that has them, thread
//! counts, a cluster standing for its node 0, every flag described in `--help`).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use vnetsim_testkit::cli::vnetsim;

const S18: &str = "scenarios/18-hub-spoke-firewall-custom-dns.yaml";

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_vnetsim")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `args` with stdout (or stderr) on a pipe whose reader takes `lines` lines (none: it
/// closes at once) and goes away, as `| head` does; returns the exit code and the other stream.
fn into_closed_pipe(args: &[&str], lines: usize, stream: Stream) -> (i32, String) {
    let mut command = Command::new(binary());
    command.args(args).current_dir(vnetsim_testkit::workspace_root()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let (out, err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let (closing, other): (Box<dyn std::io::Read>, Box<dyn std::io::Read>) = match stream {
        Stream::Stdout => (Box::new(out), Box::new(err)),
        Stream::Stderr => (Box::new(err), Box::new(out)),
    };
    let mut reader = BufReader::new(closing);
    for _ in 0..lines {
        reader.read_line(&mut String::new()).unwrap();
    }
    drop(reader);
    let mut kept = String::new();
    let mut other = other;
    other.read_to_string(&mut kept).unwrap();
    (child.wait().unwrap().code().unwrap_or(-1), kept)
}

enum Stream {
    Stdout,
    Stderr,
}

#[test]
fn issue_18_a_reader_that_goes_away_is_not_an_error() {
    // Outputs far larger than a pipe's buffer, read one line: the writer meets a closed pipe and
    // stops quietly with the exit code of its verdict.
    for (args, verdict) in [
        (vec!["reach", S18, "--from", "cpu-cluster[0]"], 0),
        (vec!["run"], 0),
        (vec!["gen", "--spokes", "200"], 0),
        (vec!["reach", S18, "--from", "cpu-cluster[1]", "--format", "json"], 0),
        (vec!["audit", "scenarios/29-variant-exfiltration-storage-on-firewall.yaml", "--format", "json"], 1),
    ] {
        let (code, stderr) = into_closed_pipe(&args, 1, Stream::Stdout);
        assert_eq!((code, stderr.as_str()), (verdict, ""), "{args:?} | head -1");
    }
    // Short outputs with the pipe closed before they are written.
    for (args, verdict) in [
        (vec!["check", "scenarios"], 0),
        (vec!["audit", "scenarios/19-data-exfiltration-prevention.yaml"], 0),
        (vec!["run", "tests/fixtures/failing.yaml"], 1),
    ] {
        let (code, stderr) = into_closed_pipe(&args, 0, Stream::Stdout);
        assert_eq!((code, stderr.as_str()), (verdict, ""), "{args:?} | head -0");
    }
    // No false green: an invalid file still fails the run and still says why.
    let (code, stderr) = into_closed_pipe(&["run", "tests/fixtures/mixed"], 0, Stream::Stdout);
    assert_eq!(code, 2);
    assert!(stderr.contains("broken.yaml:8:14: error: unknown NSG `missing-nsg`"), "{stderr}");
    // A closed standard error loses the messages, never the run.
    let (code, stdout) = into_closed_pipe(&["run", "tests/fixtures/mixed"], 0, Stream::Stderr);
    assert_eq!(code, 2);
    assert!(stdout.ends_with("1 passed, 0 failed, 1 file invalid\n"), "{stdout}");
}

/// A scenario whose free-text fields (the scenario's name, an expectation's label) carry markup
/// every format must keep inert, and one failing expectation so every format shows it.
const HOSTILE: &str = r#"name: "hostile <!-- a | b [x](http://e) *y* <script>alert(1)</script> & 'q' \"z\""
vnets:
  - name: app
    address_space: [10.0.0.0/16]
    subnets:
      - {name: web, prefix: 10.0.1.0/24}
endpoints:
  - {name: a, kind: vm, subnet: app/web}
  - {name: b, kind: vm, subnet: app/web}
expect:
  - {name: "<!-- hide | the rest [link](http://e) </failure>", from: a, to: b, port: 22, outcome: denied}
"#;

#[test]
fn issue_18_hostile_names_are_inert_in_every_format() {
    let dir = temp_dir("issue-18-hostile");
    // A file name with an escape sequence: printed as a visible escape, never raw.
    let file = dir.join("evil\x1b[31m\x07.yaml");
    std::fs::write(&file, HOSTILE).unwrap();
    let file = file.display().to_string();
    let label = "<!-- hide | the rest [link](http://e) </failure>";

    let (code, human, _) = vnetsim(&["run", &file]);
    assert_eq!(code, 1, "{human}");
    assert!(!human.contains('\x1b') && !human.contains('\x07'), "raw control characters: {human:?}");
    assert!(human.contains("evil\\x1b[31m\\x07.yaml"), "{human}");
    assert_eq!(human.lines().count(), 2, "one line per expectation and the summary: {human}");

    let (_, json, _) = vnetsim(&["run", &file, "--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["files"][0]["results"][0]["label"], label);
    assert_eq!(v["files"][0]["file"], file.as_str(), "JSON carries the name as it is, escaped by JSON");

    let (_, junit, _) = vnetsim(&["run", &file, "--format", "junit"]);
    assert!(!junit.contains("<!--") && !junit.contains("</failure> ") && !junit.contains("<script>"), "{junit}");
    assert!(junit.contains("&lt;!-- hide | the rest [link](http://e) &lt;/failure&gt;"), "{junit}");
    assert!(!junit.chars().any(|c| c.is_control() && c != '\n'), "XML 1.0 cannot hold controls: {junit:?}");

    let (_, sarif, _) = vnetsim(&["run", &file, "--format", "sarif"]);
    let v: Value = serde_json::from_str(&sarif).unwrap();
    assert!(v["runs"][0]["results"][0]["message"]["text"].as_str().unwrap().starts_with(label));

    // Markdown: the diff with a copy that denies SSH, which makes the expectation pass, names
    // the label in a table cell: HTML escaped, the cell's pipe escaped, the link made text.
    let after = dir.join("after.yaml");
    let deny_ssh = "nsgs:\n  - name: deny-ssh\n    rules:\n      - {name: deny-ssh, priority: 100, direction: inbound, \
                    access: deny, protocol: tcp, source: \"*\", destination: \"*\", destination_ports: \"22\"}\nendpoints:";
    let denied =
        HOSTILE.replace("prefix: 10.0.1.0/24}", "prefix: 10.0.1.0/24, nsg: deny-ssh}").replace("endpoints:", deny_ssh);
    std::fs::write(&after, denied).unwrap();
    let (code, md, err) = vnetsim(&["diff", &file, &after.display().to_string(), "--format", "markdown"]);
    assert_eq!(code, 1, "{err}");
    assert!(!md.contains("<!--") && !md.contains("</failure>") && !md.contains('\x1b'), "{md}");
    let row = md.lines().find(|l| l.contains("hide")).expect("the expectation's row");
    assert!(row.contains("&lt;!-- hide \\| the rest \\[link\\](http://e) &lt;/failure&gt;"), "{row}");
    assert_eq!(row.matches(" | ").count(), 3, "the label adds no cell: {row}");
}

#[test]
fn issue_18_semantics_flags_override_the_scenarios_options() {
    // P-10: a private endpoint carries TCP only by default; the scenario says otherwise; the
    // flag has the last word.
    let scenario = |options: &str| {
        format!(
            "{options}vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {{name: s, prefix: 10.0.1.0/24}}
      - {{name: pe, prefix: 10.0.2.0/24}}
endpoints:
  - {{name: vm, kind: vm, subnet: a/s}}
services:
  - {{name: st1, kind: storage_account}}
private_endpoints:
  - {{name: pe-st1, subnet: a/pe, target: st1, subresource: blob, ip: 10.0.2.4}}
expect:
  - {{from: vm, to: 10.0.2.4, protocol: udp, port: 53, outcome: denied}}
"
        )
    };
    let dir = temp_dir("issue-18-options");
    let plain = dir.join("plain.yaml");
    std::fs::write(&plain, scenario("")).unwrap();
    let open = dir.join("open.yaml");
    std::fs::write(&open, scenario("options:\n  private_endpoint_tcp_only: false\n")).unwrap();
    let (plain, open) = (plain.display().to_string(), open.display().to_string());
    let code = |args: &[&str]| vnetsim(args).0;
    assert_eq!(code(&["run", &plain]), 0, "P-10 default: UDP does not pass");
    assert_eq!(code(&["--private-endpoint-tcp-only", "false", "run", &plain]), 1, "the flag lets UDP through");
    assert_eq!(code(&["run", &open]), 1, "the scenario lets UDP through");
    assert_eq!(code(&["run", &open, "--private-endpoint-tcp-only", "true"]), 0, "the flag wins over options:");
    let (c, _, err) = vnetsim(&["run", &plain, "--max-hops", "0"]);
    assert_eq!(c, 2, "{err}");
}

#[test]
fn issue_18_run_runs_the_scenarios_on_disk_else_the_built_ins() {
    // In the repository, ./scenarios is what runs: the files a user just edited.
    let (code, out, _) = vnetsim(&["run"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("PASS scenarios/01-"), "{}", &out[..200]);
    // Elsewhere, the built-ins run under names that say so.
    let elsewhere = temp_dir("issue-18-elsewhere");
    let output = Command::new(binary()).arg("run").current_dir(&elsewhere).output().unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(out.starts_with("PASS builtin:01-single-vnet-nsgs.yaml:"), "{}", &out[..200]);
}

#[test]
fn issue_18_command_line_mistakes_are_usage_errors() {
    let trace = |extra: &[&str]| {
        let mut args = vec!["trace", "scenarios/01-single-vnet-nsgs.yaml", "--from", "web1", "--to", "web2"];
        args.extend(extra);
        vnetsim(&args)
    };
    let (code, out, err) = trace(&["--proto", "icmp", "--port", "5"]);
    assert_eq!((code, out.as_str(), err.as_str()), (2, "", "error: --port: icmp has no ports\n"));
    let (code, _, err) = trace(&["--proto", "esp", "--sport", "5"]);
    assert_eq!((code, err.as_str()), (2, "error: --sport: esp has no ports; leave --sport out\n"));
    let (code, _, err) = vnetsim(&["replay", "scenarios/01-single-vnet-nsgs.yaml", "--threads", "100000"]);
    assert_eq!((code, err.as_str()), (2, "error: --threads 100000: at most 1024\n"));
    let (code, _, err) = vnetsim(&["routes", S18, "--subnet", "spoke/trainin"]);
    assert_eq!(
        (code, err.as_str()),
        (2, "error: --subnet: unknown subnet `spoke/trainin`; did you mean `spoke/training`?\n")
    );
    let (code, _, err) = vnetsim(&["check", "scenarios/01-single-vnet-nsgs.yaml", "--format", "junit"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid value 'junit' for '--format <FORMAT>'") && err.contains("[possible values: human, json]")
    );
}

#[test]
fn issue_18_a_cluster_stands_for_its_node_0_and_says_so() {
    let (code, out, err) = vnetsim(&["reach", S18, "--from", "cpu-cluster"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("reach from cpu-cluster[0] "), "{}", &out[..100]);
    assert_eq!(
        err,
        "note: --from cpu-cluster: node 0 (cpu-cluster[0]) stands for the 2 nodes of `cpu-cluster`; name another as cpu-cluster[N]\n"
    );
    let (_, _, err) = vnetsim(&["reach", S18, "--from", "cpu-cluster[1]"]);
    assert_eq!(err, "", "a named node needs no note");
}

/// Every flag and argument of every command says what it is for; global options are apart.
#[test]
fn issue_18_every_flag_in_help_is_described() {
    let commands =
        ["check", "trace", "run", "flows", "reach", "audit", "diff", "gen", "replay", "bench", "graph", "routes"];
    for command in commands {
        let (code, help, _) = vnetsim(&[command, "--help"]);
        assert_eq!(code, 0);
        assert!(help.contains("\nGlobal options:\n") && help.contains("\nSemantics options"), "{command}");
        let lines: Vec<&str> = help.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let is_item = line.starts_with("  -") || line.starts_with("      --") || line.starts_with("  <");
            if is_item {
                let description = lines.get(i + 1).copied().unwrap_or_default();
                assert!(
                    description.starts_with("          ") && description.trim().len() > 3,
                    "{command}: `{line}` has no description"
                );
            }
        }
    }
}

#[test]
fn issue_18_the_library_facade_traces_like_the_binary() {
    let yaml = std::fs::read_to_string(
        Path::new(vnetsim_testkit::workspace_root()).join("scenarios/01-single-vnet-nsgs.yaml"),
    )
    .unwrap();
    let fabric = vnetsim::compile(vnetsim::load("01.yaml", &yaml).unwrap());
    let connection = vnetsim::trace(&fabric, &vnetsim::TraceRequest::new("internet", "web2").port(443)).unwrap();
    assert_eq!(connection.disposition().name(), "denied_by_nsg", "README's example: the NIC NSG denies");
    let error = vnetsim::load("bad.yaml", "name: x\nvnets: 3\n").unwrap_err();
    assert!(error.to_string().starts_with("bad.yaml:2:8: error: "), "{error}");
    assert!(matches!(
        vnetsim::trace(&fabric, &vnetsim::TraceRequest::new("nobody", "web2")),
        Err(vnetsim::TraceError::From(_))
    ));
}
