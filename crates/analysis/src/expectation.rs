//! Checking `expect:` entries: walk the connection, compare with what the scenario says.

use serde::Serialize;
use vnetsim_engine::{Decider, Fabric, Recorder, Verdict};
use vnetsim_model::{Expectation, ExpectedOutcome};

#[derive(Clone, Debug, Serialize)]
pub struct ExpectationResult {
    pub label: String,
    pub line: u32,
    pub column: u32,
    /// `allowed` or `denied`.
    pub expected: &'static str,
    /// The `by:` the scenario asked for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_by: Option<String>,
    /// `allowed` or `denied`.
    pub actual: &'static str,
    /// The disposition that decided the outcome (see the trace disposition set).
    pub disposition: &'static str,
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

/// Walks one expectation's connection and judges it.
pub fn check_expectation(fabric: &Fabric, e: &Expectation) -> ExpectationResult {
    let (mut request, mut reply) = (Recorder::default(), Recorder::default());
    let walked = fabric
        .packet_between(e.from, e.to, e.protocol, e.port, e.source_port)
        .map(|(origin, packet)| fabric.walk_connection(origin, packet, &mut request, &mut reply));
    let verdict = match walked {
        Ok(v) => v,
        Err(err) => {
            return ExpectationResult {
                label: e.label.clone(),
                line: e.loc.line,
                column: e.loc.column,
                expected: expected_word(&e.outcome),
                expected_by: expected_by(&e.outcome),
                actual: "denied",
                disposition: "unreachable",
                reply_delivered: None,
                decided_by: None,
                passed: false,
                reason: err.to_string(),
            };
        }
    };
    // The deciding trace: the request's if it failed, else the reply's.
    let deciding = if verdict.request.is_delivered() { &reply.steps } else { &request.steps };
    let decided_by = if verdict.allowed() { None } else { fabric.decider_of(deciding) };
    let (passed, reason) = judge(&e.outcome, &verdict, decided_by.as_ref());
    ExpectationResult {
        label: e.label.clone(),
        line: e.loc.line,
        column: e.loc.column,
        expected: expected_word(&e.outcome),
        expected_by: expected_by(&e.outcome),
        actual: if verdict.allowed() { "allowed" } else { "denied" },
        disposition: verdict.disposition().name(),
        reply_delivered: verdict.reply.map(|d| d.is_delivered()),
        decided_by,
        passed,
        reason,
    }
}

fn expected_word(o: &ExpectedOutcome) -> &'static str {
    match o {
        ExpectedOutcome::Allowed => "allowed",
        ExpectedOutcome::Denied { .. } => "denied",
    }
}

fn expected_by(o: &ExpectedOutcome) -> Option<String> {
    match o {
        ExpectedOutcome::Denied { by } => by.clone(),
        ExpectedOutcome::Allowed => None,
    }
}

fn describe(d: Option<&Decider>) -> String {
    d.map_or_else(|| "nothing named".into(), ToString::to_string)
}

fn judge(expected: &ExpectedOutcome, verdict: &Verdict, decider: Option<&Decider>) -> (bool, String) {
    let side = if verdict.request.is_delivered() { "reply" } else { "request" };
    match expected {
        ExpectedOutcome::Allowed if verdict.allowed() => (true, String::new()),
        ExpectedOutcome::Allowed => (
            false,
            format!("expected allowed, but the {side} was {} by {}", verdict.disposition().name(), describe(decider)),
        ),
        ExpectedOutcome::Denied { .. } if verdict.allowed() => {
            (false, "expected denied, but the connection is allowed".into())
        }
        ExpectedOutcome::Denied { by: None } => (true, String::new()),
        ExpectedOutcome::Denied { by: Some(by) } if decider.is_some_and(|d| d.matches(by)) => (true, String::new()),
        ExpectedOutcome::Denied { by: Some(by) } => (
            false,
            format!(
                "expected denied by {by}, but the {side} was {} by {}",
                verdict.disposition().name(),
                describe(decider)
            ),
        ),
    }
}

/// Checks every expectation of the fabric's scenario, in file order.
pub fn check_scenario(fabric: &Fabric) -> Vec<ExpectationResult> {
    fabric.scenario.expectations.iter().map(|e| check_expectation(fabric, e)).collect()
}
