//! What the programme report answers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::cohort_reports::CohortReport;
use utoipa::ToSchema;

/// A cohort's programme report: aggregates only, never a goal title, reading, note or a pair's
/// names. A figure that would stand for fewer than five people is `null` and its JSON pointer is
/// listed in `suppressed`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cohort_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4c01", "as_of": "2027-06-01T09:00:00Z",
    "matched": true, "members": 24, "opted_out": 2, "paired": 22,
    "pairs_by_status": {"invited": 0, "active": 9, "paused": null, "ended": 0, "declined": null},
    "members_ready": 17, "meetings_held": 86, "on_time_rate": 0.86,
    "streaks": {"0": null, "1-2": 3, "3-5": 5, "6+": null},
    "goals_by_status": {"draft": 6, "active": 71, "achieved": 12, "missed": null, "dropped": null, "archived": 0},
    "fit_reviews": {"people": 20, "shared_values": 4.2, "complementary_skills": 3.9, "communication": 4.4, "wants_to_continue": 0.9},
    "refresh_completion": null,
    "suppressed": ["/pairs_by_status/paused", "/pairs_by_status/declined", "/streaks/0", "/streaks/6+",
                   "/goals_by_status/missed", "/goals_by_status/dropped"]
}))]
pub struct CohortReportView {
    /// The cohort.
    #[schema(format = Uuid)]
    pub cohort_id: String,
    /// When the figures were computed.
    pub as_of: DateTime<Utc>,
    /// Whether its pairs are confirmed (before that only membership figures are non-zero).
    pub matched: bool,
    /// Members, opted out included.
    pub members: Option<i64>,
    /// Members who opted out.
    pub opted_out: Option<i64>,
    /// Members in a confirmed pair.
    pub paired: Option<i64>,
    /// Confirmed pairs by their partnership's status (invited, active, paused, ended, declined).
    pub pairs_by_status: BTreeMap<String, Option<i64>>,
    /// Paired members with 3-5 active goals: ready for the practice.
    pub members_ready: Option<i64>,
    /// Meetings held by the pairs.
    pub meetings_held: Option<i64>,
    /// Of those, the share held by their slot plus the pair's grace days (0-1); null when none
    /// were held or withheld.
    pub on_time_rate: Option<f64>,
    /// Pairs by their current run of meetings held on time: `0`, `1-2`, `3-5`, `6+`.
    pub streaks: BTreeMap<String, Option<i64>>,
    /// The pairs' goals by status (draft, active, achieved, missed, dropped, archived).
    pub goals_by_status: BTreeMap<String, Option<i64>>,
    /// Fit-review answers.
    pub fit_reviews: FitReviewFiguresView,
    /// Share of paired members who refreshed their goals at least once (0-1).
    pub refresh_completion: Option<f64>,
    /// JSON pointers of the figures withheld because they stand for fewer than five people.
    pub suppressed: Vec<String>,
}

/// Fit-review figures: people who answered, average scores (1-5), share who want to continue.
#[derive(Debug, Serialize, ToSchema)]
pub struct FitReviewFiguresView {
    /// People who answered at least once.
    pub people: Option<i64>,
    /// Average "shared values" score.
    pub shared_values: Option<f64>,
    /// Average "complementary skills" score.
    pub complementary_skills: Option<f64>,
    /// Average "communication" score.
    pub communication: Option<f64>,
    /// Share of answers wanting to continue (0-1).
    pub wants_to_continue: Option<f64>,
}

impl From<CohortReport> for CohortReportView {
    fn from(r: CohortReport) -> Self {
        let map = |m: BTreeMap<&'static str, Option<i64>>| {
            m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
        };
        CohortReportView {
            cohort_id: r.cohort_id,
            as_of: r.as_of,
            matched: r.matched,
            members: r.members,
            opted_out: r.opted_out,
            paired: r.paired,
            pairs_by_status: map(r.pairs_by_status),
            members_ready: r.members_ready,
            meetings_held: r.meetings_held,
            on_time_rate: r.on_time_rate,
            streaks: map(r.streaks),
            goals_by_status: map(r.goals_by_status),
            fit_reviews: FitReviewFiguresView {
                people: r.fit_reviews.people,
                shared_values: r.fit_reviews.shared_values,
                complementary_skills: r.fit_reviews.complementary_skills,
                communication: r.fit_reviews.communication,
                wants_to_continue: r.fit_reviews.wants_to_continue,
            },
            refresh_completion: r.refresh_completion,
            suppressed: r.suppressed,
        }
    }
}
