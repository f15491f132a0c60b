//! What the provisioning endpoints accept.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::extract::non_null;
use crate::http::validation;

/// A person as the provisioning system knows them.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ada@example.com", "display_name": "Ada Lovelace", "time_zone": "Europe/London",
    "department": "Sales", "level": "Director", "manager_external_id": "hr-0001"}))]
pub struct ProvisionUserRequest {
    /// Email (unique in Tandem).
    #[validate(custom(function = "validation::email"))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Display name.
    #[validate(custom(function = "validation::display_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"^\s*\S")]
    pub display_name: String,
    /// IANA time zone.
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// `false` deactivates, `true` reactivates; absent leaves it as it is (new accounts are
    /// active).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// Department, for cohort matching (two people of one department are not paired unless the
    /// cohort allows it); absent leaves it as it is, `""` clears it.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(max = 100))]
    #[schema(nullable = false, max_length = 100)]
    pub department: Option<String>,
    /// Level, for programme reports; absent leaves it, `""` clears it.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(max = 100))]
    #[schema(nullable = false, max_length = 100)]
    pub level: Option<String>,
    /// The provisioning id of their manager, another provisioned, active person (a manager and
    /// their report are never paired); absent leaves it, `""` clears it.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(max = 200))]
    #[schema(nullable = false, max_length = 200)]
    pub manager_external_id: Option<String>,
}

/// Paging through accounts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
