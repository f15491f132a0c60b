//! Every difference between SQLite and PostgreSQL lives here: one connection type over both, its
//! pool and per-connection settings, the two migration sets, how write transactions begin, row
//! locks, `SKIP LOCKED` queue claims and which change-log rows a reader may see. Every other module writes its SQL once, for both.
//!
//! diesel's own `MultiConnection::establish` tries each backend in turn and hides the real error
//! (a PostgreSQL outage reads as "invalid connection url"), so the pool's manager picks the
//! backend from the URL scheme itself and reports what actually failed.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{StoreError, StoreResult};

pub use multi::DbConnection;
pub(crate) use multi::MultiBackend;

/// The derive generates undocumented public helper items; they stay in here.
#[allow(missing_docs)]
mod multi {
    use diesel::pg::PgConnection;
    use diesel::sqlite::SqliteConnection;

    /// A live connection to either backend. Queries written once against it run on both.
    #[derive(diesel::MultiConnection)]
    pub enum DbConnection {
        /// A PostgreSQL connection (`postgres://` or `postgresql://` URLs).
        Postgres(PgConnection),
        /// An SQLite connection (any other URL: a file path or `sqlite://path`).
        Sqlite(SqliteConnection),
    }
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite, embedded.
    Sqlite,
}

impl Backend {
    /// Chooses the backend from the URL scheme: only `postgres://`/`postgresql://` mean PostgreSQL.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// A pool of [`DbConnection`]s.
pub type Pool = r2d2::Pool<Manager>;
/// A connection borrowed from the [`Pool`].
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// r2d2 manager that opens the right backend and prepares every SQLite connection.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    fn sqlite_path(&self) -> &str {
        self.url
            .strip_prefix("sqlite://")
            .or_else(|| self.url.strip_prefix("sqlite:"))
            .unwrap_or(&self.url)
    }
}

/// Pragmas every SQLite connection needs: enforced foreign keys, waiting (not failing) on a busy
/// database, and WAL with NORMAL sync so readers never block the writer. Each connection's page
/// cache is 512 KiB instead of 2 MiB: the operating system caches the file for all of them, and
/// the benchmark ran as fast with it while the server kept 16 MiB less after it.
///
/// The WAL is copied into the database file by [`checkpoint`], which the application runs off the
/// write path. SQLite's own checkpoint, run by whichever commit crosses the threshold, stalled
/// that commit and every write queued behind it (about 30 ms each 1,000 pages here, fsyncs
/// included); it stays only as a backstop at 10,000 pages (40 MiB of WAL), should checkpoints fall
/// behind.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000;
PRAGMA foreign_keys = ON;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA wal_autocheckpoint = 10000;
PRAGMA cache_size = -512;";

/// Settings every PostgreSQL session needs. No JIT compilation: every statement the service
/// runs is short, but once a goal held a few hundred thousand readings the planner's estimate
/// for the scorecard's aggregate passed `jit_above_cost`, and compiling it took 190-300 ms of
/// each request that ran 3 ms without (the benchmark's open-loop scorecard: p50 358 ms, p99
/// 1.2 s at 892 requests a second, right after `ANALYZE`).
const POSTGRES_SESSION: &str = "SET jit = off;";

