//! Which classes a change can touch, so that the diff walks only those.
//!
//! A walk reads the fabric where the packet is (see `vnetsim_engine::fabric::digest`). A place
//! whose digest differs between the two fabrics is *changed*: a subnet, a service or an
//! on-premises network. A packet can be in a changed subnet only if it was sent from there, or
//! entered it: its destination is in the subnet, at a public address or frontend leading there,
//! or routed to an appliance or gateway there (`Fabric::subnet_entries`); a DNAT rule that
//! translates to such an address leads there too. It meets a changed service or on-premises
//! network only at their addresses. Replies go back to the source's address, so a source whose
//! own address is in that region, or whose subnet changed, has every class walked. Every other
//! source walks only the address pieces inside the region; the rest take the same path, past
//! the same rules, in both fabrics.

use rustc_hash::FxHashMap;
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::fabric::digest::Digest;
use vnetsim_model::{IpAddr, IpNet, NicId, OnPremId, ServiceId, SubnetId};

/// The classes a change can touch.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Every class of every source: fabric-wide tables differ, or the user asked for it.
    pub everything: bool,
    /// Changed subnets, as `vnet/subnet`.
    pub subnets: Vec<String>,
    /// Changed services and on-premises networks, by name.
    pub places: Vec<String>,
    /// Destination addresses where a packet can meet a change: sorted, disjoint, inclusive.
    pub region: Vec<(u32, u32)>,
}

/// Digests of the places of one kind, by name.
fn digests<I: Copy>(
    fabric: &Fabric,
    ids: impl Iterator<Item = I>,
    name: impl Fn(I) -> String,
    digest: impl Fn(&Fabric, I) -> Digest,
) -> FxHashMap<String, (I, Digest)> {
    ids.map(|i| (name(i), (i, digest(fabric, i)))).collect()
}

/// The names whose digests differ or that exist on one side only, in a stable order, with the
/// ids on each side.
fn changed<I: Copy>(
    before: &FxHashMap<String, (I, Digest)>,
    after: &FxHashMap<String, (I, Digest)>,
) -> Vec<(String, Option<I>, Option<I>)> {
    let mut out: Vec<_> = (before.keys().chain(after.keys()))
        .filter(|k| before.get(*k).map(|v| v.1) != after.get(*k).map(|v| v.1))
        .map(|k| (k.clone(), before.get(k).map(|v| v.0), after.get(k).map(|v| v.0)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

fn v4_range(net: &IpNet) -> Option<(u32, u32)> {
    match net {
        IpNet::V4(n) => Some((u32::from(n.network()), u32::from(n.broadcast()))),
        IpNet::V6(_) => None,
    }
}

fn v4(ip: IpAddr) -> Option<u32> {
    match ip {
        IpAddr::V4(a) => Some(u32::from(a)),
        IpAddr::V6(_) => None,
    }
}

/// Sorts and merges overlapping or adjacent ranges.
fn normalise(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if u64::from(lo) <= u64::from(last.1) + 1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

impl Scope {
    /// Compares the places of two fabrics. `everything` walks every class regardless.
    pub fn new(before: &Fabric, after: &Fabric, everything: bool) -> Scope {
        let everything = everything || before.global_digest() != after.global_digest();
        let mut scope = Scope { everything, ..Scope::default() };
        let mut entries: Vec<IpNet> = Vec::new();

        let subnets = |f: &Fabric| {
            let ids = (0..f.scenario.subnets.len()).map(SubnetId::from_index);
            digests(f, ids, |i| f.scenario.subnet_path(i), Fabric::subnet_digest)
        };
        for (path, b, a) in changed(&subnets(before), &subnets(after)) {
            b.into_iter().for_each(|i| entries.extend(before.subnet_entries(i)));
            a.into_iter().for_each(|i| entries.extend(after.subnet_entries(i)));
            scope.subnets.push(path);
        }

        let services = |f: &Fabric| {
            let ids = (0..f.scenario.services.len()).map(ServiceId::from_index);
            digests(f, ids, |i| f.scenario.service(i).name.clone(), Fabric::service_digest)
        };
        for (name, b, a) in changed(&services(before), &services(after)) {
            b.into_iter().for_each(|i| entries.extend(before.service_entries(i)));
            a.into_iter().for_each(|i| entries.extend(after.service_entries(i)));
            scope.places.push(name);
        }

        let on_prem = |f: &Fabric| {
            let ids = (0..f.scenario.on_prem.len()).map(OnPremId::from_index);
            digests(f, ids, |i| f.scenario.on_prem[i.index()].name.clone(), Fabric::on_prem_digest)
        };
        for (name, b, a) in changed(&on_prem(before), &on_prem(after)) {
            b.into_iter().for_each(|i| entries.extend(before.scenario.on_prem[i.index()].prefixes.iter().copied()));
            a.into_iter().for_each(|i| entries.extend(after.scenario.on_prem[i.index()].prefixes.iter().copied()));
            scope.places.push(name);
        }

        scope.region = normalise(entries.iter().filter_map(v4_range).collect());
        scope.close_over_translations(before, after);
        scope
    }

    /// F-5: a packet to a DNAT rule's public address goes on to the translated one.
    fn close_over_translations(&mut self, before: &Fabric, after: &Fabric) {
        let pairs: Vec<(u32, u32)> = (before.translations().chain(after.translations()))
            .filter_map(|(public, translated)| Some((v4(public)?, v4(translated)?)))
            .collect();
        loop {
            let added: Vec<(u32, u32)> = pairs
                .iter()
                .filter(|(public, translated)| self.holds(*translated) && !self.holds(*public))
                .map(|(public, _)| (*public, *public))
                .collect();
            if added.is_empty() {
                return;
            }
            self.region.extend(added);
            self.region = normalise(std::mem::take(&mut self.region));
        }
    }

    fn holds(&self, address: u32) -> bool {
        let i = self.region.partition_point(|(_, hi)| *hi < address);
        self.region.get(i).is_some_and(|(lo, _)| *lo <= address)
    }

    /// Whether the fabrics differ anywhere a walk reads.
    pub fn is_empty(&self) -> bool {
        !self.everything && self.subnets.is_empty() && self.places.is_empty()
    }

    /// Whether every class of `source` must be walked: everything is, its subnet changed, or
    /// replies to it can meet a change.
    pub fn covers_source(&self, fabric: &Fabric, source: NicId) -> bool {
        let nic = fabric.scenario.nic(source);
        self.everything
            || self.subnets.contains(&fabric.scenario.subnet_path(nic.subnet))
            || v4(nic.private_ip).is_some_and(|a| self.holds(a))
    }

    /// Whether packets to the address piece `lo..=hi` can meet a change.
    pub fn touches(&self, (lo, hi): (u32, u32)) -> bool {
        let i = self.region.partition_point(|(_, end)| *end < lo);
        self.everything || self.region.get(i).is_some_and(|(start, _)| *start <= hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_lookups_find_overlaps() {
        let scope = Scope { region: normalise(vec![(10, 20), (21, 30), (50, 60), (55, 70)]), ..Scope::default() };
        assert_eq!(scope.region, vec![(10, 30), (50, 70)]);
        assert!(scope.touches((0, 10)) && scope.touches((30, 49)) && scope.touches((70, 80)));
        assert!(!scope.touches((0, 9)) && !scope.touches((31, 49)) && !scope.touches((71, u32::MAX)));
        assert!(scope.holds(10) && scope.holds(70) && !scope.holds(40));
    }
}
