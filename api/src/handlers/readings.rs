//! Readings: the numbers behind goals, from people, integrations and spreadsheets. Only a goal's
//! owner records and corrects them; both partners read them. Re-sending an `external_id` returns
//! the reading already recorded. Corrections and deletions keep history.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_domain::goal::GoalStatus;
use tandem_store::readings::{self, Inserted, Reading, ReadingFilter, Revision};
use tandem_store::{DbConnection, write_transaction};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::goal_docs::FieldChange;
use super::goals::{CallerRef, json, load as load_goal};
use crate::auth::Caller;
use crate::conditional::{etag, expected_version, not_modified};
use crate::csv_out;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::Query;
use crate::extract::{BATCH_BODY_LIMIT, Json, non_null, nullable, parse_json};
use crate::idempotency::{self, Created};
use crate::pagination;
use crate::state::AppState;

/// A new reading.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z", "note": "After the triage pilot", "source": "zendesk-sync", "external_id": "zd-2026-03-01"}))]
pub struct CreateReadingRequest {
    /// The observed value.
    #[validate(range(min = -1e15, max = 1e15))]
    #[schema(minimum = -1e15, maximum = 1e15)]
    pub value: f64,
    /// When it was observed (RFC 3339); at most 5 minutes ahead of the server's clock (422
    /// `in_the_future` otherwise).
    pub observed_at: DateTime<Utc>,
    /// A note.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// Where it came from (default `manual`).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub source: Option<String>,
    /// Your own id for it: sending it again returns the reading already recorded. Integrations
    /// that say `external_ref` (as for goals) may send that name instead.
    #[serde(alias = "external_ref")]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: Option<String>,
}

/// A correction (merge patch); the previous values stay in the reading's history.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 10.6, "note": "Recounted"}))]
pub struct UpdateReadingRequest {
    /// Corrected value.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = -1e15, max = 1e15))]
    #[schema(nullable = false, minimum = -1e15, maximum = 1e15)]
    pub value: Option<f64>,
    /// Corrected observation time.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub observed_at: Option<DateTime<Utc>>,
    /// New note (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub note: Option<Option<String>>,
}

