//! Fit review rounds as a partner may see them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tandem_app::fit_reviews::{FitReview, Reviews};
use tandem_domain::rhythm::Due;
use utoipa::ToSchema;

/// One answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FitReviewView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The round it answers.
    pub round: i32,
    /// Who answered.
    #[schema(format = Uuid)]
    pub author_id: String,
    /// 1 to 5.
    pub shared_values: i32,
    /// 1 to 5.
    pub complementary_skills: i32,
    /// 1 to 5.
    pub communication: i32,
    /// Go on together?
    #[serde(rename = "continue")]
    pub wants_to_continue: bool,
    /// A note.
    pub note: Option<String>,
    /// Submitted.
    pub created_at: DateTime<Utc>,
}

impl From<&FitReview> for FitReviewView {
    fn from(r: &FitReview) -> Self {
        FitReviewView {
            id: r.id.clone(),
            round: r.round,
            author_id: r.author_id.clone(),
            shared_values: r.shared_values,
            complementary_skills: r.complementary_skills,
            communication: r.communication,
            wants_to_continue: r.wants_to_continue,
            note: r.note.clone(),
            created_at: r.created_at.and_utc(),
        }
    }
}

/// A round of answers as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundView {
    /// 1, 2, …
    pub round: i32,
    /// Both partners have answered.
    pub complete: bool,
    /// The day the second answer came in.
    pub completed_on: Option<NaiveDate>,
    /// Partners who have not answered yet.
    pub waiting_for: Vec<String>,
    /// The caller's own answer always; the partner's only once the round is complete.
    pub reviews: Vec<FitReviewView>,
}

/// Every round and when the next review is due.
#[derive(Debug, Serialize, ToSchema)]
pub struct FitReviewsView {
    /// Rounds, oldest first.
    pub items: Vec<RoundView>,
    /// When the next round is due.
    pub next_review: Due,
}

impl From<&Reviews> for FitReviewsView {
    fn from(r: &Reviews) -> Self {
        FitReviewsView {
            items: r
                .rounds
                .iter()
                .map(|round| RoundView {
                    round: round.round,
                    complete: round.completed_on.is_some(),
                    completed_on: round.completed_on,
                    waiting_for: round.waiting_for.clone(),
                    reviews: round.reviews.iter().map(FitReviewView::from).collect(),
                })
                .collect(),
            next_review: r.next_review,
        }
    }
}
