//! Partnerships: inviting a peer (who may not have an account yet), settings, and the lifecycle.
//! Only the two members see a partnership; to anyone else it does not exist.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use tandem_domain::cadence::{
    DEFAULT_CADENCE_DAYS, DEFAULT_FIT_REVIEW_MONTHS, DEFAULT_GRACE_DAYS, DEFAULT_MEETING_MINUTES,
};
use tandem_domain::events::EventData;
use tandem_domain::goal_set::{GoalSetReadiness, readiness};
use tandem_domain::partnership::{PartnershipAction, PartnershipStatus};
use tandem_domain::progress::StatusThresholds;
use tandem_domain::rhythm::Due;
use tandem_store::StoreError;
use tandem_store::partnerships;
pub use tandem_store::partnerships::Partnership;
use tandem_store::users::{self, User};

use crate::meetings::Adherence;
use crate::{Actor, AppError, AppResult, FieldIssue, Rule, Tx, new_id};

/// The partnership `id`, if `actor` belongs to it (and their credential reaches it).
pub fn visible(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Partnership> {
    Ok(partnerships::find_for_member(tx.conn, id, actor.member())?)
}

/// The partnership's time zone (validated when set, so always a real zone).
pub fn time_zone(p: &Partnership) -> Tz {
    p.time_zone.parse().unwrap_or(Tz::UTC)
}

/// The calendar day `t` falls on in the partnership's time zone.
pub fn local_date(p: &Partnership, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&time_zone(p)).date_naive()
}

/// `t` as the partnership's wall-clock time.
pub fn local_time(p: &Partnership, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&time_zone(p)).naive_local()
}

/// The day the partnership started: when the invitee accepted (or, before that, was invited).
pub fn started_on(p: &Partnership) -> NaiveDate {
    local_date(p, p.accepted_at.unwrap_or(p.created_at).and_utc())
}

/// The members' ids: the inviter, then the invitee once they accepted.
pub fn members(p: &Partnership) -> Vec<String> {
    std::iter::once(p.inviter_id.clone())
        .chain(p.invitee_id.clone())
        .collect()
}

/// The status thresholds the partnership judges progress with.
pub fn thresholds(p: &Partnership) -> StatusThresholds {
    StatusThresholds {
        on_track_gap: p.on_track_gap,
        at_risk_gap: p.at_risk_gap,
    }
}

/// Refuses unless the partnership is live (invited, active or paused).
pub fn require_live(p: &Partnership, what: &str) -> AppResult<()> {
    if p.status.is_live() {
        Ok(())
    } else {
        Err(AppError::refused(
            Rule::PartnershipEnded,
            format!("the partnership is {}; {what}", p.status),
        ))
    }
}

/// Refuses unless the partnership is active (accepted and not paused).
pub fn require_active(p: &Partnership, what: &str) -> AppResult<()> {
    if p.status == PartnershipStatus::Active {
        Ok(())
    } else {
        Err(AppError::refused(
            Rule::PartnershipNotActive,
            format!("the partnership is {}; {what}", p.status),
        ))
    }
}

/// An invitation.
#[derive(Debug, Clone, Default)]
pub struct Invitation {
    /// The peer's email, lower-cased; they may register later.
    pub invitee_email: String,
    /// A note for them.
    pub message: Option<String>,
    /// Days between meetings (default 14).
    pub cadence_days: Option<u32>,
    /// Meeting length (default 60).
    pub meeting_minutes: Option<u32>,
    /// Time zone (default the inviter's).
    pub time_zone: Option<String>,
    /// Months between fit reviews (default 3).
    pub fit_review_months: Option<u32>,
    /// Grace window for "on time" (default 2 days).
    pub grace_days: Option<u32>,
}

