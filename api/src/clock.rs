//! The one place the API reads the clock. Instants are cut to microseconds, the precision both
//! databases keep, so what a create returns is exactly what a later read returns.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Now, to the microsecond.
pub fn now() -> DateTime<Utc> {
    to_micros(Utc::now())
}

/// A client's instant cut to the microsecond, so it reads back exactly as stored.
pub fn to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}
