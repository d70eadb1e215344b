//! Terraform: HCL configurations evaluated like `terraform plan`, and plan/state JSON.

mod config;
pub mod eval;
pub mod functions;
pub mod plan;
mod source;
mod syntax;
