//! Goals: drafts, activation against the SMART assessment and the 3-5 rule, lifecycle, history,
//! and edits that cannot cheat. Both partners read every goal in their partnership (a public
//! commitment); only the owner changes it (403 for the partner, 404 for anyone else).

mod params;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use serde_json::Value;
use tandem_app::goals::{self, GoalFilter};
use tandem_domain::goal::GoalStatus;
use validator::Validate;

use crate::auth::Caller;
use crate::http::conditional::{current, etag, expected_version, tagged};
use crate::http::extract::{Json, MergePatch, Query, parse_json};
use crate::http::idempotency::{self, Created};
use crate::http::problem::ApiError;
use crate::http::{csv, list};
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::goals::{ChangeView, GoalView};
pub use params::{GoalInput, HistoryQuery, ListGoalsQuery, MetricInput, MilestoneInput};

refusals! {
    "create_goal": [PartnershipEnded, ExternalRefTaken];
    "upsert_goal_by_external_ref": [OwnerOnly, PartnershipEnded, ExternalRefTaken, GoalClosed, FrozenField, GoalNotSmart];
    "update_goal": [OwnerOnly, GoalClosed, FrozenField, GoalNotSmart];
    "activate_goal": [OwnerOnly, GoalTransition, PartnershipEnded, GoalNotSmart, GoalLimitReached];
    "achieve_goal": [OwnerOnly, GoalTransition];
    "drop_goal": [OwnerOnly, GoalTransition];
    "archive_goal": [OwnerOnly, GoalTransition];
    "acknowledge_goal_change": [PartnerDecides, ChangeDecided];
    "reject_goal_change": [PartnerDecides, ChangeDecided];
}

/// An edit's answer: 200 when it took effect; 202 Accepted when nothing applied yet and every
/// change waits for the partner (listed in `pending_changes`).
fn edited(edit: &goals::Edited) -> HttpResponse {
    let status = if edit.only_pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    tagged(
        status,
        edit.detail.goal.version,
        GoalView::from(&edit.detail),
    )
}

/// Create a goal (as a draft) in a partnership.
///
/// The caller becomes the owner. A draft may be incomplete; the response embeds its SMART
/// assessment. Milestones may be given here; later, use the milestone endpoints.
#[utoipa::path(
    tag = "goals",
    operation_id = "create_goal",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = GoalInput,
    responses(
        (status = 201, description = "Draft created", body = GoalView,
            headers(("Location" = String, description = "The new goal"), ("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/goals")]
pub async fn create_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    let pid = id.to_string();
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller, &fingerprint, move |tx, actor| {
        let (doc, milestones) = body.into_parts();
        let view = GoalView::from(&goals::create(tx, actor, &pid, &doc, &milestones)?);
        Created::new(format!("/v1/goals/{}", view.id), Some(etag(1)), &view)
    })
    .await
}

/// List a partnership's goals — both partners' — oldest first.
///
/// Both partners' goals, oldest first, paged; filter by owner, status or `updated_since`. Each goal
/// carries its SMART assessment and pending easing changes. For a spreadsheet: `goals.csv`.
#[utoipa::path(
    tag = "goals",
    operation_id = "list_goals",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListGoalsQuery),
    responses(
        (status = 200, description = "A page of goals", body = crate::http::list::Page<GoalView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/goals")]
pub async fn list_goals(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListGoalsQuery>,
) -> Result<HttpResponse, ApiError> {
    csv::json_only(&req)?;
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let filter = GoalFilter {
        owner_id: query.owner.map(|o| o.to_string()),
        status: query.status,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (actor, pid) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            goals::list(tx, actor, &pid, &filter, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |d| (d.goal.created_at, d.goal.id.clone()),
        |d| GoalView::from(&d),
    ))
}

/// Assess a goal without saving it, for live form hints.
///
/// Runs the SMART assessment on a goal document without storing anything, so a form can show what
/// is missing or vague while the user types. The same assessment every stored goal carries.
#[utoipa::path(
    tag = "goals",
    operation_id = "assess_goal",
    security(("bearer" = [])),
    request_body = GoalInput,
    responses((status = 200, description = "The SMART assessment", body = tandem_domain::smart::SmartAssessment))
)]
#[post("/assess")]
pub async fn assess_goal(_caller: Caller, Json(body): Json<GoalInput>) -> HttpResponse {
    let (doc, milestones) = body.into_parts();
    HttpResponse::Ok().json(goals::assess_document(&doc, &milestones))
}

