//! Microsoft's public services and the internet hosts the Azure ML documentation requires
//! built into every scenario so their names resolve and their traffic can be traced.
//!
//! Microsoft services get public IPs inside their service tag (so tag rules cover them). Internet
//! hosts get **synthetic** addresses from 203.0.113.0/24 (TEST-NET-3, RFC 5737): real
//! addresses change and are not the point; what matters is that they are internet addresses
//! outside every Azure tag.

use std::net::Ipv4Addr;

/// A built-in Microsoft service: scenario name, service tag (`{region}` is the scenario region)
/// and names (`{region}` likewise).
pub struct MicrosoftService {
    pub name: &'static str,
    pub tag: &'static str,
    pub fqdns: &'static [&'static str],
}

pub const MICROSOFT_SERVICES: [MicrosoftService; 9] = [
    MicrosoftService {
        name: "entra-id",
        tag: "AzureActiveDirectory",
        fqdns: &["login.microsoftonline.com", "graph.microsoft.com", "graph.windows.net"],
    },
    MicrosoftService { name: "resource-manager", tag: "AzureResourceManager", fqdns: &["management.azure.com"] },
    MicrosoftService {
        name: "azureml-studio",
        tag: "AzureFrontDoor.FrontEnd",
        fqdns: &["ml.azure.com", "automlresources-prod.azureedge.net", "aka.ms"],
    },
    MicrosoftService { name: "mcr", tag: "MicrosoftContainerRegistry.{region}", fqdns: &["mcr.microsoft.com"] },
    MicrosoftService { name: "mcr-data", tag: "AzureFrontDoor.FirstParty", fqdns: &["*.data.mcr.microsoft.com"] },
    MicrosoftService {
        name: "batch",
        tag: "BatchNodeManagement.{region}",
        fqdns: &[
            "{region}.service.batch.azure.com",
            "*.{region}.service.batch.azure.com",
            "*.{region}.batch.azure.com",
        ],
    },
    MicrosoftService {
        name: "azureml-service",
        tag: "AzureMachineLearning.{region}",
        fqdns: &[
            "{region}.api.azureml.ms",
            "{region}.experiments.azureml.net",
            "{region}.tundra.azureml.ms",
            "*.tundra.{region}.api.azureml.ms",
            "*.modelmanagement.azureml.net",
        ],
    },
    MicrosoftService {
        name: "azure-monitor",
        tag: "AzureMonitor",
        fqdns: &[
            "dc.applicationinsights.azure.com",
            "dc.applicationinsights.microsoft.com",
            "dc.services.visualstudio.com",
        ],
    },
    MicrosoftService { name: "vscode-blob", tag: "Storage", fqdns: &["vscode.blob.core.windows.net"] },
];

/// The Microsoft-managed storage that AML compute uses for its own management (Batch's storage,
/// 003 "Microsoft storage"): a built-in storage account in `Storage.<region>`, owned by
/// `AzureMachineLearning` so the `/services/Azure/MachineLearning` policy alias admits it (S-6).
/// The account name is synthetic.
pub const MANAGED_STORAGE: &str = "azureml-managed-storage";
pub const MANAGED_STORAGE_FQDN: &str = "amlmanaged{region}.blob.core.windows.net";

/// The name of the built-in account that stands for every undeclared storage account of a
/// region's `Storage` tag (of the parent tag when `region` is `None`).
pub fn any_storage_account(region: Option<&str>) -> String {
    match region {
        Some(r) => format!("any-storage-account.{r}"),
        None => "any-storage-account".to_string(),
    }
}

/// Built-in internet hosts: name and the last octet of its 203.0.113.0/24 address.
pub const INTERNET_HOSTS: [(&str, u8); 22] = [
    ("pypi.org", 20),
    ("files.pythonhosted.org", 21),
    ("anaconda.com", 22),
    ("repo.anaconda.com", 23),
    ("anaconda.org", 24),
    ("conda.anaconda.org", 25),
    ("pytorch.org", 26),
    ("download.pytorch.org", 27),
    ("www.tensorflow.org", 28),
    ("cloud.r-project.org", 29),
    ("ghcr.io", 30),
    ("pkg-containers.githubusercontent.com", 31),
    ("github.com", 32),
    ("archive.ubuntu.com", 33),
    ("security.ubuntu.com", 34),
    ("ppa.launchpad.net", 35),
    ("docker.io", 36),
    ("registry-1.docker.io", 37),
    ("huggingface.co", 38),
    ("cdn-lfs.huggingface.co", 39),
    ("code.visualstudio.com", 40),
    ("marketplace.visualstudio.com", 41),
];

