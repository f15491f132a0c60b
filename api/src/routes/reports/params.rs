//! The query parameters of the CSV reports: the filters of each report's JSON twin (no paging: a
//! report holds every row, up to [`crate::http::csv::MAX_ROWS`]) and `columns`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tandem_domain::goal::GoalStatus;
use tandem_domain::meeting::{CommitmentStatus, MeetingStatus};
use utoipa::IntoParams;

/// Columns only.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ColumnsQuery {
    /// Column names to include, comma-separated, in this order (default: every column). An
    /// unknown name is a 400 that lists the report's columns.
    pub columns: Option<String>,
}

/// A report at an instant.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfCsvQuery {
    /// RFC 3339 instant (default now); readings observed after it are ignored.
    pub as_of: Option<DateTime<Utc>>,
    /// Column names to include, comma-separated, in this order (default: every column).
    pub columns: Option<String>,
}

/// The goals report's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalsCsvQuery {
    /// Only this owner's goals (a user id).
    pub owner: Option<uuid::Uuid>,
    /// Only goals in this status.
    pub status: Option<GoalStatus>,
    /// Only goals changed at or after this instant (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Column names to include, comma-separated, in this order (default: every column).
    pub columns: Option<String>,
}

/// The readings reports' filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadingsCsvQuery {
    /// Observed at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Observed at or before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Include deleted readings (flagged by `deleted_at`).
    pub include_deleted: Option<bool>,
    /// Column names to include, comma-separated, in this order (default: every column).
    pub columns: Option<String>,
}

/// The meetings report's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingsCsvQuery {
    /// Only meetings in this status.
    pub status: Option<MeetingStatus>,
    /// Taking place at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Taking place at or before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Column names to include, comma-separated, in this order (default: every column).
    pub columns: Option<String>,
}

/// The commitments report's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentsCsvQuery {
    /// Only commitments in this status.
    pub status: Option<CommitmentStatus>,
    /// Only this partner's.
    pub owner_id: Option<uuid::Uuid>,
    /// Only those made in this meeting.
    pub meeting_id: Option<uuid::Uuid>,
    /// Only those serving this goal.
    pub goal_id: Option<uuid::Uuid>,
    /// Changed at or after (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Column names to include, comma-separated, in this order (default: every column).
    pub columns: Option<String>,
}

/// The check-ins report's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckInsCsvQuery {
    /// Only this partner's.
    pub author_id: Option<uuid::Uuid>,
    /// Written at or after (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Changed at or after (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Column names to include, comma-separated, in this order (default: every column).
    pub columns: Option<String>,
}
