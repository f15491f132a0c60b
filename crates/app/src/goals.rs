//! Goals: drafts, activation against the SMART assessment and the 3-5 rule, lifecycle, history,
//! and edits that cannot cheat. Both partners read every goal in their partnership (a public
//! commitment); only the owner changes it.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_domain::goal::{
    ChangeKind, ChangeState, Direction, GoalDraft, GoalStatus, MetricDraft, MetricKind,
};
use tandem_domain::goal_edit::{Effect, GoalField, Holds, Moved};
use tandem_domain::goal_set::{MAX_ACTIVE_GOALS, may_activate};
use tandem_domain::smart::{SmartAssessment, assess};
use tandem_store::StoreError;
use tandem_store::goals;
pub use tandem_store::goals::{Goal, GoalChange, GoalFilter, MilestoneRow};
use tandem_store::partnerships::{self, Partnership};

use crate::partnerships::require_live;
use crate::{Actor, AppError, AppResult, FieldIssue, Rule, Tx, new_id};

/// The measurable part of a goal document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricDocument {
    /// What is measured.
    pub name: Option<String>,
    /// Unit.
    pub unit: Option<String>,
    /// Kind of quantity.
    pub kind: Option<MetricKind>,
    /// Which way is better.
    pub direction: Option<Direction>,
    /// Where it starts.
    pub baseline: Option<f64>,
    /// Where it should be.
    pub target: Option<f64>,
}

/// The editable fields of a goal, as its owner writes them (milestones have their own calls).
/// Serialized with the same names as the API's goal document, so a JSON merge patch of the one is
/// a merge patch of the other, and history entries name fields by the same pointers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GoalDocument {
    /// Specific: title.
    pub title: Option<String>,
    /// Specific: what.
    pub what: Option<String>,
    /// Specific: who.
    pub who: Option<String>,
    /// Specific: why.
    pub why: Option<String>,
    /// Measurable.
    pub metric: Option<MetricDocument>,
    /// Achievable.
    pub confidence: Option<f64>,
    /// Relevant: objective.
    pub alignment: Option<String>,
    /// Relevant: OKR reference.
    pub alignment_ref: Option<String>,
    /// First day.
    pub start_date: Option<NaiveDate>,
    /// Last day.
    pub due_date: Option<NaiveDate>,
    /// Weight in roll-ups (default 1).
    pub weight: Option<f64>,
    /// Expected days between readings (default 7).
    pub update_every_days: Option<u32>,
    /// The goal's id in an external OKR tool.
    pub external_ref: Option<String>,
    /// That tool's name.
    pub source: Option<String>,
}

/// A milestone given with a new goal, or added later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMilestone {
    /// What will be done.
    pub title: String,
    /// Due by the end of this day.
    pub due_date: NaiveDate,
    /// The value expected by then.
    pub target: Option<f64>,
}

impl GoalDocument {
    /// The document of a stored goal.
    pub fn of(goal: &Goal) -> GoalDocument {
        GoalDocument {
            title: goal.title.clone(),
            what: goal.what.clone(),
            who: goal.who.clone(),
            why: goal.why.clone(),
            metric: Some(MetricDocument {
                name: goal.metric_name.clone(),
                unit: goal.metric_unit.clone(),
                kind: goal.metric_kind,
                direction: goal.direction,
                baseline: goal.baseline,
                target: goal.target,
            }),
            confidence: goal.confidence,
            alignment: goal.alignment.clone(),
            alignment_ref: goal.alignment_ref.clone(),
            start_date: goal.start_date,
            due_date: goal.due_date,
            weight: Some(goal.weight),
            update_every_days: Some(goal.update_every_days as u32),
            external_ref: goal.external_ref.clone(),
            source: goal.source.clone(),
        }
    }

