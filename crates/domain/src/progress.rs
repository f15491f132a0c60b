//! Progress math: how far a goal has come at an instant, how far it should have come, whether that
//! is on pace, when the target will be hit at the current rate, and whether a reading is overdue.
//!
//! # Conventions
//! - Times are the goal's *local* wall-clock time (`NaiveDateTime`); callers convert instants into
//!   the partnership's time zone first, so "a day" is a local calendar day.
//! - A goal runs from the start of `start` to the end of `due` (inclusive): a 1 Jan - 31 Dec goal is
//!   365 days long, and on 2 Jul at 00:00 it is 182 days in, so expected = 182/365.
//! - A milestone is due at the end of its due day.
//! - Progress from decimal inputs is reported without floating-point noise: a result within 1e-12
//!   of a 9-decimal value (|x| <= 1000) is reported as that value, so 12 -> 9.6 with a reading of
//!   10.8 gives exactly 0.5. The map is monotone, so ordering is preserved.
//! - Unclamped progress is bounded to +/-1e15 so that it is always finite.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::goal::{Direction, Milestone};

const SECONDS_PER_DAY: f64 = 86_400.0;
/// Bound on unclamped progress, keeping every answer finite.
pub const PROGRESS_BOUND: f64 = 1e15;

/// One observation of a goal's metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The observed value.
    pub value: f64,
    /// When it was observed (local time).
    pub observed_at: NaiveDateTime,
}

/// Gap thresholds that turn `expected - progress` into a status; configurable per partnership and
/// echoed in every answer so a client can show why a goal is at risk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusThresholds {
    /// Largest gap still `on_track` (default 0.10).
    pub on_track_gap: f64,
    /// Largest gap still `at_risk` (default 0.25); beyond it, `off_track`.
    pub at_risk_gap: f64,
}

impl Default for StatusThresholds {
    fn default() -> Self {
        StatusThresholds {
            on_track_gap: 0.10,
            at_risk_gap: 0.25,
        }
    }
}

/// Thresholds that do not satisfy `0 <= on_track_gap <= at_risk_gap <= 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("thresholds must satisfy 0 <= on_track_gap <= at_risk_gap <= 1")]
pub struct InvalidThresholds;

impl StatusThresholds {
    /// Validated thresholds.
    pub fn new(on_track_gap: f64, at_risk_gap: f64) -> Result<Self, InvalidThresholds> {
        let ok = (0.0..=1.0).contains(&on_track_gap)
            && (0.0..=1.0).contains(&at_risk_gap)
            && on_track_gap <= at_risk_gap;
        ok.then_some(StatusThresholds {
            on_track_gap,
            at_risk_gap,
        })
        .ok_or(InvalidThresholds)
    }
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    /// No readings (or, for milestone goals, nothing done and nothing due) yet.
    NotStarted,
    /// Within the on-track gap of the expected path.
    OnTrack,
    /// Behind, within the at-risk gap.
    AtRisk,
    /// Further behind than the at-risk gap.
    OffTrack,
    /// The target is reached.
    Achieved,
    /// The due date has passed without reaching the target.
    Missed,
}

named!(ProgressStatus {
    NotStarted => "not_started",
    OnTrack => "on_track",
    AtRisk => "at_risk",
    OffTrack => "off_track",
    Achieved => "achieved",
    Missed => "missed",
});

impl ProgressStatus {
    /// Rank from best to worst, for "weakest status" roll-ups.
    pub fn severity(self) -> u8 {
        match self {
            ProgressStatus::Achieved => 0,
            ProgressStatus::OnTrack => 1,
            ProgressStatus::NotStarted => 2,
            ProgressStatus::AtRisk => 3,
            ProgressStatus::OffTrack => 4,
            ProgressStatus::Missed => 5,
        }
    }
}

/// A goal's plan in the form the math needs: direction, numbers and window.
///
/// Built by [`GoalPlan::new`], which only insists on what the math cannot do without (finite
/// numbers, a window that does not end before it starts). A target equal to the baseline is
/// allowed here — the SMART assessment flags it — and gets a defined answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalPlan {
    direction: Direction,
    baseline: f64,
    target: f64,
    start: NaiveDate,
    due: NaiveDate,
    milestones: Vec<Milestone>,
    update_every_days: u32,
}

