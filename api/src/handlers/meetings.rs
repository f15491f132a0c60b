//! Meetings: the pair's hour every other week. Each runs the practice's agenda (one equal block
//! per partner: scorecard, last commitments, wins, obstacles, solutions, next actions), closes the
//! loop on the previous meeting's commitments, and on completion freezes the scorecard and
//! schedules the next meeting at the same local time.

use crate::events::{EventData, MeetingCompleted, MeetingScheduled};
use crate::extract::Query;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tandem_domain::agenda::{Section, agenda};
use tandem_domain::cadence::{Adherence, MeetingOutcome, adherence};
use tandem_domain::meeting::{
    MeetingAction, MeetingStatus, adherence_window_start, default_slot, held_on_time,
};
use tandem_domain::partnership::PartnershipStatus;
use tandem_store::meetings::{self, Meeting, MeetingFilter, Notes};
use tandem_store::partnerships::Partnership;
use tandem_store::{DbConnection, StoreError, commitments, users, write_transaction};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::check_ins::{CheckInView, check_in_view};
use super::commitments::CommitmentView;
use super::goal_docs::ChangeView;
use super::goals::CallerRef;
use super::partnerships::{load as load_partnership, status_of as partnership_status};
use super::scorecards::{PartnerScorecard, ScorecardView, scorecard};
use crate::auth::Caller;
use crate::conditional::{etag, expected_version, not_modified, required_version};
use crate::csv_out;
use crate::error::{ApiError, FieldError};
use crate::extract::{BATCH_BODY_LIMIT, Json, non_null, nullable};
use crate::idempotency::{self, Created};
use crate::pagination;
use crate::state::AppState;

/// How far back a meeting may be recorded, and how far ahead scheduled, in days.
const SCHEDULE_RANGE_DAYS: i64 = 730;
/// Most items in one notes list.
const NOTE_ITEMS_MAX: usize = 20;
/// Longest note item, in characters.
const NOTE_ITEM_CHARS_MAX: usize = 1000;

/// A meeting and its partnership, for a member (404 for anyone else).
pub fn load(
    conn: &mut DbConnection,
    meeting_id: &str,
    who: &CallerRef,
) -> Result<(Meeting, Partnership), StoreError> {
    let meeting = meetings::find(conn, meeting_id)?;
    let p = load_partnership(conn, &meeting.partnership_id, who)?;
    Ok((meeting, p))
}

/// Parses a stored status (written only by this code).
pub fn status_of(m: &Meeting) -> MeetingStatus {
    crate::enums::parse(&m.status).unwrap_or(MeetingStatus::Cancelled)
}

/// Refuses `action` on a meeting in the wrong status (409).
fn allow(m: &Meeting, action: MeetingAction) -> Result<MeetingStatus, ApiError> {
    status_of(m).apply(action).map_err(|e| {
        ApiError::Conflict(format!(
            "cannot {} a meeting that is {}",
            crate::enums::name(&e.action),
            m.status
        ))
    })
}

/// Checks a `meeting_id` given with a goal or milestone change: it must be a meeting of the same
/// partnership that was not cancelled (422 on `pointer` otherwise).
pub fn check_reference(
    conn: &mut DbConnection,
    meeting_id: &str,
    partnership_id: &str,
    pointer: &str,
) -> Result<(), ApiError> {
    let refused = || {
        ApiError::field(
            pointer,
            "unknown_meeting",
            "must be a scheduled or completed meeting of this partnership",
        )
    };
    match meetings::find(conn, meeting_id) {
        Ok(m) if m.partnership_id == partnership_id && m.status != "cancelled" => Ok(()),
        Ok(_) | Err(StoreError::NotFound) => Err(refused()),
        Err(e) => Err(e.into()),
    }
}

/// The two members, inviter first (a partnership with meetings has both).
pub fn partners(p: &Partnership) -> Vec<String> {
    std::iter::once(p.inviter_id.clone())
        .chain(p.invitee_id.clone())
        .collect()
}

fn tz_of(p: &Partnership) -> Tz {
    p.time_zone.parse().unwrap_or(Tz::UTC)
}

/// Whether someone attended.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attendance {
    /// The partner.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// They were there.
    pub attended: bool,
}

