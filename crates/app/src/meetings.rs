//! Meetings: the pair's hour every other week. Each runs the practice's agenda (one equal block
//! per partner: scorecard, last commitments, wins, obstacles, solutions, next actions), closes the
//! loop on the previous meeting's commitments, and on completion freezes the scorecard and
//! schedules the next meeting at the same local time.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::agenda::{AgendaPlan, agenda};
use tandem_domain::cadence::{MeetingOutcome, adherence as domain_adherence};
use tandem_domain::events::{EventData, MeetingCancelled, MeetingCompleted, MeetingScheduled};
use tandem_domain::meeting::{
    MeetingAction, MeetingStatus, adherence_window_start, default_slot, held_on_time,
};
use tandem_domain::partnership::PartnershipStatus;
use tandem_store::StoreError;
use tandem_store::commitments::{self, Commitment, CommitmentFilter};
use tandem_store::goals::GoalChange;
use tandem_store::meetings;
pub use tandem_store::meetings::{Meeting, MeetingFilter, Notes};
use tandem_store::partnerships::Partnership;

use crate::check_ins::CheckInDetail;
use crate::notifications::MeetingNews;
use crate::progress::{PartnerCard, Scorecard, scorecard};
use crate::{Actor, AppError, AppResult, FieldIssue, Rule, Tx, new_id};

/// How far from today a meeting may be scheduled or said to be held.
pub const SCHEDULE_RANGE_DAYS: i64 = 730;

/// The meeting `id` and its partnership, if the actor belongs to the partnership.
pub fn visible(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<(Meeting, Partnership)> {
    let meeting = meetings::find(tx.conn, id)?;
    let p = crate::partnerships::visible(tx, actor, &meeting.partnership_id)?;
    Ok((meeting, p))
}

/// The meeting's status after `action`, or `meeting-transition`.
pub fn allow(m: &Meeting, action: MeetingAction) -> AppResult<MeetingStatus> {
    m.status.apply(action).map_err(|e| {
        AppError::refused(
            Rule::MeetingTransition,
            format!("cannot {} a meeting that is {}", e.action, e.from),
        )
    })
}

/// Checks that a meeting named in a request body is a scheduled or completed meeting of the
/// partnership (an invalid field at `pointer` otherwise).
pub fn check_reference(
    tx: &mut Tx<'_>,
    meeting_id: &str,
    partnership_id: &str,
    pointer: &str,
) -> AppResult<()> {
    let refused = || {
        AppError::field(
            pointer,
            "unknown_meeting",
            "must be a scheduled or completed meeting of this partnership",
        )
    };
    match meetings::find(tx.conn, meeting_id) {
        Ok(m) if m.partnership_id == partnership_id && m.status != MeetingStatus::Cancelled => {
            Ok(())
        }
        Ok(_) | Err(StoreError::NotFound) => Err(refused()),
        Err(e) => Err(e.into()),
    }
}

/// Refuses an instant more than two years from now, naming the field at `pointer`.
pub fn check_time(t: DateTime<Utc>, now: DateTime<Utc>, pointer: &str) -> AppResult<()> {
    let range = chrono::Duration::days(SCHEDULE_RANGE_DAYS);
    if t < now - range || t > now + range {
        return Err(AppError::field(
            pointer,
            "out_of_range",
            "must be within two years of today",
        ));
    }
    Ok(())
}

/// Who attended a completed meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// The partner.
    pub user_id: String,
    /// Whether they were there.
    pub attended: bool,
}

/// The attendance recorded on a completed meeting.
pub fn attendance(m: &Meeting) -> Option<Vec<Attendance>> {
    m.attendance
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
}

/// Whether a completed meeting was held on time (none before it is held).
pub fn on_time(m: &Meeting, p: &Partnership) -> Option<bool> {
    m.held_at
        .map(|h| held_on_time(m.slot_at.and_utc(), h.and_utc(), p.grace_days.max(0) as u32))
}

