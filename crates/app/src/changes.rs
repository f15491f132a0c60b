//! The changes feed: everything that changed in the actor's partnerships, in commit order, for
//! integrations that mirror Tandem. Unlike `updated_since` on lists it also reports what left
//! them (tombstones), and its cursor never skips a change that committed late.

use tandem_store::changes;
pub use tandem_store::changes::{Change, Entity, Op};

use crate::{Actor, AppResult, Tx};

/// Where a page of the feed starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// After this position.
    After(i64),
    /// The present: only changes from now on.
    Now,
}

/// A page of the feed.
#[derive(Debug, Clone)]
pub struct FeedPage {
    /// Up to `limit` changes, in commit order.
    pub changes: Vec<Change>,
    /// Where the next page starts.
    pub next_since: i64,
    /// More changes are waiting.
    pub has_more: bool,
}

/// Up to `limit` changes after `since` in the partnerships the actor can see.
pub fn feed(tx: &mut Tx<'_>, actor: &Actor, since: Since, limit: i64) -> AppResult<FeedPage> {
    let since = match since {
        Since::After(n) => n,
        Since::Now => changes::head(tx.conn)?,
    };
    let mut rows = changes::since(tx.conn, actor.member(), since, limit + 1)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    Ok(FeedPage {
        next_since: rows.last().map_or(since, |c| c.position),
        changes: rows,
        has_more,
    })
}