/// A meeting without its agenda (lists).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
    "status": "scheduled", "scheduled_at": "2026-12-09T08:00:00Z", "local_start": "2026-12-09T09:00:00+01:00",
    "time_zone": "Europe/Berlin", "slot_at": "2026-12-09T08:00:00Z", "length_minutes": 60,
    "location": "https://meet.example.com/ada-grace", "previous_meeting_id": null, "next_meeting_id": null,
    "reschedule_count": 0, "reschedule_reason": null, "cancel_reason": null, "cancelled_by": null,
    "cancelled_at": null, "held_at": null, "on_time": null, "attendance": null, "completed_by": null,
    "completed_at": null, "created_by": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"
}))]
pub struct MeetingView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The partnership.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// `scheduled`, `completed` or `cancelled`.
    pub status: MeetingStatus,
    /// When it takes (or took) place.
    pub scheduled_at: DateTime<Utc>,
    /// `scheduled_at` in the partnership's time zone, with its offset.
    pub local_start: String,
    /// The partnership's time zone.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// The agreed slot; rescheduling does not move it, so adherence judges lateness against it.
    pub slot_at: DateTime<Utc>,
    /// Length in minutes.
    pub length_minutes: i32,
    /// Where (a room, a video link).
    pub location: Option<String>,
    /// The meeting whose commitments this one reviews.
    #[schema(format = Uuid)]
    pub previous_meeting_id: Option<String>,
    /// The meeting scheduled when this one was completed.
    #[schema(format = Uuid)]
    pub next_meeting_id: Option<String>,
    /// How often it was moved.
    pub reschedule_count: i32,
    /// Why it was last moved.
    pub reschedule_reason: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Who cancelled it.
    #[schema(format = Uuid)]
    pub cancelled_by: Option<String>,
    /// When.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When it was held.
    pub held_at: Option<DateTime<Utc>>,
    /// Held within the grace window of its slot (completed meetings only).
    pub on_time: Option<bool>,
    /// Who attended (completed meetings only).
    pub attendance: Option<Vec<Attendance>>,
    /// Who completed it.
    #[schema(format = Uuid)]
    pub completed_by: Option<String>,
    /// When.
    pub completed_at: Option<DateTime<Utc>>,
    /// Who scheduled it.
    #[schema(format = Uuid)]
    pub created_by: String,
    /// Scheduled.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Builds the view of a meeting row.
pub fn meeting_view(m: &Meeting, p: &Partnership) -> MeetingView {
    let tz = tz_of(p);
    let scheduled = m.scheduled_at.and_utc();
    MeetingView {
        id: m.id.clone(),
        partnership_id: m.partnership_id.clone(),
        status: status_of(m),
        scheduled_at: scheduled,
        local_start: scheduled.with_timezone(&tz).to_rfc3339(),
        time_zone: p.time_zone.clone(),
        slot_at: m.slot_at.and_utc(),
        length_minutes: m.length_minutes,
        location: m.location.clone(),
        previous_meeting_id: m.previous_meeting_id.clone(),
        next_meeting_id: m.next_meeting_id.clone(),
        reschedule_count: m.reschedule_count,
        reschedule_reason: m.reschedule_reason.clone(),
        cancel_reason: m.cancel_reason.clone(),
        cancelled_by: m.cancelled_by.clone(),
        cancelled_at: m.cancelled_at.map(|t| t.and_utc()),
        held_at: m.held_at.map(|t| t.and_utc()),
        on_time: m
            .held_at
            .map(|h| held_on_time(m.slot_at.and_utc(), h.and_utc(), p.grace_days.max(0) as u32)),
        attendance: m
            .attendance
            .as_deref()
            .and_then(|a| serde_json::from_str(a).ok()),
        completed_by: m.completed_by.clone(),
        completed_at: m.completed_at.map(|t| t.and_utc()),
        created_by: m.created_by.clone(),
        created_at: m.created_at.and_utc(),
        updated_at: m.updated_at.and_utc(),
    }
}

/// One time-boxed part of a partner's block.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaSection {
    /// What happens.
    pub section: Section,
    /// Minutes from the start of the meeting.
    pub starts_at_minute: u32,
    /// Minutes allotted.
    pub minutes: u32,
}

/// A partner's wins, obstacles and solutions in one meeting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "meeting_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70", "partner_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "wins": ["Signed the Acme renewal"], "obstacles": ["Hiring is slow"], "solutions": ["Ask Grace's recruiter for referrals"],
    "version": 2, "updated_by": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f58", "updated_at": "2026-12-09T08:20:00Z"
}))]
pub struct NotesView {
    /// The meeting.
    #[schema(format = Uuid)]
    pub meeting_id: String,
    /// Whose block.
    #[schema(format = Uuid)]
    pub partner_id: String,
    /// What went well.
    pub wins: Vec<String>,
    /// Where they are stuck.
    pub obstacles: Vec<String>,
    /// What they will try.
    pub solutions: Vec<String>,
    /// 0 until first written; send it back as `If-Match: "<version>"` when saving.
    pub version: i64,
    /// Who wrote the current version.
    #[schema(format = Uuid)]
    pub updated_by: Option<String>,
    /// When.
    pub updated_at: Option<DateTime<Utc>>,
}

fn notes_view(meeting_id: &str, partner_id: &str, notes: Option<&Notes>) -> NotesView {
    let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
    NotesView {
        meeting_id: meeting_id.to_owned(),
        partner_id: partner_id.to_owned(),
        wins: notes.map(|n| list(&n.wins)).unwrap_or_default(),
        obstacles: notes.map(|n| list(&n.obstacles)).unwrap_or_default(),
        solutions: notes.map(|n| list(&n.solutions)).unwrap_or_default(),
        version: notes.map_or(0, |n| n.version),
        updated_by: notes.map(|n| n.updated_by.clone()),
        updated_at: notes.map(|n| n.updated_at.and_utc()),
    }
}

/// The notes written in a meeting (blocks nobody wrote in are left out).
pub fn notes_of_meeting(
    conn: &mut DbConnection,
    m: &Meeting,
) -> Result<Vec<NotesView>, StoreError> {
    Ok(meetings::notes_of(conn, &m.id)?
        .iter()
        .map(|n| notes_view(&m.id, &n.partner_id, Some(n)))
        .collect())
}