/// One partner's block of the agenda with everything shown in it.
#[derive(Debug, Clone)]
pub struct AgendaBlock {
    /// The partner.
    pub partner_id: String,
    /// Minutes from the start.
    pub starts_at_minute: u32,
    /// Minutes allotted.
    pub minutes: u32,
    /// The block's sections, time-boxed.
    pub sections: Vec<tandem_domain::agenda::TimeBox<tandem_domain::agenda::Section>>,
    /// The partner's scorecard (frozen once completed).
    pub scorecard: PartnerCard,
    /// Commitments up for review.
    pub to_review: Vec<Commitment>,
    /// The partner's notes block.
    pub notes: Option<Notes>,
    /// Next actions made in this meeting.
    pub next_actions: Vec<Commitment>,
    /// Milestone changes made in this meeting.
    pub milestone_updates: Vec<GoalChange>,
    /// Check-ins since the previous meeting.
    pub check_ins: Vec<CheckInDetail>,
    /// Kudos the partner received since the previous meeting: wins to celebrate.
    pub kudos: Vec<tandem_store::kudos::Kudos>,
}

/// A meeting's agenda.
#[derive(Debug, Clone)]
pub struct Agenda {
    /// The plan the blocks follow.
    pub plan: AgendaPlan,
    /// When the scorecard is computed at (the meeting's end once frozen).
    pub scorecard_as_of: DateTime<Utc>,
    /// The scorecard is the frozen snapshot.
    pub scorecard_frozen: bool,
    /// One block per partner.
    pub blocks: Vec<AgendaBlock>,
    /// When the next meeting would be, or was scheduled.
    pub proposed_at: Option<DateTime<Utc>>,
}

/// A meeting with its partnership and agenda.
#[derive(Debug, Clone)]
pub struct MeetingDetail {
    /// The meeting.
    pub meeting: Meeting,
    /// Its partnership.
    pub partnership: Partnership,
    /// Its agenda.
    pub agenda: Agenda,
}

/// The frozen scorecard of a completed meeting (format version 1, see [`Scorecard`]), or the
/// live one.
fn scorecard_of(tx: &mut Tx<'_>, m: &Meeting, p: &Partnership) -> AppResult<(Scorecard, bool)> {
    if let Some(snapshot) = m.snapshot.as_deref() {
        let card: Scorecard = serde_json::from_str(snapshot).map_err(AppError::internal)?;
        return Ok((card, true));
    }
    let now = tx.now();
    Ok((scorecard(tx, p, now)?, false))
}

/// The default time of the meeting after `after` (or of the first one).
fn next_default(p: &Partnership, after: Option<&Meeting>, now: DateTime<Utc>) -> DateTime<Utc> {
    default_slot(
        after.map(|m| m.scheduled_at.and_utc()),
        p.accepted_at.unwrap_or(p.created_at).and_utc(),
        p.cadence_days.max(1) as u32,
        crate::partnerships::time_zone(p),
        now,
    )
}

fn agenda_of(tx: &mut Tx<'_>, m: &Meeting, p: &Partnership) -> AppResult<Agenda> {
    let plan = agenda(m.length_minutes.max(0) as u32);
    let (card, frozen) = scorecard_of(tx, m, p)?;
    let review = commitments::for_review(
        tx.conn,
        &p.id,
        &m.id,
        m.previous_meeting_id.as_deref(),
        m.scheduled_at,
    )?;
    let made = commitments::list(
        tx.conn,
        &p.id,
        &CommitmentFilter {
            meeting_id: Some(m.id.clone()),
            ..Default::default()
        },
        None,
        1000,
    )?;
    let notes = meetings::notes_of(tx.conn, &m.id)?;
    let since = match &m.previous_meeting_id {
        Some(prev) => meetings::find(tx.conn, prev)?.held_at,
        None => None,
    };
    let check_ins = tandem_store::check_ins::list(
        tx.conn,
        &p.id,
        &tandem_store::check_ins::CheckInFilter {
            since,
            before: m.held_at,
            ..Default::default()
        },
        None,
        1000,
    )?;
    let kudos = tandem_store::kudos::list(
        tx.conn,
        &p.id,
        &tandem_store::kudos::KudosFilter {
            since,
            before: m.held_at,
            ..Default::default()
        },
        None,
        1000,
    )?;
    let changes = meetings::goal_changes_in(tx.conn, &m.id)?;
    let mut blocks = Vec::new();
    for (partner_id, block) in crate::partnerships::members(p)
        .into_iter()
        .zip(plan.blocks.clone())
    {
        let scorecard = match card.partners.iter().find(|s| s.user_id == partner_id) {
            Some(s) => s.clone(),
            None => PartnerCard {
                user_id: partner_id.clone(),
                display_name: tandem_store::users::find_str(tx.conn, &partner_id)?.display_name,
                goals: Vec::new(),
                weighted_progress: None,
                weakest_status: None,
            },
        };
        let of_partner = |list: &[Commitment]| {
            list.iter()
                .filter(|c| c.owner_id == partner_id)
                .cloned()
                .collect::<Vec<_>>()
        };
        let mut partner_check_ins = Vec::new();
        for c in check_ins.iter().filter(|c| c.author_id == partner_id) {
            partner_check_ins.push(crate::check_ins::detail(tx, c.clone())?);
        }
        blocks.push(AgendaBlock {
            starts_at_minute: block.starts_at_minute,
            minutes: block.minutes,
            sections: block.sections,
            scorecard,
            to_review: of_partner(&review),
            notes: notes.iter().find(|n| n.partner_id == partner_id).cloned(),
            next_actions: of_partner(&made),
            milestone_updates: changes
                .iter()
                .filter(|(_, owner)| *owner == partner_id)
                .map(|(c, _)| c.clone())
                .collect(),
            check_ins: partner_check_ins,
            kudos: kudos
                .iter()
                .filter(|k| k.to_user_id == partner_id)
                .cloned()
                .collect(),
            partner_id,
        });
    }
    let proposed_at = match m.status {
        MeetingStatus::Scheduled => Some(next_default(p, Some(m), m.scheduled_at.and_utc())),
        MeetingStatus::Completed => match &m.next_meeting_id {
            Some(id) => Some(meetings::find(tx.conn, id)?.scheduled_at.and_utc()),
            None => None,
        },
        MeetingStatus::Cancelled => None,
    };
    Ok(Agenda {
        plan,
        scorecard_as_of: card.as_of,
        scorecard_frozen: frozen,
        blocks,
        proposed_at,
    })
}

