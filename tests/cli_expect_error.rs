//! `# expect-error:` suite members and `extends:` through the binary: negative scenarios pass
//! `run` when they fail to load with every expected text, fail when they load or a text is
//! missing, and misuse of the directive is bad input; a variant's base is read beside it, errors
//! in the base point into the base, cycles are located, `diff` compares a base and its variant,
//! and the built-ins resolve their bases among the built-ins.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use vnetsim_testkit::cli::{binary, vnetsim};

/// A folder of its own under the system's temporary folder, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("vnetsim-expect-error-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.display().to_string()
}

const VALID: &str = "name: ok\nvnets:\n  - name: app\n    address_space: [10.30.0.0/16]\n    subnets:\n      - {name: web, prefix: 10.30.1.0/24}\n";

#[test]
fn negative_fixtures_pass_as_suite_members() {
    let (code, out, err) = vnetsim(&["run", "tests/fixtures/negative", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let results = report["expected_errors"].as_array().expect("expected_errors");
    assert_eq!(results.len(), 4);
    assert!(results.iter().all(|r| r["passed"] == true && r["loaded"] == false), "{results:#?}");
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(4), Some(0)));
}

/// Two negative files that fail: one loads, one's errors lack its second text.
fn failing_negatives(dir: &Scratch) -> [String; 2] {
    let loads = write(dir.0.as_path(), "loads.yaml", &format!("# expect-error: unknown key\n{VALID}"));
    let lacks = write(
        dir.0.as_path(),
        "lacks.yaml",
        "# expect-error: unknown key `vnet`\n# expect-error: no such text\nname: x\nvnet: []\n",
    );
    [loads, lacks]
}

/// Catches a negative file that passes whatever happens: one that loads, or whose errors lack
/// a text, fails the suite (exit 1) and says what was missing.
#[test]
fn a_negative_file_that_loads_or_lacks_a_text_fails() {
    let dir = Scratch::new("loads");
    let [loads, lacks] = failing_negatives(&dir);
    let (code, out, _) = vnetsim(&["run", &loads, &lacks]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("FAIL {loads} loads, but its `# expect-error:` lines expect it to fail")), "{out}");
    assert!(out.contains(&format!("FAIL {lacks} fails to load, but its errors lack \"no such text\"")), "{out}");
    assert!(out.ends_with("0 passed, 2 failed\n"), "{out}");
}

#[test]
fn misuse_of_the_directive_is_a_located_error() {
    let dir = Scratch::new("misuse");
    let empty = write(dir.0.as_path(), "empty.yaml", &format!("# expect-error:\n{VALID}"));
    let (code, out, err) = vnetsim(&["run", &empty]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains(&format!("{empty}:1:1: error: `# expect-error:` without a text")), "{err}");
}

/// Catches errors of a base reported at the variant's lines, a cycle that never ends, and a
/// base resolved against the working directory instead of the variant's folder.
#[test]
fn extends_reads_the_base_beside_the_variant_and_locates_its_errors() {
    let dir = Scratch::new("extends");
    let sub = dir.0.as_path().join("variants");
    std::fs::create_dir(&sub).unwrap();
    write(dir.0.as_path(), "base.yaml", "name: base\nvnets:\n  - name: app\n    address_space: [10.30.0.0/33]\n");
    let variant = write(&sub, "v.yaml", "extends: ../base.yaml\nname: v\n");
    let (code, _, err) = vnetsim(&["check", &variant]);
    assert_eq!(code, 2);
    let base_name = dir.0.as_path().join("base.yaml").display().to_string();
    assert!(err.contains(&format!("{base_name}:4:21: error: address_space: invalid prefix")), "{err}");
    assert!(err.contains(&format!("{base_name} is reached through `extends:` at {variant}:1:10")), "{err}");
    assert!(err.contains("4 |     address_space: [10.30.0.0/33]"), "the snippet is the base's line: {err}");

    let a = write(dir.0.as_path(), "a.yaml", "extends: b.yaml\n");
    write(dir.0.as_path(), "b.yaml", "extends: ./a.yaml\n");
    let (code, _, err) = vnetsim(&["check", &a]);
    assert_eq!(code, 2);
    assert!(err.contains("`extends:` makes a cycle"), "{err}");
}

