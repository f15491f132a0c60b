//! The outermost middleware: request ids, request logs, and the guarantee that every error
//! response is problem+json carrying the request id.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use crate::error::{PROBLEM_JSON, Problem};

/// The header that carries the request id both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client may supply its own id (to correlate logs across systems) if it is short and plain.
fn accepted_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then(|| value.to_owned())
}

/// Assigns the request id, logs the request, and normalises error bodies.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = accepted_request_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    // Handlers, extractors and the inner middleware (CORS, token scopes) all answer refusals with
    // responses, which are normalised below; an `Err` would be rendered by actix as it is.
    let res = result?.map_into_boxed_body();
    let status = res.status();
    let mut res = if status.is_client_error() || status.is_server_error() {
        normalise_problem(res, &request_id).await
    } else {
        res
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "served"
        );
    });
    Ok(res)
}

/// Adds `request_id` and `instance` to our problem bodies; replaces any other error body (from
/// actix or a library) with a problem for the same status. 5xx bodies are always replaced by our
/// own text unless they are already ours.
async fn normalise_problem(
    res: ServiceResponse<BoxBody>,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let (req, res) = res.into_parts();
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    let (head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let mut doc: serde_json::Value = if is_problem {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| generic_problem(status))
    } else {
        generic_problem(status)
    };
    if let Some(obj) = doc.as_object_mut() {
        obj.entry("instance")
            .or_insert_with(|| serde_json::Value::String(req.path().to_owned()));
        obj.insert(
            "request_id".into(),
            serde_json::Value::String(request_id.to_owned()),
        );
    }
    let mut res = head.set_body(BoxBody::new(serde_json::to_vec(&doc).unwrap_or_default()));
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    ServiceResponse::new(req, res)
}

fn generic_problem(status: StatusCode) -> serde_json::Value {
    let title = status.canonical_reason().unwrap_or("Error");
    let problem = Problem {
        problem_type: format!(
            "urn:tandem:problem:{}",
            title.to_ascii_lowercase().replace(' ', "-")
        ),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: if status.is_server_error() {
            "an unexpected error occurred; quote the request id when reporting it".to_owned()
        } else {
            title.to_owned()
        },
        instance: None,
        request_id: None,
        errors: None,
        allow: None,
    };
    serde_json::to_value(problem).unwrap_or_default()
}
