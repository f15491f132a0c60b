//! Milestones, nested in their goal. On an active goal every change to a milestone's date or
//! target is kept in the goal's history (who, when, old, new, optional meeting); pushing a
//! milestone back or easing its target waits for the partner, like any easing edit.

use chrono::NaiveDate;
use tandem_domain::goal::{ChangeKind, ChangeState, GoalStatus};
use tandem_domain::goal_edit::{Effect, MilestoneField, Moved};
use tandem_store::goals::{self, MilestoneRow};

use crate::goals::{
    Edited, FieldChange, GoalDetail, NewMilestone, detail, json, owned, record, require_open,
    touch, visible,
};
use crate::partnerships::local_date;
use crate::{Actor, AppError, AppResult, Rule, Tx, new_id};

/// Most milestones a goal has.
pub const MAX_MILESTONES: usize = 20;

/// Adds a milestone at the end of the actor's open goal.
pub fn add(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    new: &NewMilestone,
) -> AppResult<MilestoneRow> {
    let (mut goal, _) = owned(tx, actor, goal_id, "can change it")?;
    require_open(&goal, "it can no longer be edited")?;
    let existing = goals::milestones_of(tx.conn, &goal.id)?;
    if existing.len() >= MAX_MILESTONES {
        return Err(AppError::refused(
            Rule::MilestoneLimitReached,
            format!("a goal has at most {MAX_MILESTONES} milestones"),
        ));
    }
    let now = tx.now().naive_utc();
    let m = MilestoneRow {
        id: new_id(),
        goal_id: goal.id.clone(),
        position: existing.iter().map(|m| m.position + 1).max().unwrap_or(0),
        title: new.title.trim().to_owned(),
        due_date: new.due_date,
        target: new.target,
        completed_on: None,
        created_at: now,
        updated_at: now,
    };
    goals::insert_milestone(tx.conn, &m)?;
    record(
        tx,
        &goal.id,
        &actor.id,
        ChangeKind::MilestoneAdded,
        ChangeState::Applied,
        Some(m.id.clone()),
        None,
        &[FieldChange {
            field: format!("/milestones/{}", m.id),
            old: serde_json::Value::Null,
            new: json(new),
        }],
    )?;
    touch(tx, &mut goal)?;
    Ok(m)
}

/// One milestone of a goal the actor may see.
pub fn get(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    milestone_id: &str,
) -> AppResult<MilestoneRow> {
    visible(tx, actor, goal_id)?;
    Ok(goals::find_milestone(tx.conn, goal_id, milestone_id)?)
}

/// A milestone edit; absent fields stay, `target: Some(None)` clears the target.
#[derive(Debug, Clone, Default)]
pub struct MilestoneEdit {
    /// New title.
    pub title: Option<String>,
    /// New due date.
    pub due_date: Option<NaiveDate>,
    /// New target.
    pub target: Option<Option<f64>>,
    /// The meeting the edit was agreed in.
    pub meeting_id: Option<String>,
}

