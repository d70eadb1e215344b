//! Compile step 3: point lookups by address and name: NICs, peer address spaces, services,
//! DNS names (D-1) and zone links (D-3).

use super::names::NameIndex;
use super::peerings::PeeringIndex;
use crate::lpm::{IntervalLookup, PrefixLookup};
use rustc_hash::{FxHashMap, FxHashSet};
use vnetsim_model::*;

pub(super) struct Lookups {
    pub nic_by_ip: FxHashMap<(VnetId, IpAddr), NicId>,
    pub nic_by_public_ip: FxHashMap<IpAddr, NicId>,
    pub machine_public_ip: Vec<bool>,
    pub peer_lookup: Vec<IntervalLookup>,
    pub service_by_public_ip: FxHashMap<IpAddr, ServiceId>,
    pub foreign_by_prefix: IntervalLookup,
    pub public_names: NameIndex,
    pub privatelink_names: NameIndex,
    pub private_link_targets: FxHashSet<(ServiceId, &'static str)>,
    pub zone_links: Vec<Vec<(ZoneId, ZoneLink)>>,
}

impl Lookups {
    pub fn build(scenario: &Scenario, peerings: &PeeringIndex) -> Lookups {
        let mut nic_by_ip = FxHashMap::default();
        let mut nic_by_public_ip = FxHashMap::default();
        for (i, n) in scenario.nics.iter().enumerate() {
            let id = NicId::from_index(i);
            nic_by_ip.insert((scenario.subnet(n.subnet).vnet, n.private_ip), id);
            if let Some(p) = n.public_ip {
                nic_by_public_ip.insert(p, id);
            }
        }
        let peer_lookup = (0..scenario.vnets.len())
            .map(|v| {
                let own = scenario.vnets[v].address_space.iter().map(move |p| (*p, v as u32));
                let peers = peerings.connected_by_vnet[v].iter().flat_map(|l| {
                    let remote = scenario.peerings[l.index()].remote;
                    scenario.vnet(remote).address_space.iter().map(move |p| (*p, remote.0))
                });
                IntervalLookup::build(own.chain(peers))
            })
            .collect();
        let machines_with_public_ip: FxHashSet<(EndpointId, u32)> =
            scenario.nics.iter().filter(|n| n.public_ip.is_some()).map(|n| (n.endpoint, n.node)).collect();
        let machine_public_ip =
            scenario.nics.iter().map(|n| machines_with_public_ip.contains(&(n.endpoint, n.node))).collect();
        let service_by_public_ip = (scenario.services.iter().enumerate())
            .filter(|(_, s)| !s.foreign)
            .map(|(i, s)| (s.public_ip, ServiceId::from_index(i)))
            .collect();
        // Regional accounts go in after the parent's, so a prefix both tags list (Microsoft's
        // file repeats them) belongs to the region.
        let mut foreign: Vec<(usize, &Service)> =
            scenario.services.iter().enumerate().filter(|(_, s)| s.foreign).collect();
        foreign.sort_by_key(|(_, s)| !s.region.is_empty());
        let foreign_by_prefix = IntervalLookup::build(foreign.into_iter().flat_map(|(i, s)| {
            let tag = s.tag.as_deref().and_then(|t| scenario.service_tags.get(t));
            tag.into_iter().flat_map(move |t| t.prefixes.iter().map(move |p| (*p, i as u32)))
        }));
        let (mut public_names, mut privatelink_names) = (NameIndex::default(), NameIndex::default());
        for (i, n) in scenario.service_names.iter().enumerate() {
            public_names.insert(&n.fqdn, i as u32);
            if let Some(p) = &n.privatelink {
                privatelink_names.insert(p, i as u32);
            }
        }
        let private_link_targets = scenario.private_endpoints.iter().map(|pe| (pe.target, pe.subresource)).collect();
        let mut zone_links = vec![Vec::new(); scenario.vnets.len()];
        for (i, z) in scenario.zones.iter().enumerate() {
            for link in &z.links {
                zone_links[link.vnet.index()].push((ZoneId::from_index(i), link.clone()));
            }
        }
        Lookups {
            nic_by_ip,
            nic_by_public_ip,
            machine_public_ip,
            peer_lookup,
            service_by_public_ip,
            foreign_by_prefix,
            public_names,
            privatelink_names,
            private_link_targets,
            zone_links,
        }
    }
}
