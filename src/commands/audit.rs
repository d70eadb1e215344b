use super::reach::sources;
use crate::input;
use crate::output::{Failure, emit};
use crate::progress::Bar;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use vnetsim_analysis::audit::{audit_with, protected_sources};
use vnetsim_analysis::reach::ReachOptions;
use vnetsim_report::Format;
use vnetsim_report::audit::AuditReport;

/// Audits the protected sources (or `from`) for exfiltration paths: exit 1 when there is one.
/// `detail` lists every finding in the human output instead of one line per group.
pub fn audit(
    file: &Path,
    from: &[String],
    options: ReachOptions,
    detail: bool,
    format: Format,
    out: &mut dyn Write,
) -> Result<ExitCode, Failure> {
    let fabric = input::load_fabric(file)?;
    let s = &fabric.scenario;
    let endpoints = if from.is_empty() {
        protected_sources(&fabric)
    } else {
        let mut endpoints = Vec::new();
        for f in from {
            for nic in sources(&fabric, f)? {
                let e = s.nic(nic).endpoint;
                if !endpoints.contains(&e) {
                    endpoints.push(e);
                }
            }
        }
        endpoints
    };
    let (space, result) = audit_with(&fabric, &endpoints, options, &Bar::new("auditing", "sources"));
    let report = AuditReport::new(&fabric, &space, file.display().to_string(), &result, detail);
    emit(&report, format, out)?;
    Ok(if report.findings == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
