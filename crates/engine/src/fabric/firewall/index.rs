//! Indexes that keep a policy with thousands of rules from being a linear scan per packet.
//!
//! Rules are numbered by processing position (F-3), so the first match is the smallest number
//! that matches. An index narrows a packet to candidate lists, each sorted by position; the
//! caller checks candidates in order and stops at the first full match. Every rule that could
//! match a packet is in one of its candidate lists, so the answer is the linear scan's.

use crate::addr_set::AddrSet;
use crate::intervals::{Partition, interval_of};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use vnetsim_model::IpAddr;
use vnetsim_model::name_pattern::{self, NamePattern};

/// The rules whose address field (source or destination) covers each IPv4 interval.
///
/// The IPv4 space is cut at every boundary of every rule's set; between two cuts the same rules
/// cover every address, so one binary search finds an address's list.
#[derive(Clone, Debug, Default)]
pub struct AddressIndex {
    /// First address of each interval, ascending from 0; an interval ends where the next starts.
    starts: Vec<u32>,
    /// Rules covering interval `i`: `members[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u32>,
    members: Vec<u32>,
    /// Rules whose field is `*`: candidates for every address of both families.
    any: Vec<u32>,
    /// Rules with an IPv6 range: the candidates of every IPv6 address (few policies have any).
    v6: Vec<u32>,
}

impl AddressIndex {
    /// `fields[r]` is rule `r`'s set, `None` for `*`.
    pub fn build<'a>(fields: impl Iterator<Item = Option<&'a AddrSet>> + Clone) -> AddressIndex {
        let partition = Partition::of(fields.clone().flatten().flat_map(|set| set.v4_ranges().iter().copied()));
        let starts = &partition.starts;
        let mut covering: Vec<Vec<u32>> = vec![Vec::new(); starts.len()];
        let mut index = AddressIndex::default();
        for (r, field) in fields.enumerate() {
            let r = r as u32;
            let Some(set) = field else {
                index.any.push(r);
                continue;
            };
            if set.has_v6() {
                index.v6.push(r);
            }
            for &(lo, hi) in set.v4_ranges() {
                covering[partition.covering(lo, hi)].iter_mut().for_each(|rules| rules.push(r));
            }
        }
        // Neighbouring intervals covered by the same rules are one interval.
        index.offsets.push(0);
        for (i, rules) in covering.iter().enumerate() {
            if i > 0 && covering[i - 1] == *rules {
                continue;
            }
            index.starts.push(starts[i]);
            index.members.extend_from_slice(rules);
            index.offsets.push(index.members.len() as u32);
        }
        index
    }

    /// The rules that may match `ip`: those whose set holds it, and those matching any address.
    pub fn candidates(&self, ip: IpAddr) -> (&[u32], &[u32]) {
        let specific = match ip {
            IpAddr::V4(a) => {
                let i = interval_of(&self.starts, u32::from(a));
                &self.members[self.offsets[i] as usize..self.offsets[i + 1] as usize]
            }
            IpAddr::V6(_) => &self.v6,
        };
        (specific, &self.any)
    }
}

/// The first rule, in processing order, of two sorted candidate lists that `matches`.
pub fn first_match(a: &[u32], b: &[u32], mut matches: impl FnMut(u32) -> bool) -> Option<u32> {
    let (mut i, mut j) = (0, 0);
    loop {
        let r = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                j += usize::from(x == y);
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => return None,
        };
        if matches(r) {
            return Some(r);
        }
    }
}

/// Application rules by target name (F-8, F-9): exact names, wildcard parents (`*.parent`
/// matches any name under `parent`), suffixes (`*suffix` matches any name ending in `suffix`)
/// and `*`. Keys are lower case: names compare without case.
#[derive(Clone, Debug, Default)]
pub struct TargetIndex {
    exact: FxHashMap<Box<str>, Vec<u32>>,
    wildcard: FxHashMap<Box<str>, Vec<u32>>,
    /// One list per distinct suffix, in first-seen order. Policies write few `*suffix` targets
    /// (F-9's field note), so a name checks each suffix rather than every rule.
    suffix: Vec<(Box<str>, Vec<u32>)>,
    star: Vec<u32>,
}

impl TargetIndex {
    /// Adds rule `r`'s targets; rules must come in processing order.
    pub fn insert(&mut self, r: u32, targets: &[String]) {
        for t in targets {
            let t = t.to_ascii_lowercase();
            let list = match NamePattern::parse(&t) {
                Ok(NamePattern::Any) => &mut self.star,
                Ok(NamePattern::Wildcard { parent }) => self.wildcard.entry(parent.into()).or_default(),
                Ok(NamePattern::Suffix(suffix)) => match self.suffix.iter().position(|(s, _)| **s == *suffix) {
                    Some(i) => &mut self.suffix[i].1,
                    None => {
                        self.suffix.push((suffix.into(), Vec::new()));
                        &mut self.suffix.last_mut().expect("just pushed").1
                    }
                },
                // Rule checks admit only the forms above and names (F-9).
                _ => self.exact.entry(t.as_str().into()).or_default(),
            };
            if list.last() != Some(&r) {
                list.push(r);
            }
        }
    }

