//! `Accept: text/csv` for spreadsheets: RFC 4180 with a header row and stable columns.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::ApiError;

/// Whether the client asked for CSV (and did not prefer JSON).
pub fn wanted(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let csv = accept.find("text/csv");
    let json = accept.find("application/json");
    matches!((csv, json), (Some(c), Some(j)) if c < j) || (csv.is_some() && json.is_none())
}

/// A CSV response from a header row and records.
pub fn respond(
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(columns).map_err(ApiError::internal)?;
    for row in rows {
        writer.write_record(&row).map_err(ApiError::internal)?;
    }
    let body = writer.into_inner().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .body(body))
}

/// A cell: empty for `None`.
pub fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}
