//! The shared import layer's input: resource instances as a configuration declares them, after
//! evaluation, whatever language they were written in.

use crate::value::Value;
use std::collections::BTreeMap;
use vnetsim_config::Loc;

/// Where something was written: a file and a position in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub loc: Loc,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.loc.line)
    }
}

/// A managed resource, or a data source looked up by the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}

/// One instance of a resource: `count` and `for_each` give one per index or key.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The full address: `module.spoke.azurerm_subnet.training[0]`, `azurerm_subnet.pe["a"]`.
    pub address: String,
    pub mode: Mode,
    /// The resource type, `azurerm_subnet`.
    pub rtype: String,
    /// An object: the evaluated arguments, nested blocks as lists of objects, and `id` (the
    /// Azure resource id vnetsim gives it, computed like Azure does from names).
    pub attrs: Value,
    /// Where the resource block starts.
    pub origin: Origin,
    /// Where each top-level argument is written (same file as `origin`); missing ones fall back
    /// to `origin`.
    pub arg_locs: BTreeMap<String, Loc>,
}

impl Instance {
    /// An argument's value; `None` when unset or null.
    pub fn arg(&self, key: &str) -> Option<&Value> {
        self.attrs.get(key).filter(|v| !v.is_null())
    }

    /// Where an argument is written, else where the block starts.
    pub fn loc_of(&self, key: &str) -> Origin {
        Origin { file: self.origin.file.clone(), loc: self.arg_locs.get(key).copied().unwrap_or(self.origin.loc) }
    }
}
