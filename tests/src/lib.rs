//! Black-box test support: start the real server on a fresh database and talk HTTP to it.
//!
//! Each test gets its own server on a free port and its own database: a new SQLite file in a
//! temporary directory, or, when `TEST_DATABASE_URL` names a PostgreSQL server, a new database on
//! it (dropped afterwards). The same tests therefore run against both backends.

pub mod receiver;
pub mod smtp;

use std::time::Duration;

use diesel::{Connection, RunQueryDsl};

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tandem_api::{Application, Config};
use tandem_store::testing::TestDatabase;

/// The signing secret test servers use, so tests can forge tokens on purpose.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Which backend this run uses (`sqlite` or `postgres`).
    pub backend: &'static str,
    /// The database the server uses (tests may reach into it to set the clock back on a row).
    pub database_url: String,
    /// `http://127.0.0.1:PORT` of the metrics listener, when the configuration asked for one.
    pub metrics: Option<String>,
    /// Stopped and joined on drop, before `db` goes.
    _server: ServerThread,
    /// The database, owned by the first server on it (dropped with it); `None` for another
    /// instance sharing it.
    db: Option<TestDatabase>,
}

/// A registered, signed-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Account id.
    pub id: String,
    /// Email as registered.
    pub email: String,
    /// Password.
    pub password: String,
    /// Current access token.
    pub access: String,
    /// Current refresh token.
    pub refresh: String,
}

/// Starts a server with the default test configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server after letting the test adjust its configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDatabase::fresh();
    start(db.url.clone(), Some(db), adjust).await
}

async fn start(url: String, db: Option<TestDatabase>, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let backend = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let mut config = Config::new(url.clone(), "127.0.0.1:0");
    config.jwt_secret = Some(TEST_JWT_SECRET.into());
    config.workers = Some(1);
    config.db_pool_size = Some(4);
    adjust(&mut config);
    // The server runs on a thread and runtime of its own, as it would in its own process: it
    // never waits for the test's runtime, and it is stopped and joined when the test drops it,
    // so no server's threads (workers, pool, SQLite writer) outlive their test and run on while
    // the test binary exits.
    let (ready, started) = tokio::sync::oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("test-server".into())
        .spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match Application::build(config).await {
                    Ok(app) => {
                        let running = (app.local_addr(), app.metrics_addr(), app.handle());
                        if ready.send(Ok(running)).is_ok() {
                            let _ = app.run_until_stopped().await;
                        }
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e.to_string()));
                    }
                }
            })
        })
        .expect("a thread for the server");
    let (addr, metrics, handle) = match started.await {
        Ok(Ok(running)) => running,
        Ok(Err(e)) => panic!("server starts: {e}"),
        Err(_) => panic!("server starts: its thread ended without a word"),
    };
    let base = format!("http://{addr}");
    let metrics = metrics.map(|addr| format!("http://{addr}"));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .no_proxy()
        .build()
        .expect("client");
    TestApp {
        base,
        client,
        backend,
        database_url: url,
        metrics,
        _server: ServerThread::new(handle, thread),
        db,
    }
}

/// A server running on a thread of its own; dropping this stops the server at once (no graceful
/// drain, like a crash) and waits for the thread to end. Fields drop in order, so a `TestApp`'s
/// server is gone before its database is removed.
pub(crate) struct ServerThread {
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    pub(crate) fn new(
        handle: actix_web::dev::ServerHandle,
        thread: std::thread::JoinHandle<()>,
    ) -> Self {
        ServerThread {
            handle,
            thread: Some(thread),
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        // `stop` sends its command when called; joining the thread waits for more than the
        // returned future would.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl TestApp {
    /// Stops this server at once (like a crash: no graceful drain) and starts a new one on the
    /// same database with a fresh configuration; tokens stay valid (same signing secret).
    pub async fn restart_with(mut self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let (url, db) = (self.database_url.clone(), self.db.take());
        drop(self);
        start(url, db, adjust).await
    }

    /// Starts another server on this one's database, as a second instance behind a load
    /// balancer would run (the database stays owned by `self`).
    pub async fn another_instance(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        start(self.database_url.clone(), None, adjust).await
    }

    /// Moves a partnership's start back in time behind the API's back, as if it had been running
    /// for `months` (for what comes due with time: fit reviews, refreshes).
    #[allow(
        clippy::disallowed_methods,
        reason = "the server under test reads the wall clock, so its past is measured from it"
    )]
    pub fn backdate_partnership(&self, partnership: &str, months: u32) {
        use diesel::connection::SimpleConnection;
        use diesel::sql_types::{Text, Timestamp};
        use diesel::{Connection, RunQueryDsl};
        let then =
            (chrono::Utc::now() - chrono::Duration::days(31 * i64::from(months))).naive_utc();
        let sql = "UPDATE partnerships SET accepted_at = $1, created_at = $1 WHERE id = $2";
        let updated = if self.backend == "postgres" {
            let mut conn = diesel::PgConnection::establish(&self.database_url).unwrap();
            diesel::sql_query(sql)
                .bind::<Timestamp, _>(then)
                .bind::<Text, _>(partnership)
                .execute(&mut conn)
        } else {
            let mut conn = diesel::SqliteConnection::establish(&self.database_url).unwrap();
            conn.batch_execute("PRAGMA busy_timeout = 5000;").unwrap();
            diesel::sql_query(sql.replace('$', "?"))
                .bind::<Timestamp, _>(then)
                .bind::<Text, _>(partnership)
                .execute(&mut conn)
        };
        assert_eq!(updated.unwrap(), 1);
    }

