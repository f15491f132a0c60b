//! Partnerships: inviting a peer (who may not have an account yet), settings, and the lifecycle.
//! Only the two members see a partnership; to anyone else it does not exist (404).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::cadence::{
    DEFAULT_CADENCE_DAYS, DEFAULT_FIT_REVIEW_MONTHS, DEFAULT_GRACE_DAYS, DEFAULT_MEETING_MINUTES,
};
use tandem_domain::goal_set::{GoalSetReadiness, readiness};
use tandem_domain::partnership::{PartnershipAction, PartnershipStatus};
use tandem_domain::progress::StatusThresholds;
use tandem_store::partnerships::{self, Member, Partnership};
use tandem_store::{DbConnection, StoreError, users};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::fit_reviews::{local_date, next_review, started_on};
use super::goals::CallerRef;
use super::meetings::{AdherenceView, adherence_of};
use crate::auth::Caller;
use crate::conditional::{etag, expected_version, not_modified};
use crate::error::ApiError;
use crate::extract::Query;
use crate::extract::{Json, non_null};
use crate::idempotency::{self, Created};
use crate::pagination;
use crate::state::AppState;
use crate::validation;
use tandem_domain::rhythm::{self, Due};

/// The caller as a prospective member.
pub fn member(who: &CallerRef) -> Member<'_> {
    Member {
        user_id: who.id.as_str(),
        email: &who.email,
        only: who.only.as_deref(),
    }
}

/// Loads a partnership the caller belongs to (404 otherwise, and for a partnership a limited
/// access token does not reach) inside a blocking store call.
pub fn load(conn: &mut DbConnection, id: &str, who: &CallerRef) -> Result<Partnership, StoreError> {
    partnerships::find_for_member(conn, id, member(who))
}

/// An invitation.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"invitee_email": "grace@example.com", "message": "Keep me honest this year?", "cadence_days": 14, "meeting_minutes": 60, "time_zone": "Europe/Berlin"}))]
pub struct CreatePartnershipRequest {
    /// The peer to invite; they may register later with this email.
    #[validate(custom(function = "validation::email"))]
    #[schema(format = Email, max_length = 254)]
    pub invitee_email: String,
    /// A note for the invitee.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
    /// Days between meetings (default 14).
    #[serde(default, deserialize_with = "crate::extract::optional_whole")]
    #[validate(range(min = 1, max = 90))]
    #[schema(minimum = 1, maximum = 90)]
    pub cadence_days: Option<u32>,
    /// Meeting length in minutes (default 60).
    #[serde(default, deserialize_with = "crate::extract::optional_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(minimum = 15, maximum = 240)]
    pub meeting_minutes: Option<u32>,
    /// Time zone for meetings and dates (default: the inviter's).
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(value_type = Option<crate::openapi::TimeZone>)]
    pub time_zone: Option<String>,
    /// Months between fit reviews (default 3).
    #[serde(default, deserialize_with = "crate::extract::optional_whole")]
    #[validate(range(min = 1, max = 12))]
    #[schema(minimum = 1, maximum = 12)]
    pub fit_review_months: Option<u32>,
    /// Days a meeting may be held before or after its slot and still count as on time (default 2).
    #[serde(default, deserialize_with = "crate::extract::optional_whole")]
    #[validate(range(min = 0, max = 14))]
    #[schema(minimum = 0, maximum = 14)]
    pub grace_days: Option<u32>,
}

