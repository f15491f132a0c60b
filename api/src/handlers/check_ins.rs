//! Check-ins: a partner's short update between meetings, optionally with the readings behind it,
//! recorded in the same request. The next meeting's agenda shows the check-ins since the last one.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_store::check_ins::{self, CheckIn, CheckInFilter};
use tandem_store::{DbConnection, readings, write_transaction};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::goals::CallerRef;
use super::partnerships::{load as load_partnership, status_of};
use super::readings::{ReadingView, batch_item, new_reading, recordable};
use crate::auth::Caller;
use crate::conditional::etag;
use crate::error::{ApiError, FieldError};
use crate::extract::Query;
use crate::extract::{BATCH_BODY_LIMIT, Json};
use crate::idempotency::{self, Created};
use crate::pagination;
use crate::state::AppState;

/// Longest check-in text, in characters.
pub const TEXT_MAX: usize = 2000;
/// What a link looks like: an http(s) URL in printable ASCII (the contract states the same).
pub const LINK_PATTERN: &str = "^https?://[!-~]+$";
/// Most links in a check-in.
const LINKS_MAX: usize = 10;
/// Most readings recorded with a check-in.
const READINGS_MAX: usize = 50;

/// A new check-in.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": "Pilot results are in: waits down to 10.8 minutes.",
    "links": ["https://docs.example.com/pilot-report"],
    "readings": [{"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59", "value": 10.8, "observed_at": "2026-03-01T09:00:00Z"}]
}))]
pub struct CreateCheckInRequest {
    /// The update (up to 2,000 characters).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    /// Links (http or https, up to 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub links: Vec<String>,
    /// Readings of your goals in this partnership to record with it (each a `BatchReading`; up to
    /// 50). All are stored with the check-in or, if any is invalid, nothing is.
    #[serde(default)]
    #[schema(value_type = Vec<Object>, max_items = 50)]
    pub readings: Vec<Value>,
}

/// A check-in as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckInView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The partnership.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// Who wrote it.
    #[schema(format = Uuid)]
    pub author_id: String,
    /// The update.
    pub text: String,
    /// Links.
    pub links: Vec<String>,
    /// Readings recorded with it (as they are now).
    pub readings: Vec<ReadingView>,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Builds the view of a stored check-in, with its readings.
pub fn check_in_view(conn: &mut DbConnection, c: &CheckIn) -> Result<CheckInView, ApiError> {
    let ids: Vec<String> = serde_json::from_str(&c.reading_ids).unwrap_or_default();
    let mut list = Vec::with_capacity(ids.len());
    for id in ids {
        list.push(ReadingView::from(&readings::find(conn, &id)?));
    }
    Ok(CheckInView {
        id: c.id.clone(),
        partnership_id: c.partnership_id.clone(),
        author_id: c.author_id.clone(),
        text: c.text.clone(),
        links: serde_json::from_str(&c.links).unwrap_or_default(),
        readings: list,
        created_at: c.created_at.and_utc(),
        updated_at: c.updated_at.and_utc(),
    })
}

