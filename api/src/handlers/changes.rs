//! The changes feed: everything that changed in the caller's partnerships, in commit order, for
//! integrations that mirror Tandem. Unlike `updated_since` on lists it also reports what left
//! them (tombstones), and its cursor never skips a change that committed late.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_store::changes::{self, Change};
use utoipa::{IntoParams, ToSchema};

use super::goals::CallerRef;
use super::partnerships::member;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// Where to start.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// `next_since` from the previous response; omit it (or send it empty) to start from the
    /// beginning, or pass `now` to receive only changes from here on.
    #[param(pattern = "^([0-9]{1,18}|now)?$")]
    pub since: Option<String>,
    /// Page size, 1 to 1,000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedEntry {
    /// Its position in the feed (increasing).
    pub seq: i64,
    /// `partnership`, `goal` (milestones and pending changes included), `reading`, `meeting`,
    /// `meeting_notes`, `commitment`, `check_in` or `fit_review`.
    pub entity: String,
    /// The entity's id (`meeting_id/partner_id` for a notes block).
    pub id: String,
    /// The partnership it belongs to.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// `created`, `updated`, `archived` (archived goal, ended or declined partnership) or
    /// `deleted` (a deleted reading).
    pub op: String,
    /// `archived` or `deleted`: the entity left the live lists (its history stays readable).
    pub tombstone: bool,
    /// When it changed.
    pub at: DateTime<Utc>,
    /// Where to fetch its current state.
    pub href: String,
}

impl From<Change> for FeedEntry {
    fn from(c: Change) -> Self {
        let href = match c.entity.as_str() {
            "partnership" => format!("/v1/partnerships/{}", c.entity_id),
            "goal" => format!("/v1/goals/{}", c.entity_id),
            "reading" => format!("/v1/readings/{}", c.entity_id),
            "meeting" => format!("/v1/meetings/{}", c.entity_id),
            "meeting_notes" => {
                let (meeting, partner) = c.entity_id.split_once('/').unwrap_or((&c.entity_id, ""));
                format!("/v1/meetings/{meeting}/notes/{partner}")
            }
            "commitment" => format!("/v1/commitments/{}", c.entity_id),
            "check_in" => format!("/v1/check-ins/{}", c.entity_id),
            _ => format!("/v1/partnerships/{}/fit-reviews", c.partnership_id),
        };
        FeedEntry {
            seq: c.seq,
            tombstone: matches!(c.op.as_str(), "archived" | "deleted"),
            entity: c.entity,
            id: c.entity_id,
            partnership_id: c.partnership_id,
            op: c.op,
            at: c.at.and_utc(),
            href,
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [
        {"seq": 41, "entity": "goal", "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
         "op": "updated", "tombstone": false, "at": "2026-11-26T08:00:00Z", "href": "/v1/goals/0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60"},
        {"seq": 42, "entity": "reading", "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f61", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
         "op": "deleted", "tombstone": true, "at": "2026-11-26T08:05:00Z", "href": "/v1/readings/0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f61"}
    ],
    "next_since": "42", "has_more": false
}))]
pub struct ChangesPage {
    /// Changes in the order they committed.
    pub items: Vec<FeedEntry>,
    /// Pass as `since` next time (also when this page is empty: it is where you are).
    pub next_since: String,
    /// More changes are waiting: ask again at once.
    pub has_more: bool,
}

/// What changed in my partnerships since a point in the feed.
///
/// Covers everything the caller can see (for a token limited to one partnership, that one):
/// creates, updates and tombstones of partnerships, goals (with their milestones and pending
/// changes), readings, meetings, notes, commitments, check-ins and fit reviews. Fetch `href` for
/// the current state; several changes to one entity may be listed. Pages are gap-free: writers
/// commit in feed order.
#[utoipa::path(
    tag = "sync",
    operation_id = "list_changes",
    security(("bearer" = [])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of changes", body = ChangesPage),
        (status = 400, response = crate::openapi::BadRequest),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(crate::extract::parameter_error(
            "limit",
            "range",
            "must be a whole number from 1 to 1000",
        ));
    }
    let since = match query.since.as_deref() {
        None | Some("") => Some(0),
        Some("now") => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    crate::extract::parameter_error(
                        "since",
                        "invalid_value",
                        "must be a next_since from this feed (a whole number), empty, or now",
                    )
                })?,
        ),
    };
    let who = CallerRef::from(&caller);
    let (rows, since) = crate::db::run(&state, move |conn| {
        let since = match since {
            Some(n) => n,
            None => changes::head(conn)?,
        };
        let rows = changes::since(conn, member(&who), since, i64::from(limit) + 1)?;
        Ok::<_, ApiError>((rows, since))
    })
    .await?;
    let has_more = rows.len() > limit as usize;
    let items: Vec<FeedEntry> = rows
        .into_iter()
        .take(limit as usize)
        .map(FeedEntry::from)
        .collect();
    let next_since = items.last().map_or(since, |c| c.seq).to_string();
    Ok(HttpResponse::Ok().json(ChangesPage {
        items,
        next_since,
        has_more,
    }))
}
