//! Proposed pairings of a cohort (admins only): computed by maximum-weight matching on the
//! opted-in members' profiles, recomputed around pinned pairs, and confirmed into ordinary
//! invitations.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use tandem_app::proposals;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Caller;
use crate::http::conditional::{current, etag, expected_version, tagged};
use crate::http::extract::Json;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::proposals::ProposalView;

refusals! {
    "create_proposal": [AdminOnly, CohortMatched];
    "get_proposal": [AdminOnly];
    "update_proposal": [AdminOnly, CohortMatched, PairForbidden];
    "confirm_proposal": [AdminOnly, CohortMatched, ProposalStale, PartnershipExists];
}

/// The pairs an admin fixes; everyone else is matched again around them.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"pins": [{"members": ["0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f10", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f30"]}]}))]
pub struct UpdateProposalRequest {
    /// Pairs to keep as given (empty: recompute everything). Swapping two pairs is pinning the
    /// two new ones.
    #[schema(max_items = 500)]
    pub pins: Vec<PinnedPair>,
}

/// One pinned pair.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinnedPair {
    /// The two members' user ids (each must be an opted-in, active member: 422 naming it
    /// otherwise).
    #[schema(min_items = 2, max_items = 2, value_type = Vec<uuid::Uuid>)]
    pub members: [String; 2],
}

/// Propose pairs for a cohort (admins only).
///
/// Pairs the cohort's opted-in, active members: as many pairs as the hard constraints allow
/// (never one department unless the cohort allows it, never a manager and their report, never
/// partners now or in the last two cohorts) and, among those, the greatest total score from
/// shared values, complementary skills, communication styles and working-hours overlap — a
/// maximum-weight matching by the blossom algorithm. Each pair carries its score and reasons in
/// words; whoever stays unpaired is listed with why. The same members give the same proposal.
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_proposal",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort")),
    responses(
        (status = 201, description = "Proposed", body = ProposalView,
            headers(("Location" = String, description = "The proposal"), ("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/{id}/proposals")]
pub async fn create_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let p = proposals::propose(&state.app, actor, id).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/admin/cohorts/{}/proposals/{}", p.cohort_id, p.id),
        ))
        .insert_header((header::ETAG, etag(p.version)))
        .json(ProposalView::from(&p)))
}

/// One proposal (admins only).
///
/// Its pairs with their scores and reasons, who stays unpaired, and whether it is confirmed.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_proposal",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort"),
        ("pid" = String, Path, format = Uuid, description = "The proposal"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response; 304 if unchanged")),
    responses(
        (status = 200, description = "The proposal", body = ProposalView,
            headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{id}/proposals/{pid}")]
pub async fn get_proposal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, pid) = path.into_inner();
    let (id, pid) = (id.to_string(), pid.to_string());
    let actor = caller.principal();
    let p = state
        .app
        .read_by(&actor, move |tx, actor| {
            proposals::get(tx, actor, &id, &pid)
        })
        .await?;
    Ok(current(&req, p.version, ProposalView::from(&p)))
}

/// Pin pairs and recompute the rest (admins only).
///
/// Keeps the given pairs as they are and matches everyone else around them; `pins: []` recomputes
/// everything. A pinned member must be an opted-in, active member of the cohort, pinned once
/// (422 naming each); a pinned pair that breaks a hard constraint is refused (`pair-forbidden`).
/// Drafts only; send `If-Match` with the version read.
#[utoipa::path(
    tag = "programmes",
    operation_id = "update_proposal",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort"),
        ("pid" = String, Path, format = Uuid, description = "The proposal"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "The ETag read; 412 if it changed since")),
    request_body = UpdateProposalRequest,
    responses(
        (status = 200, description = "Recomputed", body = ProposalView,
            headers(("ETag" = String, description = "Its new version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/{id}/proposals/{pid}")]
pub async fn update_proposal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    Json(body): Json<UpdateProposalRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, pid) = path.into_inner();
    let (id, pid) = (id.to_string(), pid.to_string());
    if body.pins.len() > 500 {
        return Err(ApiError::field(
            "pins",
            "length",
            "at most 500 pinned pairs",
        ));
    }
    let pins: Vec<(String, String)> = body
        .pins
        .iter()
        .map(|p| (p.members[0].clone(), p.members[1].clone()))
        .collect();
    let expected = expected_version(&req)?;
    let actor = caller.principal();
    let p = proposals::repin(&state.app, actor, id, pid, pins, expected).await?;
    Ok(tagged(StatusCode::OK, p.version, ProposalView::from(&p)))
}

/// Confirm a proposal (admins only).
///
/// Each pair gets an ordinary invitation from its first member to its second, who accepts or
/// declines it as any other; the cohort is then matched: members can no longer opt out and no
/// other proposal can be confirmed (`cohort-matched`). If anyone in a pair opted out, was
/// deactivated or partnered meanwhile, nothing happens (`proposal-stale`): compute a new one.
#[utoipa::path(
    tag = "programmes",
    operation_id = "confirm_proposal",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort"),
        ("pid" = String, Path, format = Uuid, description = "The proposal")),
    responses(
        (status = 200, description = "Confirmed, with each pair's invitation", body = ProposalView,
            headers(("ETag" = String, description = "Its new version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/{id}/proposals/{pid}/confirm")]
pub async fn confirm_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, pid) = path.into_inner();
    let (id, pid) = (id.to_string(), pid.to_string());
    let actor = caller.principal();
    let p = state
        .app
        .write_by(&actor, move |tx, actor| {
            proposals::confirm(tx, actor, &id, &pid)
        })
        .await?;
    Ok(tagged(StatusCode::OK, p.version, ProposalView::from(&p)))
}
