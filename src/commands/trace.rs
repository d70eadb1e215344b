use crate::input;
use crate::output::{Failure, emit};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use vnetsim_config::place::{End, parse_destination, parse_place};
use vnetsim_model::Protocol;
use vnetsim_report::Format;
use vnetsim_report::trace::TraceReport;

/// What `trace` was asked for.
pub struct TraceArgs<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub proto: &'a str,
    /// The destination port; a URL scheme or `host:port` gives it otherwise, else 443.
    pub port: Option<u16>,
    pub sport: u16,
}

pub fn trace(file: &Path, args: &TraceArgs<'_>, format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let usage = |m: String| Failure::Input(format!("error: {m}\n"));
    let protocol = Protocol::parse(args.proto)
        .ok_or_else(|| usage(format!("invalid --proto `{}`: expected tcp, udp, icmp, esp or ah", args.proto)))?;
    // Ports exist for TCP and UDP only, as in scenario files.
    if !protocol.has_ports() && args.port.is_some() {
        return Err(usage(format!("--port: {} has no ports; leave --port out", args.proto)));
    }
    let fabric = input::load_fabric(file)?;
    let from = parse_place(&fabric.scenario, args.from, End::Source).map_err(|m| usage(format!("--from: {m}")))?;
    let to = parse_destination(&fabric.scenario, args.to).map_err(|m| usage(format!("--to: {m}")))?;
    let port = match (args.port, to.port) {
        (Some(p), Some(implied)) if p != implied => {
            return Err(usage(format!("--port {p} contradicts port {implied} of --to {}", args.to)));
        }
        (p, implied) => p.or(implied).unwrap_or(443),
    };
    let connection =
        fabric.connect(from, &to.destination, protocol, port, args.sport).map_err(|e| usage(e.to_string()))?;
    emit(&TraceReport::new(&fabric, args.from, args.to, &connection), format, out)?;
    Ok(ExitCode::SUCCESS)
}
