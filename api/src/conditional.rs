//! Conditional requests (RFC 9110 §13): strong ETags from row versions, `If-None-Match` for cheap
//! polling, `If-Match` so concurrent edits are detected instead of silently overwritten.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::ApiError;

/// The strong ETag of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version a PATCH/DELETE must still find, from `If-Match`.
///
/// Absent or `*`: no condition. One of our strong tags (`"3"`): that version, and 412 if the
/// resource has moved on. Anything else is not a tag this API issued: 400.
pub fn expected_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or("").trim();
    if value == "*" {
        return Ok(None);
    }
    value
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .and_then(|s| s.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::BadRequest("If-Match must be an ETag from this API (like \"3\") or *".into())
        })
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
