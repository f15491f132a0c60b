//! SMART assessment: exactly what makes a goal not yet Specific, Measurable, Achievable, Relevant
//! and Time-bound, in findings a person can act on and codes a client can switch on.
//!
//! # Finding codes
//! Codes are stable; new ones may be added. `field` is a JSON pointer into the goal document.
//!
//! | code | severity | when |
//! |---|---|---|
//! | `title_missing`, `what_missing`, `who_missing`, `why_missing` | error | the Specific field is empty |
//! | `title_too_short` (< 5 chars), `what_too_short` (< 15), `who_too_short` (< 2), `why_too_short` (< 15) | error | too short to say anything |
//! | `metric_name_missing`, `unit_missing`, `direction_missing` | error | the metric is not described |
//! | `baseline_missing`, `target_missing` | error | a numeric goal lacks its start or end value |
//! | `value_not_finite` | error | baseline, target or a milestone target is NaN or infinite |
//! | `target_equals_baseline` | error | an increase/decrease goal that would be met on day one |
//! | `target_not_above_baseline` | error | an `increase` goal whose target is not higher |
//! | `target_not_below_baseline` | error | a `decrease` goal whose target is not lower |
//! | `percent_out_of_range` | warning | a `percent` metric value outside 0-100 |
//! | `milestones_missing` | error | a `milestone` goal with no milestones |
//! | `confidence_missing` | error | no confidence given |
//! | `confidence_out_of_range` | error | confidence not in 0..1 |
//! | `confidence_low` (< 0.5), `confidence_high` (> 0.9) | warning | outside the stretch band |
//! | `alignment_missing` | error | neither `alignment` nor `alignment_ref` |
//! | `start_date_missing`, `due_date_missing` | error | no time frame |
//! | `due_not_after_start` | error | the due date is not after the start date |
//! | `milestone_outside_window` | error | a milestone due outside start..due |
//! | `milestones_out_of_order` | error | milestone due dates go backwards |

use serde::{Deserialize, Serialize};

use crate::goal::{Direction, GoalDraft, MetricKind};

/// How serious a finding is: errors block activation, warnings only advise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The criterion is not met.
    Error,
    /// Worth a second look; the criterion is still met.
    Warning,
}

/// One thing to fix or reconsider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// Stable code (see the module docs).
    pub code: String,
    /// JSON pointer to the field concerned, e.g. `/metric/target`.
    pub field: String,
    /// What to do about it, for a person.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
}

/// The verdict on one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionAssessment {
    /// No error findings.
    pub met: bool,
    /// Errors and warnings, in field order.
    pub findings: Vec<Finding>,
}

/// The verdict on a whole goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmartAssessment {
    /// Specific.
    pub specific: CriterionAssessment,
    /// Measurable.
    pub measurable: CriterionAssessment,
    /// Achievable.
    pub achievable: CriterionAssessment,
    /// Relevant.
    pub relevant: CriterionAssessment,
    /// Time-bound.
    pub time_bound: CriterionAssessment,
    /// All five criteria met: the goal may be activated.
    pub complete: bool,
}

impl SmartAssessment {
    /// Every finding, criterion by criterion.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        [
            &self.specific,
            &self.measurable,
            &self.achievable,
            &self.relevant,
            &self.time_bound,
        ]
        .into_iter()
        .flat_map(|c| c.findings.iter())
    }

    /// Only the findings that block activation.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings().filter(|f| f.severity == Severity::Error)
    }
}

/// The stretch band for confidence: below it a goal is likely to fail, above it it is not a stretch.
pub const STRETCH_BAND: (f64, f64) = (0.5, 0.9);

#[derive(Default)]
struct Collector(Vec<Finding>);

impl Collector {
    fn error(&mut self, code: &str, field: &str, message: impl Into<String>) {
        self.push(code, field, message.into(), Severity::Error);
    }
    fn warning(&mut self, code: &str, field: &str, message: impl Into<String>) {
        self.push(code, field, message.into(), Severity::Warning);
    }
    fn push(&mut self, code: &str, field: &str, message: String, severity: Severity) {
        self.0.push(Finding {
            code: code.to_owned(),
            field: field.to_owned(),
            message,
            severity,
        });
    }
    fn finish(self) -> CriterionAssessment {
        CriterionAssessment {
            met: self.0.iter().all(|f| f.severity != Severity::Error),
            findings: self.0,
        }
    }
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().map(str::trim).unwrap_or("")
}

