//! Conditional requests (RFC 9110 §13): strong ETags from row versions, `If-None-Match` for cheap
//! polling, `If-Match` so concurrent edits are detected instead of silently overwritten.

use actix_web::HttpRequest;
use actix_web::http::header;

/// The strong ETag of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version a PATCH/DELETE must still find, from `If-Match`.
///
/// Absent or `*`: no condition. A tag that is not one of ours (weak, malformed) can never match,
/// so it yields a version no row has, which ends in 412 as RFC 9110 requires.
pub fn expected_version(req: &HttpRequest) -> Option<i64> {
    let value = req.headers().get(header::IF_MATCH)?.to_str().unwrap_or("");
    let first = value.split(',').next().unwrap_or("").trim();
    if first == "*" {
        return None;
    }
    Some(
        first
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(-1),
    )
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
