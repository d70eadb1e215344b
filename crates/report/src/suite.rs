//! `vnetsim run` output: every expectation's result, with the trace of each failure, as one
//! serialisable structure. Rendered here as human lines and JSON, in `junit` as JUnit XML and in
//! `sarif` as SARIF; all of them are specified in `docs/suite-output.md`.

use crate::check::InvalidFile;
use crate::expected_errors::ExpectedErrors;
use crate::explain::reason_words;
use crate::plural;
use crate::trace::TraceReport;
use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::ExpectationResult;
use vnetsim_analysis::expectation::{Decided, ExpectationKind, Observed};
use vnetsim_engine::{Decider, Fabric, StepVerdict};

/// One expectation's result and, for a failure, the trace of the connection that shows it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CaseReport {
    // Output only, never read back: the result's fields and `trace` form one JSON object.
    #[serde(flatten)]
    pub result: ResultReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceReport>,
}

/// An [`ExpectationResult`] with its reason in words.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ResultReport {
    /// `connection` (a `to:` entry), `flow` (a `flow:` entry of the catalogue) or
    /// `exfiltration` (an audit outcome).
    pub kind: ExpectationKind,
    pub label: String,
    pub line: u32,
    pub column: u32,
    /// `allowed` or `denied`, `works` or `broken`, `no_exfiltration` or `exfiltration`.
    pub expected: Observed,
    /// The `by:` the scenario asked for, if any: what denied a denial, or a rule that allowed
    /// the request of an allowed connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_by: Option<String>,
    /// As `expected`; a flow can also be `n/a`.
    pub actual: Observed,
    /// The disposition that decided the outcome (see the trace disposition set).
    pub disposition: Decided,
    /// For a name: the address it resolved to, `NXDOMAIN` or `no answer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// Whether the reply was walked and got back.
    pub reply_delivered: Option<bool>,
    /// What decided the outcome: for a denial, the object that dropped the packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Decider>,
    pub passed: bool,
    /// Why it failed, in one sentence (empty when it passed).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl ResultReport {
    /// The result in words; `fabric` is the one it was checked against.
    pub fn new(fabric: &Fabric, r: ExpectationResult) -> ResultReport {
        ResultReport {
            reason: r.reason.as_ref().map_or_else(String::new, |reason| reason_words(fabric, reason)),
            kind: r.kind,
            label: r.label,
            line: r.line,
            column: r.column,
            expected: r.expected,
            expected_by: r.expected_by,
            actual: r.actual,
            disposition: r.disposition,
            resolved: r.resolved.map(crate::explain::answer_word),
            reply_delivered: r.reply_delivered,
            decided_by: r.decided_by,
            passed: r.passed,
        }
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FileResults {
    pub file: String,
    pub scenario: String,
    pub results: Vec<CaseReport>,
}

impl FileResults {
    /// The results of one file. A failure's evidence is turned into its trace here, because
    /// the trace needs the file's fabric and the printers run after every file is done.
    pub fn new(file: String, fabric: &Fabric, results: Vec<ExpectationResult>) -> FileResults {
        let results = results
            .into_iter()
            .map(|mut result| {
                let trace = result.evidence.take().map(|ev| TraceReport::new(fabric, &ev.from, &ev.to, &ev.connection));
                CaseReport { result: ResultReport::new(fabric, result), trace }
            })
            .collect();
        FileResults { file, scenario: fabric.scenario.name.clone(), results }
    }

    pub fn failed(&self) -> usize {
        self.results.iter().filter(|c| !c.result.passed).count()
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SuiteReport {
    pub files: Vec<FileResults>,
    /// Files that could not be loaded (or a folder that held none): the suite is not green.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid: Vec<InvalidFile>,
    /// Files that must fail to load (`# expect-error:`), each one passed or failed result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected_errors: Vec<ExpectedErrors>,
    pub passed: usize,
    pub failed: usize,
}

impl SuiteReport {
    pub fn new(files: Vec<FileResults>, invalid: Vec<InvalidFile>) -> SuiteReport {
        let failed = files.iter().map(FileResults::failed).sum();
        let passed = files.iter().map(|f| f.results.len()).sum::<usize>() - failed;
        SuiteReport { files, invalid, expected_errors: Vec::new(), passed, failed }
    }

    /// Adds the results of the files that must fail to load, counted like expectations.
    pub fn with_expected_errors(mut self, results: Vec<ExpectedErrors>) -> SuiteReport {
        let failed = results.iter().filter(|r| !r.passed).count();
        self.failed += failed;
        self.passed += results.len() - failed;
        self.expected_errors = results;
        self
    }

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            for c in &f.results {
                let r = &c.result;
                if r.passed {
                    let by = match (&r.decided_by, r.actual, &r.expected_by) {
                        (Some(d), Observed::Denied | Observed::OneWay, _) => format!(" by {d}"),
                        // A passing `by:` on an allowed connection names a rule that allowed it.
                        (_, Observed::Allowed, Some(by)) => format!(" by {by}"),
                        _ => String::new(),
                    };
                    // Name failures are not packet drops: say which.
                    let by = if r.disposition.is_name_failure() { format!(": {}{by}", r.disposition) } else { by };
                    let actual = observed_word(r.actual);
                    let _ = writeln!(out, "PASS {}:{} {} ({actual}{by})", f.file, r.line, r.label);
                } else {
                    let _ = writeln!(out, "FAIL {}:{} {}: {}{}", f.file, r.line, r.label, r.reason, c.decider_note());
                }
            }
        }
        for e in &self.expected_errors {
            let _ = writeln!(out, "{}", e.human_line());
        }
        for f in &self.invalid {
            let _ = writeln!(out, "INVALID {}: not run; its errors are on standard error", f.file);
        }
        let _ = write!(out, "{} passed, {} failed", self.passed, self.failed);
        if !self.invalid.is_empty() {
            let _ = write!(out, ", {} invalid", plural(self.invalid.len(), "file", "files"));
        }
        out.push('\n');
        out
    }
}

/// An outcome as results show it (the JSON name).
pub fn observed_word(o: Observed) -> &'static str {
    match o {
        Observed::Allowed => "allowed",
        Observed::Denied => "denied",
        Observed::OneWay => "one_way",
        Observed::Works => "works",
        Observed::Broken => "broken",
        Observed::NotApplicable => "n/a",
        Observed::NoExfiltration => "no_exfiltration",
        Observed::Exfiltration => "exfiltration",
    }
}

