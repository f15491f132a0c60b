//! Sending webhooks: claim due deliveries under a lease, sign and post them, record every try, and
//! schedule retries with backoff and jitter. Targets are checked again at every connection (a
//! guarded DNS resolver), so a name rebound to a private address after subscribing goes nowhere.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use tandem_domain::webhook::{TargetPolicy, headers};
use tandem_store::webhooks::{self, Attempt, Claimed, Next};

use crate::{App, AppResult, Settings};

/// Deliveries claimed per round.
pub const BATCH: i64 = 16;

/// Resolves names for deliveries and refuses any address the policy does not allow.
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

/// The HTTP client deliveries go out with: no redirects, no proxy from the environment, the
/// configured timeout, and the guarded resolver.
pub fn client(settings: &Settings) -> reqwest::Client {
    let webhooks = &settings.webhooks;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_millis(webhooks.timeout_ms))
        .connect_timeout(Duration::from_millis(webhooks.timeout_ms))
        .dns_resolver(Arc::new(GuardedResolver {
            policy: webhooks.target_policy(),
        }))
        .user_agent(concat!("Tandem-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook client builds")
}

/// Claims a batch of due deliveries and sends them concurrently; returns how many were claimed.
/// The claim and each try's record are writes like any other (on SQLite, for the one writer).
pub async fn drain_once(app: &App, http: &reqwest::Client) -> AppResult<usize> {
    let timeout = chrono::Duration::milliseconds(app.settings().webhooks.timeout_ms as i64);
    // The lease outlives the longest possible try, so only a crashed worker's lapses.
    let lease = timeout * 2 + chrono::Duration::seconds(30);
    let claimed =
        super::claim_due(app, webhooks::any_due, webhooks::claim_due, lease, BATCH).await?;
    let count = claimed.len();
    let sends = claimed.into_iter().map(|c| send(app, http, c));
    futures_util::future::join_all(sends).await;
    Ok(count)
}

async fn send(app: &App, http: &reqwest::Client, claimed: Claimed) {
    let sent_at = app.now();
    let timestamp = sent_at.timestamp();
    let body = claimed.event.payload.clone().into_bytes();
    let signature = crate::webhooks::signature(&claimed.secret, timestamp, &body);
    let started = Instant::now();
    // Names are checked as they resolve (GuardedResolver); an address in the URL itself never
    // resolves, so it is checked here, against today's policy rather than the one at subscription.
    let policy = app.settings().webhooks.target_policy();
    let literal = url::Url::parse(&claimed.url)
        .ok()
        .and_then(|u| match u.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::from(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::from(ip)),
            _ => None,
        });
    let number = claimed.delivery.attempts + 1;
    if let Some(Err(refused)) = literal.map(|ip| policy.check_address(&ip.to_string(), ip)) {
        let attempt = Attempt {
            delivery_id: claimed.delivery.id.clone(),
            number,
            attempted_at: sent_at.naive_utc(),
            status_code: None,
            error: Some(refused.to_string()),
            duration_ms: 0,
        };
        finish(app, attempt, Next::Failed).await;
        return;
    }
    let result = http
        .post(&claimed.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(headers::ID, &claimed.event.id)
        .header(headers::TIMESTAMP, timestamp.to_string())
        .header(headers::SIGNATURE, format!("t={timestamp},v1={signature}"))
        .header(headers::EVENT, &claimed.event.event_type)
        .header(headers::DELIVERY, &claimed.delivery.id)
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
    let next = if error.is_none() {
        Next::Delivered
    } else {
        let jitter = rand::rng().random::<f64>();
        match app
            .settings()
            .webhooks
            .retry_policy()
            .next_delay(number as u32, jitter)
        {
            Some(wait) => Next::RetryAt((app.now() + wait).naive_utc()),
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
    finish(app, attempt, next).await;
}

async fn finish(app: &App, attempt: Attempt, next: Next) {
    crate::metrics::delivery(match next {
        Next::Delivered => "delivered",
        Next::RetryAt(_) => "retrying",
        Next::Failed => "failed",
    });
    let delivery = attempt.delivery_id.clone();
    let recorded = app
        .write(move |tx| Ok(webhooks::finish_attempt(tx.conn, &attempt, next)?))
        .await;
    if let Err(e) = recorded {
        tracing::warn!(%delivery, error = %e, "recording a webhook try failed");
    }
}

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
