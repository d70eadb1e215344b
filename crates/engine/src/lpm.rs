//! Longest-prefix match, behind a small trait so the structure can be swapped when benchmarks
//! ask for it (DESIGN.md, "Performance").

use prefix_trie::PrefixMap;
use vnetsim_model::{IpAddr, IpNet, Ipv4Net, Ipv6Net};

/// Maps prefixes to values and answers longest-prefix-match queries.
pub trait PrefixLookup: Sized {
    fn build(entries: impl IntoIterator<Item = (IpNet, u32)>) -> Self;
    /// The value of the longest prefix containing `ip`.
    fn longest_match(&self, ip: IpAddr) -> Option<u32>;
}

/// The default implementation: a prefix trie per address family.
#[derive(Clone, Default)]
pub struct TrieLookup {
    v4: PrefixMap<Ipv4Net, u32>,
    v6: PrefixMap<Ipv6Net, u32>,
}

impl PrefixLookup for TrieLookup {
    fn build(entries: impl IntoIterator<Item = (IpNet, u32)>) -> Self {
        let mut t = TrieLookup::default();
        for (prefix, value) in entries {
            match prefix {
                IpNet::V4(p) => {
                    t.v4.insert(p, value);
                }
                IpNet::V6(p) => {
                    t.v6.insert(p, value);
                }
            }
        }
        t
    }

    fn longest_match(&self, ip: IpAddr) -> Option<u32> {
        match ip {
            IpAddr::V4(a) => self.v4.get_lpm(&Ipv4Net::from(a)).map(|(_, v)| *v),
            IpAddr::V6(a) => self.v6.get_lpm(&Ipv6Net::from(a)).map(|(_, v)| *v),
        }
    }
}

impl std::fmt::Debug for TrieLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrieLookup").field("v4", &self.v4.len()).field("v6", &self.v6.len()).finish()
    }
}
