//! Cohorts and their members: who an admin runs through the practice together.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{cohort_members, cohort_proposals, cohorts, users};
use crate::{DbConnection, StoreError, StoreResult};

/// A cohort as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cohorts)]
#[diesel(treat_none_as_null = true)]
pub struct Cohort {
    /// Id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When the programme starts.
    pub starts_on: NaiveDate,
    /// Whether two people of one department may pair.
    pub allow_same_department: bool,
    /// The admin who created it.
    pub created_by: String,
    /// When a proposal was confirmed; members may opt out only before.
    pub matched_at: Option<NaiveDateTime>,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// One membership as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = cohort_members)]
pub struct Membership {
    /// The cohort.
    pub cohort_id: String,
    /// The member.
    pub user_id: String,
    /// When they were added.
    pub added_at: NaiveDateTime,
    /// When they opted out, if they did.
    pub opted_out_at: Option<NaiveDateTime>,
}

/// A member with what an admin needs to recognise them.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The membership.
    pub membership: Membership,
    /// Their display name.
    pub display_name: String,
    /// Their email.
    pub email: String,
    /// Their provisioning id, if provisioned.
    pub external_id: Option<String>,
    /// Whether the account is deactivated.
    pub deactivated: bool,
    /// Their account's time zone.
    pub time_zone: String,
}

/// A proposed pairing as stored (pairs and unmatched as JSON documents the application writes).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cohort_proposals)]
#[diesel(treat_none_as_null = true)]
pub struct StoredProposal {
    /// Id.
    pub id: String,
    /// The cohort.
    pub cohort_id: String,
    /// `draft` or `confirmed`.
    pub status: String,
    /// The pairs, JSON.
    pub pairs: String,
    /// Who stayed unmatched and why, JSON.
    pub unmatched: String,
    /// The pairs' summed score.
    pub total_score: i64,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// When it was confirmed.
    pub confirmed_at: Option<NaiveDateTime>,
}

/// Stores a new proposal.
pub fn insert_proposal(conn: &mut DbConnection, p: &StoredProposal) -> StoreResult<()> {
    diesel::insert_into(cohort_proposals::table)
        .values(p)
        .execute(conn)?;
    Ok(())
}

/// Saves a changed proposal.
pub fn save_proposal(conn: &mut DbConnection, p: &StoredProposal) -> StoreResult<()> {
    diesel::update(cohort_proposals::table.find(&p.id))
        .set(p)
        .execute(conn)?;
    Ok(())
}

