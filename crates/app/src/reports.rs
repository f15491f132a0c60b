//! Reports for spreadsheets and dashboards: what the `.csv` paths serve beyond the lists the other
//! modules already give (the partnership's readings across its goals, the weekly progress history)
//! and the partners' names their files are named after. Either partner may read them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tandem_domain::cadence::resolve_local;
use tandem_domain::goal::GoalStatus;
use tandem_domain::progress::{ProgressStatus, Reading, progress};
use tandem_store::goals::{self, GoalFilter};
use tandem_store::partnerships as stored_partnerships;
use tandem_store::readings::{self, GoalReading, ReadingFilter};

use crate::partnerships::{local_time, thresholds, time_zone};
use crate::progress::plan_of;
use crate::{Actor, AppResult, Tx};

/// The most goals a partnership's history covers (the partners' goals of every year).
const HISTORY_GOALS: i64 = 1_000;

/// The partners' names ("Ada Lovelace & Grace Hopper"; the inviter alone until accepted), which
/// a report's file is named after.
pub fn label(tx: &mut Tx<'_>, actor: &Actor, partnership_id: &str) -> AppResult<String> {
    let (_, inviter, invitee) =
        stored_partnerships::find_for_member_named(tx.conn, partnership_id, actor.member())?;
    Ok(match invitee {
        Some(invitee) => format!("{inviter} & {invitee}"),
        None => inviter,
    })
}

/// The readings of every goal of the partnership with their goal's title and owner, goal by goal
/// in observation order; at most `limit`.
pub fn readings(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    filter: &ReadingFilter,
    limit: i64,
) -> AppResult<Vec<GoalReading>> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    Ok(readings::of_partnership(tx.conn, &p.id, filter, limit)?)
}

/// One goal's progress at the start of one week, ready to chart against the expected path.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    /// The goal.
    pub goal_id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its owner.
    pub owner_id: String,
    /// The week's first day, in the partnership's time zone (the goal's start, then every 7 days).
    pub week_of: NaiveDate,
    /// The instant the figures are for: the start of that day.
    pub at: DateTime<Utc>,
    /// Progress the plan expected by then, 0..1.
    pub expected: f64,
    /// Progress made by then (unclamped; none before the first reading).
    pub progress: Option<f64>,
    /// The latest reading's value by then.
    pub value: Option<f64>,
    /// Where the goal stood.
    pub status: ProgressStatus,
}

/// Every goal's progress week by week, from its start to `as_of` (default now): one point at its
/// start and every 7 days after while at or before `as_of` (or the goal's close). Drafts and goals
/// without a complete plan have no history.
pub fn progress_history(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    as_of: Option<DateTime<Utc>>,
) -> AppResult<Vec<HistoryPoint>> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let as_of = as_of.unwrap_or_else(|| tx.now());
    let (zone, limits) = (time_zone(&p), thresholds(&p));
    let goals = goals::list(tx.conn, &p.id, &GoalFilter::default(), None, HISTORY_GOALS)?;
    let mut points = Vec::new();
    for goal in goals.iter().filter(|g| g.status != GoalStatus::Draft) {
        let Ok(plan) = plan_of(goal, &goals::milestones_of(tx.conn, &goal.id)?) else {
            continue;
        };
        let Some(start) = goal.start_date else {
            continue;
        };
        let until = goal
            .closed_at
            .map_or(as_of, |closed| closed.and_utc().min(as_of));
        let series: Vec<Reading> = readings::series(tx.conn, &goal.id, until.naive_utc())?
            .into_iter()
            .map(|(value, t)| Reading {
                value,
                observed_at: local_time(&p, t.and_utc()),
            })
            .collect();
        let mut week_of = start;
        loop {
            let at = resolve_local(week_of.and_hms_opt(0, 0, 0).unwrap_or_default(), zone);
            if at > until {
                break;
            }
            let report = progress(&plan, &series, local_time(&p, at), limits);
            points.push(HistoryPoint {
                goal_id: goal.id.clone(),
                title: goal.title.clone(),
                owner_id: goal.owner_id.clone(),
                week_of,
                at,
                expected: report.expected,
                progress: report.progress,
                value: report.current,
                status: report.status,
            });
            week_of += Duration::days(7);
        }
    }
    Ok(points)
}
