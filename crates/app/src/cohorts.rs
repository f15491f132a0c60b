//! Cohorts: admins gather the leaders of a programme, members may opt out before they are
//! paired. Admins see who is in a cohort, never what its pairs write.

use chrono::{NaiveDate, NaiveDateTime};
use tandem_store::cohorts;
pub use tandem_store::cohorts::{Cohort, Member, Membership};

use crate::error::FieldIssue;
use crate::{Actor, AppError, AppResult, Rule, Tx, new_id};

/// What an admin gives a new cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCohort {
    /// Its name.
    pub name: String,
    /// When the programme starts.
    pub starts_on: NaiveDate,
    /// Whether two people of one department may pair.
    pub allow_same_department: bool,
}

/// A cohort with its head count.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortSummary {
    /// The cohort.
    pub cohort: Cohort,
    /// Members, opted out included.
    pub members: i64,
    /// Members who opted out.
    pub opted_out: i64,
}

/// Someone to add to a cohort: by user id or by provisioning id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRef {
    /// A user id.
    Id(String),
    /// A provisioning system's id.
    External(String),
}

/// Creates a cohort (admins only).
pub fn create(tx: &mut Tx<'_>, actor: &Actor, new: NewCohort) -> AppResult<CohortSummary> {
    actor.require_admin()?;
    let now = tx.now().naive_utc();
    let cohort = Cohort {
        id: new_id(),
        name: new.name.trim().to_owned(),
        starts_on: new.starts_on,
        allow_same_department: new.allow_same_department,
        created_by: actor.id.clone(),
        matched_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    cohorts::insert(tx.conn, &cohort)?;
    Ok(CohortSummary {
        cohort,
        members: 0,
        opted_out: 0,
    })
}

/// A page of cohorts, oldest first (admins only).
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<CohortSummary>> {
    actor.require_admin()?;
    let page = cohorts::list(tx.conn, after, limit)?;
    page.into_iter().map(|c| summary(tx, c)).collect()
}

/// One cohort with its head count (admins only; 404 when there is none).
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<CohortSummary> {
    actor.require_admin()?;
    let cohort = cohorts::find(tx.conn, id)?;
    summary(tx, cohort)
}

/// Adds people to a cohort, all or none: each reference must name an active account, or the
/// request is refused naming every one that does not (`/members/3`). People already in it stay
/// as they are (an opt-out is not undone). Admins only.
pub fn add_members(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    refs: &[MemberRef],
) -> AppResult<(CohortSummary, usize)> {
    actor.require_admin()?;
    let cohort = cohorts::find(tx.conn, id)?;
    let ids: Vec<String> = refs
        .iter()
        .filter_map(|r| match r {
            MemberRef::Id(id) => Some(id.clone()),
            MemberRef::External(_) => None,
        })
        .collect();
    let externals: Vec<String> = refs
        .iter()
        .filter_map(|r| match r {
            MemberRef::External(e) => Some(e.clone()),
            MemberRef::Id(_) => None,
        })
        .collect();
    let found = tandem_store::users::active_by_ids(tx.conn, &ids, &externals)?;
    let mut resolved = Vec::with_capacity(refs.len());
    let mut missing = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        let hit = found.iter().find(|(uid, ext)| match r {
            MemberRef::Id(id) => uid == id,
            MemberRef::External(e) => ext.as_deref() == Some(e.as_str()),
        });
        match (hit, r) {
            (Some((uid, _)), _) => resolved.push(uid.clone()),
            (None, MemberRef::Id(_)) => missing.push(FieldIssue::new(
                format!("/members/{i}/user_id"),
                "unknown_user",
                "no active account has this id",
            )),
            (None, MemberRef::External(_)) => missing.push(FieldIssue::new(
                format!("/members/{i}/external_id"),
                "unknown_user",
                "no active account has this provisioning id",
            )),
        }
    }
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    let now = tx.now().naive_utc();
    let joined = cohorts::add_members(tx.conn, &cohort.id, &resolved, now)?;
    Ok((summary(tx, cohort)?, joined))
}

/// A page of a cohort's members (admins only).
pub fn members(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Member>> {
    actor.require_admin()?;
    let cohort = cohorts::find(tx.conn, id)?;
    Ok(cohorts::members(tx.conn, &cohort.id, after, limit)?)
}

/// The cohorts the caller is in, with their membership.
pub fn mine(tx: &mut Tx<'_>, actor: &Actor) -> AppResult<Vec<(Cohort, Membership)>> {
    Ok(cohorts::of_member(tx.conn, &actor.id)?)
}

/// The caller leaves a cohort before it is matched; repeating it is harmless. Someone not in
/// it gets 404 (a cohort is visible to its members and admins only).
pub fn opt_out(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<(Cohort, Membership)> {
    let membership = cohorts::membership(tx.conn, id, &actor.id)?.ok_or(AppError::NotFound)?;
    let cohort = cohorts::find(tx.conn, id)?;
    if membership.opted_out_at.is_some() {
        return Ok((cohort, membership));
    }
    if cohort.matched_at.is_some() {
        return Err(AppError::refused(
            Rule::CohortMatched,
            "this cohort's pairs are confirmed; decline your invitation instead",
        ));
    }
    let now = tx.now().naive_utc();
    cohorts::opt_out(tx.conn, id, &actor.id, now)?;
    Ok((
        cohort,
        Membership {
            opted_out_at: Some(now),
            ..membership
        },
    ))
}

fn summary(tx: &mut Tx<'_>, cohort: Cohort) -> AppResult<CohortSummary> {
    let (members, opted_out) = cohorts::counts(tx.conn, &cohort.id)?;
    Ok(CohortSummary {
        cohort,
        members,
        opted_out,
    })
}
