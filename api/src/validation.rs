//! Field rules shared by request bodies (the `validator` custom functions).

use std::borrow::Cow;

use validator::{ValidateEmail, ValidationError};

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
    fn blank_display_names_are_refused() {
        assert!(display_name("   ").is_err());
        assert!(display_name("Ada").is_ok());
        assert!(display_name(&"x".repeat(101)).is_err());
    }
}