#[test]
fn diff_compares_a_base_and_its_variant() {
    let dir = Scratch::new("diff");
    let base = write(
        dir.0.as_path(),
        "base.yaml",
        &format!(
            "{VALID}nsgs:\n  - name: web-nsg\n    rules:\n      - {{name: allow-ssh, priority: 100, direction: inbound, access: allow, protocol: tcp, destination_ports: 22}}\n"
        ),
    );
    let variant = write(
        dir.0.as_path(),
        "v.yaml",
        "extends: base.yaml\nname: v\nnsgs:\n  - name: web-nsg\n    rules:\n      - {name: allow-ssh, priority: 300}\n",
    );
    let (code, out, err) = vnetsim(&["diff", &base, &variant, "--format", "json"]);
    assert!(code <= 1, "{err}");
    let diff: Value = serde_json::from_str(&out).unwrap();
    let rule = diff["objects"].as_array().unwrap().iter().find(|o| o["kind"] == "nsg_rule").expect("the patched rule");
    assert_eq!(rule["name"], "web-nsg/allow-ssh");
    assert_eq!(rule["fields"].as_array().unwrap().len(), 1, "only the priority changed: {rule}");
    assert_eq!(rule["fields"][0]["field"], "priority");
}

/// Outside the repository `run` reads the built-ins; the variants' `extends:` resolve among
/// them, so every built-in expectation still holds.
#[test]
fn builtin_variants_resolve_their_base_among_the_builtins() {
    let dir = Scratch::new("builtin");
    let out = Command::new(binary()).args(["run", "--format", "json"]).current_dir(dir.0.as_path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["file"] == "builtin:26-variant-firewall-missing-pypi.yaml"));
    assert_eq!(report["failed"], 0);
}

/// A base's error, in the JSON of `check` and `run` and in SARIF, is located in the base: the
/// diagnostic names its file, and the SARIF result points there. An error of the variant itself
/// names no other file. Old behaviour: the base's line:col under the variant's name only.
#[test]
fn a_base_error_is_located_in_the_base_in_json_and_sarif() {
    let dir = Scratch::new("base-error-json");
    let base =
        write(dir.0.as_path(), "base.yaml", "name: base\nvnets:\n  - name: app\n    address_space: [10.30.0.0/33]\n");
    let variant = write(dir.0.as_path(), "v.yaml", "extends: base.yaml\nname: v\n");
    let own = write(dir.0.as_path(), "own.yaml", "name: own\nvnet: []\n");
    for command in ["check", "run"] {
        let (code, out, _) = vnetsim(&[command, &variant, &own, "--format", "json"]);
        assert_eq!(code, 2, "{out}");
        let report: Value = serde_json::from_str(&out).unwrap();
        let invalid = report["invalid"].as_array().expect("invalid");
        let of = |file: &str| &invalid.iter().find(|f| f["file"] == file).expect("the file")["diagnostics"][0];
        let d = of(&variant);
        assert_eq!(
            (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
            (Some(base.as_str()), Some(4), Some(21))
        );
        assert!(of(&own).get("file").is_none(), "{command}: the variant's own error names no other file");
    }
    let (code, out, _) = vnetsim(&["run", &variant, "--format", "sarif"]);
    assert_eq!(code, 2, "{out}");
    let log: Value = serde_json::from_str(&out).unwrap();
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], base.as_str());
    assert_eq!(
        (location["region"]["startLine"].as_u64(), location["region"]["startColumn"].as_u64()),
        (Some(4), Some(21))
    );
}

/// SARIF reports each failing `# expect-error:` file as an error at the file, under the
/// `expected-load-error` rule its `ruleIndex` points at; a passing one gives no result, like a
/// passing expectation. Old behaviour: no result, so code scanning saw a failing suite as clean.
#[test]
fn sarif_reports_failing_expect_error_files_at_the_file() {
    let dir = Scratch::new("sarif");
    let [loads, lacks] = failing_negatives(&dir);
    let passes = write(dir.0.as_path(), "passes.yaml", "# expect-error: unknown key `vnet`\nname: x\nvnet: []\n");
    let (code, out, _) = vnetsim(&["run", &loads, &lacks, &passes, "--format", "sarif"]);
    assert_eq!(code, 1, "{out}");
    let log: Value = serde_json::from_str(&out).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    let seen: Vec<(&str, &str, &str, u64)> = (results.iter())
        .map(|r| {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap(), uri, r["ruleIndex"].as_u64().unwrap())
        })
        .collect();
    let rule = "expected-load-error";
    assert_eq!(seen, [(rule, "error", loads.as_str(), 2), (rule, "error", lacks.as_str(), 2)]);
    assert_eq!(run["tool"]["driver"]["rules"][2]["id"], rule);
    assert_eq!(results[0]["message"]["text"], "loads, but its `# expect-error:` lines expect it to fail");
    assert_eq!(results[1]["message"]["text"], "fails to load, but its errors lack \"no such text\"");
    assert_eq!(results[1]["properties"]["missing"], serde_json::json!(["no such text"]));
}
