//! Webhook subscriptions, the event outbox and the delivery queue.
//!
//! An event is stored by [`publish`] in the transaction that caused it, together with one
//! delivery per matching subscription, so a change and its deliveries commit (or vanish)
//! together. Workers [`claim_due`] deliveries under a lease — `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, the single writer on SQLite — so several instances never send the same try twice,
//! and a crashed worker's lease simply runs out and the delivery is tried again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{events, partnerships, users, webhook_attempts, webhook_deliveries, webhooks};
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};
use tandem_domain::webhook::DeliveryStatus;

/// A subscription.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    /// Id.
    pub id: String,
    /// Whose: events are those its owner can see.
    pub owner_id: String,
    /// Where deliveries go.
    pub url: String,
    /// The HMAC key deliveries are signed with.
    pub secret: String,
    /// JSON array of event type names.
    pub event_types: String,
    /// Only this partnership's events, if set.
    pub partnership_id: Option<String>,
    /// The owner's label.
    pub description: Option<String>,
    /// Paused subscriptions get no new deliveries.
    pub active: bool,
    /// Bumped on every change; the ETag.
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl Webhook {
    /// Whether it asked for events of this type. `event_types` is the JSON array the API wrote;
    /// type names carry no quotes or escapes, so splitting on quotes finds exactly the names.
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.split('"').any(|t| t == event_type)
    }
}

/// An event in the outbox.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct Event {
    /// Id, also sent to receivers for de-duplication.
    pub id: String,
    /// `reading.recorded`, `meeting.completed`, ...
    pub event_type: String,
    /// Whose members may receive it (none for a test ping).
    pub partnership_id: Option<String>,
    /// The JSON document, exactly as delivered.
    pub payload: String,
    /// When it happened.
    pub occurred_at: NaiveDateTime,
}

