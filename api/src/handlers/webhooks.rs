//! Webhook subscriptions: tell an integration what changed instead of letting it poll. Each
//! subscription belongs to one user and receives the events of the partnerships that user is in
//! (optionally one), signed with its own secret. Deliveries are logged and can be re-sent.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::webhook::EventType;
use tandem_store::webhooks::{self, Delivery, Logged, Webhook};
use tandem_store::{DbConnection, StoreError, write_transaction};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::goals::CallerRef;
use super::partnerships::ensure_mine;
use crate::auth::Caller;
use crate::conditional::{etag, expected_version};
use crate::error::ApiError;
use crate::events::{EventData, WebhookTest};
use crate::extract::Query;
use crate::extract::{Json, non_null, nullable};
use crate::pagination;
use crate::state::AppState;

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
            events: serde_json::from_str(&w.event_types).unwrap_or_default(),
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
    pub status: String,
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
            status: d.status.clone(),
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

/// The event types as stored: sorted, each once.
fn event_types_json(events: &[EventType]) -> String {
    let mut names: Vec<&str> = events.iter().map(|e| e.name()).collect();
    names.sort_unstable();
    names.dedup();
    serde_json::to_string(&names).expect("names serialise")
}

/// Checks the URL against the configured policy (422 naming `url`).
async fn checked_url(state: &AppState, url: &str) -> Result<String, ApiError> {
    crate::delivery::check_target(url, state.config.webhooks.target_policy())
        .await
        .map(|u| u.to_string())
        .map_err(|e| ApiError::field("url", e.code(), e.to_string()))
}

/// A subscription of the caller's; a token limited to one partnership sees only subscriptions
/// limited to it. Anyone else's is 404.
fn owned(conn: &mut DbConnection, caller: &CallerRef, id: &str) -> Result<Webhook, ApiError> {
    let hook = webhooks::find_for_owner(conn, &caller.id, id)?;
    if caller.only.is_some() && hook.partnership_id != caller.only {
        return Err(ApiError::NotFound);
    }
    Ok(hook)
}

/// Subscribe to events.
///
/// Deliveries are `POST`s of a `WebhookEvent` with the headers `Tandem-Webhook-Id` (event id,
/// for de-duplication), `Tandem-Webhook-Timestamp` (Unix seconds), `Tandem-Event-Type`,
/// `Tandem-Delivery-Id` and `Tandem-Signature: t=<timestamp>,v1=<hex>`, where the hex is
/// HMAC-SHA256 over `<timestamp>.<raw body>` keyed with the subscription's secret. Any 2xx
/// answer is success; anything else (or no answer within 10 s) is retried with exponential
/// backoff and jitter (30 s doubling, at most 6 h apart, 12 tries), then marked failed.
/// Redirects are not followed. Deliveries may arrive out of order and more than once: order
/// by `occurred_at`, de-duplicate on the event id. The secret is in this response only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "Subscribed; `secret` is shown only now", body = CreatedWebhookView,
            headers(("Location" = String, description = "The subscription"), ("ETag" = String, description = "Its version"))),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let url = checked_url(&state, &body.url).await?;
    let who = CallerRef::from(&caller);
    let partnership_id = match (body.partnership_id.map(|p| p.to_string()), &who.only) {
        (None, only) => only.clone(),
        (Some(p), Some(only)) if &p != only => {
            return Err(ApiError::field(
                "partnership_id",
                "unknown_partnership",
                "must be the partnership this token is limited to",
            ));
        }
        (Some(p), _) => Some(p),
    };
    let now = crate::clock::now().naive_utc();
    let secret = crate::delivery::new_secret();
    let hook = Webhook {
        id: uuid::Uuid::now_v7().to_string(),
        owner_id: who.id.clone(),
        url,
        secret: secret.clone(),
        event_types: event_types_json(&body.events),
        partnership_id,
        description: body.description.map(|d| d.trim().to_owned()),
        active: body.active.unwrap_or(true),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let hook = crate::db::run(&state, move |conn| {
        ensure_mine(conn, hook.partnership_id.as_deref(), &who)?;
        webhooks::insert(conn, &hook)?;
        Ok::<_, ApiError>(hook)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/webhooks/{}", hook.id)))
        .insert_header((header::ETAG, etag(hook.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedWebhookView {
            webhook: WebhookView::from(&hook),
            secret,
        }))
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

/// My subscriptions.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("bearer" = [])),
    params(ListWebhooksQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = pagination::Page<WebhookView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = crate::openapi::BadRequest),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListWebhooksQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let since = query.updated_since.map(|t| t.naive_utc());
    let who = CallerRef::from(&caller);
    let rows = crate::db::run(&state, move |conn| {
        webhooks::list_for_owner(conn, &who.id, who.only.as_deref(), since, after, limit + 1)
    })
    .await?;
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |h| (h.created_at, h.id.clone()),
        |h| WebhookView::from(&h),
    ))
}

/// One of my subscriptions.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription", body = WebhookView, headers(("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (who, id) = (CallerRef::from(&caller), id.to_string());
    let hook = crate::db::run(&state, move |conn| owned(conn, &who, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(hook.version)))
        .json(WebhookView::from(&hook)))
}

