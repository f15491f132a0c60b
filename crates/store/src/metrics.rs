//! What the database layer counts for `/metrics`: statements run and statements that failed, from
//! every pooled connection's instrumentation. The API registers these with its registry.

use std::sync::LazyLock;

use diesel::connection::InstrumentationEvent;
use prometheus_client::metrics::counter::Counter;

/// SQL statements run, over every connection.
pub static STATEMENTS: LazyLock<Counter> = LazyLock::new(Counter::default);
/// SQL statements that failed (constraint violations included).
pub static STATEMENT_ERRORS: LazyLock<Counter> = LazyLock::new(Counter::default);

/// Counts a statement as it finishes.
pub(crate) fn observe(event: &InstrumentationEvent<'_>) {
    if let InstrumentationEvent::FinishQuery { error, .. } = event {
        STATEMENTS.inc();
        if error.is_some() {
            STATEMENT_ERRORS.inc();
        }
    }
}
