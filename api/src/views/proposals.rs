//! What the proposal endpoints answer.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::proposals::Proposal;
use tandem_domain::matching::ProposalStatus;
use utoipa::ToSchema;

/// A proposed pairing of a cohort.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4d01", "cohort_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4c01",
    "status": "draft",
    "pairs": [{
        "members": [
            {"user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f10", "display_name": "Ada Lovelace"},
            {"user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f20", "display_name": "Bea Jones"}
        ],
        "score": 16,
        "reasons": ["shared values: candour, ownership", "Ada Lovelace offers pricing, which Bea Jones seeks", "6 h of overlap"],
        "pinned": false, "partnership_id": null
    }],
    "unmatched": [{"user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f30", "display_name": "Cy Young",
        "reason": "every eligible partner is in a pair that scores higher together (an odd number of members, or constraints that leave one out)"}],
    "total_score": 16, "version": 1, "created_at": "2026-11-30T09:00:00Z",
    "updated_at": "2026-11-30T09:00:00Z", "confirmed_at": null
}))]
pub struct ProposalView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The cohort.
    #[schema(format = Uuid)]
    pub cohort_id: String,
    /// `draft` (pins may change, then confirm) or `confirmed`.
    pub status: ProposalStatus,
    /// The pairs, pinned ones first.
    pub pairs: Vec<ProposedPairView>,
    /// Who stays unpaired, and why.
    pub unmatched: Vec<UnmatchedView>,
    /// The pairs' summed score: as many pairs as the hard constraints allow, then the greatest
    /// total.
    pub total_score: i64,
    /// Version, for `If-Match` on `PATCH`.
    pub version: i64,
    /// Computed.
    pub created_at: DateTime<Utc>,
    /// Last recomputed or confirmed.
    pub updated_at: DateTime<Utc>,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// One proposed pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedPairView {
    /// The two members; the first is the invitation's inviter on confirmation.
    pub members: Vec<ProposedMember>,
    /// Points: 3 per shared value, 2 per skill one offers that the other seeks (both ways), 0-2
    /// for communication styles, 1 per hour of overlap of 09:00-17:00 working days.
    pub score: u32,
    /// The score in words.
    pub reasons: Vec<String>,
    /// Pinned by an admin rather than computed.
    pub pinned: bool,
    /// The invitation, once confirmed.
    #[schema(format = Uuid)]
    pub partnership_id: Option<String>,
}

/// A member as a proposal names them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedMember {
    /// Their id.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// Their display name.
    pub display_name: String,
}

/// A member left unpaired.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmatchedView {
    /// Their id.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// Their display name.
    pub display_name: String,
    /// Why, in words.
    pub reason: String,
}

impl From<&Proposal> for ProposalView {
    fn from(p: &Proposal) -> Self {
        ProposalView {
            id: p.id.clone(),
            cohort_id: p.cohort_id.clone(),
            status: p.status,
            pairs: p
                .pairs
                .iter()
                .map(|pair| ProposedPairView {
                    members: pair
                        .members
                        .iter()
                        .zip(&pair.names)
                        .map(|(id, name)| ProposedMember {
                            user_id: id.clone(),
                            display_name: name.clone(),
                        })
                        .collect(),
                    score: pair.score,
                    reasons: pair.reasons.clone(),
                    pinned: pair.pinned,
                    partnership_id: pair.partnership_id.clone(),
                })
                .collect(),
            unmatched: p
                .unmatched
                .iter()
                .map(|u| UnmatchedView {
                    user_id: u.user_id.clone(),
                    display_name: u.name.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
            total_score: p.total_score,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
            confirmed_at: p.confirmed_at,
        }
    }
}
