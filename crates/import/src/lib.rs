//! Reading what users already have into vnetsim scenarios: Terraform configurations (HCL
//! directories, evaluated the way `terraform plan` would) and `terraform show -json` plans and
//! states.
//!
//! Every importer turns its input into resource [`Instance`]s; `azurerm` maps those onto the
//! scenario format as a [`doc::Doc`], whose YAML text is what `vnetsim import` prints and what a
//! scenario's `import:` loads. Problems are [`Diagnostic`]s located in the input file.

pub mod azurerm;
pub mod doc;
pub mod files;
pub mod instance;
pub mod summary;
pub mod terraform;
pub mod value;

pub use files::{Disk, Files};
pub use instance::{Instance, Mode, Origin};
pub use summary::Summary;
pub use value::Value;
pub use vnetsim_config::{Diagnostic, Loc};
