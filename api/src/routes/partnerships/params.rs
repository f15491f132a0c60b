//! What the partnership endpoints accept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::partnerships::{Invitation, SettingsPatch};
use tandem_domain::partnership::PartnershipStatus;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::extract::non_null;
use crate::http::validation;

/// An invitation.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"invitee_email": "grace@example.com", "message": "Keep me honest this year?", "cadence_days": 14, "meeting_minutes": 60, "time_zone": "Europe/Berlin"}))]
pub struct CreatePartnershipRequest {
    /// The peer to invite; they may register later with this email.
    #[validate(custom(function = "validation::email"))]
    #[schema(format = Email, max_length = 254)]
    pub invitee_email: String,
    /// A note for the invitee.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
    /// Days between meetings (default 14).
    #[serde(default, deserialize_with = "crate::http::extract::optional_whole")]
    #[validate(range(min = 1, max = 90))]
    #[schema(minimum = 1, maximum = 90)]
    pub cadence_days: Option<u32>,
    /// Meeting length in minutes (default 60).
    #[serde(default, deserialize_with = "crate::http::extract::optional_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(minimum = 15, maximum = 240)]
    pub meeting_minutes: Option<u32>,
    /// Time zone for meetings and dates (default: the inviter's).
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(value_type = Option<crate::openapi::TimeZone>)]
    pub time_zone: Option<String>,
    /// Months between fit reviews (default 3).
    #[serde(default, deserialize_with = "crate::http::extract::optional_whole")]
    #[validate(range(min = 1, max = 12))]
    #[schema(minimum = 1, maximum = 12)]
    pub fit_review_months: Option<u32>,
    /// Days a meeting may be held before or after its slot and still count as on time (default 2).
    #[serde(default, deserialize_with = "crate::http::extract::optional_whole")]
    #[validate(range(min = 0, max = 14))]
    #[schema(minimum = 0, maximum = 14)]
    pub grace_days: Option<u32>,
}

/// A settings edit (merge patch; `null` is refused).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "thresholds_ordered"))]
#[schema(example = json!({"cadence_days": 7, "on_track_gap": 0.05}))]
pub struct UpdatePartnershipRequest {
    /// Days between meetings.
    #[serde(default, deserialize_with = "crate::http::extract::non_null_whole")]
    #[validate(range(min = 1, max = 90))]
    #[schema(nullable = false, minimum = 1, maximum = 90)]
    pub cadence_days: Option<u32>,
    /// Meeting length in minutes.
    #[serde(default, deserialize_with = "crate::http::extract::non_null_whole")]
    #[validate(range(min = 15, max = 240))]
    #[schema(nullable = false, minimum = 15, maximum = 240)]
    pub meeting_minutes: Option<u32>,
    /// Time zone for meetings and dates.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(nullable = false, value_type = Option<crate::openapi::TimeZone>)]
    pub time_zone: Option<String>,
    /// Months between fit reviews.
    #[serde(default, deserialize_with = "crate::http::extract::non_null_whole")]
    #[validate(range(min = 1, max = 12))]
    #[schema(nullable = false, minimum = 1, maximum = 12)]
    pub fit_review_months: Option<u32>,
    /// Days a meeting may be held before or after its slot and still count as on time.
    #[serde(default, deserialize_with = "crate::http::extract::non_null_whole")]
    #[validate(range(min = 0, max = 14))]
    #[schema(nullable = false, minimum = 0, maximum = 14)]
    pub grace_days: Option<u32>,
    /// Largest `expected - progress` gap still on track (0..1, at most `at_risk_gap`).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0.0, max = 1.0))]
    #[schema(nullable = false, minimum = 0, maximum = 1)]
    pub on_track_gap: Option<f64>,
    /// Largest gap still at risk (0..1).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0.0, max = 1.0))]
    #[schema(nullable = false, minimum = 0, maximum = 1)]
    pub at_risk_gap: Option<f64>,
}

fn thresholds_ordered(req: &UpdatePartnershipRequest) -> Result<(), validator::ValidationError> {
    match (req.on_track_gap, req.at_risk_gap) {
        (Some(a), Some(b)) if a > b => Err(validator::ValidationError::new("order")
            .with_message("on_track_gap must not exceed at_risk_gap".into())),
        _ => Ok(()),
    }
}

/// Filters for listing partnerships.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPartnershipsQuery {
    /// Only partnerships in this status.
    pub status: Option<PartnershipStatus>,
    /// Only partnerships changed at or after this instant (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

impl From<CreatePartnershipRequest> for Invitation {
    fn from(b: CreatePartnershipRequest) -> Self {
        Invitation {
            invitee_email: tandem_app::identity::normalise_email(&b.invitee_email),
            message: b.message,
            cadence_days: b.cadence_days,
            meeting_minutes: b.meeting_minutes,
            time_zone: b.time_zone,
            fit_review_months: b.fit_review_months,
            grace_days: b.grace_days,
        }
    }
}

impl From<UpdatePartnershipRequest> for SettingsPatch {
    fn from(b: UpdatePartnershipRequest) -> Self {
        SettingsPatch {
            cadence_days: b.cadence_days,
            meeting_minutes: b.meeting_minutes,
            time_zone: b.time_zone,
            fit_review_months: b.fit_review_months,
            grace_days: b.grace_days,
            on_track_gap: b.on_track_gap,
            at_risk_gap: b.at_risk_gap,
        }
    }
}
