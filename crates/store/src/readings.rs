//! Readings: observations of a goal's metric. Corrections and deletions never erase: each is a
//! revision, and a deleted reading stays (marked) for history while the math leaves it out.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use tandem_domain::reading::RevisionAction;

use crate::changes::{self, Entity, Op};
use crate::schema::{reading_revisions, readings};
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored reading.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = readings)]
pub struct Reading {
    /// Id.
    pub id: String,
    /// The goal measured.
    pub goal_id: String,
    /// The value.
    pub value: f64,
    /// When it was observed (UTC).
    pub observed_at: NaiveDateTime,
    /// A note.
    pub note: Option<String>,
    /// Where it came from (`manual`, an integration's name).
    pub source: String,
    /// The sender's own id for it, unique per goal.
    pub external_id: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was deleted, if it was.
    pub deleted_at: Option<NaiveDateTime>,
    /// Why.
    pub delete_reason: Option<String>,
    /// Bumped on every change; the ETag.
    pub version: i64,
    /// Recorded.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A correction or deletion.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reading_revisions)]
pub struct Revision {
    /// Id.
    pub id: String,
    /// The reading.
    pub reading_id: String,
    /// Who.
    pub actor_id: String,
    /// What the revision did.
    #[diesel(serialize_as = Name)]
    pub action: RevisionAction,
    /// JSON: `[{field, old, new}]`.
    pub changes: String,
    /// Why (deletions).
    pub reason: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// What inserting a reading did.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    /// A new reading.
    Created(Reading),
    /// The goal already had a reading with this external id; here it is.
    Existing(Reading),
}

/// Inserts a reading of a goal in `partnership_id` unless the goal already has one with the same
/// external id. Call it inside a `write_transaction` (the look-up and the insert must not be split).
pub fn insert(
    conn: &mut DbConnection,
    reading: &Reading,
    partnership_id: &str,
) -> StoreResult<Inserted> {
    if let Some(external) = &reading.external_id
        && let Some(existing) = find_by_external_id(conn, &reading.goal_id, external)?
    {
        return Ok(Inserted::Existing(existing));
    }
    diesel::insert_into(readings::table)
        .values(reading)
        .execute(conn)?;
    changes::record(
        conn,
        partnership_id,
        Entity::Reading,
        &reading.id,
        Op::Created,
        reading.created_at,
    )?;
    Ok(Inserted::Created(reading.clone()))
}

fn find_by_external_id(
    conn: &mut DbConnection,
    goal_id: &str,
    external_id: &str,
) -> StoreResult<Option<Reading>> {
    readings::table
        .filter(readings::goal_id.eq(goal_id))
        .filter(readings::external_id.eq(external_id))
        .select(Reading::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// A reading by id (authorization is the caller's job, through its goal).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Reading> {
    readings::table
        .find(id)
        .select(Reading::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// Filters for listing a goal's readings.
#[derive(Debug, Clone, Default)]
pub struct ReadingFilter {
    /// Observed at or after.
    pub from: Option<NaiveDateTime>,
    /// Observed at or before.
    pub to: Option<NaiveDateTime>,
    /// Changed at or after.
    pub updated_since: Option<NaiveDateTime>,
    /// Include deleted readings.
    pub include_deleted: bool,
}

/// A page of a goal's readings in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    goal_id: &str,
    filter: &ReadingFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Reading>> {
    let mut query = readings::table
        .filter(readings::goal_id.eq(goal_id))
        .select(Reading::as_select())
        .order((readings::created_at, readings::id))
        .limit(limit)
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(readings::observed_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(readings::observed_at.le(to));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(readings::updated_at.ge(since));
    }
    if !filter.include_deleted {
        query = query.filter(readings::deleted_at.is_null());
    }
    if let Some((at, id)) = after {
        query = query.filter(
            readings::created_at
                .gt(at)
                .or(readings::created_at.eq(at).and(readings::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// The (value, observed_at) of a goal's live readings observed at or before `as_of`, from the
/// `(goal_id, observed_at)` index: what the progress math needs and nothing more.
pub fn series(
    conn: &mut DbConnection,
    goal_id: &str,
    as_of: NaiveDateTime,
) -> StoreResult<Vec<(f64, NaiveDateTime)>> {
    readings::table
        .filter(readings::goal_id.eq(goal_id))
        .filter(readings::observed_at.le(as_of))
        .filter(readings::deleted_at.is_null())
        .order(readings::observed_at)
        .select((readings::value, readings::observed_at))
        .load(conn)
        .map_err(StoreError::from)
}

/// Writes a changed reading as its next version and records the revision; [`StoreError::Stale`]
/// if someone saved in between.
pub fn save(conn: &mut DbConnection, changed: &Reading, revision: &Revision) -> StoreResult<()> {
    crate::write_transaction(conn, |conn| {
        let updated = diesel::update(
            readings::table
                .filter(readings::id.eq(&changed.id))
                .filter(readings::version.eq(changed.version - 1)),
        )
        .set((
            readings::value.eq(changed.value),
            readings::observed_at.eq(changed.observed_at),
            readings::note.eq(&changed.note),
            readings::deleted_at.eq(changed.deleted_at),
            readings::delete_reason.eq(&changed.delete_reason),
            readings::version.eq(changed.version),
            readings::updated_at.eq(changed.updated_at),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(StoreError::Stale);
        }
        diesel::insert_into(reading_revisions::table)
            .values(revision.clone())
            .execute(conn)?;
        let op = if changed.deleted_at.is_some() {
            Op::Deleted
        } else {
            Op::Updated
        };
        changes::record_for_goal(
            conn,
            &changed.goal_id,
            Entity::Reading,
            &changed.id,
            op,
            changed.updated_at,
        )
    })
}

/// A reading's revisions, oldest first.
pub fn revisions(conn: &mut DbConnection, reading_id: &str) -> StoreResult<Vec<Revision>> {
    reading_revisions::table
        .filter(reading_revisions::reading_id.eq(reading_id))
        .order((reading_revisions::created_at, reading_revisions::id))
        .select(Revision::as_select())
        .load(conn)
        .map_err(StoreError::from)
}