    /// Writes the document into a stored goal.
    pub fn write_into(&self, goal: &mut Goal) {
        let m = self.metric.clone().unwrap_or_default();
        goal.title = self.title.clone();
        goal.what = self.what.clone();
        goal.who = self.who.clone();
        goal.why = self.why.clone();
        goal.metric_name = m.name;
        goal.metric_unit = m.unit;
        goal.metric_kind = m.kind;
        goal.direction = m.direction;
        goal.baseline = m.baseline;
        goal.target = m.target;
        goal.confidence = self.confidence;
        goal.alignment = self.alignment.clone();
        goal.alignment_ref = self.alignment_ref.clone();
        goal.start_date = self.start_date;
        goal.due_date = self.due_date;
        goal.weight = self.weight.unwrap_or(1.0);
        goal.update_every_days = self.update_every_days.unwrap_or(7) as i32;
        goal.external_ref = self.external_ref.clone();
        goal.source = self.source.clone();
    }

    /// The domain's view of the document, for the SMART assessment.
    pub fn draft(&self, milestones: Vec<tandem_domain::Milestone>) -> GoalDraft {
        let m = self.metric.clone().unwrap_or_default();
        GoalDraft {
            title: self.title.clone(),
            what: self.what.clone(),
            who: self.who.clone(),
            why: self.why.clone(),
            metric: MetricDraft {
                name: m.name,
                unit: m.unit,
                kind: m.kind,
                direction: m.direction,
                baseline: m.baseline,
                target: m.target,
            },
            confidence: self.confidence,
            alignment: self.alignment.clone(),
            alignment_ref: self.alignment_ref.clone(),
            start_date: self.start_date,
            due_date: self.due_date,
            milestones,
        }
    }
}

/// The assessment of a document not saved (live form hints).
pub fn assess_document(doc: &GoalDocument, milestones: &[NewMilestone]) -> SmartAssessment {
    let milestones = milestones
        .iter()
        .map(|m| tandem_domain::Milestone {
            title: m.title.clone(),
            due_date: m.due_date,
            target: m.target,
            completed_on: None,
        })
        .collect();
    assess(&doc.draft(milestones))
}

/// A goal's assessment as stored now.
pub fn assessment_of(goal: &Goal, milestones: &[MilestoneRow]) -> SmartAssessment {
    assess(&GoalDocument::of(goal).draft(crate::progress::domain_milestones(milestones)))
}

/// One field's change, as goal history records it: JSON pointer, old and new value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// JSON pointer into the goal (or milestone) document, e.g. `/metric/target`.
    pub field: String,
    /// Value before (`null` when absent).
    pub old: Value,
    /// Value after, or proposed (`null` when removed).
    pub new: Value,
}

/// A value as history records it.
pub fn json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A goal with everything shown alongside it.
#[derive(Debug, Clone)]
pub struct GoalDetail {
    /// The goal.
    pub goal: Goal,
    /// Its milestones in order.
    pub milestones: Vec<MilestoneRow>,
    /// Easing changes waiting for the partner.
    pub pending: Vec<GoalChange>,
    /// Its SMART assessment as it stands.
    pub assessment: SmartAssessment,
}

/// The result of an edit.
#[derive(Debug, Clone)]
pub struct Edited {
    /// The goal after the edit.
    pub detail: GoalDetail,
    /// Nothing applied: every change eases the goal and waits for the partner.
    pub only_pending: bool,
}

