//! `vnetsim run` in its CI formats (JUnit XML, SARIF, JSON): well-formed output whose counts,
//! locations, reasons and traces agree with the human report, and the same exit codes in every
//! format. The formats are specified in `docs/suite-output.md`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use vnetsim_testkit::cli::vnetsim;

/// A label with every character XML must escape.
const SPECIAL_LABEL: &str = r#"a < b & "c" 'd'"#;

/// One pass and two failures: SSH is denied by an NSG rule but expected allowed, and HTTPS is
/// allowed by the default rule but expected denied.
const FAILING: &str = r#"name: suite-output
vnets:
  - name: app
    address_space: [10.30.0.0/16]
    subnets:
      - name: web
        prefix: 10.30.1.0/24
        nsg: web-nsg
nsgs:
  - name: web-nsg
    rules:
      - name: deny-ssh-inbound
        priority: 100
        direction: inbound
        access: deny
        protocol: tcp
        destination_ports: 22
endpoints:
  - name: vm1
    kind: vm
    subnet: app/web
  - name: vm2
    kind: vm
    subnet: app/web
expect:
  - name: HTTPS inside the VNet is allowed
    from: vm1
    to: vm2
    port: 443
    outcome: allowed
  - name: "a < b & \"c\" 'd'"
    from: vm1
    to: vm2
    port: 22
    outcome: allowed
  - name: HTTPS is expected denied but the default rule allows it
    from: vm1
    to: vm2
    port: 443
    outcome: denied
"#;

/// The line of the `- name:` entry that starts an expectation (1-based), as vnetsim reports it.
fn expectation_line(label_start: &str) -> u64 {
    let index = FAILING.lines().position(|l| l.starts_with(&format!("  - name: {label_start}")));
    index.expect("label is in the scenario") as u64 + 1
}

/// A scenario file in a fresh folder under the system temp dir, removed when dropped.
struct TempScenario {
    dir: PathBuf,
    file: String,
}

impl TempScenario {
    fn new(test: &str, text: &str) -> TempScenario {
        let dir = std::env::temp_dir().join(format!("vnetsim-suite-output-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let path = dir.join("scenario.yaml");
        std::fs::write(&path, text).expect("write temp scenario");
        TempScenario { file: path.display().to_string(), dir }
    }

    fn run(&self, format: &str) -> (i32, String, String) {
        vnetsim(&["run", &self.file, "--format", format])
    }
}

impl Drop for TempScenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The closing `N passed, M failed` line of the human report.
fn human_counts(stdout: &str) -> (usize, usize) {
    let last = stdout.lines().last().unwrap_or_default();
    let (passed, failed) = last.strip_suffix(" failed").and_then(|r| r.split_once(" passed, ")).expect(last);
    (passed.parse().unwrap(), failed.parse().unwrap())
}

// ---------------------------------------------------------------------------------------------
// A strict reader for the XML subset vnetsim writes: a declaration, elements, attributes and text.

#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attribute(&self, name: &str) -> &str {
        let found = self.attributes.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("<{}> has no attribute `{name}`", self.name))
    }

    fn count(&self, name: &str) -> usize {
        self.attribute(name).parse().unwrap_or_else(|_| panic!("`{name}` of <{}> is not a number", self.name))
    }

    fn elements<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Parses a whole document, panicking on anything not well-formed: the declaration first, one
/// root element, matching end tags, quoted and unique attributes without `<`, only the five
/// predefined entities and character references to characters XML 1.0 allows.
fn parse_xml(doc: &str) -> Element {
    let mut r = Reader { doc, pos: 0 };
    assert!(doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "missing XML declaration:\n{doc}");
    r.pos = doc.find("?>").unwrap() + 2;
    r.skip_whitespace();
    let root = r.element();
    r.skip_whitespace();
    if r.pos != doc.len() {
        r.fail("content after the root element");
    }
    root
}

