//! What the calendar feed endpoints accept.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// A new feed token.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Work calendar"}))]
pub struct CreateFeedTokenRequest {
    /// What it is for.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
}

/// The feed's credential.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The feed token from `feed_url`.
    #[param(pattern = r"^tdm_feed_[A-Za-z0-9_-]{43}$")]
    pub token: Option<String>,
}
