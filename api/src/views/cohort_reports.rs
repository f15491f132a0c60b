//! What the programme report answers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::cohort_reports::CohortReport;
use utoipa::ToSchema;

/// A cohort's programme report: aggregates only, never a goal title, reading, note or a pair's
/// names. A figure that would stand for fewer than five people is `null` and its JSON pointer is
/// listed in `suppressed`; in a breakdown (`pairs_by_status`, `streaks`, `goals_by_status`) the
/// smallest other parts are withheld with it until the withheld parts together stand for five
/// people or more, so that the total less the published parts cannot give it away. Zeros are
/// always published.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cohort_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4c01", "as_of": "2027-06-01T09:00:00Z",
    "matched": true, "members": 24, "opted_out": 2, "paired": 22,
    "pairs_by_status": {"invited": 0, "active": 8, "paused": null, "ended": 0, "declined": null},
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
    /// JSON pointers of the figures withheld: those standing for fewer than five people, and the
    /// parts of a breakdown withheld with them.
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

/// The programme report's CSV columns: one row per figure, so a spreadsheet can pivot or chart it
/// without knowing the JSON's nesting.
pub const COHORT_REPORT_COLUMNS: [&str; 3] = ["figure", "value", "suppressed"];

/// The report as CSV rows: every figure of the JSON report, in its order, named by its JSON
/// pointer (`/pairs_by_status/active`), its value (empty when withheld) and whether it was
/// withheld. Walking the JSON keeps the two reports the same figures by construction.
pub fn cohort_report_rows(view: &CohortReportView) -> Vec<Vec<crate::http::csv::Cell>> {
    use crate::http::csv::Cell;
    fn walk(
        pointer: String,
        value: &serde_json::Value,
        suppressed: &[String],
        rows: &mut Vec<Vec<Cell>>,
    ) {
        match value {
            serde_json::Value::Object(fields) => {
                for (name, inner) in fields {
                    walk(format!("{pointer}/{name}"), inner, suppressed, rows);
                }
            }
            figure => {
                let withheld = suppressed.contains(&pointer);
                rows.push(vec![
                    Cell::Text(pointer),
                    figure.as_f64().map_or(Cell::Empty, Cell::Number),
                    Cell::from(withheld),
                ]);
            }
        }
    }
    let mut json = serde_json::to_value(view).unwrap_or_default();
    let mut rows = Vec::new();
    if let serde_json::Value::Object(fields) = &mut json {
        // What the report is about, not a figure: the file name and the request say it.
        for context in ["cohort_id", "as_of", "matched", "suppressed"] {
            fields.shift_remove(context);
        }
        for (name, value) in fields.iter() {
            walk(format!("/{name}"), value, &view.suppressed, &mut rows);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::csv::Cell;

    fn view() -> CohortReportView {
        CohortReportView {
            cohort_id: "c".into(),
            as_of: chrono::DateTime::UNIX_EPOCH,
            matched: true,
            members: Some(12),
            opted_out: None,
            paired: Some(10),
            pairs_by_status: [("active".to_owned(), Some(5)), ("ended".into(), None)].into(),
            members_ready: Some(7),
            meetings_held: Some(30),
            on_time_rate: Some(0.8),
            streaks: BTreeMap::new(),
            goals_by_status: BTreeMap::new(),
            fit_reviews: FitReviewFiguresView {
                people: None,
                shared_values: None,
                complementary_skills: None,
                communication: None,
                wants_to_continue: None,
            },
            refresh_completion: Some(0.5),
            suppressed: vec!["/opted_out".into(), "/pairs_by_status/ended".into()],
        }
    }

    #[test]
    fn every_figure_is_a_row_named_by_its_pointer_and_withheld_ones_are_empty_and_flagged() {
        let rows = cohort_report_rows(&view());
        let find = |name: &str| {
            rows.iter()
                .find(|r| r[0] == Cell::Text(name.into()))
                .unwrap_or_else(|| panic!("{name} has a row"))
                .clone()
        };
        assert_eq!(
            find("/members")[1..],
            [Cell::Number(12.0), Cell::from(false)]
        );
        assert_eq!(find("/opted_out")[1..], [Cell::Empty, Cell::from(true)]);
        assert_eq!(find("/pairs_by_status/active")[1], Cell::Number(5.0));
        assert_eq!(find("/pairs_by_status/ended")[2], Cell::from(true));
        assert_eq!(find("/on_time_rate")[1], Cell::Number(0.8));
        // A null figure that was not withheld (no fit reviews yet) is empty but not flagged.
        assert_eq!(find("/fit_reviews/people")[2], Cell::from(false));
        for context in ["/cohort_id", "/as_of", "/matched", "/suppressed"] {
            assert!(
                rows.iter().all(|r| r[0] != Cell::Text(context.into())),
                "{context}"
            );
        }
        assert_eq!(
            rows[0][0],
            Cell::Text("/members".into()),
            "in the JSON's order"
        );
    }
}
