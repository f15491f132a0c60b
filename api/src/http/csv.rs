//! `Accept: text/csv` for spreadsheets: RFC 4180 with a header row and stable columns.
//!
//! Every CSV Tandem writes goes through [`respond`], which is where formula injection (OWASP "CSV
//! Injection") is neutralised, once for all exports: a text cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is written with a leading `'`, so a spreadsheet shows it as
//! text instead of running it. Only numbers Tandem itself computed or stored ([`Cell::Number`])
//! are written bare, so `-0.25` stays a number; every other cell is text and is neutralised.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::http::problem::ApiError;

/// What the contract says about every CSV response.
pub const NEUTRALISED: &str = "Text cells that begin with =, +, -, @, a tab or a carriage \
return are written with a leading ' so that spreadsheets never evaluate them; numbers are written \
as numbers.";

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

/// One cell of a CSV row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Anything that is not a number Tandem wrote: neutralised against formula injection.
    Text(String),
    /// A number Tandem computed or stored; written as is.
    Number(f64),
    /// No value.
    Empty,
}

impl Cell {
    /// The text written into the file.
    fn render(&self) -> String {
        match self {
            Cell::Text(s) => neutralise(s),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A text cell as a spreadsheet will read it: never a formula.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Text(s.clone())
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Cell::Number(n)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Self {
        Cell::Number(f64::from(n))
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Number(f64::from(n))
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Cell::Text(b.to_string())
    }
}

impl From<chrono::DateTime<chrono::Utc>> for Cell {
    fn from(t: chrono::DateTime<chrono::Utc>) -> Self {
        Cell::Text(t.to_rfc3339())
    }
}

impl From<chrono::NaiveDate> for Cell {
    fn from(d: chrono::NaiveDate) -> Self {
        Cell::Text(d.to_string())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// A CSV response from a header row and records.
pub fn respond(
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(columns).map_err(ApiError::internal)?;
    for row in rows {
        writer
            .write_record(row.iter().map(Cell::render))
            .map_err(ApiError::internal)?;
    }
    let body = writer.into_inner().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_payloads_become_text() {
        for payload in [
            "=HYPERLINK(\"http://evil.example/x\",\"Click\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(Cell::from(payload).render(), format!("'{payload}"));
        }
        assert_eq!(Cell::from("Plain title").render(), "Plain title");
    }

    #[test]
    fn numbers_tandem_wrote_stay_numbers() {
        assert_eq!(Cell::from(-0.25).render(), "-0.25");
        assert_eq!(Cell::from(Some(12.5)).render(), "12.5");
        assert_eq!(Cell::from(None::<f64>).render(), "");
    }
}
