//! Who is calling, and what they may reach.

use tandem_store::partnerships::Member;

use crate::{AppError, AppResult, Rule};

/// The authenticated caller, as the use cases see them: an account, and the one partnership
/// their credential is limited to, if it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account's id.
    pub id: String,
    /// The account's email (lower-cased): invitations to it are theirs before they accept.
    pub email: String,
    /// The one partnership the credential may reach (a limited access token); every other one
    /// does not exist for it.
    pub only: Option<String>,
    /// Holds the admin role (provisioning people, never partnership contents).
    pub admin: bool,
}

impl Actor {
    /// The actor as a prospective partnership member, for membership checks done in SQL.
    pub fn member(&self) -> Member<'_> {
        Member {
            user_id: &self.id,
            email: &self.email,
            only: self.only.as_deref(),
        }
    }

    /// Refuses unless the actor holds the admin role.
    pub fn require_admin(&self) -> AppResult<()> {
        if self.admin {
            Ok(())
        } else {
            Err(AppError::refused(
                Rule::AdminOnly,
                "this needs the admin role",
            ))
        }
    }

    /// Whether the actor may reach partnership `id` at all (a limited token reaches one).
    pub fn reaches(&self, id: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == id)
    }
}
