//! Idempotency keys, kept in the transaction of the request they guard: the HTTP layer claims a
//! key, runs the use case and stores the response it will replay, all in one [`crate::App::write`],
//! so a crash leaves all three or none.

use chrono::NaiveDateTime;
use tandem_store::StoreError;
pub use tandem_store::idempotency::{IdempotencyRecord, StoredResponse};

use crate::{AppResult, Tx};

/// What claiming a key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's now.
    Claimed,
    /// A concurrent request claimed it first and committed: read its record again.
    Taken,
}

/// The record of `key` used by `user_id` since `not_before`.
pub fn find(
    tx: &mut Tx<'_>,
    user_id: &str,
    key: &str,
    not_before: NaiveDateTime,
) -> AppResult<Option<IdempotencyRecord>> {
    Ok(tandem_store::idempotency::find(
        tx.conn, user_id, key, not_before,
    )?)
}

/// Claims `key` for a request with fingerprint `hash`, replacing a claim older than `not_before`.
pub fn claim(
    tx: &mut Tx<'_>,
    user_id: &str,
    key: &str,
    hash: &str,
    not_before: NaiveDateTime,
) -> AppResult<Claim> {
    let now = tx.now().naive_utc();
    match tandem_store::idempotency::claim(tx.conn, user_id, key, hash, now, not_before) {
        Ok(()) => Ok(Claim::Claimed),
        Err(StoreError::Conflict(_)) => Ok(Claim::Taken),
        Err(e) => Err(e.into()),
    }
}

/// Stores the response the key replays.
pub fn complete(
    tx: &mut Tx<'_>,
    user_id: &str,
    key: &str,
    response: &StoredResponse<'_>,
) -> AppResult<()> {
    Ok(tandem_store::idempotency::complete(
        tx.conn, user_id, key, response,
    )?)
}
