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
#[derive(Clone, Copy)]
pub enum Versions<'a> {
    Files(&'a Path, &'a Path),
    Git { revision: &'a str, file: &'a Path },
}

/// `git show REV:./FILE`, run in the file's folder so the path is the one the user typed. A
/// Terraform folder or plan at the revision is written out to a temporary folder and imported
/// from there.
fn at_revision(revision: &str, file: &Path) -> Result<Source, InputError> {
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .ok_or_else(|| InputError::message(format!("error: --git: `{}` is not a file or folder\n", file.display())))?
        .to_string_lossy()
        .into_owned();
    let label = format!("{}@{revision}", file.display());
    if file.is_dir() {
        let listed =
            git(folder, &["ls-tree", "-r", "--name-only", revision, "--", &format!("./{name}")], file, revision)?;
        let out_dir = scratch(revision)?.join(&name);
        for path in String::from_utf8_lossy(&listed).lines() {
            let relative = Path::new(path).strip_prefix(&name).unwrap_or(Path::new(path));
            let bytes = git(folder, &["show", &format!("{revision}:{path}")], file, revision)?;
            let target = out_dir.join(relative);
            let written =
                target.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|_| std::fs::write(&target, bytes));
            written
                .map_err(|e| InputError::message(format!("error: --git: cannot write {}: {e}\n", target.display())))?;
        }
        return imported(&out_dir, label);
    }
    let bytes = git(folder, &["show", &format!("{revision}:./{name}")], file, revision)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| InputError::message(format!("error: --git: {} at {revision} is not UTF-8\n", file.display())))?;
    if vnetsim_import::terraform::plan::looks_like_plan(&text) {
        let target = scratch(revision)?.join(&name);
        std::fs::write(&target, &text)
            .map_err(|e| InputError::message(format!("error: --git: cannot write {}: {e}\n", target.display())))?;
        return imported(&target, label);
    }
    Ok(Source { name: label, text })
}

/// Runs git in `folder`; its standard output, or why it failed.
fn git(folder: &Path, args: &[&str], file: &Path, revision: &str) -> Result<Vec<u8>, InputError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(args)
        .output()
        .map_err(|e| InputError::message(format!("error: --git: cannot run git: {e}\n")))?;
    if !output.status.success() || output.stdout.is_empty() && args[0] == "ls-tree" {
        return Err(InputError::message(format!(
            "error: --git: cannot read {} at {revision}: {}\n",
            file.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(output.stdout)
}

/// Where one revision's files are written while it loads.
fn scratch_path(revision: &str) -> std::path::PathBuf {
    let safe: String = revision.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    std::env::temp_dir().join(format!("vnetsim-{}-{safe}", std::process::id()))
}

/// A fresh temporary folder for one revision's files.
fn scratch(revision: &str) -> Result<std::path::PathBuf, InputError> {
    let dir = scratch_path(revision);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| InputError::message(format!("error: --git: cannot create {}: {e}\n", dir.display())))?;
    Ok(dir)
}

/// The Terraform input at `path` as a scenario importing it, named `label`.
fn imported(path: &Path, label: String) -> Result<Source, InputError> {
    crate::imports::as_scenario_named(path, label.clone())
        .ok_or_else(|| InputError::message(format!("error: --git: {label} holds no Terraform\n")))
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
    let loaded = input::load_fabric_from(&before);
    if let Versions::Git { revision, .. } = versions {
        // The revision's files were only needed to load it.
        let _ = std::fs::remove_dir_all(scratch_path(revision));
    }
    let fabrics = [loaded?, input::load_fabric_from(&after)?];
    let result = diff_with(&fabrics[0], &fabrics[1], options, &Bar::new("diffing", "sources"));
    let report = DiffReport::new(&result, before.name, after.name, detail);
    emit(&report, format, out)?;
    Ok(if result.fails(gate) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
