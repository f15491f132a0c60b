//! Incremental sync: what the change feed says about each change.

use serde::{Deserialize, Serialize};

/// What changed: the kind of thing a mirror keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeEntity {
    /// A partnership (status, settings).
    Partnership,
    /// A goal (its milestones and pending changes count as the goal).
    Goal,
    /// A reading.
    Reading,
    /// A meeting.
    Meeting,
    /// One partner's notes block in a meeting (`meeting_id/partner_id`).
    MeetingNotes,
    /// A commitment.
    Commitment,
    /// A check-in.
    CheckIn,
    /// A fit review answer.
    FitReview,
    /// Kudos from one partner to the other.
    Kudos,
}

named!(ChangeEntity {
    Partnership => "partnership",
    Goal => "goal",
    Reading => "reading",
    Meeting => "meeting",
    MeetingNotes => "meeting_notes",
    Commitment => "commitment",
    CheckIn => "check_in",
    FitReview => "fit_review",
    Kudos => "kudos",
});

/// What happened to it. `Archived` and `Deleted` are tombstones: the entity left the lists a
/// client mirrors (an archived goal, a deleted reading, an ended partnership).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// It came into being.
    Created,
    /// One of its fields changed.
    Updated,
    /// It was archived, ended or declined: kept, but out of the live lists.
    Archived,
    /// It was deleted (soft: its history stays readable).
    Deleted,
}

named!(ChangeOp {
    Created => "created",
    Updated => "updated",
    Archived => "archived",
    Deleted => "deleted",
});

impl ChangeOp {
    /// Whether the entity left the live lists.
    pub fn is_tombstone(self) -> bool {
        matches!(self, ChangeOp::Archived | ChangeOp::Deleted)
    }
}
