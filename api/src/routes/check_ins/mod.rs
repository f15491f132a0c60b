//! Check-ins: a partner's short update between meetings, optionally with the readings behind it,
//! recorded in the same request. The next meeting's agenda shows the check-ins since the last one.

mod params;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tandem_app::check_ins::{self, CheckInFilter};

use crate::auth::Caller;
use crate::http::conditional::etag;
use crate::http::extract::{BATCH_BODY_LIMIT, Json, Query};
use crate::http::idempotency::{self, Created};
use crate::http::problem::ApiError;
use crate::http::{csv, list};
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::check_ins::CheckInView;
pub use params::{CreateCheckInRequest, LINK_PATTERN, ListCheckInsQuery};

refusals! {
    "create_check_in": [PartnershipEnded];
}

/// Post a check-in (either partner), optionally recording readings of your goals with it.
///
/// Everything is stored in one transaction: an invalid reading (pointers like
/// `#/readings/0/value`) refuses the whole check-in.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "create_check_in",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = CreateCheckInRequest,
    responses(
        (status = 201, description = "Posted", body = CheckInView,
            headers(("Location" = String, description = "The new check-in"), ("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/check-ins")]
pub async fn create_check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateCheckInRequest, BATCH_BODY_LIMIT>,
) -> Result<HttpResponse, ApiError> {
    body.check()?;
    let partnership_id = id.to_string();
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        let (text, links, items) = (&body.text, &body.links, body.readings());
        let d = check_ins::create(tx, actor, &partnership_id, text, links, items)?;
        let location = format!("/v1/check-ins/{}", d.check_in.id);
        Created::new(location, Some(etag(1)), &CheckInView::from(&d))
    })
    .await
}

/// A partnership's check-ins, oldest first.
///
/// Oldest first, paged, with the readings recorded with each; filter by author, `since` or
/// `updated_since`. The next meeting's agenda shows the check-ins since the last meeting. For a
/// spreadsheet: `check-ins.csv`.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "list_check_ins",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListCheckInsQuery),
    responses(
        (status = 200, description = "A page of check-ins", body = crate::http::list::Page<CheckInView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/check-ins")]
pub async fn list_check_ins(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListCheckInsQuery>,
) -> Result<HttpResponse, ApiError> {
    csv::json_only(&req)?;
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let filter = CheckInFilter {
        author_id: query.author_id.map(|u| u.to_string()),
        since: query.since.map(|t| t.naive_utc()),
        before: None,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            check_ins::list(tx, actor, &partnership_id, &filter, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |d| (d.check_in.created_at, d.check_in.id.clone()),
        |d| CheckInView::from(&d),
    ))
}

/// A check-in.
///
/// A check-in's text, links, author, time and the readings recorded with it.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "get_check_in",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Check-in id")),
    responses(
        (status = 200, description = "The check-in", body = CheckInView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/check-ins/{id}")]
pub async fn get_check_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let d = state
        .app
        .read_by(&actor, move |tx, actor| check_ins::get(tx, actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(CheckInView::from(&d)))
}
