//! Email notifications: queued in the transaction of the change that causes them (the outbox in
//! [`tandem_store::emails`]), sent by [`crate::jobs::mail`]. Nothing is queued when no SMTP server
//! is configured. Each recipient gets one email per occasion, whichever instance or retry queues
//! it.

use chrono::{DateTime, Utc};
use tandem_domain::email::{
    EmailKind, EmailStatus, QuietHours, meeting_occasion, pre_read_occasion,
};
use tandem_domain::ics::{self, MeetingEvent, Method, Person};
use tandem_domain::names::Named;
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
    let Some((mail, partners)) = recipients(tx, p)? else {
        return Ok(());
    };
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
        let (template, subject) = match news {
            MeetingNews::Invitation => (
                "meeting_invitation",
                format!("Tandem meeting with {}: {when}", partner.display_name),
            ),
            MeetingNews::Cancellation => (
                "meeting_cancelled",
                format!("Cancelled: Tandem meeting with {}", partner.display_name),
            ),
        };
        let context = minijinja::context! {
            subject => &subject,
            me => &me.display_name,
            partner => &partner.display_name,
            when => &when,
            minutes => m.length_minutes,
            location => &m.location,
            reason => &m.cancel_reason,
            agenda => &agenda,
        };
        let body = Body {
            subject,
            text: render(&format!("{template}.txt"), &context)?,
            html: render(&format!("{template}.html"), &context)?,
            calendar: Some(calendar.clone()),
        };
        queue(tx, &mail, me, kind, meeting_occasion(&m.id, sequence), body)?;
    }
    Ok(())
}

/// Queues the pre-read of an upcoming meeting for both partners: when and where, each
/// partner's active goals with latest value and status, and the commitments up for review, in
/// each recipient's time zone. Once per meeting time (a rescheduled meeting gets a new one).
pub fn pre_read(tx: &mut Tx<'_>, detail: &crate::meetings::MeetingDetail) -> AppResult<()> {
    let (m, p) = (&detail.meeting, &detail.partnership);
    let Some((mail, partners)) = recipients(tx, p)? else {
        return Ok(());
    };
    let agenda = format!(
        "{}/v1/meetings/{}",
        mail.public_url.trim_end_matches('/'),
        m.id
    );
    // Milestones not yet completed that fall due before the meeting after this one (overdue ones
    // included), so partners come ready to report on them.
    let horizon = crate::partnerships::local_date(p, m.scheduled_at.and_utc())
        + chrono::Duration::days(p.cadence_days.max(1).into());
    let goal_ids: Vec<String> = detail
        .agenda
        .blocks
        .iter()
        .flat_map(|b| b.scorecard.goals.iter().map(|g| g.goal_id.clone()))
        .collect();
    let mut coming_due = tandem_store::goals::milestones_of_many(tx.conn, &goal_ids)?;
    coming_due.retain(|ms| ms.completed_on.is_none() && ms.due_date <= horizon);
    coming_due.sort_by_key(|ms| ms.due_date);
    let blocks: Vec<minijinja::Value> = detail
        .agenda
        .blocks
        .iter()
        .map(|b| {
            let goals: Vec<minijinja::Value> = b
                .scorecard
                .goals
                .iter()
                .map(|g| {
                    let latest = match (g.latest_value, g.unit.as_deref()) {
                        (Some(v), Some(unit)) => format!("{} {unit}", number(v)),
                        (Some(v), None) => number(v),
                        (None, _) => "no reading yet".to_owned(),
                    };
                    minijinja::context! {
                        title => g.title.clone().unwrap_or_else(|| "Untitled goal".into()),
                        latest => latest,
                        status => g.status.as_str().replace('_', " "),
                        progress => g.progress_clamped.map(|p| format!("{:.0}%", p * 100.0)),
                    }
                })
                .collect();
            let commitments: Vec<minijinja::Value> = b
                .to_review
                .iter()
                .map(|c| minijinja::context! { text => &c.text, due_on => c.due_on.to_string() })
                .collect();
            let milestones: Vec<minijinja::Value> = coming_due
                .iter()
                .filter_map(|ms| {
                    let goal = b.scorecard.goals.iter().find(|g| g.goal_id == ms.goal_id)?;
                    Some(minijinja::context! {
                        title => &ms.title,
                        goal => goal.title.clone().unwrap_or_else(|| "Untitled goal".into()),
                        due_on => ms.due_date.to_string(),
                    })
                })
                .collect();
            minijinja::context! {
                name => &b.scorecard.display_name,
                goals => goals,
                commitments => commitments,
                milestones => milestones,
            }
        })
        .collect();
    let occasion = pre_read_occasion(&m.id, m.scheduled_at.and_utc());
    for (me, partner) in [(&partners[0], &partners[1]), (&partners[1], &partners[0])] {
        if me.deactivated_at.is_some() {
            continue;
        }
        let when = local(m.scheduled_at.and_utc(), &me.time_zone);
        let subject = format!(
            "Pre-read: Tandem meeting with {} on {when}",
            partner.display_name
        );
        let context = minijinja::context! {
            subject => &subject,
            me => &me.display_name,
            partner => &partner.display_name,
            when => &when,
            minutes => m.length_minutes,
            location => &m.location,
            agenda => &agenda,
            blocks => &blocks,
        };
        let body = Body {
            subject,
            text: render("pre_read.txt", &context)?,
            html: render("pre_read.html", &context)?,
            calendar: None,
        };
        queue(tx, &mail, me, EmailKind::PreRead, occasion.clone(), body)?;
    }
    Ok(())
}

