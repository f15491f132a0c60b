//! The rhythm of a partnership: when the next meeting is, how reliably meetings happen, and when
//! the quarterly fit review and the annual goal refresh fall due.

use chrono::{DateTime, Days, LocalResult, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Default days between meetings: every other week.
pub const DEFAULT_CADENCE_DAYS: u32 = 14;
/// Default meeting length in minutes.
pub const DEFAULT_MEETING_MINUTES: u32 = 60;
/// Default grace window for "held on time", in days.
pub const DEFAULT_GRACE_DAYS: u32 = 2;
/// Default months between fit reviews: quarterly.
pub const DEFAULT_FIT_REVIEW_MONTHS: u32 = 3;
/// Months between goal refreshes: yearly.
pub const REFRESH_MONTHS: u32 = 12;

/// The slot `cadence_days` after `last`, at the same local wall-clock time in `tz`.
///
/// A 09:00 meeting stays at 09:00 across daylight-saving changes. If that local time does not exist
/// on the new day (it falls in a spring-forward gap) the slot moves forward by the gap; if it
/// exists twice (fall back) the earlier one is taken.
pub fn next_meeting_slot(last: DateTime<Utc>, cadence_days: u32, tz: Tz) -> DateTime<Utc> {
    let local = last.with_timezone(&tz).naive_local();
    let next = local
        .checked_add_days(Days::new(cadence_days.into()))
        .unwrap_or(local);
    resolve_local(next, tz)
}

/// The UTC instant of a local wall-clock time, resolving DST gaps and overlaps as documented on
/// [`next_meeting_slot`].
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        LocalResult::None => {
            // Inside a spring-forward gap: walk forward minute by minute to the first valid time
            // (gaps are at most a few hours), preserving the intended duration after midnight.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += chrono::Duration::minutes(1);
                if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
                    tz.from_local_datetime(&probe)
                {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

/// What became of a scheduled meeting, as adherence sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingOutcome {
    /// The slot it was scheduled for.
    pub slot: DateTime<Utc>,
    /// When it was held, if it was.
    pub held_at: Option<DateTime<Utc>>,
    /// Cancelled rather than held.
    pub cancelled: bool,
}

impl MeetingOutcome {
    /// When the meeting took its place in the pair's history: its slot, or the moment it was held
    /// if that came first (a meeting held early is history from then on).
    pub fn occurred_at(&self) -> DateTime<Utc> {
        match self.held_at {
            Some(held) if held < self.slot => held,
            _ => self.slot,
        }
    }
}

/// How reliably a partnership meets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adherence {
    /// Meetings whose slot fell in the window and whose outcome is known.
    pub meetings_counted: u32,
    /// Of those, held within the grace window of their slot.
    pub held_on_time: u32,
    /// `held_on_time / meetings_counted`; none with nothing counted.
    pub rate: Option<f64>,
    /// Consecutive on-time meetings, most recent first.
    pub streak: u32,
    /// The grace window used, in days.
    pub grace_days: u32,
}

/// Adherence over `[window_start, now]`.
///
/// A meeting counts once its outcome is known: it was held, it was cancelled, or its grace window
/// has passed without it being held (missed). A meeting still inside its grace window and not yet
/// held is not counted either way. A cancelled, late or missed meeting breaks the streak.
pub fn adherence(
    meetings: &[MeetingOutcome],
    window_start: DateTime<Utc>,
    now: DateTime<Utc>,
    grace_days: u32,
) -> Adherence {
    let grace = chrono::Duration::days(grace_days.into());
    let on_time = |m: &MeetingOutcome| {
        !m.cancelled
            && m.held_at
                .is_some_and(|h| crate::meeting::held_on_time(m.slot, h, grace_days))
    };
    let known = |m: &MeetingOutcome| m.cancelled || m.held_at.is_some() || m.slot + grace < now;
    let mut counted: Vec<&MeetingOutcome> = meetings
        .iter()
        .filter(|m| m.occurred_at() >= window_start && m.occurred_at() <= now && known(m))
        .collect();
    counted.sort_by_key(|m| m.occurred_at());
    let held = counted.iter().filter(|m| on_time(m)).count() as u32;
    let total = counted.len() as u32;
    let mut all: Vec<&MeetingOutcome> = meetings
        .iter()
        .filter(|m| m.occurred_at() <= now && known(m))
        .collect();
    all.sort_by_key(|m| std::cmp::Reverse(m.occurred_at()));
    let streak = all.iter().take_while(|m| on_time(m)).count() as u32;
    Adherence {
        meetings_counted: total,
        held_on_time: held,
        rate: (total > 0).then(|| f64::from(held) / f64::from(total)),
        streak,
        grace_days,
    }
}

/// When the next fit review is due: `every_months` after the last review, or after the start.
pub fn fit_review_due(
    start: NaiveDate,
    last_review: Option<NaiveDate>,
    every_months: u32,
) -> NaiveDate {
    let from = last_review.unwrap_or(start);
    from.checked_add_months(Months::new(every_months))
        .unwrap_or(from)
}

/// When goals are next refreshed: a year after the start (or the last refresh).
pub fn refresh_due(start: NaiveDate, last_refresh: Option<NaiveDate>) -> NaiveDate {
    fit_review_due(start, last_refresh, REFRESH_MONTHS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_berlin_morning_meeting_stays_at_nine_across_the_spring_change() {
        // 2026-03-20 09:00 CET (UTC+1); DST starts 2026-03-29; next slot 2026-04-03 09:00 CEST (UTC+2).
        let next = next_meeting_slot(utc("2026-03-20T08:00:00Z"), 14, chrono_tz::Europe::Berlin);
        assert_eq!(next, utc("2026-04-03T07:00:00Z"));
        assert_eq!(next.with_timezone(&chrono_tz::Europe::Berlin).hour(), 9);
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward() {
        // 02:30 on 2026-03-08 does not exist in New York.
        let local = NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        let t = resolve_local(local, chrono_tz::America::New_York);
        assert_eq!(t, utc("2026-03-08T07:00:00Z")); // 03:00 EDT
    }

    #[test]
    fn an_ambiguous_time_takes_the_earlier_instant() {
        let local = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        let t = resolve_local(local, chrono_tz::America::New_York);
        assert_eq!(t, utc("2026-11-01T05:30:00Z")); // 01:30 EDT, not EST
    }

    fn held(slot: &str, late_hours: i64) -> MeetingOutcome {
        let slot = utc(slot);
        MeetingOutcome {
            slot,
            held_at: Some(slot + chrono::Duration::hours(late_hours)),
            cancelled: false,
        }
    }

    #[test]
    fn late_and_cancelled_meetings_lower_adherence_and_break_the_streak() {
        let now = utc("2026-06-30T12:00:00Z");
        let mut meetings = vec![
            held("2026-05-01T09:00:00Z", 0),
            held("2026-05-15T09:00:00Z", 1),
            held("2026-05-29T09:00:00Z", 24 * 5), // five days late
            held("2026-06-12T09:00:00Z", 0),
            held("2026-06-26T09:00:00Z", 0),
        ];
        let a = adherence(&meetings, utc("2026-01-01T00:00:00Z"), now, 2);
        assert_eq!((a.meetings_counted, a.held_on_time, a.streak), (5, 4, 2));
        assert_eq!(a.rate, Some(0.8));
        meetings.push(MeetingOutcome {
            slot: utc("2026-06-29T09:00:00Z"),
            held_at: None,
            cancelled: true,
        });
        let a = adherence(&meetings, utc("2026-01-01T00:00:00Z"), now, 2);
        assert_eq!((a.meetings_counted, a.held_on_time, a.streak), (6, 4, 0));
    }

    #[test]
    fn a_meeting_held_before_its_slot_counts_as_held_on_time() {
        let now = utc("2026-06-10T12:00:00Z");
        let early = MeetingOutcome {
            slot: utc("2026-06-11T08:00:00Z"), // 20 hours ahead
            held_at: Some(now),
            cancelled: false,
        };
        let a = adherence(&[early], utc("2026-01-01T00:00:00Z"), now, 2);
        assert_eq!((a.meetings_counted, a.held_on_time, a.streak), (1, 1, 1));
        assert_eq!(a.rate, Some(1.0));
    }

    #[test]
    fn a_meeting_inside_its_grace_window_is_not_judged_yet() {
        let now = utc("2026-06-27T00:00:00Z");
        let meetings = [
            held("2026-06-12T09:00:00Z", 0),
            MeetingOutcome {
                slot: utc("2026-06-26T09:00:00Z"),
                held_at: None,
                cancelled: false,
            },
        ];
        let a = adherence(&meetings, utc("2026-01-01T00:00:00Z"), now, 2);
        assert_eq!((a.meetings_counted, a.streak), (1, 1));
        let later = adherence(
            &meetings,
            utc("2026-01-01T00:00:00Z"),
            utc("2026-06-29T00:00:00Z"),
            2,
        );
        assert_eq!(
            (later.meetings_counted, later.held_on_time, later.streak),
            (2, 1, 0)
        );
    }

    #[test]
    fn reviews_fall_due_quarterly_and_refreshes_yearly() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(
            fit_review_due(start, None, 3),
            NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()
        );
        let reviewed = NaiveDate::from_ymd_opt(2026, 5, 2).unwrap();
        assert_eq!(
            fit_review_due(start, Some(reviewed), 3),
            NaiveDate::from_ymd_opt(2026, 8, 2).unwrap()
        );
        assert_eq!(
            refresh_due(start, None),
            NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()
        );
    }
}
