//! What the application layer measures for `/metrics`: how long work waits for a database
//! connection, how webhook deliveries, emails and roll-ups end, and the gauges read at scrape time
//! (connections in use, the delivery queue's depth, how far the changes feed lags). The API
//! registers and serves them.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

use crate::{AppResult, Tx};

pub use tandem_store::metrics::{STATEMENT_ERRORS, STATEMENTS};

/// Seconds a unit of work waited for a pooled connection.
pub static POOL_WAIT: LazyLock<Histogram> =
    LazyLock::new(|| Histogram::new(exponential_buckets(0.000_05, 4.0, 10)));

/// Write units committed by each of SQLite's write transactions (group commit): how much one
/// WAL append and one round of locks is shared. PostgreSQL commits each unit alone.
pub static WRITE_BATCH: LazyLock<Histogram> =
    LazyLock::new(|| Histogram::new(exponential_buckets(1.0, 2.0, 6)));

/// How a webhook delivery try ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct DeliveryOutcome {
    /// `delivered`, `retrying` or `failed`.
    pub outcome: &'static str,
}

/// Webhook delivery tries by outcome.
pub static DELIVERIES: LazyLock<Family<DeliveryOutcome, Counter>> = LazyLock::new(Family::default);

/// Email send tries by outcome (`sent`, `retrying`, `failed`).
pub static EMAILS: LazyLock<Family<DeliveryOutcome, Counter>> = LazyLock::new(Family::default);

/// How a goal's roll-up ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RollupOutcome {
    /// `extended` (the tail summed into a roll-up that held), `afresh` (every rolled reading
    /// summed again: the roll-up had stopped holding), `busy` (another transaction held the
    /// goal) or `failed`.
    pub outcome: &'static str,
}

/// Goals' roll-ups by outcome: many `afresh` mean corrections keep setting roll-ups aside.
pub static ROLLUPS: LazyLock<Family<RollupOutcome, Counter>> = LazyLock::new(Family::default);

/// Readings summed by roll-ups (a roll-up summed afresh sums all its goal's): the job's work.
pub static ROLLUP_READINGS: LazyLock<Counter> = LazyLock::new(Counter::default);

/// Units of work sent to the blocking pool (each a thread hand-off and back): a request should
/// take one.
pub static BLOCKING_HOPS: LazyLock<Counter> = LazyLock::new(Counter::default);

/// Records a unit of work sent to the blocking pool.
pub(crate) fn hop() {
    BLOCKING_HOPS.inc();
}

/// Records how many units one SQLite write transaction committed.
pub(crate) fn batched(units: usize) {
    WRITE_BATCH.observe(units as f64);
}

/// Records a wait for a connection.
pub(crate) fn waited(for_connection: Duration) {
    POOL_WAIT.observe(for_connection.as_secs_f64());
}

/// Records how a delivery try ended.
pub(crate) fn delivery(outcome: &'static str) {
    DELIVERIES.get_or_create(&DeliveryOutcome { outcome }).inc();
}

/// Records how an email try ended.
pub(crate) fn email(outcome: &'static str) {
    EMAILS.get_or_create(&DeliveryOutcome { outcome }).inc();
}

/// Records how a goal's roll-up ended and how many readings it summed.
pub(crate) fn rollup(outcome: &'static str, summed: usize) {
    ROLLUPS.get_or_create(&RollupOutcome { outcome }).inc();
    ROLLUP_READINGS.inc_by(summed as u64);
}

/// Gauges read from the database when `/metrics` is scraped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gauges {
    /// Webhook deliveries waiting to be tried.
    pub queue_depth: i64,
    /// Seconds the changes feed lags: how long the oldest write transaction still running has been
    /// open (a change appears once every transaction older than it has ended); 0 on SQLite.
    pub feed_lag_seconds: f64,
}

/// Reads the gauges (two statements).
pub fn gauges(tx: &mut Tx<'_>) -> AppResult<Gauges> {
    Ok(Gauges {
        queue_depth: tandem_store::webhooks::pending_count(tx.conn)?,
        feed_lag_seconds: tandem_store::backend::feed_lag_seconds(tx.conn)?,
    })
}
