//! Progress and scorecards as clients see them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::progress::{CardLine, GoalProgress, PartnerCard, Scorecard};
use tandem_domain::goal::Direction;
use tandem_domain::progress::{Explanation, Forecast, ProgressStatus, StatusThresholds};
use utoipa::ToSchema;

/// Whether a reading is overdue.
#[derive(Debug, Serialize, ToSchema)]
pub struct StalenessView {
    /// Expected days between readings.
    pub update_every_days: u32,
    /// When the next reading is due.
    pub next_reading_due: DateTime<Utc>,
    /// It is overdue.
    pub is_stale: bool,
}

/// A goal's progress at an instant, and how it was computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    /// The goal.
    #[schema(format = Uuid)]
    pub goal_id: String,
    /// The instant computed at.
    pub as_of: DateTime<Utc>,
    /// The partnership's time zone, in which days are counted.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// Latest reading's value at or before `as_of`.
    pub current: Option<f64>,
    /// When it was observed.
    pub current_observed_at: Option<DateTime<Utc>>,
    /// Progress, unclamped (negative when moving the wrong way, above 1 beyond the target).
    pub progress: Option<f64>,
    /// Progress clamped to 0..1.
    pub progress_clamped: Option<f64>,
    /// Progress expected by `as_of`, 0..1.
    pub expected: f64,
    /// The metric value the expected path stands at.
    pub expected_value: Option<f64>,
    /// `not_started`, `on_track`, `at_risk`, `off_track`, `achieved` or `missed`.
    pub status: ProgressStatus,
    /// The thresholds the status was judged with.
    pub thresholds: StatusThresholds,
    /// Pace projection (needs readings on two distinct days).
    pub forecast: Option<Forecast>,
    /// Reading cadence.
    pub staleness: StalenessView,
    /// The formula and inputs.
    pub explanation: Explanation,
}

/// One goal's line on the scorecard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScorecardRow {
    /// Goal id.
    #[schema(format = Uuid)]
    pub goal_id: String,
    /// Goal title.
    pub title: Option<String>,
    /// Metric name.
    pub metric: Option<String>,
    /// Unit.
    pub unit: Option<String>,
    /// Direction.
    pub direction: Option<Direction>,
    /// Baseline.
    pub baseline: Option<f64>,
    /// Target.
    pub target: Option<f64>,
    /// Latest value.
    pub latest_value: Option<f64>,
    /// When it was observed.
    pub latest_observed_at: Option<DateTime<Utc>>,
    /// Progress, unclamped.
    pub progress: Option<f64>,
    /// Progress, 0..1.
    pub progress_clamped: Option<f64>,
    /// Expected progress, 0..1.
    pub expected: f64,
    /// Status.
    pub status: ProgressStatus,
    /// When the target will be hit at the current rate.
    pub projected_hit_date: Option<NaiveDate>,
    /// A reading is overdue.
    pub is_stale: bool,
    /// Weight in the roll-up.
    pub weight: f64,
}

/// A partner's goals and their roll-up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerScorecard {
    /// The partner.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// Display name.
    pub display_name: String,
    /// One row per active goal, oldest first.
    pub goals: Vec<ScorecardRow>,
    /// Weighted mean of clamped progress (none without active goals).
    pub weighted_progress: Option<f64>,
    /// The weakest status among the goals (none without active goals).
    pub weakest_status: Option<ProgressStatus>,
}

/// Where both partners stand.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScorecardView {
    /// The partnership.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// The instant computed at.
    pub as_of: DateTime<Utc>,
    /// Thresholds used for every status.
    pub thresholds: StatusThresholds,
    /// Inviter first, then the invitee (once they accepted).
    pub partners: Vec<PartnerScorecard>,
}

