//! Goals: drafts, activation against the SMART assessment and the 3-5 rule, lifecycle, history,
//! and edits that cannot cheat. Both partners read every goal in their partnership (a public
//! commitment); only the owner changes it (403 for the partner, 404 for anyone else).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_domain::goal::{Direction, GoalStatus};
use tandem_domain::goal_edit::{self, Effect};
use tandem_domain::goal_set::{MAX_ACTIVE_GOALS, may_activate};
use tandem_domain::smart::{SmartAssessment, assess};
use tandem_store::goals::{self, Goal, GoalChange, GoalFilter, MilestoneRow};
use tandem_store::partnerships::{self, Partnership};
use tandem_store::{DbConnection, StoreError, write_transaction};
use utoipa::IntoParams;
use validator::Validate;

use super::goal_docs::{
    FieldChange, GoalInput, GoalView, assessment_of, diff, goal_view, merge_patch, set_pointer,
    without_nulls,
};
use super::partnerships::{load as load_partnership, status_of};
use crate::auth::Caller;
use crate::conditional::{etag, expected_version, not_modified};
use crate::error::{ApiError, FieldError};
use crate::extract::Query;
use crate::extract::{Json, MergePatch, parse_json};
use crate::idempotency::{self, Created};
use crate::pagination;
use crate::state::AppState;

/// A goal and the partnership it lives in, loaded for a member (404 for anyone else).
pub fn load(
    conn: &mut DbConnection,
    goal_id: &str,
    caller: &CallerRef,
) -> Result<(Goal, Partnership), StoreError> {
    let goal = goals::find(conn, goal_id)?;
    let partnership = load_partnership(conn, &goal.partnership_id, caller)?;
    Ok((goal, partnership))
}

/// The caller's identity, owned, for use on a blocking thread.
#[derive(Debug, Clone)]
pub struct CallerRef {
    /// User id.
    pub id: String,
    /// Email.
    pub email: String,
    /// The one partnership the credential may reach, if limited.
    pub only: Option<String>,
}

impl From<&Caller> for CallerRef {
    fn from(c: &Caller) -> Self {
        CallerRef {
            id: c.id.clone(),
            email: c.user.email.clone(),
            only: c.partnership.clone(),
        }
    }
}

/// Only the owner changes a goal; the partner may read it.
pub fn owner_only(goal: &Goal, caller: &CallerRef) -> Result<(), ApiError> {
    if goal.owner_id == caller.id {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the goal's owner can change it".into(),
        ))
    }
}

/// The full view of a goal: milestones and pending changes included.
pub fn full_view(conn: &mut DbConnection, goal: &Goal) -> Result<GoalView, StoreError> {
    let milestones = goals::milestones_of(conn, &goal.id)?;
    let pending = goals::changes(conn, &goal.id, Some("pending"), None, 1000)?;
    Ok(goal_view(goal, &milestones, &pending))
}

/// Records a history entry.
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut DbConnection,
    goal_id: &str,
    actor: &str,
    kind: &str,
    state: &str,
    milestone_id: Option<String>,
    meeting_id: Option<String>,
    changes: &[FieldChange],
    now: NaiveDateTime,
) -> Result<GoalChange, StoreError> {
    let change = GoalChange {
        id: uuid::Uuid::now_v7().to_string(),
        goal_id: goal_id.to_owned(),
        actor_id: actor.to_owned(),
        kind: kind.to_owned(),
        state: state.to_owned(),
        milestone_id,
        meeting_id,
        changes: serde_json::to_string(changes).unwrap_or_else(|_| "[]".into()),
        decided_by: None,
        decided_at: None,
        created_at: now,
    };
    goals::insert_change(conn, &change)?;
    Ok(change)
}

/// Saves a changed goal as its next version (412-style [`StoreError::Stale`] if someone else
/// saved in between).
pub fn touch(
    conn: &mut DbConnection,
    goal: &mut Goal,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    goal.version += 1;
    goal.updated_at = now;
    goals::save(conn, goal)
}

