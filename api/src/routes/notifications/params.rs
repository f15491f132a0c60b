//! What the notification endpoints accept.

use serde::Deserialize;
use tandem_app::notifications::Preferences;
use tandem_domain::email::{EmailKind, QuietHours};
use utoipa::ToSchema;
use validator::Validate;

use crate::http::problem::{ApiError, FieldError};

/// Notification preferences, whole.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": {"meeting_invitation": true, "meeting_cancelled": true, "pre_read": false},
    "webhook": {"commitment_due": false},
    "quiet_hours": {"from": "22:00", "until": "07:00"}
}))]
pub struct PutPreferencesRequest {
    /// Each kind of email on (`true`) or off; a kind left out is on.
    #[serde(default)]
    pub email: KindSwitchesInput,
    /// Each kind of news on (`true`) or off for your webhook subscriptions (its event goes to
    /// none of them: `pre_read` is `meeting.upcoming`, `meeting_invitation` is
    /// `meeting.scheduled`, the others their namesakes); a kind left out is on.
    #[serde(default)]
    pub webhook: KindSwitchesInput,
    /// When emails wait, in your own time zone (`from` may be after `until`: across midnight).
    /// Absent or null: no quiet hours.
    pub quiet_hours: Option<QuietHoursInput>,
}

/// Each kind of news on or off on one channel; a kind left out is on.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindSwitchesInput {
    /// Meeting invitations and their updates (with the calendar part).
    pub meeting_invitation: Option<bool>,
    /// Meeting cancellations.
    pub meeting_cancelled: Option<bool>,
    /// The pre-read before each meeting.
    pub pre_read: Option<bool>,
    /// A reminder when one of your commitments is due.
    pub commitment_due: Option<bool>,
    /// A reminder when the quarterly fit review is due.
    pub fit_review_due: Option<bool>,
    /// A reminder when the yearly goal refresh is due.
    pub refresh_due: Option<bool>,
    /// A reminder when one of your goals is waiting for its next reading.
    pub reading_stale: Option<bool>,
    /// News of your partner achieving a goal.
    pub goal_achieved: Option<bool>,
    /// News of your partner completing a milestone.
    pub milestone_completed: Option<bool>,
}

/// Quiet hours, local.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursInput {
    /// When quiet starts, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "22:00")]
    pub from: String,
    /// When it ends, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    pub until: String,
}

impl PutPreferencesRequest {
    /// The preferences asked for, or 422 naming each bad time.
    pub fn parse(self) -> Result<Preferences, ApiError> {
        let email_off = self.email.off();
        let webhook_off = self.webhook.off();
        let wanted = |quiet| Preferences {
            email_off,
            webhook_off,
            quiet,
            version: 0,
        };
        let Some(quiet) = self.quiet_hours else {
            return Ok(wanted(None));
        };
        // Exactly `HH:MM`: chrono alone would also take `7:00`.
        let time = |field: &str, value: &str| {
            (value.len() == 5)
                .then(|| chrono::NaiveTime::parse_from_str(value, "%H:%M").ok())
                .flatten()
                .ok_or_else(|| {
                    FieldError::new(
                        format!("quiet_hours/{field}"),
                        "time",
                        "must be a local time HH:MM (00:00 to 23:59)",
                    )
                })
        };
        match (time("from", &quiet.from), time("until", &quiet.until)) {
            (Ok(from), Ok(until)) => Ok(wanted(Some(QuietHours { from, until }))),
            (from, until) => Err(ApiError::Validation(
                [from.err(), until.err()].into_iter().flatten().collect(),
            )),
        }
    }
}

impl KindSwitchesInput {
    /// The kinds turned off.
    fn off(&self) -> Vec<EmailKind> {
        let e = self;
        [
            (EmailKind::MeetingInvitation, e.meeting_invitation),
            (EmailKind::MeetingCancelled, e.meeting_cancelled),
            (EmailKind::PreRead, e.pre_read),
            (EmailKind::CommitmentDue, e.commitment_due),
            (EmailKind::FitReviewDue, e.fit_review_due),
            (EmailKind::RefreshDue, e.refresh_due),
            (EmailKind::ReadingStale, e.reading_stale),
            (EmailKind::GoalAchieved, e.goal_achieved),
            (EmailKind::MilestoneCompleted, e.milestone_completed),
        ]
        .into_iter()
        .filter(|(_, on)| *on == Some(false))
        .map(|(kind, _)| kind)
        .collect()
    }
}
