//! What every handler shares.

use std::sync::Arc;

use tandem_app::App;

use crate::auth::external::ExternalIssuers;
use crate::auth::tokens::TokenKeys;
use crate::config::Config;

/// Application state, cloned into each worker (cheap: everything is behind `Arc` or a pool).
#[derive(Clone)]
pub struct AppState {
    /// The use cases, over the database pool.
    pub app: App,
    /// JWT keys.
    pub tokens: Arc<TokenKeys>,
    /// Settings.
    pub config: Arc<Config>,
    /// Trusted external issuers.
    pub external: Arc<ExternalIssuers>,
    /// This server's metrics (served on the metrics listener, if any).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Per-address limiter for sign-in and registration (none when unlimited).
    pub auth_limiter: Option<Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>>,
    /// Per-link limiter for feed requests (none when unlimited).
    pub feed_limiter: Option<Arc<governor::DefaultKeyedRateLimiter<String>>>,
}
