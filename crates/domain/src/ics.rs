//! iCalendar (RFC 5545) text for meetings: the subscribed feed (`PUBLISH`) and the invitations
//! emailed to partners (`REQUEST`, `CANCEL`, RFC 5546) are written by the same code, with the
//! same `UID` per meeting, so a calendar that has both sees one event.

use chrono::{DateTime, Utc};

/// What a calendar object asks of its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A feed: show these events.
    Publish,
    /// An invitation: add or update the event (a higher `SEQUENCE` replaces an older copy).
    Request,
    /// A cancellation: remove the event.
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// Someone on an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
}

/// One meeting as a calendar event.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingEvent {
    /// The meeting's id; the event's `UID` is `<id>@tandem`.
    pub meeting_id: String,
    /// Raised on every change of time or status, so readers replace an older copy.
    pub sequence: i64,
    /// Start.
    pub start: DateTime<Utc>,
    /// Length.
    pub minutes: i32,
    /// Cancelled meetings stay in feeds, marked.
    pub cancelled: bool,
    /// One line.
    pub summary: String,
    /// Free text (line breaks allowed).
    pub description: String,
    /// Where the agenda lives.
    pub url: String,
    /// Where the meeting is.
    pub location: Option<String>,
    /// Who sends invitations (for `REQUEST`/`CANCEL`).
    pub organizer: Option<Person>,
    /// Who is invited (for `REQUEST`/`CANCEL`).
    pub attendees: Vec<Person>,
}

/// The `UID` of a meeting's event, the same in the feed and in every invitation.
pub fn uid(meeting_id: &str) -> String {
    format!("{meeting_id}@tandem")
}

/// A whole VCALENDAR: `name` and `time_zone` label a feed; `now` is the `DTSTAMP`.
pub fn calendar(
    method: Method,
    name: Option<&str>,
    time_zone: Option<&str>,
    events: &[MeetingEvent],
    now: DateTime<Utc>,
) -> String {
    let mut ics = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tandem//Accountability partnerships//EN",
        "CALSCALE:GREGORIAN",
    ] {
        ics.push_str(&fold(line));
    }
    ics.push_str(&fold(&format!("METHOD:{}", method.as_str())));
    if let Some(name) = name {
        ics.push_str(&fold(&format!("X-WR-CALNAME:{}", text(name))));
    }
    if let Some(zone) = time_zone {
        ics.push_str(&fold(&format!("X-WR-TIMEZONE:{zone}")));
    }
    for event in events {
        vevent(&mut ics, method, event, now);
    }
    ics.push_str(&fold("END:VCALENDAR"));
    ics
}

fn vevent(ics: &mut String, method: Method, m: &MeetingEvent, now: DateTime<Utc>) {
    let status = if m.cancelled || method == Method::Cancel {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    for line in [
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", uid(&m.meeting_id)),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(m.start)),
        format!("DURATION:PT{}M", m.minutes),
        format!("SEQUENCE:{}", m.sequence),
        format!("STATUS:{status}"),
        format!("SUMMARY:{}", text(&m.summary)),
        format!("DESCRIPTION:{}", text(&m.description)),
        format!("URL:{}", m.url),
    ] {
        ics.push_str(&fold(&line));
    }
    if let Some(location) = &m.location {
        ics.push_str(&fold(&format!("LOCATION:{}", text(location))));
    }
    if method != Method::Publish {
        if let Some(o) = &m.organizer {
            ics.push_str(&fold(&format!(
                "ORGANIZER;CN={}:mailto:{}",
                parameter(&o.name),
                o.email
            )));
        }
        for a in &m.attendees {
            ics.push_str(&fold(&format!(
                "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{}",
                parameter(&a.name),
                a.email
            )));
        }
    }
    ics.push_str(&fold("END:VEVENT"));
}

/// Escapes TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped; every line
/// break — CRLF, a bare CR or a bare LF — becomes `\n`, so no parser, however lenient, sees a new
/// content line; other control characters (never accepted today, but possibly stored earlier) are
/// dropped.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (a `CN`): quoted, without the characters a quoted value cannot hold.
fn parameter(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{clean}\"")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn meeting() -> MeetingEvent {
        MeetingEvent {
            meeting_id: "m1".into(),
            sequence: 2,
            start: Utc.with_ymd_and_hms(2026, 12, 14, 9, 0, 0).unwrap(),
            minutes: 60,
            cancelled: false,
            summary: "Tandem meeting: Ada & Grace".into(),
            description: "Agenda: https://tandem.example/v1/meetings/m1".into(),
            url: "https://tandem.example/v1/meetings/m1".into(),
            location: None,
            organizer: Some(Person {
                name: "Tandem".into(),
                email: "tandem@example.com".into(),
            }),
            attendees: vec![Person {
                name: "Ada \"the\" Lovelace".into(),
                email: "ada@example.com".into(),
            }],
        }
    }

    #[test]
    fn every_line_break_is_escaped_and_control_characters_dropped() {
        assert_eq!(text("a\rb\r\nc\nd"), "a\\nb\\nc\\nd");
        assert_eq!(text("x;y,z\\"), "x\\;y\\,z\\\\");
        assert_eq!(text("bell\u{7}"), "bell");
    }

    #[test]
    fn an_invitation_names_its_method_uid_sequence_and_people() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let ics = calendar(Method::Request, None, None, &[meeting()], now);
        assert!(ics.contains("METHOD:REQUEST\r\n"));
        assert!(ics.contains("UID:m1@tandem\r\n"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        assert!(ics.contains("DTSTART:20261214T090000Z\r\n"));
        assert!(ics.contains("STATUS:CONFIRMED\r\n"));
        assert!(ics.contains("mailto:ada@example.com"));
        assert!(ics.contains("CN=\"Ada the Lovelace\""), "{ics}");
        let cancel = calendar(Method::Cancel, None, None, &[meeting()], now);
        assert!(cancel.contains("METHOD:CANCEL\r\n") && cancel.contains("STATUS:CANCELLED\r\n"));
        let feed = calendar(Method::Publish, Some("Feed"), None, &[meeting()], now);
        assert!(!feed.contains("ATTENDEE"), "a feed names no attendees");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let folded = fold(&"é".repeat(60));
        for line in folded.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(
            folded.replace("\r\n ", ""),
            format!("{}\r\n", "é".repeat(60))
        );
    }
}
