//! Check-ins: a partner's short update between meetings, optionally with the readings behind it,
//! recorded in the same transaction. The next meeting's agenda shows the check-ins since the last.

use chrono::NaiveDateTime;
use tandem_store::check_ins;
pub use tandem_store::check_ins::{CheckIn, CheckInFilter};
use tandem_store::readings::{self, Inserted, Reading};

use crate::readings::NewReading;
use crate::{Actor, AppError, AppResult, FieldIssue, Rule, Tx, new_id};

/// A check-in with the readings posted with it.
#[derive(Debug, Clone)]
pub struct CheckInDetail {
    /// The check-in.
    pub check_in: CheckIn,
    /// Its links.
    pub links: Vec<String>,
    /// The readings recorded with it.
    pub readings: Vec<Reading>,
}

/// The detail of a stored check-in.
pub fn detail(tx: &mut Tx<'_>, c: CheckIn) -> AppResult<CheckInDetail> {
    let ids: Vec<String> = serde_json::from_str(&c.reading_ids).unwrap_or_default();
    let mut list = Vec::with_capacity(ids.len());
    for id in ids {
        list.push(readings::find(tx.conn, &id)?);
    }
    Ok(CheckInDetail {
        links: serde_json::from_str(&c.links).unwrap_or_default(),
        check_in: c,
        readings: list,
    })
}

/// One reading given with a check-in: parsed, or the issues its fields had (pointers relative to
/// the item).
pub type CheckInReading = Result<(String, NewReading), Vec<FieldIssue>>;

/// Posts a check-in in a live partnership. Its readings must be of the actor's own goals there;
/// every problem with them is reported at once (pointers under `/readings/<index>`) and then
/// nothing is written.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    text: &str,
    links: &[String],
    items: Vec<CheckInReading>,
) -> AppResult<CheckInDetail> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    crate::partnerships::require_live(&p, "it takes no check-ins")?;
    let mut ids = Vec::new();
    let mut issues = Vec::new();
    let prefix = |index: usize, mut e: FieldIssue| {
        e.pointer = format!("/readings/{index}{}", e.pointer);
        e
    };
    let unknown = || {
        vec![FieldIssue::new(
            "goal_id",
            "unknown_goal",
            "must be one of your goals in this partnership",
        )]
    };
    for (index, item) in items.into_iter().enumerate() {
        let (goal_id, new) = match item {
            Ok(parsed) => parsed,
            Err(found) => {
                issues.extend(found.into_iter().map(|e| prefix(index, e)));
                continue;
            }
        };
        let outcome = tx.nested(|tx| {
            let goal = match crate::readings::recordable(tx, actor, &goal_id) {
                Err(AppError::NotFound) => return Err(AppError::Invalid(unknown())),
                other => other?,
            };
            if goal.partnership_id != p.id {
                return Err(AppError::Invalid(unknown()));
            }
            crate::readings::record(tx, actor, &goal_id, &new)
        });
        match outcome {
            Ok(Inserted::Created(r) | Inserted::Existing(r)) => ids.push(r.id),
            Err(AppError::Invalid(found)) => {
                issues.extend(found.into_iter().map(|e| prefix(index, e)))
            }
            Err(AppError::Refused {
                rule: Rule::OwnerOnly | Rule::GoalClosed,
                detail,
                ..
            }) => issues.push(FieldIssue::new(
                format!("/readings/{index}/goal_id"),
                "not_recordable",
                detail,
            )),
            Err(other) => return Err(other),
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Invalid(issues));
    }
    let now = tx.now().naive_utc();
    let c = CheckIn {
        id: new_id(),
        partnership_id: p.id.clone(),
        author_id: actor.id.clone(),
        text: text.to_owned(),
        links: serde_json::to_string(links).map_err(AppError::internal)?,
        reading_ids: serde_json::to_string(&ids).map_err(AppError::internal)?,
        created_at: now,
        updated_at: now,
    };
    check_ins::insert(tx.conn, &c)?;
    detail(tx, c)
}

/// A page of a partnership's check-ins, oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    filter: &CheckInFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<CheckInDetail>> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let rows = check_ins::list(tx.conn, &p.id, filter, after, limit)?;
    rows.into_iter().map(|c| detail(tx, c)).collect()
}

/// A check-in the actor may see.
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<CheckInDetail> {
    let c = check_ins::find(tx.conn, id)?;
    crate::partnerships::visible(tx, actor, &c.partnership_id)?;
    detail(tx, c)
}
