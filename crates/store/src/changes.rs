//! The change log behind `GET /v1/changes`: one row per change to anything a partner can see,
//! written by the store function that made the change, in the same transaction.
//!
//! Readers page by `position`, which grows in commit order without writers taking turns: on
//! SQLite the single writer makes the row number do; on PostgreSQL the position starts with the
//! writing transaction's id and readers see only rows of transactions older than the oldest still
//! running ([`crate::backend::settled_changes`]), so a transaction that commits late never lands
//! behind a position a reader has passed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::partnerships::{Member, member_filter};
use crate::schema::{changes, goals, partnerships};
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};

pub use tandem_domain::sync::{ChangeEntity as Entity, ChangeOp as Op};

/// A logged change.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct Change {
    /// Row number (allocation order, not commit order).
    pub seq: i64,
    /// The partnership the entity belongs to (who may see the change).
    pub partnership_id: String,
    /// What changed.
    pub entity: Entity,
    /// The entity's id (`meeting_id/partner_id` for a notes block).
    pub entity_id: String,
    /// What happened to it.
    pub op: Op,
    /// When (the entity's own timestamp).
    pub at: NaiveDateTime,
    /// Position in the feed (commit order): what readers page by.
    pub position: i64,
}

#[derive(Insertable)]
#[diesel(table_name = changes)]
struct NewChange<'a> {
    partnership_id: &'a str,
    #[diesel(serialize_as = Name)]
    entity: Entity,
    entity_id: &'a str,
    #[diesel(serialize_as = Name)]
    op: Op,
    at: NaiveDateTime,
}

/// Logs a change; call it inside the write transaction that made it (its position comes from that
/// transaction, set by the database).
pub fn record(
    conn: &mut DbConnection,
    partnership_id: &str,
    entity: Entity,
    entity_id: &str,
    op: Op,
    at: NaiveDateTime,
) -> StoreResult<()> {
    debug_assert!(
        crate::backend::in_transaction(conn),
        "a change is logged inside the write transaction that makes it"
    );
    diesel::insert_into(changes::table)
        .values(NewChange {
            partnership_id,
            entity,
            entity_id,
            op,
            at,
        })
        .execute(conn)?;
    Ok(())
}

/// Logs a change to something that belongs to a goal (its partnership is looked up).
pub fn record_for_goal(
    conn: &mut DbConnection,
    goal_id: &str,
    entity: Entity,
    entity_id: &str,
    op: Op,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let partnership_id: String = goals::table
        .find(goal_id)
        .select(goals::partnership_id)
        .first(conn)?;
    record(conn, &partnership_id, entity, entity_id, op, at)
}

/// Up to `limit` changes after `since` in partnerships `member` can see, oldest first.
pub fn since(
    conn: &mut DbConnection,
    member: Member<'_>,
    since: i64,
    limit: i64,
) -> StoreResult<Vec<Change>> {
    let visible = partnerships::table
        .filter(member_filter!(member))
        .select(partnerships::id);
    let mut query = changes::table
        .filter(changes::position.gt(since))
        .filter(crate::backend::settled_changes(conn))
        .filter(changes::partnership_id.eq_any(visible))
        .order(changes::position)
        .limit(limit)
        .select(Change::as_select())
        .into_boxed();
    if let Some(only) = member.only {
        query = query.filter(changes::partnership_id.eq(only.to_owned()));
    }
    query.load(conn).map_err(StoreError::from)
}

/// The newest settled position in the log (0 when empty): where a client that wants only future
/// changes starts.
pub fn head(conn: &mut DbConnection) -> StoreResult<i64> {
    changes::table
        .filter(crate::backend::settled_changes(conn))
        .select(diesel::dsl::max(changes::position))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
        .map_err(StoreError::from)
}
