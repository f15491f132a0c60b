//! The signed-in user's matching profile: what cohort matching pairs them on. Only its owner and
//! programme admins see it.

mod params;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use tandem_app::matching_profiles;

use crate::auth::Caller;
use crate::http::conditional::{current, expected_version, tagged};
use crate::http::extract::Json;
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::views::matching::MatchingProfileView;
pub use params::PutMatchingProfileRequest;

/// My matching profile.
///
/// What cohort matching knows of the caller: the values they hold (from a fixed vocabulary), the
/// skills they offer and seek (normalised tags), their communication style, department and level,
/// their manager (from provisioning) and their account's time zone. Empty until set. Only the
/// caller and programme admins see it. Carries an ETag for `If-Match` on `PUT`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_matching_profile",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response; 304 if unchanged")),
    responses(
        (status = 200, description = "The profile", body = MatchingProfileView,
            headers(("ETag" = String, description = "Its version, for If-Match and If-None-Match"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
    )
)]
#[get("/matching-profile")]
pub async fn get_matching_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.principal();
    let profile = state.app.read_by(&actor, matching_profiles::mine).await?;
    // Confirmed by the unit of work above: no hop of its own.
    let time_zone = caller.account(&state).await?.time_zone;
    Ok(current(
        &req,
        profile.version,
        MatchingProfileView::new(&profile, time_zone),
    ))
}

/// Set my matching profile.
///
/// Replaces it whole (what is left out is emptied; the manager, set by provisioning, stays).
/// Skills are normalised — trimmed, lower case, runs of spaces, hyphens and underscores as one
/// hyphen — and de-duplicated, so `Enterprise Sales` and `enterprise_sales` are one skill. Send
/// `If-Match` with the version read to be sure nothing changed meanwhile.
#[utoipa::path(
    tag = "programmes",
    operation_id = "put_matching_profile",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, pattern = r#"^(\*|"?[0-9]+"?)$"#, description = "The ETag read; 412 if it changed since")),
    request_body = PutMatchingProfileRequest,
    responses(
        (status = 200, description = "The profile now", body = MatchingProfileView,
            headers(("ETag" = String, description = "Its new version"))),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[put("/matching-profile")]
pub async fn put_matching_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<PutMatchingProfileRequest>,
) -> Result<HttpResponse, ApiError> {
    let edit = body.into_edit()?;
    let expected = expected_version(&req)?;
    let actor = caller.principal();
    let profile = state
        .app
        .write_by(&actor, move |tx, actor| {
            matching_profiles::set_mine(tx, actor, edit, expected)
        })
        .await?;
    let time_zone = caller.account(&state).await?.time_zone;
    Ok(tagged(
        StatusCode::OK,
        profile.version,
        MatchingProfileView::new(&profile, time_zone),
    ))
}