/// The goal `id` and its partnership, if the actor belongs to the partnership.
pub fn visible(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<(Goal, Partnership)> {
    let goal = goals::find(tx.conn, id)?;
    let p = crate::partnerships::visible(tx, actor, &goal.partnership_id)?;
    Ok((goal, p))
}

/// The goal `id`, if the actor owns it (their partner gets `owner-only`, anyone else not found).
pub fn owned(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    what: &str,
) -> AppResult<(Goal, Partnership)> {
    let (goal, p) = visible(tx, actor, id)?;
    if goal.owner_id != actor.id {
        return Err(AppError::refused(
            Rule::OwnerOnly,
            format!("only the goal's owner {what}"),
        ));
    }
    Ok((goal, p))
}

/// Refuses a closed goal: only drafts and active goals are edited or measured.
pub fn require_open(goal: &Goal, what: &str) -> AppResult<()> {
    require_status_open(goal.status, what)
}

/// Refuses (`goal-closed`) unless a goal in `status` is still open (draft or active).
pub fn require_status_open(status: GoalStatus, what: &str) -> AppResult<()> {
    if status.is_open() {
        Ok(())
    } else {
        Err(AppError::refused(
            Rule::GoalClosed,
            format!("the goal is {status}; {what}"),
        ))
    }
}

/// The detail of a stored goal.
pub fn detail(tx: &mut Tx<'_>, goal: Goal) -> AppResult<GoalDetail> {
    let milestones = goals::milestones_of(tx.conn, &goal.id)?;
    let pending = goals::changes(tx.conn, &goal.id, Some(ChangeState::Pending), None, 1000)?;
    Ok(GoalDetail {
        assessment: assessment_of(&goal, &milestones),
        goal,
        milestones,
        pending,
    })
}

/// A goal the actor may see, in detail.
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<GoalDetail> {
    let (goal, _) = visible(tx, actor, id)?;
    detail(tx, goal)
}

/// Records an entry in a goal's history.
#[allow(clippy::too_many_arguments)]
pub fn record(
    tx: &mut Tx<'_>,
    goal_id: &str,
    actor_id: &str,
    kind: ChangeKind,
    state: ChangeState,
    milestone_id: Option<String>,
    meeting_id: Option<String>,
    changes: &[FieldChange],
) -> AppResult<GoalChange> {
    let change = GoalChange {
        id: new_id(),
        goal_id: goal_id.to_owned(),
        actor_id: actor_id.to_owned(),
        kind,
        state,
        milestone_id,
        meeting_id,
        changes: serde_json::to_string(changes).map_err(AppError::internal)?,
        decided_by: None,
        decided_at: None,
        created_at: tx.now().naive_utc(),
    };
    goals::insert_change(tx.conn, &change)?;
    Ok(change)
}

/// Saves a changed goal as its next version (stale if someone saved in between).
pub fn touch(tx: &mut Tx<'_>, goal: &mut Goal) -> AppResult<()> {
    goal.version += 1;
    goal.updated_at = tx.now().naive_utc();
    Ok(goals::save(tx.conn, goal)?)
}

/// Creates a draft goal owned by the actor in a live partnership they belong to; milestones may
/// be given now.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    doc: &GoalDocument,
    milestones: &[NewMilestone],
) -> AppResult<GoalDetail> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    require_live(&p, "no new goals")?;
    let now = tx.now().naive_utc();
    let mut goal = Goal {
        id: new_id(),
        partnership_id: p.id.clone(),
        owner_id: actor.id.clone(),
        status: GoalStatus::Draft,
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
    doc.write_into(&mut goal);
    let rows: Vec<MilestoneRow> = milestones
        .iter()
        .enumerate()
        .map(|(i, m)| MilestoneRow {
            id: new_id(),
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
    insert(tx, &goal, &rows)?;
    record(
        tx,
        &goal.id,
        &actor.id,
        ChangeKind::Created,
        ChangeState::Applied,
        None,
        None,
        &[],
    )?;
    detail(tx, goal)
}

/// Stores a new goal; a taken external reference is `external-ref-taken`.
pub fn insert(tx: &mut Tx<'_>, goal: &Goal, milestones: &[MilestoneRow]) -> AppResult<()> {
    goals::insert(tx.conn, goal, milestones).map_err(|e| match e {
        StoreError::Conflict(_) => AppError::refused(
            Rule::ExternalRefTaken,
            "a goal with this source and external_ref already exists in the partnership",
        ),
        other => other.into(),
    })
}

/// Every goal in a page with its detail, loaded in three queries.
fn details(tx: &mut Tx<'_>, rows: Vec<Goal>) -> AppResult<Vec<GoalDetail>> {
    let ids: Vec<String> = rows.iter().map(|g| g.id.clone()).collect();
    let milestones = goals::milestones_of_many(tx.conn, &ids)?;
    let pending = goals::pending_of_many(tx.conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|goal| {
            let ms: Vec<MilestoneRow> = milestones
                .iter()
                .filter(|m| m.goal_id == goal.id)
                .cloned()
                .collect();
            GoalDetail {
                assessment: assessment_of(&goal, &ms),
                pending: pending
                    .iter()
                    .filter(|c| c.goal_id == goal.id)
                    .cloned()
                    .collect(),
                milestones: ms,
                goal,
            }
        })
        .collect())
}

/// A page of a partnership's goals, both partners', oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    filter: &GoalFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<GoalDetail>> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let rows = goals::list(tx.conn, &p.id, filter, after, limit)?;
    details(tx, rows)
}

