//! `Idempotency-Key` on creates: the same key and body replay the first response and create
//! nothing; the same key with another body is 422 (`idempotency-key-reused`); keys are per caller
//! and kept 24 hours.
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
use tandem_app::idempotency::{self, Claim, IdempotencyRecord, StoredResponse};
use tandem_app::{Actor, AppError, Tx};

use crate::auth::Caller;

use crate::http::problem::{ApiError, HttpRule};
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

    /// The response.
    pub fn response(self) -> HttpResponse {
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

fn fingerprint(req: &HttpRequest, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(req.path());
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// Why a keyed transaction did not commit.
enum Abort {
    /// Another request claimed the key first and committed: replay its response.
    KeyTaken,
    /// The create failed (or the database did): nothing was written, the key stays free.
    Failed(ApiError),
}

impl From<AppError> for Abort {
    fn from(e: AppError) -> Self {
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
/// key), the claim and the stored response committing with it. Later calls with the key replay.
pub async fn once<F>(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    body: &impl Serialize,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut Tx<'_>, &Actor) -> Result<Created, ApiError> + Send + 'static,
{
    let who = caller.principal();
    let Some(key) = key_of(req)? else {
        return Ok(state.app.write_by_as(&who, create).await?.response());
    };
    let user_id = caller.id.as_str();
    let body = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let hash = fingerprint(req, &body);
    let not_before = (state.app.now() - Duration::hours(RETENTION_HOURS)).naive_utc();
    let (user, fp) = (user_id.to_owned(), hash.clone());
    let (user2, key2) = (user.clone(), key.clone());
    let attempt = state
        .app
        .write_by_as(&who, move |tx, actor| -> Result<Outcome, Abort> {
            match idempotency::find(tx, &user, &key, not_before)? {
                Some(record) if record.status_code.is_some() => return Ok(Outcome::Replay(record)),
                // A claim without a response can only be an orphan of a version that committed
                // them apart: the request never finished, so it may run again.
                Some(_) => {
                    idempotency::claim(tx, &user, &key, &fp, tx.now().naive_utc())?;
                }
                None => {
                    if idempotency::claim(tx, &user, &key, &fp, not_before)? == Claim::Taken {
                        return Err(Abort::KeyTaken);
                    }
                }
            }
            let created = create(tx, actor)?;
            let stored = created.body.to_string();
            idempotency::complete(
                tx,
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
        })
        .await;
    let outcome = match attempt {
        Ok(outcome) => outcome,
        Err(Abort::Failed(e)) => return Err(e),
        Err(Abort::KeyTaken) => {
            let record = state
                .app
                .read(move |tx| idempotency::find(tx, &user2, &key2, not_before))
                .await?;
            match record.filter(|r| r.status_code.is_some()) {
                Some(record) => Outcome::Replay(record),
                None => {
                    return Err(ApiError::Convention {
                        rule: HttpRule::IdempotencyKeyInUse,
                        detail:
                            "a request with this Idempotency-Key is being processed; retry shortly"
                                .into(),
                    });
                }
            }
        }
    };
    match outcome {
        Outcome::Fresh(created) => Ok(created.response()),
        Outcome::Replay(record) => replay(record, &hash),
    }
}

/// The stored response of a key, or `idempotency-key-reused` when it came with another request.
fn replay(record: IdempotencyRecord, fingerprint: &str) -> Result<HttpResponse, ApiError> {
    if record.request_hash != fingerprint {
        return Err(ApiError::Convention {
            rule: HttpRule::IdempotencyKeyReused,
            detail: "this Idempotency-Key was used with a different request; use a new key".into(),
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
