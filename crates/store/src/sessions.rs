//! Login sessions and their rotating refresh tokens.
//!
//! A session is one sign-in. Each refresh hands out a new refresh token and marks the old one used;
//! presenting a used token again means it leaked, so the whole session is revoked (RFC 6819 §5.2.2.3).
//! Access tokens name their session, so logging out stops them too.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{refresh_tokens, sessions};
use crate::{DbConnection, StoreError, StoreResult, write_transaction};

/// Starts a session for `user_id` and records its first refresh token.
pub fn create(
    conn: &mut DbConnection,
    session_id: Uuid,
    user_id: Uuid,
    refresh_jti: Uuid,
    now: DateTime<Utc>,
    refresh_expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    write_transaction(conn, |conn| {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(session_id.to_string()),
                sessions::user_id.eq(user_id.to_string()),
                sessions::created_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        insert_refresh(conn, refresh_jti, session_id, now, refresh_expires_at)
    })
}

fn insert_refresh(
    conn: &mut DbConnection,
    jti: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(jti.to_string()),
            refresh_tokens::session_id.eq(session_id.to_string()),
            refresh_tokens::issued_at.eq(now.naive_utc()),
            refresh_tokens::expires_at.eq(expires_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was good: it is now used and `new_jti` is the session's live token.
    Rotated {
        /// The session's owner.
        user_id: Uuid,
        /// The session.
        session_id: Uuid,
    },
    /// The token had been used before; the session is now revoked.
    Reused,
    /// Unknown token, expired token, or a revoked session.
    Refused,
}

/// (session id, session revoked at, token expires at, user id, token used at)
type TokenState = (
    String,
    Option<NaiveDateTime>,
    NaiveDateTime,
    String,
    Option<NaiveDateTime>,
);

/// Exchanges refresh token `jti` for `new_jti`, detecting reuse.
pub fn rotate(
    conn: &mut DbConnection,
    jti: Uuid,
    new_jti: Uuid,
    now: DateTime<Utc>,
    new_expires_at: DateTime<Utc>,
) -> StoreResult<Rotation> {
    write_transaction(conn, |conn| {
        let found: Option<TokenState> = refresh_tokens::table
            .inner_join(sessions::table)
            .filter(refresh_tokens::id.eq(jti.to_string()))
            .select((
                sessions::id,
                sessions::revoked_at,
                refresh_tokens::expires_at,
                sessions::user_id,
                refresh_tokens::used_at,
            ))
            .first(conn)
            .optional()?;
        let Some((session_id, revoked_at, expires_at, user_id, used_at)) = found else {
            return Ok(Rotation::Refused);
        };
        let session_id = crate::db_uuid(&session_id);
        if revoked_at.is_some() || expires_at.and_utc() <= now {
            return Ok(Rotation::Refused);
        }
        if used_at.is_some() {
            revoke(conn, session_id, now, "refresh token reuse")?;
            return Ok(Rotation::Reused);
        }
        diesel::update(refresh_tokens::table.find(jti.to_string()))
            .set(refresh_tokens::used_at.eq(now.naive_utc()))
            .execute(conn)?;
        insert_refresh(conn, new_jti, session_id, now, new_expires_at)?;
        Ok(Rotation::Rotated {
            user_id: crate::db_uuid(&user_id),
            session_id,
        })
    })
}

/// Ends a session; its access and refresh tokens stop working. Idempotent.
pub fn revoke(
    conn: &mut DbConnection,
    session_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> StoreResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id.to_string()))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(now.naive_utc()),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends every live session of a user (deactivation).
pub fn revoke_all(
    conn: &mut DbConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> StoreResult<()> {
    revoke_all_but(conn, user_id, None, now, reason)
}

/// Ends every live session of a user except `keep` (a password change keeps the session that
/// made it).
pub fn revoke_all_but(
    conn: &mut DbConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
    reason: &str,
) -> StoreResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id.to_string()))
            .filter(sessions::id.ne(keep.map(|k| k.to_string()).unwrap_or_default()))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(now.naive_utc()),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// Finds the session a refresh token belongs to, if the token is known.
pub fn session_of_refresh(conn: &mut DbConnection, jti: Uuid) -> StoreResult<Option<Uuid>> {
    refresh_tokens::table
        .find(jti.to_string())
        .select(refresh_tokens::session_id)
        .first::<String>(conn)
        .optional()
        .map(|id| id.map(|id| crate::db_uuid(&id)))
        .map_err(StoreError::from)
}

/// The user behind an access token, if its session is still live: one statement, since every
/// authenticated request pays for it.
pub fn live_user(
    conn: &mut DbConnection,
    user_id: Uuid,
    session_id: Uuid,
) -> StoreResult<Option<crate::users::User>> {
    let live = sessions::table
        .filter(sessions::id.eq(session_id.to_string()))
        .filter(sessions::user_id.eq(user_id.to_string()))
        .filter(sessions::revoked_at.is_null());
    crate::schema::users::table
        .filter(crate::schema::users::id.eq(user_id.to_string()))
        .filter(diesel::dsl::exists(live))
        .select(crate::users::UserRow::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(crate::users::User::from))
        .map_err(StoreError::from)
}
