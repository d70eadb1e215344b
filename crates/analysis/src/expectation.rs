//! Checking `expect:` entries: walk the connection, compare with what the scenario says.

use serde::Serialize;
use vnetsim_engine::dns::{AnswerSource, DnsOutcome, ServerRole};
use vnetsim_engine::{Connection, Decider, Fabric};
use vnetsim_model::{Expectation, ExpectedAnswer, ExpectedOutcome};

/// The connection behind a failed expectation, for printers that show its trace.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The source and destination as written, for the trace's title.
    pub from: String,
    pub to: String,
    pub connection: Box<Connection>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExpectationResult {
    /// `connection` (a `to:` entry), `flow` (a `flow:` entry of the catalogue) or
    /// `exfiltration` (an audit outcome).
    pub kind: &'static str,
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
    /// For a failure: the connection that shows it (the failing connection of a flow).
    #[serde(skip)]
    pub evidence: Option<Evidence>,
}

/// Walks one expectation's connection (after DNS, for a name) and judges it.
pub fn check_expectation(fabric: &Fabric, e: &Expectation) -> ExpectationResult {
    let mut result = ExpectationResult {
        kind: "connection",
        label: e.label.clone(),
        line: e.loc.line,
        column: e.loc.column,
        expected: expected_word(&e.outcome),
        expected_by: expected_by(&e.outcome),
        actual: "denied",
        disposition: "unreachable",
        resolved: None,
        reply_delivered: None,
        decided_by: None,
        passed: false,
        reason: String::new(),
        evidence: None,
    };
    let connection = match fabric.connect(e.from, &e.to, e.protocol, e.port, e.source_port) {
        Ok(c) => c,
        Err(err) => {
            result.reason = err.to_string();
            return result;
        }
    };
    let allowed = connection.allowed();
    result.actual = if allowed { "allowed" } else { "denied" };
    result.disposition = connection.disposition().name();
    result.reply_delivered = connection.verdict.and_then(|v| v.reply.map(|d| d.is_delivered()));
    result.resolved = connection.resolution.as_ref().map(|r| answer_word(r.outcome));
    result.decided_by = if allowed { None } else { blocker(fabric, &connection).map(|b| b.decider) };
    let (passed, reason) = judge(&e.outcome, &connection, result.decided_by.as_ref());
    let wrong_answer = match (e.resolves_to, &connection.resolution) {
        (Some(expected), Some(r)) if !answer_matches(fabric, expected, r.outcome) => Some(format!(
            "expected the name to resolve to {}, but it resolved to {}",
            expected_answer_word(expected),
            answer_word(r.outcome)
        )),
        _ => None,
    };
    let (passed, reason) = match wrong_answer {
        Some(message) if passed => (false, message),
        _ => (passed, reason),
    };
    result.passed = passed;
    result.reason = reason;
    if !passed {
        result.evidence =
            Some(Evidence { from: e.from_text.clone(), to: e.to_text.clone(), connection: Box::new(connection) });
    }
    result
}

/// What blocked a connection, and how, in one sentence.
#[derive(Clone, Debug)]
pub struct Blocker {
    pub decider: Decider,
    pub detail: String,
}

