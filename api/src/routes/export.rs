//! The whole partnership as one JSON document, for backup or for moving to another system: every
//! goal with its milestones and history, every reading with its revisions, every meeting with its
//! notes and snapshot, commitments, check-ins and the fit reviews the caller may see.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use tandem_app::export;

use crate::auth::Caller;
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::views::export::ExportView;

/// Export the whole partnership as one JSON document (either partner).
///
/// Everything in the partnership as one JSON document: the partnership and its settings, goals,
/// readings, meetings, commitments, check-ins and fit reviews, with counts to check it is complete.
/// For backups and for moving to another tool.
#[utoipa::path(
    tag = "partnerships",
    operation_id = "export_partnership",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Partnership id")),
    responses(
        (status = 200, description = "The document (also offered as a download)", body = ExportView),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/export")]
pub async fn export_partnership(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, partnership_id) = (caller.principal(), id.to_string());
    let doc = state
        .app
        .read_by(&actor, move |tx, actor| {
            export::export(tx, actor, &partnership_id)
        })
        .await?;
    let view = ExportView::from(&doc);
    let filename = format!("tandem-partnership-{}.json", view.partnership.id);
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .json(view))
}
