//! Each person's notification preferences: which kinds of email they turned off, and their
//! quiet hours. No row means the defaults (everything on, no quiet hours).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::notification_preferences;
use crate::{DbConnection, StoreError, StoreResult};

/// A person's stored preferences.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = notification_preferences)]
pub struct Preferences {
    /// Whose.
    pub user_id: String,
    /// Email kinds turned off, comma-separated stable names.
    pub email_off: String,
    /// Quiet hours start, `HH:MM` local.
    pub quiet_from: Option<String>,
    /// Quiet hours end, `HH:MM` local.
    pub quiet_until: Option<String>,
    /// Version (the ETag).
    pub version: i64,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Kinds of news muted on the webhook channel, comma-separated stable names.
    pub webhook_off: String,
}

/// Someone's preferences, if they ever set any.
pub fn find(conn: &mut DbConnection, user_id: &str) -> StoreResult<Option<Preferences>> {
    notification_preferences::table
        .find(user_id)
        .select(Preferences::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Of `user_ids`, those who muted `kind` (a stable name) on the webhook channel.
pub fn muting_webhooks(
    conn: &mut DbConnection,
    user_ids: &[&str],
    kind: &str,
) -> StoreResult<Vec<String>> {
    let rows: Vec<(String, String)> = notification_preferences::table
        .filter(notification_preferences::user_id.eq_any(user_ids))
        .filter(notification_preferences::webhook_off.ne(""))
        .select((
            notification_preferences::user_id,
            notification_preferences::webhook_off,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, off)| off.split(',').any(|k| k == kind))
        .map(|(user, _)| user)
        .collect())
}

/// Stores `prefs` whole, creating the row the first time.
pub fn save(conn: &mut DbConnection, prefs: &Preferences) -> StoreResult<()> {
    let updated = diesel::update(notification_preferences::table.find(&prefs.user_id))
        .set(prefs)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(notification_preferences::table)
            .values(prefs)
            .execute(conn)?;
    }
    Ok(())
}
