//! Which figures of an aggregate report to withhold so that no one can be singled out.
//!
//! A figure that stands for fewer than a minimum of people is withheld (primary suppression).
//! That alone is not enough for a breakdown whose parts add up to a total the report also gives
//! (pairs by status add up to the pairs): one withheld part is the total less the published
//! ones. So within a breakdown, published parts are withheld too (complementary suppression),
//! smallest first, until the withheld parts together stand for at least the minimum: then what
//! can be worked out from the total is only their sum, which is about enough people. Zeros stay
//! published: they single out nobody, and withholding one would hide nothing.

/// For each part of a breakdown, given how many people it stands for, whether to withhold it:
/// every part standing for 1 to `min_people - 1` people, then, while the withheld parts together
/// stand for fewer than `min_people`, the smallest published non-empty part (the first of equal
/// ones). If every non-empty part ends up withheld, so be it: the total is all that is left.
pub fn withheld(people: &[usize], min_people: usize) -> Vec<bool> {
    let mut out: Vec<bool> = people.iter().map(|&p| p > 0 && p < min_people).collect();
    let mut hidden: usize = people
        .iter()
        .zip(&out)
        .filter(|(_, w)| **w)
        .map(|(p, _)| p)
        .sum();
    while hidden > 0 && hidden < min_people {
        let smallest = people
            .iter()
            .enumerate()
            .filter(|&(i, &p)| p > 0 && !out[i])
            .min_by_key(|&(_, &p)| p);
        let Some((i, &p)) = smallest else { break };
        out[i] = true;
        hidden += p;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breakdown_with_nothing_small_publishes_everything() {
        assert_eq!(withheld(&[10, 6, 0, 5], 5), [false, false, false, false]);
    }

    #[test]
    fn one_small_part_takes_the_next_smallest_with_it() {
        // Without the second, the total (here 12 pairs' 24 people) less the rest gives it away.
        assert_eq!(withheld(&[14, 2, 8, 0], 5), [false, true, true, false]);
    }

    #[test]
    fn small_parts_that_together_reach_the_minimum_need_no_more() {
        assert_eq!(withheld(&[10, 2, 4, 6], 5), [false, true, true, false]);
    }

    #[test]
    fn parts_are_added_until_the_withheld_ones_reach_the_minimum() {
        assert_eq!(
            withheld(&[2, 1, 1, 9, 20], 5),
            [true, true, true, true, false]
        );
    }

    #[test]
    fn zeros_are_never_withheld_nor_used_as_cover() {
        assert_eq!(withheld(&[0, 2, 0, 0], 5), [false, true, false, false]);
    }
}
