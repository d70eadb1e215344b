//! Azure Firewall and its policy (F-1..F-16).

use crate::name_pattern::NamePattern;
use crate::{Access, EndpointId, IpAddr, IpNet, NicId, PortSet, Protocol, VnetId};
use serde::Serialize;
use std::fmt;

/// The subnet Azure requires for a firewall.
pub const FIREWALL_SUBNET: &str = "AzureFirewallSubnet";

/// An Azure Firewall: a stateful appliance whose private IP is the next hop of UDRs, with public
/// IPs for SNAT to the internet and DNAT from it.
#[derive(Clone, Debug)]
pub struct Firewall {
    pub name: String,
    pub vnet: VnetId,
    pub endpoint: EndpointId,
    /// The NIC holding the private IP in `AzureFirewallSubnet`.
    pub nic: NicId,
    pub public_ips: Vec<IpAddr>,
    pub policy: FirewallPolicy,
}

/// The three kinds of rule collection, in the order the firewall passes over them (F-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Dnat,
    Network,
    Application,
}

impl RuleKind {
    pub const ALL: [RuleKind; 3] = [RuleKind::Dnat, RuleKind::Network, RuleKind::Application];

    pub const fn name(self) -> &'static str {
        match self {
            RuleKind::Dnat => "dnat",
            RuleKind::Network => "network",
            RuleKind::Application => "application",
        }
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// F-2: a policy holds rule collection groups, which hold rule collections, which hold rules.
#[derive(Clone, Debug, Default)]
pub struct FirewallPolicy {
    pub name: String,
    /// F-11: the firewall answers DNS on its private IP and forwards to `dns_servers`.
    pub dns_proxy: bool,
    /// Where the firewall resolves names; empty means Azure DNS.
    pub dns_servers: Vec<IpAddr>,
    /// F-12: network-rule traffic to these ranges keeps its source. IANA private ranges
    /// (RFC 1918 and RFC 6598) by default.
    pub snat_private_ranges: Vec<IpNet>,
    /// Groups of the parent policy first, then this policy's (F-3), each as written.
    pub groups: Vec<RuleCollectionGroup>,
}

#[derive(Clone, Debug)]
pub struct RuleCollectionGroup {
    pub name: String,
    /// 100 (first) to 65000 (F-2).
    pub priority: u16,
    /// How many policies up the group comes from: 0 for the policy's own, 1 for its parent's,
    /// 2 for the grandparent's. Ancestors' groups come first, the furthest first (F-3).
    pub level: u8,
    pub collections: Vec<RuleCollection>,
}

impl RuleCollectionGroup {
    /// Whether the group comes from a parent policy.
    pub fn inherited(&self) -> bool {
        self.level > 0
    }
}

#[derive(Clone, Debug)]
pub struct RuleCollection {
    pub name: String,
    pub priority: u16,
    pub kind: RuleKind,
    /// DNAT collections always allow (F-5).
    pub action: Access,
    pub rules: Vec<FirewallRule>,
}

/// One source or destination entry of a firewall rule. IP groups are expanded to their prefixes
/// when the scenario is read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FirewallAddress {
    Any,
    Prefix(IpNet),
    /// A service tag by its canonical name (destinations of network rules only, F-6).
    ServiceTag(String),
    /// An FQDN the firewall resolves itself (network rules with DNS proxy only, F-7).
    Fqdn(String),
}

/// An application rule's protocol and port, e.g. `Https:443` (F-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct AppProtocol {
    pub kind: AppProtocolKind,
    pub port: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub enum AppProtocolKind {
    Http,
    Https,
    Mssql,
}

impl AppProtocolKind {
    pub const NAMES: [&'static str; 3] = ["Http", "Https", "Mssql"];

    pub fn parse(s: &str) -> Option<Self> {
        let all = [AppProtocolKind::Http, AppProtocolKind::Https, AppProtocolKind::Mssql];
        Self::NAMES.iter().position(|n| n.eq_ignore_ascii_case(s)).map(|i| all[i])
    }

    pub fn name(self) -> &'static str {
        match self {
            AppProtocolKind::Http => "Http",
            AppProtocolKind::Https => "Https",
            AppProtocolKind::Mssql => "Mssql",
        }
    }

