//! `Idempotency-Key` on creates: the same key and body replay the first response and create
//! nothing; the same key with another body is 422; keys are per caller and kept 24 hours.
//!
//! The key's claim, the create itself and the stored response commit in ONE transaction, so a
//! crash anywhere leaves either all three or none: a retry after a crash replays the response or
//! creates exactly once, and no key is ever stuck "being processed". A second request with the
//! same key arriving while the first runs waits for it (SQLite's single writer, PostgreSQL's row
//! lock on the key) and then replays its response.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use chrono::Duration;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tandem_store::idempotency::{self, IdempotencyRecord, StoredResponse};
use tandem_store::{DbConnection, StoreError, write_transaction};

use crate::error::ApiError;
use crate::state::AppState;

/// The request header.
pub const HEADER: &str = "Idempotency-Key";
/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;

/// What a create produced: replayed verbatim for a retry.
pub struct Created {
    /// 201, or 200 when the request named something that already existed (an external id).
    pub status: StatusCode,
    /// The new resource's path.
    pub location: String,
    /// Its ETag, if it has one.
    pub etag: Option<String>,
    /// Its representation.
    pub body: serde_json::Value,
}

impl Created {
    /// A 201 for a serialisable view.
    pub fn new(
        location: String,
        etag: Option<String>,
        view: &impl Serialize,
    ) -> Result<Self, ApiError> {
        Ok(Created {
            status: StatusCode::CREATED,
            location,
            etag,
            body: serde_json::to_value(view).map_err(ApiError::internal)?,
        })
    }

    /// The same, answered 200 with `Content-Location`: nothing new was created.
    pub fn existing(self) -> Self {
        Created {
            status: StatusCode::OK,
            ..self
        }
    }

    fn response(self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        let where_header = if self.status == StatusCode::CREATED {
            header::LOCATION
        } else {
            header::CONTENT_LOCATION
        };
        res.insert_header((where_header, self.location));
        if let Some(etag) = self.etag {
            res.insert_header((header::ETAG, etag));
        }
        res.json(self.body)
    }
}

fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("");
    let ok = !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if !ok {
        return Err(ApiError::BadRequest(
            "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// Why a keyed transaction did not commit.
enum Abort {
    /// Another request claimed the key first and committed: replay its response.
    KeyTaken,
    /// The create failed (or the database did): nothing was written, the key stays free.
    Failed(ApiError),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Failed(e.into())
    }
}

impl From<ApiError> for Abort {
    fn from(e: ApiError) -> Self {
        Abort::Failed(e)
    }
}

/// What a keyed request came to.
enum Outcome {
    /// Created now (and the response stored under the key).
    Fresh(Created),
    /// The key was used before: its stored response.
    Replay(IdempotencyRecord),
}

/// Runs `create` in one write transaction; with an `Idempotency-Key`, at most once per (caller,
/// key), claim and response committing with it. Later calls with the key replay the response.
pub async fn once<F>(
    state: &AppState,
    req: &HttpRequest,
    user_id: &str,
    body: &impl Serialize,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<Created, ApiError> + Send + 'static,
{
    let Some(key) = key_of(req)? else {
        let created = crate::db::run(state, move |conn| write_transaction(conn, create)).await?;
        return Ok(created.response());
    };
    let body = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let fingerprint = fingerprint_of(&body, req);
    let now = crate::clock::now().naive_utc();
    let not_before = now - Duration::hours(RETENTION_HOURS);
    let (user, hash) = (user_id.to_owned(), fingerprint.clone());
    let outcome = crate::db::run(state, move |conn| {
        let attempt = write_transaction(conn, |conn| {
            if let Some(record) = idempotency::find(conn, &user, &key, not_before)? {
                if record.status_code.is_some() {
                    return Ok(Outcome::Replay(record));
                }
                // A claim without a response can only be an orphan of a version that committed
                // them apart: the request never finished, so it may run again.
                idempotency::claim(conn, &user, &key, &hash, now, now)?;
            } else {
                idempotency::claim(conn, &user, &key, &hash, now, not_before).map_err(
                    |e| match e {
                        StoreError::Conflict(_) => Abort::KeyTaken,
                        other => other.into(),
                    },
                )?;
            }
            let created = create(conn)?;
            let stored = created.body.to_string();
            idempotency::complete(
                conn,
                &user,
                &key,
                &StoredResponse {
                    status: i32::from(created.status.as_u16()),
                    location: Some(&created.location),
                    etag: created.etag.as_deref(),
                    body: &stored,
                },
            )?;
            Ok(Outcome::Fresh(created))
        });
        match attempt {
            Ok(outcome) => Ok(outcome),
            Err(Abort::Failed(e)) => Err(e),
            Err(Abort::KeyTaken) => idempotency::find(conn, &user, &key, not_before)?
                .filter(|r| r.status_code.is_some())
                .map(Outcome::Replay)
                .ok_or_else(|| {
                    ApiError::Conflict(
                        "a request with this Idempotency-Key is being processed; retry shortly"
                            .into(),
                    )
                }),
        }
    })
    .await?;
    match outcome {
        Outcome::Fresh(created) => Ok(created.response()),
        Outcome::Replay(record) => replay(record, &fingerprint),
    }
}

fn fingerprint_of(body: &[u8], req: &HttpRequest) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(req.path());
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// The stored response of a key, or 422 when the key came with another request.
fn replay(record: IdempotencyRecord, fingerprint: &str) -> Result<HttpResponse, ApiError> {
    if record.request_hash != fingerprint {
        return Err(ApiError::Unprocessable {
            slug: "idempotency-key-reused",
            title: "Idempotency key reused",
            detail: "this Idempotency-Key was used with a different request; use a new key".into(),
            errors: vec![],
        });
    }
    let status = record
        .status_code
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::CREATED);
    let mut res = HttpResponse::build(status);
    if let Some(location) = record.location {
        let name = if status == StatusCode::CREATED {
            header::LOCATION
        } else {
            header::CONTENT_LOCATION
        };
        res.insert_header((name, location));
    }
    if let Some(etag) = record.etag {
        res.insert_header((header::ETAG, etag));
    }
    res.insert_header(("Idempotent-Replayed", "true"));
    Ok(res
        .content_type("application/json")
        .body(record.body.unwrap_or_default()))
}