/// A reminder that something came due, for the partners of `p` it concerns (`only`: one of
/// them; `None`: both). `occasion` makes it once per recipient; `link` is an API path.
pub fn reminder(
    tx: &mut Tx<'_>,
    p: &Partnership,
    only: Option<&str>,
    kind: EmailKind,
    occasion: &str,
    link: &str,
    extra: minijinja::Value,
) -> AppResult<()> {
    let Some((mail, partners)) = recipients(tx, p)? else {
        return Ok(());
    };
    let link = format!("{}{link}", mail.public_url.trim_end_matches('/'));
    let template = kind.as_str();
    for (me, partner) in [(&partners[0], &partners[1]), (&partners[1], &partners[0])] {
        if me.deactivated_at.is_some() || only.is_some_and(|id| id != me.id.to_string()) {
            continue;
        }
        let subject = match kind {
            EmailKind::CommitmentDue => "Your Tandem commitment is due today".to_owned(),
            EmailKind::FitReviewDue => {
                format!(
                    "Fit review with {}: does the pairing still work?",
                    partner.display_name
                )
            }
            EmailKind::ReadingStale => "A Tandem goal is waiting for its next reading".to_owned(),
            EmailKind::GoalAchieved => {
                format!("{} achieved a goal: celebrate it", partner.display_name)
            }
            EmailKind::MilestoneCompleted => {
                format!("{} reached a milestone", partner.display_name)
            }
            _ => format!(
                "A year on: time to refresh your goals with {}",
                partner.display_name
            ),
        };
        let context = minijinja::context! {
            subject => &subject,
            me => &me.display_name,
            partner => &partner.display_name,
            link => &link,
            ..extra.clone()
        };
        let body = Body {
            subject,
            text: render(&format!("{template}.txt"), &context)?,
            html: render(&format!("{template}.html"), &context)?,
            calendar: None,
        };
        queue(tx, &mail, me, kind, occasion.to_owned(), body)?;
    }
    Ok(())
}

/// The mail settings and both partners of `p`, or `None` when there is nobody to email: email
/// is off, or the partnership has no second member yet.
fn recipients(tx: &mut Tx<'_>, p: &Partnership) -> AppResult<Option<(MailSettings, [User; 2])>> {
    let Some(mail) = tx.settings().mail.clone() else {
        return Ok(None);
    };
    let Some(invitee_id) = p.invitee_id.as_deref() else {
        return Ok(None);
    };
    let partners = [
        users::find_str(tx.conn, &p.inviter_id)?,
        users::find_str(tx.conn, invitee_id)?,
    ];
    Ok(Some((mail, partners)))
}