/// Why a plan cannot be computed with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Baseline, target or a milestone target is NaN or infinite.
    #[error("values must be finite numbers")]
    NotFinite,
    /// The due date is before the start date.
    #[error("the due date is before the start date")]
    DueBeforeStart,
    /// The update frequency is zero.
    #[error("the update frequency must be at least one day")]
    NoUpdateFrequency,
    /// The goal lacks something progress needs (a draft may; an active goal never does).
    #[error("progress needs the goal's {0}")]
    Missing(&'static str),
}

/// A stored goal's fields as far as the progress math reads them, each possibly missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanFields {
    /// Which way is better.
    pub direction: Option<Direction>,
    /// Where the metric started.
    pub baseline: Option<f64>,
    /// Where it should be.
    pub target: Option<f64>,
    /// First day.
    pub start: Option<NaiveDate>,
    /// Last day.
    pub due: Option<NaiveDate>,
    /// Checkpoints.
    pub milestones: Vec<Milestone>,
    /// Expected days between readings.
    pub update_every_days: u32,
}

/// Default expected interval between readings, in days.
pub const DEFAULT_UPDATE_EVERY_DAYS: u32 = 7;

impl GoalPlan {
    /// A plan; milestone goals ignore `baseline` and `target`. Milestones are kept in date order.
    pub fn new(
        direction: Direction,
        baseline: f64,
        target: f64,
        start: NaiveDate,
        due: NaiveDate,
        mut milestones: Vec<Milestone>,
        update_every_days: u32,
    ) -> Result<Self, PlanError> {
        if !baseline.is_finite()
            || !target.is_finite()
            || milestones
                .iter()
                .any(|m| m.target.is_some_and(|t| !t.is_finite()))
        {
            return Err(PlanError::NotFinite);
        }
        if due < start {
            return Err(PlanError::DueBeforeStart);
        }
        if update_every_days == 0 {
            return Err(PlanError::NoUpdateFrequency);
        }
        milestones.sort_by_key(|m| m.due_date);
        Ok(GoalPlan {
            direction,
            baseline,
            target,
            start,
            due,
            milestones,
            update_every_days,
        })
    }

    /// The plan of a goal as stored, or what it still lacks. Milestone goals need no numbers;
    /// keep-a-level goals need only a target (their baseline defaults to 0).
    pub fn from_fields(fields: PlanFields) -> Result<Self, PlanError> {
        let direction = fields
            .direction
            .ok_or(PlanError::Missing("metric direction"))?;
        let start = fields.start.ok_or(PlanError::Missing("start date"))?;
        let due = fields.due.ok_or(PlanError::Missing("due date"))?;
        let target = || fields.target.ok_or(PlanError::Missing("target"));
        let (baseline, target) = match direction {
            Direction::Milestone => (0.0, 0.0),
            Direction::AtLeast | Direction::AtMost => (fields.baseline.unwrap_or(0.0), target()?),
            Direction::Increase | Direction::Decrease => (
                fields.baseline.ok_or(PlanError::Missing("baseline"))?,
                target()?,
            ),
        };
        GoalPlan::new(
            direction,
            baseline,
            target,
            start,
            due,
            fields.milestones,
            fields.update_every_days.max(1),
        )
    }

    /// Length of the window in days (due date inclusive).
    pub fn length_days(&self) -> f64 {
        ((self.due - self.start).num_days() + 1) as f64
    }

    fn start_at(&self) -> NaiveDateTime {
        self.start.and_time(NaiveTime::MIN)
    }

    /// The instant the goal is over: the end of its due day.
    pub fn end_at(&self) -> NaiveDateTime {
        end_of_day(self.due)
    }

    /// Days from the start to `t` (negative before the start).
    fn days_since_start(&self, t: NaiveDateTime) -> f64 {
        self.seconds_since_start(t) as f64 / SECONDS_PER_DAY
    }

