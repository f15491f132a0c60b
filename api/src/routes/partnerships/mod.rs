//! Partnerships: inviting a peer (who may not have an account yet), settings, and the lifecycle.
//! Only the two members see a partnership; to anyone else it does not exist (404).

mod params;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use tandem_app::partnerships::{self, PartnershipFilter};
use tandem_domain::partnership::PartnershipAction;

use crate::auth::Caller;
use crate::http::conditional::{current, etag, expected_version, tagged};
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{self, Created};
use crate::http::list;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::partnerships::PartnershipView;
pub use params::{CreatePartnershipRequest, ListPartnershipsQuery, UpdatePartnershipRequest};

refusals! {
    "create_partnership": [TokenLimited, PartnershipExists];
    "update_partnership": [PartnershipEnded];
    "accept_partnership": [InviteeOnly, PartnershipTransition];
    "decline_partnership": [InviteeOnly, PartnershipTransition];
    "pause_partnership": [PartnershipTransition];
    "resume_partnership": [PartnershipTransition];
    "end_partnership": [PartnershipTransition];
}

/// Invite a peer to a partnership.
///
/// The invitee may not have an account yet: the invitation waits for a registration with that
/// email. Inviting yourself is 422; a second live partnership with the same person is 409.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "create_partnership",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
        description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = CreatePartnershipRequest,
    responses(
        (status = 201, description = "Invitation created", body = PartnershipView,
            headers(("Location" = String, description = "The new partnership"), ("ETag" = String, description = "Its version"))),
    )
)]
#[post("")]
pub async fn create_partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreatePartnershipRequest>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        let p = partnerships::create(tx, actor, body.into())?;
        let view = PartnershipView::from(&partnerships::overview(tx, p)?);
        Created::new(
            format!("/v1/partnerships/{}", view.id),
            Some(etag(1)),
            &view,
        )
    })
    .await
}

/// List my partnerships.
///
/// Every partnership the caller is a member of, and every open invitation to the caller's email,
/// oldest first, paged; filter by status or `updated_since`.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "list_partnerships",
    security(("bearer" = [])),
    params(ListPartnershipsQuery),
    responses((status = 200, description = "A page of partnerships", body = crate::http::list::Page<PartnershipView>,
        headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))))
)]
#[get("")]
pub async fn list_partnerships(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListPartnershipsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let filter = PartnershipFilter {
        status: query.status,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let actor = caller.principal();
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            let rows = partnerships::list(tx, actor, &filter, after, limit + 1)?;
            rows.into_iter()
                .map(|p| Ok(((p.created_at, p.id.clone()), partnerships::overview(tx, p)?)))
                .collect::<Result<Vec<_>, tandem_app::AppError>>()
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |(k, _)| k.clone(),
        |(_, o)| PartnershipView::from(&o),
    ))
}

/// A partnership: both members, settings, and each member's goal-set readiness.
///
/// Both members, the settings (cadence, meeting length, time zone, fit-review interval, grace
/// days), the status and each member's goal-set readiness (3 to 5 active goals). Someone outside
/// the partnership gets 404. Carries an ETag for `If-Match` on `PATCH`.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "get_partnership",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("If-None-Match" = Option<String>, Header, description = "304 if unchanged")),
    responses(
        (status = 200, description = "The partnership", body = PartnershipView, headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("")]
pub async fn get_partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let o = state
        .app
        .read_by(&actor, move |tx, actor| {
            let p = partnerships::visible(tx, actor, &id)?;
            partnerships::overview(tx, p)
        })
        .await?;
    Ok(current(
        &req,
        o.partnership.version,
        PartnershipView::from(&o),
    ))
}

/// Change a partnership's settings.
///
/// Either member may change the cadence, meeting length, time zone, fit-review interval or grace
/// days, sending only what changes. Send `If-Match` to be sure you are changing what you read.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "update_partnership",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the partnership changed since")),
    request_body = UpdatePartnershipRequest,
    responses(
        (status = 200, description = "Updated", body = PartnershipView, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("")]
pub async fn update_partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<UpdatePartnershipRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let o = state
        .app
        .write_by(&actor, move |tx, actor| {
            let p = partnerships::update_settings(tx, actor, &id, expected, body.into())?;
            partnerships::overview(tx, p)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        o.partnership.version,
        PartnershipView::from(&o),
    ))
}

async fn transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    action: PartnershipAction,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let o = state
        .app
        .write_by(&actor, move |tx, actor| {
            let p = partnerships::transition(tx, actor, &id, action)?;
            partnerships::overview(tx, p)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        o.partnership.version,
        PartnershipView::from(&o),
    ))
}

macro_rules! lifecycle_action {
    ($fn:ident, $path:literal, $action:expr, $summary:literal, $doc:literal) => {
        #[doc = $summary]
        ///
        #[doc = $doc]
        #[utoipa::path(
            tag = "partnerships",
            security(("bearer" = [])),
            params(("id" = String, Path, format = Uuid, description = "Partnership id")),
            responses(
                (status = 200, description = "The partnership in its new status", body = PartnershipView,
                    headers(("ETag" = String, description = "New version"))),
                (status = 404, response = crate::openapi::NotFound),
            )
        )]
        #[post($path)]
        pub async fn $fn(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<uuid::Uuid>,
        ) -> Result<HttpResponse, ApiError> {
            transition(state, caller, id.into_inner(), $action).await
        }
    };
}

lifecycle_action!(
    accept_partnership,
    "/accept",
    PartnershipAction::Accept,
    "Accept an invitation (invitee only).",
    "Links the invitee's account and makes the partnership active."
);
lifecycle_action!(
    decline_partnership,
    "/decline",
    PartnershipAction::Decline,
    "Decline an invitation (invitee only).",
    "The partnership ends before it starts; history is kept."
);
lifecycle_action!(
    pause_partnership,
    "/pause",
    PartnershipAction::Pause,
    "Pause an active partnership (either member).",
    "Meetings are not expected while paused."
);
lifecycle_action!(
    resume_partnership,
    "/resume",
    PartnershipAction::Resume,
    "Resume a paused partnership (either member).",
    "Back to active."
);
lifecycle_action!(
    end_partnership,
    "/end",
    PartnershipAction::End,
    "End a partnership (either member).",
    "Also withdraws a pending invitation. Ended partnerships keep their history."
);
