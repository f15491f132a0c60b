//! Milestones, nested in their goal. On an active goal every change to a milestone's date or
//! target is kept as a revision (who, when, old, new, optional meeting); pushing a milestone back
//! or easing its target waits for the partner, like any easing edit.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_domain::goal::{Direction, GoalStatus};
use tandem_domain::goal_edit::{self, Effect};
use tandem_store::goals::{self, MilestoneRow};
use tandem_store::write_transaction;
use utoipa::ToSchema;
use validator::Validate;

use super::goal_docs::{FieldChange, GoalView, MilestoneInput, MilestoneView};
use super::goals::{CallerRef, full_view, json, load, owner_only, record, touch};
use super::meetings::check_reference;
use crate::auth::Caller;
use crate::conditional::etag;
use crate::error::ApiError;
use crate::extract::{Json, non_null, nullable};
use crate::state::AppState;

/// A milestone edit (merge patch).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_date": "2026-04-15"}))]
pub struct UpdateMilestoneRequest {
    /// New title.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 200))]
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// New due date.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub due_date: Option<NaiveDate>,
    /// New target value (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = -1e15, maximum = 1e15)]
    pub target: Option<Option<f64>>,
    /// The meeting in which the change was agreed, recorded in the revision and listed in that
    /// meeting's agenda (a scheduled or completed meeting of this partnership; 422 otherwise).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub meeting_id: Option<uuid::Uuid>,
}

/// Completing a milestone.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"completed_on": "2026-03-28"}))]
pub struct CompleteMilestoneRequest {
    /// The day it was done (default: today in the partnership's time zone).
    pub completed_on: Option<NaiveDate>,
    /// The meeting it was reported in (a scheduled or completed meeting of this partnership;
    /// 422 otherwise).
    pub meeting_id: Option<uuid::Uuid>,
}

/// A new order for a goal's milestones.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"milestone_ids": ["0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f62", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f61"]}))]
pub struct ReorderMilestonesRequest {
    /// Every milestone id of the goal, exactly once, in the new order.
    #[validate(length(max = 100))]
    pub milestone_ids: Vec<uuid::Uuid>,
}

/// Applies `/title`, `/due_date` and `/target` changes to a milestone row.
pub fn apply_fields(m: &mut MilestoneRow, fields: &[FieldChange]) {
    for f in fields {
        match f.field.as_str() {
            "/title" => {
                if let Some(t) = f.new.as_str() {
                    m.title = t.to_owned();
                }
            }
            "/due_date" => {
                if let Some(d) = f.new.as_str().and_then(|s| s.parse().ok()) {
                    m.due_date = d;
                }
            }
            "/target" => m.target = f.new.as_f64(),
            _ => {}
        }
    }
}

#[derive(Debug, Deserialize)]
struct MilestonePath {
    id: uuid::Uuid,
    milestone_id: uuid::Uuid,
}

fn milestone_view(m: &MilestoneRow, goal_id: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_LOCATION,
            format!("/v1/goals/{goal_id}/milestones/{}", m.id),
        ))
        .json(MilestoneView::from(m))
}

/// Add a milestone to a goal (owner only); it goes last.
#[utoipa::path(
    tag = "goals",
    operation_id = "add_milestone",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id")),
    request_body = MilestoneInput,
    responses(
        (status = 201, description = "Milestone added", body = MilestoneView,
            headers(("Location" = String, description = "The new milestone"))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/goals/{id}/milestones")]
pub async fn add_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<MilestoneInput>,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let m = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut goal, _) = load(conn, &goal_id, &who)?;
            owner_only(&goal, &who)?;
            editable(&goal.status)?;
            let existing = goals::milestones_of(conn, &goal.id)?;
            if existing.len() >= 20 {
                return Err(ApiError::Conflict(
                    "a goal has at most 20 milestones".into(),
                ));
            }
            let now = crate::clock::now().naive_utc();
            let m = MilestoneRow {
                id: uuid::Uuid::now_v7().to_string(),
                goal_id: goal.id.clone(),
                position: existing.iter().map(|m| m.position + 1).max().unwrap_or(0),
                title: body.title.trim().to_owned(),
                due_date: body.due_date,
                target: body.target,
                completed_on: None,
                created_at: now,
                updated_at: now,
            };
            goals::insert_milestone(conn, &m)?;
            let change = FieldChange {
                field: format!("/milestones/{}", m.id),
                old: Value::Null,
                new: json(&body),
            };
            record(
                conn,
                &goal.id,
                &who.id,
                "milestone_added",
                "applied",
                Some(m.id.clone()),
                None,
                &[change],
                now,
            )?;
            touch(conn, &mut goal, now)?;
            Ok::<_, ApiError>(m)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/goals/{}/milestones/{}", m.goal_id, m.id),
        ))
        .json(MilestoneView::from(&m)))
}

