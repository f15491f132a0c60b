//! Commitments: the next actions each partner takes on in a meeting. The next meeting's agenda
//! reviews them, so nothing agreed is quietly forgotten.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tandem_domain::meeting::{CommitmentStatus, MeetingAction, default_due_on, default_slot};
use tandem_store::commitments::{self, Commitment, CommitmentFilter};
use tandem_store::partnerships::Partnership;
use tandem_store::{DbConnection, StoreError, goals, meetings, write_transaction};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::goals::CallerRef;
use super::meetings::{load as load_meeting, partners, status_of as meeting_status};
use super::partnerships::load as load_partnership;
use crate::auth::Caller;
use crate::conditional::{etag, expected_version, not_modified};
use crate::csv_out;
use crate::error::ApiError;
use crate::extract::Query;
use crate::extract::{Json, non_null, nullable};
use crate::idempotency::{self, Created};
use crate::pagination;
use crate::state::AppState;

/// A commitment as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f80", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
    "meeting_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70", "owner_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "goal_id": null, "text": "Call three churned customers", "due_on": "2026-12-23", "status": "open",
    "status_note": null, "closed_by": null, "closed_at": null, "created_by": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "created_at": "2026-12-09T08:40:00Z", "updated_at": "2026-12-09T08:40:00Z"
}))]
pub struct CommitmentView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The partnership.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// The meeting it was made in.
    #[schema(format = Uuid)]
    pub meeting_id: String,
    /// The partner who committed.
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// The goal it serves.
    #[schema(format = Uuid)]
    pub goal_id: Option<String>,
    /// What will be done.
    pub text: String,
    /// By when (a date in the partnership's time zone).
    pub due_on: NaiveDate,
    /// `open`, `done` or `dropped`.
    pub status: CommitmentStatus,
    /// How it went, or why it was dropped.
    pub status_note: Option<String>,
    /// Who closed it.
    #[schema(format = Uuid)]
    pub closed_by: Option<String>,
    /// When.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    #[schema(format = Uuid)]
    pub created_by: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Commitment> for CommitmentView {
    fn from(c: &Commitment) -> Self {
        CommitmentView {
            id: c.id.clone(),
            partnership_id: c.partnership_id.clone(),
            meeting_id: c.meeting_id.clone(),
            owner_id: c.owner_id.clone(),
            goal_id: c.goal_id.clone(),
            text: c.text.clone(),
            due_on: c.due_on,
            status: crate::enums::parse(&c.status).unwrap_or(CommitmentStatus::Open),
            status_note: c.status_note.clone(),
            closed_by: c.closed_by.clone(),
            closed_at: c.closed_at.map(|t| t.and_utc()),
            created_by: c.created_by.clone(),
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// A new commitment.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Call three churned customers", "owner_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56"}))]
pub struct CreateCommitmentRequest {
    /// What will be done.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub text: String,
    /// The partner who commits (default: the caller).
    pub owner_id: Option<uuid::Uuid>,
    /// By when (default: the day of the next meeting, in the partnership's time zone).
    pub due_on: Option<NaiveDate>,
    /// The owner's goal it serves.
    pub goal_id: Option<uuid::Uuid>,
}

/// Checks that `goal_id` is one of `owner`'s goals in the partnership (422 on `/goal_id`).
fn check_goal(
    conn: &mut DbConnection,
    goal_id: &str,
    owner: &str,
    p: &Partnership,
) -> Result<(), ApiError> {
    match goals::find(conn, goal_id) {
        Ok(g) if g.partnership_id == p.id && g.owner_id == owner => Ok(()),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::field(
            "goal_id",
            "unknown_goal",
            "must be a goal of the commitment's owner in this partnership",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The day of the meeting after `m`: the scheduled next meeting once completed, else the default
/// slot by cadence.
fn next_meeting_day(
    conn: &mut DbConnection,
    m: &meetings::Meeting,
    p: &Partnership,
) -> Result<NaiveDate, ApiError> {
    let tz: Tz = p.time_zone.parse().unwrap_or(Tz::UTC);
    let at = match &m.next_meeting_id {
        Some(id) => meetings::find(conn, id)?.scheduled_at.and_utc(),
        None => default_slot(
            Some(m.scheduled_at.and_utc()),
            m.scheduled_at.and_utc(),
            p.cadence_days.max(1) as u32,
            tz,
            m.scheduled_at.and_utc(),
        ),
    };
    Ok(default_due_on(at, tz))
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
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/meetings/{id}/commitments")]
pub async fn create_commitment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateCommitmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (meeting_id, who) = (id.to_string(), CallerRef::from(&caller));
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller.id, &fingerprint, move |conn| {
        let c = write_transaction(conn, |conn| {
            let (m, p) = load_meeting(conn, &meeting_id, &who)?;
            let owner = body.owner_id.map_or(who.id.clone(), |u| u.to_string());
            if !partners(&p).contains(&owner) {
                return Err(ApiError::field(
                    "owner_id",
                    "not_a_partner",
                    "must be one of the two partners",
                ));
            }
            if let Some(goal) = body.goal_id {
                check_goal(conn, &goal.to_string(), &owner, &p)?;
            }
            meeting_status(&m)
                .apply(MeetingAction::Annotate)
                .map_err(|_| {
                    ApiError::Conflict(format!(
                        "the meeting is {}; it takes no commitments",
                        m.status
                    ))
                })?;
            let due_on = match body.due_on {
                Some(d) => d,
                None => next_meeting_day(conn, &m, &p)?,
            };
            let now = crate::clock::now().naive_utc();
            let c = Commitment {
                id: uuid::Uuid::now_v7().to_string(),
                partnership_id: p.id.clone(),
                meeting_id: m.id.clone(),
                owner_id: owner,
                goal_id: body.goal_id.map(|g| g.to_string()),
                text: body.text.clone(),
                due_on,
                status: crate::enums::name(&CommitmentStatus::Open),
                status_note: None,
                closed_by: None,
                closed_at: None,
                created_by: who.id.clone(),
                version: 1,
                created_at: now,
                updated_at: now,
            };
            commitments::insert(conn, &c)?;
            Ok(c)
        })?;
        Created::new(
            format!("/v1/commitments/{}", c.id),
            Some(etag(c.version)),
            &CommitmentView::from(&c),
        )
    })
    .await
}

/// Filters for a partnership's commitments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCommitmentsQuery {
    /// Only commitments in this status (`open` for what is still to do).
    pub status: Option<CommitmentStatus>,
    /// Only this partner's.
    pub owner_id: Option<uuid::Uuid>,
    /// Only those made in this meeting.
    pub meeting_id: Option<uuid::Uuid>,
    /// Only those serving this goal.
    pub goal_id: Option<uuid::Uuid>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

const COMMITMENT_COLUMNS: [&str; 11] = [
    "id",
    "meeting_id",
    "owner_id",
    "goal_id",
    "text",
    "due_on",
    "status",
    "status_note",
    "closed_at",
    "created_at",
    "updated_at",
];

/// A partnership's commitments, oldest first; `Accept: text/csv` for a spreadsheet.
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_commitments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListCommitmentsQuery),
    responses(
        (status = 200, description = "A page of commitments (CSV columns: id, meeting_id, owner_id, goal_id, text, due_on, status, status_note, closed_at, created_at, updated_at)",
            content((pagination::Page<CommitmentView> = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}/commitments")]
pub async fn list_commitments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListCommitmentsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let filter = CommitmentFilter {
        status: query.status.map(|s| crate::enums::name(&s)),
        owner_id: query.owner_id.map(|u| u.to_string()),
        meeting_id: query.meeting_id.map(|u| u.to_string()),
        goal_id: query.goal_id.map(|u| u.to_string()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let rows = crate::db::run(&state, move |conn| {
        let p = load_partnership(conn, &partnership_id, &who)?;
        commitments::list(conn, &p.id, &filter, after, limit + 1)
    })
    .await?;
    if csv_out::wanted(&req) {
        let rows = rows.iter().take(limit as usize).map(|c| {
            vec![
                c.id.as_str().into(),
                c.meeting_id.as_str().into(),
                c.owner_id.as_str().into(),
                c.goal_id.as_ref().into(),
                c.text.as_str().into(),
                c.due_on.into(),
                c.status.as_str().into(),
                c.status_note.as_ref().into(),
                c.closed_at.map(|t| t.and_utc()).into(),
                c.created_at.and_utc().into(),
                c.updated_at.and_utc().into(),
            ]
        });
        return csv_out::respond(&COMMITMENT_COLUMNS, rows);
    }
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |c| (c.created_at, c.id.clone()),
        |c| CommitmentView::from(&c),
    ))
}

fn load(
    conn: &mut DbConnection,
    id: &str,
    who: &CallerRef,
) -> Result<(Commitment, Partnership), StoreError> {
    let c = commitments::find(conn, id)?;
    let p = load_partnership(conn, &c.partnership_id, who)?;
    Ok((c, p))
}

/// A commitment.
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
    let (commitment_id, who) = (id.to_string(), CallerRef::from(&caller));
    let (c, _) = crate::db::run(&state, move |conn| load(conn, &commitment_id, &who)).await?;
    let tag = etag(c.version);
    if not_modified(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(CommitmentView::from(&c)))
}

/// A commitment edit (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done", "status_note": "Two of three called; the third moved on"}))]
pub struct UpdateCommitmentRequest {
    /// `done` or `dropped` closes an open commitment; a closed one stays closed.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub status: Option<CommitmentStatus>,
    /// How it went, or why it was dropped (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub status_note: Option<Option<String>>,
    /// New wording (open commitments only).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 1000))]
    #[schema(nullable = false, min_length = 1, max_length = 1000)]
    pub text: Option<String>,
    /// New due date (open commitments only).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub due_on: Option<NaiveDate>,
}

/// Update a commitment (either partner): close it as done or dropped, or reword or re-date an
/// open one. `open -> done | dropped` only: a closed commitment is not reopened (409).
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
        (status = 409, response = crate::openapi::InvalidTransition),
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
    let (commitment_id, who) = (id.to_string(), CallerRef::from(&caller));
    let c = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut c, _) = load(conn, &commitment_id, &who)?;
            if expected.is_some_and(|v| v != c.version) {
                return Err(ApiError::PreconditionFailed);
            }
            let before = c.clone();
            let current: CommitmentStatus =
                crate::enums::parse(&c.status).unwrap_or(CommitmentStatus::Open);
            let rewording = body.text.as_ref().is_some_and(|t| *t != c.text)
                || body.due_on.is_some_and(|d| d != c.due_on);
            if rewording && current != CommitmentStatus::Open {
                return Err(ApiError::Conflict(format!(
                    "the commitment is {}; only open commitments are reworded or re-dated",
                    c.status
                )));
            }
            if let Some(to) = body.status {
                let next = current.change_to(to).map_err(|e| {
                    ApiError::Conflict(format!(
                        "a commitment that is {} cannot become {}",
                        crate::enums::name(&e.from),
                        crate::enums::name(&e.to)
                    ))
                })?;
                if next != current {
                    c.status = crate::enums::name(&next);
                    c.closed_by = Some(who.id.clone());
                    c.closed_at = Some(crate::clock::now().naive_utc());
                }
            }
            if let Some(note) = body.status_note {
                c.status_note = note;
            }
            if let Some(text) = body.text {
                c.text = text;
            }
            if let Some(due) = body.due_on {
                c.due_on = due;
            }
            if c == before {
                return Ok(c);
            }
            c.version += 1;
            c.updated_at = crate::clock::now().naive_utc();
            commitments::save(conn, &c)?;
            Ok::<_, ApiError>(c)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(c.version)))
        .json(CommitmentView::from(&c)))
}
