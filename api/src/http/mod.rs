//! The HTTP conventions, each in one place: problem details for every error (and the one table
//! turning the application's rules into problem types), request extraction, lists with cursors and
//! `Link` headers, CSV, conditional requests, `Idempotency-Key`, rate limits and routing fallbacks.

pub mod conditional;
pub mod convention;
pub mod csv;
pub mod extract;
pub mod idempotency;
pub mod list;
pub mod problem;
pub mod rate_limit;
pub mod routing;
pub mod validation;
