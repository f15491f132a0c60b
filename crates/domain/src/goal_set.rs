//! The 3-to-5 rule: each partner holds between three and five active goals in a partnership —
//! enough to matter, few enough to focus on.

use serde::{Deserialize, Serialize};

/// Fewest active goals for a ready goal set.
pub const MIN_ACTIVE_GOALS: u32 = 3;
/// Most active goals a partner may hold in one partnership.
pub const MAX_ACTIVE_GOALS: u32 = 5;

/// Whether a partner's goal set is ready, and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalSetReadiness {
    /// Active goals now.
    pub active_goals: u32,
    /// 3 to 5 active goals.
    pub ready: bool,
    /// Goals still to activate to reach three.
    pub missing: u32,
    /// What to do, for a person.
    pub message: String,
}

/// Readiness of a goal set with `active` active goals.
pub fn readiness(active: u32) -> GoalSetReadiness {
    let missing = MIN_ACTIVE_GOALS.saturating_sub(active);
    let ready = (MIN_ACTIVE_GOALS..=MAX_ACTIVE_GOALS).contains(&active);
    let message = if ready {
        format!("Ready: {active} active goals.")
    } else if missing > 0 {
        format!(
            "Activate {missing} more goal{} to reach the minimum of {MIN_ACTIVE_GOALS}.",
            if missing == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "Too many active goals: close {} to focus on at most {MAX_ACTIVE_GOALS}.",
            active - MAX_ACTIVE_GOALS
        )
    };
    GoalSetReadiness {
        active_goals: active,
        ready,
        missing,
        message,
    }
}

/// Activating one more goal would exceed [`MAX_ACTIVE_GOALS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a partner may hold at most {MAX_ACTIVE_GOALS} active goals in a partnership")]
pub struct TooManyActiveGoals;

/// Whether a partner with `active` active goals may activate another.
pub fn may_activate(active: u32) -> Result<(), TooManyActiveGoals> {
    if active < MAX_ACTIVE_GOALS {
        Ok(())
    } else {
        Err(TooManyActiveGoals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_to_five_active_goals_are_ready() {
        assert!(!readiness(2).ready);
        assert_eq!(readiness(2).missing, 1);
        assert!(readiness(3).ready && readiness(5).ready);
        assert_eq!(
            readiness(0).message,
            "Activate 3 more goals to reach the minimum of 3."
        );
        assert!(!readiness(6).ready);
    }

    #[test]
    fn a_sixth_activation_is_refused() {
        assert!(may_activate(4).is_ok());
        assert_eq!(may_activate(5), Err(TooManyActiveGoals));
    }
}
