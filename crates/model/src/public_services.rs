//! Microsoft's public services and the internet hosts the Azure ML documentation requires
//! built into every scenario so their names resolve and their traffic can be traced.
//!
//! Microsoft services get public IPs inside their service tag (so tag rules cover them). Internet
//! hosts get **synthetic** addresses from 203.0.113.0/24 (TEST-NET-3, RFC 5737): real
//! addresses change and are not the point; what matters is that they are internet addresses
//! outside every Azure tag.

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
