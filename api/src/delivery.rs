//! Sending webhooks: target checks (no SSRF), signatures, and the background worker that drains
//! the outbox and announces time-driven events.
//!
//! Receivers verify a delivery like this: take the `Tandem-Webhook-Timestamp` header (Unix
//! seconds) and the raw body, compute `hex(HMAC-SHA256(secret, timestamp + "." + body))` with the
//! subscription's secret as the key, compare it in constant time with the `v1=` value of
//! `Tandem-Signature`, and reject timestamps more than five minutes old (replays).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use tandem_domain::webhook::{TargetPolicy, TargetRefused};
use tandem_store::webhooks::{self, Attempt, Claimed, Next};
use tandem_store::{DbConnection, StoreError, write_transaction};

use crate::state::AppState;

/// Header with the event id (the same on every try: receivers de-duplicate on it).
pub const ID_HEADER: &str = "Tandem-Webhook-Id";
/// Header with the signing time, Unix seconds.
pub const TIMESTAMP_HEADER: &str = "Tandem-Webhook-Timestamp";
/// Header with the signature: `t=<timestamp>,v1=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "Tandem-Signature";
/// Header with the event type.
pub const EVENT_HEADER: &str = "Tandem-Event-Type";
/// Header with the delivery id (differs between a delivery and its redelivery).
pub const DELIVERY_HEADER: &str = "Tandem-Delivery-Id";

/// `hex(HMAC-SHA256(secret, "{timestamp}.{body}"))`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A fresh signing secret: `whsec_` and 32 random bytes, URL-safe base64.
pub fn new_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Why a target URL is refused, worded for the `url` field of a 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTarget {
    /// Not a URL at all.
    #[error("must be an absolute URL")]
    Malformed,
    /// Refused by policy.
    #[error("{0}")]
    Refused(#[from] TargetRefused),
    /// The host name does not resolve.
    #[error("the host {0} does not resolve")]
    Unresolvable(String),
}

impl BadTarget {
    /// A stable code for the field error.
    pub fn code(&self) -> &'static str {
        match self {
            BadTarget::Malformed => "invalid_url",
            BadTarget::Refused(TargetRefused::Scheme) => "https_required",
            BadTarget::Refused(TargetRefused::Address(..)) => "address_not_allowed",
            BadTarget::Unresolvable(_) => "unresolvable_host",
        }
    }
}

/// Checks a subscription's URL: scheme, and every address its host resolves to.
///
/// The check is repeated when connecting (see [`GuardedResolver`]), so a name that later
/// resolves somewhere private is still refused.
pub async fn check_target(raw: &str, policy: TargetPolicy) -> Result<url::Url, BadTarget> {
    let parsed = url::Url::parse(raw).map_err(|_| BadTarget::Malformed)?;
    policy.check_scheme(parsed.scheme())?;
    let host = match parsed.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => return check_ip(&parsed, policy, ip.into()),
        Some(url::Host::Ipv6(ip)) => return check_ip(&parsed, policy, ip.into()),
        None => return Err(BadTarget::Malformed),
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| BadTarget::Unresolvable(host.clone()))?
        .collect();
    if addrs.is_empty() {
        return Err(BadTarget::Unresolvable(host));
    }
    for addr in addrs {
        policy.check_address(&host, addr.ip())?;
    }
    Ok(parsed)
}

fn check_ip(parsed: &url::Url, policy: TargetPolicy, ip: IpAddr) -> Result<url::Url, BadTarget> {
    policy.check_address(&ip.to_string(), ip)?;
    Ok(parsed.clone())
}

