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
