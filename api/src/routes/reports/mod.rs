//! Reports for spreadsheets: each at a `.csv` path of its own, declaring `text/csv` only, taking
//! the filters of its JSON twin plus `columns`. Every one is written by [`crate::http::csv`] (one
//! format: RFC 4180, instants as in JSON, formula payloads neutralised) from the column list the
//! contract documents ([`CSV_REPORTS`]).

mod params;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use tandem_app::check_ins::{self, CheckInFilter};
use tandem_app::commitments::{self, CommitmentFilter};
use tandem_app::goals::{self, GoalFilter};
use tandem_app::meetings::{self, MeetingFilter};
use tandem_app::progress::{self, Scorecard};
use tandem_app::readings::{self, ReadingFilter};
use tandem_app::{Actor, AppResult, Principal, Tx, reports};

use crate::auth::Caller;
use crate::http::csv::{self, Cell, Report};
use crate::http::extract::{Query, parse_query};
use crate::http::problem::ApiError;
use crate::routes::refusals;
use crate::state::AppState;
use crate::views::check_ins::{CHECK_IN_COLUMNS, check_in_row};
use crate::views::commitments::{COMMITMENT_COLUMNS, commitment_row};
use crate::views::goals::{GOAL_COLUMNS, goal_row};
use crate::views::meetings::{MEETING_COLUMNS, meeting_row};
use crate::views::progress::{HISTORY_COLUMNS, SCORECARD_COLUMNS, history_row, scorecard_rows};
use crate::views::readings::{
    PARTNERSHIP_READING_COLUMNS, READING_COLUMNS, partnership_reading_row, reading_row,
};
pub use params::*;

refusals! {
    "meeting_snapshot_csv": [MeetingNotCompleted];
}

/// Every CSV report: (its operation, its JSON twin if it has one, its columns). The writer, the
/// contract's descriptions and the 406 on JSON paths all read this one table.
pub const CSV_REPORTS: &[(&str, Option<&str>, &[&str])] = &[
    (
        "partnership_scorecard_csv",
        Some("partnership_scorecard"),
        &SCORECARD_COLUMNS,
    ),
    ("list_goals_csv", Some("list_goals"), &GOAL_COLUMNS),
    (
        "partnership_readings_csv",
        None,
        &PARTNERSHIP_READING_COLUMNS,
    ),
    ("list_readings_csv", Some("list_readings"), &READING_COLUMNS),
    ("list_meetings_csv", Some("list_meetings"), &MEETING_COLUMNS),
    (
        "list_commitments_csv",
        Some("list_commitments"),
        &COMMITMENT_COLUMNS,
    ),
    (
        "list_check_ins_csv",
        Some("list_check_ins"),
        &CHECK_IN_COLUMNS,
    ),
    (
        "meeting_snapshot_csv",
        Some("meeting_snapshot"),
        &SCORECARD_COLUMNS,
    ),
    ("progress_history_csv", None, &HISTORY_COLUMNS),
    (
        "get_cohort_report_csv",
        Some("get_cohort_report"),
        &crate::views::cohort_reports::COHORT_REPORT_COLUMNS,
    ),
];

/// What a report's use case gives: whose it is (for the file name), the date it describes, its
/// rows.
pub(crate) type Rows = (String, NaiveDate, Vec<Vec<Cell>>);

