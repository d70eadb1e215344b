use crate::input::{self, InputError, Source};
use crate::output::{Failure, emit};
use crate::progress::Bar;
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode};
use vnetsim_analysis::diff::{DiffOptions, Gate, diff_with};
use vnetsim_report::Format;
use vnetsim_report::diff::DiffReport;

/// Where the two versions come from: two files, or a file at a git revision and on disk.
pub enum Versions<'a> {
    Files(&'a Path, &'a Path),
    Git { revision: &'a str, file: &'a Path },
}

/// `git show REV:./FILE`, run in the file's folder so the path is the one the user typed.
fn at_revision(revision: &str, file: &Path) -> Result<Source, InputError> {
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .ok_or_else(|| InputError::message(format!("error: --git: `{}` is not a file\n", file.display())))?;
    let output = Command::new("git")
        .arg("-C")
        .arg(folder)
        .arg("show")
        .arg(format!("{revision}:./{}", name.to_string_lossy()))
        .output()
        .map_err(|e| InputError::message(format!("error: --git: cannot run git: {e}\n")))?;
    if !output.status.success() {
        return Err(InputError::message(format!(
            "error: --git: cannot read {} at {revision}: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| InputError::message(format!("error: --git: {} at {revision} is not UTF-8\n", file.display())))?;
    Ok(Source { name: format!("{}@{revision}", file.display()), text })
}

/// Compares two versions of a scenario: exit 0 when nothing changed, 1 when something the gate
/// covers did. `detail` lists every entry in the human text instead of each section's first.
pub fn diff(
    versions: Versions,
    options: DiffOptions,
    gate: Gate,
    format: Format,
    detail: bool,
    out: &mut dyn Write,
) -> Result<ExitCode, Failure> {
    let (before, after) = match versions {
        Versions::Files(before, after) => (input::read(before)?, input::read(after)?),
        Versions::Git { revision, file } => (at_revision(revision, file)?, input::read(file)?),
    };
    let fabrics = [input::load_fabric_from(&before)?, input::load_fabric_from(&after)?];
    let result = diff_with(&fabrics[0], &fabrics[1], options, &Bar::new("diffing", "sources"));
    let report = DiffReport::new(&result, before.name, after.name, detail);
    emit(&report, format, out)?;
    Ok(if result.fails(gate) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
