//! Tandem's use cases: who may do what, checked and written in one transaction.
//!
//! Every use case is a plain function taking a [`Tx`] — one database transaction, the instant it
//! runs at, and the settings — plus an [`Actor`] and its input; it checks every rule it guards
//! *inside* that transaction and returns domain or store values, or an [`AppError`] whose
//! refusals are named [`Rule`]s. The HTTP layer runs them with [`App::read`] or [`App::write`]
//! (on the blocking pool) and maps the answers to views; nothing here knows about HTTP.
//!
//! Time comes from the [`Clock`] the [`App`] was built with: use cases never read the system
//! clock (clippy's `disallowed-methods` enforces it), so every rule about "now" is testable.

pub mod actor;
pub mod changes;
pub mod check_ins;
pub mod cohort_reports;
pub mod cohorts;
pub mod commitments;
pub mod error;
pub mod events;
pub mod export;
pub mod fit_reviews;
pub mod goals;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod kudos;
pub mod matching_profiles;
pub mod meetings;
pub mod metrics;
pub mod milestones;
pub mod notifications;
pub mod partnerships;
pub mod progress;
pub mod proposals;
pub mod readings;
pub mod refresh;
pub mod reports;
pub mod tokens;
pub mod webhooks;
pub mod wins;
mod writer;

use std::sync::Arc;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use tandem_store::{DbConnection, Pool};

pub use actor::{Actor, Principal};
pub use error::{AppError, FieldIssue, Rule};

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, cut to the microsecond both databases keep, so that what a create returns is
/// exactly what a later read returns. The one place the service reads the time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        to_micros(Utc::now())
    }
}

/// An instant cut to the microsecond, so it reads back exactly as stored.
pub fn to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

/// Settings the use cases and jobs need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a sign-in session's refresh token lives, seconds.
    pub refresh_token_ttl_secs: u32,
    /// Webhook targets and delivery.
    pub webhooks: WebhookSettings,
    /// Email: `None` when no SMTP server is configured (nothing is queued or sent).
    pub mail: Option<MailSettings>,
    /// How long before a meeting its pre-read goes out (`meeting.upcoming`, and the email).
    pub pre_read_hours: u32,
    /// Accounts holding the admin role by configuration (besides those granted it in the
    /// database), compared case-insensitively.
    pub admin_emails: Vec<String>,
    /// How goals' readings are rolled up in the background (`jobs::rollups`).
    pub rollups: RollupSettings,
}

/// How often, and from how many new readings on, a goal's readings are rolled up
/// (`jobs::rollups`): a scorecard sums at most about `min_unrolled` readings per goal beside its
/// roll-up, plus those recorded in the last `every_ms`.
#[derive(Debug, Clone)]
pub struct RollupSettings {
    /// How often goals due a roll-up are looked for, milliseconds.
    pub every_ms: u64,
    /// Readings not yet rolled up that make a goal due.
    pub min_unrolled: u32,
}

impl Default for RollupSettings {
    fn default() -> Self {
        RollupSettings {
            every_ms: 2_000,
            min_unrolled: 64,
        }
    }
}

impl Default for Settings {
    /// The service's defaults: refresh tokens live 30 days.
    fn default() -> Self {
        Settings {
            refresh_token_ttl_secs: 30 * 24 * 3600,
            webhooks: WebhookSettings::default(),
            mail: None,
            pre_read_hours: 24,
            admin_emails: Vec::new(),
            rollups: RollupSettings::default(),
        }
    }
}

/// Where email goes and what it says about where Tandem is.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The SMTP server: `smtp://[user:pass@]host[:port]?tls=starttls` (or `tls=required`;
    /// `tls=opportunistic`), `smtps://…` (implicit TLS), plain `smtp://host:port` for development.
    pub smtp_url: String,
    /// Extra certificate authorities (PEM) trusted for the SMTP server.
    pub ca_file: Option<std::path::PathBuf>,
    /// The `From` mailbox, e.g. `Tandem <tandem@example.com>`.
    pub from: String,
    /// The base of links in emails, e.g. `https://tandem.example.com`.
    pub public_url: String,
    /// How often the worker looks for due emails, milliseconds.
    pub poll_ms: u64,
    /// The wait after a first failure, milliseconds (doubling, capped at six hours).
    pub retry_base_ms: u64,
    /// Tries per email.
    pub max_attempts: u32,
}

impl MailSettings {
    /// How failed sends are retried.
    pub fn retry_policy(&self) -> tandem_domain::webhook::RetryPolicy {
        tandem_domain::webhook::RetryPolicy {
            base: chrono::Duration::milliseconds(self.retry_base_ms as i64),
            max_attempts: self.max_attempts,
            ..tandem_domain::webhook::RetryPolicy::default()
        }
    }
}

