//! Publishing webhook events: each one is put in the outbox inside the transaction that made the
//! change — no event without its change, no change without its event. The payloads are the
//! versioned formats of [`tandem_domain::events`], built here from stored rows.

use tandem_domain::GoalStatus;
use tandem_domain::events::{
    EventData, EventReading, GoalActivated, GoalRef, GoalStatusChanged, PartnershipUpdated,
    WebhookEvent,
};
use tandem_store::goals::Goal;
use tandem_store::partnerships::Partnership;
use tandem_store::readings::Reading;

use crate::{AppResult, Tx, new_id};

/// The goal as events name it.
pub fn goal_ref(g: &Goal) -> GoalRef {
    GoalRef {
        id: g.id.clone(),
        owner_id: g.owner_id.clone(),
        title: g.title.clone(),
        external_ref: g.external_ref.clone(),
        source: g.source.clone(),
    }
}

/// A reading as events carry it.
pub fn reading(r: &Reading) -> EventReading {
    EventReading {
        id: r.id.clone(),
        goal_id: r.goal_id.clone(),
        value: r.value,
        observed_at: r.observed_at.and_utc(),
        note: r.note.clone(),
        source: r.source.clone(),
        external_id: r.external_id.clone(),
        recorded_by: r.recorded_by.clone(),
        deleted: r.deleted_at.is_some(),
        deleted_at: r.deleted_at.map(|t| t.and_utc()),
        delete_reason: r.delete_reason.clone(),
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}

/// `partnership.updated` for a partnership as saved.
pub fn partnership_updated(p: &Partnership) -> PartnershipUpdated {
    PartnershipUpdated {
        status: p.status,
        version: p.version,
        cadence_days: p.cadence_days,
        meeting_minutes: p.meeting_minutes,
        time_zone: p.time_zone.clone(),
        href: format!("/v1/partnerships/{}", p.id),
    }
}

/// The stored form of an event, ready for the outbox.
pub fn outbox_row(
    tx: &Tx<'_>,
    partnership_id: Option<&str>,
    data: EventData,
) -> AppResult<tandem_store::webhooks::Event> {
    let now = tx.now();
    let event = WebhookEvent {
        id: new_id(),
        event_type: data.event_type().to_owned(),
        occurred_at: now,
        partnership_id: partnership_id.map(str::to_owned),
        data,
    };
    let payload = serde_json::to_string(&event).map_err(crate::AppError::internal)?;
    Ok(tandem_store::webhooks::Event {
        id: event.id,
        event_type: event.event_type,
        partnership_id: event.partnership_id,
        payload,
        occurred_at: now.naive_utc(),
    })
}

/// Puts an event about a partnership in the outbox and queues its deliveries; call it inside the
/// write transaction that made the change.
pub fn publish(tx: &mut Tx<'_>, partnership_id: &str, data: EventData) -> AppResult<()> {
    let row = outbox_row(tx, Some(partnership_id), data)?;
    tandem_store::webhooks::publish(tx.conn, &row, new_id)?;
    Ok(())
}

/// Events for a goal moving from `from` to `to`: always `goal.status_changed`, and
/// `goal.activated` when it became active.
pub fn goal_status_changed(
    tx: &mut Tx<'_>,
    goal: &Goal,
    from: GoalStatus,
    to: GoalStatus,
) -> AppResult<()> {
    publish(
        tx,
        &goal.partnership_id,
        EventData::GoalStatusChanged(GoalStatusChanged {
            goal: goal_ref(goal),
            from,
            to,
        }),
    )?;
    if to == GoalStatus::Achieved {
        crate::wins::goal_achieved(tx, goal)?;
    }
    if to == GoalStatus::Active {
        publish(
            tx,
            &goal.partnership_id,
            EventData::GoalActivated(GoalActivated {
                goal: goal_ref(goal),
                // Activation requires every one of these (the SMART check), so none is missing.
                metric_name: goal.metric_name.clone().unwrap_or_default(),
                metric_unit: goal.metric_unit.clone().unwrap_or_default(),
                baseline: goal.baseline.unwrap_or_default(),
                target: goal.target.unwrap_or_default(),
                start_date: goal.start_date.unwrap_or_default(),
                due_date: goal.due_date.unwrap_or_default(),
            }),
        )?;
    }
    Ok(())
}
