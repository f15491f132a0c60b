//! Kudos — "motivate each other: celebrate small wins": a partner's short note on the other's
//! reading, completed milestone or check-in, shown in the wins section of the receiver's block of
//! the next meeting's agenda.

use serde::{Deserialize, Serialize};

/// What kudos can be given on: the three things a partner sees their partner achieve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KudosSubject {
    /// A reading of one of the partner's goals.
    Reading,
    /// A completed milestone of one of the partner's goals.
    Milestone,
    /// One of the partner's check-ins.
    CheckIn,
}

named!(KudosSubject {
    Reading => "reading",
    Milestone => "milestone",
    CheckIn => "check_in",
});

/// The longest note, in characters: kudos are a line, not a letter.
pub const NOTE_MAX_CHARS: usize = 280;

/// Why a note is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteProblem {
    /// Nothing but white space.
    Blank,
    /// Longer than [`NOTE_MAX_CHARS`].
    TooLong,
}

/// The note as stored: trimmed, not blank, at most [`NOTE_MAX_CHARS`] characters.
pub fn note(text: &str) -> Result<String, NoteProblem> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err(NoteProblem::Blank)
    } else if trimmed.chars().count() > NOTE_MAX_CHARS {
        Err(NoteProblem::TooLong)
    } else {
        Ok(trimmed.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_trimmed_and_must_say_something_in_a_line() {
        assert_eq!(note("  Great week!\n"), Ok("Great week!".into()));
        assert_eq!(note(" \n\t"), Err(NoteProblem::Blank));
        assert_eq!(
            note(&"é".repeat(NOTE_MAX_CHARS)).map(|n| n.chars().count()),
            Ok(280)
        );
        assert_eq!(
            note(&"a".repeat(NOTE_MAX_CHARS + 1)),
            Err(NoteProblem::TooLong)
        );
    }
}