/// DNS for deliveries: resolves like the system does, then refuses the connection if any address
/// is one the policy forbids. This closes DNS rebinding: the address checked is the one used.
struct GuardedResolver {
    policy: TargetPolicy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for addr in &addrs {
                policy.check_address(&host, addr.ip())?;
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client for deliveries: no redirects (a redirect could point anywhere), no proxy
/// from the environment, guarded DNS, and the configured timeout.
fn client(state: &AppState) -> reqwest::Client {
    let config = &state.config.webhooks;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_millis(config.timeout_ms))
        .connect_timeout(Duration::from_millis(config.timeout_ms))
        .dns_resolver(Arc::new(GuardedResolver {
            policy: config.target_policy(),
        }))
        .user_agent(concat!("Tandem-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook client builds")
}

/// Runs the worker until the task is dropped: drains due deliveries every `poll_ms` and looks for
/// time-driven events every `due_scan_secs`.
pub async fn run_worker(state: AppState) {
    let http = client(&state);
    let config = state.config.webhooks.clone();
    let poll = Duration::from_millis(config.poll_ms.max(10));
    let scan_every = Duration::from_secs(config.due_scan_secs.max(1));
    let mut last_scan: Option<Instant> = None;
    loop {
        if last_scan.is_none_or(|t| t.elapsed() >= scan_every) {
            last_scan = Some(Instant::now());
            if let Err(e) = crate::db::run(&state, announce_due).await {
                tracing::warn!(error = %e, "announcing due commitments and reviews failed");
            }
        }
        match drain_once(&state, &http).await {
            // A full batch: there may be more waiting, go again at once.
            Ok(n) if n == BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook delivery round failed"),
        }
        tokio::time::sleep(poll).await;
    }
}

const BATCH: i64 = 16;

/// Claims due deliveries and sends them concurrently; returns how many were claimed.
pub async fn drain_once(
    state: &AppState,
    http: &reqwest::Client,
) -> Result<usize, crate::error::ApiError> {
    let timeout = chrono::Duration::milliseconds(state.config.webhooks.timeout_ms as i64);
    let claimed = crate::db::run(state, move |conn| {
        let now = crate::clock::now().naive_utc();
        if !webhooks::any_due(conn, now)? {
            return Ok::<_, StoreError>(Vec::new());
        }
        // The lease outlives the longest possible try, so only a crashed worker's lapses.
        let lease_until = now + timeout * 2 + chrono::Duration::seconds(30);
        webhooks::claim_due(conn, now, lease_until, BATCH)
    })
    .await?;
    let count = claimed.len();
    let sends = claimed.into_iter().map(|c| send(state, http, c));
    futures_util::future::join_all(sends).await;
    Ok(count)
}

/// One try of one delivery, recorded whatever happens.
async fn send(state: &AppState, http: &reqwest::Client, claimed: Claimed) {
    let sent_at = crate::clock::now();
    let timestamp = sent_at.timestamp();
    let body = claimed.event.payload.clone().into_bytes();
    let signature = signature(&claimed.secret, timestamp, &body);
    let started = Instant::now();
    // Names are checked as they resolve (GuardedResolver); an address in the URL itself never
    // resolves, so it is checked here, against today's policy rather than the one at subscription.
    let policy = state.config.webhooks.target_policy();
    let literal = url::Url::parse(&claimed.url)
        .ok()
        .and_then(|u| match u.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::from(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::from(ip)),
            _ => None,
        });
    if let Some(Err(refused)) = literal.map(|ip| policy.check_address(&ip.to_string(), ip)) {
        let attempt = Attempt {
            delivery_id: claimed.delivery.id.clone(),
            number: claimed.delivery.attempts + 1,
            attempted_at: sent_at.naive_utc(),
            status_code: None,
            error: Some(refused.to_string()),
            duration_ms: 0,
        };
        finish(state, attempt, Next::Failed).await;
        return;
    }
    let result = http
        .post(&claimed.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(ID_HEADER, &claimed.event.id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, format!("t={timestamp},v1={signature}"))
        .header(EVENT_HEADER, &claimed.event.event_type)
        .header(DELIVERY_HEADER, &claimed.delivery.id)
        .body(body)
        .send()
        .await;
    let duration_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let (status_code, error) = match result {
        Ok(res) if res.status().is_success() => (Some(res.status().as_u16() as i32), None),
        Ok(res) => (
            Some(res.status().as_u16() as i32),
            Some(format!("the receiver answered {}", res.status())),
        ),
        Err(e) => (None, Some(describe(&e))),
    };
    let number = claimed.delivery.attempts + 1;
    let next = if error.is_none() {
        Next::Delivered
    } else {
        let jitter = rand::rng().random::<f64>();
        match state
            .config
            .webhooks
            .retry_policy()
            .next_delay(number as u32, jitter)
        {
            Some(wait) => Next::RetryAt((crate::clock::now() + wait).naive_utc()),
            None => Next::Failed,
        }
    };
    let attempt = Attempt {
        delivery_id: claimed.delivery.id.clone(),
        number,
        attempted_at: sent_at.naive_utc(),
        status_code,
        error,
        duration_ms,
    };
    finish(state, attempt, next).await;
}

/// Records a try. If that fails, the lease runs out and the delivery is tried again: at least
/// once, never lost.
async fn finish(state: &AppState, attempt: Attempt, next: Next) {
    let delivery = attempt.delivery_id.clone();
    let recorded = crate::db::run(state, move |conn| {
        webhooks::finish_attempt(conn, &attempt, next)
    })
    .await;
    if let Err(e) = recorded {
        tracing::warn!(%delivery, error = %e, "recording a webhook try failed");
    }
}

/// A transport error in words a receiver's owner can act on.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Announces `commitment.due` and `fit_review.due` that came due since the last look. Each is
/// marked announced in the transaction that publishes it, so several instances announce once.
pub fn announce_due(conn: &mut DbConnection) -> Result<(), StoreError> {
    use crate::events::{CommitmentDue, EventData, FitReviewDue, publish};
    use tandem_store::{commitments, partnerships};

    let now = crate::clock::now();
    // No time zone is more than 14 hours ahead of UTC: nothing due later than this is due yet.
    let horizon = (now + chrono::Duration::hours(14)).date_naive();
    for c in commitments::due_unannounced(conn, horizon)? {
        write_transaction(conn, |conn| {
            let p = partnerships::find(conn, &c.partnership_id)?;
            if c.due_on > crate::handlers::fit_reviews::local_date(&p, now) {
                return Ok(());
            }
            if commitments::mark_due_announced(conn, &c.id)? {
                publish(
                    conn,
                    &c.partnership_id,
                    EventData::CommitmentDue(CommitmentDue {
                        commitment_id: c.id.clone(),
                        meeting_id: c.meeting_id.clone(),
                        owner_id: c.owner_id.clone(),
                        text: c.text.clone(),
                        due_on: c.due_on,
                        goal_id: c.goal_id.clone(),
                    }),
                    now,
                )?;
            }
            Ok::<_, StoreError>(())
        })?;
    }
    for p in partnerships::active(conn)? {
        let due = crate::handlers::fit_reviews::next_review(conn, &p)?;
        if due.due_on > crate::handlers::fit_reviews::local_date(&p, now)
            || partnerships::fit_review_announced_on(conn, &p.id)? == Some(due.due_on)
        {
            continue;
        }
        write_transaction(conn, |conn| {
            if partnerships::mark_fit_review_announced(conn, &p.id, due.due_on)? {
                publish(
                    conn,
                    &p.id,
                    EventData::FitReviewDue(FitReviewDue {
                        due_on: due.due_on,
                        href: format!("/v1/partnerships/{}/fit-reviews", p.id),
                    }),
                    now,
                )?;
            }
            Ok::<_, StoreError>(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: Python's hmac.new(b"whsec_test", b'1795680000.{"id":"e1"}', sha256).
        assert_eq!(
            signature("whsec_test", 1_795_680_000, br#"{"id":"e1"}"#),
            "784e0c6060449bffa49efe38cc0c72c38bfe3dc7618f1c6da8b28ae55e7ac2f5"
        );
        assert_ne!(
            signature("whsec_test", 1_795_680_001, br#"{"id":"e1"}"#),
            signature("whsec_test", 1_795_680_000, br#"{"id":"e1"}"#),
            "the timestamp is signed too, so a replayed body with a new time fails"
        );
    }

    #[test]
    fn secrets_are_long_random_and_recognisable() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.starts_with("whsec_") && a.len() == 6 + 43);
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn targets_are_judged_before_any_request() {
        let strict = TargetPolicy::default();
        let check = |url: &'static str| check_target(url, strict);
        assert_eq!(
            check("https://8.8.8.8/hook").await.map(|u| u.to_string()),
            Ok("https://8.8.8.8/hook".into())
        );
        assert_eq!(check("nonsense").await, Err(BadTarget::Malformed));
        assert_eq!(check("https://").await, Err(BadTarget::Malformed));
        assert_eq!(
            check("http://8.8.8.8/").await.unwrap_err().code(),
            "https_required"
        );
        assert_eq!(
            check("https://[::1]/").await.unwrap_err().code(),
            "address_not_allowed"
        );
        assert_eq!(
            check("https://no-such-host.invalid/")
                .await
                .unwrap_err()
                .code(),
            "unresolvable_host"
        );
    }
}
