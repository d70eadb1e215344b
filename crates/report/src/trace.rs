//! `vnetsim trace` output: a connection, hop by hop, in both directions.

use serde::Serialize;
use std::fmt::Write;
use vnetsim_engine::{Fabric, Packet, Recorder, StepReport, Verdict};

#[derive(Clone, Debug, Serialize)]
pub struct DirectionReport {
    pub packet: Packet,
    pub disposition: &'static str,
    pub steps: Vec<StepReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TraceReport {
    pub scenario: String,
    pub from: String,
    pub to: String,
    /// `allowed` when the request is delivered and the reply gets back.
    pub verdict: &'static str,
    pub request: DirectionReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<DirectionReport>,
}

impl TraceReport {
    pub fn new(
        fabric: &Fabric,
        from: &str,
        to: &str,
        packet: Packet,
        verdict: Verdict,
        request: &Recorder,
        reply: &Recorder,
    ) -> TraceReport {
        let steps = |r: &Recorder| r.steps.iter().map(|s| fabric.explain(s)).collect();
        TraceReport {
            scenario: fabric.scenario.name.clone(),
            from: from.to_string(),
            to: to.to_string(),
            verdict: if verdict.allowed() { "allowed" } else { "denied" },
            request: DirectionReport { packet, disposition: verdict.request.name(), steps: steps(request) },
            reply: verdict.reply.zip(verdict.reply_packet).map(|(d, packet)| DirectionReport {
                packet,
                disposition: d.name(),
                steps: steps(reply),
            }),
        }
    }

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} -> {}: {}", self.from, self.to, self.verdict.to_uppercase());
        write_direction(&mut out, "request", &self.request);
        if let Some(reply) = &self.reply {
            write_direction(&mut out, "reply", reply);
        }
        out
    }
}

fn write_direction(out: &mut String, name: &str, d: &DirectionReport) {
    let _ = writeln!(out, "\n{name}: {}", d.packet);
    for (i, s) in d.steps.iter().enumerate() {
        let line = format!("  {:>2}. {:<7} {:<16} [{}] {}", i + 1, s.result.to_uppercase(), s.kind, s.at, s.headline);
        let _ = writeln!(out, "{}", line.trim_end());
        let _ = writeln!(out, "      {}", s.detail);
    }
    let _ = writeln!(out, "  => {}", d.disposition);
}