/// One partner's block of the agenda, with everything it reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaBlock {
    /// The partner whose block it is.
    #[schema(format = Uuid)]
    pub partner_id: String,
    /// Display name.
    pub display_name: String,
    /// Minutes from the start of the meeting.
    pub starts_at_minute: u32,
    /// Minutes allotted (equal for both partners: half the meeting, rounded down).
    pub minutes: u32,
    /// The sections in order, time-boxed.
    pub sections: Vec<AgendaSection>,
    /// The partner's scorecard: live while the meeting is scheduled (or was cancelled), the frozen
    /// snapshot once it is completed.
    pub scorecard: PartnerScorecard,
    /// Commitments up for review: every one this partner made at the previous meeting (whatever
    /// its status) and any older one still open.
    pub commitments_to_review: Vec<CommitmentView>,
    /// Wins, obstacles and solutions recorded in this block.
    pub notes: NotesView,
    /// Next actions: commitments this partner made in this meeting.
    pub next_actions: Vec<CommitmentView>,
    /// Changes to this partner's goals and milestones made in this meeting.
    pub milestone_updates: Vec<ChangeView>,
    /// This partner's check-ins since the previous meeting was held (up to this one, once held).
    pub check_ins: Vec<CheckInView>,
}

/// The closing step: confirming the next meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmNextMeeting {
    /// Minutes from the start of the meeting.
    pub starts_at_minute: u32,
    /// Minutes left for it (0 when the two blocks fill the meeting: it closes the second block).
    pub minutes: u32,
    /// The proposed next meeting: the default slot while scheduled, the next meeting's time once
    /// completed, none for a cancelled meeting.
    pub proposed_at: Option<DateTime<Utc>>,
    /// The next meeting, once this one is completed.
    #[schema(format = Uuid)]
    pub next_meeting_id: Option<String>,
}

/// The meeting's plan and everything it reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaView {
    /// Meeting length in minutes.
    pub length_minutes: u32,
    /// The instant the scorecards are computed at.
    pub scorecard_as_of: DateTime<Utc>,
    /// The scorecards are the snapshot frozen on completion (later readings do not change them).
    pub scorecard_frozen: bool,
    /// Two blocks, inviter first.
    pub blocks: Vec<AgendaBlock>,
    /// Then confirm the next meeting.
    pub confirm_next_meeting: ConfirmNextMeeting,
}

/// A meeting with its agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDetail {
    /// The meeting.
    #[serde(flatten)]
    pub meeting: MeetingView,
    /// The agenda, computed at request time.
    pub agenda: AgendaView,
}

/// The scorecard a meeting shows: its frozen snapshot once completed, else live at `now`.
fn scorecard_of(
    conn: &mut DbConnection,
    m: &Meeting,
    p: &Partnership,
    now: DateTime<Utc>,
) -> Result<(ScorecardView, bool), ApiError> {
    if let Some(snapshot) = m.snapshot.as_deref() {
        let card: ScorecardView = serde_json::from_str(snapshot).map_err(ApiError::internal)?;
        return Ok((card, true));
    }
    Ok((scorecard(conn, p, now)?, false))
}

/// The default next slot after `m` (or after the partnership's latest meeting).
fn next_default(p: &Partnership, after: Option<&Meeting>, now: DateTime<Utc>) -> DateTime<Utc> {
    default_slot(
        after.map(|m| m.scheduled_at.and_utc()),
        p.accepted_at.unwrap_or(p.created_at).and_utc(),
        p.cadence_days.max(1) as u32,
        tz_of(p),
        now,
    )
}

