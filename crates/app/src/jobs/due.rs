//! Time-driven events and their reminder emails: `commitment.due` when an open commitment
//! reaches its day, `fit_review.due` when a review falls due, `refresh.due` when the yearly goal
//! refresh does, `reading.stale` when a goal's next reading is overdue, and `meeting.upcoming` (with the pre-read) when a meeting is `pre_read_hours`
//! away, each announced once (the mark, the event and the emails commit together, so two
//! instances scanning at once announce once).

use tandem_domain::email::EmailKind;
use tandem_domain::events::{
    CommitmentDue, EventData, FitReviewDue, MeetingUpcoming, ReadingStale, RefreshDue,
};
use tandem_store::{commitments, goals, meetings, partnerships};

use crate::partnerships::local_date;
use crate::{App, AppResult, Tx};

/// Announces everything that came due.
pub async fn announce(app: &App) -> AppResult<()> {
    let due = app.read(due_now).await?;
    for item in due {
        // One item that cannot be announced must not hold back the others; it is tried again
        // at the next scan.
        if let Err(e) = app.write(move |tx| announce_one(tx, &item)).await {
            tracing::warn!(error = %e, "announcing one due item failed");
        }
    }
    Ok(())
}

/// Something to announce.
#[derive(Debug, Clone)]
enum Due {
    Commitment(Box<commitments::Commitment>),
    FitReview {
        partnership_id: String,
        due_on: chrono::NaiveDate,
    },
    Upcoming(Box<meetings::Meeting>),
    Refresh {
        partnership_id: String,
        due_on: chrono::NaiveDate,
    },
    Stale {
        goal: Box<goals::Goal>,
        last: Option<chrono::NaiveDateTime>,
        due: chrono::NaiveDateTime,
    },
}

fn due_now(tx: &mut Tx<'_>) -> AppResult<Vec<Due>> {
    let now = tx.now();
    // No time zone is more than 14 hours ahead of UTC: nothing due later than this is due yet.
    let horizon = (now + chrono::Duration::hours(14)).date_naive();
    let mut due = Vec::new();
    for c in commitments::due_unannounced(tx.conn, horizon)? {
        let p = partnerships::find(tx.conn, &c.partnership_id)?;
        if c.due_on <= local_date(&p, now) {
            due.push(Due::Commitment(Box::new(c)));
        }
    }
    for p in partnerships::active(tx.conn)? {
        let next = crate::fit_reviews::next_review(tx, &p)?;
        if next.due_on <= local_date(&p, now)
            && partnerships::fit_review_announced_on(tx.conn, &p.id)? != Some(next.due_on)
        {
            due.push(Due::FitReview {
                partnership_id: p.id.clone(),
                due_on: next.due_on,
            });
        }
    }
    for p in partnerships::active(tx.conn)? {
        let today = local_date(&p, now);
        let cycle = tandem_domain::rhythm::refresh(
            crate::partnerships::started_on(&p),
            p.last_refreshed_on,
            today,
        );
        if cycle.due_on <= today
            && partnerships::refresh_announced_on(tx.conn, &p.id)? != Some(cycle.due_on)
        {
            due.push(Due::Refresh {
                partnership_id: p.id.clone(),
                due_on: cycle.due_on,
            });
        }
    }
    let mut active = std::collections::HashMap::new();
    for candidate in goals::staleness_candidates(tx.conn)? {
        let goals::StalenessCandidate {
            goal,
            last_observed_at: last,
            announced_for: announced,
        } = candidate;
        let Some(start) = goal.start_date else {
            continue;
        };
        if !active.contains_key(&goal.partnership_id) {
            let p = partnerships::find(tx.conn, &goal.partnership_id)?;
            active.insert(goal.partnership_id.clone(), p);
        }
        let p = &active[&goal.partnership_id];
        if p.status != tandem_domain::partnership::PartnershipStatus::Active {
            continue;
        }
        let due_at = tandem_domain::progress::next_reading_due(
            start,
            last.map(|t| crate::partnerships::local_time(p, t.and_utc())),
            goal.update_every_days.max(1) as u32,
        );
        if crate::partnerships::local_time(p, now) > due_at && announced != Some(due_at) {
            due.push(Due::Stale {
                goal: Box::new(goal),
                last,
                due: due_at,
            });
        }
    }
    let until = now + chrono::Duration::hours(tx.settings().pre_read_hours.into());
    for m in meetings::upcoming_unannounced(tx.conn, now.naive_utc(), until.naive_utc())? {
        due.push(Due::Upcoming(Box::new(m)));
    }
    Ok(due)
}