/// Where webhooks may go and how hard Tandem tries to deliver them.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Plain `http://` targets allowed (development only).
    pub allow_http: bool,
    /// Loopback, private and link-local targets allowed.
    pub allow_private: bool,
    /// How often the worker looks for due deliveries, milliseconds.
    pub poll_ms: u64,
    /// How often time-driven events are looked for, seconds.
    pub due_scan_secs: u64,
    /// The wait after a first failure, milliseconds (doubling, capped at six hours).
    pub retry_base_ms: u64,
    /// Tries per delivery.
    pub max_attempts: u32,
    /// How long a receiver may take, milliseconds.
    pub timeout_ms: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_http: false,
            allow_private: false,
            poll_ms: 1000,
            due_scan_secs: 60,
            retry_base_ms: 30_000,
            max_attempts: 12,
            timeout_ms: 10_000,
        }
    }
}

impl WebhookSettings {
    /// Where targets may point.
    pub fn target_policy(&self) -> tandem_domain::webhook::TargetPolicy {
        tandem_domain::webhook::TargetPolicy {
            allow_http: self.allow_http,
            allow_private: self.allow_private,
        }
    }

    /// How failing deliveries are retried.
    pub fn retry_policy(&self) -> tandem_domain::webhook::RetryPolicy {
        tandem_domain::webhook::RetryPolicy {
            base: chrono::Duration::milliseconds(self.retry_base_ms.min(i64::MAX as u64) as i64),
            cap: chrono::Duration::hours(6),
            max_attempts: self.max_attempts.max(1),
        }
    }
}

/// One unit of work: a connection (inside a transaction for writes), the instant the work runs
/// at (read once, so every rule in it sees the same "now"), and the settings.
pub struct Tx<'a> {
    /// The connection.
    pub conn: &'a mut DbConnection,
    now: DateTime<Utc>,
    settings: &'a Settings,
}

impl<'a> Tx<'a> {
    /// A unit of work on `conn` at `now`; for tests and jobs that hold a connection already.
    pub fn new(conn: &'a mut DbConnection, now: DateTime<Utc>, settings: &'a Settings) -> Self {
        Tx {
            conn,
            now,
            settings,
        }
    }

    /// The instant this work runs at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        self.settings
    }

    /// Runs `f` in a nested transaction (a savepoint): all or nothing within this one.
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> AppResult<T>) -> AppResult<T> {
        let (now, settings) = (self.now, self.settings);
        tandem_store::write_transaction(self.conn, |conn| f(&mut Tx::new(conn, now, settings)))
    }
}

/// The application: a database pool, a clock and settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pool: Pool,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    writer: Option<Arc<writer::Writer>>,
}

impl App {
    /// An application over `pool` (a database of `backend`).
    ///
    /// SQLite admits one writer at a time: write units queue in the process for one thread that
    /// commits them in batches (module `writer`), rather than in SQLite's busy handler; readers
    /// keep the pool meanwhile. PostgreSQL writers run side by side, each in its own transaction.
    ///
    /// # Panics
    /// When the operating system refuses to start SQLite's writer thread.
    pub fn new(
        pool: Pool,
        backend: tandem_store::Backend,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Self {
        let writer = (backend == tandem_store::Backend::Sqlite).then(|| {
            Arc::new(writer::Writer::start(pool.clone()).expect("start the SQLite writer"))
        });
        App {
            pool,
            clock,
            settings: Arc::new(settings),
            writer,
        }
    }

    /// The current instant, from the app's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Runs a read-only use case on a pooled connection, on the blocking pool (diesel blocks).
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut Tx<'_>) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, now, settings) = (self.pool.clone(), self.now(), self.settings.clone());
        blocking(move || {
            let mut conn = checkout(&pool)?;
            f(&mut Tx::new(&mut conn, now, &settings))
        })
        .await
    }

    /// Runs a read-only use case for `who`, confirming their credential on the same connection
    /// first (one blocking hop for both).
    pub async fn read_by<T, F>(&self, who: &Principal, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut Tx<'_>, &Actor) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let who = who.clone();
        self.read(move |tx| {
            let actor = who.confirm(tx)?;
            f(tx, &actor)
        })
        .await
    }

    /// Runs a use case for `who` in one write transaction that first confirms their credential.
    pub async fn write_by<T, F>(&self, who: &Principal, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut Tx<'_>, &Actor) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.write_by_as(who, f).await
    }

    /// Like [`App::write_by`], under the caller's own error type (see [`App::write_as`]). The
    /// credential is confirmed on the transaction's connection just before it begins: the same
    /// hop, and nothing added inside the transaction.
    pub async fn write_by_as<T, E, F>(&self, who: &Principal, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Tx<'_>, &Actor) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<AppError> + Send + 'static,
    {
        let who = who.clone();
        self.write_after(
            move |tx| who.confirm(tx).map_err(E::from),
            move |tx, actor| f(tx, &actor),
        )
        .await
    }

    /// Runs a use case in one write transaction: its checks and its writes commit together, or
    /// nothing is written.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut Tx<'_>) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.write_as(f).await
    }