/// Builds a meeting's agenda.
fn agenda_of(
    conn: &mut DbConnection,
    m: &Meeting,
    p: &Partnership,
    now: DateTime<Utc>,
) -> Result<AgendaView, ApiError> {
    let plan = agenda(m.length_minutes.max(0) as u32);
    let (card, frozen) = scorecard_of(conn, m, p, now)?;
    let review = commitments::for_review(
        conn,
        &p.id,
        &m.id,
        m.previous_meeting_id.as_deref(),
        m.scheduled_at,
    )?;
    let made = commitments::list(
        conn,
        &p.id,
        &commitments::CommitmentFilter {
            meeting_id: Some(m.id.clone()),
            ..Default::default()
        },
        None,
        1000,
    )?;
    let notes = meetings::notes_of(conn, &m.id)?;
    let since = match &m.previous_meeting_id {
        Some(prev) => meetings::find(conn, prev)?.held_at,
        None => None,
    };
    let check_ins = tandem_store::check_ins::list(
        conn,
        &p.id,
        &tandem_store::check_ins::CheckInFilter {
            since,
            before: m.held_at,
            ..Default::default()
        },
        None,
        1000,
    )?;
    let changes = meetings::goal_changes_in(conn, &m.id)?;
    let mut blocks = Vec::new();
    for (partner_id, block) in partners(p).into_iter().zip(plan.blocks) {
        let scorecard = match card.partners.iter().find(|s| s.user_id == partner_id) {
            Some(s) => s.clone(),
            None => PartnerScorecard {
                user_id: partner_id.clone(),
                display_name: users::find_str(conn, &partner_id)?.display_name,
                goals: Vec::new(),
                weighted_progress: None,
                weakest_status: None,
            },
        };
        let of_partner = |list: &[commitments::Commitment]| {
            list.iter()
                .filter(|c| c.owner_id == partner_id)
                .map(CommitmentView::from)
                .collect::<Vec<_>>()
        };
        blocks.push(AgendaBlock {
            display_name: scorecard.display_name.clone(),
            starts_at_minute: block.starts_at_minute,
            minutes: block.minutes,
            sections: block
                .sections
                .iter()
                .map(|s| AgendaSection {
                    section: s.item,
                    starts_at_minute: s.starts_at_minute,
                    minutes: s.minutes,
                })
                .collect(),
            scorecard,
            commitments_to_review: of_partner(&review),
            notes: notes_view(
                &m.id,
                &partner_id,
                notes.iter().find(|n| n.partner_id == partner_id),
            ),
            next_actions: of_partner(&made),
            milestone_updates: changes
                .iter()
                .filter(|(_, owner)| *owner == partner_id)
                .map(|(c, _)| ChangeView::from(c))
                .collect(),
            check_ins: check_ins
                .iter()
                .filter(|c| c.author_id == partner_id)
                .map(|c| check_in_view(conn, c))
                .collect::<Result<_, _>>()?,
            partner_id,
        });
    }
    let proposed_at = match status_of(m) {
        MeetingStatus::Scheduled => Some(next_default(p, Some(m), m.scheduled_at.and_utc())),
        MeetingStatus::Completed => match &m.next_meeting_id {
            Some(id) => Some(meetings::find(conn, id)?.scheduled_at.and_utc()),
            None => None,
        },
        MeetingStatus::Cancelled => None,
    };
    Ok(AgendaView {
        length_minutes: plan.length_minutes,
        scorecard_as_of: card.as_of,
        scorecard_frozen: frozen,
        blocks,
        confirm_next_meeting: ConfirmNextMeeting {
            starts_at_minute: plan.confirm_next_meeting.starts_at_minute,
            minutes: plan.confirm_next_meeting.minutes,
            proposed_at,
            next_meeting_id: m.next_meeting_id.clone(),
        },
    })
}

fn detail(
    conn: &mut DbConnection,
    m: &Meeting,
    p: &Partnership,
) -> Result<MeetingDetail, ApiError> {
    Ok(MeetingDetail {
        meeting: meeting_view(m, p),
        agenda: agenda_of(conn, m, p, crate::clock::now())?,
    })
}

fn respond_detail(
    status: actix_web::http::StatusCode,
    version: i64,
    d: MeetingDetail,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(d)
}

/// A meeting time must lie within two years either side of now (422 on `pointer`).
fn check_time(t: DateTime<Utc>, now: DateTime<Utc>, pointer: &str) -> Result<(), ApiError> {
    let range = chrono::Duration::days(SCHEDULE_RANGE_DAYS);
    if t < now - range || t > now + range {
        return Err(ApiError::field(
            pointer,
            "out_of_range",
            "must be within two years of today",
        ));
    }
    Ok(())
}

/// Scheduling a meeting.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scheduled_at": "2026-12-09T08:00:00Z", "location": "https://meet.example.com/ada-grace"}))]
pub struct ScheduleMeetingRequest {
    /// When (default: the next slot by cadence, at the same local time as the last meeting; the
    /// first meeting defaults to 09:00 local, one cadence after the partnership started). A past
    /// time records a meeting after the fact.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Length in minutes (default: the partnership's meeting length).
    #[serde(default, deserialize_with = "crate::extract::optional_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(minimum = 15, maximum = 240)]
    pub length_minutes: Option<u32>,
    /// Where (a room, a video link).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub location: Option<String>,
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
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/partnerships/{id}/meetings")]
pub async fn schedule_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<ScheduleMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller.id, &fingerprint, move |conn| {
        let d = write_transaction(conn, |conn| {
            let p = load_partnership(conn, &partnership_id, &who)?;
            let now = crate::clock::now();
            if let Some(at) = body.scheduled_at {
                check_time(at, now, "scheduled_at")?;
            }
            if partnership_status(&p) != PartnershipStatus::Active {
                return Err(ApiError::Conflict(format!(
                    "the partnership is {}; meetings are scheduled in active partnerships",
                    p.status
                )));
            }
            if let Some(next) = meetings::scheduled_of(conn, &p.id)? {
                return Err(already_scheduled(&next));
            }
            let at = match body.scheduled_at {
                Some(at) => crate::clock::to_micros(at),
                None => next_default(&p, meetings::latest(conn, &p.id)?.as_ref(), now),
            };
            let previous = meetings::latest_completed(conn, &p.id)?;
            let m = new_meeting(&p, at, previous.map(|m| m.id), &who.id, now);
            let m = Meeting {
                length_minutes: body.length_minutes.map_or(m.length_minutes, |l| l as i32),
                location: body.location.clone(),
                ..m
            };
            meetings::insert(conn, &m).map_err(|e| match e {
                StoreError::Conflict(_) => {
                    ApiError::Conflict("the partnership already has a scheduled meeting".into())
                }
                other => other.into(),
            })?;
            announce_scheduled(conn, &m, now)?;
            detail(conn, &m, &p)
        })?;
        Created::new(format!("/v1/meetings/{}", d.meeting.id), Some(etag(1)), &d)
    })
    .await
}

