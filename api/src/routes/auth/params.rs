//! What the authentication endpoints accept.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::http::validation;

/// A new account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "ada@example.com",
    "password": "correct horse battery staple",
    "display_name": "Ada Lovelace",
    "time_zone": "Europe/London"
}))]
pub struct RegisterRequest {
    /// Sign-in email; unique regardless of case.
    #[validate(custom(function = "validation::email"))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// At least 10 characters.
    #[validate(length(min = 10, max = 256))]
    #[schema(format = Password, min_length = 10, max_length = 256)]
    pub password: String,
    /// Name shown to partners.
    #[validate(custom(function = "validation::display_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"^\s*\S")]
    pub display_name: String,
    /// IANA time zone, used for meeting times and dates.
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
}

/// Credentials for a new session.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery staple"}))]
pub struct TokenRequest {
    /// The account's email, in any case.
    #[validate(length(max = 254))]
    #[schema(max_length = 254)]
    pub email: String,
    /// The account's password.
    #[validate(length(max = 256))]
    #[schema(format = Password, max_length = 256)]
    pub password: String,
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJyZWZyZXNoIn0.c2ln"}))]
pub struct RefreshRequest {
    /// The refresh token from the last token response; each one works once.
    #[validate(length(max = 4096))]
    #[schema(max_length = 4096)]
    pub refresh_token: String,
}
