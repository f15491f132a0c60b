//! Meetings and each partner's notes in them. A partnership has at most one scheduled meeting (a
//! partial unique index), so "the next meeting" is always one row and two people scheduling at
//! once cannot create two.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use tandem_domain::meeting::MeetingStatus;

use crate::changes::{self, Entity, Op};
use crate::schema::{goal_changes, goals, meeting_notes, meetings};
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings)]
pub struct Meeting {
    /// Id.
    pub id: String,
    /// The partnership.
    pub partnership_id: String,
    /// `scheduled`, `completed` or `cancelled`.
    #[diesel(serialize_as = Name)]
    pub status: MeetingStatus,
    /// The agreed slot (UTC); rescheduling does not move it, so adherence sees lateness.
    pub slot_at: NaiveDateTime,
    /// When it takes place (UTC).
    pub scheduled_at: NaiveDateTime,
    /// Length in minutes.
    pub length_minutes: i32,
    /// Where (a room, a video link).
    pub location: Option<String>,
    /// The meeting whose commitments this one reviews.
    pub previous_meeting_id: Option<String>,
    /// The meeting scheduled on completion.
    pub next_meeting_id: Option<String>,
    /// How often it was moved.
    pub reschedule_count: i32,
    /// Why it was last moved.
    pub reschedule_reason: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Who cancelled it.
    pub cancelled_by: Option<String>,
    /// When.
    pub cancelled_at: Option<NaiveDateTime>,
    /// When it was held.
    pub held_at: Option<NaiveDateTime>,
    /// JSON: who attended.
    pub attendance: Option<String>,
    /// JSON: the scorecard frozen at `held_at`.
    pub snapshot: Option<String>,
    /// Who completed it.
    pub completed_by: Option<String>,
    /// When it was marked completed.
    pub completed_at: Option<NaiveDateTime>,
    /// Who scheduled it.
    pub created_by: String,
    /// Bumped on every change; the ETag.
    pub version: i64,
    /// Scheduled.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// One partner's notes in a meeting (each list a JSON array of strings).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_notes)]
pub struct Notes {
    /// The meeting.
    pub meeting_id: String,
    /// Whose block.
    pub partner_id: String,
    /// JSON array: wins.
    pub wins: String,
    /// JSON array: obstacles.
    pub obstacles: String,
    /// JSON array: solutions.
    pub solutions: String,
    /// Who wrote this version.
    pub updated_by: String,
    /// Bumped on every save; the ETag.
    pub version: i64,
    /// First written.
    pub created_at: NaiveDateTime,
    /// Last written.
    pub updated_at: NaiveDateTime,
}

/// Stores a new meeting; a second scheduled meeting in the partnership is
/// [`StoreError::Conflict`]`("meeting")`.
pub fn insert(conn: &mut DbConnection, meeting: &Meeting) -> StoreResult<()> {
    diesel::insert_into(meetings::table)
        .values(meeting.clone())
        .execute(conn)
        .map(|_| ())
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("meeting".into()),
            other => other,
        })?;
    changes::record(
        conn,
        &meeting.partnership_id,
        Entity::Meeting,
        &meeting.id,
        Op::Created,
        meeting.created_at,
    )
}

