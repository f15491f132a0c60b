//! What a personal access token may do.

use serde::{Deserialize, Serialize};

/// A personal access token's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Everything the user can see, read only.
    #[serde(rename = "read")]
    Read,
    /// Read, and record or correct readings.
    #[serde(rename = "readings:write")]
    ReadingsWrite,
    /// Everything the user can do, except managing tokens (that needs a sign-in).
    #[serde(rename = "full")]
    Full,
}

named!(Scope {
    Read => "read",
    ReadingsWrite => "readings:write",
    Full => "full",
});
