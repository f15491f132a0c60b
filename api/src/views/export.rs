//! The whole-partnership export document.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::export::{Export, FORMAT};
use utoipa::ToSchema;

use crate::views::check_ins::CheckInView;
use crate::views::commitments::CommitmentView;
use crate::views::fit_reviews::FitReviewView;
use crate::views::goals::{ChangeView, GoalView};
use crate::views::meetings::{MeetingView, NotesView, meeting_view, notes_view};
use crate::views::partnerships::PartnershipView;
use crate::views::progress::ScorecardView;
use crate::views::readings::{ReadingView, RevisionView};

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

impl From<&Export> for ExportView {
    fn from(e: &Export) -> Self {
        let p = &e.overview.partnership;
        let goals: Vec<GoalExport> = e
            .goals
            .iter()
            .map(|g| GoalExport {
                goal: GoalView::from(&g.goal),
                history: g.history.iter().map(ChangeView::from).collect(),
            })
            .collect();
        let readings: Vec<ReadingExport> = e
            .readings
            .iter()
            .map(|r| ReadingExport {
                reading: ReadingView::from(&r.reading),
                revisions: r.revisions.iter().map(RevisionView::from).collect(),
            })
            .collect();
        let meetings: Vec<MeetingExport> = e
            .meetings
            .iter()
            .map(|m| MeetingExport {
                meeting: meeting_view(&m.meeting, p),
                notes: m
                    .notes
                    .iter()
                    .map(|n| notes_view(&n.meeting_id, &n.partner_id, Some(n)))
                    .collect(),
                snapshot: m.snapshot.as_ref().map(ScorecardView::from),
            })
            .collect();
        let counts = ExportCounts {
            goals: goals.len(),
            milestones: goals.iter().map(|g| g.goal.milestones.len()).sum(),
            goal_changes: goals.iter().map(|g| g.history.len()).sum(),
            readings: readings.len(),
            reading_revisions: readings.iter().map(|r| r.revisions.len()).sum(),
            meetings: meetings.len(),
            notes: meetings.iter().map(|m| m.notes.len()).sum(),
            commitments: e.commitments.len(),
            check_ins: e.check_ins.len(),
            fit_reviews: e.fit_reviews.len(),
        };
        ExportView {
            format: FORMAT.into(),
            exported_at: e.exported_at,
            partnership: PartnershipView::from(&e.overview),
            goals,
            readings,
            meetings,
            commitments: e.commitments.iter().map(CommitmentView::from).collect(),
            check_ins: e.check_ins.iter().map(CheckInView::from).collect(),
            fit_reviews: e.fit_reviews.iter().map(FitReviewView::from).collect(),
            counts,
        }
    }
}