/// A meeting with its agenda as it stands now.
pub fn detail(
    tx: &mut Tx<'_>,
    meeting: Meeting,
    partnership: Partnership,
) -> AppResult<MeetingDetail> {
    let agenda = agenda_of(tx, &meeting, &partnership)?;
    Ok(MeetingDetail {
        meeting,
        partnership,
        agenda,
    })
}

fn new_meeting(
    tx: &Tx<'_>,
    p: &Partnership,
    at: DateTime<Utc>,
    previous_meeting_id: Option<String>,
    created_by: &str,
) -> Meeting {
    let now = tx.now().naive_utc();
    Meeting {
        id: new_id(),
        partnership_id: p.id.clone(),
        status: MeetingStatus::Scheduled,
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
        created_at: now,
        updated_at: now,
    }
}

fn already_scheduled(next: &Meeting) -> AppError {
    AppError::refused(
        Rule::MeetingAlreadyScheduled,
        format!(
            "the partnership already has a scheduled meeting ({}, at {}); reschedule or cancel it",
            next.id,
            next.scheduled_at.and_utc().to_rfc3339()
        ),
    )
}

/// Tells integrations (`meeting.scheduled`) and both partners (an emailed invitation).
fn announce_scheduled(tx: &mut Tx<'_>, m: &Meeting, p: &Partnership) -> AppResult<()> {
    crate::notifications::meeting(tx, m, p, MeetingNews::Invitation)?;
    crate::events::publish(
        tx,
        &m.partnership_id,
        EventData::MeetingScheduled(MeetingScheduled {
            meeting_id: m.id.clone(),
            scheduled_at: m.scheduled_at.and_utc(),
            length_minutes: m.length_minutes,
            location: m.location.clone(),
            href: format!("/v1/meetings/{}", m.id),
        }),
    )
}

/// What to schedule.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// When (default: one cadence after the last meeting, same local time).
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Minutes (default the partnership's meeting length).
    pub length_minutes: Option<u32>,
    /// Where.
    pub location: Option<String>,
}

