//! Progress and scorecards: the domain engine's answers for one goal or a whole partnership, at
//! any instant. Days are counted in the partnership's time zone.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tandem_domain::cadence::resolve_local;
use tandem_domain::goal::{Direction, Milestone};

use tandem_domain::progress::{
    GoalPlan, LineSums, PlanError, PlanFields, ProgressReport, ProgressStatus, Reading,
    ReadingSummary, StatusThresholds, progress_of,
};
use tandem_domain::scorecard::{Line, roll_up};
use tandem_domain::zone::OffsetTable;
use tandem_store::goals::{self, Goal, MilestoneRow};
use tandem_store::partnerships::{self as stored_partnerships, Partnership};
use tandem_store::readings::{self, Aggregate, AggregateScope, UtcOffsets};
use tandem_store::users;

use crate::partnerships::{local_time, members, thresholds, time_zone};
use crate::{Actor, AppError, AppResult, Rule, Tx};

/// Milestones as the domain sees them.
pub fn domain_milestones(rows: &[MilestoneRow]) -> Vec<Milestone> {
    rows.iter()
        .map(|m| Milestone {
            title: m.title.clone(),
            due_date: m.due_date,
            target: m.target,
            completed_on: m.completed_on,
        })
        .collect()
}

/// The domain plan of a goal, or `goal-incomplete` naming what it still lacks.
pub fn plan_of(goal: &Goal, milestones: &[MilestoneRow]) -> AppResult<GoalPlan> {
    GoalPlan::from_fields(PlanFields {
        direction: goal.direction,
        baseline: goal.baseline,
        target: goal.target,
        start: goal.start_date,
        due: goal.due_date,
        milestones: domain_milestones(milestones),
        update_every_days: goal.update_every_days.max(1) as u32,
    })
    .map_err(|e| match e {
        PlanError::Missing(_) => AppError::refused(Rule::GoalIncomplete, e.to_string()),
        other => AppError::refused(
            Rule::GoalIncomplete,
            format!("progress cannot be computed: {other}"),
        ),
    })
}

/// A goal's progress at an instant, with the time zone its local times are in.
#[derive(Debug, Clone)]
pub struct GoalProgress {
    /// The goal.
    pub goal_id: String,
    /// The domain's report (times local to `time_zone`).
    pub report: ProgressReport,
    /// The partnership's time zone.
    pub time_zone: Tz,
}

impl GoalProgress {
    /// A local time of the report as an instant.
    pub fn instant(&self, local: chrono::NaiveDateTime) -> DateTime<Utc> {
        resolve_local(local, self.time_zone)
    }
}

/// A zone's offset table with the fingerprint of its rules (what a roll-up records).
pub struct ZoneTable {
    /// The offsets.
    pub offsets: OffsetTable,
    /// `OffsetTable::fingerprint` of them.
    pub rules: String,
}

/// The zone's offset table, computed once per zone per process (chrono-tz's rules are built in).
pub fn offset_table(tz: Tz) -> Arc<ZoneTable> {
    static TABLES: OnceLock<Mutex<HashMap<Tz, Arc<ZoneTable>>>> = OnceLock::new();
    let tables = TABLES.get_or_init(Default::default);
    if let Some(table) = tables.lock().ok().and_then(|t| t.get(&tz).cloned()) {
        return table;
    }
    let offsets = OffsetTable::of(tz);
    let rules = offsets.fingerprint();
    let table = Arc::new(ZoneTable { offsets, rules });
    if let Ok(mut t) = tables.lock() {
        t.insert(tz, table.clone());
    }
    table
}

/// The zone `name` (a partnership's, as stored; its offsets in `table`), as the database reads it
/// at `as_of` (`now` being the present).
pub fn utc_offsets<'a>(
    name: &'a str,
    table: &'a ZoneTable,
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
) -> UtcOffsets<'a> {
    // The query spells the zone's changes up to `as_of`: with none between `as_of` and now, its
    // text is the present one, kept prepared.
    let (a, b) = (as_of.timestamp(), now.timestamp());
    let (lo, hi) = (a.min(b), a.max(b));
    UtcOffsets {
        initial: table.offsets.initial,
        changes: &table.offsets.changes,
        present: !table
            .offsets
            .changes
            .iter()
            .any(|(at, _)| lo < *at && *at <= hi),
        name,
        rules: &table.rules,
    }
}

