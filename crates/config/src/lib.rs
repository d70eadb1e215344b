//! Scenario files: YAML with a location on every value, validated and resolved into the model.
//!
//! The pipeline is `yaml` (located node tree) → `raw` (typed, names unresolved) → `resolve`
//! (a [`vnetsim_model::Scenario`]). Each stage records every problem it finds, so a file with
//! several mistakes reports them all at once.

pub mod decode;
pub mod diagnostic;
pub mod managed;
pub mod place;
pub mod raw;
pub mod resolve;
pub mod service_tags;
pub mod yaml;

pub use diagnostic::{Diagnostic, Loc};
pub use service_tags::load_service_tags;
use vnetsim_model::{Scenario, ServiceTagTable};

/// Loads one scenario from its text. `file` is the name used in diagnostics.
pub fn load_scenario(file: &str, source: &str, tags: &ServiceTagTable) -> Result<Scenario, Vec<Diagnostic>> {
    let mut diags = diagnostic::Diagnostics::new(file);
    let scenario = yaml::parse(source, &mut diags).and_then(|root| raw::scenario(&root, &mut diags)).map(|mut raw| {
        let managed = managed::expand(&mut raw, tags, &mut diags);
        resolve::resolve(raw, &managed, tags, &mut diags)
    });
    match scenario {
        Some(s) if diags.is_empty() => Ok(s),
        _ => Err(diags.into_sorted()),
    }
}
