//! Accounts: people who sign in to Tandem.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::users;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable id.
    pub id: Uuid,
    /// Lower-cased email; unique.
    pub email: String,
    /// Name shown to the partner.
    pub display_name: String,
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// argon2id PHC string; `None` for accounts that only sign in through an external issuer.
    pub password_hash: Option<String>,
    /// Bumped on every change; the basis of the ETag.
    pub version: i64,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
    /// The provisioning system's id for this person, if provisioned.
    pub external_id: Option<String>,
    /// Granted the admin role (provisioning; never partnership contents).
    pub is_admin: bool,
    /// When the account was deactivated; no credential of a deactivated account works.
    pub deactivated_at: Option<DateTime<Utc>>,
}

/// An account row as stored.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    display_name: String,
    time_zone: String,
    password_hash: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    external_id: Option<String>,
    is_admin: bool,
    deactivated_at: Option<NaiveDateTime>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: crate::db_uuid(&row.id),
            email: row.email,
            display_name: row.display_name,
            time_zone: row.time_zone,
            password_hash: row.password_hash,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            external_id: row.external_id,
            is_admin: row.is_admin,
            deactivated_at: row.deactivated_at.map(|t| t.and_utc()),
        }
    }
}

/// What registration stores.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Already normalised (trimmed, lower-cased) by the caller.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// IANA time zone name, already validated.
    pub time_zone: &'a str,
    /// argon2id PHC string.
    pub password_hash: Option<&'a str>,
    /// The provisioning system's id.
    pub external_id: Option<&'a str>,
}

/// Creates an account. A taken email is [`StoreError::Conflict`].
pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>, now: DateTime<Utc>) -> StoreResult<User> {
    let row = UserRow {
        id: Uuid::now_v7().to_string(),
        email: new.email.to_owned(),
        display_name: new.display_name.to_owned(),
        time_zone: new.time_zone.to_owned(),
        password_hash: new.password_hash.map(str::to_owned),
        version: 1,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
        external_id: new.external_id.map(str::to_owned),
        is_admin: false,
        deactivated_at: None,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("email".into()),
            other => other,
        })?;
    Ok(row.into())
}

/// Looks an account up by id.
pub fn find(conn: &mut DbConnection, id: Uuid) -> StoreResult<User> {
    users::table
        .find(id.to_string())
        .select(UserRow::as_select())
        .first(conn)
        .map(User::from)
        .map_err(StoreError::from)
}

/// Looks an account up by its id in text form (as other tables reference it).
pub fn find_str(conn: &mut DbConnection, id: &str) -> StoreResult<User> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .map(User::from)
        .map_err(StoreError::from)
}

/// The display names of the accounts `ids`, as (id, name) pairs in no particular order.
pub fn display_names(
    conn: &mut DbConnection,
    ids: &[String],
) -> StoreResult<Vec<(String, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
        .map_err(StoreError::from)
}

/// Looks an account up by its normalised email.
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> StoreResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(User::from))
        .map_err(StoreError::from)
}

/// A profile edit; `None` leaves a field as it is.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = users)]
pub struct ProfileChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// New password hash.
    pub password_hash: Option<String>,
}

/// Applies `changes`; with `expected_version`, only if nobody changed the account since
/// (otherwise [`StoreError::Stale`] and nothing is written).
pub fn update_profile(
    conn: &mut DbConnection,
    id: Uuid,
    changes: &ProfileChanges,
    expected_version: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<User> {
    crate::write_transaction(conn, |conn| {
        let current = find(conn, id)?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(StoreError::Stale);
        }
        // The version guard makes a concurrent writer that read the same version lose cleanly.
        let updated = diesel::update(
            users::table
                .filter(users::id.eq(id.to_string()))
                .filter(users::version.eq(current.version)),
        )
        .set((
            changes,
            users::version.eq(current.version + 1),
            users::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(StoreError::Stale);
        }
        find(conn, id)
    })
}

/// Of `ids` and `external_ids`, the active accounts that exist: (id, external id) pairs, so a
/// bulk request can say which of its references name nobody.
pub fn active_by_ids(
    conn: &mut DbConnection,
    ids: &[String],
    external_ids: &[String],
) -> StoreResult<Vec<(String, Option<String>)>> {
    users::table
        .filter(users::deactivated_at.is_null())
        .filter(
            users::id
                .eq_any(ids)
                .or(users::external_id.eq_any(external_ids)),
        )
        .select((users::id, users::external_id))
        .load(conn)
        .map_err(StoreError::from)
}

/// Looks an account up by its provisioning id.
pub fn find_by_external_id(
    conn: &mut DbConnection,
    external_id: &str,
) -> StoreResult<Option<User>> {
    users::table
        .filter(users::external_id.eq(external_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(User::from))
        .map_err(StoreError::from)
}

/// What provisioning sets on an account; `None` leaves a field as it is.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = users)]
pub struct Provisioning {
    /// New email (normalised).
    pub email: Option<String>,
    /// New display name.
    pub display_name: Option<String>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// The provisioning id.
    pub external_id: Option<String>,
    /// `Some(Some(t))` deactivates, `Some(None)` reactivates.
    pub deactivated_at: Option<Option<NaiveDateTime>>,
}

/// Applies provisioning changes as the account's next version. A taken email is
/// [`StoreError::Conflict`]`("email")`.
pub fn provision(
    conn: &mut DbConnection,
    id: Uuid,
    changes: &Provisioning,
    now: DateTime<Utc>,
) -> StoreResult<User> {
    diesel::update(users::table.find(id.to_string()))
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("email".into()),
            other => other,
        })?;
    find(conn, id)
}

/// Grants or withdraws the admin role by email; [`StoreError::NotFound`] for an unknown email.
pub fn set_admin(conn: &mut DbConnection, email: &str, admin: bool) -> StoreResult<()> {
    let updated = diesel::update(users::table.filter(users::email.eq(email)))
        .set(users::is_admin.eq(admin))
        .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A page of accounts in (created_at, id) order, for provisioning systems.
pub fn list(
    conn: &mut DbConnection,
    updated_since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<User>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order((users::created_at, users::id))
        .limit(limit)
        .into_boxed();
    if let Some(since) = updated_since {
        query = query.filter(users::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            users::created_at
                .gt(at)
                .or(users::created_at.eq(at).and(users::id.gt(id))),
        );
    }
    query
        .load(conn)
        .map(|rows| rows.into_iter().map(User::from).collect())
        .map_err(StoreError::from)
}