fn already_scheduled(next: &Meeting) -> ApiError {
    ApiError::Conflict(format!(
        "the partnership already has a scheduled meeting ({}, at {}); reschedule or cancel it",
        next.id,
        next.scheduled_at.and_utc().to_rfc3339()
    ))
}

fn new_meeting(
    p: &Partnership,
    at: DateTime<Utc>,
    previous_meeting_id: Option<String>,
    created_by: &str,
    now: DateTime<Utc>,
) -> Meeting {
    Meeting {
        id: uuid::Uuid::now_v7().to_string(),
        partnership_id: p.id.clone(),
        status: crate::enums::name(&MeetingStatus::Scheduled),
        slot_at: at.naive_utc(),
        scheduled_at: at.naive_utc(),
        length_minutes: p.meeting_minutes,
        location: None,
        previous_meeting_id,
        next_meeting_id: None,
        reschedule_count: 0,
        reschedule_reason: None,
        cancel_reason: None,
        cancelled_by: None,
        cancelled_at: None,
        held_at: None,
        attendance: None,
        snapshot: None,
        completed_by: None,
        completed_at: None,
        created_by: created_by.to_owned(),
        version: 1,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    }
}

/// Filters for a partnership's meetings.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMeetingsQuery {
    /// Only meetings in this status (`scheduled` is the upcoming one).
    pub status: Option<MeetingStatus>,
    /// Taking place at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Taking place at or before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

const MEETING_COLUMNS: [&str; 13] = [
    "id",
    "partnership_id",
    "status",
    "scheduled_at",
    "local_start",
    "slot_at",
    "length_minutes",
    "location",
    "held_at",
    "on_time",
    "cancel_reason",
    "reschedule_count",
    "created_at",
];

/// A partnership's meetings, past and upcoming, in the order they were scheduled;
/// `Accept: text/csv` for a spreadsheet.
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_meetings",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListMeetingsQuery),
    responses(
        (status = 200, description = "A page of meetings (CSV columns: id, partnership_id, status, scheduled_at, local_start, slot_at, length_minutes, location, held_at, on_time, cancel_reason, reschedule_count, created_at)",
            content((pagination::Page<MeetingView> = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}/meetings")]
pub async fn list_meetings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListMeetingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let filter = MeetingFilter {
        status: query.status.map(|s| crate::enums::name(&s)),
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let (p, rows) = crate::db::run(&state, move |conn| {
        let p = load_partnership(conn, &partnership_id, &who)?;
        let rows = meetings::list(conn, &p.id, &filter, after, limit + 1)?;
        Ok::<_, StoreError>((p, rows))
    })
    .await?;
    if csv_out::wanted(&req) {
        let rows = rows.iter().take(limit as usize).map(|m| {
            let v = meeting_view(m, &p);
            vec![
                v.id.into(),
                v.partnership_id.into(),
                m.status.as_str().into(),
                v.scheduled_at.into(),
                v.local_start.into(),
                v.slot_at.into(),
                v.length_minutes.into(),
                v.location.into(),
                v.held_at.into(),
                v.on_time.into(),
                v.cancel_reason.into(),
                v.reschedule_count.into(),
                v.created_at.into(),
            ]
        });
        return csv_out::respond(&MEETING_COLUMNS, rows);
    }
    Ok(pagination::respond(
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
#[get("/meetings/{id}")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (meeting_id, who) = (id.to_string(), CallerRef::from(&caller));
    let (version, d) = crate::db::run(&state, move |conn| {
        let (m, p) = load(conn, &meeting_id, &who)?;
        Ok::<_, ApiError>((m.version, detail(conn, &m, &p)?))
    })
    .await?;
    Ok(respond_detail(actix_web::http::StatusCode::OK, version, d))
}

/// A meeting edit (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"length_minutes": 90, "location": "Room 4"}))]
pub struct UpdateMeetingRequest {
    /// Length in minutes.
    #[serde(default, deserialize_with = "crate::extract::non_null_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(nullable = false, minimum = 15, maximum = 240)]
    pub length_minutes: Option<u32>,
    /// Where (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 500))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub location: Option<Option<String>>,
}

/// Runs `change` on a meeting the caller can see, honouring `If-Match`, and answers with the
/// meeting and its agenda.
async fn change_meeting<F>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    caller: &Caller,
    id: uuid::Uuid,
    change: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection, &mut Meeting, &Partnership, &CallerRef) -> Result<(), ApiError>
        + Send
        + 'static,
{
    let expected = expected_version(req)?;
    let (meeting_id, who) = (id.to_string(), CallerRef::from(caller));
    let (version, d) = crate::db::run(state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut m, p) = load(conn, &meeting_id, &who)?;
            if expected.is_some_and(|v| v != m.version) {
                return Err(ApiError::PreconditionFailed);
            }
            change(conn, &mut m, &p, &who)?;
            Ok((m.version, detail(conn, &m, &p)?))
        })
    })
    .await?;
    Ok(respond_detail(actix_web::http::StatusCode::OK, version, d))
}

/// Saves `m` as its next version.
fn bump(conn: &mut DbConnection, m: &mut Meeting) -> Result<(), ApiError> {
    m.version += 1;
    m.updated_at = crate::clock::now().naive_utc();
    meetings::save(conn, m)?;
    Ok(())
}

