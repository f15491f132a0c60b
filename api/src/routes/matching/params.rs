//! What the matching-profile endpoint accepts.

use serde::Deserialize;
use tandem_app::matching_profiles::ProfileEdit;
use tandem_domain::matching::{CommunicationStyle, LeadershipValue, MAX_VALUES, normalise_skill};
use utoipa::ToSchema;
use validator::Validate;

use crate::http::problem::{ApiError, FieldError};

/// Most skills per list: a profile, not a CV.
pub const MAX_SKILLS: usize = 10;
/// Longest skill tag, characters.
pub const MAX_SKILL_CHARS: usize = 50;
/// Longest department or level, characters.
pub const MAX_PLACE_CHARS: usize = 100;

/// A matching profile, whole.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "values": ["candour", "ownership"],
    "skills_offered": ["pricing", "enterprise sales"],
    "skills_sought": ["hiring"],
    "communication_style": "direct",
    "department": "Sales",
    "level": "Director"
}))]
pub struct PutMatchingProfileRequest {
    /// The values you hold, from the vocabulary, at most five (duplicates ignored).
    #[serde(default)]
    #[schema(max_items = 5)]
    pub values: Vec<LeadershipValue>,
    /// Skills you can offer a partner: free tags, at most ten, each 1-50 characters.
    #[serde(default)]
    #[schema(max_items = 10, value_type = Vec<SkillTag>)]
    pub skills_offered: Vec<String>,
    /// Skills you want to grow with a partner's help: free tags, at most ten.
    #[serde(default)]
    #[schema(max_items = 10, value_type = Vec<SkillTag>)]
    pub skills_sought: Vec<String>,
    /// How you like to talk things through; null: not said.
    #[serde(default)]
    pub communication_style: Option<CommunicationStyle>,
    /// Your department; null or blank: not said. Two people of one department are not paired
    /// unless the cohort allows it.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub department: Option<String>,
    /// Your level; null or blank: not said.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub level: Option<String>,
}

/// A skill tag as typed; stored normalised.
#[derive(ToSchema)]
#[schema(
    min_length = 1,
    max_length = 50,
    pattern = r"^.*[^\s_-]",
    example = "enterprise sales"
)]
pub struct SkillTag(#[allow(dead_code)] String);

impl PutMatchingProfileRequest {
    /// The edit, or 422 naming every field out of bounds.
    pub fn into_edit(self) -> Result<ProfileEdit, ApiError> {
        let mut errors = Vec::new();
        if self.values.len() > MAX_VALUES {
            errors.push(FieldError::new(
                "values",
                "length",
                format!("at most {MAX_VALUES} values"),
            ));
        }
        for (field, tags) in [
            ("skills_offered", &self.skills_offered),
            ("skills_sought", &self.skills_sought),
        ] {
            if tags.len() > MAX_SKILLS {
                errors.push(FieldError::new(
                    field,
                    "length",
                    format!("at most {MAX_SKILLS} skills"),
                ));
            }
            for (i, tag) in tags.iter().enumerate() {
                if normalise_skill(tag).is_none() || tag.chars().count() > MAX_SKILL_CHARS {
                    errors.push(FieldError::new(
                        format!("{field}/{i}"),
                        "skill",
                        format!("a skill is 1-{MAX_SKILL_CHARS} characters with a letter or digit"),
                    ));
                }
            }
        }
        for (field, text) in [("department", &self.department), ("level", &self.level)] {
            if text
                .as_ref()
                .is_some_and(|t| t.chars().count() > MAX_PLACE_CHARS)
            {
                errors.push(FieldError::new(
                    field,
                    "length",
                    format!("at most {MAX_PLACE_CHARS} characters"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(ProfileEdit {
            values: self.values,
            skills_offered: self.skills_offered,
            skills_sought: self.skills_sought,
            communication_style: self.communication_style,
            department: self.department,
            level: self.level,
        })
    }
}
