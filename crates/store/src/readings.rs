//! Readings: observations of a goal's metric. Corrections and deletions never erase: each is a
//! revision, and a deleted reading stays (marked) for history while the math leaves it out.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use tandem_domain::reading::RevisionAction;

use crate::changes::{self, Entity, Op};
use crate::schema::{reading_revisions, readings};
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use tandem_domain::rollup::ReadingSums;

/// A stored reading.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = readings)]
pub struct Reading {
    /// Id.
    pub id: String,
    /// The goal measured.
    pub goal_id: String,
    /// The value.
    pub value: f64,
    /// When it was observed (UTC).
    pub observed_at: NaiveDateTime,
    /// A note.
    pub note: Option<String>,
    /// Where it came from (`manual`, an integration's name).
    pub source: String,
    /// The sender's own id for it, unique per goal.
    pub external_id: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was deleted, if it was.
    pub deleted_at: Option<NaiveDateTime>,
    /// Why.
    pub delete_reason: Option<String>,
    /// Bumped on every change; the ETag.
    pub version: i64,
    /// Recorded.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A correction or deletion.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reading_revisions)]
pub struct Revision {
    /// Id.
    pub id: String,
    /// The reading.
    pub reading_id: String,
    /// Who.
    pub actor_id: String,
    /// What the revision did.
    #[diesel(serialize_as = Name)]
    pub action: RevisionAction,
    /// JSON: `[{field, old, new}]`.
    pub changes: String,
    /// Why (deletions).
    pub reason: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// What inserting a reading did.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    /// A new reading.
    Created(Reading),
    /// The goal already had a reading with this external id; here it is.
    Existing(Reading),
}

/// Inserts a reading of a goal in `partnership_id` unless the goal already has one with the same
/// external id. Call it inside a `write_transaction` (the look-up and the insert must not be split).
pub fn insert(
    conn: &mut DbConnection,
    reading: &Reading,
    partnership_id: &str,
) -> StoreResult<Inserted> {
    if let Some(external) = &reading.external_id
        && let Some(existing) = find_by_external_id(conn, &reading.goal_id, external)?
    {
        return Ok(Inserted::Existing(existing));
    }
    diesel::insert_into(readings::table)
        .values(reading)
        .execute(conn)?;
    changes::record(
        conn,
        partnership_id,
        Entity::Reading,
        &reading.id,
        Op::Created,
        reading.created_at,
    )?;
    Ok(Inserted::Created(reading.clone()))
}

fn find_by_external_id(
    conn: &mut DbConnection,
    goal_id: &str,
    external_id: &str,
) -> StoreResult<Option<Reading>> {
    readings::table
        .filter(readings::goal_id.eq(goal_id))
        .filter(readings::external_id.eq(external_id))
        .select(Reading::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// A reading by id (authorization is the caller's job, through its goal).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Reading> {
    readings::table
        .find(id)
        .select(Reading::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// Filters for listing a goal's readings.
#[derive(Debug, Clone, Default)]
pub struct ReadingFilter {
    /// Observed at or after.
    pub from: Option<NaiveDateTime>,
    /// Observed at or before.
    pub to: Option<NaiveDateTime>,
    /// Changed at or after.
    pub updated_since: Option<NaiveDateTime>,
    /// Include deleted readings.
    pub include_deleted: bool,
}

/// A page of a goal's readings in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    goal_id: &str,
    filter: &ReadingFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Reading>> {
    let mut query = readings::table
        .filter(readings::goal_id.eq(goal_id))
        .select(Reading::as_select())
        .order((readings::created_at, readings::id))
        .limit(limit)
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(readings::observed_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(readings::observed_at.le(to));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(readings::updated_at.ge(since));
    }
    if !filter.include_deleted {
        query = query.filter(readings::deleted_at.is_null());
    }
    if let Some((at, id)) = after {
        query = query.filter(
            readings::created_at
                .gt(at)
                .or(readings::created_at.eq(at).and(readings::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// A reading with the goal it measures, for reports across a partnership's goals.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalReading {
    /// The reading.
    pub reading: Reading,
    /// Its goal's title.
    pub goal_title: Option<String>,
    /// Its goal's owner.
    pub owner_id: String,
}

/// The readings of every goal of a partnership, in (goal creation, goal, observation, id)
/// order, at most `limit`.
pub fn of_partnership(
    conn: &mut DbConnection,
    partnership_id: &str,
    filter: &ReadingFilter,
    limit: i64,
) -> StoreResult<Vec<GoalReading>> {
    use crate::schema::goals;
    let mut query = readings::table
        .inner_join(goals::table.on(goals::id.eq(readings::goal_id)))
        .filter(goals::partnership_id.eq(partnership_id))
        .select((Reading::as_select(), goals::title, goals::owner_id))
        .order((
            goals::created_at,
            goals::id,
            readings::observed_at,
            readings::id,
        ))
        .limit(limit)
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(readings::observed_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(readings::observed_at.le(to));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(readings::updated_at.ge(since));
    }
    if !filter.include_deleted {
        query = query.filter(readings::deleted_at.is_null());
    }
    let rows: Vec<(Reading, Option<String>, String)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(reading, goal_title, owner_id)| GoalReading {
            reading,
            goal_title,
            owner_id,
        })
        .collect())
}

/// The (value, observed_at) of a goal's live readings observed at or before `as_of`, in
/// observation then recording order, from the `(goal_id, observed_at)` index.
pub fn series(
    conn: &mut DbConnection,
    goal_id: &str,
    as_of: NaiveDateTime,
) -> StoreResult<Vec<(f64, NaiveDateTime)>> {
    readings::table
        .filter(readings::goal_id.eq(goal_id))
        .filter(readings::observed_at.le(as_of))
        .filter(readings::deleted_at.is_null())
        .order((readings::observed_at, readings::id))
        .select((readings::value, readings::observed_at))
        .load(conn)
        .map_err(StoreError::from)
}

/// Writes a changed reading as its next version and records the revision; [`StoreError::Stale`]
/// if someone saved in between. The goal's roll-up, if it has one, is marked stale: it may hold
/// the reading as it was (`crate::rollups`).
pub fn save(conn: &mut DbConnection, changed: &Reading, revision: &Revision) -> StoreResult<()> {
    crate::write_transaction(conn, |conn| {
        crate::backend::hold_goal(conn, &changed.goal_id)?;
        crate::rollups::mark_stale(conn, &changed.goal_id)?;
        let updated = diesel::update(
            readings::table
                .filter(readings::id.eq(&changed.id))
                .filter(readings::version.eq(changed.version - 1)),
        )
        .set((
            readings::value.eq(changed.value),
            readings::observed_at.eq(changed.observed_at),
            readings::note.eq(&changed.note),
            readings::deleted_at.eq(changed.deleted_at),
            readings::delete_reason.eq(&changed.delete_reason),
            readings::version.eq(changed.version),
            readings::updated_at.eq(changed.updated_at),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(StoreError::Stale);
        }
        diesel::insert_into(reading_revisions::table)
            .values(revision.clone())
            .execute(conn)?;
        let op = if changed.deleted_at.is_some() {
            Op::Deleted
        } else {
            Op::Updated
        };
        changes::record_for_goal(
            conn,
            &changed.goal_id,
            Entity::Reading,
            &changed.id,
            op,
            changed.updated_at,
        )
    })
}

/// A reading's revisions, oldest first.
pub fn revisions(conn: &mut DbConnection, reading_id: &str) -> StoreResult<Vec<Revision>> {
    reading_revisions::table
        .filter(reading_revisions::reading_id.eq(reading_id))
        .order((reading_revisions::created_at, reading_revisions::id))
        .select(Revision::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Which goals [`aggregates`] summarises.
#[derive(Debug, Clone, Copy)]
pub enum AggregateScope<'a> {
    /// Every active goal of a partnership (a scorecard).
    ActiveGoalsOf(&'a str),
    /// One goal.
    Goal(&'a str),
}

/// A time zone's offset from UTC over time, as the database needs it: `initial` until the first
/// change, then each `(utc_epoch_second, offset_seconds)` from that second on, in ascending order.
#[derive(Debug, Clone, Copy)]
pub struct UtcOffsets<'a> {
    /// Offset before the first change, seconds.
    pub initial: i32,
    /// Changes, oldest first.
    pub changes: &'a [(i64, i32)],
    /// Whether `as_of` is the present: then the query's text is the one every present-time
    /// request in this zone uses, and each connection keeps it prepared.
    pub present: bool,
    /// The zone's name as the partnership stores it: a roll-up summed in another zone is not used.
    pub name: &'a str,
    /// A fingerprint of the zone's rules (`initial` and `changes`): a roll-up summed under other
    /// rules (another build's time-zone data) is not used.
    pub rules: &'a str,
}

/// A goal's readings at or before an instant, reduced to what the progress math needs
/// (`tandem_domain::progress::ReadingSummary`), computed by the database: the centred
/// least-squares sums of value over local days since the goal's start (values taken relative to
/// the baseline), the
/// counts of readings in the period and holding the level, and the latest reading. Its size does
/// not depend on how many readings there are.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// The goal.
    pub goal_id: String,
    /// The sums, y being the value taken relative to the baseline and halved:
    /// (value - baseline) / 2, x local days since the start; never empty.
    pub sums: ReadingSums,
    /// The latest reading's value (of readings observed at the same instant, the last recorded).
    pub latest_value: f64,
    /// When the latest reading was observed (UTC).
    pub latest_observed_at: NaiveDateTime,
}

/// One goal's row of [`aggregates`]: the sums of its roll-up, when one holds, and of the readings
/// summed beside it (all of them without a roll-up), apart.
#[derive(Debug, QueryableByName)]
struct AggregateRow {
    #[diesel(sql_type = Text)]
    goal_id: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    r_n: Option<i64>,
    #[diesel(sql_type = Nullable<Double>)]
    r_mean_x: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    r_mean_y: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    r_sxx: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    r_sxy: Option<f64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    r_first_second: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    r_last_second: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    r_in_period: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    r_on_target: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    n: Option<i64>,
    #[diesel(sql_type = Nullable<Double>)]
    mean_x: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    mean_y: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    sxx: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    sxy: Option<f64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    first_second: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    last_second: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    in_period: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    on_target: Option<i64>,
    #[diesel(sql_type = Nullable<Double>)]
    latest_value: Option<f64>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Timestamp>)]
    latest_observed_at: Option<NaiveDateTime>,
}

impl AggregateRow {
    /// The roll-up's sums merged with the rest's; `None` for a goal without readings.
    fn merged(self) -> Option<Aggregate> {
        let rolled = ReadingSums {
            n: self.r_n.unwrap_or(0).max(0) as u64,
            mean_x: self.r_mean_x.unwrap_or(0.0),
            mean_y: self.r_mean_y.unwrap_or(0.0),
            sxx: self.r_sxx.unwrap_or(0.0),
            sxy: self.r_sxy.unwrap_or(0.0),
            first_second: self.r_first_second.unwrap_or(i64::MAX),
            last_second: self.r_last_second.unwrap_or(i64::MIN),
            in_period: self.r_in_period.unwrap_or(0).max(0) as u64,
            on_target: self.r_on_target.unwrap_or(0).max(0) as u64,
        };
        let rest = ReadingSums {
            n: self.n.unwrap_or(0).max(0) as u64,
            mean_x: self.mean_x.unwrap_or(0.0),
            mean_y: self.mean_y.unwrap_or(0.0),
            sxx: self.sxx.unwrap_or(0.0),
            sxy: self.sxy.unwrap_or(0.0),
            first_second: self.first_second.unwrap_or(i64::MAX),
            last_second: self.last_second.unwrap_or(i64::MIN),
            in_period: self.in_period.unwrap_or(0).max(0) as u64,
            on_target: self.on_target.unwrap_or(0).max(0) as u64,
        };
        let sums = rolled.merge(rest);
        Some(Aggregate {
            goal_id: self.goal_id,
            sums: Some(sums).filter(|s| s.n > 0)?,
            latest_value: self.latest_value?,
            latest_observed_at: self.latest_observed_at?,
        })
    }
}

/// The [`Aggregate`] of every goal in `scope` with readings at or before `as_of` (goals without
/// any are absent), in one statement whatever the number of goals or readings. Local days are
/// counted in the time zone whose offsets are `zone`; of readings observed at the same instant,
/// the one recorded last is the latest.
///
/// A goal whose roll-up still holds (`crate::rollups`: not stale, summed under the goal's
/// present start, baseline, direction and target and in `zone`, of readings all observed at or
/// before `as_of`) has only its readings not yet rolled summed here, and the two merged
/// (`tandem_domain::rollup`); any other goal has all its readings summed.
pub fn aggregates(
    conn: &mut DbConnection,
    scope: AggregateScope<'_>,
    as_of: NaiveDateTime,
    zone: UtcOffsets<'_>,
) -> StoreResult<Vec<Aggregate>> {
    use crate::prepared::{BIND, PreparedSql};
    let d = crate::backend::Dialect::of(conn);
    let (scope_sql, scope_value) = match scope {
        AggregateScope::ActiveGoalsOf(p) => ("g.partnership_id = {?} AND g.status = 'active'", p),
        AggregateScope::Goal(g) => ("g.id = {?}", g),
    };
    // The zone's offset at each reading's second, newest change first: most readings are recent.
    // Changes after `as_of` cannot apply to readings at or before it; the rest go newest first,
    // so a recent reading is placed after a comparison or two.
    let upto = as_of.and_utc().timestamp();
    let changes: Vec<&(i64, i32)> = zone.changes.iter().filter(|(at, _)| *at <= upto).collect();
    let offset = if changes.is_empty() {
        zone.initial.to_string()
    } else {
        let mut case = String::from("CASE");
        for (at, seconds) in changes.iter().rev() {
            // Compared with the stored timestamp itself (no function call per comparison); the
            // literal's form sorts with the stored text on SQLite and casts on PostgreSQL.
            let at = chrono::DateTime::from_timestamp(*at, 0)
                .unwrap_or_default()
                .format("%Y-%m-%d %H:%M:%S");
            case.push_str(&format!(" WHEN r.observed_at >= '{at}' THEN {seconds}"));
        }
        case + &format!(" ELSE {} END", zone.initial)
    };
    // One pass over each goal's readings, found through the index (`Dialect::per_goal`): each
    // row's local offset from the start computed once (the subquery is a fence, so the
    // aggregates read a column instead of re-evaluating it), the line's centred sums
    // (`Dialect::line_sums`; y taken relative to the baseline, so large values near it keep
    // their precision), counts as filtered aggregates (cheaper than summing a CASE per row),
    // then the latest reading by one descent of the (goal_id, observed_at, id) index each: that
    // index orders ties by id too, so no goal's readings are sorted to find it, and holds each
    // reading's value and deletion, so the table itself is not read (migration 000018).
    //
    // A goal with a roll-up that holds reads only its readings not yet rolled, through their
    // own small index (migration 000021): the two branches' conditions on `g` are decided once
    // per goal, so each goal reads one index or the other.
    let aggregates = format!(
        "{line},
                   MIN(xs) AS first_second,
                   MAX(xs) AS last_second,
                   COUNT(*) FILTER (WHERE xs >= 0) AS in_period,
                   COUNT(*) FILTER (WHERE xs >= 0 AND ((direction = 'at_least' AND value >= target)
                                                    OR (direction = 'at_most' AND value <= target)))
                       AS on_target",
        line = d.line_sums("dy", "xd"),
    );
    let rollup_columns = "g.r_n, g.r_mean_x, g.r_mean_y, g.r_sxx, g.r_sxy, g.r_first_second, \
                          g.r_last_second, g.r_in_period, g.r_on_target";
    let per_goal = d.per_goal(&aggregates, rollup_columns, "g.r_n IS NOT NULL", |tables| {
        let branch = |which: &str| {
            format!(
                "SELECT r.goal_id, r.value, g.direction, g.target,
                        {observed} + ({offset}) - g.start_s AS xs,
                        (r.value - g.base) / 2 AS dy
                 FROM {tables}
                 WHERE r.goal_id = g.id AND {which}
                   AND r.deleted_at IS NULL AND r.observed_at <= {BIND}",
                observed = d.epoch_seconds("r.observed_at"),
            )
        };
        format!(
            "SELECT goal_id, value, direction, target, xs, dy,
                    CAST(xs AS DOUBLE PRECISION) / 86400 AS xd
             FROM (
                 {all}
                 UNION ALL
                 {unrolled}
                 {fence}
             ) local_offsets",
            all = branch("g.r_n IS NULL"),
            unrolled = branch("g.r_n IS NOT NULL AND NOT r.rolled"),
            fence = d.subquery_fence(),
        )
    });
    let sql = format!(
        "WITH g AS MATERIALIZED (
            SELECT g.id, g.direction, g.target, COALESCE(g.baseline, 0) AS base,
                   {start} AS start_s,
                   u.n AS r_n, u.mean_x AS r_mean_x, u.mean_y AS r_mean_y, u.sxx AS r_sxx,
                   u.sxy AS r_sxy, u.first_second AS r_first_second,
                   u.last_second AS r_last_second, u.in_period AS r_in_period,
                   u.on_target AS r_on_target
            FROM goals g LEFT JOIN goal_rollups u
              ON u.goal_id = g.id AND NOT u.stale
             AND u.time_zone = {BIND} AND u.zone_rules = {BIND} AND u.rolled_until <= {BIND}
             AND u.start_s = {start} AND u.base = COALESCE(g.baseline, 0)
             AND (u.direction = g.direction OR (u.direction IS NULL AND g.direction IS NULL))
             AND (u.target = g.target OR (u.target IS NULL AND g.target IS NULL))
            WHERE {scope_sql}
        )
        SELECT a.*,
               (SELECT l.value FROM readings l
                WHERE l.goal_id = a.goal_id AND l.deleted_at IS NULL AND l.observed_at <= {BIND}
                ORDER BY l.observed_at DESC, l.id DESC LIMIT 1) AS latest_value,
               (SELECT l.observed_at FROM readings l
                WHERE l.goal_id = a.goal_id AND l.deleted_at IS NULL AND l.observed_at <= {BIND}
                ORDER BY l.observed_at DESC, l.id DESC LIMIT 1) AS latest_observed_at
        FROM ({per_goal}) a",
        start = d.epoch_seconds("g.start_date"),
    );
    // A past `as_of` spells fewer of the zone's changes: a text of its own, not worth keeping.
    let rows: Vec<AggregateRow> = PreparedSql::new(&sql)
        .keep(zone.present)
        .text(zone.name)
        .text(zone.rules)
        .timestamp(as_of)
        .text(scope_value)
        .timestamp(as_of)
        .timestamp(as_of)
        .timestamp(as_of)
        .timestamp(as_of)
        .load(conn)?;
    Ok(rows.into_iter().filter_map(AggregateRow::merged).collect())
}
