//! Terraform: HCL configurations evaluated like `terraform plan`, and plan/state JSON.

mod config;
pub mod eval;
pub mod functions;
pub mod plan;
mod source;
mod syntax;

/// The names of the variables a configuration folder declares (its syntax errors are left to
/// the evaluation that follows).
pub fn declared_variables(files: &dyn crate::files::Files, dir: &std::path::Path) -> Vec<String> {
    let mut ignored = Vec::new();
    config::read(files, dir, "", &mut ignored)
        .map(|m| m.variables.iter().map(|v| v.item.name.clone()).collect())
        .unwrap_or_default()
}
