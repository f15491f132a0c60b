//! The raw figures of a cohort's programme report: statuses, dates and scores of the cohort's
//! partnerships, never their text. The application aggregates and suppresses.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{
    cohort_proposals, fit_reviews, goals, meetings, member_refreshes, partnerships,
};
use crate::{DbConnection, StoreError, StoreResult};

/// A meeting's (partnership, status, slot, held at).
pub type MeetingTime = (String, String, NaiveDateTime, Option<NaiveDateTime>);

/// A fit-review answer's (author, shared values, complementary skills, communication, wants to
/// continue).
pub type FitReviewScore = (String, i32, i32, i32, bool);

/// A cohort's confirmed proposal's pairs (JSON), if it has one.
pub fn confirmed_pairs(conn: &mut DbConnection, cohort_id: &str) -> StoreResult<Option<String>> {
    cohort_proposals::table
        .filter(cohort_proposals::cohort_id.eq(cohort_id))
        .filter(cohort_proposals::status.eq("confirmed"))
        .select(cohort_proposals::pairs)
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Each partnership's (id, status, grace days).
pub fn partnership_statuses(
    conn: &mut DbConnection,
    ids: &[String],
) -> StoreResult<Vec<(String, String, i32)>> {
    partnerships::table
        .filter(partnerships::id.eq_any(ids))
        .select((
            partnerships::id,
            partnerships::status,
            partnerships::grace_days,
        ))
        .load(conn)
        .map_err(StoreError::from)
}

/// Each goal's (owner, status) in these partnerships.
pub fn goal_statuses(
    conn: &mut DbConnection,
    partnership_ids: &[String],
) -> StoreResult<Vec<(String, String)>> {
    goals::table
        .filter(goals::partnership_id.eq_any(partnership_ids))
        .select((goals::owner_id, goals::status))
        .load(conn)
        .map_err(StoreError::from)
}

/// Each meeting's (partnership, status, slot, held at) in these partnerships, by slot.
pub fn meeting_times(
    conn: &mut DbConnection,
    partnership_ids: &[String],
) -> StoreResult<Vec<MeetingTime>> {
    meetings::table
        .filter(meetings::partnership_id.eq_any(partnership_ids))
        .order((meetings::partnership_id, meetings::slot_at))
        .select((
            meetings::partnership_id,
            meetings::status,
            meetings::slot_at,
            meetings::held_at,
        ))
        .load(conn)
        .map_err(StoreError::from)
}

/// Each fit-review answer's (author, shared values, complementary skills, communication, wants
/// to continue) in these partnerships.
pub fn fit_review_scores(
    conn: &mut DbConnection,
    partnership_ids: &[String],
) -> StoreResult<Vec<FitReviewScore>> {
    fit_reviews::table
        .filter(fit_reviews::partnership_id.eq_any(partnership_ids))
        .select((
            fit_reviews::author_id,
            fit_reviews::shared_values,
            fit_reviews::complementary_skills,
            fit_reviews::communication,
            fit_reviews::wants_to_continue,
        ))
        .load(conn)
        .map_err(StoreError::from)
}

/// Who refreshed their goals at least once in these partnerships.
pub fn refreshed_members(
    conn: &mut DbConnection,
    partnership_ids: &[String],
) -> StoreResult<Vec<String>> {
    member_refreshes::table
        .filter(member_refreshes::partnership_id.eq_any(partnership_ids))
        .select(member_refreshes::user_id)
        .distinct()
        .load(conn)
        .map_err(StoreError::from)
}
