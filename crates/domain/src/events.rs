//! Webhook event payloads, version 1: the documents receivers get.
//!
//! They are a published format of their own, independent of the REST views: a view may grow or
//! change without changing what integrations already parse. They live here, as pure data, so
//! the application builds them and the contract documents them from one definition.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::goal::GoalStatus;
use crate::partnership::PartnershipStatus;

/// What every delivery's body is. Verify the signature headers before trusting it; use `id` to
/// drop duplicates (a delivery may arrive more than once: retries are at-least-once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90", "type": "reading.recorded",
    "occurred_at": "2026-11-26T08:00:00Z", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
    "data": {"goal": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60", "owner_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
                      "title": "Cut support backlog", "external_ref": null, "source": null},
             "reading": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f61", "goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60",
                         "value": 42.0, "observed_at": "2026-11-26T07:00:00Z", "note": null, "source": "manual",
                         "external_id": null, "recorded_by": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "deleted": false,
                         "deleted_at": null, "delete_reason": null,
                         "created_at": "2026-11-26T08:00:00Z", "updated_at": "2026-11-26T08:00:00Z"}}
})))]
pub struct WebhookEvent {
    /// The event's id (also in the `Tandem-Webhook-Id` header).
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub id: String,
    /// One of the subscribable types, or `webhook.test` for a test ping.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The partnership it happened in (null for a test ping).
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub partnership_id: Option<String>,
    /// What happened; its shape depends on `type` (see the `webhooks` section of this document).
    pub data: EventData,
}

/// The `data` of an event, by type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum EventData {
    /// `reading.recorded`.
    ReadingRecorded(ReadingRecorded),
    /// `goal.status_changed`.
    GoalStatusChanged(GoalStatusChanged),
    /// `goal.activated`.
    GoalActivated(GoalActivated),
    /// `meeting.scheduled`.
    MeetingScheduled(MeetingScheduled),
    /// `meeting.completed`.
    MeetingCompleted(MeetingCompleted),
    /// `commitment.due`.
    CommitmentDue(CommitmentDue),
    /// `fit_review.due`.
    FitReviewDue(FitReviewDue),
    /// `partnership.updated`.
    PartnershipUpdated(PartnershipUpdated),
    /// `meeting.upcoming`.
    MeetingUpcoming(MeetingUpcoming),
    /// `meeting.cancelled`.
    MeetingCancelled(MeetingCancelled),
    /// `refresh.due`.
    RefreshDue(RefreshDue),
    /// `reading.stale`.
    ReadingStale(ReadingStale),
    /// `goal.achieved`.
    GoalAchieved(GoalAchieved),
    /// `milestone.completed`.
    MilestoneCompleted(MilestoneCompleted),
    /// `kudos.received`.
    KudosReceived(KudosReceived),
    /// `webhook.test`.
    WebhookTest(WebhookTest),
}

impl EventData {
    /// The event type this data belongs to.
    pub fn event_type(&self) -> &'static str {
        use crate::names::Named;
        use crate::webhook::EventType;
        match self {
            EventData::ReadingRecorded(_) => EventType::ReadingRecorded.as_str(),
            EventData::GoalStatusChanged(_) => EventType::GoalStatusChanged.as_str(),
            EventData::GoalActivated(_) => EventType::GoalActivated.as_str(),
            EventData::MeetingScheduled(_) => EventType::MeetingScheduled.as_str(),
            EventData::MeetingCompleted(_) => EventType::MeetingCompleted.as_str(),
            EventData::CommitmentDue(_) => EventType::CommitmentDue.as_str(),
            EventData::FitReviewDue(_) => EventType::FitReviewDue.as_str(),
            EventData::PartnershipUpdated(_) => EventType::PartnershipUpdated.as_str(),
            EventData::MeetingUpcoming(_) => EventType::MeetingUpcoming.as_str(),
            EventData::MeetingCancelled(_) => EventType::MeetingCancelled.as_str(),
            EventData::RefreshDue(_) => EventType::RefreshDue.as_str(),
            EventData::ReadingStale(_) => EventType::ReadingStale.as_str(),
            EventData::GoalAchieved(_) => EventType::GoalAchieved.as_str(),
            EventData::MilestoneCompleted(_) => EventType::MilestoneCompleted.as_str(),
            EventData::KudosReceived(_) => EventType::KudosReceived.as_str(),
            EventData::WebhookTest(_) => crate::webhook::TEST_EVENT,
        }
    }
}

/// The goal an event is about, enough to find it in a mirror.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalRef {
    /// Id.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub id: String,
    /// Whose goal.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub owner_id: String,
    /// Title (a draft may have none yet).
    pub title: Option<String>,
    /// The OKR tool's id for it, if mirrored.
    pub external_ref: Option<String>,
    /// Which tool `external_ref` belongs to.
    pub source: Option<String>,
}

/// A reading as events carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventReading {
    /// Id.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub id: String,
    /// The goal.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
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
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub recorded_by: String,
    /// Deleted readings count for nothing (always false for a new one).
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

/// `reading.recorded`: a new reading (not a correction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadingRecorded {
    /// The goal.
    pub goal: GoalRef,
    /// The reading.
    pub reading: EventReading,
}

/// `goal.status_changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalStatusChanged {
    /// The goal.
    pub goal: GoalRef,
    /// Status before.
    pub from: GoalStatus,
    /// Status now.
    pub to: GoalStatus,
}

