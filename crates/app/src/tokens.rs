//! Personal access tokens and feed links: how dashboards, spreadsheets, integrations and
//! calendar apps call Tandem without a password. A feed link (once "calendar feed token"; the
//! stored rows and the calendar-token endpoints are the same) reads one partnership's CSV reports
//! and calendar through a secret in the URL, because spreadsheets and calendar apps cannot send
//! headers. Least privilege: scopes, an optional expiry and
//! an optional limit to one partnership. A secret is shown once and stored only as a SHA-256.

use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use rand::RngCore;
use tandem_domain::names::Named;
use tandem_domain::token::Scope;
use tandem_store::access_tokens;
pub use tandem_store::access_tokens::AccessToken;
use tandem_store::meetings::{self, Meeting, MeetingFilter};
use tandem_store::partnerships::Partnership;
use tandem_store::users::{self, User};

use crate::{Actor, AppError, AppResult, Tx, new_id};

/// Prefix of every personal access token secret, so scanners and people recognise one.
pub const PAT_PREFIX: &str = "tdm_pat_";
/// Prefix of every feed link secret.
pub const FEED_PREFIX: &str = "tdm_feed_";
/// The stored scope that marks a feed link (it reads its partnership's reports and calendar and
/// nothing else).
const FEED_SCOPE: &str = "calendar-feed";

/// The stored form of a token secret.
pub fn token_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new secret: 32 random bytes, URL-safe, recognisable by its prefix.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The scopes a stored token holds.
pub fn scopes(t: &AccessToken) -> Vec<Scope> {
    t.scopes
        .split_whitespace()
        .filter_map(Scope::parse)
        .collect()
}

/// A new personal access token.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// The one partnership it may reach.
    pub partnership_id: Option<String>,
}

