//! Server-wide settings that must survive restarts, such as a generated signing secret.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::server_settings;
use crate::{DbConnection, StoreError, StoreResult};

/// Reads a setting.
pub fn get(conn: &mut DbConnection, name: &str) -> StoreResult<Option<String>> {
    server_settings::table
        .find(name)
        .select(server_settings::value)
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Writes a setting that does not exist yet ([`StoreError::Conflict`] if it does).
pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    value: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(server_settings::table)
        .values((
            server_settings::name.eq(name),
            server_settings::value.eq(value),
            server_settings::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Returns the setting, creating it with `make()` on first use.
///
/// Safe when several instances start at once: whoever inserts first wins and everyone reads
/// the winner's value.
pub fn get_or_insert_with(
    conn: &mut DbConnection,
    name: &str,
    make: impl FnOnce() -> String,
    now: NaiveDateTime,
) -> StoreResult<String> {
    if let Some(value) = get(conn, name)? {
        return Ok(value);
    }
    match insert(conn, name, &make(), now) {
        Ok(()) | Err(StoreError::Conflict(_)) => {}
        Err(other) => return Err(other),
    }
    get(conn, name)?.ok_or(StoreError::NotFound)
}
