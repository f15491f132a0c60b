//! What the goal endpoints accept: the goal document (every field optional, so a draft may be
//! half-done) and the list filters.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tandem_app::goals::{GoalDocument, NewMilestone};
use tandem_domain::goal::GoalStatus;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::problem::{ApiError, FieldError};

pub use crate::views::goals::{MetricInput, MilestoneInput};

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
    #[serde(default, deserialize_with = "crate::http::extract::optional_whole")]
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

impl GoalInput {
    /// Takes `source` and `external_ref` from the upsert path: the body may repeat them but not
    /// contradict them, and they must be usable in a path.
    pub fn take_reference(&mut self, source: String, external_ref: String) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        for (field, given, wanted, max) in [
            ("source", &self.source, &source, 100),
            ("external_ref", &self.external_ref, &external_ref, 200),
        ] {
            if given.as_ref().is_some_and(|g| g != wanted) {
                errors.push(FieldError::new(
                    field,
                    "mismatch",
                    format!("must be {wanted:?}, as in the path, or left out"),
                ));
            } else {
                crate::http::validation::path_identifier(field, wanted, max)?;
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        (self.source, self.external_ref) = (Some(source), Some(external_ref));
        Ok(())
    }

    /// The document and the milestones given with it.
    pub fn into_parts(self) -> (GoalDocument, Vec<NewMilestone>) {
        let milestones = self
            .milestones
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(NewMilestone::from)
            .collect();
        let doc = GoalDocument {
            title: self.title,
            what: self.what,
            who: self.who,
            why: self.why,
            metric: self.metric.map(Into::into),
            confidence: self.confidence,
            alignment: self.alignment,
            alignment_ref: self.alignment_ref,
            start_date: self.start_date,
            due_date: self.due_date,
            weight: self.weight,
            update_every_days: self.update_every_days,
            external_ref: self.external_ref,
            source: self.source,
        };
        (doc, milestones)
    }
}
