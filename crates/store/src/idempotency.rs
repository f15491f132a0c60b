//! Idempotency keys: the first response to a POST, replayed for retries with the same key.
//!
//! The key is claimed, the resource created and the response stored in the caller's one
//! transaction ([`claim`] and [`complete`] are called inside it): a crash at any point either
//! commits all three or none, so a key is never left "being processed", and a retry after a
//! crash either replays the response or creates the resource exactly once.

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
    /// Status of the first response (`None` only inside the transaction producing it).
    pub status_code: Option<i32>,
    /// Its `Location` (or `Content-Location`) header.
    pub location: Option<String>,
    /// Its body.
    pub body: Option<String>,
    /// When the key was first used.
    pub created_at: NaiveDateTime,
    /// Its `ETag` header.
    pub etag: Option<String>,
}

/// The response stored for a key.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse<'a> {
    /// HTTP status.
    pub status: i32,
    /// Where the resource is.
    pub location: Option<&'a str>,
    /// Its version.
    pub etag: Option<&'a str>,
    /// The JSON body.
    pub body: &'a str,
}

/// The record of `key`, if it was used since `not_before` (older ones are as good as gone).
pub fn find(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    not_before: NaiveDateTime,
) -> StoreResult<Option<IdempotencyRecord>> {
    idempotency_keys::table
        .find((user_id, key))
        .filter(idempotency_keys::created_at.ge(not_before))
        .select(IdempotencyRecord::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Claims `key` inside the caller's transaction, replacing a claim older than `not_before`.
/// [`StoreError::Conflict`] when a concurrent transaction claimed it first (PostgreSQL makes the
/// insert wait for that one to commit): look the key up again, in a new transaction.
pub fn claim(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
    not_before: NaiveDateTime,
) -> StoreResult<()> {
    diesel::delete(
        idempotency_keys::table
            .find((user_id, key))
            .filter(idempotency_keys::created_at.lt(not_before)),
    )
    .execute(conn)?;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores the response to replay, in the transaction that claimed the key.
pub fn complete(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    response: &StoredResponse<'_>,
) -> StoreResult<()> {
    diesel::update(idempotency_keys::table.find((user_id, key)))
        .set((
            idempotency_keys::status_code.eq(response.status),
            idempotency_keys::location.eq(response.location),
            idempotency_keys::etag.eq(response.etag),
            idempotency_keys::body.eq(response.body),
        ))
        .execute(conn)?;
    Ok(())
}
