//! Readings: the numbers behind goals, from people, integrations and spreadsheets. Only a goal's
//! owner records and corrects them; both partners read them. Re-sending an `external_id` returns
//! the reading already recorded. Corrections and deletions keep history.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use tandem_domain::events::{EventData, ReadingRecorded};
use tandem_domain::reading::{RevisionAction, check_observed_at};
use tandem_store::backend::WriteTarget;
use tandem_store::readings;
pub use tandem_store::readings::{GoalReading, Inserted, Reading, ReadingFilter, Revision};

use crate::goals::{FieldChange, json};
use crate::{Actor, AppError, AppResult, Rule, Tx, new_id};

/// A new reading.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReading {
    /// The observed value.
    pub value: f64,
    /// When it was observed.
    pub observed_at: DateTime<Utc>,
    /// A note.
    pub note: Option<String>,
    /// Where it came from (default `manual`).
    pub source: Option<String>,
    /// The sender's own id for it.
    pub external_id: Option<String>,
}

/// Refuses an `observed_at` in the future (beyond the clock skew), naming the field at `pointer`.
pub fn not_in_the_future(tx: &Tx<'_>, observed_at: DateTime<Utc>, pointer: &str) -> AppResult<()> {
    check_observed_at(observed_at, tx.now())
        .map_err(|e| AppError::field(pointer, "in_the_future", e.to_string()))
}

/// The actor's goal `goal_id`, locked against status changes for the rest of the transaction, if
/// it takes readings (a draft or an active goal).
pub fn recordable(tx: &mut Tx<'_>, actor: &Actor, goal_id: &str) -> AppResult<WriteTarget> {
    let target = tandem_store::backend::goal_for_writing(tx.conn, goal_id, actor.member())?;
    if target.owner_id != actor.id {
        return Err(AppError::refused(
            Rule::OwnerOnly,
            "only the goal's owner records its readings",
        ));
    }
    crate::goals::require_status_open(target.status, "it takes no more readings")?;
    Ok(target)
}

