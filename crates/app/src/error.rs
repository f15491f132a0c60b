//! What a use case can answer instead of a result: the app's one error type.
//!
//! Every rule a request can break is a [`Rule`] with a stable name (the HTTP layer turns it into
//! the problem type `urn:tandem:problem:<name>`), a title and a [`RuleKind`] saying whether the
//! caller may not (forbidden), the current state does not allow it (conflict), or the request is
//! refused on its merits (unprocessable). Clients switch on the name, never on prose.

use tandem_store::StoreError;

/// What kind of refusal a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// The caller may not do this, whatever the state (HTTP 403).
    Forbidden,
    /// The current state does not allow it; another state would (HTTP 409).
    Conflict,
    /// The request is well-formed but refused on its merits (HTTP 422).
    Unprocessable,
}

macro_rules! rules {
    ($($variant:ident => $name:literal, $kind:ident, $title:literal, $when:literal;)+) => {
        /// A named rule a request can break.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $(#[doc = $when] $variant,)+
        }

        impl Rule {
            /// Every rule.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),+];

            /// Its stable name (`goal-limit-reached`).
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name),+ }
            }

            /// A short summary, the same for every occurrence.
            pub fn title(self) -> &'static str {
                match self { $(Rule::$variant => $title),+ }
            }

            /// When it applies, for documentation.
            pub fn when(self) -> &'static str {
                match self { $(Rule::$variant => $when),+ }
            }

            /// What kind of refusal it is.
            pub fn kind(self) -> RuleKind {
                match self { $(Rule::$variant => RuleKind::$kind),+ }
            }
        }
    };
}

rules! {
    OwnerOnly => "owner-only", Forbidden, "Only the owner may do this",
        "Only a goal's owner changes it, and records or corrects its readings; the partner reads it.";
    PartnerDecides => "partner-decides", Forbidden, "Only the partner may decide this",
        "An easing change to a goal is acknowledged or rejected by the partner, never its owner.";
    InviteeOnly => "invitee-only", Forbidden, "Only the invitee may answer an invitation",
        "Only the invited person accepts or declines an invitation.";
    AdminOnly => "admin-only", Forbidden, "This needs the admin role",
        "Provisioning is for accounts holding the admin role.";
    SignInRequired => "sign-in-required", Forbidden, "A signed-in session is required",
        "Personal access tokens cannot manage credentials or sign out; sign in instead.";
    TokenScope => "token-scope", Forbidden, "The access token's scopes do not allow this",
        "A personal access token may only do what its scopes allow (read, readings:write, full).";
    TokenLimited => "token-limited", Forbidden, "The access token is limited to one partnership",
        "A token limited to one partnership cannot create partnerships.";
    WrongPassword => "wrong-password", Forbidden, "The current password is not correct",
        "Setting a new password needs the current one.";
    PartnershipNotActive => "partnership-not-active", Conflict, "The partnership is not active",
        "Meetings happen in an active partnership; fit reviews and kudos in an accepted one that has not ended.";
    PartnershipEnded => "partnership-ended", Conflict, "The partnership has ended",
        "An ended or declined partnership keeps its history but takes no new goals, check-ins, refreshes or settings.";
    PartnershipTransition => "partnership-transition", Conflict, "The partnership cannot make this move",
        "invited → active | declined | ended, active ⇄ paused, active | paused → ended; nothing else.";
    PartnershipExists => "partnership-exists", Conflict, "A live partnership with this person exists",
        "Two people have at most one invited, active or paused partnership.";
    EmailTaken => "email-taken", Conflict, "The email belongs to another account",
        "Emails are unique, whatever their case.";
    GoalNotSmart => "goal-not-smart", Unprocessable, "The goal is not SMART yet",
        "An active goal meets all five SMART criteria; `errors` lists every finding to fix.";
    GoalLimitReached => "goal-limit-reached", Conflict, "Five active goals already",
        "A partner holds at most five active goals in a partnership (the practice is 3 to 5).";
    GoalTransition => "goal-transition", Conflict, "The goal cannot make this move",
        "draft → active → achieved | missed | dropped; a draft may be dropped; closed goals and drafts are archived.";
    GoalClosed => "goal-closed", Conflict, "The goal is closed",
        "An achieved, missed, dropped or archived goal is history: no edits, no readings.";
    GoalIncomplete => "goal-incomplete", Conflict, "The goal lacks what progress needs",
        "Progress needs a direction, dates and numbers; a draft may not have them yet.";
    FrozenField => "frozen-field", Unprocessable, "This field is fixed once the goal is active",
        "The metric's kind and direction cannot change on an active goal.";
    ExternalRefTaken => "external-ref-taken", Conflict, "Another goal has this external reference",
        "A source and external_ref name one goal per partnership.";
    ChangeDecided => "change-decided", Conflict, "The change was already decided",
        "A pending change is acknowledged or rejected once.";
    MilestoneLimitReached => "milestone-limit-reached", Conflict, "Twenty milestones already",
        "A goal has at most 20 milestones.";
    ReadingDeleted => "reading-deleted", Conflict, "The reading was deleted",
        "A deleted reading stays in history but cannot be corrected or receive kudos.";
    MeetingAlreadyScheduled => "meeting-already-scheduled", Conflict, "A meeting is already scheduled",
        "A partnership has one upcoming meeting: reschedule or cancel it instead.";
    MeetingTransition => "meeting-transition", Conflict, "The meeting cannot do this now",
        "Only a scheduled meeting is edited, moved, cancelled or completed; a cancelled one takes no notes.";
    MeetingNotCompleted => "meeting-not-completed", Conflict, "The meeting is not completed",
        "A meeting's scorecard is frozen when it is completed.";
    CommitmentClosed => "commitment-closed", Conflict, "The commitment is closed",
        "A done or dropped commitment stays as it is.";
    FitReviewAnswered => "fit-review-answered", Conflict, "You answered this round",
        "Each partner answers a fit review round once; it completes when both have.";
    RefreshNotDue => "refresh-not-due", Conflict, "The refresh is not due yet",
        "More than 30 days before its due date a refresh needs `\"early\": true`.";
    RefreshDone => "refresh-done", Conflict, "You refreshed this cycle",
        "Each partner refreshes their goals once a cycle; it completes when both have.";
    CohortMatched => "cohort-matched", Conflict, "The cohort is already matched",
        "Members opt out of a cohort before its pairs are confirmed; afterwards they decline their invitation instead. A matched cohort takes no new proposal.";
    ProposalStale => "proposal-stale", Conflict, "The proposal no longer fits its cohort",
        "Someone in a proposed pair opted out, was deactivated or partnered meanwhile; compute a new proposal.";
    KudosToSelf => "kudos-to-self", Unprocessable, "Kudos go to your partner",
        "Kudos celebrate your partner's reading, completed milestone or check-in, never your own.";
    MilestoneNotCompleted => "milestone-not-completed", Conflict, "The milestone is not completed",
        "Kudos on a milestone wait until its owner completes it.";
    KudosSent => "kudos-sent", Conflict, "You already sent kudos on this",
        "Each partner sends kudos once per reading, milestone or check-in, so a retried request never celebrates twice.";
    PairForbidden => "pair-forbidden", Unprocessable, "This pair may never be proposed",
        "A pinned pair breaks a hard constraint: one department (unless the cohort allows it), a manager and their report, or partners now or in the last two cohorts.";
}

