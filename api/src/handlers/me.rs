//! The signed-in user's own account.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_store::sessions;
use tandem_store::users::{self, ProfileChanges, User};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Caller, password};
use crate::conditional::{etag, expected_version, not_modified};
use crate::error::ApiError;
use crate::extract::{Json, non_null};
use crate::state::AppState;
use crate::validation;

/// An account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56",
    "email": "ada@example.com",
    "display_name": "Ada Lovelace",
    "time_zone": "Europe/London",
    "created_at": "2026-11-25T09:00:00Z",
    "updated_at": "2026-11-25T09:00:00Z"
}))]
pub struct UserView {
    /// Stable id.
    pub id: Uuid,
    /// Sign-in email, lower-cased.
    #[schema(format = Email)]
    pub email: String,
    /// Name shown to partners.
    pub display_name: String,
    /// IANA time zone.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            time_zone: user.time_zone,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// A profile edit (JSON merge patch: send only what changes; `null` is refused).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Ada King", "time_zone": "America/New_York"}))]
pub struct UpdateMeRequest {
    /// New display name.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validation::display_name"))]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 100,
        pattern = r"^\s*\S"
    )]
    pub display_name: Option<String>,
    /// New IANA time zone.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(nullable = false, value_type = Option<crate::openapi::TimeZone>)]
    pub time_zone: Option<String>,
    /// New password (at least 10 characters); requires `current_password` (403 if it is wrong).
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 10, max = 256))]
    #[schema(nullable = false, format = Password, min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// The current password, required to set a new one.
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(max = 256))]
    #[schema(nullable = false, format = Password, max_length = 256)]
    pub current_password: Option<String>,
}

/// The signed-in user's account.
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
#[get("/me")]
pub async fn get_me(req: HttpRequest, caller: Caller) -> HttpResponse {
    let tag = etag(caller.user.version);
    if not_modified(&req, &tag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(UserView::from(caller.user))
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
        (status = 403, response = crate::openapi::Forbidden),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/me")]
pub async fn update_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut changes = ProfileChanges {
        display_name: body.display_name.map(|n| n.trim().to_owned()),
        time_zone: body.time_zone,
        password_hash: None,
    };
    if let Some(new_password) = body.password {
        let Some(current) = body.current_password else {
            return Err(ApiError::field(
                "current_password",
                "required",
                "the current password is required to set a new one",
            ));
        };
        let stored = caller.user.password_hash.clone();
        let hash = web::block(move || {
            if password::verify(&current, stored.as_deref()) {
                password::hash(&new_password).map(Some)
            } else {
                Ok(None)
            }
        })
        .await
        .map_err(ApiError::internal)??;
        changes.password_hash =
            Some(hash.ok_or_else(|| {
                ApiError::Forbidden("the current password is not correct".into())
            })?);
    }
    let expected = expected_version(&req)?;
    let user_id = caller.user.id;
    let keep = caller.session_id();
    let user = crate::db::run(&state, move |conn| {
        tandem_store::write_transaction(conn, |conn| {
            let new_password = changes.password_hash.is_some();
            let user = users::update_profile(conn, user_id, &changes, expected, Utc::now())?;
            if new_password {
                sessions::revoke_all_but(conn, user_id, keep, Utc::now(), "password changed")?;
            }
            Ok::<_, tandem_store::StoreError>(user)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(user.version)))
        .json(UserView::from(user)))
}
