//! Fit reviews: every quarter (by default) each partner says whether the pairing still works.
//! Answers come in rounds; neither partner sees the other's answer until both have given theirs,
//! so nobody anchors on the other.

use chrono::NaiveDate;
use tandem_domain::fit_review::{self, Answer};
use tandem_domain::partnership::PartnershipStatus;
use tandem_domain::rhythm::{self, Due};
use tandem_store::StoreError;
use tandem_store::fit_reviews as store;
pub use tandem_store::fit_reviews::FitReview;
use tandem_store::partnerships::Partnership;

use crate::partnerships::{local_date, members, started_on};
use crate::{Actor, AppError, AppResult, Rule, Tx, new_id};

/// An answer with the day it was given, in the partnership's time zone.
struct Dated<'a> {
    review: &'a FitReview,
    day: NaiveDate,
}

impl Answer for Dated<'_> {
    fn round(&self) -> i32 {
        self.review.round
    }
    fn author(&self) -> &str {
        &self.review.author_id
    }
    fn day(&self) -> NaiveDate {
        self.day
    }
}

fn dated<'a>(p: &Partnership, all: &'a [FitReview]) -> Vec<Dated<'a>> {
    all.iter()
        .map(|review| Dated {
            review,
            day: local_date(p, review.created_at.and_utc()),
        })
        .collect()
}

/// When the partnership's next fit review is due: an interval after the last completed round.
pub fn next_review(tx: &mut Tx<'_>, p: &Partnership) -> AppResult<Due> {
    let all = store::all(tx.conn, &p.id)?;
    let answers = dated(p, &all);
    let last = fit_review::last_completed(&fit_review::rounds(&answers));
    Ok(rhythm::fit_review(
        started_on(p),
        last,
        p.fit_review_months.max(1) as u32,
        local_date(p, tx.now()),
    ))
}

/// One round as the actor may see it.
#[derive(Debug, Clone)]
pub struct RoundView {
    /// Its number.
    pub round: i32,
    /// The day it completed, once both answered.
    pub completed_on: Option<NaiveDate>,
    /// Partners yet to answer.
    pub waiting_for: Vec<String>,
    /// The answers the actor may see: their own, and their partner's once the round is complete.
    pub reviews: Vec<FitReview>,
}

/// The rounds as the actor may see them, and when the next review is due.
#[derive(Debug, Clone)]
pub struct Reviews {
    /// Rounds, oldest first.
    pub rounds: Vec<RoundView>,
    /// The next review.
    pub next_review: Due,
}

fn reviews(tx: &mut Tx<'_>, p: &Partnership, actor: &Actor) -> AppResult<Reviews> {
    let all = store::all(tx.conn, &p.id)?;
    let answers = dated(p, &all);
    let partners = members(p);
    let rounds = fit_review::rounds(&answers)
        .iter()
        .map(|r| RoundView {
            round: r.number,
            completed_on: r.completed_on,
            waiting_for: partners
                .iter()
                .filter(|m| !r.answers.iter().any(|a| a.author() == m.as_str()))
                .cloned()
                .collect(),
            reviews: r
                .answers
                .iter()
                .filter(|a| fit_review::visible_to(r, a, &actor.id))
                .map(|a| a.review.clone())
                .collect(),
        })
        .collect();
    Ok(Reviews {
        rounds,
        next_review: next_review(tx, p)?,
    })
}

/// An answer to a fit review.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    /// 1-5.
    pub shared_values: u32,
    /// 1-5.
    pub complementary_skills: u32,
    /// 1-5.
    pub communication: u32,
    /// Whether to go on together.
    pub wants_to_continue: bool,
    /// A note.
    pub note: Option<String>,
}

/// Answers the open round of an accepted, live partnership's fit review, once per partner.
pub fn answer(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    answer: &NewAnswer,
) -> AppResult<Reviews> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    if !p.status.is_live() || p.invitee_id.is_none() || p.status == PartnershipStatus::Invited {
        return Err(AppError::refused(
            Rule::PartnershipNotActive,
            format!(
                "the partnership is {}; fit reviews are for running partnerships",
                p.status
            ),
        ));
    }
    let all = store::all(tx.conn, &p.id)?;
    let round = fit_review::may_answer(&dated(&p, &all), &actor.id)
        .map_err(|e| AppError::refused(Rule::FitReviewAnswered, e.to_string()))?;
    store::insert(
        tx.conn,
        &FitReview {
            id: new_id(),
            partnership_id: p.id.clone(),
            round,
            author_id: actor.id.clone(),
            shared_values: answer.shared_values as i32,
            complementary_skills: answer.complementary_skills as i32,
            communication: answer.communication as i32,
            wants_to_continue: answer.wants_to_continue,
            note: answer.note.clone(),
            created_at: tx.now().naive_utc(),
        },
    )
    .map_err(|e| match e {
        StoreError::Conflict(_) => AppError::refused(
            Rule::FitReviewAnswered,
            "you have answered this round; it completes when your partner answers",
        ),
        other => other.into(),
    })?;
    reviews(tx, &p, actor)
}

/// The fit review rounds of a partnership the actor belongs to.
pub fn list(tx: &mut Tx<'_>, actor: &Actor, partnership_id: &str) -> AppResult<Reviews> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    reviews(tx, &p, actor)
}
