//! Fit reviews: each partner's periodic answer to "does this pairing still work?". Answers are
//! grouped in rounds; a round is complete once both partners have answered.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::changes::{self, Entity, Op};
use crate::schema::fit_reviews;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored review.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = fit_reviews)]
pub struct FitReview {
    /// Id.
    pub id: String,
    /// The partnership.
    pub partnership_id: String,
    /// The round it answers (1, 2, …).
    pub round: i32,
    /// Who answered.
    pub author_id: String,
    /// 1..5.
    pub shared_values: i32,
    /// 1..5.
    pub complementary_skills: i32,
    /// 1..5.
    pub communication: i32,
    /// Whether they want to go on.
    pub wants_to_continue: bool,
    /// A note.
    pub note: Option<String>,
    /// Submitted.
    pub created_at: NaiveDateTime,
}

/// Stores a review; a second answer by the same partner in the round is
/// [`StoreError::Conflict`]`("fit_review")`.
pub fn insert(conn: &mut DbConnection, r: &FitReview) -> StoreResult<()> {
    diesel::insert_into(fit_reviews::table)
        .values(r)
        .execute(conn)
        .map(|_| ())
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("fit_review".into()),
            other => other,
        })?;
    changes::record(
        conn,
        &r.partnership_id,
        Entity::FitReview,
        &r.id,
        Op::Created,
        r.created_at,
    )
}

/// Every review of a partnership, by round then submission.
pub fn all(conn: &mut DbConnection, partnership_id: &str) -> StoreResult<Vec<FitReview>> {
    fit_reviews::table
        .filter(fit_reviews::partnership_id.eq(partnership_id))
        .order((fit_reviews::round, fit_reviews::created_at, fit_reviews::id))
        .select(FitReview::as_select())
        .load(conn)
        .map_err(StoreError::from)
}
