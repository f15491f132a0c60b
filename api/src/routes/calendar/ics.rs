//! Writing the feed: RFC 5545 text, escaped and folded.

use chrono::{DateTime, Utc};
use tandem_app::tokens::Feed;
use tandem_domain::meeting::MeetingStatus;

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

/// The partnership's meetings as one VCALENDAR.
pub fn calendar(feed: &Feed, base: &str, now: DateTime<Utc>) -> String {
    let (p, inviter, invitee) = (&feed.partnership, &feed.inviter, &feed.invitee);
    let now = stamp(now);
    let mut ics = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tandem//Accountability partnerships//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        ics.push_str(&fold(line));
    }
    ics.push_str(&fold(&format!(
        "X-WR-CALNAME:{}",
        text(&format!("Tandem: {inviter} & {invitee}"))
    )));
    ics.push_str(&fold(&format!("X-WR-TIMEZONE:{}", p.time_zone)));
    for m in &feed.meetings {
        let status = match m.status {
            MeetingStatus::Cancelled => "CANCELLED",
            _ => "CONFIRMED",
        };
        let agenda = format!("{base}/v1/meetings/{}", m.id);
        let mut description = format!("Agenda: {agenda}");
        if let Some(reason) = &m.cancel_reason {
            description.push_str(&format!("\nCancelled: {reason}"));
        }
        for line in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}@tandem", m.id),
            format!("DTSTAMP:{now}"),
            format!("DTSTART:{}", stamp(m.scheduled_at.and_utc())),
            format!("DURATION:PT{}M", m.length_minutes),
            format!("SEQUENCE:{}", m.version - 1),
            format!("STATUS:{status}"),
            format!(
                "SUMMARY:{}",
                text(&format!("Tandem meeting: {inviter} & {invitee}"))
            ),
            format!("DESCRIPTION:{}", text(&description)),
            format!("URL:{agenda}"),
        ] {
            ics.push_str(&fold(&line));
        }
        if let Some(location) = &m.location {
            ics.push_str(&fold(&format!("LOCATION:{}", text(location))));
        }
        ics.push_str(&fold("END:VEVENT"));
    }
    ics.push_str(&fold("END:VCALENDAR"));
    ics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_break_is_escaped_and_control_characters_dropped() {
        assert_eq!(text("a\rb\r\nc\nd"), "a\\nb\\nc\\nd");
        assert_eq!(text("x;y,z\\"), "x\\;y\\,z\\\\");
        assert_eq!(text("bell\u{7}"), "bell");
    }
}
