//! Webhook subscriptions and their delivery logs.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::webhooks::{Delivery, Logged, Queued, Webhook};
use tandem_domain::webhook::{DeliveryStatus, EventType};
use utoipa::ToSchema;

/// A subscription as its owner sees it (the secret only on creation).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fa0", "url": "https://okr.example.com/hooks/tandem",
    "events": ["reading.recorded", "goal.status_changed"], "partnership_id": null,
    "description": "Mirror progress into our OKR tool", "active": true, "version": 1,
    "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"
}))]
pub struct WebhookView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Where events go.
    pub url: String,
    /// Which event types.
    pub events: Vec<EventType>,
    /// Only this partnership's events, if set.
    #[schema(format = Uuid)]
    pub partnership_id: Option<String>,
    /// Label.
    pub description: Option<String>,
    /// Whether deliveries are sent.
    pub active: bool,
    /// Version (also the ETag).
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Webhook> for WebhookView {
    fn from(w: &Webhook) -> Self {
        WebhookView {
            id: w.id.clone(),
            url: w.url.clone(),
            events: tandem_app::webhooks::event_types(w),
            partnership_id: w.partnership_id.clone(),
            description: w.description.clone(),
            active: w.active,
            version: w.version,
            created_at: w.created_at.and_utc(),
            updated_at: w.updated_at.and_utc(),
        }
    }
}

/// A new subscription and its signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookView {
    /// The subscription.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The key every delivery is signed with (HMAC-SHA256, see `Tandem-Signature`). Store it now:
    /// it is not shown again.
    #[schema(example = "whsec_3q2-7wAbKcR0mN1pX9yZ4vT6uS8rQ5oL2jH0gF7dE1c")]
    pub secret: String,
}

/// One try of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first try.
    pub number: i32,
    /// When it was sent.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long the receiver took.
    pub duration_ms: i32,
}

/// One event on its way to a subscription, with every try.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fb0", "event_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90",
    "event_type": "reading.recorded", "status": "delivered", "attempt_count": 2, "next_attempt_at": null,
    "last_status_code": 200, "last_error": null,
    "attempts": [
        {"number": 1, "attempted_at": "2026-11-26T08:00:01Z", "status_code": 503, "error": "the receiver answered 503 Service Unavailable", "duration_ms": 41},
        {"number": 2, "attempted_at": "2026-11-26T08:00:29Z", "status_code": 200, "error": null, "duration_ms": 37}
    ],
    "created_at": "2026-11-26T08:00:00Z", "updated_at": "2026-11-26T08:00:29Z"
}))]
pub struct DeliveryView {
    /// Id (the `Tandem-Delivery-Id` header).
    #[schema(format = Uuid)]
    pub id: String,
    /// The event (the `Tandem-Webhook-Id` header and the body's `id`).
    #[schema(format = Uuid)]
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// `pending` (waiting for its next try), `delivered` (a 2xx answer) or `failed` (out of tries).
    pub status: DeliveryStatus,
    /// Tries so far.
    pub attempt_count: i32,
    /// When the next try is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's last HTTP status.
    pub last_status_code: Option<i32>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// Every try, oldest first.
    pub attempts: Vec<AttemptView>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl DeliveryView {
    fn new(d: &Delivery, event_type: &str, attempts: Vec<AttemptView>) -> Self {
        DeliveryView {
            id: d.id.clone(),
            event_id: d.event_id.clone(),
            event_type: event_type.to_owned(),
            status: d.status,
            attempt_count: d.attempts,
            next_attempt_at: d.next_attempt_at.map(|t| t.and_utc()),
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            attempts,
            created_at: d.created_at.and_utc(),
            updated_at: d.updated_at.and_utc(),
        }
    }
}

impl From<Logged> for DeliveryView {
    fn from(l: Logged) -> Self {
        let attempts = l
            .attempts
            .into_iter()
            .map(|a| AttemptView {
                number: a.number,
                attempted_at: a.attempted_at.and_utc(),
                status_code: a.status_code,
                error: a.error,
                duration_ms: a.duration_ms,
            })
            .collect();
        DeliveryView::new(&l.delivery, &l.event_type, attempts)
    }
}

impl From<&Queued> for DeliveryView {
    fn from(q: &Queued) -> Self {
        DeliveryView::new(&q.delivery, &q.event_type, Vec::new())
    }
}
