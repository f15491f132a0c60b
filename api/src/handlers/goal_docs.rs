//! The goal document: what clients send and receive, and the conversions to the stored row, the
//! domain draft and JSON merge patches.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_domain::goal::{Direction, GoalDraft, GoalStatus, MetricDraft, MetricKind, Milestone};
use tandem_domain::smart::{SmartAssessment, assess};
use tandem_store::goals::{Goal, GoalChange, MilestoneRow};
use utoipa::ToSchema;
use validator::Validate;

use crate::enums;

/// The measurable part of a goal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricInput {
    /// What is measured, e.g. "Average customer wait time".
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// Unit, e.g. "minutes", "%", "EUR".
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    pub unit: Option<String>,
    /// Kind of quantity.
    pub kind: Option<MetricKind>,
    /// Which way is better.
    pub direction: Option<Direction>,
    /// Where the metric stands at the start.
    #[validate(range(min = -1e15, max = 1e15))]
    #[schema(minimum = -1e15, maximum = 1e15)]
    pub baseline: Option<f64>,
    /// Where it should be by the due date.
    #[validate(range(min = -1e15, max = 1e15))]
    #[schema(minimum = -1e15, maximum = 1e15)]
    pub target: Option<f64>,
}

/// A milestone when creating a goal or adding one.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Pilot the new triage flow", "due_date": "2026-03-31", "target": 11.0}))]
pub struct MilestoneInput {
    /// What will be done.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Due by the end of this day.
    pub due_date: NaiveDate,
    /// The metric value expected by then, if any.
    #[validate(range(min = -1e15, max = 1e15))]
    #[schema(minimum = -1e15, maximum = 1e15)]
    pub target: Option<f64>,
}

/// A goal as written by its owner. Every field is optional: a draft may be saved half-done, and
/// the embedded assessment says what is still missing.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Cut customer wait time",
    "what": "Reduce average customer wait time by 20%",
    "who": "Support team",
    "why": "Long waits are the top reason for churn",
    "metric": {"name": "Average wait", "unit": "minutes", "kind": "duration", "direction": "decrease",
               "baseline": 12.0, "target": 9.6},
    "confidence": 0.7,
    "alignment": "FY26 retention objective",
    "start_date": "2026-01-01",
    "due_date": "2026-06-30",
    "milestones": [{"title": "Pilot the new triage flow", "due_date": "2026-03-31", "target": 11.0}]
}))]
pub struct GoalInput {
    /// Specific: a short name.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// Specific: what will be accomplished.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub what: Option<String>,
    /// Specific: who is involved.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub who: Option<String>,
    /// Specific: why it matters.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub why: Option<String>,
    /// Measurable: the metric.
    #[validate(nested)]
    pub metric: Option<MetricInput>,
    /// Achievable: your estimate (0 to 1) that the target will be reached; 0.5-0.9 is a stretch.
    #[validate(range(min = 0.0, max = 1.0))]
    #[schema(minimum = 0, maximum = 1)]
    pub confidence: Option<f64>,
    /// Relevant: the business objective served.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub alignment: Option<String>,
    /// Relevant: a reference to the objective in an OKR tool.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub alignment_ref: Option<String>,
    /// Time-bound: first day.
    pub start_date: Option<NaiveDate>,
    /// Time-bound: last day (inclusive).
    pub due_date: Option<NaiveDate>,
    /// Time-bound: checkpoints in date order (creation only; then use the milestone endpoints).
    #[validate(nested, length(max = 20))]
    #[schema(max_items = 20)]
    pub milestones: Option<Vec<MilestoneInput>>,
    /// Weight in the partner's roll-up (default 1).
    #[validate(range(min = 0.01, max = 100.0))]
    #[schema(minimum = 0.01, maximum = 100)]
    pub weight: Option<f64>,
    /// Expected days between readings (default 7).
    #[serde(default, deserialize_with = "crate::extract::optional_whole")]
    #[validate(range(min = 1, max = 365))]
    #[schema(minimum = 1, maximum = 365)]
    pub update_every_days: Option<u32>,
    /// The goal's id in an external OKR tool.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub external_ref: Option<String>,
    /// The external tool's name.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub source: Option<String>,
}

