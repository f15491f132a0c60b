//! Goals as their owners write them: the SMART fields, the metric, milestones and lifecycle.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What kind of quantity a metric measures; informs display, not the math.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// A plain number (leads, deals, NPS).
    Number,
    /// A percentage, 0-100.
    Percent,
    /// An amount of money in the goal's unit (e.g. EUR).
    Currency,
    /// A length of time in the goal's unit (e.g. minutes).
    Duration,
    /// No number: progress is the share of milestones completed.
    Milestone,
}

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Move up from the baseline to a higher target.
    Increase,
    /// Move down from the baseline to a lower target.
    Decrease,
    /// Keep the value at or above the target.
    AtLeast,
    /// Keep the value at or below the target.
    AtMost,
    /// Complete the goal's milestones.
    Milestone,
}

named!(MetricKind {
    Number => "number",
    Percent => "percent",
    Currency => "currency",
    Duration => "duration",
    Milestone => "milestone",
});

named!(Direction {
    Increase => "increase",
    Decrease => "decrease",
    AtLeast => "at_least",
    AtMost => "at_most",
    Milestone => "milestone",
});

impl Direction {
    /// Whether the goal is about holding a level rather than moving a number.
    pub fn is_keep_level(self) -> bool {
        matches!(self, Direction::AtLeast | Direction::AtMost)
    }
}

/// The measurable part of a goal. Every field is optional so that a draft can be saved half-done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricDraft {
    /// What is measured, e.g. "Average customer wait time".
    pub name: Option<String>,
    /// Unit of the values, e.g. "minutes", "%", "EUR".
    pub unit: Option<String>,
    /// Kind of quantity.
    pub kind: Option<MetricKind>,
    /// Which way is better.
    pub direction: Option<Direction>,
    /// Where the metric stands at the start.
    pub baseline: Option<f64>,
    /// Where it should be by the due date.
    pub target: Option<f64>,
}

/// A dated checkpoint on the way to a goal, optionally with the value expected by then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    /// What will be done.
    pub title: String,
    /// Due by the end of this day.
    pub due_date: NaiveDate,
    /// The metric value expected by then, if the goal has a numeric path.
    pub target: Option<f64>,
    /// The day it was completed, if it was.
    pub completed_on: Option<NaiveDate>,
}

/// A goal as written, possibly incomplete; [`crate::smart::assess`] says what is missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalDraft {
    /// Specific: a short name.
    pub title: Option<String>,
    /// Specific: what will be accomplished.
    pub what: Option<String>,
    /// Specific: who is involved.
    pub who: Option<String>,
    /// Specific: why it matters.
    pub why: Option<String>,
    /// Measurable: the metric.
    pub metric: MetricDraft,
    /// Achievable: the owner's estimate (0 to 1) that the target will be reached.
    pub confidence: Option<f64>,
    /// Relevant: the business objective served (free text).
    pub alignment: Option<String>,
    /// Relevant: a reference to an objective in an OKR tool, as an alternative to free text.
    pub alignment_ref: Option<String>,
    /// Time-bound: first day.
    pub start_date: Option<NaiveDate>,
    /// Time-bound: last day (inclusive).
    pub due_date: Option<NaiveDate>,
    /// Time-bound: checkpoints in order.
    pub milestones: Vec<Milestone>,
}

/// Where a goal is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Being written; may be incomplete.
    Draft,
    /// Declared to the partner and tracked.
    Active,
    /// The target was reached.
    Achieved,
    /// The due date passed without reaching the target.
    Missed,
    /// Abandoned on purpose.
    Dropped,
    /// Closed at an annual refresh.
    Archived,
}

named!(GoalStatus {
    Draft => "draft",
    Active => "active",
    Achieved => "achieved",
    Missed => "missed",
    Dropped => "dropped",
    Archived => "archived",
});

impl GoalStatus {
    /// A draft or an active goal can still be edited and measured; a closed one is history.
    pub fn is_open(self) -> bool {
        matches!(self, GoalStatus::Draft | GoalStatus::Active)
    }

    /// Whether the lifecycle allows moving from `self` to `to`:
    /// `draft -> active -> achieved | missed | dropped`, a draft may be dropped, and any closed
    /// goal (or a draft) may be archived at a refresh.
    pub fn can_become(self, to: GoalStatus) -> bool {
        use GoalStatus::*;
        matches!(
            (self, to),
            (Draft, Active)
                | (Draft, Dropped)
                | (Active, Achieved)
                | (Active, Missed)
                | (Active, Dropped)
                | (Achieved | Missed | Dropped | Draft, Archived)
        )
    }
}

/// What kind of change an entry in a goal's history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The goal was created (or carried into a new period).
    Created,
    /// Fields of the goal document were edited.
    Edited,
    /// The goal moved to another status.
    StatusChanged,
    /// A milestone was added.
    MilestoneAdded,
    /// A milestone's title, date or target changed.
    MilestoneEdited,
    /// A milestone was completed.
    MilestoneCompleted,
    /// The milestones were put in another order.
    MilestonesReordered,
}

named!(ChangeKind {
    Created => "created",
    Edited => "edited",
    StatusChanged => "status_changed",
    MilestoneAdded => "milestone_added",
    MilestoneEdited => "milestone_edited",
    MilestoneCompleted => "milestone_completed",
    MilestonesReordered => "milestones_reordered",
});

/// Whether a change in a goal's history took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    /// In effect.
    Applied,
    /// Easier to meet: waits for the partner.
    Pending,
    /// The partner agreed; in effect since.
    Acknowledged,
    /// The partner refused; never took effect.
    Rejected,
}

named!(ChangeState {
    Applied => "applied",
    Pending => "pending",
    Acknowledged => "acknowledged",
    Rejected => "rejected",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves_forward_only() {
        use GoalStatus::*;
        assert!(Draft.can_become(Active));
        assert!(Active.can_become(Achieved));
        assert!(Active.can_become(Dropped));
        assert!(Missed.can_become(Archived));
        assert!(!Active.can_become(Draft));
        assert!(!Achieved.can_become(Active));
        assert!(!Archived.can_become(Active));
        assert!(
            !Active.can_become(Archived),
            "an active goal is closed before archiving"
        );
    }
}
