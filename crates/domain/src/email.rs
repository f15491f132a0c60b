//! Email notifications: what kinds exist and where each one stands. Sending is the
//! application's; the rules of what a message says live here and in [`crate::ics`].

use serde::{Deserialize, Serialize};

/// Why an email is sent; one occasion of a kind reaches each recipient once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    /// A meeting was scheduled or rescheduled: an iCalendar `REQUEST` both partners' calendars
    /// take (the same `UID` every time, its `SEQUENCE` raised on every reschedule).
    MeetingInvitation,
    /// A meeting was cancelled: an iCalendar `CANCEL` that removes it from both calendars.
    MeetingCancelled,
    /// A meeting is coming up: the agenda, both scorecards and the commitments up for review,
    /// `TANDEM_PRE_READ_HOURS` before it, so partners come prepared.
    PreRead,
}

named!(EmailKind {
    MeetingInvitation => "meeting_invitation",
    MeetingCancelled => "meeting_cancelled",
    PreRead => "pre_read",
});

/// Where an email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting for its first or next try.
    Pending,
    /// The SMTP server accepted it.
    Sent,
    /// Every try failed, or the SMTP server refused it for good.
    Failed,
}

named!(EmailStatus {
    Pending => "pending",
    Sent => "sent",
    Failed => "failed",
});

/// The occasion key of a meeting's pre-read: one per meeting time, so a rescheduled meeting gets
/// a new one and a second scan does not.
pub fn pre_read_occasion(meeting_id: &str, scheduled_at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "meeting:{meeting_id}:at:{}",
        scheduled_at.format("%Y%m%dT%H%M%SZ")
    )
}

/// The occasion key of a meeting's invitation or cancellation at one version: a reschedule is a
/// new occasion (a new email), a retry or a second instance is the same one (no new email).
pub fn meeting_occasion(meeting_id: &str, sequence: i64) -> String {
    format!("meeting:{meeting_id}:{sequence}")
}
