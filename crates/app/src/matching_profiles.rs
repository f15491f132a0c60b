//! Matching profiles: what a leader tells cohort matching about themselves (values, skills
//! offered and sought, communication style, department and level). Visible to its owner and to
//! admins running programmes; never to a partner or anyone else.

use chrono::{DateTime, Utc};
use tandem_domain::Named;
use tandem_domain::matching::{CommunicationStyle, LeadershipValue, normalise_skill};
use tandem_store::matching_profiles::{self, MatchingProfile};

use crate::{Actor, AppError, AppResult, Tx};

/// A matching profile as the use cases and views see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    /// Values held, in vocabulary order.
    pub values: Vec<LeadershipValue>,
    /// Skills offered, normalised and sorted.
    pub skills_offered: Vec<String>,
    /// Skills sought, normalised and sorted.
    pub skills_sought: Vec<String>,
    /// How they like to talk things through.
    pub communication_style: Option<CommunicationStyle>,
    /// Department.
    pub department: Option<String>,
    /// Level.
    pub level: Option<String>,
    /// Their manager's user id (provisioning sets it).
    pub manager_id: Option<String>,
    /// Version (0 until first saved).
    pub version: i64,
    /// Last changed; none until first saved.
    pub updated_at: Option<DateTime<Utc>>,
}

/// What a person may set of their own profile (the manager comes from provisioning).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfileEdit {
    /// Values held (duplicates ignored).
    pub values: Vec<LeadershipValue>,
    /// Skills offered, as typed.
    pub skills_offered: Vec<String>,
    /// Skills sought, as typed.
    pub skills_sought: Vec<String>,
    /// Communication style.
    pub communication_style: Option<CommunicationStyle>,
    /// Department (blank is none).
    pub department: Option<String>,
    /// Level (blank is none).
    pub level: Option<String>,
}

/// Where provisioning says someone sits: each part set when `Some` (an empty text clears it),
/// left as it is when `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placement {
    /// Department.
    pub department: Option<String>,
    /// Level.
    pub level: Option<String>,
    /// Their manager's provisioning id.
    pub manager_external_id: Option<String>,
}

impl Placement {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.department.is_none() && self.level.is_none() && self.manager_external_id.is_none()
    }
}

/// Applies provisioning's `placement` to `user_id`'s profile (inside provisioning's own
/// transaction). A manager must be another provisioned, active person (422 naming
/// `manager_external_id` otherwise).
pub fn place(tx: &mut Tx<'_>, user_id: &str, placement: &Placement) -> AppResult<()> {
    if placement.is_empty() {
        return Ok(());
    }
    let mut profile = profile_of(tx, user_id)?;
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    if let Some(d) = &placement.department {
        profile.department = text(d);
    }
    if let Some(l) = &placement.level {
        profile.level = text(l);
    }
    if let Some(m) = &placement.manager_external_id {
        profile.manager_id = if m.trim().is_empty() {
            None
        } else {
            let manager = tandem_store::users::find_by_external_id(tx.conn, m)?
                .filter(|u| u.deactivated_at.is_none())
                .ok_or_else(|| {
                    AppError::field(
                        "manager_external_id",
                        "unknown_user",
                        "no active provisioned person has this id",
                    )
                })?;
            let manager_id = manager.id.to_string();
            if manager_id == user_id {
                return Err(AppError::field(
                    "manager_external_id",
                    "self",
                    "nobody is their own manager",
                ));
            }
            Some(manager_id)
        };
    }
    profile.version += 1;
    profile.updated_at = Some(tx.now());
    matching_profiles::save(tx.conn, &to_stored(user_id, &profile)?)?;
    Ok(())
}

/// Someone's profile, for an admin running a programme (404 for an unknown provisioning id).
pub fn of_provisioned(
    tx: &mut Tx<'_>,
    actor: &Actor,
    external_id: &str,
) -> AppResult<(Profile, String)> {
    actor.require_admin()?;
    let user = tandem_store::users::find_by_external_id(tx.conn, external_id)?
        .ok_or(AppError::NotFound)?;
    Ok((profile_of(tx, &user.id.to_string())?, user.time_zone))
}

/// Someone's profile; empty until it is set.
pub fn profile_of(tx: &mut Tx<'_>, user_id: &str) -> AppResult<Profile> {
    Ok(matching_profiles::find(tx.conn, user_id)?
        .map(from_stored)
        .unwrap_or_default())
}

/// The caller's profile.
pub fn mine(tx: &mut Tx<'_>, actor: &Actor) -> AppResult<Profile> {
    profile_of(tx, &actor.id)
}

/// Replaces the caller's profile with `edit` (`expected`: the version read, from `If-Match`).
/// Skills are normalised (`" Enterprise  Sales"` is `enterprise-sales`) and de-duplicated.
pub fn set_mine(
    tx: &mut Tx<'_>,
    actor: &Actor,
    edit: ProfileEdit,
    expected: Option<i64>,
) -> AppResult<Profile> {
    let current = profile_of(tx, &actor.id)?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(AppError::Stale);
    }
    let mut values = edit.values;
    values.sort();
    values.dedup();
    let skills = |tags: Vec<String>| {
        let mut tags: Vec<String> = tags.iter().filter_map(|t| normalise_skill(t)).collect();
        tags.sort();
        tags.dedup();
        tags
    };
    let blank_is_none =
        |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let next = Profile {
        values,
        skills_offered: skills(edit.skills_offered),
        skills_sought: skills(edit.skills_sought),
        communication_style: edit.communication_style,
        department: blank_is_none(edit.department),
        level: blank_is_none(edit.level),
        manager_id: current.manager_id,
        version: current.version + 1,
        updated_at: Some(tx.now()),
    };
    matching_profiles::save(tx.conn, &to_stored(&actor.id, &next)?)?;
    Ok(next)
}

/// The profile a stored row holds.
pub(crate) fn from_stored(p: MatchingProfile) -> Profile {
    let list = |json: &str| serde_json::from_str::<Vec<String>>(json).unwrap_or_default();
    Profile {
        values: list(&p.held_values)
            .iter()
            .filter_map(|v| LeadershipValue::parse(v))
            .collect(),
        skills_offered: list(&p.skills_offered),
        skills_sought: list(&p.skills_sought),
        communication_style: p
            .communication_style
            .as_deref()
            .and_then(CommunicationStyle::parse),
        department: p.department,
        level: p.level,
        manager_id: p.manager_id,
        version: p.version,
        updated_at: Some(p.updated_at.and_utc()),
    }
}

fn to_stored(user_id: &str, p: &Profile) -> AppResult<MatchingProfile> {
    let json = |list: &[String]| serde_json::to_string(list).map_err(AppError::internal);
    let values: Vec<String> = p.values.iter().map(|v| v.as_str().to_owned()).collect();
    Ok(MatchingProfile {
        user_id: user_id.to_owned(),
        held_values: json(&values)?,
        skills_offered: json(&p.skills_offered)?,
        skills_sought: json(&p.skills_sought)?,
        communication_style: p.communication_style.map(|s| s.as_str().to_owned()),
        department: p.department.clone(),
        level: p.level.clone(),
        manager_id: p.manager_id.clone(),
        version: p.version,
        updated_at: p.updated_at.unwrap_or_default().naive_utc(),
    })
}