/// A reading as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadingView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The goal.
    #[schema(format = Uuid)]
    pub goal_id: String,
    /// The value.
    pub value: f64,
    /// When it was observed.
    pub observed_at: DateTime<Utc>,
    /// A note.
    pub note: Option<String>,
    /// Where it came from.
    pub source: String,
    /// The sender's id for it.
    pub external_id: Option<String>,
    /// Who recorded it.
    #[schema(format = Uuid)]
    pub recorded_by: String,
    /// Deleted readings stay visible in history but count for nothing.
    pub deleted: bool,
    /// When it was deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Why.
    pub delete_reason: Option<String>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Reading> for ReadingView {
    fn from(r: &Reading) -> Self {
        ReadingView {
            id: r.id.clone(),
            goal_id: r.goal_id.clone(),
            value: r.value,
            observed_at: r.observed_at.and_utc(),
            note: r.note.clone(),
            source: r.source.clone(),
            external_id: r.external_id.clone(),
            recorded_by: r.recorded_by.clone(),
            deleted: r.deleted_at.is_some(),
            deleted_at: r.deleted_at.map(|t| t.and_utc()),
            delete_reason: r.delete_reason.clone(),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

/// Refuses an `observed_at` in the future (422 naming the field, at `pointer`).
pub(crate) fn not_in_the_future(observed_at: DateTime<Utc>, pointer: &str) -> Result<(), ApiError> {
    tandem_domain::reading::check_observed_at(observed_at, crate::clock::now())
        .map_err(|e| ApiError::field(pointer, "in_the_future", e.to_string()))
}

/// Checks that `caller` owns the goal and that it takes readings; returns the goal id.
pub(crate) fn recordable(
    conn: &mut DbConnection,
    goal_id: &str,
    caller: &CallerRef,
) -> Result<String, ApiError> {
    let (goal, _) = load_goal(conn, goal_id, caller)?;
    if goal.owner_id != caller.id {
        return Err(ApiError::Forbidden(
            "only the goal's owner records its readings".into(),
        ));
    }
    match crate::enums::parse::<GoalStatus>(&goal.status) {
        Some(GoalStatus::Draft | GoalStatus::Active) => Ok(goal.id),
        _ => Err(ApiError::Conflict(format!(
            "the goal is {}; it takes no more readings",
            goal.status
        ))),
    }
}

pub(crate) fn new_reading(
    goal_id: String,
    body: &CreateReadingRequest,
    caller: &CallerRef,
) -> Reading {
    let now = crate::clock::now().naive_utc();
    Reading {
        id: uuid::Uuid::now_v7().to_string(),
        goal_id,
        value: body.value,
        observed_at: body.observed_at.naive_utc(),
        note: body.note.clone(),
        source: body.source.clone().unwrap_or_else(|| "manual".into()),
        external_id: body.external_id.clone(),
        recorded_by: caller.id.clone(),
        deleted_at: None,
        delete_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Stores a new reading and announces `reading.recorded` in the same transaction. A re-sent
/// `external_id` finds the reading already recorded and announces nothing.
pub(crate) fn record_reading(
    conn: &mut DbConnection,
    reading: &Reading,
) -> Result<Inserted, tandem_store::StoreError> {
    write_transaction(conn, |conn| {
        let goal = tandem_store::goals::find(conn, &reading.goal_id)?;
        let inserted = readings::insert(conn, reading, &goal.partnership_id)?;
        if let Inserted::Created(r) = &inserted {
            crate::events::publish(
                conn,
                &goal.partnership_id,
                crate::events::EventData::ReadingRecorded(crate::events::ReadingRecorded {
                    goal: (&goal).into(),
                    reading: r.into(),
                }),
                r.created_at.and_utc(),
            )?;
        }
        Ok(inserted)
    })
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
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/goals/{id}/readings")]
pub async fn create_reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateReadingRequest>,
) -> Result<HttpResponse, ApiError> {
    not_in_the_future(body.observed_at, "observed_at")?;
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller.id, &fingerprint, move |conn| {
        let goal_id = recordable(conn, &goal_id, &who)?;
        created(record_reading(conn, &new_reading(goal_id, &body, &who))?)
    })
    .await
}

/// Up to 1,000 readings across your goals.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"readings": [
    {"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59", "value": 10.8, "observed_at": "2026-03-01T09:00:00Z", "external_id": "row-2"},
    {"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f5a", "value": 21, "observed_at": "2026-03-01T09:00:00Z", "external_id": "row-3"}
]}))]
pub struct BatchRequest {
    /// The readings (each a `BatchReading`: a reading body plus its `goal_id`); each is judged
    /// on its own.
    #[validate(length(min = 1, max = 1000))]
    #[schema(value_type = Vec<Object>, min_items = 1, max_items = 1000)]
    pub readings: Vec<Value>,
}

/// What became of one batch item.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    /// Position in the request.
    pub index: usize,
    /// `created`, `existing` (its external_id was already recorded) or `error`.
    pub status: String,
    /// The reading, unless the item failed.
    pub reading: Option<ReadingView>,
    /// Why the item failed.
    pub problem: Option<Problem>,
}

/// Every item's outcome, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// One result per item.
    pub results: Vec<BatchResult>,
    /// How many were created.
    pub created: usize,
    /// How many already existed.
    pub existing: usize,
    /// How many failed.
    pub failed: usize,
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
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/readings/batch")]
pub async fn create_readings_batch(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<BatchRequest, BATCH_BODY_LIMIT>,
) -> Result<HttpResponse, ApiError> {
    let who = CallerRef::from(&caller);
    let items = body.readings;
    let results = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let mut goals: std::collections::HashMap<String, Result<String, ApiError>> =
                Default::default();
            let mut results = Vec::with_capacity(items.len());
            for (index, item) in items.into_iter().enumerate() {
                let outcome = (|| {
                    let (goal_id, reading) = batch_item(item)?;
                    let goal = goals
                        .entry(goal_id.clone())
                        .or_insert_with(|| recordable(conn, &goal_id, &who))
                        .as_ref()
                        .map_err(clone_error)?
                        .clone();
                    Ok::<_, ApiError>(record_reading(conn, &new_reading(goal, &reading, &who))?)
                })();
                results.push(match outcome {
                    Ok(Inserted::Created(r)) => BatchResult {
                        index,
                        status: "created".into(),
                        reading: Some(ReadingView::from(&r)),
                        problem: None,
                    },
                    Ok(Inserted::Existing(r)) => BatchResult {
                        index,
                        status: "existing".into(),
                        reading: Some(ReadingView::from(&r)),
                        problem: None,
                    },
                    Err(ApiError::Internal(e)) => return Err(ApiError::Internal(e)),
                    Err(e) => BatchResult {
                        index,
                        status: "error".into(),
                        reading: None,
                        problem: Some(item_problem(&e, index)),
                    },
                });
            }
            Ok::<_, ApiError>(results)
        })
    })
    .await?;
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    if count("created") + count("existing") == 0 {
        return Ok(batch_rejected(&results));
    }
    let response = BatchResponse {
        created: count("created"),
        existing: count("existing"),
        failed: count("error"),
        results,
    };
    Ok(HttpResponse::Ok().json(response))
}

