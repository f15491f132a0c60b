//! Personal access tokens: long-lived bearer credentials for dashboards and integrations. Only a
//! SHA-256 of the secret is stored, so a database leak does not leak usable tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::access_tokens;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored token (never the secret).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_tokens)]
pub struct AccessToken {
    /// Id.
    pub id: String,
    /// Whose.
    pub user_id: String,
    /// What it is for.
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub token_hash: String,
    /// The secret's first characters, to recognise it in a list.
    pub prefix: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// The one partnership it may reach, if limited.
    pub partnership_id: Option<String>,
    /// When it stops working.
    pub expires_at: Option<NaiveDateTime>,
    /// When it was last presented (to the minute).
    pub last_used_at: Option<NaiveDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
}

/// Stores a new token.
pub fn insert(conn: &mut DbConnection, token: &AccessToken) -> StoreResult<()> {
    diesel::insert_into(access_tokens::table)
        .values(token)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from)
}

/// The token with this secret hash, whatever its state (the caller judges expiry and revocation).
pub fn find_by_hash(conn: &mut DbConnection, hash: &str) -> StoreResult<Option<AccessToken>> {
    access_tokens::table
        .filter(access_tokens::token_hash.eq(hash))
        .select(AccessToken::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// One of `user_id`'s tokens.
pub fn find_for_user(conn: &mut DbConnection, user_id: &str, id: &str) -> StoreResult<AccessToken> {
    access_tokens::table
        .filter(access_tokens::id.eq(id))
        .filter(access_tokens::user_id.eq(user_id))
        .select(AccessToken::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// A page of `user_id`'s tokens in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    user_id: &str,
    updated_since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<AccessToken>> {
    let mut query = access_tokens::table
        .filter(access_tokens::user_id.eq(user_id))
        .select(AccessToken::as_select())
        .order((access_tokens::created_at, access_tokens::id))
        .limit(limit)
        .into_boxed();
    if let Some(since) = updated_since {
        query = query.filter(
            access_tokens::created_at
                .ge(since)
                .or(access_tokens::revoked_at.ge(since)),
        );
    }
    if let Some((at, id)) = after {
        query = query.filter(
            access_tokens::created_at
                .gt(at)
                .or(access_tokens::created_at
                    .eq(at)
                    .and(access_tokens::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// Revokes a token at once (a second revocation keeps the first instant).
pub fn revoke(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(
        access_tokens::table
            .filter(access_tokens::id.eq(id))
            .filter(access_tokens::revoked_at.is_null()),
    )
    .set(access_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Revokes every token of a user (deactivation).
pub fn revoke_all(conn: &mut DbConnection, user_id: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(
        access_tokens::table
            .filter(access_tokens::user_id.eq(user_id))
            .filter(access_tokens::revoked_at.is_null()),
    )
    .set(access_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Notes that a token was used (callers throttle this to once a minute per token).
pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(access_tokens::table.find(id))
        .set(access_tokens::last_used_at.eq(now))
        .execute(conn)?;
    Ok(())
}
