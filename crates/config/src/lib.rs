//! Scenario files: YAML with a location on every value, validated and resolved into the model.
//!
//! The pipeline is `yaml` (located node tree) → `raw` (typed, names unresolved) → `resolve`
//! (a [`vnetsim_model::Scenario`]). Each stage records every problem it finds, so a file with
//! several mistakes reports them all at once.

pub mod decode;
pub mod diagnostic;
pub mod expect_error;
pub mod extends;
pub mod import;
pub mod managed;
pub mod place;
pub mod raw;
pub mod resolve;
pub mod service_tags;
pub mod text;
pub mod yaml;

pub use diagnostic::{Diagnostic, Loc};
pub use extends::{BaseFile, ImportedFile, LineOrigins, ReadBase, ReadImport};
pub use import::{ImportKind, ImportSpec};
pub use service_tags::load_service_tags;
pub use text::decode_text;
use vnetsim_model::{Scenario, ServiceTagTable};

/// Loads one scenario from its text. `file` is the name used in diagnostics.
pub fn load_scenario(file: &str, source: &str, tags: &ServiceTagTable) -> Result<Scenario, Vec<Diagnostic>> {
    load_scenario_with(file, source, tags, None)
}

/// Loads one scenario, applying a workspace YAML's `managed_network` to the scenario's workspace
/// of the same name (or its only workspace).
pub fn load_scenario_with(
    file: &str,
    source: &str,
    tags: &ServiceTagTable,
    workspace: Option<&WorkspaceYaml>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut no_files = |_: &str, _: &str| -> Result<BaseFile, String> {
        Err("this loader reads no files (load the scenario with `load_scenario_from`)".into())
    };
    load_scenario_from(file, source, tags, workspace, &mut no_files)
}

/// Loads one scenario whose `extends:` chain is read through `read` (the caller does the I/O:
/// it resolves a base's path against the file that names it). Diagnostics inside a base name
/// the base's file and say which `extends:` reached it.
pub fn load_scenario_from(
    file: &str,
    source: &str,
    tags: &ServiceTagTable,
    workspace: Option<&WorkspaceYaml>,
    read: &mut ReadBase,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut no_imports = |_: &str, specs: &[ImportSpec]| -> Result<ImportedFile, Vec<Diagnostic>> {
        let at = specs.first().map_or(Loc { line: 1, column: 1 }, |s| s.path.loc);
        Err(vec![Diagnostic {
            file: file.to_string(),
            loc: at,
            message: "this loader runs no imports (load the scenario with `load_scenario_importing`)".into(),
            help: None,
        }])
    };
    load_scenario_importing(file, source, tags, workspace, read, &mut no_imports)
}

/// Loads one scenario whose `extends:` chain is read through `read` and whose `import:` entries
/// are run by `import` (the caller does the I/O and the importing). Diagnostics inside what an
/// import generated are reported in the file the import read.
pub fn load_scenario_importing(
    file: &str,
    source: &str,
    tags: &ServiceTagTable,
    workspace: Option<&WorkspaceYaml>,
    read: &mut ReadBase,
    import: &mut ReadImport,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut diags = diagnostic::Diagnostics::new(file);
    let root = yaml::parse(source, &mut diags);
    let (root, chain) = extends::expand(root, file, source, read, import, &mut diags);
    let raw = root.and_then(|root| raw::scenario(&root, &mut diags));
    finish(raw, diags, tags, workspace).map_err(|list| chain.relocate(list))
}

/// Applies the workspace YAML, expands managed networks and resolves: the steps after reading.
fn finish(
    raw: Option<raw::RawScenario>,
    mut diags: diagnostic::Diagnostics,
    tags: &ServiceTagTable,
    workspace: Option<&WorkspaceYaml>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let scenario = raw.map(|mut raw| {
        if let Some(ws) = workspace {
            ws.apply(&mut raw, &mut diags);
        }
        let managed = managed::expand(&mut raw, tags, &mut diags);
        resolve::resolve(raw, &managed, tags, &mut diags)
    });
    match scenario {
        Some(s) if diags.is_empty() => Ok(s),
        _ => Err(diags.into_sorted()),
    }
}