/// A settings edit (merge patch; `null` is refused).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "thresholds_ordered"))]
#[schema(example = json!({"cadence_days": 7, "on_track_gap": 0.05}))]
pub struct UpdatePartnershipRequest {
    /// Days between meetings.
    #[serde(default, deserialize_with = "crate::extract::non_null_whole")]
    #[validate(range(min = 1, max = 90))]
    #[schema(nullable = false, minimum = 1, maximum = 90)]
    pub cadence_days: Option<u32>,
    /// Meeting length in minutes.
    #[serde(default, deserialize_with = "crate::extract::non_null_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(nullable = false, minimum = 15, maximum = 240)]
    pub meeting_minutes: Option<u32>,
    /// Time zone for meetings and dates.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(nullable = false, value_type = Option<crate::openapi::TimeZone>)]
    pub time_zone: Option<String>,
    /// Months between fit reviews.
    #[serde(default, deserialize_with = "crate::extract::non_null_whole")]
    #[validate(range(min = 1, max = 12))]
    #[schema(nullable = false, minimum = 1, maximum = 12)]
    pub fit_review_months: Option<u32>,
    /// Days a meeting may be held before or after its slot and still count as on time.
    #[serde(default, deserialize_with = "crate::extract::non_null_whole")]
    #[validate(range(min = 0, max = 14))]
    #[schema(nullable = false, minimum = 0, maximum = 14)]
    pub grace_days: Option<u32>,
    /// Largest `expected - progress` gap still on track (0..1, at most `at_risk_gap`).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0.0, max = 1.0))]
    #[schema(nullable = false, minimum = 0, maximum = 1)]
    pub on_track_gap: Option<f64>,
    /// Largest gap still at risk (0..1).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0.0, max = 1.0))]
    #[schema(nullable = false, minimum = 0, maximum = 1)]
    pub at_risk_gap: Option<f64>,
}

fn thresholds_ordered(req: &UpdatePartnershipRequest) -> Result<(), validator::ValidationError> {
    match (req.on_track_gap, req.at_risk_gap) {
        (Some(a), Some(b)) if a > b => Err(validator::ValidationError::new("order")
            .with_message("on_track_gap must not exceed at_risk_gap".into())),
        _ => Ok(()),
    }
}

/// One of the two members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// `inviter` or `invitee`.
    pub role: String,
    /// The account, once there is one in the partnership (the invitee's after accepting).
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    /// Email.
    #[schema(format = Email)]
    pub email: String,
    /// Display name, once there is an account.
    pub display_name: Option<String>,
    /// Whether this member's goal set is ready (3 to 5 active goals) and what is missing.
    pub goal_set: GoalSetReadiness,
}

/// A partnership's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    /// Days between meetings.
    pub cadence_days: i32,
    /// Meeting length, minutes.
    pub meeting_minutes: i32,
    /// Time zone for meetings and dates.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// Months between fit reviews.
    pub fit_review_months: i32,
    /// Days a meeting may be held before or after its slot and still count as on time.
    pub grace_days: i32,
    /// Thresholds that turn progress gaps into statuses.
    pub status_thresholds: StatusThresholds,
}

/// A partnership as its members see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57", "status": "active",
    "members": [
        {"role": "inviter", "user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "email": "ada@example.com", "display_name": "Ada",
         "goal_set": {"active_goals": 3, "ready": true, "missing": 0, "message": "Ready: 3 active goals."}},
        {"role": "invitee", "user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f58", "email": "grace@example.com", "display_name": "Grace",
         "goal_set": {"active_goals": 1, "ready": false, "missing": 2, "message": "Activate 2 more goals to reach the minimum of 3."}}
    ],
    "settings": {"cadence_days": 14, "meeting_minutes": 60, "time_zone": "Europe/Berlin", "fit_review_months": 3, "grace_days": 2,
                 "status_thresholds": {"on_track_gap": 0.1, "at_risk_gap": 0.25}},
    "meetings": {"meetings_counted": 4, "held_on_time": 3, "rate": 0.75, "streak": 2, "grace_days": 2,
                 "window_start": "2026-05-26T08:00:00Z", "as_of": "2026-11-26T08:00:00Z",
                 "last_meeting": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70", "scheduled_at": "2026-11-18T08:00:00Z", "held_at": "2026-11-18T09:00:00Z", "on_time": true},
                 "next_meeting": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f71", "scheduled_at": "2026-12-02T08:00:00Z", "held_at": null, "on_time": null}},
    "fit_review": {"due_on": "2027-02-26", "overdue": false},
    "refresh": {"due_on": "2027-11-26", "overdue": false, "refreshed_by": []},
    "message": "Keep me honest this year?", "accepted_at": "2026-11-26T08:00:00Z", "ended_at": null,
    "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-26T08:00:00Z"
}))]
pub struct PartnershipView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// `invited`, `active`, `paused`, `ended` or `declined`.
    pub status: PartnershipStatus,
    /// Inviter first, then invitee.
    pub members: Vec<MemberView>,
    /// Settings.
    pub settings: SettingsView,
    /// How reliably the pair meets, with the last and next meeting (computed at request time).
    pub meetings: AdherenceView,
    /// When the next fit review round is due, and whether it is overdue.
    pub fit_review: Due,
    /// When the goals are next refreshed (yearly), whether that is overdue, and who has already
    /// refreshed their own goals this cycle.
    pub refresh: RefreshStatus,
    /// The inviter's note.
    pub message: Option<String>,
    /// When the invitee accepted.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When it ended or was declined.
    pub ended_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Parses a stored status (written only by this code).
