//! The annual refresh: every active goal closes with an outcome and is archived; chosen goals
//! carry into the new period as drafts that start from where the old ones ended.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_domain::goal::GoalStatus;
use tandem_domain::rhythm::{self, Due};
use tandem_store::goals::{self, Goal, GoalFilter};
use tandem_store::refreshes::{self, MemberRefresh};
use tandem_store::{partnerships, write_transaction};
use utoipa::ToSchema;
use validator::Validate;

use super::fit_reviews::{local_date, started_on};
use super::goal_docs::{FieldChange, GoalView};
use super::goals::{CallerRef, full_view, record, touch};
use super::partnerships::{load as load_partnership, status_of};
use super::scorecards::report;
use crate::auth::Caller;
use crate::error::{ApiError, FieldError};
use crate::extract::Json;
use crate::idempotency::{self, Created};
use crate::state::AppState;

/// How a goal ended, when its owner says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The target was reached.
    Achieved,
    /// It was not.
    Missed,
    /// Given up deliberately.
    Dropped,
}

impl From<Outcome> for GoalStatus {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Achieved => GoalStatus::Achieved,
            Outcome::Missed => GoalStatus::Missed,
            Outcome::Dropped => GoalStatus::Dropped,
        }
    }
}

/// An outcome stated for one of your goals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatedOutcome {
    /// One of your active goals.
    pub goal_id: uuid::Uuid,
    /// How it ended.
    pub outcome: Outcome,
}

/// Closing the year.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "outcomes": [{"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59", "outcome": "dropped"}],
    "carry_over": ["0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f5a"]
}))]
pub struct RefreshGoalsRequest {
    /// Outcomes you state for your own goals; every other active goal's outcome is derived from
    /// its progress (achieved if the target is reached, else missed).
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub outcomes: Vec<StatedOutcome>,
    /// Your goals to carry into the new period as drafts, with their current value as the new
    /// baseline and the same length as before, starting today.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub carry_over: Vec<uuid::Uuid>,
    /// Refresh although the refresh window (30 days before `refresh.due_on`) has not opened.
    #[serde(default)]
    pub early: bool,
}

/// What became of one goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedGoal {
    /// The goal, now archived.
    #[schema(format = Uuid)]
    pub goal_id: String,
    /// Its owner.
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// `achieved`, `missed` or `dropped`.
    pub outcome: Outcome,
    /// Derived from progress rather than stated.
    pub derived: bool,
    /// Progress (0..1) at the refresh, when it could be computed.
    pub progress: Option<f64>,
    /// The draft it was carried into.
    #[schema(format = Uuid)]
    pub carried_into: Option<String>,
}

/// The refresh's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshView {
    /// The day of the refresh (partnership time zone).
    pub refreshed_on: NaiveDate,
    /// The refresh cycle this belongs to: the day it was due.
    pub cycle_due_on: NaiveDate,
    /// Every goal of yours that was active, now archived with its outcome.
    pub closed: Vec<ClosedGoal>,
    /// The new drafts.
    pub carried: Vec<GoalView>,
    /// Both partners have refreshed this cycle: the partnership's refresh is done.
    pub complete: bool,
    /// The partner still to refresh, until the cycle is complete.
    #[schema(format = Uuid)]
    pub waiting_for: Option<String>,
    /// The next refresh: a year on once complete, else still this cycle's.
    pub next_refresh: Due,
}