/// An AML CLI v2 workspace YAML (`az ml workspace create --file`), read for its
/// `managed_network` block.
pub struct WorkspaceYaml {
    pub file: String,
    pub name: String,
    pub location: Option<String>,
    /// Where `name` and `location` are written in the file.
    name_loc: Loc,
    location_loc: Loc,
    /// The file's text, for rendering diagnostics located in it.
    source: String,
    managed_network: Option<raw::managed::RawManagedNetwork>,
}

/// Reads a workspace YAML and checks what Azure would refuse in it on its own.
pub fn load_workspace_yaml(file: &str, source: &str) -> Result<WorkspaceYaml, Vec<Diagnostic>> {
    let mut diags = diagnostic::Diagnostics::new(file);
    let ws = yaml::parse(source, &mut diags).and_then(|root| raw::managed::workspace_file(&root, &mut diags));
    if let Some(m) = ws.as_ref().and_then(|w| w.managed_network.as_ref()) {
        for rule in &m.rules {
            managed::check_rule(rule, m.mode.value, &mut diags);
        }
    }
    match ws {
        Some(w) if diags.is_empty() => Ok(WorkspaceYaml {
            file: file.to_string(),
            name_loc: w.name.loc,
            location_loc: w.location.as_ref().map_or(w.name.loc, |l| l.loc),
            name: w.name.value,
            location: w.location.map(|l| l.value.to_ascii_lowercase()),
            source: source.to_string(),
            managed_network: w.managed_network,
        }),
        _ => Err(diags.into_sorted()),
    }
}

impl WorkspaceYaml {
    /// The file's text, for rendering its diagnostics.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A scenario holding only this workspace, in its location: what `check --workspace-yaml`
    /// shows when no scenario is given. Built as a raw scenario (never as YAML text, which a
    /// name could break), so every diagnostic points into the workspace YAML itself.
    pub fn standalone_scenario(&self, tags: &ServiceTagTable) -> Result<Scenario, Vec<Diagnostic>> {
        let mut diags = diagnostic::Diagnostics::new(&self.file);
        let empty = yaml::Node { kind: yaml::NodeKind::Map(Vec::new()), loc: self.name_loc };
        let raw = raw::scenario(&empty, &mut diags).map(|mut raw| {
            let name = decode::Sp { value: self.name.clone(), loc: self.name_loc };
            raw.name = Some(name.clone());
            raw.region = self.location.clone().map(|value| decode::Sp { value, loc: self.location_loc });
            raw.services.push(raw::RawService {
                loc: self.name_loc,
                name,
                kind: decode::Sp { value: vnetsim_model::ServiceKind::Workspace, loc: self.name_loc },
                region: None,
                public_ip: None,
                public_network_access: None,
                network_rules: None,
                workspace_id: None,
                workspace: None,
                sku: None,
                managed_by: None,
                fqdns: Vec::new(),
                resources: [None, None, None],
                image_build_compute: None,
                managed_network: None,
            });
            raw
        });
        finish(raw, diags, tags, Some(self))
    }

    fn apply(&self, raw: &mut raw::RawScenario, d: &mut diagnostic::Diagnostics) {
        let workspaces: Vec<usize> = (0..raw.services.len())
            .filter(|&i| raw.services[i].kind.value == vnetsim_model::ServiceKind::Workspace)
            .collect();
        let named = workspaces.iter().copied().find(|&i| raw.services[i].name.value.eq_ignore_ascii_case(&self.name));
        let target = named.or(match workspaces.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
        let Some(i) = target else {
            d.error(
                Loc { line: 1, column: 1 },
                format!(
                    "no workspace `{}` (from {}) in this scenario to apply its managed_network to",
                    self.name, self.file
                ),
            );
            return;
        };
        let service = &mut raw.services[i];
        match (&service.managed_network, &self.managed_network) {
            (Some(existing), Some(_)) => d.error_with_help(
                existing.loc,
                format!(
                    "workspace `{}` already has a managed_network, and {} gives another",
                    service.name.value, self.file
                ),
                "keep one of them",
            ),
            (None, Some(m)) => service.managed_network = Some(m.clone()),
            (_, None) => {}
        }
    }
}
