//! Idempotency keys: the first response to a POST, replayed for retries with the same key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored key.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRecord {
    /// The caller.
    pub user_id: String,
    /// The key.
    pub idem_key: String,
    /// Hash of method, path and body of the first request.
    pub request_hash: String,
    /// Status of the first response; `None` while it is being produced.
    pub status_code: Option<i32>,
    /// Its `Location` header.
    pub location: Option<String>,
    /// Its body.
    pub body: Option<String>,
    /// When the key was first used.
    pub created_at: NaiveDateTime,
}

/// Claims `key` for a request; `Ok(None)` if claimed now, `Ok(Some(existing))` if it was already
/// used (in the last `not_before`-bounded period; older claims are replaced).
pub fn claim(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
    not_before: NaiveDateTime,
) -> StoreResult<Option<IdempotencyRecord>> {
    crate::write_transaction(conn, |conn| {
        let existing = idempotency_keys::table
            .find((user_id, key))
            .select(IdempotencyRecord::as_select())
            .first(conn)
            .optional()?;
        match existing {
            Some(record) if record.created_at >= not_before => return Ok(Some(record)),
            Some(_) => {
                diesel::delete(idempotency_keys::table.find((user_id, key))).execute(conn)?;
            }
            None => {}
        }
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::user_id.eq(user_id),
                idempotency_keys::idem_key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(None)
    })
}

/// Records the response to replay.
pub fn complete(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    status: i32,
    location: Option<&str>,
    body: &str,
) -> StoreResult<()> {
    diesel::update(idempotency_keys::table.find((user_id, key)))
        .set((
            idempotency_keys::status_code.eq(status),
            idempotency_keys::location.eq(location),
            idempotency_keys::body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// Releases a claim whose request failed, so the client may retry with the same key.
pub fn release(conn: &mut DbConnection, user_id: &str, key: &str) -> StoreResult<()> {
    diesel::delete(
        idempotency_keys::table
            .find((user_id, key))
            .filter(idempotency_keys::status_code.is_null()),
    )
    .execute(conn)
    .map(|_| ())
    .map_err(StoreError::from)
}