fn editable(status: &str) -> Result<(), ApiError> {
    match crate::enums::parse::<GoalStatus>(status) {
        Some(GoalStatus::Draft | GoalStatus::Active) => Ok(()),
        _ => Err(ApiError::Conflict(format!(
            "a goal that is {status} can no longer be edited"
        ))),
    }
}

/// A milestone of a goal.
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
#[get("/goals/{id}/milestones/{milestone_id}")]
pub async fn get_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, milestone_id) = path.into_inner();
    let p = MilestonePath { id, milestone_id };
    let (goal_id, mid, who) = (
        p.id.to_string(),
        p.milestone_id.to_string(),
        CallerRef::from(&caller),
    );
    let m = crate::db::run(&state, move |conn| {
        load(conn, &goal_id, &who)?;
        goals::find_milestone(conn, &goal_id, &mid)
    })
    .await?;
    Ok(milestone_view(&m, &m.goal_id))
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
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[patch("/goals/{id}/milestones/{milestone_id}")]
pub async fn update_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    Json(body): Json<UpdateMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, milestone_id) = path.into_inner();
    let (goal_id, mid, who) = (
        id.to_string(),
        milestone_id.to_string(),
        CallerRef::from(&caller),
    );
    let (version, view, only_pending) = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut goal, _) = load(conn, &goal_id, &who)?;
            owner_only(&goal, &who)?;
            editable(&goal.status)?;
            let mut m = goals::find_milestone(conn, &goal.id, &mid)?;
            if let Some(meeting) = body.meeting_id {
                check_reference(
                    conn,
                    &meeting.to_string(),
                    &goal.partnership_id,
                    "meeting_id",
                )?;
            }
            let mut changes = Vec::new();
            if let Some(title) = &body.title
                && title.trim() != m.title
            {
                changes.push(FieldChange {
                    field: "/title".into(),
                    old: json(&m.title),
                    new: json(&title.trim()),
                });
            }
            if let Some(due) = body.due_date
                && due != m.due_date
            {
                changes.push(FieldChange {
                    field: "/due_date".into(),
                    old: json(&m.due_date),
                    new: json(&due),
                });
            }
            if let Some(target) = body.target
                && target != m.target
            {
                changes.push(FieldChange {
                    field: "/target".into(),
                    old: json(&m.target),
                    new: json(&target),
                });
            }
            if changes.is_empty() {
                return Ok::<_, ApiError>((goal.version, full_view(conn, &goal)?, false));
            }
            let active = goal.status == "active";
            let direction: Option<Direction> =
                goal.direction.as_deref().and_then(crate::enums::parse);
            let (mut applied, mut pending) = (Vec::new(), Vec::new());
            for change in changes {
                let effect = match change.field.as_str() {
                    "/due_date" => goal_edit::date_change(
                        change.old.as_str().and_then(|s| s.parse().ok()),
                        change.new.as_str().and_then(|s| s.parse().ok()),
                    ),
                    "/target" => direction.map_or(Effect::NotEasier, |d| {
                        goal_edit::milestone_target_change(
                            d,
                            change.old.as_f64(),
                            change.new.as_f64(),
                        )
                    }),
                    _ => Effect::NotEasier,
                };
                if active && effect == Effect::Easier {
                    pending.push(change);
                } else {
                    applied.push(change);
                }
            }
            let now = crate::clock::now().naive_utc();
            let meeting = body.meeting_id.map(|m| m.to_string());
            if !applied.is_empty() {
                apply_fields(&mut m, &applied);
                m.updated_at = now;
                goals::save_milestone(conn, &m)?;
                record(
                    conn,
                    &goal.id,
                    &who.id,
                    "milestone_edited",
                    "applied",
                    Some(m.id.clone()),
                    meeting.clone(),
                    &applied,
                    now,
                )?;
                touch(conn, &mut goal, now)?;
            }
            if !pending.is_empty() {
                record(
                    conn,
                    &goal.id,
                    &who.id,
                    "milestone_edited",
                    "pending",
                    Some(m.id.clone()),
                    meeting,
                    &pending,
                    now,
                )?;
            }
            let only_pending = applied.is_empty() && !pending.is_empty();
            Ok((goal.version, full_view(conn, &goal)?, only_pending))
        })
    })
    .await?;
    Ok(super::goals::respond_edit(view, version, only_pending))
}

