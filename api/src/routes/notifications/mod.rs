//! The signed-in user's notifications: what they want to hear by email and when not to be
//! disturbed, the emails Tandem sent them, waits to send, or gave up on (and why), and the
//! one-click unsubscribe every email carries.

mod params;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::Deserialize;
use tandem_app::notifications;
use tandem_domain::email::EmailStatus;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::http::conditional::{current, expected_version, tagged};
use crate::http::extract::{Json, Query};
use crate::http::list;
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::views::notifications::{EmailView, PreferencesView, UnsubscribedView};
pub use params::PutPreferencesRequest;

/// My notification preferences.
///
/// Which kinds of news the caller gets by email and at their webhook subscriptions (all on
/// until turned off) and their quiet hours, in their own time zone: emails due then wait until
/// the quiet hours end. Carries an ETag for
/// `If-Match` on `PUT`.
#[utoipa::path(
    tag = "me",
    operation_id = "get_notification_preferences",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response; 304 if unchanged")),
    responses(
        (status = 200, description = "The preferences", body = PreferencesView,
            headers(("ETag" = String, description = "Their version, for If-Match and If-None-Match"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
    )
)]
#[get("")]
pub async fn get_notification_preferences(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.principal();
    let prefs = state
        .app
        .read_by(&actor, move |tx, actor| {
            notifications::preferences(tx, actor)
        })
        .await?;
    Ok(current(&req, prefs.version, PreferencesView::from(&prefs)))
}

/// Set my notification preferences.
///
/// Replaces them whole: a kind left out of `email` or `webhook` is on, and no `quiet_hours` means none.
/// Send `If-Match` with the version read to be sure nothing changed meanwhile (an unsubscribe
/// link, say): 412 when it did.
#[utoipa::path(
    tag = "me",
    operation_id = "put_notification_preferences",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "The ETag read; 412 if they changed since")),
    request_body = PutPreferencesRequest,
    responses(
        (status = 200, description = "The preferences now", body = PreferencesView,
            headers(("ETag" = String, description = "Their new version"))),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("")]
pub async fn put_notification_preferences(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<PutPreferencesRequest>,
) -> Result<HttpResponse, ApiError> {
    let wanted = body.0.parse()?;
    let expected = expected_version(&req)?;
    let actor = caller.principal();
    let prefs = state
        .app
        .write_by(&actor, move |tx, actor| {
            notifications::set_preferences(tx, actor, wanted, expected)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        prefs.version,
        PreferencesView::from(&prefs),
    ))
}

/// One-click unsubscribe (RFC 8058).
///
/// The URL in every email's `List-Unsubscribe` header: mail clients `POST`
/// `List-Unsubscribe=One-Click` (form-encoded; any body is accepted) and that email's kind is
/// turned off for its recipient, without signing in. Repeating it is harmless; an unknown token
/// is 404. `PUT /v1/me/notifications` turns the kind back on.
#[utoipa::path(
    tag = "me",
    operation_id = "unsubscribe",
    security(()),
    params(("token" = String, Path, description = "The token from the email's `List-Unsubscribe` URL")),
    responses(
        (status = 200, description = "That kind of email is off", body = UnsubscribedView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/unsubscribe/{token}")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    if !token.starts_with("unsub_") || token.len() > 100 {
        return Err(ApiError::NotFound);
    }
    let kind = state
        .app
        .write(move |tx| notifications::unsubscribe(tx, &token))
        .await?;
    Ok(HttpResponse::Ok().json(UnsubscribedView { email_off: kind }))
}

/// What the delivery log can be narrowed to.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListEmailsQuery {
    /// Only emails in this status.
    pub status: Option<EmailStatus>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// My email deliveries.
///
/// Every email Tandem queued for the caller, oldest first: meeting invitations and
/// cancellations, with status (`pending` while waiting for its first or next try, `sent` once the
/// SMTP server accepted it, `failed` when it gave up), tries, the last error and the
/// `Message-ID`. Empty when the server sends no email (`TANDEM_SMTP_URL` unset).
#[utoipa::path(
    tag = "me",
    operation_id = "list_email_deliveries",
    security(("bearer" = [])),
    params(ListEmailsQuery),
    responses(
        (status = 200, description = "A page of emails", body = crate::http::list::Page<EmailView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = crate::openapi::BadRequest),
    )
)]
#[get("/deliveries")]
pub async fn list_email_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListEmailsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let (actor, status) = (caller.principal(), query.status);
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            notifications::deliveries(tx, actor, status, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |e| (e.created_at, e.id.clone()),
        EmailView::from,
    ))
}
