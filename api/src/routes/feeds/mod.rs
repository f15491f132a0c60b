//! Feed links: a partnership's CSV reports and meeting calendar at URLs that carry a secret, so
//! Google Sheets `IMPORTDATA`, Excel "From Web", LibreOffice `WEBSERVICE` and calendar apps can
//! pull them without a header. A link is read-only, reaches its one partnership's reports and
//! calendar and nothing else (as a bearer token it is refused everywhere), is stored hashed, and
//! stops working when revoked, expired, or when its creator leaves the partnership or is
//! deactivated (404, like any unknown link). The calendar tokens of
//! `/v1/partnerships/{id}/calendar-tokens` are the same links: each works at both places.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tandem_app::{Principal, tokens};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Caller;
use crate::http::extract::Json;
use crate::http::problem::ApiError;
use crate::http::rate_limit;
use crate::routes::calendar::{base_url, ics};
use crate::routes::refusals;
use crate::routes::reports::{PartnershipReport, partnership_report};
use crate::state::AppState;
use crate::views::tokens::{FeedLinkView, FeedUrls, feed_link_view};

refusals! {
    "create_feed_link": [SignInRequired];
    "list_feed_links": [SignInRequired];
    "revoke_feed_link": [SignInRequired];
}

/// A new feed link.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Team dashboard", "expires_at": "2027-06-30T00:00:00Z"}))]
pub struct CreateFeedLinkRequest {
    /// What it is for.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// When it stops working (RFC 3339, in the future); never if absent.
    pub expires_at: Option<DateTime<Utc>>,
}

/// What every feed answer carries: a spreadsheet may keep it a minute, no one else may keep it,
/// and the secret URL never leaks as a referrer.
fn feed_headers(mut res: HttpResponse) -> HttpResponse {
    let headers = res.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, max-age=60"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    res
}

/// Create a feed link for a partnership (either partner, signed in).
///
/// The response's `urls` carry the secret and are shown only now: paste one into a spreadsheet
/// (`=IMPORTDATA("…/scorecard.csv")`) or a calendar app.
#[utoipa::path(
    tag = "reports",
    operation_id = "create_feed_link",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id")),
    request_body = CreateFeedLinkRequest,
    responses(
        (status = 201, description = "Created; `urls` are shown only now", body = FeedLinkView,
            headers(("Location" = String, description = "The partnership's feed links"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/feed-links")]
pub async fn create_feed_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateFeedLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (actor, pid) = (caller.principal(), id.to_string());
    let p = pid.clone();
    let (link, secret) = state
        .app
        .write_by(&actor, move |tx, actor| {
            tokens::create_feed(tx, actor, &p, Some(body.name), body.expires_at)
        })
        .await?;
    let urls = FeedUrls::of(&base_url(&req), &secret);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/partnerships/{pid}/feed-links"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(feed_link_view(&link, Some(urls))))
}

/// My feed links for a partnership (revoked ones included), without their secrets.
///
/// Each link's name, expiry, creation and last use, and whether it is revoked; the secret URLs were
/// shown once, at creation.
#[utoipa::path(
    tag = "reports",
    operation_id = "list_feed_links",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id")),
    responses(
        (status = 200, description = "Every feed link of yours for it (one page)", body = crate::http::list::Page<FeedLinkView>),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/feed-links")]
pub async fn list_feed_links(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (actor, pid) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            tokens::list_feeds(tx, actor, &pid, None)
        })
        .await?;
    Ok(
        HttpResponse::Ok().json(crate::http::list::Page::<FeedLinkView> {
            items: rows.iter().map(|t| feed_link_view(t, None)).collect(),
            next_cursor: None,
        }),
    )
}

/// Revoke a feed link: its URLs stop working at once.
///
/// Its report and calendar URLs answer 404 from now on. Revoking again changes nothing; someone
/// else's link is 404.
#[utoipa::path(
    tag = "reports",
    operation_id = "revoke_feed_link",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Feed link id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/feed-links/{id}")]
pub async fn revoke_feed_link(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (actor, id) = (caller.principal(), id.to_string());
    state
        .app
        .write_by(&actor, move |tx, actor| {
            tokens::revoke_feed_link(tx, actor, &id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One of a partnership's CSV reports through a feed link, no header needed.
///
/// The same report, columns and query parameters as at the partnership's own `.csv` path (for
/// example `?as_of=` or `?columns=`). An unknown, revoked or expired link, or one whose creator
/// left the partnership or was deactivated, is 404. Limited per link (429 with `Retry-After`).
#[utoipa::path(
    tag = "reports",
    operation_id = "feed_report",
    security(()),
    params(("token" = String, Path, description = "The link's secret, as in its URLs"),
        ("report" = PartnershipReport, Path, description = "Which report")),
    responses(
        (status = 200, description = "The report (see the partnership's `.csv` operations for its columns)",
            content((String = "text/csv")),
            headers(("Cache-Control" = String, description = "`private, max-age=60`"),
                ("Referrer-Policy" = String, description = "`no-referrer`"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[get("/{report}")]
pub async fn feed_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (secret, file) = path.into_inner();
    // Not one of the reports: no such resource.
    let (report, _) = PartnershipReport::ALL
        .into_iter()
        .find(|(_, name)| *name == file)
        .ok_or(ApiError::NotFound)?;
    let (link, reader) = state
        .app
        .write(move |tx| tokens::open_feed(tx, &secret))
        .await?
        .ok_or(ApiError::NotFound)?;
    rate_limit::check_feed(&state, &link.id)?;
    let pid = reader.only.clone().unwrap_or_default();
    Ok(feed_headers(
        partnership_report(&req, &state, Principal::confirmed(reader), pid, report).await?,
    ))
}

/// The partnership's meeting calendar through a feed link (`text/calendar`, as `calendar.ics`).
///
/// The partnership's meetings as an iCalendar feed, at a URL a calendar app can subscribe to
/// without any header (the same feed as `GET /v1/partnerships/{id}/calendar.ics?token=`).
#[utoipa::path(
    tag = "reports",
    operation_id = "feed_calendar",
    security(()),
    params(("token" = String, Path, description = "The link's secret, as in its URLs")),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String,
            headers(("Cache-Control" = String, description = "`private, max-age=60`"),
                ("Referrer-Policy" = String, description = "`no-referrer`"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[get("/calendar.ics")]
pub async fn feed_calendar(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let secret = token.into_inner();
    let (link, feed) = state
        .app
        .write(move |tx| tokens::feed_of_link(tx, &secret))
        .await?
        .ok_or(ApiError::NotFound)?;
    rate_limit::check_feed(&state, &link.id)?;
    let body = ics::calendar(&feed, &base_url(&req), state.app.now());
    Ok(feed_headers(
        HttpResponse::Ok()
            .content_type("text/calendar; charset=utf-8")
            .body(body),
    ))
}
