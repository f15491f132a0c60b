//! Kudos: a partner celebrates one of the other's wins — a reading, a completed milestone or a
//! check-in — with a short note; the next meeting's agenda lists it in the wins section of the
//! receiver's block.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use tandem_app::kudos::{self, KudosFilter, NewKudos};
use tandem_domain::kudos::KudosSubject;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Caller;
use crate::http::conditional::etag;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{self, Created};
use crate::http::list;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::kudos::KudosView;

refusals! {
    "send_kudos": [PartnershipNotActive, KudosToSelf, ReadingDeleted, MilestoneNotCompleted, KudosSent];
}

/// Kudos to send.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subject_type": "milestone", "subject_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f62",
    "note": "Pilot live two weeks early. Well done!"
}))]
pub struct SendKudosRequest {
    /// What they are on: your partner's reading, completed milestone or check-in.
    pub subject_type: KudosSubject,
    /// Its id.
    #[schema(format = Uuid)]
    pub subject_id: uuid::Uuid,
    /// A line of celebration (1 to 280 characters once trimmed).
    #[validate(length(min = 1, max = 280))]
    #[schema(min_length = 1, max_length = 280)]
    pub note: String,
}

/// Filters for a partnership's kudos.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListKudosQuery {
    /// Only those this partner received.
    pub to_user_id: Option<uuid::Uuid>,
    /// Sent at or after (RFC 3339).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Send kudos on your partner's win.
///
/// On one of your partner's readings, completed milestones or check-ins, with a short note. Your
/// partner's subscriptions get `kudos.received`, and the next meeting's agenda lists the kudos in
/// the wins section of their block. Once per subject from each partner (`kudos-sent`); a subject
/// outside your partnerships is 404, like everything in them.
#[utoipa::path(
    tag = "kudos",
    operation_id = "send_kudos",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = SendKudosRequest,
    responses(
        (status = 201, description = "Sent", body = KudosView,
            headers(("Location" = String, description = "The new kudos"), ("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("")]
pub async fn send_kudos(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<SendKudosRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewKudos {
        subject_type: body.subject_type,
        subject_id: body.subject_id.to_string(),
        note: body.note.clone(),
    };
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        let k = kudos::send(tx, actor, &new)?;
        Created::new(
            format!("/v1/kudos/{}", k.id),
            Some(etag(1)),
            &KudosView::from(&k),
        )
    })
    .await
}

/// Kudos.
///
/// Kudos sent or received in one of your partnerships.
#[utoipa::path(
    tag = "kudos",
    operation_id = "get_kudos",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Kudos id")),
    responses(
        (status = 200, description = "The kudos", body = KudosView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{id}")]
pub async fn get_kudos(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let k = state
        .app
        .read_by(&actor, move |tx, actor| kudos::get(tx, actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(KudosView::from(&k)))
}

/// A partnership's kudos, oldest first.
///
/// Both partners' kudos, oldest first, paged; filter by receiver or `since`.
#[utoipa::path(
    tag = "kudos",
    operation_id = "list_kudos",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListKudosQuery),
    responses(
        (status = 200, description = "A page of kudos", body = crate::http::list::Page<KudosView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/kudos")]
pub async fn list_kudos(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListKudosQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let filter = KudosFilter {
        to_user_id: query.to_user_id.map(|u| u.to_string()),
        since: query.since.map(|t| t.naive_utc()),
        before: None,
    };
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            kudos::list(tx, actor, &partnership_id, &filter, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |k| (k.created_at, k.id.clone()),
        |k| KudosView::from(&k),
    ))
}
