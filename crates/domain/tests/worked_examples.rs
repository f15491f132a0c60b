//! The worked examples of `shared/spec/domain.md`, which must hold exactly.

use chrono::{NaiveDate, NaiveDateTime};
use tandem_domain::goal::{Direction, Milestone};
use tandem_domain::progress::{GoalPlan, ProgressStatus, Reading, StatusThresholds, progress};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(0, 0, 0).unwrap()
}

fn plan(
    direction: Direction,
    baseline: f64,
    target: f64,
    start: NaiveDate,
    due: NaiveDate,
) -> GoalPlan {
    GoalPlan::new(direction, baseline, target, start, due, vec![], 7).unwrap()
}

fn reading(value: f64, when: NaiveDateTime) -> Reading {
    Reading {
        value,
        observed_at: when,
    }
}

#[test]
fn wait_time_12_to_9_6_with_10_8_is_half_way() {
    let p = plan(
        Direction::Decrease,
        12.0,
        9.6,
        date(2026, 1, 1),
        date(2026, 6, 30),
    );
    let r = progress(
        &p,
        &[reading(10.8, at(2026, 3, 1))],
        at(2026, 3, 2),
        StatusThresholds::default(),
    );
    assert_eq!(r.progress, Some(0.5));
    assert_eq!(r.progress_clamped, Some(0.5));
}

#[test]
fn wait_time_reading_12_6_is_minus_a_quarter_clamped_to_zero() {
    let p = plan(
        Direction::Decrease,
        12.0,
        9.6,
        date(2026, 1, 1),
        date(2026, 6, 30),
    );
    let r = progress(
        &p,
        &[reading(12.6, at(2026, 3, 1))],
        at(2026, 3, 2),
        StatusThresholds::default(),
    );
    assert_eq!(r.progress, Some(-0.25));
    assert_eq!(r.progress_clamped, Some(0.0));
}

#[test]
fn conversion_19_to_25_with_21_is_one_third() {
    let p = plan(
        Direction::Increase,
        19.0,
        25.0,
        date(2026, 1, 1),
        date(2026, 12, 31),
    );
    let r = progress(
        &p,
        &[reading(21.0, at(2026, 4, 1))],
        at(2026, 4, 2),
        StatusThresholds::default(),
    );
    assert_eq!(r.progress, Some(1.0 / 3.0));
}

#[test]
fn strategy_milestone_goal_with_one_of_two_done_is_half_way() {
    let milestones = vec![
        Milestone {
            title: "Draft the strategy".into(),
            due_date: date(2026, 3, 31),
            target: None,
            completed_on: Some(date(2026, 3, 20)),
        },
        Milestone {
            title: "Present to the board".into(),
            due_date: date(2026, 5, 15),
            target: None,
            completed_on: None,
        },
    ];
    let p = GoalPlan::new(
        Direction::Milestone,
        0.0,
        0.0,
        date(2026, 1, 1),
        date(2026, 5, 15),
        milestones,
        7,
    )
    .unwrap();
    let r = progress(&p, &[], at(2026, 4, 10), StatusThresholds::default());
    assert_eq!(r.progress, Some(0.5));
    assert_eq!(r.expected, 0.5, "one of two milestones is due by 10 April");
    assert_eq!(r.status, ProgressStatus::OnTrack);
}

#[test]
fn a_calendar_year_goal_on_2_july_expects_182_of_365() {
    let p = plan(
        Direction::Increase,
        0.0,
        100.0,
        date(2026, 1, 1),
        date(2026, 12, 31),
    );
    let r = progress(&p, &[], at(2026, 7, 2), StatusThresholds::default());
    assert_eq!(r.expected, 182.0 / 365.0);
}