fn announce_one(tx: &mut Tx<'_>, due: &Due) -> AppResult<()> {
    match due {
        Due::Commitment(c) => {
            if commitments::mark_due_announced(tx.conn, &c.id)? {
                let p = partnerships::find(tx.conn, &c.partnership_id)?;
                crate::notifications::reminder(
                    tx,
                    &p,
                    Some(&c.owner_id),
                    EmailKind::CommitmentDue,
                    &format!("commitment:{}:{}", c.id, c.due_on),
                    &format!("/v1/commitments/{}", c.id),
                    minijinja::context! { text => &c.text },
                )?;
                crate::events::publish(
                    tx,
                    &c.partnership_id,
                    EventData::CommitmentDue(CommitmentDue {
                        commitment_id: c.id.clone(),
                        meeting_id: c.meeting_id.clone(),
                        owner_id: c.owner_id.clone(),
                        text: c.text.clone(),
                        due_on: c.due_on,
                        goal_id: c.goal_id.clone(),
                    }),
                )?;
            }
        }
        Due::FitReview {
            partnership_id,
            due_on,
        } => {
            if partnerships::mark_fit_review_announced(tx.conn, partnership_id, *due_on)? {
                let p = partnerships::find(tx.conn, partnership_id)?;
                crate::notifications::reminder(
                    tx,
                    &p,
                    None,
                    EmailKind::FitReviewDue,
                    &format!("fit_review:{partnership_id}:{due_on}"),
                    &format!("/v1/partnerships/{partnership_id}/fit-reviews"),
                    minijinja::context! {},
                )?;
                crate::events::publish(
                    tx,
                    partnership_id,
                    EventData::FitReviewDue(FitReviewDue {
                        due_on: *due_on,
                        href: format!("/v1/partnerships/{partnership_id}/fit-reviews"),
                    }),
                )?;
            }
        }
        Due::Refresh {
            partnership_id,
            due_on,
        } => {
            if partnerships::mark_refresh_announced(tx.conn, partnership_id, *due_on)? {
                let p = partnerships::find(tx.conn, partnership_id)?;
                crate::notifications::reminder(
                    tx,
                    &p,
                    None,
                    EmailKind::RefreshDue,
                    &format!("refresh:{partnership_id}:{due_on}"),
                    &format!("/v1/partnerships/{partnership_id}"),
                    minijinja::context! { due_on => due_on.to_string() },
                )?;
                crate::events::publish(
                    tx,
                    partnership_id,
                    EventData::RefreshDue(RefreshDue {
                        refresh_due_on: *due_on,
                        href: format!("/v1/partnerships/{partnership_id}/refresh"),
                    }),
                )?;
            }
        }
        Due::Stale { goal, last, due } => {
            if goals::mark_stale_announced(tx.conn, &goal.id, *due)? {
                let p = partnerships::find(tx.conn, &goal.partnership_id)?;
                let zone = crate::partnerships::time_zone(&p);
                let due_utc = {
                    use chrono::TimeZone;
                    zone.from_local_datetime(due)
                        .earliest()
                        .map_or_else(|| due.and_utc(), |t| t.with_timezone(&chrono::Utc))
                };
                crate::notifications::reminder(
                    tx,
                    &p,
                    Some(&goal.owner_id),
                    EmailKind::ReadingStale,
                    &format!("goal:{}:stale:{}", goal.id, due.format("%Y%m%dT%H%M%S")),
                    &format!("/v1/goals/{}", goal.id),
                    minijinja::context! {
                        title => goal.title.clone().unwrap_or_else(|| "Untitled goal".into()),
                        due => format!("{} ({})", due.format("%a %-d %b %Y, %H:%M"), p.time_zone),
                    },
                )?;
                crate::events::publish(
                    tx,
                    &goal.partnership_id,
                    EventData::ReadingStale(ReadingStale {
                        goal: crate::events::goal_ref(goal),
                        last_observed_at: last.map(|t| t.and_utc()),
                        next_reading_due: due_utc,
                        href: format!("/v1/goals/{}/readings", goal.id),
                    }),
                )?;
            }
        }
        Due::Upcoming(m) => {
            if meetings::mark_upcoming_announced(tx.conn, &m.id, m.scheduled_at)? {
                let p = partnerships::find(tx.conn, &m.partnership_id)?;
                let detail = crate::meetings::detail(tx, (**m).clone(), p)?;
                crate::notifications::pre_read(tx, &detail)?;
                crate::events::publish(
                    tx,
                    &m.partnership_id,
                    EventData::MeetingUpcoming(MeetingUpcoming {
                        meeting_id: m.id.clone(),
                        scheduled_at: m.scheduled_at.and_utc(),
                        length_minutes: m.length_minutes,
                        location: m.location.clone(),
                        pre_read_hours: tx.settings().pre_read_hours,
                        agenda_href: format!("/v1/meetings/{}", m.id),
                    }),
                )?;
            }
        }
    }
    Ok(())
}