/// Runs a report's use case and writes its CSV.
pub(crate) async fn serve<F>(
    req: &HttpRequest,
    state: &AppState,
    who: &Principal,
    columns: &[&str],
    stem: &str,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut Tx<'_>, &Actor) -> AppResult<Rows> + Send + 'static,
{
    let (label, on, rows) = state.app.read_by(who, work).await?;
    Report {
        columns,
        rows,
        label: &label,
        stem,
        on,
    }
    .respond(req)
}

/// The rows a list report fetches: one more than it may hold, to tell a full report from a long one.
const FETCH: i64 = csv::MAX_ROWS as i64 + 1;

fn scorecard_label(card: &Scorecard) -> String {
    card.partners
        .iter()
        .map(|p| p.display_name.as_str())
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The reports of one partnership: what a partner reads at its `.csv` path and a feed link
/// reads at `/v1/feeds/{token}/{report}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub enum PartnershipReport {
    /// `scorecard.csv`
    #[serde(rename = "scorecard.csv")]
    Scorecard,
    /// `goals.csv`
    #[serde(rename = "goals.csv")]
    Goals,
    /// `readings.csv`
    #[serde(rename = "readings.csv")]
    Readings,
    /// `meetings.csv`
    #[serde(rename = "meetings.csv")]
    Meetings,
    /// `commitments.csv`
    #[serde(rename = "commitments.csv")]
    Commitments,
    /// `check-ins.csv`
    #[serde(rename = "check-ins.csv")]
    CheckIns,
    /// `progress-history.csv`
    #[serde(rename = "progress-history.csv")]
    ProgressHistory,
}

impl PartnershipReport {
    /// Every report, with its file name.
    pub const ALL: [(PartnershipReport, &'static str); 7] = [
        (PartnershipReport::Scorecard, "scorecard.csv"),
        (PartnershipReport::Goals, "goals.csv"),
        (PartnershipReport::Readings, "readings.csv"),
        (PartnershipReport::Meetings, "meetings.csv"),
        (PartnershipReport::Commitments, "commitments.csv"),
        (PartnershipReport::CheckIns, "check-ins.csv"),
        (PartnershipReport::ProgressHistory, "progress-history.csv"),
    ];
}

/// Writes one of a partnership's reports as `actor` sees it, with the filters of the request's
/// query string.
pub async fn partnership_report(
    req: &HttpRequest,
    state: &AppState,
    actor: Principal,
    pid: String,
    report: PartnershipReport,
) -> Result<HttpResponse, ApiError> {
    match report {
        PartnershipReport::Scorecard => {
            let query: AsOfCsvQuery = parse_query(req.query_string())?;
            let as_of = query.as_of;
            serve(
                req,
                state,
                &actor,
                &SCORECARD_COLUMNS,
                "scorecard",
                move |tx, actor| {
                    let card = progress::partnership_scorecard(tx, actor, &pid, as_of)?;
                    Ok((
                        scorecard_label(&card),
                        card.as_of.date_naive(),
                        scorecard_rows(&card),
                    ))
                },
            )
            .await
        }
        PartnershipReport::Goals => {
            let query: GoalsCsvQuery = parse_query(req.query_string())?;
            let filter = GoalFilter {
                owner_id: query.owner.map(|o| o.to_string()),
                status: query.status,
                updated_since: query.updated_since.map(|t| t.naive_utc()),
            };
            serve(
                req,
                state,
                &actor,
                &GOAL_COLUMNS,
                "goals",
                move |tx, actor| {
                    let rows = goals::list(tx, actor, &pid, &filter, None, FETCH)?;
                    let label = reports::label(tx, actor, &pid)?;
                    Ok((
                        label,
                        tx.now().date_naive(),
                        rows.iter().map(goal_row).collect(),
                    ))
                },
            )
            .await
        }
        PartnershipReport::Readings => {
            let query: ReadingsCsvQuery = parse_query(req.query_string())?;
            let filter = reading_filter(&query);
            serve(
                req,
                state,
                &actor,
                &PARTNERSHIP_READING_COLUMNS,
                "readings",
                move |tx, actor| {
                    let rows = reports::readings(tx, actor, &pid, &filter, FETCH)?;
                    let label = reports::label(tx, actor, &pid)?;
                    let rows = rows.iter().map(partnership_reading_row).collect();
                    Ok((label, tx.now().date_naive(), rows))
                },
            )
            .await
        }
        PartnershipReport::Meetings => {
            let query: MeetingsCsvQuery = parse_query(req.query_string())?;
            let filter = MeetingFilter {
                status: query.status,
                from: query.from.map(|t| t.naive_utc()),
                to: query.to.map(|t| t.naive_utc()),
                updated_since: query.updated_since.map(|t| t.naive_utc()),
            };
            serve(
                req,
                state,
                &actor,
                &MEETING_COLUMNS,
                "meetings",
                move |tx, actor| {
                    let (p, rows) = meetings::list(tx, actor, &pid, &filter, None, FETCH)?;
                    let label = reports::label(tx, actor, &pid)?;
                    let rows = rows.iter().map(|m| meeting_row(m, &p)).collect();
                    Ok((label, tx.now().date_naive(), rows))
                },
            )
            .await
        }
        PartnershipReport::Commitments => {
            let query: CommitmentsCsvQuery = parse_query(req.query_string())?;
            let filter = CommitmentFilter {
                status: query.status,
                owner_id: query.owner_id.map(|u| u.to_string()),
                meeting_id: query.meeting_id.map(|u| u.to_string()),
                goal_id: query.goal_id.map(|u| u.to_string()),
                updated_since: query.updated_since.map(|t| t.naive_utc()),
            };
            serve(
                req,
                state,
                &actor,
                &COMMITMENT_COLUMNS,
                "commitments",
                move |tx, actor| {
                    let rows = commitments::list(tx, actor, &pid, &filter, None, FETCH)?;
                    let label = reports::label(tx, actor, &pid)?;
                    Ok((
                        label,
                        tx.now().date_naive(),
                        rows.iter().map(commitment_row).collect(),
                    ))
                },
            )
            .await
        }
        PartnershipReport::CheckIns => {
            let query: CheckInsCsvQuery = parse_query(req.query_string())?;
            let filter = CheckInFilter {
                author_id: query.author_id.map(|u| u.to_string()),
                since: query.since.map(|t| t.naive_utc()),
                before: None,
                updated_since: query.updated_since.map(|t| t.naive_utc()),
            };
            serve(
                req,
                state,
                &actor,
                &CHECK_IN_COLUMNS,
                "check-ins",
                move |tx, actor| {
                    let rows = check_ins::list(tx, actor, &pid, &filter, None, FETCH)?;
                    let label = reports::label(tx, actor, &pid)?;
                    Ok((
                        label,
                        tx.now().date_naive(),
                        rows.iter().map(check_in_row).collect(),
                    ))
                },
            )
            .await
        }
        PartnershipReport::ProgressHistory => {
            let query: AsOfCsvQuery = parse_query(req.query_string())?;
            let as_of = query.as_of;
            serve(
                req,
                state,
                &actor,
                &HISTORY_COLUMNS,
                "progress-history",
                move |tx, actor| {
                    let points = reports::progress_history(tx, actor, &pid, as_of)?;
                    let label = reports::label(tx, actor, &pid)?;
                    let on = as_of.unwrap_or_else(|| tx.now()).date_naive();
                    Ok((label, on, points.iter().map(history_row).collect()))
                },
            )
            .await
        }
    }
}

/// The partnership's scorecard as CSV: one row per active goal.
///
/// The same rows as `GET /v1/partnerships/{id}/scorecard`, one per active goal, for spreadsheets
/// and BI tools; `as_of` and `columns` work as documented.
#[utoipa::path(
    tag = "reports",
    operation_id = "partnership_scorecard_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), AsOfCsvQuery),
    responses(
        (status = 200, description = "One row per active goal", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/scorecard.csv")]
pub async fn partnership_scorecard_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, pid) = (caller.principal(), id.to_string());
    partnership_report(&req, &state, actor, pid, PartnershipReport::Scorecard).await
}

/// The partnership's goals as CSV: one row per goal, in creation order.
///
/// Every goal of both partners with its metric, plan and status, the same filters as the JSON list,
/// no paging.
#[utoipa::path(
    tag = "reports",
    operation_id = "list_goals_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), GoalsCsvQuery),
    responses(
        (status = 200, description = "One row per goal", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/goals.csv")]
pub async fn list_goals_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, pid) = (caller.principal(), id.to_string());
    partnership_report(&req, &state, actor, pid, PartnershipReport::Goals).await
}

fn reading_filter(query: &ReadingsCsvQuery) -> ReadingFilter {
    ReadingFilter {
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        include_deleted: query.include_deleted.unwrap_or(false),
    }
}

/// Every goal's readings as CSV.
///
/// With each goal's title and owner: goal by goal (in creation order), each in observation order;
/// the same filters as a goal's JSON list, no paging.
#[utoipa::path(
    tag = "reports",
    operation_id = "partnership_readings_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), ReadingsCsvQuery),
    responses(
        (status = 200, description = "One row per reading", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/readings.csv")]
pub async fn partnership_readings_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, pid) = (caller.principal(), id.to_string());
    partnership_report(&req, &state, actor, pid, PartnershipReport::Readings).await
}

/// A goal's readings as CSV, in recording order (as its JSON list).
///
/// The same rows and filters as `GET /v1/goals/{id}/readings`, without paging.
#[utoipa::path(
    tag = "reports",
    operation_id = "list_readings_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Goal id"), ReadingsCsvQuery),
    responses(
        (status = 200, description = "One row per reading", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/readings.csv")]
pub async fn list_readings_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    query: Query<ReadingsCsvQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = reading_filter(&query);
    let (actor, goal_id) = (caller.principal(), id.to_string());
    serve(
        &req,
        &state,
        &actor,
        &READING_COLUMNS,
        "readings",
        move |tx, actor| {
            let rows = readings::list(tx, actor, &goal_id, &filter, None, FETCH)?;
            let (_, p) = goals::visible(tx, actor, &goal_id)?;
            let label = reports::label(tx, actor, &p.id)?;
            Ok((
                label,
                tx.now().date_naive(),
                rows.iter().map(reading_row).collect(),
            ))
        },
    )
    .await
}

/// The partnership's meetings as CSV, in the order they were scheduled.
///
/// The same rows and filters as `GET /v1/partnerships/{id}/meetings`, without paging.
#[utoipa::path(
    tag = "reports",
    operation_id = "list_meetings_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), MeetingsCsvQuery),
    responses(
        (status = 200, description = "One row per meeting", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings.csv")]
pub async fn list_meetings_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, pid) = (caller.principal(), id.to_string());
    partnership_report(&req, &state, actor, pid, PartnershipReport::Meetings).await
}

/// The partnership's commitments as CSV, oldest first.
///
/// The same rows and filters as `GET /v1/partnerships/{id}/commitments`, without paging.
#[utoipa::path(
    tag = "reports",
    operation_id = "list_commitments_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), CommitmentsCsvQuery),
    responses(
        (status = 200, description = "One row per commitment", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/commitments.csv")]
pub async fn list_commitments_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, pid) = (caller.principal(), id.to_string());
    partnership_report(&req, &state, actor, pid, PartnershipReport::Commitments).await
}

/// The partnership's check-ins as CSV, oldest first.
///
/// The same rows and filters as `GET /v1/partnerships/{id}/check-ins`, without paging.
#[utoipa::path(
    tag = "reports",
    operation_id = "list_check_ins_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), CheckInsCsvQuery),
    responses(
        (status = 200, description = "One row per check-in", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/check-ins.csv")]
pub async fn list_check_ins_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, pid) = (caller.principal(), id.to_string());
    partnership_report(&req, &state, actor, pid, PartnershipReport::CheckIns).await
}

/// The scorecard frozen when a meeting was completed, as CSV (the live scorecard's columns).
///
/// The rows of `GET /v1/meetings/{id}/snapshot`: the scorecard as it was when the meeting was
/// completed.
#[utoipa::path(
    tag = "reports",
    operation_id = "meeting_snapshot_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Meeting id"), ColumnsQuery),
    responses(
        (status = 200, description = "One row per goal on the frozen scorecard", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/snapshot.csv")]
pub async fn meeting_snapshot_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (caller.principal(), id.to_string());
    serve(
        &req,
        &state,
        &actor,
        &SCORECARD_COLUMNS,
        "snapshot",
        move |tx, actor| {
            let (card, frozen_at) = meetings::snapshot(tx, actor, &id)?;
            Ok((
                scorecard_label(&card),
                frozen_at.date_naive(),
                scorecard_rows(&card),
            ))
        },
    )
    .await
}

/// Every goal's progress week by week, as CSV.
///
/// From each goal's start to `as_of`, beside the progress its plan expected: one row per goal per
/// week (the goal's start, then every 7 days), ready to chart. Drafts and goals without a complete
/// plan have no rows; a closed goal's rows stop when it closed.
#[utoipa::path(
    tag = "reports",
    operation_id = "progress_history_csv",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id"), AsOfCsvQuery),
    responses(
        (status = 200, description = "One row per goal per week", content((String = "text/csv"))),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/progress-history.csv")]
pub async fn progress_history_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, pid) = (caller.principal(), id.to_string());
    partnership_report(&req, &state, actor, pid, PartnershipReport::ProgressHistory).await
}
