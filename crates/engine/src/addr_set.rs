//! Sets of addresses as sorted, disjoint, merged intervals: what an NSG rule's source or
//! destination becomes once prefixes, service tags and ASGs are expanded. Membership is a binary
//! search and allocates nothing.

use crate::intervals::Bound;
use vnetsim_model::{IpAddr, IpNet};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AddrSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

fn merge<T: Bound>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            // Overlapping or adjacent (nothing follows the maximum).
            Some(last) if last.1.next().is_none_or(|n| lo <= n) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn complement<T: Bound>(ranges: &[(T, T)]) -> Vec<(T, T)> {
    let mut out = Vec::new();
    let mut next = Some(T::MIN);
    for &(lo, hi) in ranges {
        if let Some(n) = next
            && n < lo
            && let Some(before) = lo.prev()
        {
            out.push((n, before));
        }
        next = hi.next();
    }
    if let Some(n) = next {
        out.push((n, T::MAX));
    }
    out
}

fn contains<T: Copy + Ord>(ranges: &[(T, T)], x: T) -> bool {
    // The last range starting at or before x is the only candidate.
    let i = ranges.partition_point(|r| r.0 <= x);
    i > 0 && x <= ranges[i - 1].1
}

impl AddrSet {
    pub fn empty() -> Self {
        AddrSet::default()
    }

    pub fn from_prefixes<'a>(prefixes: impl IntoIterator<Item = &'a IpNet>) -> Self {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for p in prefixes {
            match p {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        AddrSet { v4: merge(v4), v6: merge(v6) }
    }

    pub fn from_addresses(addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        let nets: Vec<IpNet> = addresses.into_iter().map(IpNet::from).collect();
        Self::from_prefixes(&nets)
    }

    pub fn union(&self, other: &AddrSet) -> AddrSet {
        AddrSet {
            v4: merge(self.v4.iter().chain(&other.v4).copied().collect()),
            v6: merge(self.v6.iter().chain(&other.v6).copied().collect()),
        }
    }

    /// Every address not in the set (per family).
    pub fn complement(&self) -> AddrSet {
        AddrSet { v4: complement(&self.v4), v6: complement(&self.v6) }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => contains(&self.v4, u32::from(a)),
            IpAddr::V6(a) => contains(&self.v6, u128::from(a)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn has_v6(&self) -> bool {
        !self.v6.is_empty()
    }

    /// Whether the set covers all of IPv4 (e.g. VirtualNetwork after a 0.0.0.0/0 UDR, N-11).
    pub fn covers_all_v4(&self) -> bool {
        self.v4 == [(0, u32::MAX)]
    }

    /// The IPv4 intervals, for reporting and classifiers.
    pub fn v4_ranges(&self) -> &[(u32, u32)] {
        &self.v4
    }

    pub fn v6_ranges(&self) -> &[(u128, u128)] {
        &self.v6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(prefixes: &[&str]) -> AddrSet {
        let nets: Vec<IpNet> = prefixes.iter().map(|p| p.parse().unwrap()).collect();
        AddrSet::from_prefixes(&nets)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn adjacent_and_nested_prefixes_merge() {
        let s = set(&["10.0.0.0/25", "10.0.0.128/25", "10.0.0.64/26"]);
        assert_eq!(
            s.v4_ranges(),
            &[(u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0)), u32::from(std::net::Ipv4Addr::new(10, 0, 0, 255)))]
        );
        assert!(s.contains(ip("10.0.0.255")) && !s.contains(ip("10.0.1.0")));
    }

    #[test]
    fn complement_is_exact_at_the_edges() {
        let s = set(&["0.0.0.0/8", "255.0.0.0/8"]);
        let c = s.complement();
        assert!(!c.contains(ip("0.255.255.255")) && c.contains(ip("1.0.0.0")));
        assert!(c.contains(ip("254.255.255.255")) && !c.contains(ip("255.0.0.0")));
        assert!(set(&["0.0.0.0/0"]).complement().v4_ranges().is_empty());
        assert!(AddrSet::empty().complement().covers_all_v4());
    }

    #[test]
    fn ranges_at_the_family_maximum_merge_and_complement_without_overflow() {
        let s = set(&["255.255.255.255/32", "255.255.255.254/32", "0.0.0.0/32", "::/128", "ffff::/16"]);
        assert_eq!(s.v4_ranges(), &[(0, 0), (u32::MAX - 1, u32::MAX)]);
        let c = s.complement();
        assert_eq!(c.v4_ranges(), &[(1, u32::MAX - 2)]);
        assert_eq!(c.v6_ranges(), &[(1, (0xffffu128 << 112) - 1)]);
        assert_eq!(c.complement(), s);
    }
}