/// RFC 7396 JSON merge patch: objects merge recursively, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (key, value) in p {
                if value.is_null() {
                    t.remove(key);
                } else {
                    merge_patch(t.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// Leaf-level differences between two documents, as JSON pointers.
pub fn diff(old: &Value, new: &Value, prefix: &str, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                diff(x, y, &format!("{prefix}/{key}"), out);
            }
        }
        _ if old != new => out.push(FieldChange {
            field: prefix.to_owned(),
            old: old.clone(),
            new: new.clone(),
        }),
        _ => {}
    }
}

/// Sets the value at a JSON pointer, creating objects on the way (`null` removes it).
pub fn set_pointer(doc: &mut Value, pointer: &str, value: Value) {
    let mut cur = doc;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        let obj = cur.as_object_mut().expect("an object");
        if i + 1 == parts.len() {
            if value.is_null() {
                obj.remove(*part);
            } else {
                obj.insert((*part).to_owned(), value);
            }
            return;
        }
        cur = obj
            .entry((*part).to_owned())
            .or_insert(Value::Object(Default::default()));
    }
}

/// Drops `null` members recursively, so a document compares equal however absent fields are spelt.
pub fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

fn document_json(doc: &GoalDocument) -> AppResult<Value> {
    Ok(without_nulls(
        serde_json::to_value(doc).map_err(AppError::internal)?,
    ))
}

fn document_from(value: Value) -> AppResult<GoalDocument> {
    serde_json::from_value(value).map_err(|e| AppError::field("", "invalid_value", e.to_string()))
}

/// What a change of `field` moved between, read as what the field holds.
fn moved(field: GoalField, change: &FieldChange) -> Moved {
    let date = |v: &Value| v.as_str().and_then(|s| s.parse().ok());
    match field.holds() {
        Holds::Number => Moved::Numbers(change.old.as_f64(), change.new.as_f64()),
        Holds::Date => Moved::Dates(date(&change.old), date(&change.new)),
        Holds::Other => Moved::Other,
    }
}

/// Refuses unless the goal is SMART as it stands (an active goal must stay so).
fn require_smart(tx: &mut Tx<'_>, goal: &Goal) -> AppResult<()> {
    let assessment = assessment_of(goal, &goals::milestones_of(tx.conn, &goal.id)?);
    if assessment.complete {
        Ok(())
    } else {
        Err(not_smart(&assessment))
    }
}

/// The `goal-not-smart` refusal listing every finding to fix.
pub fn not_smart(assessment: &SmartAssessment) -> AppError {
    AppError::Refused {
        rule: Rule::GoalNotSmart,
        detail: "an active goal must meet all five SMART criteria; see errors".into(),
        issues: assessment
            .errors()
            .map(|f| FieldIssue::new(&f.field, &f.code, f.message.clone()))
            .collect(),
    }
}

