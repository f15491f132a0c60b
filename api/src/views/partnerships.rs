//! Partnerships as their members see them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::partnerships::Overview;
use tandem_domain::goal_set::GoalSetReadiness;
use tandem_domain::partnership::PartnershipStatus;
use tandem_domain::progress::StatusThresholds;
use tandem_domain::rhythm::Due;
use utoipa::ToSchema;

use crate::views::meetings::{AdherenceView, adherence_view};

/// A member's part in the partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Sent the invitation.
    Inviter,
    /// Was invited.
    Invitee,
}

/// One of the two members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Who invited whom.
    pub role: MemberRole,
    /// The account, once there is one in the partnership (the invitee's after accepting).
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    /// Email.
    #[schema(format = Email)]
    pub email: String,
    /// Display name, once there is an account.
    pub display_name: Option<String>,
    /// Whether this member's goal set is ready (3 to 5 active goals) and what is missing.
    pub goal_set: GoalSetReadiness,
}

/// A partnership's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    /// Days between meetings.
    pub cadence_days: i32,
    /// Meeting length, minutes.
    pub meeting_minutes: i32,
    /// Time zone for meetings and dates.
    #[schema(value_type = crate::openapi::TimeZone)]
    pub time_zone: String,
    /// Months between fit reviews.
    pub fit_review_months: i32,
    /// Days a meeting may be held before or after its slot and still count as on time.
    pub grace_days: i32,
    /// Thresholds that turn progress gaps into statuses.
    pub status_thresholds: StatusThresholds,
}

/// A partnership as its members see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f57", "status": "active",
    "members": [
        {"role": "inviter", "user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56", "email": "ada@example.com", "display_name": "Ada",
         "goal_set": {"active_goals": 3, "ready": true, "missing": 0, "message": "Ready: 3 active goals."}},
        {"role": "invitee", "user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f58", "email": "grace@example.com", "display_name": "Grace",
         "goal_set": {"active_goals": 1, "ready": false, "missing": 2, "message": "Activate 2 more goals to reach the minimum of 3."}}
    ],
    "settings": {"cadence_days": 14, "meeting_minutes": 60, "time_zone": "Europe/Berlin", "fit_review_months": 3, "grace_days": 2,
                 "status_thresholds": {"on_track_gap": 0.1, "at_risk_gap": 0.25}},
    "meetings": {"meetings_counted": 4, "held_on_time": 3, "rate": 0.75, "streak": 2, "grace_days": 2,
                 "window_start": "2026-05-26T08:00:00Z", "as_of": "2026-11-26T08:00:00Z",
                 "last_meeting": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f70", "scheduled_at": "2026-11-18T08:00:00Z", "held_at": "2026-11-18T09:00:00Z", "on_time": true},
                 "next_meeting": {"id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f71", "scheduled_at": "2026-12-02T08:00:00Z", "held_at": null, "on_time": null}},
    "fit_review": {"due_on": "2027-02-26", "overdue": false},
    "refresh": {"due_on": "2027-11-26", "overdue": false, "refreshed_by": []},
    "message": "Keep me honest this year?", "accepted_at": "2026-11-26T08:00:00Z", "ended_at": null,
    "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-26T08:00:00Z"
}))]
pub struct PartnershipView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// `invited`, `active`, `paused`, `ended` or `declined`.
    pub status: PartnershipStatus,
    /// Inviter first, then invitee.
    pub members: Vec<MemberView>,
    /// Settings.
    pub settings: SettingsView,
    /// How reliably the pair meets, with the last and next meeting (computed at request time).
    pub meetings: AdherenceView,
    /// When the next fit review round is due, and whether it is overdue.
    pub fit_review: Due,
    /// When the goals are next refreshed (yearly), whether that is overdue, and who has already
    /// refreshed their own goals this cycle.
    pub refresh: RefreshStatus,
    /// The inviter's note.
    pub message: Option<String>,
    /// When the invitee accepted.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When it ended or was declined.
    pub ended_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The annual refresh as a partnership stands in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshStatus {
    /// The day the current cycle's refresh is due (partnership time zone).
    pub due_on: chrono::NaiveDate,
    /// That day has passed and the cycle is not complete.
    pub overdue: bool,
    /// Partners who refreshed their own goals this cycle; both, and the next cycle begins.
    pub refreshed_by: Vec<PartnerRefresh>,
}

/// One partner's refresh in the current cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerRefresh {
    /// The partner.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// The day they refreshed.
    pub refreshed_on: chrono::NaiveDate,
}

impl From<&Overview> for PartnershipView {
    fn from(o: &Overview) -> Self {
        let p = &o.partnership;
        let members = o
            .members
            .iter()
            .map(|m| MemberView {
                role: if m.role == "inviter" {
                    MemberRole::Inviter
                } else {
                    MemberRole::Invitee
                },
                user_id: m.user.as_ref().map(|u| u.id.to_string()),
                email: m.email.clone(),
                display_name: m.user.as_ref().map(|u| u.display_name.clone()),
                goal_set: m.goal_set.clone(),
            })
            .collect();
        PartnershipView {
            id: p.id.clone(),
            status: p.status,
            members,
            settings: SettingsView {
                cadence_days: p.cadence_days,
                meeting_minutes: p.meeting_minutes,
                time_zone: p.time_zone.clone(),
                fit_review_months: p.fit_review_months,
                grace_days: p.grace_days,
                status_thresholds: tandem_app::partnerships::thresholds(p),
            },
            meetings: adherence_view(&o.adherence, p),
            fit_review: o.fit_review,
            refresh: RefreshStatus {
                due_on: o.refresh.due.due_on,
                overdue: o.refresh.due.overdue,
                refreshed_by: o
                    .refresh
                    .refreshed_by
                    .iter()
                    .map(|(user_id, on)| PartnerRefresh {
                        user_id: user_id.clone(),
                        refreshed_on: *on,
                    })
                    .collect(),
            },
            message: p.message.clone(),
            accepted_at: p.accepted_at.map(|t| t.and_utc()),
            ended_at: p.ended_at.map(|t| t.and_utc()),
            created_at: p.created_at.and_utc(),
            updated_at: p.updated_at.and_utc(),
        }
    }
}
