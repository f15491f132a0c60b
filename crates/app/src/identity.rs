//! Accounts and who they are: registration, sign-in sessions with single-use refresh tokens,
//! profile edits, provisioning by admins, and accounts of trusted external identities.
//!
//! Passwords are hashed with argon2id ([`hash_password`], deliberately slow: run it with
//! [`crate::App::compute`], never inside a write transaction). Signing the bearer tokens is the
//! HTTP layer's business; here live the sessions they stand for.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, NaiveDateTime};
use tandem_store::StoreError;
use tandem_store::sessions::{self, Rotation};
pub use tandem_store::users::User;
use tandem_store::users::{self, NewUser, ProfileChanges, Provisioning};
use tandem_store::{access_tokens, identities};
use uuid::Uuid;

use crate::{Actor, AppError, AppResult, Rule, Tx};

/// Hashes a password into a PHC string (algorithm, parameters and salt included).
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// Checks a password against a stored PHC string. With no stored hash (unknown email, or an
/// account without a password) it still spends the time of a real check, so response timing does
/// not reveal which emails have accounts.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let (phc, real) = match stored {
        Some(phc) => (phc, true),
        None => (
            DUMMY
                .get_or_init(|| {
                    hash_password("not a real password, only for timing").unwrap_or_default()
                })
                .as_str(),
            false,
        ),
    };
    let ok = PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}

/// Trimmed and lower-cased: emails are unique regardless of case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A new account.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Email, normalised.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// IANA time zone.
    pub time_zone: String,
    /// The password's PHC hash.
    pub password_hash: String,
}

/// Creates an account; a taken email is `email-taken`.
pub fn register(tx: &mut Tx<'_>, new: &Registration) -> AppResult<User> {
    users::insert(
        tx.conn,
        &NewUser {
            email: &new.email,
            display_name: new.display_name.trim(),
            time_zone: &new.time_zone,
            password_hash: Some(&new.password_hash),
            external_id: None,
        },
        tx.now(),
    )
    .map_err(|e| match e {
        StoreError::Conflict(_) => AppError::refused(
            Rule::EmailTaken,
            "an account with this email already exists",
        ),
        other => other.into(),
    })
}

/// The account with this email, for signing in.
pub fn account_by_email(tx: &mut Tx<'_>, email: &str) -> AppResult<Option<User>> {
    Ok(users::find_by_email(tx.conn, email)?)
}

/// A sign-in session: its id and its first refresh token's id.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The session.
    pub id: Uuid,
    /// The account.
    pub user_id: Uuid,
    /// The current refresh token's id.
    pub refresh_jti: Uuid,
}

/// Opens a sign-in session for an active account whose password was verified.
pub fn open_session(tx: &mut Tx<'_>, user: &User) -> AppResult<Session> {
    if user.deactivated_at.is_some() {
        return Err(AppError::Unauthorized("invalid email or password".into()));
    }
    let session = Session {
        id: Uuid::new_v4(),
        user_id: user.id,
        refresh_jti: Uuid::new_v4(),
    };
    let expires = tx.now() + Duration::seconds(tx.settings().refresh_token_ttl_secs.into());
    sessions::create(
        tx.conn,
        session.id,
        session.user_id,
        session.refresh_jti,
        tx.now(),
        expires,
    )?;
    Ok(session)
}

/// What presenting a refresh token came to. A refusal is an answer rather than an error so that
/// the transaction still commits: presenting a used token revokes its whole session (someone may
/// have stolen it), and that revocation must stick although the request is refused.
#[derive(Debug)]
pub enum Rotated {
    /// The session goes on with a new refresh token.
    Session(Session),
    /// Refused (401); a reused token's session is revoked.
    Refused(AppError),
}

impl Rotated {
    /// The session, or the refusal as an error.
    pub fn into_result(self) -> AppResult<Session> {
        match self {
            Rotated::Session(s) => Ok(s),
            Rotated::Refused(e) => Err(e),
        }
    }
}

/// Rotates a session's refresh token `jti` (of `user_id`); a token used before revokes the session.
pub fn rotate(tx: &mut Tx<'_>, jti: Uuid, user_id: Uuid) -> AppResult<Rotated> {
    let new_jti = Uuid::new_v4();
    let expires = tx.now() + Duration::seconds(tx.settings().refresh_token_ttl_secs.into());
    Ok(
        match sessions::rotate(tx.conn, jti, new_jti, tx.now(), expires)? {
            Rotation::Rotated {
                user_id: owner,
                session_id,
            } if owner == user_id => Rotated::Session(Session {
                id: session_id,
                user_id,
                refresh_jti: new_jti,
            }),
            Rotation::Reused => Rotated::Refused(AppError::Unauthorized(
                "this refresh token was already used; the session has been revoked, sign in again"
                    .into(),
            )),
            _ => Rotated::Refused(AppError::Unauthorized(
                "the refresh token is invalid or expired".into(),
            )),
        },
    )
}

