//! CSV reports for spreadsheets: each at its own `.csv` path, parsing back to the values of its
//! JSON twin, columns selectable by name, a 406 on JSON paths asked for CSV, 404 for outsiders.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, TestUser, assert_problem, ok, spawn_app};

/// A CSV answer: its headers and its rows as maps from column to cell.
struct Csv {
    headers: Vec<String>,
    rows: Vec<std::collections::HashMap<String, String>>,
    disposition: String,
}

async fn csv(app: &TestApp, user: &TestUser, path: &str) -> Csv {
    let res = app
        .authed(Method::GET, path, &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/csv"),
        "{path}: {content_type}"
    );
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = res.text().await.unwrap();
    assert!(text.contains("\r\n"), "{path}: CRLF line ends");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    Csv {
        headers,
        rows,
        disposition,
    }
}

/// A JSON value as its CSV cell: strings as is, numbers by value, null empty.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A JSON value as the CSV writer must show it: text that a spreadsheet would run as a formula
/// gets a leading `'`.
fn as_written(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
            json!(format!("'{s}"))
        }
        other => other.clone(),
    }
}

/// Asserts a CSV cell holds the JSON value (numbers compared as numbers).
fn same(csv: &str, json: &Value, what: &str) {
    match json {
        Value::Number(n) => {
            let parsed: f64 = csv
                .parse()
                .unwrap_or_else(|_| panic!("{what}: {csv:?} is a number"));
            assert!(
                (parsed - n.as_f64().unwrap()).abs() < 1e-12,
                "{what}: {csv} vs {n}"
            );
        }
        other => assert_eq!(csv, cell(other), "{what}"),
    }
}

/// Two partners in Berlin, an active goal each with readings, a completed meeting with a
/// commitment, a check-in; (ada, grace, partnership, ada's goal).
async fn world(app: &TestApp) -> (TestUser, TestUser, String, String) {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    ok(
        app,
        Method::PATCH,
        &format!("/v1/partnerships/{p}"),
        &ada,
        Some(json!({"time_zone": "Europe/Berlin"})),
    )
    .await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let other = app.active_goal(&grace, &p, "Cut wait time too").await;
    for (user, g, value, at) in [
        (&ada, &goal, 11.5, "2026-01-10T09:00:00Z"),
        (&ada, &goal, 11.0, "2026-02-01T09:00:00.250Z"),
        (&grace, &other, 10.8, "2026-02-03T17:30:00Z"),
    ] {
        ok(
            app,
            Method::POST,
            &format!("/v1/goals/{g}/readings"),
            user,
            Some(json!({"value": value, "observed_at": at, "note": "=not a formula"})),
        )
        .await;
    }
    let meeting = ok(app, Method::POST, &format!("/v1/partnerships/{p}/meetings"), &ada,
        Some(json!({"scheduled_at": (Utc::now() + Duration::days(2)).to_rfc3339(), "location": "Café"}))).await;
    let meeting = meeting["id"].as_str().unwrap().to_owned();
    ok(
        app,
        Method::POST,
        &format!("/v1/meetings/{meeting}/commitments"),
        &grace,
        Some(json!({"text": "Call three customers", "due_on": "2026-12-20"})),
    )
    .await;
    ok(
        app,
        Method::POST,
        &format!("/v1/meetings/{meeting}/complete"),
        &ada,
        Some(json!({"schedule_next": false})),
    )
    .await;
    ok(
        app,
        Method::POST,
        &format!("/v1/partnerships/{p}/check-ins"),
        &grace,
        Some(json!({"text": "Pipeline review done", "links": ["https://example.test/a"]})),
    )
    .await;
    (ada, grace, p, goal)
}

/// How a CSV column reads from a JSON item.
type Reader = dyn Fn(&Value, &str) -> Value;

