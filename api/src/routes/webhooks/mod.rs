//! Webhook subscriptions: tell an integration what changed instead of letting it poll. Each
//! subscription belongs to one user and receives the events of the partnerships that user is in
//! (optionally one), signed with its own secret. Deliveries are logged and can be re-sent.

mod params;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use tandem_app::webhooks::{self, Queued};

use crate::auth::Caller;
use crate::http::conditional::{current, etag, expected_version, tagged};
use crate::http::extract::{Json, Query};
use crate::http::list;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::webhooks::{CreatedWebhookView, DeliveryView, WebhookView};
pub use params::{
    CreateWebhookRequest, ListDeliveriesQuery, ListWebhooksQuery, UpdateWebhookRequest,
};

refusals! {}

/// The URL checked against the configured policy before any transaction opens (a DNS lookup).
async fn checked_url(state: &AppState, url: &str) -> Result<String, ApiError> {
    let policy = state.config.webhooks.target_policy();
    Ok(webhooks::checked_url(url, policy).await?)
}

/// 202 for a queued delivery, pointing at it.
fn accepted(q: &Queued) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((
            header::LOCATION,
            format!("/v1/webhooks/{}/deliveries/{}", q.webhook_id, q.delivery.id),
        ))
        .json(DeliveryView::from(q))
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
    )
)]
#[post("")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let url = checked_url(&state, &body.url).await?;
    let (actor, new) = (caller.principal(), body.into_new(url));
    let (hook, secret) = state
        .app
        .write_by(&actor, move |tx, actor| webhooks::create(tx, actor, new))
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

/// My subscriptions.
///
/// Every webhook subscription of the caller, with its target URL, event types, partnership filter
/// and whether it is active, never its secret.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("bearer" = [])),
    params(ListWebhooksQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = crate::http::list::Page<WebhookView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = crate::openapi::BadRequest),
    )
)]
#[get("")]
pub async fn list_webhooks(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListWebhooksQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let since = query.updated_since.map(|t| t.naive_utc());
    let actor = caller.principal();
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            webhooks::list(tx, actor, since, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |h| (h.created_at, h.id.clone()),
        |h| WebhookView::from(&h),
    ))
}

/// One of my subscriptions.
///
/// A subscription's target, event types, partnership filter, description and whether it is active.
/// Someone else's subscription is 404. Carries an ETag for `If-Match` on `PATCH`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id"),
        ("If-None-Match" = Option<String>, Header, description = "304 if unchanged")),
    responses(
        (status = 200, description = "The subscription", body = WebhookView, headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("")]
pub async fn get_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let hook = state
        .app
        .read_by(&actor, move |tx, actor| webhooks::owned(tx, actor, &id))
        .await?;
    Ok(current(&req, hook.version, WebhookView::from(&hook)))
}

/// Change a subscription.
///
/// Send only what changes: target URL, event types, partnership filter or description; `active:
/// false` pauses deliveries until it is set back to true. Send `If-Match` to be sure you are
/// changing what you read.
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
#[patch("")]
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
    let (actor, id, edit) = (caller.principal(), id.to_string(), body.into_edit(url));
    let hook = state
        .app
        .write_by(&actor, move |tx, actor| {
            webhooks::update(tx, actor, &id, expected, edit)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        hook.version,
        WebhookView::from(&hook),
    ))
}

/// Unsubscribe.
///
/// No more deliveries are made to the subscription's URL, pending ones included, and its delivery
/// log is deleted with it. Someone else's subscription is 404.
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
#[delete("")]
pub async fn delete_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    state
        .app
        .write_by(&actor, move |tx, actor| {
            webhooks::delete(tx, actor, &id, expected)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send a test event to a subscription now.
///
/// Sends a `webhook.test` event to this subscription only, also when it is paused, to check the
/// receiver and its signature verification. The delivery appears in the log like any other, with
/// every try.
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
#[post("/test")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let queued = state
        .app
        .write_by(&actor, move |tx, actor| webhooks::test(tx, actor, &id))
        .await?;
    Ok(accepted(&queued))
}

/// A subscription's delivery log.
///
/// Oldest first: each event sent, its status (`pending`, `delivered`, `failed`) and every try with
/// the receiver's status code and the error, so an integrator can see why a receiver missed events.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_deliveries",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Subscription id"), ListDeliveriesQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = crate::http::list::Page<DeliveryView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/deliveries")]
pub async fn list_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListDeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let (status, since) = (query.status, query.updated_since.map(|t| t.naive_utc()));
    let (actor, id) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            webhooks::deliveries(tx, actor, &id, status, since, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |l| (l.delivery.created_at, l.delivery.id.clone()),
        DeliveryView::from,
    ))
}

/// One delivery with every try.
///
/// A delivery's event, status, next try and every try so far with the receiver's status code and
/// error.
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
#[get("/deliveries/{delivery_id}")]
pub async fn get_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let logged = state
        .app
        .read_by(&actor, move |tx, actor| {
            webhooks::delivery(tx, actor, &id, &delivery_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(DeliveryView::from(logged)))
}

/// Send an event again.
///
/// After fixing a receiver, say: a new delivery of the same event with a fresh set of tries; the
/// old delivery stays in the log. Receivers see the same event id in `Tandem-Webhook-Id`, so their
/// de-duplication still works.
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
#[post("/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let queued = state
        .app
        .write_by(&actor, move |tx, actor| {
            webhooks::redeliver(tx, actor, &id, &delivery_id)
        })
        .await?;
    Ok(accepted(&queued))
}