/// Ends a sign-in session.
pub fn close_session(tx: &mut Tx<'_>, session_id: Uuid) -> AppResult<()> {
    Ok(sessions::revoke(tx.conn, session_id, tx.now(), "logout")?)
}

/// The account of a live session, if the session is live.
pub fn session_user(tx: &mut Tx<'_>, user_id: Uuid, session_id: Uuid) -> AppResult<Option<User>> {
    Ok(sessions::live_user(tx.conn, user_id, session_id)?)
}

/// A profile edit; a new password comes hashed, after the current one was verified.
#[derive(Debug, Clone, Default)]
pub struct ProfileEdit {
    /// New display name.
    pub display_name: Option<String>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// New password's hash.
    pub password_hash: Option<String>,
}

/// Edits the actor's profile, if still at `expected` version. A new password ends every other
/// sign-in session of the account (`keep` is the one in use).
pub fn update_profile(
    tx: &mut Tx<'_>,
    actor: &Actor,
    edit: ProfileEdit,
    expected: Option<i64>,
    keep: Option<Uuid>,
) -> AppResult<User> {
    let id = Uuid::parse_str(&actor.id).map_err(AppError::internal)?;
    let new_password = edit.password_hash.is_some();
    let changes = ProfileChanges {
        display_name: edit.display_name.map(|n| n.trim().to_owned()),
        time_zone: edit.time_zone,
        password_hash: edit.password_hash,
    };
    let user = users::update_profile(tx.conn, id, &changes, expected, tx.now())?;
    if new_password {
        sessions::revoke_all_but(tx.conn, id, keep, tx.now(), "password changed")?;
    }
    Ok(user)
}

/// The `wrong-password` refusal.
pub fn wrong_password() -> AppError {
    AppError::refused(Rule::WrongPassword, "the current password is not correct")
}

/// A person as the provisioning system knows them.
#[derive(Debug, Clone)]
pub struct Provision {
    /// Email, normalised.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// IANA time zone.
    pub time_zone: String,
    /// `Some(false)` deactivates, `Some(true)` reactivates.
    pub active: Option<bool>,
    /// Where they sit, for cohort matching; each part left as it is when `None`.
    pub placement: crate::matching_profiles::Placement,
}

/// Ends every credential of a deactivated account: sessions and access tokens.
fn end_credentials(tx: &mut Tx<'_>, user: &User) -> AppResult<()> {
    sessions::revoke_all(tx.conn, user.id, tx.now(), "deactivated")?;
    access_tokens::revoke_all(tx.conn, &user.id.to_string(), tx.now().naive_utc())?;
    Ok(())
}

fn active_change(tx: &Tx<'_>, user: &User, active: Option<bool>) -> Option<Option<NaiveDateTime>> {
    match (active, user.deactivated_at) {
        (Some(false), None) => Some(Some(tx.now().naive_utc())),
        (Some(true), Some(_)) => Some(None),
        _ => None,
    }
}

/// Creates (`true`) or updates (`false`) the account the provisioning system knows as
/// `external_id`, adopting an unprovisioned account with the same email (admins only).
pub fn provision(
    tx: &mut Tx<'_>,
    actor: &Actor,
    external_id: &str,
    person: &Provision,
    expected: Option<i64>,
) -> AppResult<(bool, User)> {
    actor.require_admin()?;
    let existing = match users::find_by_external_id(tx.conn, external_id)? {
        Some(u) => Some(u),
        None => match users::find_by_email(tx.conn, &person.email)? {
            Some(u) if u.external_id.is_none() => Some(u),
            Some(_) => {
                return Err(AppError::refused(
                    Rule::EmailTaken,
                    "this email belongs to another provisioned person",
                ));
            }
            None => None,
        },
    };
    let (created, user) = match existing {
        Some(u) => {
            if expected.is_some_and(|v| v != u.version) {
                return Err(AppError::Stale);
            }
            let adopted = u.external_id.is_none();
            let changes = Provisioning {
                email: Some(person.email.clone()).filter(|e| *e != u.email),
                display_name: Some(person.display_name.trim().to_owned())
                    .filter(|n| *n != u.display_name),
                time_zone: Some(person.time_zone.clone()).filter(|t| *t != u.time_zone),
                external_id: adopted.then(|| external_id.to_owned()),
                deactivated_at: active_change(tx, &u, person.active),
            };
            let unchanged = changes.email.is_none()
                && changes.display_name.is_none()
                && changes.time_zone.is_none()
                && changes.external_id.is_none()
                && changes.deactivated_at.is_none();
            let user = if unchanged {
                u
            } else {
                users::provision(tx.conn, u.id, &changes, tx.now()).map_err(|e| match e {
                    StoreError::Conflict(_) => {
                        AppError::refused(Rule::EmailTaken, "this email belongs to another account")
                    }
                    other => other.into(),
                })?
            };
            (adopted, user)
        }
        None => {
            let user = users::insert(
                tx.conn,
                &NewUser {
                    email: &person.email,
                    display_name: person.display_name.trim(),
                    time_zone: &person.time_zone,
                    password_hash: None,
                    external_id: Some(external_id),
                },
                tx.now(),
            )?;
            let user = match active_change(tx, &user, person.active) {
                Some(change) => users::provision(
                    tx.conn,
                    user.id,
                    &Provisioning {
                        deactivated_at: Some(change),
                        ..Default::default()
                    },
                    tx.now(),
                )?,
                None => user,
            };
            (true, user)
        }
    };
    if user.deactivated_at.is_some() {
        end_credentials(tx, &user)?;
    }
    crate::matching_profiles::place(tx, &user.id.to_string(), &person.placement)?;
    Ok((created, user))
}