    /// Writes `value` into one text column of one row behind the API's back, to plant data that an
    /// older version (or another writer) may have left: what the API must still handle safely.
    pub fn set_text_column(&self, table: &str, column: &str, id: &str, value: &str) {
        use diesel::connection::SimpleConnection;
        use diesel::sql_types::Text;
        let sql = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
        let updated = if self.backend == "postgres" {
            let mut conn = diesel::PgConnection::establish(&self.database_url).expect("connect");
            diesel::sql_query(sql)
                .bind::<Text, _>(value)
                .bind::<Text, _>(id)
                .execute(&mut conn)
        } else {
            let mut conn =
                diesel::SqliteConnection::establish(&self.database_url).expect("connect");
            conn.batch_execute("PRAGMA busy_timeout = 5000;")
                .expect("pragma");
            diesel::sql_query(sql.replace('$', "?"))
                .bind::<Text, _>(value)
                .bind::<Text, _>(id)
                .execute(&mut conn)
        };
        assert_eq!(updated.expect("update"), 1, "{table} {id}");
    }

    /// Runs `sql` on this server's database behind the API's back (to see or reset state no
    /// endpoint shows, such as roll-ups); how many rows it changed.
    pub fn execute_sql(&self, sql: &str) -> usize {
        use diesel::connection::SimpleConnection;
        use diesel::{Connection, RunQueryDsl};
        if self.backend == "postgres" {
            let mut conn = diesel::PgConnection::establish(&self.database_url).expect("connect");
            diesel::sql_query(sql).execute(&mut conn).expect(sql)
        } else {
            let mut conn =
                diesel::SqliteConnection::establish(&self.database_url).expect("connect");
            conn.batch_execute("PRAGMA busy_timeout = 5000;")
                .expect("pragma");
            diesel::sql_query(sql).execute(&mut conn).expect(sql)
        }
    }

    /// The value of one series on the metrics listener (`name{labels}` as exposed), 0 when it
    /// has no sample yet. Counters are the process's, shared by every server of a test binary,
    /// so compare before and after rather than with a fixed value.
    pub async fn metric(&self, series: &str) -> f64 {
        let listener = self
            .metrics
            .as_ref()
            .expect("a metrics listener (metrics_bind)");
        let text = self
            .client
            .get(format!("{listener}/metrics"))
            .send()
            .await
            .expect("scrape")
            .text()
            .await
            .expect("metrics text");
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .map_or(0.0, |value| value.trim().parse().expect("a number"))
    }

    /// Waits up to 5 s for a counter on the metrics listener to reach `at_least` (jobs count
    /// their work just after committing it, so a test that sees the data may be a step early).
    pub async fn metric_reaches(&self, series: &str, at_least: f64) {
        let mut value = 0.0;
        for _ in 0..100 {
            value = self.metric(series).await;
            if value >= at_least {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{series} stayed at {value}, below {at_least}");
    }

    /// `SELECT COUNT(*) FROM {from_where}` on this server's database.
    pub fn count(&self, from_where: &str) -> i64 {
        use diesel::connection::SimpleConnection;
        use diesel::{Connection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sql = format!("SELECT COUNT(*) AS n FROM {from_where}");
        let counted: Count = if self.backend == "postgres" {
            let mut conn = diesel::PgConnection::establish(&self.database_url).expect("connect");
            diesel::sql_query(&sql)
                .get_result(&mut conn)
                .expect("count")
        } else {
            let mut conn =
                diesel::SqliteConnection::establish(&self.database_url).expect("connect");
            conn.batch_execute("PRAGMA busy_timeout = 5000;")
                .expect("pragma");
            diesel::sql_query(&sql)
                .get_result(&mut conn)
                .expect("count")
        };
        counted.n
    }

    /// A request to `path` on this server.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// An authenticated request.
    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    /// POSTs a JSON body without credentials.
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Registers an account; panics unless it is created.
    pub async fn register(&self, email: &str, password: &str) -> Value {
        let res = self
            .post_json(
                "/v1/auth/register",
                &json!({
                    "email": email,
                    "password": password,
                    "display_name": email.split('@').next().unwrap_or("someone"),
                    "time_zone": "Europe/Berlin",
                }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "register {email}");
        res.json().await.expect("user json")
    }

    /// Signs in; returns the token response body (panics on failure).
    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        let res = self
            .post_json(
                "/v1/auth/token",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "sign in {email}");
        res.json().await.expect("token json")
    }

    /// Registers and signs in a new user with a unique email.
    pub async fn new_user(&self) -> TestUser {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        self.user_with_email(&email).await
    }

    /// Registers and signs in a user with `email` (one named in `admin_emails`, say).
    pub async fn user_with_email(&self, email: &str) -> TestUser {
        let email = email.to_owned();
        let password = "correct horse battery staple".to_owned();
        let user = self.register(&email, &password).await;
        let tokens = self.sign_in(&email, &password).await;
        TestUser {
            id: user["id"].as_str().expect("id").to_owned(),
            email,
            password,
            access: tokens["access_token"].as_str().expect("access").to_owned(),
            refresh: tokens["refresh_token"]
                .as_str()
                .expect("refresh")
                .to_owned(),
        }
    }
}

/// Asserts `res` is the refusal by the named rule `rule` (its problem type
/// `urn:tandem:problem:<rule>`) with `status`, and returns the problem.
pub async fn assert_refused(res: Response, status: StatusCode, rule: &str) -> Value {
    let problem = assert_problem(res, status).await;
    assert_eq!(
        problem["type"],
        format!("urn:tandem:problem:{rule}"),
        "problem type: {problem}"
    );
    problem
}

/// Asserts `res` is a problem+json document for `status` carrying the request id, and returns it.
pub async fn assert_problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status, "status");
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type was {content_type:?}"
    );
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("x-request-id header");
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status.as_u16(), "status member");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:tandem:problem:"))
    );
    assert!(body["title"].is_string() && body["detail"].is_string());
    assert_eq!(body["request_id"], request_id.as_str());
    body
}

