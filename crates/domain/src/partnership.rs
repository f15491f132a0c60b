//! Partnerships: two distinct people, a lifecycle, and settings with invariants.

use serde::{Deserialize, Serialize};

/// Where a partnership is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartnershipStatus {
    /// Waiting for the invitee to accept.
    Invited,
    /// Running.
    Active,
    /// On hold; meetings are not expected.
    Paused,
    /// Over (history is kept).
    Ended,
    /// The invitee said no.
    Declined,
}

/// Something a member asks of a partnership's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnershipAction {
    /// The invitee accepts.
    Accept,
    /// The invitee declines.
    Decline,
    /// Either member pauses.
    Pause,
    /// Either member resumes.
    Resume,
    /// Either member ends it (also withdraws an invitation).
    End,
}

/// The action does not apply in the current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a partnership that is {from:?}")]
pub struct InvalidTransition {
    /// Status at the time.
    pub from: PartnershipStatus,
    /// What was asked.
    pub action: PartnershipAction,
}

named!(PartnershipStatus {
    Invited => "invited",
    Active => "active",
    Paused => "paused",
    Ended => "ended",
    Declined => "declined",
});

named!(PartnershipAction {
    Accept => "accept",
    Decline => "decline",
    Pause => "pause",
    Resume => "resume",
    End => "end",
});

impl PartnershipStatus {
    /// `invited -> active | declined | ended`, `active <-> paused`, `active | paused -> ended`.
    pub fn apply(self, action: PartnershipAction) -> Result<PartnershipStatus, InvalidTransition> {
        use PartnershipAction as A;
        use PartnershipStatus as S;
        match (self, action) {
            (S::Invited, A::Accept) => Ok(S::Active),
            (S::Invited, A::Decline) => Ok(S::Declined),
            (S::Active, A::Pause) => Ok(S::Paused),
            (S::Paused, A::Resume) => Ok(S::Active),
            (S::Invited | S::Active | S::Paused, A::End) => Ok(S::Ended),
            (from, action) => Err(InvalidTransition { from, action }),
        }
    }

    /// Live partnerships block a second one between the same two people.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Invited | Self::Active | Self::Paused)
    }
}

/// Bounds on partnership settings, shared by validation and documentation.
pub mod limits {
    /// Days between meetings.
    pub const CADENCE_DAYS: std::ops::RangeInclusive<u32> = 1..=90;
    /// Meeting length, minutes.
    pub const MEETING_MINUTES: std::ops::RangeInclusive<u32> = 15..=240;
    /// Months between fit reviews.
    pub const FIT_REVIEW_MONTHS: std::ops::RangeInclusive<u32> = 1..=12;
}

#[cfg(test)]
mod tests {
    use super::*;
    use PartnershipAction as A;
    use PartnershipStatus as S;

    #[test]
    fn an_invitation_is_accepted_or_declined_once() {
        assert_eq!(S::Invited.apply(A::Accept), Ok(S::Active));
        assert_eq!(S::Invited.apply(A::Decline), Ok(S::Declined));
        assert!(S::Active.apply(A::Accept).is_err());
        assert!(S::Declined.apply(A::Accept).is_err());
    }

    #[test]
    fn a_running_partnership_pauses_resumes_and_ends() {
        assert_eq!(S::Active.apply(A::Pause), Ok(S::Paused));
        assert_eq!(S::Paused.apply(A::Resume), Ok(S::Active));
        assert_eq!(S::Paused.apply(A::End), Ok(S::Ended));
        assert!(S::Ended.apply(A::Resume).is_err());
        assert!(S::Active.apply(A::Resume).is_err());
        assert!(!S::Ended.is_live() && S::Paused.is_live());
    }
}
