//! Readings as clients send and see them, with their revisions and batch outcomes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_app::readings::NewReading;
use tandem_app::readings::{Reading, Revision};
use tandem_domain::reading::RevisionAction;
use utoipa::ToSchema;
use validator::Validate;

use crate::http::extract::parse_json;
use crate::http::problem::{ApiError, Problem};
use crate::views::goals::FieldChange;

/// A reading as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadingView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The goal.
    #[schema(format = Uuid)]
    pub goal_id: String,
    /// The value.
    pub value: f64,
    /// When it was observed.
    pub observed_at: DateTime<Utc>,
    /// A note.
    pub note: Option<String>,
    /// Where it came from.
    pub source: String,
    /// The sender's id for it.
    pub external_id: Option<String>,
    /// Who recorded it.
    #[schema(format = Uuid)]
    pub recorded_by: String,
    /// Deleted readings stay visible in history but count for nothing.
    pub deleted: bool,
    /// When it was deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Why.
    pub delete_reason: Option<String>,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Reading> for ReadingView {
    fn from(r: &Reading) -> Self {
        ReadingView {
            id: r.id.clone(),
            goal_id: r.goal_id.clone(),
            value: r.value,
            observed_at: r.observed_at.and_utc(),
            note: r.note.clone(),
            source: r.source.clone(),
            external_id: r.external_id.clone(),
            recorded_by: r.recorded_by.clone(),
            deleted: r.deleted_at.is_some(),
            deleted_at: r.deleted_at.map(|t| t.and_utc()),
            delete_reason: r.delete_reason.clone(),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

/// One correction or deletion.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What the revision did.
    pub action: RevisionAction,
    /// Who.
    #[schema(format = Uuid)]
    pub actor_id: String,
    /// What changed.
    pub changes: Vec<FieldChange>,
    /// Why (deletions).
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// What became of one batch item.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    /// Position in the request.
    pub index: usize,
    /// `created`, `existing` (its external_id was already recorded) or `error`.
    pub status: BatchStatus,
    /// The reading, unless the item failed.
    pub reading: Option<ReadingView>,
    /// Why the item failed.
    pub problem: Option<Problem>,
}

/// Every item's outcome, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// One result per item.
    pub results: Vec<BatchResult>,
    /// How many were created.
    pub created: usize,
    /// How many already existed.
    pub existing: usize,
    /// How many failed.
    pub failed: usize,
}

impl From<&Revision> for RevisionView {
    fn from(r: &Revision) -> Self {
        RevisionView {
            id: r.id.clone(),
            action: r.action,
            actor_id: r.actor_id.clone(),
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
            reason: r.reason.clone(),
            created_at: r.created_at.and_utc(),
        }
    }
}

/// What became of a batch item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Stored now.
    Created,
    /// Its external_id was already recorded; here is that reading.
    Existing,
    /// It failed; see `problem`.
    Error,
}

/// A new reading.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z", "note": "After the triage pilot", "source": "zendesk-sync", "external_id": "zd-2026-03-01"}))]
pub struct CreateReadingRequest {
    /// The observed value.
    #[validate(range(min = -1e15, max = 1e15))]
    #[schema(minimum = -1e15, maximum = 1e15)]
    pub value: f64,
    /// When it was observed (RFC 3339); at most 5 minutes ahead of the server's clock (422
    /// `in_the_future` otherwise).
    pub observed_at: DateTime<Utc>,
    /// A note.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// Where it came from (default `manual`).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub source: Option<String>,
    /// Your own id for it: sending it again returns the reading already recorded. Integrations
    /// that say `external_ref` (as for goals) may send that name instead.
    #[serde(alias = "external_ref")]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: Option<String>,
}

impl From<CreateReadingRequest> for NewReading {
    fn from(b: CreateReadingRequest) -> Self {
        NewReading {
            value: b.value,
            observed_at: b.observed_at,
            note: b.note,
            source: b.source,
            external_id: b.external_id,
        }
    }
}

/// Splits a batch (or check-in) item into its goal id and an ordinary reading body, each parsed so
/// that an error points at the exact field (relative to the item).
pub fn reading_item(item: Value) -> Result<(String, NewReading), ApiError> {
    let Value::Object(mut fields) = item else {
        return Err(ApiError::field(
            "",
            "invalid_type",
            "each item must be a JSON object",
        ));
    };
    let goal_id = match fields.remove("goal_id") {
        None => {
            return Err(ApiError::field(
                "goal_id",
                "required",
                "missing field `goal_id`",
            ));
        }
        Some(v) => v
            .as_str()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .ok_or_else(|| {
                ApiError::field("goal_id", "invalid_value", "must be a goal id (UUID)")
            })?,
    };
    let reading: CreateReadingRequest =
        parse_json(&serde_json::to_vec(&Value::Object(fields)).map_err(ApiError::internal)?)?;
    reading.validate()?;
    Ok((goal_id.to_string(), reading.into()))
}

/// The readings' CSV columns, in order.
pub const READING_COLUMNS: [&str; 11] = [
    "id",
    "goal_id",
    "value",
    "observed_at",
    "note",
    "source",
    "external_id",
    "recorded_by",
    "deleted_at",
    "delete_reason",
    "created_at",
];

/// A reading as a CSV row.
pub fn reading_row(r: &Reading) -> Vec<crate::http::csv::Cell> {
    vec![
        r.id.as_str().into(),
        r.goal_id.as_str().into(),
        r.value.into(),
        r.observed_at.and_utc().into(),
        r.note.as_ref().into(),
        r.source.as_str().into(),
        r.external_id.as_ref().into(),
        r.recorded_by.as_str().into(),
        r.deleted_at.map(|t| t.and_utc()).into(),
        r.delete_reason.as_ref().into(),
        r.created_at.and_utc().into(),
    ]
}

/// The columns of a partnership's readings across its goals, in order.
pub const PARTNERSHIP_READING_COLUMNS: [&str; 13] = [
    "goal_id",
    "goal_title",
    "owner_id",
    "id",
    "value",
    "observed_at",
    "note",
    "source",
    "external_id",
    "recorded_by",
    "deleted_at",
    "delete_reason",
    "created_at",
];

/// A reading with its goal as a CSV row.
pub fn partnership_reading_row(
    r: &tandem_app::readings::GoalReading,
) -> Vec<crate::http::csv::Cell> {
    let mut row = vec![
        r.reading.goal_id.as_str().into(),
        r.goal_title.as_ref().into(),
        r.owner_id.as_str().into(),
    ];
    let mut own = reading_row(&r.reading);
    own.remove(1); // goal_id, already first
    row.extend(own);
    row
}
