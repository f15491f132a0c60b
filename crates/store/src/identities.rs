//! Identities from trusted external issuers: (issuer, subject) -> a Tandem account.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::external_identities;
use crate::{DbConnection, StoreError, StoreResult};

/// The account an external identity maps to, if it was seen before.
pub fn user_of(
    conn: &mut DbConnection,
    issuer: &str,
    subject: &str,
) -> StoreResult<Option<String>> {
    external_identities::table
        .find((issuer, subject))
        .select(external_identities::user_id)
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Links an external identity to an account (a concurrent first sight is
/// [`StoreError::Conflict`]; retrying finds the link).
pub fn link(
    conn: &mut DbConnection,
    issuer: &str,
    subject: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(external_identities::table)
        .values((
            external_identities::issuer.eq(issuer),
            external_identities::subject.eq(subject),
            external_identities::user_id.eq(user_id),
            external_identities::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from)
}
