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

/// A feed link: one partnership's CSV reports and calendar at URLs that carry a secret, for
/// spreadsheets and calendar apps that cannot send headers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "name": "Team dashboard",
    "prefix": "tdm_feed_Xk3f", "created_at": "2026-11-30T09:00:00Z",
    "expires_at": null, "last_used_at": null, "revoked_at": null,
    "urls": {"scorecard": "https://tandem.example/v1/feeds/tdm_feed_…/scorecard.csv",
             "goals": "https://tandem.example/v1/feeds/tdm_feed_…/goals.csv",
             "readings": "https://tandem.example/v1/feeds/tdm_feed_…/readings.csv",
             "meetings": "https://tandem.example/v1/feeds/tdm_feed_…/meetings.csv",
             "commitments": "https://tandem.example/v1/feeds/tdm_feed_…/commitments.csv",
             "check_ins": "https://tandem.example/v1/feeds/tdm_feed_…/check-ins.csv",
             "progress_history": "https://tandem.example/v1/feeds/tdm_feed_…/progress-history.csv",
             "calendar": "https://tandem.example/v1/feeds/tdm_feed_…/calendar.ics"}
}))]
pub struct FeedLinkView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The secret's first characters, to recognise it.
    pub prefix: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When it stops working (never if null).
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (noted at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Its URLs, carrying the secret: only in the creation response, never again.
    pub urls: Option<FeedUrls>,
}

/// A feed link's URLs, absolute, each working with no header at all.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedUrls {
    /// The scorecard (`scorecard.csv`).
    pub scorecard: String,
    /// The goals (`goals.csv`).
    pub goals: String,
    /// Every goal's readings (`readings.csv`).
    pub readings: String,
    /// The meetings (`meetings.csv`).
    pub meetings: String,
    /// The commitments (`commitments.csv`).
    pub commitments: String,
    /// The check-ins (`check-ins.csv`).
    pub check_ins: String,
    /// The weekly progress history (`progress-history.csv`).
    pub progress_history: String,
    /// The meeting calendar (`calendar.ics`).
    pub calendar: String,
}

impl FeedUrls {
    /// The URLs of the link with `secret` under `base` (`https://host`).
    pub fn of(base: &str, secret: &str) -> Self {
        let url = |file: &str| format!("{base}/v1/feeds/{secret}/{file}");
        FeedUrls {
            scorecard: url("scorecard.csv"),
            goals: url("goals.csv"),
            readings: url("readings.csv"),
            meetings: url("meetings.csv"),
            commitments: url("commitments.csv"),
            check_ins: url("check-ins.csv"),
            progress_history: url("progress-history.csv"),
            calendar: url("calendar.ics"),
        }
    }
}

/// A feed link's view; `urls` only on creation.
pub fn feed_link_view(t: &AccessToken, urls: Option<FeedUrls>) -> FeedLinkView {
    FeedLinkView {
        id: t.id.clone(),
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_at: t.created_at.and_utc(),
        expires_at: t.expires_at.map(|x| x.and_utc()),
        last_used_at: t.last_used_at.map(|x| x.and_utc()),
        revoked_at: t.revoked_at.map(|x| x.and_utc()),
        urls,
    }
}
