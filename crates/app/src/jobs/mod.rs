//! Background jobs: delivering webhooks from the outbox, and announcing what came due (open
//! commitments reaching their day, fit reviews falling due). Every instance may run them; claims
//! and announcements are made in transactions that let only one instance win.

pub mod delivery;
pub mod due;
pub mod mail;

use std::time::{Duration, Instant};

use crate::App;

/// Runs the jobs until the task is dropped: due announcements every `due_scan_secs`, webhook
/// deliveries every `poll_ms` (at once again while batches come back full), and — when email is
/// configured — the email outbox beside them.
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