/// Connections are not tested with a query on every check-out (that was a round trip per
/// request): a connection the server dropped fails its next statement, diesel then reports it
/// broken, and the pool replaces it.
impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let mut db = match self.backend {
            Backend::Postgres => {
                let mut conn =
                    PgConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(POSTGRES_SESSION)
                    .map_err(r2d2::Error::QueryError)?;
                DbConnection::Postgres(conn)
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(self.sqlite_path())
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                DbConnection::Sqlite(conn)
            }
        };
        let counted =
            |event: diesel::connection::InstrumentationEvent<'_>| crate::metrics::observe(&event);
        let boxed: Box<dyn diesel::connection::Instrumentation> = Box::new(counted);
        db.set_instrumentation(boxed);
        Ok(db)
    }

    /// Only called for idle connections the pool re-checks, never on check-out.
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Opens a pool on `url` and brings the schema up to date.
///
/// `max_size` bounds concurrent connections. Connections are opened lazily beyond the first, so a
/// test's short-lived server costs one connection, not the whole pool.
pub fn connect(url: &str, max_size: u32) -> Result<Pool, StoreError> {
    let backend = Backend::from_url(url);
    let manager = Manager {
        url: url.to_owned(),
        backend,
    };
    // r2d2's default thread pool (it opens connections and reaps idle ones) outlives the pool by
    // up to its 30 s reaping interval; this one ends with it, so a stopped server leaves no
    // threads behind. Three threads, as r2d2's default has.
    let threads = scheduled_thread_pool::ScheduledThreadPool::builder()
        .num_threads(3)
        .thread_name_pattern("r2d2-worker-{}")
        .on_drop_behavior(scheduled_thread_pool::OnPoolDropBehavior::DiscardPendingScheduled)
        .build();
    let pool = r2d2::Pool::builder()
        .thread_pool(std::sync::Arc::new(threads))
        .max_size(max_size.max(1))
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let mut conn = pool.get()?;
    run_migrations(&mut conn)?;
    Ok(pool)
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A fixed key for the PostgreSQL advisory lock that serialises migrations across instances.
const MIGRATION_LOCK_KEY: i64 = 0x7a4d_656d_0001;

/// Applies every pending migration for the connection's backend; returns the versions applied.
///
/// On PostgreSQL an advisory lock makes several instances starting at once take turns.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
        DbConnection::Postgres(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(c)?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect());
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(c)?;
            result
        }
    };
    applied.map_err(|e| StoreError::Migration(e.to_string()))
}

/// Checks the database answers; used by readiness probes.
pub fn ping(conn: &mut DbConnection) -> Result<(), StoreError> {
    conn.ping().map_err(StoreError::from)
}

/// Locks a partnership's row until the transaction ends, serialising rule checks that count rows
/// (such as the 5-active-goal limit) per partnership. On SQLite the write transaction's
/// `BEGIN IMMEDIATE` already serialises writers, so nothing more is needed.
pub fn lock_partnership(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT id FROM partnerships WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

/// The first key of the advisory locks that keep a goal's roll-up apart from another and from
/// corrections of its readings (the second is a hash of the goal's id); the two-key space is
/// apart from [`MIGRATION_LOCK_KEY`]'s.
const ROLLUP_LOCK_SPACE: i32 = 8_233;

/// Keeps a roll-up of goal `id`'s readings (`crate::rollups`) out until the transaction ends,
/// waiting for one at work: a correction or deletion of a reading marks the roll-up stale, and
/// must not do so while a roll-up is being written, which would miss the mark. A transaction-level
/// advisory lock on PostgreSQL, which only roll-ups and corrections take, so readings are still
/// recorded meanwhile. On SQLite the write transaction already serialises writers.
pub fn hold_goal(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!(
            "SELECT pg_advisory_xact_lock({ROLLUP_LOCK_SPACE}, hashtext($1))"
        ))
        .bind::<diesel::sql_types::Text, _>(id)
        .execute(pg)?;
    }
    Ok(())
}

/// What a write to a goal (a reading) needs to know about it, read in one statement by
/// [`goal_for_writing`].
#[derive(Debug, Clone, PartialEq, diesel::QueryableByName)]
pub struct WriteTarget {
    /// The goal.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub goal_id: String,
    /// Its partnership.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub partnership_id: String,
    /// Its owner.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub owner_id: String,
    /// Its status, as committed now.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub status: tandem_domain::goal::GoalStatus,
    /// Whether an active webhook of a member might want to hear of the write: a write nobody
    /// listens to does not look for subscriptions.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub heard: bool,
}

