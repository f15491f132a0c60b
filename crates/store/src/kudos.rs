//! Kudos: one partner's note on the other's reading, completed milestone or check-in.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tandem_domain::kudos::KudosSubject;

use crate::changes::{self, Entity, Op};
use crate::schema::kudos;
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};

/// Stored kudos.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = kudos)]
pub struct Kudos {
    /// Id.
    pub id: String,
    /// The partnership.
    pub partnership_id: String,
    /// What they are on.
    pub subject_type: KudosSubject,
    /// Its id.
    pub subject_id: String,
    /// The goal a reading or milestone belongs to (none for a check-in).
    pub goal_id: Option<String>,
    /// Who sent them.
    pub from_user_id: String,
    /// Whose win it is.
    pub to_user_id: String,
    /// The note.
    pub note: String,
    /// Sent.
    pub created_at: NaiveDateTime,
}

/// Stores kudos; a second from the same sender on the same subject is
/// [`StoreError::Conflict`] (the unique key, so a race cannot slip past the caller's check).
pub fn insert(conn: &mut DbConnection, k: &Kudos) -> StoreResult<()> {
    diesel::insert_into(kudos::table)
        .values((
            kudos::id.eq(&k.id),
            kudos::partnership_id.eq(&k.partnership_id),
            kudos::subject_type.eq(Name::of(k.subject_type)),
            kudos::subject_id.eq(&k.subject_id),
            kudos::goal_id.eq(&k.goal_id),
            kudos::from_user_id.eq(&k.from_user_id),
            kudos::to_user_id.eq(&k.to_user_id),
            kudos::note.eq(&k.note),
            kudos::created_at.eq(k.created_at),
        ))
        .execute(conn)?;
    changes::record(
        conn,
        &k.partnership_id,
        Entity::Kudos,
        &k.id,
        Op::Created,
        k.created_at,
    )
}

/// Kudos by id (authorization is the caller's job, through its partnership).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Kudos> {
    kudos::table
        .find(id)
        .select(Kudos::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// Whether `from_user_id` already sent kudos on this subject.
pub fn sent(
    conn: &mut DbConnection,
    subject_type: KudosSubject,
    subject_id: &str,
    from_user_id: &str,
) -> StoreResult<bool> {
    diesel::select(diesel::dsl::exists(
        kudos::table
            .filter(kudos::subject_type.eq(Name::of(subject_type)))
            .filter(kudos::subject_id.eq(subject_id))
            .filter(kudos::from_user_id.eq(from_user_id)),
    ))
    .get_result(conn)
    .map_err(StoreError::from)
}

/// Filters for listing kudos.
#[derive(Debug, Clone, Default)]
pub struct KudosFilter {
    /// Only those this partner received.
    pub to_user_id: Option<String>,
    /// Sent at or after.
    pub since: Option<NaiveDateTime>,
    /// Sent before.
    pub before: Option<NaiveDateTime>,
}

/// A page of a partnership's kudos in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    partnership_id: &str,
    filter: &KudosFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Kudos>> {
    let mut query = kudos::table
        .filter(kudos::partnership_id.eq(partnership_id))
        .select(Kudos::as_select())
        .order((kudos::created_at, kudos::id))
        .limit(limit)
        .into_boxed();
    if let Some(to) = &filter.to_user_id {
        query = query.filter(kudos::to_user_id.eq(to.clone()));
    }
    if let Some(since) = filter.since {
        query = query.filter(kudos::created_at.ge(since));
    }
    if let Some(before) = filter.before {
        query = query.filter(kudos::created_at.lt(before));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            kudos::created_at
                .gt(at)
                .or(kudos::created_at.eq(at).and(kudos::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}
