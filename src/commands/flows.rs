use crate::input;
use crate::output::{Failure, emit};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use vnetsim_analysis::flows::{matrix, sources};
use vnetsim_model::catalogue::FLOWS;
use vnetsim_report::catalogue::CatalogueReport;
use vnetsim_report::flows::FlowReport;
use vnetsim_report::{Format, Report};

/// What `flows` was asked for.
pub struct FlowsArgs<'a> {
    pub flow: Option<&'a str>,
    pub from: Option<&'a str>,
}

/// Replays the flow catalogue against a scenario. Exit 0 whatever the verdicts: a broken flow
/// is an answer, not a failure (`run` with `flow:` expectations is the CI gate).
pub fn flows(file: &Path, args: &FlowsArgs<'_>, format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    if let Some(flow) = args.flow.filter(|f| !FLOWS.iter().any(|spec| spec.name == *f)) {
        let catalogue = CatalogueReport::new().human();
        return Err(Failure::Input(format!("error: --flow: unknown flow `{flow}`\n{catalogue}")));
    }
    let fabric = input::load_fabric(file)?;
    if let Some(from) = args.from {
        let known = sources(&fabric.scenario);
        if !known.iter().any(|s| s.label == from) {
            let names: Vec<&str> = known.iter().map(|s| s.label.as_str()).collect();
            return Err(Failure::Input(format!(
                "error: --from: `{from}` starts no flow; flow sources in this scenario: {}\n",
                crate::output::choices(&names)
            )));
        }
    }
    let cells = matrix(&fabric, args.flow, args.from);
    let report = FlowReport::new(&fabric, file.display().to_string(), cells);
    emit(&report, format, out)?;
    Ok(ExitCode::SUCCESS)
}
