use crate::input::{self, InputError};
use std::path::Path;
use std::process::ExitCode;
use vnetsim_config::place::{End, parse_place};
use vnetsim_engine::Recorder;
use vnetsim_model::Protocol;
use vnetsim_report::Format;
use vnetsim_report::trace::TraceReport;

pub fn trace(
    file: &Path,
    from: &str,
    to: &str,
    proto: &str,
    port: u16,
    sport: u16,
    format: Format,
) -> Result<ExitCode, InputError> {
    let fabric = input::load_fabric(file)?;
    let usage = |m: String| InputError(format!("error: {m}\n"));
    let protocol = Protocol::parse(proto)
        .ok_or_else(|| usage(format!("invalid --proto `{proto}`: expected tcp, udp, icmp, esp or ah")))?;
    let from_place = parse_place(&fabric.scenario, from, End::Source).map_err(|m| usage(format!("--from: {m}")))?;
    let to_place = parse_place(&fabric.scenario, to, End::Destination).map_err(|m| usage(format!("--to: {m}")))?;
    let (origin, packet) =
        fabric.packet_between(from_place, to_place, protocol, port, sport).map_err(|e| usage(e.to_string()))?;
    let (mut request, mut reply) = (Recorder::default(), Recorder::default());
    let verdict = fabric.walk_connection(origin, packet, &mut request, &mut reply);
    let report = TraceReport::new(&fabric, from, to, packet, verdict, &request, &reply);
    match format {
        Format::Human => print!("{}", report.to_human()),
        Format::Json => print!("{}", vnetsim_report::to_json(&report)),
    }
    Ok(ExitCode::SUCCESS)
}
