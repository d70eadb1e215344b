//! DNS name lookup over the scenario's service names: exact names first, then the closest
//! wildcard (`*.eastus.instances.azureml.ms` answers `ci1.eastus.instances.azureml.ms`).

use rustc_hash::FxHashMap;
use vnetsim_model::name_pattern::{self, NamePattern};

#[derive(Debug, Default)]
pub struct NameIndex {
    exact: FxHashMap<String, u32>,
    /// Wildcards by the part after `*.`.
    wildcard: FxHashMap<String, u32>,
}

impl NameIndex {
    pub fn insert(&mut self, name: &str, value: u32) {
        match NamePattern::parse(name) {
            Ok(NamePattern::Wildcard { parent }) => self.wildcard.entry(parent.to_string()).or_insert(value),
            // Service names are names or `*.parent`; anything else can only be asked for as written.
            _ => self.exact.entry(name.to_string()).or_insert(value),
        };
    }

    /// The value for `name`, and the labels a wildcard matched (`ci1` above).
    pub fn lookup<'n>(&self, name: &'n str) -> Option<(u32, Option<&'n str>)> {
        if let Some(&v) = self.exact.get(name) {
            return Some((v, None));
        }
        name_pattern::parents(name).find_map(|(head, parent)| self.wildcard.get(parent).map(|&v| (v, Some(head))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_beats_wildcard_and_wildcard_reports_the_matched_labels() {
        let mut n = NameIndex::default();
        n.insert("*.eastus.inference.ml.azure.com", 1);
        n.insert("ep1.eastus.inference.ml.azure.com", 2);
        assert_eq!(n.lookup("ep1.eastus.inference.ml.azure.com"), Some((2, None)));
        assert_eq!(n.lookup("ep2.eastus.inference.ml.azure.com"), Some((1, Some("ep2"))));
        assert_eq!(n.lookup("a.b.eastus.inference.ml.azure.com"), Some((1, Some("a.b"))));
        assert_eq!(n.lookup("eastus.inference.ml.azure.com"), None);
    }
}