fn require_text(c: &mut Collector, value: &Option<String>, name: &str, min: usize, hint: &str) {
    let value = text(value);
    let field = format!("/{name}");
    if value.is_empty() {
        c.error(&format!("{name}_missing"), &field, format!("Add {hint}."));
    } else if value.chars().count() < min {
        c.error(
            &format!("{name}_too_short"),
            &field,
            format!("Say more: {hint} in at least {min} characters."),
        );
    }
}

/// Assesses a goal draft against the five SMART criteria.
pub fn assess(goal: &GoalDraft) -> SmartAssessment {
    let specific = specific(goal);
    let measurable = measurable(goal);
    let achievable = achievable(goal);
    let relevant = relevant(goal);
    let time_bound = time_bound(goal);
    let complete =
        specific.met && measurable.met && achievable.met && relevant.met && time_bound.met;
    SmartAssessment {
        specific,
        measurable,
        achievable,
        relevant,
        time_bound,
        complete,
    }
}

fn specific(goal: &GoalDraft) -> CriterionAssessment {
    let mut c = Collector::default();
    require_text(&mut c, &goal.title, "title", 5, "a short title");
    require_text(&mut c, &goal.what, "what", 15, "what will be accomplished");
    require_text(&mut c, &goal.who, "who", 2, "who is involved");
    require_text(&mut c, &goal.why, "why", 15, "why it matters");
    c.finish()
}

fn measurable(goal: &GoalDraft) -> CriterionAssessment {
    let mut c = Collector::default();
    let m = &goal.metric;
    let direction = m.direction;
    if direction.is_none() {
        c.error(
            "direction_missing",
            "/metric/direction",
            "Say which way is better: increase, decrease, at_least, at_most or milestone.",
        );
    }
    if direction == Some(Direction::Milestone) || m.kind == Some(MetricKind::Milestone) {
        if goal.milestones.is_empty() {
            c.error(
                "milestones_missing",
                "/milestones",
                "A milestone goal needs at least one milestone.",
            );
        }
        return c.finish();
    }
    if text(&m.name).is_empty() {
        c.error(
            "metric_name_missing",
            "/metric/name",
            "Name the metric that shows progress.",
        );
    }
    if text(&m.unit).is_empty() {
        c.error(
            "unit_missing",
            "/metric/unit",
            "Give the metric's unit, e.g. %, EUR or minutes.",
        );
    }
    let finite = |value: Option<f64>, name: &str, c: &mut Collector| match value {
        None => {
            c.error(
                &format!("{name}_missing"),
                &format!("/metric/{name}"),
                format!("Give the {name} value."),
            );
            None
        }
        Some(v) if !v.is_finite() => {
            c.error(
                "value_not_finite",
                &format!("/metric/{name}"),
                "Use a finite number.",
            );
            None
        }
        Some(v) => Some(v),
    };
    let baseline = finite(m.baseline, "baseline", &mut c);
    let target = finite(m.target, "target", &mut c);
    if let (Some(b), Some(t), Some(d)) = (baseline, target, direction) {
        match d {
            Direction::Increase | Direction::Decrease if t == b => c.error(
                "target_equals_baseline",
                "/metric/target",
                "The target equals the baseline: the goal would be met on day one.",
            ),
            Direction::Increase if t < b => c.error(
                "target_not_above_baseline",
                "/metric/target",
                "An increase goal needs a target above the baseline (or choose decrease).",
            ),
            Direction::Decrease if t > b => c.error(
                "target_not_below_baseline",
                "/metric/target",
                "A decrease goal needs a target below the baseline (or choose increase).",
            ),
            _ => {}
        }
    }
    if m.kind == Some(MetricKind::Percent) {
        for (name, value) in [("baseline", baseline), ("target", target)] {
            if value.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
                c.warning(
                    "percent_out_of_range",
                    &format!("/metric/{name}"),
                    "A percentage is usually between 0 and 100.",
                );
            }
        }
    }
    for (i, milestone) in goal.milestones.iter().enumerate() {
        if milestone.target.is_some_and(|t| !t.is_finite()) {
            c.error(
                "value_not_finite",
                &format!("/milestones/{i}/target"),
                "Use a finite number.",
            );
        }
    }
    c.finish()
}

