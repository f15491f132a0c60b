//! Cursor pagination: `?limit=` (default 50, max 200) and an opaque `?cursor=`, in stable
//! `(created_at, id)` order, so rows inserted between pages cause neither duplicates nor gaps.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problem::ApiError;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 200;

/// `?updated_since=` for lists that come in one page.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceQuery {
    /// Only items created or changed at or after this instant (RFC 3339), for incremental sync.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items, oldest first.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Where a page starts: after this `(created_at, id)`.
pub type After = Option<(NaiveDateTime, String)>;

/// Checks `limit` and decodes `cursor` (400 on either being bad; an empty cursor is the first page).
pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<(i64, After), ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(crate::http::extract::parameter_error(
            "limit",
            "range",
            format!("must be a whole number from 1 to {MAX_LIMIT}"),
        ));
    }
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(decode(c).ok_or_else(|| {
            crate::http::extract::parameter_error(
                "cursor",
                "invalid_cursor",
                "is not one this API issued; pass the next_cursor of the previous page",
            )
        })?),
    };
    Ok((i64::from(limit), after))
}

fn decode(cursor: &str) -> Option<(NaiveDateTime, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (micros, id) = text.split_once('|')?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
    uuid::Uuid::parse_str(id).ok()?;
    Some((at, id.to_owned()))
}

/// The cursor that continues after a row.
pub fn encode(created_at: NaiveDateTime, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", created_at.and_utc().timestamp_micros()))
}

/// Builds the page from `limit + 1` fetched rows (the extra row only says there is more) and the
/// response with a `Link: <…>; rel="next"` header.
pub fn respond<R, T: Serialize>(
    req: &HttpRequest,
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> (NaiveDateTime, String),
    view: impl Fn(R) -> T,
) -> HttpResponse {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| {
            let (at, id) = key(r);
            encode(at, &id)
        })
    } else {
        None
    };
    let mut res = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        res.insert_header((
            header::LINK,
            format!("<{}>; rel=\"next\"", next_link(req, cursor)),
        ));
    }
    res.json(Page {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    })
}

fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> = url_pairs(req.query_string())
        .into_iter()
        .filter(|(k, _)| k != "cursor")
        .collect();
    pairs.push(("cursor".into(), cursor.into()));
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    format!("{}?{}", req.path(), query.join("&"))
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(query).unwrap_or_default()
}

fn encode_component(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = chrono::DateTime::from_timestamp_micros(1_790_000_000_123_456)
            .unwrap()
            .naive_utc();
        let id = uuid::Uuid::new_v4().to_string();
        let (_, after) = parse(Some(10), Some(&encode(at, &id))).unwrap();
        assert_eq!(after, Some((at, id)));
        assert!(parse(None, Some("not-a-cursor")).is_err());
        assert!(parse(Some(0), None).is_err());
        assert!(parse(Some(201), None).is_err());
        assert_eq!(parse(None, None).unwrap().0, 50);
    }
}
