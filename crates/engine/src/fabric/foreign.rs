//! The resources public DNS answers for that the scenario does not declare: another tenant's
//! storage account, key vault, registry or SQL server (`public_services::FOREIGN_SERVICES`), in
//! the foreign region (`options.foreign_region`, else the scenario's).
//!
//! Each service gets one address of its tag that nothing in the scenario holds, so the walk
//! meets what Azure would put there: for storage, the foreign account of that region (the
//! exfiltration audit's "any storage account", `Fabric::service_at` by prefix); for the others,
//! an Azure public address with no service of the scenario behind it. Undeclared internet names
//! resolve in a stand-in block the scenario does not mention (`stand_in_block`).

use super::Fabric;
use rustc_hash::{FxHashMap, FxHashSet};
use vnetsim_model::public_services::{FOREIGN_SERVICES, STAND_IN_FIRST, STAND_IN_PREFIX_LEN, stand_in_candidates};
use vnetsim_model::{IpAddr, IpNet, Ipv4Addr, Scenario, ServiceId, ServiceKind};

/// What an undeclared name of a foreign service resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignResource {
    pub address: IpAddr,
    /// The tag the address was drawn from (`Storage.eastus`).
    pub tag: String,
    /// The scenario's stand-in service for the resource (storage's foreign account), if any.
    pub service: Option<ServiceId>,
}

/// Per entry of `FOREIGN_SERVICES`: its resource, `None` when the tag table lacks the tag.
#[derive(Debug, Default)]
pub struct ForeignResources(Vec<Option<ForeignResource>>);

impl ForeignResources {
    pub fn build(scenario: &Scenario, region: &str, held: &FxHashMap<IpAddr, ServiceId>) -> ForeignResources {
        let s = scenario;
        let taken: FxHashSet<IpAddr> = (held.keys().copied())
            .chain(s.nics.iter().filter_map(|n| n.public_ip))
            .chain(s.firewalls.iter().flat_map(|f| f.public_ips.iter().copied()))
            .chain(s.nat_gateways.iter().flat_map(|g| g.public_ips.iter().copied()))
            .chain(s.load_balancers.iter().map(|lb| lb.frontend))
            .collect();
        let resources = FOREIGN_SERVICES.iter().map(|f| {
            let regional = format!("{}.{region}", f.tag);
            let tag = scenario.service_tags.get(&regional).or_else(|| scenario.service_tags.get(f.tag))?;
            // The last hosts of the tag: declared services are drawn from its start.
            let address = tag.prefixes.iter().find_map(|p| {
                let IpNet::V4(p) = p else { return None };
                let (broadcast, hosts) = (u32::from(p.broadcast()), (1u64 << (32 - p.prefix_len())).saturating_sub(2));
                (1..=hosts.min(1 << 16) as u32)
                    .map(|k| IpAddr::V4(Ipv4Addr::from(broadcast - k)))
                    .find(|ip| !taken.contains(ip))
            })?;
            let service = (scenario.services.iter().enumerate())
                .filter(|(_, s)| s.foreign && s.kind == ServiceKind::StorageAccount && f.tag == "Storage")
                .find(|(_, s)| s.tag.as_deref() == Some(tag.name.as_str()))
                .map(|(i, _)| ServiceId::from_index(i));
            Some(ForeignResource { address, tag: tag.name.clone(), service })
        });
        ForeignResources(resources.collect())
    }

    /// The resource of entry `index` of `FOREIGN_SERVICES`.
    pub fn get(&self, index: usize) -> Option<&ForeignResource> {
        self.0.get(index)?.as_ref()
    }
}

/// The block undeclared internet names resolve in: the first of
/// `public_services::stand_in_candidates` that lies strictly inside one piece of the fabric's
/// cuts, so no rule, route, tag or address of the scenario tells its addresses apart from the
/// internet around them; the first candidate when the scenario draws boundaries in every one.
pub fn stand_in_block(fabric: &Fabric) -> Ipv4Addr {
    let pieces = fabric.cuts().finish().addresses;
    let span = 1u32 << (32 - STAND_IN_PREFIX_LEN);
    let unmentioned = |block: &Ipv4Addr| {
        let (lo, hi) = (u32::from(*block), u32::from(*block) + (span - 1));
        let i = pieces.partition_point(|&(_, piece_hi)| piece_hi < lo);
        pieces.get(i).is_some_and(|&(piece_lo, piece_hi)| piece_lo < lo && piece_hi > hi)
    };
    stand_in_candidates().find(unmentioned).unwrap_or(STAND_IN_FIRST)
}
