//! Running `import:` entries and reading Terraform inputs given where a scenario file goes.
//!
//! A folder of `.tf` files or a `terraform show -json` file named on the command line is read
//! as a scenario that imports it, so every command takes one; a scenario's `import:` entries
//! run here (the config crate reads them, this does the I/O), their paths relative to the file
//! that writes them.

use crate::input::Source;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vnetsim_config::{Diagnostic, ImportKind, ImportSpec, ImportedFile, LineOrigins, Loc};
use vnetsim_import::{Disk, Kind, Request, Summary};

/// A path that holds Terraform instead of a scenario, as a scenario importing it.
pub fn as_scenario(path: &Path) -> Option<Source> {
    // The entry is read relative to the source's folder, which is the path's parent.
    let entry = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    importing(path, path.display().to_string(), &entry)
}

/// [`as_scenario`] under another name (`infra@main`); `path` must be absolute.
pub fn as_scenario_named(path: &Path, name: String) -> Option<Source> {
    importing(path, name, &path.display().to_string())
}

fn importing(path: &Path, name: String, entry: &str) -> Option<Source> {
    let kind = vnetsim_import::detect(&Disk, path)?;
    let key = match kind {
        Kind::Terraform => "terraform",
        Kind::TerraformPlan => "terraform_plan",
        Kind::ArmTemplate => "arm",
        Kind::AzureExport => "azure_export",
    };
    // Named like `vnetsim import` names it (an import's own name is not inherited).
    let title = path.file_name().map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
    let mut text = format!(
        "{WRAPPER_HEAD}name: {}\nimport:\n  - {key}: {}\n",
        vnetsim_import::doc::quote(&title),
        vnetsim_import::doc::quote(entry)
    );
    if kind == Kind::ArmTemplate {
        text.push_str(&template_parameters());
    }
    Some(Source { name, text })
}

/// The command line's `--parameters FILE` and `--param NAME=VALUE`, for every template it names.
static TEMPLATE_PARAMETERS: OnceLock<TemplateParameters> = OnceLock::new();

/// A template's parameter files, and the values given one by one (which win).
#[derive(Clone, Default)]
pub struct TemplateParameters {
    pub files: Vec<PathBuf>,
    pub values: Vec<(String, String)>,
}

/// Keeps the command line's template parameters (files made absolute: the scenario a template
/// on the command line becomes reads them from its own folder).
pub fn set_template_parameters(files: &[PathBuf], params: &[String]) -> Result<(), String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let files = files.iter().map(|f| crate::input::lexically_normal(&cwd.join(f))).collect();
    let params =
        params.iter().map(|p| parse_var(p).map_err(|e| e.replace("--var", "--param"))).collect::<Result<_, _>>()?;
    let _ = TEMPLATE_PARAMETERS.set(TemplateParameters { files, values: params });
    Ok(())
}

/// The command line's template parameter files and values.
pub fn template_parameter_args() -> TemplateParameters {
    TEMPLATE_PARAMETERS.get().cloned().unwrap_or_default()
}

/// The `parameters:` of a template named on the command line, as YAML under its import entry:
/// the files, then the single values (which win).
fn template_parameters() -> String {
    let Some(TemplateParameters { files, values: params }) = TEMPLATE_PARAMETERS.get() else { return String::new() };
    let quote = vnetsim_import::doc::quote;
    let mut items: Vec<String> = files.iter().map(|f| quote(&f.display().to_string())).collect();
    if !params.is_empty() {
        let map: Vec<String> = params.iter().map(|(k, v)| format!("{}: {}", quote(k), quote(v))).collect();
        items.push(format!("{{{}}}", map.join(", ")));
    }
    if items.is_empty() { String::new() } else { format!("    parameters: [{}]\n", items.join(", ")) }
}

/// How the scenario [`as_scenario`] makes for a path starts.
const WRAPPER_HEAD: &str = "# a scenario importing the path named on the command line\n";

/// Whether `source` is what [`as_scenario`] made: it has the path's name but not its text, so a
/// diagnostic in the path (a plan JSON file) quotes the file from disk.
pub fn wraps_a_path(source: &Source) -> bool {
    source.text.starts_with(WRAPPER_HEAD)
}

/// What the imports of one load produced: the generated scenario's text (for snippets) and
/// what each import left aside.
#[derive(Default)]
pub struct Imports {
    pub generated: Vec<Source>,
    pub summaries: Vec<(String, Summary)>,
}