fn status_of_goal(goal: &Goal) -> GoalStatus {
    crate::enums::parse(&goal.status).unwrap_or(GoalStatus::Draft)
}

fn not_smart(assessment: &SmartAssessment) -> ApiError {
    ApiError::Unprocessable {
        slug: "goal-not-smart",
        title: "The goal is not SMART yet",
        detail: "an active goal must meet all five SMART criteria; see errors".into(),
        errors: assessment
            .errors()
            .map(|f| FieldError {
                pointer: format!("#{}", f.field),
                code: f.code.clone(),
                detail: f.message.clone(),
            })
            .collect(),
    }
}

fn respond(view: GoalView, version: i64) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(view)
}

/// The answer to an edit: 200 when it took effect; 202 Accepted when nothing applied yet and
/// every change waits for the partner (listed in `pending_changes`).
pub(crate) fn respond_edit(view: impl Serialize, version: i64, only_pending: bool) -> HttpResponse {
    let mut res = if only_pending {
        HttpResponse::Accepted()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag(version))).json(view)
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
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/partnerships/{id}/goals")]
pub async fn create_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    let partnership_id = id.to_string();
    let who = CallerRef::from(&caller);
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller.id, &fingerprint, move |conn| {
        let view = create_in(conn, &partnership_id, &who, &body)?;
        Created::new(format!("/v1/goals/{}", view.id), Some(etag(1)), &view)
    })
    .await
}

/// Filters for a partnership's goals.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListGoalsQuery {
    /// Only this owner's goals (a user id).
    pub owner: Option<uuid::Uuid>,
    /// Only goals in this status.
    pub status: Option<GoalStatus>,
    /// Only goals changed at or after this instant (RFC 3339).
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// List a partnership's goals — both partners' — oldest first.
#[utoipa::path(
    tag = "goals",
    operation_id = "list_goals",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ListGoalsQuery),
    responses(
        (status = 200, description = "A page of goals", body = pagination::Page<GoalView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}/goals")]
pub async fn list_goals(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ListGoalsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let filter = GoalFilter {
        owner_id: query.owner.map(|o| o.to_string()),
        status: query.status.map(|s| crate::enums::name(&s)),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let rows = crate::db::run(&state, move |conn| {
        load_partnership(conn, &partnership_id, &who)?;
        let rows = goals::list(conn, &partnership_id, &filter, after, limit + 1)?;
        let ids: Vec<String> = rows.iter().map(|g| g.id.clone()).collect();
        let milestones = goals::milestones_of_many(conn, &ids)?;
        let pending = goals::pending_of_many(conn, &ids)?;
        Ok::<_, StoreError>(
            rows.into_iter()
                .map(|g| {
                    let ms: Vec<MilestoneRow> = milestones
                        .iter()
                        .filter(|m| m.goal_id == g.id)
                        .cloned()
                        .collect();
                    let ps: Vec<GoalChange> = pending
                        .iter()
                        .filter(|c| c.goal_id == g.id)
                        .cloned()
                        .collect();
                    ((g.created_at, g.id.clone()), goal_view(&g, &ms, &ps))
                })
                .collect::<Vec<_>>(),
        )
    })
    .await?;
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |(k, _)| k.clone(),
        |(_, v)| v,
    ))
}

/// Assess a goal without saving it, for live form hints.
#[utoipa::path(
    tag = "goals",
    operation_id = "assess_goal",
    security(("bearer" = [])),
    request_body = GoalInput,
    responses((status = 200, description = "The SMART assessment", body = SmartAssessment))
)]
#[post("/goals/assess")]
pub async fn assess_goal(_caller: Caller, Json(body): Json<GoalInput>) -> HttpResponse {
    let milestones = body
        .milestones
        .iter()
        .flatten()
        .map(|m| tandem_domain::Milestone {
            title: m.title.clone(),
            due_date: m.due_date,
            target: m.target,
            completed_on: None,
        })
        .collect();
    HttpResponse::Ok().json(assess(&body.draft(milestones)))
}

