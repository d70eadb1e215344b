//! SARIF 2.1.0 for code-scanning tools: one `error` result per failed expectation, located at
//! the expectation in its scenario file, and per `# expect-error:` file that fails (it loads, or
//! its errors lack a text), at the file. Passing ones produce no result.

use crate::check::{InvalidFile, Located};
use crate::expected_errors::ExpectedErrors;
use crate::suite::{CaseReport, FileResults, SuiteReport};
use serde_json::{Value, json};
use std::fmt::Write;

/// The one rule every result refers to; the expectation's kind is in the result's properties.
const RULE: &str = "expectation-failed";
/// A file that could not be loaded: an error of the run, never silence.
const INVALID_RULE: &str = "invalid-file";
/// A file whose `# expect-error:` lines expect it to fail to load, and that loads or fails
/// without one of their texts.
const EXPECTED_ERROR_RULE: &str = "expected-load-error";

impl SuiteReport {
    pub fn to_sarif(&self) -> String {
        let results: Vec<Value> = self
            .files
            .iter()
            .flat_map(|f| f.results.iter().filter(|c| !c.result.passed).map(move |c| result(f, c)))
            .chain(self.invalid.iter().flat_map(invalid))
            .chain(self.expected_errors.iter().filter_map(expected_error))
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "vnetsim",
                        "version": env!("CARGO_PKG_VERSION"),
                        "rules": [{
                            "id": RULE,
                            "name": "ExpectationFailed",
                            "shortDescription": { "text": "A scenario expectation does not hold." },
                            "fullDescription": {
                                "text": "The simulated connection's outcome differs from the scenario's `expect:` entry."
                            },
                            "defaultConfiguration": { "level": "error" }
                        }, {
                            "id": INVALID_RULE,
                            "name": "InvalidScenarioFile",
                            "shortDescription": { "text": "A scenario file could not be loaded, so none of its expectations ran." },
                            "defaultConfiguration": { "level": "error" }
                        }, {
                            "id": EXPECTED_ERROR_RULE,
                            "name": "ExpectedLoadError",
                            "shortDescription": { "text": "A scenario file expected to fail to load loads, or fails without an expected error." },
                            "fullDescription": {
                                "text": "The file's `# expect-error:` lines expect loading to fail with every one of their texts."
                            },
                            "defaultConfiguration": { "level": "error" }
                        }]
                    }
                },
                "results": results
            }]
        });
        crate::to_json(&log)
    }
}

fn result(f: &FileResults, c: &CaseReport) -> Value {
    let r = &c.result;
    json!({
        "ruleId": RULE,
        "ruleIndex": 0,
        "kind": "fail",
        "level": "error",
        "message": { "text": format!("{}: {}", r.label, r.reason) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": relative_uri(&f.file) },
                "region": { "startLine": r.line, "startColumn": r.column }
            }
        }],
        "properties": {
            "scenario": f.scenario,
            "expectationKind": r.kind,
            "expected": r.expected,
            "actual": r.actual,
            "disposition": r.disposition
        }
    })
}

/// One result per located problem of an invalid file, at its line and column in the file it
/// is in (the invalid file, or a base it extends); one for the whole file when nothing in it is
/// at fault (missing, a folder, unreadable).
fn invalid(f: &InvalidFile) -> Vec<Value> {
    let result = |text: &str, file: &str, region: Option<Value>| {
        let mut location = json!({ "artifactLocation": { "uri": relative_uri(file) } });
        if let Some(region) = region {
            location["region"] = region;
        }
        json!({
            "ruleId": INVALID_RULE,
            "ruleIndex": 1,
            "kind": "fail",
            "level": "error",
            "message": { "text": text },
            "locations": [{ "physicalLocation": location }]
        })
    };
    if f.diagnostics.is_empty() {
        return vec![result(f.errors.trim_end(), &f.file, None)];
    }
    let region = |d: &Located| json!({ "startLine": d.line, "startColumn": d.column });
    (f.diagnostics.iter()).map(|d| result(&d.message, d.file.as_deref().unwrap_or(&f.file), Some(region(d)))).collect()
}

/// A failed `# expect-error:` file, at the file; `None` when it passes.
fn expected_error(e: &ExpectedErrors) -> Option<Value> {
    Some(json!({
        "ruleId": EXPECTED_ERROR_RULE,
        "ruleIndex": 2,
        "kind": "fail",
        "level": "error",
        "message": { "text": e.failure()? },
        "locations": [{ "physicalLocation": { "artifactLocation": { "uri": relative_uri(&e.file) } } }],
        "properties": { "expected": e.expected, "missing": e.missing, "loaded": e.loaded }
    }))
}

/// The path as given, as a URI reference: forward slashes, and percent-escapes for every byte
/// a URI cannot hold literally (spaces, `#`, `%`, `?`, non-ASCII, ...).
fn relative_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace(std::path::MAIN_SEPARATOR, "/").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::relative_uri;

    #[test]
    fn uris_keep_the_path_and_escape_what_a_uri_cannot_hold() {
        let cases = [
            ("scenarios/01-single-vnet-nsgs.yaml", "scenarios/01-single-vnet-nsgs.yaml"),
            ("my scenarios/a#1 100%.yaml", "my%20scenarios/a%231%20100%25.yaml"),
            ("réseau.yaml", "r%C3%A9seau.yaml"),
        ];
        for (path, expected) in cases {
            assert_eq!(relative_uri(path), expected, "relative_uri({path:?})");
        }
    }
}
