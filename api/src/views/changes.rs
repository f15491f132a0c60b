//! The changes feed as clients read it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::changes::{Change, Entity, Op};
use utoipa::ToSchema;

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedEntry {
    /// Its position in the feed (increasing).
    pub seq: i64,
    /// What changed (a goal's milestones and pending changes count as the goal).
    pub entity: Entity,
    /// The entity's id (`meeting_id/partner_id` for a notes block).
    pub id: String,
    /// The partnership it belongs to.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// What happened: `archived` for an archived goal or an ended or declined partnership,
    /// `deleted` for a deleted reading.
    pub op: Op,
    /// `archived` or `deleted`: the entity left the live lists (its history stays readable).
    pub tombstone: bool,
    /// When it changed.
    pub at: DateTime<Utc>,
    /// Where to fetch its current state.
    pub href: String,
}

impl From<Change> for FeedEntry {
    fn from(c: Change) -> Self {
        let href = match c.entity {
            Entity::Partnership => format!("/v1/partnerships/{}", c.entity_id),
            Entity::Goal => format!("/v1/goals/{}", c.entity_id),
            Entity::Reading => format!("/v1/readings/{}", c.entity_id),
            Entity::Meeting => format!("/v1/meetings/{}", c.entity_id),
            Entity::MeetingNotes => {
                let (meeting, partner) = c.entity_id.split_once('/').unwrap_or((&c.entity_id, ""));
                format!("/v1/meetings/{meeting}/notes/{partner}")
            }
            Entity::Commitment => format!("/v1/commitments/{}", c.entity_id),
            Entity::CheckIn => format!("/v1/check-ins/{}", c.entity_id),
            Entity::FitReview => format!("/v1/partnerships/{}/fit-reviews", c.partnership_id),
            Entity::Kudos => format!("/v1/kudos/{}", c.entity_id),
        };
        FeedEntry {
            seq: c.position,
            tombstone: c.op.is_tombstone(),
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