/// Invites a peer. Inviting yourself is invalid; a second live partnership with the same person is
/// refused (`partnership-exists`), as is any creation through a token limited to a partnership.
pub fn create(tx: &mut Tx<'_>, actor: &Actor, invite: Invitation) -> AppResult<Partnership> {
    if actor.only.is_some() {
        return Err(AppError::refused(
            Rule::TokenLimited,
            "this access token is limited to one partnership; it creates none",
        ));
    }
    if invite.invitee_email == actor.email {
        return Err(AppError::field(
            "invitee_email",
            "self",
            "you cannot partner with yourself",
        ));
    }
    let inviter = users::find_str(tx.conn, &actor.id)?;
    let now = tx.now().naive_utc();
    let mut emails = [actor.email.clone(), invite.invitee_email.clone()];
    emails.sort();
    let new = Partnership {
        id: new_id(),
        inviter_id: actor.id.clone(),
        invitee_id: None,
        invitee_email: invite.invitee_email,
        pair_key: emails.join(" "),
        status: PartnershipStatus::Invited,
        message: invite.message,
        cadence_days: invite.cadence_days.unwrap_or(DEFAULT_CADENCE_DAYS) as i32,
        meeting_minutes: invite.meeting_minutes.unwrap_or(DEFAULT_MEETING_MINUTES) as i32,
        time_zone: invite.time_zone.unwrap_or(inviter.time_zone),
        fit_review_months: invite
            .fit_review_months
            .unwrap_or(DEFAULT_FIT_REVIEW_MONTHS) as i32,
        grace_days: invite.grace_days.unwrap_or(DEFAULT_GRACE_DAYS) as i32,
        last_refreshed_on: None,
        refresh_cycle: 0,
        on_track_gap: StatusThresholds::default().on_track_gap,
        at_risk_gap: StatusThresholds::default().at_risk_gap,
        accepted_at: None,
        ended_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    partnerships::insert(tx.conn, &new).map_err(|e| match e {
        StoreError::Conflict(_) => AppError::refused(
            Rule::PartnershipExists,
            "you already have a live partnership (invited, active or paused) with this person",
        ),
        other => other.into(),
    })
}

/// Which partnerships to list.
#[derive(Debug, Clone, Default)]
pub struct PartnershipFilter {
    /// Only this status.
    pub status: Option<PartnershipStatus>,
    /// Only those changed at or after.
    pub updated_since: Option<NaiveDateTime>,
}

/// A page of the actor's partnerships (invitations to their email included), oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    filter: &PartnershipFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Partnership>> {
    Ok(partnerships::list_for_member(
        tx.conn,
        actor.member(),
        filter.status,
        filter.updated_since,
        after,
        limit,
    )?)
}

/// A settings edit; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    /// Days between meetings.
    pub cadence_days: Option<u32>,
    /// Meeting length.
    pub meeting_minutes: Option<u32>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Months between fit reviews.
    pub fit_review_months: Option<u32>,
    /// Grace window.
    pub grace_days: Option<u32>,
    /// Largest gap still on track.
    pub on_track_gap: Option<f64>,
    /// Largest gap still at risk.
    pub at_risk_gap: Option<f64>,
}

/// Changes a live partnership's settings (either member), if it is still at `expected` version.
pub fn update_settings(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    patch: SettingsPatch,
) -> AppResult<Partnership> {
    let mut p = visible(tx, actor, id)?;
    if expected.is_some_and(|v| v != p.version) {
        return Err(AppError::Stale);
    }
    require_live(&p, "its settings are final")?;
    let on_track = patch.on_track_gap.unwrap_or(p.on_track_gap);
    let at_risk = patch.at_risk_gap.unwrap_or(p.at_risk_gap);
    StatusThresholds::new(on_track, at_risk)
        .map_err(|e| AppError::field("on_track_gap", "order", e.to_string()))?;
    p.cadence_days = patch.cadence_days.map_or(p.cadence_days, |v| v as i32);
    p.meeting_minutes = patch
        .meeting_minutes
        .map_or(p.meeting_minutes, |v| v as i32);
    p.fit_review_months = patch
        .fit_review_months
        .map_or(p.fit_review_months, |v| v as i32);
    p.grace_days = patch.grace_days.map_or(p.grace_days, |v| v as i32);
    if let Some(tz) = patch.time_zone {
        p.time_zone = tz;
    }
    p.on_track_gap = on_track;
    p.at_risk_gap = at_risk;
    save(tx, p)
}

/// Moves a partnership through its lifecycle: the invitee accepts or declines; either member
/// pauses, resumes or ends.
pub fn transition(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    action: PartnershipAction,
) -> AppResult<Partnership> {
    let mut p = visible(tx, actor, id)?;
    let is_invitee = p.inviter_id != actor.id;
    if matches!(
        action,
        PartnershipAction::Accept | PartnershipAction::Decline
    ) && !is_invitee
    {
        return Err(AppError::refused(
            Rule::InviteeOnly,
            "only the invitee can accept or decline an invitation",
        ));
    }
    let next = p.status.apply(action).map_err(|e| {
        AppError::refused(
            Rule::PartnershipTransition,
            format!("cannot {} a partnership that is {}", e.action, e.from),
        )
    })?;
    let now = tx.now().naive_utc();
    if action == PartnershipAction::Accept {
        p.invitee_id = Some(actor.id.clone());
        p.accepted_at = Some(now);
    }
    if !next.is_live() {
        p.ended_at = Some(now);
    }
    p.status = next;
    save(tx, p)
}

