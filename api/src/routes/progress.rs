//! Progress and scorecards: the domain engine's answers for one goal or a whole partnership, at
//! any instant (`as_of`, default now), in JSON or as CSV a spreadsheet imports as is.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tandem_app::progress;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::http::csv;
use crate::http::extract::Query;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::progress::{ProgressView, ScorecardView};

refusals! {
    "goal_progress": [GoalIncomplete];
}

/// The instant to compute at.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// RFC 3339 instant (default now); readings observed after it are ignored.
    pub as_of: Option<DateTime<Utc>>,
}

/// A goal's progress.
///
/// Current value, progress towards target (raw and clamped to 0..1), the progress expected by now
/// from the goal's plan, status (`not_started`, `on_track`, `at_risk`, `off_track`, `achieved` or
/// `missed`), a least-squares forecast of when the target is reached, staleness, and a sentence
/// explaining the status. `as_of` answers for any past instant exactly.
#[utoipa::path(
    tag = "progress",
    operation_id = "goal_progress",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"), AsOfQuery),
    responses(
        (status = 200, description = "The progress report", body = ProgressView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/progress")]
pub async fn goal_progress(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let (actor, goal_id, as_of) = (caller.principal(), id.to_string(), query.as_of);
    let p = state
        .app
        .read_by(&actor, move |tx, actor| {
            progress::goal_progress(tx, actor, &goal_id, as_of)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProgressView::from(&p)))
}

/// Both partners' scorecards.
///
/// Each partner's active goals with latest value, progress, expected progress, status and forecast,
/// and each partner's weighted roll-up and weakest status. `as_of` answers for any past instant.
/// For a spreadsheet: `scorecard.csv`.
#[utoipa::path(
    tag = "progress",
    operation_id = "partnership_scorecard",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), AsOfQuery),
    responses(
        (status = 200, description = "The scorecard", body = ScorecardView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/scorecard")]
pub async fn partnership_scorecard(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    csv::json_only(&req)?;
    let (actor, partnership_id, as_of) = (caller.principal(), id.to_string(), query.as_of);
    let card = state
        .app
        .read_by(&actor, move |tx, actor| {
            progress::partnership_scorecard(tx, actor, &partnership_id, as_of)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ScorecardView::from(&card)))
}