/// A meeting by id (authorization is the caller's job, through its partnership).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Meeting> {
    meetings::table
        .find(id)
        .select(Meeting::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// The partnership's scheduled (next) meeting, if any.
pub fn scheduled_of(conn: &mut DbConnection, partnership_id: &str) -> StoreResult<Option<Meeting>> {
    meetings::table
        .filter(meetings::partnership_id.eq(partnership_id))
        .filter(meetings::status.eq(Name::of(MeetingStatus::Scheduled)))
        .select(Meeting::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Scheduled meetings starting after `now` and by `until` whose pre-read has not been announced
/// for their current time.
pub fn upcoming_unannounced(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> StoreResult<Vec<Meeting>> {
    meetings::table
        .filter(meetings::status.eq(Name::of(MeetingStatus::Scheduled)))
        .filter(meetings::scheduled_at.gt(now))
        .filter(meetings::scheduled_at.le(until))
        .filter(
            meetings::upcoming_announced_for
                .is_null()
                .or(meetings::upcoming_announced_for.ne(meetings::scheduled_at.nullable())),
        )
        .order(meetings::scheduled_at)
        .select(Meeting::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Marks a scheduled meeting's pre-read announced for its time `at`; false when it already was
/// (another instance won) or the meeting moved or ended meanwhile. A row lock decides between
/// concurrent scans, so the pre-read and its event go out once.
pub fn mark_upcoming_announced(
    conn: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let changed = diesel::update(
        meetings::table
            .filter(meetings::id.eq(id))
            .filter(meetings::status.eq(Name::of(MeetingStatus::Scheduled)))
            .filter(meetings::scheduled_at.eq(at))
            .filter(
                meetings::upcoming_announced_for
                    .is_null()
                    .or(meetings::upcoming_announced_for.ne(at)),
            ),
    )
    .set(meetings::upcoming_announced_for.eq(at))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The partnership's most recently held meeting, if any.
pub fn latest_completed(
    conn: &mut DbConnection,
    partnership_id: &str,
) -> StoreResult<Option<Meeting>> {
    meetings::table
        .filter(meetings::partnership_id.eq(partnership_id))
        .filter(meetings::status.eq(Name::of(MeetingStatus::Completed)))
        .order((meetings::held_at.desc(), meetings::id.desc()))
        .select(Meeting::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// The partnership's latest meeting by time, whatever its status: the anchor of the next default
/// slot (a cancelled meeting still marks the rhythm).
pub fn latest(conn: &mut DbConnection, partnership_id: &str) -> StoreResult<Option<Meeting>> {
    meetings::table
        .filter(meetings::partnership_id.eq(partnership_id))
        .order((meetings::scheduled_at.desc(), meetings::id.desc()))
        .select(Meeting::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Saves a completed meeting and schedules the next one, linking the two. The completed row is
/// written first so that the next meeting becomes the partnership's one scheduled meeting.
pub fn complete(
    conn: &mut DbConnection,
    done: &Meeting,
    next: Option<&Meeting>,
) -> StoreResult<()> {
    let unlinked = Meeting {
        next_meeting_id: None,
        ..done.clone()
    };
    save(conn, &unlinked)?;
    if let Some(next) = next {
        insert(conn, next)?;
        diesel::update(meetings::table.find(&done.id))
            .set(meetings::next_meeting_id.eq(&next.id))
            .execute(conn)?;
    }
    Ok(())
}

/// Filters for listing a partnership's meetings.
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    /// Only this status.
    pub status: Option<MeetingStatus>,
    /// Taking place at or after.
    pub from: Option<NaiveDateTime>,
    /// Taking place at or before.
    pub to: Option<NaiveDateTime>,
    /// Changed at or after.
    pub updated_since: Option<NaiveDateTime>,
}

/// A page of a partnership's meetings in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    partnership_id: &str,
    filter: &MeetingFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Meeting>> {
    let mut query = meetings::table
        .filter(meetings::partnership_id.eq(partnership_id))
        .select(Meeting::as_select())
        .order((meetings::created_at, meetings::id))
        .limit(limit)
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(meetings::status.eq(Name::of(*status)));
    }
    if let Some(from) = filter.from {
        query = query.filter(meetings::scheduled_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(meetings::scheduled_at.le(to));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(meetings::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            meetings::created_at
                .gt(at)
                .or(meetings::created_at.eq(at).and(meetings::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// Every meeting's (slot, held_at, status): what adherence is computed from. A partnership meets
/// about 26 times a year, so this stays small.
pub fn outcomes(
    conn: &mut DbConnection,
    partnership_id: &str,
) -> StoreResult<Vec<(NaiveDateTime, Option<NaiveDateTime>, MeetingStatus)>> {
    meetings::table
        .filter(meetings::partnership_id.eq(partnership_id))
        .select((meetings::slot_at, meetings::held_at, meetings::status))
        .load(conn)
        .map_err(StoreError::from)
}

/// Writes `changed` as the next version if the stored one is still `changed.version - 1`;
/// [`StoreError::Stale`] otherwise.
pub fn save(conn: &mut DbConnection, changed: &Meeting) -> StoreResult<()> {
    let updated = diesel::update(
        meetings::table
            .filter(meetings::id.eq(&changed.id))
            .filter(meetings::version.eq(changed.version - 1)),
    )
    .set((
        meetings::status.eq(Name::of(changed.status)),
        meetings::scheduled_at.eq(changed.scheduled_at),
        meetings::length_minutes.eq(changed.length_minutes),
        meetings::location.eq(&changed.location),
        meetings::next_meeting_id.eq(&changed.next_meeting_id),
        meetings::reschedule_count.eq(changed.reschedule_count),
        meetings::reschedule_reason.eq(&changed.reschedule_reason),
        meetings::cancel_reason.eq(&changed.cancel_reason),
        meetings::cancelled_by.eq(&changed.cancelled_by),
        meetings::cancelled_at.eq(changed.cancelled_at),
        meetings::held_at.eq(changed.held_at),
        meetings::attendance.eq(&changed.attendance),
        meetings::snapshot.eq(&changed.snapshot),
        meetings::completed_by.eq(&changed.completed_by),
        meetings::completed_at.eq(changed.completed_at),
        meetings::version.eq(changed.version),
        meetings::updated_at.eq(changed.updated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    changes::record(
        conn,
        &changed.partnership_id,
        Entity::Meeting,
        &changed.id,
        Op::Updated,
        changed.updated_at,
    )
}

/// Both partners' notes in a meeting (none until written).
pub fn notes_of(conn: &mut DbConnection, meeting_id: &str) -> StoreResult<Vec<Notes>> {
    meeting_notes::table
        .filter(meeting_notes::meeting_id.eq(meeting_id))
        .select(Notes::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// One partner's notes in a meeting, if written.
pub fn find_notes(
    conn: &mut DbConnection,
    meeting_id: &str,
    partner_id: &str,
) -> StoreResult<Option<Notes>> {
    meeting_notes::table
        .find((meeting_id, partner_id))
        .select(Notes::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Writes notes as their next version: version 1 is an insert (someone else's first save in
/// between is [`StoreError::Stale`]), later versions replace `version - 1` or are stale.
pub fn save_notes(conn: &mut DbConnection, notes: &Notes) -> StoreResult<()> {
    if notes.version == 1 {
        diesel::insert_into(meeting_notes::table)
            .values(notes)
            .execute(conn)
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Stale,
                other => other,
            })?;
        return notes_changed(conn, notes, Op::Created);
    }
    let updated = diesel::update(
        meeting_notes::table
            .filter(meeting_notes::meeting_id.eq(&notes.meeting_id))
            .filter(meeting_notes::partner_id.eq(&notes.partner_id))
            .filter(meeting_notes::version.eq(notes.version - 1)),
    )
    .set((
        meeting_notes::wins.eq(&notes.wins),
        meeting_notes::obstacles.eq(&notes.obstacles),
        meeting_notes::solutions.eq(&notes.solutions),
        meeting_notes::updated_by.eq(&notes.updated_by),
        meeting_notes::version.eq(notes.version),
        meeting_notes::updated_at.eq(notes.updated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    notes_changed(conn, notes, Op::Updated)
}

/// A notes block is identified in the change log as `meeting_id/partner_id`.
fn notes_changed(conn: &mut DbConnection, notes: &Notes, op: Op) -> StoreResult<()> {
    let partnership_id: String = meetings::table
        .find(&notes.meeting_id)
        .select(meetings::partnership_id)
        .first(conn)?;
    let id = format!("{}/{}", notes.meeting_id, notes.partner_id);
    changes::record(
        conn,
        &partnership_id,
        Entity::MeetingNotes,
        &id,
        op,
        notes.updated_at,
    )
}

/// Goal and milestone changes made in a meeting, with the owner of each goal, oldest first.
pub fn goal_changes_in(
    conn: &mut DbConnection,
    meeting_id: &str,
) -> StoreResult<Vec<(crate::goals::GoalChange, String)>> {
    goal_changes::table
        .inner_join(goals::table)
        .filter(goal_changes::meeting_id.eq(meeting_id))
        .order((goal_changes::created_at, goal_changes::id))
        .select((crate::goals::GoalChange::as_select(), goals::owner_id))
        .load(conn)
        .map_err(StoreError::from)
}
