//! The annual refresh's answer.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tandem_app::refresh::Refreshed;
use tandem_domain::goal::GoalStatus;
use tandem_domain::rhythm::Due;
use utoipa::ToSchema;

use crate::views::goals::GoalView;

/// How a goal ended, when its owner says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The target was reached.
    Achieved,
    /// It was not.
    Missed,
    /// Given up deliberately.
    Dropped,
}

impl From<Outcome> for GoalStatus {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Achieved => GoalStatus::Achieved,
            Outcome::Missed => GoalStatus::Missed,
            Outcome::Dropped => GoalStatus::Dropped,
        }
    }
}

/// What became of one goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedGoal {
    /// The goal, now archived.
    #[schema(format = Uuid)]
    pub goal_id: String,
    /// Its owner.
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// `achieved`, `missed` or `dropped`.
    pub outcome: Outcome,
    /// Derived from progress rather than stated.
    pub derived: bool,
    /// Progress (0..1) at the refresh, when it could be computed.
    pub progress: Option<f64>,
    /// The draft it was carried into.
    #[schema(format = Uuid)]
    pub carried_into: Option<String>,
}

/// The refresh's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshView {
    /// The day of the refresh (partnership time zone).
    pub refreshed_on: NaiveDate,
    /// The refresh cycle this belongs to: the day it was due.
    pub cycle_due_on: NaiveDate,
    /// Every goal of yours that was active, now archived with its outcome.
    pub closed: Vec<ClosedGoal>,
    /// The new drafts.
    pub carried: Vec<GoalView>,
    /// Both partners have refreshed this cycle: the partnership's refresh is done.
    pub complete: bool,
    /// The partner still to refresh, until the cycle is complete.
    #[schema(format = Uuid)]
    pub waiting_for: Option<String>,
    /// The next refresh: a year on once complete, else still this cycle's.
    pub next_refresh: Due,
}

impl From<GoalStatus> for Outcome {
    fn from(s: GoalStatus) -> Self {
        match s {
            GoalStatus::Achieved => Outcome::Achieved,
            GoalStatus::Dropped => Outcome::Dropped,
            _ => Outcome::Missed,
        }
    }
}

impl From<&Refreshed> for RefreshView {
    fn from(r: &Refreshed) -> Self {
        RefreshView {
            refreshed_on: r.refreshed_on,
            cycle_due_on: r.cycle_due_on,
            closed: r
                .closed
                .iter()
                .map(|c| ClosedGoal {
                    goal_id: c.goal_id.clone(),
                    owner_id: c.owner_id.clone(),
                    outcome: c.outcome.into(),
                    derived: c.derived,
                    progress: c.progress,
                    carried_into: c.carried_into.clone(),
                })
                .collect(),
            carried: r.carried.iter().map(GoalView::from).collect(),
            complete: r.complete,
            waiting_for: r.waiting_for.clone(),
            next_refresh: r.next_refresh,
        }
    }
}
