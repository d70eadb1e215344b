//! Terraform: HCL configurations evaluated like `terraform plan`, and plan/state JSON.

pub mod functions;
pub mod plan;
