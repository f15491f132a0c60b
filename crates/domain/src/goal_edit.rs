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

/// The old and new value of a changed field, read as what the field holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Moved {
    /// A number (a target, a baseline).
    Numbers(Option<f64>, Option<f64>),
    /// A date (start, due, a milestone's due date).
    Dates(Option<NaiveDate>, Option<NaiveDate>),
    /// Anything else: text, a kind; never bears on difficulty.
    Other,
}

/// What a field of the goal document holds, so its change can be read as [`Moved`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// A number.
    Number,
    /// A calendar date.
    Date,
    /// Text or a kind.
    Other,
}

/// A field of the goal document, named in the goal's history by its JSON pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalField {
    /// `/title`.
    Title,
    /// `/what`.
    What,
    /// `/who`.
    Who,
    /// `/why`.
    Why,
    /// `/metric/name`.
    MetricName,
    /// `/metric/unit`.
    MetricUnit,
    /// `/metric/kind`.
    MetricKind,
    /// `/metric/direction`.
    Direction,
    /// `/metric/baseline`.
    Baseline,
    /// `/metric/target`.
    Target,
    /// `/confidence`.
    Confidence,
    /// `/alignment`.
    Alignment,
    /// `/alignment_ref`.
    AlignmentRef,
    /// `/start_date`.
    StartDate,
    /// `/due_date`.
    DueDate,
    /// `/weight`.
    Weight,
    /// `/update_every_days`.
    UpdateEveryDays,
    /// `/external_ref`.
    ExternalRef,
    /// `/source`.
    Source,
}

impl GoalField {
    /// Every field, in document order.
    pub const ALL: [GoalField; 19] = [
        GoalField::Title,
        GoalField::What,
        GoalField::Who,
        GoalField::Why,
        GoalField::MetricName,
        GoalField::MetricUnit,
        GoalField::MetricKind,
        GoalField::Direction,
        GoalField::Baseline,
        GoalField::Target,
        GoalField::Confidence,
        GoalField::Alignment,
        GoalField::AlignmentRef,
        GoalField::StartDate,
        GoalField::DueDate,
        GoalField::Weight,
        GoalField::UpdateEveryDays,
        GoalField::ExternalRef,
        GoalField::Source,
    ];

    /// Its JSON pointer in the goal document.
    pub fn pointer(self) -> &'static str {
        match self {
            GoalField::Title => "/title",
            GoalField::What => "/what",
            GoalField::Who => "/who",
            GoalField::Why => "/why",
            GoalField::MetricName => "/metric/name",
            GoalField::MetricUnit => "/metric/unit",
            GoalField::MetricKind => "/metric/kind",
            GoalField::Direction => "/metric/direction",
            GoalField::Baseline => "/metric/baseline",
            GoalField::Target => "/metric/target",
            GoalField::Confidence => "/confidence",
            GoalField::Alignment => "/alignment",
            GoalField::AlignmentRef => "/alignment_ref",
            GoalField::StartDate => "/start_date",
            GoalField::DueDate => "/due_date",
            GoalField::Weight => "/weight",
            GoalField::UpdateEveryDays => "/update_every_days",
            GoalField::ExternalRef => "/external_ref",
            GoalField::Source => "/source",
        }
    }

    /// The field at a JSON pointer.
    pub fn from_pointer(pointer: &str) -> Option<GoalField> {
        GoalField::ALL.into_iter().find(|f| f.pointer() == pointer)
    }

    /// What it holds.
    pub fn holds(self) -> Holds {
        match self {
            GoalField::Baseline | GoalField::Target => Holds::Number,
            GoalField::StartDate | GoalField::DueDate => Holds::Date,
            _ => Holds::Other,
        }
    }

    /// Fixed once the goal is active: changing what is measured, or which way is better, would
    /// make it another goal.
    pub fn frozen_when_active(self) -> bool {
        matches!(self, GoalField::MetricKind | GoalField::Direction)
    }

    /// How changing this field of an active goal whose metric runs `direction` affects its
    /// difficulty: a target toward the baseline, a flattering baseline or a later date is easier.
    pub fn effect(self, direction: Option<Direction>, moved: Moved) -> Effect {
        match (self, direction, moved) {
            (GoalField::Target, Some(d), Moved::Numbers(old, new)) => target_change(d, old, new),
            (GoalField::Baseline, Some(d), Moved::Numbers(old, new)) => {
                baseline_change(d, old, new)
            }
            (GoalField::StartDate | GoalField::DueDate, _, Moved::Dates(old, new)) => {
                date_change(old, new)
            }
            _ => Effect::NotEasier,
        }
    }
}

/// A field of a milestone, named in the goal's history by its JSON pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MilestoneField {
    /// `/title`.
    Title,
    /// `/due_date`.
    DueDate,
    /// `/target`.
    Target,
}

impl MilestoneField {
    /// Its JSON pointer in the milestone document.
    pub fn pointer(self) -> &'static str {
        match self {
            MilestoneField::Title => "/title",
            MilestoneField::DueDate => "/due_date",
            MilestoneField::Target => "/target",
        }
    }

    /// How changing it on an active goal affects difficulty: a later date or a target toward the
    /// baseline is easier.
    pub fn effect(self, direction: Option<Direction>, moved: Moved) -> Effect {
        match (self, direction, moved) {
            (MilestoneField::DueDate, _, Moved::Dates(old, new)) => date_change(old, new),
            (MilestoneField::Target, Some(d), Moved::Numbers(old, new)) => {
                milestone_target_change(d, old, new)
            }
            _ => Effect::NotEasier,
        }
    }
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
    fn fields_are_judged_by_what_they_hold() {
        let t = GoalField::from_pointer("/metric/target").unwrap();
        assert_eq!(t, GoalField::Target);
        assert_eq!(
            t.effect(
                Some(Direction::Decrease),
                Moved::Numbers(Some(9.6), Some(10.0))
            ),
            Effect::Easier
        );
        assert_eq!(
            t.effect(None, Moved::Numbers(Some(9.6), Some(10.0))),
            Effect::NotEasier,
            "without a direction nothing is easier or harder"
        );
        assert_eq!(
            GoalField::DueDate.effect(None, Moved::Dates(d(2026, 6, 30), d(2026, 7, 1))),
            Effect::Easier
        );
        assert_eq!(
            GoalField::Title.effect(Some(Direction::Increase), Moved::Other),
            Effect::NotEasier
        );
        assert!(
            GoalField::Direction.frozen_when_active() && !GoalField::Target.frozen_when_active()
        );
        for f in GoalField::ALL {
            assert_eq!(GoalField::from_pointer(f.pointer()), Some(f));
        }
        assert_eq!(
            MilestoneField::DueDate.effect(None, Moved::Dates(d(2026, 3, 31), d(2026, 4, 30))),
            Effect::Easier
        );
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