/// The goal `goal_id` about to take a write, if `member` belongs to its partnership
/// ([`StoreError::NotFound`] otherwise), in one statement.
///
/// The goal's row is held against status changes until the transaction ends and read as
/// committed now: a reading checks that its goal takes readings and is written while no archive
/// can slip in between. PostgreSQL takes `FOR SHARE` (readings of one goal still go in side by
/// side); SQLite's single writer already orders them. Membership is the rule of
/// `partnerships::member_filter`, spelled in SQL because diesel's query builder cannot lock rows
/// over both backends.
pub fn goal_for_writing(
    conn: &mut DbConnection,
    goal_id: &str,
    member: crate::partnerships::Member<'_>,
) -> Result<WriteTarget, StoreError> {
    use crate::prepared::{BIND, PreparedSql};
    use diesel::OptionalExtension;
    let lock = match conn {
        DbConnection::Postgres(_) => " FOR SHARE OF g",
        DbConnection::Sqlite(_) => "",
    };
    // One text per backend: kept prepared, like the query builder's statements.
    let sql = format!(
        "SELECT g.id AS goal_id, g.partnership_id, g.owner_id, g.status,
                EXISTS (SELECT 1 FROM webhooks w
                        WHERE w.active = TRUE
                          AND (w.owner_id = p.inviter_id OR w.owner_id = p.invitee_id)
                          AND (w.partnership_id IS NULL OR w.partnership_id = p.id)) AS heard
         FROM goals g JOIN partnerships p ON p.id = g.partnership_id
         WHERE g.id = {BIND}
           AND (p.inviter_id = {BIND} OR p.invitee_id = {BIND}
                OR (p.invitee_id IS NULL AND p.invitee_email = {BIND})){lock}"
    );
    let target: WriteTarget = PreparedSql::new(&sql)
        .text(goal_id)
        .text(member.user_id)
        .text(member.user_id)
        .text(member.email)
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    // A limited credential reaches one partnership only.
    if member
        .only
        .is_some_and(|only| only != target.partnership_id)
    {
        return Err(StoreError::NotFound);
    }
    Ok(target)
}

/// Ids of webhook deliveries due at `now` that no live lease holds, at most `limit`, oldest due
/// first. On PostgreSQL the rows stay locked for the transaction and rows another instance is
/// claiming are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the single writer does the same.
pub fn claimable_deliveries(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    use crate::schema::webhook_deliveries as d;
    use crate::sql_types::Name;
    use diesel::prelude::*;
    use tandem_domain::webhook::DeliveryStatus;
    macro_rules! due {
        () => {
            d::table
                .filter(d::status.eq(Name::of(DeliveryStatus::Pending)))
                .filter(d::next_attempt_at.le(now))
                .filter(d::leased_until.is_null().or(d::leased_until.lt(now)))
                .order(d::next_attempt_at)
                .limit(limit)
                .select(d::id)
        };
    }
    Ok(match conn {
        DbConnection::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(lite) => due!().load(lite)?,
    })
}

/// Inserts an email unless its `(user_id, kind, occasion)` is taken (`ON CONFLICT DO NOTHING`,
/// which the multi-backend connection cannot spell, so each backend is asked directly; a unique
/// violation would abort the caller's PostgreSQL transaction). Returns whether it was stored.
pub fn insert_email_once(
    conn: &mut DbConnection,
    email: crate::emails::Email,
) -> Result<bool, StoreError> {
    use crate::schema::emails as e;
    use diesel::prelude::*;
    macro_rules! insert {
        () => {
            diesel::insert_into(e::table)
                .values(email)
                .on_conflict((e::user_id, e::kind, e::occasion))
                .do_nothing()
        };
    }
    let stored = match conn {
        DbConnection::Postgres(pg) => insert!().execute(pg)?,
        DbConnection::Sqlite(lite) => insert!().execute(lite)?,
    };
    Ok(stored == 1)
}

/// The ids of up to `limit` emails due now and not leased: on PostgreSQL locked `SKIP LOCKED`
/// so concurrent claimers take different ones; SQLite's single writer does the same.
pub fn claimable_emails(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    use crate::schema::emails as e;
    use crate::sql_types::Name;
    use diesel::prelude::*;
    use tandem_domain::email::EmailStatus;
    macro_rules! due {
        () => {
            e::table
                .filter(e::status.eq(Name::of(EmailStatus::Pending)))
                .filter(e::next_attempt_at.le(now))
                .filter(e::leased_until.is_null().or(e::leased_until.lt(now)))
                .order(e::next_attempt_at)
                .limit(limit)
                .select(e::id)
        };
    }
    Ok(match conn {
        DbConnection::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(lite) => due!().load(lite)?,
    })
}

/// The few spellings raw SQL needs that differ between the backends; every raw query builds its
/// text through this, so the query itself is written once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect(Backend);

impl Dialect {
    /// The dialect of `conn`'s backend.
    pub fn of(conn: &DbConnection) -> Dialect {
        Dialect(match conn {
            DbConnection::Postgres(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        })
    }

    /// The `n`th bind parameter (from 1).
    pub fn param(self, n: usize) -> String {
        match self.0 {
            Backend::Postgres => format!("${n}"),
            Backend::Sqlite => "?".to_owned(),
        }
    }

    /// What ends a subquery so the planner keeps it apart (computing each of its columns once per
    /// row) instead of merging it into the query around it.
    pub fn subquery_fence(self) -> &'static str {
        match self.0 {
            Backend::Postgres => "OFFSET 0",
            Backend::Sqlite => "LIMIT -1 OFFSET 0",
        }
    }

