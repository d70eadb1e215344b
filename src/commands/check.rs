use crate::input;
use crate::output::{Failure, emit};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use vnetsim_report::Format;
use vnetsim_report::check::{CheckReport, CheckedFile, WorkspaceCheckReport};

/// Validates each file (folders: every scenario file under them); reports what each valid file
/// holds, and every diagnostic of the others on standard error (exit 2). With
/// `--workspace-yaml` and no path, checks the workspace YAML on its own.
pub fn check(paths: &[PathBuf], format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    if paths.is_empty() {
        let Some(ws) = input::workspace_yaml() else {
            return Err(Failure::Input(
                "error: check needs scenario files or folders, or --workspace-yaml FILE\n".into(),
            ));
        };
        let s = input::load_workspace_alone(ws)?;
        let report = WorkspaceCheckReport {
            file: ws.file.clone(),
            workspace: ws.name.clone(),
            region: s.region.clone(),
            network: CheckedFile::new(ws.file.clone(), &s),
        };
        emit(&report, format, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (sources, mut invalid) = crate::sources::sources(paths);
    let mut files = Vec::new();
    for source in &sources {
        match input::load_importing(source) {
            Ok((s, imports)) => {
                let mut file = CheckedFile::new(source.name.clone(), &s);
                file.imports =
                    imports.into_iter().map(|(name, summary)| crate::imports::report(name, summary)).collect();
                files.push(file);
            }
            Err(e) => invalid.push(e.invalid_file(source.name.clone())),
        }
    }
    let report = CheckReport { files, invalid };
    emit(&report, format, out)?;
    if report.invalid.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let errors: String = report.invalid.iter().map(|f| f.errors.as_str()).collect();
    Err(Failure::Input(errors))
}
