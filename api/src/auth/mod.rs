//! Authentication: who is calling. Authorization (what they may see) lives with each resource.

pub mod external;
pub mod password;
pub mod tokens;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use actix_web::{HttpMessage, ResponseError};
use futures_util::future::LocalBoxFuture;
use tandem_app::identity::{ExternalIdentity, User};
use tandem_app::{Actor, Principal, Rule};
use tandem_domain::token::Scope;
use uuid::Uuid;

use crate::http::problem::ApiError;
use crate::http::routing::RouteTable;
use crate::state::AppState;
use tokens::TokenType;

/// Routes (method, pattern) a `readings:write` token may call besides reads; the OpenAPI document
/// annotates exactly these operations with that scope.
pub const READINGS_WRITES: [(&str, &str); 4] = [
    ("POST", "/v1/goals/{id}/readings"),
    ("POST", "/v1/readings/batch"),
    ("PATCH", "/v1/readings/{id}"),
    ("DELETE", "/v1/readings/{id}"),
];

pub use tandem_app::tokens::PAT_PREFIX;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A Tandem access token from a sign-in session.
    Session(Uuid),
    /// A personal access token.
    AccessToken {
        /// The token's id.
        id: String,
        /// What it may do.
        scopes: Vec<Scope>,
    },
    /// A token from a trusted external issuer.
    External {
        /// The issuer.
        issuer: String,
    },
}

/// The authenticated caller: who the credential names and how they proved it. Taking this as a
/// handler argument is what makes an endpoint require a bearer token.
///
/// A sign-in session's token is checked here by its signature only; whether the session is
/// still open is asked by the request's own unit of work ([`Caller::principal`] given to
/// `App::read_by`/`write_by`), so a request takes one blocking hop, not two. A request whose
/// handler never asked is asked by [`confirm_sessions`] before its response leaves, so an ended
/// session gets 401 whatever else was wrong with the request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user id as text, the form ids take in queries and views.
    pub id: String,
    /// How they signed in.
    pub credential: Credential,
    principal: Principal,
    /// The account, when the credential was confirmed by a lookup that read it.
    account: Option<User>,
}

impl Caller {
    /// Who the use cases act for; confirmed by the first unit of work that receives it.
    pub fn principal(&self) -> Principal {
        self.principal.clone()
    }

    /// The account as stored now: for a session not yet confirmed, confirming it costs a unit of
    /// work of its own (only profile endpoints need the whole account).
    pub async fn account(&self, state: &AppState) -> Result<User, ApiError> {
        if let Some(user) = self.account.as_ref().or(self.principal.session_user()) {
            return Ok(user.clone());
        }
        state.app.read_by(&self.principal, |_, _| Ok(())).await?;
        self.principal
            .session_user()
            .cloned()
            .ok_or_else(|| ApiError::internal("a confirmed session without its account"))
    }

    /// The sign-in session, for what only a session may do (sign out, manage tokens): 403 for an
    /// access token, which must not mint or manage credentials.
    pub fn session_id(&self) -> Option<Uuid> {
        match self.credential {
            Credential::Session(id) => Some(id),
            _ => None,
        }
    }

    /// Refuses personal access tokens (403): managing credentials needs a sign-in.
    pub fn require_sign_in(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::AccessToken { .. } => Err(ApiError::refused(
                Rule::SignInRequired,
                "personal access tokens cannot do this; use a signed-in session",
            )),
            _ => Ok(()),
        }
    }

    /// A caller confirmed by a lookup of their account (access tokens, external issuers).
    fn confirmed(
        state: &AppState,
        user: User,
        credential: Credential,
        only: Option<String>,
    ) -> Caller {
        let actor = Actor::of(&user, only, state.app.settings());
        Caller {
            id: actor.id.clone(),
            credential,
            principal: Principal::confirmed(actor),
            account: Some(user),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(caller) = req.extensions().get::<Caller>() {
            let caller = caller.clone();
            return Box::pin(async move { Ok(caller) });
        }
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let method = req.method().as_str().to_owned();
        let pattern = req.match_pattern().unwrap_or_default();
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("app state missing"))?;
            let caller = resolve(&state, &token?).await?;
            if let Credential::AccessToken { scopes, .. } = &caller.credential {
                allowed(scopes, &method, &pattern)?;
            }
            // Kept for `confirm_sessions`, which asks about a session no unit of work asked about.
            req.extensions_mut().insert(caller.clone());
            Ok(caller)
        })
    }
}

