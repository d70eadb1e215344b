//! First-match classification by bit vectors: for each field of a packet, the field's value
//! space is cut into intervals, and each interval holds a bitmask of the rules whose field admits
//! every value in it. The first matching rule is the lowest bit set in the AND of the packet's
//! masks: one binary search per field and a few word ANDs, however many rules there are, and no
//! allocation. NSGs use it (N-4: rules in priority order, first match decides).

use crate::intervals::{Bound, Partition, interval_of};

/// `F` fields of `T` values for a list of rules in priority order, each rule flagged or not
/// (an NSG flags its allow rules, so a verdict needs nothing beyond the masks). Every field's interval
/// starts sit in one array and every interval's mask in another, in field order, so one
/// classification reads a few neighbouring cache lines wherever the classifier lives: with
/// thousands of NSGs touched at random, scattered allocations are what the walk waits on.
#[derive(Clone, Debug)]
pub struct RuleMasks<T, const F: usize> {
    rules: usize,
    /// Mask words per interval: one bit per rule.
    words: usize,
    /// Per field: its range in `starts`. Interval `i` of a field whose range starts at `base`
    /// owns mask row `base + i + 1`; row 0 holds the flagged rules, next to the first field's
    /// rows, which every classification reads.
    fields: [(u32, u32); F],
    starts: Box<[T]>,
    masks: Box<[u64]>,
}

/// A rule's inclusive ranges in one field; `None` admits any value.
pub type FieldRanges<'a, T> = Option<&'a [(T, T)]>;

impl<T: Bound, const F: usize> RuleMasks<T, F> {
    /// `rules[r]`: whether rule `r` is flagged, and its ranges in each field.
    pub fn build(rules: &[(bool, [FieldRanges<'_, T>; F])]) -> RuleMasks<T, F> {
        let words = words_for(rules.len());
        let mut fields = [(0, 0); F];
        let (mut starts, mut masks) = (Vec::new(), vec![0u64; words]);
        for (r, _) in rules.iter().enumerate().filter(|(_, rule)| rule.0) {
            masks[r / 64] |= 1 << (r % 64);
        }
        for (f, field) in fields.iter_mut().enumerate() {
            let partition =
                Partition::of(rules.iter().filter_map(|r| r.1[f]).flat_map(|ranges| ranges.iter().copied()));
            let (first, row) = (starts.len(), starts.len() + 1);
            masks.resize((row + partition.starts.len()) * words, 0);
            for (r, rule) in rules.iter().enumerate() {
                let bit = 1u64 << (r % 64);
                let mut set = |covered: std::ops::Range<usize>| {
                    covered.for_each(|i| masks[(row + i) * words + r / 64] |= bit);
                };
                match rule.1[f] {
                    None => set(0..partition.starts.len()),
                    Some(ranges) => ranges.iter().for_each(|&(lo, hi)| set(partition.covering(lo, hi))),
                }
            }
            *field = (first as u32, (first + partition.starts.len()) as u32);
            starts.extend(partition.starts);
        }
        RuleMasks { rules: rules.len(), words, fields, starts: starts.into(), masks: masks.into() }
    }

    /// The first rule, in priority order, admitting `values[f]` in every field `f`, and
    /// whether it is flagged; a field whose value is `None` does not apply to the packet and
    /// admits every rule.
    #[inline]
    pub fn first(&self, values: [Option<T>; F]) -> Option<(usize, bool)> {
        let words = self.words;
        let mut rows = [None; F];
        for ((row, value), &(lo, hi)) in rows.iter_mut().zip(values).zip(&self.fields) {
            *row = value.map(|v| (lo as usize + 1 + interval_of(&self.starts[lo as usize..hi as usize], v)) * words);
        }
        (0..words)
            .find_map(|w| {
                let m = rows.iter().flatten().fold(u64::MAX, |acc, &row| acc & self.masks[row + w]);
                (m != 0).then(|| (w * 64 + m.trailing_zeros() as usize, m & m.wrapping_neg() & self.masks[w] != 0))
            })
            .filter(|&(r, _)| r < self.rules)
    }
}

/// Words of mask a rule count needs.
fn words_for(rules: usize) -> usize {
    rules.div_ceil(64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive answer: the first rule whose every applying field holds the value.
    fn scan<const F: usize>(
        rules: &[(bool, [FieldRanges<'_, u16>; F])],
        values: [Option<u16>; F],
    ) -> Option<(usize, bool)> {
        let r = rules.iter().position(|(_, rule)| {
            rule.iter().zip(values).all(|(field, v)| match (field, v) {
                (None, _) | (_, None) => true,
                (Some(ranges), Some(v)) => ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&v)),
            })
        })?;
        Some((r, rules[r].0))
    }

    #[test]
    fn first_rule_is_the_first_admitting_every_field() {
        // Field 0 — rule 0: 10-20; rule 1: any; rule 2: 15 and 30-40. Field 1 — rule 1: 7 only.
        // Rules 0 and 2 are flagged.
        let rules: [(bool, [FieldRanges<'_, u16>; 2]); 3] = [
            (true, [Some(&[(10, 20)]), None]),
            (false, [None, Some(&[(7, 7)])]),
            (true, [Some(&[(15, 15), (30, 40)]), None]),
        ];
        let m = RuleMasks::build(&rules);
        for a in [0, 9, 10, 15, 16, 20, 21, 29, 30, 40, 41, u16::MAX] {
            for b in [None, Some(0), Some(7), Some(8), Some(u16::MAX)] {
                assert_eq!(m.first([Some(a), b]), scan(&rules, [Some(a), b]), "{a} {b:?}");
            }
        }
        assert_eq!(m.first([Some(35), Some(7)]), Some((1, false)));
        assert_eq!(m.first([Some(35), Some(8)]), Some((2, true)));
        assert_eq!(m.first([Some(50), Some(8)]), None);
        assert_eq!(m.first([None, None]), Some((0, true)));
    }

    #[test]
    fn rules_past_the_first_word_are_found_and_flagged() {
        let early: &[(u16, u16)] = &[(5, 5)];
        let mut rules: Vec<(bool, [FieldRanges<'_, u16>; 1])> = vec![(false, [Some(early)]); 70];
        rules[69] = (true, [Some(&[(7, 7)])]);
        rules[1].0 = true;
        let m = RuleMasks::build(&rules);
        assert_eq!(m.first([Some(7)]), Some((69, true)));
        assert_eq!(m.first([Some(5)]), Some((0, false)));
        assert_eq!(m.first([Some(6)]), None);
        assert_eq!(words_for(0), 1);
        assert_eq!(words_for(64), 1);
        assert_eq!(words_for(65), 2);
    }

    #[test]
    fn no_rules_match_nothing() {
        let m = RuleMasks::<u32, 2>::build(&[]);
        assert_eq!(m.first([Some(1), None]), None);
        assert_eq!(m.first([None, None]), None);
    }
}