/// Applies a JSON merge patch of the goal document to the actor's goal, if it is still at
/// `expected` version.
///
/// On a draft everything applies. On an active goal, changes that make it easier — a target
/// toward the baseline, a flattering baseline, a later start or due date
/// ([`GoalField::effect`]) — do not apply: they become one pending change for the partner to
/// acknowledge or reject; the rest applies at once, and the goal must stay SMART. The metric's
/// kind and direction are fixed once active.
pub fn edit(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    patch: &serde_json::Map<String, Value>,
) -> AppResult<Edited> {
    let (mut goal, _) = owned(tx, actor, id, "can change it")?;
    if expected.is_some_and(|v| v != goal.version) {
        return Err(AppError::Stale);
    }
    require_open(&goal, "it can no longer be edited")?;
    let before = document_json(&GoalDocument::of(&goal))?;
    let mut merged = before.clone();
    merge_patch(&mut merged, &Value::Object(patch.clone()));
    let after = document_json(&document_from(merged)?)?;
    let mut changes = Vec::new();
    diff(&before, &after, "", &mut changes);
    if changes.is_empty() {
        return Ok(Edited {
            detail: detail(tx, goal)?,
            only_pending: false,
        });
    }
    let active = goal.status == GoalStatus::Active;
    let direction = goal.direction;
    let (mut applied, mut pending) = (Vec::new(), Vec::new());
    for change in changes {
        let field = GoalField::from_pointer(&change.field);
        if active && field.is_some_and(GoalField::frozen_when_active) {
            return Err(AppError::Refused {
                rule: Rule::FrozenField,
                detail: "the metric's direction and kind cannot change once the goal is active"
                    .into(),
                issues: vec![FieldIssue::new(
                    &change.field,
                    "read_only",
                    "fixed once the goal is active",
                )],
            });
        }
        let easier = active
            && field.is_some_and(|f| f.effect(direction, moved(f, &change)) == Effect::Easier);
        if easier {
            pending.push(change);
        } else {
            applied.push(change);
        }
    }
    if !applied.is_empty() {
        let mut doc = before;
        for change in &applied {
            set_pointer(&mut doc, &change.field, change.new.clone());
        }
        document_from(doc)?.write_into(&mut goal);
        if active {
            require_smart(tx, &goal)?;
        }
        touch(tx, &mut goal)?;
        record(
            tx,
            &goal.id,
            &actor.id,
            ChangeKind::Edited,
            ChangeState::Applied,
            None,
            None,
            &applied,
        )?;
    }
    if !pending.is_empty() {
        record(
            tx,
            &goal.id,
            &actor.id,
            ChangeKind::Edited,
            ChangeState::Pending,
            None,
            None,
            &pending,
        )?;
    }
    Ok(Edited {
        only_pending: applied.is_empty() && !pending.is_empty(),
        detail: detail(tx, goal)?,
    })
}

/// What an upsert by external reference did.
#[derive(Debug, Clone)]
pub struct Upserted {
    /// A new draft was created.
    pub created: bool,
    /// The goal now, and whether the update only waits for the partner.
    pub edited: Edited,
}

/// Creates (as a draft) or updates the goal an OKR tool mirrors under `source`/`external_ref`:
/// an update is a merge of the fields sent, exactly like [`edit`] (easing changes of an active goal
/// become pending); milestones count on creation only.
pub fn upsert_by_external_ref(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    doc: &GoalDocument,
    milestones: &[NewMilestone],
    expected: Option<i64>,
) -> AppResult<Upserted> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let (source, external_ref) = (
        doc.source.clone().unwrap_or_default(),
        doc.external_ref.clone().unwrap_or_default(),
    );
    match goals::find_by_external_ref(tx.conn, &p.id, &source, &external_ref)? {
        None => Ok(Upserted {
            created: true,
            edited: Edited {
                detail: create(tx, actor, &p.id, doc, milestones)?,
                only_pending: false,
            },
        }),
        Some(goal) => {
            let Value::Object(patch) = document_json(doc)? else {
                return Err(AppError::internal("a goal document is an object"));
            };
            Ok(Upserted {
                created: false,
                edited: edit(tx, actor, &goal.id, expected, &patch)?,
            })
        }
    }
}

/// Moves the actor's goal to `to`: activation requires a live partnership, a SMART goal and
/// fewer than five active goals (checked under the partnership's lock, so two activations at once
/// cannot both pass); closing sets `closed_at`. Announces the change.
pub fn change_status(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    to: GoalStatus,
) -> AppResult<GoalDetail> {
    let (mut goal, p) = owned(tx, actor, id, "can change it")?;
    let from = goal.status;
    if !from.can_become(to) {
        return Err(AppError::refused(
            Rule::GoalTransition,
            format!("a goal that is {from} cannot become {to}"),
        ));
    }
    let now = tx.now().naive_utc();
    if to == GoalStatus::Active {
        require_live(&p, "goals are activated in a live partnership")?;
        require_smart(tx, &goal)?;
        partnerships::lock(tx.conn, &p.id)?;
        let active = goals::count_active(tx.conn, &p.id, &goal.owner_id)?;
        may_activate(active as u32).map_err(|e| {
            AppError::refused(
                Rule::GoalLimitReached,
                format!(
                    "{e}; you have {active}. Achieve or drop one first (the practice is 3 to {MAX_ACTIVE_GOALS})."
                ),
            )
        })?;
        goal.activated_at = Some(now);
    }
    if matches!(
        to,
        GoalStatus::Achieved | GoalStatus::Missed | GoalStatus::Dropped
    ) {
        goal.closed_at = Some(now);
    }
    goal.status = to;
    touch(tx, &mut goal)?;
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
            new: json(&to),
        }],
    )?;
    crate::events::goal_status_changed(tx, &goal, from, to)?;
    detail(tx, goal)
}

