//! Incremental sync: the changes feed (order, tombstones, no gaps across pages, per caller) and
//! goals mirrored from an OKR tool by their external id.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{
    TestApp, TestUser, assert_problem, assert_refused, call, ok, pointers, smart_goal, spawn_app,
};

/// Reads the whole feed from `since`, `limit` at a time; returns the items and the final cursor.
async fn drain(app: &TestApp, user: &TestUser, since: &str, limit: u32) -> (Vec<Value>, String) {
    let (mut items, mut since) = (Vec::new(), since.to_owned());
    loop {
        let page = ok(
            app,
            Method::GET,
            &format!("/v1/changes?since={since}&limit={limit}"),
            user,
            None,
        )
        .await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        since = page["next_since"].as_str().unwrap().to_owned();
        if page["has_more"] == false {
            return (items, since);
        }
    }
}

/// Drains the feed until it holds at least `want` changes: on PostgreSQL a change appears once
/// every write transaction that started before it has ended (other tests' ones included).
async fn drain_until(
    app: &TestApp,
    user: &TestUser,
    since: &str,
    limit: u32,
    want: usize,
) -> (Vec<Value>, String) {
    let (mut items, mut since) = (Vec::new(), since.to_owned());
    for _ in 0..500 {
        let (more, next) = drain(app, user, &since, limit).await;
        items.extend(more);
        since = next;
        if items.len() >= want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    (items, since)
}

fn summary(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|c| {
            (
                c["entity"].as_str().unwrap().to_owned(),
                c["op"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_changes_feed_lists_creates_updates_and_tombstones_in_order_without_gaps() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let outsider = app.new_user().await;
    let p = app.partnership(&ada, &grace).await;
    let goal = app.goal(&ada, &p, &smart_goal("Cut wait time")).await;
    let goal_id = goal["id"].as_str().unwrap();
    ok(
        &app,
        Method::PATCH,
        &format!("/v1/goals/{goal_id}"),
        &ada,
        Some(json!({"title": "Cut wait times"})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal_id}/activate"),
        &ada,
        None,
    )
    .await;
    let reading = ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal_id}/readings"),
        &ada,
        Some(json!({"value": 11.0, "observed_at": "2026-02-01T09:00:00Z"})),
    )
    .await;
    let reading_id = reading["id"].as_str().unwrap();
    let res = call(
        &app,
        Method::DELETE,
        &format!("/v1/readings/{reading_id}?reason=typo"),
        &ada,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal_id}/achieve"),
        &ada,
        None,
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal_id}/archive"),
        &ada,
        None,
    )
    .await;

    let (all, head) = drain_until(&app, &grace, "", 2, 9).await;
    assert_eq!(
        summary(&all),
        [
            ("partnership", "created"),
            ("partnership", "updated"), // accepted
            ("goal", "created"),
            ("goal", "updated"), // title
            ("goal", "updated"), // activated
            ("reading", "created"),
            ("reading", "deleted"),
            ("goal", "updated"), // achieved
            ("goal", "archived"),
        ]
        .map(|(e, o)| (e.to_owned(), o.to_owned()))
    );
    let seqs: Vec<i64> = all.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in commit order: {seqs:?}"
    );
    let tombstones: Vec<&Value> = all.iter().filter(|c| c["tombstone"] == true).collect();
    assert_eq!(tombstones.len(), 2);
    assert_eq!(tombstones[0]["href"], format!("/v1/readings/{reading_id}"));
    assert_eq!(tombstones[1]["id"], goal_id);
    // The href leads to the entity's current state.
    let current = ok(
        &app,
        Method::GET,
        tombstones[0]["href"].as_str().unwrap(),
        &grace,
        None,
    )
    .await;
    assert_eq!(current["deleted"], true);

    // Both partners see the same feed; a stranger sees nothing of it.
    let (ada_view, _) = drain_until(&app, &ada, "", 50, all.len()).await;
    assert_eq!(ada_view, all);
    let (strangers, _) = drain(&app, &outsider, "", 50).await;
    assert!(strangers.is_empty());

    // Picking up from the cursor returns only what is new; `now` skips the past.
    ok(
        &app,
        Method::PATCH,
        &format!("/v1/partnerships/{p}"),
        &ada,
        Some(json!({"grace_days": 4})),
    )
    .await;
    let (new, _) = drain_until(&app, &grace, &head, 50, 1).await;
    assert_eq!(
        summary(&new),
        [("partnership".to_owned(), "updated".to_owned())]
    );
    let now = ok(&app, Method::GET, "/v1/changes?since=now", &grace, None).await;
    assert_eq!(now["items"], json!([]));
    assert!(
        now["next_since"].as_str().unwrap().parse::<i64>().unwrap()
            >= new[0]["seq"].as_i64().unwrap()
    );

    let res = call(
        &app,
        Method::GET,
        "/v1/changes?since=yesterday",
        &grace,
        None,
    )
    .await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn paging_the_feed_while_others_write_misses_nothing() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    // Partnership created and accepted, goal created and activated.
    let (_, start) = drain_until(&app, &grace, "", 100, 4).await;

    // Forty readings from four concurrent writers while grace pages through the feed.
    let writers = (0..4).map(|w| {
        let (app, ada, goal) = (&app, &ada, &goal);
        async move {
            for i in 0..10 {
                ok(
                    app,
                    Method::POST,
                    &format!("/v1/goals/{goal}/readings"),
                    ada,
                    Some(json!({"value": f64::from(w * 10 + i), "observed_at": "2026-02-01T09:00:00Z"})),
                )
                .await;
            }
        }
    });
    let reader = async {
        let (mut seen, mut since) = (Vec::new(), start.clone());
        for _ in 0..200 {
            let (items, next) = drain(&app, &grace, &since, 3).await;
            seen.extend(items);
            since = next;
            if seen.len() >= 40 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        seen
    };
    let (_, seen) = tokio::join!(futures_util::future::join_all(writers), reader);
    let ids: BTreeSet<&str> = seen.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(seen.len(), 40, "every reading exactly once");
    assert_eq!(ids.len(), 40);
    let (everything, _) = drain_until(&app, &grace, &start, 1000, 40).await;
    assert_eq!(
        everything, seen,
        "what was paged live is what the feed holds"
    );
}

