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

/// How many days before its due date the annual refresh opens; before that a partner must say
/// `early` (a refresh closes every active goal, so it should not happen by accident).
pub const REFRESH_WINDOW_DAYS: i64 = 30;

/// Why a partner may not refresh their goals now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RefreshRefused {
    /// This partner already refreshed for this cycle; the other partner has not yet.
    #[error(
        "you already refreshed your goals for the refresh due on {due_on}; it completes when your partner refreshes theirs"
    )]
    AlreadyRefreshed {
        /// The cycle's due date.
        due_on: NaiveDate,
    },
    /// The refresh window has not opened and `early` was not said.
    #[error(
        "the refresh is due on {due_on}; before {opens_on} send \"early\": true to refresh now"
    )]
    NotDueYet {
        /// The cycle's due date.
        due_on: NaiveDate,
        /// The first day a refresh needs no `early`.
        opens_on: NaiveDate,
    },
}

/// Whether a partner may refresh their own goals on `today` for the cycle due on `due_on`.
///
/// Each partner refreshes their own goals once per cycle; the partnership's refresh is complete,
/// and the next one falls due a year on, when both have ([`refresh_complete`]).
pub fn may_refresh(
    due_on: NaiveDate,
    today: NaiveDate,
    early: bool,
    already_refreshed: bool,
) -> Result<(), RefreshRefused> {
    if already_refreshed {
        return Err(RefreshRefused::AlreadyRefreshed { due_on });
    }
    let opens_on = due_on - chrono::Duration::days(REFRESH_WINDOW_DAYS);
    if today < opens_on && !early {
        return Err(RefreshRefused::NotDueYet { due_on, opens_on });
    }
    Ok(())
}

/// A cycle's refresh is complete when every member (both, once the invitee has joined) has
/// refreshed.
pub fn refresh_complete(members: usize, refreshed: usize) -> bool {
    members == 2 && refreshed >= members
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
    fn each_partner_refreshes_once_and_early_needs_saying() {
        let due = d("2027-01-15");
        assert_eq!(
            may_refresh(due, d("2026-12-01"), false, false),
            Err(RefreshRefused::NotDueYet {
                due_on: due,
                opens_on: d("2026-12-16")
            })
        );
        assert!(may_refresh(due, d("2026-12-01"), true, false).is_ok());
        assert!(may_refresh(due, d("2026-12-16"), false, false).is_ok());
        assert!(may_refresh(due, d("2027-03-01"), false, false).is_ok());
        assert_eq!(
            may_refresh(due, d("2027-01-20"), false, true),
            Err(RefreshRefused::AlreadyRefreshed { due_on: due })
        );
        assert!(!refresh_complete(2, 1) && refresh_complete(2, 2));
        assert!(
            !refresh_complete(1, 1),
            "an invitation alone never completes a refresh"
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
