//! What the account endpoints accept.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::http::extract::non_null;
use crate::http::validation;

/// A profile edit (JSON merge patch: send only what changes; `null` is refused).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Ada King", "time_zone": "America/New_York"}))]
pub struct UpdateMeRequest {
    /// New display name.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validation::display_name"))]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 100,
        pattern = r"^\s*\S"
    )]
    pub display_name: Option<String>,
    /// New IANA time zone.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(nullable = false, value_type = Option<crate::openapi::TimeZone>)]
    pub time_zone: Option<String>,
    /// New password (at least 10 characters); requires `current_password` (403 if it is wrong).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 10, max = 256))]
    #[schema(nullable = false, format = Password, min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// The current password, required to set a new one.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(max = 256))]
    #[schema(nullable = false, format = Password, max_length = 256)]
    pub current_password: Option<String>,
}