impl GoalInput {
    /// The domain's view of this input, for assessment.
    pub fn draft(&self, milestones: Vec<Milestone>) -> GoalDraft {
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

    /// The editable fields of a stored goal, as the document PATCH merges into.
    pub fn of(goal: &Goal) -> GoalInput {
        GoalInput {
            title: goal.title.clone(),
            what: goal.what.clone(),
            who: goal.who.clone(),
            why: goal.why.clone(),
            metric: Some(MetricInput {
                name: goal.metric_name.clone(),
                unit: goal.metric_unit.clone(),
                kind: goal.metric_kind.as_deref().and_then(enums::parse),
                direction: goal.direction.as_deref().and_then(enums::parse),
                baseline: goal.baseline,
                target: goal.target,
            }),
            confidence: goal.confidence,
            alignment: goal.alignment.clone(),
            alignment_ref: goal.alignment_ref.clone(),
            start_date: goal.start_date,
            due_date: goal.due_date,
            milestones: None,
            weight: Some(goal.weight),
            update_every_days: Some(goal.update_every_days as u32),
            external_ref: goal.external_ref.clone(),
            source: goal.source.clone(),
        }
    }

    /// Writes these fields into a stored goal.
    pub fn write_into(&self, goal: &mut Goal) {
        let m = self.metric.clone().unwrap_or_default();
        goal.title = self.title.clone();
        goal.what = self.what.clone();
        goal.who = self.who.clone();
        goal.why = self.why.clone();
        goal.metric_name = m.name;
        goal.metric_unit = m.unit;
        goal.metric_kind = m.kind.map(|k| enums::name(&k));
        goal.direction = m.direction.map(|d| enums::name(&d));
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
}

/// The domain's milestones from stored rows.
pub fn domain_milestones(rows: &[MilestoneRow]) -> Vec<Milestone> {
    rows.iter()
        .map(|m| Milestone {
            title: m.title.clone(),
            due_date: m.due_date,
            target: m.target,
            completed_on: m.completed_on,
        })
        .collect()
}

/// A goal's assessment as stored now.
pub fn assessment_of(goal: &Goal, milestones: &[MilestoneRow]) -> SmartAssessment {
    assess(&GoalInput::of(goal).draft(domain_milestones(milestones)))
}

/// A milestone as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MilestoneView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Order within the goal, from 0.
    pub position: i32,
    /// What will be done.
    pub title: String,
    /// Due by the end of this day.
    pub due_date: NaiveDate,
    /// The metric value expected by then.
    pub target: Option<f64>,
    /// When it was completed.
    pub completed_on: Option<NaiveDate>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&MilestoneRow> for MilestoneView {
    fn from(m: &MilestoneRow) -> Self {
        MilestoneView {
            id: m.id.clone(),
            position: m.position,
            title: m.title.clone(),
            due_date: m.due_date,
            target: m.target,
            completed_on: m.completed_on,
            updated_at: m.updated_at.and_utc(),
        }
    }
}

/// One field's change: JSON pointer, old and new value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    /// JSON pointer into the goal (or milestone) document, e.g. `/metric/target`.
    pub field: String,
    /// Value before (any JSON value; `null` when absent).
    pub old: Value,
    /// Value after, or proposed (any JSON value; `null` when removed).
    pub new: Value,
}

/// An entry in a goal's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60", "kind": "edited", "state": "pending",
    "actor_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "milestone_id": null, "meeting_id": null,
    "changes": [{"field": "/metric/target", "old": 9.6, "new": 10.5}],
    "decided_by": null, "decided_at": null, "created_at": "2026-03-02T10:00:00Z"
}))]
pub struct ChangeView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// `created`, `edited`, `status_changed`, `milestone_added`, `milestone_edited`,
    /// `milestone_completed` or `milestones_reordered`.
    pub kind: String,
    /// `applied`, `pending` (an easing change awaiting the partner), `acknowledged` or `rejected`.
    pub state: String,
    /// Who made or proposed it.
    #[schema(format = Uuid)]
    pub actor_id: String,
    /// The milestone concerned.
    #[schema(format = Uuid)]
    pub milestone_id: Option<String>,
    /// The meeting it was made in.
    #[schema(format = Uuid)]
    pub meeting_id: Option<String>,
    /// What changed.
    pub changes: Vec<FieldChange>,
    /// Who acknowledged or rejected it.
    #[schema(format = Uuid)]
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// When it was made or proposed.
    pub created_at: DateTime<Utc>,
}

