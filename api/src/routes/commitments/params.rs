//! What the commitment endpoints accept.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::commitments::{CommitmentEdit, NewCommitment};
use tandem_domain::meeting::CommitmentStatus;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::extract::{non_null, nullable};

/// A new commitment.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Call three churned customers", "owner_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56"}))]
pub struct CreateCommitmentRequest {
    /// What will be done.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub text: String,
    /// The partner who commits (default: the caller).
    pub owner_id: Option<uuid::Uuid>,
    /// By when (default: the day of the next meeting, in the partnership's time zone).
    pub due_on: Option<NaiveDate>,
    /// The owner's goal it serves.
    pub goal_id: Option<uuid::Uuid>,
}

/// Filters for a partnership's commitments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCommitmentsQuery {
    /// Only commitments in this status (`open` for what is still to do).
    pub status: Option<CommitmentStatus>,
    /// Only this partner's.
    pub owner_id: Option<uuid::Uuid>,
    /// Only those made in this meeting.
    pub meeting_id: Option<uuid::Uuid>,
    /// Only those serving this goal.
    pub goal_id: Option<uuid::Uuid>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// A commitment edit (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done", "status_note": "Two of three called; the third moved on"}))]
pub struct UpdateCommitmentRequest {
    /// `done` or `dropped` closes an open commitment; a closed one stays closed.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub status: Option<CommitmentStatus>,
    /// How it went, or why it was dropped (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub status_note: Option<Option<String>>,
    /// New wording (open commitments only).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 1000))]
    #[schema(nullable = false, min_length = 1, max_length = 1000)]
    pub text: Option<String>,
    /// New due date (open commitments only).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub due_on: Option<NaiveDate>,
}

impl From<CreateCommitmentRequest> for NewCommitment {
    fn from(r: CreateCommitmentRequest) -> Self {
        NewCommitment {
            text: r.text,
            owner_id: r.owner_id.map(|u| u.to_string()),
            due_on: r.due_on,
            goal_id: r.goal_id.map(|u| u.to_string()),
        }
    }
}

impl From<UpdateCommitmentRequest> for CommitmentEdit {
    fn from(r: UpdateCommitmentRequest) -> Self {
        CommitmentEdit {
            status: r.status,
            status_note: r.status_note,
            text: r.text,
            due_on: r.due_on,
        }
    }
}