/// A goal, with its milestones, SMART assessment and pending changes.
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
#[get("/goals/{id}")]
pub async fn get_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let (version, view) = crate::db::run(&state, move |conn| {
        let (goal, _) = load(conn, &goal_id, &who)?;
        Ok::<_, StoreError>((goal.version, full_view(conn, &goal)?))
    })
    .await?;
    let tag = etag(version);
    if not_modified(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(respond(view, version))
}

/// How an edit to an active goal's field affects its difficulty.
fn effect(direction: Option<Direction>, change: &FieldChange) -> Effect {
    let num = |v: &Value| v.as_f64();
    let date = |v: &Value| v.as_str().and_then(|s| s.parse().ok());
    match (change.field.as_str(), direction) {
        ("/metric/target", Some(d)) => {
            goal_edit::target_change(d, num(&change.old), num(&change.new))
        }
        ("/metric/baseline", Some(d)) => {
            goal_edit::baseline_change(d, num(&change.old), num(&change.new))
        }
        ("/due_date" | "/start_date", _) => {
            goal_edit::date_change(date(&change.old), date(&change.new))
        }
        _ => Effect::NotEasier,
    }
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
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/goals/{id}")]
pub async fn update_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(MergePatch(patch)): Json<MergePatch>,
) -> Result<HttpResponse, ApiError> {
    if patch.contains_key("milestones") {
        return Err(ApiError::field(
            "milestones",
            "read_only",
            "edit milestones through /v1/goals/{id}/milestones",
        ));
    }
    // The patch on its own must already be well-typed and in range: a malformed body is 422
    // whatever the state of the goal (no 412 or 409 for a request that could never succeed).
    let mut shape = Value::Object(Default::default());
    merge_patch(&mut shape, &Value::Object(patch.clone()));
    let alone: GoalInput = parse_json(&serde_json::to_vec(&shape).map_err(ApiError::internal)?)?;
    alone.validate()?;
    let expected = expected_version(&req)?;
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let (version, view, only_pending) = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| edit(conn, &goal_id, &who, expected, patch))
    })
    .await?;
    Ok(respond_edit(view, version, only_pending))
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
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/partnerships/{id}/goals/by-external-ref/{source}/{external_ref}")]
pub async fn upsert_goal_by_external_ref(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, String, String)>,
    Json(mut body): Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    let (partnership_id, source, external_ref) = path.into_inner();
    let mut errors = Vec::new();
    for (field, given, wanted, max) in [
        ("source", &body.source, &source, 100),
        ("external_ref", &body.external_ref, &external_ref, 200),
    ] {
        if given.as_ref().is_some_and(|g| g != wanted) {
            errors.push(FieldError::new(
                field,
                "mismatch",
                format!("must be {wanted:?}, as in the path, or left out"),
            ));
        } else {
            crate::validation::path_identifier(field, wanted, max)?;
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    body.source = Some(source.clone());
    body.external_ref = Some(external_ref.clone());
    body.validate()?;
    let expected = expected_version(&req)?;
    let (partnership_id, who) = (partnership_id.to_string(), CallerRef::from(&caller));
    let (created, version, view, only_pending) = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let p = load_partnership(conn, &partnership_id, &who)?;
            match goals::find_by_external_ref(conn, &p.id, &source, &external_ref)? {
                None => Ok((true, 1, create_in(conn, &p.id, &who, &body)?, false)),
                Some(goal) => {
                    let mut doc =
                        without_nulls(serde_json::to_value(&body).map_err(ApiError::internal)?);
                    let Value::Object(patch) = &mut doc else {
                        return Err(ApiError::internal("a goal document is an object"));
                    };
                    patch.remove("milestones");
                    let patch = std::mem::take(patch);
                    let (version, view, only_pending) =
                        edit(conn, &goal.id, &who, expected, patch)?;
                    Ok((false, version, view, only_pending))
                }
            }
        })
    })
    .await?;
    if created {
        return Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/goals/{}", view.id)))
            .insert_header((header::ETAG, etag(version)))
            .json(view));
    }
    Ok(respond_edit(view, version, only_pending))
}

