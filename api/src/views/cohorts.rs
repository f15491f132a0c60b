//! What the cohort endpoints answer.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tandem_app::cohorts::{Cohort, CohortSummary, Member, Membership};
use utoipa::ToSchema;

/// A cohort, as its admins see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4c01", "name": "Leadership programme, spring 2027",
    "starts_on": "2027-03-01", "allow_same_department": false, "matched_at": null,
    "members": 24, "opted_out": 1, "version": 1,
    "created_at": "2026-11-30T09:00:00Z", "updated_at": "2026-11-30T09:00:00Z"
}))]
pub struct CohortView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Its name.
    pub name: String,
    /// When the programme starts.
    pub starts_on: NaiveDate,
    /// Whether two people of one department may be paired.
    pub allow_same_department: bool,
    /// When its pairs were confirmed; until then members may opt out.
    pub matched_at: Option<DateTime<Utc>>,
    /// Members, opted out included.
    pub members: i64,
    /// Members who opted out.
    pub opted_out: i64,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&CohortSummary> for CohortView {
    fn from(s: &CohortSummary) -> Self {
        let c = &s.cohort;
        CohortView {
            id: c.id.clone(),
            name: c.name.clone(),
            starts_on: c.starts_on,
            allow_same_department: c.allow_same_department,
            matched_at: c.matched_at.map(|t| t.and_utc()),
            members: s.members,
            opted_out: s.opted_out,
            version: c.version,
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// What adding members did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortMembersAdded {
    /// How many joined now (people already in the cohort are not counted again).
    pub added: usize,
    /// The cohort now.
    pub cohort: CohortView,
}

/// A cohort member, as admins see them (no partnership content, ever).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f10", "display_name": "Ada Lovelace",
    "email": "ada@example.com", "external_id": "hr-1001", "active": true,
    "added_at": "2026-11-30T09:00:00Z", "opted_out_at": null
}))]
pub struct CohortMemberView {
    /// The account's id.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// Their display name.
    pub display_name: String,
    /// Their email.
    pub email: String,
    /// Their provisioning id.
    pub external_id: Option<String>,
    /// Whether the account is active (a deactivated member is never matched).
    pub active: bool,
    /// When they were added.
    pub added_at: DateTime<Utc>,
    /// When they opted out; null while in.
    pub opted_out_at: Option<DateTime<Utc>>,
}

impl From<Member> for CohortMemberView {
    fn from(m: Member) -> Self {
        CohortMemberView {
            user_id: m.membership.user_id,
            display_name: m.display_name,
            email: m.email,
            external_id: m.external_id,
            active: !m.deactivated,
            added_at: m.membership.added_at.and_utc(),
            opted_out_at: m.membership.opted_out_at.map(|t| t.and_utc()),
        }
    }
}

/// A cohort the caller is in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4c01", "name": "Leadership programme, spring 2027",
    "starts_on": "2027-03-01", "matched_at": null, "added_at": "2026-11-30T09:00:00Z",
    "opted_out_at": null
}))]
pub struct MyCohortView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Its name.
    pub name: String,
    /// When the programme starts.
    pub starts_on: NaiveDate,
    /// When its pairs were confirmed; opting out is possible until then.
    pub matched_at: Option<DateTime<Utc>>,
    /// When the caller was added.
    pub added_at: DateTime<Utc>,
    /// When the caller opted out; null while in.
    pub opted_out_at: Option<DateTime<Utc>>,
}

impl From<(Cohort, Membership)> for MyCohortView {
    fn from((c, m): (Cohort, Membership)) -> Self {
        MyCohortView {
            id: c.id,
            name: c.name,
            starts_on: c.starts_on,
            matched_at: c.matched_at.map(|t| t.and_utc()),
            added_at: m.added_at.and_utc(),
            opted_out_at: m.opted_out_at.map(|t| t.and_utc()),
        }
    }
}

/// The cohorts the caller is in, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyCohorts {
    /// Each cohort with the caller's membership.
    pub items: Vec<MyCohortView>,
}
