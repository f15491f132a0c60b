//! Meetings as clients see them: the meeting, its agenda, notes, and adherence.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::meetings::{self as app, Adherence, Meeting, Notes};
use tandem_app::partnerships::Partnership;
use tandem_domain::agenda::Section;
use tandem_domain::meeting::MeetingStatus;
use utoipa::ToSchema;

use crate::views::check_ins::CheckInView;
use crate::views::commitments::CommitmentView;
use crate::views::goals::ChangeView;
use crate::views::progress::PartnerScorecard;

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
    /// For the wins section: kudos this partner received from the other since the previous
    /// meeting was held (up to this one, once held), oldest first.
    pub kudos: Vec<crate::views::kudos::KudosView>,
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

/// The view of a meeting of partnership `p` (local times in its time zone).
pub fn meeting_view(m: &Meeting, p: &Partnership) -> MeetingView {
    let tz = tandem_app::partnerships::time_zone(p);
    let scheduled = m.scheduled_at.and_utc();
    MeetingView {
        id: m.id.clone(),
        partnership_id: m.partnership_id.clone(),
        status: m.status,
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
        on_time: app::on_time(m, p),
        attendance: app::attendance(m).map(|list| {
            list.into_iter()
                .map(|a| Attendance {
                    user_id: a.user_id,
                    attended: a.attended,
                })
                .collect()
        }),
        completed_by: m.completed_by.clone(),
        completed_at: m.completed_at.map(|t| t.and_utc()),
        created_by: m.created_by.clone(),
        created_at: m.created_at.and_utc(),
        updated_at: m.updated_at.and_utc(),
    }
}

/// A partner's notes block (version 0 and empty lists before the first write).
pub fn notes_view(meeting_id: &str, partner_id: &str, notes: Option<&Notes>) -> NotesView {
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

impl From<&app::MeetingDetail> for MeetingDetail {
    fn from(d: &app::MeetingDetail) -> Self {
        let (m, a) = (&d.meeting, &d.agenda);
        let blocks = a
            .blocks
            .iter()
            .map(|b| AgendaBlock {
                partner_id: b.partner_id.clone(),
                display_name: b.scorecard.display_name.clone(),
                starts_at_minute: b.starts_at_minute,
                minutes: b.minutes,
                sections: b
                    .sections
                    .iter()
                    .map(|s| AgendaSection {
                        section: s.item,
                        starts_at_minute: s.starts_at_minute,
                        minutes: s.minutes,
                    })
                    .collect(),
                scorecard: PartnerScorecard::from(&b.scorecard),
                commitments_to_review: b.to_review.iter().map(CommitmentView::from).collect(),
                notes: notes_view(&m.id, &b.partner_id, b.notes.as_ref()),
                next_actions: b.next_actions.iter().map(CommitmentView::from).collect(),
                milestone_updates: b.milestone_updates.iter().map(ChangeView::from).collect(),
                check_ins: b.check_ins.iter().map(CheckInView::from).collect(),
                kudos: b
                    .kudos
                    .iter()
                    .map(crate::views::kudos::KudosView::from)
                    .collect(),
            })
            .collect();
        MeetingDetail {
            meeting: meeting_view(m, &d.partnership),
            agenda: AgendaView {
                length_minutes: a.plan.length_minutes,
                scorecard_as_of: a.scorecard_as_of,
                scorecard_frozen: a.scorecard_frozen,
                blocks,
                confirm_next_meeting: ConfirmNextMeeting {
                    starts_at_minute: a.plan.confirm_next_meeting.starts_at_minute,
                    minutes: a.plan.confirm_next_meeting.minutes,
                    proposed_at: a.proposed_at,
                    next_meeting_id: m.next_meeting_id.clone(),
                },
            },
        }
    }
}

/// A partnership's adherence as clients see it.
pub fn adherence_view(a: &Adherence, p: &Partnership) -> AdherenceView {
    let reference = |m: &Meeting| MeetingRef {
        on_time: app::on_time(m, p),
        id: m.id.clone(),
        scheduled_at: m.scheduled_at.and_utc(),
        held_at: m.held_at.map(|t| t.and_utc()),
    };
    AdherenceView {
        meetings_counted: a.figures.meetings_counted,
        held_on_time: a.figures.held_on_time,
        rate: a.figures.rate,
        streak: a.figures.streak,
        grace_days: a.figures.grace_days,
        window_start: a.window_start,
        as_of: a.as_of,
        last_meeting: a.last_meeting.as_ref().map(reference),
        next_meeting: a.next_meeting.as_ref().map(reference),
    }
}

/// The meetings' CSV columns, in order.
pub const MEETING_COLUMNS: [&str; 13] = [
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

/// A meeting as a CSV row.
pub fn meeting_row(m: &Meeting, p: &Partnership) -> Vec<crate::http::csv::Cell> {
    use tandem_domain::names::Named;
    let v = meeting_view(m, p);
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
}