impl CaseReport {
    /// The deciding step for a FAIL line, when its reason does not name it already: the object
    /// that stopped the connection or, for a connection that got through, the last rule that
    /// allowed its request.
    fn decider_note(&self) -> String {
        let last_allow = || {
            let steps = &self.trace.as_ref()?.request.as_ref()?.steps;
            steps.iter().rev().find(|s| s.result == StepVerdict::Allow && s.decided_by.is_some())?.decided_by.as_ref()
        };
        let named =
            self.result.decided_by.as_ref().map(|d| ("by", d)).or_else(|| last_allow().map(|d| ("allowed by", d)));
        match named {
            Some((how, d)) if !self.result.reason.contains(&d.to_string()) => format!(" ({how} {d})"),
            _ => String::new(),
        }
    }
}

impl crate::Report for SuiteReport {
    const SCHEMA: &'static str = "vnetsim-suite/1";
    const FORMATS: &'static [crate::Format] =
        &[crate::Format::Human, crate::Format::Json, crate::Format::Junit, crate::Format::Sarif];

    fn human(&self) -> String {
        self.to_human()
    }

    fn other(&self, format: crate::Format) -> Option<String> {
        match format {
            crate::Format::Junit => Some(self.to_junit()),
            crate::Format::Sarif => Some(self.to_sarif()),
            _ => None,
        }
    }
}
