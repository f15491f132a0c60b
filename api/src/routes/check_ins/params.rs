//! What the check-in endpoints accept: the update, its links, and readings to record with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_app::FieldIssue;
use tandem_app::check_ins::CheckInReading;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::problem::{ApiError, FieldError};
use crate::views::readings::reading_item;

/// What a link looks like: an http(s) URL in printable ASCII (the contract states the same).
pub const LINK_PATTERN: &str = "^https?://[!-~]+$";
/// Most links in a check-in.
const LINKS_MAX: usize = 10;
/// Most readings recorded with a check-in.
const READINGS_MAX: usize = 50;

/// A new check-in.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": "Pilot results are in: waits down to 10.8 minutes.",
    "links": ["https://docs.example.com/pilot-report"],
    "readings": [{"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59", "value": 10.8, "observed_at": "2026-03-01T09:00:00Z"}]
}))]
pub struct CreateCheckInRequest {
    /// The update (up to 2,000 characters).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    /// Links (http or https, up to 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub links: Vec<String>,
    /// Readings of your goals in this partnership to record with it (each a `BatchReading`; up to
    /// 50). All are stored with the check-in or, if any is invalid, nothing is.
    #[serde(default)]
    #[schema(value_type = Vec<Object>, max_items = 50)]
    pub readings: Vec<Value>,
}

impl CreateCheckInRequest {
    /// Refuses too many links or readings and links that are not http(s) URLs, all at once.
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = check_links(&self.links);
        if self.readings.len() > READINGS_MAX {
            errors.push(FieldError::new(
                "readings",
                "too_many",
                format!("at most {READINGS_MAX} readings"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// Each reading parsed, or its fields' issues (pointers relative to the item).
    pub fn readings(&self) -> Vec<CheckInReading> {
        self.readings
            .iter()
            .map(|item| reading_item(item.clone()).map_err(item_issues))
            .collect()
    }
}

/// A reading item's parse failure as the app's field issues.
fn item_issues(e: ApiError) -> Vec<FieldIssue> {
    match e {
        ApiError::Validation(fields) => fields
            .into_iter()
            .map(|f| FieldIssue::new(f.pointer.trim_start_matches('#'), &f.code, f.detail))
            .collect(),
        other => vec![FieldIssue::new("", "invalid", other.problem().detail)],
    }
}

fn check_links(links: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if links.len() > LINKS_MAX {
        errors.push(FieldError::new(
            "links",
            "too_many",
            format!("at most {LINKS_MAX} links"),
        ));
    }
    for (i, link) in links.iter().enumerate() {
        let rest = link
            .strip_prefix("https://")
            .or_else(|| link.strip_prefix("http://"));
        let ok = link.len() <= 2000
            && rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| (b'!'..=b'~').contains(&b)));
        if !ok {
            errors.push(FieldError::new(
                format!("links/{i}"),
                "invalid_url",
                "must be an http or https URL in printable ASCII, up to 2,000 characters",
            ));
        }
    }
    errors
}

/// Filters for a partnership's check-ins.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCheckInsQuery {
    /// Only this partner's.
    pub author_id: Option<uuid::Uuid>,
    /// Written at or after (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
