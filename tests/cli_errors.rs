//! Issue 18, errors a person can act on, through the real binary: files that are not UTF-8 text,
//! directories and missing files, the `--service-tags` and `--workspace-yaml` inputs, `check`
//! reporting a `by:` that names nothing. Every case exits 2 (or as stated), names its file, and
//! never panics (`vnetsim_testkit::cli::vnetsim` checks that).
//!
//! Inputs that cannot live in the repository as text are written under Cargo's per-test
//! temporary folder.

use std::path::PathBuf;
use vnetsim_testkit::cli::{assert_one_error, error_headers, vnetsim};

/// Writes `bytes` to a fresh file named `name` in the test temporary folder; returns its path.
fn temp_file(name: &str, bytes: &[u8]) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_errors");
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temporary file");
    path.display().to_string()
}

/// Runs `vnetsim args`, expects exit 2 and exactly one error header starting with `header`.
fn check_one_error(args: &[&str], header: &str) -> String {
    let (code, stdout, stderr) = vnetsim(args);
    assert_eq!(code, 2, "vnetsim {args:?} must exit 2\nstdout:\n{stdout}\nstderr:\n{stderr}");
    let headers: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ") || l.starts_with("error: ")).collect();
    assert_eq!(headers.len(), 1, "expected one error line, got:\n{stderr}");
    assert!(headers[0].starts_with(header), "expected `{header}...`, got:\n{stderr}");
    stderr
}

#[test]
fn latin1_scenario_is_located_with_an_encoding_hint() {
    let file = temp_file("latin1.yaml", b"name: caf\xE9\nregion: eastus\n");
    let stderr =
        check_one_error(&["check", &file], &format!("{file}:1:10: error: the file is not valid UTF-8: byte 0xE9"));
    assert!(stderr.contains("save the file as UTF-8"), "{stderr}");
    assert!(stderr.ends_with(&format!("\n{file}: 1 error\n")), "{stderr}");
}

#[test]
fn utf16_scenario_is_named_as_utf16() {
    let bytes: Vec<u8> = "\u{feff}name: x\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let file = temp_file("utf16.yaml", &bytes);
    let stderr = check_one_error(&["check", &file], &format!("{file}:1:1: error: the file is UTF-16"));
    assert!(stderr.contains("save the file as UTF-8"), "{stderr}");
    let no_bom: Vec<u8> = "name: x\nregion: y\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let file = temp_file("utf16-no-bom.yaml", &no_bom);
    check_one_error(&["check", &file], &format!("{file}:1:1: error: the file looks like UTF-16"));
}

#[test]
fn binary_service_tags_file_is_refused_before_any_scenario() {
    let tags = temp_file("tags.json", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00");
    check_one_error(
        &["--service-tags", &tags, "check", "scenarios/01-single-vnet-nsgs.yaml"],
        &format!("{tags}:1:8: error: the file holds a NUL byte: it is binary, not text"),
    );
}

#[test]
fn a_directory_or_a_missing_file_is_bad_input() {
    check_one_error(&["trace", "tests", "--from", "a", "--to", "b"], "error: tests is a directory; expected a file");
    check_one_error(
        &["--service-tags", "tests", "check", "scenarios/01-single-vnet-nsgs.yaml"],
        "error: tests is a directory; expected a file",
    );
    check_one_error(&["check", "tests/no-such-file.yaml"], "error: cannot read tests/no-such-file.yaml:");
    check_one_error(
        &["--workspace-yaml", "tests/no-such-ws.yaml", "check"],
        "error: cannot read tests/no-such-ws.yaml:",
    );
}

#[test]
fn a_hostile_workspace_name_is_reported_where_it_is_written() {
    let ws = temp_file("hostile-ws.yaml", b"name: \"ws: {x # y\"\nlocation: westus\n");
    check_one_error(
        &["check", "--workspace-yaml", &ws],
        &format!("{ws}:1:7: error: invalid workspace name `ws: {{x # y`"),
    );
    let ok = temp_file("ok-ws.yaml", b"name: ws-1\nlocation: westus\n");
    let (code, stdout, stderr) = vnetsim(&["check", "--workspace-yaml", &ok]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, format!("{ok}: ok: workspace ws-1 in westus\n"));
}

#[test]
fn check_reports_a_by_that_names_nothing() {
    assert_one_error("by-names-nothing.yaml", "10:57", "`by: web-nsg` names no object of this scenario");
}

#[test]
fn yaml_and_scalar_mistakes_are_one_clear_error_each() {
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "empty-name.yaml",
            b"vnets:\n  - name: \"\"\n    address_space: 10.0.0.0/16\n",
            "2:11: error: VNet name is empty",
        ),
        (
            "open-quote.yaml",
            b"name: \"abc\nregion: x\n",
            "1:7: error: YAML syntax error: the quote `\"` opened here is never closed",
        ),
        ("tag.yaml", b"name: !foo bar\n", "1:12: error: YAML tags are not supported: remove `!foo`"),
        (
            "directive.yaml",
            b"%YAML 1.2\n---\nname: x\n",
            "1:1: error: YAML directives are not supported: remove `%YAML`",
        ),
        (
            "leading-zero.yaml",
            b"vnets:\n  - {name: a, address_space: 010.0.0.0/16}\n",
            "2:30: error: address_space: invalid prefix `010.0.0.0/16`: octet `010` has a leading zero",
        ),
    ];
    for (name, bytes, header) in cases {
        let file = temp_file(name, bytes);
        check_one_error(&["check", &file], &format!("{file}:{header}"));
    }
}

#[test]
fn a_negative_port_is_out_of_range_not_missing() {
    let file = temp_file(
        "port.yaml",
        b"vnets:
  - name: a
    address_space: [10.0.0.0/16]
    subnets:
      - {name: s, prefix: 10.0.1.0/24}
endpoints:
  - {name: vm1, kind: vm, subnet: a/s}
expect:
  - {from: vm1, to: internet, port: -1, outcome: allowed}
",
    );
    check_one_error(&["check", &file], &format!("{file}:9:37: error: port -1 is out of range 0..=65535"));
}

#[test]
fn many_errors_print_200_and_a_count() {
    let vnets: String = (0..250).map(|i| format!("  - {{name: v{i}, address_space: bogus}}\n")).collect();
    let file = temp_file("many.yaml", format!("vnets:\n{vnets}").as_bytes());
    let (code, _, stderr) = vnetsim(&["check", &file]);
    assert_eq!(code, 2);
    assert_eq!(error_headers(&stderr).len(), 200);
    assert!(stderr.contains(&format!("{file}: 50 more errors not shown")), "{stderr}");
    assert!(stderr.ends_with(&format!("{file}: 250 errors\n")), "{stderr}");
}

#[test]
fn issue_18_check_reads_a_folder_like_run() {
    let (code, stdout, stderr) = vnetsim(&["check", "tests/fixtures/mixed"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.starts_with("tests/fixtures/mixed/good.yaml: ok: "), "{stdout}");
    assert!(stderr.contains("tests/fixtures/mixed/broken.yaml:8:14: error: unknown NSG `missing-nsg`"), "{stderr}");
    let (code, stdout, _) = vnetsim(&["check", "scenarios"]);
    assert_eq!(code, 0);
    let scenarios = std::fs::read_dir("scenarios")
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "yaml"))
        .count();
    assert_eq!(stdout.lines().filter(|l| l.starts_with("scenarios/") && l.contains(": ok: ")).count(), scenarios);
    let empty = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_errors-empty");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.display().to_string();
    check_one_error(&["check", &empty], &format!("error: {empty}: no scenario files (*.yaml, *.yml) in this folder"));
}