/// One event on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    /// Id.
    pub id: String,
    /// The subscription.
    pub webhook_id: String,
    /// The event.
    pub event_id: String,
    /// Where it stands.
    #[diesel(serialize_as = Name)]
    pub status: DeliveryStatus,
    /// Tries so far.
    pub attempts: i32,
    /// When the next try is due (while pending).
    pub next_attempt_at: Option<NaiveDateTime>,
    /// A worker holds it until then.
    pub leased_until: Option<NaiveDateTime>,
    /// The receiver's last HTTP status.
    pub last_status_code: Option<i32>,
    /// Why the last try failed, if it did.
    pub last_error: Option<String>,
    /// Queued.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl Delivery {
    /// A delivery queued now, due at once.
    pub fn queued(id: String, webhook_id: &str, event_id: &str, now: NaiveDateTime) -> Delivery {
        Delivery {
            id,
            webhook_id: webhook_id.to_owned(),
            event_id: event_id.to_owned(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: Some(now),
            leased_until: None,
            last_status_code: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// One try of a delivery.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct Attempt {
    /// The delivery.
    pub delivery_id: String,
    /// 1 for the first try.
    pub number: i32,
    /// When it was sent.
    pub attempted_at: NaiveDateTime,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong (a non-2xx answer, a timeout, a refused address).
    pub error: Option<String>,
    /// How long the receiver took.
    pub duration_ms: i32,
}

/// Stores a subscription.
pub fn insert(conn: &mut DbConnection, hook: &Webhook) -> StoreResult<()> {
    diesel::insert_into(webhooks::table)
        .values(hook)
        .execute(conn)?;
    Ok(())
}

/// One of `owner_id`'s subscriptions (anyone else's is [`StoreError::NotFound`]).
pub fn find_for_owner(conn: &mut DbConnection, owner_id: &str, id: &str) -> StoreResult<Webhook> {
    webhooks::table
        .filter(webhooks::id.eq(id))
        .filter(webhooks::owner_id.eq(owner_id))
        .select(Webhook::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// A page of `owner_id`'s subscriptions in (created_at, id) order; with `only`, just those
/// limited to that partnership (what a partnership-limited token may see).
pub fn list_for_owner(
    conn: &mut DbConnection,
    owner_id: &str,
    only: Option<&str>,
    updated_since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Webhook>> {
    let mut query = webhooks::table
        .filter(webhooks::owner_id.eq(owner_id))
        .select(Webhook::as_select())
        .order((webhooks::created_at, webhooks::id))
        .limit(limit)
        .into_boxed();
    if let Some(only) = only {
        query = query.filter(webhooks::partnership_id.eq(only.to_owned()));
    }
    if let Some(since) = updated_since {
        query = query.filter(webhooks::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            webhooks::created_at
                .gt(at)
                .or(webhooks::created_at.eq(at).and(webhooks::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// Writes `changed` if the stored version is still `changed.version - 1`.
pub fn save(conn: &mut DbConnection, changed: &Webhook) -> StoreResult<()> {
    let updated = diesel::update(
        webhooks::table
            .filter(webhooks::id.eq(&changed.id))
            .filter(webhooks::version.eq(changed.version - 1)),
    )
    .set((
        webhooks::url.eq(&changed.url),
        webhooks::event_types.eq(&changed.event_types),
        webhooks::partnership_id.eq(&changed.partnership_id),
        webhooks::description.eq(&changed.description),
        webhooks::active.eq(changed.active),
        webhooks::version.eq(changed.version),
        webhooks::updated_at.eq(changed.updated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Deletes a subscription with its delivery log.
pub fn delete(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(id))
        .select(webhook_deliveries::id);
    diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id)))
        .execute(conn)?;
    diesel::delete(webhooks::table.find(id)).execute(conn)?;
    Ok(())
}

/// Stores `event` and queues a delivery to every active subscription that wants it (an event no
/// one wants is not stored): owned by a
/// member of the event's partnership whose account is active, for its type, and unfiltered or
/// filtered to that partnership, unless its owner muted that kind of news for webhooks. Call it inside the transaction that made the change. Returns the deliveries.
pub fn publish(
    conn: &mut DbConnection,
    event: &Event,
    mut new_id: impl FnMut() -> String,
) -> StoreResult<Vec<Delivery>> {
    debug_assert!(
        crate::backend::in_transaction(conn),
        "an event is published inside the transaction that causes it"
    );
    let Some(partnership_id) = &event.partnership_id else {
        insert_event(conn, event)?;
        return Ok(Vec::new());
    };
    let this = partnerships::table.filter(partnerships::id.eq(partnership_id));
    // Deactivated accounts keep their subscriptions but receive nothing.
    let live_members = users::table
        .filter(
            users::id
                .eq_any(this.select(partnerships::inviter_id))
                .or(users::id
                    .nullable()
                    .eq_any(this.select(partnerships::invitee_id))),
        )
        .filter(users::deactivated_at.is_null())
        .select(users::id);
    let candidates: Vec<Webhook> = webhooks::table
        .filter(webhooks::active.eq(true))
        .filter(webhooks::owner_id.eq_any(live_members))
        .filter(
            webhooks::partnership_id
                .is_null()
                .or(webhooks::partnership_id.eq(partnership_id)),
        )
        .order((webhooks::created_at, webhooks::id))
        .select(Webhook::as_select())
        .load(conn)?;
    let mut wanting: Vec<&Webhook> = candidates
        .iter()
        .filter(|h| h.wants(&event.event_type))
        .collect();
    // News (reminders, invitations) its owner muted for webhooks does not go to their hooks.
    if let Some(kind) = tandem_domain::email::EmailKind::of_event(&event.event_type)
        && !wanting.is_empty()
    {
        use tandem_domain::names::Named;
        let owners: Vec<&str> = wanting.iter().map(|h| h.owner_id.as_str()).collect();
        let muting = crate::preferences::muting_webhooks(conn, &owners, kind.as_str())?;
        wanting.retain(|h| !muting.contains(&h.owner_id));
    }
    // The outbox holds what is to be delivered; an event nobody subscribed to is not kept (the
    // change log is the record of what changed).
    if wanting.is_empty() {
        return Ok(Vec::new());
    }
    insert_event(conn, event)?;
    let mut queued = Vec::new();
    for hook in wanting {
        let delivery = Delivery::queued(new_id(), &hook.id, &event.id, event.occurred_at);
        insert_delivery(conn, &delivery)?;
        queued.push(delivery);
    }
    Ok(queued)
}

/// Queues one delivery (a test ping, a redelivery).
pub fn insert_delivery(conn: &mut DbConnection, delivery: &Delivery) -> StoreResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values(delivery.clone())
        .execute(conn)?;
    Ok(())
}

/// Stores an event without fanning it out (a test ping goes to one subscription).
pub fn insert_event(conn: &mut DbConnection, event: &Event) -> StoreResult<()> {
    diesel::insert_into(events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

/// A claimed delivery with what is needed to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The delivery (its `attempts` is the count before this try).
    pub delivery: Delivery,
    /// Where to.
    pub url: String,
    /// Signing key.
    pub secret: String,
    /// The event.
    pub event: Event,
}

/// Takes up to `limit` due deliveries for this worker until `lease_until`. Deliveries another
/// worker holds (a live lease, or a row locked by a concurrent claim) are skipped, not waited for.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<Claimed>> {
    crate::write_transaction(conn, |conn| {
        let ids = crate::backend::claimable_deliveries(conn, now, limit)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set(webhook_deliveries::leased_until.eq(lease_until))
            .execute(conn)?;
        let rows: Vec<(Delivery, (String, String), Event)> = webhook_deliveries::table
            .inner_join(webhooks::table)
            .inner_join(events::table)
            .filter(webhook_deliveries::id.eq_any(&ids))
            .order(webhook_deliveries::next_attempt_at)
            .select((
                Delivery::as_select(),
                (webhooks::url, webhooks::secret),
                Event::as_select(),
            ))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(delivery, (url, secret), event)| Claimed {
                delivery,
                url,
                secret,
                event,
            })
            .collect())
    })
}

/// What a try leads to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// The receiver took it.
    Delivered,
    /// Try again then.
    RetryAt(NaiveDateTime),
    /// No more tries.
    Failed,
}

/// Records a try and moves the delivery on; releases the lease.
pub fn finish_attempt(conn: &mut DbConnection, attempt: &Attempt, next: Next) -> StoreResult<()> {
    crate::write_transaction(conn, |conn| {
        diesel::insert_into(webhook_attempts::table)
            .values(attempt)
            .execute(conn)?;
        let (status, next_at) = match next {
            Next::Delivered => (DeliveryStatus::Delivered, None),
            Next::RetryAt(at) => (DeliveryStatus::Pending, Some(at)),
            Next::Failed => (DeliveryStatus::Failed, None),
        };
        diesel::update(webhook_deliveries::table.find(&attempt.delivery_id))
            .set((
                webhook_deliveries::status.eq(Name::of(status)),
                webhook_deliveries::attempts.eq(attempt.number),
                webhook_deliveries::next_attempt_at.eq(next_at),
                webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::last_status_code.eq(attempt.status_code),
                webhook_deliveries::last_error.eq(&attempt.error),
                webhook_deliveries::updated_at.eq(attempt.attempted_at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// A delivery with its event type and tries, for the log.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The delivery.
    pub delivery: Delivery,
    /// Its event's type.
    pub event_type: String,
    /// Its tries, oldest first.
    pub attempts: Vec<Attempt>,
}

/// A page of a subscription's deliveries, oldest first, optionally in one status.
pub fn deliveries(
    conn: &mut DbConnection,
    webhook_id: &str,
    status: Option<DeliveryStatus>,
    updated_since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Logged>> {
    let mut query = webhook_deliveries::table
        .inner_join(events::table)
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .order((webhook_deliveries::created_at, webhook_deliveries::id))
        .limit(limit)
        .select((Delivery::as_select(), events::event_type))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(Name::of(status)));
    }
    if let Some(since) = updated_since {
        query = query.filter(webhook_deliveries::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            webhook_deliveries::created_at
                .gt(at)
                .or(webhook_deliveries::created_at
                    .eq(at)
                    .and(webhook_deliveries::id.gt(id))),
        );
    }
    let rows: Vec<(Delivery, String)> = query.load(conn)?;
    with_attempts(conn, rows)
}

/// One delivery of a subscription, with its tries.
pub fn find_delivery(
    conn: &mut DbConnection,
    webhook_id: &str,
    delivery_id: &str,
) -> StoreResult<Logged> {
    let row: (Delivery, String) = webhook_deliveries::table
        .inner_join(events::table)
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.eq(delivery_id))
        .select((Delivery::as_select(), events::event_type))
        .first(conn)?;
    with_attempts(conn, vec![row])?
        .pop()
        .ok_or(StoreError::NotFound)
}

fn with_attempts(
    conn: &mut DbConnection,
    rows: Vec<(Delivery, String)>,
) -> StoreResult<Vec<Logged>> {
    let ids: Vec<&str> = rows.iter().map(|(d, _)| d.id.as_str()).collect();
    let loaded: Vec<Attempt> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(ids))
        .order((webhook_attempts::delivery_id, webhook_attempts::number))
        .select(Attempt::as_select())
        .load(conn)?;
    let mut by_delivery: std::collections::HashMap<String, Vec<Attempt>> = Default::default();
    for attempt in loaded {
        by_delivery
            .entry(attempt.delivery_id.clone())
            .or_default()
            .push(attempt);
    }
    Ok(rows
        .into_iter()
        .map(|(delivery, event_type)| Logged {
            attempts: by_delivery.remove(&delivery.id).unwrap_or_default(),
            delivery,
            event_type,
        })
        .collect())
}

/// Whether any delivery is due: a cheap read, so idle workers do not take SQLite's write lock.
pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<bool> {
    diesel::select(diesel::dsl::exists(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(Name::of(DeliveryStatus::Pending)))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(
                webhook_deliveries::leased_until
                    .is_null()
                    .or(webhook_deliveries::leased_until.lt(now)),
            ),
    ))
    .get_result(conn)
    .map_err(StoreError::from)
}

/// Deliveries waiting to be tried (the queue's depth, for `/metrics`).
pub fn pending_count(conn: &mut DbConnection) -> StoreResult<i64> {
    use tandem_domain::webhook::DeliveryStatus;
    webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(crate::sql_types::Name::of(DeliveryStatus::Pending)))
        .count()
        .get_result(conn)
        .map_err(StoreError::from)
}
