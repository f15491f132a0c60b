use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, TestUser, assert_problem, assert_refused, smart_goal, spawn_app};

async fn get(app: &TestApp, path: &str, user: &TestUser) -> Value {
    let res = app
        .authed(Method::GET, path, &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.json().await.unwrap()
}

async fn record(app: &TestApp, user: &TestUser, goal: &str, body: Value) -> reqwest::Response {
    app.authed(
        Method::POST,
        &format!("/v1/goals/{goal}/readings"),
        &user.access,
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

/// Ada and Grace partnered, Ada holding the seed's two numeric goals.
async fn seeded(app: &TestApp) -> (TestUser, TestUser, String, String, String) {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    let wait = app.active_goal(&ada, &p, "Cut wait time").await; // 12 -> 9.6, decrease
    let mut conversion = smart_goal("Lift lead conversion");
    conversion["metric"] = json!({"name": "Lead conversion", "unit": "%", "kind": "percent",
                                  "direction": "increase", "baseline": 19.0, "target": 25.0});
    conversion["due_date"] = json!("2026-12-31");
    let conv = app.activated_goal(&ada, &p, &conversion).await;
    (ada, grace, p, wait, conv)
}

#[tokio::test]
async fn recorded_readings_give_the_seeds_progress() {
    let app = spawn_app().await;
    let (ada, grace, _, wait, conv) = seeded(&app).await;
    let res = record(
        &app,
        &ada,
        &wait,
        json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(
        res.headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/v1/readings/")
    );
    record(
        &app,
        &ada,
        &conv,
        json!({"value": 21, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await;

    let p = get(
        &app,
        &format!("/v1/goals/{wait}/progress?as_of=2026-03-02T00:00:00Z"),
        &grace,
    )
    .await;
    assert_eq!(p["progress"], 0.5);
    assert_eq!(p["current"], 10.8);
    assert_eq!(
        p["explanation"]["formula"],
        "progress = (current - baseline) / (target - baseline)"
    );
    assert_eq!(
        p["thresholds"],
        json!({"on_track_gap": 0.1, "at_risk_gap": 0.25})
    );
    assert!(
        p["staleness"]["next_reading_due"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    let p = get(
        &app,
        &format!("/v1/goals/{conv}/progress?as_of=2026-03-02T00:00:00Z"),
        &ada,
    )
    .await;
    assert_eq!(p["progress"], 1.0 / 3.0);
}

#[tokio::test]
async fn as_of_before_a_reading_ignores_it() {
    let app = spawn_app().await;
    let (ada, _, _, wait, _) = seeded(&app).await;
    record(
        &app,
        &ada,
        &wait,
        json!({"value": 11.4, "observed_at": "2026-02-01T09:00:00Z"}),
    )
    .await;
    record(
        &app,
        &ada,
        &wait,
        json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await;
    let before = get(
        &app,
        &format!("/v1/goals/{wait}/progress?as_of=2026-02-15T00:00:00Z"),
        &ada,
    )
    .await;
    assert_eq!(before["current"], 11.4);
    assert_eq!(before["progress"], 0.25);
    let earliest = get(
        &app,
        &format!("/v1/goals/{wait}/progress?as_of=2026-01-15T00:00:00Z"),
        &ada,
    )
    .await;
    assert_eq!(earliest["status"], "not_started");
    assert_eq!(earliest["current"], Value::Null);
    let after = get(
        &app,
        &format!("/v1/goals/{wait}/progress?as_of=2026-03-02T00:00:00Z"),
        &ada,
    )
    .await;
    assert!(
        after["forecast"]["current_rate"].as_f64().unwrap() < 0.0,
        "falling wait time"
    );
}

#[tokio::test]
async fn resending_an_external_id_returns_the_existing_reading() {
    let app = spawn_app().await;
    let (ada, _, _, wait, _) = seeded(&app).await;
    let body = json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z", "source": "zendesk", "external_id": "zd-1"});
    let first = record(&app, &ada, &wait, body.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = record(&app, &ada, &wait, body).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let list = get(&app, &format!("/v1/goals/{wait}/readings"), &ada).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_batch_stores_the_good_items_and_reports_each_bad_one() {
    let app = spawn_app().await;
    let (ada, grace, p, wait, conv) = seeded(&app).await;
    let graces = app.active_goal(&grace, &p, "Grace's goal").await;
    let res = app
        .authed(Method::POST, "/v1/readings/batch", &ada.access)
        .json(&json!({"readings": [
            {"goal_id": wait, "value": 11.0, "observed_at": "2026-02-01T09:00:00Z", "external_id": "r1"},
            {"goal_id": conv, "value": "twenty", "observed_at": "2026-02-01T09:00:00Z"},
            {"goal_id": graces, "value": 1.0, "observed_at": "2026-02-01T09:00:00Z"},
            {"goal_id": uuid::Uuid::new_v4(), "value": 1.0, "observed_at": "2026-02-01T09:00:00Z"},
            {"goal_id": conv, "value": 22.0, "observed_at": "2026-02-01T09:00:00Z"},
            {"goal_id": wait, "value": 11.0, "observed_at": "2026-02-01T09:00:00Z", "external_id": "r1"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let statuses: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["created", "error", "error", "error", "created", "existing"]
    );
    assert_eq!(
        body["results"][1]["problem"]["errors"][0]["pointer"],
        "#/readings/1/value"
    );
    assert_eq!(body["results"][2]["problem"]["status"], 403);
    assert_eq!(body["results"][3]["problem"]["status"], 404);
    assert_eq!(
        (
            body["created"].as_u64(),
            body["existing"].as_u64(),
            body["failed"].as_u64()
        ),
        (Some(2), Some(1), Some(3))
    );
    assert_eq!(
        get(&app, &format!("/v1/goals/{conv}/readings"), &ada).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_deleted_reading_leaves_the_math_and_stays_in_history() {
    let app = spawn_app().await;
    let (ada, grace, _, wait, _) = seeded(&app).await;
    record(
        &app,
        &ada,
        &wait,
        json!({"value": 11.4, "observed_at": "2026-02-01T09:00:00Z"}),
    )
    .await;
    let wrong: Value = record(
        &app,
        &ada,
        &wait,
        json!({"value": 1.0, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = wrong["id"].as_str().unwrap();
    let res = app
        .authed(
            Method::DELETE,
            &format!("/v1/readings/{id}?reason=typo"),
            &grace.access,
        )
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::FORBIDDEN, "owner-only").await;
    let res = app
        .authed(
            Method::DELETE,
            &format!("/v1/readings/{id}?reason=typo"),
            &ada.access,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let p = get(
        &app,
        &format!("/v1/goals/{wait}/progress?as_of=2026-03-02T00:00:00Z"),
        &ada,
    )
    .await;
    assert_eq!(p["current"], 11.4);
    let reading = get(&app, &format!("/v1/readings/{id}"), &grace).await;
    assert_eq!(reading["deleted"], true);
    assert_eq!(reading["delete_reason"], "typo");
    let history = get(&app, &format!("/v1/readings/{id}/history"), &grace).await;
    assert_eq!(history["items"][0]["action"], "deleted");
    let listed = get(&app, &format!("/v1/goals/{wait}/readings"), &ada).await["items"]
        .as_array()
        .unwrap()
        .len();
    let all = get(
        &app,
        &format!("/v1/goals/{wait}/readings?include_deleted=true"),
        &ada,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!((listed, all), (1, 2));
}

#[tokio::test]
async fn a_correction_keeps_the_previous_value_in_history() {
    let app = spawn_app().await;
    let (ada, _, _, wait, _) = seeded(&app).await;
    let r: Value = record(
        &app,
        &ada,
        &wait,
        json!({"value": 10.0, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = r["id"].as_str().unwrap();
    let res = app
        .authed(Method::PATCH, &format!("/v1/readings/{id}"), &ada.access)
        .header("if-match", "\"1\"")
        .json(&json!({"value": 10.8}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let stale = app
        .authed(Method::PATCH, &format!("/v1/readings/{id}"), &ada.access)
        .header("if-match", "\"1\"")
        .json(&json!({"value": 99.0}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let history = get(&app, &format!("/v1/readings/{id}/history"), &ada).await;
    assert_eq!(
        history["items"][0]["changes"][0],
        json!({"field": "/value", "old": 10.0, "new": 10.8})
    );
    assert_eq!(
        get(&app, &format!("/v1/readings/{id}"), &ada).await["value"],
        10.8
    );
}

#[tokio::test]
async fn the_scorecard_rolls_up_each_partner_and_its_csv_parses_back() {
    let app = spawn_app().await;
    let (ada, grace, p, wait, conv) = seeded(&app).await;
    record(
        &app,
        &ada,
        &wait,
        json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await;
    record(
        &app,
        &ada,
        &conv,
        json!({"value": 21, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await;
    let card = get(
        &app,
        &format!("/v1/partnerships/{p}/scorecard?as_of=2026-03-02T00:00:00Z"),
        &grace,
    )
    .await;
    let ada_card = &card["partners"][0];
    assert_eq!(ada_card["goals"].as_array().unwrap().len(), 2);
    let expected = (0.5 + 1.0 / 3.0) / 2.0;
    assert!((ada_card["weighted_progress"].as_f64().unwrap() - expected).abs() < 1e-12);
    assert!(ada_card["weakest_status"].is_string());
    assert_eq!(card["partners"][1]["goals"].as_array().unwrap().len(), 0);

    let res = app
        .authed(
            Method::GET,
            &format!("/v1/partnerships/{p}/scorecard.csv?as_of=2026-03-02T00:00:00Z"),
            &grace.access,
        )
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[2], "goal_id");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "one row per goal");
    let progress = headers.iter().position(|h| h == "progress").unwrap();
    let mut values: Vec<f64> = rows.iter().map(|r| r[progress].parse().unwrap()).collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, vec![1.0 / 3.0, 0.5]);
}

#[tokio::test]
async fn readings_export_as_csv() {
    let app = spawn_app().await;
    let (ada, _, _, wait, _) = seeded(&app).await;
    record(&app, &ada, &wait, json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z", "note": "after \"pilot\", week 1"})).await;
    let res = app
        .authed(
            Method::GET,
            &format!("/v1/goals/{wait}/readings.csv"),
            &ada.access,
        )
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[2], "10.8");
    assert_eq!(&row[4], "after \"pilot\", week 1");
}

#[tokio::test]
async fn only_members_see_readings_and_only_the_owner_records() {
    let app = spawn_app().await;
    let (ada, grace, p, wait, _) = seeded(&app).await;
    let eve = app.new_user().await;
    let r: Value = record(
        &app,
        &ada,
        &wait,
        json!({"value": 10.8, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let rid = r["id"].as_str().unwrap();
    let res = record(
        &app,
        &grace,
        &wait,
        json!({"value": 1, "observed_at": "2026-03-01T09:00:00Z"}),
    )
    .await;
    assert_refused(res, StatusCode::FORBIDDEN, "owner-only").await;
    for (method, path) in [
        (Method::GET, format!("/v1/goals/{wait}/readings")),
        (Method::POST, format!("/v1/goals/{wait}/readings")),
        (Method::GET, format!("/v1/goals/{wait}/progress")),
        (Method::GET, format!("/v1/partnerships/{p}/scorecard")),
        (Method::GET, format!("/v1/readings/{rid}")),
        (Method::PATCH, format!("/v1/readings/{rid}")),
        (Method::DELETE, format!("/v1/readings/{rid}")),
        (Method::GET, format!("/v1/readings/{rid}/history")),
    ] {
        let mut req = app.authed(method.clone(), &path, &eve.access);
        if method != Method::GET && method != Method::DELETE {
            req = req.json(&json!({"value": 1, "observed_at": "2026-03-01T09:00:00Z"}));
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    let res = app
        .authed(Method::POST, "/v1/readings/batch", &eve.access)
        .json(&json!({"readings": [{"goal_id": wait, "value": 1, "observed_at": "2026-03-01T09:00:00Z"}]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_eq!(problem["errors"][0]["pointer"], "#/readings/0/goal_id");
    assert_eq!(problem["errors"][0]["code"], "not_found");
}

#[tokio::test]
async fn a_batch_that_stores_nothing_is_refused_with_every_items_problem() {
    let app = spawn_app().await;
    let (ada, _, _, wait, _) = seeded(&app).await;
    let res = app
        .authed(Method::POST, "/v1/readings/batch", &ada.access)
        .json(&json!({"readings": [
            {"goal_id": wait, "value": 1, "observed_at": "2026-03-01T09:00:00Z", "colour": "red"},
            {"goal_id": wait, "observed_at": "2026-03-01T09:00:00Z"}
        ]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["#/readings/0/colour", "#/readings/1/value"]);
    assert!(
        get(&app, &format!("/v1/goals/{wait}/readings"), &ada).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_thousand_concurrent_readings_are_all_stored() {
    let app = spawn_app_for_load().await;
    let (ada, _, _, wait, _) = seeded(&app).await;
    let statuses: Vec<StatusCode> = futures_util::stream::iter(0..1000)
        .map(|i| {
            let (app, ada, wait) = (&app, &ada, &wait);
            async move {
                record(
                    app,
                    ada,
                    wait,
                    json!({"value": i as f64 / 100.0, "observed_at": "2026-03-01T09:00:00Z",
                                               "external_id": format!("load-{i}")}),
                )
                .await
                .status()
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{:?}",
        statuses
            .iter()
            .filter(|s| **s != StatusCode::CREATED)
            .take(3)
            .collect::<Vec<_>>()
    );
    let mut count = 0;
    let mut path = format!("/v1/goals/{wait}/readings?limit=200");
    loop {
        let page = get(&app, &path, &ada).await;
        count += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/goals/{wait}/readings?limit=200&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(count, 1000);
}

async fn spawn_app_for_load() -> TestApp {
    tandem_tests::spawn_app_with(|c| {
        c.workers = Some(2);
        c.db_pool_size = Some(10);
    })
    .await
}

/// Two active goals of Ada's with a reading every nine hours over the last 40 days, due in a
/// year; (ada, grace, partnership, goals, one reading's id).
#[allow(
    clippy::disallowed_methods,
    reason = "the server under test reads the wall clock: readings must be in its past"
)]
async fn goals_with_history(app: &TestApp) -> (TestUser, TestUser, String, Vec<String>, String) {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    let now = chrono::Utc::now();
    let mut goals = Vec::new();
    for (title, direction) in [
        ("Grow the pipeline", "increase"),
        ("Cut the backlog", "decrease"),
    ] {
        let mut body = smart_goal(title);
        body["metric"] = json!({"name": title, "unit": "n", "kind": "number",
                                "direction": direction, "baseline": 100.0,
                                "target": if direction == "increase" { 200.0 } else { 50.0 }});
        body["start_date"] = json!((now - chrono::Duration::days(30)).date_naive());
        body["due_date"] = json!((now + chrono::Duration::days(365)).date_naive());
        let id = app.activated_goal(&ada, &p, &body).await;
        let step = if direction == "increase" { 0.7 } else { -0.4 };
        let items: Vec<Value> = (0..100)
            .map(|k| {
                let at = now - chrono::Duration::hours(9 * (100 - k));
                json!({"goal_id": id, "value": 100.0 + step * k as f64 + (k % 3) as f64,
                       "observed_at": at.to_rfc3339()})
            })
            .collect();
        let res = app
            .authed(Method::POST, "/v1/readings/batch", &ada.access)
            .json(&json!({ "readings": items }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        goals.push(id);
    }
    let first = get(
        app,
        &format!("/v1/goals/{}/readings?limit=1", goals[0]),
        &ada,
    )
    .await;
    let reading = first["items"][0]["id"].as_str().unwrap().to_owned();
    (ada, grace, p, goals, reading)
}

/// What the line through a goal's readings gives, on its scorecard row and in its progress.
async fn figures(app: &TestApp, user: &TestUser, p: &str, goals: &[String]) -> Vec<Value> {
    let card = get(app, &format!("/v1/partnerships/{p}/scorecard"), user).await;
    let mut seen = Vec::new();
    for goal in goals {
        let row = card["partners"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|partner| partner["goals"].as_array().unwrap())
            .find(|row| row["goal_id"] == json!(goal))
            .expect("the goal's row")
            .clone();
        let progress = get(app, &format!("/v1/goals/{goal}/progress"), user).await;
        let forecast = &progress["forecast"];
        assert!(forecast.is_object(), "a forecast: {progress}");
        seen.push(json!({
            "latest_value": row["latest_value"],
            "progress": row["progress"],
            "projected_hit_date": row["projected_hit_date"],
            "rate": forecast["current_rate"],
            "projected": forecast["projected_value_at_due"],
            "readings_used": forecast["readings_used"],
        }));
    }
    seen
}

/// Equal but for the last bits of sums added up in another order.
fn assert_same_figures(a: &[Value], b: &[Value], what: &str) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        for key in ["latest_value", "progress", "rate", "projected"] {
            let (u, v) = (x[key].as_f64().unwrap(), y[key].as_f64().unwrap());
            assert!(
                (u - v).abs() <= 1e-9 * u.abs().max(1.0),
                "{what}: {key} {u} vs {v}"
            );
        }
        for key in ["projected_hit_date", "readings_used"] {
            assert_eq!(x[key], y[key], "{what}: {key}");
        }
    }
}

/// Waits until every goal with readings has a roll-up that holds.
async fn rolled_up(app: &TestApp, goals: usize) {
    for _ in 0..200 {
        if app.count("goal_rollups WHERE NOT stale") == goals as i64 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the goals were not rolled up within 10 s");
}

const AFRESH: &str = r#"tandem_rollups_total{outcome="afresh"}"#;
const ROLLUP_READINGS: &str = "tandem_rollup_readings_summed_total";

#[tokio::test]
async fn a_scorecard_reads_the_same_whether_its_goals_readings_are_rolled_up_or_not() {
    let metrics = |c: &mut tandem_api::Config| c.metrics_bind = Some("127.0.0.1:0".into());
    let app = tandem_tests::spawn_app_with(|c| {
        metrics(c);
        c.rollup_every_ms = 0;
    })
    .await;
    let (ada, grace, p, goals, reading) = goals_with_history(&app).await;
    let summed = figures(&app, &grace, &p, &goals).await;
    assert_eq!(app.count("goal_rollups"), 0, "no roll-up job ran");
    let afresh_before = app.metric(AFRESH).await;
    let readings_before = app.metric(ROLLUP_READINGS).await;

    let app = app
        .restart_with(|c| {
            metrics(c);
            c.rollup_every_ms = 50;
            c.rollup_min_readings = 1;
        })
        .await;
    rolled_up(&app, goals.len()).await;
    // `/metrics` counts the job's work: each goal summed afresh (it had no roll-up), with its
    // hundred readings.
    app.metric_reaches(AFRESH, afresh_before + goals.len() as f64)
        .await;
    app.metric_reaches(
        ROLLUP_READINGS,
        readings_before + 100.0 * goals.len() as f64,
    )
    .await;
    let rolled = figures(&app, &grace, &p, &goals).await;
    assert_same_figures(&rolled, &summed, "rolled up");
    // The figures do come from the roll-ups: skewing them skews the answer.
    app.execute_sql("UPDATE goal_rollups SET mean_y = mean_y + 500");
    let skewed = figures(&app, &grace, &p, &goals).await;
    assert_ne!(skewed[0]["projected"], rolled[0]["projected"]);
    app.execute_sql("UPDATE goal_rollups SET mean_y = mean_y - 500");

    // A correction sets the goal's roll-up aside until the job sums it afresh.
    let res = app
        .authed(
            Method::PATCH,
            &format!("/v1/readings/{reading}"),
            &ada.access,
        )
        .json(&json!({"value": 250.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    rolled_up(&app, goals.len()).await;
    let corrected = figures(&app, &grace, &p, &goals).await;
    assert_ne!(
        corrected[0]["rate"], rolled[0]["rate"],
        "the correction counts"
    );
    app.metric_reaches(AFRESH, afresh_before + goals.len() as f64 + 1.0)
        .await;
    let app = app.restart_with(|c| c.rollup_every_ms = 0).await;
    app.execute_sql("DELETE FROM goal_rollups");
    assert_same_figures(
        &corrected,
        &figures(&app, &grace, &p, &goals).await,
        "corrected",
    );
}
