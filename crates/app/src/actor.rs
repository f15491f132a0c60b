//! Who is calling, and what they may reach.

use std::sync::{Arc, OnceLock};

use tandem_store::partnerships::Member;
use tandem_store::users::User;
use uuid::Uuid;

use crate::{AppError, AppResult, Rule, Settings, Tx};

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
    /// The holder of `user`'s account, limited to partnership `only` if their credential is;
    /// admin if the database or the configuration says so.
    pub fn of(user: &User, only: Option<String>, settings: &Settings) -> Actor {
        let admin = user.is_admin
            || settings
                .admin_emails
                .iter()
                .any(|e| e.trim().eq_ignore_ascii_case(&user.email));
        Actor {
            id: user.id.to_string(),
            email: user.email.clone(),
            only,
            admin,
        }
    }

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

/// Who a request says it is, confirmed in the same unit of work as what it asks for.
///
/// A sign-in session's access token is verified by its signature alone, without the database;
/// whether the session is still open and the account still active is asked by the first unit of
/// work the request runs ([`crate::App::read_by`], [`crate::App::write_by`]), on the connection
/// and blocking hop it takes anyway, instead of a hop of its own. The answer is kept for the rest
/// of the request. Credentials confirmed by a lookup of their own (personal access tokens, whose
/// use is recorded, and external issuers' tokens) arrive confirmed. Cheap to clone: clones share
/// the answer.
#[derive(Debug, Clone)]
pub struct Principal(Arc<Claim>);

#[derive(Debug)]
struct Claim {
    /// The sign-in session (user id, session id) still to be confirmed; `None` for credentials
    /// confirmed by their own lookup.
    session: Option<(Uuid, Uuid)>,
    /// The actor, and the session's account as read when confirming it.
    confirmed: OnceLock<(Actor, Option<User>)>,
}

impl Principal {
    /// A caller whose credential was confirmed already.
    pub fn confirmed(actor: Actor) -> Self {
        Principal(Arc::new(Claim {
            session: None,
            confirmed: OnceLock::from((actor, None)),
        }))
    }

    /// The holder of a validly signed access token of sign-in session `session_id`, not yet
    /// confirmed by the database.
    pub fn session(user_id: Uuid, session_id: Uuid) -> Self {
        Principal(Arc::new(Claim {
            session: Some((user_id, session_id)),
            confirmed: OnceLock::new(),
        }))
    }

    /// Whether the database still has to be asked.
    pub fn is_pending(&self) -> bool {
        self.0.confirmed.get().is_none()
    }

    /// The signed-in account as stored now, once a session is confirmed (`None` for other
    /// credentials and before confirmation).
    pub fn session_user(&self) -> Option<&User> {
        self.0.confirmed.get().and_then(|(_, user)| user.as_ref())
    }

    /// The actor, asking the database the first time for a session: 401 if the session has
    /// ended or the account is deactivated. One statement (session and account together).
    pub fn confirm(&self, tx: &mut Tx<'_>) -> AppResult<Actor> {
        if let Some((actor, _)) = self.0.confirmed.get() {
            return Ok(actor.clone());
        }
        let Some((user_id, session_id)) = self.0.session else {
            return Err(AppError::internal(
                "a credential with neither session nor actor",
            ));
        };
        let user = crate::identity::session_user(tx, user_id, session_id)?
            .ok_or_else(|| AppError::Unauthorized("the session has ended; sign in again".into()))?;
        if user.deactivated_at.is_some() {
            return Err(AppError::Unauthorized("the account is deactivated".into()));
        }
        let actor = Actor::of(&user, None, tx.settings());
        let _ = self.0.confirmed.set((actor.clone(), Some(user)));
        Ok(actor)
    }
}
