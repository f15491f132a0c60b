//! Celebrating wins — "motivate each other: celebrate small wins and milestones reached": when
//! a goal is achieved or a milestone completed, the partner hears of it (a webhook event, and an
//! email where email is on), in the transaction of the change.

use tandem_domain::email::EmailKind;
use tandem_domain::events::{EventData, GoalAchieved, MilestoneCompleted};
use tandem_store::goals::{Goal, MilestoneRow};
use tandem_store::partnerships::{self, Partnership};

use crate::events::{goal_ref, publish};
use crate::{AppResult, Tx};

/// `goal.achieved` and the partner's email.
pub fn goal_achieved(tx: &mut Tx<'_>, goal: &Goal) -> AppResult<()> {
    let p = partnerships::find(tx.conn, &goal.partnership_id)?;
    let on = crate::partnerships::local_date(&p, tx.now());
    let href = format!("/v1/goals/{}", goal.id);
    let event = EventData::GoalAchieved(GoalAchieved {
        goal: goal_ref(goal),
        achieved_on: on,
        target: goal.target,
        href: href.clone(),
    });
    let email = News {
        kind: EmailKind::GoalAchieved,
        key: format!("goal:{}:achieved", goal.id),
        href,
        context: minijinja::context! {
            title => title(goal),
            achieved_on => on.to_string(),
        },
    };
    tell_partner(tx, &p, &goal.owner_id, event, email)
}

/// `milestone.completed` and the partner's email.
pub fn milestone_completed(tx: &mut Tx<'_>, goal: &Goal, m: &MilestoneRow) -> AppResult<()> {
    let Some(completed_on) = m.completed_on else {
        return Ok(());
    };
    let p = partnerships::find(tx.conn, &goal.partnership_id)?;
    let href = format!("/v1/goals/{}/milestones/{}", goal.id, m.id);
    let event = EventData::MilestoneCompleted(MilestoneCompleted {
        goal: goal_ref(goal),
        milestone_id: m.id.clone(),
        milestone_title: m.title.clone(),
        due_date: m.due_date,
        completed_on,
        href: href.clone(),
    });
    let email = News {
        kind: EmailKind::MilestoneCompleted,
        key: format!("milestone:{}:completed:{completed_on}", m.id),
        href,
        context: minijinja::context! {
            title => title(goal),
            milestone => &m.title,
            completed_on => completed_on.to_string(),
        },
    };
    tell_partner(tx, &p, &goal.owner_id, event, email)
}

/// The email half of a win: its kind, the key that sends it once, the link and the template's
/// context.
struct News {
    kind: EmailKind,
    key: String,
    href: String,
    context: minijinja::Value,
}

/// Publishes a win's event, then emails the owner's partner (once there is one).
fn tell_partner(
    tx: &mut Tx<'_>,
    p: &Partnership,
    owner_id: &str,
    event: EventData,
    news: News,
) -> AppResult<()> {
    publish(tx, &p.id, event)?;
    let Some(partner) = partner_of(p, owner_id) else {
        return Ok(());
    };
    crate::notifications::reminder(
        tx,
        p,
        Some(&partner),
        news.kind,
        &news.key,
        &news.href,
        news.context,
    )
}

fn title(goal: &Goal) -> String {
    goal.title.clone().unwrap_or_else(|| "Untitled goal".into())
}

/// The other member of `p`, once there is one.
fn partner_of(p: &Partnership, owner_id: &str) -> Option<String> {
    if p.inviter_id == owner_id {
        p.invitee_id.clone()
    } else {
        Some(p.inviter_id.clone())
    }
}
