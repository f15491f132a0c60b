//! Proposed pairings of a cohort: computed by the domain's matching from the opted-in members'
//! profiles, recomputed around pairs an admin pins, and confirmed into ordinary invitations.
//! Admins see members' names and the reasons for each pair, never partnership contents.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::Named;
use tandem_domain::matching::{self, Candidate, Forbidden, ProposalStatus, Rules};
use tandem_store::cohorts::{self, Cohort, StoredProposal};

use crate::error::FieldIssue;
use crate::partnerships::Invitation;
use crate::{Actor, App, AppError, AppResult, Principal, Rule, Tx, new_id};

/// One proposed pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedPair {
    /// The two members' ids (the smaller first); the first is the invitation's inviter.
    pub members: [String; 2],
    /// Their display names, as when proposed.
    pub names: [String; 2],
    /// The pair's score.
    pub score: u32,
    /// Why, in words.
    pub reasons: Vec<String>,
    /// Fixed by an admin.
    pub pinned: bool,
    /// The partnership (an invitation) once confirmed.
    pub partnership_id: Option<String>,
}

/// A member left unpaired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Left {
    /// Their id.
    pub user_id: String,
    /// Their display name.
    pub name: String,
    /// Why, in words.
    pub reason: String,
}

/// A proposal as the use cases and views see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Id.
    pub id: String,
    /// The cohort.
    pub cohort_id: String,
    /// Draft or confirmed.
    pub status: ProposalStatus,
    /// The pairs, pinned first.
    pub pairs: Vec<ProposedPair>,
    /// Who stayed unpaired.
    pub unmatched: Vec<Left>,
    /// The pairs' summed score.
    pub total_score: i64,
    /// Version.
    pub version: i64,
    /// Computed.
    pub created_at: DateTime<Utc>,
    /// Last recomputed or confirmed.
    pub updated_at: DateTime<Utc>,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Computes a new proposal for a cohort that is not matched yet (admins only).
///
/// The matching takes seconds for a thousand members, so it runs outside any transaction: the
/// inputs are read, the pairing computed on the blocking pool, and the result stored in a short
/// write transaction that recomputes only if the cohort changed meanwhile. Writers are never
/// held up by it.
pub async fn propose(app: &App, who: Principal, cohort_id: String) -> AppResult<Proposal> {
    let id = cohort_id.clone();
    let seen = app
        .read_by(&who, move |tx, actor| propose_inputs(tx, actor, &id))
        .await?;
    let computed = app
        .compute(move || {
            let result = matching::propose(&seen.candidates, &seen.rules, &[]);
            (seen, result)
        })
        .await?;
    app.write_by(&who, move |tx, actor| {
        let cohort = propose_inputs_cohort(tx, actor, &cohort_id)?;
        let (pool, result) = current(tx, &cohort, computed, &[])?;
        let now = tx.now().naive_utc();
        let proposal = build(new_id(), &cohort, &pool, &result, 1, now, now);
        cohorts::insert_proposal(tx.conn, &to_stored(&proposal)?)?;
        Ok(proposal)
    })
    .await
}

/// The cohort a new proposal is for, checked: the actor is an admin, it is not matched yet.
fn propose_inputs_cohort(tx: &mut Tx<'_>, actor: &Actor, cohort_id: &str) -> AppResult<Cohort> {
    actor.require_admin()?;
    let cohort = cohorts::find(tx.conn, cohort_id)?;
    unmatched_yet(&cohort)?;
    Ok(cohort)
}

fn propose_inputs(tx: &mut Tx<'_>, actor: &Actor, cohort_id: &str) -> AppResult<Pool> {
    let cohort = propose_inputs_cohort(tx, actor, cohort_id)?;
    pool(tx, &cohort)
}

/// The matching for the cohort as it is now: the one computed outside the transaction if its
/// inputs are unchanged, else computed again here (rare: someone opted out, joined or partnered
/// while it ran).
fn current(
    tx: &mut Tx<'_>,
    cohort: &Cohort,
    (seen, result): (Pool, matching::Proposal),
    pins: &[(String, String)],
) -> AppResult<(Pool, matching::Proposal)> {
    let now = pool(tx, cohort)?;
    Ok(settle((seen, result), now, pins))
}

/// Keeps a matching computed on `seen` if the pool is still `now`, else computes it for `now`.
fn settle(
    (seen, result): (Pool, matching::Proposal),
    now: Pool,
    pins: &[(String, String)],
) -> (Pool, matching::Proposal) {
    if now == seen {
        (seen, result)
    } else {
        let result = matching::propose(&now.candidates, &now.rules, pins);
        (now, result)
    }
}

/// A cohort's proposal (admins only).
pub fn get(tx: &mut Tx<'_>, actor: &Actor, cohort_id: &str, id: &str) -> AppResult<Proposal> {
    actor.require_admin()?;
    from_stored(cohorts::find_proposal(tx.conn, cohort_id, id)?)
}

