//! Readings: the numbers behind goals, from people, integrations and spreadsheets. Only a goal's
//! owner records and corrects them; both partners read them. Re-sending an `external_id` returns
//! the reading already recorded. Corrections and deletions keep history.

mod batch;
mod params;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use tandem_app::readings::{self, Correction, Inserted, ReadingFilter};

use crate::auth::Caller;
use crate::http::conditional::{current, etag, expected_version, tagged};
use crate::http::extract::{BATCH_BODY_LIMIT, Json, Query};
use crate::http::idempotency::{self, Created};
use crate::http::problem::ApiError;
use crate::http::{csv, list};
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::readings::{BatchResponse, CreateReadingRequest, ReadingView, RevisionView};
pub use params::{BatchRequest, DeleteReadingQuery, ListReadingsQuery, UpdateReadingRequest};

refusals! {
    "create_reading": [OwnerOnly, GoalClosed];
    "create_readings_batch": [OwnerOnly, GoalClosed];
    "update_reading": [OwnerOnly, ReadingDeleted];
    "delete_reading": [OwnerOnly];
}

fn created(inserted: Inserted) -> Result<Created, ApiError> {
    let (reading, existed) = match inserted {
        Inserted::Created(r) => (r, false),
        Inserted::Existing(r) => (r, true),
    };
    let c = Created::new(
        format!("/v1/readings/{}", reading.id),
        Some(etag(reading.version)),
        &ReadingView::from(&reading),
    )?;
    Ok(if existed { c.existing() } else { c })
}

/// Record a reading of a goal's metric (owner only).
///
/// With `external_id`, sending the same reading again answers 200 with the reading already
/// recorded instead of creating a duplicate. `Idempotency-Key` is honoured too.
#[utoipa::path(
    tag = "readings",
    operation_id = "create_reading",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = CreateReadingRequest,
    responses(
        (status = 201, description = "Recorded", body = ReadingView,
            headers(("Location" = String, description = "The new reading"), ("ETag" = String, description = "Its version"))),
        (status = 200, description = "A reading with this external_id was already recorded; here it is", body = ReadingView,
            headers(("Content-Location" = String, description = "The existing reading"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/readings")]
pub async fn create_reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateReadingRequest>,
) -> Result<HttpResponse, ApiError> {
    let goal_id = id.to_string();
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        created(readings::record(tx, actor, &goal_id, &body.into())?)
    })
    .await
}

/// Record many readings at once (up to 1,000; body up to 1 MiB).
///
/// Each item succeeds or fails on its own: valid items are stored even when others fail, and every
/// failure carries problem details pointing at the item's field. Stored in one transaction. A
/// batch in which no item could be stored is refused as a whole, listing every item's problem: 422
/// if any item was invalid, else the items' own answer (404, 403 or 409).
#[utoipa::path(
    tag = "readings",
    operation_id = "create_readings_batch",
    security(("bearer" = [])),
    request_body = BatchRequest,
    responses(
        (status = 200, description = "One result per item (at least one stored)", body = BatchResponse),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/batch")]
pub async fn create_readings_batch(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<BatchRequest, BATCH_BODY_LIMIT>,
) -> Result<HttpResponse, ApiError> {
    batch::record(&state, caller.principal(), body.readings).await
}

/// A goal's readings.
///
/// Oldest recorded first, paged; deleted readings are included when asked for, flagged, so a mirror
/// can remove them. For a spreadsheet: `readings.csv`.
#[utoipa::path(
    tag = "readings",
    operation_id = "list_readings",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"), ListReadingsQuery),
    responses(
        (status = 200, description = "A page of readings", body = crate::http::list::Page<ReadingView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/readings")]
pub async fn list_readings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListReadingsQuery>,
) -> Result<HttpResponse, ApiError> {
    csv::json_only(&req)?;
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let filter = ReadingFilter {
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        include_deleted: query.include_deleted.unwrap_or(false),
    };
    let (actor, goal_id) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            readings::list(tx, actor, &goal_id, &filter, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |r| (r.created_at, r.id.clone()),
        |r| ReadingView::from(&r),
    ))
}

/// A reading (deleted ones included, flagged).
///
/// A reading's value, observation instant, note, source and external id; a deleted one is still
/// readable, with its deletion time and reason. Carries an ETag for `If-Match` on `PATCH`.
#[utoipa::path(
    tag = "readings",
    operation_id = "get_reading",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Reading id"),
        ("If-None-Match" = Option<String>, Header, description = "304 if unchanged")),
    responses(
        (status = 200, description = "The reading", body = ReadingView, headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("")]
pub async fn get_reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let r = state
        .app
        .read_by(&actor, move |tx, actor| readings::get(tx, actor, &id))
        .await?;
    Ok(current(&req, r.version, ReadingView::from(&r)))
}

/// Correct a reading (owner only).
///
/// A JSON merge patch of value, observation instant or note. The previous values are kept in the
/// reading's history with who changed them and when; send `If-Match` to be sure you are correcting
/// what you read.
#[utoipa::path(
    tag = "readings",
    operation_id = "update_reading",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Reading id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the reading changed since")),
    request_body = UpdateReadingRequest,
    responses(
        (status = 200, description = "The corrected reading", body = ReadingView, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("")]
pub async fn update_reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdateReadingRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let fix = Correction {
        value: body.value,
        observed_at: body.observed_at,
        note: body.note,
    };
    let r = state
        .app
        .write_by(&actor, move |tx, actor| {
            readings::correct(tx, actor, &id, expected, fix)
        })
        .await?;
    Ok(tagged(StatusCode::OK, r.version, ReadingView::from(&r)))
}

/// Delete a reading (owner only).
///
/// The reading leaves progress and forecasts at once but stays readable and in its history, flagged
/// with the reason, so nothing is silently lost.
#[utoipa::path(
    tag = "readings",
    operation_id = "delete_reading",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Reading id"), DeleteReadingQuery,
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the reading changed since")),
    responses(
        (status = 204, description = "Deleted (or already deleted)"),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[delete("")]
pub async fn delete_reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<DeleteReadingQuery>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let reason = query.into_inner().reason;
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(crate::http::extract::parameter_error(
            "reason",
            "length",
            "must be at most 500 characters",
        ));
    }
    let (actor, id) = (caller.principal(), id.to_string());
    state
        .app
        .write_by(&actor, move |tx, actor| {
            readings::delete(tx, actor, &id, expected, reason)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A reading's corrections and deletion.
///
/// Oldest first: every version of the reading with who changed it and when; a deletion carries its
/// reason.
#[utoipa::path(
    tag = "readings",
    operation_id = "reading_history",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Reading id"), crate::http::list::SinceQuery),
    responses(
        (status = 200, description = "Every revision (one page)", body = crate::http::list::Page<RevisionView>),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/history")]
pub async fn reading_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<list::SinceQuery>,
) -> Result<HttpResponse, ApiError> {
    let since = query.updated_since.map(|t| t.naive_utc());
    let (actor, id) = (caller.principal(), id.to_string());
    let revisions = state
        .app
        .read_by(&actor, move |tx, actor| readings::history(tx, actor, &id))
        .await?;
    let items = revisions
        .iter()
        .filter(|r| since.is_none_or(|s| r.created_at >= s))
        .map(RevisionView::from)
        .collect();
    Ok(HttpResponse::Ok().json(list::Page::<RevisionView> {
        items,
        next_cursor: None,
    }))
}
