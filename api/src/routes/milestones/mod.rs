//! Milestones, nested in their goal. On an active goal every change to a milestone's date or
//! target is kept in the goal's history; pushing a milestone back or easing its target waits for
//! the partner, like any easing edit.

mod params;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, patch, post, put, web};
use tandem_app::goals::MilestoneRow;
use tandem_app::milestones::{self, MilestoneEdit};

use crate::auth::Caller;
use crate::http::conditional::tagged;
use crate::http::extract::Json;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
pub use crate::views::goals::MilestoneInput;
use crate::views::goals::{GoalView, MilestoneView};
pub use params::{CompleteMilestoneRequest, ReorderMilestonesRequest, UpdateMilestoneRequest};

refusals! {
    "add_milestone": [OwnerOnly, GoalClosed, MilestoneLimitReached];
    "update_milestone": [OwnerOnly, GoalClosed];
    "complete_milestone": [OwnerOnly, GoalClosed];
    "reorder_milestones": [OwnerOnly, GoalClosed];
}

fn milestone_view(m: &MilestoneRow) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_LOCATION,
            format!("/v1/goals/{}/milestones/{}", m.goal_id, m.id),
        ))
        .json(MilestoneView::from(m))
}

/// Add a milestone to a goal (owner only); it goes last.
///
/// A milestone has a title, an optional target value and a due date within the goal's dates. Only
/// the goal's owner may add one; the partner sees it on the goal and in the meeting agenda.
#[utoipa::path(
    tag = "goals",
    operation_id = "add_milestone",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id")),
    request_body = MilestoneInput,
    responses(
        (status = 201, description = "Milestone added", body = MilestoneView,
            headers(("Location" = String, description = "The new milestone"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/milestones")]
pub async fn add_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<MilestoneInput>,
) -> Result<HttpResponse, ApiError> {
    let (actor, goal_id) = (caller.principal(), id.to_string());
    let new = body.into();
    let m = state
        .app
        .write_by(&actor, move |tx, actor| {
            milestones::add(tx, actor, &goal_id, &new)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/goals/{}/milestones/{}", m.goal_id, m.id),
        ))
        .json(MilestoneView::from(&m)))
}

/// A milestone of a goal.
///
/// A milestone's title, target, due date, position and completion.
#[utoipa::path(
    tag = "goals",
    operation_id = "get_milestone",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("milestone_id" = String, Path, format = Uuid, description = "Milestone id")),
    responses(
        (status = 200, description = "The milestone", body = MilestoneView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/milestones/{milestone_id}")]
pub async fn get_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, mid) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let m = state
        .app
        .read_by(&actor, move |tx, actor| {
            milestones::get(tx, actor, &goal_id, &mid)
        })
        .await?;
    Ok(milestone_view(&m))
}

/// Edit a milestone (owner only).
///
/// On an active goal, a later due date or an easier target becomes a pending change for the
/// partner; other edits apply at once. Every change is kept in the goal's history, with the
/// meeting it was agreed in when `meeting_id` is given.
#[utoipa::path(
    tag = "goals",
    operation_id = "update_milestone",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("milestone_id" = String, Path, format = Uuid, description = "Milestone id")),
    request_body = UpdateMilestoneRequest,
    responses(
        (status = 200, description = "The edit took effect (any easing part of it is listed in `pending_changes`)", body = GoalView,
            headers(("ETag" = String, description = "The goal's new version"))),
        (status = 202, description = "Nothing applied yet: every change eases the goal and waits for the partner to acknowledge it (see `pending_changes`)", body = GoalView,
            headers(("ETag" = String, description = "The goal's version (unchanged)"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[patch("/milestones/{milestone_id}")]
pub async fn update_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    Json(body): Json<UpdateMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, mid) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let edit = MilestoneEdit {
        title: body.title,
        due_date: body.due_date,
        target: body.target,
        meeting_id: body.meeting_id.map(|m| m.to_string()),
    };
    let edited = state
        .app
        .write_by(&actor, move |tx, actor| {
            milestones::update(tx, actor, &goal_id, &mid, edit)
        })
        .await?;
    let status = if edited.only_pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok(tagged(
        status,
        edited.detail.goal.version,
        GoalView::from(&edited.detail),
    ))
}

/// Mark a milestone complete (owner only).
///
/// Records the completion date (`completed_on`, or today) and, optionally, the meeting where it was
/// reported; the meeting agenda lists it among the milestone updates.
#[utoipa::path(
    tag = "goals",
    operation_id = "complete_milestone",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("milestone_id" = String, Path, format = Uuid, description = "Milestone id")),
    request_body = CompleteMilestoneRequest,
    responses(
        (status = 200, description = "The completed milestone", body = MilestoneView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/milestones/{milestone_id}/complete")]
pub async fn complete_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    Json(body): Json<CompleteMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, mid) = (path.0.to_string(), path.1.to_string());
    let actor = caller.principal();
    let meeting = body.meeting_id.map(|m| m.to_string());
    let m = state
        .app
        .write_by(&actor, move |tx, actor| {
            milestones::complete(tx, actor, &goal_id, &mid, body.completed_on, meeting)
        })
        .await?;
    Ok(milestone_view(&m))
}

/// Reorder a goal's milestones (owner only): send every id once, in the new order.
///
/// Send every milestone id of the goal exactly once; a missing, repeated or foreign id is refused
/// and nothing changes.
#[utoipa::path(
    tag = "goals",
    operation_id = "reorder_milestones",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id")),
    request_body = ReorderMilestonesRequest,
    responses(
        (status = 200, description = "The goal with its milestones in the new order", body = GoalView,
            headers(("ETag" = String, description = "The goal's new version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[put("/milestones/order")]
pub async fn reorder_milestones(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<ReorderMilestonesRequest>,
) -> Result<HttpResponse, ApiError> {
    let (actor, goal_id) = (caller.principal(), id.to_string());
    let ids: Vec<String> = body.milestone_ids.iter().map(|i| i.to_string()).collect();
    let detail = state
        .app
        .write_by(&actor, move |tx, actor| {
            milestones::reorder(tx, actor, &goal_id, &ids)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        detail.goal.version,
        GoalView::from(&detail),
    ))
}