    /// Like [`App::write`], for a caller composing use cases with work of its own (the HTTP
    /// layer's idempotency records) under its own error type.
    pub async fn write_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<AppError> + Send + 'static,
    {
        self.write_after(|_| Ok(()), move |tx, ()| f(tx)).await
    }

    /// Runs `before` on a connection, then `f` with its answer in one write transaction on the
    /// same connection, in one blocking hop (on SQLite, in the writer's next batch, `f` in a
    /// savepoint of its own).
    async fn write_after<A, T, E, B, F>(&self, before: B, f: F) -> Result<T, E>
    where
        B: FnOnce(&mut Tx<'_>) -> Result<A, E> + Send + 'static,
        F: FnOnce(&mut Tx<'_>, A) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<AppError> + Send + 'static,
    {
        /// Carries the caller's error through the store's transaction.
        struct Via<E>(E);
        impl<E: From<AppError>> From<tandem_store::StoreError> for Via<E> {
            fn from(e: tandem_store::StoreError) -> Self {
                Via(E::from(AppError::from(e)))
            }
        }
        let (now, settings) = (self.now(), self.settings.clone());
        let unit = move |conn: &mut DbConnection| {
            let answer = before(&mut Tx::new(conn, now, &settings))?;
            tandem_store::write_transaction(conn, |conn| {
                f(&mut Tx::new(conn, now, &settings), answer).map_err(Via)
            })
            .map_err(|Via(e)| e)
        };
        metrics::hop();
        if let Some(writer) = &self.writer {
            return writer.run(unit).await;
        }
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = checkout(&pool).map_err(E::from)?;
            unit(&mut conn)
        })
        .await
        .map_err(|e| E::from(AppError::Internal(format!("blocking task failed: {e}"))))?
    }

    /// Runs CPU-heavy work (password hashing) on the blocking pool.
    pub async fn compute<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        blocking(move || Ok(f())).await
    }

    /// The pool, for its gauges and for tests that hold a transaction of their own. Work writes
    /// through [`App::write`]: on SQLite a transaction begun on a pooled connection bypasses the
    /// writer's queue and waits for SQLite's lock in its busy handler.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// A pooled connection, its wait measured.
fn checkout(pool: &Pool) -> AppResult<tandem_store::PooledConnection> {
    let started = std::time::Instant::now();
    let conn = pool.get().map_err(tandem_store::StoreError::from)?;
    metrics::waited(started.elapsed());
    Ok(conn)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    metrics::hop();
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}

/// The pool size when none is configured: 10 on PostgreSQL, 4 on SQLite. SQLite writes one
/// transaction at a time (queued in the process) and its reads compete for the cores, so more
/// connections only add a page cache and prepared statements each: 10 left the server at 105 MiB
/// after the benchmark, 4 at 74 MiB, at the same throughput.
pub fn default_pool_size(url: &str) -> u32 {
    match tandem_store::Backend::from_url(url) {
        tandem_store::Backend::Postgres => 10,
        tandem_store::Backend::Sqlite => 4,
    }
}

/// Opens the database on `url` (applying pending migrations) and builds the application on it.
/// Blocking: call it before serving, or on the blocking pool.
pub fn connect(
    url: &str,
    pool_size: u32,
    clock: Arc<dyn Clock>,
    settings: Settings,
) -> AppResult<App> {
    let pool = tandem_store::connect(url, pool_size).map_err(|e| match e {
        tandem_store::StoreError::Unavailable(e) => AppError::Unavailable(e),
        other => AppError::Internal(other.to_string()),
    })?;
    Ok(App::new(
        pool,
        tandem_store::Backend::from_url(url),
        clock,
        settings,
    ))
}

/// Applies pending migrations on `url` and returns.
pub fn migrate(url: &str) -> AppResult<()> {
    tandem_store::connect(url, 1)
        .map(|_| ())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether the database answers (readiness probes).
pub fn ping(tx: &mut Tx<'_>) -> AppResult<()> {
    Ok(tandem_store::backend::ping(tx.conn)?)
}

/// A new id: UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_pools_default_to_four_connections_and_postgresql_to_ten() {
        assert_eq!(super::default_pool_size("sqlite:///tmp/t.db"), 4);
        assert_eq!(super::default_pool_size("tandem.db"), 4);
        assert_eq!(super::default_pool_size("postgres://u@h/db"), 10);
        assert_eq!(super::default_pool_size("postgresql://u@h/db"), 10);
    }
}