fn check_links(links: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if links.len() > LINKS_MAX {
        errors.push(FieldError::new(
            "links",
            "too_many",
            format!("at most {LINKS_MAX} links"),
        ));
    }
    for (i, link) in links.iter().enumerate() {
        let rest = link
            .strip_prefix("https://")
            .or_else(|| link.strip_prefix("http://"));
        let ok = link.len() <= 2000
            && rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| (b'!'..=b'~').contains(&b)));
        if !ok {
            errors.push(FieldError::new(
                format!("links/{i}"),
                "invalid_url",
                "must be an http or https URL in printable ASCII, up to 2,000 characters",
            ));
        }
    }
    errors
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
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/partnerships/{id}/check-ins")]
pub async fn create_check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateCheckInRequest, BATCH_BODY_LIMIT>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = check_links(&body.links);
    if body.readings.len() > READINGS_MAX {
        errors.push(FieldError::new(
            "readings",
            "too_many",
            format!("at most {READINGS_MAX} readings"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller.id, &fingerprint, move |conn| {
        let view = write_transaction(conn, |conn| {
            let p = load_partnership(conn, &partnership_id, &who)?;
            if !status_of(&p).is_live() {
                return Err(ApiError::Conflict(format!(
                    "the partnership is {}; it takes no check-ins",
                    p.status
                )));
            }
            let mut ids = Vec::new();
            let mut errors = Vec::new();
            for (index, item) in body.readings.iter().enumerate() {
                let outcome = (|| {
                    let (goal_id, reading) = batch_item(item.clone())?;
                    let goal = recordable(conn, &goal_id, &who).map_err(|e| match e {
                        ApiError::NotFound => ApiError::field(
                            "goal_id",
                            "unknown_goal",
                            "must be one of your goals in this partnership",
                        ),
                        other => other,
                    })?;
                    if tandem_store::goals::find(conn, &goal)?.partnership_id != p.id {
                        return Err(ApiError::field(
                            "goal_id",
                            "unknown_goal",
                            "must be one of your goals in this partnership",
                        ));
                    }
                    Ok::<_, ApiError>(super::readings::record_reading(
                        conn,
                        &new_reading(goal, &reading, &who),
                    )?)
                })();
                match outcome {
                    Ok(readings::Inserted::Created(r) | readings::Inserted::Existing(r)) => {
                        ids.push(r.id)
                    }
                    Err(ApiError::Validation(found)) => {
                        errors.extend(found.into_iter().map(|mut e| {
                            e.pointer =
                                format!("#/readings/{index}{}", e.pointer.trim_start_matches('#'));
                            e
                        }))
                    }
                    Err(ApiError::Forbidden(detail) | ApiError::Conflict(detail)) => {
                        errors.push(FieldError::new(
                            format!("readings/{index}/goal_id"),
                            "not_recordable",
                            detail,
                        ))
                    }
                    Err(other) => return Err(other),
                }
            }
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            let now = crate::clock::now().naive_utc();
            let c = CheckIn {
                id: uuid::Uuid::now_v7().to_string(),
                partnership_id: p.id.clone(),
                author_id: who.id.clone(),
                text: body.text.clone(),
                links: serde_json::to_string(&body.links).map_err(ApiError::internal)?,
                reading_ids: serde_json::to_string(&ids).map_err(ApiError::internal)?,
                created_at: now,
                updated_at: now,
            };
            check_ins::insert(conn, &c)?;
            check_in_view(conn, &c)
        })?;
        Created::new(format!("/v1/check-ins/{}", view.id), Some(etag(1)), &view)
    })
    .await
}

/// Filters for a partnership's check-ins.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCheckInsQuery {
    /// Only this partner's.
    pub author_id: Option<uuid::Uuid>,
    /// Written at or after (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// A partnership's check-ins, oldest first.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "list_check_ins",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListCheckInsQuery),
    responses(
        (status = 200, description = "A page of check-ins", body = pagination::Page<CheckInView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}/check-ins")]
pub async fn list_check_ins(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListCheckInsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let filter = CheckInFilter {
        author_id: query.author_id.map(|u| u.to_string()),
        since: query.since.map(|t| t.naive_utc()),
        before: None,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let rows = crate::db::run(&state, move |conn| {
        let p = load_partnership(conn, &partnership_id, &who)?;
        let rows = check_ins::list(conn, &p.id, &filter, after, limit + 1)?;
        rows.into_iter()
            .map(|c| Ok(((c.created_at, c.id.clone()), check_in_view(conn, &c)?)))
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |(k, _)| k.clone(),
        |(_, v)| v,
    ))
}

/// A check-in.
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
    let (check_in_id, who) = (id.to_string(), CallerRef::from(&caller));
    let view = crate::db::run(&state, move |conn| {
        let c = check_ins::find(conn, &check_in_id)?;
        load_partnership(conn, &c.partnership_id, &who)?;
        check_in_view(conn, &c)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
