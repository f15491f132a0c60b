//! Cohorts: admins gather a programme's leaders and add them in bulk; members see the cohorts
//! they are in and may opt out until the cohort is matched. Admins see who is in a cohort, never
//! what its pairs write.

mod params;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tandem_app::cohorts;

use crate::auth::Caller;
use crate::http::conditional::etag;
use crate::http::extract::{Json, Query};
use crate::http::list;
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::cohorts::{
    CohortMemberView, CohortMembersAdded, CohortView, MyCohortView, MyCohorts,
};
pub use params::{AddCohortMembersRequest, CohortMemberRef, CreateCohortRequest, PageQuery};

refusals! {
    "create_cohort": [AdminOnly];
    "list_cohorts": [AdminOnly];
    "get_cohort": [AdminOnly];
    "add_cohort_members": [AdminOnly];
    "list_cohort_members": [AdminOnly];
    "opt_out_of_cohort": [CohortMatched];
    "get_cohort_report": [AdminOnly];
    "get_cohort_report_csv": [AdminOnly];
}

/// Create a cohort (admins only).
///
/// A cohort is the leaders of one programme, to be paired by matching. Add people with `POST
/// /v1/admin/cohorts/{id}/members`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_cohort",
    security(("bearer" = [])),
    request_body = CreateCohortRequest,
    responses(
        (status = 201, description = "Created", body = CohortView,
            headers(("Location" = String, description = "The cohort"), ("ETag" = String, description = "Its version"))),
    )
)]
#[post("")]
pub async fn create_cohort(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateCohortRequest>,
) -> Result<HttpResponse, ApiError> {
    let (actor, new) = (caller.principal(), body.into_new());
    let created = state
        .app
        .write_by(&actor, move |tx, actor| cohorts::create(tx, actor, new))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/admin/cohorts/{}", created.cohort.id),
        ))
        .insert_header((header::ETAG, etag(created.cohort.version)))
        .json(CohortView::from(&created)))
}

/// Every cohort, oldest first (admins only).
///
/// Each with its head count: members, and how many opted out.
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_cohorts",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of cohorts", body = crate::http::list::Page<CohortView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = crate::openapi::BadRequest),
    )
)]
#[get("")]
pub async fn list_cohorts(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let actor = caller.principal();
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            cohorts::list(tx, actor, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |s| (s.cohort.created_at, s.cohort.id.clone()),
        |s| CohortView::from(&s),
    ))
}