/// Creates a draft goal owned by `who` in a partnership they belong to.
fn create_in(
    conn: &mut DbConnection,
    partnership_id: &str,
    who: &CallerRef,
    body: &GoalInput,
) -> Result<GoalView, ApiError> {
    let p = load_partnership(conn, partnership_id, who)?;
    if !status_of(&p).is_live() {
        return Err(ApiError::Conflict(format!(
            "the partnership is {}; no new goals",
            p.status
        )));
    }
    let now = crate::clock::now().naive_utc();
    let mut goal = Goal {
        id: uuid::Uuid::now_v7().to_string(),
        partnership_id: p.id.clone(),
        owner_id: who.id.clone(),
        status: "draft".into(),
        title: None,
        what: None,
        who: None,
        why: None,
        metric_name: None,
        metric_unit: None,
        metric_kind: None,
        direction: None,
        baseline: None,
        target: None,
        confidence: None,
        alignment: None,
        alignment_ref: None,
        start_date: None,
        due_date: None,
        weight: 1.0,
        update_every_days: 7,
        external_ref: None,
        source: None,
        activated_at: None,
        closed_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    body.write_into(&mut goal);
    let milestones: Vec<MilestoneRow> = body
        .milestones
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, m)| MilestoneRow {
            id: uuid::Uuid::now_v7().to_string(),
            goal_id: goal.id.clone(),
            position: i as i32,
            title: m.title.trim().to_owned(),
            due_date: m.due_date,
            target: m.target,
            completed_on: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    goals::insert(conn, &goal, &milestones).map_err(|e| match e {
        StoreError::Conflict(_) => ApiError::Conflict(
            "a goal with this source and external_ref already exists in the partnership".into(),
        ),
        other => other.into(),
    })?;
    record(
        conn,
        &goal.id,
        &who.id,
        "created",
        "applied",
        None,
        None,
        &[],
        now,
    )?;
    Ok(full_view(conn, &goal)?)
}

/// Applies a merge patch of the goal document to `who`'s goal (see `update_goal`): returns the
/// new version, the view, and whether every change waits for the partner (nothing applied).
fn edit(
    conn: &mut DbConnection,
    goal_id: &str,
    who: &CallerRef,
    expected: Option<i64>,
    patch: serde_json::Map<String, Value>,
) -> Result<(i64, GoalView, bool), ApiError> {
    let (mut goal, _) = load(conn, goal_id, who)?;
    owner_only(&goal, who)?;
    if expected.is_some_and(|v| v != goal.version) {
        return Err(ApiError::PreconditionFailed);
    }
    let status = status_of_goal(&goal);
    if !matches!(status, GoalStatus::Draft | GoalStatus::Active) {
        return Err(ApiError::Conflict(format!(
            "a goal that is {} can no longer be edited",
            goal.status
        )));
    }
    let before =
        without_nulls(serde_json::to_value(GoalInput::of(&goal)).map_err(ApiError::internal)?);
    let mut merged = before.clone();
    merge_patch(&mut merged, &Value::Object(patch));
    let input: GoalInput = parse_json(&serde_json::to_vec(&merged).map_err(ApiError::internal)?)?;
    input.validate()?;
    let after = without_nulls(serde_json::to_value(&input).map_err(ApiError::internal)?);
    let mut changes = Vec::new();
    diff(&before, &after, "", &mut changes);
    if changes.is_empty() {
        return Ok((goal.version, full_view(conn, &goal)?, false));
    }
    let (mut applied, mut pending) = (Vec::new(), Vec::new());
    if status == GoalStatus::Active {
        let direction = input.metric.as_ref().and_then(|m| m.direction);
        for change in changes {
            if matches!(change.field.as_str(), "/metric/direction" | "/metric/kind") {
                return Err(ApiError::field(
                    &change.field,
                    "read_only",
                    "the metric's direction and kind cannot change once the goal is active",
                ));
            }
            match effect(direction, &change) {
                Effect::Easier => pending.push(change),
                Effect::NotEasier => applied.push(change),
            }
        }
    } else {
        applied = changes;
    }
    let mut doc = before;
    for change in &applied {
        set_pointer(&mut doc, &change.field, change.new.clone());
    }
    let result: GoalInput = serde_json::from_value(doc).map_err(ApiError::internal)?;
    let now = crate::clock::now().naive_utc();
    if !applied.is_empty() {
        result.write_into(&mut goal);
        if status == GoalStatus::Active {
            let assessment = assessment_of(&goal, &goals::milestones_of(conn, &goal.id)?);
            if !assessment.complete {
                return Err(not_smart(&assessment));
            }
        }
        touch(conn, &mut goal, now)?;
        record(
            conn, &goal.id, &who.id, "edited", "applied", None, None, &applied, now,
        )?;
    }
    if !pending.is_empty() {
        record(
            conn, &goal.id, &who.id, "edited", "pending", None, None, &pending, now,
        )?;
    }
    let only_pending = applied.is_empty() && !pending.is_empty();
    Ok((goal.version, full_view(conn, &goal)?, only_pending))
}

async fn change_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: uuid::Uuid,
    to: GoalStatus,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let (version, view) = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut goal, partnership) = load(conn, &goal_id, &who)?;
            owner_only(&goal, &who)?;
            let from = status_of_goal(&goal);
            if !from.can_become(to) {
                return Err(ApiError::Conflict(format!(
                    "a goal that is {} cannot become {}",
                    goal.status,
                    crate::enums::name(&to)
                )));
            }
            let now = crate::clock::now().naive_utc();
            if to == GoalStatus::Active {
                if !status_of(&partnership).is_live() {
                    return Err(ApiError::Conflict(format!("the partnership is {}", partnership.status)));
                }
                let assessment = assessment_of(&goal, &goals::milestones_of(conn, &goal.id)?);
                if !assessment.complete {
                    return Err(not_smart(&assessment));
                }
                partnerships::lock(conn, &partnership.id)?;
                let active = goals::count_active(conn, &partnership.id, &goal.owner_id)?;
                may_activate(active as u32).map_err(|e| {
                    ApiError::Conflict(format!(
                        "{e}; you have {active}. Achieve or drop one first (the practice is 3 to {MAX_ACTIVE_GOALS})."
                    ))
                })?;
                goal.activated_at = Some(now);
            }
            if matches!(to, GoalStatus::Achieved | GoalStatus::Missed | GoalStatus::Dropped) {
                goal.closed_at = Some(now);
            }
            let change = FieldChange {
                field: "/status".into(),
                old: Value::String(goal.status.clone()),
                new: Value::String(crate::enums::name(&to)),
            };
            goal.status = crate::enums::name(&to);
            touch(conn, &mut goal, now)?;
            record(conn, &goal.id, &who.id, "status_changed", "applied", None, None, &[change], now)?;
            crate::events::goal_status_changed(conn, &goal, from, to, now.and_utc())?;
            Ok((goal.version, full_view(conn, &goal)?))
        })
    })
    .await?;
    Ok(respond(view, version))
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
                        (status = 403, response = crate::openapi::Forbidden),
                        (status = 404, response = crate::openapi::NotFound),
                        (status = 409, response = crate::openapi::Conflict),
                        (status = 422, response = crate::openapi::GoalRefused),
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
    "/goals/{id}/activate",
    GoalStatus::Active,
    "Activate a draft goal (owner only).",
    "Requires a complete SMART assessment (422 `goal-not-smart` lists the findings) and fewer than 5 active goals for the owner in the partnership (409 otherwise)."
);
goal_action!(
    achieve_goal,
    "/goals/{id}/achieve",
    GoalStatus::Achieved,
    "Mark an active goal achieved (owner only).",
    "Closes the goal; it stays in history."
);
goal_action!(
    drop_goal,
    "/goals/{id}/drop",
    GoalStatus::Dropped,
    "Drop a draft or active goal (owner only).",
    "Closes the goal on purpose; it stays in history."
);
goal_action!(
    archive_goal,
    "/goals/{id}/archive",
    GoalStatus::Archived,
    "Archive a closed goal or a draft (owner only).",
    "Used at the annual refresh; archived goals are kept, read-only."
);

