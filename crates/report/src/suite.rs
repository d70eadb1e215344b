//! `vnetsim run` output: one line per expectation and the closing `N passed, N failed` line.

use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::ExpectationResult;

#[derive(Clone, Debug, Serialize)]
pub struct FileResults {
    pub file: String,
    pub scenario: String,
    pub results: Vec<ExpectationResult>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SuiteReport {
    pub files: Vec<FileResults>,
    pub passed: usize,
    pub failed: usize,
}

impl SuiteReport {
    pub fn new(files: Vec<FileResults>) -> SuiteReport {
        let passed = files.iter().flat_map(|f| &f.results).filter(|r| r.passed).count();
        let failed = files.iter().flat_map(|f| &f.results).count() - passed;
        SuiteReport { files, passed, failed }
    }

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            for r in &f.results {
                let by = match (&r.decided_by, r.actual) {
                    (Some(d), "denied") => format!(" by {d}"),
                    _ => String::new(),
                };
                // Name failures are not packet drops: say which.
                let by = match r.disposition {
                    "dns_failed" | "nxdomain" => format!(": {}{by}", r.disposition),
                    _ => by,
                };
                if r.passed {
                    let _ = writeln!(out, "PASS {}:{} {} ({}{by})", f.file, r.line, r.label, r.actual);
                } else {
                    let _ = writeln!(out, "FAIL {}:{} {}: {}", f.file, r.line, r.label, r.reason);
                }
            }
        }
        let _ = writeln!(out, "{} passed, {} failed", self.passed, self.failed);
        out
    }
}
