//! Checking `expect:` entries: walk the connection, compare with what the scenario says.

use crate::audit::Exfiltration;
use crate::flows::{FlowReason, FlowStatus};
use serde::{Serialize, Serializer};
use vnetsim_engine::StepVerdict;
use vnetsim_engine::dns::{AnswerSource, DnsOutcome, ServerRole};
use vnetsim_engine::query::QueryError;
use vnetsim_engine::trace::{Disposition, Egress};
use vnetsim_engine::{Completion, Connection, Decider, DeciderKind, Fabric, Step};
use vnetsim_model::{Expectation, ExpectedAnswer, ExpectedOutcome, IpAddr, PathObject};

/// The connection behind a failed expectation, for printers that show its trace.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The source and destination as written, for the trace's title.
    pub from: String,
    pub to: String,
    pub connection: Box<Connection>,
}

/// What an expectation checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectationKind {
    /// A `to:` entry.
    Connection,
    /// A `flow:` entry of the catalogue.
    Flow,
    /// An audit outcome.
    Exfiltration,
}

impl ExpectationKind {
    pub fn name(self) -> &'static str {
        match self {
            ExpectationKind::Connection => "connection",
            ExpectationKind::Flow => "flow",
            ExpectationKind::Exfiltration => "exfiltration",
        }
    }
}

/// An outcome an expectation asks for or observes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Observed {
    Allowed,
    Denied,
    /// The request arrives and its reply does not return (`engine::Completion::OneWay`).
    OneWay,
    Works,
    Broken,
    #[serde(rename = "n/a")]
    NotApplicable,
    NoExfiltration,
    Exfiltration,
}

impl Observed {
    /// Whether the traffic it names gets through: allowed, works, or an exfiltration path.
    pub fn gets_through(self) -> bool {
        matches!(self, Observed::Allowed | Observed::Works | Observed::Exfiltration)
    }

    pub fn of_flow(status: FlowStatus) -> Observed {
        match status {
            FlowStatus::Works => Observed::Works,
            FlowStatus::Broken => Observed::Broken,
            FlowStatus::NotApplicable => Observed::NotApplicable,
        }
    }
}

/// What decided an expectation's outcome: a walk's disposition, a flow's status (no connection
/// of it failed), or nothing (no exfiltration path shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decided {
    Walk(Disposition),
    Flow(FlowStatus),
    Nothing,
}

impl Decided {
    pub fn name(self) -> &'static str {
        match self {
            Decided::Walk(d) => d.name(),
            Decided::Flow(s) => s.name(),
            Decided::Nothing => "none",
        }
    }

    /// Whether name resolution failed it (no packet was dropped).
    pub fn is_name_failure(self) -> bool {
        matches!(self, Decided::Walk(Disposition::DnsFailed | Disposition::NxDomain))
    }
}

impl Serialize for Decided {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A walk's disposition, a flow's status, or `none`: as it serialises.
impl schemars::JsonSchema for Decided {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Decided".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let walk = generator.subschema_for::<Disposition>();
        let flow = generator.subschema_for::<crate::flows::FlowStatus>();
        schemars::json_schema!({ "anyOf": [walk, flow, { "const": "none" }] })
    }
}

impl std::fmt::Display for Decided {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// Which walk of a connection failed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Request,
    Reply,
    NameResolution,
}

