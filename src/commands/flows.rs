use crate::input::{self, InputError};
use std::fmt::Write;
use std::path::Path;
use std::process::ExitCode;
use vnetsim_analysis::flows::{matrix, sources};
use vnetsim_model::catalogue::FLOWS;
use vnetsim_report::Format;
use vnetsim_report::flows::FlowReport;

/// What `flows` was asked for.
pub struct FlowsArgs<'a> {
    pub flow: Option<&'a str>,
    pub from: Option<&'a str>,
}

/// Replays the flow catalogue against a scenario. Exit 0 whatever the verdicts: a broken flow
/// is an answer, not a failure (`run` with `flow:` expectations is the CI gate).
pub fn flows(file: &Path, args: &FlowsArgs<'_>, format: Format) -> Result<ExitCode, InputError> {
    let fabric = input::load_fabric(file)?;
    if let Some(flow) = args.flow.filter(|f| !FLOWS.iter().any(|spec| spec.name == *f)) {
        return Err(InputError(format!("error: --flow: unknown flow `{flow}`\n{}", catalogue())));
    }
    if let Some(from) = args.from {
        let known = sources(&fabric.scenario);
        if !known.iter().any(|s| s.label == from) {
            let names: Vec<&str> = known.iter().map(|s| s.label.as_str()).collect();
            return Err(InputError(format!(
                "error: --from: `{from}` starts no flow; flow sources in this scenario: {}\n",
                names.join(", ")
            )));
        }
    }
    let cells = matrix(&fabric, args.flow, args.from);
    let report = FlowReport::new(&fabric, file.display().to_string(), cells);
    match format {
        Format::Human => print!("{}", report.to_human()),
        Format::Json => print!("{}", vnetsim_report::to_json(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

/// `flows --list`: the catalogue with its sources in the seeds.
pub fn catalogue() -> String {
    let mut out = String::from("the flow catalogue:\n");
    for f in &FLOWS {
        let _ = writeln!(out, "  {:24} {}\n  {:24} source: {}", f.name, f.summary, "", f.source);
    }
    out
}
