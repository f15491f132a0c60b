//! The contract itself, served by the binary that implements it.

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::OpenApi;

/// The OpenAPI document as served, computed once at start-up.
pub struct ServedDocument(pub String);

impl ServedDocument {
    /// Renders the document once.
    pub fn new(doc: &OpenApi) -> Self {
        ServedDocument(doc.to_pretty_json().unwrap_or_default())
    }
}

/// The OpenAPI 3.1 document describing this API (the same file is committed at `openapi/openapi.json`).
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json",
        body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(doc: web::Data<ServedDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}
