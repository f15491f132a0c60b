//! Personal access tokens: how dashboards, spreadsheets and integrations call Tandem without a
//! password. Least privilege: scopes (`read`, `readings:write`, `full`), an optional expiry and an
//! optional limit to one partnership. The secret is shown once and stored only as a hash.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use tandem_store::access_tokens::{self, AccessToken};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::goals::CallerRef;
use super::partnerships::ensure_mine;
use crate::auth::{Caller, PAT_PREFIX, Scope, token_hash};
use crate::error::{ApiError, FieldError};
use crate::extract::Json;
use crate::extract::Query;
use crate::pagination;
use crate::state::AppState;

/// A new token.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sales dashboard", "scopes": ["read"], "expires_at": "2027-06-30T00:00:00Z"}))]
pub struct CreateTokenRequest {
    /// What it is for, to recognise it later.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// What it may do: `read` (GET only), `readings:write` (read, and record or correct readings),
    /// `full` (everything except managing tokens). A repeated scope counts once.
    #[validate(length(min = 1, max = 3))]
    #[schema(min_items = 1, max_items = 3)]
    pub scopes: Vec<Scope>,
    /// When it stops working (default: never; must be in the future).
    pub expires_at: Option<DateTime<Utc>>,
    /// Limit it to one of your partnerships: every other partnership is 404 to it, and it creates
    /// none.
    pub partnership_id: Option<uuid::Uuid>,
}

/// A token as listed (never the secret).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90", "name": "Sales dashboard", "prefix": "tdm_pat_Xb3k",
    "scopes": ["read"], "partnership_id": null, "expires_at": "2027-06-30T00:00:00Z",
    "last_used_at": "2026-11-25T10:00:00Z", "revoked_at": null, "created_at": "2026-11-25T09:00:00Z"
}))]
pub struct TokenView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The secret's first characters.
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// The one partnership it reaches, if limited.
    #[schema(format = Uuid)]
    pub partnership_id: Option<String>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<&AccessToken> for TokenView {
    fn from(t: &AccessToken) -> Self {
        TokenView {
            id: t.id.clone(),
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scopes: t
                .scopes
                .split_whitespace()
                .filter_map(crate::enums::parse)
                .collect(),
            partnership_id: t.partnership_id.clone(),
            expires_at: t.expires_at.map(|x| x.and_utc()),
            last_used_at: t.last_used_at.map(|x| x.and_utc()),
            revoked_at: t.revoked_at.map(|x| x.and_utc()),
            created_at: t.created_at.and_utc(),
        }
    }
}

/// A new token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenView {
    /// The token.
    #[serde(flatten)]
    pub token: TokenView,
    /// The secret: send it as `Authorization: Bearer <token>`. It cannot be shown again.
    #[schema(example = "tdm_pat_Xb3kq0GJ0m6yqJ8mBz9fJ5r2Qh3n4wV8d1sT7uYcLeA")]
    pub secret: String,
}

/// Create a personal access token (needs a signed-in session, not another token).
///
/// The response carries the secret once; Tandem keeps only its hash. Not replayable with
/// `Idempotency-Key`, since that would store the secret.
#[utoipa::path(
    tag = "me",
    operation_id = "create_token",
    security(("bearer" = [])),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "Created; `secret` is shown only now", body = CreatedTokenView,
            headers(("Location" = String, description = "The new token"))),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[post("/me/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let now = crate::clock::now();
    let mut errors = Vec::new();
    if body.expires_at.is_some_and(|t| t <= now) {
        errors.push(FieldError::new(
            "expires_at",
            "past",
            "must be in the future",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{PAT_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let token = AccessToken {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: caller.id.clone(),
        name: body.name.trim().to_owned(),
        token_hash: token_hash(&secret),
        prefix: secret.chars().take(PAT_PREFIX.len() + 4).collect(),
        scopes: {
            let mut names: Vec<String> = body.scopes.iter().map(crate::enums::name).collect();
            names.sort();
            names.dedup();
            names.join(" ")
        },
        partnership_id: body.partnership_id.map(|p| p.to_string()),
        expires_at: body
            .expires_at
            .map(|t| crate::clock::to_micros(t).naive_utc()),
        last_used_at: None,
        revoked_at: None,
        created_at: now.naive_utc(),
    };
    let who = CallerRef::from(&caller);
    let token = crate::db::run(&state, move |conn| {
        ensure_mine(conn, token.partnership_id.as_deref(), &who)?;
        access_tokens::insert(conn, &token)?;
        Ok::<_, ApiError>(token)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/me/tokens/{}", token.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedTokenView {
            token: TokenView::from(&token),
            secret,
        }))
}

/// Paging through tokens.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTokensQuery {
    /// Created or revoked at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// My personal access tokens, revoked ones included (never the secrets).
#[utoipa::path(
    tag = "me",
    operation_id = "list_tokens",
    security(("bearer" = [])),
    params(ListTokensQuery),
    responses(
        (status = 200, description = "A page of tokens", body = pagination::Page<TokenView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[get("/me/tokens")]
pub async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListTokensQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let since = query.updated_since.map(|t| t.naive_utc());
    let user_id = caller.id.clone();
    let rows = crate::db::run(&state, move |conn| {
        access_tokens::list(conn, &user_id, since, after, limit + 1)
    })
    .await?;
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |t| (t.created_at, t.id.clone()),
        |t| TokenView::from(&t),
    ))
}

/// One of my tokens.
#[utoipa::path(
    tag = "me",
    operation_id = "get_token",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Token id")),
    responses(
        (status = 200, description = "The token", body = TokenView),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/me/tokens/{id}")]
pub async fn get_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (user_id, id) = (caller.id.clone(), id.to_string());
    let token = crate::db::run(&state, move |conn| {
        access_tokens::find_for_user(conn, &user_id, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(TokenView::from(&token)))
}

/// Revoke one of my tokens: it stops working at once. Revoking again changes nothing.
#[utoipa::path(
    tag = "me",
    operation_id = "revoke_token",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/me/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (user_id, id) = (caller.id.clone(), id.to_string());
    crate::db::run(&state, move |conn| {
        let token = access_tokens::find_for_user(conn, &user_id, &id)?;
        access_tokens::revoke(conn, &token.id, crate::clock::now().naive_utc())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
