//! `import:` entries: what a scenario reads from other formats before its own keys patch it.
//!
//! ```yaml
//! import:
//!   - terraform: ../infra          # a folder of .tf files, relative to this file
//!     vars: { location: eastus }
//!     var_files: [prod.tfvars]
//!   - terraform_plan: plan.json    # terraform show -json
//!   - arm: azuredeploy.json        # an ARM template (or bicep build output)
//!     parameters: azuredeploy.parameters.json   # or a list of files, or inline: {vnetName: hub}
//!   - azure_export: exported/      # what runs: a resource, a list, a {value: […]} page, a folder
//! ```
//!
//! The config crate only reads the entries; the caller runs the importers (it does the I/O) and
//! hands back the generated scenario, which is merged under the file like a base.

use crate::decode::{self, Fields, Sp};
use crate::diagnostic::{Diagnostics, Loc};
use crate::yaml::{Node, NodeKind};

/// What an entry imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Terraform,
    TerraformPlan,
    /// An ARM template (or `bicep build` output).
    Arm,
    /// A live export: a resource body, a list, a `{value: […]}` page or a folder of them.
    AzureExport,
}

/// One `import:` entry, located in the file that writes it.
#[derive(Clone, Debug)]
pub struct ImportSpec {
    pub kind: ImportKind,
    /// The path as written, relative to the file.
    pub path: Sp<String>,
    /// Variable values: text, or JSON for lists and maps (which Terraform reads as HCL).
    pub vars: Vec<(String, String)>,
    pub var_files: Vec<Sp<String>>,
    /// An ARM template's parameter files, relative to the file.
    pub parameter_files: Vec<Sp<String>>,
    /// An ARM template's parameters written inline: text, or JSON for lists and maps.
    pub parameters: Vec<(String, String)>,
}

/// Reads the entries of `import:`; `local` turns a location of the merged tree into the file's.
pub(crate) fn specs(node: &Node, local: &dyn Fn(Loc) -> Loc, d: &mut Diagnostics) -> Option<Vec<ImportSpec>> {
    let NodeKind::Seq(items) = &node.kind else {
        d.error_with_help(
            node.loc,
            format!("expected a list of imports, found {}", node.describe()),
            "write `import: [{terraform: ../infra}]`",
        );
        return None;
    };
    let before = d.len();
    let mut out = Vec::new();
    for item in items {
        let Some(mut f) = Fields::open(item, "import", d) else { continue };
        let kinds = [
            ("terraform", ImportKind::Terraform),
            ("terraform_plan", ImportKind::TerraformPlan),
            ("arm", ImportKind::Arm),
            ("azure_export", ImportKind::AzureExport),
        ];
        let mut found = Vec::new();
        for (key, kind) in kinds {
            if let Some(v) = f.get(key) {
                found.push((kind, v));
            }
        }
        let vars = f.get("vars").map(|v| named_values(v, d)).unwrap_or_default();
        let var_files = f
            .get("var_files")
            .map(|v| decode::list(v, |n, d| decode::string(n, "variable file", d), d))
            .unwrap_or_default();
        // `parameters:` is a parameters file, the parameters themselves, or a list of either
        // (files first, values on top: the later wins).
        let (mut parameter_files, mut parameters) = (Vec::new(), Vec::new());
        if let Some(p) = f.get("parameters") {
            let items: Vec<&Node> = match &p.kind {
                NodeKind::Seq(items) => items.iter().collect(),
                _ => vec![p],
            };
            for item in items {
                match &item.kind {
                    NodeKind::Map(_) => parameters.extend(named_values(item, d)),
                    _ => parameter_files.extend(decode::string(item, "parameters file", d)),
                }
            }
        }
        let loc = f.loc();
        f.finish(d);
        match found.as_slice() {
            [(kind, v)] => {
                if let Some(path) = decode::string(v, "import path", d) {
                    if *kind != ImportKind::Terraform && (!vars.is_empty() || !var_files.is_empty()) {
                        d.error(loc, "`vars` and `var_files` go with `terraform:` (a plan or an export has its values already; a template takes `parameters:`)");
                    }
                    if *kind != ImportKind::Arm && !(parameter_files.is_empty() && parameters.is_empty()) {
                        d.error(loc, "`parameters` go with `arm:` (a template)");
                    }
                    let path = Sp { value: path.value, loc: local(path.loc) };
                    let relocated = |list: Vec<Sp<String>>| {
                        list.into_iter().map(|s| Sp { value: s.value, loc: local(s.loc) }).collect()
                    };
                    out.push(ImportSpec {
                        kind: *kind,
                        path,
                        vars: vars.clone(),
                        var_files: relocated(var_files),
                        parameter_files: relocated(parameter_files),
                        parameters: parameters.clone(),
                    });
                }
            }
            [] => d.error_with_help(
                loc,
                "an import names what it reads",
                "write `terraform: DIR` or `terraform_plan: FILE`",
            ),
            _ => d.error(loc, "an import reads one thing: write separate entries for `terraform` and `terraform_plan`"),
        }
    }
    (d.len() == before).then_some(out)
}

/// `vars:` (and inline `parameters:`): a mapping of names to values.
fn named_values(node: &Node, d: &mut Diagnostics) -> Vec<(String, String)> {
    let NodeKind::Map(entries) = &node.kind else {
        d.error(node.loc, format!("expected a mapping of variable names to values, found {}", node.describe()));
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_scalar()?.to_string();
            Some((name, value_text(v)))
        })
        .collect()
}

/// A YAML value as Terraform variable text: a scalar as it is, a list or mapping as JSON.
fn value_text(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar { text, .. } => text.to_string(),
        NodeKind::Seq(_) | NodeKind::Map(_) => json_of(node),
    }
}

fn json_of(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar { text, plain } => {
            let t = text.as_ref();
            let bare = *plain && (t == "true" || t == "false" || t.parse::<f64>().is_ok());
            if bare { t.to_string() } else { crate::yaml::quoted(t) }
        }
        NodeKind::Seq(items) => format!("[{}]", items.iter().map(json_of).collect::<Vec<_>>().join(", ")),
        NodeKind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", crate::yaml::quoted(k.as_scalar().unwrap_or("")), json_of(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
