//! The meeting calendar as an RFC 5545 feed. Calendar apps cannot send headers, so the feed is
//! read with a dedicated token in its URL: read-only, for this one feed, revocable, and worthless
//! anywhere else in the API.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use tandem_store::access_tokens::{self, AccessToken};
use tandem_store::meetings::{self, MeetingFilter};
use tandem_store::{StoreError, users};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::goals::CallerRef;
use super::partnerships::load as load_partnership;
use crate::auth::{Caller, token_hash};
use crate::error::ApiError;
use crate::extract::Json;
use crate::extract::Query;
use crate::state::AppState;

/// Prefix of feed token secrets; they are not bearer credentials.
pub const FEED_PREFIX: &str = "tdm_feed_";
/// The scope stored for feed tokens (no API scope grants it anything else).
const FEED_SCOPE: &str = "calendar-feed";

/// A new feed token.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Work calendar"}))]
pub struct CreateFeedTokenRequest {
    /// What it is for.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
}

/// A feed token (never the secret, except once at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedTokenView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The secret's first characters.
    pub prefix: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The feed URL with the secret: only in the creation response.
    pub feed_url: Option<String>,
}

fn feed_view(t: &AccessToken, feed_url: Option<String>) -> FeedTokenView {
    FeedTokenView {
        id: t.id.clone(),
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_at: t.created_at.and_utc(),
        last_used_at: t.last_used_at.map(|x| x.and_utc()),
        revoked_at: t.revoked_at.map(|x| x.and_utc()),
        feed_url,
    }
}

