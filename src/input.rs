//! Reading scenario files and reporting their problems.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vnetsim_config::{Diagnostic, WorkspaceYaml};
use vnetsim_engine::Fabric;
use vnetsim_model::{Scenario, ServiceTagTable};
use vnetsim_report::check::{InvalidFile, Located};
use vnetsim_report::plural;

include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));

/// Bad input (exit code 2): rendered for the terminal, and the located diagnostics behind it
/// for reports that carry them (a suite's invalid files).
pub struct InputError {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl InputError {
    /// A problem no file location describes (a missing file, a bad flag).
    pub fn message(text: String) -> Self {
        InputError { text, diagnostics: Vec::new() }
    }

    /// The file's invalid-file entry for reports.
    pub fn invalid_file(self, file: String) -> InvalidFile {
        let diagnostics = (self.diagnostics.into_iter())
            .map(|d| Located { line: d.loc.line, column: d.loc.column, message: d.message, help: d.help })
            .collect();
        InvalidFile { file, errors: self.text, diagnostics }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A scenario source: a file on disk or one built into the binary.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// Reads a file as UTF-8 text. A directory, an unreadable file, and bytes that are not UTF-8
/// text (UTF-16, binary, Latin-1) are bad input, the last located at the first offending byte.
pub fn read(path: &Path) -> Result<Source, InputError> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(InputError::message(format!("error: {name} is a directory; expected a file\n")));
    }
    let bytes = std::fs::read(path).map_err(|e| InputError::message(format!("error: cannot read {name}: {e}\n")))?;
    match vnetsim_config::decode_text(&name, &bytes) {
        Ok(text) => Ok(Source { name, text }),
        Err(d) => Err(InputError { text: format!("{}\n{name}: 1 error\n", d.render("")), diagnostics: vec![d] }),
    }
}

pub fn builtin() -> Vec<Source> {
    BUILTIN_SCENARIOS.iter().map(|(name, text)| Source { name: name.to_string(), text: text.to_string() }).collect()
}

/// Files named directly, and `*.yaml`/`*.yml` under folders (sorted, recursively).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            collect_yaml(p, &mut found)
                .map_err(|e| InputError::message(format!("error: cannot read folder {}: {e}\n", p.display())))?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

static SERVICE_TAGS: OnceLock<ServiceTagTable> = OnceLock::new();

/// Loads `--service-tags FILE` (T-2) for every scenario of this run; without it, the built-in
/// synthetic table applies.
pub fn set_service_tags(path: Option<&Path>) -> Result<(), InputError> {
    let table = match path {
        None => ServiceTagTable::builtin(),
        Some(path) => {
            let source = read(path)?;
            vnetsim_config::load_service_tags(&source.name, &source.text).map_err(|d| rendered(d, &source))?
        }
    };
    let _ = SERVICE_TAGS.set(table);
    Ok(())
}

static WORKSPACE_YAML: OnceLock<Option<WorkspaceYaml>> = OnceLock::new();

/// Loads `--workspace-yaml FILE` for every scenario of this run.
pub fn set_workspace_yaml(path: Option<&Path>) -> Result<(), InputError> {
    let ws = match path {
        None => None,
        Some(path) => {
            let source = read(path)?;
            Some(vnetsim_config::load_workspace_yaml(&source.name, &source.text).map_err(|d| rendered(d, &source))?)
        }
    };
    let _ = WORKSPACE_YAML.set(ws);
    Ok(())
}

/// The workspace YAML of this run on its own, as a scenario holding only its workspace.
pub fn load_workspace_alone(ws: &WorkspaceYaml) -> Result<Scenario, InputError> {
    let tags = SERVICE_TAGS.get_or_init(ServiceTagTable::builtin);
    ws.standalone_scenario(tags)
        .map_err(|d| rendered(d, &Source { name: ws.file.clone(), text: ws.source().to_string() }))
}

/// The workspace YAML of this run, if one was given.
pub fn workspace_yaml() -> Option<&'static WorkspaceYaml> {
    WORKSPACE_YAML.get().and_then(Option::as_ref)
}

fn rendered(diagnostics: Vec<Diagnostic>, source: &Source) -> InputError {
    let mut text = Diagnostic::render_all(&diagnostics, &source.text);
    text.push_str(&format!("\n{}: {}\n", source.name, plural(diagnostics.len(), "error", "errors")));
    InputError { text, diagnostics }
}

/// Parses and validates a scenario, rendering every diagnostic on failure.
pub fn load(source: &Source) -> Result<Scenario, InputError> {
    let tags = SERVICE_TAGS.get_or_init(ServiceTagTable::builtin);
    vnetsim_config::load_scenario_with(&source.name, &source.text, tags, workspace_yaml())
        .map_err(|d| rendered(d, source))
}

/// Loads a scenario and compiles it with its own `options:` (to override them, change
/// `scenario.options` before [`Fabric::compile`]).
pub fn load_fabric(path: &Path) -> Result<Fabric, InputError> {
    load_fabric_from(&read(path)?)
}

/// Loads and compiles a source.
pub fn load_fabric_from(source: &Source) -> Result<Fabric, InputError> {
    Ok(compile(load(source)?))
}

/// Compiles a scenario with its own `options:`, overridden by the run's semantics flags
/// (`--any-protocol`, …).
pub fn compile(scenario: Scenario) -> Fabric {
    let options = crate::semantics::apply(scenario.options.clone());
    Fabric::compile(scenario, options)
}
