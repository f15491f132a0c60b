//! Black-box specifications of the Tandem API, run against SQLite by default and against
//! PostgreSQL when `TEST_DATABASE_URL=postgres://…` is set.

// These are clients: they read the wall clock like any client would (the server's own rules never
// do; see clippy.toml).
#![allow(clippy::disallowed_methods)]

mod accounts;
mod authorization;
mod contract;
mod email;
mod errors;
mod goals;
mod hardening;
mod health;
mod identity;
mod jwt;
mod kudos;
mod meetings;
mod partnerships;
mod programmes;
mod readings;
mod readme;
mod reports;
mod rhythm;
mod sync;
mod webhooks;
