//! Service tags (N-14, T-1..T-3).
//!
//! The built-in table is **synthetic**: every tag name of Microsoft's service tag table, with
//! made-up prefixes carved out of 40.64.0.0/10 so that the documented containment holds (a regional
//! tag is a subset of its parent, every service tag is inside `AzureCloud`). Load Microsoft's
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

/// Every other tag name of Microsoft's table of available service tags
/// (<https://learn.microsoft.com/azure/virtual-network/service-tags-overview>, "Available service
/// tags"), with its "Regional" column. The contextual tags are not here (N-11..N-13). Tag `j`
/// owns the `j`-th /19 from 40.77.0.0 (up to 40.86.255.255, inside `AzureCloud`'s 40.64.0.0/10, clear
/// of the 13 blocks above); region `i` of a regional tag owns its `i`-th /22.
const DOCUMENTED_SERVICES: [(&str, bool); 80] = [
    ("ActionGroup", false),
    ("ApiManagement", true),
    ("ApplicationInsightsAvailability", false),
    ("AppConfiguration", false),
    ("AppService", true),
    ("AppServiceManagement", false),
    ("AutonomousDevelopmentPlatform", true),
    ("AzureActiveDirectoryDomainServices", false),
    ("AzureAdvancedThreatProtection", false),
    ("AzureArcInfrastructure", false),
    ("AzureAttestation", false),
    ("AzureBackup", true),
    ("AzureBotService", false),
    ("AzureCognitiveSearch", false),
    ("AzureConnectors", true),
    ("AzureContainerAppsService", true),
    ("AzureCosmosDB", true),
    ("AzureDatabricks", false),
    ("AzureDataExplorerManagement", false),
    ("AzureDataLake", false),
    ("AzureDeviceUpdate", false),
    ("AzureDevSpaces", false),
    ("AzureDevOps", false),
    ("AzureDigitalTwins", false),
    ("AzureEventGrid", false),
    ("AzureHealthcareAPIs", false),
    ("AzureInformationProtection", false),
    ("AzureIoTHub", true),
    ("AzureMachineLearningInference", true),
    ("AzureManagedGrafana", false),
    ("AzureOpenDatasets", false),
    ("AzurePlatformDNS", false),
    ("AzurePlatformIMDS", false),
    ("AzurePlatformLKM", false),
    ("AzurePortal", false),
    ("AzureSentinel", false),
    ("AzureSignalR", false),
    ("AzureSiteRecovery", false),
    ("AzureSphere", false),
    ("AzureSpringCloud", true),
    ("AzureStack", false),
    ("AzureTrafficManager", false),
    ("AzureUpdateDelivery", false),
    ("AzureWebPubSub", true),
    ("ChaosStudio", false),
    ("CognitiveServicesFrontend", false),
    ("CognitiveServicesManagement", false),
    ("DataFactory", true),
    ("DataFactoryManagement", false),
    ("Dynamics365BusinessCentral", false),
    ("Dynamics365ForMarketingEmail", true),
    ("EOPExternalPublishedIPs", false),
    ("EventHub", true),
    ("GatewayManager", false),
    ("GenevaActions", false),
    ("GuestAndHybridManagement", false),
    ("HDInsight", true),
    ("KustoAnalytics", false),
    ("LogicApps", false),
    ("LogicAppsManagement", false),
    ("M365ManagementActivityApi", true),
    ("M365ManagementActivityApiWebhook", true),
    ("Marketplace", false),
    ("MicrosoftAzureFluidRelay", false),
    ("MicrosoftCloudAppSecurity", false),
    ("MicrosoftDefenderForEndpoint", false),
    ("MicrosoftPurviewPolicyDistribution", false),
    ("PowerBI", false),
    ("PowerPlatformInfra", true),
    ("PowerPlatformPlex", true),
    ("PowerQueryOnline", false),
    ("Scuba", false),
    ("SerialConsole", false),
    ("ServiceBus", true),
    ("ServiceFabric", false),
    ("SqlManagement", false),
    ("StorageSyncService", false),
    ("VideoIndexer", false),
    ("WindowsAdminCenter", false),
    ("WindowsVirtualDesktop", false),
];

fn v4(base: u32, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new(Ipv4Addr::from(base), len).expect("valid built-in prefix"))
}

/// Where a built-in service's synthetic block lies: its first address, its length, and the length
/// of each region's block when the tag is regional (region `i` owns the `i`-th one).
struct Block {
    base: u32,
    len: u8,
    regional_len: Option<u8>,
}

