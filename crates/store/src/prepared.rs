//! Hand-written SQL whose prepared statement each connection keeps.
//!
//! diesel's `sql_query` never keeps its statement, so a long query written by hand (the
//! scorecard's aggregate: about 7 KB with a time zone's changes spelled out) is parsed and
//! planned by the database on every request; that was a fifth of the scorecard's cost on
//! PostgreSQL. [`PreparedSql`] goes through diesel's statement cache like the query builder's
//! own queries: keyed by its text, so the texts given to it must come from a small set (one per
//! query shape and time zone), never from user input.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::expression::expression_types::Untyped;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Text, Timestamp};
use diesel::{QueryResult, RunQueryDsl};

/// Where a bind parameter goes in a [`PreparedSql`] template (`$n` on PostgreSQL, `?` on SQLite).
pub const BIND: &str = "{?}";

/// A value bound to a [`PreparedSql`].
#[derive(Debug, Clone)]
enum Bound<'a> {
    Text(&'a str),
    Timestamp(NaiveDateTime),
}

/// SQL text with bind parameters, kept prepared per connection (see the module's note).
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until it is run"]
pub struct PreparedSql<'a> {
    pieces: Vec<String>,
    binds: Vec<Bound<'a>>,
    keep: bool,
}

impl<'a> PreparedSql<'a> {
    /// A query from `template`, whose parameters are written [`BIND`] and bound in order.
    pub fn new(template: &str) -> Self {
        PreparedSql {
            pieces: template.split(BIND).map(str::to_owned).collect(),
            binds: Vec::new(),
            keep: true,
        }
    }

    /// Whether to keep the statement prepared (`false` for a text unlikely to come again).
    pub fn keep(mut self, keep: bool) -> Self {
        self.keep = keep;
        self
    }

    /// Binds the next parameter to a text.
    pub fn text(mut self, value: &'a str) -> Self {
        self.binds.push(Bound::Text(value));
        self
    }

    /// Binds the next parameter to a timestamp.
    pub fn timestamp(mut self, value: NaiveDateTime) -> Self {
        self.binds.push(Bound::Timestamp(value));
        self
    }
}

impl<DB> QueryFragment<DB> for PreparedSql<'_>
where
    DB: Backend + HasSqlType<Text> + HasSqlType<Timestamp>,
    str: ToSql<Text, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        debug_assert_eq!(
            self.binds.len() + 1,
            self.pieces.len(),
            "one bound value per {BIND} in the template"
        );
        if !self.keep {
            out.unsafe_to_cache_prepared();
        }
        for (i, piece) in self.pieces.iter().enumerate() {
            out.push_sql(piece);
            match self.binds.get(i) {
                Some(Bound::Text(v)) => out.push_bind_param::<Text, str>(v)?,
                Some(Bound::Timestamp(v)) => out.push_bind_param::<Timestamp, _>(v)?,
                None => {}
            }
        }
        Ok(())
    }
}

impl QueryId for PreparedSql<'_> {
    type QueryId = ();
    // No static id: diesel keys the kept statement by the SQL text and the bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PreparedSql<'_> {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for PreparedSql<'_> {}
