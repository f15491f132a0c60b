//! Access and refresh tokens: HS256 JWTs whose validation pins the algorithm and requires and
//! checks every registered claim, plus a token-type claim so one kind can never pass for the other.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::http::problem::ApiError;

/// `iss` of every token Tandem issues.
pub const ISSUER: &str = "tandem";
/// `aud` of every token Tandem issues.
pub const AUDIENCE: &str = "tandem-api";
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;
/// Shortest signing secret accepted (HS256 wants at least its 256-bit output size).
pub const MIN_SECRET_BYTES: usize = 32;

/// Which job a token does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    /// Short-lived bearer credential for API calls.
    Access,
    /// Long-lived, single-use credential that only buys a new pair at `/v1/auth/refresh`.
    Refresh,
}

/// The claims Tandem puts in (and demands of) its tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// Unique token id; for refresh tokens the key of its stored row.
    pub jti: String,
    /// Token type.
    pub typ: TokenType,
    /// The login session.
    pub sid: String,
}

impl Claims {
    /// The user id; a token that does not carry a UUID here is not ours.
    pub fn subject(&self) -> Result<Uuid, ApiError> {
        Uuid::parse_str(&self.sub).map_err(|_| invalid())
    }
    /// The session id.
    pub fn session(&self) -> Result<Uuid, ApiError> {
        Uuid::parse_str(&self.sid).map_err(|_| invalid())
    }
    /// The token id.
    pub fn token_id(&self) -> Result<Uuid, ApiError> {
        Uuid::parse_str(&self.jti).map_err(|_| invalid())
    }
}

/// A token "issued" later than now (beyond the leeway) was minted by a clock that is wrong, or
/// by someone preparing tokens for later use: refused, for Tandem's own and external tokens.
pub fn issued_in_the_future(iat: i64, now: DateTime<Utc>) -> bool {
    iat > now.timestamp() + LEEWAY_SECONDS as i64
}

fn invalid() -> ApiError {
    ApiError::Unauthorized("the token is invalid or expired".into())
}

/// Signing and verification keys with their fixed validation rules.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    /// Keys from a shared secret of at least [`MIN_SECRET_BYTES`].
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Signs a token of `typ` for `user_id` in `session_id`, valid from `now` for `ttl`.
    pub fn issue(
        &self,
        typ: TokenType,
        user_id: Uuid,
        session_id: Uuid,
        jti: Uuid,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.to_string(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + ttl).timestamp(),
            jti: jti.to_string(),
            typ,
            sid: session_id.to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Verifies signature, algorithm, issuer, audience, time claims and type at `now`; any
    /// failure is 401.
    pub fn verify(
        &self,
        token: &str,
        expected: TokenType,
        now: DateTime<Utc>,
    ) -> Result<Claims, ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            tracing::debug!(error = %e, "token refused");
            invalid()
        })?;
        if data.claims.typ != expected || issued_in_the_future(data.claims.iat, now) {
            return Err(invalid());
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
// jsonwebtoken judges `exp` against the wall clock, so these tokens are issued at it.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&[7u8; 32])
    }

    #[test]
    fn a_fresh_access_token_verifies() {
        let (user, session) = (Uuid::new_v4(), Uuid::new_v4());
        let token = keys()
            .issue(
                TokenType::Access,
                user,
                session,
                Uuid::new_v4(),
                Utc::now(),
                Duration::minutes(5),
            )
            .unwrap();
        let claims = keys()
            .verify(&token, TokenType::Access, Utc::now())
            .unwrap();
        assert_eq!(claims.subject().unwrap(), user);
        assert_eq!(claims.session().unwrap(), session);
    }

    #[test]
    fn a_refresh_token_is_not_an_access_token() {
        let token = keys()
            .issue(
                TokenType::Refresh,
                Uuid::new_v4(),
                Uuid::new_v4(),
                Uuid::new_v4(),
                Utc::now(),
                Duration::minutes(5),
            )
            .unwrap();
        assert!(
            keys()
                .verify(&token, TokenType::Access, Utc::now())
                .is_err()
        );
    }

    #[test]
    fn another_secret_is_refused() {
        let token = TokenKeys::new(&[8u8; 32])
            .issue(
                TokenType::Access,
                Uuid::new_v4(),
                Uuid::new_v4(),
                Uuid::new_v4(),
                Utc::now(),
                Duration::minutes(5),
            )
            .unwrap();
        assert!(
            keys()
                .verify(&token, TokenType::Access, Utc::now())
                .is_err()
        );
    }
}
