//! Longest-prefix match, behind a small trait so the structure can be swapped when benchmarks
//! ask for it (DESIGN.md, "Performance").

use crate::intervals::{Bound, Partition};
use vnetsim_model::{IpAddr, IpNet};

/// Maps prefixes to values and answers longest-prefix-match queries.
pub trait PrefixLookup: Sized {
    fn build(entries: impl IntoIterator<Item = (IpNet, u32)>) -> Self;
    /// The value of the longest prefix containing `ip`.
    fn longest_match(&self, ip: IpAddr) -> Option<u32>;
}

/// The default implementation: each family's space cut into intervals at every prefix
/// boundary, each holding the value of the longest prefix covering it. A lookup is one binary
/// search over a flat array (a few cache lines even for thousands of routes), where a trie
/// follows a pointer per bit.
#[derive(Clone, Debug, Default)]
pub struct IntervalLookup {
    v4: Intervals<u32>,
    v6: Intervals<u128>,
}

/// Each interval's start, ascending from 0, beside its value (`NONE`: no prefix): the value
/// sits on the cache line the search ends on, not in an array of its own.
#[derive(Clone, Debug, Default)]
struct Intervals<T> {
    entries: Vec<(T, u32)>,
}

const NONE: u32 = u32::MAX;

impl<T: Bound> Intervals<T> {
    /// `entries`: (first, last, prefix length, value); a later entry for the same prefix wins.
    fn build(mut entries: Vec<(T, T, u8, u32)>) -> Intervals<T> {
        if entries.is_empty() {
            return Intervals { entries: Vec::new() };
        }
        let partition = Partition::of(entries.iter().map(|e| (e.0, e.1)));
        // Shorter prefixes first, so longer ones paint over them (R-8: longest prefix wins).
        entries.sort_by_key(|e| e.2);
        let mut values = vec![NONE; partition.starts.len()];
        for (first, last, _, value) in entries {
            values[partition.covering(first, last)].fill(value);
        }
        let mut out: Vec<(T, u32)> = Vec::new();
        for (start, value) in partition.starts.into_iter().zip(values) {
            if out.last().is_none_or(|&(_, last)| last != value) {
                out.push((start, value));
            }
        }
        Intervals { entries: out }
    }

    #[inline]
    fn get(&self, x: T) -> Option<u32> {
        // The last interval starting at or before `x`; none when the table is empty.
        let i = self.entries.partition_point(|&(s, _)| s <= x).checked_sub(1)?;
        let v = self.entries[i].1;
        (v != NONE).then_some(v)
    }
}

impl PrefixLookup for IntervalLookup {
    fn build(entries: impl IntoIterator<Item = (IpNet, u32)>) -> Self {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for (prefix, value) in entries {
            match prefix {
                IpNet::V4(p) => v4.push((u32::from(p.network()), u32::from(p.broadcast()), p.prefix_len(), value)),
                IpNet::V6(p) => v6.push((u128::from(p.network()), u128::from(p.broadcast()), p.prefix_len(), value)),
            }
        }
        IntervalLookup { v4: Intervals::build(v4), v6: Intervals::build(v6) }
    }

    #[inline]
    fn longest_match(&self, ip: IpAddr) -> Option<u32> {
        match ip {
            IpAddr::V4(a) => self.v4.get(u32::from(a)),
            IpAddr::V6(a) => self.v6.get(u128::from(a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive answer: scan every prefix, keep the longest containing `ip` (the last written
    /// among equals).
    fn naive(entries: &[(IpNet, u32)], ip: IpAddr) -> Option<u32> {
        let mut best: Option<(u8, u32)> = None;
        for &(p, v) in entries {
            if p.contains(&ip) && best.is_none_or(|(len, _)| p.prefix_len() >= len) {
                best = Some((p.prefix_len(), v));
            }
        }
        best.map(|(_, v)| v)
    }

    #[test]
    fn interval_lookup_answers_as_a_scan_of_nested_and_adjacent_prefixes() {
        let entries: Vec<(IpNet, u32)> = [
            ("0.0.0.0/0", 0),
            ("10.0.0.0/8", 1),
            ("10.1.0.0/16", 2),
            ("10.1.2.0/24", 3),
            ("10.1.3.0/24", 4),
            ("10.1.2.128/25", 5),
            ("10.1.2.128/25", 6),
            ("255.255.255.255/32", 7),
            ("fd00::/8", 8),
            ("fd00:1::/32", 9),
        ]
        .map(|(p, v)| (p.parse().unwrap(), v))
        .to_vec();
        let l = IntervalLookup::build(entries.clone());
        let probes = [
            "0.0.0.0",
            "9.255.255.255",
            "10.0.0.0",
            "10.1.1.255",
            "10.1.2.0",
            "10.1.2.127",
            "10.1.2.128",
            "10.1.2.255",
            "10.1.3.0",
            "10.1.4.0",
            "10.255.255.255",
            "11.0.0.0",
            "255.255.255.254",
            "255.255.255.255",
            "fd00::1",
            "fd00:1::1",
            "fe80::1",
            "::",
        ];
        for p in probes {
            let ip: IpAddr = p.parse().unwrap();
            assert_eq!(l.longest_match(ip), naive(&entries, ip), "{p}");
        }
        assert_eq!(IntervalLookup::build([]).longest_match("1.2.3.4".parse().unwrap()), None);
    }
}
