//! Commitments: the next actions each partner takes on in a meeting. The next meeting's agenda
//! reviews them, so nothing agreed is quietly forgotten.

mod params;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use tandem_app::commitments::{self, CommitmentFilter};

use crate::auth::Caller;
use crate::http::conditional::{current, etag, expected_version, tagged};
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{self, Created};
use crate::http::problem::ApiError;
use crate::http::{csv, list};
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::commitments::CommitmentView;
pub use params::{CreateCommitmentRequest, ListCommitmentsQuery, UpdateCommitmentRequest};

refusals! {
    "create_commitment": [MeetingTransition];
    "update_commitment": [CommitmentClosed];
}

/// Record a commitment made in a meeting (either partner, for either partner).
///
/// Cancelled meetings take no commitments (409). `owner_id` must be one of the partners and
/// `goal_id` one of the owner's goals (422 otherwise).
#[utoipa::path(
    tag = "meetings",
    operation_id = "create_commitment",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = CreateCommitmentRequest,
    responses(
        (status = 201, description = "Recorded", body = CommitmentView,
            headers(("Location" = String, description = "The new commitment"), ("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/commitments")]
pub async fn create_commitment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateCommitmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let meeting_id = id.to_string();
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        let c = commitments::create(tx, actor, &meeting_id, &body.into())?;
        let location = format!("/v1/commitments/{}", c.id);
        Created::new(location, Some(etag(c.version)), &CommitmentView::from(&c))
    })
    .await
}

/// A partnership's commitments.
///
/// Oldest first, paged; filter by status, owner, meeting, goal or `updated_since`. Open commitments
/// come up for review at the next meeting. For a spreadsheet: `commitments.csv`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_commitments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListCommitmentsQuery),
    responses(
        (status = 200, description = "A page of commitments", body = crate::http::list::Page<CommitmentView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/commitments")]
pub async fn list_commitments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListCommitmentsQuery>,
) -> Result<HttpResponse, ApiError> {
    csv::json_only(&req)?;
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let filter = CommitmentFilter {
        status: query.status,
        owner_id: query.owner_id.map(|u| u.to_string()),
        meeting_id: query.meeting_id.map(|u| u.to_string()),
        goal_id: query.goal_id.map(|u| u.to_string()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            commitments::list(tx, actor, &partnership_id, &filter, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |c| (c.created_at, c.id.clone()),
        |c| CommitmentView::from(&c),
    ))
}

/// A commitment.
///
/// A commitment's text, owner, due date, goal, status and, once closed, who closed it, when and
/// with what note. Carries an ETag for `If-Match` on `PATCH`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_commitment",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Commitment id"),
        ("If-None-Match" = Option<String>, Header, description = "304 if unchanged")),
    responses(
        (status = 200, description = "The commitment", body = CommitmentView, headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let c = state
        .app
        .read_by(&actor, move |tx, actor| commitments::get(tx, actor, &id))
        .await?;
    Ok(current(&req, c.version, CommitmentView::from(&c)))
}

/// Update a commitment (either partner).
///
/// Close it as done or dropped, or reword or re-date an open one. `open -> done | dropped` only: a
/// closed commitment is not reopened (409).
#[utoipa::path(
    tag = "meetings",
    operation_id = "update_commitment",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Commitment id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the commitment changed since")),
    request_body = UpdateCommitmentRequest,
    responses(
        (status = 200, description = "Updated", body = CommitmentView, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/commitments/{id}")]
pub async fn update_commitment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdateCommitmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let c = state
        .app
        .write_by(&actor, move |tx, actor| {
            commitments::update(tx, actor, &id, expected, body.into())
        })
        .await?;
    Ok(tagged(StatusCode::OK, c.version, CommitmentView::from(&c)))
}
