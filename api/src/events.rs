//! Webhook events: the documents receivers get, and [`publish`], which puts one in the outbox
//! inside the caller's transaction — no event without its change, no change without its event.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tandem_domain::GoalStatus;
use tandem_domain::webhook::EventType;
use tandem_store::goals::Goal;
use tandem_store::partnerships::Partnership;
use tandem_store::{DbConnection, StoreError};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::handlers::readings::ReadingView;

/// What every delivery's body is. Verify the signature headers before trusting it; use `id` to
/// drop duplicates (a delivery may arrive more than once: retries are at-least-once).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90", "type": "reading.recorded",
    "occurred_at": "2026-11-26T08:00:00Z", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
    "data": {"goal": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60", "owner_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
                      "title": "Cut support backlog", "external_ref": null, "source": null},
             "reading": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f61", "goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60",
                         "value": 42.0, "observed_at": "2026-11-26T07:00:00Z", "note": null, "source": "manual",
                         "external_id": null, "recorded_by": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "deleted": false,
                         "deleted_at": null, "delete_reason": null,
                         "created_at": "2026-11-26T08:00:00Z", "updated_at": "2026-11-26T08:00:00Z"}}
}))]
pub struct WebhookEvent {
    /// The event's id (also in the `Tandem-Webhook-Id` header).
    #[schema(format = Uuid)]
    pub id: String,
    /// One of the subscribable types, or `webhook.test` for a test ping.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The partnership it happened in (null for a test ping).
    #[schema(format = Uuid)]
    pub partnership_id: Option<String>,
    /// What happened; its shape depends on `type` (see the `webhooks` section of this document).
    pub data: EventData,
}

/// The `data` of an event, by type.
#[derive(Debug, Serialize, ToSchema)]
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
    /// `webhook.test`.
    WebhookTest(WebhookTest),
}

impl EventData {
    /// The event type this data belongs to.
    pub fn event_type(&self) -> &'static str {
        match self {
            EventData::ReadingRecorded(_) => EventType::ReadingRecorded.name(),
            EventData::GoalStatusChanged(_) => EventType::GoalStatusChanged.name(),
            EventData::GoalActivated(_) => EventType::GoalActivated.name(),
            EventData::MeetingScheduled(_) => EventType::MeetingScheduled.name(),
            EventData::MeetingCompleted(_) => EventType::MeetingCompleted.name(),
            EventData::CommitmentDue(_) => EventType::CommitmentDue.name(),
            EventData::FitReviewDue(_) => EventType::FitReviewDue.name(),
            EventData::PartnershipUpdated(_) => EventType::PartnershipUpdated.name(),
            EventData::WebhookTest(_) => tandem_domain::webhook::TEST_EVENT,
        }
    }
}

/// The goal an event is about, enough to find it in a mirror.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalRef {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Whose goal.
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// Title (a draft may have none yet).
    pub title: Option<String>,
    /// The OKR tool's id for it, if mirrored.
    pub external_ref: Option<String>,
    /// Which tool `external_ref` belongs to.
    pub source: Option<String>,
}

impl From<&Goal> for GoalRef {
    fn from(g: &Goal) -> Self {
        GoalRef {
            id: g.id.clone(),
            owner_id: g.owner_id.clone(),
            title: g.title.clone(),
            external_ref: g.external_ref.clone(),
            source: g.source.clone(),
        }
    }
}

/// `reading.recorded`: a new reading (not a correction).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingRecorded {
    /// The goal.
    pub goal: GoalRef,
    /// The reading.
    pub reading: ReadingView,
}

/// `goal.status_changed`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalStatusChanged {
    /// The goal.
    pub goal: GoalRef,
    /// Status before.
    pub from: GoalStatus,
    /// Status now.
    pub to: GoalStatus,
}

/// `goal.activated`: the goal's numbers are now committed.
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingScheduled {
    /// The meeting.
    #[schema(format = Uuid)]
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

/// `meeting.completed`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingCompleted {
    /// The meeting.
    #[schema(format = Uuid)]
    pub meeting_id: String,
    /// When it was held.
    pub held_at: DateTime<Utc>,
    /// Who attended.
    pub attendee_ids: Vec<String>,
    /// The meeting scheduled next, if any.
    #[schema(format = Uuid)]
    pub next_meeting_id: Option<String>,
    /// The scorecard frozen at `held_at` (`GET`).
    pub snapshot_href: String,
}

