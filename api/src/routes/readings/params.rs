//! What the reading endpoints accept besides the reading itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::extract::{non_null, nullable};

/// A correction (merge patch); the previous values stay in the reading's history.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 10.6, "note": "Recounted"}))]
pub struct UpdateReadingRequest {
    /// Corrected value.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = -1e15, max = 1e15))]
    #[schema(nullable = false, minimum = -1e15, maximum = 1e15)]
    pub value: Option<f64>,
    /// Corrected observation time.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub observed_at: Option<DateTime<Utc>>,
    /// New note (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub note: Option<Option<String>>,
}

/// Up to 1,000 readings across your goals.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"readings": [
    {"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59", "value": 10.8, "observed_at": "2026-03-01T09:00:00Z", "external_id": "row-2"},
    {"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f5a", "value": 21, "observed_at": "2026-03-01T09:00:00Z", "external_id": "row-3"}
]}))]
pub struct BatchRequest {
    /// The readings (each a `BatchReading`: a reading body plus its `goal_id`); each is judged
    /// on its own.
    #[validate(length(min = 1, max = 1000))]
    #[schema(value_type = Vec<Object>, min_items = 1, max_items = 1000)]
    pub readings: Vec<Value>,
}

/// Filters for a goal's readings.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListReadingsQuery {
    /// Observed at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Observed at or before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Include deleted readings (default false).
    pub include_deleted: Option<bool>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Why a reading is deleted.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteReadingQuery {
    /// The reason, kept in the reading's history.
    #[param(max_length = 500)]
    pub reason: Option<String>,
}