/// Expands `{region}` in a built-in template.
pub fn expand(template: &str, region: &str) -> String {
    template.replace("{region}", region)
}

/// Azure's region pairs (both directions): storage service endpoints and their policies cover
/// a region and its pair (S-5).
const REGION_PAIRS: [(&str, &str); 12] = [
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("westus2", "westcentralus"),
    ("westus3", "eastus"),
    ("northcentralus", "southcentralus"),
    ("northeurope", "westeurope"),
    ("uksouth", "ukwest"),
    ("francecentral", "francesouth"),
    ("germanywestcentral", "germanynorth"),
    ("swedencentral", "swedensouth"),
    ("japaneast", "japanwest"),
    ("australiaeast", "australiasoutheast"),
];

/// The paired region of `region`, if the table knows it. `westus3` pairs with `eastus`, but
/// `eastus` pairs with `westus`: the first entry naming a region gives its pair.
pub fn paired_region(region: &str) -> Option<&'static str> {
    REGION_PAIRS.iter().find_map(|(a, b)| {
        if a.eq_ignore_ascii_case(region) {
            Some(*b)
        } else if b.eq_ignore_ascii_case(region) {
            Some(*a)
        } else {
            None
        }
    })
}

/// The Azure services whose undeclared resources public DNS still answers for: a name
/// `<resource>.<suffix>` that no scenario object holds is a **foreign** resource of the service
/// (someone else's account, vault or registry), in the service tag of the foreign region. The
/// exfiltration audit reasons about exactly these resources, so `trace` can show one.
pub struct ForeignService {
    /// The name suffix after the resource's own label.
    pub suffix: &'static str,
    /// What the resource is, in words (`storage account`, `key vault`, ...).
    pub kind: &'static str,
    /// The service tag its address is drawn from (`Tag.<region>`, else `Tag`).
    pub tag: &'static str,
}

pub const FOREIGN_SERVICES: [ForeignService; 8] = [
    ForeignService { suffix: "blob.core.windows.net", kind: "storage account", tag: "Storage" },
    ForeignService { suffix: "file.core.windows.net", kind: "storage account", tag: "Storage" },
    ForeignService { suffix: "queue.core.windows.net", kind: "storage account", tag: "Storage" },
    ForeignService { suffix: "table.core.windows.net", kind: "storage account", tag: "Storage" },
    ForeignService { suffix: "dfs.core.windows.net", kind: "storage account", tag: "Storage" },
    ForeignService { suffix: "vault.azure.net", kind: "key vault", tag: "AzureKeyVault" },
    ForeignService { suffix: "azurecr.io", kind: "container registry", tag: "AzureContainerRegistry" },
    ForeignService { suffix: "database.windows.net", kind: "SQL server", tag: "Sql" },
];

/// The foreign service `name` is a resource of: one label (`acct`) before a suffix of
/// [`FOREIGN_SERVICES`]. Deeper names (`a.b.blob.core.windows.net`) are no resource's.
pub fn foreign_service_of(name: &str) -> Option<usize> {
    FOREIGN_SERVICES.iter().position(|f| {
        (name.strip_suffix(f.suffix).and_then(|head| head.strip_suffix('.')))
            .is_some_and(|label| !label.is_empty() && !label.contains('.'))
    })
}

/// Whether `name` is under a suffix of [`FOREIGN_SERVICES`] at any depth: such a name is a
/// resource of the service or, in any other shape, no name at all.
pub fn under_foreign_service(name: &str) -> bool {
    FOREIGN_SERVICES.iter().any(|f| name.strip_suffix(f.suffix).is_some_and(|head| head.ends_with('.')))
}

/// Where undeclared internet names may resolve: the /16 blocks 198.18.0.0/16 (set aside for
/// benchmarking, RFC 2544) up to 198.255.0.0/16, in order. A fabric takes the first block that
/// nothing in its scenario tells apart from the internet around it (no rule, route, tag or
/// address draws a boundary in it), so a stand-in never lands in a partner's range.
pub fn stand_in_candidates() -> impl Iterator<Item = Ipv4Addr> {
    (18..=255u8).map(|second| Ipv4Addr::new(198, second, 0, 0))
}

