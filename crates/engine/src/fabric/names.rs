//! DNS name lookup over the scenario's service names: exact names first, then the closest
//! wildcard (`*.eastus.instances.azureml.ms` answers `ci1.eastus.instances.azureml.ms`).

use rustc_hash::FxHashMap;

#[derive(Debug, Default)]
pub struct NameIndex {
    exact: FxHashMap<String, u32>,
    /// Wildcards by the part after `*.`.
    wildcard: FxHashMap<String, u32>,
}

impl NameIndex {
    pub fn insert(&mut self, name: &str, value: u32) {
        match name.strip_prefix("*.") {
            Some(suffix) => self.wildcard.entry(suffix.to_string()).or_insert(value),
            None => self.exact.entry(name.to_string()).or_insert(value),
        };
    }

    /// The value for `name`, and the labels a wildcard matched (`ci1` above).
    pub fn lookup<'n>(&self, name: &'n str) -> Option<(u32, Option<&'n str>)> {
        if let Some(&v) = self.exact.get(name) {
            return Some((v, None));
        }
        let mut rest = name;
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(&v) = self.wildcard.get(parent) {
                let head = &name[..name.len() - parent.len() - 1];
                return Some((v, Some(head)));
            }
            rest = parent;
        }
        None
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