/// A reading as people write it: no trailing zeros, at most four decimals.
fn number(v: f64) -> String {
    let text = format!("{v:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// What an email says.
struct Body {
    subject: String,
    text: String,
    html: String,
    calendar: Option<String>,
}

/// The email templates (`crates/app/templates`): `.txt` for the plain part, `.html` (escaped
/// automatically) for the HTML part, which extends `layout.html`. Parsed once.
static TEMPLATES: std::sync::LazyLock<minijinja::Environment<'static>> =
    std::sync::LazyLock::new(|| {
        let mut env = minijinja::Environment::new();
        for (name, source) in [
            ("layout.html", include_str!("../templates/layout.html")),
            (
                "meeting_invitation.txt",
                include_str!("../templates/meeting_invitation.txt"),
            ),
            (
                "meeting_invitation.html",
                include_str!("../templates/meeting_invitation.html"),
            ),
            (
                "meeting_cancelled.txt",
                include_str!("../templates/meeting_cancelled.txt"),
            ),
            (
                "meeting_cancelled.html",
                include_str!("../templates/meeting_cancelled.html"),
            ),
            ("pre_read.txt", include_str!("../templates/pre_read.txt")),
            ("pre_read.html", include_str!("../templates/pre_read.html")),
            (
                "commitment_due.txt",
                include_str!("../templates/commitment_due.txt"),
            ),
            (
                "commitment_due.html",
                include_str!("../templates/commitment_due.html"),
            ),
            (
                "fit_review_due.txt",
                include_str!("../templates/fit_review_due.txt"),
            ),
            (
                "fit_review_due.html",
                include_str!("../templates/fit_review_due.html"),
            ),
            (
                "refresh_due.txt",
                include_str!("../templates/refresh_due.txt"),
            ),
            (
                "refresh_due.html",
                include_str!("../templates/refresh_due.html"),
            ),
            (
                "reading_stale.txt",
                include_str!("../templates/reading_stale.txt"),
            ),
            (
                "reading_stale.html",
                include_str!("../templates/reading_stale.html"),
            ),
            (
                "goal_achieved.txt",
                include_str!("../templates/goal_achieved.txt"),
            ),
            (
                "goal_achieved.html",
                include_str!("../templates/goal_achieved.html"),
            ),
            (
                "milestone_completed.txt",
                include_str!("../templates/milestone_completed.txt"),
            ),
            (
                "milestone_completed.html",
                include_str!("../templates/milestone_completed.html"),
            ),
        ] {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("the email template {name} parses: {e}"));
        }
        env
    });

fn render(name: &str, context: &minijinja::Value) -> AppResult<String> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(context))
        .map(|mut text| {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text
        })
        .map_err(crate::AppError::internal)
}

/// Stores one email for `to`, due at once, unless it already has one for this occasion.
fn queue(
    tx: &mut Tx<'_>,
    mail: &MailSettings,
    to: &User,
    kind: EmailKind,
    occasion: String,
    body: Body,
) -> AppResult<()> {
    let prefs = preferences_of(tx, &to.id.to_string())?;
    if prefs.email_off.contains(&kind) {
        return Ok(());
    }
    let now = tx.now().naive_utc();
    // Quiet hours hold the email until they end, in the recipient's own time zone.
    let due = match (prefs.quiet, to.time_zone.parse::<chrono_tz::Tz>()) {
        (Some(quiet), Ok(zone)) => {
            let local = tx.now().with_timezone(&zone).naive_local();
            let release = quiet.release(local);
            if release == local {
                now
            } else {
                use chrono::TimeZone;
                match zone.from_local_datetime(&release) {
                    chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                        t.naive_utc()
                    }
                    // A release inside a spring-forward gap: an hour later exists.
                    chrono::LocalResult::None => zone
                        .from_local_datetime(&(release + chrono::Duration::hours(1)))
                        .earliest()
                        .map_or(now, |t| t.naive_utc()),
                }
            }
        }
        _ => now,
    };
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
        subject: body.subject,
        text_body: body.text,
        html_body: body.html,
        calendar: body.calendar,
        status: EmailStatus::Pending,
        attempts: 0,
        next_attempt_at: Some(due),
        leased_until: None,
        last_error: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
        unsubscribe_token: Some(crate::tokens::new_secret("unsub_")),
    };
    emails::queue(tx.conn, &email)?;
    Ok(())
}

/// What someone wants to hear, on which channel, and when not to be disturbed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preferences {
    /// Kinds of news turned off for email.
    pub email_off: Vec<EmailKind>,
    /// Kinds of news turned off for webhooks (their event twins go to none of the person's
    /// subscriptions).
    pub webhook_off: Vec<EmailKind>,
    /// Quiet hours for email, in the person's own time zone.
    pub quiet: Option<QuietHours>,
    /// Version (0 until first saved).
    pub version: i64,
}

