//! Accounts and sessions: register, sign in, refresh, sign out. Bearer tokens are signed here;
//! the sessions they stand for are the application's.

mod params;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Duration;
use tandem_app::Rule;
use tandem_app::identity::{self, Registration, Session};
use uuid::Uuid;

use crate::auth::Caller;
use crate::auth::tokens::TokenType;
use crate::http::conditional::etag;
use crate::http::extract::Json;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::accounts::{TokenResponse, UserView};
pub use params::{RefreshRequest, RegisterRequest, TokenRequest};

refusals! {
    "register": [EmailTaken];
    "logout": [SignInRequired];
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
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::http::rate_limit::check(&state, &req)?;
    let password = body.password;
    let password_hash = state
        .app
        .compute(move || identity::hash_password(&password))
        .await??;
    let new = Registration {
        email: identity::normalise_email(&body.email),
        display_name: body.display_name,
        time_zone: body.time_zone,
        password_hash,
    };
    let user = state
        .app
        .write(move |tx| identity::register(tx, &new))
        .await?;
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
#[post("/token")]
pub async fn issue_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::http::rate_limit::check(&state, &req)?;
    let email = identity::normalise_email(&body.email);
    let user = state
        .app
        .read(move |tx| identity::account_by_email(tx, &email))
        .await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = body.password;
    let ok = state
        .app
        .compute(move || identity::verify_password(&password, stored.as_deref()))
        .await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::Unauthorized("invalid email or password".into()));
    };
    let session = state
        .app
        .write(move |tx| identity::open_session(tx, &user))
        .await?;
    token_pair(&state, session)
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
#[post("/refresh")]
pub async fn refresh_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::http::rate_limit::check(&state, &req)?;
    let claims = state
        .tokens
        .verify(&body.refresh_token, TokenType::Refresh, state.app.now())?;
    let (jti, subject) = (claims.token_id()?, claims.subject()?);
    let session = state
        .app
        .write(move |tx| identity::rotate(tx, jti, subject))
        .await?
        .into_result()?;
    token_pair(&state, session)
}

/// Sign out.
///
/// Ends the session of the calling access token: the token and its refresh token stop working at
/// once. Other sessions of the same account are untouched.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"))
)]
#[post("/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let session_id = caller.session_id().ok_or_else(|| {
        ApiError::refused(
            Rule::SignInRequired,
            "sign-out ends a sign-in session; revoke an access token with DELETE /v1/me/tokens/{id}",
        )
    })?;
    // Confirmed first: an ended session gets 401, not a second sign-out.
    state
        .app
        .write_by(&caller.principal(), move |tx, _| {
            identity::close_session(tx, session_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An access token and a refresh token for a session, signed now.
fn token_pair(state: &AppState, session: Session) -> Result<HttpResponse, ApiError> {
    let now = state.app.now();
    let config = &state.config;
    let sign = |typ, jti, ttl: u32| {
        state.tokens.issue(
            typ,
            session.user_id,
            session.id,
            jti,
            now,
            Duration::seconds(ttl.into()),
        )
    };
    let pair = TokenResponse {
        access_token: sign(TokenType::Access, Uuid::new_v4(), config.access_token_ttl)?,
        token_type: crate::views::accounts::TokenScheme::Bearer,
        expires_in: config.access_token_ttl,
        refresh_token: sign(
            TokenType::Refresh,
            session.refresh_jti,
            config.refresh_token_ttl,
        )?,
        refresh_expires_in: config.refresh_token_ttl,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(pair))
}