/// Schedules the active partnership's one upcoming meeting.
pub fn schedule(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    what: &Schedule,
) -> AppResult<MeetingDetail> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let now = tx.now();
    if let Some(at) = what.scheduled_at {
        check_time(at, now, "scheduled_at")?;
    }
    if p.status != PartnershipStatus::Active {
        return Err(AppError::refused(
            Rule::PartnershipNotActive,
            format!(
                "the partnership is {}; meetings are scheduled in active partnerships",
                p.status
            ),
        ));
    }
    if let Some(next) = meetings::scheduled_of(tx.conn, &p.id)? {
        return Err(already_scheduled(&next));
    }
    let at = match what.scheduled_at {
        Some(at) => crate::to_micros(at),
        None => next_default(&p, meetings::latest(tx.conn, &p.id)?.as_ref(), now),
    };
    let previous = meetings::latest_completed(tx.conn, &p.id)?;
    let m = Meeting {
        length_minutes: what.length_minutes.map_or(p.meeting_minutes, |l| l as i32),
        location: what.location.clone(),
        ..new_meeting(tx, &p, at, previous.map(|m| m.id), &actor.id)
    };
    meetings::insert(tx.conn, &m).map_err(|e| match e {
        StoreError::Conflict(_) => AppError::refused(
            Rule::MeetingAlreadyScheduled,
            "the partnership already has a scheduled meeting",
        ),
        other => other.into(),
    })?;
    announce_scheduled(tx, &m, &p)?;
    detail(tx, m, p)
}

/// A page of a partnership's meetings (with the partnership, for local times).
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    filter: &MeetingFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<(Partnership, Vec<Meeting>)> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let rows = meetings::list(tx.conn, &p.id, filter, after, limit)?;
    Ok((p, rows))
}

/// A meeting the actor may see, with its agenda.
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<MeetingDetail> {
    let (m, p) = visible(tx, actor, id)?;
    detail(tx, m, p)
}

/// Applies `change` to a meeting the actor may see, if still at `expected` version.
fn change_meeting(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    change: impl FnOnce(&mut Tx<'_>, &mut Meeting, &Partnership) -> AppResult<()>,
) -> AppResult<MeetingDetail> {
    let (mut m, p) = visible(tx, actor, id)?;
    if expected.is_some_and(|v| v != m.version) {
        return Err(AppError::Stale);
    }
    change(tx, &mut m, &p)?;
    detail(tx, m, p)
}

fn bump(tx: &mut Tx<'_>, m: &mut Meeting) -> AppResult<()> {
    m.version += 1;
    m.updated_at = tx.now().naive_utc();
    Ok(meetings::save(tx.conn, m)?)
}

/// Changes a scheduled meeting's length or location (`location: Some(None)` clears it).
pub fn edit(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    length_minutes: Option<u32>,
    location: Option<Option<String>>,
) -> AppResult<MeetingDetail> {
    change_meeting(tx, actor, id, expected, |tx, m, p| {
        allow(m, MeetingAction::Edit)?;
        let length = length_minutes.map_or(m.length_minutes, |l| l as i32);
        let location = location.unwrap_or_else(|| m.location.clone());
        if length == m.length_minutes && location == m.location {
            return Ok(());
        }
        m.length_minutes = length;
        m.location = location;
        bump(tx, m)?;
        crate::notifications::meeting(tx, m, p, MeetingNews::Invitation)
    })
}

/// Moves a scheduled meeting; its agreed slot stays, so adherence judges lateness against it.
pub fn reschedule(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    at: DateTime<Utc>,
    reason: Option<String>,
) -> AppResult<MeetingDetail> {
    check_time(at, tx.now(), "scheduled_at")?;
    change_meeting(tx, actor, id, expected, |tx, m, p| {
        allow(m, MeetingAction::Reschedule)?;
        m.scheduled_at = crate::to_micros(at).naive_utc();
        m.reschedule_count += 1;
        m.reschedule_reason = reason;
        bump(tx, m)?;
        crate::notifications::meeting(tx, m, p, MeetingNews::Invitation)
    })
}

/// Calls off a scheduled meeting (it counts against adherence and breaks the streak).
pub fn cancel(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    reason: String,
) -> AppResult<MeetingDetail> {
    change_meeting(tx, actor, id, expected, |tx, m, p| {
        m.status = allow(m, MeetingAction::Cancel)?;
        m.cancel_reason = Some(reason);
        m.cancelled_by = Some(actor.id.clone());
        m.cancelled_at = Some(tx.now().naive_utc());
        bump(tx, m)?;
        crate::notifications::meeting(tx, m, p, MeetingNews::Cancellation)?;
        crate::events::publish(
            tx,
            &p.id,
            EventData::MeetingCancelled(MeetingCancelled {
                meeting_id: m.id.clone(),
                scheduled_at: m.scheduled_at.and_utc(),
                reason: m.cancel_reason.clone().unwrap_or_default(),
                cancelled_by: actor.id.clone(),
                href: format!("/v1/meetings/{}", m.id),
            }),
        )
    })
}

/// How a meeting was held.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// When (default now); not in the future.
    pub held_at: Option<DateTime<Utc>>,
    /// Who attended (default both partners).
    pub attendees: Option<Vec<String>>,
    /// When the next meeting is (default one cadence on, same local time).
    pub next_meeting_at: Option<DateTime<Utc>>,
    /// Schedule the next meeting (default true, in an active partnership).
    pub schedule_next: Option<bool>,
}

