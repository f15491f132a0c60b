//! Background jobs: delivering webhooks from the outbox, and announcing what came due (open
//! commitments reaching their day, fit reviews falling due). Every instance may run them; claims
//! and announcements are made in transactions that let only one instance win.

pub mod delivery;
pub mod due;
pub mod mail;
pub mod rollups;

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use tandem_store::{DbConnection, StoreResult};

use crate::{App, AppResult};

/// A store query: whether anything is due at this instant.
type AnyDue = fn(&mut DbConnection, NaiveDateTime) -> StoreResult<bool>;

/// A store claim: up to `limit` items due at `now`, leased to this worker until `lease_until`.
type ClaimDue<T> = fn(&mut DbConnection, NaiveDateTime, NaiveDateTime, i64) -> StoreResult<Vec<T>>;

/// Claims up to `limit` due items for `lease`. Whether anything is due is a read on the pool (most
/// polls find nothing); only then does the claim queue as a write like any other, so on SQLite it
/// waits for the one writer rather than race the requests for SQLite's lock.
async fn claim_due<T: Send + 'static>(
    app: &App,
    any_due: AnyDue,
    claim: ClaimDue<T>,
    lease: chrono::Duration,
    limit: i64,
) -> AppResult<Vec<T>> {
    let due = app
        .read(move |tx| Ok(any_due(tx.conn, tx.now().naive_utc())?))
        .await?;
    if !due {
        return Ok(Vec::new());
    }
    app.write(move |tx| {
        let now = tx.now().naive_utc();
        Ok(claim(tx.conn, now, now + lease, limit)?)
    })
    .await
}

/// Runs the jobs until the task is dropped: due announcements every `due_scan_secs`, webhook
/// deliveries every `poll_ms` (at once again while batches come back full), and — when email is
/// configured — the email outbox beside them. Roll-ups run on their own ([`rollups::run`]).
pub async fn run(app: App, mailer: Option<mail::Mailer>) {
    match mailer {
        Some(mailer) => {
            tokio::join!(webhooks_and_due(app.clone()), mail::run(app, mailer));
        }
        None => webhooks_and_due(app).await,
    }
}

async fn webhooks_and_due(app: App) {
    let http = delivery::client(app.settings());
    let settings = app.settings().webhooks.clone();
    let poll = Duration::from_millis(settings.poll_ms.max(10));
    let scan_every = Duration::from_secs(settings.due_scan_secs.max(1));
    let mut last_scan: Option<Instant> = None;
    loop {
        if last_scan.is_none_or(|t| t.elapsed() >= scan_every) {
            last_scan = Some(Instant::now());
            if let Err(e) = due::announce(&app).await {
                tracing::warn!(error = %e, "announcing due commitments and reviews failed");
            }
        }
        match delivery::drain_once(&app, &http).await {
            // A full batch: there may be more waiting, go again at once.
            Ok(n) if n == delivery::BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook delivery round failed"),
        }
        tokio::time::sleep(poll).await;
    }
}
