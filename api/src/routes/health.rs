//! Liveness and readiness probes for orchestrators and load balancers.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problem::ApiError;
use crate::state::AppState;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    /// What the probe found.
    pub status: Health,
}

/// A probe's finding: typed so clients can switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// The process is up (`/healthz`).
    Ok,
    /// The database answers (`/readyz`).
    Ready,
}

/// Is the process up?
///
/// Answers 200 `ok` as long as the process serves requests. It never touches the database, so a
/// slow database does not get the process restarted by a liveness probe; use `/readyz` to route
/// traffic.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The process is up", body = HealthStatus))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: Health::Ok })
}

/// Can the service do its job?
///
/// Answers 200 `ready` when the database answers a trivial query, else 503 with `Retry-After`.
/// Point load balancers and readiness probes here.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The database answers", body = HealthStatus,
            example = json!({"status": "ready"})),
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.app.read(tandem_app::ping).await?;
    Ok(HttpResponse::Ok().json(HealthStatus {
        status: Health::Ready,
    }))
}
