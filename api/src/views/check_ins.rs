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

/// The check-ins' CSV columns, in order.
pub const CHECK_IN_COLUMNS: [&str; 7] = [
    "id",
    "author_id",
    "text",
    "links",
    "readings",
    "created_at",
    "updated_at",
];

/// A check-in as a CSV row (links separated by spaces; `readings` counts those recorded with it).
pub fn check_in_row(d: &CheckInDetail) -> Vec<crate::http::csv::Cell> {
    let c = &d.check_in;
    vec![
        c.id.as_str().into(),
        c.author_id.as_str().into(),
        c.text.as_str().into(),
        d.links.join(" ").into(),
        (d.readings.len() as i64).into(),
        c.created_at.and_utc().into(),
        c.updated_at.and_utc().into(),
    ]
}
