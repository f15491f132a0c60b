//! Personal access tokens: how dashboards, spreadsheets and integrations call Tandem without a
//! password. Managing them needs a signed-in session, never a token.

mod params;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use tandem_app::tokens::{self, NewToken};

use crate::auth::Caller;
use crate::http::extract::{Json, Query};
use crate::http::list;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::tokens::{CreatedTokenView, TokenView};
pub use params::{CreateTokenRequest, ListTokensQuery};

refusals! {
    "create_token": [SignInRequired];
    "list_tokens": [SignInRequired];
    "get_token": [SignInRequired];
    "revoke_token": [SignInRequired];
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
    )
)]
#[post("")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let actor = caller.principal();
    let new = NewToken {
        name: body.name,
        scopes: body.scopes,
        expires_at: body.expires_at,
        partnership_id: body.partnership_id.map(|p| p.to_string()),
    };
    let (token, secret) = state
        .app
        .write_by(&actor, move |tx, actor| tokens::create(tx, actor, &new))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/me/tokens/{}", token.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedTokenView {
            token: TokenView::from(&token),
            secret,
        }))
}

/// My personal access tokens, revoked ones included (never the secrets).
///
/// Every personal access token of the caller with its name, scope, partnership limit, expiry and
/// last use. The secret is shown once, when a token is created, and never again.
#[utoipa::path(
    tag = "me",
    operation_id = "list_tokens",
    security(("bearer" = [])),
    params(ListTokensQuery),
    responses(
        (status = 200, description = "A page of tokens", body = crate::http::list::Page<TokenView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
    )
)]
#[get("")]
pub async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListTokensQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let since = query.updated_since.map(|t| t.naive_utc());
    let actor = caller.principal();
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            tokens::list(tx, actor, since, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |t| (t.created_at, t.id.clone()),
        |t| TokenView::from(&t),
    ))
}

/// One of my tokens.
///
/// A token's name, scope, partnership limit, expiry, last use and revocation, never its secret.
/// Someone else's token is 404.
#[utoipa::path(
    tag = "me",
    operation_id = "get_token",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Token id")),
    responses(
        (status = 200, description = "The token", body = TokenView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{id}")]
pub async fn get_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (actor, id) = (caller.principal(), id.to_string());
    let token = state
        .app
        .read_by(&actor, move |tx, actor| tokens::get(tx, actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(TokenView::from(&token)))
}

/// Revoke one of my tokens.
///
/// The token stops working at once (401 on its next use). Revoking an already revoked token changes
/// nothing and still answers 204; someone else's token is 404.
#[utoipa::path(
    tag = "me",
    operation_id = "revoke_token",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_sign_in()?;
    let (actor, id) = (caller.principal(), id.to_string());
    state
        .app
        .write_by(&actor, move |tx, actor| tokens::revoke(tx, actor, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
