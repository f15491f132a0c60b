//! Check-ins as clients see them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::check_ins::CheckInDetail;
use utoipa::ToSchema;

use crate::views::readings::ReadingView;

/// A check-in as clients see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckInView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The partnership.
    #[schema(format = Uuid)]
    pub partnership_id: String,
    /// Who wrote it.
    #[schema(format = Uuid)]
    pub author_id: String,
    /// The update.
    pub text: String,
    /// Links.
    pub links: Vec<String>,
    /// Readings recorded with it (as they are now).
    pub readings: Vec<ReadingView>,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&CheckInDetail> for CheckInView {
    fn from(d: &CheckInDetail) -> Self {
        let c = &d.check_in;
        CheckInView {
            id: c.id.clone(),
            partnership_id: c.partnership_id.clone(),
            author_id: c.author_id.clone(),
            text: c.text.clone(),
            links: d.links.clone(),
            readings: d.readings.iter().map(ReadingView::from).collect(),
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}
