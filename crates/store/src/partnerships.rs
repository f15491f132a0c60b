//! Partnerships: two people, their settings and lifecycle. Membership is checked in SQL, so a
//! non-member's query finds nothing — exactly as if the partnership did not exist.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use tandem_domain::goal::GoalStatus;
use tandem_domain::partnership::PartnershipStatus;

use crate::changes::{self, Entity, Op};
use crate::schema::{goals, partnerships};
use crate::sql_types::Name;
use crate::{DbConnection, StoreError, StoreResult};

/// A stored partnership.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = partnerships)]
pub struct Partnership {
    /// Id (UUID text).
    pub id: String,
    /// Who invited.
    pub inviter_id: String,
    /// The invitee's account, once they accepted.
    pub invitee_id: Option<String>,
    /// The invitee's email, lower-cased.
    pub invitee_email: String,
    /// Both members' emails, sorted: one live partnership per pair.
    pub pair_key: String,
    /// Lifecycle status.
    #[diesel(serialize_as = Name)]
    pub status: PartnershipStatus,
    /// The inviter's note.
    pub message: Option<String>,
    /// Days between meetings.
    pub cadence_days: i32,
    /// Meeting length, minutes.
    pub meeting_minutes: i32,
    /// IANA time zone of meetings and dates.
    pub time_zone: String,
    /// Months between fit reviews.
    pub fit_review_months: i32,
    /// Status threshold: largest on-track gap.
    pub on_track_gap: f64,
    /// Status threshold: largest at-risk gap.
    pub at_risk_gap: f64,
    /// When the invitee accepted.
    pub accepted_at: Option<NaiveDateTime>,
    /// When it ended or was declined.
    pub ended_at: Option<NaiveDateTime>,
    /// Bumped on every change; the ETag.
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Days a meeting may be held early or late and still count as on time.
    pub grace_days: i32,
    /// The last annual goal refresh.
    pub last_refreshed_on: Option<chrono::NaiveDate>,
    /// Annual refreshes completed: the number of the current refresh cycle.
    pub refresh_cycle: i32,
}

/// Who is asking: membership is by account, or by email for an invitee who has not accepted yet.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// The caller's user id.
    pub user_id: &'a str,
    /// The caller's email (lower-cased).
    pub email: &'a str,
    /// The one partnership the caller's credential may reach (a limited access token).
    pub only: Option<&'a str>,
}

/// Creates a partnership. A live one for the same pair is [`StoreError::Conflict`].
pub fn insert(conn: &mut DbConnection, new: &Partnership) -> StoreResult<Partnership> {
    diesel::insert_into(partnerships::table)
        .values(new.clone())
        .execute(conn)
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("partnership".into()),
            other => other,
        })?;
    changes::record(
        conn,
        &new.id,
        Entity::Partnership,
        &new.id,
        Op::Created,
        new.created_at,
    )?;
    Ok(new.clone())
}

macro_rules! member_filter {
    ($member:expr) => {
        partnerships::inviter_id
            .eq($member.user_id.to_owned())
            .or(partnerships::invitee_id.eq($member.user_id.to_owned()))
            .or(partnerships::invitee_id
                .is_null()
                .and(partnerships::invitee_email.eq($member.email.to_owned())))
    };
}
pub(crate) use member_filter;

