//! Tandem's persistence layer.
//!
//! One diesel connection type ([`DbConnection`]) speaks to SQLite (the embedded default) and
//! PostgreSQL; the backend is chosen from the URL scheme. Every function here is synchronous and
//! takes a `&mut DbConnection`: the API runs them on a blocking thread with a pooled connection.
//! All SQL lives in this crate, one module per resource.

pub mod access_tokens;
pub mod backend;
pub mod changes;
pub mod check_ins;
pub mod cohort_reports;
pub mod cohorts;
pub mod commitments;
pub mod emails;
pub mod error;
pub mod fit_reviews;
pub mod goals;
pub mod idempotency;
pub mod identities;
pub mod kudos;
pub mod matching_profiles;
pub mod meetings;
pub mod metrics;
pub mod partnerships;
pub mod preferences;
pub mod prepared;
pub mod readings;
pub mod refreshes;
pub mod rollups;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod sql_types;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod webhooks;

pub use backend::{
    Backend, DbConnection, Pool, PooledConnection, checkpoint, connect, roll_back_to_depth,
    transaction_depth, write_transaction,
};
pub use error::StoreError;

/// Result alias for store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Parses an id the store itself wrote; a malformed one means a corrupted row.
fn db_uuid(text: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(text).unwrap_or_else(|_| panic!("corrupt uuid in database: {text:?}"))
}