struct Reader<'a> {
    doc: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn fail(&self, what: &str) -> ! {
        let near: String = self.doc[self.pos..].chars().take(60).collect();
        panic!("not well-formed XML at byte {}: {what}, near {near:?}\n{}", self.pos, self.doc)
    }

    fn rest(&self) -> &'a str {
        &self.doc[self.pos..]
    }

    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    fn expect(&mut self, s: &str) {
        if !self.eat(s) {
            self.fail(&format!("expected `{s}`"));
        }
    }

    fn skip_whitespace(&mut self) -> bool {
        let len = self.rest().len() - self.rest().trim_start_matches([' ', '\t', '\n', '\r']).len();
        self.pos += len;
        len > 0
    }

    fn name(&mut self) -> String {
        let rest = self.rest();
        let len = rest.find(|c: char| !(c.is_alphanumeric() || "_-.:".contains(c))).unwrap_or(rest.len());
        if !rest.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            self.fail("expected a name");
        }
        self.pos += len;
        rest[..len].to_string()
    }

    fn element(&mut self) -> Element {
        self.expect("<");
        let name = self.name();
        let mut e = Element { name, attributes: Vec::new(), children: Vec::new(), text: String::new() };
        loop {
            let spaced = self.skip_whitespace();
            if self.eat("/>") {
                return e;
            }
            if self.eat(">") {
                break;
            }
            if !spaced {
                self.fail("attributes must be separated by whitespace");
            }
            let attribute = self.name();
            self.expect("=");
            let quote = if self.eat("\"") {
                '"'
            } else if self.eat("'") {
                '\''
            } else {
                self.fail("attribute value is not quoted")
            };
            let end = self.rest().find(quote).unwrap_or_else(|| self.fail("unterminated attribute value"));
            let raw = &self.rest()[..end];
            if raw.contains('<') {
                self.fail("`<` in an attribute value");
            }
            let value = self.decode(raw);
            if e.attributes.iter().any(|(n, _)| *n == attribute) {
                self.fail("duplicate attribute");
            }
            e.attributes.push((attribute, value));
            self.pos += end + 1;
        }
        loop {
            if self.eat("</") {
                if self.name() != e.name {
                    self.fail(&format!("end tag does not match <{}>", e.name));
                }
                self.skip_whitespace();
                self.expect(">");
                return e;
            }
            if self.rest().starts_with("<!") || self.rest().starts_with("<?") {
                self.fail("unexpected markup");
            }
            if self.rest().starts_with('<') {
                let child = self.element();
                e.children.push(child);
                continue;
            }
            let end = self.rest().find('<').unwrap_or_else(|| self.fail("unclosed element"));
            let raw = &self.rest()[..end];
            if raw.contains("]]>") {
                self.fail("`]]>` in text");
            }
            let text = self.decode(raw);
            e.text.push_str(&text);
            self.pos += end;
        }
    }

    /// Replaces entities and character references, checking that every character is one XML
    /// 1.0 allows.
    fn decode(&self, raw: &str) -> String {
        let mut out = String::new();
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let semi = rest[amp..].find(';').unwrap_or_else(|| self.fail("`&` without `;`"));
            let entity = &rest[amp + 1..amp + semi];
            let c = match entity {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => entity
                    .strip_prefix("#x")
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse))
                    .and_then(Result::ok)
                    .and_then(char::from_u32)
                    .unwrap_or_else(|| self.fail(&format!("unknown entity `&{entity};`"))),
            };
            out.push(c);
            rest = &rest[amp + semi + 1..];
        }
        out.push_str(rest);
        if let Some(c) = out.chars().find(|&c| (c < ' ' && !"\t\n\r".contains(c)) || c == '\u{fffe}' || c == '\u{ffff}')
        {
            self.fail(&format!("character {c:?} is not allowed in XML 1.0"));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[test]
fn junit_of_the_builtin_suite_is_well_formed_and_matches_the_human_summary() {
    let (code, xml, stderr) = vnetsim(&["run", "--format", "junit"]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{xml}");
    let (_, human, _) = vnetsim(&["run"]);
    let (passed, failed) = human_counts(&human);

    let root = parse_xml(&xml);
    assert_eq!(root.name, "testsuites");
    assert_eq!(root.attribute("name"), "vnetsim");
    assert_eq!((root.count("tests"), root.count("failures"), root.count("errors")), (passed + failed, failed, 0));
    let suites: Vec<&Element> = root.elements("testsuite").collect();
    assert_eq!(suites.len(), root.children.len(), "only <testsuite> under <testsuites>");
    assert!(suites.iter().any(|s| s.attribute("name") == "scenarios/01-single-vnet-nsgs.yaml"), "{xml}");
    for suite in &suites {
        let cases: Vec<&Element> = suite.elements("testcase").collect();
        assert_eq!(suite.count("tests"), cases.len(), "{}", suite.attribute("name"));
        for case in &cases {
            assert_eq!(case.attribute("file"), suite.attribute("name"));
            assert!(case.count("line") > 0 && !case.attribute("classname").is_empty());
        }
    }
    assert_eq!(suites.iter().map(|s| s.count("tests")).sum::<usize>(), passed + failed);
}

#[test]
fn junit_failure_carries_the_reason_and_the_trace() {
    let scenario = TempScenario::new("junit-failure", FAILING);
    let (code, xml, stderr) = scenario.run("junit");
    assert_eq!((code, stderr.as_str()), (1, ""), "{xml}");

    let root = parse_xml(&xml);
    assert_eq!((root.count("tests"), root.count("failures")), (3, 2));
    let suite = root.elements("testsuite").next().unwrap();
    assert_eq!(suite.attribute("name"), scenario.file);
    let ssh = suite.elements("testcase").find(|c| c.attribute("name") == SPECIAL_LABEL).expect(&xml);
    assert_eq!(ssh.attribute("classname"), "suite-output");
    assert_eq!(ssh.count("line") as u64, expectation_line("\"a <"));
    let failure = ssh.elements("failure").next().expect("a <failure> element");
    assert_eq!(failure.attribute("type"), "denied_by_nsg");
    assert_eq!(
        failure.attribute("message"),
        "expected allowed, but the request was denied_by_nsg by web-nsg/deny-ssh-inbound"
    );
    // The body is the whole human trace of the failing connection.
    assert!(failure.text.starts_with("vm1 -> vm2: DENIED\n"), "{}", failure.text);
    assert!(failure.text.contains("request: tcp 10.30.1.4:50000 -> 10.30.1.5:22"), "{}", failure.text);
    assert!(failure.text.contains("DENY    nsg"), "{}", failure.text);
    assert!(failure.text.contains("=> denied_by_nsg"), "{}", failure.text);
}

#[test]
fn junit_escapes_special_characters_in_labels() {
    let scenario = TempScenario::new("junit-escape", FAILING);
    let (_, xml, _) = scenario.run("junit");
    assert!(xml.contains(r#"name="a &lt; b &amp; &quot;c&quot; &apos;d&apos;""#), "{xml}");
    assert!(!xml.contains(SPECIAL_LABEL), "label written unescaped:\n{xml}");
    // And the escaped label reads back as written.
    let root = parse_xml(&xml);
    let names: Vec<&str> =
        root.elements("testsuite").flat_map(|s| s.elements("testcase")).map(|c| c.attribute("name")).collect();
    assert!(names.contains(&SPECIAL_LABEL), "{names:?}");
}

// ---------------------------------------------------------------------------------------------
// SARIF and JSON

#[test]
fn sarif_locates_the_failed_expectations() {
    let scenario = TempScenario::new("sarif", FAILING);
    let (code, stdout, stderr) = scenario.run("sarif");
    assert_eq!((code, stderr.as_str()), (1, ""), "{stdout}");
    let log: Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "vnetsim");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "expectation-failed");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "one result per failed expectation:\n{stdout}");

    let ssh = &results[0];
    assert_eq!(ssh["level"], "error");
    assert_eq!(ssh["ruleId"], "expectation-failed");
    let text = ssh["message"]["text"].as_str().unwrap();
    assert!(text.starts_with(SPECIAL_LABEL) && text.contains("web-nsg/deny-ssh-inbound"), "{text}");
    let location = &ssh["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], scenario.file);
    assert_eq!(location["region"]["startLine"], expectation_line("\"a <"));
    assert_eq!(location["region"]["startColumn"], 5);
    assert_eq!(results[1]["locations"][0]["physicalLocation"]["region"]["startLine"], expectation_line("HTTPS is"));
}

#[test]
fn sarif_of_a_passing_suite_has_no_results() {
    let (code, stdout, stderr) = vnetsim(&["run", "scenarios/01-single-vnet-nsgs.yaml", "--format", "sarif"]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let log: Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn json_has_the_schema_marker_and_a_trace_for_each_failure() {
    let scenario = TempScenario::new("json", FAILING);
    let (code, stdout, stderr) = scenario.run("json");
    assert_eq!((code, stderr.as_str()), (1, ""), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["schema"], "vnetsim-suite/1");
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(1), Some(2)));
    let results = report["files"][0]["results"].as_array().unwrap();
    assert!(results[0].get("trace").is_none(), "a passing result has no trace");
    let ssh = &results[1];
    assert_eq!(ssh["label"], SPECIAL_LABEL);
    assert_eq!(ssh["line"], expectation_line("\"a <"));
    assert_eq!(ssh["decided_by"]["rule"], "deny-ssh-inbound");
    let trace = &ssh["trace"];
    assert_eq!((trace["from"].as_str(), trace["to"].as_str()), (Some("vm1"), Some("vm2")));
    assert_eq!(trace["disposition"], "denied_by_nsg");
    let steps = trace["request"]["steps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["decided_by"]["rule"], "deny-ssh-inbound");
    assert_eq!(results[2]["trace"]["verdict"], "allowed");
}

// ---------------------------------------------------------------------------------------------
// Human lines and exit codes

#[test]
fn human_fail_line_names_the_rule_that_let_an_unexpected_connection_through() {
    let scenario = TempScenario::new("human", FAILING);
    let (code, stdout, stderr) = scenario.run("human");
    assert_eq!((code, stderr.as_str()), (1, ""), "{stdout}");
    let line = expectation_line("HTTPS is");
    let expected = format!(
        "FAIL {}:{line} HTTPS is expected denied but the default rule allows it: expected denied, but the \
         connection is allowed (allowed by web-nsg/AllowVNetInBound)",
        scenario.file
    );
    assert!(stdout.lines().any(|l| l == expected), "expected `{expected}` in:\n{stdout}");
    assert_eq!(human_counts(&stdout), (1, 2));
}

#[test]
fn every_format_keeps_the_exit_codes() {
    let failing = TempScenario::new("exit-codes", FAILING);
    for format in ["human", "json", "junit", "sarif"] {
        let (code, stdout, stderr) = vnetsim(&["run", "scenarios/01-single-vnet-nsgs.yaml", "--format", format]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{format}: passing suite\n{stdout}");

        let (code, stdout, stderr) = failing.run(format);
        assert_eq!((code, stderr.as_str()), (1, ""), "{format}: failing suite\n{stdout}");

        // An invalid file is reported on stderr and in the report itself, never as silence; the
        // valid one next to it still runs.
        let (code, stdout, stderr) = vnetsim(&["run", "tests/fixtures/mixed", "--format", format]);
        assert_eq!(code, 2, "{format}: folder with a broken file\nstdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stderr.contains("broken.yaml:8:14: error: unknown NSG `missing-nsg`"), "{format}: {stderr}");
        let broken = Path::new("tests/fixtures/mixed").join("broken.yaml").display().to_string();
        let says_invalid = match format {
            "human" => {
                stdout.contains(&format!("INVALID {broken}:"))
                    && stdout.ends_with("1 passed, 0 failed, 1 file invalid\n")
            }
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                v["invalid"][0]["file"] == broken.as_str()
                    && v["invalid"][0]["diagnostics"][0]["line"] == 8
                    && v["invalid"][0]["diagnostics"][0]["column"] == 14
                    && v["passed"] == 1
            }
            "junit" => stdout.contains("errors=\"1\"") && stdout.contains("<error message=\"invalid scenario file\""),
            _ => {
                let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                let result = &v["runs"][0]["results"].as_array().unwrap().last().unwrap().clone();
                result["ruleId"] == "invalid-file"
                    && result["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
                    && result["message"]["text"] == "unknown NSG `missing-nsg`"
            }
        };
        assert!(says_invalid, "{format}: the report names the invalid file:\n{stdout}");
        // SARIF lists failures only; the valid file's expectations all pass.
        assert!(format == "sarif" || stdout.contains("good.yaml"), "{format}: the valid file still runs:\n{stdout}");
    }
}

#[test]
fn issue_18_a_run_that_finds_no_scenario_is_not_green() {
    let empty = std::env::temp_dir().join(format!("vnetsim-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let folder = empty.display().to_string();
    for format in ["human", "json", "junit", "sarif"] {
        let (code, stdout, stderr) = vnetsim(&["run", &folder, "--format", format]);
        assert_eq!(code, 2, "{format}: an empty folder\n{stdout}{stderr}");
        assert!(stderr.contains("no scenario files (*.yaml, *.yml) in this folder"), "{format}: {stderr}");
        assert!(stdout.contains(&folder), "{format}: the report names the folder:\n{stdout}");
    }
    let (code, _, stderr) = vnetsim(&["run", "tests/no-such-file.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read tests/no-such-file.yaml"), "{stderr}");
    std::fs::remove_dir_all(&empty).unwrap();
}
