//! The API's one error type and its single mapping to RFC 9457 problem details.
//!
//! Every 4xx and 5xx the service sends is built here (the middleware in [`crate::middleware`]
//! converts the few that actix produces on its own). 5xx bodies carry no internal text: the log
//! has it, keyed by the request id that the response also carries.
//!
//! The application's refusals arrive as named [`Rule`]s; [`rule_status`] is the one table turning
//! each into an HTTP status, and its name into the problem type `urn:tandem:problem:<name>`. The
//! contract documents every rule from the same table (see [`crate::openapi`]).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use tandem_app::error::RuleKind;
use tandem_app::{AppError, Rule};
use utoipa::ToSchema;

pub use crate::http::convention::HttpRule;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input, located by JSON pointer so a form can highlight the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"pointer": "#/email", "code": "email", "detail": "must be a valid email address"}))]
pub struct FieldError {
    /// JSON pointer (as a URI fragment) to the offending field in the request body, or the
    /// parameter name for query and path parameters.
    pub pointer: String,
    /// Stable machine-readable reason, e.g. `required`, `length`, `unknown_field`, `invalid_type`.
    pub code: String,
    /// What is wrong, for a person.
    pub detail: String,
}

impl FieldError {
    /// A finding about the body field at `pointer` (without the leading `#`).
    pub fn new(pointer: impl AsRef<str>, code: &str, detail: impl Into<String>) -> Self {
        let pointer = pointer.as_ref();
        let pointer = if pointer.starts_with('/') || pointer.is_empty() {
            format!("#{pointer}")
        } else {
            format!("#/{pointer}")
        };
        FieldError {
            pointer,
            code: code.to_owned(),
            detail: detail.into(),
        }
    }
}

