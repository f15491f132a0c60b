//! The store's one error type; the API maps it to problem+json in exactly one place.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong below the API, in terms the API can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist (or the caller may not see it: the API treats both alike).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated; names the constraint so the API can say which field.
    #[error("conflict on {0}")]
    Conflict(String),
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("stale version")]
    Stale,
    /// No connection could be had from the pool in time, or the database is unreachable.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else from the database; logged, never shown to clients.
    #[error("database error: {0}")]
    Database(DieselError),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<DieselError> for StoreError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                // SQLite names the columns ("UNIQUE constraint failed: users.email"),
                // PostgreSQL the constraint ("users_email_key"): both mention the column.
                let what = info
                    .constraint_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| info.message().to_owned());
                StoreError::Conflict(what)
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                StoreError::Unavailable(info.message().to_owned())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(err.to_string())
    }
}
