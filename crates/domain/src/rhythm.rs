//! The year around the meetings: when the quarterly fit review and the annual refresh fall due,
//! what a goal's outcome is at a refresh, and how a goal carried into the new period is framed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cadence::{fit_review_due, refresh_due};
use crate::goal::GoalStatus;
use crate::progress::ProgressStatus;

/// When something periodic is next due, and whether that day has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Due {
    /// The day it is due (in the partnership's time zone).
    pub due_on: NaiveDate,
    /// `today` is after `due_on`.
    pub overdue: bool,
}

/// The next fit review: `every_months` after the last completed round (or after the start).
pub fn fit_review(
    start: NaiveDate,
    last_completed: Option<NaiveDate>,
    every_months: u32,
    today: NaiveDate,
) -> Due {
    let due_on = fit_review_due(start, last_completed, every_months);
    Due {
        due_on,
        overdue: today > due_on,
    }
}

/// The next goal refresh: a year after the start (or the last refresh).
pub fn refresh(start: NaiveDate, last_refresh: Option<NaiveDate>, today: NaiveDate) -> Due {
    let due_on = refresh_due(start, last_refresh);
    Due {
        due_on,
        overdue: today > due_on,
    }
}

/// A goal's outcome at a refresh when nobody states it: achieved if its progress says the target
/// is reached, missed otherwise.
pub fn derived_outcome(status: Option<ProgressStatus>) -> GoalStatus {
    match status {
        Some(ProgressStatus::Achieved) => GoalStatus::Achieved,
        _ => GoalStatus::Missed,
    }
}

/// The dates of a goal carried into a new period that starts on `today`: same length as before.
pub fn carried_period(
    start: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let length = (due - start).max(chrono::Duration::days(1));
    (today, today + length)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_fit_review_is_due_a_quarter_after_the_last_completed_round() {
        let due = fit_review(d("2026-01-15"), None, 3, d("2026-04-16"));
        assert_eq!(
            due,
            Due {
                due_on: d("2026-04-15"),
                overdue: true
            }
        );
        let due = fit_review(d("2026-01-15"), Some(d("2026-04-10")), 3, d("2026-04-16"));
        assert_eq!(
            due,
            Due {
                due_on: d("2026-07-10"),
                overdue: false
            }
        );
    }

    #[test]
    fn the_refresh_is_due_a_year_on() {
        assert_eq!(
            refresh(d("2026-01-15"), None, d("2026-06-01")).due_on,
            d("2027-01-15")
        );
        assert!(refresh(d("2025-01-15"), None, d("2026-06-01")).overdue);
        assert_eq!(
            refresh(d("2025-01-15"), Some(d("2026-01-20")), d("2026-06-01")).due_on,
            d("2027-01-20")
        );
    }

    #[test]
    fn only_a_reached_target_is_achieved_by_default() {
        assert_eq!(
            derived_outcome(Some(ProgressStatus::Achieved)),
            GoalStatus::Achieved
        );
        for s in [
            ProgressStatus::OnTrack,
            ProgressStatus::Missed,
            ProgressStatus::NotStarted,
        ] {
            assert_eq!(derived_outcome(Some(s)), GoalStatus::Missed);
        }
        assert_eq!(derived_outcome(None), GoalStatus::Missed);
    }

    #[test]
    fn a_carried_goal_keeps_its_length() {
        assert_eq!(
            carried_period(d("2026-01-01"), d("2026-06-30"), d("2027-01-10")),
            (d("2027-01-10"), d("2027-07-09"))
        );
    }
}