impl From<&GoalProgress> for ProgressView {
    fn from(p: &GoalProgress) -> Self {
        let r = &p.report;
        ProgressView {
            goal_id: p.goal_id.clone(),
            as_of: p.instant(r.as_of),
            time_zone: p.time_zone.name().to_owned(),
            current: r.current,
            current_observed_at: r.current_observed_at.map(|t| p.instant(t)),
            progress: r.progress,
            progress_clamped: r.progress_clamped,
            expected: r.expected,
            expected_value: r.expected_value,
            status: r.status,
            thresholds: r.thresholds,
            forecast: r.forecast.clone(),
            staleness: StalenessView {
                update_every_days: r.staleness.update_every_days,
                next_reading_due: p.instant(r.staleness.next_reading_due),
                is_stale: r.staleness.is_stale,
            },
            explanation: r.explanation.clone(),
        }
    }
}

impl From<&CardLine> for ScorecardRow {
    fn from(l: &CardLine) -> Self {
        ScorecardRow {
            goal_id: l.goal_id.clone(),
            title: l.title.clone(),
            metric: l.metric.clone(),
            unit: l.unit.clone(),
            direction: l.direction,
            baseline: l.baseline,
            target: l.target,
            latest_value: l.latest_value,
            latest_observed_at: l.latest_observed_at,
            progress: l.progress,
            progress_clamped: l.progress_clamped,
            expected: l.expected,
            status: l.status,
            projected_hit_date: l.projected_hit_date,
            is_stale: l.is_stale,
            weight: l.weight,
        }
    }
}

impl From<&PartnerCard> for PartnerScorecard {
    fn from(c: &PartnerCard) -> Self {
        PartnerScorecard {
            user_id: c.user_id.clone(),
            display_name: c.display_name.clone(),
            goals: c.goals.iter().map(ScorecardRow::from).collect(),
            weighted_progress: c.weighted_progress,
            weakest_status: c.weakest_status,
        }
    }
}

impl From<&Scorecard> for ScorecardView {
    fn from(s: &Scorecard) -> Self {
        ScorecardView {
            partnership_id: s.partnership_id.clone(),
            as_of: s.as_of,
            thresholds: s.thresholds,
            partners: s.partners.iter().map(PartnerScorecard::from).collect(),
        }
    }
}

/// The scorecard's CSV columns, in order.
pub const SCORECARD_COLUMNS: [&str; 19] = [
    "partner_id",
    "partner_name",
    "goal_id",
    "title",
    "metric",
    "unit",
    "direction",
    "baseline",
    "target",
    "latest_value",
    "latest_observed_at",
    "progress",
    "progress_clamped",
    "expected",
    "status",
    "projected_hit_date",
    "is_stale",
    "weight",
    "as_of",
];

/// A scorecard as CSV rows: one per goal, the columns a spreadsheet imports as is.
pub fn scorecard_rows(card: &Scorecard) -> Vec<Vec<crate::http::csv::Cell>> {
    use tandem_domain::names::Named;
    card.partners
        .iter()
        .flat_map(|partner| {
            partner.goals.iter().map(move |g| {
                vec![
                    partner.user_id.as_str().into(),
                    partner.display_name.as_str().into(),
                    g.goal_id.as_str().into(),
                    g.title.as_ref().into(),
                    g.metric.as_ref().into(),
                    g.unit.as_ref().into(),
                    g.direction.map(|d| d.as_str()).into(),
                    g.baseline.into(),
                    g.target.into(),
                    g.latest_value.into(),
                    g.latest_observed_at.into(),
                    g.progress.into(),
                    g.progress_clamped.into(),
                    g.expected.into(),
                    g.status.as_str().into(),
                    g.projected_hit_date.into(),
                    g.is_stale.into(),
                    g.weight.into(),
                    card.as_of.into(),
                ]
            })
        })
        .collect()
}

/// The progress history's CSV columns, in order.
pub const HISTORY_COLUMNS: [&str; 9] = [
    "goal_id", "title", "owner_id", "week_of", "at", "expected", "progress", "value", "status",
];

/// A goal's week as a CSV row.
pub fn history_row(p: &tandem_app::reports::HistoryPoint) -> Vec<crate::http::csv::Cell> {
    use tandem_domain::names::Named;
    vec![
        p.goal_id.as_str().into(),
        p.title.as_ref().into(),
        p.owner_id.as_str().into(),
        p.week_of.into(),
        p.at.into(),
        p.expected.into(),
        p.progress.into(),
        p.value.into(),
        p.status.as_str().into(),
    ]
}