/// Splits an item into its goal id and an ordinary reading body, each parsed so that an error
/// points at the exact field.
pub(crate) fn batch_item(item: Value) -> Result<(String, CreateReadingRequest), ApiError> {
    let Value::Object(mut fields) = item else {
        return Err(ApiError::field(
            "",
            "invalid_type",
            "each item must be a JSON object",
        ));
    };
    let goal_id = match fields.remove("goal_id") {
        None => {
            return Err(ApiError::field(
                "goal_id",
                "required",
                "missing field `goal_id`",
            ));
        }
        Some(v) => v
            .as_str()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .ok_or_else(|| {
                ApiError::field("goal_id", "invalid_value", "must be a goal id (UUID)")
            })?,
    };
    let reading: CreateReadingRequest =
        parse_json(&serde_json::to_vec(&Value::Object(fields)).map_err(ApiError::internal)?)?;
    reading.validate()?;
    not_in_the_future(reading.observed_at, "observed_at")?;
    Ok((goal_id.to_string(), reading))
}

/// A batch in which no item could be stored is itself refused, every item's problem listed: 422 if
/// any item was invalid, otherwise the state answer the items got (404, 403 or 409).
fn batch_rejected(results: &[BatchResult]) -> HttpResponse {
    let problems: Vec<(usize, &Problem)> = results
        .iter()
        .filter_map(|r| r.problem.as_ref().map(|p| (r.index, p)))
        .collect();
    let invalid = problems.iter().any(|(_, p)| p.status == 422);
    let status = if invalid {
        422
    } else {
        problems.first().map_or(422, |(_, p)| p.status)
    };
    let errors: Vec<FieldError> = problems
        .iter()
        .flat_map(|(index, p)| match &p.errors {
            Some(errors) => errors.clone(),
            None => vec![FieldError::new(
                format!("/readings/{index}/goal_id"),
                &p.problem_type
                    .rsplit(':')
                    .next()
                    .unwrap_or("error")
                    .replace('-', "_"),
                p.detail.clone(),
            )],
        })
        .collect();
    let problem = Problem {
        problem_type: "urn:tandem:problem:batch-rejected".into(),
        title: "No reading in the batch could be stored".into(),
        status,
        detail: "every item failed; see errors (pointers name the item and field)".into(),
        instance: None,
        request_id: None,
        errors: Some(errors),
        allow: None,
    };
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY),
    )
    .content_type(crate::error::PROBLEM_JSON)
    .json(problem)
}

fn clone_error(e: &ApiError) -> ApiError {
    match e {
        ApiError::Forbidden(d) => ApiError::Forbidden(d.clone()),
        ApiError::Conflict(d) => ApiError::Conflict(d.clone()),
        ApiError::NotFound => ApiError::NotFound,
        other => ApiError::internal(other),
    }
}

/// The item's problem, with pointers made relative to the whole request.
fn item_problem(e: &ApiError, index: usize) -> Problem {
    let mut p = e.problem();
    if let Some(errors) = p.errors.as_mut() {
        for FieldError { pointer, .. } in errors.iter_mut() {
            *pointer = format!("#/readings/{index}{}", pointer.trim_start_matches('#'));
        }
    }
    p
}

/// Filters for a goal's readings.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListReadingsQuery {
    /// Observed at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Observed at or before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Include deleted readings (default false).
    pub include_deleted: Option<bool>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

