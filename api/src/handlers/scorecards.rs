//! Progress and scorecards: the domain engine's answers for one goal or a whole partnership, at
//! any instant (`as_of`, default now), in JSON or as CSV a spreadsheet imports as is.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tandem_domain::cadence::resolve_local;
use tandem_domain::goal::{Direction, Milestone};
use tandem_domain::progress::{
    Explanation, Forecast, GoalPlan, ProgressReport, ProgressStatus, Reading, StatusThresholds,
    progress,
};
use tandem_store::goals::{self, Goal, GoalFilter};
use tandem_store::partnerships::Partnership;
use tandem_store::{DbConnection, readings, users};
use utoipa::{IntoParams, ToSchema};

use super::goal_docs::domain_milestones;
use super::goals::{CallerRef, load as load_goal};
use super::partnerships::load as load_partnership;
use crate::auth::Caller;
use crate::csv_out;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// The instant to compute at.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// RFC 3339 instant (default now); readings observed after it are ignored.
    pub as_of: Option<DateTime<Utc>>,
}

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

fn tz_of(p: &Partnership) -> Tz {
    p.time_zone.parse().unwrap_or(Tz::UTC)
}

fn local(t: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// The domain plan for a goal, or 409 naming what it still lacks.
fn plan_of(goal: &Goal, milestones: Vec<Milestone>) -> Result<GoalPlan, ApiError> {
    let direction: Option<Direction> = goal.direction.as_deref().and_then(crate::enums::parse);
    let missing = |what: &str| ApiError::Conflict(format!("progress needs the goal's {what}"));
    let direction = direction.ok_or_else(|| missing("metric direction"))?;
    let (start, due): (NaiveDate, NaiveDate) = (
        goal.start_date.ok_or_else(|| missing("start date"))?,
        goal.due_date.ok_or_else(|| missing("due date"))?,
    );
    let (baseline, target) = match direction {
        Direction::Milestone => (0.0, 0.0),
        Direction::AtLeast | Direction::AtMost => (
            goal.baseline.unwrap_or(0.0),
            goal.target.ok_or_else(|| missing("target"))?,
        ),
        _ => (
            goal.baseline.ok_or_else(|| missing("baseline"))?,
            goal.target.ok_or_else(|| missing("target"))?,
        ),
    };
    GoalPlan::new(
        direction,
        baseline,
        target,
        start,
        due,
        milestones,
        goal.update_every_days.max(1) as u32,
    )
    .map_err(|e| ApiError::Conflict(format!("progress cannot be computed: {e}")))
}

/// The domain's report for one goal at `as_of`.
pub(crate) fn report(
    conn: &mut DbConnection,
    goal: &Goal,
    p: &Partnership,
    as_of: DateTime<Utc>,
) -> Result<ProgressReport, ApiError> {
    let tz = tz_of(p);
    let plan = plan_of(
        goal,
        domain_milestones(&goals::milestones_of(conn, &goal.id)?),
    )?;
    let series: Vec<Reading> = readings::series(conn, &goal.id, as_of.naive_utc())?
        .into_iter()
        .map(|(value, at)| Reading {
            value,
            observed_at: local(at.and_utc(), tz),
        })
        .collect();
    let thresholds = StatusThresholds {
        on_track_gap: p.on_track_gap,
        at_risk_gap: p.at_risk_gap,
    };
    Ok(progress(&plan, &series, local(as_of, tz), thresholds))
}

fn view(goal_id: &str, r: ProgressReport, tz: Tz) -> ProgressView {
    let utc = |t: NaiveDateTime| resolve_local(t, tz);
    ProgressView {
        goal_id: goal_id.to_owned(),
        as_of: utc(r.as_of),
        time_zone: tz.name().to_owned(),
        current: r.current,
        current_observed_at: r.current_observed_at.map(utc),
        progress: r.progress,
        progress_clamped: r.progress_clamped,
        expected: r.expected,
        expected_value: r.expected_value,
        status: r.status,
        thresholds: r.thresholds,
        forecast: r.forecast,
        staleness: StalenessView {
            update_every_days: r.staleness.update_every_days,
            next_reading_due: utc(r.staleness.next_reading_due),
            is_stale: r.staleness.is_stale,
        },
        explanation: r.explanation,
    }
}

/// A goal's progress: current value, progress, expected, status, forecast, staleness, explanation.
#[utoipa::path(
    tag = "progress",
    operation_id = "goal_progress",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"), AsOfQuery),
    responses(
        (status = 200, description = "The progress report", body = ProgressView),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[get("/goals/{id}/progress")]
pub async fn goal_progress(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_of = query.as_of.unwrap_or_else(crate::clock::now);
    let (goal_id, who) = (id.to_string(), CallerRef::from(&caller));
    let v = crate::db::run(&state, move |conn| {
        let (goal, p) = load_goal(conn, &goal_id, &who)?;
        let r = report(conn, &goal, &p, as_of)?;
        Ok::<_, ApiError>(view(&goal.id, r, tz_of(&p)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(v))
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

const SCORECARD_COLUMNS: [&str; 19] = [
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

/// Builds the scorecard of a partnership at `as_of`.
pub fn scorecard(
    conn: &mut DbConnection,
    p: &Partnership,
    as_of: DateTime<Utc>,
) -> Result<ScorecardView, ApiError> {
    let tz = tz_of(p);
    let members: Vec<String> = std::iter::once(p.inviter_id.clone())
        .chain(p.invitee_id.clone())
        .collect();
    let mut partners = Vec::new();
    for member in members {
        let user = users::find_str(conn, &member)?;
        let filter = GoalFilter {
            owner_id: Some(member.clone()),
            status: Some("active".into()),
            updated_since: None,
        };
        let mut rows = Vec::new();
        for goal in goals::list(conn, &p.id, &filter, None, 1000)? {
            let r = match report(conn, &goal, p, as_of) {
                Ok(r) => r,
                Err(ApiError::Conflict(_)) => continue, // active goals are complete; defensive
                Err(e) => return Err(e),
            };
            let direction = goal.direction.as_deref().and_then(crate::enums::parse);
            rows.push(ScorecardRow {
                goal_id: goal.id.clone(),
                title: goal.title.clone(),
                metric: goal.metric_name.clone(),
                unit: goal.metric_unit.clone(),
                direction,
                baseline: goal.baseline,
                target: goal.target,
                latest_value: r.current,
                latest_observed_at: r.current_observed_at.map(|t| resolve_local(t, tz)),
                progress: r.progress,
                progress_clamped: r.progress_clamped,
                expected: r.expected,
                status: r.status,
                projected_hit_date: r.forecast.as_ref().and_then(|f| f.projected_hit_date),
                is_stale: r.staleness.is_stale,
                weight: goal.weight,
            });
        }
        let total_weight: f64 = rows.iter().map(|g| g.weight).sum();
        let weighted_progress = (total_weight > 0.0).then(|| {
            rows.iter()
                .map(|g| g.weight * g.progress_clamped.unwrap_or(0.0))
                .sum::<f64>()
                / total_weight
        });
        let weakest_status = rows.iter().map(|g| g.status).max_by_key(|s| s.severity());
        partners.push(PartnerScorecard {
            user_id: member,
            display_name: user.display_name,
            goals: rows,
            weighted_progress,
            weakest_status,
        });
    }
    Ok(ScorecardView {
        partnership_id: p.id.clone(),
        as_of,
        thresholds: StatusThresholds {
            on_track_gap: p.on_track_gap,
            at_risk_gap: p.at_risk_gap,
        },
        partners,
    })
}

/// Both partners' active goals with progress, status and forecast, and each partner's roll-up.
/// `Accept: text/csv` gives one flat row per goal that a spreadsheet imports as is.
#[utoipa::path(
    tag = "progress",
    operation_id = "partnership_scorecard",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), AsOfQuery),
    responses(
        (status = 200, description = "The scorecard (CSV columns: partner_id, partner_name, goal_id, title, metric, unit, direction, baseline, target, latest_value, latest_observed_at, progress, progress_clamped, expected, status, projected_hit_date, is_stale, weight, as_of)",
            content((ScorecardView = "application/json"), (String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/partnerships/{id}/scorecard")]
pub async fn partnership_scorecard(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_of = query.as_of.unwrap_or_else(crate::clock::now);
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let card = crate::db::run(&state, move |conn| {
        let p = load_partnership(conn, &partnership_id, &who)?;
        scorecard(conn, &p, as_of)
    })
    .await?;
    if csv_out::wanted(&req) {
        return scorecard_csv(&card);
    }
    Ok(HttpResponse::Ok().json(card))
}

/// A scorecard as CSV: one row per goal, the columns a spreadsheet imports as is.
pub fn scorecard_csv(card: &ScorecardView) -> Result<HttpResponse, ApiError> {
    let rows = card.partners.iter().flat_map(|partner| {
        partner.goals.iter().map(move |g| {
            vec![
                partner.user_id.as_str().into(),
                partner.display_name.as_str().into(),
                g.goal_id.as_str().into(),
                g.title.as_ref().into(),
                g.metric.as_ref().into(),
                g.unit.as_ref().into(),
                g.direction.map(|d| crate::enums::name(&d)).into(),
                g.baseline.into(),
                g.target.into(),
                g.latest_value.into(),
                g.latest_observed_at.into(),
                g.progress.into(),
                g.progress_clamped.into(),
                g.expected.into(),
                crate::enums::name(&g.status).into(),
                g.projected_hit_date.into(),
                g.is_stale.into(),
                g.weight.into(),
                card.as_of.into(),
            ]
        })
    });
    csv_out::respond(&SCORECARD_COLUMNS, rows)
}