/// `goal.activated`: the goal's numbers are now committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalActivated {
    /// The goal.
    pub goal: GoalRef,
    /// The metric's name.
    pub metric_name: String,
    /// Its unit.
    pub metric_unit: String,
    /// Where it starts.
    pub baseline: f64,
    /// Where it should be by `due_date`.
    pub target: f64,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub due_date: NaiveDate,
}

/// `meeting.scheduled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingScheduled {
    /// The meeting.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub meeting_id: String,
    /// When it takes place.
    pub scheduled_at: DateTime<Utc>,
    /// Minutes.
    pub length_minutes: i32,
    /// Where.
    pub location: Option<String>,
    /// Where its agenda is (`GET`).
    pub href: String,
}

/// `meeting.upcoming`: a scheduled meeting's pre-read time has come (partners prepare).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingUpcoming {
    /// The meeting.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub meeting_id: String,
    /// When it takes place.
    pub scheduled_at: DateTime<Utc>,
    /// Minutes.
    pub length_minutes: i32,
    /// Where.
    pub location: Option<String>,
    /// How long before the meeting this is announced (the server's pre-read setting).
    pub pre_read_hours: u32,
    /// Its agenda, with both scorecards and the commitments up for review (`GET`).
    pub agenda_href: String,
}

/// `meeting.cancelled`: a scheduled meeting was called off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingCancelled {
    /// The meeting.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub meeting_id: String,
    /// When it would have taken place.
    pub scheduled_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// Who called it off.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub cancelled_by: String,
    /// Where it is (`GET`).
    pub href: String,
}

/// `reading.stale`: an active goal's next reading is overdue (its owner is reminded once per due
/// date; a new reading moves the date on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadingStale {
    /// The goal.
    pub goal: GoalRef,
    /// When its latest reading was observed (null: none yet).
    pub last_observed_at: Option<DateTime<Utc>>,
    /// When the next one was due: `update_every_days` after it (or after the goal's start).
    pub next_reading_due: DateTime<Utc>,
    /// Where to record it (`POST`).
    pub href: String,
}

/// `goal.achieved`: a goal reached its target and its owner marked it achieved — "celebrate
/// small wins and milestones reached".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalAchieved {
    /// The goal.
    pub goal: GoalRef,
    /// The day it was achieved (partnership time zone).
    pub achieved_on: NaiveDate,
    /// Its target.
    pub target: Option<f64>,
    /// Where it is (`GET`).
    pub href: String,
}

/// `milestone.completed`: a milestone on the way to a goal was reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneCompleted {
    /// The goal it belongs to.
    pub goal: GoalRef,
    /// The milestone's id.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub milestone_id: String,
    /// Its title.
    pub milestone_title: String,
    /// When it was due.
    pub due_date: NaiveDate,
    /// When it was completed.
    pub completed_on: NaiveDate,
    /// Where it is (`GET`).
    pub href: String,
}

/// `kudos.received`: a partner celebrated one of the receiver's wins — a reading, a completed
/// milestone or a check-in — with a short note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KudosReceived {
    /// The kudos' id.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub kudos_id: String,
    /// Who sent them.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub from_user_id: String,
    /// Whose win it is.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub to_user_id: String,
    /// What they are on.
    pub subject_type: crate::kudos::KudosSubject,
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub subject_id: String,
    /// The note.
    pub note: String,
    /// Where the kudos are (`GET`).
    pub href: String,
}

/// `refresh.due`: a year on, time to close this year's goals and set the next ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshDue {
    /// The refresh cycle's due date (partnership time zone).
    pub refresh_due_on: NaiveDate,
    /// Where each partner refreshes their goals (`POST`).
    pub href: String,
}

/// `meeting.completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingCompleted {
    /// The meeting.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub meeting_id: String,
    /// When it was held.
    pub held_at: DateTime<Utc>,
    /// Who attended.
    pub attendee_ids: Vec<String>,
    /// The meeting scheduled next, if any.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub next_meeting_id: Option<String>,
    /// The scorecard frozen at `held_at` (`GET`).
    pub snapshot_href: String,
}

/// `commitment.due`: an open commitment reached its due date in the partnership's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentDue {
    /// The commitment.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub commitment_id: String,
    /// The meeting it was made in.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub meeting_id: String,
    /// Who committed.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub owner_id: String,
    /// What.
    pub text: String,
    /// By when.
    pub due_on: NaiveDate,
    /// The goal it serves, if any.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub goal_id: Option<String>,
}

/// `fit_review.due`: time to ask whether the pairing still works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FitReviewDue {
    /// The due date (partnership's time zone).
    pub due_on: NaiveDate,
    /// Where to answer (`POST`).
    pub href: String,
}

/// `partnership.updated`: status or settings changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnershipUpdated {
    /// Its status now.
    pub status: PartnershipStatus,
    /// The partnership's new version (its ETag).
    pub version: i64,
    /// Days between meetings.
    pub cadence_days: i32,
    /// Meeting length.
    pub meeting_minutes: i32,
    /// Time zone.
    pub time_zone: String,
    /// Where it is (`GET`).
    pub href: String,
}

/// `webhook.test`: sent by `POST /v1/webhooks/{id}/test` to that subscription only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookTest {
    /// The subscription tested.
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub webhook_id: String,
    /// A friendly line.
    pub message: String,
}
