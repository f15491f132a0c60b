//! Roll-ups: each goal's readings summed once, in the background, so a scorecard sums only the
//! readings recorded since and merges the two (`readings::aggregates`), at a cost that does not
//! grow with the goal's history.
//!
//! The invariant: a goal's roll-up that is not stale holds the sums of exactly its live readings
//! marked `rolled`, every one of them observed at or before `rolled_until`, computed under the
//! assumptions it records (the goal's start, baseline, direction and target; the zone and its
//! rules). [`roll_up`] keeps it without holding new readings back; a correction or deletion of a
//! reading marks the roll-up stale ([`mark_stale`], under `backend::hold_goal`); a change of an
//! assumption makes readers ignore the roll-up until it is redone. New readings start unrolled, so
//! recording one leaves the roll-up as it is.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text};
use tandem_domain::rollup::ReadingSums;

use crate::prepared::{BIND, PreparedSql};
use crate::readings::UtcOffsets;
use crate::schema::{goal_rollups, readings as readings_table};
use crate::{DbConnection, StoreError, StoreResult};

/// Marks a goal's roll-up stale, if it has one: readers sum the goal's readings in full until
/// [`roll_up`] redoes it.
pub fn mark_stale(conn: &mut DbConnection, goal_id: &str) -> StoreResult<()> {
    diesel::update(goal_rollups::table.find(goal_id))
        .set(goal_rollups::stale.eq(true))
        .execute(conn)?;
    Ok(())
}

/// A goal due a roll-up, with the zone its partnership keeps days in.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct Due {
    /// The goal.
    #[diesel(sql_type = Text)]
    pub goal_id: String,
    /// Its partnership's time zone, as stored.
    #[diesel(sql_type = Text)]
    pub time_zone: String,
}

/// Up to `limit` goals due a roll-up at `now`: goals taking readings (draft or active) with at
/// least `min_unrolled` live readings observed by then and not yet rolled, and goals whose
/// roll-up no longer holds (stale, or summed under another start, baseline, direction, target
/// or zone). Goals without a start date are never rolled up: their readings have no days to be
/// counted in.
///
/// Each goal's unrolled readings are counted through their small index and no further than
/// `min_unrolled`, so a look costs about one index probe per goal, whatever a goal that is
/// never rolled up (no start) has gathered.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    min_unrolled: i64,
    limit: i64,
) -> StoreResult<Vec<Due>> {
    let d = crate::backend::Dialect::of(conn);
    let sql = format!(
        "SELECT g.id AS goal_id, p.time_zone
         FROM goals g JOIN partnerships p ON p.id = g.partnership_id
         WHERE g.start_date IS NOT NULL AND (
             (g.status IN ('draft', 'active') AND {min_unrolled} <= (
                 SELECT COUNT(*) FROM (
                     SELECT 1 FROM readings r
                     WHERE r.goal_id = g.id AND NOT r.rolled AND r.deleted_at IS NULL
                       AND r.observed_at <= {BIND}
                     LIMIT {min_unrolled}
                 ) unrolled))
             OR EXISTS (
                 SELECT 1 FROM goal_rollups u
                 WHERE u.goal_id = g.id
                   AND (u.stale OR u.time_zone <> p.time_zone OR u.start_s <> {start}
                        OR u.base <> COALESCE(g.baseline, 0)
                        OR NOT (u.direction = g.direction
                                OR (u.direction IS NULL AND g.direction IS NULL))
                        OR NOT (u.target = g.target
                                OR (u.target IS NULL AND g.target IS NULL)))))
         ORDER BY g.id LIMIT {limit}",
        start = d.epoch_seconds("g.start_date"),
    );
    PreparedSql::new(&sql)
        .timestamp(now)
        .load(conn)
        .map_err(StoreError::from)
}

/// The zones, and the fingerprints of their rules, that roll-ups were summed under.
pub fn zones_in_use(conn: &mut DbConnection) -> StoreResult<Vec<(String, String)>> {
    goal_rollups::table
        .select((goal_rollups::time_zone, goal_rollups::zone_rules))
        .distinct()
        .load(conn)
        .map_err(StoreError::from)
}