/// One cohort (admins only).
///
/// Its settings and head count.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_cohort",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort")),
    responses(
        (status = 200, description = "The cohort", body = CohortView,
            headers(("ETag" = String, description = "Its version"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{id}")]
pub async fn get_cohort(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let actor = caller.principal();
    let found = state
        .app
        .read_by(&actor, move |tx, actor| cohorts::get(tx, actor, &id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(found.cohort.version)))
        .json(CohortView::from(&found)))
}

/// Add people to a cohort (admins only).
///
/// By user id or provisioning id, up to 1,000 per request, all or none: if any reference names
/// no active account, nothing is added and the 422 names each one (`#/members/3/external_id`).
/// People already in the cohort stay as they are (an opt-out is not undone), so repeating a
/// request is harmless.
#[utoipa::path(
    tag = "programmes",
    operation_id = "add_cohort_members",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort")),
    request_body = AddCohortMembersRequest,
    responses(
        (status = 200, description = "Added", body = CohortMembersAdded),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/{id}/members")]
pub async fn add_cohort_members(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    Json(body): Json<AddCohortMembersRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let refs = body.into_refs()?;
    let actor = caller.principal();
    let (cohort, added) = state
        .app
        .write_by(&actor, move |tx, actor| {
            cohorts::add_members(tx, actor, &id, &refs)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CohortMembersAdded {
        added,
        cohort: CohortView::from(&cohort),
    }))
}

/// A cohort's members (admins only).
///
/// Who is in it, in the order they were added, with whether they opted out and whether their
/// account is active. Never anything they wrote in a partnership.
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_cohort_members",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort"), PageQuery),
    responses(
        (status = 200, description = "A page of members", body = crate::http::list::Page<CohortMemberView>,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{id}/members")]
pub async fn list_cohort_members(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let (limit, after) = list::parse(query.limit, query.cursor.as_deref())?;
    let actor = caller.principal();
    let rows = state
        .app
        .read_by(&actor, move |tx, actor| {
            cohorts::members(tx, actor, &id, after, limit + 1)
        })
        .await?;
    Ok(list::respond(
        &req,
        rows,
        limit,
        |m| (m.membership.added_at, m.membership.user_id.clone()),
        CohortMemberView::from,
    ))
}

/// A cohort's programme report (admins only).
///
/// Does the programme work? Members, opt-outs and pairs by status; members ready (3-5 active
/// goals); meetings held, the share on time and pairs by their current on-time streak; the
/// pairs' goals by status; fit-review averages; refresh completion. Aggregates only: no goal
/// titles, readings, notes or names of pairs, and any figure standing for fewer than five people
/// is `null`, its pointer listed in `suppressed`. Admins still get 404 on every partnership's
/// content.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_cohort_report",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort")),
    responses(
        (status = 200, description = "The report", body = crate::views::cohort_reports::CohortReportView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{id}/report")]
pub async fn get_cohort_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    crate::http::csv::json_only(&req)?;
    let id = id.to_string();
    let actor = caller.principal();
    let report = state
        .app
        .read_by(&actor, move |tx, actor| {
            tandem_app::cohort_reports::report(tx, actor, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(crate::views::cohort_reports::CohortReportView::from(report)))
}

/// A cohort's programme report as CSV (admins only): one row per figure.
///
/// The figures of `GET /v1/admin/cohorts/{id}/report`, each on a row named by its JSON pointer
/// there (`/pairs_by_status/active`), with its value and whether it was withheld because it
/// stands for fewer than five people (then the value is empty). The file is named after the
/// cohort and the day.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_cohort_report_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort"), crate::routes::reports::ColumnsQuery),
    responses(
        (status = 200, description = "One row per figure", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/{id}/report.csv")]
pub async fn get_cohort_report_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    use crate::views::cohort_reports::{
        COHORT_REPORT_COLUMNS, CohortReportView, cohort_report_rows,
    };
    let id = id.to_string();
    let actor = caller.principal();
    let stem = "programme-report";
    crate::routes::reports::serve(
        &req,
        &state,
        &actor,
        &COHORT_REPORT_COLUMNS,
        stem,
        move |tx, actor| {
            let report = tandem_app::cohort_reports::report(tx, actor, &id)?;
            let cohort = cohorts::get(tx, actor, &id)?;
            let view = CohortReportView::from(report);
            Ok((
                cohort.cohort.name,
                view.as_of.date_naive(),
                cohort_report_rows(&view),
            ))
        },
    )
    .await
}

/// The cohorts I am in.
///
/// Every cohort an admin added the caller to, oldest first, with when they were added and
/// whether they opted out.
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_my_cohorts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's cohorts", body = MyCohorts),
    )
)]
#[get("")]
pub async fn list_my_cohorts(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.principal();
    let rows = state.app.read_by(&actor, cohorts::mine).await?;
    Ok(HttpResponse::Ok().json(MyCohorts {
        items: rows.into_iter().map(MyCohortView::from).collect(),
    }))
}

/// Opt out of a cohort.
///
/// The caller will not be matched in it. Possible until its pairs are confirmed (409
/// `cohort-matched` after: decline the invitation instead); repeating it is harmless. A cohort
/// the caller is not in is 404.
#[utoipa::path(
    tag = "programmes",
    operation_id = "opt_out_of_cohort",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The cohort")),
    responses(
        (status = 200, description = "Opted out", body = MyCohortView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[post("/{id}/opt-out")]
pub async fn opt_out_of_cohort(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let actor = caller.principal();
    let row = state
        .app
        .write_by(&actor, move |tx, actor| cohorts::opt_out(tx, actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(MyCohortView::from(row)))
}