/// Change a scheduled meeting's length or location (either partner).
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
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/meetings/{id}")]
pub async fn update_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdateMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    change_meeting(&req, &state, &caller, *id, move |conn, m, _, _| {
        allow(m, MeetingAction::Edit)?;
        let length = body.length_minutes.map_or(m.length_minutes, |l| l as i32);
        let location = body.location.unwrap_or_else(|| m.location.clone());
        if length == m.length_minutes && location == m.location {
            return Ok(());
        }
        m.length_minutes = length;
        m.location = location;
        bump(conn, m)
    })
    .await
}

/// Moving a meeting.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scheduled_at": "2026-12-10T08:00:00Z", "reason": "Board meeting moved"}))]
pub struct RescheduleMeetingRequest {
    /// The new time.
    pub scheduled_at: DateTime<Utc>,
    /// Why.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: Option<String>,
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
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/meetings/{id}/reschedule")]
pub async fn reschedule_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<RescheduleMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    check_time(body.scheduled_at, crate::clock::now(), "scheduled_at")?;
    change_meeting(&req, &state, &caller, *id, move |conn, m, _, _| {
        allow(m, MeetingAction::Reschedule)?;
        m.scheduled_at = crate::clock::to_micros(body.scheduled_at).naive_utc();
        m.reschedule_count += 1;
        m.reschedule_reason = body.reason;
        bump(conn, m)
    })
    .await
}

/// Calling a meeting off.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Grace is travelling; we skip this one"}))]
pub struct CancelMeetingRequest {
    /// Why (kept with the meeting).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
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
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/meetings/{id}/cancel")]
pub async fn cancel_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CancelMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    change_meeting(&req, &state, &caller, *id, move |conn, m, _, who| {
        let next = allow(m, MeetingAction::Cancel)?;
        let now = crate::clock::now().naive_utc();
        m.status = crate::enums::name(&next);
        m.cancel_reason = Some(body.reason);
        m.cancelled_by = Some(who.id.clone());
        m.cancelled_at = Some(now);
        bump(conn, m)
    })
    .await
}