/// The JSON list at `path` (every item, one page of 200).
async fn items(app: &TestApp, user: &TestUser, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let page = ok(
        app,
        Method::GET,
        &format!("{path}{sep}limit=200"),
        user,
        None,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_list_report_parses_back_to_the_values_of_its_json_twin() {
    let app = spawn_app().await;
    let (ada, grace, p, goal) = world(&app).await;
    let meeting = items(&app, &ada, &format!("/v1/partnerships/{p}/meetings")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // (CSV path, JSON list path, how a CSV column reads from a JSON item)
    let goal_metric = |item: &Value, column: &str| match column {
        "metric" => item["metric"]["name"].clone(),
        "unit" | "kind" | "direction" | "baseline" | "target" => item["metric"][column].clone(),
        _ => item[column].clone(),
    };
    let plain = |item: &Value, column: &str| item[column].clone();
    let check_in = |item: &Value, column: &str| match column {
        "links" => json!(
            item["links"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "readings" => json!(item["readings"].as_array().unwrap().len()),
        _ => item[column].clone(),
    };
    let reports: Vec<(String, String, &Reader)> = vec![
        (
            format!("/v1/partnerships/{p}/goals.csv"),
            format!("/v1/partnerships/{p}/goals"),
            &goal_metric,
        ),
        (
            format!("/v1/goals/{goal}/readings.csv"),
            format!("/v1/goals/{goal}/readings"),
            &plain,
        ),
        (
            format!("/v1/partnerships/{p}/meetings.csv"),
            format!("/v1/partnerships/{p}/meetings"),
            &plain,
        ),
        (
            format!("/v1/partnerships/{p}/commitments.csv"),
            format!("/v1/partnerships/{p}/commitments"),
            &plain,
        ),
        (
            format!("/v1/partnerships/{p}/check-ins.csv"),
            format!("/v1/partnerships/{p}/check-ins"),
            &check_in,
        ),
    ];
    for (csv_path, json_path, read) in reports {
        let (table, list) = (
            csv(&app, &grace, &csv_path).await,
            items(&app, &grace, &json_path).await,
        );
        assert_eq!(table.rows.len(), list.len(), "{csv_path}: one row per item");
        assert!(!list.is_empty(), "{csv_path}: something to compare");
        for (row, item) in table.rows.iter().zip(&list) {
            for column in &table.headers {
                let value = read(item, column);
                assert!(
                    !value.is_object() && !value.is_array(),
                    "{csv_path} {column}: a flat value"
                );
                same(
                    &row[column],
                    &as_written(&value),
                    &format!("{csv_path} {column}"),
                );
            }
        }
    }
    // Every goal's readings at once, with its goal's title and owner.
    let all = csv(&app, &ada, &format!("/v1/partnerships/{p}/readings.csv")).await;
    assert_eq!(all.rows.len(), 3);
    let first = &all.rows[0];
    assert_eq!(first["goal_id"], goal);
    assert_eq!(first["goal_title"], "Cut wait time");
    assert_eq!(first["owner_id"], ada.id);
    assert_eq!(
        first["observed_at"], "2026-01-10T09:00:00Z",
        "instants exactly as in JSON"
    );
    assert_eq!(all.rows[1]["observed_at"], "2026-02-01T09:00:00.250Z");
    assert_eq!(
        first["note"], "'=not a formula",
        "formula payloads stay text"
    );
    // The frozen scorecard is the meeting's snapshot.
    let snapshot = csv(
        &app,
        &grace,
        &format!("/v1/meetings/{meeting}/snapshot.csv"),
    )
    .await;
    let frozen = ok(
        &app,
        Method::GET,
        &format!("/v1/meetings/{meeting}/snapshot"),
        &grace,
        None,
    )
    .await;
    let lines: Vec<&Value> = frozen["partners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["goals"].as_array().unwrap())
        .collect();
    assert_eq!(snapshot.rows.len(), lines.len());
    for (row, line) in snapshot.rows.iter().zip(lines) {
        for column in [
            "goal_id",
            "progress",
            "expected",
            "latest_value",
            "latest_observed_at",
            "status",
        ] {
            same(&row[column], &line[column], &format!("snapshot {column}"));
        }
    }
}

#[tokio::test]
async fn the_scorecard_csv_matches_the_json_scorecard_at_the_same_instant() {
    let app = spawn_app().await;
    let (ada, _grace, p, _) = world(&app).await;
    let at = "2026-02-05T12:00:00Z";
    let table = csv(
        &app,
        &ada,
        &format!("/v1/partnerships/{p}/scorecard.csv?as_of={at}"),
    )
    .await;
    let card = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/scorecard?as_of={at}"),
        &ada,
        None,
    )
    .await;
    let lines: Vec<&Value> = card["partners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["goals"].as_array().unwrap())
        .collect();
    assert_eq!(table.rows.len(), 2);
    for (row, line) in table.rows.iter().zip(lines) {
        for column in [
            "goal_id",
            "title",
            "baseline",
            "target",
            "latest_value",
            "latest_observed_at",
            "progress",
            "progress_clamped",
            "expected",
            "status",
            "projected_hit_date",
            "weight",
        ] {
            same(&row[column], &line[column], &format!("scorecard {column}"));
        }
        assert_eq!(row["as_of"], at);
    }
    assert!(
        table.disposition.contains("-scorecard-2026-02-05.csv"),
        "named after the partners, the report and its date: {}",
        table.disposition
    );
}

#[tokio::test]
async fn progress_history_has_a_row_per_goal_per_week_that_agrees_with_goal_progress() {
    let app = spawn_app().await;
    let (ada, _grace, p, goal) = world(&app).await;
    let as_of = "2026-02-20T00:00:00Z";
    let table = csv(
        &app,
        &ada,
        &format!("/v1/partnerships/{p}/progress-history.csv?as_of={as_of}"),
    )
    .await;
    let weeks: Vec<&std::collections::HashMap<String, String>> =
        table.rows.iter().filter(|r| r["goal_id"] == goal).collect();
    // 2026-01-01 (the start) to 2026-02-19: 8 weekly points.
    let dates: Vec<&str> = weeks.iter().map(|r| r["week_of"].as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-01-01",
            "2026-01-08",
            "2026-01-15",
            "2026-01-22",
            "2026-01-29",
            "2026-02-05",
            "2026-02-12",
            "2026-02-19"
        ]
    );
    assert_eq!(table.rows.len(), 16, "both goals, 8 weeks each");
    assert_eq!(weeks[0]["at"], "2025-12-31T23:00:00Z", "midnight in Berlin");
    assert_eq!(weeks[0]["value"], "", "no reading yet");
    for week in &weeks {
        let progress = ok(
            &app,
            Method::GET,
            &format!("/v1/goals/{goal}/progress?as_of={}", week["at"]),
            &ada,
            None,
        )
        .await;
        same(&week["expected"], &progress["expected"], "expected");
        same(&week["progress"], &progress["progress"], "progress");
        same(&week["value"], &progress["current"], "value");
        same(&week["status"], &progress["status"], "status");
    }
    assert_eq!(
        weeks[2]["value"], "11.5",
        "the first reading counts from its week on"
    );
}

#[tokio::test]
async fn columns_select_and_order_by_name_and_an_unknown_one_is_a_400_naming_it() {
    let app = spawn_app().await;
    let (ada, _grace, p, _) = world(&app).await;
    let table = csv(
        &app,
        &ada,
        &format!("/v1/partnerships/{p}/readings.csv?columns=value,goal_title"),
    )
    .await;
    assert_eq!(table.headers, ["value", "goal_title"]);
    assert_eq!(table.rows[0]["value"], "11.5");
    let res = app
        .authed(
            Method::GET,
            &format!("/v1/partnerships/{p}/readings.csv?columns=value,colour"),
            &ada.access,
        )
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["pointer"], "columns");
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("\"colour\"")
    );
}

#[tokio::test]
async fn csv_on_a_json_path_is_a_406_naming_the_csv_path() {
    let app = spawn_app().await;
    let (ada, _grace, p, goal) = world(&app).await;
    for path in [
        format!("/v1/partnerships/{p}/scorecard"),
        format!("/v1/partnerships/{p}/goals"),
        format!("/v1/goals/{goal}/readings"),
        format!("/v1/partnerships/{p}/meetings"),
        format!("/v1/partnerships/{p}/commitments"),
        format!("/v1/partnerships/{p}/check-ins"),
    ] {
        let res = app
            .authed(Method::GET, &path, &ada.access)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap();
        let problem = assert_problem(res, StatusCode::NOT_ACCEPTABLE).await;
        assert_eq!(problem["type"], "urn:tandem:problem:csv-at-its-own-path");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("{path}.csv")),
            "{path}"
        );
        // JSON stays the default, and a client preferring JSON gets it.
        let res = app
            .authed(Method::GET, &path, &ada.access)
            .header("accept", "application/json, text/csv;q=0.5")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn outsider_gets_404_for_every_csv_report() {
    let app = spawn_app().await;
    let (ada, _grace, p, goal) = world(&app).await;
    let eve = app.new_user().await;
    let meeting = items(&app, &ada, &format!("/v1/partnerships/{p}/meetings")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [
        format!("/v1/partnerships/{p}/scorecard.csv"),
        format!("/v1/partnerships/{p}/goals.csv"),
        format!("/v1/partnerships/{p}/readings.csv"),
        format!("/v1/goals/{goal}/readings.csv"),
        format!("/v1/partnerships/{p}/meetings.csv"),
        format!("/v1/partnerships/{p}/commitments.csv"),
        format!("/v1/partnerships/{p}/check-ins.csv"),
        format!("/v1/meetings/{meeting}/snapshot.csv"),
        format!("/v1/partnerships/{p}/progress-history.csv"),
    ] {
        let res = app
            .authed(Method::GET, &path, &eve.access)
            .send()
            .await
            .unwrap();
        assert_problem(res, StatusCode::NOT_FOUND).await;
        let res = app.request(Method::GET, &path).send().await.unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
}

/// Creates a feed link as `user`; returns its JSON (with `urls`).
async fn feed_link(app: &TestApp, user: &TestUser, p: &str, body: Value) -> Value {
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/partnerships/{p}/feed-links"),
            &user.access,
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

/// GETs `url` with no header at all.
async fn bare(url: &str) -> reqwest::Response {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    client.get(url).send().await.unwrap()
}

#[tokio::test]
async fn a_feed_link_pulls_every_report_with_no_header() {
    let app = spawn_app().await;
    let (ada, grace, p, _) = world(&app).await;
    let link = feed_link(&app, &grace, &p, json!({"name": "Team sheet"})).await;
    let urls = link["urls"].as_object().unwrap();
    assert_eq!(urls.len(), 8);
    for (name, file) in [
        ("scorecard", "scorecard.csv"),
        ("goals", "goals.csv"),
        ("readings", "readings.csv"),
        ("meetings", "meetings.csv"),
        ("commitments", "commitments.csv"),
        ("check_ins", "check-ins.csv"),
        ("progress_history", "progress-history.csv"),
    ] {
        let url = urls[name].as_str().unwrap();
        assert!(url.starts_with("http") && url.ends_with(file), "{url}");
        // At one instant, so the two answers can be compared byte for byte.
        let at = "?as_of=2026-06-01T00:00:00Z";
        let res = bare(&format!("{url}{at}")).await;
        assert_eq!(res.status(), StatusCode::OK, "{name}");
        assert_eq!(res.headers()["cache-control"], "private, max-age=60");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        let text = res.text().await.unwrap();
        // The same report a partner reads at the partnership's own path (as the link's creator).
        let own = app
            .authed(
                Method::GET,
                &format!("/v1/partnerships/{p}/{file}{at}"),
                &grace.access,
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(text, own, "{name}");
        assert!(text.lines().count() > 1, "{name}: has rows");
    }
    // Query parameters work as at the report's own path.
    let res = bare(&format!(
        "{}?columns=goal_id,status",
        urls["scorecard"].as_str().unwrap()
    ))
    .await;
    assert!(res.text().await.unwrap().starts_with("goal_id,status\r\n"));
    let res = bare(urls["calendar"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(res.text().await.unwrap().contains("BEGIN:VCALENDAR"));
    // Listed without its secret, with its last use; not Ada's to see.
    let listed = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/feed-links"),
        &grace,
        None,
    )
    .await;
    let item = &listed["items"][0];
    assert_eq!(item["id"], link["id"]);
    assert!(item["urls"].is_null(), "the secret is shown once");
    assert!(item["last_used_at"].is_string());
    assert!(!listed.to_string().contains(urls["goals"].as_str().unwrap()));
    let ada_list = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/feed-links"),
        &ada,
        None,
    )
    .await;
    assert_eq!(ada_list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn revoked_expired_and_left_partnership_links_answer_404() {
    let app = spawn_app().await;
    let (ada, grace, p, _) = world(&app).await;
    let revoked = feed_link(&app, &ada, &p, json!({"name": "Revoked"})).await;
    let expiring = feed_link(
        &app,
        &ada,
        &p,
        json!({"name": "Soon", "expires_at": (Utc::now() + Duration::seconds(2)).to_rfc3339()}),
    )
    .await;
    let kept = feed_link(&app, &grace, &p, json!({"name": "Kept"})).await;
    let url = |link: &Value, name: &str| link["urls"][name].as_str().unwrap().to_owned();
    for link in [&revoked, &expiring, &kept] {
        assert_eq!(bare(&url(link, "goals")).await.status(), StatusCode::OK);
    }
    // Only its creator revokes it.
    let id = revoked["id"].as_str().unwrap();
    let res = app
        .authed(
            Method::DELETE,
            &format!("/v1/feed-links/{id}"),
            &grace.access,
        )
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = app
        .authed(Method::DELETE, &format!("/v1/feed-links/{id}"), &ada.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for name in ["goals", "scorecard", "calendar"] {
        assert_problem(bare(&url(&revoked, name)).await, StatusCode::NOT_FOUND).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_problem(
        bare(&url(&expiring, "readings")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(bare(&url(&kept, "readings")).await.status(), StatusCode::OK);
    // An expiry in the past is refused, naming the field.
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/partnerships/{p}/feed-links"),
            &ada.access,
        )
        .json(&json!({"name": "Late", "expires_at": "2020-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["pointer"], "#/expires_at");
    // Grace leaves: the partnership ends, and her link stops.
    ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/end"),
        &grace,
        Some(json!({})),
    )
    .await;
    assert_problem(bare(&url(&kept, "scorecard")).await, StatusCode::NOT_FOUND).await;
    assert_problem(bare(&url(&kept, "calendar")).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_feed_link_is_no_bearer_token_and_reaches_no_other_partnership() {
    let app = spawn_app().await;
    let (ada, _grace, p, _) = world(&app).await;
    let (_, _, other, _) = world(&app).await;
    let link = feed_link(&app, &ada, &p, json!({"name": "Sheet"})).await;
    let url = link["urls"]["goals"].as_str().unwrap();
    let secret = url
        .split("/v1/feeds/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    for path in [
        format!("/v1/partnerships/{p}/goals.csv"),
        format!("/v1/partnerships/{p}"),
        "/v1/me".to_owned(),
    ] {
        let res = app.authed(Method::GET, &path, secret).send().await.unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    // Its goals are its partnership's only; the other partnership's calendar refuses it.
    let goals = bare(url).await.text().await.unwrap();
    assert_eq!(
        goals.lines().count(),
        3,
        "header and this partnership's two goals"
    );
    let path = format!("/v1/partnerships/{other}/calendar.ics?token={secret}");
    let res = app.request(Method::GET, &path).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Not a report: 404.
    let res = bare(&url.replace("goals.csv", "users.csv")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn feed_requests_are_limited_per_link() {
    let app = tandem_tests::spawn_app_with(|c| c.feed_rate_limit = 2).await;
    let (ada, _grace, p, _) = world(&app).await;
    let first = feed_link(&app, &ada, &p, json!({"name": "One"})).await;
    let second = feed_link(&app, &ada, &p, json!({"name": "Two"})).await;
    let url = |link: &Value| link["urls"]["scorecard"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        assert_eq!(bare(&url(&first)).await.status(), StatusCode::OK);
    }
    let res = bare(&url(&first)).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(
        bare(&url(&second)).await.status(),
        StatusCode::OK,
        "each link its own budget"
    );
}

#[tokio::test]
async fn a_feed_link_stops_when_its_creator_is_deactivated() {
    let app =
        tandem_tests::spawn_app_with(|c| c.admin_emails = vec!["hr@example.com".into()]).await;
    app.register("hr@example.com", "correct horse battery")
        .await;
    let hr = app.sign_in("hr@example.com", "correct horse battery").await;
    let hr = hr["access_token"].as_str().unwrap().to_owned();
    let (_ada, grace, p, _) = world(&app).await;
    let link = feed_link(&app, &grace, &p, json!({"name": "Sheet"})).await;
    let url = link["urls"]["scorecard"].as_str().unwrap().to_owned();
    assert_eq!(bare(&url).await.status(), StatusCode::OK);
    // HR takes Grace's account under its own id, then deactivates her.
    let body = json!({"email": grace.email, "display_name": "Grace", "time_zone": "UTC"});
    let res = app
        .authed(Method::PUT, "/v1/admin/users/hr-grace", &hr)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "provision: {}", res.status());
    let res = app
        .authed(Method::POST, "/v1/admin/users/hr-grace/deactivate", &hr)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "deactivate: {}", res.status());
    assert_problem(bare(&url).await, StatusCode::NOT_FOUND).await;
    assert_problem(
        bare(link["urls"]["calendar"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
