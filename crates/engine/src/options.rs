//! Semantic switches for behaviour the documentation leaves open (azure-semantics.md §12). They
//! live in the model, so a scenario's `options:` block can set them; re-exported here.

pub use vnetsim_model::options::{AnyProtocol, Options};
