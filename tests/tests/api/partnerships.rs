use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{assert_problem, assert_refused, pointers, spawn_app};

#[tokio::test]
async fn an_invitation_waits_for_the_invitee_to_register_and_accept() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let res = app
        .authed(Method::POST, "/v1/partnerships", &ada.access)
        .json(&json!({"invitee_email": "Grace@Example.com", "message": "Keep me honest?"}))
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
    let invited: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/partnerships/{}", invited["id"].as_str().unwrap())
    );
    assert_eq!(invited["status"], "invited");
    assert_eq!(invited["members"][1]["email"], "grace@example.com");
    assert_eq!(invited["members"][1]["user_id"], Value::Null);
    assert_eq!(invited["settings"]["cadence_days"], 14);
    assert_eq!(invited["settings"]["meeting_minutes"], 60);

    // Grace registers later and finds the invitation waiting.
    app.register("grace@example.com", "correct horse battery")
        .await;
    let grace = app
        .sign_in("grace@example.com", "correct horse battery")
        .await;
    let grace_token = grace["access_token"].as_str().unwrap();
    let list: Value = app
        .authed(Method::GET, "/v1/partnerships?status=invited", grace_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();

    // Only the invitee accepts.
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/partnerships/{id}/accept"),
            &ada.access,
        )
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::FORBIDDEN, "invitee-only").await;
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/partnerships/{id}/accept"),
            grace_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let active: Value = res.json().await.unwrap();
    assert_eq!(active["status"], "active");
    assert!(active["members"][1]["user_id"].is_string());
    assert_eq!(active["members"][1]["display_name"], "grace");
    // Accepting twice is not possible.
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/partnerships/{id}/accept"),
            grace_token,
        )
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::CONFLICT, "partnership-transition").await;
}

#[tokio::test]
async fn partnering_with_yourself_is_refused() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let res = app
        .authed(Method::POST, "/v1/partnerships", &ada.access)
        .json(&json!({"invitee_email": ada.email.to_uppercase()}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/invitee_email"]);
}

#[tokio::test]
async fn a_second_live_partnership_with_the_same_person_is_409_in_either_direction() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let res = app
        .authed(Method::POST, "/v1/partnerships", &grace.access)
        .json(&json!({"invitee_email": ada.email}))
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::CONFLICT, "partnership-exists").await;
    // Once it has ended, they may start again.
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/partnerships/{id}/end"),
            &grace.access,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .authed(Method::POST, "/v1/partnerships", &grace.access)
        .json(&json!({"invitee_email": ada.email}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_lifecycle_pauses_resumes_and_ends() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    for (action, who, status) in [
        ("pause", &ada, "paused"),
        ("resume", &grace, "active"),
        ("end", &ada, "ended"),
    ] {
        let res = app
            .authed(
                Method::POST,
                &format!("/v1/partnerships/{id}/{action}"),
                &who.access,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        assert_eq!(res.json::<Value>().await.unwrap()["status"], status);
    }
    let res = app
        .authed(
            Method::POST,
            &format!("/v1/partnerships/{id}/resume"),
            &ada.access,
        )
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::CONFLICT, "partnership-transition").await;
}

#[tokio::test]
async fn settings_change_with_if_match_and_a_stale_one_changes_nothing() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let id = app.partnership(&ada, &grace).await;
    let res = app
        .authed(Method::GET, &format!("/v1/partnerships/{id}"), &ada.access)
        .send()
        .await
        .unwrap();
    let etag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let res = app
        .authed(
            Method::PATCH,
            &format!("/v1/partnerships/{id}"),
            &ada.access,
        )
        .header("if-match", &etag)
        .json(&json!({"cadence_days": 7, "time_zone": "America/New_York", "on_track_gap": 0.05}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["settings"]["cadence_days"], 7);
    assert_eq!(
        updated["settings"]["status_thresholds"]["on_track_gap"],
        0.05
    );

    let res = app
        .authed(
            Method::PATCH,
            &format!("/v1/partnerships/{id}"),
            &grace.access,
        )
        .header("if-match", &etag)
        .json(&json!({"cadence_days": 21}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PRECONDITION_FAILED).await;
    let now: Value = app
        .authed(
            Method::GET,
            &format!("/v1/partnerships/{id}"),
            &grace.access,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["settings"]["cadence_days"], 7);

    let res = app
        .authed(
            Method::PATCH,
            &format!("/v1/partnerships/{id}"),
            &grace.access,
        )
        .json(&json!({"on_track_gap": 0.5, "at_risk_gap": 0.2, "meeting_minutes": 5}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(pointers(&problem).contains(&"#/meeting_minutes".to_owned()));
}

#[tokio::test]
async fn a_replayed_idempotency_key_creates_nothing_new() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let send = |email: &str| {
        app.authed(Method::POST, "/v1/partnerships", &ada.access)
            .header("idempotency-key", "invite-grace-1")
            .json(&json!({"invitee_email": email}))
            .send()
    };
    let first = send("grace@example.com").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let replay = send("grace@example.com").await.unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["id"], first["id"]);
    let list: Value = app
        .authed(Method::GET, "/v1/partnerships", &ada.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let other = send("someone-else@example.com").await.unwrap();
    assert_problem(other, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn lists_page_with_cursors_without_gaps_or_duplicates() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    for i in 0..5 {
        let res = app
            .authed(Method::POST, "/v1/partnerships", &ada.access)
            .json(&json!({"invitee_email": format!("peer{i}@example.com")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut path = "/v1/partnerships?limit=2".to_owned();
    loop {
        let res = app
            .authed(Method::GET, &path, &ada.access)
            .send()
            .await
            .unwrap();
        let link = res
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let page: Value = res.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["members"][1]["email"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(link.unwrap().contains("rel=\"next\""));
                // Rows inserted mid-way appear at the end, never as duplicates.
                if seen.len() == 2 {
                    app.authed(Method::POST, "/v1/partnerships", &ada.access)
                        .json(&json!({"invitee_email": "late@example.com"}))
                        .send()
                        .await
                        .unwrap();
                }
                path = format!("/v1/partnerships?limit=2&cursor={cursor}");
            }
            None => break,
        }
    }
    let expected: Vec<String> = (0..5)
        .map(|i| format!("peer{i}@example.com"))
        .chain(["late@example.com".to_owned()])
        .collect();
    assert_eq!(seen, expected);
    let res = app
        .authed(Method::GET, "/v1/partnerships?cursor=bogus", &ada.access)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn an_unknown_time_zone_is_a_422_naming_the_field_on_create_and_update() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let res = app
        .authed(Method::POST, "/v1/partnerships", &ada.access)
        .json(&json!({"invitee_email": grace.email, "time_zone": "GMT+0 "}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/time_zone"]);
    let p = app.partnership(&ada, &grace).await;
    let res = app
        .authed(Method::PATCH, &format!("/v1/partnerships/{p}"), &ada.access)
        .json(&json!({"time_zone": "Europe/Atlantis"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/time_zone"]);
}
