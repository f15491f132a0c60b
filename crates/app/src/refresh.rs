//! The annual refresh: each partner closes their own active goals with an outcome and archives
//! them, carrying chosen ones into the new period as drafts that start from where the old ones
//! ended. The partnership's refresh is complete, and the next one falls due a year on, when both
//! partners have refreshed.

use chrono::NaiveDate;
use serde_json::Value;
use tandem_domain::goal::{ChangeKind, ChangeState, GoalStatus};
use tandem_domain::rhythm::{self, Due, RefreshRefused};
use tandem_store::goals::{Goal, GoalFilter};
use tandem_store::partnerships;
use tandem_store::refreshes::{self, MemberRefresh};

use crate::goals::{FieldChange, GoalDetail, detail, json, record, touch};
use crate::partnerships::{local_date, members, require_live, started_on};
use crate::{Actor, AppError, AppResult, FieldIssue, Rule, Tx, new_id};

/// What a partner asks of their refresh.
#[derive(Debug, Clone, Default)]
pub struct RefreshRequest {
    /// Outcomes stated for their own active goals; the rest are derived from progress.
    pub outcomes: Vec<(String, GoalStatus)>,
    /// Their goals to carry into the new period.
    pub carry_over: Vec<String>,
    /// Refresh although the window has not opened.
    pub early: bool,
}

/// What became of one goal.
#[derive(Debug, Clone)]
pub struct ClosedGoal {
    /// The goal, now archived.
    pub goal_id: String,
    /// Its owner.
    pub owner_id: String,
    /// Achieved, missed or dropped.
    pub outcome: GoalStatus,
    /// Derived from progress rather than stated.
    pub derived: bool,
    /// Progress (0..1) at the refresh, when it could be computed.
    pub progress: Option<f64>,
    /// The draft it was carried into.
    pub carried_into: Option<String>,
}

/// The refresh's result.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// The day of the refresh (partnership time zone).
    pub refreshed_on: NaiveDate,
    /// The cycle's due date.
    pub cycle_due_on: NaiveDate,
    /// Every goal of the actor's that was active, now archived.
    pub closed: Vec<ClosedGoal>,
    /// The new drafts.
    pub carried: Vec<GoalDetail>,
    /// Both partners have refreshed this cycle.
    pub complete: bool,
    /// The partner still to refresh.
    pub waiting_for: Option<String>,
    /// The next refresh.
    pub next_refresh: Due,
}

