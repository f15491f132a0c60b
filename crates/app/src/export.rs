//! The whole partnership as one document, for backup or for moving to another system: every goal
//! with its milestones and history, every reading with its revisions, every meeting with its
//! notes and snapshot, commitments, check-ins and the fit reviews the actor may see.

use tandem_store::commitments::{self, Commitment, CommitmentFilter};
use tandem_store::fit_reviews::{self, FitReview};
use tandem_store::goals::{self, GoalChange, GoalFilter};
use tandem_store::meetings::{self, Meeting, MeetingFilter, Notes};
use tandem_store::readings::{self, Reading, ReadingFilter, Revision};

use crate::check_ins::CheckInDetail;
use crate::goals::GoalDetail;
use crate::partnerships::Overview;
use crate::progress::Scorecard;
use crate::{Actor, AppError, AppResult, Tx};

/// The export format's name and version.
pub const FORMAT: &str = "tandem-export/1";
const ALL: i64 = 1_000_000;

/// A goal with its history.
#[derive(Debug, Clone)]
pub struct GoalExport {
    /// The goal.
    pub goal: GoalDetail,
    /// Every change.
    pub history: Vec<GoalChange>,
}

/// A reading with its revisions.
#[derive(Debug, Clone)]
pub struct ReadingExport {
    /// The reading (deleted ones too).
    pub reading: Reading,
    /// Its corrections and deletion.
    pub revisions: Vec<Revision>,
}

/// A meeting with its notes and snapshot.
#[derive(Debug, Clone)]
pub struct MeetingExport {
    /// The meeting.
    pub meeting: Meeting,
    /// Its notes blocks.
    pub notes: Vec<Notes>,
    /// Its frozen scorecard.
    pub snapshot: Option<Scorecard>,
}

/// Everything in a partnership.
#[derive(Debug, Clone)]
pub struct Export {
    /// When it was taken.
    pub exported_at: chrono::DateTime<chrono::Utc>,
    /// The partnership.
    pub overview: Overview,
    /// Goals.
    pub goals: Vec<GoalExport>,
    /// Readings.
    pub readings: Vec<ReadingExport>,
    /// Meetings.
    pub meetings: Vec<MeetingExport>,
    /// Commitments.
    pub commitments: Vec<Commitment>,
    /// Check-ins.
    pub check_ins: Vec<CheckInDetail>,
    /// Fit review answers the actor may see.
    pub fit_reviews: Vec<FitReview>,
}

/// Exports a partnership the actor belongs to.
pub fn export(tx: &mut Tx<'_>, actor: &Actor, partnership_id: &str) -> AppResult<Export> {
    let p = crate::partnerships::visible(tx, actor, partnership_id)?;
    let mut goal_docs = Vec::new();
    let mut reading_docs = Vec::new();
    for goal in goals::list(tx.conn, &p.id, &GoalFilter::default(), None, ALL)? {
        let history = goals::changes(tx.conn, &goal.id, None, None, ALL)?;
        let filter = ReadingFilter {
            include_deleted: true,
            ..Default::default()
        };
        for r in readings::list(tx.conn, &goal.id, &filter, None, ALL)? {
            reading_docs.push(ReadingExport {
                revisions: readings::revisions(tx.conn, &r.id)?,
                reading: r,
            });
        }
        goal_docs.push(GoalExport {
            goal: crate::goals::detail(tx, goal)?,
            history,
        });
    }
    let mut meeting_docs = Vec::new();
    for m in meetings::list(tx.conn, &p.id, &MeetingFilter::default(), None, ALL)? {
        let snapshot = match m.snapshot.as_deref() {
            Some(s) => Some(serde_json::from_str(s).map_err(AppError::internal)?),
            None => None,
        };
        meeting_docs.push(MeetingExport {
            notes: meetings::notes_of(tx.conn, &m.id)?,
            meeting: m,
            snapshot,
        });
    }
    let commitment_docs =
        commitments::list(tx.conn, &p.id, &CommitmentFilter::default(), None, ALL)?;
    let mut check_in_docs = Vec::new();
    for c in tandem_store::check_ins::list(tx.conn, &p.id, &Default::default(), None, ALL)? {
        check_in_docs.push(crate::check_ins::detail(tx, c)?);
    }
    let reviews = fit_reviews::all(tx.conn, &p.id)?;
    let members = crate::partnerships::members(&p).len();
    let visible: Vec<FitReview> = reviews
        .iter()
        .filter(|r| {
            r.author_id == actor.id
                || reviews.iter().filter(|o| o.round == r.round).count() >= members
        })
        .cloned()
        .collect();
    Ok(Export {
        exported_at: tx.now(),
        overview: crate::partnerships::overview(tx, p)?,
        goals: goal_docs,
        readings: reading_docs,
        meetings: meeting_docs,
        commitments: commitment_docs,
        check_ins: check_in_docs,
        fit_reviews: visible,
    })
}