/// Who a bearer token belongs to: a personal access token, a trusted external issuer's token, or
/// a Tandem session token; 401 for anything else and for deactivated accounts.
async fn resolve(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let caller = if token.starts_with(PAT_PREFIX) {
        access_token_caller(state, token).await?
    } else {
        match external::unverified_issuer(token) {
            Some(iss) if iss != tokens::ISSUER && state.external.find(&iss).is_some() => {
                external_caller(state, token, &iss).await?
            }
            _ => session_caller(state, token).await?,
        }
    };
    if caller
        .account
        .as_ref()
        .is_some_and(|user| user.deactivated_at.is_some())
    {
        return Err(ApiError::Unauthorized("the account is deactivated".into()));
    }
    Ok(caller)
}

/// Middleware: no response leaves for a session nobody confirmed. A handler's unit of work
/// confirms its caller's session on its way (see [`Caller`]); when a request ended without one
/// (refused by validation, say, or answered without the database), the session is asked about
/// here, and an ended one turns the response into 401, as if it had been asked first.
pub async fn confirm_sessions(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?.map_into_boxed_body();
    let pending = res
        .request()
        .extensions()
        .get::<Caller>()
        .map(Caller::principal)
        .filter(Principal::is_pending);
    let (Some(principal), Some(state)) = (pending, state) else {
        return Ok(res);
    };
    match state.app.read_by(&principal, |_, _| Ok(())).await {
        Ok(()) => Ok(res),
        Err(e) => {
            let req = res.request().clone();
            Ok(ServiceResponse::new(
                req,
                ApiError::from(e).error_response(),
            ))
        }
    }
}

/// Middleware: a personal access token's scopes are enforced before anything else looks at the
/// request (a read-only token gets 403 for a write even when its body is invalid). A token that
/// passes is kept in the request for the [`Caller`] extractor; one that does not resolve is left
/// to the extractor's 401.
pub async fn enforce_token_scopes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let token = bearer_token(req.request())
        .ok()
        .filter(|t| t.starts_with(PAT_PREFIX));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let routes = req.app_data::<web::Data<RouteTable>>().cloned();
    if let (Some(token), Some(state), Some(routes)) = (token, state, routes)
        && let Ok(caller) = resolve(&state, &token).await
        && let Credential::AccessToken { scopes, .. } = &caller.credential
    {
        let pattern = routes.template(req.path()).unwrap_or_default().to_owned();
        if let Err(refused) = allowed(scopes, req.method().as_str(), &pattern) {
            let (req, _) = req.into_parts();
            return Ok(ServiceResponse::new(req, refused.error_response()));
        }
        req.extensions_mut().insert(caller);
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Whether a token with `scopes` may call `method` on the route `pattern` (403 if not).
fn allowed(scopes: &[Scope], method: &str, pattern: &str) -> Result<(), ApiError> {
    let read = matches!(method, "GET" | "HEAD");
    let ok = scopes.iter().any(|s| match s {
        Scope::Full => true,
        Scope::Read => read,
        Scope::ReadingsWrite => {
            read || READINGS_WRITES
                .iter()
                .any(|(m, p)| *m == method && *p == pattern)
        }
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::refused(
            Rule::TokenScope,
            "this access token's scopes do not allow this request",
        ))
    }
}

async fn session_caller(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let claims = state
        .tokens
        .verify(token, TokenType::Access, state.app.now())?;
    let (user_id, session_id) = (claims.subject()?, claims.session()?);
    Ok(Caller {
        id: user_id.to_string(),
        credential: Credential::Session(session_id),
        principal: Principal::session(user_id, session_id),
        account: None,
    })
}

async fn access_token_caller(state: &AppState, secret: &str) -> Result<Caller, ApiError> {
    let secret = secret.to_owned();
    let (token, user) = state
        .app
        .write(move |tx| tandem_app::tokens::holder(tx, &secret))
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized("the access token is invalid, expired or revoked".into())
        })?;
    let credential = Credential::AccessToken {
        scopes: tandem_app::tokens::scopes(&token),
        id: token.id,
    };
    Ok(Caller::confirmed(
        state,
        user,
        credential,
        token.partnership_id,
    ))
}

async fn external_caller(state: &AppState, token: &str, iss: &str) -> Result<Caller, ApiError> {
    let issuer = state
        .external
        .find(iss)
        .ok_or_else(|| ApiError::Unauthorized("the token is invalid or expired".into()))?;
    let verified = issuer.verify(token, state.app.now())?;
    let identity = ExternalIdentity {
        issuer: verified.issuer,
        subject: verified.subject,
        email: verified.email,
        name: verified.name,
    };
    let create = issuer.config.create_users;
    let user = state
        .app
        .write(move |tx| {
            tandem_app::identity::external_account(tx, &identity, create, |e| {
                crate::http::validation::email(e).is_ok()
            })
        })
        .await?
        .ok_or_else(|| ApiError::Unauthorized("this identity has no Tandem account".into()))?;
    let credential = Credential::External {
        issuer: iss.to_owned(),
    };
    Ok(Caller::confirmed(state, user, credential, None))
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