/// Marks stale every roll-up summed in `time_zone` under rules other than `rules` (the time-zone
/// data this build carries has changed them); how many.
pub fn mark_stale_under_other_rules(
    conn: &mut DbConnection,
    time_zone: &str,
    rules: &str,
) -> StoreResult<usize> {
    diesel::update(
        goal_rollups::table
            .filter(goal_rollups::time_zone.eq(time_zone))
            .filter(goal_rollups::zone_rules.ne(rules))
            .filter(goal_rollups::stale.eq(false)),
    )
    .set(goal_rollups::stale.eq(true))
    .execute(conn)
    .map_err(StoreError::from)
}

/// What a goal's roll-up is computed under, and whether this transaction may roll it up.
#[derive(Debug, QueryableByName)]
struct Assumptions {
    #[diesel(sql_type = Nullable<BigInt>)]
    start_s: Option<i64>,
    #[diesel(sql_type = Double)]
    base: f64,
    #[diesel(sql_type = Nullable<Text>)]
    direction: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    target: Option<f64>,
    #[diesel(sql_type = Bool)]
    ours: bool,
}

/// A reading as a roll-up sums it.
#[derive(Debug, QueryableByName)]
struct Point {
    #[diesel(sql_type = Double)]
    value: f64,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    observed_at: NaiveDateTime,
}

/// A stored roll-up, as the job reads it back.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = goal_rollups)]
struct Stored {
    time_zone: String,
    zone_rules: String,
    start_s: i64,
    base: f64,
    direction: Option<String>,
    target: Option<f64>,
    rolled_until: NaiveDateTime,
    stale: bool,
    n: i64,
    mean_x: f64,
    mean_y: f64,
    sxx: f64,
    sxy: f64,
    first_second: i64,
    last_second: i64,
    in_period: i64,
    on_target: i64,
}

impl Stored {
    fn sums(&self) -> ReadingSums {
        ReadingSums {
            n: self.n.max(0) as u64,
            mean_x: self.mean_x,
            mean_y: self.mean_y,
            sxx: self.sxx,
            sxy: self.sxy,
            first_second: self.first_second,
            last_second: self.last_second,
            in_period: self.in_period.max(0) as u64,
            on_target: self.on_target.max(0) as u64,
        }
    }
}

/// What [`roll_up`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rolled {
    /// The roll-up holds the goal's readings observed by now.
    Holds {
        /// How many (0: the goal has none, and no roll-up).
        readings: i64,
        /// How many were summed this time: the newly marked ones when it was extended, every
        /// rolled one when it was summed afresh (the work done, for `/metrics`).
        summed: usize,
        /// Whether it was summed afresh (the previous one did not hold) rather than extended.
        afresh: bool,
    },
    /// Another transaction is rolling the goal up: skipped.
    Busy,
}

