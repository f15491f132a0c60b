//! What the meeting endpoints accept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::meetings::{Completion, NotesBlock, Schedule};
use tandem_domain::meeting::MeetingStatus;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::extract::{non_null, nullable};
use crate::http::problem::{ApiError, FieldError};

/// Most items in one notes list.
const NOTE_ITEMS_MAX: usize = 20;
/// Longest note item, in characters.
const NOTE_ITEM_CHARS_MAX: usize = 1000;

/// Scheduling a meeting.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scheduled_at": "2026-12-09T08:00:00Z", "location": "https://meet.example.com/ada-grace"}))]
pub struct ScheduleMeetingRequest {
    /// When (default: the next slot by cadence, at the same local time as the last meeting; the
    /// first meeting defaults to 09:00 local, one cadence after the partnership started). A past
    /// time records a meeting after the fact.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Length in minutes (default: the partnership's meeting length).
    #[serde(default, deserialize_with = "crate::http::extract::optional_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(minimum = 15, maximum = 240)]
    pub length_minutes: Option<u32>,
    /// Where (a room, a video link).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub location: Option<String>,
}

impl From<ScheduleMeetingRequest> for Schedule {
    fn from(r: ScheduleMeetingRequest) -> Self {
        Schedule {
            scheduled_at: r.scheduled_at,
            length_minutes: r.length_minutes,
            location: r.location,
        }
    }
}

/// Filters for a partnership's meetings.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMeetingsQuery {
    /// Only meetings in this status (`scheduled` is the upcoming one).
    pub status: Option<MeetingStatus>,
    /// Taking place at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Taking place at or before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// A meeting edit (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"length_minutes": 90, "location": "Room 4"}))]
pub struct UpdateMeetingRequest {
    /// Length in minutes.
    #[serde(default, deserialize_with = "crate::http::extract::non_null_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(nullable = false, minimum = 15, maximum = 240)]
    pub length_minutes: Option<u32>,
    /// Where (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 500))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub location: Option<Option<String>>,
}

/// Moving a meeting.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scheduled_at": "2026-12-10T08:00:00Z", "reason": "Board meeting moved"}))]
pub struct RescheduleMeetingRequest {
    /// The new time.
    pub scheduled_at: DateTime<Utc>,
    /// Why.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: Option<String>,
}

/// Calling a meeting off.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Grace is travelling; we skip this one"}))]
pub struct CancelMeetingRequest {
    /// Why (kept with the meeting).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Recording that a meeting was held.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "held_at": "2026-12-09T08:00:00Z",
    "attendees": ["0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f58"],
    "next_meeting_at": "2026-12-23T08:00:00Z"
}))]
pub struct CompleteMeetingRequest {
    /// When it was held (default now; not in the future). The scorecard is frozen as of this
    /// instant.
    pub held_at: Option<DateTime<Utc>>,
    /// Who attended, by user id (default both partners; at least one).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 2))]
    #[schema(nullable = false, min_items = 1, max_items = 2)]
    pub attendees: Option<Vec<uuid::Uuid>>,
    /// The confirmed next meeting (default: this meeting's time plus the cadence, same local
    /// time). Must be after `held_at`.
    pub next_meeting_at: Option<DateTime<Utc>>,
    /// Schedule the next meeting (default true; never in a partnership that is not active).
    pub schedule_next: Option<bool>,
}

impl From<CompleteMeetingRequest> for Completion {
    fn from(r: CompleteMeetingRequest) -> Self {
        Completion {
            held_at: r.held_at,
            attendees: r
                .attendees
                .map(|list| list.iter().map(uuid::Uuid::to_string).collect()),
            next_meeting_at: r.next_meeting_at,
            schedule_next: r.schedule_next,
        }
    }
}

/// A partner's notes (the whole block: each list replaces what was there).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"wins": ["Signed the Acme renewal"], "obstacles": ["Hiring is slow"], "solutions": ["Ask Grace's recruiter for referrals"]}))]
pub struct PutNotesRequest {
    /// What went well (up to 20 items of 1 to 1,000 characters).
    #[schema(max_items = 20)]
    pub wins: Vec<String>,
    /// Where they are stuck.
    #[schema(max_items = 20)]
    pub obstacles: Vec<String>,
    /// What they will try.
    #[schema(max_items = 20)]
    pub solutions: Vec<String>,
}

impl PutNotesRequest {
    /// The block, or every bad list and item by pointer.
    pub fn block(self) -> Result<NotesBlock, ApiError> {
        let mut errors = Vec::new();
        for (name, items) in [
            ("wins", &self.wins),
            ("obstacles", &self.obstacles),
            ("solutions", &self.solutions),
        ] {
            if items.len() > NOTE_ITEMS_MAX {
                errors.push(FieldError::new(
                    name,
                    "too_many",
                    format!("at most {NOTE_ITEMS_MAX} items"),
                ));
            }
            for (i, item) in items.iter().enumerate() {
                if item.is_empty() || item.chars().count() > NOTE_ITEM_CHARS_MAX {
                    errors.push(FieldError::new(
                        format!("{name}/{i}"),
                        "length",
                        format!("must be 1 to {NOTE_ITEM_CHARS_MAX} characters"),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(NotesBlock {
            wins: self.wins,
            obstacles: self.obstacles,
            solutions: self.solutions,
        })
    }
}
