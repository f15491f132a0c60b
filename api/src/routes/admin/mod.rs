//! Provisioning for HR systems: admins upsert people by the HR system's own id, deactivate them
//! (every credential stops working; their data stays) and list them. Admins see accounts, never
//! partnership contents.

mod params;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use tandem_app::identity::{self, Provision};

use crate::auth::Caller;
use crate::http::conditional::{etag, expected_version, tagged};
use crate::http::extract::{Json, Query};
use crate::http::list;
use crate::http::problem::ApiError;
use crate::http::validation;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::accounts::AdminUserView;
pub use params::{ListUsersQuery, ProvisionUserRequest};

refusals! {
    "provision_user": [AdminOnly, EmailTaken];
    "get_provisioned_matching_profile": [AdminOnly];
    "deactivate_user": [AdminOnly];
    "get_provisioned_user": [AdminOnly];
    "list_users": [AdminOnly];
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
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/{external_id}")]
pub async fn provision_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    external_id: web::Path<String>,
    Json(body): Json<ProvisionUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let external_id = external_id.into_inner();
    validation::path_identifier("external_id", &external_id, 200)?;
    let expected = expected_version(&req)?;
    let person = Provision {
        email: identity::normalise_email(&body.email),
        display_name: body.display_name,
        time_zone: body.time_zone,
        active: body.active,
        placement: tandem_app::matching_profiles::Placement {
            department: body.department,
            level: body.level,
            manager_external_id: body.manager_external_id,
        },
    };
    let actor = caller.principal();
    let (created, user) = state
        .app
        .write_by(&actor, move |tx, actor| {
            identity::provision(tx, actor, &external_id, &person, expected)
        })
        .await?;
    if !created {
        return Ok(tagged(
            StatusCode::OK,
            user.version,
            AdminUserView::from(&user),
        ));
    }
    let id = crate::http::routing::encode_segment(user.external_id.as_deref().unwrap_or_default());
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/admin/users/{id}")))
        .insert_header((header::ETAG, etag(user.version)))
        .json(AdminUserView::from(&user)))
}

/// Deactivate a person (admins only).
///
/// Every session and access token of the person ends at once and they cannot sign in; their
/// partnerships, goals and readings stay, and their feed links stop working. `PUT
/// /v1/admin/users/{external_id}` with `active: true` reactivates.
#[utoipa::path(
    tag = "admin",
    operation_id = "deactivate_user",
    security(("bearer" = [])),
    params(("external_id" = String, Path, min_length = 1, max_length = 200, description = "The provisioning system's id")),
    responses(
        (status = 200, description = "Deactivated (or already)", body = AdminUserView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/{external_id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    caller: Caller,
    external_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (actor, external_id) = (caller.principal(), external_id.into_inner());
    let user = state
        .app
        .write_by(&actor, move |tx, actor| {
            identity::deactivate(tx, actor, &external_id)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        user.version,
        AdminUserView::from(&user),
    ))
}

/// One person by the provisioning system's id (admins only).
///
/// The account provisioned under this external id: email, display name, time zone, admin flag and
/// whether it is active. Admins only; nobody else learns whether the id exists (404).
#[utoipa::path(
    tag = "admin",
    operation_id = "get_provisioned_user",
    security(("bearer" = [])),
    params(("external_id" = String, Path, min_length = 1, max_length = 200, description = "The provisioning system's id")),
    responses(
        (status = 200, description = "The account", body = AdminUserView, headers(("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{external_id}")]
pub async fn get_provisioned_user(
    state: web::Data<AppState>,
    caller: Caller,
    external_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (actor, external_id) = (caller.principal(), external_id.into_inner());
    let user = state
        .app
        .read_by(&actor, move |tx, actor| {
            identity::provisioned(tx, actor, &external_id)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        user.version,
        AdminUserView::from(&user),
    ))
}

/// A provisioned person's matching profile (admins only).
///
/// What cohort matching pairs them on — values, skills offered and sought, communication style,
/// department, level and manager — for the admins running a programme; nobody else sees it.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_provisioned_matching_profile",
    security(("bearer" = [])),
    params(("external_id" = String, Path, min_length = 1, max_length = 200, description = "The provisioning system's id")),
    responses(
        (status = 200, description = "The profile", body = crate::views::matching::MatchingProfileView,
            headers(("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{external_id}/matching-profile")]
pub async fn get_provisioned_matching_profile(
    state: web::Data<AppState>,
    caller: Caller,
    external_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (actor, external_id) = (caller.principal(), external_id.into_inner());
    let (profile, time_zone) = state
        .app
        .read_by(&actor, move |tx, actor| {
            tandem_app::matching_profiles::of_provisioned(tx, actor, &external_id)
        })
        .await?;
    Ok(tagged(
        StatusCode::OK,
        profile.version,
        crate::views::matching::MatchingProfileView::new(&profile, time_zone),
    ))
}

/// Every account, oldest first (admins only).
///
/// Every account with its provisioning external id and deactivation, oldest first, paged;
/// `updated_since` lets an HR system sync only what changed. Never partnership contents.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_users",
    security(("bearer" = [])),
    params(ListUsersQuery),
    responses(
        (status = 200, description = "A page of accounts", body = crate::http::list::Page<AdminUserView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
    )
)]
#[get("")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ListUsersQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let since = query.updated_since.map(|t| t.naive_utc());
    let actor = caller.principal();
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            identity::accounts(tx, actor, since, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |u| (u.created_at.naive_utc(), u.id.to_string()),
        |u| AdminUserView::from(&u),
    ))
}
