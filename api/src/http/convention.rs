//! Refusals by HTTP conventions this API keeps (idempotency keys, batches), as opposed to the
//! application's rules: each has a problem type of its own, documented like a rule.

use actix_web::http::StatusCode;

/// Refusals that come from HTTP conventions rather than the application's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpRule {
    /// The `Idempotency-Key` was used with another request.
    IdempotencyKeyReused,
    /// A request with this `Idempotency-Key` is still running.
    IdempotencyKeyInUse,
    /// No item of a batch could be stored.
    BatchRejected,
}

impl HttpRule {
    /// Every convention refusal.
    pub const ALL: [HttpRule; 3] = [
        HttpRule::IdempotencyKeyReused,
        HttpRule::IdempotencyKeyInUse,
        HttpRule::BatchRejected,
    ];

    /// Its problem type's name.
    pub fn slug(self) -> &'static str {
        match self {
            HttpRule::IdempotencyKeyReused => "idempotency-key-reused",
            HttpRule::IdempotencyKeyInUse => "idempotency-key-in-use",
            HttpRule::BatchRejected => "batch-rejected",
        }
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            HttpRule::IdempotencyKeyReused => "Idempotency key reused",
            HttpRule::IdempotencyKeyInUse => "Idempotency key in use",
            HttpRule::BatchRejected => "No reading in the batch could be stored",
        }
    }

    /// When it applies, for documentation.
    pub fn when(self) -> &'static str {
        match self {
            HttpRule::IdempotencyKeyReused => {
                "The Idempotency-Key was used with a different request; use a new key."
            }
            HttpRule::IdempotencyKeyInUse => {
                "A request with this Idempotency-Key is still being processed; retry shortly."
            }
            HttpRule::BatchRejected => {
                "Every item failed; `errors` names each item's field (its status is the items' answer: 422 if any was invalid)."
            }
        }
    }

    /// Its status.
    pub fn status(self) -> StatusCode {
        match self {
            HttpRule::IdempotencyKeyReused | HttpRule::BatchRejected => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            HttpRule::IdempotencyKeyInUse => StatusCode::CONFLICT,
        }
    }
}