/// A goal, with its milestones, SMART assessment and pending changes.
///
/// The goal document, its status, its milestones in order, its SMART assessment and any pending
/// easing change awaiting the partner. Someone outside the partnership gets 404. Carries an ETag
/// for `If-Match` on `PATCH`.
#[utoipa::path(
    tag = "goals",
    operation_id = "get_goal",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("If-None-Match" = Option<String>, Header, description = "304 if unchanged")),
    responses(
        (status = 200, description = "The goal", body = GoalView, headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Unchanged"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("")]
pub async fn get_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let detail = state
        .app
        .read_by(&actor, move |tx, actor| goals::get(tx, actor, &id))
        .await?;
    Ok(current(&req, detail.goal.version, GoalView::from(&detail)))
}

/// Edit a goal (owner only) with a JSON merge patch.
///
/// Send only what changes (`null` clears an optional field). On a draft everything applies. On an
/// active goal, changes that make it easier — a target moved toward the baseline, a flattering
/// baseline, a later start or due date — do not apply: they become a pending change that the
/// partner acknowledges or rejects (see `pending_changes`); the rest applies at once. When
/// nothing applied and everything waits for the partner, the answer is 202 Accepted. The
/// direction and kind of an active goal's metric cannot change, and an active goal must stay SMART.
#[utoipa::path(
    tag = "goals",
    operation_id = "update_goal",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the goal changed since")),
    request_body(content = GoalInput, content_type = "application/merge-patch+json",
        description = "Any subset of the goal document (milestones excluded)"),
    responses(
        (status = 200, description = "The edit took effect (any easing part of it is listed in `pending_changes`)", body = GoalView,
            headers(("ETag" = String, description = "New version"))),
        (status = 202, description = "Nothing applied yet: every change eases the goal and waits for the partner to acknowledge it (see `pending_changes`)", body = GoalView,
            headers(("ETag" = String, description = "The goal's version (unchanged)"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("")]
pub async fn update_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(MergePatch(patch)): Json<MergePatch>,
) -> Result<HttpResponse, ApiError> {
    check_patch(&patch)?;
    let expected = expected_version(&req)?;
    let (actor, id) = (caller.principal(), id.to_string());
    let edit = state
        .app
        .write_by(&actor, move |tx, actor| {
            goals::edit(tx, actor, &id, expected, &patch)
        })
        .await?;
    Ok(edited(&edit))
}

/// A merge patch must, on its own, be a well-typed goal document in range: a malformed body is
/// 422 whatever the state of the goal (no 412 or 409 for a request that could never succeed).
/// Milestones have endpoints of their own.
fn check_patch(patch: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    if patch.contains_key("milestones") {
        return Err(ApiError::field(
            "milestones",
            "read_only",
            "edit milestones through /v1/goals/{id}/milestones",
        ));
    }
    let mut shape = Value::Object(Default::default());
    goals::merge_patch(&mut shape, &Value::Object(patch.clone()));
    let alone: GoalInput = parse_json(&serde_json::to_vec(&shape).map_err(ApiError::internal)?)?;
    Ok(alone.validate()?)
}

/// Create or update the goal mirrored from an OKR tool, by that tool's id for it.
///
/// The first call creates a draft owned by the caller (201), with `source` and `external_ref`
/// taken from the path; later calls update that goal (200) exactly like `PATCH /v1/goals/{id}`
/// with the fields sent (fields left out stay; an active goal's easing changes become pending;
/// milestones count on creation only). So a sync can send the same document again and again.
/// Only the goal's owner may update it (403 for the partner's).
#[utoipa::path(
    tag = "goals",
    operation_id = "upsert_goal_by_external_ref",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("source" = String, Path, pattern = r"^[^/]{1,100}$", description = "The external tool's name, e.g. `lattice`"),
        ("external_ref" = String, Path, pattern = r"^[^/]{1,200}$", description = "The goal's id in that tool"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "On update: 412 if the goal changed since")),
    request_body = GoalInput,
    responses(
        (status = 200, description = "Updated", body = GoalView, headers(("ETag" = String, description = "New version"))),
        (status = 202, description = "Nothing applied yet: every change eases the active goal and waits for the partner (see `pending_changes`)", body = GoalView,
            headers(("ETag" = String, description = "The goal's version (unchanged)"))),
        (status = 201, description = "Created as a draft", body = GoalView,
            headers(("Location" = String, description = "The new goal"), ("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/goals/by-external-ref/{source}/{external_ref}")]
pub async fn upsert_goal_by_external_ref(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, String, String)>,
    Json(mut body): Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    let (pid, source, external_ref) = path.into_inner();
    body.take_reference(source, external_ref)?;
    body.validate()?;
    let expected = expected_version(&req)?;
    let (actor, pid) = (caller.principal(), pid.to_string());
    let (doc, milestones) = body.into_parts();
    let upsert = state
        .app
        .write_by(&actor, move |tx, actor| {
            goals::upsert_by_external_ref(tx, actor, &pid, &doc, &milestones, expected)
        })
        .await?;
    if !upsert.created {
        return Ok(edited(&upsert.edited));
    }
    let view = GoalView::from(&upsert.edited.detail);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/goals/{}", view.id)))
        .insert_header((header::ETAG, etag(1)))
        .json(view))
}

async fn change_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    to: GoalStatus,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    let detail = state
        .app
        .write_by(&actor, move |tx, actor| {
            goals::change_status(tx, actor, &id, to)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        detail.goal.version,
        GoalView::from(&detail),
    ))
}

macro_rules! goal_action {
    ($fn:ident, $path:literal, $to:expr, $summary:literal, $doc:literal) => {
        #[doc = $summary]
        ///
        #[doc = $doc]
        #[utoipa::path(
                    tag = "goals",
                    security(("bearer" = [])),
                    params(("id" = String, Path, format = Uuid, description = "Goal id")),
                    responses(
                        (status = 200, description = "The goal in its new status", body = GoalView,
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
            change_status(state, caller, id.into_inner(), $to).await
        }
    };
}

goal_action!(
    activate_goal,
    "/activate",
    GoalStatus::Active,
    "Activate a draft goal (owner only).",
    "Requires a complete SMART assessment (422 `goal-not-smart` lists the findings) and fewer than 5 active goals for the owner in the partnership (409 otherwise)."
);
goal_action!(
    achieve_goal,
    "/achieve",
    GoalStatus::Achieved,
    "Mark an active goal achieved (owner only).",
    "Closes the goal; it stays in history."
);
goal_action!(
    drop_goal,
    "/drop",
    GoalStatus::Dropped,
    "Drop a draft or active goal (owner only).",
    "Closes the goal on purpose; it stays in history."
);
goal_action!(
    archive_goal,
    "/archive",
    GoalStatus::Archived,
    "Archive a closed goal or a draft (owner only).",
    "Used at the annual refresh; archived goals are kept, read-only."
);

/// Every change to a goal and its milestones.
///
/// Oldest first, each with who made it, when, the values before and after, and its state: applied,
/// pending (an easing change awaiting the partner), acknowledged or rejected. Nothing about a goal
/// is changed without leaving a record here.
#[utoipa::path(
    tag = "goals",
    operation_id = "goal_history",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"), HistoryQuery),
    responses(
        (status = 200, description = "A page of history", body = crate::http::list::Page<crate::views::goals::ChangeView>),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/history")]
pub async fn goal_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let since = query.updated_since.map(|t| t.naive_utc());
    let (actor, id) = (caller.principal(), id.to_string());
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            goals::history(tx, actor, &id, since, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |c| (c.created_at, c.id.clone()),
        |c| ChangeView::from(&c),
    ))
}

async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    path: (uuid::Uuid, uuid::Uuid),
    acknowledge: bool,
) -> Result<HttpResponse, ApiError> {
    let (id, change_id) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let detail = state
        .app
        .write_by(&actor, move |tx, actor| {
            goals::decide(tx, actor, &id, &change_id, acknowledge)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        detail.goal.version,
        GoalView::from(&detail),
    ))
}

/// Acknowledge a pending easing change to your partner's goal: it applies now.
///
/// Only the partner of the goal's owner may acknowledge an easing change (a lower target, a later
/// due date); it applies at once and the history records who agreed.
#[utoipa::path(
    tag = "goals",
    operation_id = "acknowledge_goal_change",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("change_id" = String, Path, format = Uuid, description = "Pending change id")),
    responses(
        (status = 200, description = "The goal with the change applied", body = GoalView, headers(("ETag" = String, description = "New version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/changes/{change_id}/acknowledge")]
pub async fn acknowledge_goal_change(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    decide(state, caller, path.into_inner(), true).await
}

/// Reject a pending easing change to your partner's goal: the goal stays as it is.
///
/// Only the partner of the goal's owner may reject an easing change; the goal keeps its current
/// values and the history records the refusal.
#[utoipa::path(
    tag = "goals",
    operation_id = "reject_goal_change",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("change_id" = String, Path, format = Uuid, description = "Pending change id")),
    responses(
        (status = 200, description = "The goal, unchanged", body = GoalView, headers(("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/changes/{change_id}/reject")]
pub async fn reject_goal_change(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    decide(state, caller, path.into_inner(), false).await
}