/// Edits a milestone of the actor's open goal. On an active goal a later date or a target eased
/// toward the baseline waits for the partner; the rest applies at once.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    milestone_id: &str,
    edit: MilestoneEdit,
) -> AppResult<Edited> {
    let (mut goal, _) = owned(tx, actor, goal_id, "can change it")?;
    require_open(&goal, "it can no longer be edited")?;
    let mut m = goals::find_milestone(tx.conn, &goal.id, milestone_id)?;
    if let Some(meeting) = &edit.meeting_id {
        crate::meetings::check_reference(tx, meeting, &goal.partnership_id, "meeting_id")?;
    }
    let mut changes = Vec::new();
    if let Some(title) = &edit.title
        && title.trim() != m.title
    {
        changes.push((
            MilestoneField::Title,
            Moved::Other,
            FieldChange {
                field: MilestoneField::Title.pointer().into(),
                old: json(&m.title),
                new: json(&title.trim()),
            },
        ));
    }
    if let Some(due) = edit.due_date
        && due != m.due_date
    {
        changes.push((
            MilestoneField::DueDate,
            Moved::Dates(Some(m.due_date), Some(due)),
            FieldChange {
                field: MilestoneField::DueDate.pointer().into(),
                old: json(&m.due_date),
                new: json(&due),
            },
        ));
    }
    if let Some(target) = edit.target
        && target != m.target
    {
        changes.push((
            MilestoneField::Target,
            Moved::Numbers(m.target, target),
            FieldChange {
                field: MilestoneField::Target.pointer().into(),
                old: json(&m.target),
                new: json(&target),
            },
        ));
    }
    if changes.is_empty() {
        return Ok(Edited {
            detail: detail(tx, goal)?,
            only_pending: false,
        });
    }
    let active = goal.status == GoalStatus::Active;
    let (mut applied, mut pending) = (Vec::new(), Vec::new());
    for (field, moved, change) in changes {
        if active && field.effect(goal.direction, moved) == Effect::Easier {
            pending.push(change);
        } else {
            applied.push(change);
        }
    }
    if !applied.is_empty() {
        crate::goals::apply_milestone_fields(&mut m, &applied);
        m.updated_at = tx.now().naive_utc();
        goals::save_milestone(tx.conn, &m)?;
        record(
            tx,
            &goal.id,
            &actor.id,
            ChangeKind::MilestoneEdited,
            ChangeState::Applied,
            Some(m.id.clone()),
            edit.meeting_id.clone(),
            &applied,
        )?;
        touch(tx, &mut goal)?;
    }
    if !pending.is_empty() {
        record(
            tx,
            &goal.id,
            &actor.id,
            ChangeKind::MilestoneEdited,
            ChangeState::Pending,
            Some(m.id.clone()),
            edit.meeting_id,
            &pending,
        )?;
    }
    Ok(Edited {
        only_pending: applied.is_empty() && !pending.is_empty(),
        detail: detail(tx, goal)?,
    })
}

/// Marks a milestone of the actor's open goal complete (on `completed_on`, default today in the
/// partnership's time zone), optionally in a meeting.
pub fn complete(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    milestone_id: &str,
    completed_on: Option<NaiveDate>,
    meeting_id: Option<String>,
) -> AppResult<MilestoneRow> {
    let (mut goal, p) = owned(tx, actor, goal_id, "can change it")?;
    require_open(&goal, "it can no longer be edited")?;
    let mut m = goals::find_milestone(tx.conn, &goal.id, milestone_id)?;
    if let Some(meeting) = &meeting_id {
        crate::meetings::check_reference(tx, meeting, &goal.partnership_id, "meeting_id")?;
    }
    let done = completed_on.unwrap_or_else(|| local_date(&p, tx.now()));
    let change = FieldChange {
        field: "/completed_on".into(),
        old: json(&m.completed_on),
        new: json(&done),
    };
    m.completed_on = Some(done);
    m.updated_at = tx.now().naive_utc();
    goals::save_milestone(tx.conn, &m)?;
    record(
        tx,
        &goal.id,
        &actor.id,
        ChangeKind::MilestoneCompleted,
        ChangeState::Applied,
        Some(m.id.clone()),
        meeting_id,
        &[change],
    )?;
    touch(tx, &mut goal)?;
    crate::wins::milestone_completed(tx, &goal, &m)?;
    Ok(m)
}

/// Puts the milestones of the actor's open goal in a new order; `ids` lists every one once.
pub fn reorder(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    ids: &[String],
) -> AppResult<GoalDetail> {
    let (mut goal, _) = owned(tx, actor, goal_id, "can change it")?;
    require_open(&goal, "it can no longer be edited")?;
    let existing = goals::milestones_of(tx.conn, &goal.id)?;
    let mut a: Vec<&String> = ids.iter().collect();
    let mut b: Vec<&String> = existing.iter().map(|m| &m.id).collect();
    a.sort();
    b.sort();
    if a != b {
        return Err(AppError::field(
            "milestone_ids",
            "not_a_permutation",
            "list every milestone of the goal exactly once",
        ));
    }
    let now = tx.now().naive_utc();
    let old: Vec<&String> = existing.iter().map(|m| &m.id).collect();
    for mut m in existing.clone() {
        m.position = ids.iter().position(|id| *id == m.id).unwrap_or(0) as i32;
        m.updated_at = now;
        goals::save_milestone(tx.conn, &m)?;
    }
    record(
        tx,
        &goal.id,
        &actor.id,
        ChangeKind::MilestonesReordered,
        ChangeState::Applied,
        None,
        None,
        &[FieldChange {
            field: "/milestones".into(),
            old: json(&old),
            new: json(&ids),
        }],
    )?;
    touch(tx, &mut goal)?;
    detail(tx, goal)
}