/// Saves a changed partnership as its next version and announces `partnership.updated` in the
/// same transaction; every partnership edit goes through here.
pub fn save(tx: &mut Tx<'_>, mut p: Partnership) -> AppResult<Partnership> {
    p.version += 1;
    p.updated_at = tx.now().naive_utc();
    let saved = partnerships::save(tx.conn, &p)?;
    crate::events::publish(
        tx,
        &saved.id,
        EventData::PartnershipUpdated(crate::events::partnership_updated(&saved)),
    )?;
    Ok(saved)
}

/// Checks that a `partnership_id` in a request body names one of the actor's partnerships (the
/// one a limited token reaches): an invalid field otherwise, since the body is what is wrong.
pub fn ensure_mine(tx: &mut Tx<'_>, actor: &Actor, id: Option<&str>) -> AppResult<()> {
    let Some(id) = id else { return Ok(()) };
    match visible(tx, actor, id) {
        Ok(_) => Ok(()),
        Err(AppError::NotFound) => Err(AppError::Invalid(vec![FieldIssue::new(
            "partnership_id",
            "unknown_partnership",
            "must be one of your partnerships",
        )])),
        Err(e) => Err(e),
    }
}

/// One member as the partnership shows them.
#[derive(Debug, Clone)]
pub struct MemberStanding {
    /// `inviter` or `invitee`.
    pub role: &'static str,
    /// Their account, once there is one in the partnership.
    pub user: Option<User>,
    /// Their email (the invitee's as invited).
    pub email: String,
    /// Whether their goal set is ready.
    pub goal_set: GoalSetReadiness,
}

/// The annual refresh as the partnership stands in it.
#[derive(Debug, Clone)]
pub struct RefreshStatus {
    /// The current cycle's due date.
    pub due: Due,
    /// Who refreshed this cycle, and when.
    pub refreshed_by: Vec<(String, NaiveDate)>,
}

/// Everything a partnership's members see about it at once.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The partnership.
    pub partnership: Partnership,
    /// Inviter, then invitee.
    pub members: [MemberStanding; 2],
    /// How reliably the pair meets.
    pub adherence: Adherence,
    /// When the next fit review is due.
    pub fit_review: Due,
    /// The annual refresh.
    pub refresh: RefreshStatus,
}

/// The overview of a partnership the caller may see.
pub fn overview(tx: &mut Tx<'_>, p: Partnership) -> AppResult<Overview> {
    let counts = partnerships::active_goal_counts(tx.conn, &p.id)?;
    let count_of = |id: Option<&str>| {
        id.and_then(|id| counts.iter().find(|(o, _)| o == id))
            .map_or(0, |(_, n)| *n as u32)
    };
    let inviter = users::find_str(tx.conn, &p.inviter_id)?;
    let invitee = match &p.invitee_id {
        Some(id) => Some(users::find_str(tx.conn, id)?),
        None => None,
    };
    let members = [
        MemberStanding {
            role: "inviter",
            email: inviter.email.clone(),
            goal_set: readiness(count_of(Some(&p.inviter_id))),
            user: Some(inviter),
        },
        MemberStanding {
            role: "invitee",
            email: p.invitee_email.clone(),
            goal_set: readiness(count_of(p.invitee_id.as_deref())),
            user: invitee,
        },
    ];
    let now = tx.now();
    Ok(Overview {
        adherence: crate::meetings::adherence(tx, &p, now)?,
        fit_review: crate::fit_reviews::next_review(tx, &p)?,
        refresh: refresh_status(tx, &p)?,
        members,
        partnership: p,
    })
}

/// The refresh cycle's due date and who refreshed in it.
pub fn refresh_status(tx: &mut Tx<'_>, p: &Partnership) -> AppResult<RefreshStatus> {
    let due =
        tandem_domain::rhythm::refresh(started_on(p), p.last_refreshed_on, local_date(p, tx.now()));
    let refreshed_by = tandem_store::refreshes::of_cycle(tx.conn, &p.id, p.refresh_cycle)?
        .into_iter()
        .map(|r| (r.user_id, r.refreshed_on))
        .collect();
    Ok(RefreshStatus { due, refreshed_by })
}
