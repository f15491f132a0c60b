//! Webhook subscriptions: tell an integration what changed instead of letting it poll. Each
//! subscription belongs to one user and receives the events of the partnerships that user is in
//! (optionally one), signed with its own secret. Deliveries are logged and can be re-sent.
//!
//! Receivers verify a delivery like this: take the `Tandem-Webhook-Timestamp` header (Unix
//! seconds) and the raw body, compute `hex(HMAC-SHA256(secret, timestamp + "." + body))` with the
//! subscription's secret as the key, compare it in constant time with the `v1=` value of
//! `Tandem-Signature`, and reject timestamps more than five minutes old (replays).

use std::net::{IpAddr, SocketAddr};

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tandem_domain::events::{EventData, WebhookTest};
use tandem_domain::names::Named;
use tandem_domain::webhook::{DeliveryStatus, EventType, TargetPolicy, TargetRefused};
use tandem_store::webhooks;
pub use tandem_store::webhooks::{Attempt, Delivery, Logged, Webhook};

use crate::{Actor, AppError, AppResult, Tx, new_id};

/// The signature of a delivery: hex HMAC-SHA256 of `"<timestamp>.<body>"` under the secret.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A new signing secret: 32 random bytes, recognisable by its prefix.
pub fn new_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Why a target URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTarget {
    /// Not an absolute URL.
    #[error("must be an absolute URL")]
    Malformed,
    /// The scheme or an address is not allowed.
    #[error("{0}")]
    Refused(#[from] TargetRefused),
    /// The host does not resolve.
    #[error("the host {0} does not resolve")]
    Unresolvable(String),
}

impl BadTarget {
    /// The field error code.
    pub fn code(&self) -> &'static str {
        match self {
            BadTarget::Malformed => "invalid_url",
            BadTarget::Refused(TargetRefused::Scheme) => "https_required",
            BadTarget::Refused(TargetRefused::Address(..)) => "address_not_allowed",
            BadTarget::Unresolvable(_) => "unresolvable_host",
        }
    }
}

/// Checks a target URL against the policy, resolving its host now: every address it resolves to
/// must be allowed. Deliveries check again at every connection (names can be rebound).
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

/// The URL checked for a request body field, as an invalid-field error when refused.
pub async fn checked_url(url: &str, policy: TargetPolicy) -> AppResult<String> {
    check_target(url, policy)
        .await
        .map(|u| u.to_string())
        .map_err(|e| AppError::field("url", e.code(), e.to_string()))
}

/// The stored form of a subscription's event types: their names, sorted, once each.
fn event_types_json(events: &[EventType]) -> String {
    let mut names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    serde_json::to_string(&names).expect("names serialise")
}

/// The event types a subscription wants.
pub fn event_types(hook: &Webhook) -> Vec<EventType> {
    serde_json::from_str::<Vec<String>>(&hook.event_types)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| EventType::parse(n))
        .collect()
}

/// The actor's subscription `id` (one limited to their token's partnership, for a limited token).
pub fn owned(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Webhook> {
    let hook = webhooks::find_for_owner(tx.conn, &actor.id, id)?;
    if actor.only.is_some() && hook.partnership_id != actor.only {
        return Err(AppError::NotFound);
    }
    Ok(hook)
}

/// A limited token's subscription must be limited to the same partnership.
fn limited_to() -> AppError {
    AppError::field(
        "partnership_id",
        "unknown_partnership",
        "must be the partnership this token is limited to",
    )
}

/// A new subscription (its URL already checked).
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Where to send events.
    pub url: String,
    /// Which events.
    pub events: Vec<EventType>,
    /// Only this partnership's events.
    pub partnership_id: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Sends events (default true).
    pub active: Option<bool>,
}

/// Subscribes the actor; returns the subscription and its signing secret (shown once).
pub fn create(tx: &mut Tx<'_>, actor: &Actor, new: NewWebhook) -> AppResult<(Webhook, String)> {
    let partnership_id = match (new.partnership_id, &actor.only) {
        (None, only) => only.clone(),
        (Some(p), Some(only)) if &p != only => return Err(limited_to()),
        (Some(p), _) => Some(p),
    };
    crate::partnerships::ensure_mine(tx, actor, partnership_id.as_deref())?;
    let now = tx.now().naive_utc();
    let secret = new_secret();
    let hook = Webhook {
        id: new_id(),
        owner_id: actor.id.clone(),
        url: new.url,
        secret: secret.clone(),
        event_types: event_types_json(&new.events),
        partnership_id,
        description: new.description.map(|d| d.trim().to_owned()),
        active: new.active.unwrap_or(true),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    webhooks::insert(tx.conn, &hook)?;
    Ok((hook, secret))
}

/// A page of the actor's subscriptions.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Webhook>> {
    Ok(webhooks::list_for_owner(
        tx.conn,
        &actor.id,
        actor.only.as_deref(),
        since,
        after,
        limit,
    )?)
}

