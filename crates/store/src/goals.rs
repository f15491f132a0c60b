//! Goals, their milestones, and the history of every change made to them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use tandem_domain::goal::{ChangeKind, ChangeState, Direction, GoalStatus, MetricKind};

use crate::changes::{self, Entity, Op};
use crate::schema::{goal_changes, goals, milestones};
use crate::sql_types::{MaybeName, Name};
use crate::{DbConnection, StoreError, StoreResult};

/// A stored goal. Enumerations are stored as their snake_case names.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = goals)]
pub struct Goal {
    /// Id (UUID text).
    pub id: String,
    /// The partnership it is declared in.
    pub partnership_id: String,
    /// The partner who owns it.
    pub owner_id: String,
    /// Lifecycle status.
    #[diesel(serialize_as = Name)]
    pub status: GoalStatus,
    /// Specific: title.
    pub title: Option<String>,
    /// Specific: what.
    pub what: Option<String>,
    /// Specific: who.
    pub who: Option<String>,
    /// Specific: why.
    pub why: Option<String>,
    /// Metric name.
    pub metric_name: Option<String>,
    /// Metric unit.
    pub metric_unit: Option<String>,
    /// Metric kind.
    #[diesel(serialize_as = MaybeName)]
    pub metric_kind: Option<MetricKind>,
    /// Direction.
    #[diesel(serialize_as = MaybeName)]
    pub direction: Option<Direction>,
    /// Baseline value.
    pub baseline: Option<f64>,
    /// Target value.
    pub target: Option<f64>,
    /// Owner's confidence, 0..1.
    pub confidence: Option<f64>,
    /// Business objective served.
    pub alignment: Option<String>,
    /// OKR reference.
    pub alignment_ref: Option<String>,
    /// First day.
    pub start_date: Option<NaiveDate>,
    /// Last day.
    pub due_date: Option<NaiveDate>,
    /// Weight in roll-ups.
    pub weight: f64,
    /// Expected days between readings.
    pub update_every_days: i32,
    /// Id in an external OKR tool.
    pub external_ref: Option<String>,
    /// Name of that tool.
    pub source: Option<String>,
    /// When it was activated.
    pub activated_at: Option<NaiveDateTime>,
    /// When it was achieved, missed or dropped.
    pub closed_at: Option<NaiveDateTime>,
    /// Bumped on every change; the ETag.
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A stored milestone.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = milestones)]
pub struct MilestoneRow {
    /// Id.
    pub id: String,
    /// Its goal.
    pub goal_id: String,
    /// Order within the goal, from 0.
    pub position: i32,
    /// What will be done.
    pub title: String,
    /// Due by the end of this day.
    pub due_date: NaiveDate,
    /// Metric value expected by then.
    pub target: Option<f64>,
    /// When it was completed.
    pub completed_on: Option<NaiveDate>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// One entry in a goal's history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = goal_changes)]
pub struct GoalChange {
    /// Id.
    pub id: String,
    /// The goal.
    pub goal_id: String,
    /// Who made the change.
    pub actor_id: String,
    /// What kind of change.
    #[diesel(serialize_as = Name)]
    pub kind: ChangeKind,
    /// Whether it took effect.
    #[diesel(serialize_as = Name)]
    pub state: ChangeState,
    /// The milestone concerned, for milestone changes.
    pub milestone_id: Option<String>,
    /// The meeting it was made in, if any.
    pub meeting_id: Option<String>,
    /// JSON array of `{field, old, new}`.
    pub changes: String,
    /// Who acknowledged or rejected a pending change.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<NaiveDateTime>,
    /// When the change was made (or proposed).
    pub created_at: NaiveDateTime,
}

/// Stores a new goal with its milestones.
pub fn insert(
    conn: &mut DbConnection,
    goal: &Goal,
    milestones: &[MilestoneRow],
) -> StoreResult<()> {
    diesel::insert_into(goals::table)
        .values(goal.clone())
        .execute(conn)
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("external_ref".into()),
            other => other,
        })?;
    // The multi-backend connection has no batch insert; a goal has a handful of milestones.
    for milestone in milestones {
        insert_milestone_row(conn, milestone)?;
    }
    changes::record(
        conn,
        &goal.partnership_id,
        Entity::Goal,
        &goal.id,
        Op::Created,
        goal.created_at,
    )
}

