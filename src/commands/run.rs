use crate::input::{self, InputError, Source};
use std::path::PathBuf;
use std::process::ExitCode;
use vnetsim_engine::{Fabric, Options};
use vnetsim_report::SuiteFormat;
use vnetsim_report::suite::{FileResults, SuiteReport};

/// Runs every expectation. Exit 0 when all hold, 1 when any fails, 2 when any file is invalid
/// (valid files are still run and reported).
pub fn run(paths: &[PathBuf], format: SuiteFormat) -> Result<ExitCode, InputError> {
    let mut bad_input = String::new();
    let sources: Vec<Source> = if paths.is_empty() {
        input::builtin()
    } else {
        // An unreadable file is reported like an invalid one; the others still run.
        input::expand(paths)?.iter().filter_map(|p| input::read(p).map_err(|e| bad_input.push_str(&e.0)).ok()).collect()
    };
    let mut files = Vec::new();
    for source in &sources {
        match input::load(source) {
            Ok(scenario) => {
                let fabric = Fabric::compile(scenario, Options::default());
                let results = vnetsim_analysis::check_scenario(&fabric);
                files.push(FileResults { file: source.name.clone(), scenario: fabric.scenario.name.clone(), results });
            }
            Err(e) => bad_input.push_str(&e.0),
        }
    }
    let report = SuiteReport::new(files);
    match format {
        SuiteFormat::Human => print!("{}", report.to_human()),
        SuiteFormat::Json => print!("{}", vnetsim_report::to_json(&report)),
        SuiteFormat::Junit | SuiteFormat::Sarif => todo!("suite report formats"),
    }
    if !bad_input.is_empty() {
        return Err(InputError(bad_input));
    }
    Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