impl ServiceTagTable {
    /// The synthetic built-in table (see the module docs).
    pub fn builtin() -> Self {
        let mut table = ServiceTagTable::default();
        let mut cloud_by_region: Vec<Vec<IpNet>> = vec![Vec::new(); BUILTIN_REGIONS.len()];
        let first = u32::from(Ipv4Addr::new(40, 64, 0, 0));
        let original = BUILTIN_SERVICES.iter().enumerate().map(|(k, (service, regional))| {
            let block = Block { base: first + ((k as u32) << 16), len: 16, regional_len: regional.then_some(20) };
            (*service, block)
        });
        let documented_first = u32::from(Ipv4Addr::new(40, 77, 0, 0));
        let documented = DOCUMENTED_SERVICES.iter().enumerate().map(|(j, (service, regional))| {
            let block =
                Block { base: documented_first + ((j as u32) << 13), len: 19, regional_len: regional.then_some(22) };
            (*service, block)
        });
        for (service, block) in original.chain(documented) {
            table.insert(ServiceTag {
                name: service.to_string(),
                region: None,
                parent: None,
                prefixes: vec![v4(block.base, block.len)],
            });
            let Some(regional_len) = block.regional_len else { continue };
            for (i, region) in BUILTIN_REGIONS.iter().enumerate() {
                let regional = v4(block.base + ((i as u32) << (32 - regional_len)), regional_len);
                cloud_by_region[i].push(regional);
                table.insert(ServiceTag {
                    name: format!("{service}.{region}"),
                    region: Some(region.to_string()),
                    parent: Some(service.to_string()),
                    prefixes: vec![regional],
                });
            }
        }
        table.insert(ServiceTag {
            name: "AzureCloud".into(),
            region: None,
            parent: None,
            prefixes: vec![v4(first, 10)],
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

    /// Two tags share addresses only when one contains the other as Microsoft's file has it: a
    /// regional tag inside its parent, everything inside `AzureCloud` and its regional tags. Fails
    /// if a new tag's block were laid over another service's.
    #[test]
    fn distinct_services_do_not_overlap() {
        let t = ServiceTagTable::builtin();
        let service = |tag: &ServiceTag| tag.parent.clone().unwrap_or_else(|| tag.name.clone());
        let tags: Vec<&ServiceTag> = t.iter().filter(|tag| service(tag) != "AzureCloud").collect();
        for (i, a) in tags.iter().enumerate() {
            for b in &tags[i + 1..] {
                let overlap = a.prefixes.iter().any(|p| b.prefixes.iter().any(|q| p.contains(q) || q.contains(p)));
                let related = service(a) == service(b) && (a.region.is_none() || b.region.is_none());
                assert!(!overlap || related, "{} overlaps {}", a.name, b.name);
            }
        }
    }

    /// Tag names real configurations use resolve in the built-in table (issue 19: the table lacked
    /// GatewayManager and others, so their rules failed to load).
    #[test]
    fn t3_documented_names_real_configurations_use_resolve() {
        let t = ServiceTagTable::builtin();
        for name in [
            "GatewayManager",
            "AzureBackup",
            "EventHub",
            "EventHub.westeurope",
            "Sql",
            "Storage",
            "AppService",
            "AppService.eastus",
            "AzureMonitor",
            "AzureActiveDirectory",
            "AzureFrontDoor.Frontend",
            "AzureFrontDoor.FrontEnd",
            "ServiceBus",
            "AzureCosmosDB",
            "WindowsVirtualDesktop",
        ] {
            assert!(t.get(name).is_some(), "{name} missing");
        }
        assert!(t.get("GatewayManager.eastus").is_none(), "GatewayManager has no regional tags");
        // 13 + 80 services, 29 of them regional in 8 regions, AzureCloud and its 8 (the docs say so).
        assert_eq!(t.len(), 334);
        assert_eq!(t.get("ApiManagement.eastus2").unwrap().prefixes, ["40.77.36.0/22".parse().unwrap()]);
        assert!(DOCUMENTED_SERVICES.iter().all(|(n, _)| !BUILTIN_SERVICES.iter().any(|(m, _)| m == n)));
    }

    /// AzureCloud's regional tags gather every regional tag of their region, the new ones too.
    #[test]
    fn azure_cloud_regional_covers_every_regional_tag() {
        let t = ServiceTagTable::builtin();
        for tag in t.iter().filter(|tag| tag.region.is_some()) {
            let cloud = t.get(&format!("AzureCloud.{}", tag.region.as_ref().unwrap())).unwrap();
            assert!(covers(&cloud.prefixes, &tag.prefixes), "{}", tag.name);
        }
    }

    #[test]
    fn r9_regional_beats_top_level_beats_azure_cloud() {
        let t = ServiceTagTable::builtin();
        let ranks: Vec<u8> =
            ["Storage.eastus", "Storage", "AzureCloud.eastus", "AzureCloud"].iter().map(|n| t.route_rank(n)).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
    }
}
