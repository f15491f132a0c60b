//! Provisioning for HR systems: admins upsert people by the HR system's own id, deactivate them
//! (every credential stops working; their data stays) and list them. Admins see accounts, never
//! partnership contents.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_store::users::{self, NewUser, Provisioning, User};
use tandem_store::{DbConnection, access_tokens, sessions, write_transaction};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Caller;
use crate::conditional::{etag, expected_version};
use crate::error::ApiError;
use crate::extract::Query;
use crate::extract::{Json, non_null};
use crate::pagination;
use crate::state::AppState;
use crate::validation;

/// An account as provisioning sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "external_id": "hr-10442", "email": "ada@example.com",
    "display_name": "Ada Lovelace", "time_zone": "Europe/London", "active": true, "is_admin": false,
    "deactivated_at": null, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"
}))]
pub struct AdminUserView {
    /// Tandem's id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The provisioning system's id.
    pub external_id: Option<String>,
    /// Email.
    #[schema(format = Email)]
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Time zone.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// Not deactivated.
    pub active: bool,
    /// Holds the admin role.
    pub is_admin: bool,
    /// When it was deactivated.
    pub deactivated_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for AdminUserView {
    fn from(u: &User) -> Self {
        AdminUserView {
            id: u.id.to_string(),
            external_id: u.external_id.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            time_zone: u.time_zone.clone(),
            active: u.deactivated_at.is_none(),
            is_admin: u.is_admin,
            deactivated_at: u.deactivated_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

fn admin_only(caller: &Caller, state: &AppState) -> Result<(), ApiError> {
    if caller.is_admin(state) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("this needs the admin role".into()))
    }
}

/// A person as the provisioning system knows them.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ada@example.com", "display_name": "Ada Lovelace", "time_zone": "Europe/London"}))]
pub struct ProvisionUserRequest {
    /// Email (unique in Tandem).
    #[validate(custom(function = "validation::email"))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Display name.
    #[validate(custom(function = "validation::display_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"^\s*\S")]
    pub display_name: String,
    /// IANA time zone.
    #[validate(custom(function = "validation::time_zone"))]
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// `false` deactivates, `true` reactivates; absent leaves it as it is (new accounts are
    /// active).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

/// Ends every credential of a deactivated account.
fn end_credentials(conn: &mut DbConnection, user: &User) -> Result<(), ApiError> {
    let now = crate::clock::now();
    sessions::revoke_all(conn, user.id, now, "deactivated")?;
    access_tokens::revoke_all(conn, &user.id.to_string(), now.naive_utc())?;
    Ok(())
}

fn active_change(user: &User, active: Option<bool>) -> Option<Option<chrono::NaiveDateTime>> {
    match (active, user.deactivated_at) {
        (Some(false), None) => Some(Some(crate::clock::now().naive_utc())),
        (Some(true), Some(_)) => Some(None),
        _ => None,
    }
}

/// Create or update a person by the provisioning system's id (admins only).
///
/// An unknown id with the email of an account that has no provisioning id adopts that account; an
/// email that belongs to another provisioned person is 409. Provisioned accounts have no password:
/// people sign in through a trusted external issuer. `active: false` deactivates (sessions and
/// access tokens end at once; data stays).
#[utoipa::path(
    tag = "admin",
    operation_id = "provision_user",
    security(("bearer" = [])),
    params(("external_id" = String, Path, min_length = 1, max_length = 200, description = "The provisioning system's id"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "412 if the account changed since")),
    request_body = ProvisionUserRequest,
    responses(
        (status = 200, description = "Updated", body = AdminUserView, headers(("ETag" = String, description = "Its version"))),
        (status = 201, description = "Created or adopted", body = AdminUserView,
            headers(("Location" = String, description = "The account"), ("ETag" = String, description = "Its version"))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/admin/users/{external_id}")]
pub async fn provision_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    external_id: web::Path<String>,
    Json(body): Json<ProvisionUserRequest>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller, &state)?;
    let external_id = external_id.into_inner();
    validation::path_identifier("external_id", &external_id, 200)?;
    let expected = expected_version(&req)?;
    let email = validation::normalise_email(&body.email);
    let (created, user) = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let now = crate::clock::now();
            let existing = match users::find_by_external_id(conn, &external_id)? {
                Some(u) => Some(u),
                None => match users::find_by_email(conn, &email)? {
                    Some(u) if u.external_id.is_none() => Some(u),
                    Some(_) => {
                        return Err(ApiError::Conflict(
                            "this email belongs to another provisioned person".into(),
                        ));
                    }
                    None => None,
                },
            };
            let (created, user) = match existing {
                Some(u) => {
                    if expected.is_some_and(|v| v != u.version) {
                        return Err(ApiError::PreconditionFailed);
                    }
                    let adopted = u.external_id.is_none();
                    let changes = Provisioning {
                        email: Some(email.clone()).filter(|e| *e != u.email),
                        display_name: Some(body.display_name.trim().to_owned())
                            .filter(|n| *n != u.display_name),
                        time_zone: Some(body.time_zone.clone()).filter(|t| *t != u.time_zone),
                        external_id: adopted.then(|| external_id.clone()),
                        deactivated_at: active_change(&u, body.active),
                    };
                    let unchanged = changes.email.is_none()
                        && changes.display_name.is_none()
                        && changes.time_zone.is_none()
                        && changes.external_id.is_none()
                        && changes.deactivated_at.is_none();
                    let user = if unchanged {
                        u
                    } else {
                        users::provision(conn, u.id, &changes, now)?
                    };
                    (adopted, user)
                }
                None => {
                    let user = users::insert(
                        conn,
                        &NewUser {
                            email: &email,
                            display_name: body.display_name.trim(),
                            time_zone: &body.time_zone,
                            password_hash: None,
                            external_id: Some(&external_id),
                        },
                        now,
                    )?;
                    let user = match active_change(&user, body.active) {
                        Some(change) => users::provision(
                            conn,
                            user.id,
                            &Provisioning {
                                deactivated_at: Some(change),
                                ..Default::default()
                            },
                            now,
                        )?,
                        None => user,
                    };
                    (true, user)
                }
            };
            if user.deactivated_at.is_some() {
                end_credentials(conn, &user)?;
            }
            Ok((created, user))
        })
    })
    .await?;
    let mut res = if created {
        let mut r = HttpResponse::Created();
        r.insert_header((
            header::LOCATION,
            format!(
                "/v1/admin/users/{}",
                crate::routing::encode_segment(user.external_id.as_deref().unwrap_or_default())
            ),
        ));
        r
    } else {
        HttpResponse::Ok()
    };
    Ok(res
        .insert_header((header::ETAG, etag(user.version)))
        .json(AdminUserView::from(&user)))
}

