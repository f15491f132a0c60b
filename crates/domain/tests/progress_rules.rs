//! Status, thresholds, forecast, staleness and explanations, by example.

use chrono::{NaiveDate, NaiveDateTime};
use tandem_domain::goal::{Direction, Milestone};
use tandem_domain::progress::{GoalPlan, ProgressStatus, Reading, StatusThresholds, progress};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(0, 0, 0).unwrap()
}
fn r(value: f64, when: NaiveDateTime) -> Reading {
    Reading {
        value,
        observed_at: when,
    }
}
/// 0 -> 100 over 2026-01-01..2026-04-10 (100 days).
fn hundred_days() -> GoalPlan {
    GoalPlan::new(
        Direction::Increase,
        0.0,
        100.0,
        date(2026, 1, 1),
        date(2026, 4, 10),
        vec![],
        7,
    )
    .unwrap()
}

#[test]
fn no_readings_is_not_started_and_readings_after_as_of_are_ignored() {
    let p = hundred_days();
    let report = progress(
        &p,
        &[r(50.0, at(2026, 2, 20))],
        at(2026, 2, 1),
        StatusThresholds::default(),
    );
    assert_eq!(report.status, ProgressStatus::NotStarted);
    assert_eq!(report.current, None);
}

#[test]
fn the_gap_decides_between_on_track_at_risk_and_off_track() {
    let p = hundred_days();
    let day50 = at(2026, 2, 20); // 50 days in: expected 0.5
    let status = |v: f64| progress(&p, &[r(v, day50)], day50, StatusThresholds::default()).status;
    assert_eq!(status(45.0), ProgressStatus::OnTrack); // gap 0.05
    assert_eq!(status(40.0), ProgressStatus::OnTrack); // gap 0.10, inclusive
    assert_eq!(status(30.0), ProgressStatus::AtRisk); // gap 0.20
    assert_eq!(status(20.0), ProgressStatus::OffTrack); // gap 0.30
    assert_eq!(status(100.0), ProgressStatus::Achieved);
}

#[test]
fn thresholds_are_inputs_and_are_echoed() {
    let p = hundred_days();
    let day50 = at(2026, 2, 20);
    let strict = StatusThresholds::new(0.02, 0.05).unwrap();
    let report = progress(&p, &[r(45.0, day50)], day50, strict);
    assert_eq!(report.status, ProgressStatus::AtRisk);
    assert_eq!(report.thresholds, strict);
    assert!(StatusThresholds::new(0.3, 0.2).is_err());
}

#[test]
fn after_the_due_date_an_unreached_target_is_missed() {
    let p = hundred_days();
    let report = progress(
        &p,
        &[r(90.0, at(2026, 4, 10))],
        at(2026, 4, 11),
        StatusThresholds::default(),
    );
    assert_eq!(report.status, ProgressStatus::Missed);
    let on_last_day = progress(
        &p,
        &[r(90.0, at(2026, 4, 10))],
        at(2026, 4, 10),
        StatusThresholds::default(),
    );
    assert_eq!(
        on_last_day.status,
        ProgressStatus::OnTrack,
        "the due day itself still counts"
    );
}

#[test]
fn keep_level_goals_count_readings_on_the_right_side() {
    let p = GoalPlan::new(
        Direction::AtLeast,
        0.0,
        95.0,
        date(2026, 1, 1),
        date(2026, 12, 31),
        vec![],
        7,
    )
    .unwrap();
    let readings: Vec<Reading> = (1..=10)
        .map(|d| r(if d <= 8 { 96.0 } else { 90.0 }, at(2026, 1, d)))
        .collect();
    let report = progress(&p, &readings, at(2026, 1, 20), StatusThresholds::default());
    assert_eq!(report.progress, Some(0.8));
    assert_eq!(report.expected, 1.0);
    assert_eq!(report.status, ProgressStatus::AtRisk); // gap 0.2
    let at_most = GoalPlan::new(
        Direction::AtMost,
        0.0,
        95.0,
        date(2026, 1, 1),
        date(2026, 12, 31),
        vec![],
        7,
    )
    .unwrap();
    assert_eq!(
        progress(
            &at_most,
            &readings,
            at(2026, 1, 20),
            StatusThresholds::default()
        )
        .progress,
        Some(0.2)
    );
}

