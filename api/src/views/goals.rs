//! Goals as clients see them: the goal document, its milestones, history entries and the SMART
//! assessment.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_app::goals::{
    GoalChange, GoalDetail, GoalDocument, MetricDocument, MilestoneRow, NewMilestone,
};
use tandem_domain::goal::{ChangeKind, ChangeState, Direction, GoalStatus, MetricKind};
use tandem_domain::smart::SmartAssessment;
use utoipa::ToSchema;
use validator::Validate;

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
    /// What kind of change.
    pub kind: ChangeKind,
    /// `pending` is an easing change awaiting the partner.
    pub state: ChangeState,
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
            kind: c.kind,
            state: c.state,
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

impl From<&tandem_app::goals::FieldChange> for FieldChange {
    fn from(c: &tandem_app::goals::FieldChange) -> Self {
        FieldChange {
            field: c.field.clone(),
            old: c.old.clone(),
            new: c.new.clone(),
        }
    }
}

impl From<MetricDocument> for MetricInput {
    fn from(m: MetricDocument) -> Self {
        MetricInput {
            name: m.name,
            unit: m.unit,
            kind: m.kind,
            direction: m.direction,
            baseline: m.baseline,
            target: m.target,
        }
    }
}

impl From<MetricInput> for MetricDocument {
    fn from(m: MetricInput) -> Self {
        MetricDocument {
            name: m.name,
            unit: m.unit,
            kind: m.kind,
            direction: m.direction,
            baseline: m.baseline,
            target: m.target,
        }
    }
}

impl From<&GoalDetail> for GoalView {
    fn from(d: &GoalDetail) -> Self {
        let goal = &d.goal;
        let doc = GoalDocument::of(goal);
        GoalView {
            id: goal.id.clone(),
            partnership_id: goal.partnership_id.clone(),
            owner_id: goal.owner_id.clone(),
            status: goal.status,
            title: doc.title,
            what: doc.what,
            who: doc.who,
            why: doc.why,
            metric: doc.metric.map(MetricInput::from).unwrap_or_default(),
            confidence: doc.confidence,
            alignment: doc.alignment,
            alignment_ref: doc.alignment_ref,
            start_date: doc.start_date,
            due_date: doc.due_date,
            milestones: d.milestones.iter().map(MilestoneView::from).collect(),
            weight: goal.weight,
            update_every_days: goal.update_every_days,
            external_ref: goal.external_ref.clone(),
            source: goal.source.clone(),
            assessment: d.assessment.clone(),
            pending_changes: d.pending.iter().map(ChangeView::from).collect(),
            activated_at: goal.activated_at.map(|t| t.and_utc()),
            closed_at: goal.closed_at.map(|t| t.and_utc()),
            created_at: goal.created_at.and_utc(),
            updated_at: goal.updated_at.and_utc(),
        }
    }
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

impl From<MilestoneInput> for NewMilestone {
    fn from(m: MilestoneInput) -> Self {
        NewMilestone {
            title: m.title,
            due_date: m.due_date,
            target: m.target,
        }
    }
}

/// The goals' CSV columns, in order.
pub const GOAL_COLUMNS: [&str; 19] = [
    "id",
    "owner_id",
    "status",
    "title",
    "what",
    "who",
    "why",
    "metric",
    "unit",
    "kind",
    "direction",
    "baseline",
    "target",
    "confidence",
    "start_date",
    "due_date",
    "weight",
    "external_ref",
    "updated_at",
];

/// A goal as a CSV row.
pub fn goal_row(d: &GoalDetail) -> Vec<crate::http::csv::Cell> {
    use tandem_domain::names::Named;
    let v = GoalView::from(d);
    vec![
        v.id.into(),
        v.owner_id.into(),
        v.status.as_str().into(),
        v.title.into(),
        v.what.into(),
        v.who.into(),
        v.why.into(),
        v.metric.name.into(),
        v.metric.unit.into(),
        v.metric.kind.map(|k| k.as_str()).into(),
        v.metric.direction.map(|d| d.as_str()).into(),
        v.metric.baseline.into(),
        v.metric.target.into(),
        v.confidence.into(),
        v.start_date.into(),
        v.due_date.into(),
        v.weight.into(),
        v.external_ref.into(),
        v.updated_at.into(),
    ]
}
