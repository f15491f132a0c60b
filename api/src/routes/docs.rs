//! The contract itself, served by the binary that implements it.

use std::borrow::Cow;

use actix_web::{HttpResponse, get};
use serde_json::json;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The OpenAPI 3.1 document describing this API.
///
/// The same document is committed at `openapi/openapi.json`; generate clients from either. Served
/// as committed, from the binary, no authentication needed. Swagger UI renders it at `/docs/`.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json",
        body = OpenApiDocument))
)]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(crate::openapi::COMMITTED)
}

/// What `/openapi.json` answers: an OpenAPI 3.1 document, described by its top-level members
/// (the full meta-schema is the specification's own), so a client sees more than "an object".
pub struct OpenApiDocument;

impl PartialSchema for OpenApiDocument {
    fn schema() -> RefOr<Schema> {
        let object = || json!({"type": "object"});
        serde_json::from_value(json!({
            "type": "object",
            "description": "An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0; meta-schema \
                https://spec.openapis.org/oas/3.1/schema/2022-10-07): this API's contract, the same as \
                the committed openapi/openapi.json.",
            "required": ["openapi", "info", "paths"],
            "properties": {
                "openapi": {"type": "string", "description": "The OpenAPI version", "examples": ["3.1.0"]},
                "info": {"type": "object", "required": ["title", "version"], "properties": {
                    "title": {"type": "string"}, "version": {"type": "string"},
                    "description": {"type": "string"}}},
                "servers": {"type": "array", "items": object()},
                "paths": object(),
                "webhooks": object(),
                "components": object(),
                "tags": {"type": "array", "items": object()}
            }
        }))
        .expect("the document schema is valid")
    }
}

impl ToSchema for OpenApiDocument {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("OpenApiDocument")
    }
}