    /// Whole seconds from the start to `t`, rounded down: the unit a database computes the same
    /// offsets in ([`ReadingSummary`]), so both agree exactly.
    pub fn seconds_since_start(&self, t: NaiveDateTime) -> i64 {
        (t - self.start_at()).num_microseconds().map_or_else(
            || (t - self.start_at()).num_seconds(),
            |us| us.div_euclid(1_000_000),
        )
    }
}

fn end_of_day(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::days(1)
}

/// Removes floating-point noise from results of decimal inputs (see module docs).
fn denoise(x: f64) -> f64 {
    if x.abs() > 1e3 {
        return x;
    }
    let snapped = (x * 1e9).round() / 1e9;
    if (x - snapped).abs() <= 1e-12 {
        snapped
    } else {
        x
    }
}

/// Whether `value` is on the good side of (or at) `target` for the direction.
fn reached(direction: Direction, value: f64, target: f64) -> bool {
    match direction {
        Direction::Increase | Direction::AtLeast => value >= target,
        Direction::Decrease | Direction::AtMost => value <= target,
        Direction::Milestone => false,
    }
}

/// The signed progress formula `(value - baseline) / (target - baseline)`, finite for every finite
/// input. With `target == baseline` it is 1 when the value has reached the target and 0 otherwise.
pub fn signed_progress(direction: Direction, baseline: f64, target: f64, value: f64) -> f64 {
    // Halving first is exact for normal numbers and keeps the differences from overflowing.
    let span = target / 2.0 - baseline / 2.0;
    if span == 0.0 {
        return if reached(direction, value, target) {
            1.0
        } else {
            0.0
        };
    }
    let p = (value / 2.0 - baseline / 2.0) / span;
    denoise(p.clamp(-PROGRESS_BOUND, PROGRESS_BOUND))
}

/// The formula used and the inputs it read, so an answer can be checked by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    /// The formula, symbolically.
    pub formula: String,
    /// The formula with the numbers filled in.
    pub computation: String,
    /// How the expected value was derived.
    pub expected_formula: String,
    /// Every input by name.
    pub inputs: Vec<ExplanationInput>,
}

/// A named input to a computation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplanationInput {
    /// Input name, e.g. `baseline`.
    pub name: String,
    /// Its value.
    pub value: f64,
}

/// Pace projection from a least-squares line through the readings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    /// Fitted change per day.
    pub current_rate: f64,
    /// Change per day needed from the current value to hit the target by the due date; none once
    /// the goal is over.
    pub required_rate: Option<f64>,
    /// Where the fitted line stands at the end of the due date.
    pub projected_value_at_due: f64,
    /// When the fitted line reaches the target; none when it moves the wrong way or not at all.
    pub projected_hit_date: Option<NaiveDate>,
    /// Days ahead (+) or behind (-) the expected path the current value is.
    pub schedule_days: Option<f64>,
    /// How many readings the line was fitted to.
    pub readings_used: usize,
}

/// Whether the goal is waiting for a reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Staleness {
    /// Expected interval between readings, days.
    pub update_every_days: u32,
    /// When a reading is next due (local time).
    pub next_reading_due: NaiveDateTime,
    /// The next reading is overdue.
    pub is_stale: bool,
}

/// Everything known about a goal's progress at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressReport {
    /// The instant (local time) the report is for.
    pub as_of: NaiveDateTime,
    /// Value of the latest reading at or before `as_of`.
    pub current: Option<f64>,
    /// When that reading was observed.
    pub current_observed_at: Option<NaiveDateTime>,
    /// Progress, unclamped (may be negative or above 1).
    pub progress: Option<f64>,
    /// Progress clamped to 0..1.
    pub progress_clamped: Option<f64>,
    /// Progress that should have been made by `as_of`, 0..1.
    pub expected: f64,
    /// The metric value the expected path stands at, for numeric goals.
    pub expected_value: Option<f64>,
    /// Where the goal stands.
    pub status: ProgressStatus,
    /// The thresholds the status was judged with.
    pub thresholds: StatusThresholds,
    /// Pace projection (increase/decrease goals with readings on two distinct days).
    pub forecast: Option<Forecast>,
    /// Reading cadence.
    pub staleness: Staleness,
    /// How the numbers were computed.
    pub explanation: Explanation,
}