/// The JSON pointers named in a validation problem.
pub fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A goal document that meets all five SMART criteria (the seed's wait-time goal).
pub fn smart_goal(title: &str) -> Value {
    json!({
        "title": title,
        "what": "Reduce average customer wait time by 20%",
        "who": "Support team",
        "why": "Long waits are the top reason for churn",
        "metric": {"name": "Average wait", "unit": "minutes", "kind": "duration",
                   "direction": "decrease", "baseline": 12.0, "target": 9.6},
        "confidence": 0.7,
        "alignment": "FY26 retention objective",
        "start_date": "2026-01-01",
        "due_date": "2026-06-30"
    })
}

impl TestApp {
    /// `a` invites `b` (by email) and `b` accepts; returns the partnership id.
    pub async fn partnership(&self, a: &TestUser, b: &TestUser) -> String {
        let res = self
            .authed(Method::POST, "/v1/partnerships", &a.access)
            .json(&json!({"invitee_email": b.email}))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::CREATED, "invite");
        let id = res.json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let res = self
            .authed(
                Method::POST,
                &format!("/v1/partnerships/{id}/accept"),
                &b.access,
            )
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK, "accept");
        id
    }

    /// Creates a draft goal for `owner`; returns its JSON.
    pub async fn goal(&self, owner: &TestUser, partnership: &str, body: &Value) -> Value {
        let res = self
            .authed(
                Method::POST,
                &format!("/v1/partnerships/{partnership}/goals"),
                &owner.access,
            )
            .json(body)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::CREATED, "create goal");
        res.json().await.expect("json")
    }

    /// Creates and activates a SMART goal; returns its id.
    pub async fn active_goal(&self, owner: &TestUser, partnership: &str, title: &str) -> String {
        self.activated_goal(owner, partnership, &smart_goal(title))
            .await
    }

    /// Creates a goal from `body` and activates it; returns its id.
    pub async fn activated_goal(
        &self,
        owner: &TestUser,
        partnership: &str,
        body: &Value,
    ) -> String {
        let id = self.goal(owner, partnership, body).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let res = self
            .authed(
                Method::POST,
                &format!("/v1/goals/{id}/activate"),
                &owner.access,
            )
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK, "activate");
        id
    }
}

/// Sends `method path` as `user`, with an optional JSON body.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    user: &TestUser,
    body: Option<Value>,
) -> Response {
    let mut req = app.authed(method, path, &user.access);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("request")
}

/// The first entry of `entity` in `user`'s changes feed, waiting for it: on PostgreSQL a change
/// appears once every write transaction that started before it has ended, other tests' ones
/// included. `None` if it has not appeared after about five seconds.
pub async fn change_of(app: &TestApp, user: &TestUser, entity: &str) -> Option<Value> {
    for _ in 0..500 {
        let feed = ok(app, Method::GET, "/v1/changes?limit=200", user, None).await;
        let found = feed["items"]
            .as_array()
            .and_then(|items| items.iter().find(|e| e["entity"] == entity).cloned());
        if found.is_some() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    None
}

/// Like [`call`], asserting a 2xx answer; returns its JSON body (`null` when it has none).
pub async fn ok(
    app: &TestApp,
    method: Method,
    path: &str,
    user: &TestUser,
    body: Option<Value>,
) -> Value {
    let res = call(app, method.clone(), path, user, body).await;
    let status = res.status();
    let text = res.text().await.expect("body");
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
