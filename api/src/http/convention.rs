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
    /// CSV asked of a JSON path: reports have `.csv` paths of their own.
    CsvAtItsOwnPath,
    /// A CSV report longer than [`crate::http::csv::MAX_ROWS`].
    CsvTooLong,
}

impl HttpRule {
    /// Every convention refusal.
    pub const ALL: [HttpRule; 5] = [
        HttpRule::IdempotencyKeyReused,
        HttpRule::IdempotencyKeyInUse,
        HttpRule::BatchRejected,
        HttpRule::CsvAtItsOwnPath,
        HttpRule::CsvTooLong,
    ];

    /// Its problem type's name.
    pub fn slug(self) -> &'static str {
        match self {
            HttpRule::IdempotencyKeyReused => "idempotency-key-reused",
            HttpRule::IdempotencyKeyInUse => "idempotency-key-in-use",
            HttpRule::BatchRejected => "batch-rejected",
            HttpRule::CsvAtItsOwnPath => "csv-at-its-own-path",
            HttpRule::CsvTooLong => "csv-too-long",
        }
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            HttpRule::IdempotencyKeyReused => "Idempotency key reused",
            HttpRule::IdempotencyKeyInUse => "Idempotency key in use",
            HttpRule::BatchRejected => "No reading in the batch could be stored",
            HttpRule::CsvAtItsOwnPath => "CSV is at the report's own path",
            HttpRule::CsvTooLong => "CSV report too long",
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
            HttpRule::CsvAtItsOwnPath => {
                "`Accept: text/csv` on a JSON path: the report is at the same path with `.csv` (named in `detail`)."
            }
            HttpRule::CsvTooLong => {
                "The CSV report would hold more than 100,000 rows; narrow it with its filters (nothing is cut silently)."
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
            HttpRule::CsvAtItsOwnPath => StatusCode::NOT_ACCEPTABLE,
            HttpRule::CsvTooLong => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}