/// Keeps `pins` (pairs of member ids) and recomputes everyone else (admins only; a draft of a
/// cohort not matched yet). Each pinned id must be an opted-in member, pinned once; a pin that
/// breaks a hard constraint is refused (`pair-forbidden`). `expected`: the version read. Like
/// [`propose`], the matching runs outside any transaction and every check is made again when
/// the result is stored.
pub async fn repin(
    app: &App,
    who: Principal,
    cohort_id: String,
    id: String,
    pins: Vec<(String, String)>,
    expected: Option<i64>,
) -> AppResult<Proposal> {
    let inputs = (cohort_id, id, pins);
    let read = inputs.clone();
    let (_, _, seen) = app
        .read_by(&who, move |tx, actor| {
            let (cohort_id, id, pins) = &read;
            repin_inputs(tx, actor, cohort_id, id, pins, expected)
        })
        .await?;
    let pins = inputs.2.clone();
    let computed = app
        .compute(move || {
            let result = matching::propose(&seen.candidates, &seen.rules, &pins);
            (seen, result)
        })
        .await?;
    app.write_by(&who, move |tx, actor| {
        let (cohort_id, id, pins) = &inputs;
        let (cohort, stored, _) = repin_inputs(tx, actor, cohort_id, id, pins, expected)?;
        let (pool, result) = current(tx, &cohort, computed, pins)?;
        let proposal = from_stored(stored)?;
        let now = tx.now().naive_utc();
        let proposal = build(
            proposal.id,
            &cohort,
            &pool,
            &result,
            proposal.version + 1,
            proposal.created_at.naive_utc(),
            now,
        );
        cohorts::save_proposal(tx.conn, &to_stored(&proposal)?)?;
        Ok(proposal)
    })
    .await
}

/// Every check of a re-pin, and what it needs: the cohort, the stored draft and the pool.
fn repin_inputs(
    tx: &mut Tx<'_>,
    actor: &Actor,
    cohort_id: &str,
    id: &str,
    pins: &[(String, String)],
    expected: Option<i64>,
) -> AppResult<(Cohort, StoredProposal, Pool)> {
    actor.require_admin()?;
    let cohort = cohorts::find(tx.conn, cohort_id)?;
    let stored = cohorts::find_proposal(tx.conn, cohort_id, id)?;
    if expected.is_some_and(|v| v != stored.version) {
        return Err(AppError::Stale);
    }
    unmatched_yet(&cohort)?;
    let pool = pool(tx, &cohort)?;
    let by_id: BTreeMap<&str, &Candidate> =
        pool.candidates.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut issues = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, (a, b)) in pins.iter().enumerate() {
        for (k, who) in [a, b].into_iter().enumerate() {
            if !by_id.contains_key(who.as_str()) {
                issues.push(FieldIssue::new(
                    format!("/pins/{i}/members/{k}"),
                    "not_a_member",
                    "not an opted-in, active member of this cohort",
                ));
            } else if !seen.insert(who.as_str()) {
                issues.push(FieldIssue::new(
                    format!("/pins/{i}/members/{k}"),
                    "pinned_twice",
                    "each member is pinned in one pair at most",
                ));
            }
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Invalid(issues));
    }
    for (a, b) in pins {
        if let Some(why) = matching::forbidden(by_id[a.as_str()], by_id[b.as_str()], &pool.rules) {
            return Err(AppError::refused(
                Rule::PairForbidden,
                format!(
                    "{} and {} may not be paired: {}",
                    by_id[a.as_str()].name,
                    by_id[b.as_str()].name,
                    forbidden_in_words(why)
                ),
            ));
        }
    }
    if stored.status != ProposalStatus::Draft.as_str() {
        return Err(cohort_matched());
    }
    Ok((cohort, stored, pool))
}

