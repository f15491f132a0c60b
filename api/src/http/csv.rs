//! CSV for spreadsheets: RFC 4180 (UTF-8, a header row, CRLF), stable documented columns, each
//! report at a `.csv` path of its own (the JSON paths answer JSON only: `Accept: text/csv` there is
//! a 406 naming the `.csv` path, so generated clients never see a `View | string` body).
//! Instants are written exactly as in JSON (RFC 3339 UTC with `Z`), decimals with a dot, null as
//! an empty cell; `?columns=a,b` selects and orders columns.
//!
//! Every CSV Tandem writes goes through [`respond`], which is where formula injection (OWASP "CSV
//! Injection") is neutralised, once for all exports: a text cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is written with a leading `'`, so a spreadsheet shows it as
//! text instead of running it. Only numbers Tandem itself computed or stored ([`Cell::Number`])
//! are written bare, so `-0.25` stays a number; every other cell is text and is neutralised.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::SecondsFormat;

use crate::http::convention::HttpRule;
use crate::http::problem::{ApiError, FieldError};

/// The most rows a CSV report holds; a longer one is refused (`csv-too-long`) so that nothing
/// is cut silently: narrow it with the report's filters.
pub const MAX_ROWS: usize = 100_000;

/// What the contract says about every CSV response.
pub const NEUTRALISED: &str = "Text cells that begin with =, +, -, @, a tab or a carriage \
return are written with a leading ' so that spreadsheets never evaluate them; numbers are written \
as numbers.";

/// Refuses (406) a JSON path asked for CSV only, naming the report's own `.csv` path.
pub fn json_only(req: &HttpRequest) -> Result<(), ApiError> {
    if wanted(req) {
        let path = req.path();
        return Err(ApiError::Convention {
            rule: HttpRule::CsvAtItsOwnPath,
            detail: format!("this path answers JSON; the CSV report is at {path}.csv"),
        });
    }
    Ok(())
}

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
        // As serde writes it in JSON, so the two compare as strings.
        Cell::Text(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
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

/// A CSV report ready to send: its columns (the list the contract documents), its rows in the
/// same order, and what its file is called.
pub struct Report<'a> {
    /// The columns, in order.
    pub columns: &'a [&'a str],
    /// One row per record, cells in column order.
    pub rows: Vec<Vec<Cell>>,
    /// Whose report it is (the partners' names), for the file name.
    pub label: &'a str,
    /// What it is (`scorecard`), for the file name.
    pub stem: &'a str,
    /// The date it describes, for the file name.
    pub on: chrono::NaiveDate,
}

impl Report<'_> {
    /// The report as a `text/csv` response, with the columns `?columns=` selects (all by
    /// default), as a download named after the partners, the report and the date.
    pub fn respond(self, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
        if self.rows.len() > MAX_ROWS {
            return Err(ApiError::Convention {
                rule: HttpRule::CsvTooLong,
                detail: format!(
                    "the report has more than {MAX_ROWS} rows; narrow it with its filters"
                ),
            });
        }
        let picked = select(self.columns, req.query_string())?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer
            .write_record(picked.iter().map(|&i| self.columns[i]))
            .map_err(ApiError::internal)?;
        for row in &self.rows {
            debug_assert_eq!(
                row.len(),
                self.columns.len(),
                "{}: one cell per column",
                self.stem
            );
            writer
                .write_record(
                    picked
                        .iter()
                        .map(|&i| row.get(i).map_or_else(String::new, Cell::render)),
                )
                .map_err(ApiError::internal)?;
        }
        let body = writer.into_inner().map_err(ApiError::internal)?;
        let name = format!("{}-{}-{}.csv", slug(self.label), self.stem, self.on);
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8; header=present")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ))
            .body(body))
    }
}

/// The indexes of the columns `?columns=a,b,c` asks for, in its order (every column without it);
/// an unknown name is a 400 naming it and listing the known ones.
fn select(columns: &[&str], query: &str) -> Result<Vec<usize>, ApiError> {
    let asked = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "columns")
        .map(|(_, value)| value.into_owned());
    let Some(asked) = asked else {
        return Ok((0..columns.len()).collect());
    };
    let mut picked = Vec::new();
    for name in asked.split(',').map(str::trim) {
        match columns.iter().position(|c| *c == name) {
            Some(i) => picked.push(i),
            None => {
                return Err(ApiError::InvalidParameters(vec![FieldError {
                    pointer: "columns".into(),
                    code: "unknown_column".into(),
                    detail: format!(
                        "no column {name:?} in this report; its columns are {}",
                        columns.join(", ")
                    ),
                }]));
            }
        }
    }
    Ok(picked)
}

/// A file-name-safe form of `text`: ASCII letters and digits, words joined by `-`.
fn slug(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        "tandem".into()
    } else {
        words.join("-")
    }
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
    fn instants_are_written_as_json_writes_them() {
        use chrono::TimeZone;
        for t in [
            chrono::Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap(),
            chrono::Utc.timestamp_micros(1_780_304_400_123_456).unwrap(),
        ] {
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(Cell::from(t).render(), json.as_str().unwrap());
            assert!(Cell::from(t).render().ends_with('Z'));
        }
    }

    #[test]
    fn columns_are_selected_and_ordered_by_name_and_an_unknown_one_is_named() {
        let columns = ["id", "value", "note"];
        assert_eq!(select(&columns, "").unwrap(), vec![0, 1, 2]);
        assert_eq!(select(&columns, "columns=note,id").unwrap(), vec![2, 0]);
        let err = select(&columns, "columns=id,colour").unwrap_err();
        assert!(
            matches!(&err, ApiError::InvalidParameters(e) if e[0].pointer == "columns" && e[0].detail.contains("\"colour\""))
        );
    }

    #[test]
    fn file_names_are_plain_ascii_words() {
        assert_eq!(
            slug("Ada Lovelace & Grace Hopper"),
            "ada-lovelace-grace-hopper"
        );
        assert_eq!(slug("Zoë"), "zo");
        assert_eq!(slug("***"), "tandem");
    }

    #[test]
    fn numbers_tandem_wrote_stay_numbers() {
        assert_eq!(Cell::from(-0.25).render(), "-0.25");
        assert_eq!(Cell::from(Some(12.5)).render(), "12.5");
        assert_eq!(Cell::from(None::<f64>).render(), "");
    }
}
