//! Readings: when an observation may say it was made.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What a revision of a reading did: readings are corrected or deleted, never erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevisionAction {
    /// Its value, time or note changed.
    Corrected,
    /// It left the math; it stays in history, flagged.
    Deleted,
}

named!(RevisionAction {
    Corrected => "corrected",
    Deleted => "deleted",
});

/// How far ahead of the server's clock an `observed_at` may be: the clocks of phones, laptops
/// and integrations drift, but not by more than this.
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// A reading dated in the future: it would be accepted and then silently ignored by every
/// progress answer until that time came, so it is refused instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a reading cannot be observed in the future (more than {CLOCK_SKEW_MINUTES} minutes ahead of now)"
)]
pub struct ObservedInFuture;

/// Whether a reading observed at `observed_at` may be recorded at `now`.
pub fn check_observed_at(
    observed_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ObservedInFuture> {
    if observed_at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        Err(ObservedInFuture)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_may_be_a_few_minutes_ahead_but_not_days() {
        let now: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
        assert!(check_observed_at(now - Duration::days(400), now).is_ok());
        assert!(check_observed_at(now + Duration::minutes(5), now).is_ok());
        assert_eq!(
            check_observed_at(now + Duration::minutes(6), now),
            Err(ObservedInFuture)
        );
        assert!(check_observed_at(now + Duration::days(3), now).is_err());
    }
}
