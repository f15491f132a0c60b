//! Fit reviews: every quarter (by default) each partner says whether the pairing still works.
//! Answers come in rounds; neither partner sees the other's answer until both have given theirs,
//! so nobody anchors on the other.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use tandem_app::fit_reviews::{self, NewAnswer};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Caller;
use crate::http::extract::{Json, Query};
use crate::http::list::SinceQuery;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::fit_reviews::FitReviewsView;

refusals! {
    "create_fit_review": [PartnershipNotActive, FitReviewAnswered];
}

/// A partner's answer.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"shared_values": 5, "complementary_skills": 4, "communication": 3, "continue": true, "note": "Let's keep the hour sacred."}))]
pub struct CreateFitReviewRequest {
    /// Do we share values? 1 (not at all) to 5 (fully).
    #[serde(deserialize_with = "crate::http::extract::required_whole")]
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub shared_values: u32,
    /// Do our skills complement each other? 1 to 5.
    #[serde(deserialize_with = "crate::http::extract::required_whole")]
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub complementary_skills: u32,
    /// How well do we communicate? 1 to 5.
    #[serde(deserialize_with = "crate::http::extract::required_whole")]
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

impl From<&CreateFitReviewRequest> for NewAnswer {
    fn from(r: &CreateFitReviewRequest) -> Self {
        NewAnswer {
            shared_values: r.shared_values,
            complementary_skills: r.complementary_skills,
            communication: r.communication,
            wants_to_continue: r.wants_to_continue,
            note: r.note.clone(),
        }
    }
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
    )
)]
#[post("/fit-reviews")]
pub async fn create_fit_review(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateFitReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let answer = NewAnswer::from(&body);
    let reviews = state
        .app
        .write_by(&actor, move |tx, actor| {
            fit_reviews::answer(tx, actor, &partnership_id, &answer)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/partnerships/{id}/fit-reviews"),
        ))
        .json(FitReviewsView::from(&reviews)))
}

/// The partnership's fit review rounds.
///
/// Every quarterly round, whether it is complete and whom it is waiting for, and when the next is
/// due. Each partner sees their own answers at once and the partner's only once both have answered
/// the round, so neither answer colours the other.
#[utoipa::path(
    tag = "fit-reviews",
    operation_id = "list_fit_reviews",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), crate::http::list::SinceQuery),
    responses(
        (status = 200, description = "Rounds, oldest first (with `updated_since`: rounds with an answer you can see given since then)", body = FitReviewsView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/fit-reviews")]
pub async fn list_fit_reviews(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<SinceQuery>,
) -> Result<HttpResponse, ApiError> {
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let reviews = state
        .app
        .read_by(&actor, move |tx, actor| {
            fit_reviews::list(tx, actor, &partnership_id)
        })
        .await?;
    let mut view = FitReviewsView::from(&reviews);
    if let Some(since) = query.updated_since {
        view.items
            .retain(|round| round.reviews.iter().any(|r| r.created_at >= since));
    }
    Ok(HttpResponse::Ok().json(view))
}
