//! Commitments: the next actions agreed in a meeting, reviewed at the next one.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use tandem_domain::meeting::CommitmentStatus;

use crate::changes::{self, Entity, Op};
use crate::schema::{commitments, meetings};
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored commitment.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = commitments)]
pub struct Commitment {
    /// Id.
    pub id: String,
    /// The partnership.
    pub partnership_id: String,
    /// The meeting it was made in.
    pub meeting_id: String,
    /// The partner who committed.
    pub owner_id: String,
    /// The goal it serves, if any.
    pub goal_id: Option<String>,
    /// What will be done.
    pub text: String,
    /// By when (a date in the partnership's time zone).
    pub due_on: NaiveDate,
    /// `open`, `done` or `dropped`.
    #[diesel(serialize_as = Name)]
    pub status: CommitmentStatus,
    /// Why it was dropped, or how it went.
    pub status_note: Option<String>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// When.
    pub closed_at: Option<NaiveDateTime>,
    /// Who recorded it.
    pub created_by: String,
    /// Bumped on every change; the ETag.
    pub version: i64,
    /// Recorded.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// Stores a new commitment.
pub fn insert(conn: &mut DbConnection, c: &Commitment) -> StoreResult<()> {
    diesel::insert_into(commitments::table)
        .values(c.clone())
        .execute(conn)?;
    changes::record(
        conn,
        &c.partnership_id,
        Entity::Commitment,
        &c.id,
        Op::Created,
        c.created_at,
    )
}

/// A commitment by id (authorization is the caller's job, through its partnership).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Commitment> {
    commitments::table
        .find(id)
        .select(Commitment::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// Filters for listing a partnership's commitments.
#[derive(Debug, Clone, Default)]
pub struct CommitmentFilter {
    /// Only this status.
    pub status: Option<CommitmentStatus>,
    /// Only this partner's.
    pub owner_id: Option<String>,
    /// Only those made in this meeting.
    pub meeting_id: Option<String>,
    /// Only those serving this goal.
    pub goal_id: Option<String>,
    /// Changed at or after.
    pub updated_since: Option<NaiveDateTime>,
}

/// A page of a partnership's commitments in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    partnership_id: &str,
    filter: &CommitmentFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Commitment>> {
    let mut query = commitments::table
        .filter(commitments::partnership_id.eq(partnership_id))
        .select(Commitment::as_select())
        .order((commitments::created_at, commitments::id))
        .limit(limit)
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(commitments::status.eq(Name::of(*status)));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(commitments::owner_id.eq(owner.clone()));
    }
    if let Some(meeting) = &filter.meeting_id {
        query = query.filter(commitments::meeting_id.eq(meeting.clone()));
    }
    if let Some(goal) = &filter.goal_id {
        query = query.filter(commitments::goal_id.eq(goal.clone()));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(commitments::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            commitments::created_at
                .gt(at)
                .or(commitments::created_at.eq(at).and(commitments::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// What a meeting reviews: every commitment made at `previous_meeting_id` whatever its status,
/// and any still open from a meeting that took place before `before` (other than `meeting_id`
/// itself), oldest first.
pub fn for_review(
    conn: &mut DbConnection,
    partnership_id: &str,
    meeting_id: &str,
    previous_meeting_id: Option<&str>,
    before: NaiveDateTime,
) -> StoreResult<Vec<Commitment>> {
    let previous = previous_meeting_id.unwrap_or("").to_owned();
    commitments::table
        .inner_join(meetings::table)
        .filter(commitments::partnership_id.eq(partnership_id))
        .filter(commitments::meeting_id.ne(meeting_id))
        .filter(
            commitments::meeting_id.eq(previous).or(commitments::status
                .eq(Name::of(CommitmentStatus::Open))
                .and(meetings::scheduled_at.lt(before))),
        )
        .order((commitments::created_at, commitments::id))
        .select(Commitment::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Writes `changed` as the next version if the stored one is still `changed.version - 1`;
/// [`StoreError::Stale`] otherwise.
pub fn save(conn: &mut DbConnection, changed: &Commitment) -> StoreResult<()> {
    let updated = diesel::update(
        commitments::table
            .filter(commitments::id.eq(&changed.id))
            .filter(commitments::version.eq(changed.version - 1)),
    )
    .set((
        commitments::owner_id.eq(&changed.owner_id),
        commitments::goal_id.eq(&changed.goal_id),
        commitments::text.eq(&changed.text),
        commitments::due_on.eq(changed.due_on),
        commitments::status.eq(Name::of(changed.status)),
        commitments::status_note.eq(&changed.status_note),
        commitments::closed_by.eq(&changed.closed_by),
        commitments::closed_at.eq(changed.closed_at),
        commitments::version.eq(changed.version),
        commitments::updated_at.eq(changed.updated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    changes::record(
        conn,
        &changed.partnership_id,
        Entity::Commitment,
        &changed.id,
        Op::Updated,
        changed.updated_at,
    )
}

/// Open commitments due on or before `on_or_before` whose `commitment.due` has not been
/// announced yet (the caller compares each due date with its partnership's local today).
pub fn due_unannounced(
    conn: &mut DbConnection,
    on_or_before: chrono::NaiveDate,
) -> StoreResult<Vec<Commitment>> {
    commitments::table
        .filter(commitments::status.eq(Name::of(CommitmentStatus::Open)))
        .filter(commitments::due_announced.eq(false))
        .filter(commitments::due_on.le(on_or_before))
        .order((commitments::due_on, commitments::id))
        .limit(500)
        .select(Commitment::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Marks `commitment.due` announced; `false` if another instance got there first (announce only
/// on `true`, in the same transaction).
pub fn mark_due_announced(conn: &mut DbConnection, id: &str) -> StoreResult<bool> {
    let updated = diesel::update(
        commitments::table
            .filter(commitments::id.eq(id))
            .filter(commitments::due_announced.eq(false)),
    )
    .set(commitments::due_announced.eq(true))
    .execute(conn)?;
    Ok(updated == 1)
}