    /// Aggregates per goal of `g` (a table of goals in scope, one row per goal id) over rows that
    /// `rows` selects for it, as rows `goal_id, <g_columns>, <aggregates>` for the goals with at
    /// least one row or for which `keep` (an expression over `g`) holds; a goal without rows has
    /// a count of 0 or none and no other aggregates (`aggregates` must name its count `n`).
    /// `rows` is given its `FROM` clause's tables (`readings r` among them) and must keep
    /// `r.goal_id = g.id` in its `WHERE`.
    ///
    /// PostgreSQL takes each goal's rows in a `LATERAL` subquery, so they are found through the
    /// readings' index whatever the planner estimates: planned as one join, with the estimate
    /// taken from the table as a whole (rows divided by goals), a goal holding most of the
    /// readings made it read the whole table on every scorecard (beside a draft goal's 160,000
    /// readings: 108 statements a second as a join, 471 as `LATERAL`). SQLite has no `LATERAL`:
    /// a join grouped by goal, written `g CROSS JOIN readings r`, which SQLite takes as an order
    /// (goals outside, each goal's readings looked up by index inside): left to choose, it
    /// scanned the whole index of unrolled readings, every goal's, for each scorecard.
    pub fn per_goal(
        self,
        aggregates: &str,
        g_columns: &str,
        keep: &str,
        rows: impl Fn(&str) -> String,
    ) -> String {
        match self.0 {
            Backend::Postgres => format!(
                "SELECT g.id AS goal_id, {g_columns}, s.* FROM g CROSS JOIN LATERAL (
                    SELECT {aggregates} FROM ({rows}) per_reading
                 ) s WHERE s.n > 0 OR ({keep})",
                rows = rows("readings r")
            ),
            Backend::Sqlite => format!(
                "SELECT g.id AS goal_id, {g_columns}, s.* FROM g LEFT JOIN (
                    SELECT goal_id AS of_goal, {aggregates} FROM ({rows}) per_reading
                    GROUP BY goal_id
                 ) s ON s.of_goal = g.id WHERE s.n > 0 OR ({keep})",
                rows = rows("g CROSS JOIN readings r")
            ),
        }
    }

    /// A boolean expression: whether this transaction has goal `id`'s roll-up (an SQL
    /// expression) to itself, for as long as it runs. On PostgreSQL the transaction-level
    /// advisory lock of [`hold_goal`], taken without waiting: a roll-up finding another, or a
    /// correction, at work on the goal skips it for now. On SQLite the one writer already
    /// excludes every other.
    pub fn try_rollup_lock(self, id: &str) -> String {
        match self.0 {
            Backend::Postgres => {
                format!("pg_try_advisory_xact_lock({ROLLUP_LOCK_SPACE}, hashtext({id}))")
            }
            Backend::Sqlite => "TRUE".to_owned(),
        }
    }

    /// The least-squares sums of `y` over `x` as aggregates over a group's rows, named `n`,
    /// `mean_x`, `mean_y`, `sxx` (sum of squared deviations of x from its mean) and `sxy` (sum of
    /// products of both deviations): what a line fit needs, already centred.
    ///
    /// PostgreSQL's `regr_*` aggregates share one accumulator for identical arguments (one
    /// update per row for all five, where `COUNT` and four `SUM`s were five) and centre as they
    /// go (Youngs-Cramer), so large x do not cancel. SQLite has no such aggregates: plain sums,
    /// centred at the end, which stays exact enough because `y` is taken relative to a value
    /// near it (the baseline) and x counts days since the goal's start.
    pub fn line_sums(self, y: &str, x: &str) -> String {
        match self.0 {
            Backend::Postgres => format!(
                "regr_count({y}, {x}) AS n, regr_avgx({y}, {x}) AS mean_x, \
                 regr_avgy({y}, {x}) AS mean_y, regr_sxx({y}, {x}) AS sxx, \
                 regr_sxy({y}, {x}) AS sxy"
            ),
            Backend::Sqlite => format!(
                "COUNT(*) AS n, SUM({x}) / COUNT(*) AS mean_x, SUM({y}) / COUNT(*) AS mean_y, \
                 SUM({x} * {x}) - SUM({x}) * SUM({x}) / COUNT(*) AS sxx, \
                 SUM({x} * {y}) - SUM({x}) * SUM({y}) / COUNT(*) AS sxy"
            ),
        }
    }

    /// Whole seconds since 1970 (rounded down) of a timestamp or date expression, as an integer.
    pub fn epoch_seconds(self, expr: &str) -> String {
        match self.0 {
            Backend::Postgres => {
                // date_part gives a double (EXTRACT a numeric, ten times slower); whole seconds
                // since 1970 are exact in a double.
                format!("CAST(FLOOR(date_part('epoch', CAST({expr} AS TIMESTAMP))) AS BIGINT)")
            }
            // The same whole seconds as `strftime('%s', …)` (both are `iJD/1000` less the
            // epoch's day, rounded down before 1970 too) without formatting them as text and
            // parsing that back: half the SQLite scorecard's aggregate went there.
            Backend::Sqlite => format!("unixepoch({expr})"),
        }
    }
}