/// Computes a goal's progress report at `as_of`. Readings after `as_of` are ignored; readings
/// need not be sorted. Of readings observed at the same instant, the last one given is the latest.
pub fn progress(
    plan: &GoalPlan,
    readings: &[Reading],
    as_of: NaiveDateTime,
    thresholds: StatusThresholds,
) -> ProgressReport {
    progress_of(
        plan,
        &ReadingSummary::of(plan, readings, as_of),
        as_of,
        thresholds,
    )
}

/// Everything the progress math needs from a goal's readings at or before an instant, in a size
/// that does not grow with their number: a database computes it with aggregates, so a scorecard
/// costs the same with ten readings per goal or ten thousand. [`ReadingSummary::of`] computes the
/// same in memory (and defines it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadingSummary {
    /// The latest reading (by observation time).
    pub latest: Option<Reading>,
    /// Sums for the least-squares line of value over days since the start; none without readings.
    pub line: Option<LineSums>,
    /// Readings observed at or after the start (the keep-a-level period).
    pub in_period: u64,
    /// Of those, readings on the good side of (or at) the target.
    pub on_target: u64,
}

/// Centred least-squares sums over readings, x in days since the goal's start and y halved (sums
/// of huge values must not overflow): centring keeps the fit stable for large day offsets.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineSums {
    /// How many readings.
    pub n: u64,
    /// Mean of x.
    pub mean_x: f64,
    /// Mean of y / 2.
    pub mean_half_y: f64,
    /// Sum of (x - mean x)^2.
    pub sxx: f64,
    /// Sum of (x - mean x) (y / 2 - mean of y / 2).
    pub sxy: f64,
    /// The earliest reading's offset from the start, whole seconds ([`GoalPlan::seconds_since_start`]).
    pub first_second: i64,
    /// The latest reading's offset from the start, whole seconds.
    pub last_second: i64,
}

impl LineSums {
    /// The sums as a database gives them, centred on the means, with y taken relative to a
    /// `shift` near the values (the baseline) and halved, `y = (value - shift) / 2`, so large
    /// values keep their precision. Rounding can leave the sum of squares a hair below zero for
    /// readings on one day; it is clamped.
    #[allow(clippy::too_many_arguments)]
    pub fn from_shifted(
        n: u64,
        mean_x: f64,
        mean_y: f64,
        sxx: f64,
        sxy: f64,
        shift: f64,
        first_second: i64,
        last_second: i64,
    ) -> LineSums {
        LineSums {
            n,
            mean_x,
            mean_half_y: mean_y + shift / 2.0,
            sxx: sxx.max(0.0),
            sxy,
            first_second,
            last_second,
        }
    }

    /// Whether the readings fall on at least two local calendar days (a line needs them).
    pub fn spans_two_days(&self) -> bool {
        self.first_second.div_euclid(86_400) != self.last_second.div_euclid(86_400)
    }
}

impl ReadingSummary {
    /// The summary of `readings` at or before `as_of`, computed in memory.
    pub fn of(plan: &GoalPlan, readings: &[Reading], as_of: NaiveDateTime) -> Self {
        let visible = || readings.iter().filter(|r| r.observed_at <= as_of);
        let latest = visible()
            .fold(None::<&Reading>, |best, r| match best {
                Some(b) if b.observed_at > r.observed_at => Some(b),
                _ => Some(r),
            })
            .copied();
        let (mut n, mut sum_x, mut sum_y) = (0u64, 0.0, 0.0);
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        let (mut in_period, mut on_target) = (0u64, 0u64);
        for r in visible() {
            let seconds = plan.seconds_since_start(r.observed_at);
            n += 1;
            sum_x += plan.days_since_start(r.observed_at);
            sum_y += r.value / 2.0;
            first = first.min(seconds);
            last = last.max(seconds);
            if seconds >= 0 {
                in_period += 1;
                if level_held(plan.direction, r.value, plan.target) {
                    on_target += 1;
                }
            }
        }
        let line = (n > 0).then(|| {
            let (mean_x, mean_half_y) = (sum_x / n as f64, sum_y / n as f64);
            let (mut sxx, mut sxy) = (0.0, 0.0);
            for r in visible() {
                let dx = plan.days_since_start(r.observed_at) - mean_x;
                sxx += dx * dx;
                sxy += dx * (r.value / 2.0 - mean_half_y);
            }
            LineSums {
                n,
                mean_x,
                mean_half_y,
                sxx,
                sxy,
                first_second: first,
                last_second: last,
            }
        });
        ReadingSummary {
            latest,
            line,
            in_period,
            on_target,
        }
    }
}

