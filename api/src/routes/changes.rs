//! The changes feed: everything that changed in the caller's partnerships, in commit order, for
//! integrations that mirror Tandem. Unlike `updated_since` on lists it also reports what left
//! them (tombstones), and its cursor never skips a change that committed late.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use tandem_app::changes::{self, Since};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::http::extract::{Query, parameter_error};
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::views::changes::{ChangesPage, FeedEntry};

/// Where to start.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// `next_since` from the previous response; omit it (or send it empty) to start from the
    /// beginning, or pass `now` to receive only changes from here on.
    #[param(pattern = "^([0-9]{1,18}|now)?$")]
    pub since: Option<String>,
    /// Page size, 1 to 1,000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

impl ChangesQuery {
    /// The page size and starting point, or 400 naming the parameter.
    fn parse(&self) -> Result<(i64, Since), ApiError> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(parameter_error(
                "limit",
                "range",
                "must be a whole number from 1 to 1000",
            ));
        }
        let since = match self.since.as_deref() {
            None | Some("") => Since::After(0),
            Some("now") => Since::Now,
            Some(text) => Since::After(text.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(
                || {
                    parameter_error(
                        "since",
                        "invalid_value",
                        "must be a next_since from this feed (a whole number), empty, or now",
                    )
                },
            )?),
        };
        Ok((i64::from(limit), since))
    }
}

/// What changed in my partnerships since a point in the feed.
///
/// Covers everything the caller can see (for a token limited to one partnership, that one):
/// creates, updates and tombstones of partnerships, goals (with their milestones and pending
/// changes), readings, meetings, notes, commitments, check-ins and fit reviews. Fetch `href` for
/// the current state; several changes to one entity may be listed. Pages are gap-free: writers
/// commit in feed order.
#[utoipa::path(
    tag = "sync",
    operation_id = "list_changes",
    security(("bearer" = [])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of changes", body = ChangesPage),
        (status = 400, response = crate::openapi::BadRequest),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, since) = query.parse()?;
    let actor = caller.principal();
    let page = state
        .app
        .read_by(&actor, move |tx, actor| {
            changes::feed(tx, actor, since, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ChangesPage {
        items: page.changes.into_iter().map(FeedEntry::from).collect(),
        next_since: page.next_since.to_string(),
        has_more: page.has_more,
    }))
}
