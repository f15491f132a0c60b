//! The signed-in user's own account.

mod params;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, web};
use tandem_app::identity::{self, ProfileEdit};

use crate::auth::Caller;
use crate::http::conditional::{current, expected_version, tagged};
use crate::http::extract::Json;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::accounts::UserView;
pub use params::UpdateMeRequest;

refusals! {
    "update_me": [WrongPassword];
}

/// The signed-in user's account.
///
/// The account behind the token: id, email, display name and time zone (which every local date of
/// the API uses). Carries an ETag: send it as `If-Match` to `PATCH /v1/me`.
#[utoipa::path(
    tag = "me",
    operation_id = "get_me",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response; 304 if unchanged")),
    responses(
        (status = 200, description = "The account", body = UserView,
            headers(("ETag" = String, description = "Version of the account, for If-Match and If-None-Match"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
    )
)]
#[get("")]
pub async fn get_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let user = caller.account(&state).await?;
    Ok(current(&req, user.version, UserView::from(user)))
}

/// Change the signed-in user's display name, time zone or password.
///
/// A new password needs the current one, and ends every other sign-in session of the account
/// (personal access tokens stay; revoke them separately).
#[utoipa::path(
    tag = "me",
    operation_id = "update_me",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#,
        description = "The ETag you last read; 412 if the account changed since")),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The updated account", body = UserView,
            headers(("ETag" = String, description = "New version of the account"))),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("")]
pub async fn update_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let password_hash = match body.password {
        None => None,
        Some(new_password) => {
            Some(new_password_hash(&state, &caller, body.current_password, new_password).await?)
        }
    };
    let edit = ProfileEdit {
        display_name: body.display_name,
        time_zone: body.time_zone,
        password_hash,
    };
    let (actor, keep) = (caller.principal(), caller.session_id());
    let user = state
        .app
        .write_by(&actor, move |tx, actor| {
            identity::update_profile(tx, actor, edit, expected, keep)
        })
        .await?;
    Ok(tagged(StatusCode::OK, user.version, UserView::from(user)))
}

/// The hash of a new password, once the current one is verified.
async fn new_password_hash(
    state: &AppState,
    caller: &Caller,
    current_password: Option<String>,
    new_password: String,
) -> Result<String, ApiError> {
    let Some(current) = current_password else {
        return Err(ApiError::field(
            "current_password",
            "required",
            "the current password is required to set a new one",
        ));
    };
    let stored = caller.account(state).await?.password_hash;
    let hash = state
        .app
        .compute(move || {
            identity::verify_password(&current, stored.as_deref())
                .then(|| identity::hash_password(&new_password))
                .transpose()
        })
        .await??;
    hash.ok_or_else(|| identity::wrong_password().into())
}
