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

use crate::http::problem::{PROBLEM_JSON, Problem};
use crate::openapi::ProblemTable;

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

/// The request path as logs and problem documents show it: a feed link's secret
/// (`/v1/feeds/{secret}/…`) is never written anywhere.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/v1/feeds/") {
        Some(rest) => {
            let tail = rest.split_once('/').map_or("", |(_, tail)| tail);
            format!("/v1/feeds/…/{tail}").into()
        }
        None => path.into(),
    }
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
        path = %loggable_path(req.path()),
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
    if let Some(state) = res
        .request()
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
    {
        crate::metrics::observe(&state.metrics, &res, started.elapsed());
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
    let doc: serde_json::Value = if is_problem {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| generic_problem(status))
    } else {
        generic_problem(status)
    };
    let (head, mut doc) = if cfg!(debug_assertions) {
        held_to_contract(&req, head, doc)
    } else {
        (head, doc)
    };
    if let Some(obj) = doc.as_object_mut() {
        obj.entry("instance")
            .or_insert_with(|| serde_json::Value::String(loggable_path(req.path()).into_owned()));
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

/// Debug builds hold every error to the contract: a problem type the operation does not
/// document becomes a 500 naming it, so a test exercising the path fails until the contract
/// lists the refusal (or the code stops giving it).
fn held_to_contract(
    req: &actix_web::HttpRequest,
    head: actix_web::HttpResponse<()>,
    doc: serde_json::Value,
) -> (actix_web::HttpResponse<()>, serde_json::Value) {
    let (Some(table), Some(pattern)) = (
        req.app_data::<actix_web::web::Data<ProblemTable>>(),
        req.match_pattern(),
    ) else {
        return (head, doc);
    };
    let status = head.status();
    let problem_type = doc["type"].as_str().unwrap_or("");
    if table.allows(
        req.method().as_str(),
        &pattern,
        status.as_u16(),
        problem_type,
    ) {
        return (head, doc);
    }
    let detail = format!(
        "{} {pattern} answered {} with `{problem_type}`, which its contract does not document",
        req.method(),
        status.as_u16()
    );
    tracing::error!("{detail}");
    let mut doc = generic_problem(StatusCode::INTERNAL_SERVER_ERROR);
    doc["detail"] = detail.into();
    let mut head = head;
    *head.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    (head, doc)
}

fn generic_problem(status: StatusCode) -> serde_json::Value {
    let title = status.canonical_reason().unwrap_or("Error");
    // The statuses whose problem types are named otherwise than their reason phrase.
    let slug = match status {
        StatusCode::INTERNAL_SERVER_ERROR => "internal".to_owned(),
        StatusCode::SERVICE_UNAVAILABLE => "unavailable".to_owned(),
        StatusCode::TOO_MANY_REQUESTS => "rate-limited".to_owned(),
        StatusCode::UNPROCESSABLE_ENTITY => "validation".to_owned(),
        _ => title.to_ascii_lowercase().replace(' ', "-"),
    };
    let problem = Problem {
        problem_type: format!("urn:tandem:problem:{slug}"),
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

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use tandem_app::Rule;

    use super::*;
    use crate::http::problem::ApiError;

    #[::core::prelude::v1::test]
    fn a_feed_secret_never_reaches_the_log() {
        assert_eq!(
            loggable_path("/v1/feeds/tdm_feed_s3cr3t/scorecard.csv"),
            "/v1/feeds/…/scorecard.csv"
        );
        assert_eq!(loggable_path("/v1/feeds/tdm_feed_s3cr3t"), "/v1/feeds/…/");
        assert_eq!(
            loggable_path("/v1/goals/1/readings"),
            "/v1/goals/1/readings"
        );
    }

    async fn answer(rule: Rule) -> (StatusCode, serde_json::Value) {
        let table = web::Data::new(ProblemTable::of(&crate::openapi::api_doc()));
        let app = test::init_service(
            App::new()
                .app_data(table)
                .route(
                    "/v1/goals/{id}/readings",
                    web::post().to(move || async move {
                        Err::<HttpResponse, _>(ApiError::refused(rule, "refused"))
                    }),
                )
                .wrap(from_fn(request_context)),
        )
        .await;
        let req = test::TestRequest::post()
            .uri("/v1/goals/0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59/readings")
            .to_request();
        let res = test::call_service(&app, req).await;
        let status = res.status();
        (status, test::read_body_json(res).await)
    }

    #[actix_web::test]
    async fn a_documented_refusal_passes_through() {
        let (status, problem) = answer(Rule::OwnerOnly).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(problem["type"], "urn:tandem:problem:owner-only");
    }

    #[actix_web::test]
    async fn an_undocumented_refusal_becomes_a_500_naming_it_in_debug_builds() {
        let (status, problem) = answer(Rule::GoalLimitReached).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(problem["type"], "urn:tandem:problem:internal");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("goal-limit-reached"), "{detail}");
        assert!(detail.contains("/v1/goals/{id}/readings"), "{detail}");
    }
}
