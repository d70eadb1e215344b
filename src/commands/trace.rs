use crate::input;
use crate::output::{Failure, emit};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use vnetsim::{TraceRequest, trace as trace_connection};
use vnetsim_model::Protocol;
use vnetsim_report::Format;
use vnetsim_report::trace::TraceReport;

/// Traces one connection. Exit 0 whatever the verdict: a denied connection is an answer.
pub fn trace(
    file: &Path,
    request: &TraceRequest<'_>,
    format: Format,
    out: &mut dyn Write,
) -> Result<ExitCode, Failure> {
    let fabric = input::load_fabric(file)?;
    let connection = trace_connection(&fabric, request).map_err(|e| Failure::Input(format!("error: {e}\n")))?;
    emit(&TraceReport::new(&fabric, request.from, request.to, &connection), format, out)?;
    Ok(ExitCode::SUCCESS)
}

/// `--proto`, checked before the file is read.
pub fn protocol(text: &str) -> Result<Protocol, Failure> {
    Protocol::parse(text)
        .ok_or_else(|| Failure::Input(format!("error: invalid --proto `{text}`: expected tcp, udp, icmp, esp or ah\n")))
}
