//! Tandem's HTTP API: an actix-web server over the domain engine and the store.
//!
//! [`startup::Application`] builds the server; [`openapi::api_doc`] is its contract.

pub mod auth;
pub mod clock;
pub mod conditional;
pub mod config;
pub mod csv_out;
pub mod db;
pub mod delivery;
pub mod enums;
pub mod error;
pub mod events;
pub mod extract;
pub mod handlers;
pub mod idempotency;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod rate_limit;
pub mod routing;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod validation;

pub use config::Config;
pub use startup::Application;