/// The base URL clients reached us at, for absolute links in the feed.
fn base_url(req: &HttpRequest) -> String {
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
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/partnerships/{id}/calendar-tokens")]
pub async fn create_feed_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<CreateFeedTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{FEED_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let now = crate::clock::now().naive_utc();
    let token = AccessToken {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: who.id.clone(),
        name: body
            .name
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|| "Calendar".into()),
        token_hash: token_hash(&secret),
        prefix: secret.chars().take(FEED_PREFIX.len() + 4).collect(),
        scopes: FEED_SCOPE.into(),
        partnership_id: Some(partnership_id.clone()),
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
        created_at: now,
    };
    let token = crate::db::run(&state, move |conn| {
        load_partnership(conn, &partnership_id, &who)?;
        access_tokens::insert(conn, &token)?;
        Ok::<_, StoreError>(token)
    })
    .await?;
    let pid = token.partnership_id.clone().unwrap_or_default();
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
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_feed_tokens",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), crate::pagination::SinceQuery),
    responses(
        (status = 200, description = "Every feed token of yours for it (one page)", body = crate::pagination::Page<FeedTokenView>),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}/calendar-tokens")]
pub async fn list_feed_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<crate::pagination::SinceQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let since = query.updated_since.map(|t| t.naive_utc());
    let tokens = crate::db::run(&state, move |conn| {
        load_partnership(conn, &partnership_id, &who)?;
        let all = access_tokens::list(conn, &who.id, since, None, 1000)?;
        Ok::<_, StoreError>(
            all.into_iter()
                .filter(|t| {
                    t.scopes == FEED_SCOPE && t.partnership_id.as_deref() == Some(&partnership_id)
                })
                .collect::<Vec<_>>(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(crate::pagination::Page {
        items: tokens.iter().map(|t| feed_view(t, None)).collect(),
        next_cursor: None,
    }))
}

/// Revoke a feed token: the feed URL stops working at once.
#[utoipa::path(
    tag = "meetings",
    operation_id = "revoke_feed_token",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("token_id" = String, Path, format = Uuid, description = "Feed token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/partnerships/{id}/calendar-tokens/{token_id}")]
pub async fn revoke_feed_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (partnership_id, token_id) = (path.0.to_string(), path.1.to_string());
    let who = CallerRef::from(&caller);
    crate::db::run(&state, move |conn| {
        load_partnership(conn, &partnership_id, &who)?;
        let token = access_tokens::find_for_user(conn, &who.id, &token_id)?;
        if token.scopes != FEED_SCOPE || token.partnership_id.as_deref() != Some(&partnership_id) {
            return Err(StoreError::NotFound);
        }
        access_tokens::revoke(conn, &token.id, crate::clock::now().naive_utc())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The feed's credential.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The feed token from `feed_url`.
    #[param(pattern = r"^tdm_feed_[A-Za-z0-9_-]{43}$")]
    pub token: Option<String>,
}

/// Escapes TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped; every line
/// break — CRLF, a bare CR or a bare LF — becomes `\n`, so no parser, however lenient, sees a new
/// content line; other control characters (never accepted today, but possibly stored earlier) are
/// dropped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
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
#[get("/partnerships/{id}/calendar.ics")]
pub async fn calendar_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<uuid::Uuid>,
    query: Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let refused = || ApiError::Unauthorized("the feed token is missing, unknown or revoked".into());
    let secret = query.into_inner().token.ok_or_else(refused)?;
    let partnership_id = id.to_string();
    let hash = token_hash(&secret);
    let base = base_url(&req);
    let loaded = crate::db::run(&state, move |conn| {
        let Some(token) = access_tokens::find_by_hash(conn, &hash)? else {
            return Ok(None);
        };
        if token.scopes != FEED_SCOPE
            || token.revoked_at.is_some()
            || token.partnership_id.as_deref() != Some(&partnership_id)
        {
            return Ok(None);
        }
        let user = users::find_str(conn, &token.user_id)?;
        if user.deactivated_at.is_some() {
            return Ok(None);
        }
        let who = CallerRef {
            id: user.id.to_string(),
            email: user.email.clone(),
            only: None,
        };
        let p = match load_partnership(conn, &partnership_id, &who) {
            Ok(p) => p,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let now = crate::clock::now().naive_utc();
        if token
            .last_used_at
            .is_none_or(|t| now - t > chrono::Duration::minutes(1))
        {
            access_tokens::touch(conn, &token.id, now)?;
        }
        let inviter = users::find_str(conn, &p.inviter_id)?.display_name;
        let invitee = match &p.invitee_id {
            Some(i) => users::find_str(conn, i)?.display_name,
            None => p.invitee_email.clone(),
        };
        let list = meetings::list(conn, &p.id, &MeetingFilter::default(), None, 10_000)?;
        Ok::<_, StoreError>(Some((p, inviter, invitee, list)))
    })
    .await?;
    let (p, inviter, invitee, list) = loaded.ok_or_else(refused)?;
    let now = stamp(crate::clock::now());
    let mut ics = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tandem//Accountability partnerships//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        ics.push_str(&fold(line));
    }
    ics.push_str(&fold(&format!(
        "X-WR-CALNAME:{}",
        text(&format!("Tandem: {inviter} & {invitee}"))
    )));
    ics.push_str(&fold(&format!("X-WR-TIMEZONE:{}", p.time_zone)));
    for m in &list {
        let status = match m.status.as_str() {
            "cancelled" => "CANCELLED",
            _ => "CONFIRMED",
        };
        let agenda = format!("{base}/v1/meetings/{}", m.id);
        let mut description = format!("Agenda: {agenda}");
        if let Some(reason) = &m.cancel_reason {
            description.push_str(&format!("\nCancelled: {reason}"));
        }
        for line in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}@tandem", m.id),
            format!("DTSTAMP:{now}"),
            format!("DTSTART:{}", stamp(m.scheduled_at.and_utc())),
            format!("DURATION:PT{}M", m.length_minutes),
            format!("SEQUENCE:{}", m.version - 1),
            format!("STATUS:{status}"),
            format!(
                "SUMMARY:{}",
                text(&format!("Tandem meeting: {inviter} & {invitee}"))
            ),
            format!("DESCRIPTION:{}", text(&description)),
            format!("URL:{agenda}"),
        ] {
            ics.push_str(&fold(&line));
        }
        if let Some(location) = &m.location {
            ics.push_str(&fold(&format!("LOCATION:{}", text(location))));
        }
        ics.push_str(&fold("END:VEVENT"));
    }
    ics.push_str(&fold("END:VCALENDAR"));
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(ics))
}