/// Confirms a draft (admins only): each pair gets an ordinary invitation from its first member
/// to its second, who accepts or declines as with any invitation, and the cohort is matched
/// (members can no longer opt out; no other proposal can be confirmed). A proposal whose
/// members changed meanwhile is refused (`proposal-stale`).
pub fn confirm(tx: &mut Tx<'_>, actor: &Actor, cohort_id: &str, id: &str) -> AppResult<Proposal> {
    actor.require_admin()?;
    let mut cohort = cohorts::find(tx.conn, cohort_id)?;
    let mut proposal = from_stored(cohorts::find_proposal(tx.conn, cohort_id, id)?)?;
    unmatched_yet(&cohort)?;
    let pool = pool(tx, &cohort)?;
    let by_id: BTreeMap<&str, &Candidate> =
        pool.candidates.iter().map(|c| (c.id.as_str(), c)).collect();
    for pair in &proposal.pairs {
        let [a, b] = &pair.members;
        let fits = match (by_id.get(a.as_str()), by_id.get(b.as_str())) {
            (Some(x), Some(y)) => matching::forbidden(x, y, &pool.rules).is_none(),
            _ => false,
        };
        if !fits {
            return Err(AppError::refused(
                Rule::ProposalStale,
                format!(
                    "{} and {} can no longer be paired as proposed; compute a new proposal",
                    pair.names[0], pair.names[1]
                ),
            ));
        }
    }
    for pair in &mut proposal.pairs {
        let [a, b] = &pair.members;
        let inviter = Actor {
            id: a.clone(),
            email: pool.emails[a].clone(),
            only: None,
            admin: false,
        };
        let invitation = Invitation {
            invitee_email: pool.emails[b].clone(),
            message: Some(format!("Paired in the cohort {}", cohort.name)),
            cadence_days: None,
            meeting_minutes: None,
            time_zone: None,
            fit_review_months: None,
            grace_days: None,
        };
        let p = crate::partnerships::create(tx, &inviter, invitation)?;
        pair.partnership_id = Some(p.id);
    }
    let now = tx.now().naive_utc();
    proposal.status = ProposalStatus::Confirmed;
    proposal.version += 1;
    proposal.updated_at = now.and_utc();
    proposal.confirmed_at = Some(now.and_utc());
    cohorts::save_proposal(tx.conn, &to_stored(&proposal)?)?;
    cohort.matched_at = Some(now);
    cohort.version += 1;
    cohort.updated_at = now;
    cohorts::save(tx.conn, &cohort)?;
    Ok(proposal)
}

/// Who may be paired in a cohort, and under which rules.
#[derive(Debug, PartialEq)]
struct Pool {
    candidates: Vec<Candidate>,
    rules: Rules,
    emails: BTreeMap<String, String>,
}

