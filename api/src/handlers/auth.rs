//! Accounts and tokens: register, sign in, refresh, sign out.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use tandem_store::sessions::{self, Rotation};
use tandem_store::users::{self, NewUser};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::tokens::TokenType;
use crate::auth::{Caller, password};
use crate::conditional::etag;
use crate::error::ApiError;
use crate::extract::Json;
use crate::handlers::me::UserView;
use crate::state::AppState;
use crate::validation;

/// A new account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "ada@example.com",
    "password": "correct horse battery staple",
    "display_name": "Ada Lovelace",
    "time_zone": "Europe/London"
}))]
pub struct RegisterRequest {
    /// Sign-in email; unique regardless of case.
    #[validate(custom(function = "validation::email"))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// At least 10 characters.
    #[validate(length(min = 10, max = 256))]
    #[schema(format = Password, min_length = 10, max_length = 256)]
    pub password: String,
    /// Name shown to partners.
    #[validate(custom(function = "validation::display_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"^\s*\S")]
    pub display_name: String,
    /// IANA time zone, used for meeting times and dates.
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
}

/// Credentials for a new session.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery staple"}))]
pub struct TokenRequest {
    /// The account's email, in any case.
    #[validate(length(max = 254))]
    #[schema(max_length = 254)]
    pub email: String,
    /// The account's password.
    #[validate(length(max = 256))]
    #[schema(format = Password, max_length = 256)]
    pub password: String,
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJyZWZyZXNoIn0.c2ln"}))]
pub struct RefreshRequest {
    /// The refresh token from the last token response; each one works once.
    #[validate(length(max = 4096))]
    #[schema(max_length = 4096)]
    pub refresh_token: String,
}

/// A fresh token pair.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJhY2Nlc3MifQ.c2ln",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJyZWZyZXNoIn0.c2ln",
    "refresh_expires_in": 2592000
}))]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u32,
    /// Single-use token for `POST /v1/auth/refresh`.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u32,
}

/// Create an account.
///
/// The email is stored lower-cased; registering an email that already has an account is 409.
#[utoipa::path(
    tag = "auth",
    operation_id = "register",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = UserView,
            headers(("Location" = String, description = "Where the account lives: /v1/me"),
                    ("ETag" = String, description = "Version of the account"))),
        (status = 409, response = crate::openapi::Conflict),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::rate_limit::check(&state, &req)?;
    let email = validation::normalise_email(&body.email);
    let password = body.password;
    let hash = web::block(move || password::hash(&password))
        .await
        .map_err(ApiError::internal)??;
    let display_name = body.display_name.trim().to_owned();
    let time_zone = body.time_zone;
    let user = crate::db::run(&state, move |conn| {
        users::insert(
            conn,
            &NewUser {
                email: &email,
                display_name: &display_name,
                time_zone: &time_zone,
                password_hash: Some(&hash),
                external_id: None,
            },
            Utc::now(),
        )
    })
    .await
    .map_err(|e| match e {
        ApiError::Conflict(_) => {
            ApiError::Conflict("an account with this email already exists".into())
        }
        other => other,
    })?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/v1/me"))
        .insert_header((header::ETAG, etag(user.version)))
        .json(UserView::from(user)))
}

/// Sign in: exchange email and password for a token pair.
///
/// A wrong password and an unknown email get the same answer, in the same time.
#[utoipa::path(
    tag = "auth",
    operation_id = "issue_token",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::rate_limit::check(&state, &req)?;
    let email = validation::normalise_email(&body.email);
    let user = crate::db::run(&state, move |conn| users::find_by_email(conn, &email)).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = body.password;
    let ok = web::block(move || password::verify(&password, stored.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let user = match (ok, user) {
        (true, Some(user)) if user.deactivated_at.is_none() => user,
        _ => return Err(ApiError::Unauthorized("invalid email or password".into())),
    };
    let (session_id, jti, now) = (Uuid::new_v4(), Uuid::new_v4(), Utc::now());
    let refresh_expires = now + Duration::seconds(state.config.refresh_token_ttl.into());
    let user_id = user.id;
    crate::db::run(&state, move |conn| {
        sessions::create(conn, session_id, user_id, jti, now, refresh_expires)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(token_pair(&state, user_id, session_id, jti)?))
}

/// Exchange a refresh token for a new pair.
///
/// Each refresh token works once. Presenting one that was already exchanged means it leaked: the
/// whole session is revoked and every token from it stops working.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair; the old refresh token is spent", body = TokenResponse),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::rate_limit::check(&state, &req)?;
    let claims = state
        .tokens
        .verify(&body.refresh_token, TokenType::Refresh)?;
    let (jti, subject) = (claims.token_id()?, claims.subject()?);
    let (new_jti, now) = (Uuid::new_v4(), Utc::now());
    let expires = now + Duration::seconds(state.config.refresh_token_ttl.into());
    let rotation = crate::db::run(&state, move |conn| {
        sessions::rotate(conn, jti, new_jti, now, expires)
    })
    .await?;
    match rotation {
        Rotation::Rotated {
            user_id,
            session_id,
        } if user_id == subject => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(token_pair(&state, user_id, session_id, new_jti)?)),
        Rotation::Reused => Err(ApiError::Unauthorized(
            "this refresh token was already used; the session has been revoked, sign in again"
                .into(),
        )),
        _ => Err(ApiError::Unauthorized(
            "the refresh token is invalid or expired".into(),
        )),
    }
}

/// Sign out: end the session of the calling access token (its refresh token dies with it).
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let session_id = caller.session_id().ok_or_else(|| {
        ApiError::Forbidden(
            "sign-out ends a sign-in session; revoke an access token with DELETE /v1/me/tokens/{id}"
                .into(),
        )
    })?;
    crate::db::run(&state, move |conn| {
        sessions::revoke(conn, session_id, Utc::now(), "logout")
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn token_pair(
    state: &AppState,
    user_id: Uuid,
    session_id: Uuid,
    refresh_jti: Uuid,
) -> Result<TokenResponse, ApiError> {
    let now = Utc::now();
    let config = &state.config;
    Ok(TokenResponse {
        access_token: state.tokens.issue(
            TokenType::Access,
            user_id,
            session_id,
            Uuid::new_v4(),
            now,
            Duration::seconds(config.access_token_ttl.into()),
        )?,
        token_type: "Bearer".into(),
        expires_in: config.access_token_ttl,
        refresh_token: state.tokens.issue(
            TokenType::Refresh,
            user_id,
            session_id,
            refresh_jti,
            now,
            Duration::seconds(config.refresh_token_ttl.into()),
        )?,
        refresh_expires_in: config.refresh_token_ttl,
    })
}
