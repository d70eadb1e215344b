//! Azure Firewall FQDN tags (F-8): names an application rule may give instead of target FQDNs,
//! each standing for the hosts of a Microsoft service. The scenario loader expands a tag into its
//! hosts, so the firewall's application-rule index sees plain target FQDNs.
//!
//! Tag names: <https://learn.microsoft.com/azure/firewall/fqdn-tags> ("Current FQDN tags").
//! Microsoft does not publish the hosts behind a tag; each list below is the service's own
//! documented endpoint list where there is one, and its documented representative hosts otherwise:
//! - WindowsUpdate: "Configure a firewall for software updates" (Windows Server Update Services).
//! - WindowsDiagnostics: the Windows diagnostic data endpoints ("Configure Windows diagnostic data").
//! - MicrosoftActiveProtectionService: the Microsoft Defender Antivirus cloud protection (MAPS) URLs.
//! - AppServiceEnvironment: "Locking down an App Service Environment" (platform dependencies).
//! - AzureBackup: the Azure Backup service and storage URLs of "Azure VM backup ... network".
//! - AzureHDInsight: no list published; the platform's management and sign-in hosts.
//! - WindowsVirtualDesktop: "Required FQDNs and endpoints for Azure Virtual Desktop" (session hosts).
//! - AzureKubernetesService: "Outbound network and FQDN rules for AKS clusters" (required FQDNs;
//!   the API server's `*.hcp.<region>.azmk8s.io` is written `*.azmk8s.io`, as a tag has no region).
//! - MicrosoftIntune, Windows365: the services' documented network endpoints (representatives).
//! - Office365.*: the "Office 365 URLs and IP address ranges" categories (representatives).

/// The tags and their hosts, in the documentation's order. Patterns follow F-9 (`*` only leading).
pub const FQDN_TAGS: [(&str, &[&str]); 15] = [
    (
        "WindowsUpdate",
        &[
            "*.windowsupdate.microsoft.com",
            "*.update.microsoft.com",
            "*.windowsupdate.com",
            "download.microsoft.com",
            "*.download.microsoft.com",
            "wustat.windows.com",
            "ntservicepack.microsoft.com",
            "go.microsoft.com",
            "dl.delivery.mp.microsoft.com",
            "*.delivery.mp.microsoft.com",
        ],
    ),
    (
        "WindowsDiagnostics",
        &[
            "*.events.data.microsoft.com",
            "settings-win.data.microsoft.com",
            "watson.telemetry.microsoft.com",
            "*.watson.microsoft.com",
            "oca.telemetry.microsoft.com",
        ],
    ),
    (
        "MicrosoftActiveProtectionService",
        &[
            "wdcp.microsoft.com",
            "wdcpalt.microsoft.com",
            "*.wdcp.microsoft.com",
            "*.wd.microsoft.com",
            "definitionupdates.microsoft.com",
            "*.smartscreen.microsoft.com",
            "*.smartscreen-prod.microsoft.com",
        ],
    ),
    (
        "AppServiceEnvironment",
        &[
            "management.azure.com",
            "*.management.core.windows.net",
            "admin.core.windows.net",
            "*.update.microsoft.com",
            "*.ctldl.windowsupdate.com",
            "mcr.microsoft.com",
            "*.data.mcr.microsoft.com",
            "global.metrics.nsatc.net",
            "*.prod.warm.ingest.monitor.core.windows.net",
        ],
    ),
    (
        "AzureBackup",
        &[
            "*.backup.windowsazure.com",
            "*.blob.core.windows.net",
            "*.queue.core.windows.net",
            "*.blob.storage.azure.net",
            "login.microsoftonline.com",
            "login.windows.net",
        ],
    ),
    (
        "AzureHDInsight",
        &["*.azurehdinsight.net", "management.azure.com", "login.microsoftonline.com", "login.windows.net"],
    ),
    (
        "WindowsVirtualDesktop",
        &[
            "*.wvd.microsoft.com",
            "gcs.prod.monitoring.core.windows.net",
            "catalogartifact.azureedge.net",
            "*.prod.warm.ingest.monitor.core.windows.net",
            "mrsglobalsteus2prod.blob.core.windows.net",
            "wvdportalstorageblob.blob.core.windows.net",
            "oneocsp.microsoft.com",
            "www.microsoft.com",
        ],
    ),
    (
        "AzureKubernetesService",
        &[
            "*.azmk8s.io",
            "mcr.microsoft.com",
            "*.data.mcr.microsoft.com",
            "mcr-0001.mcr-msedge.net",
            "management.azure.com",
            "login.microsoftonline.com",
            "packages.microsoft.com",
            "acs-mirror.azureedge.net",
            "packages.aks.azure.com",
        ],
    ),
    ("MicrosoftIntune", &["*.manage.microsoft.com", "*.dm.microsoft.com", "enterpriseregistration.windows.net"]),
    ("Windows365", &["*.infra.windows365.microsoft.com", "*.cmdagent.trafficmanager.net", "*.wvd.microsoft.com"]),
    ("Office365.Exchange.Optimize", &["outlook.office.com", "outlook.office365.com"]),
    ("Office365.SharePoint.Optimize", &["*.sharepoint.com"]),
    ("Office365.Skype.Optimize", &["*.lync.com", "*.teams.microsoft.com", "teams.microsoft.com"]),
    ("Office365.Common.Default.Required", &["*.auth.microsoft.com", "*.msftidentity.com", "*.microsoftonline.com"]),
    ("Office365.Common.Allow.Required", &["*.office.com", "*.office.net"]),
];

/// A tag by name, ignoring case as the firewall does: its canonical name and hosts.
pub fn fqdn_tag(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    FQDN_TAGS.into_iter().find(|(tag, _)| tag.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name_pattern::NamePattern;

    #[test]
    fn every_host_is_a_pattern_the_firewall_takes() {
        for (tag, hosts) in FQDN_TAGS {
            assert!(!hosts.is_empty(), "{tag}");
            for host in hosts {
                assert!(NamePattern::parse(host).is_ok(), "{tag}: {host}");
            }
        }
    }

    #[test]
    fn tags_are_found_ignoring_case() {
        assert_eq!(fqdn_tag("windowsupdate").map(|(n, _)| n), Some("WindowsUpdate"));
        assert!(fqdn_tag("AzureKubernetesService").unwrap().1.contains(&"mcr.microsoft.com"));
        assert!(fqdn_tag("NoSuchTag").is_none());
    }
}
