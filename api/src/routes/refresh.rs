//! The annual refresh: every active goal closes with an outcome and is archived; chosen goals
//! carry into the new period as drafts that start from where the old ones ended.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use tandem_app::refresh::{self, RefreshRequest};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Caller;
use crate::http::extract::Json;
use crate::http::idempotency::{self, Created};
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::refresh::{Outcome, RefreshView};

refusals! {
    "refresh_goals": [PartnershipEnded, RefreshNotDue, RefreshDone];
}

/// An outcome stated for one of your goals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatedOutcome {
    /// One of your active goals.
    pub goal_id: uuid::Uuid,
    /// How it ended.
    pub outcome: Outcome,
}

/// Closing the year.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "outcomes": [{"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59", "outcome": "dropped"}],
    "carry_over": ["0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f5a"]
}))]
pub struct RefreshGoalsRequest {
    /// Outcomes you state for your own goals; every other active goal's outcome is derived from
    /// its progress (achieved if the target is reached, else missed).
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub outcomes: Vec<StatedOutcome>,
    /// Your goals to carry into the new period as drafts, with their current value as the new
    /// baseline and the same length as before, starting today.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub carry_over: Vec<uuid::Uuid>,
    /// Refresh although the refresh window (30 days before `refresh.due_on`) has not opened.
    #[serde(default)]
    pub early: bool,
}

impl From<&RefreshGoalsRequest> for RefreshRequest {
    fn from(r: &RefreshGoalsRequest) -> Self {
        RefreshRequest {
            outcomes: r
                .outcomes
                .iter()
                .map(|s| (s.goal_id.to_string(), s.outcome.into()))
                .collect(),
            carry_over: r.carry_over.iter().map(uuid::Uuid::to_string).collect(),
            early: r.early,
        }
    }
}

/// Refresh your own goals for a new year.
///
/// Each of your active goals closes with an outcome — stated here, else derived from progress —
/// and is archived; the history records both steps. Goals named in `carry_over` come back as
/// drafts with the old current value as their baseline. Your partner's goals are theirs to
/// refresh: the partnership's refresh is complete, and `refresh.due_on` moves a year on, once both
/// of you have refreshed (409 if you already did this cycle). More than 30 days before the due
/// date a refresh needs `"early": true` (409 otherwise). Runs in one transaction.
#[utoipa::path(
    tag = "goals",
    operation_id = "refresh_goals",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = RefreshGoalsRequest,
    responses(
        (status = 201, description = "Refreshed", body = RefreshView,
            headers(("Location" = String, description = "The partnership"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/refresh")]
pub async fn refresh_goals(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<RefreshGoalsRequest>,
) -> Result<HttpResponse, ApiError> {
    let partnership_id = id.to_string();
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    let request = RefreshRequest::from(&body);
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        let done = refresh::refresh(tx, actor, &partnership_id, &request)?;
        let location = format!("/v1/partnerships/{partnership_id}");
        Created::new(location, None, &RefreshView::from(&done))
    })
    .await
}
