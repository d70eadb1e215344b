//! Cutting a value space (addresses, ports) at every boundary of a collection of ranges: between
//! two cuts every range either holds every value or none, so a structure that stores one answer
//! per interval answers for every value with one binary search. The LPM, the NSG bit vectors and
//! the firewall's address indexes are built on it.

use std::ops::Range;

/// A value type: addresses (`u32`, `u128`) and ports (`u16`). Address sets and the interval
/// structures share it.
pub trait Bound: Copy + Ord {
    const MIN: Self;
    const MAX: Self;
    /// The next value, `None` after the maximum.
    fn next(self) -> Option<Self>;
    /// The previous value, `None` before the minimum.
    fn prev(self) -> Option<Self>;
}

macro_rules! bound {
    ($($t:ty),*) => {$(
        impl Bound for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn next(self) -> Option<Self> { self.checked_add(1) }
            fn prev(self) -> Option<Self> { self.checked_sub(1) }
        }
    )*};
}
bound!(u16, u32, u128);

/// The first value of each interval, ascending from the minimum.
pub struct Partition<T> {
    pub starts: Vec<T>,
}

impl<T: Bound> Partition<T> {
    /// Cuts at the first value of each inclusive range and just after its last.
    pub fn of(ranges: impl Iterator<Item = (T, T)>) -> Partition<T> {
        let mut starts = vec![T::MIN];
        for (lo, hi) in ranges {
            starts.push(lo);
            starts.extend(hi.next());
        }
        starts.sort_unstable();
        starts.dedup();
        Partition { starts }
    }

    /// The intervals the inclusive range `lo..=hi` covers (it must be one of the cut ranges).
    pub fn covering(&self, lo: T, hi: T) -> Range<usize> {
        self.starts.partition_point(|&s| s < lo)..self.starts.partition_point(|&s| s <= hi)
    }
}

/// The interval holding `x`, given interval starts ascending from the minimum value.
#[inline]
pub fn interval_of<T: Ord + Copy>(starts: &[T], x: T) -> usize {
    starts.partition_point(|&s| s <= x) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_at_range_edges_and_ranges_cover_their_intervals() {
        let p = Partition::of([(10u16, 20), (15, 15), (30, u16::MAX)].into_iter());
        assert_eq!(p.starts, vec![0, 10, 15, 16, 21, 30]);
        assert_eq!(p.covering(10, 20), 1..4);
        assert_eq!(p.covering(30, u16::MAX), 5..6);
        assert_eq!(interval_of(&p.starts, 0), 0);
        assert_eq!(interval_of(&p.starts, 20), 3);
        assert_eq!(interval_of(&p.starts, u16::MAX), 5);
    }
}
