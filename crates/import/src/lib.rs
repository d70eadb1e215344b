//! Reading what users already have into vnetsim scenarios: Terraform configurations (HCL
//! directories, evaluated the way `terraform plan` would) and `terraform show -json` plans and
//! states.
//!
//! Every importer turns its input into resource [`Instance`]s; `azurerm` maps those onto the
//! scenario format as a [`doc::Doc`], whose YAML text is what `vnetsim import` prints and what a
//! scenario's `import:` loads. Problems are [`Diagnostic`]s located in the input file.

pub mod arm;
pub mod azurerm;
pub mod doc;
pub mod files;
pub mod instance;
pub mod json;
pub mod summary;
pub mod terraform;
pub mod value;

pub use files::{Disk, Files, Memory};
pub use instance::{Instance, Mode, Origin};
pub use summary::Summary;
pub use value::Value;
pub use vnetsim_config::{Diagnostic, Loc};

use std::path::PathBuf;
use terraform::eval::{Evaluator, Input};

/// What kind of input a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A folder of `.tf` files.
    Terraform,
    /// `terraform show -json` output: a plan or a state.
    TerraformPlan,
    /// An ARM template (hand-written or `bicep build` output).
    ArmTemplate,
    /// What Azure returns for deployed resources (REST GETs, `az … show/list`, Resource Graph):
    /// a file, or a folder of them.
    AzureExport,
}

/// One input of an import.
#[derive(Clone, Debug)]
pub struct Request {
    pub kind: Kind,
    pub path: PathBuf,
    /// The path as diagnostics and comments print it.
    pub display: String,
    /// Variable values (`--var`, `vars:`), highest precedence.
    pub vars: Vec<(String, String)>,
    pub var_files: Vec<PathBuf>,
    /// An ARM template's parameter files (`--parameters`, `parameters:`), in order.
    pub parameter_files: Vec<PathBuf>,
    /// An ARM template's parameters given one by one (`--param k=v`), highest precedence.
    pub parameters: Vec<(String, String)>,
}

/// An import's result: the scenario text, the origin of each of its lines, and the lists.
pub struct Imported {
    pub yaml: String,
    /// Per line of `yaml`, the index in `origins` of the resource it came from.
    pub lines: Vec<Option<u32>>,
    pub origins: Vec<Origin>,
    pub summary: Summary,
}

/// What a path holds, judged by content: a folder with `.tf` files, or a Terraform JSON file.
pub fn detect(files: &dyn Files, path: &std::path::Path) -> Option<Kind> {
    if files.is_dir(path) {
        let listed = files.list(path).ok()?;
        if listed.iter().any(|p| p.extension().is_some_and(|e| e == "tf")) {
            return Some(Kind::Terraform);
        }
        let exports = json_files(&listed).any(|p| files.read(p).is_ok_and(|t| arm::export::looks_like_export(&t)));
        return exports.then_some(Kind::AzureExport);
    }
    let text = files.read(path).ok()?;
    if terraform::plan::looks_like_plan(&text) {
        Some(Kind::TerraformPlan)
    } else if arm::export::looks_like_template(&text) {
        Some(Kind::ArmTemplate)
    } else if arm::export::looks_like_export(&text) {
        Some(Kind::AzureExport)
    } else {
        None
    }
}

fn json_files(listed: &[PathBuf]) -> impl Iterator<Item = &PathBuf> {
    listed.iter().filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")))
}

/// A file that cannot be read, as the one problem of its input.
fn cannot_read(path: &std::path::Path, e: std::io::Error) -> Vec<Diagnostic> {
    let name = path.display().to_string();
    vec![Diagnostic {
        message: format!("cannot read {name}: {e}"),
        file: name,
        loc: Loc { line: 1, column: 1 },
        help: None,
    }]
}

/// The resources of an ARM template or an export, as instances the mapping reads; references
/// to resources an export lacks go to the summary.
fn arm_instances(r: &Request, files: &dyn Files, summary: &mut Summary) -> Result<Vec<Instance>, Vec<Diagnostic>> {
    let resources = match r.kind {
        Kind::ArmTemplate => {
            let text = files.read(&r.path).map_err(|e| cannot_read(&r.path, e))?;
            let mut sources = Vec::new();
            for p in &r.parameter_files {
                let text = files.read(p).map_err(|e| cannot_read(p, e))?;
                sources.push(arm::template::ParameterSource::File { name: p.display().to_string(), text });
            }
            if !r.parameters.is_empty() {
                let inline = r.parameters.iter().map(|(k, v)| (k.clone(), Value::string(v.as_str()))).collect();
                sources.push(arm::template::ParameterSource::Inline(inline));
            }
            arm::template::evaluate(&r.display, &text, &sources)?
        }
        _ if files.is_dir(&r.path) => {
            let listed = files.list(&r.path).map_err(|e| cannot_read(&r.path, e))?;
            let mut texts = Vec::new();
            for p in json_files(&listed) {
                texts.push((p.display().to_string(), files.read(p).map_err(|e| cannot_read(p, e))?));
            }
            arm::export::read_all(&texts)?
        }
        _ => {
            let text = files.read(&r.path).map_err(|e| cannot_read(&r.path, e))?;
            arm::export::read(&r.display, &text)?
        }
    };
    let (instances, not_exported) = arm::adapter::instances(&resources);
    summary.not_exported.extend(not_exported);
    Ok(instances)
}