/// The database's summaries of the goals in `scope` at `as_of`, by goal id: one statement, whatever
/// the number of readings.
fn aggregates(
    tx: &mut Tx<'_>,
    p: &Partnership,
    scope: AggregateScope<'_>,
    as_of: DateTime<Utc>,
) -> AppResult<HashMap<String, Aggregate>> {
    let table = offset_table(time_zone(p));
    let zone = utc_offsets(&p.time_zone, &table, as_of, tx.now());
    Ok(
        readings::aggregates(tx.conn, scope, as_of.naive_utc(), zone)?
            .into_iter()
            .map(|a| (a.goal_id.clone(), a))
            .collect(),
    )
}

/// A database summary as the domain reads it (no summary: no readings).
fn summary_of(p: &Partnership, goal: &Goal, aggregate: Option<&Aggregate>) -> ReadingSummary {
    let Some(a) = aggregate.filter(|a| a.sums.n > 0) else {
        return ReadingSummary::default();
    };
    let s = &a.sums;
    ReadingSummary {
        latest: Some(Reading {
            value: a.latest_value,
            observed_at: local_time(p, a.latest_observed_at.and_utc()),
        }),
        line: Some(LineSums::from_shifted(
            s.n,
            s.mean_x,
            s.mean_y,
            s.sxx,
            s.sxy,
            goal.baseline.unwrap_or(0.0),
            s.first_second,
            s.last_second,
        )),
        in_period: s.in_period,
        on_target: s.on_target,
    }
}

/// The domain's report for one goal at `as_of`, from the database's summary of its readings.
pub fn report(
    tx: &mut Tx<'_>,
    goal: &Goal,
    p: &Partnership,
    as_of: DateTime<Utc>,
) -> AppResult<ProgressReport> {
    let plan = plan_of(goal, &goals::milestones_of(tx.conn, &goal.id)?)?;
    let summaries = aggregates(tx, p, AggregateScope::Goal(&goal.id), as_of)?;
    Ok(progress_of(
        &plan,
        &summary_of(p, goal, summaries.get(&goal.id)),
        local_time(p, as_of),
        thresholds(p),
    ))
}

/// A goal's progress for a member of its partnership.
pub fn goal_progress(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    as_of: Option<DateTime<Utc>>,
) -> AppResult<GoalProgress> {
    let (goal, p) = crate::goals::visible(tx, actor, goal_id)?;
    let as_of = as_of.unwrap_or_else(|| tx.now());
    Ok(GoalProgress {
        goal_id: goal.id.clone(),
        report: report(tx, &goal, &p, as_of)?,
        time_zone: time_zone(&p),
    })
}

/// One goal's line on the scorecard.
///
/// This type and [`PartnerCard`] and [`Scorecard`] are also the stored format of a meeting's
/// frozen snapshot, version 1: changing their serialized form means writing a version 2 and
/// reading both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardLine {
    /// Goal id.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerCard {
    /// The partner.
    pub user_id: String,
    /// Display name (at the time).
    pub display_name: String,
    /// One line per active goal, oldest first.
    pub goals: Vec<CardLine>,
    /// Weighted mean of clamped progress.
    pub weighted_progress: Option<f64>,
    /// The weakest status among the goals.
    pub weakest_status: Option<ProgressStatus>,
}

/// Where both partners stand at an instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// The partnership.
    pub partnership_id: String,
    /// The instant computed at.
    pub as_of: DateTime<Utc>,
    /// Thresholds used for every status.
    pub thresholds: StatusThresholds,
    /// Inviter first, then the invitee (once they accepted).
    pub partners: Vec<PartnerCard>,
}

/// Builds the scorecard of a partnership at `as_of`: per partner, every active goal with its
/// progress, and the weighted roll-up ([`tandem_domain::scorecard`]).
pub fn scorecard(tx: &mut Tx<'_>, p: &Partnership, as_of: DateTime<Utc>) -> AppResult<Scorecard> {
    let names = users::display_names(tx.conn, &members(p))?;
    scorecard_named(tx, p, names.into_iter().collect(), as_of)
}

