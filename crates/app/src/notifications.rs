//! Email notifications: queued in the transaction of the change that causes them (the outbox in
//! [`tandem_store::emails`]), sent by [`crate::jobs::mail`]. Nothing is queued when no SMTP server
//! is configured. Each recipient gets one email per occasion, whichever instance or retry queues
//! it.

use chrono::{DateTime, Utc};
use tandem_domain::email::{EmailKind, EmailStatus, meeting_occasion};
use tandem_domain::ics::{self, MeetingEvent, Method, Person};
use tandem_store::emails;
pub use tandem_store::emails::Email;
use tandem_store::meetings::Meeting;
use tandem_store::partnerships::Partnership;
use tandem_store::users::{self, User};

use crate::{Actor, AppResult, MailSettings, Tx, new_id};

/// What happened to a meeting that its partners' calendars must hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingNews {
    /// Scheduled, rescheduled or edited: a `REQUEST` with the meeting's current `SEQUENCE`.
    Invitation,
    /// Cancelled: a `CANCEL`.
    Cancellation,
}

/// Queues the invitation (or cancellation) of `m` for both partners, each in their own time
/// zone. `SEQUENCE` is the meeting's version less one, as in the calendar feed, so every change
/// raises it and calendars replace the older copy of the same `UID`.
pub fn meeting(tx: &mut Tx<'_>, m: &Meeting, p: &Partnership, news: MeetingNews) -> AppResult<()> {
    let Some(mail) = tx.settings().mail.clone() else {
        return Ok(());
    };
    let Some(invitee_id) = p.invitee_id.as_deref() else {
        return Ok(());
    };
    let partners = [
        users::find_str(tx.conn, &p.inviter_id)?,
        users::find_str(tx.conn, invitee_id)?,
    ];
    let now = tx.now();
    let sequence = m.version - 1;
    let (kind, method) = match news {
        MeetingNews::Invitation => (EmailKind::MeetingInvitation, Method::Request),
        MeetingNews::Cancellation => (EmailKind::MeetingCancelled, Method::Cancel),
    };
    let agenda = format!(
        "{}/v1/meetings/{}",
        mail.public_url.trim_end_matches('/'),
        m.id
    );
    let event = MeetingEvent {
        meeting_id: m.id.clone(),
        sequence,
        start: m.scheduled_at.and_utc(),
        minutes: m.length_minutes,
        cancelled: news == MeetingNews::Cancellation,
        summary: format!(
            "Tandem meeting: {} & {}",
            partners[0].display_name, partners[1].display_name
        ),
        description: format!("Agenda: {agenda}"),
        url: agenda.clone(),
        location: m.location.clone(),
        organizer: Some(Person {
            name: "Tandem".into(),
            email: address_of(&mail.from),
        }),
        attendees: partners
            .iter()
            .map(|u| Person {
                name: u.display_name.clone(),
                email: u.email.clone(),
            })
            .collect(),
    };
    let calendar = ics::calendar(method, None, None, std::slice::from_ref(&event), now);
    for (me, partner) in [(&partners[0], &partners[1]), (&partners[1], &partners[0])] {
        if me.deactivated_at.is_some() {
            continue;
        }
        let when = local(m.scheduled_at.and_utc(), &me.time_zone);
        let (subject, text) = match news {
            MeetingNews::Invitation => (
                format!("Tandem meeting with {}: {when}", partner.display_name),
                format!(
                    "Hello {me},\n\nYour Tandem meeting with {partner} is on {when} ({minutes} minutes).\
                     {location}\n\nThe agenda, with both scorecards and the commitments up for review:\n{agenda}\n\n\
                     The attached invitation keeps your calendar up to date.\n",
                    me = me.display_name,
                    partner = partner.display_name,
                    minutes = m.length_minutes,
                    location = m
                        .location
                        .as_deref()
                        .map(|l| format!("\nWhere: {l}"))
                        .unwrap_or_default(),
                ),
            ),
            MeetingNews::Cancellation => (
                format!("Cancelled: Tandem meeting with {}", partner.display_name),
                format!(
                    "Hello {me},\n\nYour Tandem meeting with {partner} on {when} is cancelled.{reason}\n\n\
                     The attached cancellation removes it from your calendar.\n",
                    me = me.display_name,
                    partner = partner.display_name,
                    reason = m
                        .cancel_reason
                        .as_deref()
                        .map(|r| format!("\nReason: {r}"))
                        .unwrap_or_default(),
                ),
            ),
        };
        queue(
            tx,
            &mail,
            me,
            kind,
            meeting_occasion(&m.id, sequence),
            subject,
            text,
            Some(calendar.clone()),
        )?;
    }
    Ok(())
}

/// Stores one email for `to`, due at once, unless it already has one for this occasion.
#[allow(clippy::too_many_arguments)]
fn queue(
    tx: &mut Tx<'_>,
    mail: &MailSettings,
    to: &User,
    kind: EmailKind,
    occasion: String,
    subject: String,
    text_body: String,
    calendar: Option<String>,
) -> AppResult<()> {
    let now = tx.now().naive_utc();
    let id = new_id();
    let domain = address_of(&mail.from)
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_else(|| "tandem.invalid".into());
    let email = Email {
        message_id: format!("<{id}@{domain}>"),
        id,
        user_id: to.id.to_string(),
        to_address: to.email.clone(),
        kind,
        occasion,
        subject,
        text_body,
        calendar,
        status: EmailStatus::Pending,
        attempts: 0,
        next_attempt_at: Some(now),
        leased_until: None,
        last_error: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
    };
    emails::queue(tx.conn, &email)?;
    Ok(())
}

/// A page of the caller's emails, oldest first: what was sent, what waits, what failed and why.
pub fn deliveries(
    tx: &mut Tx<'_>,
    actor: &Actor,
    status: Option<EmailStatus>,
    after: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Email>> {
    Ok(emails::for_user(tx.conn, &actor.id, status, after, limit)?)
}

/// The bare address of a mailbox (`Tandem <t@example.com>` gives `t@example.com`).
pub fn address_of(mailbox: &str) -> String {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(open), Some(close)) if open < close => mailbox[open + 1..close].trim().to_owned(),
        _ => mailbox.trim().to_owned(),
    }
}

/// An instant as the recipient reads it: `Mon 14 Dec 2026, 09:00 (Europe/London)`.
fn local(at: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => format!(
            "{} ({zone})",
            at.with_timezone(&tz).format("%a %-d %b %Y, %H:%M")
        ),
        Err(_) => format!("{} (UTC)", at.format("%a %-d %b %Y, %H:%M")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_mailbox_gives_its_address() {
        assert_eq!(address_of("Tandem <t@example.com>"), "t@example.com");
        assert_eq!(address_of("t@example.com"), "t@example.com");
    }

    #[test]
    fn times_read_in_the_recipients_zone() {
        let at = Utc.with_ymd_and_hms(2026, 12, 14, 9, 0, 0).unwrap();
        assert_eq!(
            local(at, "Europe/Berlin"),
            "Mon 14 Dec 2026, 10:00 (Europe/Berlin)"
        );
        assert_eq!(
            local(at, "Nowhere/Atlantis"),
            "Mon 14 Dec 2026, 09:00 (UTC)"
        );
    }
}
