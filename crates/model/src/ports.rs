//! Port ranges as NSG rules and packets use them (N-1).

use serde::Serialize;
use std::fmt;

/// An inclusive port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl PortRange {
    pub const ANY: PortRange = PortRange { first: 0, last: u16::MAX };

    pub const fn single(port: u16) -> Self {
        PortRange { first: port, last: port }
    }

    pub const fn contains(self, port: u16) -> bool {
        self.first <= port && port <= self.last
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortRange::ANY {
            f.write_str("*")
        } else if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// A set of port ranges (an augmented rule's comma list), kept sorted and merged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct PortSet(Vec<PortRange>);

impl PortSet {
    pub fn any() -> Self {
        PortSet(vec![PortRange::ANY])
    }

    /// Sorts and merges overlapping or adjacent ranges.
    pub fn new(mut ranges: Vec<PortRange>) -> Self {
        ranges.sort_unstable();
        let mut merged: Vec<PortRange> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if u32::from(r.first) <= u32::from(last.last) + 1 => {
                    last.last = last.last.max(r.last);
                }
                _ => merged.push(r),
            }
        }
        PortSet(merged)
    }

    pub fn is_any(&self) -> bool {
        self.0 == [PortRange::ANY]
    }

    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|r| r.contains(port))
    }

    pub fn ranges(&self) -> &[PortRange] {
        &self.0
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_sorted_and_merged() {
        let set = PortSet::new(vec![
            PortRange { first: 10000, last: 10005 },
            PortRange::single(80),
            PortRange { first: 10003, last: 10010 },
            PortRange::single(81),
        ]);
        assert_eq!(set.to_string(), "80-81,10000-10010");
        assert!(set.contains(10010) && set.contains(80) && !set.contains(82));
    }
}
