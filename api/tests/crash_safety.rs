//! Crash safety of `Idempotency-Key`: the real `tandem` binary is killed with SIGKILL while
//! keyed POSTs are in flight, restarted on the same database, and every key is retried. Each key
//! must replay its original response or, if the first try never committed, create exactly once.
//!
//! Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL=postgres://…` is set (a fresh
//! database, dropped afterwards), like the black-box suite in `tests/`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};

const SECRET: &str = "crash-test-secret-crash-test-secret-0123456789";

struct Database {
    url: String,
    drop_with: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop_with
            && let Ok(mut conn) = diesel::PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

fn fresh_database() -> Database {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let name = format!("tandem_crash_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&admin).expect("TEST_DATABASE_URL");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .expect("create database");
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            Database {
                url: format!("{base}/{name}"),
                drop_with: Some((admin.clone(), name)),
                _dir: None,
            }
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            Database {
                url: dir.path().join("tandem.db").display().to_string(),
                drop_with: None,
                _dir: Some(dir),
            }
        }
    }
}

/// Starts the real binary on `url`; returns the process and its base URL.
fn start(url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("serve")
        .env("TANDEM_DATABASE_URL", url)
        .env("TANDEM_BIND", "127.0.0.1:0")
        .env("TANDEM_JWT_SECRET", SECRET)
        .env("TANDEM_AUTH_RATE_LIMIT", "0")
        .env("TANDEM_WEBHOOK_WORKER", "false")
        .env("TANDEM_WORKERS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tandem");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("read the listening line");
    // Keep reading: a closed pipe would fail the server's next line of output.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    (child, base)
}

