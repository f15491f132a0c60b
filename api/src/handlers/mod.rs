//! HTTP handlers, one module per resource. Handlers stay thin: parse, authorize, call, map.

pub mod auth;
pub mod docs;
pub mod health;
pub mod me;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every route. Only `.service(handler)` inside utoipa scopes reaches the document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(docs::openapi_json)
        .service(
            scope::scope("/v1")
                .service(auth::register)
                .service(auth::issue_token)
                .service(auth::refresh_token)
                .service(auth::logout)
                .service(me::get_me)
                .service(me::update_me),
        );
}
