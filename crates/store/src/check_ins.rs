//! Check-ins: short updates from one partner between meetings.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::changes::{self, Entity, Op};
use crate::schema::check_ins;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored check-in.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = check_ins)]
pub struct CheckIn {
    /// Id.
    pub id: String,
    /// The partnership.
    pub partnership_id: String,
    /// Who wrote it.
    pub author_id: String,
    /// The update.
    pub text: String,
    /// JSON array of URLs.
    pub links: String,
    /// JSON array of the ids of readings recorded with it.
    pub reading_ids: String,
    /// Written.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// Stores a check-in.
pub fn insert(conn: &mut DbConnection, c: &CheckIn) -> StoreResult<()> {
    diesel::insert_into(check_ins::table)
        .values(c)
        .execute(conn)?;
    changes::record(
        conn,
        &c.partnership_id,
        Entity::CheckIn,
        &c.id,
        Op::Created,
        c.created_at,
    )
}

/// A check-in by id (authorization is the caller's job, through its partnership).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<CheckIn> {
    check_ins::table
        .find(id)
        .select(CheckIn::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// Filters for listing check-ins.
#[derive(Debug, Clone, Default)]
pub struct CheckInFilter {
    /// Only this partner's.
    pub author_id: Option<String>,
    /// Written at or after.
    pub since: Option<NaiveDateTime>,
    /// Written before.
    pub before: Option<NaiveDateTime>,
    /// Changed at or after.
    pub updated_since: Option<NaiveDateTime>,
}

/// A page of a partnership's check-ins in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    partnership_id: &str,
    filter: &CheckInFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<CheckIn>> {
    let mut query = check_ins::table
        .filter(check_ins::partnership_id.eq(partnership_id))
        .select(CheckIn::as_select())
        .order((check_ins::created_at, check_ins::id))
        .limit(limit)
        .into_boxed();
    if let Some(author) = &filter.author_id {
        query = query.filter(check_ins::author_id.eq(author.clone()));
    }
    if let Some(since) = filter.since {
        query = query.filter(check_ins::created_at.ge(since));
    }
    if let Some(before) = filter.before {
        query = query.filter(check_ins::created_at.lt(before));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(check_ins::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            check_ins::created_at
                .gt(at)
                .or(check_ins::created_at.eq(at).and(check_ins::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}