/// Records a reading of the actor's goal and announces `reading.recorded`, checked and written
/// in the caller's transaction. A re-sent `external_id` finds the reading already recorded and
/// announces nothing.
///
/// Three statements when no webhook listens: the goal with its partnership (locked), the reading,
/// its line in the change log.
pub fn record(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    new: &NewReading,
) -> AppResult<Inserted> {
    not_in_the_future(tx, new.observed_at, "observed_at")?;
    let target = recordable(tx, actor, goal_id)?;
    let now = tx.now().naive_utc();
    let reading = Reading {
        id: new_id(),
        goal_id: target.goal_id.clone(),
        value: new.value,
        observed_at: crate::to_micros(new.observed_at).naive_utc(),
        note: new.note.clone(),
        source: new.source.clone().unwrap_or_else(|| "manual".into()),
        external_id: new.external_id.clone(),
        recorded_by: actor.id.clone(),
        deleted_at: None,
        delete_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let inserted = readings::insert(tx.conn, &reading, &target.partnership_id)?;
    if let (Inserted::Created(r), true) = (&inserted, target.heard) {
        let goal = tandem_store::goals::find(tx.conn, &target.goal_id)?;
        crate::events::publish(
            tx,
            &target.partnership_id,
            EventData::ReadingRecorded(ReadingRecorded {
                goal: crate::events::goal_ref(&goal),
                reading: crate::events::reading(r),
            }),
        )?;
    }
    Ok(inserted)
}

/// Records many readings in one transaction, each on its own: an item that fails leaves the others
/// stored. Returns each item's outcome by its index.
pub fn record_batch(
    tx: &mut Tx<'_>,
    actor: &Actor,
    items: Vec<(usize, String, NewReading)>,
) -> AppResult<Vec<(usize, AppResult<Inserted>)>> {
    let mut out = Vec::with_capacity(items.len());
    for (index, goal_id, new) in items {
        let outcome = tx.nested(|tx| record(tx, actor, &goal_id, &new));
        match outcome {
            Err(e @ (AppError::Internal(_) | AppError::Unavailable(_))) => return Err(e),
            other => out.push((index, other)),
        }
    }
    Ok(out)
}

/// A page of a goal's readings in recording order.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    goal_id: &str,
    filter: &ReadingFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Reading>> {
    crate::goals::visible(tx, actor, goal_id)?;
    Ok(readings::list(tx.conn, goal_id, filter, after, limit)?)
}

/// A reading the actor may see (deleted ones included, flagged).
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Reading> {
    let reading = readings::find(tx.conn, id)?;
    crate::goals::visible(tx, actor, &reading.goal_id)?;
    Ok(reading)
}

fn owned(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Reading> {
    let reading = get(tx, actor, id)?;
    crate::goals::owned(tx, actor, &reading.goal_id, "corrects its readings")?;
    Ok(reading)
}

fn revise(
    tx: &mut Tx<'_>,
    actor: &Actor,
    mut reading: Reading,
    action: RevisionAction,
    changes: Vec<FieldChange>,
    reason: Option<String>,
) -> AppResult<Reading> {
    let now = tx.now().naive_utc();
    reading.version += 1;
    reading.updated_at = now;
    let revision = Revision {
        id: new_id(),
        reading_id: reading.id.clone(),
        actor_id: actor.id.clone(),
        action,
        changes: serde_json::to_string(&changes).map_err(AppError::internal)?,
        reason,
        created_at: now,
    };
    readings::save(tx.conn, &reading, &revision)?;
    Ok(reading)
}

/// A correction; absent fields stay, `note: Some(None)` removes the note.
#[derive(Debug, Clone, Default)]
pub struct Correction {
    /// Corrected value.
    pub value: Option<f64>,
    /// Corrected observation time.
    pub observed_at: Option<DateTime<Utc>>,
    /// New note.
    pub note: Option<Option<String>>,
}

/// Corrects the actor's reading (if still at `expected` version); the previous values stay in its
/// history. A deleted reading cannot be corrected.
pub fn correct(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    fix: Correction,
) -> AppResult<Reading> {
    if let Some(at) = fix.observed_at {
        not_in_the_future(tx, at, "observed_at")?;
    }
    let mut reading = owned(tx, actor, id)?;
    if reading.deleted_at.is_some() {
        return Err(AppError::refused(
            Rule::ReadingDeleted,
            "a deleted reading cannot be corrected",
        ));
    }
    let mut changes = Vec::new();
    if let Some(v) = fix.value.filter(|v| *v != reading.value) {
        changes.push(FieldChange {
            field: "/value".into(),
            old: json(&reading.value),
            new: json(&v),
        });
        reading.value = v;
    }
    if let Some(t) = fix
        .observed_at
        .map(|t| crate::to_micros(t).naive_utc())
        .filter(|t| *t != reading.observed_at)
    {
        changes.push(FieldChange {
            field: "/observed_at".into(),
            old: json(&reading.observed_at.and_utc()),
            new: json(&t.and_utc()),
        });
        reading.observed_at = t;
    }
    if let Some(n) = fix.note.filter(|n| *n != reading.note) {
        changes.push(FieldChange {
            field: "/note".into(),
            old: json(&reading.note),
            new: json(&n),
        });
        reading.note = n;
    }
    if changes.is_empty() {
        return Ok(reading);
    }
    if expected.is_some_and(|v| v != reading.version) {
        return Err(AppError::Stale);
    }
    revise(tx, actor, reading, RevisionAction::Corrected, changes, None)
}

/// Deletes the actor's reading (if still at `expected` version): it leaves the math but stays in
/// history, flagged. Deleting it again changes nothing.
pub fn delete(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    reason: Option<String>,
) -> AppResult<()> {
    let mut reading = owned(tx, actor, id)?;
    if reading.deleted_at.is_some() {
        return Ok(());
    }
    if expected.is_some_and(|v| v != reading.version) {
        return Err(AppError::Stale);
    }
    reading.deleted_at = Some(tx.now().naive_utc());
    reading.delete_reason = reason.clone();
    let change = FieldChange {
        field: "/deleted".into(),
        old: Value::Bool(false),
        new: Value::Bool(true),
    };
    revise(
        tx,
        actor,
        reading,
        RevisionAction::Deleted,
        vec![change],
        reason,
    )
    .map(|_| ())
}

/// A reading's corrections and deletion, oldest first.
pub fn history(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Vec<Revision>> {
    get(tx, actor, id)?;
    Ok(readings::revisions(tx.conn, id)?)
}
