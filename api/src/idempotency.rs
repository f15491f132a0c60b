//! `Idempotency-Key` on creates: the same key and body replay the first response and create
//! nothing; the same key with another body is 422; keys are per caller and kept 24 hours. A second
//! request arriving while the first still runs gets 409 rather than racing it.

use std::future::Future;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use chrono::Duration;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tandem_store::idempotency;

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

/// Runs `create` at most once per (caller, key): later calls with the key replay its response.
pub async fn once<F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    user_id: &str,
    body: &impl Serialize,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Created, ApiError>>,
{
    let body = serde_json::to_vec(body).map_err(ApiError::internal)?;
    once_raw(state, req, user_id, &body, create).await
}

async fn once_raw<F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    user_id: &str,
    body: &[u8],
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Created, ApiError>>,
{
    let Some(key) = key_of(req)? else {
        return Ok(create().await?.response());
    };
    let fingerprint = {
        let mut hasher = Sha256::new();
        hasher.update(req.method().as_str());
        hasher.update(req.path());
        hasher.update(body);
        hex::encode(hasher.finalize())
    };
    let now = crate::clock::now().naive_utc();
    let (user, k, fp) = (user_id.to_owned(), key.clone(), fingerprint.clone());
    let existing = crate::db::run(state, move |conn| {
        idempotency::claim(
            conn,
            &user,
            &k,
            &fp,
            now,
            now - Duration::hours(RETENTION_HOURS),
        )
    })
    .await?;
    if let Some(record) = existing {
        if record.request_hash != fingerprint {
            return Err(ApiError::Unprocessable {
                slug: "idempotency-key-reused",
                title: "Idempotency key reused",
                detail: "this Idempotency-Key was used with a different request; use a new key"
                    .into(),
                errors: vec![],
            });
        }
        let Some(status) = record.status_code else {
            return Err(ApiError::Conflict(
                "a request with this Idempotency-Key is still being processed; retry shortly"
                    .into(),
            ));
        };
        let mut res =
            HttpResponse::build(StatusCode::from_u16(status as u16).unwrap_or(StatusCode::CREATED));
        if let Some(location) = record.location {
            res.insert_header((header::LOCATION, location));
        }
        res.insert_header(("Idempotent-Replayed", "true"));
        return Ok(res
            .content_type("application/json")
            .body(record.body.unwrap_or_default()));
    }
    match create().await {
        Ok(created) => {
            let (user, k) = (user_id.to_owned(), key);
            let location = created.location.clone();
            let body = created.body.to_string();
            let status = i32::from(created.status.as_u16());
            crate::db::run(state, move |conn| {
                idempotency::complete(conn, &user, &k, status, Some(&location), &body)
            })
            .await?;
            Ok(created.response())
        }
        Err(err) => {
            let (user, k) = (user_id.to_owned(), key);
            let _ = crate::db::run(state, move |conn| idempotency::release(conn, &user, &k)).await;
            Err(err)
        }
    }
}
