//! Who refreshed their goals in which annual refresh cycle (numbered from 0 per partnership).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::member_refreshes;
use crate::{DbConnection, StoreError, StoreResult};

/// One partner's refresh in a cycle.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = member_refreshes)]
pub struct MemberRefresh {
    /// The partnership.
    pub partnership_id: String,
    /// The partner who refreshed.
    pub user_id: String,
    /// The cycle.
    pub cycle: i32,
    /// The day that cycle's refresh was due.
    pub due_on: NaiveDate,
    /// The day they refreshed (partnership time zone).
    pub refreshed_on: NaiveDate,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Records a partner's refresh; [`StoreError::Conflict`] if they already refreshed in the cycle.
pub fn insert(conn: &mut DbConnection, refresh: &MemberRefresh) -> StoreResult<()> {
    diesel::insert_into(member_refreshes::table)
        .values(refresh)
        .execute(conn)?;
    Ok(())
}

/// The refreshes of one cycle, earliest first.
pub fn of_cycle(
    conn: &mut DbConnection,
    partnership_id: &str,
    cycle: i32,
) -> StoreResult<Vec<MemberRefresh>> {
    member_refreshes::table
        .filter(member_refreshes::partnership_id.eq(partnership_id))
        .filter(member_refreshes::cycle.eq(cycle))
        .order((member_refreshes::created_at, member_refreshes::user_id))
        .select(MemberRefresh::as_select())
        .load(conn)
        .map_err(StoreError::from)
}
