//! The one place the API reads the clock. Instants are cut to microseconds, the precision both
//! databases keep, so what a create returns is exactly what a later read returns.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Now, to the microsecond.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}
