//! Kudos as clients see them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::kudos::Kudos;
use tandem_domain::kudos::KudosSubject;
use utoipa::ToSchema;

/// Kudos: a partner's short note celebrating one of the other's wins.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fa0", "partnership_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57",
    "subject_type": "milestone", "subject_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f62",
    "goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60",
    "subject_href": "/v1/goals/0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f60/milestones/0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f62",
    "from_user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f58", "to_user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "note": "Pilot live two weeks early. Well done!", "created_at": "2026-12-03T17:05:00Z"
}))]
pub struct KudosView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The partnership.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// What they are on.
    pub subject_type: KudosSubject,
    /// The reading, milestone or check-in.
    #[schema(format = Uuid)]
    pub subject_id: String,
    /// The goal the reading or milestone is on (null for a check-in).
    #[schema(format = Uuid)]
    pub goal_id: Option<String>,
    /// Where the subject is (`GET`).
    pub subject_href: String,
    /// Who sent them.
    #[schema(format = Uuid)]
    pub from_user_id: String,
    /// Whose win it is.
    #[schema(format = Uuid)]
    pub to_user_id: String,
    /// The note.
    pub note: String,
    /// Sent.
    pub created_at: DateTime<Utc>,
}

impl From<&Kudos> for KudosView {
    fn from(k: &Kudos) -> Self {
        KudosView {
            id: k.id.clone(),
            partnership_id: k.partnership_id.clone(),
            subject_type: k.subject_type,
            subject_id: k.subject_id.clone(),
            goal_id: k.goal_id.clone(),
            subject_href: match (k.subject_type, &k.goal_id) {
                (KudosSubject::Reading, _) => format!("/v1/readings/{}", k.subject_id),
                (KudosSubject::CheckIn, _) => format!("/v1/check-ins/{}", k.subject_id),
                (KudosSubject::Milestone, Some(goal)) => {
                    format!("/v1/goals/{goal}/milestones/{}", k.subject_id)
                }
                (KudosSubject::Milestone, None) => String::new(),
            },
            from_user_id: k.from_user_id.clone(),
            to_user_id: k.to_user_id.clone(),
            note: k.note.clone(),
            created_at: k.created_at.and_utc(),
        }
    }
}