/// A page of a goal's history (every change, pending and decided ones included), oldest first.
pub fn history(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<GoalChange>> {
    visible(tx, actor, id)?;
    Ok(goals::changes_since(
        tx.conn, id, None, since, after, limit,
    )?)
}

/// Writes the fields of a milestone change into the milestone.
pub fn apply_milestone_fields(m: &mut MilestoneRow, fields: &[FieldChange]) {
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

/// The partner acknowledges (it applies now) or rejects (nothing changes) a pending easing change
/// to the actor's partner's goal.
pub fn decide(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    change_id: &str,
    acknowledge: bool,
) -> AppResult<GoalDetail> {
    let (mut goal, _) = visible(tx, actor, id)?;
    if goal.owner_id == actor.id {
        return Err(AppError::refused(
            Rule::PartnerDecides,
            "only the partner can acknowledge or reject a change to your goal",
        ));
    }
    let change = goals::find_change(tx.conn, &goal.id, change_id)?;
    if change.state != ChangeState::Pending {
        return Err(AppError::refused(
            Rule::ChangeDecided,
            format!("this change is already {}", change.state),
        ));
    }
    let state = if acknowledge {
        ChangeState::Acknowledged
    } else {
        ChangeState::Rejected
    };
    goals::decide_change(tx.conn, &change.id, state, &actor.id, tx.now().naive_utc())?;
    if acknowledge {
        let fields: Vec<FieldChange> = serde_json::from_str(&change.changes).unwrap_or_default();
        match &change.milestone_id {
            Some(mid) => {
                let mut m = goals::find_milestone(tx.conn, &goal.id, mid)?;
                apply_milestone_fields(&mut m, &fields);
                m.updated_at = tx.now().naive_utc();
                goals::save_milestone(tx.conn, &m)?;
            }
            None => {
                let mut doc = document_json(&GoalDocument::of(&goal))?;
                for f in &fields {
                    set_pointer(&mut doc, &f.field, f.new.clone());
                }
                document_from(doc)?.write_into(&mut goal);
            }
        }
        touch(tx, &mut goal)?;
    }
    detail(tx, goal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"title": "a", "metric": {"target": 1, "unit": "x"}, "why": "w"});
        merge_patch(&mut doc, &json!({"metric": {"target": 2}, "why": null}));
        assert_eq!(
            doc,
            json!({"title": "a", "metric": {"target": 2, "unit": "x"}})
        );
    }

    #[test]
    fn diff_lists_leaf_changes_by_pointer() {
        let mut out = vec![];
        diff(
            &json!({"metric": {"target": 1}, "title": "a"}),
            &json!({"metric": {"target": 2}, "title": "a", "who": "me"}),
            "",
            &mut out,
        );
        let fields: Vec<&str> = out.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["/metric/target", "/who"]);
    }

    #[test]
    fn set_pointer_writes_nested_values() {
        let mut doc = json!({"metric": {"target": 1}});
        set_pointer(&mut doc, "/metric/target", json!(5));
        set_pointer(&mut doc, "/due_date", json!("2026-01-01"));
        assert_eq!(
            doc,
            json!({"metric": {"target": 5}, "due_date": "2026-01-01"})
        );
    }

    #[test]
    fn document_pointers_are_the_domains_fields() {
        let doc = GoalDocument {
            metric: Some(MetricDocument::default()),
            ..Default::default()
        };
        let full = serde_json::to_value(&doc).unwrap();
        // Every leaf of the document is a field the domain knows by pointer.
        fn leaves(v: &Value, prefix: &str, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => o
                    .iter()
                    .for_each(|(k, v)| leaves(v, &format!("{prefix}/{k}"), out)),
                _ => out.push(prefix.to_owned()),
            }
        }
        let mut pointers = Vec::new();
        leaves(&full, "", &mut pointers);
        for p in pointers {
            assert!(GoalField::from_pointer(&p).is_some(), "{p}");
        }
    }
}
