//! What the personal access token endpoints accept.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tandem_domain::token::Scope;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// A new token.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sales dashboard", "scopes": ["read"], "expires_at": "2027-06-30T00:00:00Z"}))]
pub struct CreateTokenRequest {
    /// What it is for, to recognise it later.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// What it may do: `read` (GET only), `readings:write` (read, and record or correct readings),
    /// `full` (everything except managing tokens). A repeated scope counts once.
    #[validate(length(min = 1, max = 3))]
    #[schema(min_items = 1, max_items = 3)]
    pub scopes: Vec<Scope>,
    /// When it stops working (default: never; must be in the future).
    pub expires_at: Option<DateTime<Utc>>,
    /// Limit it to one of your partnerships: every other partnership is 404 to it, and it creates
    /// none.
    pub partnership_id: Option<uuid::Uuid>,
}

/// Paging through tokens.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTokensQuery {
    /// Created or revoked at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