/// Recording that a meeting was held.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "held_at": "2026-12-09T08:00:00Z",
    "attendees": ["0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f58"],
    "next_meeting_at": "2026-12-23T08:00:00Z"
}))]
pub struct CompleteMeetingRequest {
    /// When it was held (default now; not in the future). The scorecard is frozen as of this
    /// instant.
    pub held_at: Option<DateTime<Utc>>,
    /// Who attended, by user id (default both partners; at least one).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 2))]
    #[schema(nullable = false, min_items = 1, max_items = 2)]
    pub attendees: Option<Vec<uuid::Uuid>>,
    /// The confirmed next meeting (default: this meeting's time plus the cadence, same local
    /// time). Must be after `held_at`.
    pub next_meeting_at: Option<DateTime<Utc>>,
    /// Schedule the next meeting (default true; never in a partnership that is not active).
    pub schedule_next: Option<bool>,
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
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/meetings/{id}/complete")]
pub async fn complete_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CompleteMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = crate::clock::now();
    let held_at = crate::clock::to_micros(body.held_at.unwrap_or(now));
    let mut errors = Vec::new();
    if held_at > now + chrono::Duration::minutes(5) {
        errors.push(FieldError::new(
            "held_at",
            "future",
            "must not be in the future",
        ));
    } else if let Err(ApiError::Validation(e)) = check_time(held_at, now, "held_at") {
        errors.extend(e);
    }
    if let Some(next) = body.next_meeting_at {
        if next <= held_at {
            errors.push(FieldError::new(
                "next_meeting_at",
                "not_after_held_at",
                "must be after the meeting was held",
            ));
        } else if let Err(ApiError::Validation(e)) = check_time(next, now, "next_meeting_at") {
            errors.extend(e);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    change_meeting(&req, &state, &caller, *id, move |conn, m, p, who| {
        let done = allow(m, MeetingAction::Complete)?;
        let members = partners(p);
        let attendees: Vec<String> = match &body.attendees {
            Some(list) => list.iter().map(|u| u.to_string()).collect(),
            None => members.clone(),
        };
        let bad: Vec<FieldError> = attendees
            .iter()
            .enumerate()
            .filter(|(i, a)| !members.contains(a) || attendees[..*i].contains(a))
            .map(|(i, _)| {
                FieldError::new(
                    format!("attendees/{i}"),
                    "not_a_partner",
                    "must be one of the two partners, each once",
                )
            })
            .collect();
        if !bad.is_empty() {
            return Err(ApiError::Validation(bad));
        }
        let attendance: Vec<Attendance> = members
            .iter()
            .map(|u| Attendance {
                user_id: u.clone(),
                attended: attendees.contains(u),
            })
            .collect();
        let card = scorecard(conn, p, held_at)?;
        let next = if body.schedule_next.unwrap_or(true)
            && partnership_status(p) == PartnershipStatus::Active
        {
            let at = match body.next_meeting_at {
                Some(at) => crate::clock::to_micros(at),
                None => next_default(p, Some(m), held_at),
            };
            Some(new_meeting(p, at, Some(m.id.clone()), &who.id, now))
        } else {
            None
        };
        m.status = crate::enums::name(&done);
        m.held_at = Some(held_at.naive_utc());
        m.attendance = Some(serde_json::to_string(&attendance).map_err(ApiError::internal)?);
        m.snapshot = Some(serde_json::to_string(&card).map_err(ApiError::internal)?);
        m.completed_by = Some(who.id.clone());
        m.completed_at = Some(now.naive_utc());
        m.next_meeting_id = next.as_ref().map(|n| n.id.clone());
        m.version += 1;
        m.updated_at = now.naive_utc();
        meetings::complete(conn, m, next.as_ref()).map_err(|e| match e {
            StoreError::Conflict(_) => {
                ApiError::Conflict("the partnership already has another scheduled meeting".into())
            }
            other => ApiError::from(other),
        })?;
        crate::events::publish(
            conn,
            &p.id,
            EventData::MeetingCompleted(MeetingCompleted {
                meeting_id: m.id.clone(),
                held_at,
                attendee_ids: attendees,
                next_meeting_id: next.as_ref().map(|n| n.id.clone()),
                snapshot_href: format!("/v1/meetings/{}/snapshot", m.id),
            }),
            now,
        )?;
        if let Some(next) = &next {
            announce_scheduled(conn, next, now)?;
        }
        Ok(())
    })
    .await
}

/// `meeting.scheduled`, in the transaction that put the meeting on the calendar.
fn announce_scheduled(
    conn: &mut DbConnection,
    m: &Meeting,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::events::publish(
        conn,
        &m.partnership_id,
        EventData::MeetingScheduled(MeetingScheduled {
            meeting_id: m.id.clone(),
            scheduled_at: m.scheduled_at.and_utc(),
            length_minutes: m.length_minutes,
            location: m.location.clone(),
            href: format!("/v1/meetings/{}", m.id),
        }),
        now,
    )
}

/// The scorecard frozen when a meeting was completed; `Accept: text/csv` gives the same columns
/// as the live scorecard.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meeting_snapshot",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id")),
    responses(
        (status = 200, description = "The snapshot (immutable: a strong ETag that never changes)",
            content((ScorecardView = "application/json"), (String = "text/csv")),
            headers(("ETag" = String, description = "The snapshot's tag"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[get("/meetings/{id}/snapshot")]
pub async fn meeting_snapshot(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (meeting_id, who) = (id.to_string(), CallerRef::from(&caller));
    let m = crate::db::run(&state, move |conn| {
        load(conn, &meeting_id, &who).map(|(m, _)| m)
    })
    .await?;
    let Some(snapshot) = m.snapshot.as_deref() else {
        return Err(ApiError::Conflict(format!(
            "the meeting is {}; a snapshot is taken when it is completed",
            m.status
        )));
    };
    let tag = etag(m.completed_at.map_or(0, |t| t.and_utc().timestamp_micros()));
    if not_modified(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    let card: ScorecardView = serde_json::from_str(snapshot).map_err(ApiError::internal)?;
    if csv_out::wanted(&req) {
        return super::scorecards::scorecard_csv(&card);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(card))
}

/// A partner's notes (the whole block: each list replaces what was there).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"wins": ["Signed the Acme renewal"], "obstacles": ["Hiring is slow"], "solutions": ["Ask Grace's recruiter for referrals"]}))]
pub struct PutNotesRequest {
    /// What went well (up to 20 items of 1 to 1,000 characters).
    #[schema(max_items = 20)]
    pub wins: Vec<String>,
    /// Where they are stuck.
    #[schema(max_items = 20)]
    pub obstacles: Vec<String>,
    /// What they will try.
    #[schema(max_items = 20)]
    pub solutions: Vec<String>,
}

impl PutNotesRequest {
    /// Every bad list or item, by pointer.
    fn check(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        for (name, items) in [
            ("wins", &self.wins),
            ("obstacles", &self.obstacles),
            ("solutions", &self.solutions),
        ] {
            if items.len() > NOTE_ITEMS_MAX {
                errors.push(FieldError::new(
                    name,
                    "too_many",
                    format!("at most {NOTE_ITEMS_MAX} items"),
                ));
            }
            for (i, item) in items.iter().enumerate() {
                if item.is_empty() || item.chars().count() > NOTE_ITEM_CHARS_MAX {
                    errors.push(FieldError::new(
                        format!("{name}/{i}"),
                        "length",
                        format!("must be 1 to {NOTE_ITEM_CHARS_MAX} characters"),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

fn load_block(
    conn: &mut DbConnection,
    meeting_id: &str,
    partner_id: &str,
    who: &CallerRef,
) -> Result<(Meeting, Option<Notes>), ApiError> {
    let (m, p) = load(conn, meeting_id, who)?;
    if !partners(&p).iter().any(|u| u == partner_id) {
        return Err(ApiError::NotFound);
    }
    let notes = meetings::find_notes(conn, &m.id, partner_id)?;
    Ok((m, notes))
}

/// A partner's notes in a meeting (empty lists, version 0, until written).
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
#[get("/meetings/{id}/notes/{partner_id}")]
pub async fn get_meeting_notes(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (meeting_id, partner_id) = (path.0.to_string(), path.1.to_string());
    let who = CallerRef::from(&caller);
    let view = crate::db::run(&state, move |conn| {
        let (m, notes) = load_block(conn, &meeting_id, &partner_id, &who)?;
        Ok::<_, ApiError>(notes_view(&m.id, &partner_id, notes.as_ref()))
    })
    .await?;
    let tag = etag(view.version);
    if not_modified(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(view))
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
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 428, response = crate::openapi::PreconditionRequired),
    )
)]
#[put("/meetings/{id}/notes/{partner_id}")]
pub async fn put_meeting_notes(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    Json(body): Json<PutNotesRequest, BATCH_BODY_LIMIT>,
) -> Result<HttpResponse, ApiError> {
    body.check()?;
    let condition = required_version(&req)?;
    let (meeting_id, partner_id) = (path.0.to_string(), path.1.to_string());
    let who = CallerRef::from(&caller);
    let view = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (m, notes) = load_block(conn, &meeting_id, &partner_id, &who)?;
            allow(&m, MeetingAction::Annotate)?;
            let current = notes.as_ref().map_or(0, |n| n.version);
            condition.check(current)?;
            let now = crate::clock::now().naive_utc();
            let json = |v: &Vec<String>| serde_json::to_string(v).map_err(ApiError::internal);
            let saved = Notes {
                meeting_id: m.id.clone(),
                partner_id: partner_id.clone(),
                wins: json(&body.wins)?,
                obstacles: json(&body.obstacles)?,
                solutions: json(&body.solutions)?,
                updated_by: who.id.clone(),
                version: current + 1,
                created_at: notes.as_ref().map_or(now, |n| n.created_at),
                updated_at: now,
            };
            meetings::save_notes(conn, &saved)?;
            Ok::<_, ApiError>(notes_view(&m.id, &partner_id, Some(&saved)))
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(view.version)))
        .json(view))
}

/// A meeting as adherence refers to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingRef {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// When it takes (or took) place.
    pub scheduled_at: DateTime<Utc>,
    /// When it was held.
    pub held_at: Option<DateTime<Utc>>,
    /// Held within the grace window of its slot.
    pub on_time: Option<bool>,
}

/// How reliably a partnership meets.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "meetings_counted": 10, "held_on_time": 9, "rate": 0.9, "streak": 4, "grace_days": 2,
    "window_start": "2026-05-25T09:00:00Z", "as_of": "2026-11-25T09:00:00Z",
    "last_meeting": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70", "scheduled_at": "2026-11-18T08:00:00Z", "held_at": "2026-11-18T09:00:00Z", "on_time": true},
    "next_meeting": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f71", "scheduled_at": "2026-12-02T08:00:00Z", "held_at": null, "on_time": null}
}))]
pub struct AdherenceView {
    /// Meetings whose slot fell in the window and whose outcome is known (held, cancelled, or
    /// missed: not held by the end of its grace window).
    pub meetings_counted: u32,
    /// Of those, held within the grace window of their slot.
    pub held_on_time: u32,
    /// `held_on_time / meetings_counted` (none with nothing counted).
    pub rate: Option<f64>,
    /// Consecutive on-time meetings, most recent first; a cancelled, late or missed one ends it.
    pub streak: u32,
    /// Days either side of the slot that still count as on time.
    pub grace_days: u32,
    /// Start of the trailing window (six months).
    pub window_start: DateTime<Utc>,
    /// End of the window: now.
    pub as_of: DateTime<Utc>,
    /// The most recently held meeting.
    pub last_meeting: Option<MeetingRef>,
    /// The scheduled meeting.
    pub next_meeting: Option<MeetingRef>,
}

/// A partnership's adherence at `now`.
pub fn adherence_of(
    conn: &mut DbConnection,
    p: &Partnership,
    now: DateTime<Utc>,
) -> Result<AdherenceView, StoreError> {
    let grace = p.grace_days.max(0) as u32;
    let outcomes: Vec<MeetingOutcome> = meetings::outcomes(conn, &p.id)?
        .into_iter()
        .map(|(slot, held, status)| MeetingOutcome {
            slot: slot.and_utc(),
            held_at: held.map(|h| h.and_utc()),
            cancelled: status == "cancelled",
        })
        .collect();
    let window_start = adherence_window_start(now);
    let Adherence {
        meetings_counted,
        held_on_time: on_time_count,
        rate,
        streak,
        grace_days,
    } = adherence(&outcomes, window_start, now, grace);
    let reference = |m: Meeting| MeetingRef {
        on_time: m
            .held_at
            .map(|h| held_on_time(m.slot_at.and_utc(), h.and_utc(), grace)),
        id: m.id,
        scheduled_at: m.scheduled_at.and_utc(),
        held_at: m.held_at.map(|t| t.and_utc()),
    };
    Ok(AdherenceView {
        meetings_counted,
        held_on_time: on_time_count,
        rate,
        streak,
        grace_days,
        window_start,
        as_of: now,
        last_meeting: meetings::latest_completed(conn, &p.id)?.map(reference),
        next_meeting: meetings::scheduled_of(conn, &p.id)?.map(reference),
    })
}

/// How reliably the partnership meets: the share of meetings over the last six months held within
/// the grace window of their slot, the current on-time streak, and the last and next meeting.
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
#[get("/partnerships/{id}/adherence")]
pub async fn partnership_adherence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let view = crate::db::run(&state, move |conn| {
        let p = load_partnership(conn, &partnership_id, &who)?;
        adherence_of(conn, &p, crate::clock::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