fn check_completion(tx: &Tx<'_>, c: &Completion) -> AppResult<DateTime<Utc>> {
    let now = tx.now();
    let held_at = crate::to_micros(c.held_at.unwrap_or(now));
    let mut issues = Vec::new();
    let mut collect = |r: AppResult<()>| {
        if let Err(AppError::Invalid(found)) = r {
            issues.extend(found);
        }
    };
    if held_at > now + chrono::Duration::minutes(5) {
        collect(Err(AppError::field(
            "held_at",
            "future",
            "must not be in the future",
        )));
    } else {
        collect(check_time(held_at, now, "held_at"));
    }
    if let Some(next) = c.next_meeting_at {
        if next <= held_at {
            collect(Err(AppError::field(
                "next_meeting_at",
                "not_after_held_at",
                "must be after the meeting was held",
            )));
        } else {
            collect(check_time(next, now, "next_meeting_at"));
        }
    }
    if issues.is_empty() {
        Ok(held_at)
    } else {
        Err(AppError::Invalid(issues))
    }
}

/// Records that a scheduled meeting was held: attendance, the scorecard frozen as of `held_at`
/// (format version 1), and — in an active partnership — the next meeting scheduled. Announces
/// `meeting.completed` and the next `meeting.scheduled`.
pub fn complete(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    how: Completion,
) -> AppResult<MeetingDetail> {
    let held_at = check_completion(tx, &how)?;
    change_meeting(tx, actor, id, expected, |tx, m, p| {
        let done = allow(m, MeetingAction::Complete)?;
        let members = crate::partnerships::members(p);
        let attendees = how.attendees.clone().unwrap_or_else(|| members.clone());
        let bad: Vec<FieldIssue> = attendees
            .iter()
            .enumerate()
            .filter(|(i, a)| !members.contains(a) || attendees[..*i].contains(a))
            .map(|(i, _)| {
                FieldIssue::new(
                    format!("attendees/{i}"),
                    "not_a_partner",
                    "must be one of the two partners, each once",
                )
            })
            .collect();
        if !bad.is_empty() {
            return Err(AppError::Invalid(bad));
        }
        let attendance: Vec<Attendance> = members
            .iter()
            .map(|u| Attendance {
                user_id: u.clone(),
                attended: attendees.contains(u),
            })
            .collect();
        let card = scorecard(tx, p, held_at)?;
        let next = if how.schedule_next.unwrap_or(true) && p.status == PartnershipStatus::Active {
            let at = match how.next_meeting_at {
                Some(at) => crate::to_micros(at),
                None => next_default(p, Some(m), held_at),
            };
            Some(new_meeting(tx, p, at, Some(m.id.clone()), &actor.id))
        } else {
            None
        };
        let now = tx.now().naive_utc();
        m.status = done;
        m.held_at = Some(held_at.naive_utc());
        m.attendance = Some(serde_json::to_string(&attendance).map_err(AppError::internal)?);
        m.snapshot = Some(serde_json::to_string(&card).map_err(AppError::internal)?);
        m.completed_by = Some(actor.id.clone());
        m.completed_at = Some(now);
        m.next_meeting_id = next.as_ref().map(|n| n.id.clone());
        m.version += 1;
        m.updated_at = now;
        meetings::complete(tx.conn, m, next.as_ref()).map_err(|e| match e {
            StoreError::Conflict(_) => AppError::refused(
                Rule::MeetingAlreadyScheduled,
                "the partnership already has another scheduled meeting",
            ),
            other => other.into(),
        })?;
        crate::events::publish(
            tx,
            &p.id,
            EventData::MeetingCompleted(MeetingCompleted {
                meeting_id: m.id.clone(),
                held_at,
                attendee_ids: attendees,
                next_meeting_id: next.as_ref().map(|n| n.id.clone()),
                snapshot_href: format!("/v1/meetings/{}/snapshot", m.id),
            }),
        )?;
        if let Some(next) = &next {
            announce_scheduled(tx, next, p)?;
        }
        Ok(())
    })
}

