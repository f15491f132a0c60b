//! Rolling up goals' readings in the background (`tandem_store::rollups`): a scorecard then sums
//! only each goal's readings recorded since its roll-up, so its cost stays flat as goals gather
//! history. Goals become due when enough readings have come in since their last roll-up, or when
//! it stopped holding (a correction or deletion, a changed start, baseline, direction, target or
//! time zone). Each goal is rolled up in a transaction of its own; several instances may run the
//! job, and the goal's lock lets one at a time roll it.

use std::time::Duration;

use chrono_tz::Tz;
use tandem_store::rollups::{self, Rolled};

use crate::progress::{offset_table, utc_offsets};
use crate::{App, AppResult, Tx, metrics};

/// Goals rolled up per round at most; a full round goes again at once.
pub const BATCH: i64 = 100;

/// Runs the job until the task is dropped: roll-ups made under time-zone rules this build no
/// longer carries are marked stale once, then goals due a roll-up are looked for every
/// `RollupSettings::every_ms`.
pub async fn run(app: App) {
    if let Err(e) = mark_outdated_zone_rules(&app).await {
        tracing::warn!(error = %e, "checking roll-ups' time-zone rules failed");
    }
    let every = Duration::from_millis(app.settings().rollups.every_ms.max(10));
    loop {
        match roll_up_due(&app).await {
            Ok(round) if round.rolled == BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "rolling up readings failed"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Marks stale the roll-ups summed under rules of their zone other than this build's (a new
/// release of the time-zone data moved a change); how many.
pub async fn mark_outdated_zone_rules(app: &App) -> AppResult<usize> {
    let in_use = app.read(|tx| Ok(rollups::zones_in_use(tx.conn)?)).await?;
    let outdated: Vec<(String, String)> = in_use
        .into_iter()
        .filter_map(|(zone, rules)| {
            let current = offset_table(zone.parse().unwrap_or(Tz::UTC)).rules.clone();
            (current != rules).then_some((zone, current))
        })
        .collect();
    if outdated.is_empty() {
        return Ok(0);
    }
    app.write(move |tx| {
        let mut marked = 0;
        for (zone, rules) in &outdated {
            marked += rollups::mark_stale_under_other_rules(tx.conn, zone, rules)?;
        }
        Ok(marked)
    })
    .await
}

/// What one round of [`roll_up_due`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Goals rolled up.
    pub rolled: usize,
    /// Goals another instance was rolling up (skipped).
    pub busy: usize,
    /// Goals whose roll-up failed (logged; they stay due).
    pub failed: usize,
}

/// Rolls up the goals due one (at most [`BATCH`]), each in its own write transaction.
pub async fn roll_up_due(app: &App) -> AppResult<Round> {
    let settings = app.settings().rollups.clone();
    let due = app
        .read(move |tx| {
            let now = tx.now().naive_utc();
            let min = i64::from(settings.min_unrolled.max(1));
            Ok(rollups::due(tx.conn, now, min, BATCH)?)
        })
        .await?;
    let mut round = Round {
        rolled: 0,
        busy: 0,
        failed: 0,
    };
    for goal in due {
        let id = goal.goal_id.clone();
        match app
            .write(move |tx| roll_up(tx, &goal.goal_id, &goal.time_zone))
            .await
        {
            Ok(Rolled::Holds { summed, afresh, .. }) => {
                round.rolled += 1;
                metrics::rollup(if afresh { "afresh" } else { "extended" }, summed);
            }
            Ok(Rolled::Busy) => {
                round.busy += 1;
                metrics::rollup("busy", 0);
            }
            Err(e) => {
                round.failed += 1;
                metrics::rollup("failed", 0);
                tracing::warn!(goal = %id, error = %e, "rolling up a goal's readings failed");
            }
        }
    }
    Ok(round)
}

/// Rolls up goal `goal_id`'s readings observed by now, days counted in `time_zone` (its
/// partnership's, as stored).
pub fn roll_up(tx: &mut Tx<'_>, goal_id: &str, time_zone: &str) -> AppResult<Rolled> {
    let table = offset_table(time_zone.parse().unwrap_or(Tz::UTC));
    let now = tx.now();
    let zone = utc_offsets(time_zone, &table, now, now);
    Ok(rollups::roll_up(tx.conn, goal_id, now.naive_utc(), zone)?)
}