/// PUTs the SMART goal document titled `title` to an external-ref path.
async fn put_goal(app: &TestApp, path: &str, user: &TestUser, title: &str) -> reqwest::Response {
    call(app, Method::PUT, path, user, Some(smart_goal(title))).await
}

#[tokio::test]
async fn a_goal_mirrored_from_an_okr_tool_is_upserted_by_its_external_ref() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let outsider = app.new_user().await;
    let p = app.partnership(&ada, &grace).await;
    let path = format!("/v1/partnerships/{p}/goals/by-external-ref/lattice/OKR-42");

    let res = put_goal(&app, &path, &ada, "Cut wait time").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["source"], "lattice");
    assert_eq!(created["external_ref"], "OKR-42");
    assert_eq!(created["status"], "draft");
    let id = created["id"].as_str().unwrap();

    // The same document again: the same goal, nothing changed.
    let res = put_goal(&app, &path, &ada, "Cut wait time").await;
    assert_eq!(res.status(), StatusCode::OK);
    let same: Value = res.json().await.unwrap();
    assert_eq!(same["id"], id);
    assert_eq!(same["version"], created["version"]);
    // A changed document updates it.
    let res = put_goal(&app, &path, &ada, "Cut wait time to 9 minutes").await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["id"], id);
    assert_eq!(updated["title"], "Cut wait time to 9 minutes");
    let goals = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/goals"),
        &ada,
        None,
    )
    .await;
    assert_eq!(
        goals["items"].as_array().unwrap().len(),
        1,
        "one goal, not three"
    );

    // The partner may not overwrite it, a stranger cannot see it, a mismatched body is refused.
    let res = put_goal(&app, &path, &grace, "Mine now").await;
    assert_refused(res, StatusCode::FORBIDDEN, "owner-only").await;
    let res = put_goal(&app, &path, &outsider, "Mine now").await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let mut body = smart_goal("Cut wait time");
    body["external_ref"] = json!("OKR-43");
    let res = call(&app, Method::PUT, &path, &ada, Some(body)).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/external_ref"]);
    let after = ok(&app, Method::GET, &format!("/v1/goals/{id}"), &ada, None).await;
    assert_eq!(after["title"], "Cut wait time to 9 minutes");

    // Readings take the sender's id too: sending it again is the same reading.
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{id}/activate"),
        &ada,
        None,
    )
    .await;
    let reading = json!({"value": 11.5, "observed_at": "2026-02-01T09:00:00Z", "source": "lattice", "external_ref": "R-1"});
    let first = call(
        &app,
        Method::POST,
        &format!("/v1/goals/{id}/readings"),
        &ada,
        Some(reading.clone()),
    )
    .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["external_id"], "R-1");
    assert_eq!(first["source"], "lattice");
    let again = call(
        &app,
        Method::POST,
        &format!("/v1/goals/{id}/readings"),
        &ada,
        Some(reading),
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
}

#[tokio::test]
async fn the_feed_starts_at_the_beginning_when_since_is_empty_and_refuses_foreign_cursors() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    app.partnership(&ada, &grace).await;
    let (all, _) = drain_until(&app, &ada, "", 10, 2).await;
    let omitted = ok(&app, Method::GET, "/v1/changes", &ada, None).await;
    assert_eq!(omitted["items"].as_array().unwrap(), &all);
    assert_eq!(all.len(), 2, "created, then accepted");
    for bad in ["-1", "1.5", "abc", "99999999999999999999"] {
        let res = call(
            &app,
            Method::GET,
            &format!("/v1/changes?since={bad}"),
            &ada,
            None,
        )
        .await;
        assert_problem(res, StatusCode::BAD_REQUEST).await;
    }
    let res = call(&app, Method::GET, "/v1/changes?limit=0", &ada, None).await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}
