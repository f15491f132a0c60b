//! The whole partnership as one JSON document, for backup or for moving to another system: every
//! goal with its milestones and history, every reading with its revisions, every meeting with its
//! notes and snapshot, commitments, check-ins and the fit reviews the caller may see.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_store::commitments::{self, CommitmentFilter};
use tandem_store::goals::{self, GoalFilter};
use tandem_store::meetings::{self, MeetingFilter};
use tandem_store::readings::{self, ReadingFilter};
use tandem_store::{check_ins, fit_reviews};
use utoipa::ToSchema;

use super::check_ins::{CheckInView, check_in_view};
use super::commitments::CommitmentView;
use super::fit_reviews::FitReviewView;
use super::goal_docs::{ChangeView, FieldChange, GoalView};
use super::goals::{CallerRef, full_view};
use super::meetings::{MeetingView, NotesView, meeting_view, notes_of_meeting, partners};
use super::partnerships::{PartnershipView, load as load_partnership, view as partnership_view};
use super::readings::{ReadingView, RevisionView};
use super::scorecards::ScorecardView;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Version of the export format.
pub const FORMAT: &str = "tandem-export/1";
/// Largest number of rows of one kind read per partnership (far beyond a real partnership).
const ALL: i64 = 1_000_000;

/// A goal with its whole history.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalExport {
    /// The goal, milestones included.
    pub goal: GoalView,
    /// Every change, oldest first.
    pub history: Vec<ChangeView>,
}

/// A reading with its corrections.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingExport {
    /// The reading (deleted ones included, flagged).
    pub reading: ReadingView,
    /// Corrections and deletion, oldest first.
    pub revisions: Vec<RevisionView>,
}

/// A meeting with its notes and frozen scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingExport {
    /// The meeting.
    pub meeting: MeetingView,
    /// Each partner's notes.
    pub notes: Vec<NotesView>,
    /// The scorecard frozen on completion.
    pub snapshot: Option<ScorecardView>,
}

/// How many of each entity the document holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportCounts {
    /// Goals.
    pub goals: usize,
    /// Milestones.
    pub milestones: usize,
    /// Goal history entries.
    pub goal_changes: usize,
    /// Readings (deleted included).
    pub readings: usize,
    /// Reading revisions.
    pub reading_revisions: usize,
    /// Meetings.
    pub meetings: usize,
    /// Notes blocks.
    pub notes: usize,
    /// Commitments.
    pub commitments: usize,
    /// Check-ins.
    pub check_ins: usize,
    /// Fit reviews (those the caller may see).
    pub fit_reviews: usize,
}

/// The whole partnership.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportView {
    /// `tandem-export/1`.
    pub format: String,
    /// When the document was made.
    pub exported_at: DateTime<Utc>,
    /// The partnership.
    pub partnership: PartnershipView,
    /// Goals with history.
    pub goals: Vec<GoalExport>,
    /// Readings with revisions.
    pub readings: Vec<ReadingExport>,
    /// Meetings with notes and snapshots.
    pub meetings: Vec<MeetingExport>,
    /// Commitments.
    pub commitments: Vec<CommitmentView>,
    /// Check-ins.
    pub check_ins: Vec<CheckInView>,
    /// Fit reviews: your own, and your partner's from complete rounds.
    pub fit_reviews: Vec<FitReviewView>,
    /// How many of each.
    pub counts: ExportCounts,
}

/// Export the whole partnership as one JSON document (either partner).
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
#[get("/partnerships/{id}/export")]
pub async fn export_partnership(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (partnership_id, who) = (id.to_string(), CallerRef::from(&caller));
    let doc = crate::db::run(&state, move |conn| {
        let p = load_partnership(conn, &partnership_id, &who)?;
        let mut goal_docs = Vec::new();
        let mut reading_docs = Vec::new();
        for goal in goals::list(conn, &p.id, &GoalFilter::default(), None, ALL)? {
            let history = goals::changes(conn, &goal.id, None, None, ALL)?;
            let filter = ReadingFilter {
                include_deleted: true,
                ..Default::default()
            };
            for r in readings::list(conn, &goal.id, &filter, None, ALL)? {
                let revisions = readings::revisions(conn, &r.id)?
                    .iter()
                    .map(|v| RevisionView {
                        id: v.id.clone(),
                        action: v.action.clone(),
                        actor_id: v.actor_id.clone(),
                        changes: serde_json::from_str::<Vec<FieldChange>>(&v.changes)
                            .unwrap_or_default(),
                        reason: v.reason.clone(),
                        created_at: v.created_at.and_utc(),
                    })
                    .collect();
                reading_docs.push(ReadingExport {
                    reading: ReadingView::from(&r),
                    revisions,
                });
            }
            goal_docs.push(GoalExport {
                goal: full_view(conn, &goal)?,
                history: history.iter().map(ChangeView::from).collect(),
            });
        }
        let mut meeting_docs = Vec::new();
        for m in meetings::list(conn, &p.id, &MeetingFilter::default(), None, ALL)? {
            let snapshot = match m.snapshot.as_deref() {
                Some(s) => Some(serde_json::from_str(s).map_err(ApiError::internal)?),
                None => None,
            };
            meeting_docs.push(MeetingExport {
                meeting: meeting_view(&m, &p),
                notes: notes_of_meeting(conn, &m)?,
                snapshot,
            });
        }
        let commitment_docs: Vec<CommitmentView> =
            commitments::list(conn, &p.id, &CommitmentFilter::default(), None, ALL)?
                .iter()
                .map(CommitmentView::from)
                .collect();
        let mut check_in_docs = Vec::new();
        for c in check_ins::list(conn, &p.id, &Default::default(), None, ALL)? {
            check_in_docs.push(check_in_view(conn, &c)?);
        }
        let reviews = fit_reviews::all(conn, &p.id)?;
        let members = partners(&p).len();
        let visible: Vec<FitReviewView> = reviews
            .iter()
            .filter(|r| {
                r.author_id == who.id
                    || reviews.iter().filter(|o| o.round == r.round).count() >= members
            })
            .map(FitReviewView::from)
            .collect();
        let counts = ExportCounts {
            goals: goal_docs.len(),
            milestones: goal_docs.iter().map(|g| g.goal.milestones.len()).sum(),
            goal_changes: goal_docs.iter().map(|g| g.history.len()).sum(),
            readings: reading_docs.len(),
            reading_revisions: reading_docs.iter().map(|r| r.revisions.len()).sum(),
            meetings: meeting_docs.len(),
            notes: meeting_docs.iter().map(|m| m.notes.len()).sum(),
            commitments: commitment_docs.len(),
            check_ins: check_in_docs.len(),
            fit_reviews: visible.len(),
        };
        Ok::<_, ApiError>(ExportView {
            format: FORMAT.into(),
            exported_at: crate::clock::now(),
            partnership: partnership_view(conn, p)?,
            goals: goal_docs,
            readings: reading_docs,
            meetings: meeting_docs,
            commitments: commitment_docs,
            check_ins: check_in_docs,
            fit_reviews: visible,
            counts,
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"tandem-partnership-{}.json\"",
                doc.partnership.id
            ),
        ))
        .json(doc))
}
