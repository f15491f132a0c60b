//! The signed-in user's notifications: the emails Tandem sent them, waits to send, or gave up on
//! (and why), so a missing invitation can be traced without asking an operator.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use tandem_app::notifications;
use tandem_domain::email::EmailStatus;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::http::extract::Query;
use crate::http::list;
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::views::notifications::EmailView;

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
#[get("/me/notifications/deliveries")]
pub async fn list_email_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListEmailsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let (actor, status) = (caller.actor(&state), query.status);
    let rows = state
        .app
        .read(move |tx| notifications::deliveries(tx, &actor, status, after, limit + 1))
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |e| (e.created_at, e.id.clone()),
        EmailView::from,
    ))
}
