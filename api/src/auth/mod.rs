//! Authentication: who is calling. Authorization (what they may see) lives with each resource.

pub mod password;
pub mod tokens;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use tandem_store::users::User;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use tokens::TokenType;

/// The authenticated caller: a live session's user. Taking this as a handler argument is what makes
/// an endpoint require a bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user id as text, the form ids take in queries and views.
    pub id: String,
    /// The signed-in user, as stored now (not as when the token was issued).
    pub user: User,
    /// The login session the access token belongs to.
    pub session_id: Uuid,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("app state missing"))?;
            let token = token?;
            let claims = state.tokens.verify(&token, TokenType::Access)?;
            let (user_id, session_id) = (claims.subject()?, claims.session()?);
            let user = crate::db::run(&state, move |conn| {
                tandem_store::sessions::live_user(conn, user_id, session_id)
            })
            .await?
            .ok_or_else(|| ApiError::Unauthorized("the session has ended; sign in again".into()))?;
            Ok(Caller {
                id: user.id.to_string(),
                user,
                session_id,
            })
        })
    }
}

/// Reads `Authorization: Bearer <token>`; tokens are never taken from the query string.
fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("an Authorization: Bearer token is required".into()))?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not readable".into()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::Unauthorized("expected 'Authorization: Bearer <token>'".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "expected 'Authorization: Bearer <token>'".into(),
        ));
    }
    Ok(token.trim().to_owned())
}