pub fn status_of(p: &Partnership) -> PartnershipStatus {
    crate::enums::parse(&p.status).unwrap_or(PartnershipStatus::Ended)
}

/// The annual refresh as a partnership stands in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshStatus {
    /// The day the current cycle's refresh is due (partnership time zone).
    pub due_on: chrono::NaiveDate,
    /// That day has passed and the cycle is not complete.
    pub overdue: bool,
    /// Partners who refreshed their own goals this cycle; both, and the next cycle begins.
    pub refreshed_by: Vec<PartnerRefresh>,
}

/// One partner's refresh in the current cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerRefresh {
    /// The partner.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// The day they refreshed.
    pub refreshed_on: chrono::NaiveDate,
}

fn refresh_status(conn: &mut DbConnection, p: &Partnership) -> Result<RefreshStatus, StoreError> {
    let due = rhythm::refresh(
        started_on(p),
        p.last_refreshed_on,
        local_date(p, crate::clock::now()),
    );
    let refreshed_by = tandem_store::refreshes::of_cycle(conn, &p.id, p.refresh_cycle)?
        .into_iter()
        .map(|r| PartnerRefresh {
            user_id: r.user_id,
            refreshed_on: r.refreshed_on,
        })
        .collect();
    Ok(RefreshStatus {
        due_on: due.due_on,
        overdue: due.overdue,
        refreshed_by,
    })
}

/// Builds the view: both members with their goal-set readiness.
pub fn view(conn: &mut DbConnection, p: Partnership) -> Result<PartnershipView, StoreError> {
    let counts = partnerships::active_goal_counts(conn, &p.id)?;
    let count_of = |id: Option<&str>| {
        id.and_then(|id| counts.iter().find(|(o, _)| o == id))
            .map_or(0, |(_, n)| *n as u32)
    };
    let inviter = users::find_str(conn, &p.inviter_id)?;
    let invitee = match &p.invitee_id {
        Some(id) => Some(users::find_str(conn, id)?),
        None => None,
    };
    let members = vec![
        MemberView {
            role: "inviter".into(),
            user_id: Some(p.inviter_id.clone()),
            email: inviter.email.clone(),
            display_name: Some(inviter.display_name.clone()),
            goal_set: readiness(count_of(Some(&p.inviter_id))),
        },
        MemberView {
            role: "invitee".into(),
            user_id: p.invitee_id.clone(),
            email: p.invitee_email.clone(),
            display_name: invitee.map(|u| u.display_name),
            goal_set: readiness(count_of(p.invitee_id.as_deref())),
        },
    ];
    Ok(PartnershipView {
        meetings: adherence_of(conn, &p, crate::clock::now())?,
        fit_review: next_review(conn, &p)?,
        refresh: refresh_status(conn, &p)?,
        status: status_of(&p),
        members,
        settings: SettingsView {
            cadence_days: p.cadence_days,
            meeting_minutes: p.meeting_minutes,
            time_zone: p.time_zone.clone(),
            fit_review_months: p.fit_review_months,
            grace_days: p.grace_days,
            status_thresholds: StatusThresholds {
                on_track_gap: p.on_track_gap,
                at_risk_gap: p.at_risk_gap,
            },
        },
        message: p.message.clone(),
        accepted_at: p.accepted_at.map(|t| t.and_utc()),
        ended_at: p.ended_at.map(|t| t.and_utc()),
        created_at: p.created_at.and_utc(),
        updated_at: p.updated_at.and_utc(),
        id: p.id,
    })
}

