//! Summaries of a goal's readings that merge: most of a goal's readings are summed once, in the
//! background, and a scorecard sums only the few recorded since and merges the two, so its cost
//! does not grow with a goal's history. The merge is exact for the counts and extremes and, for
//! the line's centred sums, the pairwise update of Chan, Golub and LeVeque (1979): the same
//! figures as summing all the readings at once, up to rounding, without the cancellation that
//! merging raw sums of squares would suffer.

/// What the progress math needs from a set of readings (see
/// [`crate::progress::ReadingSummary`]), in a form two disjoint sets combine into the union's:
/// the centred least-squares sums of y over x, the extremes of the readings' offsets from the
/// start and the period counts. The empty set is `n == 0` (its means and sums are ignored).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReadingSums {
    /// How many readings.
    pub n: u64,
    /// Mean of x.
    pub mean_x: f64,
    /// Mean of y.
    pub mean_y: f64,
    /// Sum of (x - mean x)^2.
    pub sxx: f64,
    /// Sum of (x - mean x) (y - mean y).
    pub sxy: f64,
    /// The smallest offset from the start, whole seconds.
    pub first_second: i64,
    /// The largest offset from the start, whole seconds.
    pub last_second: i64,
    /// Readings at or after the start.
    pub in_period: u64,
    /// Of those, readings holding the level.
    pub on_target: u64,
}

impl ReadingSums {
    /// The sums of `readings`, each given as its local offset from the start in whole seconds
    /// and its value: x counts days (the offset / 86,400), y is `(value - shift) / 2` (the
    /// database's own form, taken relative to the baseline), and a reading at or after the start
    /// counts as on target when `holds(value)`. Two passes, so the sums are centred exactly.
    pub fn of(readings: &[(i64, f64)], shift: f64, holds: impl Fn(f64) -> bool) -> ReadingSums {
        if readings.is_empty() {
            return ReadingSums::default();
        }
        let n = readings.len() as f64;
        let x = |seconds: i64| seconds as f64 / 86_400.0;
        let y = |value: f64| (value - shift) / 2.0;
        let mean_x = readings.iter().map(|r| x(r.0)).sum::<f64>() / n;
        let mean_y = readings.iter().map(|r| y(r.1)).sum::<f64>() / n;
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for r in readings {
            let dx = x(r.0) - mean_x;
            sxx += dx * dx;
            sxy += dx * (y(r.1) - mean_y);
        }
        let in_period = readings.iter().filter(|r| r.0 >= 0);
        ReadingSums {
            n: readings.len() as u64,
            mean_x,
            mean_y,
            sxx,
            sxy,
            first_second: readings.iter().map(|r| r.0).min().unwrap_or(0),
            last_second: readings.iter().map(|r| r.0).max().unwrap_or(0),
            in_period: in_period.clone().count() as u64,
            on_target: in_period.filter(|r| holds(r.1)).count() as u64,
        }
    }