/// One invalid input, located by JSON pointer (`/metric/target`) or parameter name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    /// Where: a JSON pointer into the request body (without `#`), e.g. `/goal_id`.
    pub pointer: String,
    /// A stable reason, e.g. `required`, `unknown_goal`.
    pub code: String,
    /// What is wrong, for a person.
    pub detail: String,
}

impl FieldIssue {
    /// An issue with the field at `pointer` (a leading `/` is added when missing).
    pub fn new(pointer: impl AsRef<str>, code: &str, detail: impl Into<String>) -> Self {
        let pointer = pointer.as_ref();
        FieldIssue {
            pointer: if pointer.is_empty() || pointer.starts_with('/') {
                pointer.to_owned()
            } else {
                format!("/{pointer}")
            },
            code: code.to_owned(),
            detail: detail.into(),
        }
    }
}

/// Why a use case did not produce its result.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// No such thing, or one the actor may not see: the two are indistinguishable.
    #[error("not found")]
    NotFound,
    /// A named rule refused the request.
    #[error("{}: {detail}", rule.name())]
    Refused {
        /// The rule.
        rule: Rule,
        /// What happened this time, for a person.
        detail: String,
        /// Findings, for rules that have them (the SMART assessment).
        issues: Vec<FieldIssue>,
    },
    /// Fields of the input are invalid, all of them listed.
    #[error("invalid input")]
    Invalid(Vec<FieldIssue>),
    /// The thing changed since the caller read it (optimistic concurrency).
    #[error("stale version")]
    Stale,
    /// The write would replace someone's work; the caller must say which version they read.
    #[error("precondition required")]
    PreconditionRequired,
    /// The credentials do not prove who the caller is.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The database cannot be reached.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A bug or unexpected failure; the text is for the log only.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// A refusal by `rule`.
    pub fn refused(rule: Rule, detail: impl Into<String>) -> Self {
        AppError::Refused {
            rule,
            detail: detail.into(),
            issues: Vec::new(),
        }
    }

    /// One invalid field.
    pub fn field(pointer: &str, code: &str, detail: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldIssue::new(pointer, code, detail)])
    }

    /// The rule that refused, if a rule did.
    pub fn rule(&self) -> Option<Rule> {
        match self {
            AppError::Refused { rule, .. } => Some(*rule),
            _ => None,
        }
    }

    /// A failure for the log only.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Store failures mapped once. A uniqueness conflict the use case did not expect is a bug: use
/// cases turn the ones they expect into named rules where they happen.
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Stale => AppError::Stale,
            StoreError::Unavailable(e) => AppError::Unavailable(e),
            StoreError::Conflict(what) => {
                AppError::Internal(format!("unexpected conflict on {what}"))
            }
            StoreError::Database(e) => AppError::Internal(e.to_string()),
            StoreError::Migration(e) => AppError::Internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_unique_kebab_case() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
    }
}