fn respond(p: PartnershipView, version: i64) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(p)
}

/// Invite a peer to a partnership.
///
/// The invitee may not have an account yet: the invitation waits for a registration with that
/// email. Inviting yourself is 422; a second live partnership with the same person is 409.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "create_partnership",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
        description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = CreatePartnershipRequest,
    responses(
        (status = 201, description = "Invitation created", body = PartnershipView,
            headers(("Location" = String, description = "The new partnership"), ("ETag" = String, description = "Its version"))),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/partnerships")]
pub async fn create_partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreatePartnershipRequest>,
) -> Result<HttpResponse, ApiError> {
    if caller.partnership.is_some() {
        return Err(ApiError::Forbidden(
            "this access token is limited to one partnership; it creates none".into(),
        ));
    }
    let invitee_email = validation::normalise_email(&body.invitee_email);
    if invitee_email == caller.user.email {
        return Err(ApiError::field(
            "invitee_email",
            "self",
            "you cannot partner with yourself",
        ));
    }
    let user_id = caller.id.as_str().to_owned();
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &user_id, &fingerprint, move |conn| {
        let now = crate::clock::now().naive_utc();
        let mut emails = [caller.user.email.clone(), invitee_email.clone()];
        emails.sort();
        let new = Partnership {
            id: uuid::Uuid::now_v7().to_string(),
            inviter_id: caller.id.as_str().to_owned(),
            invitee_id: None,
            invitee_email,
            pair_key: emails.join(" "),
            status: "invited".into(),
            message: body.message.clone(),
            cadence_days: body.cadence_days.unwrap_or(DEFAULT_CADENCE_DAYS) as i32,
            meeting_minutes: body.meeting_minutes.unwrap_or(DEFAULT_MEETING_MINUTES) as i32,
            time_zone: body
                .time_zone
                .clone()
                .unwrap_or_else(|| caller.user.time_zone.clone()),
            fit_review_months: body.fit_review_months.unwrap_or(DEFAULT_FIT_REVIEW_MONTHS) as i32,
            grace_days: body.grace_days.unwrap_or(DEFAULT_GRACE_DAYS) as i32,
            last_refreshed_on: None,
            refresh_cycle: 0,
            on_track_gap: StatusThresholds::default().on_track_gap,
            at_risk_gap: StatusThresholds::default().at_risk_gap,
            accepted_at: None,
            ended_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let p = partnerships::insert(conn, &new).map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict(
                "you already have a live partnership (invited, active or paused) with this person"
                    .into(),
            ),
            other => other,
        })?;
        let view = view(conn, p)?;
        Created::new(
            format!("/v1/partnerships/{}", view.id),
            Some(etag(1)),
            &view,
        )
    })
    .await
}