/// Whether a keep-a-level reading holds the level (only `at_least`/`at_most` goals have one).
pub fn level_held(direction: Direction, value: f64, target: f64) -> bool {
    matches!(direction, Direction::AtLeast | Direction::AtMost) && reached(direction, value, target)
}

/// Computes a goal's progress report at `as_of` from the summary of its readings at or before it.
pub fn progress_of(
    plan: &GoalPlan,
    summary: &ReadingSummary,
    as_of: NaiveDateTime,
    thresholds: StatusThresholds,
) -> ProgressReport {
    let latest = summary.latest.as_ref();
    let elapsed = plan.days_since_start(as_of).clamp(0.0, plan.length_days());
    let over = as_of >= plan.end_at();
    let staleness = staleness(plan, latest, as_of);

    let (progress, expected, expected_value, status, explanation, forecast) = match plan.direction {
        Direction::Increase | Direction::Decrease => {
            numeric(plan, latest, as_of, elapsed, over, thresholds, summary.line)
        }
        Direction::AtLeast | Direction::AtMost => keep_level(plan, summary, over, thresholds),
        Direction::Milestone => milestones(plan, as_of, over, thresholds),
    };
    ProgressReport {
        as_of,
        current: latest.map(|r| r.value),
        current_observed_at: latest.map(|r| r.observed_at),
        progress,
        progress_clamped: progress.map(|p| p.clamp(0.0, 1.0)),
        expected,
        expected_value,
        status,
        thresholds,
        forecast,
        staleness,
        explanation,
    }
}

type Parts = (
    Option<f64>,
    f64,
    Option<f64>,
    ProgressStatus,
    Explanation,
    Option<Forecast>,
);

fn input(name: &str, value: f64) -> ExplanationInput {
    ExplanationInput {
        name: name.to_owned(),
        value,
    }
}

fn judge(gap: f64, thresholds: StatusThresholds) -> ProgressStatus {
    if gap <= thresholds.on_track_gap {
        ProgressStatus::OnTrack
    } else if gap <= thresholds.at_risk_gap {
        ProgressStatus::AtRisk
    } else {
        ProgressStatus::OffTrack
    }
}

/// The expected path's knots: (days since start, value). Straight from baseline to target unless
/// milestones carry target values, in which case the path runs through each of them.
fn path(plan: &GoalPlan) -> Vec<(f64, f64)> {
    let mut knots = vec![(0.0, plan.baseline)];
    for m in &plan.milestones {
        if let Some(t) = m.target {
            let x = plan.days_since_start(end_of_day(m.due_date));
            if x > 0.0 && x < plan.length_days() {
                knots.push((x, t));
            }
        }
    }
    knots.push((plan.length_days(), plan.target));
    knots
}

fn path_value(knots: &[(f64, f64)], x: f64) -> f64 {
    for pair in knots.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if x <= x1 {
            if x1 <= x0 {
                return y1;
            }
            let f = ((x - x0) / (x1 - x0)).clamp(0.0, 1.0);
            return y0 + (y1 - y0) * f;
        }
    }
    knots.last().map_or(0.0, |k| k.1)
}

