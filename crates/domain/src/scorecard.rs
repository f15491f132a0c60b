//! The scorecard roll-up: one figure and one status per partner from their active goals — what
//! a meeting reviews and freezes.

use crate::progress::ProgressStatus;

/// One goal's line as the roll-up needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// The goal's weight (default 1).
    pub weight: f64,
    /// Progress clamped to 0..1 (none without readings: counts as 0).
    pub progress_clamped: Option<f64>,
    /// Where the goal stands.
    pub status: ProgressStatus,
}

/// A partner's roll-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rollup {
    /// Weighted mean of clamped progress; none without goals (or with zero total weight).
    pub weighted_progress: Option<f64>,
    /// The weakest status among the goals (by [`ProgressStatus::severity`]); none without goals.
    pub weakest_status: Option<ProgressStatus>,
}

/// Rolls a partner's goal lines up.
pub fn roll_up(lines: &[Line]) -> Rollup {
    let total: f64 = lines.iter().map(|l| l.weight).sum();
    let weighted_progress = (total > 0.0).then(|| {
        lines
            .iter()
            .map(|l| l.weight * l.progress_clamped.unwrap_or(0.0))
            .sum::<f64>()
            / total
    });
    Rollup {
        weighted_progress,
        weakest_status: lines.iter().map(|l| l.status).max_by_key(|s| s.severity()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_count_and_the_weakest_status_shows() {
        let lines = [
            Line {
                weight: 1.0,
                progress_clamped: Some(1.0),
                status: ProgressStatus::Achieved,
            },
            Line {
                weight: 3.0,
                progress_clamped: Some(0.2),
                status: ProgressStatus::AtRisk,
            },
            Line {
                weight: 1.0,
                progress_clamped: None,
                status: ProgressStatus::NotStarted,
            },
        ];
        let r = roll_up(&lines);
        assert!((r.weighted_progress.unwrap() - 1.6 / 5.0).abs() < 1e-12);
        assert_eq!(r.weakest_status, Some(ProgressStatus::AtRisk));
        assert_eq!(
            roll_up(&[]),
            Rollup {
                weighted_progress: None,
                weakest_status: None
            }
        );
    }
}