/// A cohort's proposal.
pub fn find_proposal(
    conn: &mut DbConnection,
    cohort_id: &str,
    id: &str,
) -> StoreResult<StoredProposal> {
    cohort_proposals::table
        .find(id)
        .filter(cohort_proposals::cohort_id.eq(cohort_id))
        .select(StoredProposal::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The confirmed proposals of the `n` cohorts matched most recently besides `except`.
pub fn recent_confirmed(
    conn: &mut DbConnection,
    except: &str,
    n: i64,
) -> StoreResult<Vec<StoredProposal>> {
    cohort_proposals::table
        .filter(cohort_proposals::status.eq("confirmed"))
        .filter(cohort_proposals::cohort_id.ne(except))
        .order(cohort_proposals::confirmed_at.desc())
        .limit(n)
        .select(StoredProposal::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Stores a new cohort.
pub fn insert(conn: &mut DbConnection, cohort: &Cohort) -> StoreResult<()> {
    diesel::insert_into(cohorts::table)
        .values(cohort)
        .execute(conn)?;
    Ok(())
}

/// One cohort.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Cohort> {
    cohorts::table
        .find(id)
        .select(Cohort::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Saves a changed cohort.
pub fn save(conn: &mut DbConnection, cohort: &Cohort) -> StoreResult<()> {
    diesel::update(cohorts::table.find(&cohort.id))
        .set(cohort)
        .execute(conn)?;
    Ok(())
}

/// A page of cohorts in (created_at, id) order.
pub fn list(
    conn: &mut DbConnection,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Cohort>> {
    let mut query = cohorts::table
        .select(Cohort::as_select())
        .order((cohorts::created_at, cohorts::id))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            cohorts::created_at
                .gt(at)
                .or(cohorts::created_at.eq(at).and(cohorts::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// Members of a cohort: how many, and how many opted out.
pub fn counts(conn: &mut DbConnection, cohort_id: &str) -> StoreResult<(i64, i64)> {
    let total = cohort_members::table
        .filter(cohort_members::cohort_id.eq(cohort_id))
        .count()
        .get_result(conn)?;
    let opted_out = cohort_members::table
        .filter(cohort_members::cohort_id.eq(cohort_id))
        .filter(cohort_members::opted_out_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((total, opted_out))
}

/// Adds `user_ids` to a cohort; those already in it stay as they are. Returns how many joined.
pub fn add_members(
    conn: &mut DbConnection,
    cohort_id: &str,
    user_ids: &[String],
    now: NaiveDateTime,
) -> StoreResult<usize> {
    let present: Vec<String> = cohort_members::table
        .filter(cohort_members::cohort_id.eq(cohort_id))
        .filter(cohort_members::user_id.eq_any(user_ids))
        .select(cohort_members::user_id)
        .load(conn)?;
    let mut fresh: Vec<Membership> = Vec::new();
    for id in user_ids {
        if !present.contains(id) && !fresh.iter().any(|m| &m.user_id == id) {
            fresh.push(Membership {
                cohort_id: cohort_id.to_owned(),
                user_id: id.clone(),
                added_at: now,
                opted_out_at: None,
            });
        }
    }
    for m in &fresh {
        diesel::insert_into(cohort_members::table)
            .values(m)
            .execute(conn)?;
    }
    Ok(fresh.len())
}

/// A page of a cohort's members in (added_at, user_id) order.
pub fn members(
    conn: &mut DbConnection,
    cohort_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Member>> {
    let mut query = cohort_members::table
        .inner_join(users::table)
        .filter(cohort_members::cohort_id.eq(cohort_id))
        .order((cohort_members::added_at, cohort_members::user_id))
        .limit(limit)
        .select((
            Membership::as_select(),
            users::display_name,
            users::email,
            users::external_id,
            users::deactivated_at.is_not_null(),
            users::time_zone,
        ))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            cohort_members::added_at.gt(at).or(cohort_members::added_at
                .eq(at)
                .and(cohort_members::user_id.gt(id))),
        );
    }
    type Row = (Membership, String, String, Option<String>, bool, String);
    let rows: Vec<Row> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(membership, display_name, email, external_id, deactivated, time_zone)| Member {
                membership,
                display_name,
                email,
                external_id,
                deactivated,
                time_zone,
            },
        )
        .collect())
}

/// The cohorts `user_id` is in, with their membership, oldest first.
pub fn of_member(conn: &mut DbConnection, user_id: &str) -> StoreResult<Vec<(Cohort, Membership)>> {
    cohorts::table
        .inner_join(cohort_members::table)
        .filter(cohort_members::user_id.eq(user_id))
        .order((cohorts::created_at, cohorts::id))
        .select((Cohort::as_select(), Membership::as_select()))
        .load(conn)
        .map_err(StoreError::from)
}

/// `user_id`'s membership of a cohort, if they are in it.
pub fn membership(
    conn: &mut DbConnection,
    cohort_id: &str,
    user_id: &str,
) -> StoreResult<Option<Membership>> {
    cohort_members::table
        .find((cohort_id, user_id))
        .select(Membership::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Marks a membership opted out at `now`.
pub fn opt_out(
    conn: &mut DbConnection,
    cohort_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(cohort_members::table.find((cohort_id, user_id)))
        .set(cohort_members::opted_out_at.eq(now))
        .execute(conn)?;
    Ok(())
}
