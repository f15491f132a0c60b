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

async fn post(app: &TestApp, path: &str, user: &TestUser) -> reqwest::Response {
    app.authed(Method::POST, path, &user.access)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_whole_goal_setting_flow() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    // Ada invites Grace before Grace has an account.
    let res = app
        .authed(Method::POST, "/v1/partnerships", &ada.access)
        .json(&json!({"invitee_email": "grace.flow@example.com"}))
        .send()
        .await
        .unwrap();
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.register("grace.flow@example.com", "correct horse battery")
        .await;
    let tokens = app
        .sign_in("grace.flow@example.com", "correct horse battery")
        .await;
    let grace = TestUser {
        id: String::new(),
        email: "grace.flow@example.com".into(),
        password: "correct horse battery".into(),
        access: tokens["access_token"].as_str().unwrap().into(),
        refresh: tokens["refresh_token"].as_str().unwrap().into(),
    };
    assert_eq!(
        post(&app, &format!("/v1/partnerships/{id}/accept"), &grace)
            .await
            .status(),
        StatusCode::OK
    );

    // An incomplete draft saves, and activating it lists what is missing.
    let draft = app
        .goal(
            &grace,
            &id,
            &json!({"title": "Grow leads", "metric": {"direction": "increase"}}),
        )
        .await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["assessment"]["complete"], false);
    let res = post(
        &app,
        &format!("/v1/goals/{}/activate", draft["id"].as_str().unwrap()),
        &grace,
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["type"], "urn:tandem:problem:goal-not-smart");
    let codes: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    for code in [
        "what_missing",
        "baseline_missing",
        "confidence_missing",
        "alignment_missing",
        "due_date_missing",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }

    // Readiness flips to ready at the third active goal.
    for n in 1..=3 {
        app.active_goal(&ada, &id, &format!("Ada's goal {n}")).await;
        let p = get(&app, &format!("/v1/partnerships/{id}"), &grace).await;
        assert_eq!(p["members"][0]["goal_set"]["active_goals"], n);
        assert_eq!(p["members"][0]["goal_set"]["ready"], n == 3, "ready at {n}");
    }
    for n in 4..=5 {
        app.active_goal(&ada, &id, &format!("Ada's goal {n}")).await;
    }
    // A sixth activation is refused, and the goal stays a draft.
    let sixth = app.goal(&ada, &id, &smart_goal("Ada's goal 6")).await;
    let sixth_id = sixth["id"].as_str().unwrap();
    let problem = assert_refused(
        post(&app, &format!("/v1/goals/{sixth_id}/activate"), &ada).await,
        StatusCode::CONFLICT,
        "goal-limit-reached",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("at most 5 active goals"),
        "{problem}"
    );
    assert_eq!(
        get(&app, &format!("/v1/goals/{sixth_id}"), &ada).await["status"],
        "draft"
    );

    // Both partners see both partners' goals, filterable by owner and status.
    let all = get(&app, &format!("/v1/partnerships/{id}/goals"), &grace).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 7);
    let ada_id = get(&app, "/v1/me", &ada).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let active = get(
        &app,
        &format!("/v1/partnerships/{id}/goals?owner={ada_id}&status=active"),
        &grace,
    )
    .await;
    assert_eq!(active["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn assess_checks_a_draft_without_saving_it() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let res = app
        .authed(Method::POST, "/v1/goals/assess", &ada.access)
        .json(&smart_goal("Cut wait time"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["complete"], true);
    let mut easy = smart_goal("Cut wait time");
    easy["metric"]["target"] = json!(12.5);
    let a: Value = app
        .authed(Method::POST, "/v1/goals/assess", &ada.access)
        .json(&easy)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["measurable"]["met"], false);
    assert_eq!(
        a["measurable"]["findings"][0]["code"],
        "target_not_below_baseline"
    );
    assert_eq!(a["measurable"]["findings"][0]["field"], "/metric/target");
}

#[tokio::test]
async fn easing_an_active_goal_waits_for_the_partner_and_tightening_applies_at_once() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let goal = app.active_goal(&ada, &id, "Cut wait time").await;

    // Easing: a target moved toward the baseline (decrease goal: 9.6 -> 10.5) is only proposed.
    let res = app
        .authed(Method::PATCH, &format!("/v1/goals/{goal}"), &ada.access)
        .header("content-type", "application/merge-patch+json")
        .body(
            json!({"metric": {"target": 10.5}, "why": "Churn interviews name waiting first"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let g: Value = res.json().await.unwrap();
    assert_eq!(g["metric"]["target"], 9.6, "unchanged until acknowledged");
    assert_eq!(
        g["why"], "Churn interviews name waiting first",
        "neutral edits apply"
    );
    let pending = g["pending_changes"].as_array().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0]["changes"][0],
        json!({"field": "/metric/target", "old": 9.6, "new": 10.5})
    );
    let change_id = pending[0]["id"].as_str().unwrap().to_owned();

    // Tightening (9.6 -> 9.0) applies at once.
    let g: Value = app
        .authed(Method::PATCH, &format!("/v1/goals/{goal}"), &ada.access)
        .json(&json!({"metric": {"target": 9.0}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["metric"]["target"], 9.0);

    // The owner cannot wave their own change through; the partner can.
    let res = post(
        &app,
        &format!("/v1/goals/{goal}/changes/{change_id}/acknowledge"),
        &ada,
    )
    .await;
    assert_refused(res, StatusCode::FORBIDDEN, "partner-decides").await;
    let res = post(
        &app,
        &format!("/v1/goals/{goal}/changes/{change_id}/acknowledge"),
        &grace,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let g: Value = res.json().await.unwrap();
    assert_eq!(g["metric"]["target"], 10.5);
    assert!(g["pending_changes"].as_array().unwrap().is_empty());
    let res = post(
        &app,
        &format!("/v1/goals/{goal}/changes/{change_id}/reject"),
        &grace,
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "change-decided").await;

    // History lists creation, activation, both edits and the decision.
    let history = get(&app, &format!("/v1/goals/{goal}/history"), &grace).await;
    let entries: Vec<(String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |k: &str, s: &str| (k.to_owned(), s.to_owned());
    assert_eq!(
        entries,
        vec![
            expect("created", "applied"),
            expect("status_changed", "applied"),
            expect("edited", "applied"),
            expect("edited", "acknowledged"),
            expect("edited", "applied"),
        ]
    );
}

#[tokio::test]
async fn a_rejected_easing_change_leaves_the_goal_as_it_was() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let goal = app.active_goal(&ada, &id, "Cut wait time").await;
    let g: Value = app
        .authed(Method::PATCH, &format!("/v1/goals/{goal}"), &ada.access)
        .json(&json!({"due_date": "2026-09-30"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let change = g["pending_changes"][0]["id"].as_str().unwrap().to_owned();
    let g: Value = post(
        &app,
        &format!("/v1/goals/{goal}/changes/{change}/reject"),
        &grace,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(g["due_date"], "2026-06-30");
    assert!(g["pending_changes"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn pushing_back_an_active_goals_milestone_is_a_revision_awaiting_the_partner() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let mut body = smart_goal("Cut wait time");
    body["milestones"] =
        json!([{"title": "Pilot triage", "due_date": "2026-03-31", "target": 11.0}]);
    let goal = app.goal(&ada, &id, &body).await;
    let goal_id = goal["id"].as_str().unwrap().to_owned();
    let milestone = goal["milestones"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        post(&app, &format!("/v1/goals/{goal_id}/activate"), &ada)
            .await
            .status(),
        StatusCode::OK
    );

    let g: Value = app
        .authed(
            Method::PATCH,
            &format!("/v1/goals/{goal_id}/milestones/{milestone}"),
            &ada.access,
        )
        .json(&json!({"due_date": "2026-04-30", "title": "Pilot the triage flow"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["milestones"][0]["due_date"], "2026-03-31");
    assert_eq!(g["milestones"][0]["title"], "Pilot the triage flow");
    assert_eq!(g["pending_changes"][0]["milestone_id"], milestone.as_str());
    let change = g["pending_changes"][0]["id"].as_str().unwrap().to_owned();
    let g: Value = post(
        &app,
        &format!("/v1/goals/{goal_id}/changes/{change}/acknowledge"),
        &grace,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(g["milestones"][0]["due_date"], "2026-04-30");

    // Bringing it forward applies at once; completing it is recorded.
    let g: Value = app
        .authed(
            Method::PATCH,
            &format!("/v1/goals/{goal_id}/milestones/{milestone}"),
            &ada.access,
        )
        .json(&json!({"due_date": "2026-04-15"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["milestones"][0]["due_date"], "2026-04-15");
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/goals/{goal_id}/milestones/{milestone}/complete"),
            &ada.access,
        )
        .json(&json!({"completed_on": "2026-04-10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["completed_on"],
        "2026-04-10"
    );
    let history = get(&app, &format!("/v1/goals/{goal_id}/history"), &grace).await;
    let kinds: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "milestone_edited").count(),
        3
    );
    assert!(kinds.contains(&"milestone_completed"));
}

#[tokio::test]
async fn milestones_are_added_and_reordered_by_their_owner() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let goal = app.goal(&ada, &id, &smart_goal("Cut wait time")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for (title, due) in [("First", "2026-02-01"), ("Second", "2026-03-01")] {
        let res = app
            .authed(
                Method::POST,
                &format!("/v1/goals/{goal}/milestones"),
                &ada.access,
            )
            .json(&json!({"title": title, "due_date": due}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let location = res
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(get(&app, &location, &grace).await["title"], title);
        ids.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let res = app
        .authed(
            Method::PUT,
            &format!("/v1/goals/{goal}/milestones/order"),
            &ada.access,
        )
        .json(&json!({"milestone_ids": [ids[1], ids[0]]}))
        .send()
        .await
        .unwrap();
    let g: Value = res.json().await.unwrap();
    assert_eq!(g["milestones"][0]["title"], "Second");
    let res = app
        .authed(
            Method::PUT,
            &format!("/v1/goals/{goal}/milestones/order"),
            &ada.access,
        )
        .json(&json!({"milestone_ids": [ids[0]]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/goals/{goal}/milestones"),
            &grace.access,
        )
        .json(&json!({"title": "Partner's idea", "due_date": "2026-02-15"}))
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::FORBIDDEN, "owner-only").await;
}

#[tokio::test]
async fn a_partner_reads_but_cannot_edit_the_others_goal() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let goal = app.goal(&ada, &id, &smart_goal("Cut wait time")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        get(&app, &format!("/v1/goals/{goal}"), &grace).await["title"],
        "Cut wait time"
    );
    let res = app
        .authed(Method::PATCH, &format!("/v1/goals/{goal}"), &grace.access)
        .json(&json!({"title": "Sabotaged"}))
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::FORBIDDEN, "owner-only").await;
    for action in ["activate", "achieve", "drop", "archive"] {
        assert_refused(
            post(&app, &format!("/v1/goals/{goal}/{action}"), &grace).await,
            StatusCode::FORBIDDEN,
            "owner-only",
        )
        .await;
    }
    assert_eq!(
        get(&app, &format!("/v1/goals/{goal}"), &ada).await["title"],
        "Cut wait time"
    );
}

#[tokio::test]
async fn a_stale_if_match_on_a_goal_is_412_and_changes_nothing() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let goal = app.goal(&ada, &id, &smart_goal("Cut wait time")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let patch = |title: &'static str, tag: &'static str| {
        app.authed(Method::PATCH, &format!("/v1/goals/{goal}"), &ada.access)
            .header("if-match", tag)
            .json(&json!({"title": title}))
            .send()
    };
    assert_eq!(
        patch("First edit", "\"1\"").await.unwrap().status(),
        StatusCode::OK
    );
    assert_problem(
        patch("Second edit", "\"1\"").await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert_eq!(
        get(&app, &format!("/v1/goals/{goal}"), &ada).await["title"],
        "First edit"
    );
}

#[tokio::test]
async fn patch_errors_point_at_the_field_and_nothing_is_half_written() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let goal = app.goal(&ada, &id, &smart_goal("Cut wait time")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .authed(Method::PATCH, &format!("/v1/goals/{goal}"), &ada.access)
        .json(&json!({"title": "Renamed", "confidence": 1.7, "metric": {"unit": 5}}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["pointer"], "#/metric/unit");
    let res = app
        .authed(Method::PATCH, &format!("/v1/goals/{goal}"), &ada.access)
        .json(&json!({"title": "Renamed", "confidence": 1.7}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["pointer"], "#/confidence");
    assert_eq!(
        get(&app, &format!("/v1/goals/{goal}"), &ada).await["title"],
        "Cut wait time"
    );
}

#[tokio::test]
async fn a_replayed_goal_create_returns_the_same_goal() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let send = || {
        app.authed(
            Method::POST,
            &format!("/v1/partnerships/{id}/goals"),
            &ada.access,
        )
        .header("idempotency-key", "goal-1")
        .json(&smart_goal("Cut wait time"))
        .send()
    };
    let a: Value = send().await.unwrap().json().await.unwrap();
    let b: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    let list = get(&app, &format!("/v1/partnerships/{id}/goals"), &ada).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_closed_goal_cannot_move_backwards() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let goal = app.active_goal(&ada, &id, "Cut wait time").await;
    assert_eq!(
        post(&app, &format!("/v1/goals/{goal}/achieve"), &ada)
            .await
            .status(),
        StatusCode::OK
    );
    assert_refused(
        post(&app, &format!("/v1/goals/{goal}/activate"), &ada).await,
        StatusCode::CONFLICT,
        "goal-transition",
    )
    .await;
    let res = app
        .authed(Method::PATCH, &format!("/v1/goals/{goal}"), &ada.access)
        .json(&json!({"title": "Rewriting history"}))
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::CONFLICT, "goal-closed").await;
    assert_eq!(
        post(&app, &format!("/v1/goals/{goal}/archive"), &ada)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_more_specific_path_answers_405_rather_than_a_bad_id() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let res = app
        .authed(Method::GET, "/v1/goals/assess", &ada.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("allow").unwrap(), "POST");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    let res = app
        .authed(Method::GET, "/v1/goals/not-a-uuid", &ada.access)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}
