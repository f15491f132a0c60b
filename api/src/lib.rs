//! Tandem's HTTP API: actix-web handlers over the application layer ([`tandem_app`]).
//!
//! Handlers live in [`routes`], one module per resource: they extract the request, call a use
//! case, and map its answer to a view. The conventions every endpoint shares are in [`http`];
//! [`startup::Application`] builds the server; [`openapi::api_doc`] is its contract.

pub mod auth;
pub mod config;
pub mod http;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod views;

pub use config::Config;
pub use startup::Application;
