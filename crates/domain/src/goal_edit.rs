//! Edits that cannot cheat: on an active goal, a change that makes the goal easier to meet is not
//! applied on the owner's word alone; the partner must acknowledge it. Harder or neutral changes
//! apply at once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::goal::Direction;

/// How a change affects the difficulty of an active goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Easier to meet: needs the partner's acknowledgement.
    Easier,
    /// Harder to meet, or no bearing on difficulty: applies at once.
    NotEasier,
}

fn easier_if(condition: bool) -> Effect {
    if condition {
        Effect::Easier
    } else {
        Effect::NotEasier
    }
}

/// A new target is easier when it moves toward the baseline: lower for `increase`/`at_least`,
/// higher for `decrease`/`at_most`.
pub fn target_change(direction: Direction, old: Option<f64>, new: Option<f64>) -> Effect {
    match (old, new) {
        (Some(old), Some(new)) => easier_if(match direction {
            Direction::Increase | Direction::AtLeast => new < old,
            Direction::Decrease | Direction::AtMost => new > old,
            Direction::Milestone => false,
        }),
        // Removing a target makes the goal unmeasurable: treat as easing.
        (Some(_), None) => Effect::Easier,
        _ => Effect::NotEasier,
    }
}

/// A new baseline is easier when it flatters progress: lower for `increase`, higher for `decrease`.
pub fn baseline_change(direction: Direction, old: Option<f64>, new: Option<f64>) -> Effect {
    match (old, new) {
        (Some(old), Some(new)) => easier_if(match direction {
            Direction::Increase => new < old,
            Direction::Decrease => new > old,
            _ => false,
        }),
        (Some(_), None) => Effect::Easier,
        _ => Effect::NotEasier,
    }
}

/// A date (due date, milestone due date, start date) is easier when it moves later: more time, or
/// less expected so far.
pub fn date_change(old: Option<NaiveDate>, new: Option<NaiveDate>) -> Effect {
    match (old, new) {
        (Some(old), Some(new)) => easier_if(new > old),
        (Some(_), None) => Effect::Easier,
        _ => Effect::NotEasier,
    }
}

/// A milestone's target value, judged like the goal's target.
pub fn milestone_target_change(direction: Direction, old: Option<f64>, new: Option<f64>) -> Effect {
    target_change(direction, old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn moving_a_target_toward_the_baseline_is_easier() {
        assert_eq!(
            target_change(Direction::Increase, Some(25.0), Some(23.0)),
            Effect::Easier
        );
        assert_eq!(
            target_change(Direction::Increase, Some(25.0), Some(27.0)),
            Effect::NotEasier
        );
        assert_eq!(
            target_change(Direction::Decrease, Some(9.6), Some(10.0)),
            Effect::Easier
        );
        assert_eq!(
            target_change(Direction::Decrease, Some(9.6), Some(9.0)),
            Effect::NotEasier
        );
        assert_eq!(
            target_change(Direction::Decrease, Some(9.6), None),
            Effect::Easier
        );
    }

    #[test]
    fn later_dates_are_easier_earlier_ones_are_not() {
        assert_eq!(date_change(d(2026, 6, 30), d(2026, 7, 31)), Effect::Easier);
        assert_eq!(
            date_change(d(2026, 6, 30), d(2026, 6, 1)),
            Effect::NotEasier
        );
        assert_eq!(date_change(None, d(2026, 6, 1)), Effect::NotEasier);
    }

    #[test]
    fn a_flattering_baseline_is_easier() {
        assert_eq!(
            baseline_change(Direction::Increase, Some(19.0), Some(17.0)),
            Effect::Easier
        );
        assert_eq!(
            baseline_change(Direction::Decrease, Some(12.0), Some(13.0)),
            Effect::Easier
        );
        assert_eq!(
            baseline_change(Direction::Increase, Some(19.0), Some(20.0)),
            Effect::NotEasier
        );
    }
}