/// `commitment.due`: an open commitment reached its due date in the partnership's time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentDue {
    /// The commitment.
    #[schema(format = Uuid)]
    pub commitment_id: String,
    /// The meeting it was made in.
    #[schema(format = Uuid)]
    pub meeting_id: String,
    /// Who committed.
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// What.
    pub text: String,
    /// By when.
    pub due_on: NaiveDate,
    /// The goal it serves, if any.
    #[schema(format = Uuid)]
    pub goal_id: Option<String>,
}

/// `fit_review.due`: time to ask whether the pairing still works.
#[derive(Debug, Serialize, ToSchema)]
pub struct FitReviewDue {
    /// The due date (partnership's time zone).
    pub due_on: NaiveDate,
    /// Where to answer (`POST`).
    pub href: String,
}

/// `partnership.updated`: status or settings changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnershipUpdated {
    /// `invited`, `active`, `paused`, `ended` or `declined`.
    pub status: String,
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

impl From<&Partnership> for PartnershipUpdated {
    fn from(p: &Partnership) -> Self {
        PartnershipUpdated {
            status: p.status.clone(),
            version: p.version,
            cadence_days: p.cadence_days,
            meeting_minutes: p.meeting_minutes,
            time_zone: p.time_zone.clone(),
            href: format!("/v1/partnerships/{}", p.id),
        }
    }
}

/// `webhook.test`: sent by `POST /v1/webhooks/{id}/test` to that subscription only.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookTest {
    /// The subscription tested.
    #[schema(format = Uuid)]
    pub webhook_id: String,
    /// A friendly line.
    pub message: String,
}

/// The stored form of an event, ready for the outbox.
pub fn outbox_row(
    partnership_id: Option<&str>,
    data: EventData,
    now: DateTime<Utc>,
) -> tandem_store::webhooks::Event {
    let event = WebhookEvent {
        id: Uuid::now_v7().to_string(),
        event_type: data.event_type().to_owned(),
        occurred_at: now,
        partnership_id: partnership_id.map(str::to_owned),
        data,
    };
    let payload = serde_json::to_string(&event).expect("events serialise");
    tandem_store::webhooks::Event {
        id: event.id,
        event_type: event.event_type,
        partnership_id: event.partnership_id,
        payload,
        occurred_at: now.naive_utc(),
    }
}

/// Puts an event in the outbox and queues its deliveries; call it inside the write transaction
/// that made the change.
pub fn publish(
    conn: &mut DbConnection,
    partnership_id: &str,
    data: EventData,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = outbox_row(Some(partnership_id), data, now);
    tandem_store::webhooks::publish(conn, &row, || Uuid::now_v7().to_string())?;
    Ok(())
}

/// Events for a goal moving from `from` to `to`: always `goal.status_changed`, and
/// `goal.activated` when it became active.
pub fn goal_status_changed(
    conn: &mut DbConnection,
    goal: &Goal,
    from: GoalStatus,
    to: GoalStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    publish(
        conn,
        &goal.partnership_id,
        EventData::GoalStatusChanged(GoalStatusChanged {
            goal: goal.into(),
            from,
            to,
        }),
        now,
    )?;
    if to == GoalStatus::Active {
        publish(
            conn,
            &goal.partnership_id,
            EventData::GoalActivated(GoalActivated {
                goal: goal.into(),
                // Activation requires every one of these (the SMART check), so none is missing.
                metric_name: goal.metric_name.clone().unwrap_or_default(),
                metric_unit: goal.metric_unit.clone().unwrap_or_default(),
                baseline: goal.baseline.unwrap_or_default(),
                target: goal.target.unwrap_or_default(),
                start_date: goal.start_date.unwrap_or_default(),
                due_date: goal.due_date.unwrap_or_default(),
            }),
            now,
        )?;
    }
    Ok(())
}