/// Refresh your own goals for a new year.
///
/// Each of your active goals closes with an outcome — stated here, else derived from progress —
/// and is archived; the history records both steps. Goals named in `carry_over` come back as
/// drafts with the old current value as their baseline. Your partner's goals are theirs to
/// refresh: the partnership's refresh is complete, and `refresh.due_on` moves a year on, once both
/// of you have refreshed (409 if you already did this cycle). More than 30 days before the due
/// date a refresh needs `"early": true` (409 otherwise). Runs in one transaction.
#[utoipa::path(
    tag = "goals",
    operation_id = "refresh_goals",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Retry safely: the same key and body replay the first response (24 h, per caller)")),
    request_body = RefreshGoalsRequest,
    responses(
        (status = 201, description = "Refreshed", body = RefreshView,
            headers(("Location" = String, description = "The partnership"))),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/partnerships/{id}/refresh")]
pub async fn refresh_goals(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<RefreshGoalsRequest>,
) -> Result<HttpResponse, ApiError> {
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let fingerprint = serde_json::to_value(&body).map_err(ApiError::internal)?;
    idempotency::once(&state, &req, &caller.id, &fingerprint, move |conn| {
        let view = write_transaction(conn, |conn| {
            let mut p = load_partnership(conn, &partnership_id, &who)?;
            if !status_of(&p).is_live() {
                return Err(ApiError::Conflict(format!(
                    "the partnership is {}; there is nothing to refresh",
                    p.status
                )));
            }
            partnerships::lock(conn, &p.id)?;
            let now = crate::clock::now();
            let today = local_date(&p, now);
            let cycle = rhythm::refresh(started_on(&p), p.last_refreshed_on, today).due_on;
            let done = refreshes::of_cycle(conn, &p.id, p.refresh_cycle)?;
            rhythm::may_refresh(
                cycle,
                today,
                body.early,
                done.iter().any(|r| r.user_id == who.id),
            )
            .map_err(|e| ApiError::Conflict(e.to_string()))?;
            let active = goals::list(
                conn,
                &p.id,
                &GoalFilter {
                    owner_id: Some(who.id.clone()),
                    status: Some("active".into()),
                    ..Default::default()
                },
                None,
                1000,
            )?;
            let own = |id: &uuid::Uuid| {
                active
                    .iter()
                    .find(|g| g.id == id.to_string() && g.owner_id == who.id)
            };
            let mut errors = Vec::new();
            for (i, stated) in body.outcomes.iter().enumerate() {
                if own(&stated.goal_id).is_none()
                    || body.outcomes[..i]
                        .iter()
                        .any(|o| o.goal_id == stated.goal_id)
                {
                    errors.push(FieldError::new(
                        format!("outcomes/{i}/goal_id"),
                        "not_your_active_goal",
                        "must be one of your active goals in this partnership, once",
                    ));
                }
            }
            for (i, goal_id) in body.carry_over.iter().enumerate() {
                if own(goal_id).is_none() || body.carry_over[..i].contains(goal_id) {
                    errors.push(FieldError::new(
                        format!("carry_over/{i}"),
                        "not_your_active_goal",
                        "must be one of your active goals in this partnership, once",
                    ));
                }
            }
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            let (mut closed, mut carried) = (Vec::new(), Vec::new());
            for mut goal in active {
                let progress = report(conn, &goal, &p, now).ok();
                let stated = body
                    .outcomes
                    .iter()
                    .find(|o| o.goal_id.to_string() == goal.id)
                    .map(|o| o.outcome);
                let outcome = stated.unwrap_or_else(|| {
                    match rhythm::derived_outcome(progress.as_ref().map(|r| r.status)) {
                        GoalStatus::Achieved => Outcome::Achieved,
                        _ => Outcome::Missed,
                    }
                });
                let carry = body.carry_over.iter().any(|c| c.to_string() == goal.id);
                let carried_into = if carry {
                    let current = progress.as_ref().and_then(|r| r.current);
                    let draft = carried_draft(&goal, current, today, now.naive_utc());
                    goals::insert(conn, &draft, &[])?;
                    let change = FieldChange {
                        field: "/carried_from".into(),
                        old: Value::Null,
                        new: Value::String(goal.id.clone()),
                    };
                    record(
                        conn,
                        &draft.id,
                        &who.id,
                        "created",
                        "applied",
                        None,
                        None,
                        &[change],
                        now.naive_utc(),
                    )?;
                    carried.push(full_view(conn, &draft)?);
                    Some(draft.id)
                } else {
                    None
                };
                let to: GoalStatus = outcome.into();
                for (from, next) in [
                    (goal.status.clone(), crate::enums::name(&to)),
                    (
                        crate::enums::name(&to),
                        crate::enums::name(&GoalStatus::Archived),
                    ),
                ] {
                    let change = FieldChange {
                        field: "/status".into(),
                        old: Value::String(from),
                        new: Value::String(next.clone()),
                    };
                    goal.status = next;
                    record(
                        conn,
                        &goal.id,
                        &who.id,
                        "status_changed",
                        "applied",
                        None,
                        None,
                        &[change],
                        now.naive_utc(),
                    )?;
                }
                goal.closed_at = Some(now.naive_utc());
                touch(conn, &mut goal, now.naive_utc())?;
                crate::events::goal_status_changed(conn, &goal, GoalStatus::Active, to, now)?;
                crate::events::goal_status_changed(conn, &goal, to, GoalStatus::Archived, now)?;
                closed.push(ClosedGoal {
                    goal_id: goal.id.clone(),
                    owner_id: goal.owner_id.clone(),
                    outcome,
                    derived: stated.is_none(),
                    progress: progress.and_then(|r| r.progress_clamped),
                    carried_into,
                });
            }
            refreshes::insert(
                conn,
                &MemberRefresh {
                    partnership_id: p.id.clone(),
                    user_id: who.id.clone(),
                    cycle: p.refresh_cycle,
                    due_on: cycle,
                    refreshed_on: today,
                    created_at: now.naive_utc(),
                },
            )?;
            let members = super::meetings::partners(&p);
            let complete = rhythm::refresh_complete(members.len(), done.len() + 1);
            let waiting_for = if complete {
                None
            } else {
                members.iter().find(|m| **m != who.id).cloned()
            };
            if complete {
                p.last_refreshed_on = Some(today);
                p.refresh_cycle += 1;
                p.version += 1;
                p.updated_at = now.naive_utc();
                p = super::partnerships::save(conn, &p)?;
            }
            Ok(RefreshView {
                refreshed_on: today,
                cycle_due_on: cycle,
                closed,
                carried,
                complete,
                waiting_for,
                next_refresh: rhythm::refresh(started_on(&p), p.last_refreshed_on, today),
            })
        })?;
        Created::new(format!("/v1/partnerships/{}", id), None, &view)
    })
    .await
}

/// A draft copy of `goal` for the new period, starting from `current`.
fn carried_draft(
    goal: &Goal,
    current: Option<f64>,
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Goal {
    let (start, due) = match (goal.start_date, goal.due_date) {
        (Some(s), Some(d)) => {
            let (s, d) = rhythm::carried_period(s, d, today);
            (Some(s), Some(d))
        }
        _ => (None, None),
    };
    Goal {
        id: uuid::Uuid::now_v7().to_string(),
        status: "draft".into(),
        baseline: current.or(goal.baseline),
        start_date: start,
        due_date: due,
        external_ref: None,
        source: None,
        activated_at: None,
        closed_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
        ..goal.clone()
    }
}
