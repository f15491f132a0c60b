//! Kudos — "motivate each other: celebrate small wins": a partner sends a short note on the
//! other's reading, completed milestone or check-in. The receiver hears of it (`kudos.received`)
//! and the next meeting's agenda lists it in the wins section of their block.

use chrono::NaiveDateTime;
use tandem_domain::events::{EventData, KudosReceived};
use tandem_domain::kudos::{KudosSubject, NOTE_MAX_CHARS, NoteProblem, note};
use tandem_domain::partnership::PartnershipStatus;
use tandem_store::kudos;
pub use tandem_store::kudos::{Kudos, KudosFilter};
use tandem_store::{StoreError, check_ins, goals, readings};

use crate::{Actor, AppError, AppResult, FieldIssue, Rule, Tx, new_id};

/// Kudos to send: on what, and the note as given (checked by [`send`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKudos {
    /// What they are on.
    pub subject_type: KudosSubject,
    /// Its id.
    pub subject_id: String,
    /// The note.
    pub note: String,
}

/// Where a subject lives and whose win it is, with the state that may refuse kudos on it.
struct Subject {
    partnership_id: String,
    goal_id: Option<String>,
    owner_id: String,
    /// Why it cannot take kudos yet, if it cannot.
    refusal: Option<(Rule, &'static str)>,
}

fn subject(tx: &mut Tx<'_>, kind: KudosSubject, id: &str) -> AppResult<Subject> {
    Ok(match kind {
        KudosSubject::Reading => {
            let r = readings::find(tx.conn, id)?;
            let goal = goals::find(tx.conn, &r.goal_id)?;
            Subject {
                partnership_id: goal.partnership_id,
                goal_id: Some(goal.id),
                owner_id: goal.owner_id,
                refusal: r
                    .deleted_at
                    .map(|_| (Rule::ReadingDeleted, "the reading was deleted")),
            }
        }
        KudosSubject::Milestone => {
            let m = goals::milestone_by_id(tx.conn, id)?;
            let goal = goals::find(tx.conn, &m.goal_id)?;
            Subject {
                partnership_id: goal.partnership_id,
                goal_id: Some(goal.id),
                owner_id: goal.owner_id,
                refusal: m.completed_on.is_none().then_some((
                    Rule::MilestoneNotCompleted,
                    "the milestone is not completed yet; send kudos when it is",
                )),
            }
        }
        KudosSubject::CheckIn => {
            let c = check_ins::find(tx.conn, id)?;
            Subject {
                partnership_id: c.partnership_id,
                goal_id: None,
                owner_id: c.author_id,
                refusal: None,
            }
        }
    })
}

/// Sends kudos from the actor to their partner, whose win the subject is. Someone outside the
/// subject's partnership gets [`AppError::NotFound`], as for anything in it.
pub fn send(tx: &mut Tx<'_>, actor: &Actor, new: &NewKudos) -> AppResult<Kudos> {
    let note = note(&new.note).map_err(|problem| {
        let (code, detail) = match problem {
            NoteProblem::Blank => ("blank", "must say something".to_owned()),
            NoteProblem::TooLong => ("too_long", format!("at most {NOTE_MAX_CHARS} characters")),
        };
        AppError::Invalid(vec![FieldIssue::new("/note", code, detail)])
    })?;
    let s = subject(tx, new.subject_type, &new.subject_id)?;
    let p = crate::partnerships::visible(tx, actor, &s.partnership_id)?;
    if !crate::partnerships::members(&p).contains(&actor.id) {
        // An invitee who has not answered sees the invitation, not the partner's work.
        return Err(AppError::NotFound);
    }
    if !matches!(
        p.status,
        PartnershipStatus::Active | PartnershipStatus::Paused
    ) {
        return Err(AppError::refused(
            Rule::PartnershipNotActive,
            format!(
                "the partnership is {}; kudos are for running partnerships",
                p.status
            ),
        ));
    }
    if s.owner_id == actor.id {
        return Err(AppError::refused(
            Rule::KudosToSelf,
            format!(
                "this {} is yours; kudos go to your partner",
                new.subject_type
            ),
        ));
    }
    if let Some((rule, detail)) = s.refusal {
        return Err(AppError::refused(rule, detail));
    }
    let already = || {
        AppError::refused(
            Rule::KudosSent,
            format!("you already sent kudos on this {}", new.subject_type),
        )
    };
    if kudos::sent(tx.conn, new.subject_type, &new.subject_id, &actor.id)? {
        return Err(already());
    }
    let k = Kudos {
        id: new_id(),
        partnership_id: p.id.clone(),
        subject_type: new.subject_type,
        subject_id: new.subject_id.clone(),
        goal_id: s.goal_id,
        from_user_id: actor.id.clone(),
        to_user_id: s.owner_id,
        note,
        created_at: tx.now().naive_utc(),
    };
    kudos::insert(tx.conn, &k).map_err(|e| match e {
        StoreError::Conflict(_) => already(),
        other => other.into(),
    })?;
    crate::events::publish(
        tx,
        &p.id,
        EventData::KudosReceived(KudosReceived {
            kudos_id: k.id.clone(),
            from_user_id: k.from_user_id.clone(),
            to_user_id: k.to_user_id.clone(),
            subject_type: k.subject_type,
            subject_id: k.subject_id.clone(),
            note: k.note.clone(),
            href: format!("/v1/kudos/{}", k.id),
        }),
    )?;
    Ok(k)
}

/// Kudos the actor may see: sent or received in one of their partnerships.
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<Kudos> {
    let k = kudos::find(tx.conn, id)?;
    crate::partnerships::visible(tx, actor, &k.partnership_id)?;
    Ok(k)
}

/// A page of a partnership's kudos, oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    filter: &KudosFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<Kudos>> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    Ok(kudos::list(tx.conn, &p.id, filter, after, limit)?)
}
