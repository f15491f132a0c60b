//! Field rules shared by request bodies (the `validator` custom functions).

use std::borrow::Cow;

use validator::{ValidateEmail, ValidationError};

/// Request fields whose text may span lines (notes, narratives, reasons). Every other text field,
/// and every query parameter, is a single line.
///
/// The rule, applied to every string of every request body by [`crate::http::extract::Json`] (so no
/// field can forget it) and to every query parameter by [`crate::http::extract::Query`]:
/// - U+0000 (NUL) is refused everywhere: PostgreSQL cannot store it, and no client means it;
/// - single-line fields refuse every control character (Unicode category Cc: C0, DEL, C1),
///   including CR and LF, so titles, names, emails, units, locations, external ids and sources can
///   never break a header, a CSV row or an iCalendar line;
/// - multi-line fields allow `\n` and `\t` and refuse every other control character, `\r` included
///   (send `\n` line breaks).
pub const MULTI_LINE_FIELDS: [&str; 12] = [
    "note",
    "text",
    "wins",
    "obstacles",
    "solutions",
    "what",
    "who",
    "why",
    "message",
    "reason",
    "status_note",
    "description",
];

/// Whether the field named `name` (the last member name of its JSON pointer) may span lines.
pub fn is_multi_line(name: &str) -> bool {
    MULTI_LINE_FIELDS.contains(&name)
}

/// Checks a text value against the control-character rule; `Err((code, detail))` names the first
/// offending character.
pub fn control_characters(value: &str, multi_line: bool) -> Result<(), (&'static str, String)> {
    for c in value.chars() {
        if c == '\0' {
            return Err(("nul_character", "must not contain U+0000 (NUL)".to_owned()));
        }
        if c.is_control() && !(multi_line && matches!(c, '\n' | '\t')) {
            let allowed = if multi_line {
                "only line feeds (\\n) and tabs (\\t) are allowed"
            } else {
                "this field is a single line"
            };
            return Err((
                "control_character",
                format!(
                    "must not contain the control character U+{:04X}: {allowed}",
                    u32::from(c)
                ),
            ));
        }
    }
    Ok(())
}

/// An identifier another system chose, taken from a path segment (an HR id, an OKR tool's name
/// and reference): 1 to `max` characters on one line, checked before anything is written so that
/// it can never break a header or a row (400 naming the parameter).
pub fn path_identifier(
    name: &str,
    value: &str,
    max: usize,
) -> Result<(), crate::http::problem::ApiError> {
    let fail =
        |code: &str, detail: String| Err(crate::http::extract::parameter_error(name, code, detail));
    if value.is_empty() || value.chars().count() > max {
        return fail("length", format!("must be 1 to {max} characters"));
    }
    if let Err((code, detail)) = control_characters(value, false) {
        return fail(code, detail);
    }
    Ok(())
}

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

/// Trimmed and lower-cased: emails are unique regardless of case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A deliverable-looking address of at most 254 characters.
pub fn email(value: &str) -> Result<(), ValidationError> {
    let value = value.trim();
    if value.chars().count() > 254 {
        return Err(error("length", "must be at most 254 characters long"));
    }
    if !value.validate_email() {
        return Err(error("email", "must be a valid email address"));
    }
    Ok(())
}

/// 1 to 100 characters, not all blank.
pub fn display_name(value: &str) -> Result<(), ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(error("blank", "must not be blank"));
    }
    if value.chars().count() > 100 {
        return Err(error("length", "must be at most 100 characters long"));
    }
    Ok(())
}

/// An IANA time zone name such as `America/New_York`.
pub fn time_zone(value: &str) -> Result<(), ValidationError> {
    value.parse::<chrono_tz::Tz>().map(|_| ()).map_err(|_| {
        error(
            "time_zone",
            "must be an IANA time zone name such as Europe/Berlin",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_iana_names() {
        assert!(time_zone("America/New_York").is_ok());
        assert!(time_zone("UTC").is_ok());
        assert!(time_zone("Mars/Olympus").is_err());
        assert!(time_zone("").is_err());
    }

    #[test]
    fn emails_are_compared_case_insensitively() {
        assert_eq!(normalise_email("  Ada@Example.COM "), "ada@example.com");
        assert!(email("ada@example.com").is_ok());
        assert!(email("not an email").is_err());
    }

    #[test]
    fn control_characters_are_refused_except_line_breaks_in_multi_line_fields() {
        assert!(control_characters("a\u{0}b", true).is_err());
        assert!(control_characters("Title\r", false).is_err());
        assert!(control_characters("Title\n", false).is_err());
        assert!(control_characters("line one\nline\ttwo", true).is_ok());
        assert!(control_characters("line one\r\nline two", true).is_err());
        assert!(control_characters("\u{85}", true).is_err());
        assert!(control_characters("Ünïcödé → ok", false).is_ok());
        assert!(is_multi_line("note") && !is_multi_line("title"));
    }

    #[test]
    fn blank_display_names_are_refused() {
        assert!(display_name("   ").is_err());
        assert!(display_name("Ada").is_ok());
        assert!(display_name(&"x".repeat(101)).is_err());
    }
}