    /// The sums of both sets of readings together (they must not share a reading).
    pub fn merge(self, other: ReadingSums) -> ReadingSums {
        if other.n == 0 {
            return self;
        }
        if self.n == 0 {
            return other;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let (dx, dy) = (other.mean_x - self.mean_x, other.mean_y - self.mean_y);
        // Each set's sums are about its own means; moving both to the union's mean adds the
        // spread between the two means, weighted by how many readings each holds.
        let weight = na * nb / n;
        ReadingSums {
            n: self.n + other.n,
            mean_x: self.mean_x + dx * nb / n,
            mean_y: self.mean_y + dy * nb / n,
            sxx: self.sxx + other.sxx + dx * dx * weight,
            sxy: self.sxy + other.sxy + dx * dy * weight,
            first_second: self.first_second.min(other.first_second),
            last_second: self.last_second.max(other.last_second),
            in_period: self.in_period + other.in_period,
            on_target: self.on_target + other.on_target,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sums of points `(second, y)` computed directly, two passes, as the definition.
    fn direct(points: &[(i64, f64)]) -> ReadingSums {
        if points.is_empty() {
            return ReadingSums::default();
        }
        let n = points.len() as f64;
        let x = |s: i64| s as f64 / 86_400.0;
        let mean_x = points.iter().map(|p| x(p.0)).sum::<f64>() / n;
        let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
        ReadingSums {
            n: points.len() as u64,
            mean_x,
            mean_y,
            sxx: points.iter().map(|p| (x(p.0) - mean_x).powi(2)).sum(),
            sxy: points
                .iter()
                .map(|p| (x(p.0) - mean_x) * (p.1 - mean_y))
                .sum(),
            first_second: points.iter().map(|p| p.0).min().unwrap(),
            last_second: points.iter().map(|p| p.0).max().unwrap(),
            in_period: points.iter().filter(|p| p.0 >= 0).count() as u64,
            on_target: points.iter().filter(|p| p.0 >= 0 && p.1 >= 1.0).count() as u64,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    fn assert_same(merged: ReadingSums, whole: ReadingSums) {
        assert_eq!(merged.n, whole.n);
        assert_eq!(merged.first_second, whole.first_second);
        assert_eq!(merged.last_second, whole.last_second);
        assert_eq!(merged.in_period, whole.in_period);
        assert_eq!(merged.on_target, whole.on_target);
        for (name, a, b) in [
            ("mean_x", merged.mean_x, whole.mean_x),
            ("mean_y", merged.mean_y, whole.mean_y),
            ("sxx", merged.sxx, whole.sxx),
            ("sxy", merged.sxy, whole.sxy),
        ] {
            assert!(close(a, b), "{name}: merged {a}, whole {b}");
        }
    }

    /// A goal's history: a reading a day, drifting with a wobble, some before the start.
    fn history(days: i64) -> Vec<(i64, f64)> {
        (0..days)
            .map(|d| {
                (
                    d * 86_400 - 5 * 86_400 + 3_600,
                    0.5 + d as f64 * 0.01 + (d % 3) as f64 * 0.2,
                )
            })
            .collect()
    }

    #[test]
    fn an_old_history_merged_with_a_recent_tail_gives_the_sums_of_all_readings() {
        let all = history(400);
        for split in [1, 17, 200, 399] {
            let merged = direct(&all[..split]).merge(direct(&all[split..]));
            assert_same(merged, direct(&all));
        }
    }

    #[test]
    fn a_tail_recorded_out_of_order_merges_the_same_as_one_in_order() {
        // Back-filled readings land in the tail though they were observed long ago.
        let all = history(60);
        let (mut rolled, mut tail) = (Vec::new(), Vec::new());
        for (i, p) in all.iter().enumerate() {
            if i % 4 == 0 {
                tail.push(*p)
            } else {
                rolled.push(*p)
            }
        }
        assert_same(direct(&rolled).merge(direct(&tail)), direct(&all));
        assert_same(direct(&tail).merge(direct(&rolled)), direct(&all));
    }

    #[test]
    fn summing_readings_matches_the_definition() {
        let all = history(50);
        // y is taken relative to the shift and halved; the definition's y is the value itself.
        let doubled: Vec<(i64, f64)> = all.iter().map(|p| (p.0, 3.0 + 2.0 * p.1)).collect();
        assert_same(ReadingSums::of(&doubled, 3.0, |v| v >= 5.0), direct(&all));
        assert_eq!(ReadingSums::of(&[], 0.0, |_| true), ReadingSums::default());
    }

    #[test]
    fn merging_with_no_readings_changes_nothing() {
        let some = direct(&history(9));
        assert_eq!(some.merge(ReadingSums::default()), some);
        assert_eq!(ReadingSums::default().merge(some), some);
    }

    #[test]
    fn days_far_from_the_start_do_not_cancel_the_spread_away() {
        // Ten years in, readings a minute apart: raw sums of squares would lose the spread.
        let base = 3_650 * 86_400;
        let all: Vec<(i64, f64)> = (0..100).map(|i| (base + i * 60, 1e9 + i as f64)).collect();
        let merged = direct(&all[..50]).merge(direct(&all[50..]));
        assert_same(merged, direct(&all));
        assert!(merged.sxx > 0.0);
    }
}