/// Someone's preferences; the defaults (everything on, no quiet hours) until they set any.
pub fn preferences_of(tx: &mut Tx<'_>, user_id: &str) -> AppResult<Preferences> {
    let Some(stored) = tandem_store::preferences::find(tx.conn, user_id)? else {
        return Ok(Preferences::default());
    };
    let time = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
    };
    let kinds = |list: &str| list.split(',').filter_map(EmailKind::parse).collect();
    Ok(Preferences {
        email_off: kinds(&stored.email_off),
        webhook_off: kinds(&stored.webhook_off),
        quiet: match (time(&stored.quiet_from), time(&stored.quiet_until)) {
            (Some(from), Some(until)) => Some(QuietHours { from, until }),
            _ => None,
        },
        version: stored.version,
    })
}

/// The caller's preferences.
pub fn preferences(tx: &mut Tx<'_>, actor: &Actor) -> AppResult<Preferences> {
    preferences_of(tx, &actor.id)
}

/// Replaces the caller's preferences with `wanted` (its version is ignored; `expected`: the
/// version read, from `If-Match`).
pub fn set_preferences(
    tx: &mut Tx<'_>,
    actor: &Actor,
    wanted: Preferences,
    expected: Option<i64>,
) -> AppResult<Preferences> {
    let current = preferences_of(tx, &actor.id)?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(crate::AppError::Stale);
    }
    save(tx, &actor.id, wanted, current.version + 1)
}

fn save(
    tx: &mut Tx<'_>,
    user_id: &str,
    mut prefs: Preferences,
    version: i64,
) -> AppResult<Preferences> {
    let list = |kinds: &mut Vec<EmailKind>| {
        kinds.sort_by_key(|k| k.as_str());
        kinds.dedup();
        kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let stored = tandem_store::preferences::Preferences {
        user_id: user_id.to_owned(),
        email_off: list(&mut prefs.email_off),
        webhook_off: list(&mut prefs.webhook_off),
        quiet_from: prefs.quiet.map(|q| q.from.format("%H:%M").to_string()),
        quiet_until: prefs.quiet.map(|q| q.until.format("%H:%M").to_string()),
        version,
        updated_at: tx.now().naive_utc(),
    };
    tandem_store::preferences::save(tx.conn, &stored)?;
    prefs.version = version;
    Ok(prefs)
}

/// One-click unsubscribe (RFC 8058): the kind of the email `token` came in is turned off for
/// its recipient, without signing in. Unknown tokens are not found; repeating is harmless.
pub fn unsubscribe(tx: &mut Tx<'_>, token: &str) -> AppResult<EmailKind> {
    let email = emails::by_unsubscribe_token(tx.conn, token)?.ok_or(crate::AppError::NotFound)?;
    let mut current = preferences_of(tx, &email.user_id)?;
    if !current.email_off.contains(&email.kind) {
        current.email_off.push(email.kind);
        let version = current.version + 1;
        save(tx, &email.user_id, current, version)?;
    }
    Ok(email.kind)
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
    fn the_html_part_escapes_what_people_typed_and_the_text_part_keeps_it() {
        let context = minijinja::context! {
            subject => "s", me => "Ada <script>", partner => "Grace & co", when => "Mon",
            minutes => 60, location => "Room <1>", reason => None::<String>,
            agenda => "https://tandem.example.com/v1/meetings/m1",
        };
        let html = render("meeting_invitation.html", &context).unwrap();
        assert!(
            html.contains("Ada &lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        assert!(
            html.contains("Grace &amp; co") && html.contains("Room &lt;1&gt;"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://tandem.example.com/v1/meetings/m1\">")
                || html.contains("<a href=\"https:&#x2f;&#x2f;"),
            "{html}"
        );
        assert!(!html.contains("<img"), "no images, no tracking pixels");
        let text = render("meeting_invitation.txt", &context).unwrap();
        assert!(
            text.contains("Hello Ada <script>,") && text.contains("Where: Room <1>"),
            "{text}"
        );
    }

    #[test]
    fn every_kind_of_email_has_a_text_and_an_html_template() {
        for kind in EmailKind::ALL {
            for ext in ["txt", "html"] {
                let name = format!("{}.{ext}", kind.as_str());
                assert!(TEMPLATES.get_template(&name).is_ok(), "{name} is missing");
            }
        }
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