/// The opted-in, active members with their profiles; the cohort's department rule; and the
/// pairs partnered now or confirmed in the two cohorts matched most recently.
fn pool(tx: &mut Tx<'_>, cohort: &Cohort) -> AppResult<Pool> {
    let members: Vec<_> = cohorts::members(tx.conn, &cohort.id, None, i64::MAX)?
        .into_iter()
        .filter(|m| !m.deactivated && m.membership.opted_out_at.is_none())
        .collect();
    let ids: Vec<String> = members
        .iter()
        .map(|m| m.membership.user_id.clone())
        .collect();
    let profiles: BTreeMap<String, crate::matching_profiles::Profile> =
        tandem_store::matching_profiles::of_many(tx.conn, &ids)?
            .into_iter()
            .map(|p| (p.user_id.clone(), crate::matching_profiles::from_stored(p)))
            .collect();
    // Working hours are compared at the programme's start (midday UTC), when daylight saving
    // is what it will be for the first meetings.
    let at = cohort
        .starts_on
        .and_hms_opt(12, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let candidates = members
        .iter()
        .map(|m| {
            let profile = profiles
                .get(&m.membership.user_id)
                .cloned()
                .unwrap_or_default();
            Candidate {
                id: m.membership.user_id.clone(),
                name: m.display_name.clone(),
                values: profile.values.into_iter().collect(),
                offers: profile.skills_offered.into_iter().collect(),
                seeks: profile.skills_sought.into_iter().collect(),
                style: profile.communication_style,
                department: profile.department,
                manager_id: profile.manager_id,
                utc_offset_minutes: offset_minutes(&m.time_zone, at),
            }
        })
        .collect();
    let emails: BTreeMap<String, String> = members
        .iter()
        .map(|m| (m.membership.user_id.clone(), m.email.clone()))
        .collect();
    let pairs: Vec<(String, String)> = emails
        .iter()
        .map(|(id, e)| (id.clone(), e.clone()))
        .collect();
    let mut recent_pairs: BTreeSet<(String, String)> =
        tandem_store::partnerships::live_pairs_among(tx.conn, &pairs)?
            .into_iter()
            .map(|(a, b)| ordered(a, b))
            .collect();
    for earlier in cohorts::recent_confirmed(tx.conn, &cohort.id, 2)? {
        for pair in from_stored(earlier)?.pairs {
            let [a, b] = pair.members;
            recent_pairs.insert(ordered(a, b));
        }
    }
    Ok(Pool {
        candidates,
        rules: Rules {
            allow_same_department: cohort.allow_same_department,
            recent_pairs,
        },
        emails,
    })
}

fn build(
    id: String,
    cohort: &Cohort,
    pool: &Pool,
    computed: &matching::Proposal,
    version: i64,
    created_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Proposal {
    let name = |id: &str| {
        pool.candidates
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    Proposal {
        id,
        cohort_id: cohort.id.clone(),
        status: ProposalStatus::Draft,
        pairs: computed
            .pairs
            .iter()
            .map(|p| ProposedPair {
                members: [p.a.clone(), p.b.clone()],
                names: [name(&p.a), name(&p.b)],
                score: p.score.points,
                reasons: p.score.reasons.clone(),
                pinned: p.pinned,
                partnership_id: None,
            })
            .collect(),
        unmatched: computed
            .unmatched
            .iter()
            .map(|u| Left {
                user_id: u.id.clone(),
                name: name(&u.id),
                reason: u.reason.clone(),
            })
            .collect(),
        total_score: i64::from(computed.total()),
        version,
        created_at: created_at.and_utc(),
        updated_at: now.and_utc(),
        confirmed_at: None,
    }
}

fn unmatched_yet(cohort: &Cohort) -> AppResult<()> {
    if cohort.matched_at.is_some() {
        Err(cohort_matched())
    } else {
        Ok(())
    }
}

fn cohort_matched() -> AppError {
    AppError::refused(
        Rule::CohortMatched,
        "this cohort's pairs are already confirmed",
    )
}

fn forbidden_in_words(why: Forbidden) -> &'static str {
    match why {
        Forbidden::SameDepartment => "they are in one department and the cohort does not allow it",
        Forbidden::ReportingLine => "one manages the other",
        Forbidden::RecentPartners => "they are partners now or were in the last two cohorts",
    }
}

fn ordered(a: String, b: String) -> (String, String) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The UTC offset of the IANA zone `zone` at `at`, minutes (0 for a zone not known).
fn offset_minutes(zone: &str, at: DateTime<Utc>) -> i32 {
    zone.parse::<chrono_tz::Tz>()
        .map(|tz| {
            tz.offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc()
                / 60
        })
        .unwrap_or(0)
}

fn to_stored(p: &Proposal) -> AppResult<StoredProposal> {
    Ok(StoredProposal {
        id: p.id.clone(),
        cohort_id: p.cohort_id.clone(),
        status: p.status.as_str().to_owned(),
        pairs: serde_json::to_string(&p.pairs).map_err(AppError::internal)?,
        unmatched: serde_json::to_string(&p.unmatched).map_err(AppError::internal)?,
        total_score: p.total_score,
        version: p.version,
        created_at: p.created_at.naive_utc(),
        updated_at: p.updated_at.naive_utc(),
        confirmed_at: p.confirmed_at.map(|t| t.naive_utc()),
    })
}

fn from_stored(s: StoredProposal) -> AppResult<Proposal> {
    Ok(Proposal {
        status: ProposalStatus::parse(&s.status)
            .ok_or_else(|| AppError::internal(format!("unknown proposal status {}", s.status)))?,
        pairs: serde_json::from_str(&s.pairs).map_err(AppError::internal)?,
        unmatched: serde_json::from_str(&s.unmatched).map_err(AppError::internal)?,
        id: s.id,
        cohort_id: s.cohort_id,
        total_score: s.total_score,
        version: s.version,
        created_at: s.created_at.and_utc(),
        updated_at: s.updated_at.and_utc(),
        confirmed_at: s.confirmed_at.map(|t| t.and_utc()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str) -> Candidate {
        Candidate {
            id: id.into(),
            name: id.to_uppercase(),
            values: Default::default(),
            offers: Default::default(),
            seeks: Default::default(),
            style: None,
            department: None,
            manager_id: None,
            utc_offset_minutes: 0,
        }
    }

    fn pool_of(ids: &[&str]) -> Pool {
        Pool {
            candidates: ids.iter().map(|id| candidate(id)).collect(),
            rules: Rules::default(),
            emails: BTreeMap::new(),
        }
    }

    #[test]
    fn a_matching_computed_outside_the_transaction_is_kept_only_if_the_pool_did_not_change() {
        let seen = pool_of(&["a", "b", "c", "d"]);
        let computed = matching::propose(&seen.candidates, &seen.rules, &[]);
        assert_eq!(computed.pairs.len(), 2);

        // Unchanged: the result computed outside is stored as it is (a marker proves no rerun).
        let mut marked = computed.clone();
        marked.pairs.truncate(1);
        let (_, kept) = settle((pool_of(&["a", "b", "c", "d"]), marked.clone()), seen, &[]);
        assert_eq!(kept, marked);

        // Someone opted out meanwhile: computed again on the members there are now.
        let now = pool_of(&["a", "b", "c"]);
        let (pool, again) = settle((pool_of(&["a", "b", "c", "d"]), computed), now, &[]);
        assert_eq!(pool.candidates.len(), 3);
        assert_eq!(again.pairs.len(), 1);
        assert_eq!(again.unmatched.len(), 1);
        assert!(again.pairs.iter().all(|p| p.a != "d" && p.b != "d"));
    }
}
