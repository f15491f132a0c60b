//! What the milestone endpoints accept.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::http::extract::{non_null, nullable};

/// A milestone edit (merge patch).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_date": "2026-04-15"}))]
pub struct UpdateMilestoneRequest {
    /// New title.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 200))]
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// New due date.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub due_date: Option<NaiveDate>,
    /// New target value (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = -1e15, maximum = 1e15)]
    pub target: Option<Option<f64>>,
    /// The meeting in which the change was agreed, recorded in the revision and listed in that
    /// meeting's agenda (a scheduled or completed meeting of this partnership; 422 otherwise).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub meeting_id: Option<uuid::Uuid>,
}

/// Completing a milestone.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"completed_on": "2026-03-28"}))]
pub struct CompleteMilestoneRequest {
    /// The day it was done (default: today in the partnership's time zone).
    pub completed_on: Option<NaiveDate>,
    /// The meeting it was reported in (a scheduled or completed meeting of this partnership;
    /// 422 otherwise).
    pub meeting_id: Option<uuid::Uuid>,
}

/// A new order for a goal's milestones.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"milestone_ids": ["0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f62", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f61"]}))]
pub struct ReorderMilestonesRequest {
    /// Every milestone id of the goal, exactly once, in the new order.
    #[validate(length(max = 100))]
    pub milestone_ids: Vec<uuid::Uuid>,
}
