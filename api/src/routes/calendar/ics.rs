//! Writing the feed: the partnership's meetings as a `PUBLISH` calendar, through the same
//! iCalendar writer as the emailed invitations ([`tandem_domain::ics`]), so both carry one `UID`
//! per meeting.

use chrono::{DateTime, Utc};
use tandem_app::tokens::Feed;
use tandem_domain::ics::{self, MeetingEvent, Method};
use tandem_domain::meeting::MeetingStatus;

/// The partnership's meetings as one VCALENDAR.
pub fn calendar(feed: &Feed, base: &str, now: DateTime<Utc>) -> String {
    let (p, inviter, invitee) = (&feed.partnership, &feed.inviter, &feed.invitee);
    let events: Vec<MeetingEvent> = feed
        .meetings
        .iter()
        .map(|m| {
            let agenda = format!("{base}/v1/meetings/{}", m.id);
            let mut description = format!("Agenda: {agenda}");
            if let Some(reason) = &m.cancel_reason {
                description.push_str(&format!("\nCancelled: {reason}"));
            }
            MeetingEvent {
                meeting_id: m.id.clone(),
                sequence: m.version - 1,
                start: m.scheduled_at.and_utc(),
                minutes: m.length_minutes,
                cancelled: m.status == MeetingStatus::Cancelled,
                summary: format!("Tandem meeting: {inviter} & {invitee}"),
                description,
                url: agenda,
                location: m.location.clone(),
                organizer: None,
                attendees: Vec::new(),
            }
        })
        .collect();
    ics::calendar(
        Method::Publish,
        Some(&format!("Tandem: {inviter} & {invitee}")),
        Some(&p.time_zone),
        &events,
        now,
    )
}
