//! Private DNS zones and DNS servers (D-1..D-10).

use crate::name_pattern::{self, NamePattern};
use crate::{IpAddr, PrivateEndpointId, VnetId};

/// A link from a private zone to a VNet: Azure DNS queried from that VNet sees the zone (D-3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneLink {
    pub vnet: VnetId,
    /// `resolutionPolicy: NxDomainRedirect`: a name missing from a privatelink zone falls back to
    /// public resolution instead of NXDOMAIN (D-5 step 4).
    pub nxdomain_redirect: bool,
}

/// Where a record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordSource {
    /// Written in the scenario.
    Manual,
    /// Registered by a private endpoint's DNS zone group.
    PrivateEndpoint(PrivateEndpointId),
}

/// An A record; `name` is relative to the zone and may start with `*.`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    pub name: String,
    pub address: IpAddr,
    pub source: RecordSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivateDnsZone {
    /// Lower case, e.g. `privatelink.blob.core.windows.net`.
    pub name: String,
    pub links: Vec<ZoneLink>,
    pub records: Vec<DnsRecord>,
}

impl PrivateDnsZone {
    /// The name relative to the zone, if the zone holds it (`a.b.zone` → `a.b`; the apex → `@`).
    /// Without case (D-1), like [`name_pattern::relative_to`].
    pub fn relative<'n>(&self, fqdn: &'n str) -> Option<&'n str> {
        name_pattern::relative_to(fqdn, &self.name)
    }

    /// The record answering `relative`: an exact name, else the closest wildcard (`*.b` for `a.b`),
    /// else `*` (D-9); names without case (D-1).
    pub fn lookup(&self, relative: &str) -> Option<&DnsRecord> {
        // Later records replace earlier ones with the same name (one A record per name, D-9).
        let find = |pattern: NamePattern<&str>| {
            self.records.iter().rev().find(|r| NamePattern::parse(&r.name).is_ok_and(|p| p.same_as(&pattern)))
        };
        let exact = self.records.iter().rev().find(|r| r.name.eq_ignore_ascii_case(relative));
        exact
            .or_else(|| name_pattern::parents(relative).find_map(|(_, parent)| find(NamePattern::Wildcard { parent })))
            .or_else(|| find(NamePattern::Any))
    }
}

/// A conditional forwarder: queries for names in `zone` go to `servers` (D-5 step 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionalForwarder {
    pub zone: String,
    pub servers: Vec<IpAddr>,
}

/// What a DNS server does with a query it cannot answer itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsForwarding {
    /// Where everything else goes. Empty: the server resolves public names itself (recursion
    /// from the internet), which never sees private zones.
    pub forwarders: Vec<IpAddr>,
    pub conditional: Vec<ConditionalForwarder>,
}

impl DnsForwarding {
    /// The servers for `name`: the conditional forwarder with the longest matching zone, else
    /// the default forwarders. The second value is the matching zone.
    pub fn servers_for(&self, name: &str) -> (&[IpAddr], Option<&str>) {
        let best =
            self.conditional.iter().filter(|c| name_pattern::name_in_zone(name, &c.zone)).max_by_key(|c| c.zone.len());
        match best {
            Some(c) => (&c.servers, Some(&c.zone)),
            None => (&self.forwarders, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ipv4Addr;

    fn record(name: &str, last: u8) -> DnsRecord {
        DnsRecord {
            name: name.into(),
            address: IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)),
            source: RecordSource::Manual,
        }
    }

    #[test]
    fn zone_lookup_prefers_exact_then_closest_wildcard() {
        let zone = PrivateDnsZone {
            name: "privatelink.api.azureml.ms".into(),
            links: vec![],
            records: vec![record("*.ws1.inference.eastus", 5), record("ws1.workspace.eastus", 6), record("*", 7)],
        };
        let rel = zone.relative("ep.ws1.inference.eastus.privatelink.api.azureml.ms").unwrap();
        assert_eq!(zone.lookup(rel).unwrap().address, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)));
        assert_eq!(zone.lookup("ws1.workspace.eastus").unwrap().address, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 6)));
        assert_eq!(zone.lookup("other").unwrap().address, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7)));
        assert_eq!(zone.relative("xprivatelink.api.azureml.ms"), None);
    }

    #[test]
    fn conditional_forwarder_longest_zone_wins() {
        let f = DnsForwarding {
            forwarders: vec![IpAddr::V4(Ipv4Addr::new(8, 8, 8, 8))],
            conditional: vec![
                ConditionalForwarder {
                    zone: "core.windows.net".into(),
                    servers: vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 4))],
                },
                ConditionalForwarder {
                    zone: "blob.core.windows.net".into(),
                    servers: vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))],
                },
            ],
        };
        assert_eq!(f.servers_for("a.blob.core.windows.net").1, Some("blob.core.windows.net"));
        assert_eq!(f.servers_for("a.file.core.windows.net").1, Some("core.windows.net"));
        assert_eq!(f.servers_for("pypi.org").1, None);
        assert_eq!(f.servers_for("A.Blob.Core.Windows.NET").1, Some("blob.core.windows.net"));
        assert!(!name_pattern::name_in_zone("xcore.windows.net", "core.windows.net"));
    }

    /// D-1: DNS names are case-insensitive: a zone holds its names in any case, and its records
    /// answer them.
    #[test]
    fn d1_zone_names_and_records_ignore_case() {
        let zone = PrivateDnsZone {
            name: "privatelink.api.azureml.ms".into(),
            links: vec![],
            records: vec![record("*.ws1.inference.eastus", 5), record("ws1.workspace.eastus", 6)],
        };
        let rel = zone.relative("WS1.Workspace.EastUS.PrivateLink.API.AzureML.ms").unwrap();
        assert_eq!(rel, "WS1.Workspace.EastUS");
        assert_eq!(zone.lookup(rel).unwrap().address, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 6)));
        let rel = zone.relative("ep.WS1.Inference.eastus.privatelink.api.azureml.ms").unwrap();
        assert_eq!(zone.lookup(rel).unwrap().address, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)));
        assert_eq!(zone.relative("PRIVATELINK.api.azureml.ms"), Some("@"));
        assert_eq!(zone.lookup("other"), None);
    }
}
