//! Service tags (N-14, T-1..T-3).
//!
//! The built-in table is **synthetic**: every tag the Azure ML documentation names, with made-up
//! prefixes carved out of 40.64.0.0/10 so that the documented containment holds (a regional tag is
//! a subset of its parent, every service tag is inside `AzureCloud`). Load Microsoft's
//! `ServiceTags_Public_*.json` for real prefixes. `VirtualNetwork`, `Internet` and
//! `AzureLoadBalancer` are contextual (N-11..N-13) and are computed per subnet by the fabric.

use crate::{IpNet, Ipv4Addr, Ipv4Net};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceTag {
    /// Canonical spelling, e.g. `Storage.eastus`.
    pub name: String,
    /// Region for regional tags (`Storage.eastus` → `eastus`), lower case.
    pub region: Option<String>,
    /// The parent tag of a regional tag (`Storage.eastus` → `Storage`).
    pub parent: Option<String>,
    pub prefixes: Vec<IpNet>,
}

/// Tags whose addresses depend on where the rule is evaluated.
pub const CONTEXTUAL_TAGS: [&str; 3] = ["VirtualNetwork", "Internet", "AzureLoadBalancer"];

/// The canonical spelling of a contextual tag (T-3: case-insensitive).
pub fn contextual_tag(name: &str) -> Option<&'static str> {
    CONTEXTUAL_TAGS.into_iter().find(|t| t.eq_ignore_ascii_case(name))
}

/// A table of service tags, looked up case-insensitively (T-3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceTagTable {
    tags: Vec<ServiceTag>,
    by_lower_name: BTreeMap<String, usize>,
}

/// Regions the built-in table knows, in the order their synthetic blocks are assigned.
pub const BUILTIN_REGIONS: [&str; 8] =
    ["eastus", "eastus2", "westus", "westus2", "centralus", "northeurope", "westeurope", "uksouth"];

/// Built-in services: name and whether it has regional variants. Index `k` owns 40.(64+k).0.0/16;
/// region `i` of a regional service owns the `i`-th /20 of it.
const BUILTIN_SERVICES: [(&str, bool); 13] = [
    ("AzureActiveDirectory", false),
    ("AzureMachineLearning", true),
    ("BatchNodeManagement", true),
    ("AzureResourceManager", true),
    ("Storage", true),
    ("AzureKeyVault", true),
    ("AzureContainerRegistry", true),
    ("MicrosoftContainerRegistry", true),
    ("AzureFrontDoor.FrontEnd", false),
    ("AzureFrontDoor.Backend", false),
    ("AzureFrontDoor.FirstParty", false),
    ("AzureMonitor", true),
    ("Sql", true),
];

fn v4(a: u8, b: u8, c: u8, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new(Ipv4Addr::new(a, b, c, 0), len).expect("valid built-in prefix"))
}

impl ServiceTagTable {
    /// The synthetic built-in table (see the module docs).
    pub fn builtin() -> Self {
        let mut table = ServiceTagTable::default();
        let mut cloud_by_region: Vec<Vec<IpNet>> = vec![Vec::new(); BUILTIN_REGIONS.len()];
        for (k, (service, regional)) in BUILTIN_SERVICES.iter().enumerate() {
            let second = 64 + k as u8;
            table.insert(ServiceTag {
                name: service.to_string(),
                region: None,
                parent: None,
                prefixes: vec![v4(40, second, 0, 16)],
            });
            if !regional {
                continue;
            }
            for (i, region) in BUILTIN_REGIONS.iter().enumerate() {
                let block = v4(40, second, (i as u8) * 16, 20);
                cloud_by_region[i].push(block);
                table.insert(ServiceTag {
                    name: format!("{service}.{region}"),
                    region: Some(region.to_string()),
                    parent: Some(service.to_string()),
                    prefixes: vec![block],
                });
            }
        }
        table.insert(ServiceTag {
            name: "AzureCloud".into(),
            region: None,
            parent: None,
            prefixes: vec![v4(40, 64, 0, 10)],
        });
        for (i, region) in BUILTIN_REGIONS.iter().enumerate() {
            table.insert(ServiceTag {
                name: format!("AzureCloud.{region}"),
                region: Some(region.to_string()),
                parent: Some("AzureCloud".into()),
                prefixes: cloud_by_region[i].clone(),
            });
        }
        table
    }

    /// Adds or replaces a tag.
    pub fn insert(&mut self, tag: ServiceTag) {
        let key = tag.name.to_ascii_lowercase();
        match self.by_lower_name.get(&key) {
            Some(&i) => self.tags[i] = tag,
            None => {
                self.by_lower_name.insert(key, self.tags.len());
                self.tags.push(tag);
            }
        }
    }

    /// Looks a tag up by name, ignoring case (T-3).
    pub fn get(&self, name: &str) -> Option<&ServiceTag> {
        self.by_lower_name.get(&name.to_ascii_lowercase()).map(|&i| &self.tags[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &ServiceTag> {
        self.tags.iter()
    }

    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// R-9 rank among service-tag routes with the same prefix: lower wins. Regional tag, then
    /// top-level tag, then AzureCloud regional, then AzureCloud.
    pub fn route_rank(&self, name: &str) -> u8 {
        let Some(tag) = self.get(name) else { return u8::MAX };
        let is_cloud = tag.name.eq_ignore_ascii_case("AzureCloud") || tag.parent.as_deref() == Some("AzureCloud");
        match (is_cloud, tag.region.is_some()) {
            (false, true) => 1,
            (false, false) => 2,
            (true, true) => 3,
            (true, false) => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers(outer: &[IpNet], inner: &[IpNet]) -> bool {
        inner.iter().all(|i| outer.iter().any(|o| o.contains(i)))
    }

    #[test]
    fn t3_names_match_case_insensitively() {
        let t = ServiceTagTable::builtin();
        assert_eq!(t.get("storage.EastUS").unwrap().name, "Storage.eastus");
        assert_eq!(t.get("AZUREMACHINELEARNING").unwrap().name, "AzureMachineLearning");
        assert!(t.get("NoSuchTag").is_none());
    }

    #[test]
    fn t3_regional_tags_are_subsets_of_their_parent_and_of_azure_cloud() {
        let t = ServiceTagTable::builtin();
        let cloud = &t.get("AzureCloud").unwrap().prefixes;
        for tag in t.iter() {
            assert!(covers(cloud, &tag.prefixes), "{} outside AzureCloud", tag.name);
            if let Some(parent) = &tag.parent {
                assert!(covers(&t.get(parent).unwrap().prefixes, &tag.prefixes), "{}", tag.name);
            }
        }
    }

    #[test]
    fn distinct_services_do_not_overlap() {
        let t = ServiceTagTable::builtin();
        let storage = t.get("Storage").unwrap().prefixes[0];
        let aml = t.get("AzureMachineLearning").unwrap().prefixes[0];
        assert!(!storage.contains(&aml) && !aml.contains(&storage));
    }

    #[test]
    fn r9_regional_beats_top_level_beats_azure_cloud() {
        let t = ServiceTagTable::builtin();
        let ranks: Vec<u8> =
            ["Storage.eastus", "Storage", "AzureCloud.eastus", "AzureCloud"].iter().map(|n| t.route_rank(n)).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
    }
}
