//! The email outbox.
//!
//! An email is stored by [`queue`] in the transaction of the change that causes it, so the two
//! commit (or vanish) together; `(user_id, kind, occasion)` is unique, so queuing the same
//! occasion twice — a second instance, a retried request — stores one email. Workers
//! [`claim_due`] emails under a lease, like webhook deliveries, so several instances never send
//! the same try twice and a crashed worker's lease runs out.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::emails;
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};
use tandem_domain::email::{EmailKind, EmailStatus};

/// One email to one person.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = emails)]
pub struct Email {
    /// Id.
    pub id: String,
    /// The recipient's account.
    pub user_id: String,
    /// The recipient's address when it was queued.
    pub to_address: String,
    /// Why it is sent.
    #[diesel(serialize_as = Name)]
    pub kind: EmailKind,
    /// What it is about; one email per recipient, kind and occasion.
    pub occasion: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text_body: String,
    /// An iCalendar part, for invitations.
    pub calendar: Option<String>,
    /// `Message-ID`, the same on every try.
    pub message_id: String,
    /// Where it stands.
    #[diesel(serialize_as = Name)]
    pub status: EmailStatus,
    /// Tries so far.
    pub attempts: i32,
    /// When the next try is due (while pending).
    pub next_attempt_at: Option<NaiveDateTime>,
    /// A worker holds it until then.
    pub leased_until: Option<NaiveDateTime>,
    /// Why the last try failed, if it did.
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<NaiveDateTime>,
    /// Queued.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// HTML body (the same content).
    pub html_body: String,
    /// The one-click unsubscribe token of this email (RFC 8058).
    pub unsubscribe_token: Option<String>,
}

/// Stores `email` unless its recipient already has one for the same kind and occasion; returns
/// whether it was stored.
pub fn queue(conn: &mut DbConnection, email: &Email) -> StoreResult<bool> {
    crate::backend::insert_email_once(conn, email.clone())
}

/// Takes up to `limit` due emails for this worker until `lease_until`. Emails another worker
/// holds are skipped, not waited for.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<Email>> {
    crate::write_transaction(conn, |conn| {
        let ids = crate::backend::claimable_emails(conn, now, limit)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(emails::table.filter(emails::id.eq_any(&ids)))
            .set(emails::leased_until.eq(lease_until))
            .execute(conn)?;
        emails::table
            .filter(emails::id.eq_any(&ids))
            .order(emails::next_attempt_at)
            .select(Email::as_select())
            .load(conn)
            .map_err(StoreError::from)
    })
}

/// What a try leads to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// The SMTP server accepted it, then.
    Sent(NaiveDateTime),
    /// Try again then.
    RetryAt(NaiveDateTime),
    /// No more tries.
    Failed,
}

/// Records a try and moves the email on; releases the lease.
pub fn finish_attempt(
    conn: &mut DbConnection,
    id: &str,
    attempts: i32,
    outcome: Outcome,
    error: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let (status, next_at, sent_at) = match outcome {
        Outcome::Sent(at) => (EmailStatus::Sent, None, Some(at)),
        Outcome::RetryAt(at) => (EmailStatus::Pending, Some(at), None),
        Outcome::Failed => (EmailStatus::Failed, None, None),
    };
    diesel::update(emails::table.find(id))
        .set((
            emails::status.eq(Name::of(status)),
            emails::attempts.eq(attempts),
            emails::next_attempt_at.eq(next_at),
            emails::leased_until.eq(None::<NaiveDateTime>),
            emails::last_error.eq(error),
            emails::sent_at.eq(sent_at),
            emails::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of someone's emails, oldest first.
pub fn for_user(
    conn: &mut DbConnection,
    user_id: &str,
    status: Option<EmailStatus>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Email>> {
    let mut query = emails::table
        .filter(emails::user_id.eq(user_id))
        .order((emails::created_at, emails::id))
        .limit(limit)
        .select(Email::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(emails::status.eq(Name::of(status)));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            emails::created_at
                .gt(at)
                .or(emails::created_at.eq(at).and(emails::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// Whether any email is due: a cheap read, so idle workers do not take SQLite's write lock.
pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<bool> {
    diesel::select(diesel::dsl::exists(
        emails::table
            .filter(emails::status.eq(Name::of(EmailStatus::Pending)))
            .filter(emails::next_attempt_at.le(now))
            .filter(
                emails::leased_until
                    .is_null()
                    .or(emails::leased_until.lt(now)),
            ),
    ))
    .get_result(conn)
    .map_err(StoreError::from)
}

/// The email an unsubscribe token belongs to.
pub fn by_unsubscribe_token(conn: &mut DbConnection, token: &str) -> StoreResult<Option<Email>> {
    emails::table
        .filter(emails::unsubscribe_token.eq(token))
        .select(Email::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}
