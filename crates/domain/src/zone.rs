//! A time zone's offsets from UTC as a table of changes, so a database can turn instants into
//! local wall-clock seconds with plain comparisons (neither SQLite nor a portable SQL knows time
//! zones the way chrono-tz does). Computed from chrono-tz's rules, so the database and the
//! in-memory math agree to the second.

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The first instant the table covers (1970-01-01T00:00:00Z): earlier instants take its offset.
pub const FROM_EPOCH_SECOND: i64 = 0;
/// The last instant the table covers (2100-01-01T00:00:00Z): later instants take the last offset.
pub const TO_EPOCH_SECOND: i64 = 4_102_444_800;

/// Offsets of one zone over time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetTable {
    /// The offset in force at [`FROM_EPOCH_SECOND`], seconds east of UTC.
    pub initial: i32,
    /// Each change: from this UTC epoch second on, this offset; oldest first.
    pub changes: Vec<(i64, i32)>,
}

impl OffsetTable {
    /// A short fingerprint of the table (FNV-1a over its offsets and changes, in hex): sums kept
    /// from an earlier build are recognised as made under other rules when the time-zone data
    /// it carried differ. The same on every build and platform for the same table.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        feed(&self.initial.to_le_bytes());
        for (at, offset) in &self.changes {
            feed(&at.to_le_bytes());
            feed(&offset.to_le_bytes());
        }
        format!("{hash:016x}")
    }

    /// The table of `tz` between [`FROM_EPOCH_SECOND`] and [`TO_EPOCH_SECOND`].
    ///
    /// Samples every six hours (no zone changes twice in that span) and bisects each change to
    /// its second.
    pub fn of(tz: Tz) -> OffsetTable {
        const STEP: i64 = 6 * 3600;
        let initial = offset_at(tz, FROM_EPOCH_SECOND);
        let mut changes = Vec::new();
        let (mut at, mut current) = (FROM_EPOCH_SECOND, initial);
        while at < TO_EPOCH_SECOND {
            let next = (at + STEP).min(TO_EPOCH_SECOND);
            let offset = offset_at(tz, next);
            if offset != current {
                // The change lies in (at, next]: find its first second.
                let (mut lo, mut hi) = (at, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset_at(tz, mid) == current {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                changes.push((hi, offset));
                current = offset;
            }
            at = next;
        }
        OffsetTable { initial, changes }
    }

    /// The offset in force at a UTC epoch second.
    pub fn offset_at(&self, epoch_second: i64) -> i32 {
        let i = self.changes.partition_point(|(at, _)| *at <= epoch_second);
        if i == 0 {
            self.initial
        } else {
            self.changes[i - 1].1
        }
    }
}

fn offset_at(tz: Tz, epoch_second: i64) -> i32 {
    let instant = DateTime::<Utc>::from_timestamp(epoch_second, 0).unwrap_or_default();
    tz.offset_from_utc_datetime(&instant.naive_utc())
        .fix()
        .local_minus_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_tells_zones_and_rule_changes_apart_and_stays_put() {
        let berlin = OffsetTable::of(chrono_tz::Europe::Berlin);
        assert_eq!(
            berlin.fingerprint(),
            OffsetTable::of(chrono_tz::Europe::Berlin).fingerprint()
        );
        assert_ne!(
            berlin.fingerprint(),
            OffsetTable::of(chrono_tz::Europe::Paris).fingerprint()
        );
        let mut moved = berlin.clone();
        moved.changes[10].0 += 3_600;
        assert_ne!(berlin.fingerprint(), moved.fingerprint());
        // Fixed by the algorithm, not by the build: a table of no changes always reads the same.
        let utc = OffsetTable {
            initial: 0,
            changes: Vec::new(),
        };
        assert_eq!(utc.fingerprint(), "4d25767f9dce13f5");
    }

    #[test]
    fn berlin_changes_at_one_utc_on_the_last_sundays_of_march_and_october() {
        let table = OffsetTable::of(chrono_tz::Europe::Berlin);
        let spring = Utc
            .with_ymd_and_hms(2026, 3, 29, 1, 0, 0)
            .unwrap()
            .timestamp();
        let autumn = Utc
            .with_ymd_and_hms(2026, 10, 25, 1, 0, 0)
            .unwrap()
            .timestamp();
        assert!(table.changes.contains(&(spring, 7200)));
        assert!(table.changes.contains(&(autumn, 3600)));
        assert_eq!(table.offset_at(spring - 1), 3600);
        assert_eq!(table.offset_at(spring), 7200);
    }

    #[test]
    fn the_table_agrees_with_chrono_tz_at_every_hour_of_a_year() {
        for tz in [
            chrono_tz::America::New_York,
            chrono_tz::Australia::Lord_Howe, // half-hour DST
            chrono_tz::Asia::Kolkata,
            chrono_tz::UTC,
        ] {
            let table = OffsetTable::of(tz);
            let start = Utc
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .unwrap()
                .timestamp();
            for hour in 0..(366 * 24) {
                let t = start + hour * 3600 + 1799;
                assert_eq!(table.offset_at(t), offset_at(tz, t), "{tz} at {t}");
            }
        }
    }

    #[test]
    fn a_zone_without_changes_has_an_empty_table() {
        let table = OffsetTable::of(chrono_tz::UTC);
        assert_eq!(table.initial, 0);
        assert!(table.changes.is_empty());
    }
}
