//! Databases for tests (feature `testing`): one fresh database per test, on the backend the run
//! asks for, removed afterwards. Every test suite of the workspace uses these, so SQLite and
//! PostgreSQL runs differ only in `TEST_DATABASE_URL`.

use diesel::{Connection, RunQueryDsl};

/// A database for one test; dropping it removes it.
pub struct TestDatabase {
    /// Where it is: a SQLite file path or a `postgres://` URL.
    pub url: String,
    home: Home,
}

enum Home {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new PostgreSQL database when `TEST_DATABASE_URL=postgres://…` is set (the URL names a
    /// server and a database to connect to while creating it), else a SQLite file.
    pub fn fresh() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if admin_url.starts_with("postgres") => Self::postgres(&admin_url),
            _ => Self::sqlite(),
        }
    }

    /// A SQLite file in a temporary directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        TestDatabase {
            url: dir.path().join("tandem.db").display().to_string(),
            home: Home::Sqlite(dir),
        }
    }

    /// A new database on the PostgreSQL server of `admin_url`.
    pub fn postgres(admin_url: &str) -> Self {
        let name = format!("tandem_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("cannot reach TEST_DATABASE_URL: {e}"));
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .expect("create test database");
        let (prefix, query) = match admin_url.split_once('?') {
            Some((p, q)) => (p, format!("?{q}")),
            None => (admin_url, String::new()),
        };
        let base = prefix.rsplit_once('/').map_or(prefix, |(b, _)| b);
        TestDatabase {
            url: format!("{base}/{name}{query}"),
            home: Home::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        }
    }

    /// `postgres` or `sqlite`.
    pub fn backend(&self) -> &'static str {
        match self.home {
            Home::Sqlite(_) => "sqlite",
            Home::Postgres { .. } => "postgres",
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Home::Postgres { admin_url, name } = &self.home
            && let Ok(mut conn) = diesel::PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// Counts the statements a connection runs from now on, for tests that hold a use case to its
/// statement budget (a number of round trips that must not grow with the data).
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl StatementCounter {
    /// Starts counting the statements `conn` runs (replacing any instrumentation it had).
    pub fn install(conn: &mut crate::DbConnection) -> Self {
        use diesel::connection::{Instrumentation, InstrumentationEvent};
        let counter = StatementCounter::default();
        let count = counter.0.clone();
        let instrumentation = move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        };
        let boxed: Box<dyn Instrumentation> = Box::new(instrumentation);
        conn.set_instrumentation(boxed);
        counter
    }

    /// Statements run since [`StatementCounter::install`] or the last [`StatementCounter::take`].
    pub fn take(&self) -> usize {
        self.0.swap(0, std::sync::atomic::Ordering::Relaxed)
    }
}

/// How many prepared statements containing `fragment` a PostgreSQL connection keeps (`None` on
/// SQLite, which shows no such list): evidence that a query is parsed and planned once.
pub fn kept_statements(conn: &mut crate::DbConnection, fragment: &str) -> Option<i64> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Kept {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    if !matches!(conn, crate::DbConnection::Postgres(_)) {
        return None;
    }
    let kept: Kept = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_prepared_statements WHERE position($1 in statement) > 0",
    )
    .bind::<Text, _>(fragment)
    .get_result(conn)
    .expect("pg_prepared_statements");
    Some(kept.n)
}

/// Runs `sql` as written; how many rows it changed. For tests that set the database up in ways
/// no use case would (a goal changed behind the application's back, a row tampered with).
pub fn execute(conn: &mut crate::DbConnection, sql: &str) -> usize {
    use diesel::RunQueryDsl;
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