/// Deactivate a person (admins only): every session and access token ends at once; their
/// partnerships, goals and readings stay. `PUT` with `active: true` reactivates.
#[utoipa::path(
    tag = "admin",
    operation_id = "deactivate_user",
    security(("bearer" = [])),
    params(("external_id" = String, Path, min_length = 1, max_length = 200, description = "The provisioning system's id")),
    responses(
        (status = 200, description = "Deactivated (or already)", body = AdminUserView),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/admin/users/{external_id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    caller: Caller,
    external_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller, &state)?;
    let external_id = external_id.into_inner();
    let user = crate::db::run(&state, move |conn| {
        write_transaction(conn, |conn| {
            let user = users::find_by_external_id(conn, &external_id)?.ok_or(ApiError::NotFound)?;
            let user = match active_change(&user, Some(false)) {
                Some(change) => users::provision(
                    conn,
                    user.id,
                    &Provisioning {
                        deactivated_at: Some(change),
                        ..Default::default()
                    },
                    crate::clock::now(),
                )?,
                None => user,
            };
            end_credentials(conn, &user)?;
            Ok::<_, ApiError>(user)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(user.version)))
        .json(AdminUserView::from(&user)))
}

/// One person by the provisioning system's id (admins only).
#[utoipa::path(
    tag = "admin",
    operation_id = "get_provisioned_user",
    security(("bearer" = [])),
    params(("external_id" = String, Path, min_length = 1, max_length = 200, description = "The provisioning system's id")),
    responses(
        (status = 200, description = "The account", body = AdminUserView, headers(("ETag" = String, description = "Its version"))),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/admin/users/{external_id}")]
pub async fn get_provisioned_user(
    state: web::Data<AppState>,
    caller: Caller,
    external_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller, &state)?;
    let external_id = external_id.into_inner();
    let user = crate::db::run(&state, move |conn| {
        users::find_by_external_id(conn, &external_id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(user.version)))
        .json(AdminUserView::from(&user)))
}

/// Paging through accounts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Changed at or after (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Every account, oldest first (admins only).
#[utoipa::path(
    tag = "admin",
    operation_id = "list_users",
    security(("bearer" = [])),
    params(ListUsersQuery),
    responses(
        (status = 200, description = "A page of accounts", body = pagination::Page<AdminUserView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[get("/admin/users")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListUsersQuery>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller, &state)?;
    let query = query.into_inner();
    let (limit, after) = pagination::parse(query.limit, query.cursor.as_deref())?;
    let since = query.updated_since.map(|t| t.naive_utc());
    let rows = crate::db::run(&state, move |conn| {
        users::list(conn, since, after, limit + 1)
    })
    .await?;
    Ok(pagination::respond(
        &req,
        rows,
        limit,
        |u| (u.created_at.naive_utc(), u.id.to_string()),
        |u| AdminUserView::from(&u),
    ))
}