/// Filters for listing partnerships.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPartnershipsQuery {
    /// Only partnerships in this status.
    pub status: Option<PartnershipStatus>,
    /// Only partnerships changed at or after this instant (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// List my partnerships (including invitations to my email), oldest first.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "list_partnerships",
    security(("bearer" = [])),
    params(ListPartnershipsQuery),
    responses((status = 200, description = "A page of partnerships", body = pagination::Page<PartnershipView>,
        headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))))
)]
#[get("/partnerships")]
pub async fn list_partnerships(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListPartnershipsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let status = query.status.map(|s| crate::enums::name(&s));
    let since = query.updated_since.map(|t| t.naive_utc());
    let who = CallerRef::from(&caller);
    let views = crate::db::run(&state, move |conn| {
        let rows = partnerships::list_for_member(
            conn,
            member(&who),
            status.as_deref(),
            since,
            after,
            limit + 1,
        )?;
        rows.into_iter()
            .map(|p| Ok(((p.created_at, p.id.clone()), view(conn, p)?)))
            .collect::<Result<Vec<_>, StoreError>>()
    })
    .await?;
    Ok(pagination::respond(
        &req,
        views,
        limit,
        |(k, _)| k.clone(),
        |(_, v)| v,
    ))
}

/// A partnership: both members, settings, and each member's goal-set readiness.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "get_partnership",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("If-None-Match" = Option<String>, Header, description = "304 if unchanged")),
    responses(
        (status = 200, description = "The partnership", body = PartnershipView, headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}")]
pub async fn get_partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let who = CallerRef::from(&caller);
    let (version, view) = crate::db::run(&state, move |conn| {
        let p = load(conn, &id, &who)?;
        Ok::<_, StoreError>((p.version, view(conn, p)?))
    })
    .await?;
    let tag = etag(version);
    if not_modified(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(respond(view, version))
}

/// Change a partnership's settings (either member).
#[utoipa::path(
    tag = "partnerships",
    operation_id = "update_partnership",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the partnership changed since")),
    request_body = UpdatePartnershipRequest,
    responses(
        (status = 200, description = "Updated", body = PartnershipView, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/partnerships/{id}")]
pub async fn update_partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdatePartnershipRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let id = id.to_string();
    let who = CallerRef::from(&caller);
    let (version, view) = crate::db::run(&state, move |conn| {
        tandem_store::write_transaction(conn, |conn| {
            let mut p = load(conn, &id, &who)?;
            if expected.is_some_and(|v| v != p.version) {
                return Err(ApiError::PreconditionFailed);
            }
            if !status_of(&p).is_live() {
                return Err(ApiError::Conflict(format!(
                    "the partnership is {}; its settings are final",
                    p.status
                )));
            }
            let on_track = body.on_track_gap.unwrap_or(p.on_track_gap);
            let at_risk = body.at_risk_gap.unwrap_or(p.at_risk_gap);
            StatusThresholds::new(on_track, at_risk)
                .map_err(|e| ApiError::field("on_track_gap", "order", e.to_string()))?;
            p.cadence_days = body.cadence_days.map_or(p.cadence_days, |v| v as i32);
            p.meeting_minutes = body.meeting_minutes.map_or(p.meeting_minutes, |v| v as i32);
            p.fit_review_months = body
                .fit_review_months
                .map_or(p.fit_review_months, |v| v as i32);
            p.grace_days = body.grace_days.map_or(p.grace_days, |v| v as i32);
            if let Some(tz) = body.time_zone {
                p.time_zone = tz;
            }
            p.on_track_gap = on_track;
            p.at_risk_gap = at_risk;
            p.version += 1;
            p.updated_at = crate::clock::now().naive_utc();
            let p = save(conn, &p)?;
            Ok((p.version, view(conn, p)?))
        })
    })
    .await?;
    Ok(respond(view, version))
}

async fn transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    action: PartnershipAction,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let who = CallerRef::from(&caller);
    let (version, view) = crate::db::run(&state, move |conn| {
        tandem_store::write_transaction(conn, |conn| {
            let mut p = load(conn, &id, &who)?;
            let is_invitee = p.inviter_id != who.id;
            if matches!(
                action,
                PartnershipAction::Accept | PartnershipAction::Decline
            ) && !is_invitee
            {
                return Err(ApiError::Forbidden(
                    "only the invitee can accept or decline an invitation".into(),
                ));
            }
            let next = status_of(&p).apply(action).map_err(|_| {
                ApiError::Conflict(format!(
                    "cannot {} a partnership that is {}",
                    crate::enums::name(&action),
                    p.status
                ))
            })?;
            let now = crate::clock::now().naive_utc();
            if action == PartnershipAction::Accept {
                p.invitee_id = Some(who.id.clone());
                p.accepted_at = Some(now);
            }
            if matches!(next, PartnershipStatus::Ended | PartnershipStatus::Declined) {
                p.ended_at = Some(now);
            }
            p.status = crate::enums::name(&next);
            p.version += 1;
            p.updated_at = now;
            let p = save(conn, &p)?;
            Ok((p.version, view(conn, p)?))
        })
    })
    .await?;
    Ok(respond(view, version))
}

macro_rules! lifecycle_action {
    ($fn:ident, $path:literal, $action:expr, $summary:literal, $doc:literal) => {
        #[doc = $summary]
        ///
        #[doc = $doc]
        #[utoipa::path(
            tag = "partnerships",
            security(("bearer" = [])),
            params(("id" = String, Path, format = Uuid, description = "Partnership id")),
            responses(
                (status = 200, description = "The partnership in its new status", body = PartnershipView,
                    headers(("ETag" = String, description = "New version"))),
                (status = 403, response = crate::openapi::Forbidden),
                (status = 404, response = crate::openapi::NotFound),
                (status = 409, response = crate::openapi::InvalidTransition),
            )
        )]
        #[post($path)]
        pub async fn $fn(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<uuid::Uuid>,
        ) -> Result<HttpResponse, ApiError> {
            transition(state, caller, id.into_inner(), $action).await
        }
    };
}