/// The scorecard frozen when a completed meeting was held, and when it was frozen.
pub fn snapshot(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<(Scorecard, DateTime<Utc>)> {
    let (m, _) = visible(tx, actor, id)?;
    let (Some(snapshot), Some(completed_at)) = (m.snapshot.as_deref(), m.completed_at) else {
        return Err(AppError::refused(
            Rule::MeetingNotCompleted,
            format!(
                "the meeting is {}; a snapshot is taken when it is completed",
                m.status
            ),
        ));
    };
    let card: Scorecard = serde_json::from_str(snapshot).map_err(AppError::internal)?;
    Ok((card, completed_at.and_utc()))
}

/// A partner's notes block of a meeting (none written yet: `None`).
pub fn notes(
    tx: &mut Tx<'_>,
    actor: &Actor,
    meeting_id: &str,
    partner_id: &str,
) -> AppResult<(Meeting, Option<Notes>)> {
    let (m, p) = visible(tx, actor, meeting_id)?;
    if !crate::partnerships::members(&p)
        .iter()
        .any(|u| u == partner_id)
    {
        return Err(AppError::NotFound);
    }
    let notes = meetings::find_notes(tx.conn, &m.id, partner_id)?;
    Ok((m, notes))
}

/// A partner's notes block as written.
#[derive(Debug, Clone, Default)]
pub struct NotesBlock {
    /// What went well.
    pub wins: Vec<String>,
    /// Where they are stuck.
    pub obstacles: Vec<String>,
    /// What they will try.
    pub solutions: Vec<String>,
}

/// Replaces a partner's notes block (either partner writes either block). `check` judges the
/// version the writer read against the current one (0 before the first write).
pub fn put_notes(
    tx: &mut Tx<'_>,
    actor: &Actor,
    meeting_id: &str,
    partner_id: &str,
    block: &NotesBlock,
    check: impl FnOnce(i64) -> AppResult<()>,
) -> AppResult<Notes> {
    let (m, notes) = notes(tx, actor, meeting_id, partner_id)?;
    allow(&m, MeetingAction::Annotate)?;
    let current = notes.as_ref().map_or(0, |n| n.version);
    check(current)?;
    let now = tx.now().naive_utc();
    let json = |v: &Vec<String>| serde_json::to_string(v).map_err(AppError::internal);
    let saved = Notes {
        meeting_id: m.id.clone(),
        partner_id: partner_id.to_owned(),
        wins: json(&block.wins)?,
        obstacles: json(&block.obstacles)?,
        solutions: json(&block.solutions)?,
        updated_by: actor.id.clone(),
        version: current + 1,
        created_at: notes.as_ref().map_or(now, |n| n.created_at),
        updated_at: now,
    };
    meetings::save_notes(tx.conn, &saved)?;
    Ok(saved)
}

/// How reliably a partnership meets, with its last and next meeting.
#[derive(Debug, Clone)]
pub struct Adherence {
    /// The domain's figures.
    pub figures: tandem_domain::cadence::Adherence,
    /// Start of the window.
    pub window_start: DateTime<Utc>,
    /// The instant computed at.
    pub as_of: DateTime<Utc>,
    /// The last completed meeting.
    pub last_meeting: Option<Meeting>,
    /// The scheduled meeting.
    pub next_meeting: Option<Meeting>,
}

/// A partnership's adherence at `now`.
pub fn adherence(tx: &mut Tx<'_>, p: &Partnership, now: DateTime<Utc>) -> AppResult<Adherence> {
    let grace = p.grace_days.max(0) as u32;
    let outcomes: Vec<MeetingOutcome> = meetings::outcomes(tx.conn, &p.id)?
        .into_iter()
        .map(|(slot, held, status)| MeetingOutcome {
            slot: slot.and_utc(),
            held_at: held.map(|h| h.and_utc()),
            cancelled: status == MeetingStatus::Cancelled,
        })
        .collect();
    let window_start = adherence_window_start(now);
    Ok(Adherence {
        figures: domain_adherence(&outcomes, window_start, now, grace),
        window_start,
        as_of: now,
        last_meeting: meetings::latest_completed(tx.conn, &p.id)?,
        next_meeting: meetings::scheduled_of(tx.conn, &p.id)?,
    })
}

/// The adherence of a partnership the actor belongs to.
pub fn partnership_adherence(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
) -> AppResult<(Partnership, Adherence)> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let now = tx.now();
    let a = adherence(tx, &p, now)?;
    Ok((p, a))
}
