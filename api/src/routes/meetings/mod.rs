//! Meetings: the pair's hour every other week. Each runs the practice's agenda (one equal block
//! per partner: scorecard, last commitments, wins, obstacles, solutions, next actions), closes the
//! loop on the previous meeting's commitments, and on completion freezes the scorecard and
//! schedules the next meeting at the same local time.

mod params;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use tandem_app::meetings::{self, MeetingFilter};

use crate::auth::Caller;
use crate::http::conditional::{
    current, current_tag, etag, expected_version, required_version, tagged,
};
use crate::http::extract::{BATCH_BODY_LIMIT, Json, Query};
use crate::http::idempotency::{self, Created};
use crate::http::problem::ApiError;
use crate::http::{csv, list};
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::meetings::{
    AdherenceView, MeetingDetail, MeetingView, NotesView, adherence_view, meeting_view, notes_view,
};
use crate::views::progress::ScorecardView;
pub use params::{
    CancelMeetingRequest, CompleteMeetingRequest, ListMeetingsQuery, PutNotesRequest,
    RescheduleMeetingRequest, ScheduleMeetingRequest, UpdateMeetingRequest,
};

refusals! {
    "schedule_meeting": [PartnershipNotActive, MeetingAlreadyScheduled];
    "update_meeting": [MeetingTransition];
    "reschedule_meeting": [MeetingTransition];
    "cancel_meeting": [MeetingTransition];
    "complete_meeting": [MeetingTransition, MeetingAlreadyScheduled];
    "meeting_snapshot": [MeetingNotCompleted];
    "put_meeting_notes": [MeetingTransition];
}

/// A meeting and its agenda with the meeting's version as ETag.
fn detail(d: &meetings::MeetingDetail) -> HttpResponse {
    tagged(StatusCode::OK, d.meeting.version, MeetingDetail::from(d))
}

/// Schedule the partnership's next meeting (either partner; the partnership must be active).
///
/// A partnership has one scheduled meeting at a time: scheduling another is 409 (reschedule or
/// cancel the one there is). Completing a meeting schedules the next one by itself.
#[utoipa::path(
    tag = "meetings",
    operation_id = "schedule_meeting",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = ScheduleMeetingRequest,
    responses(
        (status = 201, description = "Scheduled", body = MeetingDetail,
            headers(("Location" = String, description = "The new meeting"), ("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/meetings")]
pub async fn schedule_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<ScheduleMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let partnership_id = id.to_string();
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        let d = meetings::schedule(tx, actor, &partnership_id, &body.into())?;
        let location = format!("/v1/meetings/{}", d.meeting.id);
        Created::new(
            location,
            Some(etag(d.meeting.version)),
            &MeetingDetail::from(&d),
        )
    })
    .await
}