async fn ready(client: &reqwest::Client, base: &str) {
    let mut last = String::new();
    for _ in 0..400 {
        match client.get(format!("{base}/readyz")).send().await {
            Ok(res) if res.status().is_success() => return,
            Ok(res) => last = format!("{} {}", res.status(), res.text().await.unwrap_or_default()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not become ready: {last}");
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: &Value) -> Value {
    let res = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = res.status();
    let text = res.text().await.expect("body");
    assert!(status.is_success(), "{status} {text}");
    serde_json::from_str(&text).expect("json")
}

async fn user(client: &reqwest::Client, base: &str, email: &str) -> (String, String) {
    let password = "correct horse battery staple";
    let registered = post(
        client,
        format!("{base}/v1/auth/register"),
        "",
        &json!({"email": email, "password": password, "display_name": "Crash test", "time_zone": "UTC"}),
    )
    .await;
    let tokens = post(
        client,
        format!("{base}/v1/auth/token"),
        "",
        &json!({"email": email, "password": password}),
    )
    .await;
    (
        registered["id"].as_str().unwrap().to_owned(),
        tokens["access_token"].as_str().unwrap().to_owned(),
    )
}

/// What the first try of a key got back, if anything.
#[derive(Debug, Clone)]
struct FirstTry {
    status: u16,
    body: Value,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keyed_posts_survive_a_kill_9_replaying_or_creating_exactly_once() {
    let db = fresh_database();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let (mut server, base) = start(&db.url);
    ready(&client, &base).await;
    let (_, ada) = user(&client, &base, "ada@example.com").await;
    let (_, grace) = user(&client, &base, "grace@example.com").await;
    let p = post(
        &client,
        format!("{base}/v1/partnerships"),
        &ada,
        &json!({"invitee_email": "grace@example.com"}),
    )
    .await;
    let p = p["id"].as_str().unwrap().to_owned();
    post(
        &client,
        format!("{base}/v1/partnerships/{p}/accept"),
        &grace,
        &json!({}),
    )
    .await;
    let goal = post(
        &client,
        format!("{base}/v1/partnerships/{p}/goals"),
        &ada,
        &json!({"title": "Cut wait time", "what": "Reduce average customer wait time by 20%",
                "who": "Support team", "why": "Long waits are the top reason for churn",
                "metric": {"name": "Average wait", "unit": "minutes", "kind": "duration",
                           "direction": "decrease", "baseline": 12.0, "target": 9.6},
                "confidence": 0.7, "alignment": "FY26 retention objective",
                "start_date": "2026-01-01", "due_date": "2026-12-31"}),
    )
    .await;
    let goal = goal["id"].as_str().unwrap().to_owned();
    post(
        &client,
        format!("{base}/v1/goals/{goal}/activate"),
        &ada,
        &json!({}),
    )
    .await;

    // 16 writers send keyed readings as fast as they can; the server dies under them.
    let body_of = |n: usize| json!({"value": 10.0 + n as f64 / 1000.0, "observed_at": "2026-03-01T09:00:00Z"});
    let url = format!("{base}/v1/goals/{goal}/readings");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, usize, Option<FirstTry>)>();
    let mut writers = Vec::new();
    for w in 0..16 {
        let (client, url, ada, tx) = (client.clone(), url.clone(), ada.clone(), tx.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..400 {
                let n = w * 1000 + i;
                let key = format!("crash-{n}");
                let res = client
                    .post(&url)
                    .bearer_auth(&ada)
                    .header("Idempotency-Key", &key)
                    .json(&body_of(n))
                    .send()
                    .await;
                let first = match res {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        match res.json::<Value>().await {
                            Ok(body) => Some(FirstTry { status, body }),
                            Err(_) => None,
                        }
                    }
                    Err(_) => None,
                };
                let died = first.is_none();
                let _ = tx.send((key, n, first));
                if died {
                    return;
                }
            }
        }));
    }
    drop(tx);
    tokio::time::sleep(Duration::from_millis(400)).await;
    server.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix: no drain, no cleanup
    server.wait().expect("reaped");
    for w in writers {
        w.await.unwrap();
    }
    let mut tries: Vec<(String, usize, Option<FirstTry>)> = Vec::new();
    while let Some(t) = rx.recv().await {
        tries.push(t);
    }
    let answered = tries.iter().filter(|t| t.2.is_some()).count();
    let cut = tries.len() - answered;
    assert!(answered > 0, "the server answered nothing before it died");
    assert!(cut > 0, "no request was in flight when the server died");

    // Restart on the same database and retry every key with its own body.
    let (mut server, base) = start(&db.url);
    ready(&client, &base).await;
    let url = format!("{base}/v1/goals/{goal}/readings");
    let mut ids = HashSet::new();
    let mut replayed_after_cut = 0;
    for (key, n, first) in &tries {
        let res = client
            .post(&url)
            .bearer_auth(&ada)
            .header("Idempotency-Key", key)
            .json(&body_of(*n))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let replayed = res.headers().contains_key("idempotent-replayed");
        let body: Value = res.json().await.unwrap();
        assert!(
            status == 201,
            "key {key}: the retry answered {status} {body} (first try: {first:?})"
        );
        match first {
            Some(first) => {
                assert_eq!(first.status, 201, "{key}: {first:?}");
                assert!(replayed, "{key}: an answered key replays");
                assert_eq!(&body, &first.body, "{key}: the same response");
            }
            None if replayed => replayed_after_cut += 1,
            None => {}
        }
        assert!(
            ids.insert(body["id"].as_str().unwrap().to_owned()),
            "{key}: a second reading for one key"
        );
    }

    // Exactly one reading per key, none without a key.
    let mut stored = HashMap::new();
    let mut cursor = String::new();
    loop {
        let page: Value = client
            .get(format!("{url}?limit=200{cursor}"))
            .bearer_auth(&ada)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for r in page["items"].as_array().unwrap() {
            stored.insert(r["id"].as_str().unwrap().to_owned(), r["value"].clone());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(stored.len(), tries.len(), "one reading per key");
    assert_eq!(stored.keys().cloned().collect::<HashSet<_>>(), ids);
    eprintln!(
        "{} keys: {answered} answered before the kill, {cut} cut off ({replayed_after_cut} of \
         those had committed and replayed, the rest created on retry)",
        tries.len()
    );
    server.kill().ok();
    server.wait().ok();
}
