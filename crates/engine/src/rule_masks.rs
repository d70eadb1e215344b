//! First-match classification by bit vectors: for each field of a packet, the field's value
//! space is cut into intervals, and each interval holds a bitmask of the rules whose field admits
//! every value in it. The first matching rule is the lowest bit set in the AND of the packet's
//! masks: one binary search per field and a few word ANDs, however many rules there are, and no
//! allocation. NSGs use it (N-4: rules in priority order, first match decides).

use crate::intervals::{Bound, Partition, interval_of};

/// One field: interval starts and `words` mask words per interval.
#[derive(Clone, Debug)]
pub struct FieldMasks<T> {
    starts: Vec<T>,
    masks: Vec<u64>,
}

impl<T: Bound> FieldMasks<T> {
    /// `fields[r]`: rule `r`'s inclusive ranges, `None` for any value.
    pub fn build<'a>(words: usize, fields: &[Option<&'a [(T, T)]>]) -> FieldMasks<T>
    where
        T: 'a,
    {
        let partition = Partition::of(fields.iter().flatten().flat_map(|f| f.iter().copied()));
        let starts = &partition.starts;
        let mut masks = vec![0u64; starts.len() * words];
        for (r, field) in fields.iter().enumerate() {
            let bit = 1u64 << (r % 64);
            let mut set = |covered: std::ops::Range<usize>| covered.for_each(|i| masks[i * words + r / 64] |= bit);
            match field {
                None => set(0..starts.len()),
                Some(ranges) => ranges.iter().for_each(|&(lo, hi)| set(partition.covering(lo, hi))),
            }
        }
        FieldMasks { starts: partition.starts, masks }
    }

    /// The rules admitting `value`.
    #[inline]
    pub fn lookup(&self, value: T, words: usize) -> &[u64] {
        let i = interval_of(&self.starts, value);
        &self.masks[i * words..(i + 1) * words]
    }
}

/// The lowest rule set in every mask, with `masks` a list of equally long word slices.
#[inline]
pub fn first_rule<const N: usize>(masks: [&[u64]; N]) -> Option<usize> {
    let words = masks[0].len();
    (0..words).find_map(|w| {
        let m = masks.iter().fold(u64::MAX, |acc, f| acc & f[w]);
        (m != 0).then(|| w * 64 + m.trailing_zeros() as usize)
    })
}

/// Words of mask a rule count needs.
pub fn words_for(rules: usize) -> usize {
    rules.div_ceil(64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_hold_exactly_the_rules_admitting_each_interval() {
        // Rule 0: 10-20; rule 1: any; rule 2: 15 and 30-40.
        let fields: [Option<&[(u16, u16)]>; 3] = [Some(&[(10, 20)]), None, Some(&[(15, 15), (30, 40)])];
        let f = FieldMasks::build(1, &fields);
        let at = |v: u16| f.lookup(v, 1)[0];
        assert_eq!(at(0), 0b010);
        assert_eq!(at(10), 0b011);
        assert_eq!(at(15), 0b111);
        assert_eq!(at(16), 0b011);
        assert_eq!(at(20), 0b011);
        assert_eq!(at(21), 0b010);
        assert_eq!(at(40), 0b110);
        assert_eq!(at(u16::MAX), 0b010);
    }

    #[test]
    fn first_rule_is_the_lowest_bit_of_the_and_across_words() {
        assert_eq!(first_rule([&[0b1100, 0][..], &[0b1010, 0][..]]), Some(3));
        assert_eq!(first_rule([&[0b0100, 1][..], &[0b1010, 1][..]]), Some(64));
        assert_eq!(first_rule([&[0b0100, 0][..], &[0b1010, 0][..]]), None);
        assert_eq!(words_for(0), 1);
        assert_eq!(words_for(64), 1);
        assert_eq!(words_for(65), 2);
    }

    #[test]
    fn rules_past_the_first_word_land_in_their_own_word() {
        let mut fields: Vec<Option<&[(u32, u32)]>> = vec![Some(&[(5, 5)]); 70];
        fields[69] = Some(&[(7, 7)]);
        let f = FieldMasks::build(2, &fields);
        assert_eq!(f.lookup(7, 2), &[0, 1 << 5]);
        assert_eq!(f.lookup(5, 2), &[u64::MAX, (1 << 5) - 1]);
    }
}