/// A partnership's meetings.
///
/// Past and upcoming, in the order they were scheduled, paged; filter by status or `updated_since`.
/// For a spreadsheet: `meetings.csv`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_meetings",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListMeetingsQuery),
    responses(
        (status = 200, description = "A page of meetings", body = crate::http::list::Page<MeetingView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings")]
pub async fn list_meetings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListMeetingsQuery>,
) -> Result<HttpResponse, ApiError> {
    csv::json_only(&req)?;
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let filter = MeetingFilter {
        status: query.status,
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let (p, rows) = state
        .app
        .read_by(&actor, move |tx, actor| {
            meetings::list(tx, actor, &partnership_id, &filter, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |m| (m.created_at, m.id.clone()),
        |m| meeting_view(&m, &p),
    ))
}

/// A meeting with its agenda: for each partner, a time-boxed block with their live scorecard
/// (the frozen snapshot once completed), the commitments up for review, notes, next actions and
/// milestone updates; then confirming the next meeting.
///
/// The `ETag` versions the meeting itself (time, status, attendance) for `If-Match`; the agenda
/// is recomputed from live data on every request, so this resource does not answer 304.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_meeting",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id")),
    responses(
        (status = 200, description = "The meeting and its agenda", body = MeetingDetail,
            headers(("ETag" = String, description = "The meeting's version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let d = state
        .app
        .read_by(&actor, move |tx, actor| meetings::get(tx, actor, &id))
        .await?;
    Ok(detail(&d))
}

/// Change a scheduled meeting's length or location (either partner).
///
/// Only a scheduled meeting may change; moving it in time is `POST /v1/meetings/{id}/reschedule`,
/// which keeps count and reason. Send `If-Match` to be sure you are changing what you read.
#[utoipa::path(
    tag = "meetings",
    operation_id = "update_meeting",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the meeting changed since")),
    request_body = UpdateMeetingRequest,
    responses(
        (status = 200, description = "Updated", body = MeetingDetail, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("")]
pub async fn update_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdateMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let (length, location) = (body.length_minutes, body.location);
    let d = state
        .app
        .write_by(&actor, move |tx, actor| {
            meetings::edit(tx, actor, &id, expected, length, location)
        })
        .await?;
    Ok(detail(&d))
}

/// Move a scheduled meeting (either partner).
///
/// The agreed slot stays where it was: held more than the grace window away from it, the meeting
/// counts as late in adherence.
#[utoipa::path(
    tag = "meetings",
    operation_id = "reschedule_meeting",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the meeting changed since")),
    request_body = RescheduleMeetingRequest,
    responses(
        (status = 200, description = "Moved", body = MeetingDetail, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/reschedule")]
pub async fn reschedule_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<RescheduleMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let (at, reason) = (body.scheduled_at, body.reason);
    let d = state
        .app
        .write_by(&actor, move |tx, actor| {
            meetings::reschedule(tx, actor, &id, expected, at, reason)
        })
        .await?;
    Ok(detail(&d))
}

/// Cancel a scheduled meeting (either partner, with a reason).
///
/// A cancelled meeting counts against adherence and breaks the on-time streak. Schedule the next
/// one with `POST /v1/partnerships/{id}/meetings` (its default slot follows the cancelled one).
#[utoipa::path(
    tag = "meetings",
    operation_id = "cancel_meeting",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the meeting changed since")),
    request_body = CancelMeetingRequest,
    responses(
        (status = 200, description = "Cancelled", body = MeetingDetail, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/cancel")]
pub async fn cancel_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CancelMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let d = state
        .app
        .write_by(&actor, move |tx, actor| {
            meetings::cancel(tx, actor, &id, expected, body.reason)
        })
        .await?;
    Ok(detail(&d))
}

/// Complete a meeting: record attendance, freeze the scorecard and schedule the next meeting.
///
/// The snapshot is the partnership's scorecard as of `held_at`, stored with the meeting: later
/// readings and corrections do not change it. The next meeting is scheduled at the confirmed time
/// (its agenda reviews this meeting's commitments). A meeting is completed once: again is 409.
#[utoipa::path(
    tag = "meetings",
    operation_id = "complete_meeting",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the meeting changed since")),
    request_body = CompleteMeetingRequest,
    responses(
        (status = 200, description = "Completed; `next_meeting_id` names the next meeting", body = MeetingDetail,
            headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/complete")]
pub async fn complete_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CompleteMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let d = state
        .app
        .write_by(&actor, move |tx, actor| {
            meetings::complete(tx, actor, &id, expected, body.into())
        })
        .await?;
    Ok(detail(&d))
}

/// A completed meeting's frozen scorecard.
///
/// The scorecard exactly as it was when the meeting was completed, kept whatever readings change
/// later, so past meetings can be reviewed as they were. For a spreadsheet: `snapshot.csv`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meeting_snapshot",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id")),
    responses(
        (status = 200, description = "The snapshot (immutable: a strong ETag that never changes)",
            body = ScorecardView,
            headers(("ETag" = String, description = "The snapshot's tag"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/snapshot")]
pub async fn meeting_snapshot(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    csv::json_only(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let (card, frozen_at) = state
        .app
        .read_by(&actor, move |tx, actor| meetings::snapshot(tx, actor, &id))
        .await?;
    let tag = etag(frozen_at.timestamp_micros());
    Ok(current_tag(&req, &tag, ScorecardView::from(&card)))
}

/// A partner's notes in a meeting (empty lists, version 0, until written).
///
/// The wins, obstacles and solutions written in one partner's half of the meeting; empty lists and
/// version 0 until written. Carries the notes' version as ETag for `If-Match` on `PUT`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_meeting_notes",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("partner_id" = String, Path, format = Uuid, description = "The partner whose block it is"),
        ("If-None-Match" = Option<String>, Header, description = "304 if unchanged")),
    responses(
        (status = 200, description = "The notes", body = NotesView, headers(("ETag" = String, description = "Their version"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/notes/{partner_id}")]
pub async fn get_meeting_notes(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (meeting_id, partner_id) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let pid = partner_id.clone();
    let (m, notes) = state
        .app
        .read_by(&actor, move |tx, actor| {
            meetings::notes(tx, actor, &meeting_id, &pid)
        })
        .await?;
    let view = notes_view(&m.id, &partner_id, notes.as_ref());
    Ok(current(&req, view.version, view))
}

/// Write a partner's wins, obstacles and solutions for a meeting (either partner may take the
/// notes).
///
/// Two people typing at once cannot overwrite each other: once the block has notes, `If-Match`
/// with the version read is required (428 without it, 412 if someone saved in between). The
/// first write may send `If-Match: "0"` to insist that nobody wrote yet. Cancelled meetings take
/// no notes (409).
#[utoipa::path(
    tag = "meetings",
    operation_id = "put_meeting_notes",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("partner_id" = String, Path, format = Uuid, description = "The partner whose block it is"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#,
            description = "The version read (`\"0\"` before the first write); required once notes exist")),
    request_body = PutNotesRequest,
    responses(
        (status = 200, description = "Saved", body = NotesView, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 428, response = crate::openapi::PreconditionRequired),
    )
)]
#[put("/notes/{partner_id}")]
pub async fn put_meeting_notes(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    Json(body): Json<PutNotesRequest, BATCH_BODY_LIMIT>,
) -> Result<HttpResponse, ApiError> {
    let block = body.block()?;
    let condition = required_version(&req)?;
    let (meeting_id, partner_id) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let saved = state
        .app
        .write_by(&actor, move |tx, actor| {
            let check = |current| condition.check(current);
            meetings::put_notes(tx, actor, &meeting_id, &partner_id, &block, check)
        })
        .await?;
    let view = notes_view(&saved.meeting_id, &saved.partner_id, Some(&saved));
    Ok(tagged(StatusCode::OK, view.version, view))
}

/// How reliably the partnership meets.
///
/// The share of meetings over the last six months held within the grace window of their slot, the
/// current on-time streak, and the last and next meeting: the "meetings are sacrosanct" rule as a
/// number.
#[utoipa::path(
    tag = "meetings",
    operation_id = "partnership_adherence",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id")),
    responses(
        (status = 200, description = "Adherence now", body = AdherenceView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/adherence")]
pub async fn partnership_adherence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let (p, a) = state
        .app
        .read_by(&actor, move |tx, actor| {
            meetings::partnership_adherence(tx, actor, &partnership_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(adherence_view(&a, &p)))
}