/// Mark a milestone complete (owner only).
#[utoipa::path(
    tag = "goals",
    operation_id = "complete_milestone",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("milestone_id" = String, Path, format = Uuid, description = "Milestone id")),
    request_body = CompleteMilestoneRequest,
    responses(
        (status = 200, description = "The completed milestone", body = MilestoneView),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/goals/{id}/milestones/{milestone_id}/complete")]
pub async fn complete_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    Json(body): Json<CompleteMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, milestone_id) = path.into_inner();
    let (goal_id, mid, who) = (
        id.to_string(),
        milestone_id.to_string(),
        CallerRef::from(&caller),
    );
    let m = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut goal, partnership) = load(conn, &goal_id, &who)?;
            owner_only(&goal, &who)?;
            editable(&goal.status)?;
            let mut m = goals::find_milestone(conn, &goal.id, &mid)?;
            if let Some(meeting) = body.meeting_id {
                check_reference(
                    conn,
                    &meeting.to_string(),
                    &goal.partnership_id,
                    "meeting_id",
                )?;
            }
            let now = crate::clock::now();
            let today = partnership
                .time_zone
                .parse::<chrono_tz::Tz>()
                .map(|tz| now.with_timezone(&tz).date_naive())
                .unwrap_or_else(|_| now.date_naive());
            let done = body.completed_on.unwrap_or(today);
            let change = FieldChange {
                field: "/completed_on".into(),
                old: json(&m.completed_on),
                new: json(&done),
            };
            m.completed_on = Some(done);
            m.updated_at = now.naive_utc();
            goals::save_milestone(conn, &m)?;
            record(
                conn,
                &goal.id,
                &who.id,
                "milestone_completed",
                "applied",
                Some(m.id.clone()),
                body.meeting_id.map(|m| m.to_string()),
                &[change],
                now.naive_utc(),
            )?;
            touch(conn, &mut goal, now.naive_utc())?;
            Ok::<_, ApiError>(m)
        })
    })
    .await?;
    Ok(milestone_view(&m, &m.goal_id))
}

/// Reorder a goal's milestones (owner only): send every id once, in the new order.
#[utoipa::path(
    tag = "goals",
    operation_id = "reorder_milestones",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id")),
    request_body = ReorderMilestonesRequest,
    responses(
        (status = 200, description = "The goal with its milestones in the new order", body = GoalView,
            headers(("ETag" = String, description = "The goal's new version"))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[put("/goals/{id}/milestones/order")]
pub async fn reorder_milestones(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<ReorderMilestonesRequest>,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let (version, view) = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut goal, _) = load(conn, &goal_id, &who)?;
            owner_only(&goal, &who)?;
            editable(&goal.status)?;
            let existing = goals::milestones_of(conn, &goal.id)?;
            let wanted: Vec<String> = body.milestone_ids.iter().map(|i| i.to_string()).collect();
            let mut a: Vec<&String> = wanted.iter().collect();
            let mut b: Vec<&String> = existing.iter().map(|m| &m.id).collect();
            a.sort();
            b.sort();
            if a != b {
                return Err(ApiError::field(
                    "milestone_ids",
                    "not_a_permutation",
                    "list every milestone of the goal exactly once",
                ));
            }
            let now = crate::clock::now().naive_utc();
            let old: Vec<&String> = existing.iter().map(|m| &m.id).collect();
            for mut m in existing.clone() {
                m.position = wanted.iter().position(|id| *id == m.id).unwrap_or(0) as i32;
                m.updated_at = now;
                goals::save_milestone(conn, &m)?;
            }
            let change = FieldChange {
                field: "/milestones".into(),
                old: json(&old),
                new: json(&wanted),
            };
            record(
                conn,
                &goal.id,
                &who.id,
                "milestones_reordered",
                "applied",
                None,
                None,
                &[change],
                now,
            )?;
            touch(conn, &mut goal, now)?;
            Ok((goal.version, full_view(conn, &goal)?))
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(view))
}
