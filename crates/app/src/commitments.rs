//! Commitments: the next actions each partner takes on in a meeting. The next meeting's agenda
//! reviews them, so nothing agreed is quietly forgotten.

use chrono::{NaiveDate, NaiveDateTime};
use tandem_domain::meeting::{CommitmentStatus, MeetingAction, default_due_on, default_slot};
use tandem_store::StoreError;
use tandem_store::commitments;
pub use tandem_store::commitments::{Commitment, CommitmentFilter};
use tandem_store::meetings::{self, Meeting};
use tandem_store::partnerships::Partnership;

use crate::partnerships::{members, time_zone};
use crate::{Actor, AppError, AppResult, Rule, Tx, new_id};

/// A new commitment.
#[derive(Debug, Clone, Default)]
pub struct NewCommitment {
    /// What will be done.
    pub text: String,
    /// Who commits (default the actor).
    pub owner_id: Option<String>,
    /// By when (default the day of the next meeting).
    pub due_on: Option<NaiveDate>,
    /// The goal it serves.
    pub goal_id: Option<String>,
}

fn check_goal(tx: &mut Tx<'_>, goal_id: &str, owner: &str, p: &Partnership) -> AppResult<()> {
    match tandem_store::goals::find(tx.conn, goal_id) {
        Ok(g) if g.partnership_id == p.id && g.owner_id == owner => Ok(()),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::field(
            "goal_id",
            "unknown_goal",
            "must be a goal of the commitment's owner in this partnership",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The day of the meeting after `m`, in the partnership's time zone.
fn next_meeting_day(tx: &mut Tx<'_>, m: &Meeting, p: &Partnership) -> AppResult<NaiveDate> {
    let tz = time_zone(p);
    let at = match &m.next_meeting_id {
        Some(id) => meetings::find(tx.conn, id)?.scheduled_at.and_utc(),
        None => default_slot(
            Some(m.scheduled_at.and_utc()),
            m.scheduled_at.and_utc(),
            p.cadence_days.max(1) as u32,
            tz,
            m.scheduled_at.and_utc(),
        ),
    };
    Ok(default_due_on(at, tz))
}

/// Records a commitment made in a (scheduled or completed) meeting, for either partner.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    meeting_id: &str,
    new: &NewCommitment,
) -> AppResult<Commitment> {
    let (m, p) = crate::meetings::visible(tx, actor, meeting_id)?;
    let owner = new.owner_id.clone().unwrap_or_else(|| actor.id.clone());
    if !members(&p).contains(&owner) {
        return Err(AppError::field(
            "owner_id",
            "not_a_partner",
            "must be one of the two partners",
        ));
    }
    if let Some(goal) = &new.goal_id {
        check_goal(tx, goal, &owner, &p)?;
    }
    crate::meetings::allow(&m, MeetingAction::Annotate)?;
    let due_on = match new.due_on {
        Some(d) => d,
        None => next_meeting_day(tx, &m, &p)?,
    };
    let now = tx.now().naive_utc();
    let c = Commitment {
        id: new_id(),
        partnership_id: p.id.clone(),
        meeting_id: m.id.clone(),
        owner_id: owner,
        goal_id: new.goal_id.clone(),
        text: new.text.clone(),
        due_on,
        status: CommitmentStatus::Open,
        status_note: None,
        closed_by: None,
        closed_at: None,
        created_by: actor.id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    commitments::insert(tx.conn, &c)?;
    Ok(c)
}

/// A page of a partnership's commitments, oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    filter: &CommitmentFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Commitment>> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    Ok(commitments::list(tx.conn, &p.id, filter, after, limit)?)
}

/// A commitment the actor may see.
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Commitment> {
    let c = commitments::find(tx.conn, id)?;
    crate::partnerships::visible(tx, actor, &c.partnership_id)?;
    Ok(c)
}

/// A commitment edit; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct CommitmentEdit {
    /// `done` or `dropped` closes it.
    pub status: Option<CommitmentStatus>,
    /// How it went, or why it was dropped (`Some(None)` clears it).
    pub status_note: Option<Option<String>>,
    /// New wording (open commitments only).
    pub text: Option<String>,
    /// New due date (open commitments only).
    pub due_on: Option<NaiveDate>,
}

/// Updates a commitment (either partner), if still at `expected` version: `open -> done |
/// dropped`; only an open one is reworded or re-dated.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: &str,
    expected: Option<i64>,
    edit: CommitmentEdit,
) -> AppResult<Commitment> {
    let mut c = get(tx, actor, id)?;
    if expected.is_some_and(|v| v != c.version) {
        return Err(AppError::Stale);
    }
    let before = c.clone();
    let rewording = edit.text.as_ref().is_some_and(|t| *t != c.text)
        || edit.due_on.is_some_and(|d| d != c.due_on);
    if rewording && c.status != CommitmentStatus::Open {
        return Err(AppError::refused(
            Rule::CommitmentClosed,
            format!(
                "the commitment is {}; only open commitments are reworded or re-dated",
                c.status
            ),
        ));
    }
    if let Some(to) = edit.status {
        let next = c.status.change_to(to).map_err(|e| {
            AppError::refused(
                Rule::CommitmentClosed,
                format!("a commitment that is {} cannot become {}", e.from, e.to),
            )
        })?;
        if next != c.status {
            c.status = next;
            c.closed_by = Some(actor.id.clone());
            c.closed_at = Some(tx.now().naive_utc());
        }
    }
    if let Some(note) = edit.status_note {
        c.status_note = note;
    }
    if let Some(text) = edit.text {
        c.text = text;
    }
    if let Some(due) = edit.due_on {
        c.due_on = due;
    }
    if c == before {
        return Ok(c);
    }
    c.version += 1;
    c.updated_at = tx.now().naive_utc();
    commitments::save(tx.conn, &c)?;
    Ok(c)
}
