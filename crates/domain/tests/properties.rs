//! Properties that must hold for every input, not just the examples.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use proptest::prelude::*;
use tandem_domain::agenda::agenda;
use tandem_domain::cadence::next_meeting_slot;
use tandem_domain::goal::Direction;
use tandem_domain::meeting::default_slot;
use tandem_domain::progress::{GoalPlan, Reading, StatusThresholds, progress, signed_progress};

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6..1e6f64,
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        Just(0.0),
        Just(f64::MAX),
        Just(-f64::MAX),
        Just(f64::MIN_POSITIVE),
    ]
}

fn mover() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Increase), Just(Direction::Decrease)]
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

proptest! {
    #[test]
    fn progress_is_zero_at_baseline_and_one_at_target(b in -1e9..1e9f64, delta in 1e-6..1e9f64, up in any::<bool>()) {
        let (direction, t) = if up { (Direction::Increase, b + delta) } else { (Direction::Decrease, b - delta) };
        prop_assume!(t != b);
        prop_assert_eq!(signed_progress(direction, b, t, b), 0.0);
        prop_assert_eq!(signed_progress(direction, b, t, t), 1.0);
    }

    #[test]
    fn progress_is_monotone_in_the_right_direction(b in -1e6..1e6f64, delta in 1e-3..1e6f64, x in -1e7..1e7f64, y in -1e7..1e7f64) {
        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
        let inc = signed_progress(Direction::Increase, b, b + delta, lo) <= signed_progress(Direction::Increase, b, b + delta, hi);
        let dec = signed_progress(Direction::Decrease, b, b - delta, hi) <= signed_progress(Direction::Decrease, b, b - delta, lo);
        prop_assert!(inc && dec);
    }

    #[test]
    fn progress_is_always_finite_and_clamped_stays_in_unit_range(
        direction in mover(), b in finite(), t in finite(), v in finite(), days in 0i64..400, at in 0i64..500,
    ) {
        let plan = GoalPlan::new(direction, b, t, start(), start() + Duration::days(days), vec![], 7).unwrap();
        let as_of = start().and_hms_opt(0, 0, 0).unwrap() + Duration::days(at);
        let readings = [
            Reading { value: v, observed_at: as_of - Duration::days(3) },
            Reading { value: b, observed_at: as_of - Duration::days(9) },
        ];
        let report = progress(&plan, &readings, as_of, StatusThresholds::default());
        let p = report.progress.unwrap();
        let c = report.progress_clamped.unwrap();
        prop_assert!(p.is_finite());
        prop_assert!((0.0..=1.0).contains(&c));
        prop_assert!((0.0..=1.0).contains(&report.expected));
        if let Some(f) = report.forecast {
            prop_assert!(f.current_rate.is_finite() && f.projected_value_at_due.is_finite());
            prop_assert!(f.required_rate.is_none_or(f64::is_finite));
            prop_assert!(f.schedule_days.is_none_or(f64::is_finite));
        }
    }

    #[test]
    fn target_equal_to_baseline_has_a_defined_answer(direction in mover(), b in finite(), v in finite()) {
        let p = signed_progress(direction, b, b, v);
        prop_assert!(p == 0.0 || p == 1.0);
    }

    #[test]
    fn forecast_recovers_slope_and_hit_date_from_linear_data(
        baseline in -1000.0..1000.0f64, rate in 0.05..50.0f64, up in any::<bool>(), n in 2usize..40,
    ) {
        let rate = if up { rate } else { -rate };
        let direction = if up { Direction::Increase } else { Direction::Decrease };
        let hit_day = 300i64;
        let target = baseline + rate * hit_day as f64;
        let plan = GoalPlan::new(direction, baseline, target, start(), start() + Duration::days(364), vec![], 7).unwrap();
        let t0: NaiveDateTime = start().and_hms_opt(0, 0, 0).unwrap();
        let readings: Vec<Reading> = (0..n as i64)
            .map(|d| Reading { value: baseline + rate * d as f64, observed_at: t0 + Duration::days(d) })
            .collect();
        let as_of = t0 + Duration::days(n as i64);
        let f = progress(&plan, &readings, as_of, StatusThresholds::default()).forecast.unwrap();
        prop_assert!((f.current_rate - rate).abs() <= 1e-9 * rate.abs().max(1.0));
        let hit = f.projected_hit_date.unwrap();
        let expected = start() + Duration::days(hit_day);
        // Floating error may put the crossing a hair before midnight of the hit day.
        prop_assert!(hit == expected || hit == expected - Duration::days(1), "{hit} vs {expected}");
    }

    #[test]
    fn next_meeting_keeps_local_wall_time_across_dst(
        day in 0i64..365, hour in 7u32..20, minute in 0u32..60, cadence in 1u32..60,
        zone in prop_oneof![Just(chrono_tz::America::New_York), Just(chrono_tz::Europe::Berlin)],
    ) {
        let local = start().and_hms_opt(hour, minute, 0).unwrap() + Duration::days(day);
        let last: DateTime<Utc> = tandem_domain::cadence::resolve_local(local, zone);
        let next = next_meeting_slot(last, cadence, zone).with_timezone(&zone);
        prop_assert_eq!((next.hour(), next.minute()), (hour, minute));
        prop_assert_eq!(next.date_naive(), local.date() + Duration::days(cadence as i64));
    }

    #[test]
    fn the_default_slot_is_in_the_future_on_the_cadence_at_the_same_local_time(
        day in 0i64..365, hour in 7u32..20, cadence in 1u32..60, later in 0i64..400 * 24,
        zone in prop_oneof![Just(chrono_tz::America::New_York), Just(chrono_tz::Europe::Berlin)],
    ) {
        let local = start().and_hms_opt(hour, 0, 0).unwrap() + Duration::days(day);
        let last: DateTime<Utc> = tandem_domain::cadence::resolve_local(local, zone);
        let now = last + Duration::hours(later);
        let slot = default_slot(Some(last), last, cadence, zone, now);
        prop_assert!(slot > now);
        let at = slot.with_timezone(&zone);
        prop_assert_eq!(at.hour(), hour);
        let days = (at.date_naive() - local.date()).num_days();
        prop_assert!(days > 0 && days % i64::from(cadence) == 0);
        // The earliest such slot: one cadence earlier would not be in the future.
        prop_assert!(days == i64::from(cadence) || slot - Duration::days(cadence.into()) - Duration::hours(2) <= now);
    }

    #[test]
    fn agenda_blocks_are_equal_and_fit(length in 15u32..240) {
        let a = agenda(length);
        prop_assert_eq!(a.blocks[0].minutes, a.blocks[1].minutes);
        let total: u32 = a.blocks.iter().map(|b| b.minutes).sum::<u32>() + a.confirm_next_meeting.minutes;
        prop_assert_eq!(total, length);
        for b in &a.blocks {
            prop_assert_eq!(b.sections.iter().map(|s| s.minutes).sum::<u32>(), b.minutes);
        }
    }
}