    /// Calls `visit` with each candidate list for `name`: the rules naming it, those whose
    /// wildcard covers it (and, with `apex`, `*.name` itself), those whose suffix ends it, and
    /// `*`.
    pub fn for_each_candidates(&self, name: &str, apex: bool, mut visit: impl FnMut(&[u32])) {
        let name = name.trim_end_matches('.');
        let name: Cow<str> =
            if name.bytes().any(|b| b.is_ascii_uppercase()) { name.to_ascii_lowercase().into() } else { name.into() };
        let lists = [self.exact.get(&*name), apex.then(|| self.wildcard.get(&*name)).flatten()];
        lists.into_iter().flatten().for_each(|l| visit(l));
        for (head, parent) in name_pattern::parents(&name) {
            // The label right before the parent must not be empty.
            if !head.is_empty()
                && !head.ends_with('.')
                && let Some(l) = self.wildcard.get(parent)
            {
                visit(l);
            }
        }
        for (suffix, l) in &self.suffix {
            if name.ends_with(&**suffix) {
                visit(l);
            }
        }
        visit(&self.star);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vnetsim_model::IpNet;

    fn set(prefixes: &[&str]) -> AddrSet {
        let nets: Vec<IpNet> = prefixes.iter().map(|p| p.parse().unwrap()).collect();
        AddrSet::from_prefixes(&nets)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn address_index_lists_exactly_the_covering_rules_at_interval_edges() {
        let sets = [set(&["10.0.0.0/24"]), set(&["10.0.0.128/25", "192.168.0.0/16"]), set(&["fd00::/8"])];
        let fields = [Some(&sets[0]), None, Some(&sets[1]), Some(&sets[2])];
        let index = AddressIndex::build(fields.iter().copied());
        let at = |a: &str| {
            let (specific, any) = index.candidates(ip(a));
            (specific.to_vec(), any.to_vec())
        };
        assert_eq!(at("9.255.255.255"), (vec![], vec![1]));
        assert_eq!(at("10.0.0.0"), (vec![0], vec![1]));
        assert_eq!(at("10.0.0.127"), (vec![0], vec![1]));
        assert_eq!(at("10.0.0.128"), (vec![0, 2], vec![1]));
        assert_eq!(at("10.0.0.255"), (vec![0, 2], vec![1]));
        assert_eq!(at("10.0.1.0"), (vec![], vec![1]));
        assert_eq!(at("192.168.255.255"), (vec![2], vec![1]));
        assert_eq!(at("255.255.255.255"), (vec![], vec![1]));
        assert_eq!(at("fd00::1"), (vec![3], vec![1]));
    }

    #[test]
    fn first_match_walks_both_lists_in_processing_order() {
        let seen = |a: &[u32], b: &[u32]| {
            let mut order = Vec::new();
            first_match(a, b, |r| {
                order.push(r);
                false
            });
            order
        };
        assert_eq!(seen(&[1, 4, 9], &[2, 4, 10]), vec![1, 2, 4, 9, 10]);
        assert_eq!(first_match(&[3, 7], &[5], |r| r >= 5), Some(5));
        assert_eq!(first_match(&[], &[], |_| true), None);
    }

    #[test]
    fn target_index_offers_exact_wildcard_apex_and_star_lists() {
        let mut n = TargetIndex::default();
        n.insert(0, &["PyPI.org".into(), "*.pythonhosted.org".into()]);
        n.insert(1, &["*.org".into()]);
        n.insert(2, &["*".into()]);
        let lists = |name: &str, apex: bool| {
            let mut out = Vec::new();
            n.for_each_candidates(name, apex, |l| out.push(l.to_vec()));
            out
        };
        assert_eq!(lists("pypi.org.", false), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(lists("a.b.PythonHosted.org", false), vec![vec![0], vec![1], vec![2]]);
        // F-9: `*.pythonhosted.org` covers the apex only under the unconfirmed reading.
        assert_eq!(lists("pythonhosted.org", false), vec![vec![1], vec![2]]);
        assert_eq!(lists("pythonhosted.org", true), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(lists(".org", false), vec![vec![2]]);
    }

    /// F-9's field note: `*pytorch.org` offers its rules for every name ending in `pytorch.org`,
    /// labels or not. The old index filed the target as the exact name `*pytorch.org`, so
    /// `evilpytorch.org` found no candidate.
    #[test]
    fn target_index_offers_suffix_lists_for_names_ending_in_them() {
        let mut n = TargetIndex::default();
        n.insert(0, &["*PyTorch.org".into()]);
        n.insert(1, &["*torch.org".into(), "*pytorch.org".into()]);
        n.insert(2, &["*".into()]);
        let lists = |name: &str| {
            let mut out = Vec::new();
            n.for_each_candidates(name, false, |l| out.push(l.to_vec()));
            out
        };
        assert_eq!(lists("evilpytorch.org"), vec![vec![0, 1], vec![1], vec![2]]);
        assert_eq!(lists("Download.PyTorch.org."), vec![vec![0, 1], vec![1], vec![2]]);
        assert_eq!(lists("mytorch.org"), vec![vec![1], vec![2]]);
        assert_eq!(lists("pytorch.org.example"), vec![vec![2]]);
    }
}
