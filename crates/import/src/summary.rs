//! What an import understood, left aside, or could not read: the lists `check` prints.

use crate::instance::Origin;

/// A resource the import did not turn into scenario objects.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    pub address: String,
    pub rtype: String,
    pub origin: Origin,
}

/// A module the import could not read offline (registry, git), and where it is called.
#[derive(Clone, Debug, PartialEq)]
pub struct MissingModule {
    pub address: String,
    pub source: String,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Resources mapped onto scenario objects.
    pub mapped: usize,
    /// Resources with no effect on traffic (diagnostics, role assignments, …).
    pub ignored: Vec<Listed>,
    /// Network-shaped resources vnetsim does not model yet: they may change verdicts.
    pub not_modelled: Vec<Listed>,
    /// Modules not fetched: every resource they would create is missing.
    pub missing_modules: Vec<MissingModule>,
    /// Values vnetsim computed where Azure would at apply time.
    pub computed: usize,
    /// Resources left out, or imported without an argument, because it depends on a module
    /// that was not read: the resource's address and the module's.
    pub incomplete: Vec<(Listed, String)>,
    /// References of an export to resources it does not contain, treated as absent.
    pub not_exported: Vec<crate::arm::adapter::NotExported>,
}
