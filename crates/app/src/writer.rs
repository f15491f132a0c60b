//! SQLite's one writer, with group commit.
//!
//! SQLite admits one write transaction at a time. Rather than let pooled connections race for it
//! (and sleep in SQLite's busy handler, whose sleeps of up to 100 ms made the tail latency), write
//! units queue in the process for one thread that runs them back to back, first come first served,
//! holding no connection while they wait. Whatever queued while one batch ran goes into the next
//! as one transaction: each unit in a savepoint of its own, so a unit that fails or refuses leaves
//! no trace and the others go on, and one commit (one WAL append, one round of file locks) for them
//! all. A unit's answer is given only once its batch's fate is known: a unit that succeeded but
//! whose batch failed to commit gets that failure, so nothing is reported written that is not.
//! Units see the writes of the units before them, exactly as if they had committed one by one.
//!
//! Copying the WAL into the database file (a checkpoint) is left to a second thread, nudged after
//! each commit: run by the commit that crossed SQLite's threshold, it stalled every write queued
//! behind it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use tandem_store::{DbConnection, Pool};

use crate::AppError;

/// The most units one transaction commits: enough to take what queues at 16 concurrent writers
/// twice over, few enough that the first unit's answer does not wait long for the last.
const MAX_BATCH: usize = 32;

/// How long the checkpointer lets commits gather after a nudge, so one checkpoint (and its fsyncs)
/// serves many of them; the WAL meanwhile grows by what commits in that time.
const CHECKPOINT_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// A unit of work as the writer runs it: given the batch's connection (or `None` when the batch
/// could not begin), it runs and returns how to answer once the batch is settled.
type Unit = Box<dyn FnOnce(Option<&mut DbConnection>) -> Settle + Send>;

/// Answers a unit's caller: `Ok` when its batch committed, or why the batch did not.
type Settle = Box<dyn FnOnce(Result<(), AppError>) + Send>;

/// The queue to SQLite's writer thread. The thread ends when the last handle is dropped.
pub(crate) struct Writer {
    units: mpsc::Sender<Unit>,
}

impl Writer {
    /// Starts the writer thread over `pool`, and its checkpointer; each checks a connection out
    /// when it has work, so readers keep the pool while no write runs.
    pub(crate) fn start(pool: Pool) -> std::io::Result<Self> {
        let (units, queue) = mpsc::channel();
        let nudge = start_checkpointer(pool.clone())?;
        std::thread::Builder::new()
            .name("tandem-writer".into())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(unit) => batch.push(unit),
                            Err(_) => break,
                        }
                    }
                    if commit(&pool, batch) {
                        // One nudge waiting is enough: it covers every commit before it runs.
                        let _ = nudge.try_send(());
                    }
                }
            })?;
        Ok(Writer { units })
    }

    /// Queues `unit` for the next batch and waits for its answer, given once the batch committed.
    pub(crate) async fn run<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<AppError> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let queued: Unit = Box::new(move |conn| {
            let ran = conn.map(unit);
            Box::new(move |batch| {
                let _ = answer.send(match (ran, batch) {
                    (Some(Err(refused)), _) => Err(refused),
                    (Some(Ok(value)), Ok(())) => Ok(value),
                    (_, Err(failed)) => Err(E::from(failed)),
                    (None, Ok(())) => Err(E::from(AppError::Internal(
                        "a write unit was settled without running".into(),
                    ))),
                });
            })
        });
        self.units
            .send(queued)
            .map_err(|_| E::from(AppError::Internal("the writer thread has stopped".into())))?;
        answered.await.map_err(|_| {
            E::from(AppError::Internal(
                "a write unit panicked; its writes were rolled back".into(),
            ))
        })?
    }
}

/// Copies the WAL into the database file after commits, off the write path. The thread ends
/// with the writer (when the nudging side is dropped).
fn start_checkpointer(pool: Pool) -> std::io::Result<mpsc::SyncSender<()>> {
    let (nudge, nudged) = mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("tandem-checkpointer".into())
        .spawn(move || {
            while nudged.recv().is_ok() {
                std::thread::sleep(CHECKPOINT_PAUSE);
                // Commits during the pause are covered by this checkpoint.
                while nudged.try_recv().is_ok() {}
                let done = crate::checkout(&pool)
                    .and_then(|mut conn| Ok(tandem_store::checkpoint(&mut conn)?));
                if let Err(e) = done {
                    tracing::warn!(error = %e, "a WAL checkpoint failed; the next commit retries it");
                }
            }
        })?;
    Ok(nudge)
}

/// Runs `batch` in one write transaction, each unit in its own savepoint, then answers each;
/// whether the batch committed.
fn commit(pool: &Pool, batch: Vec<Unit>) -> bool {
    let mut settles = Vec::with_capacity(batch.len());
    let mut units = batch.into_iter();
    let outcome = crate::checkout(pool).and_then(|mut conn| {
        tandem_store::write_transaction(&mut conn, |conn| {
            let depth = tandem_store::transaction_depth(conn)?;
            for unit in units.by_ref() {
                match catch_unwind(AssertUnwindSafe(|| unit(Some(&mut *conn)))) {
                    Ok(settle) => settles.push(settle),
                    // The unit's answer channel went with it: its caller hears of the panic.
                    Err(_) => tandem_store::roll_back_to_depth(conn, depth)?,
                }
            }
            Ok::<_, AppError>(())
        })
    });
    match &outcome {
        Ok(()) => crate::metrics::batched(settles.len()),
        Err(e) => tracing::error!(error = %e, ran = settles.len(), "a write batch did not commit"),
    }
    // Units the batch never reached (it could not begin) are told why without running.
    settles.extend(units.map(|unit| unit(None)));
    let committed = outcome.is_ok();
    for settle in settles {
        settle(outcome.clone());
    }
    committed
}