/// Imports every request, in order: a `data` source of a later one finds the resources of the
/// earlier ones. All problems of all inputs are returned together.
pub fn import(requests: &[Request], files: &dyn Files) -> Result<Imported, Vec<Diagnostic>> {
    let mut instances: Vec<Instance> = Vec::new();
    let mut errors = Vec::new();
    let shared = share_variables(requests, files, &mut errors);
    let requests = shared.as_deref().unwrap_or(requests);
    let mut summary = Summary::default();
    // ARM resources are also named by their resource id, which templates and exports use.
    let mut arm_ids: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for r in requests {
        let result = match r.kind {
            Kind::Terraform => {
                let input = Input {
                    dir: &r.path,
                    display: r.display.clone(),
                    vars: r.vars.clone(),
                    var_files: r.var_files.clone(),
                };
                Evaluator::new(files, &instances).run(&input).map(|e| {
                    summary.missing_modules.extend(e.missing);
                    e.instances
                })
            }
            Kind::ArmTemplate | Kind::AzureExport => arm_instances(r, files, &mut summary),
            Kind::TerraformPlan => files
                .read(&r.path)
                .map_err(|e| cannot_read(&r.path, e))
                .and_then(|t| terraform::plan::read(&r.display, &t)),
        };
        match result {
            Ok(found) => {
                if matches!(r.kind, Kind::ArmTemplate | Kind::AzureExport) {
                    arm_ids.extend(found.iter().filter_map(|i| {
                        Some((i.address.clone(), i.attrs.get("id").and_then(Value::as_str)?.to_string()))
                    }));
                }
                instances.extend(found)
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mapped = azurerm::map(&instances);
    if !mapped.errors.is_empty() {
        return Err(mapped.errors);
    }
    let mut doc = mapped.doc;
    let from: Vec<&str> = requests.iter().map(|r| r.display.as_str()).collect();
    doc.header.push(format!("Imported by vnetsim from {}.", from.join(", ")));
    doc.name = Some(scenario_name(requests));
    doc.header.push(
        "Each object names the resource it came from; `# computed:` marks values Azure would set at apply time.".into(),
    );
    doc.aliases = place_aliases(&doc, &arm_ids);
    let text = doc.to_yaml();
    // What reading found, with what mapping found.
    let summary =
        Summary { missing_modules: summary.missing_modules, not_exported: summary.not_exported, ..mapped.summary };
    Ok(Imported { yaml: text.yaml, lines: text.lines, origins: text.origins, summary })
}

/// Several configurations given the same variables (`vnetsim import A B --var x=1`): each gets
/// those it declares, and a variable none declares is an error. `None` when there is nothing to
/// share (one configuration keeps Terraform's own check).
fn share_variables(requests: &[Request], files: &dyn Files, errors: &mut Vec<Diagnostic>) -> Option<Vec<Request>> {
    let terraform: Vec<&Request> = requests.iter().filter(|r| r.kind == Kind::Terraform).collect();
    let first = terraform.first()?;
    let names = |r: &Request| r.vars.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    if terraform.len() < 2 || first.vars.is_empty() || terraform.iter().any(|r| names(r) != names(first)) {
        return None;
    }
    let declared: Vec<Vec<String>> = terraform.iter().map(|r| terraform::declared_variables(files, &r.path)).collect();
    for (name, _) in &first.vars {
        if !declared.iter().any(|d| d.contains(name)) {
            errors.push(Diagnostic {
                file: first.display.clone(),
                loc: Loc { line: 1, column: 1 },
                message: format!(
                    "a value is given for `{name}`, but none of the configurations declares such a variable"
                ),
                help: None,
            });
        }
    }
    let mut declared = declared.into_iter();
    Some(
        requests
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if r.kind == Kind::Terraform {
                    let names = declared.next().unwrap_or_default();
                    r.vars.retain(|(k, _)| names.contains(k));
                }
                r
            })
            .collect(),
    )
}

/// The Terraform address (or ARM symbolic name, or `type/name`) of every place an import made
/// (endpoints, services, on-premises networks) and of its route tables, and an ARM resource's
/// id, so expectations (`from`, `to`, `via`), `--from` and `--to` can name them that way too.
fn place_aliases(doc: &doc::Doc, ids: &std::collections::HashMap<String, String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for section in
        ["endpoints", "private_endpoints", "firewalls", "gateways", "services", "on_premises", "route_tables"]
    {
        for item in doc.items(section) {
            let (Some(note), doc::Yaml::Map(entries)) = (&item.note, &item.value) else { continue };
            let name = entries.iter().find(|(k, _)| k == "name").and_then(|(_, v)| match v {
                doc::Yaml::Str(s) => Some(s.clone()),
                doc::Yaml::Computed(inner, _) => match &**inner {
                    doc::Yaml::Str(s) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            });
            let Some(name) = name else { continue };
            for alias in std::iter::once(&note.source).chain(ids.get(&note.source)) {
                if *alias != name && seen.insert(alias.clone()) {
                    out.push((alias.clone(), name.clone()));
                }
            }
        }
    }
    out
}

/// The name of the scenario an import makes: the last part of each input's path (the folder
/// or file name), so loading the folder and loading `vnetsim import`'s YAML agree.
pub fn scenario_name(requests: &[Request]) -> String {
    let names: Vec<String> = requests
        .iter()
        .map(|r| r.path.file_name().map_or_else(|| r.display.clone(), |f| f.to_string_lossy().into_owned()))
        .collect();
    names.join(" + ")
}

/// `enableIPForwarding` → `enable_ip_forwarding`: a capital after a capital run stays in the run.
pub(crate) fn snake_case(camel: &str) -> String {
    let chars: Vec<char> = camel.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
        let run_ends =
            i > 0 && chars[i - 1].is_ascii_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase() && (prev_lower || run_ends) {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