/// Paging through a goal's history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only entries made or decided at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Every change to a goal and its milestones, oldest first, including pending, acknowledged and
/// rejected easing changes.
#[utoipa::path(
    tag = "goals",
    operation_id = "goal_history",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"), HistoryQuery),
    responses(
        (status = 200, description = "A page of history", body = pagination::Page<super::goal_docs::ChangeView>),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/goals/{id}/history")]
pub async fn goal_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let since = query.updated_since.map(|t| t.naive_utc());
    let rows = crate::db::run(&state, move |conn| {
        load(conn, &goal_id, &who)?;
        goals::changes_since(conn, &goal_id, None, since, after, limit + 1)
    })
    .await?;
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |c| (c.created_at, c.id.clone()),
        |c| super::goal_docs::ChangeView::from(&c),
    ))
}

#[derive(Debug, Deserialize)]
struct ChangePath {
    id: uuid::Uuid,
    change_id: uuid::Uuid,
}

async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    path: ChangePath,
    acknowledge: bool,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, change_id, who) = (
        path.id.to_string(),
        path.change_id.to_string(),
        CallerRef::from(&caller),
    );
    let (version, view) = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let (mut goal, _) = load(conn, &goal_id, &who)?;
            if goal.owner_id == who.id {
                return Err(ApiError::Forbidden(
                    "only the partner can acknowledge or reject a change to your goal".into(),
                ));
            }
            let change = goals::find_change(conn, &goal_id, &change_id)?;
            if change.state != "pending" {
                return Err(ApiError::Conflict(format!(
                    "this change is already {}",
                    change.state
                )));
            }
            let now = crate::clock::now().naive_utc();
            goals::decide_change(
                conn,
                &change.id,
                if acknowledge {
                    "acknowledged"
                } else {
                    "rejected"
                },
                &who.id,
                now,
            )?;
            if acknowledge {
                let fields: Vec<FieldChange> =
                    serde_json::from_str(&change.changes).unwrap_or_default();
                match &change.milestone_id {
                    Some(mid) => {
                        let mut m = goals::find_milestone(conn, &goal.id, mid)?;
                        super::milestones::apply_fields(&mut m, &fields);
                        m.updated_at = now;
                        goals::save_milestone(conn, &m)?;
                    }
                    None => {
                        let mut doc = without_nulls(
                            serde_json::to_value(GoalInput::of(&goal))
                                .map_err(ApiError::internal)?,
                        );
                        for f in &fields {
                            set_pointer(&mut doc, &f.field, f.new.clone());
                        }
                        let input: GoalInput =
                            serde_json::from_value(doc).map_err(ApiError::internal)?;
                        input.write_into(&mut goal);
                    }
                }
                touch(conn, &mut goal, now)?;
            }
            Ok((goal.version, full_view(conn, &goal)?))
        })
    })
    .await?;
    Ok(respond(view, version))
}

/// Acknowledge a pending easing change to your partner's goal: it applies now.
#[utoipa::path(
    tag = "goals",
    operation_id = "acknowledge_goal_change",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("change_id" = String, Path, format = Uuid, description = "Pending change id")),
    responses(
        (status = 200, description = "The goal with the change applied", body = GoalView, headers(("ETag" = String, description = "New version"))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/goals/{id}/changes/{change_id}/acknowledge")]
pub async fn acknowledge_goal_change(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, change_id) = path.into_inner();
    decide(state, caller, ChangePath { id, change_id }, true).await
}

/// Reject a pending easing change to your partner's goal: the goal stays as it is.
#[utoipa::path(
    tag = "goals",
    operation_id = "reject_goal_change",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"),
        ("change_id" = String, Path, format = Uuid, description = "Pending change id")),
    responses(
        (status = 200, description = "The goal, unchanged", body = GoalView, headers(("ETag" = String, description = "Its version"))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/goals/{id}/changes/{change_id}/reject")]
pub async fn reject_goal_change(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, change_id) = path.into_inner();
    decide(state, caller, ChangePath { id, change_id }, false).await
}

/// Serialises a value for a history entry.
pub fn json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