/// The scorecard, with the members' display names already known: two statements (goals with
/// their milestones; the readings' summaries), however many goals and readings there are.
fn scorecard_named(
    tx: &mut Tx<'_>,
    p: &Partnership,
    names: HashMap<String, String>,
    as_of: DateTime<Utc>,
) -> AppResult<Scorecard> {
    let tz = time_zone(p);
    let active = goals::active_with_milestones(tx.conn, &p.id)?;
    let summaries = aggregates(tx, p, AggregateScope::ActiveGoalsOf(&p.id), as_of)?;
    let mut partners = Vec::new();
    for member in members(p) {
        let mut lines = Vec::new();
        for (goal, milestones) in active.iter().filter(|(g, _)| g.owner_id == member) {
            // Active goals are complete (the SMART check); defensive all the same.
            let Ok(plan) = plan_of(goal, milestones) else {
                continue;
            };
            let r = progress_of(
                &plan,
                &summary_of(p, goal, summaries.get(&goal.id)),
                local_time(p, as_of),
                thresholds(p),
            );
            lines.push(CardLine {
                goal_id: goal.id.clone(),
                title: goal.title.clone(),
                metric: goal.metric_name.clone(),
                unit: goal.metric_unit.clone(),
                direction: goal.direction,
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
        let rollup = roll_up(
            &lines
                .iter()
                .map(|l| Line {
                    weight: l.weight,
                    progress_clamped: l.progress_clamped,
                    status: l.status,
                })
                .collect::<Vec<_>>(),
        );
        partners.push(PartnerCard {
            display_name: names.get(&member).cloned().unwrap_or_default(),
            user_id: member,
            goals: lines,
            weighted_progress: rollup.weighted_progress,
            weakest_status: rollup.weakest_status,
        });
    }
    Ok(Scorecard {
        partnership_id: p.id.clone(),
        as_of,
        thresholds: thresholds(p),
        partners,
    })
}

/// The scorecard of a partnership the actor belongs to: with the caller's authentication, four
/// statements in all (the partnership with its members' names, goals with milestones, the
/// readings' summaries).
pub fn partnership_scorecard(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    as_of: Option<DateTime<Utc>>,
) -> AppResult<Scorecard> {
    let (p, inviter, invitee) =
        stored_partnerships::find_for_member_named(tx.conn, partnership_id, actor.member())?;
    let mut names = HashMap::from([(p.inviter_id.clone(), inviter)]);
    if let (Some(id), Some(name)) = (p.invitee_id.clone(), invitee) {
        names.insert(id, name);
    }
    let as_of = as_of.unwrap_or_else(|| tx.now());
    scorecard_named(tx, &p, names, as_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot as version 1 stored it (the scorecard view's JSON of 2026-11-25): it must keep
    /// reading, whatever the REST views become.
    #[test]
    fn a_stored_version_1_snapshot_still_reads() {
        let stored = r#"{"partnership_id":"0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
            "as_of":"2026-11-26T08:00:00Z","thresholds":{"on_track_gap":0.1,"at_risk_gap":0.25},
            "partners":[{"user_id":"0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56","display_name":"Ada",
            "goals":[{"goal_id":"0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60","title":"Cut wait time",
            "metric":"Average wait","unit":"minutes","direction":"decrease","baseline":12.0,
            "target":9.6,"latest_value":10.8,"latest_observed_at":"2026-11-20T09:00:00Z",
            "progress":0.5,"progress_clamped":0.5,"expected":0.4,"status":"on_track",
            "projected_hit_date":"2026-12-20","is_stale":false,"weight":1.0}],
            "weighted_progress":0.5,"weakest_status":"on_track"}]}"#;
        let card: Scorecard = serde_json::from_str(stored).unwrap();
        assert_eq!(card.partners[0].goals[0].status, ProgressStatus::OnTrack);
        assert_eq!(
            card.partners[0].goals[0].direction,
            Some(Direction::Decrease)
        );
        let again: serde_json::Value = serde_json::to_value(&card).unwrap();
        let original: serde_json::Value = serde_json::from_str(stored).unwrap();
        assert_eq!(again, original, "what is written is what version 1 wrote");
    }
}
