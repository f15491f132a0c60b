//! Meetings and commitments: their lifecycles, the default next slot, and what "on time" means.

use chrono::{DateTime, Months, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::cadence::{next_meeting_slot, resolve_local};

/// Months of history adherence looks back over.
pub const ADHERENCE_WINDOW_MONTHS: u32 = 6;
/// Local time of a partnership's first meeting when nobody says otherwise.
pub const FIRST_MEETING_HOUR: u32 = 9;

/// Where a meeting is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Planned; the partnership's one upcoming meeting.
    Scheduled,
    /// Held; its scorecard snapshot is frozen.
    Completed,
    /// Called off (with a reason); counts against adherence.
    Cancelled,
}

/// Something asked of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingAction {
    /// Change its length or location.
    Edit,
    /// Move it to another time.
    Reschedule,
    /// Call it off.
    Cancel,
    /// Record that it was held.
    Complete,
    /// Write notes or commitments into it.
    Annotate,
}

/// The action does not apply to a meeting in this status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a meeting that is {from:?}")]
pub struct InvalidMeetingTransition {
    /// Status at the time.
    pub from: MeetingStatus,
    /// What was asked.
    pub action: MeetingAction,
}

named!(MeetingAction {
    Edit => "edit",
    Reschedule => "reschedule",
    Cancel => "cancel",
    Complete => "complete",
    Annotate => "annotate",
});

named!(MeetingStatus {
    Scheduled => "scheduled",
    Completed => "completed",
    Cancelled => "cancelled",
});

impl MeetingStatus {
    /// `scheduled -> completed | cancelled`; only a scheduled meeting is edited or moved; notes and
    /// commitments go into a scheduled or completed meeting (minutes are often tidied up after),
    /// never a cancelled one.
    pub fn apply(self, action: MeetingAction) -> Result<MeetingStatus, InvalidMeetingTransition> {
        use MeetingAction as A;
        use MeetingStatus as S;
        match (self, action) {
            (S::Scheduled, A::Edit | A::Reschedule | A::Annotate) => Ok(S::Scheduled),
            (S::Completed, A::Annotate) => Ok(S::Completed),
            (S::Scheduled, A::Cancel) => Ok(S::Cancelled),
            (S::Scheduled, A::Complete) => Ok(S::Completed),
            (from, action) => Err(InvalidMeetingTransition { from, action }),
        }
    }
}

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    /// Still to do.
    Open,
    /// Done.
    Done,
    /// Deliberately given up.
    Dropped,
}

/// A closed commitment stays closed: `open -> done | dropped` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a commitment that is {from:?} cannot become {to:?}")]
pub struct InvalidCommitmentTransition {
    /// Status at the time.
    pub from: CommitmentStatus,
    /// What was asked.
    pub to: CommitmentStatus,
}

named!(CommitmentStatus {
    Open => "open",
    Done => "done",
    Dropped => "dropped",
});

impl CommitmentStatus {
    /// `open -> done | dropped`; asking for the current status is a no-op.
    pub fn change_to(
        self,
        to: CommitmentStatus,
    ) -> Result<CommitmentStatus, InvalidCommitmentTransition> {
        match (self, to) {
            (from, to) if from == to => Ok(to),
            (CommitmentStatus::Open, to) => Ok(to),
            (from, to) => Err(InvalidCommitmentTransition { from, to }),
        }
    }
}

/// The default time of the next meeting.
///
/// After an earlier meeting: its time plus the cadence, same local time (see
/// [`next_meeting_slot`]). The very first: `cadence_days` after the partnership started, at
/// [`FIRST_MEETING_HOUR`]:00 local time. A default that is already past moves forward by whole
/// cadences until it lies after `now`.
pub fn default_slot(
    last_meeting_at: Option<DateTime<Utc>>,
    started_at: DateTime<Utc>,
    cadence_days: u32,
    tz: Tz,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let cadence_days = cadence_days.max(1);
    let mut slot = match last_meeting_at {
        Some(last) => next_meeting_slot(last, cadence_days, tz),
        None => {
            let start = started_at.with_timezone(&tz).date_naive();
            let day = start + chrono::Duration::days(cadence_days.into());
            let nine = NaiveTime::from_hms_opt(FIRST_MEETING_HOUR, 0, 0).unwrap_or(NaiveTime::MIN);
            resolve_local(day.and_time(nine), tz)
        }
    };
    // At most a few hundred steps: cadences are whole days and the gap is bounded by history.
    while slot <= now {
        slot = next_meeting_slot(slot, cadence_days, tz);
    }
    slot
}

