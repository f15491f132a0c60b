//! Conditional requests (RFC 9110 §13): strong ETags from row versions, `If-None-Match` for cheap
//! polling, `If-Match` so concurrent edits are detected instead of silently overwritten.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::problem::ApiError;

/// The strong ETag of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version a PATCH/DELETE must still find, from `If-Match`.
///
/// Absent or `*`: no condition. One of our tags (`"3"`, or `3` from clients that drop the quotes):
/// that version, and 412 if the resource has moved on. Anything else is not a tag this API issued:
/// 400.
pub fn expected_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or("").trim();
    if value == "*" {
        return Ok(None);
    }
    // Exactly the documented pattern `^(\*|"?[0-9]+"?)$`: each quote is optional.
    let bare = value.strip_prefix('"').unwrap_or(value);
    let bare = bare.strip_suffix('"').unwrap_or(bare);
    if !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_digit()) {
        // A tag of our form that no resource can carry (beyond i64) is simply stale: 412.
        return Ok(Some(bare.parse::<i64>().unwrap_or(-1)));
    }
    Err(ApiError::BadRequest(
        "If-Match must be an ETag from this API (like \"3\") or *".into(),
    ))
}

/// The `If-Match` condition of a write that must not overwrite content blindly.
#[derive(Debug, Clone, Copy)]
pub struct Required {
    /// `None`: no header. `Some(None)`: `*`. `Some(Some(v))`: version `v`.
    condition: Option<Option<i64>>,
}

impl Required {
    /// Checks the condition against the current version (0 = nothing written yet): without the
    /// header only a first write passes (428 otherwise); `*` needs something written; a version
    /// must be the current one (412).
    pub fn check(self, current: i64) -> Result<(), tandem_app::AppError> {
        use tandem_app::AppError;
        match self.condition {
            None if current == 0 => Ok(()),
            None => Err(AppError::PreconditionRequired),
            Some(None) if current > 0 => Ok(()),
            Some(Some(v)) if v == current => Ok(()),
            Some(_) => Err(AppError::Stale),
        }
    }
}

/// The `If-Match` of a write that replaces shared content (see [`Required::check`]).
pub fn required_version(req: &HttpRequest) -> Result<Required, ApiError> {
    let present = req.headers().contains_key(header::IF_MATCH);
    let version = expected_version(req)?;
    Ok(Required {
        condition: present.then_some(version),
    })
}

/// `status` with the view and its strong ETag.
pub fn tagged(status: StatusCode, version: i64, view: impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(view)
}

/// 200 with the view and its strong ETag, or 304 when `If-None-Match` already names it.
pub fn current(req: &HttpRequest, version: i64, view: impl Serialize) -> HttpResponse {
    current_tag(req, &etag(version), view)
}

/// Like [`current`], for a representation whose tag is not a version.
pub fn current_tag(req: &HttpRequest, tag: &str, view: impl Serialize) -> HttpResponse {
    if not_modified(req, tag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag.to_owned()))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag.to_owned()))
        .json(view)
}

/// Whether `If-None-Match` already names the current representation (answer 304).
pub fn not_modified(req: &HttpRequest, current: &str) -> bool {
    let Some(value) = req.headers().get(header::IF_NONE_MATCH) else {
        return false;
    };
    let value = value.to_str().unwrap_or("");
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current || tag.strip_prefix("W/") == Some(current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn expected(value: &str) -> Result<Option<i64>, ApiError> {
        expected_version(
            &TestRequest::default()
                .insert_header((header::IF_MATCH, value))
                .to_http_request(),
        )
    }

    #[test]
    fn if_match_takes_our_tags_with_or_without_quotes() {
        assert_eq!(expected("\"3\"").unwrap(), Some(3));
        assert_eq!(expected("3").unwrap(), Some(3));
        assert_eq!(expected("9\"").unwrap(), Some(9));
        assert_eq!(expected("*").unwrap(), None);
        assert!(expected("W/\"3\"").is_err());
        assert!(expected("null").is_err());
        assert!(expected("").is_err());
    }

    #[test]
    fn a_tag_too_large_for_any_version_is_stale_not_malformed() {
        let huge = expected("\"60258005945709409403416915923\"").unwrap();
        assert!(huge.is_some_and(|v| v < 1), "{huge:?}");
    }
}