impl Imports {
    /// Runs the `import:` entries `specs` of `includer`.
    pub fn run(&mut self, includer: &str, specs: &[ImportSpec]) -> Result<ImportedFile, Vec<Diagnostic>> {
        if includer.starts_with(crate::input::BUILTIN_PREFIX) {
            let at = specs.first().map_or(Loc { line: 1, column: 1 }, |s| s.path.loc);
            return Err(vec![error(includer, at, "a built-in scenario cannot import files".into())]);
        }
        let folder = Path::new(includer).parent().unwrap_or(Path::new(""));
        let mut requests = Vec::new();
        let mut errors = Vec::new();
        for spec in specs {
            let written = match expand_env(&spec.path.value) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(error(includer, spec.path.loc, e));
                    continue;
                }
            };
            let path = crate::input::lexically_normal(&folder.join(&written));
            let display = path.display().to_string();
            let (kind, exists, want) = match spec.kind {
                ImportKind::Terraform => (Kind::Terraform, path.is_dir(), "folder of .tf files"),
                ImportKind::TerraformPlan => (Kind::TerraformPlan, path.is_file(), "plan JSON file"),
                ImportKind::Arm => (Kind::ArmTemplate, path.is_file(), "ARM template"),
                ImportKind::AzureExport => (Kind::AzureExport, path.exists(), "export file or folder"),
            };
            if !exists {
                errors.push(error(includer, spec.path.loc, format!("no {want} at {display} (relative to {includer})")));
                continue;
            }
            // Variable and parameter files take `${NAME:-default}` like the import path.
            let mut beside = |files: &[vnetsim_config::decode::Sp<String>]| -> Vec<PathBuf> {
                let expanded = files.iter().filter_map(|f| match expand_env(&f.value) {
                    Ok(p) => Some(crate::input::lexically_normal(&folder.join(p))),
                    Err(e) => {
                        errors.push(error(includer, f.loc, e));
                        None
                    }
                });
                expanded.collect()
            };
            let (var_files, parameter_files) = (beside(&spec.var_files), beside(&spec.parameter_files));
            let vars = spec.vars.clone();
            requests.push(Request {
                kind,
                path,
                display,
                vars,
                var_files,
                parameter_files,
                parameters: spec.parameters.clone(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let name =
            format!("the import of {}", requests.iter().map(|r| r.display.as_str()).collect::<Vec<_>>().join(", "));
        let imported = vnetsim_import::import(&requests, &Disk)?;
        self.summaries.push((name.clone(), imported.summary));
        self.generated.push(Source { name: name.clone(), text: imported.yaml.clone() });
        Ok(ImportedFile {
            name,
            text: imported.yaml,
            origins: LineOrigins {
                lines: imported.lines,
                places: imported.origins.into_iter().map(|o| (o.file, o.loc)).collect(),
            },
        })
    }
}

/// An import path with `${NAME}` and `${NAME:-default}` taken from the environment, so a
/// scenario can find inputs that live elsewhere on each machine.
fn expand_env(path: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            return Err(format!("unclosed `${{` in the path `{path}`"));
        };
        let inner = &rest[start + 2..start + end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match (std::env::var(name).ok().filter(|v| !v.is_empty()), default) {
            (Some(v), _) => out.push_str(&v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => {
                return Err(format!(
                    "the path `{path}` uses the environment variable {name}, which is not set; write `${{{name}:-default}}` for a fallback"
                ));
            }
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `--var k=v` values of `vnetsim import`.
pub fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("--var {text}: write NAME=VALUE")),
    }
}

fn error(file: &str, loc: Loc, message: String) -> Diagnostic {
    Diagnostic { file: file.to_string(), loc, message, help: None }
}

/// An import's summary as `check` reports it.
pub fn report(source: String, s: Summary) -> vnetsim_report::check::ImportSummary {
    use vnetsim_report::check::{IncompleteResource, ListedResource, MissingModule, NotExported};
    let listed = |items: Vec<vnetsim_import::summary::Listed>| {
        items
            .into_iter()
            .map(|l| ListedResource { at: l.origin.to_string(), address: l.address, rtype: l.rtype })
            .collect()
    };
    vnetsim_report::check::ImportSummary {
        source,
        mapped: s.mapped,
        computed: s.computed,
        ignored: listed(s.ignored),
        not_modelled: listed(s.not_modelled),
        missing_modules: s
            .missing_modules
            .into_iter()
            .map(|m| MissingModule { at: m.origin.to_string(), address: m.address, source: m.source })
            .collect(),
        incomplete: s
            .incomplete
            .into_iter()
            .map(|(l, needs)| IncompleteResource { at: l.origin.to_string(), address: l.address, needs })
            .collect(),
        not_exported: s
            .not_exported
            .into_iter()
            .map(|n| NotExported { at: n.origin.to_string(), address: n.address, id: n.id, left_out: n.left_out })
            .collect(),
    }
}

/// The lists of an import as YAML comments, for the end of `vnetsim import`'s output.
pub fn summary_comments(s: &Summary) -> String {
    let mut out = String::new();
    let mut list = |title: &str, items: Vec<String>| {
        if !items.is_empty() {
            out.push_str(&format!("\n# {title}:\n"));
            for i in items {
                out.push_str(&format!("#   {i}\n"));
            }
        }
    };
    list("Ignored, no effect on traffic", s.ignored.iter().map(|l| format!("{}  {}", l.address, l.origin)).collect());
    list(
        "Not modelled, may change verdicts",
        s.not_modelled.iter().map(|l| format!("{}  {}", l.address, l.origin)).collect(),
    );
    list(
        "Incomplete: these need a value from a module that was not read",
        s.incomplete.iter().map(|(l, m)| format!("{}  {}  (needs {m})", l.address, l.origin)).collect(),
    );
    list(
        "Referenced but not exported, treated as absent",
        s.not_exported.iter().map(|n| format!("{}  {}  refers to {}", n.address, n.origin, n.id)).collect(),
    );
    list(
        "Modules not read (registry or git): their resources are missing; import a plan (`terraform show -json`) to include them",
        s.missing_modules.iter().map(|m| format!("{} = \"{}\"  {}", m.address, m.source, m.origin)).collect(),
    );
    out
}