/// The partnership, if `member` belongs to it ([`StoreError::NotFound`] otherwise).
pub fn find_for_member(
    conn: &mut DbConnection,
    id: &str,
    member: Member<'_>,
) -> StoreResult<Partnership> {
    if member.only.is_some_and(|only| only != id) {
        return Err(StoreError::NotFound);
    }
    partnerships::table
        .filter(partnerships::id.eq(id))
        .filter(member_filter!(member))
        .select(Partnership::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// The partnership, if `member` belongs to it, with its members' display names (inviter, then
/// invitee once there is one), in one statement: what a scorecard shows before any goal.
pub fn find_for_member_named(
    conn: &mut DbConnection,
    id: &str,
    member: Member<'_>,
) -> StoreResult<(Partnership, String, Option<String>)> {
    use crate::schema::users;
    if member.only.is_some_and(|only| only != id) {
        return Err(StoreError::NotFound);
    }
    let (inviter, invitee) = diesel::alias!(users as inviter, users as invitee);
    partnerships::table
        .inner_join(inviter.on(inviter.field(users::id).eq(partnerships::inviter_id)))
        .left_join(
            invitee.on(invitee
                .field(users::id)
                .nullable()
                .eq(partnerships::invitee_id)),
        )
        .filter(partnerships::id.eq(id))
        .filter(member_filter!(member))
        .select((
            Partnership::as_select(),
            inviter.field(users::display_name),
            invitee.field(users::display_name).nullable(),
        ))
        .first(conn)
        .map_err(StoreError::from)
}

/// A page of `member`'s partnerships in (created_at, id) order, after the cursor.
pub fn list_for_member(
    conn: &mut DbConnection,
    member: Member<'_>,
    status: Option<PartnershipStatus>,
    updated_since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Partnership>> {
    let mut query = partnerships::table
        .filter(member_filter!(member))
        .select(Partnership::as_select())
        .order((partnerships::created_at, partnerships::id))
        .limit(limit)
        .into_boxed();
    if let Some(only) = member.only {
        query = query.filter(partnerships::id.eq(only.to_owned()));
    }
    if let Some(status) = status {
        query = query.filter(partnerships::status.eq(Name::of(status)));
    }
    if let Some(since) = updated_since {
        query = query.filter(partnerships::updated_at.ge(since));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            partnerships::created_at
                .gt(at)
                .or(partnerships::created_at.eq(at).and(partnerships::id.gt(id))),
        );
    }
    query.load(conn).map_err(StoreError::from)
}

/// Writes `changed` over the stored row if its version is still `changed.version - 1`
/// (optimistic concurrency); [`StoreError::Stale`] otherwise.
pub fn save(conn: &mut DbConnection, changed: &Partnership) -> StoreResult<Partnership> {
    let updated = diesel::update(
        partnerships::table
            .filter(partnerships::id.eq(&changed.id))
            .filter(partnerships::version.eq(changed.version - 1)),
    )
    .set((
        partnerships::invitee_id.eq(&changed.invitee_id),
        partnerships::status.eq(Name::of(changed.status)),
        partnerships::cadence_days.eq(changed.cadence_days),
        partnerships::meeting_minutes.eq(changed.meeting_minutes),
        partnerships::time_zone.eq(&changed.time_zone),
        partnerships::fit_review_months.eq(changed.fit_review_months),
        partnerships::grace_days.eq(changed.grace_days),
        partnerships::last_refreshed_on.eq(changed.last_refreshed_on),
        partnerships::refresh_cycle.eq(changed.refresh_cycle),
        partnerships::on_track_gap.eq(changed.on_track_gap),
        partnerships::at_risk_gap.eq(changed.at_risk_gap),
        partnerships::accepted_at.eq(changed.accepted_at),
        partnerships::ended_at.eq(changed.ended_at),
        partnerships::version.eq(changed.version),
        partnerships::updated_at.eq(changed.updated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    let op = if !changed.status.is_live() {
        Op::Archived
    } else {
        Op::Updated
    };
    changes::record(
        conn,
        &changed.id,
        Entity::Partnership,
        &changed.id,
        op,
        changed.updated_at,
    )?;
    Ok(changed.clone())
}

/// Active goals per owner in a partnership.
pub fn active_goal_counts(
    conn: &mut DbConnection,
    partnership_id: &str,
) -> StoreResult<Vec<(String, i64)>> {
    goals::table
        .filter(goals::partnership_id.eq(partnership_id))
        .filter(goals::status.eq(Name::of(GoalStatus::Active)))
        .group_by(goals::owner_id)
        .select((goals::owner_id, diesel::dsl::count_star()))
        .load(conn)
        .map_err(StoreError::from)
}

/// Pairs among `members` (id, email) who share a live partnership (invited, active or paused;
/// an invitation counts from when it is sent), each as two ids.
pub fn live_pairs_among(
    conn: &mut DbConnection,
    members: &[(String, String)],
) -> StoreResult<Vec<(String, String)>> {
    use tandem_domain::partnership::PartnershipStatus;
    let ids: Vec<&str> = members.iter().map(|(id, _)| id.as_str()).collect();
    let emails: Vec<&str> = members.iter().map(|(_, e)| e.as_str()).collect();
    let rows: Vec<(String, Option<String>, String)> = partnerships::table
        .filter(partnerships::inviter_id.eq_any(&ids))
        .filter(
            partnerships::invitee_id
                .eq_any(&ids)
                .or(partnerships::invitee_email.eq_any(&emails)),
        )
        .filter(partnerships::status.eq_any([
            Name::of(PartnershipStatus::Invited),
            Name::of(PartnershipStatus::Active),
            Name::of(PartnershipStatus::Paused),
        ]))
        .select((
            partnerships::inviter_id,
            partnerships::invitee_id,
            partnerships::invitee_email,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, b, email)| {
            let b = b.or_else(|| {
                members
                    .iter()
                    .find(|(_, e)| *e == email)
                    .map(|(id, _)| id.clone())
            })?;
            Some((a, b))
        })
        .collect())
}

/// Serialises rule checks that count rows (such as the 5-active-goal limit) per partnership,
/// until the transaction ends.
pub fn lock(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    crate::backend::lock_partnership(conn, id)
}

/// Every active partnership (for time-driven announcements such as `fit_review.due`).
pub fn active(conn: &mut DbConnection) -> StoreResult<Vec<Partnership>> {
    partnerships::table
        .filter(partnerships::status.eq(Name::of(PartnershipStatus::Active)))
        .order(partnerships::id)
        .select(Partnership::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// The fit-review due date last announced, if any.
pub fn fit_review_announced_on(
    conn: &mut DbConnection,
    id: &str,
) -> StoreResult<Option<chrono::NaiveDate>> {
    partnerships::table
        .find(id)
        .select(partnerships::fit_review_announced_on)
        .first(conn)
        .map_err(StoreError::from)
}

/// Records that the refresh cycle due on `due_on` was announced; `false` if it already was (by
/// another instance): announce only on `true`, in the same transaction.
pub fn mark_refresh_announced(
    conn: &mut DbConnection,
    id: &str,
    due_on: chrono::NaiveDate,
) -> StoreResult<bool> {
    let updated = diesel::update(
        partnerships::table.filter(partnerships::id.eq(id)).filter(
            partnerships::refresh_announced_on
                .is_null()
                .or(partnerships::refresh_announced_on.ne(due_on)),
        ),
    )
    .set(partnerships::refresh_announced_on.eq(due_on))
    .execute(conn)?;
    Ok(updated == 1)
}

/// When the refresh cycle last announced was due, if any was.
pub fn refresh_announced_on(
    conn: &mut DbConnection,
    id: &str,
) -> StoreResult<Option<chrono::NaiveDate>> {
    partnerships::table
        .find(id)
        .select(partnerships::refresh_announced_on)
        .first(conn)
        .map_err(StoreError::from)
}

/// Records that the review due on `due_on` was announced; `false` if it already was (by another
/// instance): announce only on `true`, in the same transaction.
pub fn mark_fit_review_announced(
    conn: &mut DbConnection,
    id: &str,
    due_on: chrono::NaiveDate,
) -> StoreResult<bool> {
    let updated = diesel::update(
        partnerships::table.filter(partnerships::id.eq(id)).filter(
            partnerships::fit_review_announced_on
                .is_null()
                .or(partnerships::fit_review_announced_on.ne(due_on)),
        ),
    )
    .set(partnerships::fit_review_announced_on.eq(due_on))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A partnership by id, for background work that acts for no caller (never for requests: they
/// use [`find_for_member`]).
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Partnership> {
    partnerships::table
        .find(id)
        .select(Partnership::as_select())
        .first(conn)
        .map_err(StoreError::from)
}