/// An RFC 9457 problem details document, as sent on the wire.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:tandem:problem:validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "1 field is invalid",
    "instance": "/v1/auth/register",
    "request_id": "0b5c4d0e-8f35-4a57-9d3c-4c1f0f5f6a1e",
    "errors": [{"pointer": "#/email", "code": "email", "detail": "must be a valid email address"}]
}))]
pub struct Problem {
    /// A URN naming the kind of problem; stable, clients may switch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code, repeated for convenience.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// The request path this problem is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub instance: Option<String>,
    /// The id of the request (also in the `X-Request-Id` header); quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
    /// For validation problems (422): every invalid field at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
    /// For 405: the methods the resource does support (also in the `Allow` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub allow: Option<Vec<String>>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request: bad JSON syntax, bad query or path parameter (400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Query parameters that cannot be read (400), each named with the format it expects.
    #[error("invalid query parameters")]
    InvalidParameters(Vec<FieldError>),
    /// Bad or missing credentials (401, with `WWW-Authenticate: Bearer`).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// No such resource, or one the caller may not see (404): the two are indistinguishable.
    #[error("not found")]
    NotFound,
    /// The path exists but not with this method (405).
    #[error("method not allowed")]
    MethodNotAllowed {
        /// Methods the path supports.
        allow: Vec<String>,
    },
    /// A named rule of the application refused the request (403, 409 or 422 by its kind).
    #[error("{}: {detail}", rule.name())]
    Refused {
        /// The rule.
        rule: Rule,
        /// What happened this time.
        detail: String,
        /// Findings, for rules that have them.
        errors: Vec<FieldError>,
    },
    /// `If-Match` named a version that is no longer current (412).
    #[error("precondition failed")]
    PreconditionFailed,
    /// The write needs `If-Match` because it would otherwise overwrite someone's work (428).
    #[error("precondition required")]
    PreconditionRequired,
    /// The body is larger than the endpoint accepts (413).
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not JSON (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Well-formed but invalid input (422), every bad field listed.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// An HTTP convention refused the request with a problem type of its own (see
    /// [`HttpRule`]).
    #[error("{}: {detail}", rule.slug())]
    Convention {
        /// Which convention.
        rule: HttpRule,
        /// What happened.
        detail: String,
    },
    /// Too many requests from this client; retry after the given seconds (429).
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a request will be accepted.
        retry_after: u64,
    },
    /// The database cannot be reached (503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure (500); the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 500 from anything displayable; the message is logged, never sent.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        ApiError::Internal(err.to_string())
    }

    /// A single-field validation failure.
    pub fn field(pointer: &str, code: &str, detail: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(pointer, code, detail)])
    }

    /// A refusal by `rule`.
    pub fn refused(rule: Rule, detail: impl Into<String>) -> Self {
        ApiError::Refused {
            rule,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidParameters(_) => {
                ("bad-request", "Bad request")
            }
            ApiError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            ApiError::NotFound => ("not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            ApiError::Refused { rule, .. } => (rule.name(), rule.title()),
            ApiError::Convention { rule, .. } => (rule.slug(), rule.title()),
            ApiError::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            ApiError::PreconditionRequired => ("precondition-required", "Precondition required"),
            ApiError::PayloadTooLarge { .. } => ("payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
            ApiError::Validation(_) => ("validation", "Validation failed"),
            ApiError::TooManyRequests { .. } => ("rate-limited", "Too many requests"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The problem document for this error (without request id and instance, which the
    /// middleware adds because only it knows the request).
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let status = self.status_code();
        let mut errors = None;
        let mut allow = None;
        let detail = match self {
            ApiError::BadRequest(d) | ApiError::Unauthorized(d) => d.clone(),
            ApiError::Refused {
                detail, errors: e, ..
            } => {
                if !e.is_empty() {
                    errors = Some(e.clone());
                }
                detail.clone()
            }
            ApiError::Convention { detail, .. } => detail.clone(),
            ApiError::NotFound => "no such resource".to_owned(),
            ApiError::InvalidParameters(fields) => {
                errors = Some(fields.clone());
                fields
                    .iter()
                    .map(|f| format!("query parameter {}: {}", f.pointer, f.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            ApiError::MethodNotAllowed { allow: methods } => {
                allow = Some(methods.clone());
                format!("this resource supports {}", methods.join(", "))
            }
            ApiError::PreconditionFailed => {
                "the resource changed since you read it (If-Match is stale); fetch it again and retry"
                    .to_owned()
            }
            ApiError::PreconditionRequired => {
                "this write would replace existing content: send If-Match with the version you read"
                    .to_owned()
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("the request body exceeds the limit of {limit} bytes")
            }
            ApiError::UnsupportedMediaType => {
                "the request body must be JSON (Content-Type: application/json)".to_owned()
            }
            ApiError::Validation(fields) => {
                errors = Some(fields.clone());
                match fields.len() {
                    1 => format!("{}: {}", fields[0].pointer, fields[0].detail),
                    n => format!("{n} fields are invalid"),
                }
            }
            ApiError::TooManyRequests { retry_after } => {
                format!("too many requests from this address; retry in {retry_after} s")
            }
            ApiError::Unavailable(_) => {
                "the service cannot reach its database; retry shortly".to_owned()
            }
            ApiError::Internal(_) => {
                "an unexpected error occurred; quote the request id when reporting it".to_owned()
            }
        };
        Problem {
            problem_type: format!("urn:tandem:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            instance: None,
            request_id: None,
            errors,
            allow,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Refused { rule, .. } => rule_status(*rule),
            ApiError::Convention { rule, .. } => rule.status(),
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut builder = HttpResponse::build(status);
        builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                builder.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer realm="tandem""#),
                ));
            }
            ApiError::MethodNotAllowed { allow } => {
                builder.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unavailable(_) => {
                builder.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::TooManyRequests { retry_after } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.max(&1).to_string()));
            }
            _ => {}
        }
        builder.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

/// The HTTP status of every application rule: the one table (its kind decides).
pub fn rule_status(rule: Rule) -> StatusCode {
    match rule.kind() {
        RuleKind::Forbidden => StatusCode::FORBIDDEN,
        RuleKind::Conflict => StatusCode::CONFLICT,
        RuleKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The application's answers mapped once: handlers use `?` and get the right problem.
impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let field = |f: tandem_app::FieldIssue| FieldError::new(&f.pointer, &f.code, f.detail);
        match err {
            AppError::NotFound => ApiError::NotFound,
            AppError::Refused {
                rule,
                detail,
                issues,
            } => ApiError::Refused {
                rule,
                detail,
                errors: issues.into_iter().map(field).collect(),
            },
            AppError::Invalid(issues) => {
                ApiError::Validation(issues.into_iter().map(field).collect())
            }
            AppError::Stale => ApiError::PreconditionFailed,
            AppError::PreconditionRequired => ApiError::PreconditionRequired,
            AppError::Unauthorized(why) => ApiError::Unauthorized(why),
            AppError::Unavailable(e) => ApiError::Unavailable(e),
            AppError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = Vec::new();
        collect_validation_errors("", &errors, &mut fields);
        fields.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        ApiError::Validation(fields)
    }
}

fn collect_validation_errors(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = format!("{prefix}/{field}");
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let detail = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| default_message(e));
                    out.push(FieldError::new(&path, &e.code, detail));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect_validation_errors(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect_validation_errors(&format!("{path}/{i}"), inner, out);
                }
            }
        }
    }
}

fn default_message(e: &validator::ValidationError) -> String {
    let param = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            _ => "has the wrong length".to_owned(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".to_owned(),
        },
        "email" => "must be a valid email address".to_owned(),
        other => format!("is invalid ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_never_carry_internal_text() {
        let problem = ApiError::internal("SELECT * FROM users; /etc/passwd").problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("SELECT"));
        assert!(!problem.detail.contains("/etc"));
    }

    #[test]
    fn validation_detail_names_the_field() {
        let problem = ApiError::field("email", "email", "must be a valid email address").problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.as_ref().unwrap()[0].pointer, "#/email");
        assert!(problem.detail.contains("#/email"));
    }

    #[test]
    fn a_rule_refusal_names_its_rule() {
        let err = ApiError::from(AppError::refused(Rule::GoalLimitReached, "five already"));
        assert_eq!(err.status_code(), StatusCode::CONFLICT);
        let problem = err.problem();
        assert_eq!(
            problem.problem_type,
            "urn:tandem:problem:goal-limit-reached"
        );
        assert_eq!(problem.detail, "five already");
    }

    #[test]
    fn every_rule_has_a_client_error_status() {
        for rule in Rule::ALL {
            assert!(rule_status(*rule).is_client_error(), "{rule:?}");
        }
    }
}
