//! The meeting calendar as an RFC 5545 feed. Calendar apps cannot send headers, so the feed is
//! read with a token in its URL: a feed link ([`crate::routes::feeds`]; these endpoints predate
//! the name and manage the same links), read-only, for this one partnership, revocable, and
//! worthless as a bearer token.

pub(crate) mod ics;
mod params;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use tandem_app::tokens;

use crate::auth::Caller;
use crate::http::extract::{Json, Query};
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::tokens::{FeedTokenView, feed_view};
pub use params::{CreateFeedTokenRequest, FeedQuery};

refusals! {
    "create_feed_token": [SignInRequired];
    "list_feed_tokens": [SignInRequired];
    "revoke_feed_token": [SignInRequired];
}

/// The server's own origin as the client reached it, for the URLs it hands out.
pub(crate) fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Create a calendar feed token for a partnership (either partner, signed in).
///
/// The response's `feed_url` carries the secret, shown once; subscribe to it in a calendar app.
#[utoipa::path(
    tag = "meetings",
    operation_id = "create_feed_token",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id")),
    request_body = CreateFeedTokenRequest,
    responses(
        (status = 201, description = "Created; `feed_url` is shown only now", body = FeedTokenView,
            headers(("Location" = String, description = "The partnership's feed tokens"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/calendar-tokens")]
pub async fn create_feed_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateFeedTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (actor, pid) = (caller.principal(), id.to_string());
    let p = pid.clone();
    let (token, secret) = state
        .app
        .write_by(&actor, move |tx, actor| {
            tokens::create_feed(tx, actor, &p, body.name, None)
        })
        .await?;
    let url = format!(
        "{}/v1/partnerships/{pid}/calendar.ics?token={secret}",
        base_url(&req)
    );
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/partnerships/{pid}/calendar-tokens"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(feed_view(&token, Some(url))))
}

/// My feed tokens for a partnership, revoked ones included.
///
/// Feed tokens are feed links under their older name: the same links, listed without their secrets,
/// with last use and revocation.
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_feed_tokens",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), crate::http::list::SinceQuery),
    responses(
        (status = 200, description = "Every feed token of yours for it (one page)", body = crate::http::list::Page<FeedTokenView>),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/calendar-tokens")]
pub async fn list_feed_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<crate::http::list::SinceQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (actor, pid) = (caller.principal(), id.to_string());
    let since = query.updated_since.map(|t| t.naive_utc());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            tokens::list_feeds(tx, actor, &pid, since)
        })
        .await?;
    Ok(
        HttpResponse::Ok().json(crate::http::list::Page::<FeedTokenView> {
            items: rows.iter().map(|t| feed_view(t, None)).collect(),
            next_cursor: None,
        }),
    )
}

/// Revoke a feed token: the feed URL stops working at once.
///
/// The token's calendar and report URLs stop working at once (404). Revoking again changes nothing.
#[utoipa::path(
    tag = "meetings",
    operation_id = "revoke_feed_token",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("token_id" = String, Path, format = Uuid, description = "Feed token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/calendar-tokens/{token_id}")]
pub async fn revoke_feed_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (pid, token_id) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    state
        .app
        .write_by(&actor, move |tx, actor| {
            tokens::revoke_feed(tx, actor, &pid, &token_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The partnership's meetings as an iCalendar feed (`text/calendar`), read with a feed token.
///
/// Every meeting is an event with a stable UID (`<meeting id>@tandem`), its time in UTC, its length,
/// the partnership's time zone (`X-WR-TIMEZONE`), and a link to its agenda; cancelled meetings stay
/// in the feed as `STATUS:CANCELLED` so calendars remove them. A missing, unknown or revoked token
/// is 401.
#[utoipa::path(
    tag = "meetings",
    operation_id = "calendar_feed",
    security(()),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), FeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 401, response = crate::openapi::Unauthorized),
    )
)]
#[get("/calendar.ics")]
pub async fn calendar_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<uuid::Uuid>,
    query: Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let refused = || ApiError::Unauthorized("the feed token is missing, unknown or revoked".into());
    let secret = query.into_inner().token.ok_or_else(refused)?;
    let pid = id.to_string();
    let feed = state
        .app
        .write(move |tx| tokens::feed(tx, &pid, &secret))
        .await?
        .ok_or_else(refused)?;
    let body = ics::calendar(&feed, &base_url(&req), state.app.now());
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(body))
}