impl From<&GoalChange> for ChangeView {
    fn from(c: &GoalChange) -> Self {
        ChangeView {
            id: c.id.clone(),
            kind: c.kind.clone(),
            state: c.state.clone(),
            actor_id: c.actor_id.clone(),
            milestone_id: c.milestone_id.clone(),
            meeting_id: c.meeting_id.clone(),
            changes: serde_json::from_str(&c.changes).unwrap_or_default(),
            decided_by: c.decided_by.clone(),
            decided_at: c.decided_at.map(|t| t.and_utc()),
            created_at: c.created_at.and_utc(),
        }
    }
}

/// A goal as both partners see it: the document, its status, milestones, SMART assessment and
/// any easing changes waiting for the partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The partnership it is declared in.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// The partner who owns it.
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// Lifecycle status.
    pub status: GoalStatus,
    /// Specific: title.
    pub title: Option<String>,
    /// Specific: what.
    pub what: Option<String>,
    /// Specific: who.
    pub who: Option<String>,
    /// Specific: why.
    pub why: Option<String>,
    /// Measurable: the metric.
    pub metric: MetricInput,
    /// Achievable: confidence.
    pub confidence: Option<f64>,
    /// Relevant: business objective.
    pub alignment: Option<String>,
    /// Relevant: OKR reference.
    pub alignment_ref: Option<String>,
    /// Time-bound: first day.
    pub start_date: Option<NaiveDate>,
    /// Time-bound: last day.
    pub due_date: Option<NaiveDate>,
    /// Milestones in order.
    pub milestones: Vec<MilestoneView>,
    /// Weight in roll-ups.
    pub weight: f64,
    /// Expected days between readings.
    pub update_every_days: i32,
    /// Id in an external OKR tool.
    pub external_ref: Option<String>,
    /// That tool's name.
    pub source: Option<String>,
    /// What makes the goal SMART or not yet.
    pub assessment: SmartAssessment,
    /// Easing changes the partner has not yet acknowledged or rejected.
    pub pending_changes: Vec<ChangeView>,
    /// When it was activated.
    pub activated_at: Option<DateTime<Utc>>,
    /// When it was achieved, missed or dropped.
    pub closed_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Builds the view from the stored parts.
pub fn goal_view(goal: &Goal, milestones: &[MilestoneRow], pending: &[GoalChange]) -> GoalView {
    let doc = GoalInput::of(goal);
    GoalView {
        id: goal.id.clone(),
        partnership_id: goal.partnership_id.clone(),
        owner_id: goal.owner_id.clone(),
        status: enums::parse(&goal.status).unwrap_or(GoalStatus::Draft),
        title: doc.title.clone(),
        what: doc.what.clone(),
        who: doc.who.clone(),
        why: doc.why.clone(),
        metric: doc.metric.clone().unwrap_or_default(),
        confidence: doc.confidence,
        alignment: doc.alignment.clone(),
        alignment_ref: doc.alignment_ref.clone(),
        start_date: doc.start_date,
        due_date: doc.due_date,
        milestones: milestones.iter().map(MilestoneView::from).collect(),
        weight: goal.weight,
        update_every_days: goal.update_every_days,
        external_ref: goal.external_ref.clone(),
        source: goal.source.clone(),
        assessment: assessment_of(goal, milestones),
        pending_changes: pending.iter().map(ChangeView::from).collect(),
        activated_at: goal.activated_at.map(|t| t.and_utc()),
        closed_at: goal.closed_at.map(|t| t.and_utc()),
        created_at: goal.created_at.and_utc(),
        updated_at: goal.updated_at.and_utc(),
    }
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

/// Sets the value at a JSON pointer, creating objects on the way.
pub fn set_pointer(doc: &mut Value, pointer: &str, value: Value) {
    let mut cur = doc;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        let obj = cur.as_object_mut().expect("object");
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
}