/// The change-log rows a feed reader may see now: on PostgreSQL, only rows of transactions older
/// than the oldest one still running (a row's position starts with its transaction id, see the
/// `changes_in_commit_order` migration), so no transaction still in flight can later commit a
/// position below one already read; on SQLite, with one writer, every committed row.
pub(crate) fn settled_changes(
    conn: &DbConnection,
) -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(match conn {
        DbConnection::Postgres(_) => {
            "changes.position < ((pg_snapshot_xmin(pg_current_snapshot())::text::bigint) << 20)"
        }
        DbConnection::Sqlite(_) => "1 = 1",
    })
}

/// How far the changes feed lags, in seconds: on PostgreSQL, how long the oldest write
/// transaction still running has been open (its changes, and every later one, wait for it; see
/// [`settled_changes`]); on SQLite, with one writer, nothing.
pub fn feed_lag_seconds(conn: &mut DbConnection) -> Result<f64, StoreError> {
    #[derive(diesel::QueryableByName)]
    struct Lag {
        #[diesel(sql_type = diesel::sql_types::Double)]
        seconds: f64,
    }
    match conn {
        DbConnection::Postgres(_) => Ok(diesel::sql_query(
            "SELECT COALESCE(EXTRACT(EPOCH FROM now() - MIN(xact_start))::float8, 0) AS seconds
             FROM pg_stat_activity WHERE backend_xid IS NOT NULL",
        )
        .get_result::<Lag>(conn)?
        .seconds),
        DbConnection::Sqlite(_) => Ok(0.0),
    }
}

/// Whether a transaction is open on the connection.
pub fn in_transaction(conn: &mut DbConnection) -> bool {
    type Manager = <DbConnection as Connection>::TransactionManager;
    Manager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .is_ok_and(|depth| depth.is_some())
}

/// Copies what the WAL holds into the database file as far as no reader still needs it, without
/// waiting for readers or blocking the writer (SQLite's `PASSIVE` checkpoint). Nothing to do on
/// PostgreSQL, which checkpoints by itself.
pub fn checkpoint(conn: &mut DbConnection) -> StoreResult<()> {
    if let DbConnection::Sqlite(sqlite) = conn {
        sqlite.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")?;
    }
    Ok(())
}

/// How many transactions and savepoints are open on the connection (0 outside any).
pub fn transaction_depth(conn: &mut DbConnection) -> StoreResult<u32> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    Ok(Manager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .map_or(0, |depth| depth.get()))
}

/// Rolls back the savepoints open above `depth`: what a unit of work that panicked inside a
/// batch's transaction left behind, so the batch can go on without its writes.
pub fn roll_back_to_depth(conn: &mut DbConnection, depth: u32) -> StoreResult<()> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    while transaction_depth(conn)? > depth {
        Manager::rollback_transaction(conn)?;
    }
    Ok(())
}

