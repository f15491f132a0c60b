//! What the webhook endpoints accept.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tandem_app::webhooks::{NewWebhook, WebhookEdit};
use tandem_domain::webhook::{DeliveryStatus, EventType};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::extract::{non_null, nullable};

/// A new subscription.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://okr.example.com/hooks/tandem", "events": ["reading.recorded", "goal.status_changed"],
    "description": "Mirror progress into our OKR tool"}))]
pub struct CreateWebhookRequest {
    /// Where to send events: https, on a public address (configuration may allow http or
    /// private addresses for development).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    /// The event types to receive (a repeated type counts once).
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub events: Vec<EventType>,
    /// Only this partnership's events (default: every partnership you are in).
    pub partnership_id: Option<uuid::Uuid>,
    /// Your label for it.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub description: Option<String>,
    /// Send deliveries (default true). A paused subscription gets no new events; deliveries
    /// already queued still go out.
    pub active: Option<bool>,
}

/// A change to a subscription (merge patch). Send `If-Match` to be sure you change what you saw.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateWebhookRequest {
    /// New target URL (checked like on creation).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(nullable = false, min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    /// New event types.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 20))]
    #[schema(nullable = false, min_items = 1, max_items = 20)]
    pub events: Option<Vec<EventType>>,
    /// Limit to one partnership, or `null` for all of yours.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub partnership_id: Option<Option<uuid::Uuid>>,
    /// New label (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub description: Option<Option<String>>,
    /// Pause (`false`) or resume (`true`).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

/// Paging through subscriptions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListWebhooksQuery {
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Which deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesQuery {
    /// Only deliveries in this status.
    pub status: Option<DeliveryStatus>,
    /// Only deliveries queued or tried at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

impl CreateWebhookRequest {
    /// The subscription, with `url` as checked.
    pub fn into_new(self, url: String) -> NewWebhook {
        NewWebhook {
            url,
            events: self.events,
            partnership_id: self.partnership_id.map(|p| p.to_string()),
            description: self.description,
            active: self.active,
        }
    }
}

impl UpdateWebhookRequest {
    /// The edit, with `url` as checked.
    pub fn into_edit(self, url: Option<String>) -> WebhookEdit {
        WebhookEdit {
            url,
            events: self.events,
            partnership_id: self.partnership_id.map(|p| p.map(|p| p.to_string())),
            description: self.description,
            active: self.active,
        }
    }
}
