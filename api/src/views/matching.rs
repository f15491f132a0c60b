//! What the matching endpoints answer.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::matching_profiles::Profile;
use tandem_domain::matching::{CommunicationStyle, LeadershipValue};
use utoipa::ToSchema;

/// A matching profile.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "values": ["candour", "ownership"], "skills_offered": ["enterprise-sales", "pricing"],
    "skills_sought": ["hiring"], "communication_style": "direct", "department": "Sales",
    "level": "Director", "manager_id": null, "time_zone": "Europe/London", "version": 1,
    "updated_at": "2026-11-30T09:00:00Z"
}))]
pub struct MatchingProfileView {
    /// Values held.
    pub values: Vec<LeadershipValue>,
    /// Skills offered (normalised).
    pub skills_offered: Vec<String>,
    /// Skills sought (normalised).
    pub skills_sought: Vec<String>,
    /// How they like to talk things through.
    pub communication_style: Option<CommunicationStyle>,
    /// Department.
    pub department: Option<String>,
    /// Level.
    pub level: Option<String>,
    /// Their manager's user id, from provisioning: a manager and their report are never paired.
    #[schema(format = Uuid)]
    pub manager_id: Option<String>,
    /// The account's time zone, which matching uses for working-hours overlap (change it with
    /// `PATCH /v1/me`).
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// Version (the ETag); 0 until first set.
    pub version: i64,
    /// Last changed; null until first set.
    pub updated_at: Option<DateTime<Utc>>,
}

impl MatchingProfileView {
    /// The view of `p` for an account in `time_zone`.
    pub fn new(p: &Profile, time_zone: String) -> MatchingProfileView {
        MatchingProfileView {
            values: p.values.clone(),
            skills_offered: p.skills_offered.clone(),
            skills_sought: p.skills_sought.clone(),
            communication_style: p.communication_style,
            department: p.department.clone(),
            level: p.level.clone(),
            manager_id: p.manager_id.clone(),
            time_zone,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}