#[test]
fn the_dst_property_covers_real_transitions() {
    // The generator's range includes both zones' spring and autumn changes; spot-check one of each.
    let ny = chrono_tz::America::New_York;
    let before = tandem_domain::cadence::resolve_local(
        NaiveDate::from_ymd_opt(2026, 10, 26)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
        ny,
    );
    let after = next_meeting_slot(before, 14, ny);
    assert_eq!(
        after - before,
        Duration::days(14) + Duration::hours(1),
        "an hour longer across fall-back"
    );
    assert_eq!(after.with_timezone(&ny).hour(), 9);
}

proptest! {
    #[test]
    fn retry_waits_stay_in_the_upper_half_of_a_doubling_window_and_end(
        base_secs in 1i64..600,
        cap_factor in 1i32..64,
        max_attempts in 1u32..20,
        attempts_made in 0u32..25,
        jitter in 0.0f64..1.0,
    ) {
        use tandem_domain::webhook::RetryPolicy;
        let policy = RetryPolicy {
            base: Duration::seconds(base_secs),
            cap: Duration::seconds(base_secs) * cap_factor,
            max_attempts,
        };
        match policy.next_delay(attempts_made, jitter) {
            None => prop_assert!(attempts_made == 0 || attempts_made >= max_attempts),
            Some(wait) => {
                prop_assert!(attempts_made >= 1 && attempts_made < max_attempts);
                let doubled = Duration::seconds(base_secs) * 2i32.pow((attempts_made - 1).min(20));
                let window = doubled.min(policy.cap);
                prop_assert!(wait <= window, "{wait} > {window}");
                prop_assert!(wait * 2 >= window - Duration::milliseconds(1), "{wait} below half of {window}");
                // Never shorter than the previous try's shortest wait: backoff does not shrink.
                if let Some(before) = policy.next_delay(attempts_made - 1, 0.0) {
                    prop_assert!(policy.next_delay(attempts_made, 1.0).unwrap() >= before);
                }
            }
        }
    }
}