/// Why an expectation failed, as data; printers put it in words.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// The connection could not be made (its source sends no packets).
    Query(QueryError),
    ExpectedAllowed {
        side: Side,
        disposition: Disposition,
        decider: Option<Decider>,
    },
    ExpectedDeniedButAllowed,
    /// Allowed, but no step of the request that allowed it (`allowed_by`, in order) is `by`.
    ExpectedAllowedBy {
        by: String,
        allowed_by: Vec<Decider>,
    },
    /// `via:` names `object`, which the request's `path` does not cross.
    NotCrossed {
        object: PathObject,
        path: Vec<PathObject>,
    },
    /// `not_via:` names `object`, which the request's `path` crosses.
    Crossed {
        object: PathObject,
        path: Vec<PathObject>,
    },
    /// `seen_as:` (as written), and the destination sees the source as `seen`; `translated_by`
    /// is the device that last rewrote the source (SNAT, F-12; egress, O-1), if any.
    SeenAs {
        expected: String,
        seen: IpAddr,
        translated_by: Option<Decider>,
    },
    ExpectedDeniedBy {
        by: String,
        side: Side,
        disposition: Disposition,
        decider: Option<Decider>,
    },
    /// `one_way`, but the connection works (`disposition` delivered, no decider) or its request
    /// does not arrive.
    ExpectedOneWay {
        side: Side,
        disposition: Disposition,
        decider: Option<Decider>,
    },
    /// One-way, but its reply is dropped by `decider`, not `by`.
    ExpectedOneWayBy {
        by: String,
        disposition: Disposition,
        decider: Option<Decider>,
    },
    WrongAnswer {
        expected: ExpectedAnswer,
        got: DnsOutcome,
    },
    /// A `flow:` expectation for a flow with nothing to walk.
    FlowNotApplicable(Option<FlowReason>),
    FlowExpectedWorks(Option<FlowReason>),
    FlowExpectedBrokenButWorks,
    FlowExpectedBrokenBy {
        by: String,
        reason: Option<FlowReason>,
    },
    /// `no_exfiltration`, and the audit found `found` paths, the first to `destination`.
    NoExfiltrationExpected {
        found: usize,
        destination: Exfiltration,
    },
    ExfiltrationExpected,
    ExfiltrationExpectedBy {
        by: String,
        found: usize,
    },
}

/// Printers serialise it with its reason in words (`vnetsim_report::suite`).
#[derive(Clone, Debug)]
pub struct ExpectationResult {
    pub kind: ExpectationKind,
    pub label: String,
    pub line: u32,
    pub column: u32,
    pub expected: Observed,
    /// The `by:` the scenario asked for, if any.
    pub expected_by: Option<String>,
    pub actual: Observed,
    /// The disposition that decided the outcome (see the trace disposition set).
    pub disposition: Decided,
    /// For a name: what it resolved to (an address, NXDOMAIN, or no answer).
    pub resolved: Option<DnsOutcome>,
    /// Whether the reply was walked and got back.
    pub reply_delivered: Option<bool>,
    /// What decided the outcome: for a denial, the object that dropped the packet.
    pub decided_by: Option<Decider>,
    pub passed: bool,
    /// Why it failed (`None` when it passed); printers say it in one sentence.
    pub reason: Option<Reason>,
    /// For a failure: the connection that shows it (the failing connection of a flow).
    pub evidence: Option<Evidence>,
}

/// Walks one expectation's connection (after DNS, for a name) and judges it.
pub fn check_expectation(fabric: &Fabric, e: &Expectation) -> ExpectationResult {
    let mut result = ExpectationResult {
        kind: ExpectationKind::Connection,
        label: e.label.clone(),
        line: e.loc.line,
        column: e.loc.column,
        expected: expected_outcome(&e.outcome),
        expected_by: expected_by(&e.outcome),
        actual: Observed::Denied,
        disposition: Decided::Walk(Disposition::Unreachable),
        resolved: None,
        reply_delivered: None,
        decided_by: None,
        passed: false,
        reason: None,
        evidence: None,
    };
    let connection = match fabric.connect(e.from, &e.to, e.protocol, e.port, e.source_port) {
        Ok(c) => c,
        Err(err) => {
            result.reason = Some(Reason::Query(err));
            return result;
        }
    };
    let allowed = connection.allowed();
    result.actual = match connection.completion() {
        Completion::Works => Observed::Allowed,
        Completion::OneWay => Observed::OneWay,
        Completion::Denied => Observed::Denied,
    };
    result.disposition = Decided::Walk(connection.disposition());
    result.reply_delivered = connection.verdict.and_then(|v| v.reply.map(|d| d.is_delivered()));
    result.resolved = connection.resolution.as_ref().map(|r| r.outcome);
    result.decided_by = if allowed { None } else { blocker(fabric, &connection).map(|b| b.decider) };
    let reason = judge(fabric, &e.outcome, &connection, result.decided_by.as_ref())
        .or_else(|| judge_path(fabric, e, &connection))
        .or_else(|| judge_seen_as(fabric, e, &connection));
    let wrong_answer = match (e.resolves_to, &connection.resolution) {
        (Some(expected), Some(r)) if !answer_matches(fabric, expected, r.outcome) => {
            Some(Reason::WrongAnswer { expected, got: r.outcome })
        }
        _ => None,
    };
    let reason = reason.or(wrong_answer);
    result.passed = reason.is_none();
    result.reason = reason;
    if !result.passed {
        result.evidence =
            Some(Evidence { from: e.from_text.clone(), to: e.to_text.clone(), connection: Box::new(connection) });
    }
    result
}