/// The date a commitment is due by default: the day of the next meeting, in the partnership's
/// time zone.
pub fn default_due_on(next_meeting_at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    next_meeting_at.with_timezone(&tz).date_naive()
}

/// Whether a meeting held at `held_at` was on time for its `slot`: no later than the grace window
/// after it. A meeting held early — the pair met before the agreed time — kept the rhythm, so it
/// counts as on time however early.
pub fn held_on_time(slot: DateTime<Utc>, held_at: DateTime<Utc>, grace_days: u32) -> bool {
    held_at <= slot + chrono::Duration::days(grace_days.into())
}

/// The start of the adherence window ending at `now`.
pub fn adherence_window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(ADHERENCE_WINDOW_MONTHS))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_scheduled_meeting_is_completed_cancelled_or_moved() {
        use MeetingAction as A;
        use MeetingStatus as S;
        assert_eq!(S::Scheduled.apply(A::Complete), Ok(S::Completed));
        assert_eq!(S::Scheduled.apply(A::Cancel), Ok(S::Cancelled));
        for from in [S::Completed, S::Cancelled] {
            for action in [A::Complete, A::Cancel, A::Reschedule, A::Edit] {
                assert!(from.apply(action).is_err(), "{from:?} {action:?}");
            }
        }
        assert_eq!(S::Completed.apply(A::Annotate), Ok(S::Completed));
        assert!(S::Cancelled.apply(A::Annotate).is_err());
    }

    #[test]
    fn a_closed_commitment_stays_closed() {
        use CommitmentStatus as C;
        assert_eq!(C::Open.change_to(C::Done), Ok(C::Done));
        assert_eq!(C::Open.change_to(C::Dropped), Ok(C::Dropped));
        assert_eq!(C::Done.change_to(C::Done), Ok(C::Done));
        assert!(C::Done.change_to(C::Open).is_err());
        assert!(C::Dropped.change_to(C::Done).is_err());
    }

    #[test]
    fn the_first_meeting_defaults_to_nine_local_one_cadence_after_the_start() {
        let tz = chrono_tz::Europe::Berlin;
        let slot = default_slot(
            None,
            utc("2026-11-25T15:40:00Z"),
            14,
            tz,
            utc("2026-11-25T15:41:00Z"),
        );
        assert_eq!(slot, utc("2026-12-09T08:00:00Z"));
    }

    #[test]
    fn a_past_default_moves_forward_by_whole_cadences_keeping_the_local_time() {
        let tz = chrono_tz::America::New_York;
        // Last meeting 2026-10-02 09:00 EDT; now is mid-November, after the fall-back change.
        let slot = default_slot(
            Some(utc("2026-10-02T13:00:00Z")),
            utc("2026-09-01T00:00:00Z"),
            14,
            tz,
            utc("2026-11-20T00:00:00Z"),
        );
        assert_eq!(slot, utc("2026-11-27T14:00:00Z")); // 09:00 EST
        assert_eq!(slot.with_timezone(&tz).hour(), 9);
    }

    #[test]
    fn on_time_means_early_or_within_the_grace_window_after_the_slot() {
        let slot = utc("2026-06-12T09:00:00Z");
        assert!(held_on_time(slot, utc("2026-06-14T09:00:00Z"), 2));
        assert!(held_on_time(slot, utc("2026-06-10T09:00:00Z"), 2));
        assert!(held_on_time(slot, utc("2026-06-01T09:00:00Z"), 2));
        assert!(!held_on_time(slot, utc("2026-06-14T09:00:01Z"), 2));
    }

    #[test]
    fn commitments_fall_due_on_the_local_day_of_the_next_meeting() {
        // 2026-12-09 23:30 UTC is already the 10th in Berlin.
        let due = default_due_on(utc("2026-12-09T23:30:00Z"), chrono_tz::Europe::Berlin);
        assert_eq!(due, NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
    }
}