/// A goal by id (authorization is the caller's job: check the partnership).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Goal> {
    goals::table
        .find(id)
        .select(Goal::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// Filters for listing a partnership's goals.
#[derive(Debug, Clone, Default)]
pub struct GoalFilter {
    /// Only this owner's goals.
    pub owner_id: Option<String>,
    /// Only goals in this status.
    pub status: Option<GoalStatus>,
    /// Only goals changed at or after this instant.
    pub updated_since: Option<NaiveDateTime>,
}

/// A page of a partnership's goals in (created_at, id) order, after the cursor.
pub fn list(
    conn: &mut DbConnection,
    partnership_id: &str,
    filter: &GoalFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Goal>> {
    let mut query = goals::table
        .filter(goals::partnership_id.eq(partnership_id))
        .select(Goal::as_select())
        .order((goals::created_at, goals::id))
        .limit(limit)
        .into_boxed();
    if let Some(owner) = &filter.owner_id {
        query = query.filter(goals::owner_id.eq(owner.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(goals::status.eq(Name::of(*status)));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(goals::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            goals::created_at
                .gt(at)
                .or(goals::created_at.eq(at).and(goals::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// Writes `changed` if the stored version is still `changed.version - 1`; [`StoreError::Stale`]
/// otherwise, with nothing written.
pub fn save(conn: &mut DbConnection, changed: &Goal) -> StoreResult<()> {
    let updated = diesel::update(
        goals::table
            .filter(goals::id.eq(&changed.id))
            .filter(goals::version.eq(changed.version - 1)),
    )
    .set((
        goals::status.eq(Name::of(changed.status)),
        goals::title.eq(&changed.title),
        goals::what.eq(&changed.what),
        goals::who.eq(&changed.who),
        goals::why.eq(&changed.why),
        goals::metric_name.eq(&changed.metric_name),
        goals::metric_unit.eq(&changed.metric_unit),
        goals::metric_kind.eq(MaybeName::from(changed.metric_kind)),
        goals::direction.eq(MaybeName::from(changed.direction)),
        goals::baseline.eq(changed.baseline),
        goals::target.eq(changed.target),
        goals::confidence.eq(changed.confidence),
        goals::alignment.eq(&changed.alignment),
        goals::alignment_ref.eq(&changed.alignment_ref),
        goals::start_date.eq(changed.start_date),
        goals::due_date.eq(changed.due_date),
        goals::weight.eq(changed.weight),
        goals::update_every_days.eq(changed.update_every_days),
        (
            goals::activated_at.eq(changed.activated_at),
            goals::closed_at.eq(changed.closed_at),
            goals::version.eq(changed.version),
            goals::updated_at.eq(changed.updated_at),
        ),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    let op = if changed.status == GoalStatus::Archived {
        Op::Archived
    } else {
        Op::Updated
    };
    changes::record(
        conn,
        &changed.partnership_id,
        Entity::Goal,
        &changed.id,
        op,
        changed.updated_at,
    )
}

/// How many active goals `owner_id` holds in the partnership.
pub fn count_active(
    conn: &mut DbConnection,
    partnership_id: &str,
    owner_id: &str,
) -> StoreResult<i64> {
    goals::table
        .filter(goals::partnership_id.eq(partnership_id))
        .filter(goals::owner_id.eq(owner_id))
        .filter(goals::status.eq(Name::of(GoalStatus::Active)))
        .count()
        .get_result(conn)
        .map_err(StoreError::from)
}

/// A goal's milestones in order.
pub fn milestones_of(conn: &mut DbConnection, goal_id: &str) -> StoreResult<Vec<MilestoneRow>> {
    milestones::table
        .filter(milestones::goal_id.eq(goal_id))
        .order((milestones::position, milestones::id))
        .select(MilestoneRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// A partnership's active goals, oldest first, each with its milestones in order, in one
/// statement.
pub fn active_with_milestones(
    conn: &mut DbConnection,
    partnership_id: &str,
) -> StoreResult<Vec<(Goal, Vec<MilestoneRow>)>> {
    let rows: Vec<(Goal, Option<MilestoneRow>)> = goals::table
        .left_join(milestones::table)
        .filter(goals::partnership_id.eq(partnership_id))
        .filter(goals::status.eq(Name::of(GoalStatus::Active)))
        .order((
            goals::created_at,
            goals::id,
            milestones::position,
            milestones::id,
        ))
        .select((Goal::as_select(), Option::<MilestoneRow>::as_select()))
        .load(conn)?;
    let mut out: Vec<(Goal, Vec<MilestoneRow>)> = Vec::new();
    for (goal, milestone) in rows {
        match out.last_mut() {
            Some((last, ms)) if last.id == goal.id => ms.extend(milestone),
            _ => out.push((goal, milestone.into_iter().collect())),
        }
    }
    Ok(out)
}

/// One milestone of a goal ([`StoreError::NotFound`] if the goal has no such milestone).
pub fn find_milestone(
    conn: &mut DbConnection,
    goal_id: &str,
    milestone_id: &str,
) -> StoreResult<MilestoneRow> {
    milestones::table
        .filter(milestones::goal_id.eq(goal_id))
        .filter(milestones::id.eq(milestone_id))
        .select(MilestoneRow::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// A milestone by its id alone (for references that do not name the goal, like kudos).
pub fn milestone_by_id(conn: &mut DbConnection, milestone_id: &str) -> StoreResult<MilestoneRow> {
    milestones::table
        .find(milestone_id)
        .select(MilestoneRow::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// The milestones of several goals at once (for lists), in order.
pub fn milestones_of_many(
    conn: &mut DbConnection,
    goal_ids: &[String],
) -> StoreResult<Vec<MilestoneRow>> {
    milestones::table
        .filter(milestones::goal_id.eq_any(goal_ids))
        .order((milestones::goal_id, milestones::position, milestones::id))
        .select(MilestoneRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Adds a milestone to an existing goal (the change log shows the goal updated).
pub fn insert_milestone(conn: &mut DbConnection, milestone: &MilestoneRow) -> StoreResult<()> {
    insert_milestone_row(conn, milestone)?;
    goal_updated(conn, &milestone.goal_id, milestone.updated_at)
}

fn insert_milestone_row(conn: &mut DbConnection, milestone: &MilestoneRow) -> StoreResult<()> {
    diesel::insert_into(milestones::table)
        .values(milestone)
        .execute(conn)?;
    Ok(())
}

/// Milestones and pending changes are part of the goal's representation: a change to them is a
/// change to the goal for clients that mirror it.
fn goal_updated(conn: &mut DbConnection, goal_id: &str, at: NaiveDateTime) -> StoreResult<()> {
    changes::record_for_goal(conn, goal_id, Entity::Goal, goal_id, Op::Updated, at)
}

/// Overwrites a milestone's fields.
pub fn save_milestone(conn: &mut DbConnection, m: &MilestoneRow) -> StoreResult<()> {
    let updated = diesel::update(milestones::table.find(&m.id))
        .set((
            milestones::position.eq(m.position),
            milestones::title.eq(&m.title),
            milestones::due_date.eq(m.due_date),
            milestones::target.eq(m.target),
            milestones::completed_on.eq(m.completed_on),
            milestones::updated_at.eq(m.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    goal_updated(conn, &m.goal_id, m.updated_at)
}

/// Records a history entry.
pub fn insert_change(conn: &mut DbConnection, change: &GoalChange) -> StoreResult<()> {
    diesel::insert_into(goal_changes::table)
        .values(change.clone())
        .execute(conn)?;
    if change.state == ChangeState::Pending {
        goal_updated(conn, &change.goal_id, change.created_at)?;
    }
    Ok(())
}

/// A goal's history in (created_at, id) order, after the cursor; optionally only one state.
pub fn changes(
    conn: &mut DbConnection,
    goal_id: &str,
    state: Option<ChangeState>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<GoalChange>> {
    changes_since(conn, goal_id, state, None, after, limit)
}

/// Like [`changes`], only entries made or decided at or after `since` (incremental sync).
pub fn changes_since(
    conn: &mut DbConnection,
    goal_id: &str,
    state: Option<ChangeState>,
    since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<GoalChange>> {
    let mut query = goal_changes::table
        .filter(goal_changes::goal_id.eq(goal_id))
        .order((goal_changes::created_at, goal_changes::id))
        .select(GoalChange::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(
            goal_changes::created_at
                .ge(since)
                .or(goal_changes::decided_at.ge(since)),
        );
    }
    if let Some(state) = state {
        query = query.filter(goal_changes::state.eq(Name::of(state)));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            goal_changes::created_at
                .gt(at)
                .or(goal_changes::created_at.eq(at).and(goal_changes::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// One history entry of a goal.
pub fn find_change(
    conn: &mut DbConnection,
    goal_id: &str,
    change_id: &str,
) -> StoreResult<GoalChange> {
    goal_changes::table
        .filter(goal_changes::goal_id.eq(goal_id))
        .filter(goal_changes::id.eq(change_id))
        .select(GoalChange::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// Settles a pending change (only if it is still pending: [`StoreError::Stale`] otherwise).
pub fn decide_change(
    conn: &mut DbConnection,
    change_id: &str,
    state: ChangeState,
    decided_by: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let updated = diesel::update(
        goal_changes::table
            .filter(goal_changes::id.eq(change_id))
            .filter(goal_changes::state.eq(Name::of(ChangeState::Pending))),
    )
    .set((
        goal_changes::state.eq(Name::of(state)),
        goal_changes::decided_by.eq(decided_by),
        goal_changes::decided_at.eq(at),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    let goal_id: String = goal_changes::table
        .find(change_id)
        .select(goal_changes::goal_id)
        .first(conn)?;
    goal_updated(conn, &goal_id, at)
}

/// Pending changes of several goals at once (for lists).
pub fn pending_of_many(
    conn: &mut DbConnection,
    goal_ids: &[String],
) -> StoreResult<Vec<GoalChange>> {
    goal_changes::table
        .filter(goal_changes::goal_id.eq_any(goal_ids))
        .filter(goal_changes::state.eq(Name::of(ChangeState::Pending)))
        .order((goal_changes::created_at, goal_changes::id))
        .select(GoalChange::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// The goal mirrored from `source` under `external_ref` in a partnership, if any.
pub fn find_by_external_ref(
    conn: &mut DbConnection,
    partnership_id: &str,
    source: &str,
    external_ref: &str,
) -> StoreResult<Option<Goal>> {
    goals::table
        .filter(goals::partnership_id.eq(partnership_id))
        .filter(goals::source.eq(source))
        .filter(goals::external_ref.eq(external_ref))
        .select(Goal::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// An active goal and what its next reading's due date follows from.
#[derive(Debug, Clone)]
pub struct StalenessCandidate {
    /// The goal.
    pub goal: Goal,
    /// Its latest (not deleted) reading's instant, if any.
    pub last_observed_at: Option<NaiveDateTime>,
    /// The next-reading due date (local) its `reading.stale` reminder last went out for.
    pub announced_for: Option<NaiveDateTime>,
}

/// Every active goal with its latest reading's instant and the due date last announced: two
/// statements, whatever the count.
pub fn staleness_candidates(conn: &mut DbConnection) -> StoreResult<Vec<StalenessCandidate>> {
    use crate::schema::readings;
    let active: Vec<(Goal, Option<NaiveDateTime>)> = goals::table
        .filter(goals::status.eq(Name::of(GoalStatus::Active)))
        .select((Goal::as_select(), goals::stale_announced_for))
        .load(conn)?;
    let ids: Vec<&str> = active.iter().map(|(g, _)| g.id.as_str()).collect();
    let latest: std::collections::HashMap<String, Option<NaiveDateTime>> = readings::table
        .filter(readings::goal_id.eq_any(&ids))
        .filter(readings::deleted_at.is_null())
        .group_by(readings::goal_id)
        .select((readings::goal_id, diesel::dsl::max(readings::observed_at)))
        .load::<(String, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .collect();
    Ok(active
        .into_iter()
        .map(|(goal, announced_for)| StalenessCandidate {
            last_observed_at: latest.get(&goal.id).copied().flatten(),
            goal,
            announced_for,
        })
        .collect())
}

/// Records that the `reading.stale` reminder for the reading due at `due` went out; `false` if
/// it already had (another instance): announce only on `true`, in the same transaction.
pub fn mark_stale_announced(
    conn: &mut DbConnection,
    id: &str,
    due: NaiveDateTime,
) -> StoreResult<bool> {
    let updated = diesel::update(
        goals::table.filter(goals::id.eq(id)).filter(
            goals::stale_announced_for
                .is_null()
                .or(goals::stale_announced_for.ne(due)),
        ),
    )
    .set(goals::stale_announced_for.eq(due))
    .execute(conn)?;
    Ok(updated == 1)
}