/// The first stand-in candidate, and the block used when a scenario mentions every one.
pub const STAND_IN_FIRST: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 0);

/// The prefix length of a stand-in block.
pub const STAND_IN_PREFIX_LEN: u8 = 16;

/// The stand-in address of an undeclared internet name in `block` (a /16 of
/// [`stand_in_candidates`]): FNV-1a (64 bit) of the lower-case name, folded into the block's
/// hosts (never its first or last address). The same name gets the same address on every run
/// and machine, so a firewall's FQDN rule and a client resolving the name agree; two names
/// share one with odds of about one in 65,000 per pair.
pub fn stand_in_address(name: &str, block: Ipv4Addr) -> Ipv4Addr {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        hash = (hash ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3);
    }
    let hosts = (1u64 << (32 - STAND_IN_PREFIX_LEN)) - 2;
    let offset = 1 + (hash % hosts) as u32;
    Ipv4Addr::from(u32::from(block) + offset)
}

/// Special-use top-level domains (RFC 6761, RFC 6762, RFC 8375, ICANN's `.internal`) that public
/// DNS never answers: names under them stay NXDOMAIN rather than getting a stand-in.
const SPECIAL_USE_TLDS: [&str; 7] = ["example", "test", "invalid", "localhost", "local", "internal", "arpa"];

/// Whether public DNS would answer `name` if it existed on the internet: at least two labels,
/// not under a special-use domain, and not a `privatelink` name (those exist only in private
/// zones and as CNAME targets, D-1).
pub fn is_public_internet_name(name: &str) -> bool {
    let Some((_, tld)) = name.rsplit_once('.') else { return false };
    !SPECIAL_USE_TLDS.iter().any(|t| tld.eq_ignore_ascii_case(t))
        && !name.split('.').any(|label| label.eq_ignore_ascii_case("privatelink"))
}

#[cfg(test)]
mod foreign_tests {
    use super::*;

    #[test]
    fn a_foreign_resource_is_one_label_before_a_service_suffix() {
        let kind = |n: &str| foreign_service_of(n).map(|i| FOREIGN_SERVICES[i].kind);
        assert_eq!(kind("someone.blob.core.windows.net"), Some("storage account"));
        assert_eq!(kind("x.dfs.core.windows.net"), Some("storage account"));
        assert_eq!(kind("kv1.vault.azure.net"), Some("key vault"));
        assert_eq!(kind("acr1.azurecr.io"), Some("container registry"));
        assert_eq!(kind("a.b.blob.core.windows.net"), None);
        assert_eq!(kind("blob.core.windows.net"), None);
        assert_eq!(kind("xblob.core.windows.net"), None);
        assert_eq!(kind("example.com"), None);
        assert!(under_foreign_service("a.b.blob.core.windows.net"));
        assert!(!under_foreign_service("xblob.core.windows.net"));
    }

    #[test]
    fn stand_in_addresses_are_stable_distinct_and_inside_their_block() {
        let block = stand_in_candidates().next().unwrap();
        assert_eq!(block, STAND_IN_FIRST);
        let a = stand_in_address("example.com", block);
        assert_eq!(a, stand_in_address("EXAMPLE.com", block));
        assert_ne!(a, stand_in_address("example.org", block));
        let net = u32::from(block);
        for name in ["example.com", "a.b.c.d", "evilpytorch.org", ""] {
            let v = u32::from(stand_in_address(name, block));
            assert!(v > net && v < net + (1 << 16) - 1, "{name} -> {}", Ipv4Addr::from(v));
        }
        // Pinned so a change of the hash shows up as a change of every stand-in in outputs.
        assert_eq!(stand_in_address("example.com", block), Ipv4Addr::new(198, 18, 133, 233));
        assert_eq!(stand_in_candidates().last(), Some(Ipv4Addr::new(198, 255, 0, 0)));
    }

    #[test]
    fn special_use_single_label_and_privatelink_names_are_not_public() {
        assert!(is_public_internet_name("example.com"));
        assert!(is_public_internet_name("evilpytorch.org"));
        for n in ["localhost", "host.local", "db.corp.internal", "a.example", "x.test", "1.0.0.10.in-addr.arpa"] {
            assert!(!is_public_internet_name(n), "{n}");
        }
        assert!(!is_public_internet_name("acct.privatelink.blob.core.windows.net"));
    }
}
