//! A cohort's programme report: does the programme work? Aggregates only — counts, rates and
//! averages over the cohort's confirmed pairs — never a goal title, reading, note or a pair's
//! names. Any figure that stands for fewer than [`MIN_PEOPLE`] people is withheld and named in
//! `suppressed`, so no one can be singled out (a cohort of four shows no per-status figures); in a
//! breakdown (pairs by status, by streak; goals by status) enough other parts go with it that it
//! cannot be worked out from the total ([`tandem_domain::disclosure`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use tandem_domain::GoalStatus;
use tandem_domain::Named;
use tandem_domain::disclosure;
use tandem_domain::meeting::MeetingStatus;
use tandem_domain::partnership::PartnershipStatus;
use tandem_store::{cohort_reports as raw, cohorts};

use crate::proposals::ProposedPair;
use crate::{Actor, AppError, AppResult, Tx};

/// The fewest people a published figure may stand for.
pub const MIN_PEOPLE: usize = 5;

/// Pairs by the length of their current run of meetings held on time.
pub const STREAK_BUCKETS: [&str; 4] = ["0", "1-2", "3-5", "6+"];

/// The report. `None` is a withheld figure (listed in `suppressed`).
#[derive(Debug, Clone, PartialEq)]
pub struct CohortReport {
    /// The cohort.
    pub cohort_id: String,
    /// When it was computed.
    pub as_of: DateTime<Utc>,
    /// Whether a proposal was confirmed (before that, only membership figures exist).
    pub matched: bool,
    /// Members, opted out included.
    pub members: Option<i64>,
    /// Members who opted out.
    pub opted_out: Option<i64>,
    /// Members in a confirmed pair.
    pub paired: Option<i64>,
    /// Confirmed pairs by their partnership's status.
    pub pairs_by_status: BTreeMap<&'static str, Option<i64>>,
    /// Paired members with 3-5 active goals: ready for the practice.
    pub members_ready: Option<i64>,
    /// Meetings held.
    pub meetings_held: Option<i64>,
    /// Of the meetings held, the share held by their slot plus the pair's grace days.
    pub on_time_rate: Option<f64>,
    /// Pairs by their current run of meetings held on time ([`STREAK_BUCKETS`]).
    pub streaks: BTreeMap<&'static str, Option<i64>>,
    /// The pairs' goals by status.
    pub goals_by_status: BTreeMap<&'static str, Option<i64>>,
    /// Fit-review answers: how many people answered, and the averages (1-5) and share who want
    /// to continue.
    pub fit_reviews: FitReviewFigures,
    /// The share of paired members who refreshed their goals at least once.
    pub refresh_completion: Option<f64>,
    /// Every withheld figure, as a JSON pointer into the report (`/pairs_by_status/paused`).
    pub suppressed: Vec<String>,
}

/// Fit-review figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FitReviewFigures {
    /// People who answered at least once.
    pub people: Option<i64>,
    /// Average "shared values" score.
    pub shared_values: Option<f64>,
    /// Average "complementary skills" score.
    pub complementary_skills: Option<f64>,
    /// Average "communication" score.
    pub communication: Option<f64>,
    /// Share of answers that want to continue.
    pub wants_to_continue: Option<f64>,
}

/// Withholds figures that stand for fewer than [`MIN_PEOPLE`] people (zero stays: it singles
/// out nobody).
struct Suppressor(Vec<String>);

impl Suppressor {
    fn keep<T>(&mut self, path: &str, value: T, people: usize) -> Option<T> {
        if people == 0 || people >= MIN_PEOPLE {
            Some(value)
        } else {
            self.0.push(path.to_owned());
            None
        }
    }

    /// A breakdown's parts, `(name, count, people it stands for)`, under `prefix`: small parts
    /// withheld together with the cover [`disclosure::withheld`] adds.
    fn keep_parts(
        &mut self,
        prefix: &str,
        parts: Vec<(&'static str, i64, usize)>,
    ) -> BTreeMap<&'static str, Option<i64>> {
        let people: Vec<usize> = parts.iter().map(|&(_, _, people)| people).collect();
        let hide = disclosure::withheld(&people, MIN_PEOPLE);
        parts
            .into_iter()
            .zip(hide)
            .map(|((name, count, _), hide)| {
                if hide {
                    self.0.push(format!("{prefix}/{name}"));
                    (name, None)
                } else {
                    (name, Some(count))
                }
            })
            .collect()
    }
}