    /// The port a protocol written without one uses.
    pub fn default_port(self) -> u16 {
        match self {
            AppProtocolKind::Http => 80,
            AppProtocolKind::Https => 443,
            AppProtocolKind::Mssql => 1433,
        }
    }
}

impl fmt::Display for AppProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.port)
    }
}

#[derive(Clone, Debug)]
pub struct FirewallRule {
    pub name: String,
    pub sources: Vec<FirewallAddress>,
    pub matcher: RuleMatch,
}

/// What a rule matches beyond its sources.
#[derive(Clone, Debug)]
pub enum RuleMatch {
    /// F-6: protocols (empty = any), destinations and destination ports.
    Network { protocols: Vec<Protocol>, destinations: Vec<FirewallAddress>, ports: PortSet },
    /// F-8, F-9: protocol:port pairs and target FQDNs (`*` only leading: `*`, `*.x`, `*x`).
    /// `target_fqdns` holds the rule's own targets, then the hosts of each of its FQDN tags in
    /// order ([`crate::fqdn_tags`]); `fqdn_tags` keeps the tags' canonical names for the trace.
    Application { protocols: Vec<AppProtocol>, target_fqdns: Vec<String>, fqdn_tags: Vec<String> },
    /// F-5: traffic to a firewall public IP and port, translated to an inside address and port.
    Dnat { protocols: Vec<Protocol>, destination: IpAddr, port: u16, translated: IpAddr, translated_port: u16 },
}

/// F-12: the IANA private ranges whose network-rule traffic is not SNATed.
pub fn iana_private_ranges() -> Vec<IpNet> {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
        .iter()
        .map(|p| p.parse().expect("valid prefix"))
        .collect()
}

/// Whether an FQDN pattern as a scenario may write it (F-9: `*.x` any depth under `x`, `*x` any
/// name ending in `x`, `*` everything) matches a name, by [`NamePattern::matches`]. Whether
/// `*.contoso.com` matches the apex `contoso.com` is unconfirmed: the documented reading is no,
/// `apex` turns it on. Names compare case-insensitively.
pub fn fqdn_matches(pattern: &str, name: &str, apex: bool) -> bool {
    match NamePattern::parse(pattern) {
        Ok(p) => p.matches(name, apex),
        // Rule checks refuse it: the text matches only itself.
        Err(_) => NamePattern::Exact(pattern).matches(name, apex),
    }
}

/// The targets an application rule names itself, without its FQDN tags' hosts.
pub fn own_targets<'a>(target_fqdns: &'a [String], fqdn_tags: &[String]) -> &'a [String] {
    let tagged: usize = fqdn_tags.iter().filter_map(|t| crate::fqdn_tags::fqdn_tag(t)).map(|(_, h)| h.len()).sum();
    &target_fqdns[..target_fqdns.len().saturating_sub(tagged)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f9_wildcards_match_any_depth_but_not_the_apex() {
        assert!(fqdn_matches("*.contoso.com", "a.contoso.com", false));
        assert!(fqdn_matches("*.contoso.com", "a.b.CONTOSO.com", false));
        assert!(!fqdn_matches("*.contoso.com", "contoso.com", false));
        assert!(fqdn_matches("*.contoso.com", "contoso.com", true));
        assert!(!fqdn_matches("*.contoso.com", "evilcontoso.com", true));
        assert!(fqdn_matches("*", "anything.example", false));
        assert!(fqdn_matches("pypi.org", "PyPI.org.", false));
        assert!(!fqdn_matches("pypi.org", "files.pypi.org", false));
    }

    /// F-9's field note: `*pytorch.org` is a plain suffix. The old reading matched the text
    /// `*pytorch.org` only itself, so none of these matched.
    #[test]
    fn f9_a_leading_star_without_a_dot_matches_every_name_ending_in_the_rest() {
        assert!(fqdn_matches("*pytorch.org", "pytorch.org", false));
        assert!(fqdn_matches("*pytorch.org", "download.PyTorch.org", false));
        assert!(fqdn_matches("*pytorch.org", "evilpytorch.org", false));
        assert!(!fqdn_matches("*pytorch.org", "pytorch.org.evil.example", false));
    }
}
