//! What the cohort endpoints accept.

use chrono::NaiveDate;
use serde::Deserialize;
use tandem_app::cohorts::{MemberRef, NewCohort};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::problem::{ApiError, FieldError};
use crate::http::validation;

/// Most people one request adds to a cohort.
pub const MAX_MEMBERS_PER_REQUEST: usize = 1000;

/// A new cohort.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Leadership programme, spring 2027", "starts_on": "2027-03-01"}))]
pub struct CreateCohortRequest {
    /// Its name, as people in it will see it.
    #[validate(custom(function = "validation::display_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"^\s*\S")]
    pub name: String,
    /// When the programme starts (the date its pairs begin).
    pub starts_on: NaiveDate,
    /// Whether two people of one department may be paired (default: not).
    #[serde(default)]
    pub allow_same_department: bool,
}

impl CreateCohortRequest {
    /// The use case's input.
    pub fn into_new(self) -> NewCohort {
        NewCohort {
            name: self.name,
            starts_on: self.starts_on,
            allow_same_department: self.allow_same_department,
        }
    }
}

/// People to add to a cohort.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"members": [{"external_id": "hr-1001"}, {"user_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f10"}]}))]
pub struct AddCohortMembersRequest {
    /// Each by user id or by provisioning id (exactly one of the two), 1 to 1,000.
    #[schema(min_items = 1, max_items = 1000)]
    pub members: Vec<CohortMemberRef>,
}

/// One person, by user id or by the provisioning system's id: exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortMemberRef {
    /// The account's id.
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    /// The provisioning system's id.
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: Option<String>,
}

impl AddCohortMembersRequest {
    /// The references, or 422 naming each member that gives neither or both ids.
    pub fn into_refs(self) -> Result<Vec<MemberRef>, ApiError> {
        if !(1..=MAX_MEMBERS_PER_REQUEST).contains(&self.members.len()) {
            return Err(ApiError::field(
                "members",
                "length",
                format!("1 to {MAX_MEMBERS_PER_REQUEST} members per request"),
            ));
        }
        let mut refs = Vec::with_capacity(self.members.len());
        let mut errors = Vec::new();
        for (i, m) in self.members.into_iter().enumerate() {
            match (m.user_id, m.external_id) {
                (Some(id), None) => refs.push(MemberRef::Id(id)),
                (None, Some(ext)) => refs.push(MemberRef::External(ext)),
                _ => errors.push(FieldError::new(
                    format!("members/{i}"),
                    "one_of",
                    "give exactly one of user_id and external_id",
                )),
            }
        }
        if errors.is_empty() {
            Ok(refs)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Paging through cohorts or their members.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
