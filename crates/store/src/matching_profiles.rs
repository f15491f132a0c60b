//! What cohort matching knows of each person. No row means an empty profile.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::matching_profiles;
use crate::{DbConnection, StoreError, StoreResult};

/// A person's stored matching profile.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = matching_profiles)]
#[diesel(treat_none_as_null = true)]
pub struct MatchingProfile {
    /// Whose.
    pub user_id: String,
    /// Values held: a JSON array of stable names.
    pub held_values: String,
    /// Skills offered: a JSON array of normalised tags.
    pub skills_offered: String,
    /// Skills sought: a JSON array of normalised tags.
    pub skills_sought: String,
    /// Communication style's stable name.
    pub communication_style: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Level.
    pub level: Option<String>,
    /// Their manager's user id (set by provisioning).
    pub manager_id: Option<String>,
    /// Version (the ETag).
    pub version: i64,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// Someone's profile, if they or provisioning ever set one.
pub fn find(conn: &mut DbConnection, user_id: &str) -> StoreResult<Option<MatchingProfile>> {
    matching_profiles::table
        .find(user_id)
        .select(MatchingProfile::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// The profiles of `user_ids` that exist.
pub fn of_many(conn: &mut DbConnection, user_ids: &[String]) -> StoreResult<Vec<MatchingProfile>> {
    matching_profiles::table
        .filter(matching_profiles::user_id.eq_any(user_ids))
        .select(MatchingProfile::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Stores `profile` whole, creating the row the first time.
pub fn save(conn: &mut DbConnection, profile: &MatchingProfile) -> StoreResult<()> {
    let updated = diesel::update(matching_profiles::table.find(&profile.user_id))
        .set(profile)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(matching_profiles::table)
            .values(profile)
            .execute(conn)?;
    }
    Ok(())
}