/// The programme report of a cohort (admins only; 404 for none).
pub fn report(tx: &mut Tx<'_>, actor: &Actor, cohort_id: &str) -> AppResult<CohortReport> {
    actor.require_admin()?;
    let cohort = cohorts::find(tx.conn, cohort_id)?;
    let now = tx.now();
    let mut s = Suppressor(Vec::new());
    let (total, opted_out) = cohorts::counts(tx.conn, &cohort.id)?;
    let members = s.keep("/members", total, total as usize);
    let opted_out = s.keep("/opted_out", opted_out, opted_out as usize);
    let pairs: Vec<ProposedPair> = match raw::confirmed_pairs(tx.conn, &cohort.id)? {
        Some(json) => serde_json::from_str(&json).map_err(AppError::internal)?,
        None => Vec::new(),
    };
    let pids: Vec<String> = pairs
        .iter()
        .filter_map(|p| p.partnership_id.clone())
        .collect();
    let paired_people: BTreeSet<&str> = pairs
        .iter()
        .flat_map(|p| p.members.iter().map(String::as_str))
        .collect();
    let paired = s.keep("/paired", paired_people.len() as i64, paired_people.len());

    let statuses = raw::partnership_statuses(tx.conn, &pids)?;
    let mut parts = Vec::new();
    for &status in <PartnershipStatus as Named>::ALL {
        let n = statuses
            .iter()
            .filter(|(_, st, _)| st == status.as_str())
            .count();
        parts.push((status.as_str(), n as i64, 2 * n));
    }
    let pairs_by_status = s.keep_parts("/pairs_by_status", parts);

    let goals = raw::goal_statuses(tx.conn, &pids)?;
    // Goals by status add up to no published total, so their cover is caution rather than need;
    // it counts each part's owners, so an owner with goals in two withheld parts counts twice.
    let mut parts = Vec::new();
    for &status in <GoalStatus as Named>::ALL {
        let of_status: Vec<&(String, String)> = goals
            .iter()
            .filter(|(_, st)| st == status.as_str())
            .collect();
        let owners: BTreeSet<&str> = of_status.iter().map(|(o, _)| o.as_str()).collect();
        parts.push((status.as_str(), of_status.len() as i64, owners.len()));
    }
    let goals_by_status = s.keep_parts("/goals_by_status", parts);
    let ready = paired_people
        .iter()
        .filter(|who| {
            let active = goals
                .iter()
                .filter(|(o, st)| o == *who && st == GoalStatus::Active.as_str())
                .count();
            (3..=5).contains(&active)
        })
        .count();
    let members_ready = s.keep("/members_ready", ready as i64, ready);

    let grace: BTreeMap<&str, i64> = statuses
        .iter()
        .map(|(id, _, g)| (id.as_str(), i64::from(*g)))
        .collect();
    let meetings = raw::meeting_times(tx.conn, &pids)?;
    let mut held = 0usize;
    let mut on_time = 0usize;
    let mut streak: BTreeMap<&str, usize> = pids.iter().map(|p| (p.as_str(), 0)).collect();
    let mut pairs_meeting = BTreeSet::new();
    for (pid, status, slot, held_at) in &meetings {
        if status != MeetingStatus::Completed.as_str() {
            continue;
        }
        let Some(held_at) = held_at else { continue };
        held += 1;
        pairs_meeting.insert(pid.as_str());
        let days = grace.get(pid.as_str()).copied().unwrap_or(0);
        let timely = *held_at <= *slot + Duration::days(days);
        let run = streak.entry(pid.as_str()).or_insert(0);
        if timely {
            on_time += 1;
            *run += 1;
        } else {
            *run = 0;
        }
    }
    let meeting_people = 2 * pairs_meeting.len();
    let meetings_held = s.keep("/meetings_held", held as i64, meeting_people);
    let on_time_rate = if held == 0 {
        None
    } else {
        s.keep(
            "/on_time_rate",
            on_time as f64 / held as f64,
            meeting_people,
        )
    };
    let mut parts = Vec::new();
    for bucket in STREAK_BUCKETS {
        let n = streak
            .values()
            .filter(|&&run| match bucket {
                "0" => run == 0,
                "1-2" => (1..=2).contains(&run),
                "3-5" => (3..=5).contains(&run),
                _ => run >= 6,
            })
            .count();
        parts.push((bucket, n as i64, 2 * n));
    }
    let streaks = s.keep_parts("/streaks", parts);

    let answers = raw::fit_review_scores(tx.conn, &pids)?;
    let authors: BTreeSet<&str> = answers.iter().map(|a| a.0.as_str()).collect();
    let people = authors.len();
    let average = |pick: fn(&raw::FitReviewScore) -> f64| {
        (!answers.is_empty()).then(|| answers.iter().map(pick).sum::<f64>() / answers.len() as f64)
    };
    let fit_reviews = FitReviewFigures {
        people: s.keep("/fit_reviews/people", people as i64, people),
        shared_values: average(|a| f64::from(a.1))
            .and_then(|v| s.keep("/fit_reviews/shared_values", v, people)),
        complementary_skills: average(|a| f64::from(a.2))
            .and_then(|v| s.keep("/fit_reviews/complementary_skills", v, people)),
        communication: average(|a| f64::from(a.3))
            .and_then(|v| s.keep("/fit_reviews/communication", v, people)),
        wants_to_continue: average(|a| if a.4 { 1.0 } else { 0.0 })
            .and_then(|v| s.keep("/fit_reviews/wants_to_continue", v, people)),
    };

    let refreshed = raw::refreshed_members(tx.conn, &pids)?;
    let refresh_completion = if paired_people.is_empty() {
        None
    } else {
        let n = refreshed
            .iter()
            .filter(|u| paired_people.contains(u.as_str()))
            .count();
        s.keep(
            "/refresh_completion",
            n as f64 / paired_people.len() as f64,
            paired_people.len(),
        )
    };

    Ok(CohortReport {
        cohort_id: cohort.id,
        as_of: now,
        matched: cohort.matched_at.is_some(),
        members,
        opted_out,
        paired,
        pairs_by_status,
        members_ready,
        meetings_held,
        on_time_rate,
        streaks,
        goals_by_status,
        fit_reviews,
        refresh_completion,
        suppressed: s.0,
    })
}
