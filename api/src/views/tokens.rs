//! Personal access tokens and calendar feed tokens as their owners see them (never the secret,
//! except once, on creation).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::tokens::AccessToken;
use tandem_domain::token::Scope;
use utoipa::ToSchema;

/// A token as listed (never the secret).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90", "name": "Sales dashboard", "prefix": "tdm_pat_Xb3k",
    "scopes": ["read"], "partnership_id": null, "expires_at": "2027-06-30T00:00:00Z",
    "last_used_at": "2026-11-25T10:00:00Z", "revoked_at": null, "created_at": "2026-11-25T09:00:00Z"
}))]
pub struct TokenView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The secret's first characters.
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// The one partnership it reaches, if limited.
    #[schema(format = Uuid)]
    pub partnership_id: Option<String>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<&AccessToken> for TokenView {
    fn from(t: &AccessToken) -> Self {
        TokenView {
            id: t.id.clone(),
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scopes: tandem_app::tokens::scopes(t),
            partnership_id: t.partnership_id.clone(),
            expires_at: t.expires_at.map(|x| x.and_utc()),
            last_used_at: t.last_used_at.map(|x| x.and_utc()),
            revoked_at: t.revoked_at.map(|x| x.and_utc()),
            created_at: t.created_at.and_utc(),
        }
    }
}

/// A new token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenView {
    /// The token.
    #[serde(flatten)]
    pub token: TokenView,
    /// The secret: send it as `Authorization: Bearer <token>`. It cannot be shown again.
    #[schema(example = "tdm_pat_Xb3kq0GJ0m6yqJ8mBz9fJ5r2Qh3n4wV8d1sT7uYcLeA")]
    pub secret: String,
}

/// A feed token (never the secret, except once at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedTokenView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The secret's first characters.
    pub prefix: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The feed URL with the secret: only in the creation response.
    pub feed_url: Option<String>,
}

/// A feed token's view; `feed_url` only on creation.
pub fn feed_view(t: &AccessToken, feed_url: Option<String>) -> FeedTokenView {
    FeedTokenView {
        id: t.id.clone(),
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_at: t.created_at.and_utc(),
        last_used_at: t.last_used_at.map(|x| x.and_utc()),
        revoked_at: t.revoked_at.map(|x| x.and_utc()),
        feed_url,
    }
}