/// Runs `f` in a write transaction; nested calls become savepoints.
///
/// On SQLite a deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
/// another writer got in between; `BEGIN IMMEDIATE` takes the write lock up front and queues
/// instead. PostgreSQL writers run side by side (rules that count rows lock what they count, see
/// [`lock_partnership`]; the change log stays in commit order without a lock, see
/// [`settled_changes`]).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<StoreError>,
{
    type Manager = <DbConnection as Connection>::TransactionManager;
    let fail = |e: diesel::result::Error| E::from(StoreError::from(e));
    let nested = Manager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(fail)?
        .is_some();
    match conn {
        DbConnection::Sqlite(inner) if !nested => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE").map_err(fail)?
        }
        _ => Manager::begin_transaction(conn).map_err(fail)?,
    }
    match f(conn) {
        Ok(value) => {
            if let Err(commit_err) = Manager::commit_transaction(conn) {
                let _ = Manager::rollback_transaction(conn);
                return Err(fail(commit_err));
            }
            Ok(value)
        }
        Err(err) => {
            let _ = Manager::rollback_transaction(conn);
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_scheme_only() {
        assert_eq!(Backend::from_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::from_url("tandem.db"), Backend::Sqlite);
        assert_eq!(Backend::from_url("sqlite:///tmp/x.db"), Backend::Sqlite);
        assert_eq!(Backend::from_url("/var/lib/postgres.db"), Backend::Sqlite);
    }

    #[test]
    fn sqlite_connections_get_pragmas_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.db").display().to_string();
        let pool = connect(&url, 2).unwrap();
        let mut conn = pool.get().unwrap();
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            foreign_keys: i32,
        }
        let row: Row = diesel::sql_query("PRAGMA foreign_keys")
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(row.foreign_keys, 1);
        #[derive(diesel::QueryableByName)]
        struct Cache {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            cache_size: i32,
        }
        let cache: Cache = diesel::sql_query("PRAGMA cache_size")
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(cache.cache_size, -512, "512 KiB per connection");
        #[derive(diesel::QueryableByName)]
        struct Backstop {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            wal_autocheckpoint: i32,
        }
        let backstop: Backstop = diesel::sql_query("PRAGMA wal_autocheckpoint")
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(
            backstop.wal_autocheckpoint, 10_000,
            "commits checkpoint only when the background checkpoints fall behind"
        );
        checkpoint(&mut conn).unwrap();
        // A second run applies nothing.
        assert!(run_migrations(&mut conn).unwrap().is_empty());
    }

    /// PostgreSQL only; the CI's PostgreSQL pass runs it.
    #[test]
    fn postgres_connections_run_without_jit_compilation() {
        let db = crate::testing::TestDatabase::fresh();
        if db.backend() != "postgres" {
            return;
        }
        let pool = connect(&db.url, 1).unwrap();
        #[derive(diesel::QueryableByName)]
        struct Jit {
            #[diesel(sql_type = diesel::sql_types::Text)]
            jit: String,
        }
        let mut conn = pool.get().unwrap();
        let jit: Jit = diesel::sql_query("SHOW jit")
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(
            jit.jit, "off",
            "compiling a plan costs more than running it"
        );
    }

    /// No `SELECT 1` on check-out: a connection the server dropped is found by its own failed
    /// statement and replaced, so one request fails and the next works. PostgreSQL only (an
    /// SQLite file cannot go away); the CI's PostgreSQL pass runs it.
    #[test]
    fn a_connection_the_server_dropped_is_replaced_after_its_first_failure() {
        let db = crate::testing::TestDatabase::fresh();
        if db.backend() != "postgres" {
            return;
        }
        let pool = connect(&db.url, 1).unwrap();
        #[derive(diesel::QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        let pid = {
            let mut conn = pool.get().unwrap();
            diesel::sql_query("SELECT pg_backend_pid() AS pid")
                .get_result::<Pid>(&mut *conn)
                .unwrap()
                .pid
        };
        let mut admin = PgConnection::establish(&db.url).unwrap();
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut admin)
            .unwrap();
        std::thread::sleep(Duration::from_millis(200));
        {
            let mut conn = pool.get().unwrap();
            assert!(
                ping(&mut conn).is_err(),
                "the dropped connection fails once"
            );
        }
        let mut conn = pool.get().unwrap();
        let again: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result(&mut *conn)
            .unwrap();
        assert_ne!(again.pid, pid, "a new connection replaced it");
    }

    #[test]
    fn failed_write_transaction_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.db").display().to_string();
        let pool = connect(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        let result: Result<(), StoreError> = write_transaction(&mut conn, |c| {
            crate::settings::insert(c, "k", "v", chrono::NaiveDateTime::default())?;
            Err(StoreError::Stale)
        });
        assert!(result.is_err());
        assert_eq!(crate::settings::get(&mut conn, "k").unwrap(), None);
    }
}