/// Change a subscription: target, event types, partnership, label, or pause it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "The version you saw (412 if it changed)")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "The subscription after the change", body = WebhookView, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let url = match &body.url {
        Some(url) => Some(checked_url(&state, url).await?),
        None => None,
    };
    let (who, id) = (CallerRef::from(&caller), id.to_string());
    let hook = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let mut hook = owned(conn, &who, &id)?;
            if expected.is_some_and(|v| v != hook.version) {
                return Err(ApiError::PreconditionFailed);
            }
            if let Some(partnership) = body.partnership_id {
                let partnership = partnership.map(|p| p.to_string());
                if who.only.is_some() && partnership != who.only {
                    return Err(ApiError::field(
                        "partnership_id",
                        "unknown_partnership",
                        "must be the partnership this token is limited to",
                    ));
                }
                ensure_mine(conn, partnership.as_deref(), &who)?;
                hook.partnership_id = partnership;
            }
            if let Some(url) = url {
                hook.url = url;
            }
            if let Some(events) = &body.events {
                hook.event_types = event_types_json(events);
            }
            if let Some(description) = body.description {
                hook.description = description.map(|d| d.trim().to_owned());
            }
            if let Some(active) = body.active {
                hook.active = active;
            }
            hook.version += 1;
            hook.updated_at = crate::clock::now().naive_utc();
            webhooks::save(conn, &hook).map_err(|e| match e {
                StoreError::Stale => ApiError::PreconditionFailed,
                other => other.into(),
            })?;
            Ok(hook)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(hook.version)))
        .json(WebhookView::from(&hook)))
}

/// Unsubscribe: no more deliveries; the delivery log goes with it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "The version you saw (412 if it changed)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (who, id) = (CallerRef::from(&caller), id.to_string());
    crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let hook = owned(conn, &who, &id)?;
            if expected.is_some_and(|v| v != hook.version) {
                return Err(ApiError::PreconditionFailed);
            }
            Ok(webhooks::delete(conn, &hook.id)?)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send a `webhook.test` event to this subscription now (also when paused), to check the
/// receiver and its signature verification. The delivery appears in the log like any other.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "test_webhook",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id")),
    responses(
        (status = 202, description = "Queued; watch it in the delivery log", body = DeliveryView,
            headers(("Location" = String, description = "The delivery"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/webhooks/{id}/test")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (who, id) = (CallerRef::from(&caller), id.to_string());
    let delivery = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let hook = owned(conn, &who, &id)?;
            let now = crate::clock::now();
            let event = crate::events::outbox_row(
                None,
                EventData::WebhookTest(WebhookTest {
                    webhook_id: hook.id.clone(),
                    message: "Hello from Tandem: this subscription works.".into(),
                }),
                now,
            );
            webhooks::insert_event(conn, &event)?;
            let delivery = Delivery::queued(
                uuid::Uuid::now_v7().to_string(),
                &hook.id,
                &event.id,
                now.naive_utc(),
            );
            webhooks::insert_delivery(conn, &delivery)?;
            let view = DeliveryView::new(&delivery, &event.event_type, Vec::new());
            Ok::<_, ApiError>((hook.id, view))
        })
    })
    .await?;
    Ok(accepted(delivery))
}

fn accepted((webhook_id, delivery): (String, DeliveryView)) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((
            header::LOCATION,
            format!("/v1/webhooks/{webhook_id}/deliveries/{}", delivery.id),
        ))
        .json(delivery)
}

/// Which deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesQuery {
    /// Only deliveries in this status: `pending`, `delivered` or `failed`.
    #[param(pattern = "^(pending|delivered|failed)$")]
    pub status: Option<String>,
    /// Only deliveries queued or tried at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// A subscription's delivery log, oldest first: each event sent, its status, and every try
/// with the receiver's status code.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_deliveries",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id"), ListDeliveriesQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = pagination::Page<DeliveryView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListDeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    if let Some(status) = &query.status
        && !["pending", "delivered", "failed"].contains(&status.as_str())
    {
        return Err(crate::extract::parameter_error(
            "status",
            "invalid_value",
            "expected one of `pending`, `delivered`, `failed`",
        ));
    }
    let (who, id) = (CallerRef::from(&caller), id.to_string());
    let rows = crate::db::run(&state, move |conn| {
        let hook = owned(conn, &who, &id)?;
        Ok::<_, ApiError>(webhooks::deliveries(
            conn,
            &hook.id,
            query.status.as_deref(),
            query.updated_since.map(|t| t.naive_utc()),
            after,
            limit + 1,
        )?)
    })
    .await?;
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |l| (l.delivery.created_at, l.delivery.id.clone()),
        DeliveryView::from,
    ))
}

/// One delivery with every try.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_delivery",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id"),
        ("delivery_id" = String, Path, format = Uuid, description = "Delivery id")),
    responses(
        (status = 200, description = "The delivery", body = DeliveryView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn get_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let who = CallerRef::from(&caller);
    let logged = crate::db::run(&state, move |conn| {
        let hook = owned(conn, &who, &id.to_string())?;
        Ok::<_, ApiError>(webhooks::find_delivery(
            conn,
            &hook.id,
            &delivery_id.to_string(),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DeliveryView::from(logged)))
}

/// Send an event again (after fixing a receiver, say): a new delivery of the same event, with
/// a fresh set of tries; the old one stays in the log. Receivers see the same event id.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliver",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id"),
        ("delivery_id" = String, Path, format = Uuid, description = "The delivery to repeat")),
    responses(
        (status = 202, description = "Queued", body = DeliveryView,
            headers(("Location" = String, description = "The new delivery"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let who = CallerRef::from(&caller);
    let delivery = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let hook = owned(conn, &who, &id.to_string())?;
            let old = webhooks::find_delivery(conn, &hook.id, &delivery_id.to_string())?;
            let again = Delivery::queued(
                uuid::Uuid::now_v7().to_string(),
                &hook.id,
                &old.delivery.event_id,
                crate::clock::now().naive_utc(),
            );
            webhooks::insert_delivery(conn, &again)?;
            let view = DeliveryView::new(&again, &old.event_type, Vec::new());
            Ok::<_, ApiError>((hook.id, view))
        })
    })
    .await?;
    Ok(accepted(delivery))
}
