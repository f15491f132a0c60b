//! Accounts as their owners and provisioning systems see them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::identity::User;
use utoipa::ToSchema;
use uuid::Uuid;

/// An account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "email": "ada@example.com",
    "display_name": "Ada Lovelace",
    "time_zone": "Europe/London",
    "created_at": "2026-11-25T09:00:00Z",
    "updated_at": "2026-11-25T09:00:00Z"
}))]
pub struct UserView {
    /// Stable id.
    pub id: Uuid,
    /// Sign-in email, lower-cased.
    #[schema(format = Email)]
    pub email: String,
    /// Name shown to partners.
    pub display_name: String,
    /// IANA time zone.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            time_zone: user.time_zone,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// An account as provisioning sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "external_id": "hr-10442", "email": "ada@example.com",
    "display_name": "Ada Lovelace", "time_zone": "Europe/London", "active": true, "is_admin": false,
    "deactivated_at": null, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"
}))]
pub struct AdminUserView {
    /// Tandem's id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The provisioning system's id.
    pub external_id: Option<String>,
    /// Email.
    #[schema(format = Email)]
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Time zone.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// Not deactivated.
    pub active: bool,
    /// Holds the admin role.
    pub is_admin: bool,
    /// When it was deactivated.
    pub deactivated_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for AdminUserView {
    fn from(u: &User) -> Self {
        AdminUserView {
            id: u.id.to_string(),
            external_id: u.external_id.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            time_zone: u.time_zone.clone(),
            active: u.deactivated_at.is_none(),
            is_admin: u.is_admin,
            deactivated_at: u.deactivated_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A fresh token pair.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJhY2Nlc3MifQ.c2ln",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJyZWZyZXNoIn0.c2ln",
    "refresh_expires_in": 2592000
}))]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// How to send `access_token`: always `Bearer`.
    pub token_type: TokenScheme,
    /// Seconds until the access token expires.
    pub expires_in: u32,
    /// Single-use token for `POST /v1/auth/refresh`.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u32,
}

/// The scheme an access token is sent with (RFC 6750); one value, typed so clients need not
/// compare strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum TokenScheme {
    /// `Authorization: Bearer <access_token>`.
    Bearer,
}
