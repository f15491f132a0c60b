//! Someone outside a partnership gets 404 for anything in it, exactly as if it did not exist.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{assert_problem, smart_goal, spawn_app};

#[tokio::test]
async fn outsider_gets_404_for_every_partnership_and_goal_endpoint() {
    let app = spawn_app().await;
    let (ada, grace, eve) = (
        app.new_user().await,
        app.new_user().await,
        app.new_user().await,
    );
    let p = app.partnership(&ada, &grace).await;
    let mut body = smart_goal("Cut wait time");
    body["milestones"] = json!([{"title": "Pilot", "due_date": "2026-03-31"}]);
    let goal = app.goal(&ada, &p, &body).await;
    let g = goal["id"].as_str().unwrap();
    let m = goal["milestones"][0]["id"].as_str().unwrap();
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/goals/{g}/activate"),
            &ada.access,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let pending: Value = app
        .authed(Method::PATCH, &format!("/v1/goals/{g}"), &ada.access)
        .json(&json!({"due_date": "2026-12-31"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = pending["pending_changes"][0]["id"].as_str().unwrap();

    let empty = json!({});
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/v1/partnerships/{p}"), None),
        (
            Method::PATCH,
            format!("/v1/partnerships/{p}"),
            Some(json!({"cadence_days": 7})),
        ),
        (Method::POST, format!("/v1/partnerships/{p}/accept"), None),
        (Method::POST, format!("/v1/partnerships/{p}/decline"), None),
        (Method::POST, format!("/v1/partnerships/{p}/pause"), None),
        (Method::POST, format!("/v1/partnerships/{p}/resume"), None),
        (Method::POST, format!("/v1/partnerships/{p}/end"), None),
        (Method::GET, format!("/v1/partnerships/{p}/goals"), None),
        (
            Method::POST,
            format!("/v1/partnerships/{p}/goals"),
            Some(smart_goal("Eve's goal")),
        ),
        (Method::GET, format!("/v1/goals/{g}"), None),
        (
            Method::PATCH,
            format!("/v1/goals/{g}"),
            Some(json!({"title": "Eve was here"})),
        ),
        (Method::POST, format!("/v1/goals/{g}/activate"), None),
        (Method::POST, format!("/v1/goals/{g}/achieve"), None),
        (Method::POST, format!("/v1/goals/{g}/drop"), None),
        (Method::POST, format!("/v1/goals/{g}/archive"), None),
        (Method::GET, format!("/v1/goals/{g}/history"), None),
        (
            Method::POST,
            format!("/v1/goals/{g}/changes/{c}/acknowledge"),
            None,
        ),
        (
            Method::POST,
            format!("/v1/goals/{g}/changes/{c}/reject"),
            None,
        ),
        (
            Method::POST,
            format!("/v1/goals/{g}/milestones"),
            Some(json!({"title": "x", "due_date": "2026-02-01"})),
        ),
        (Method::GET, format!("/v1/goals/{g}/milestones/{m}"), None),
        (
            Method::PATCH,
            format!("/v1/goals/{g}/milestones/{m}"),
            Some(json!({"title": "x"})),
        ),
        (
            Method::POST,
            format!("/v1/goals/{g}/milestones/{m}/complete"),
            Some(empty.clone()),
        ),
        (
            Method::PUT,
            format!("/v1/goals/{g}/milestones/order"),
            Some(json!({"milestone_ids": [m]})),
        ),
    ];
    for (method, path, body) in calls {
        let mut req = app.authed(method.clone(), &path, &eve.access);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    // Nothing Eve tried changed anything.
    let goal: Value = app
        .authed(Method::GET, &format!("/v1/goals/{g}"), &ada.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(goal["title"], "Cut wait time");
    assert_eq!(goal["pending_changes"][0]["state"], "pending");
}

#[tokio::test]
async fn lists_never_show_another_pairs_data() {
    let app = spawn_app().await;
    let (ada, grace, eve, mal) = (
        app.new_user().await,
        app.new_user().await,
        app.new_user().await,
        app.new_user().await,
    );
    let theirs = app.partnership(&ada, &grace).await;
    app.goal(&ada, &theirs, &smart_goal("Private goal")).await;
    let ours = app.partnership(&eve, &mal).await;
    let list: Value = app
        .authed(Method::GET, "/v1/partnerships", &eve.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![ours.as_str()]);
    let goals: Value = app
        .authed(
            Method::GET,
            &format!("/v1/partnerships/{ours}/goals"),
            &eve.access,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(goals["items"].as_array().unwrap().is_empty());
}
