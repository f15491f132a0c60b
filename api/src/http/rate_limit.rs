//! Per-client-address limits on the endpoints that mint credentials or accounts, so passwords
//! cannot be guessed at speed and registrations cannot be sprayed.

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};

use crate::http::problem::ApiError;
use crate::state::AppState;

/// Keys kept before forgetting addresses whose budget has fully recovered.
const MAX_TRACKED: usize = 10_000;

/// Spends one request of the caller's budget, or refuses with 429 and when to retry.
///
/// The client is the TCP peer address; behind a reverse proxy every client shares the proxy's
/// budget, so run the proxy's own limit there (documented in the README).
pub fn check(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let Some(limiter) = &state.auth_limiter else {
        return Ok(());
    };
    let Some(ip) = req.peer_addr().map(|a| a.ip()) else {
        return Ok(());
    };
    if limiter.len() > MAX_TRACKED {
        limiter.retain_recent();
    }
    limiter.check_key(&ip).map_err(too_many)
}

/// Spends one request of a feed link's budget, or refuses with 429 and when to retry.
pub fn check_feed(state: &AppState, link_id: &str) -> Result<(), ApiError> {
    let Some(limiter) = &state.feed_limiter else {
        return Ok(());
    };
    if limiter.len() > MAX_TRACKED {
        limiter.retain_recent();
    }
    limiter.check_key(&link_id.to_owned()).map_err(too_many)
}

fn too_many(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> ApiError {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    ApiError::TooManyRequests {
        retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
    }
}
