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
#[schema(example = json!({"email": "ada@example.com", "display_name": "Ada Lovelace", "time_zone": "Europe/London"}))]
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