/// The first day-offset at which the expected path stands at `value`, extrapolating beyond its ends
/// at the plan's overall rate.
fn path_time_of(plan: &GoalPlan, knots: &[(f64, f64)], value: f64) -> Option<f64> {
    let rate = (plan.target - plan.baseline) / plan.length_days();
    if rate == 0.0 || !rate.is_finite() {
        return None;
    }
    for pair in knots.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let (lo, hi) = if y0 <= y1 { (y0, y1) } else { (y1, y0) };
        if (lo..=hi).contains(&value) {
            return Some(if y1 == y0 {
                x0
            } else {
                x0 + (value - y0) / (y1 - y0) * (x1 - x0)
            });
        }
    }
    let p = signed_progress(plan.direction, plan.baseline, plan.target, value);
    let x = if p > 1.0 {
        plan.length_days() + (value - plan.target) / rate
    } else {
        (value - plan.baseline) / rate
    };
    x.is_finite().then_some(x)
}

fn numeric(
    plan: &GoalPlan,
    latest: Option<&Reading>,
    as_of: NaiveDateTime,
    elapsed: f64,
    over: bool,
    thresholds: StatusThresholds,
    line: Option<LineSums>,
) -> Parts {
    let (b, t) = (plan.baseline, plan.target);
    let knots = path(plan);
    let expected_value = path_value(&knots, elapsed);
    let expected = if knots.len() > 2 {
        signed_progress(plan.direction, b, t, expected_value).clamp(0.0, 1.0)
    } else {
        (elapsed / plan.length_days()).clamp(0.0, 1.0)
    };
    let progress = latest.map(|r| signed_progress(plan.direction, b, t, r.value));
    let status = match (latest, progress) {
        (Some(r), _) if reached(plan.direction, r.value, t) => ProgressStatus::Achieved,
        _ if over => ProgressStatus::Missed,
        (None, _) | (_, None) => ProgressStatus::NotStarted,
        (Some(_), Some(p)) => judge(expected - p.clamp(0.0, 1.0), thresholds),
    };
    let expected_formula = if knots.len() > 2 {
        "expected follows the straight lines through (start, baseline), each (milestone due, milestone target) and (due, target)".to_owned()
    } else {
        "expected = clamp((as_of - start) / (due - start), 0, 1), due inclusive".to_owned()
    };
    let mut inputs = vec![input("baseline", b), input("target", t)];
    let computation = match (latest, progress) {
        (Some(r), Some(p)) => {
            inputs.push(input("current", r.value));
            format!("({} - {b}) / ({t} - {b}) = {p}", r.value)
        }
        _ => "no reading at or before as_of".to_owned(),
    };
    inputs.push(input("elapsed_days", elapsed));
    inputs.push(input("length_days", plan.length_days()));
    let forecast = forecast(plan, &knots, line, as_of, elapsed, latest);
    (
        progress,
        expected,
        Some(expected_value),
        status,
        Explanation {
            formula: "progress = (current - baseline) / (target - baseline)".into(),
            computation,
            expected_formula,
            inputs,
        },
        forecast,
    )
}

fn keep_level(
    plan: &GoalPlan,
    summary: &ReadingSummary,
    over: bool,
    thresholds: StatusThresholds,
) -> Parts {
    let (total, good) = (summary.in_period, summary.on_target);
    let share = (total > 0).then(|| good as f64 / total as f64);
    let status = match share {
        None if over => ProgressStatus::Missed,
        None => ProgressStatus::NotStarted,
        Some(s) if over => {
            if 1.0 - s <= thresholds.on_track_gap {
                ProgressStatus::Achieved
            } else {
                ProgressStatus::Missed
            }
        }
        Some(s) => judge(1.0 - s, thresholds),
    };
    let side = if plan.direction == Direction::AtLeast {
        ">="
    } else {
        "<="
    };
    (
        share,
        1.0,
        Some(plan.target),
        status,
        Explanation {
            formula: format!(
                "progress = readings in the period with value {side} target / readings in the period"
            ),
            computation: format!("{good} / {total}"),
            expected_formula: "expected = 1: every reading should hold the level".into(),
            inputs: vec![
                input("target", plan.target),
                input("readings_on_target", good as f64),
                input("readings_in_period", total as f64),
            ],
        },
        None,
    )
}

