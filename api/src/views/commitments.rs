//! Commitments as clients see them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tandem_app::commitments::Commitment;
use tandem_domain::meeting::CommitmentStatus;
use utoipa::ToSchema;

/// A commitment as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f80", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
    "meeting_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70", "owner_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "goal_id": null, "text": "Call three churned customers", "due_on": "2026-12-23", "status": "open",
    "status_note": null, "closed_by": null, "closed_at": null, "created_by": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "created_at": "2026-12-09T08:40:00Z", "updated_at": "2026-12-09T08:40:00Z"
}))]
pub struct CommitmentView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The partnership.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// The meeting it was made in.
    #[schema(format = Uuid)]
    pub meeting_id: String,
    /// The partner who committed.
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// The goal it serves.
    #[schema(format = Uuid)]
    pub goal_id: Option<String>,
    /// What will be done.
    pub text: String,
    /// By when (a date in the partnership's time zone).
    pub due_on: NaiveDate,
    /// `open`, `done` or `dropped`.
    pub status: CommitmentStatus,
    /// How it went, or why it was dropped.
    pub status_note: Option<String>,
    /// Who closed it.
    #[schema(format = Uuid)]
    pub closed_by: Option<String>,
    /// When.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    #[schema(format = Uuid)]
    pub created_by: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Commitment> for CommitmentView {
    fn from(c: &Commitment) -> Self {
        CommitmentView {
            id: c.id.clone(),
            partnership_id: c.partnership_id.clone(),
            meeting_id: c.meeting_id.clone(),
            owner_id: c.owner_id.clone(),
            goal_id: c.goal_id.clone(),
            text: c.text.clone(),
            due_on: c.due_on,
            status: c.status,
            status_note: c.status_note.clone(),
            closed_by: c.closed_by.clone(),
            closed_at: c.closed_at.map(|t| t.and_utc()),
            created_by: c.created_by.clone(),
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// The commitments' CSV columns, in order.
pub const COMMITMENT_COLUMNS: [&str; 11] = [
    "id",
    "meeting_id",
    "owner_id",
    "goal_id",
    "text",
    "due_on",
    "status",
    "status_note",
    "closed_at",
    "created_at",
    "updated_at",
];

/// A commitment as a CSV row.
pub fn commitment_row(c: &Commitment) -> Vec<crate::http::csv::Cell> {
    use tandem_domain::names::Named;
    vec![
        c.id.as_str().into(),
        c.meeting_id.as_str().into(),
        c.owner_id.as_str().into(),
        c.goal_id.as_ref().into(),
        c.text.as_str().into(),
        c.due_on.into(),
        c.status.as_str().into(),
        c.status_note.as_ref().into(),
        c.closed_at.map(|t| t.and_utc()).into(),
        c.created_at.and_utc().into(),
        c.updated_at.and_utc().into(),
    ]
}