/// What blocked a connection: the object, and what printers need to say how.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocker {
    pub decider: Decider,
    pub cause: Cause,
}

/// How a connection was blocked.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// The deciding step of the walk that failed.
    Step(Step),
    /// `name` has no record in private zone `zone`, which answers NXDOMAIN (D-3).
    NoRecordInZone { name: String, zone: String },
    /// Public DNS has no record for `name`.
    NoPublicRecord { name: String },
    /// The query for `name` went to `endpoint`, which runs no DNS server.
    NotADnsServer { name: String, endpoint: String },
    /// The DNS query for `name` was blocked by this step.
    DnsQuery { name: String, step: Step },
}

/// What denied a connection: the step that dropped it, or the DNS hop or zone that failed it.
pub fn blocker(fabric: &Fabric, c: &Connection) -> Option<Blocker> {
    let step = |steps: &[Step]| {
        let step = *fabric.deciding_step(steps)?;
        Some((fabric.decider(&step)?, step))
    };
    if let Some(v) = c.verdict {
        let (decider, step) = step(if v.request.is_delivered() { &c.reply.steps } else { &c.request.steps })?;
        return Some(Blocker { decider, cause: Cause::Step(step) });
    }
    let r = c.resolution.as_ref()?;
    if r.outcome == DnsOutcome::NxDomain {
        let name = r.name.clone();
        return Some(match r.answers.last().map(|a| a.source) {
            Some(AnswerSource::PrivateZone { zone, .. }) => {
                let zone = fabric.scenario.zones[zone.index()].name.clone();
                Blocker {
                    decider: Decider::new(DeciderKind::PrivateDnsZone, zone.clone()),
                    cause: Cause::NoRecordInZone { name, zone },
                }
            }
            _ => Blocker {
                decider: Decider::new(DeciderKind::PublicDns, "public DNS"),
                cause: Cause::NoPublicRecord { name },
            },
        });
    }
    let hop = r.failed_hop()?;
    if let Some(ServerRole::NotADnsServer { nic: Some(nic) }) = hop.role {
        let s = &fabric.scenario;
        let endpoint = s.endpoint(s.nic(nic).endpoint).name.clone();
        return Some(Blocker {
            decider: Decider::with_rule(DeciderKind::Endpoint, endpoint.clone(), "dns"),
            cause: Cause::NotADnsServer { name: r.name.clone(), endpoint },
        });
    }
    let verdict = hop.verdict?;
    let (decider, step) = step(if verdict.request.is_delivered() { &hop.reply.steps } else { &hop.request.steps })?;
    Some(Blocker { decider, cause: Cause::DnsQuery { name: r.name.clone(), step } })
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

fn expected_outcome(o: &ExpectedOutcome) -> Observed {
    match o {
        ExpectedOutcome::Allowed { .. } => Observed::Allowed,
        ExpectedOutcome::Denied { .. } => Observed::Denied,
        ExpectedOutcome::OneWay { .. } => Observed::OneWay,
    }
}

fn expected_by(o: &ExpectedOutcome) -> Option<String> {
    match o {
        ExpectedOutcome::Allowed { by } | ExpectedOutcome::Denied { by } | ExpectedOutcome::OneWay { by } => by.clone(),
    }
}

/// The objects that allowed a request, in order: every step of it whose verdict is allow (NSG
/// rules, firewall rules, the service's admission).
pub fn allowed_by(fabric: &Fabric, steps: &[Step]) -> Vec<Decider> {
    let allows = steps.iter().filter(|s| fabric.kind_and_verdict(s).1 == StepVerdict::Allow);
    allows.filter_map(|s| fabric.decider(s)).collect()
}

/// Why a connection's request path does not meet `via:` and `not_via:`, or `None`.
fn judge_path(fabric: &Fabric, e: &Expectation, c: &Connection) -> Option<Reason> {
    if e.via.is_empty() && e.not_via.is_empty() {
        return None;
    }
    let path = crate::path::crossed(fabric, &c.request.steps);
    let crosses = |o: &&PathObject| crate::path::crosses(fabric, &path, **o);
    if let Some(&object) = e.via.iter().find(|o| !crosses(o)) {
        return Some(Reason::NotCrossed { object, path });
    }
    let object = *e.not_via.iter().find(crosses)?;
    Some(Reason::Crossed { object, path })
}

/// Why the source the destination sees is not `seen_as:`, or `None`. Only an allowed
/// connection gets here with a reason to give: a denied one failed its outcome first.
fn judge_seen_as(fabric: &Fabric, e: &Expectation, c: &Connection) -> Option<Reason> {
    let expected = e.seen_as.as_ref()?;
    let seen = c.verdict?.reply_packet?.destination;
    if expected.prefixes.iter().any(|p| p.contains(&seen)) {
        return None;
    }
    let translated_by = c.request.steps.iter().rev().find_map(|step| match step {
        Step::Translation { destination: false, .. } => fabric.decider(step),
        Step::Egress { egress, .. } if !matches!(egress, Egress::None | Egress::Return(_)) => fabric.decider(step),
        _ => None,
    });
    Some(Reason::SeenAs { expected: expected.text.clone(), seen, translated_by })
}

/// Why a connection does not meet its expectation, or `None` when it does.
fn judge(fabric: &Fabric, expected: &ExpectedOutcome, c: &Connection, decider: Option<&Decider>) -> Option<Reason> {
    let side = match c.verdict {
        Some(v) if v.request.is_delivered() => Side::Reply,
        Some(_) => Side::Request,
        None => Side::NameResolution,
    };
    let disposition = c.disposition();
    match expected {
        ExpectedOutcome::Allowed { .. } if !c.allowed() => {
            Some(Reason::ExpectedAllowed { side, disposition, decider: decider.cloned() })
        }
        ExpectedOutcome::Allowed { by: None } => None,
        ExpectedOutcome::Allowed { by: Some(by) } => {
            let allowed_by = allowed_by(fabric, &c.request.steps);
            let matched = allowed_by.iter().any(|d| d.matches(by));
            (!matched).then(|| Reason::ExpectedAllowedBy { by: by.clone(), allowed_by })
        }
        // A one-way connection does not work, so it is denied; `one_way` pins it further.
        ExpectedOutcome::Denied { .. } if c.allowed() => Some(Reason::ExpectedDeniedButAllowed),
        ExpectedOutcome::Denied { by: None } => None,
        ExpectedOutcome::Denied { by: Some(by) } if decider.is_some_and(|d| d.matches(by)) => None,
        ExpectedOutcome::Denied { by: Some(by) } => {
            Some(Reason::ExpectedDeniedBy { by: by.clone(), side, disposition, decider: decider.cloned() })
        }
        ExpectedOutcome::OneWay { .. } if c.completion() != Completion::OneWay => {
            Some(Reason::ExpectedOneWay { side, disposition, decider: decider.cloned() })
        }
        ExpectedOutcome::OneWay { by: Some(by) } if !decider.is_some_and(|d| d.matches(by)) => {
            Some(Reason::ExpectedOneWayBy { by: by.clone(), disposition, decider: decider.cloned() })
        }
        ExpectedOutcome::OneWay { .. } => None,
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