/// What denied a connection: the step that dropped it, or the DNS hop or zone that failed it.
pub fn blocker(fabric: &Fabric, c: &Connection) -> Option<Blocker> {
    let step = |steps: &[vnetsim_engine::Step]| {
        let r = fabric.deciding_step(steps)?;
        Some(Blocker { decider: r.decided_by?, detail: r.detail })
    };
    if let Some(v) = c.verdict {
        return step(if v.request.is_delivered() { &c.reply.steps } else { &c.request.steps });
    }
    let r = c.resolution.as_ref()?;
    if r.outcome == DnsOutcome::NxDomain {
        let (decider, detail) = match r.answers.last().map(|a| a.source) {
            Some(AnswerSource::PrivateZone { zone, .. }) => {
                let name = fabric.scenario.zones[zone.index()].name.clone();
                let detail = format!("{} has no record in private zone {name}, which answers NXDOMAIN (D-3)", r.name);
                (Decider { kind: "private_dns_zone", name, rule: None }, detail)
            }
            _ => (
                Decider { kind: "public_dns", name: "public DNS".into(), rule: None },
                format!("public DNS has no record for {}", r.name),
            ),
        };
        return Some(Blocker { decider, detail });
    }
    let hop = r.failed_hop()?;
    if let Some(ServerRole::NotADnsServer { nic: Some(nic) }) = hop.role {
        let s = &fabric.scenario;
        let name = s.endpoint(s.nic(nic).endpoint).name.clone();
        let detail = format!("{name} runs no DNS server: the query for {} gets no answer", r.name);
        return Some(Blocker { decider: Decider { kind: "endpoint", name, rule: Some("dns".into()) }, detail });
    }
    let verdict = hop.verdict?;
    let b = step(if verdict.request.is_delivered() { &hop.reply.steps } else { &hop.request.steps })?;
    Some(Blocker { detail: format!("the DNS query for {} failed: {}", r.name, b.detail), ..b })
}

fn answer_word(outcome: DnsOutcome) -> String {
    match outcome {
        DnsOutcome::Address(ip) => ip.to_string(),
        DnsOutcome::NxDomain => "NXDOMAIN".into(),
        DnsOutcome::Failed => "no answer".into(),
    }
}

fn expected_answer_word(a: ExpectedAnswer) -> String {
    match a {
        ExpectedAnswer::Private => "a private address".into(),
        ExpectedAnswer::Public => "a public address".into(),
        ExpectedAnswer::NxDomain => "NXDOMAIN".into(),
        ExpectedAnswer::Address(ip) => ip.to_string(),
    }
}

fn answer_matches(fabric: &Fabric, expected: ExpectedAnswer, outcome: DnsOutcome) -> bool {
    match (expected, outcome) {
        (ExpectedAnswer::NxDomain, DnsOutcome::NxDomain) => true,
        (ExpectedAnswer::Address(want), DnsOutcome::Address(got)) => want == got,
        (ExpectedAnswer::Private, DnsOutcome::Address(got)) => fabric.is_private_answer(got),
        (ExpectedAnswer::Public, DnsOutcome::Address(got)) => !fabric.is_private_answer(got),
        _ => false,
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

fn judge(expected: &ExpectedOutcome, c: &Connection, decider: Option<&Decider>) -> (bool, String) {
    let side = match c.verdict {
        Some(v) if v.request.is_delivered() => "reply",
        Some(_) => "request",
        None => "name resolution",
    };
    let disposition = c.disposition();
    match expected {
        ExpectedOutcome::Allowed if c.allowed() => (true, String::new()),
        ExpectedOutcome::Allowed => {
            (false, format!("expected allowed, but the {side} was {} by {}", disposition.name(), describe(decider)))
        }
        ExpectedOutcome::Denied { .. } if c.allowed() => {
            (false, "expected denied, but the connection is allowed".into())
        }
        ExpectedOutcome::Denied { by: None } => (true, String::new()),
        ExpectedOutcome::Denied { by: Some(by) } if decider.is_some_and(|d| d.matches(by)) => (true, String::new()),
        ExpectedOutcome::Denied { by: Some(by) } => (
            false,
            format!("expected denied by {by}, but the {side} was {} by {}", disposition.name(), describe(decider)),
        ),
    }
}

/// Checks every expectation of the fabric's scenario, connections and flows, in file order.
pub fn check_scenario(fabric: &Fabric) -> Vec<ExpectationResult> {
    let s = &fabric.scenario;
    let mut results: Vec<ExpectationResult> = s.expectations.iter().map(|e| check_expectation(fabric, e)).collect();
    results.extend(s.flow_expectations.iter().map(|e| crate::flows::check_flow_expectation(fabric, e)));
    results.extend(crate::audit::check_exfiltration_expectations(fabric));
    results.sort_by_key(|r| (r.line, r.column));
    results
}