/// Deactivates a provisioned person (admins only): every session and token ends; data stays.
pub fn deactivate(tx: &mut Tx<'_>, actor: &Actor, external_id: &str) -> AppResult<User> {
    actor.require_admin()?;
    let user = users::find_by_external_id(tx.conn, external_id)?.ok_or(AppError::NotFound)?;
    let user = match active_change(tx, &user, Some(false)) {
        Some(change) => users::provision(
            tx.conn,
            user.id,
            &Provisioning {
                deactivated_at: Some(change),
                ..Default::default()
            },
            tx.now(),
        )?,
        None => user,
    };
    end_credentials(tx, &user)?;
    Ok(user)
}

/// A provisioned person (admins only).
pub fn provisioned(tx: &mut Tx<'_>, actor: &Actor, external_id: &str) -> AppResult<User> {
    actor.require_admin()?;
    users::find_by_external_id(tx.conn, external_id)?.ok_or(AppError::NotFound)
}

/// A page of accounts (admins only).
pub fn accounts(
    tx: &mut Tx<'_>,
    actor: &Actor,
    since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<User>> {
    actor.require_admin()?;
    Ok(users::list(tx.conn, since, after, limit)?)
}

/// The server's stored setting `name`, created with `make` on first use (the generated signing
/// secret survives restarts this way).
pub fn stored_setting(
    tx: &mut Tx<'_>,
    name: &str,
    make: impl FnOnce() -> String,
) -> AppResult<String> {
    let now = tx.now().naive_utc();
    Ok(tandem_store::settings::get_or_insert_with(
        tx.conn, name, make, now,
    )?)
}

/// Grants or withdraws the admin role of the account with `email` (the command line's `tandem
/// admin`); not found when there is no such account.
pub fn set_admin(tx: &mut Tx<'_>, email: &str, admin: bool) -> AppResult<()> {
    Ok(users::set_admin(tx.conn, &normalise_email(email), admin)?)
}

/// An identity a trusted external issuer vouched for.
#[derive(Debug, Clone)]
pub struct ExternalIdentity {
    /// The issuer.
    pub issuer: String,
    /// The subject, stable per person at that issuer.
    pub subject: String,
    /// The email claim.
    pub email: Option<String>,
    /// The name claim.
    pub name: Option<String>,
}

/// The account of an external identity: linked before, or (when the issuer is trusted to create
/// accounts) the account with its email, or a new one. `None` when it has no account.
pub fn external_account(
    tx: &mut Tx<'_>,
    identity: &ExternalIdentity,
    create: bool,
    valid_email: impl Fn(&str) -> bool,
) -> AppResult<Option<User>> {
    if let Some(id) = identities::user_of(tx.conn, &identity.issuer, &identity.subject)? {
        return Ok(Some(users::find_str(tx.conn, &id)?));
    }
    if !create {
        return Ok(None);
    }
    let Some(email) = identity
        .email
        .as_deref()
        .map(normalise_email)
        .filter(|e| valid_email(e))
    else {
        return Ok(None);
    };
    let user = match users::find_by_email(tx.conn, &email)? {
        Some(user) => user,
        None => {
            let name = identity
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| email.split('@').next().unwrap_or("someone").to_owned());
            let name: String = name.trim().chars().take(100).collect();
            users::insert(
                tx.conn,
                &NewUser {
                    email: &email,
                    display_name: &name,
                    time_zone: "UTC",
                    password_hash: None,
                    external_id: None,
                },
                tx.now(),
            )?
        }
    };
    identities::link(
        tx.conn,
        &identity.issuer,
        &identity.subject,
        &user.id.to_string(),
        tx.now().naive_utc(),
    )?;
    Ok(Some(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_password_verifies_and_wrong_does_not() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&phc)));
        assert!(!verify_password("Correct horse battery", Some(&phc)));
        assert!(!verify_password("correct horse battery", None));
    }
}