/// A draft copy of `goal` for the new period, starting from `current`.
fn carried_draft(goal: &Goal, current: Option<f64>, today: NaiveDate, tx: &Tx<'_>) -> Goal {
    let (start, due) = match (goal.start_date, goal.due_date) {
        (Some(s), Some(d)) => {
            let (s, d) = rhythm::carried_period(s, d, today);
            (Some(s), Some(d))
        }
        _ => (None, None),
    };
    let now = tx.now().naive_utc();
    Goal {
        id: new_id(),
        status: GoalStatus::Draft,
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

/// Refreshes the actor's own goals (see the module docs). A second refresh in one cycle is
/// `refresh-done`; one more than 30 days before the due date without `early` is `refresh-not-due`.
pub fn refresh(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    request: &RefreshRequest,
) -> AppResult<Refreshed> {
    let mut p = crate::partnerships::visible(tx, actor, partnership_id)?;
    require_live(&p, "there is nothing to refresh")?;
    partnerships::lock(tx.conn, &p.id)?;
    let now = tx.now();
    let today = local_date(&p, now);
    let cycle = rhythm::refresh(started_on(&p), p.last_refreshed_on, today).due_on;
    let done = refreshes::of_cycle(tx.conn, &p.id, p.refresh_cycle)?;
    rhythm::may_refresh(
        cycle,
        today,
        request.early,
        done.iter().any(|r| r.user_id == actor.id),
    )
    .map_err(|e| match e {
        RefreshRefused::AlreadyRefreshed { .. } => {
            AppError::refused(Rule::RefreshDone, e.to_string())
        }
        RefreshRefused::NotDueYet { .. } => AppError::refused(Rule::RefreshNotDue, e.to_string()),
    })?;
    let active = tandem_store::goals::list(
        tx.conn,
        &p.id,
        &GoalFilter {
            owner_id: Some(actor.id.clone()),
            status: Some(GoalStatus::Active),
            ..Default::default()
        },
        None,
        1000,
    )?;
    let own = |id: &str| active.iter().any(|g| g.id == id);
    let mut issues = Vec::new();
    for (i, (goal_id, _)) in request.outcomes.iter().enumerate() {
        if !own(goal_id) || request.outcomes[..i].iter().any(|(o, _)| o == goal_id) {
            issues.push(FieldIssue::new(
                format!("outcomes/{i}/goal_id"),
                "not_your_active_goal",
                "must be one of your active goals in this partnership, once",
            ));
        }
    }
    for (i, goal_id) in request.carry_over.iter().enumerate() {
        if !own(goal_id) || request.carry_over[..i].contains(goal_id) {
            issues.push(FieldIssue::new(
                format!("carry_over/{i}"),
                "not_your_active_goal",
                "must be one of your active goals in this partnership, once",
            ));
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Invalid(issues));
    }
    let (mut closed, mut carried) = (Vec::new(), Vec::new());
    for mut goal in active {
        let progress = crate::progress::report(tx, &goal, &p, now).ok();
        let stated = request
            .outcomes
            .iter()
            .find(|(id, _)| *id == goal.id)
            .map(|(_, o)| *o);
        let outcome =
            stated.unwrap_or_else(|| rhythm::derived_outcome(progress.as_ref().map(|r| r.status)));
        let carried_into = if request.carry_over.contains(&goal.id) {
            let current = progress.as_ref().and_then(|r| r.current);
            let draft = carried_draft(&goal, current, today, tx);
            crate::goals::insert(tx, &draft, &[])?;
            record(
                tx,
                &draft.id,
                &actor.id,
                ChangeKind::Created,
                ChangeState::Applied,
                None,
                None,
                &[FieldChange {
                    field: "/carried_from".into(),
                    old: Value::Null,
                    new: Value::String(goal.id.clone()),
                }],
            )?;
            let id = draft.id.clone();
            carried.push(detail(tx, draft)?);
            Some(id)
        } else {
            None
        };
        for (from, next) in [(goal.status, outcome), (outcome, GoalStatus::Archived)] {
            goal.status = next;
            record(
                tx,
                &goal.id,
                &actor.id,
                ChangeKind::StatusChanged,
                ChangeState::Applied,
                None,
                None,
                &[FieldChange {
                    field: "/status".into(),
                    old: json(&from),
                    new: json(&next),
                }],
            )?;
        }
        goal.closed_at = Some(now.naive_utc());
        touch(tx, &mut goal)?;
        crate::events::goal_status_changed(tx, &goal, GoalStatus::Active, outcome)?;
        crate::events::goal_status_changed(tx, &goal, outcome, GoalStatus::Archived)?;
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
        tx.conn,
        &MemberRefresh {
            partnership_id: p.id.clone(),
            user_id: actor.id.clone(),
            cycle: p.refresh_cycle,
            due_on: cycle,
            refreshed_on: today,
            created_at: now.naive_utc(),
        },
    )?;
    let partners = members(&p);
    let complete = rhythm::refresh_complete(partners.len(), done.len() + 1);
    let waiting_for = if complete {
        None
    } else {
        partners.iter().find(|m| **m != actor.id).cloned()
    };
    if complete {
        p.last_refreshed_on = Some(today);
        p.refresh_cycle += 1;
        p = crate::partnerships::save(tx, p)?;
    }
    Ok(Refreshed {
        refreshed_on: today,
        cycle_due_on: cycle,
        closed,
        carried,
        complete,
        waiting_for,
        next_refresh: rhythm::refresh(started_on(&p), p.last_refreshed_on, today),
    })
}