const READING_COLUMNS: [&str; 11] = [
    "id",
    "goal_id",
    "value",
    "observed_at",
    "note",
    "source",
    "external_id",
    "recorded_by",
    "deleted_at",
    "delete_reason",
    "created_at",
];

/// A goal's readings, oldest recorded first; `Accept: text/csv` for a spreadsheet.
#[utoipa::path(
    tag = "readings",
    operation_id = "list_readings",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"), ListReadingsQuery),
    responses(
        (status = 200, description = "A page of readings (CSV: one row per reading, columns id, goal_id, value, observed_at, note, source, external_id, recorded_by, deleted_at, delete_reason, created_at)",
            content((pagination::Page<ReadingView> = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/goals/{id}/readings")]
pub async fn list_readings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListReadingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let filter = ReadingFilter {
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        include_deleted: query.include_deleted.unwrap_or(false),
    };
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let rows = crate::db::run(&state, move |conn| {
        load_goal(conn, &goal_id, &who)?;
        readings::list(conn, &goal_id, &filter, after, limit + 1)
    })
    .await?;
    if csv_out::wanted(&req) {
        let rows = rows.iter().take(limit as usize).map(|r| {
            vec![
                r.id.as_str().into(),
                r.goal_id.as_str().into(),
                r.value.into(),
                r.observed_at.and_utc().into(),
                r.note.as_ref().into(),
                r.source.as_str().into(),
                r.external_id.as_ref().into(),
                r.recorded_by.as_str().into(),
                r.deleted_at.map(|t| t.and_utc()).into(),
                r.delete_reason.as_ref().into(),
                r.created_at.and_utc().into(),
            ]
        });
        return csv_out::respond(&READING_COLUMNS, rows);
    }
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |r| (r.created_at, r.id.clone()),
        |r| ReadingView::from(&r),
    ))
}

fn load_reading(conn: &mut DbConnection, id: &str, who: &CallerRef) -> Result<Reading, ApiError> {
    let reading = readings::find(conn, id)?;
    load_goal(conn, &reading.goal_id, who)?;
    Ok(reading)
}

/// A reading (deleted ones included, flagged).
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
#[get("/readings/{id}")]
pub async fn get_reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (reading_id, who) = (id.to_string(), CallerRef::from(&caller));
    let r = crate::db::run(&state, move |conn| load_reading(conn, &reading_id, &who)).await?;
    let tag = etag(r.version);
    if not_modified(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(ReadingView::from(&r)))
}

fn revise(
    conn: &mut DbConnection,
    mut reading: Reading,
    who: &CallerRef,
    expected: Option<i64>,
    action: &str,
    changes: Vec<FieldChange>,
    reason: Option<String>,
) -> Result<Reading, ApiError> {
    if expected.is_some_and(|v| v != reading.version) {
        return Err(ApiError::PreconditionFailed);
    }
    let now = crate::clock::now().naive_utc();
    reading.version += 1;
    reading.updated_at = now;
    let revision = Revision {
        id: uuid::Uuid::now_v7().to_string(),
        reading_id: reading.id.clone(),
        actor_id: who.id.clone(),
        action: action.into(),
        changes: serde_json::to_string(&changes).map_err(ApiError::internal)?,
        reason,
        created_at: now,
    };
    readings::save(conn, &reading, &revision)?;
    Ok(reading)
}

fn owned(conn: &mut DbConnection, reading: &Reading, who: &CallerRef) -> Result<(), ApiError> {
    let (goal, _) = load_goal(conn, &reading.goal_id, who)?;
    if goal.owner_id != who.id {
        return Err(ApiError::Forbidden(
            "only the goal's owner corrects its readings".into(),
        ));
    }
    Ok(())
}

