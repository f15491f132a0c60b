//! Fit reviews: every quarter (by default) each partner says whether the pairing still works.
//! Answers come in rounds; neither partner sees the other's answer until both have given theirs,
//! so nobody anchors on the other.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tandem_domain::rhythm::{self, Due};
use tandem_store::fit_reviews::{self, FitReview};
use tandem_store::partnerships::Partnership;
use tandem_store::{DbConnection, StoreError, write_transaction};
use utoipa::ToSchema;
use validator::Validate;

use super::goals::CallerRef;
use super::meetings::partners;
use super::partnerships::{load as load_partnership, status_of};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// A partner's answer.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"shared_values": 5, "complementary_skills": 4, "communication": 3, "continue": true, "note": "Let's keep the hour sacred."}))]
pub struct CreateFitReviewRequest {
    /// Do we share values? 1 (not at all) to 5 (fully).
    #[serde(deserialize_with = "crate::extract::required_whole")]
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub shared_values: u32,
    /// Do our skills complement each other? 1 to 5.
    #[serde(deserialize_with = "crate::extract::required_whole")]
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub complementary_skills: u32,
    /// How well do we communicate? 1 to 5.
    #[serde(deserialize_with = "crate::extract::required_whole")]
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub communication: u32,
    /// Go on together?
    #[serde(rename = "continue")]
    pub wants_to_continue: bool,
    /// A note for the partner.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

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

/// The partnership's local date of an instant.
pub fn local_date(p: &Partnership, t: DateTime<Utc>) -> NaiveDate {
    let tz: Tz = p.time_zone.parse().unwrap_or(Tz::UTC);
    t.with_timezone(&tz).date_naive()
}

/// The day the partnership started (accepted), in its time zone.
pub fn started_on(p: &Partnership) -> NaiveDate {
    local_date(p, p.accepted_at.unwrap_or(p.created_at).and_utc())
}

/// Rounds in order with their reviews; the open round is the one after the last complete one.
fn rounds(p: &Partnership, all: &[FitReview]) -> Vec<(i32, Vec<FitReview>, Option<NaiveDate>)> {
    let mut rounds: Vec<(i32, Vec<FitReview>, Option<NaiveDate>)> = Vec::new();
    for r in all {
        match rounds.last_mut() {
            Some((n, list, _)) if *n == r.round => list.push(r.clone()),
            _ => rounds.push((r.round, vec![r.clone()], None)),
        }
    }
    for (_, list, done) in rounds.iter_mut() {
        if list.len() >= 2 {
            *done = list
                .iter()
                .map(|r| r.created_at)
                .max()
                .map(|t| local_date(p, t.and_utc()));
        }
    }
    rounds
}

/// When the next fit review is due (the partnership view shows it too).
pub fn next_review(conn: &mut DbConnection, p: &Partnership) -> Result<Due, StoreError> {
    let all = fit_reviews::all(conn, &p.id)?;
    let last = rounds(p, &all).iter().rev().find_map(|(_, _, done)| *done);
    Ok(rhythm::fit_review(
        started_on(p),
        last,
        p.fit_review_months.max(1) as u32,
        local_date(p, crate::clock::now()),
    ))
}

fn reviews_view(
    conn: &mut DbConnection,
    p: &Partnership,
    caller: &str,
) -> Result<FitReviewsView, ApiError> {
    let all = fit_reviews::all(conn, &p.id)?;
    let members = partners(p);
    let items = rounds(p, &all)
        .into_iter()
        .map(|(round, list, done)| RoundView {
            round,
            complete: done.is_some(),
            completed_on: done,
            waiting_for: members
                .iter()
                .filter(|m| !list.iter().any(|r| &r.author_id == *m))
                .cloned()
                .collect(),
            reviews: list
                .iter()
                .filter(|r| done.is_some() || r.author_id == caller)
                .map(FitReviewView::from)
                .collect(),
        })
        .collect();
    Ok(FitReviewsView {
        items,
        next_review: next_review(conn, p)?,
    })
}

/// Answer the current fit review round (each partner once per round).
///
/// The partner's answer in the round stays hidden until both have answered. Answering twice in a
/// round is 409.
#[utoipa::path(
    tag = "fit-reviews",
    operation_id = "create_fit_review",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id")),
    request_body = CreateFitReviewRequest,
    responses(
        (status = 201, description = "Answered; the rounds as you may now see them", body = FitReviewsView,
            headers(("Location" = String, description = "The partnership's fit reviews"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/partnerships/{id}/fit-reviews")]
pub async fn create_fit_review(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateFitReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let view = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let p = load_partnership(conn, &partnership_id, &who)?;
            if !status_of(&p).is_live() || p.invitee_id.is_none() {
                return Err(ApiError::Conflict(format!(
                    "the partnership is {}; fit reviews are for running partnerships",
                    p.status
                )));
            }
            let all = fit_reviews::all(conn, &p.id)?;
            let open = rounds(&p, &all)
                .iter()
                .rev()
                .find(|(_, _, done)| done.is_some())
                .map_or(1, |(n, _, _)| n + 1);
            if all.iter().any(|r| r.round == open && r.author_id == who.id) {
                return Err(ApiError::Conflict(
                    "you have answered this round; it completes when your partner answers".into(),
                ));
            }
            fit_reviews::insert(
                conn,
                &FitReview {
                    id: uuid::Uuid::now_v7().to_string(),
                    partnership_id: p.id.clone(),
                    round: open,
                    author_id: who.id.clone(),
                    shared_values: body.shared_values as i32,
                    complementary_skills: body.complementary_skills as i32,
                    communication: body.communication as i32,
                    wants_to_continue: body.wants_to_continue,
                    note: body.note.clone(),
                    created_at: crate::clock::now().naive_utc(),
                },
            )?;
            reviews_view(conn, &p, &who.id)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/partnerships/{id}/fit-reviews"),
        ))
        .json(view))
}

/// The partnership's fit review rounds and when the next is due; the partner's answers appear
/// once both have answered the round.
#[utoipa::path(
    tag = "fit-reviews",
    operation_id = "list_fit_reviews",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), crate::pagination::SinceQuery),
    responses(
        (status = 200, description = "Rounds, oldest first (with `updated_since`: rounds with an answer you can see given since then)", body = FitReviewsView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}/fit-reviews")]
pub async fn list_fit_reviews(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<crate::pagination::SinceQuery>,
) -> Result<HttpResponse, ApiError> {
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let since = query.updated_since;
    let mut view = crate::db::run(&state, move |conn| {
        let p = load_partnership(conn, &partnership_id, &who)?;
        reviews_view(conn, &p, &who.id)
    })
    .await?;
    if let Some(since) = since {
        view.items
            .retain(|round| round.reviews.iter().any(|r| r.created_at >= since));
    }
    Ok(HttpResponse::Ok().json(view))
}