#[test]
fn milestone_targets_bend_the_expected_path() {
    // 0 -> 100 over 100 days, but 80 expected by day 20 (end of 2026-01-20).
    let milestones = vec![Milestone {
        title: "fast start".into(),
        due_date: date(2026, 1, 20),
        target: Some(80.0),
        completed_on: None,
    }];
    let p = GoalPlan::new(
        Direction::Increase,
        0.0,
        100.0,
        date(2026, 1, 1),
        date(2026, 4, 10),
        milestones,
        7,
    )
    .unwrap();
    let report = progress(&p, &[], at(2026, 1, 11), StatusThresholds::default()); // 10 days in
    assert_eq!(report.expected_value, Some(40.0));
    assert_eq!(report.expected, 0.4);
    assert!(report.explanation.expected_formula.contains("milestone"));
}

#[test]
fn forecast_needs_two_distinct_days() {
    let p = hundred_days();
    let same_day = [
        r(10.0, at(2026, 1, 5)),
        r(12.0, at(2026, 1, 5) + chrono::Duration::hours(3)),
    ];
    assert!(
        progress(&p, &same_day, at(2026, 1, 6), StatusThresholds::default())
            .forecast
            .is_none()
    );
}

#[test]
fn forecast_projects_rate_hit_date_and_schedule() {
    let p = hundred_days();
    // One unit per day, from day 0: exactly on the path.
    let readings: Vec<Reading> = (0..=20)
        .map(|d| r(d as f64, at(2026, 1, 1) + chrono::Duration::days(d)))
        .collect();
    let report = progress(&p, &readings, at(2026, 1, 21), StatusThresholds::default());
    let f = report.forecast.unwrap();
    assert!((f.current_rate - 1.0).abs() < 1e-9);
    assert_eq!(f.projected_hit_date, Some(date(2026, 4, 11)));
    assert!((f.projected_value_at_due - 100.0).abs() < 1e-9);
    assert!(
        f.schedule_days.unwrap().abs() < 1e-9,
        "on the path: neither ahead nor behind"
    );
    assert!((f.required_rate.unwrap() - 80.0 / 80.0).abs() < 1e-9);
    assert_eq!(f.readings_used, 21);
}

#[test]
fn moving_the_wrong_way_has_no_hit_date_and_is_behind() {
    let p = hundred_days();
    let readings = [r(10.0, at(2026, 1, 11)), r(5.0, at(2026, 1, 21))];
    let f = progress(&p, &readings, at(2026, 1, 21), StatusThresholds::default())
        .forecast
        .unwrap();
    assert!(f.current_rate < 0.0);
    assert_eq!(f.projected_hit_date, None);
    assert!(
        (f.schedule_days.unwrap() - (5.0 - 20.0)).abs() < 1e-9,
        "5 is where the path was on day 5"
    );
}

#[test]
fn a_reading_is_due_a_week_after_the_last() {
    let p = hundred_days();
    let report = progress(
        &p,
        &[r(10.0, at(2026, 1, 10))],
        at(2026, 1, 16),
        StatusThresholds::default(),
    );
    assert_eq!(report.staleness.next_reading_due, at(2026, 1, 17));
    assert!(!report.staleness.is_stale);
    let later = progress(
        &p,
        &[r(10.0, at(2026, 1, 10))],
        at(2026, 1, 18),
        StatusThresholds::default(),
    );
    assert!(later.staleness.is_stale);
}

#[test]
fn the_explanation_names_formula_and_inputs() {
    let p = GoalPlan::new(
        Direction::Decrease,
        12.0,
        9.6,
        date(2026, 1, 1),
        date(2026, 6, 30),
        vec![],
        7,
    )
    .unwrap();
    let report = progress(
        &p,
        &[r(10.8, at(2026, 2, 1))],
        at(2026, 2, 2),
        StatusThresholds::default(),
    );
    let e = report.explanation;
    assert_eq!(
        e.formula,
        "progress = (current - baseline) / (target - baseline)"
    );
    assert_eq!(e.computation, "(10.8 - 12) / (9.6 - 12) = 0.5");
    let names: Vec<&str> = e.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "baseline",
            "target",
            "current",
            "elapsed_days",
            "length_days"
        ]
    );
}

#[test]
fn a_plan_refuses_what_the_math_cannot_use() {
    assert!(
        GoalPlan::new(
            Direction::Increase,
            f64::NAN,
            1.0,
            date(2026, 1, 1),
            date(2026, 2, 1),
            vec![],
            7
        )
        .is_err()
    );
    assert!(
        GoalPlan::new(
            Direction::Increase,
            0.0,
            1.0,
            date(2026, 2, 1),
            date(2026, 1, 1),
            vec![],
            7
        )
        .is_err()
    );
    assert!(
        GoalPlan::new(
            Direction::Increase,
            0.0,
            1.0,
            date(2026, 1, 1),
            date(2026, 2, 1),
            vec![],
            0
        )
        .is_err()
    );
}