/// A subscription edit; absent fields stay (the URL already checked).
#[derive(Debug, Clone, Default)]
pub struct WebhookEdit {
    /// New URL.
    pub url: Option<String>,
    /// New event types.
    pub events: Option<Vec<EventType>>,
    /// New partnership filter (`Some(None)`: every partnership).
    pub partnership_id: Option<Option<String>>,
    /// New description.
    pub description: Option<Option<String>>,
    /// Pause (false) or resume (true).
    pub active: Option<bool>,
}

/// Edits the actor's subscription, if still at `expected` version.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    edit: WebhookEdit,
) -> AppResult<Webhook> {
    let mut hook = owned(tx, actor, id)?;
    if expected.is_some_and(|v| v != hook.version) {
        return Err(AppError::Stale);
    }
    if let Some(partnership) = edit.partnership_id {
        if actor.only.is_some() && partnership != actor.only {
            return Err(limited_to());
        }
        crate::partnerships::ensure_mine(tx, actor, partnership.as_deref())?;
        hook.partnership_id = partnership;
    }
    if let Some(url) = edit.url {
        hook.url = url;
    }
    if let Some(events) = &edit.events {
        hook.event_types = event_types_json(events);
    }
    if let Some(description) = edit.description {
        hook.description = description.map(|d| d.trim().to_owned());
    }
    if let Some(active) = edit.active {
        hook.active = active;
    }
    hook.version += 1;
    hook.updated_at = tx.now().naive_utc();
    webhooks::save(tx.conn, &hook)?;
    Ok(hook)
}

/// Deletes the actor's subscription and its delivery log, if still at `expected` version.
pub fn delete(tx: &mut Tx<'_>, actor: &Actor, id: &str, expected: Option<i64>) -> AppResult<()> {
    let hook = owned(tx, actor, id)?;
    if expected.is_some_and(|v| v != hook.version) {
        return Err(AppError::Stale);
    }
    Ok(webhooks::delete(tx.conn, &hook.id)?)
}

/// A delivery just queued, with its event type.
#[derive(Debug, Clone)]
pub struct Queued {
    /// The subscription.
    pub webhook_id: String,
    /// The delivery.
    pub delivery: Delivery,
    /// Its event's type.
    pub event_type: String,
}

/// Queues a `webhook.test` ping to the actor's subscription only.
pub fn test(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Queued> {
    let hook = owned(tx, actor, id)?;
    let event = crate::events::outbox_row(
        tx,
        None,
        EventData::WebhookTest(WebhookTest {
            webhook_id: hook.id.clone(),
            message: "Hello from Tandem: this subscription works.".into(),
        }),
    )?;
    webhooks::insert_event(tx.conn, &event)?;
    let delivery = Delivery::queued(new_id(), &hook.id, &event.id, tx.now().naive_utc());
    webhooks::insert_delivery(tx.conn, &delivery)?;
    Ok(Queued {
        webhook_id: hook.id,
        delivery,
        event_type: event.event_type,
    })
}

/// A page of a subscription's deliveries, each with every try.
pub fn deliveries(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    status: Option<DeliveryStatus>,
    since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Logged>> {
    let hook = owned(tx, actor, id)?;
    Ok(webhooks::deliveries(
        tx.conn, &hook.id, status, since, after, limit,
    )?)
}

/// One delivery of a subscription, with every try.
pub fn delivery(tx: &mut Tx<'_>, actor: &Actor, id: &str, delivery_id: &str) -> AppResult<Logged> {
    let hook = owned(tx, actor, id)?;
    Ok(webhooks::find_delivery(tx.conn, &hook.id, delivery_id)?)
}

/// Queues a new delivery of the same event (same event id, new delivery id).
pub fn redeliver(tx: &mut Tx<'_>, actor: &Actor, id: &str, delivery_id: &str) -> AppResult<Queued> {
    let hook = owned(tx, actor, id)?;
    let old = webhooks::find_delivery(tx.conn, &hook.id, delivery_id)?;
    let again = Delivery::queued(
        new_id(),
        &hook.id,
        &old.delivery.event_id,
        tx.now().naive_utc(),
    );
    webhooks::insert_delivery(tx.conn, &again)?;
    Ok(Queued {
        webhook_id: hook.id,
        delivery: again,
        event_type: old.event_type,
    })
}
