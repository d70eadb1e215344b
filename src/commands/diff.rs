use crate::input::{self, InputError, Source};
use std::path::Path;
use std::process::{Command, ExitCode};
use vnetsim_analysis::diff::{DiffOptions, Gate, diff as diff_fabrics};
use vnetsim_engine::Fabric;
use vnetsim_report::diff::DiffReport;

/// How `vnetsim diff` prints.
#[derive(Clone, Copy)]
pub enum DiffFormat {
    Human,
    Json,
    Markdown,
}

/// Where the two versions come from: two files, or a file at a git revision and on disk.
pub enum Versions<'a> {
    Files(&'a Path, &'a Path),
    Git { revision: &'a str, file: &'a Path },
}

/// `git show REV:./FILE`, run in the file's folder so the path is the one the user typed.
fn at_revision(revision: &str, file: &Path) -> Result<Source, InputError> {
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name =
        file.file_name().ok_or_else(|| InputError(format!("error: --git: `{}` is not a file\n", file.display())))?;
    let output = Command::new("git")
        .arg("-C")
        .arg(folder)
        .arg("show")
        .arg(format!("{revision}:./{}", name.to_string_lossy()))
        .output()
        .map_err(|e| InputError(format!("error: --git: cannot run git: {e}\n")))?;
    if !output.status.success() {
        return Err(InputError(format!(
            "error: --git: cannot read {} at {revision}: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| InputError(format!("error: --git: {} at {revision} is not UTF-8\n", file.display())))?;
    Ok(Source { name: format!("{}@{revision}", file.display()), text })
}

fn compile(source: &Source) -> Result<Fabric, InputError> {
    Ok(input::compile(input::load(source)?))
}

/// Compares two versions of a scenario: exit 0 when nothing changed, 1 when something the gate
/// covers did.
pub fn diff(versions: Versions, options: DiffOptions, gate: Gate, format: DiffFormat) -> Result<ExitCode, InputError> {
    let (before, after) = match versions {
        Versions::Files(before, after) => (input::read(before)?, input::read(after)?),
        Versions::Git { revision, file } => (at_revision(revision, file)?, input::read(file)?),
    };
    let fabrics = [compile(&before)?, compile(&after)?];
    let result = diff_fabrics(&fabrics[0], &fabrics[1], options);
    let report = DiffReport::new(&result, before.name, after.name);
    match format {
        DiffFormat::Human => print!("{}", report.to_human()),
        DiffFormat::Json => print!("{}", vnetsim_report::to_json(&report)),
        DiffFormat::Markdown => print!("{}", report.to_markdown()),
    }
    Ok(if result.fails(gate) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
