//! Email notifications: what kinds exist and where each one stands. Sending is the
//! application's; the rules of what a message says live here and in [`crate::ics`].

use serde::{Deserialize, Serialize};

use crate::names::Named;
use crate::webhook::EventType;

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
    /// One of your commitments reached its due date.
    CommitmentDue,
    /// The quarterly fit review is due: does the pairing still work?
    FitReviewDue,
    /// The yearly goal refresh is due.
    RefreshDue,
    /// One of your goals is waiting for its next reading.
    ReadingStale,
    /// Your partner achieved a goal: celebrate it.
    GoalAchieved,
    /// Your partner completed a milestone: a small win.
    MilestoneCompleted,
}

named!(EmailKind {
    MeetingInvitation => "meeting_invitation",
    MeetingCancelled => "meeting_cancelled",
    PreRead => "pre_read",
    CommitmentDue => "commitment_due",
    FitReviewDue => "fit_review_due",
    RefreshDue => "refresh_due",
    ReadingStale => "reading_stale",
    GoalAchieved => "goal_achieved",
    MilestoneCompleted => "milestone_completed",
});

impl EmailKind {
    /// The webhook event that tells the same news, so one preference names a kind of news on
    /// both channels (turning `pre_read` off for webhooks mutes `meeting.upcoming`).
    pub fn event_type(self) -> EventType {
        match self {
            EmailKind::MeetingInvitation => EventType::MeetingScheduled,
            EmailKind::MeetingCancelled => EventType::MeetingCancelled,
            EmailKind::PreRead => EventType::MeetingUpcoming,
            EmailKind::CommitmentDue => EventType::CommitmentDue,
            EmailKind::FitReviewDue => EventType::FitReviewDue,
            EmailKind::RefreshDue => EventType::RefreshDue,
            EmailKind::ReadingStale => EventType::ReadingStale,
            EmailKind::GoalAchieved => EventType::GoalAchieved,
            EmailKind::MilestoneCompleted => EventType::MilestoneCompleted,
        }
    }

    /// The kind of news a webhook event carries, for events a person may mute; `None` for
    /// the record of changes (`reading.recorded`, ...), which subscriptions choose by type.
    pub fn of_event(event_type: &str) -> Option<EmailKind> {
        <EmailKind as Named>::ALL
            .iter()
            .copied()
            .find(|k| k.event_type().as_str() == event_type)
    }
}

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

/// Hours in which someone's emails wait, in their own time zone; may span midnight
/// (`22:00`-`07:00`). Equal ends mean no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// When quiet starts (local).
    pub from: chrono::NaiveTime,
    /// When it ends (local).
    pub until: chrono::NaiveTime,
}

impl QuietHours {
    /// Whether `t` (local) falls in the quiet hours.
    pub fn contains(&self, t: chrono::NaiveTime) -> bool {
        if self.from <= self.until {
            self.from <= t && t < self.until
        } else {
            t >= self.from || t < self.until
        }
    }

    /// When an email due at `now` (local) may go: `now` itself outside quiet hours, else the
    /// next time they end.
    pub fn release(&self, now: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
        if !self.contains(now.time()) {
            return now;
        }
        let today = now.date().and_time(self.until);
        if today > now {
            today
        } else {
            today + chrono::Duration::days(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime};

    fn at(h: u32, m: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn quiet(from: u32, until: u32) -> QuietHours {
        QuietHours {
            from: NaiveTime::from_hms_opt(from, 0, 0).unwrap(),
            until: NaiveTime::from_hms_opt(until, 0, 0).unwrap(),
        }
    }

    #[test]
    fn quiet_hours_across_midnight_hold_emails_until_morning() {
        let night = quiet(22, 7);
        assert_eq!(
            night.release(at(23, 30)),
            at(7, 0) + chrono::Duration::days(1)
        );
        assert_eq!(night.release(at(3, 0)), at(7, 0));
        assert_eq!(night.release(at(7, 0)), at(7, 0), "the end is not quiet");
        assert_eq!(night.release(at(12, 0)), at(12, 0));
        assert_eq!(
            night.release(at(22, 0)),
            at(7, 0) + chrono::Duration::days(1)
        );
    }

    #[test]
    fn each_kind_of_news_has_one_webhook_event_and_back() {
        for &kind in <EmailKind as Named>::ALL {
            assert_eq!(EmailKind::of_event(kind.event_type().as_str()), Some(kind));
        }
        assert_eq!(EmailKind::of_event("reading.recorded"), None);
        assert_eq!(
            EmailKind::of_event("meeting.upcoming"),
            Some(EmailKind::PreRead)
        );
    }

    #[test]
    fn quiet_hours_within_a_day_and_empty_ones() {
        let lunch = quiet(12, 13);
        assert_eq!(lunch.release(at(12, 30)), at(13, 0));
        assert_eq!(lunch.release(at(11, 59)), at(11, 59));
        assert_eq!(
            quiet(9, 9).release(at(9, 0)),
            at(9, 0),
            "equal ends: never quiet"
        );
    }
}