/// Rolls up goal `goal_id`'s live readings observed at or before `now`, local days counted in
/// `zone` (its partnership's). Call it inside a write transaction.
///
/// No reading is held back from being recorded: the readings marked rolled are exactly those the
/// marking statement returns, and readings recorded meanwhile stay unrolled for the next time.
/// A lock taken without waiting (`Dialect::try_rollup_lock`) keeps corrections and deletions of
/// the goal's readings (`backend::hold_goal`) and a second roll-up of the goal out, so the rolled
/// set changes only here; when it is taken, the goal is skipped for now. A roll-up that still
/// holds is extended by the sums of the newly marked readings (`ReadingSums::merge`); any other
/// is summed afresh from every rolled reading.
pub fn roll_up(
    conn: &mut DbConnection,
    goal_id: &str,
    now: NaiveDateTime,
    zone: UtcOffsets<'_>,
) -> StoreResult<Rolled> {
    use readings_table::dsl as r;
    let d = crate::backend::Dialect::of(conn);
    let sql = format!(
        "SELECT {start} AS start_s, COALESCE(baseline, 0) AS base, direction, target,
                {ours} AS ours
         FROM goals WHERE id = {BIND}",
        start = d.epoch_seconds("start_date"),
        ours = d.try_rollup_lock("id"),
    );
    let goal: Assumptions = PreparedSql::new(&sql)
        .text(goal_id)
        .get_result::<Assumptions>(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if !goal.ours {
        return Ok(Rolled::Busy);
    }
    let previous: Option<Stored> = goal_rollups::table
        .find(goal_id)
        .select(Stored::as_select())
        .first(conn)
        .optional()?;
    let Some(start_s) = goal.start_s else {
        // No days to count without a start: no roll-up, and no reading left marked as held by
        // one, so a later roll-up is not mistaken for one that holds them.
        diesel::delete(goal_rollups::table.find(goal_id)).execute(conn)?;
        diesel::update(
            r::readings
                .filter(r::goal_id.eq(goal_id))
                .filter(r::rolled.eq(true)),
        )
        .set(r::rolled.eq(false))
        .execute(conn)?;
        return Ok(Rolled::Holds {
            readings: 0,
            summed: 0,
            afresh: true,
        });
    };
    let holds = previous.as_ref().filter(|p| {
        !p.stale
            && p.time_zone == zone.name
            && p.zone_rules == zone.rules
            && p.start_s == start_s
            && p.base == goal.base
            && p.direction == goal.direction
            && p.target == goal.target
            && p.rolled_until <= now
    });
    if holds.is_none() {
        // Readings a correction moved past `now` leave the roll-up.
        diesel::update(
            r::readings
                .filter(r::goal_id.eq(goal_id))
                .filter(r::rolled.eq(true))
                .filter(r::observed_at.gt(now)),
        )
        .set(r::rolled.eq(false))
        .execute(conn)?;
    }
    // The partial index's own terms, so SQLite finds the rows through it.
    let marked: Vec<Point> = PreparedSql::new(&format!(
        "UPDATE readings SET rolled = TRUE
         WHERE goal_id = {BIND} AND NOT rolled AND deleted_at IS NULL AND observed_at <= {BIND}
         RETURNING value, observed_at"
    ))
    .text(goal_id)
    .timestamp(now)
    .load(conn)?;
    let points = match holds {
        Some(_) => marked,
        None => PreparedSql::new(&format!(
            "SELECT value, observed_at FROM readings
             WHERE goal_id = {BIND} AND rolled AND deleted_at IS NULL"
        ))
        .text(goal_id)
        .load(conn)?,
    };
    let target = goal.target;
    let on_target = |value: f64| match (goal.direction.as_deref(), target) {
        (Some("at_least"), Some(t)) => value >= t,
        (Some("at_most"), Some(t)) => value <= t,
        _ => false,
    };
    let local: Vec<(i64, f64)> = points
        .iter()
        .map(|p| (local_second(zone, p.observed_at) - start_s, p.value))
        .collect();
    let added = ReadingSums::of(&local, goal.base, on_target);
    let sums = match holds {
        Some(previous) => previous.sums().merge(added),
        None => added,
    };
    diesel::delete(goal_rollups::table.find(goal_id)).execute(conn)?;
    if sums.n > 0 {
        diesel::insert_into(goal_rollups::table)
            .values((
                goal_rollups::goal_id.eq(goal_id),
                goal_rollups::time_zone.eq(zone.name),
                goal_rollups::zone_rules.eq(zone.rules),
                goal_rollups::start_s.eq(start_s),
                goal_rollups::base.eq(goal.base),
                goal_rollups::direction.eq(&goal.direction),
                goal_rollups::target.eq(goal.target),
                goal_rollups::rolled_until.eq(now),
                goal_rollups::stale.eq(false),
                goal_rollups::n.eq(sums.n as i64),
                goal_rollups::mean_x.eq(sums.mean_x),
                goal_rollups::mean_y.eq(sums.mean_y),
                goal_rollups::sxx.eq(sums.sxx),
                goal_rollups::sxy.eq(sums.sxy),
                goal_rollups::first_second.eq(sums.first_second),
                goal_rollups::last_second.eq(sums.last_second),
                goal_rollups::in_period.eq(sums.in_period as i64),
                goal_rollups::on_target.eq(sums.on_target as i64),
                goal_rollups::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(Rolled::Holds {
        readings: sums.n as i64,
        summed: points.len(),
        afresh: holds.is_none(),
    })
}

/// The local second of `at` (UTC) in `zone`, as the scorecard's aggregate counts it: whole
/// seconds since 1970 (rounded down) plus the offset in force from the latest change at or
/// before it.
fn local_second(zone: UtcOffsets<'_>, at: NaiveDateTime) -> i64 {
    let utc = at.and_utc().timestamp();
    let after = zone.changes.partition_point(|(from, _)| *from <= utc);
    let offset = match after {
        0 => zone.initial,
        k => zone.changes[k - 1].1,
    };
    utc + i64::from(offset)
}
