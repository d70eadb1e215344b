//! Reading scenario files and reporting their problems.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vnetsim_config::{BaseFile, Diagnostic, WorkspaceYaml};
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
            .map(|d| Located {
                file: (d.file != file).then_some(d.file),
                line: d.loc.line,
                column: d.loc.column,
                message: d.message,
                help: d.help,
            })
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
    if let Some(source) = crate::imports::as_scenario(path) {
        return Ok(source);
    }
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

/// Files named directly, and `*.yaml`/`*.yml` under folders (sorted, recursively); a folder of
/// `.tf` files is one Terraform input.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() && vnetsim_import::detect(&vnetsim_import::Disk, p).is_some() {
            out.push(p.clone());
        } else if p.is_dir() {
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
    rendered_chain(diagnostics, source, &[])
}

/// Renders the diagnostics of a scenario and the bases it extends, each run of one file's
/// diagnostics with that file's text for its snippets.
pub fn rendered_chain(diagnostics: Vec<Diagnostic>, source: &Source, bases: &[Source]) -> InputError {
    // Files an import read (`.tf`, plan JSON) are read again for their snippets.
    let text_of = |file: &str| -> std::borrow::Cow<'_, str> {
        match bases.iter().find(|b| b.name == file) {
            Some(b) => b.text.as_str().into(),
            None if file == source.name && !crate::imports::wraps_a_path(source) => source.text.as_str().into(),
            None => std::fs::read_to_string(file).map_or("".into(), Into::into),
        }
    };
    let mut text = (diagnostics.chunk_by(|a, b| a.file == b.file))
        .map(|run| Diagnostic::render_all(run, &text_of(&run[0].file)))
        .collect::<Vec<_>>()
        .join("\n");
    text.push_str(&format!("\n{}: {}\n", source.name, plural(diagnostics.len(), "error", "errors")));
    InputError { text, diagnostics }
}

/// Parses and validates a scenario, rendering every diagnostic on failure. The bases its
/// `extends:` names are read beside it, or among the built-ins for a built-in.
pub fn load(source: &Source) -> Result<Scenario, InputError> {
    load_importing(source).map(|(scenario, _)| scenario)
}

/// [`load`], with what each of the scenario's imports left aside.
pub fn load_importing(source: &Source) -> Result<(Scenario, Vec<(String, vnetsim_import::Summary)>), InputError> {
    let tags = SERVICE_TAGS.get_or_init(ServiceTagTable::builtin);
    let mut bases = Vec::new();
    let mut read = |includer: &str, path: &str| {
        let base = read_base(includer, path)?;
        let file = BaseFile { name: base.name.clone(), text: base.text.clone() };
        bases.push(base);
        Ok(file)
    };
    let mut imports = crate::imports::Imports::default();
    let mut import = |includer: &str, specs: &[vnetsim_config::ImportSpec]| imports.run(includer, specs);
    let loaded = vnetsim_config::load_scenario_importing(
        &source.name,
        &source.text,
        tags,
        workspace_yaml(),
        &mut read,
        &mut import,
    );
    bases.extend(std::mem::take(&mut imports.generated));
    loaded.map(|s| (s, imports.summaries)).map_err(|d| rendered_chain(d, source, &bases))
}

/// The base `path` (as written in `extends:` of `includer`): for a built-in, the built-in of
/// that name; for a file, the file at `path` relative to the includer's folder, named with
/// `.` and `..` resolved so one file has one name (which is how cycles are found).
fn read_base(includer: &str, path: &str) -> Result<Source, String> {
    if includer.starts_with(BUILTIN_PREFIX) {
        let name = format!("{BUILTIN_PREFIX}{path}");
        let found = BUILTIN_SCENARIOS.iter().find(|(n, _)| *n == name);
        return found
            .map(|(name, text)| Source { name: name.to_string(), text: text.to_string() })
            .ok_or_else(|| "no built-in scenario has that name".to_string());
    }
    let joined = Path::new(includer).parent().unwrap_or(Path::new("")).join(path);
    let name = lexically_normal(&joined).display().to_string();
    let bytes = std::fs::read(&name).map_err(|e| e.to_string())?;
    let text = vnetsim_config::decode_text(&name, &bytes).map_err(|d| d.message)?;
    Ok(Source { name, text })
}

pub const BUILTIN_PREFIX: &str = "builtin:";

pub use vnetsim_import::files::lexically_normal;

/// The texts of a source's leading `# expect-error:` lines (empty for an ordinary scenario);
/// their misuse is bad input.
pub fn expected_errors(source: &Source) -> Result<Vec<String>, InputError> {
    vnetsim_config::expect_error::expected_errors(&source.name, &source.text).map_err(|d| rendered(d, source))
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
