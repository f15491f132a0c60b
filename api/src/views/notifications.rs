//! What the notification endpoints answer.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::notifications::Email;
use tandem_domain::email::{EmailKind, EmailStatus};
use utoipa::ToSchema;

/// One email to the caller, as the delivery log shows it (its body is not repeated here).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fc0", "kind": "meeting_invitation",
    "occasion": "meeting:0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70:0",
    "to": "ada@example.com", "subject": "Tandem meeting with Grace: Mon 14 Dec 2026, 09:00 (Europe/London)",
    "message_id": "<0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fc0@example.com>", "status": "sent", "attempts": 1,
    "next_attempt_at": null, "last_error": null, "sent_at": "2026-11-30T09:00:02Z",
    "created_at": "2026-11-30T09:00:00Z", "updated_at": "2026-11-30T09:00:02Z"
}))]
pub struct EmailView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Why it was sent.
    pub kind: EmailKind,
    /// What it is about (`meeting:<id>:<sequence>`); one email per kind and occasion.
    pub occasion: String,
    /// The address it went to.
    pub to: String,
    /// Its subject.
    pub subject: String,
    /// Its `Message-ID` header, the same on every try.
    pub message_id: String,
    /// Where it stands.
    pub status: EmailStatus,
    /// Tries so far.
    pub attempts: i32,
    /// When the next try is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Email> for EmailView {
    fn from(e: Email) -> Self {
        EmailView {
            id: e.id,
            kind: e.kind,
            occasion: e.occasion,
            to: e.to_address,
            subject: e.subject,
            message_id: e.message_id,
            status: e.status,
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at.map(|t| t.and_utc()),
            last_error: e.last_error,
            sent_at: e.sent_at.map(|t| t.and_utc()),
            created_at: e.created_at.and_utc(),
            updated_at: e.updated_at.and_utc(),
        }
    }
}

/// Notification preferences.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "email": {"meeting_invitation": true, "meeting_cancelled": true, "pre_read": false,
              "commitment_due": true, "fit_review_due": true, "refresh_due": true,
              "reading_stale": true, "goal_achieved": true, "milestone_completed": true},
    "webhook": {"meeting_invitation": true, "meeting_cancelled": true, "pre_read": true,
                "commitment_due": false, "fit_review_due": true, "refresh_due": true,
                "reading_stale": true, "goal_achieved": true, "milestone_completed": true},
    "quiet_hours": {"from": "22:00", "until": "07:00"}, "version": 2
}))]
pub struct PreferencesView {
    /// Each kind of news on or off by email.
    pub email: KindSwitches,
    /// Each kind of news on or off for the caller's webhook subscriptions: off, its event
    /// (`meeting_invitation`: `meeting.scheduled`, `meeting_cancelled`: `meeting.cancelled`,
    /// `pre_read`: `meeting.upcoming`, `commitment_due`: `commitment.due`, `fit_review_due`:
    /// `fit_review.due`, `refresh_due`: `refresh.due`, `reading_stale`: `reading.stale`) goes
    /// to none of them, whatever event types they subscribe to.
    pub webhook: KindSwitches,
    /// When emails wait, in your own time zone; null: never.
    pub quiet_hours: Option<QuietHoursView>,
    /// Version (the ETag); 0 until first set.
    pub version: i64,
}

/// Each kind of news on or off on one channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindSwitches {
    /// Meeting invitations and their updates.
    pub meeting_invitation: bool,
    /// Meeting cancellations.
    pub meeting_cancelled: bool,
    /// The pre-read before each meeting.
    pub pre_read: bool,
    /// A reminder when one of your commitments is due.
    pub commitment_due: bool,
    /// A reminder when the quarterly fit review is due.
    pub fit_review_due: bool,
    /// A reminder when the yearly goal refresh is due.
    pub refresh_due: bool,
    /// A reminder when one of your goals is waiting for its next reading.
    pub reading_stale: bool,
    /// News of your partner achieving a goal (`goal.achieved`).
    pub goal_achieved: bool,
    /// News of your partner completing a milestone (`milestone.completed`).
    pub milestone_completed: bool,
}

/// Quiet hours, local `HH:MM`.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuietHoursView {
    /// When quiet starts.
    pub from: String,
    /// When it ends.
    pub until: String,
}

impl From<&tandem_app::notifications::Preferences> for PreferencesView {
    fn from(p: &tandem_app::notifications::Preferences) -> Self {
        PreferencesView {
            email: KindSwitches::from_off(&p.email_off),
            webhook: KindSwitches::from_off(&p.webhook_off),
            quiet_hours: p.quiet.map(|q| QuietHoursView {
                from: q.from.format("%H:%M").to_string(),
                until: q.until.format("%H:%M").to_string(),
            }),
            version: p.version,
        }
    }
}

impl KindSwitches {
    fn from_off(off: &[EmailKind]) -> KindSwitches {
        let on = |kind| !off.contains(&kind);
        KindSwitches {
            meeting_invitation: on(EmailKind::MeetingInvitation),
            meeting_cancelled: on(EmailKind::MeetingCancelled),
            pre_read: on(EmailKind::PreRead),
            commitment_due: on(EmailKind::CommitmentDue),
            fit_review_due: on(EmailKind::FitReviewDue),
            refresh_due: on(EmailKind::RefreshDue),
            reading_stale: on(EmailKind::ReadingStale),
            goal_achieved: on(EmailKind::GoalAchieved),
            milestone_completed: on(EmailKind::MilestoneCompleted),
        }
    }
}

/// What a one-click unsubscribe turned off.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"email_off": "pre_read"}))]
pub struct UnsubscribedView {
    /// The kind of email now off for the recipient.
    pub email_off: EmailKind,
}