fn milestones(
    plan: &GoalPlan,
    as_of: NaiveDateTime,
    over: bool,
    thresholds: StatusThresholds,
) -> Parts {
    let total = plan.milestones.len();
    let done = plan
        .milestones
        .iter()
        .filter(|m| {
            m.completed_on
                .is_some_and(|d| d.and_time(NaiveTime::MIN) <= as_of)
        })
        .count();
    let due = plan
        .milestones
        .iter()
        .filter(|m| end_of_day(m.due_date) <= as_of)
        .count();
    let ratio = |n: usize| {
        if total == 0 {
            0.0
        } else {
            n as f64 / total as f64
        }
    };
    let (progress, expected) = (ratio(done), ratio(due));
    let status = if total > 0 && done == total {
        ProgressStatus::Achieved
    } else if over {
        ProgressStatus::Missed
    } else if done == 0 && due == 0 {
        ProgressStatus::NotStarted
    } else {
        judge(expected - progress, thresholds)
    };
    (
        Some(progress),
        expected,
        None,
        status,
        Explanation {
            formula: "progress = completed milestones / milestones".into(),
            computation: format!("{done} / {total}"),
            expected_formula: "expected = milestones due by as_of / milestones".into(),
            inputs: vec![
                input("milestones", total as f64),
                input("completed", done as f64),
                input("due", due as f64),
            ],
        },
        None,
    )
}

/// Least-squares line of value over days since start, through readings at or before `as_of`.
fn forecast(
    plan: &GoalPlan,
    knots: &[(f64, f64)],
    line: Option<LineSums>,
    as_of: NaiveDateTime,
    elapsed: f64,
    latest: Option<&Reading>,
) -> Option<Forecast> {
    let latest = latest?;
    let line = line?;
    if !line.spans_two_days() {
        return None; // a line needs readings on two distinct days
    }
    let (n, mean_x, mean_y, sxx, sxy) = (line.n, line.mean_x, line.mean_half_y, line.sxx, line.sxy);
    let half_slope = sxy / sxx;
    let slope = finite(2.0 * half_slope)?;
    let at = |x: f64| finite(2.0 * (mean_y + half_slope * (x - mean_x)));
    let length = plan.length_days();
    let remaining = length - plan.days_since_start(as_of);
    let toward = plan.target - latest.value;
    let required_rate = (remaining > 0.0)
        .then(|| toward / remaining)
        .and_then(finite);
    let heading_right = match plan.direction {
        Direction::Increase => slope > 0.0,
        Direction::Decrease => slope < 0.0,
        _ => false,
    };
    let projected_hit_date = if heading_right {
        let x = mean_x + (plan.target / 2.0 - mean_y) / half_slope;
        finite(x).and_then(|x| date_after(plan.start, x))
    } else {
        None
    };
    let schedule_days = path_time_of(plan, knots, latest.value).and_then(|x| finite(x - elapsed));
    Some(Forecast {
        current_rate: slope,
        required_rate,
        projected_value_at_due: at(length)?,
        projected_hit_date,
        schedule_days,
        readings_used: n as usize,
    })
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The calendar date `days` (fractional) after the start of `start`, if representable.
fn date_after(start: NaiveDate, days: f64) -> Option<NaiveDate> {
    if days.abs() > 1e6 {
        return None; // thousands of years out: no meaningful date
    }
    let seconds = (days * SECONDS_PER_DAY).floor() as i64;
    start
        .and_time(NaiveTime::MIN)
        .checked_add_signed(Duration::seconds(seconds))
        .map(|t| t.date())
}

/// When a goal's next reading is due (local time): `every_days` after the latest reading, or
/// after the start of the goal's first day while it has none. The one rule behind staleness in
/// reports and the `reading.stale` reminder.
pub fn next_reading_due(
    start: NaiveDate,
    latest: Option<NaiveDateTime>,
    every_days: u32,
) -> NaiveDateTime {
    latest.unwrap_or_else(|| start.and_time(NaiveTime::MIN)) + Duration::days(every_days.into())
}

fn staleness(plan: &GoalPlan, latest: Option<&Reading>, as_of: NaiveDateTime) -> Staleness {
    let next_reading_due = next_reading_due(
        plan.start,
        latest.map(|r| r.observed_at),
        plan.update_every_days,
    );
    Staleness {
        update_every_days: plan.update_every_days,
        next_reading_due,
        is_stale: as_of > next_reading_due,
    }
}