/// Correct a reading (owner only); the previous values are kept in its history.
#[utoipa::path(
    tag = "readings",
    operation_id = "update_reading",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Reading id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the reading changed since")),
    request_body = UpdateReadingRequest,
    responses(
        (status = 200, description = "The corrected reading", body = ReadingView, headers(("ETag" = String, description = "New version"))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/readings/{id}")]
pub async fn update_reading(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdateReadingRequest>,
) -> Result<HttpResponse, ApiError> {
    if let Some(observed_at) = body.observed_at {
        not_in_the_future(observed_at, "observed_at")?;
    }
    let expected = expected_version(&req)?;
    let (reading_id, who) = (id.to_string(), CallerRef::from(&caller));
    let r = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let mut reading = load_reading(conn, &reading_id, &who)?;
            owned(conn, &reading, &who)?;
            if reading.deleted_at.is_some() {
                return Err(ApiError::Conflict(
                    "a deleted reading cannot be corrected".into(),
                ));
            }
            let mut changes = Vec::new();
            if let Some(v) = body.value.filter(|v| *v != reading.value) {
                changes.push(FieldChange {
                    field: "/value".into(),
                    old: json(&reading.value),
                    new: json(&v),
                });
                reading.value = v;
            }
            if let Some(t) = body
                .observed_at
                .map(|t| t.naive_utc())
                .filter(|t| *t != reading.observed_at)
            {
                changes.push(FieldChange {
                    field: "/observed_at".into(),
                    old: json(&reading.observed_at.and_utc()),
                    new: json(&t.and_utc()),
                });
                reading.observed_at = t;
            }
            if let Some(n) = body.note.filter(|n| *n != reading.note) {
                changes.push(FieldChange {
                    field: "/note".into(),
                    old: json(&reading.note),
                    new: json(&n),
                });
                reading.note = n;
            }
            if changes.is_empty() {
                return Ok(reading);
            }
            revise(conn, reading, &who, expected, "corrected", changes, None)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(r.version)))
        .json(ReadingView::from(&r)))
}

/// Why a reading is deleted.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteReadingQuery {
    /// The reason, kept in the reading's history.
    #[param(max_length = 500)]
    pub reason: Option<String>,
}

/// Delete a reading (owner only): it leaves the math but stays in history, flagged.
#[utoipa::path(
    tag = "readings",
    operation_id = "delete_reading",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Reading id"), DeleteReadingQuery,
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the reading changed since")),
    responses(
        (status = 204, description = "Deleted (or already deleted)"),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[delete("/readings/{id}")]
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
        return Err(crate::extract::parameter_error(
            "reason",
            "length",
            "must be at most 500 characters",
        ));
    }
    let (reading_id, who) = (id.to_string(), CallerRef::from(&caller));
    crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let mut reading = load_reading(conn, &reading_id, &who)?;
            owned(conn, &reading, &who)?;
            if reading.deleted_at.is_some() {
                return Ok(());
            }
            reading.deleted_at = Some(crate::clock::now().naive_utc());
            reading.delete_reason = reason.clone();
            let change = FieldChange {
                field: "/deleted".into(),
                old: Value::Bool(false),
                new: Value::Bool(true),
            };
            revise(
                conn,
                reading,
                &who,
                expected,
                "deleted",
                vec![change],
                reason,
            )
            .map(|_| ())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One correction or deletion.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// `corrected` or `deleted`.
    pub action: String,
    /// Who.
    #[schema(format = Uuid)]
    pub actor_id: String,
    /// What changed.
    pub changes: Vec<FieldChange>,
    /// Why (deletions).
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A reading's corrections and deletion, oldest first.
#[utoipa::path(
    tag = "readings",
    operation_id = "reading_history",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Reading id"), pagination::SinceQuery),
    responses(
        (status = 200, description = "Every revision (one page)", body = pagination::Page<RevisionView>),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/readings/{id}/history")]
pub async fn reading_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<pagination::SinceQuery>,
) -> Result<HttpResponse, ApiError> {
    let since = query.updated_since.map(|t| t.naive_utc());
    let (reading_id, who) = (id.to_string(), CallerRef::from(&caller));
    let revisions = crate::db::run(&state, move |conn| {
        load_reading(conn, &reading_id, &who)?;
        Ok::<_, ApiError>(readings::revisions(conn, &reading_id)?)
    })
    .await?;
    let items = revisions
        .iter()
        .filter(|r| since.is_none_or(|s| r.created_at >= s))
        .map(|r| RevisionView {
            id: r.id.clone(),
            action: r.action.clone(),
            actor_id: r.actor_id.clone(),
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
            reason: r.reason.clone(),
            created_at: r.created_at.and_utc(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(pagination::Page {
        items,
        next_cursor: None,
    }))
}