fn achievable(goal: &GoalDraft) -> CriterionAssessment {
    let mut c = Collector::default();
    match goal.confidence {
        None => c.error(
            "confidence_missing",
            "/confidence",
            "Estimate how likely you are to reach the target (0 to 1).",
        ),
        Some(v) if !(0.0..=1.0).contains(&v) => c.error(
            "confidence_out_of_range",
            "/confidence",
            "Confidence is a probability between 0 and 1.",
        ),
        Some(v) if v < STRETCH_BAND.0 => c.warning(
            "confidence_low",
            "/confidence",
            "Below 50% confidence: consider a nearer target or more time.",
        ),
        Some(v) if v > STRETCH_BAND.1 => c.warning(
            "confidence_high",
            "/confidence",
            "Above 90% confidence: is this a stretch? Consider a bolder target.",
        ),
        Some(_) => {}
    }
    c.finish()
}

fn relevant(goal: &GoalDraft) -> CriterionAssessment {
    let mut c = Collector::default();
    if text(&goal.alignment).is_empty() && text(&goal.alignment_ref).is_empty() {
        c.error(
            "alignment_missing",
            "/alignment",
            "Name the business objective this goal serves (or link its OKR).",
        );
    }
    c.finish()
}

fn time_bound(goal: &GoalDraft) -> CriterionAssessment {
    let mut c = Collector::default();
    if goal.start_date.is_none() {
        c.error("start_date_missing", "/start_date", "Give the start date.");
    }
    if goal.due_date.is_none() {
        c.error("due_date_missing", "/due_date", "Give the due date.");
    }
    if let (Some(start), Some(due)) = (goal.start_date, goal.due_date)
        && due <= start
    {
        c.error(
            "due_not_after_start",
            "/due_date",
            "The due date must be after the start date.",
        );
    }
    let mut previous = None;
    for (i, milestone) in goal.milestones.iter().enumerate() {
        let field = format!("/milestones/{i}/due_date");
        let outside = goal.start_date.is_some_and(|s| milestone.due_date < s)
            || goal.due_date.is_some_and(|d| milestone.due_date > d);
        if outside {
            c.error(
                "milestone_outside_window",
                &field,
                "Milestones must fall between the start and due dates.",
            );
        }
        if previous.is_some_and(|p| milestone.due_date < p) {
            c.error(
                "milestones_out_of_order",
                &field,
                "Milestones must be in date order.",
            );
        }
        previous = Some(milestone.due_date);
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goal::{MetricDraft, Milestone};
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The seed's wait-time goal, complete.
    pub(crate) fn wait_time_goal() -> GoalDraft {
        GoalDraft {
            title: Some("Cut customer wait time".into()),
            what: Some("Reduce average customer wait time by 20%".into()),
            who: Some("Support team".into()),
            why: Some("Long waits are the top reason for churn".into()),
            metric: MetricDraft {
                name: Some("Average wait".into()),
                unit: Some("minutes".into()),
                kind: Some(MetricKind::Duration),
                direction: Some(Direction::Decrease),
                baseline: Some(12.0),
                target: Some(9.6),
            },
            confidence: Some(0.7),
            alignment: Some("Retention OKR".into()),
            alignment_ref: None,
            start_date: Some(date(2026, 1, 1)),
            due_date: Some(date(2026, 6, 30)),
            milestones: vec![],
        }
    }

    fn codes(c: &CriterionAssessment) -> Vec<&str> {
        c.findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn a_complete_goal_is_complete() {
        let a = assess(&wait_time_goal());
        assert!(a.complete, "{a:#?}");
        assert_eq!(a.findings().count(), 0);
    }

    #[test]
    fn an_empty_draft_lists_what_is_missing_under_each_criterion() {
        let a = assess(&GoalDraft::default());
        assert!(!a.complete);
        assert_eq!(
            codes(&a.specific),
            [
                "title_missing",
                "what_missing",
                "who_missing",
                "why_missing"
            ]
        );
        assert_eq!(
            codes(&a.measurable),
            [
                "direction_missing",
                "metric_name_missing",
                "unit_missing",
                "baseline_missing",
                "target_missing"
            ]
        );
        assert_eq!(codes(&a.achievable), ["confidence_missing"]);
        assert_eq!(codes(&a.relevant), ["alignment_missing"]);
        assert_eq!(
            codes(&a.time_bound),
            ["start_date_missing", "due_date_missing"]
        );
    }

    #[test]
    fn trivial_text_is_not_specific() {
        let mut g = wait_time_goal();
        g.title = Some("Do".into());
        g.why = Some("because".into());
        let a = assess(&g);
        assert_eq!(codes(&a.specific), ["title_too_short", "why_too_short"]);
        assert_eq!(a.specific.findings[0].field, "/title");
    }

    #[test]
    fn target_must_fit_the_direction() {
        let mut g = wait_time_goal();
        g.metric.target = Some(14.0);
        assert_eq!(codes(&assess(&g).measurable), ["target_not_below_baseline"]);
        g.metric.direction = Some(Direction::Increase);
        assert!(assess(&g).measurable.met);
        g.metric.target = Some(12.0);
        assert_eq!(codes(&assess(&g).measurable), ["target_equals_baseline"]);
        g.metric.target = Some(10.0);
        assert_eq!(codes(&assess(&g).measurable), ["target_not_above_baseline"]);
    }

    #[test]
    fn non_finite_values_are_findings_not_panics() {
        let mut g = wait_time_goal();
        g.metric.target = Some(f64::NAN);
        g.metric.baseline = Some(f64::INFINITY);
        let a = assess(&g);
        assert_eq!(
            codes(&a.measurable),
            ["value_not_finite", "value_not_finite"]
        );
    }

    #[test]
    fn milestone_goals_need_milestones_not_numbers() {
        let mut g = wait_time_goal();
        g.metric = MetricDraft {
            direction: Some(Direction::Milestone),
            kind: Some(MetricKind::Milestone),
            ..MetricDraft::default()
        };
        assert_eq!(codes(&assess(&g).measurable), ["milestones_missing"]);
        g.milestones.push(Milestone {
            title: "Draft strategy".into(),
            due_date: date(2026, 3, 1),
            target: None,
            completed_on: None,
        });
        assert!(assess(&g).complete);
    }

    #[test]
    fn confidence_outside_the_stretch_band_warns_but_passes() {
        let mut g = wait_time_goal();
        g.confidence = Some(0.95);
        let a = assess(&g);
        assert!(a.achievable.met && a.complete);
        assert_eq!(codes(&a.achievable), ["confidence_high"]);
        g.confidence = Some(0.3);
        assert_eq!(codes(&assess(&g).achievable), ["confidence_low"]);
        g.confidence = Some(1.5);
        assert!(!assess(&g).achievable.met);
    }

    #[test]
    fn an_okr_reference_is_alignment_enough() {
        let mut g = wait_time_goal();
        g.alignment = None;
        g.alignment_ref = Some("okr:2026-retention".into());
        assert!(assess(&g).relevant.met);
    }

    #[test]
    fn milestones_must_be_inside_the_window_and_in_order() {
        let mut g = wait_time_goal();
        g.due_date = Some(date(2025, 12, 1));
        let m = |d| Milestone {
            title: "m".into(),
            due_date: d,
            target: None,
            completed_on: None,
        };
        g.milestones = vec![m(date(2026, 3, 1)), m(date(2026, 2, 1))];
        let a = assess(&g);
        assert_eq!(codes(&a.time_bound)[0], "due_not_after_start");
        g.due_date = Some(date(2026, 6, 30));
        g.milestones = vec![
            m(date(2026, 3, 1)),
            m(date(2026, 2, 1)),
            m(date(2026, 8, 1)),
        ];
        let a = assess(&g);
        assert_eq!(
            codes(&a.time_bound),
            ["milestones_out_of_order", "milestone_outside_window"]
        );
        assert_eq!(a.time_bound.findings[1].field, "/milestones/2/due_date");
    }
}