lifecycle_action!(
    accept_partnership,
    "/partnerships/{id}/accept",
    PartnershipAction::Accept,
    "Accept an invitation (invitee only).",
    "Links the invitee's account and makes the partnership active."
);
lifecycle_action!(
    decline_partnership,
    "/partnerships/{id}/decline",
    PartnershipAction::Decline,
    "Decline an invitation (invitee only).",
    "The partnership ends before it starts; history is kept."
);
lifecycle_action!(
    pause_partnership,
    "/partnerships/{id}/pause",
    PartnershipAction::Pause,
    "Pause an active partnership (either member).",
    "Meetings are not expected while paused."
);
lifecycle_action!(
    resume_partnership,
    "/partnerships/{id}/resume",
    PartnershipAction::Resume,
    "Resume a paused partnership (either member).",
    "Back to active."
);
lifecycle_action!(
    end_partnership,
    "/partnerships/{id}/end",
    PartnershipAction::End,
    "End a partnership (either member).",
    "Also withdraws a pending invitation. Ended partnerships keep their history."
);

/// Saves a changed partnership (its next version) and announces `partnership.updated` in the same
/// transaction; every partnership edit goes through here.
pub(crate) fn save(conn: &mut DbConnection, p: &Partnership) -> Result<Partnership, StoreError> {
    let saved = partnerships::save(conn, p)?;
    crate::events::publish(
        conn,
        &saved.id,
        crate::events::EventData::PartnershipUpdated((&saved).into()),
        saved.updated_at.and_utc(),
    )?;
    Ok(saved)
}

/// Checks that a `partnership_id` in a request body names one of the caller's partnerships (the
/// one a limited token reaches): 422 naming the field otherwise, since the body, not the path, is
/// wrong.
pub(crate) fn ensure_mine(
    conn: &mut DbConnection,
    id: Option<&str>,
    who: &CallerRef,
) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    match load(conn, id, who) {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(ApiError::field(
            "partnership_id",
            "unknown_partnership",
            "must be one of your partnerships",
        )),
        Err(e) => Err(e.into()),
    }
}