/// Creates a personal access token for the actor; returns it and its secret (shown once).
pub fn create(tx: &mut Tx<'_>, actor: &Actor, new: &NewToken) -> AppResult<(AccessToken, String)> {
    if new.expires_at.is_some_and(|t| t <= tx.now()) {
        return Err(AppError::field(
            "expires_at",
            "past",
            "must be in the future",
        ));
    }
    crate::partnerships::ensure_mine(tx, actor, new.partnership_id.as_deref())?;
    let secret = new_secret(PAT_PREFIX);
    let mut names: Vec<&str> = new.scopes.iter().map(|s| s.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let token = AccessToken {
        id: new_id(),
        user_id: actor.id.clone(),
        name: new.name.trim().to_owned(),
        token_hash: token_hash(&secret),
        prefix: secret.chars().take(PAT_PREFIX.len() + 4).collect(),
        scopes: names.join(" "),
        partnership_id: new.partnership_id.clone(),
        expires_at: new.expires_at.map(|t| crate::to_micros(t).naive_utc()),
        last_used_at: None,
        revoked_at: None,
        created_at: tx.now().naive_utc(),
    };
    access_tokens::insert(tx.conn, &token)?;
    Ok((token, secret))
}

/// A page of the actor's tokens (feed tokens included), oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    actor: &Actor,
    since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> AppResult<Vec<AccessToken>> {
    Ok(access_tokens::list(
        tx.conn, &actor.id, since, after, limit,
    )?)
}

/// One of the actor's tokens.
pub fn get(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<AccessToken> {
    Ok(access_tokens::find_for_user(tx.conn, &actor.id, id)?)
}

/// Revokes one of the actor's tokens at once.
pub fn revoke(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<()> {
    let token = get(tx, actor, id)?;
    Ok(access_tokens::revoke(
        tx.conn,
        &token.id,
        tx.now().naive_utc(),
    )?)
}

/// The account a personal access token stands for, if the token is live; notes its use at most
/// once a minute.
pub fn holder(tx: &mut Tx<'_>, secret: &str) -> AppResult<Option<(AccessToken, User)>> {
    let now = tx.now().naive_utc();
    let Some(token) = access_tokens::find_by_hash(tx.conn, &token_hash(secret))? else {
        return Ok(None);
    };
    if token.scopes == FEED_SCOPE
        || token.revoked_at.is_some()
        || token.expires_at.is_some_and(|t| t <= now)
    {
        return Ok(None);
    }
    touch(tx, &token)?;
    let user = users::find_str(tx.conn, &token.user_id)?;
    Ok(Some((token, user)))
}

fn touch(tx: &mut Tx<'_>, token: &AccessToken) -> AppResult<()> {
    let now = tx.now().naive_utc();
    if token
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::minutes(1))
    {
        access_tokens::touch(tx.conn, &token.id, now)?;
    }
    Ok(())
}

/// Creates a feed link for a partnership the actor belongs to, live until `expires_at` if given;
/// returns it and its secret (shown once).
pub fn create_feed(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    name: Option<String>,
    expires_at: Option<DateTime<Utc>>,
) -> AppResult<(AccessToken, String)> {
    crate::partnerships::visible(tx, actor, partnership_id)?;
    if let Some(at) = expires_at
        && at <= tx.now()
    {
        return Err(AppError::field(
            "expires_at",
            "in_the_past",
            "expires_at must be in the future",
        ));
    }
    let secret = new_secret(FEED_PREFIX);
    let token = AccessToken {
        id: new_id(),
        user_id: actor.id.clone(),
        name: name
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|| "Calendar".into()),
        token_hash: token_hash(&secret),
        prefix: secret.chars().take(FEED_PREFIX.len() + 4).collect(),
        scopes: FEED_SCOPE.into(),
        partnership_id: Some(partnership_id.to_owned()),
        expires_at: expires_at.map(|t| t.naive_utc()),
        last_used_at: None,
        revoked_at: None,
        created_at: tx.now().naive_utc(),
    };
    access_tokens::insert(tx.conn, &token)?;
    Ok((token, secret))
}

fn is_feed_of(t: &AccessToken, partnership_id: &str) -> bool {
    t.scopes == FEED_SCOPE && t.partnership_id.as_deref() == Some(partnership_id)
}

/// The actor's feed tokens for a partnership.
pub fn list_feeds(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    since: Option<NaiveDateTime>,
) -> AppResult<Vec<AccessToken>> {
    crate::partnerships::visible(tx, actor, partnership_id)?;
    Ok(access_tokens::list(tx.conn, &actor.id, since, None, 1000)?
        .into_iter()
        .filter(|t| is_feed_of(t, partnership_id))
        .collect())
}

/// Revokes one of the actor's feed links, whichever partnership it reads.
pub fn revoke_feed_link(tx: &mut Tx<'_>, actor: &Actor, id: &str) -> AppResult<()> {
    let token = access_tokens::find_for_user(tx.conn, &actor.id, id)?;
    match token.partnership_id.as_deref() {
        Some(p) if token.scopes == FEED_SCOPE => revoke_feed(tx, actor, p, id),
        _ => Err(AppError::NotFound),
    }
}

/// Who a feed link reads as and which partnership, if the link is live (not revoked, not
/// expired) and its creator is active and still a member; `None` otherwise (the caller cannot
/// tell which). The creator is limited to that partnership. Notes the use at most once a minute.
pub fn open_feed(tx: &mut Tx<'_>, secret: &str) -> AppResult<Option<(AccessToken, Actor)>> {
    let Some(token) = access_tokens::find_by_hash(tx.conn, &token_hash(secret))? else {
        return Ok(None);
    };
    let now = tx.now().naive_utc();
    let Some(partnership_id) = token.partnership_id.clone() else {
        return Ok(None);
    };
    if token.scopes != FEED_SCOPE
        || token.revoked_at.is_some()
        || token.expires_at.is_some_and(|t| t <= now)
    {
        return Ok(None);
    }
    let user = users::find_str(tx.conn, &token.user_id)?;
    if user.deactivated_at.is_some() {
        return Ok(None);
    }
    let creator = Actor {
        id: user.id.to_string(),
        email: user.email.clone(),
        only: Some(partnership_id.clone()),
        admin: false,
    };
    match crate::partnerships::visible(tx, &creator, &partnership_id) {
        Ok(p) if p.status.is_live() => {}
        Ok(_) | Err(AppError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    }
    touch(tx, &token)?;
    Ok(Some((token, creator)))
}

/// Revokes one of the actor's feed tokens for a partnership.
pub fn revoke_feed(
    tx: &mut Tx<'_>,
    actor: &Actor,
    partnership_id: &str,
    token_id: &str,
) -> AppResult<()> {
    crate::partnerships::visible(tx, actor, partnership_id)?;
    let token = access_tokens::find_for_user(tx.conn, &actor.id, token_id)?;
    if !is_feed_of(&token, partnership_id) {
        return Err(AppError::NotFound);
    }
    Ok(access_tokens::revoke(
        tx.conn,
        &token.id,
        tx.now().naive_utc(),
    )?)
}

/// What a calendar feed shows.
#[derive(Debug, Clone)]
pub struct Feed {
    /// The partnership.
    pub partnership: Partnership,
    /// The inviter's name.
    pub inviter: String,
    /// The invitee's name (or email before they accepted).
    pub invitee: String,
    /// Every meeting, cancelled ones included.
    pub meetings: Vec<Meeting>,
}

/// The feed a feed token reads, if the token is live, belongs to that partnership, and its creator
/// is still an active member; `None` otherwise (the caller cannot tell which).
pub fn feed(tx: &mut Tx<'_>, partnership_id: &str, secret: &str) -> AppResult<Option<Feed>> {
    let Some((_, creator)) = open_feed(tx, secret)? else {
        return Ok(None);
    };
    if creator.only.as_deref() != Some(partnership_id) {
        return Ok(None);
    }
    calendar_for(tx, &creator, partnership_id).map(Some)
}

/// The calendar a feed link reads, if it is live (see [`open_feed`]).
pub fn feed_of_link(tx: &mut Tx<'_>, secret: &str) -> AppResult<Option<(AccessToken, Feed)>> {
    let Some((token, creator)) = open_feed(tx, secret)? else {
        return Ok(None);
    };
    let partnership_id = creator.only.clone().unwrap_or_default();
    let feed = calendar_for(tx, &creator, &partnership_id)?;
    Ok(Some((token, feed)))
}

fn calendar_for(tx: &mut Tx<'_>, creator: &Actor, partnership_id: &str) -> AppResult<Feed> {
    let p = crate::partnerships::visible(tx, creator, partnership_id)?;
    let inviter = users::find_str(tx.conn, &p.inviter_id)?.display_name;
    let invitee = match &p.invitee_id {
        Some(i) => users::find_str(tx.conn, i)?.display_name,
        None => p.invitee_email.clone(),
    };
    let meetings = meetings::list(tx.conn, &p.id, &MeetingFilter::default(), None, 10_000)?;
    Ok(Feed {
        partnership: p,
        inviter,
        invitee,
        meetings,
    })
}
