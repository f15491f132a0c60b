use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{assert_problem, assert_refused, pointers, spawn_app};

#[tokio::test]
async fn register_returns_the_account_with_location_and_etag() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/auth/register",
            &json!({"email": " Ada@Example.COM ", "password": "correct horse battery",
                    "display_name": " Ada Lovelace ", "time_zone": "Europe/London"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers().get("location").unwrap(), "/v1/me");
    assert_eq!(res.headers().get("etag").unwrap(), "\"1\"");
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["display_name"], "Ada Lovelace");
    assert_eq!(user["time_zone"], "Europe/London");
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
}

#[tokio::test]
async fn registering_a_taken_email_in_any_case_is_409() {
    let app = spawn_app().await;
    app.register("grace@example.com", "correct horse battery")
        .await;
    let res = app
        .post_json(
            "/v1/auth/register",
            &json!({"email": "GRACE@example.com", "password": "another long password",
                    "display_name": "Imposter", "time_zone": "UTC"}),
        )
        .await;
    assert_refused(res, StatusCode::CONFLICT, "email-taken").await;
}

#[tokio::test]
async fn sign_in_then_me_shows_the_account() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .authed(Method::GET, "/v1/me", &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["id"], user.id.as_str());
    assert_eq!(me["email"], user.email.as_str());
}

#[tokio::test]
async fn token_response_is_a_bearer_pair_that_is_not_cached() {
    let app = spawn_app().await;
    app.register("kit@example.com", "correct horse battery")
        .await;
    let res = app
        .post_json(
            "/v1/auth/token",
            &json!({"email": "kit@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"].as_str().unwrap().split('.').count() == 3);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_the_same() {
    let app = spawn_app().await;
    app.register("lin@example.com", "correct horse battery")
        .await;
    let wrong = app
        .post_json(
            "/v1/auth/token",
            &json!({"email": "lin@example.com", "password": "wrong password"}),
        )
        .await;
    let wrong = assert_problem(wrong, StatusCode::UNAUTHORIZED).await;
    let unknown = app
        .post_json(
            "/v1/auth/token",
            &json!({"email": "nobody@example.com", "password": "wrong password"}),
        )
        .await;
    let unknown = assert_problem(unknown, StatusCode::UNAUTHORIZED).await;
    for field in ["type", "title", "status", "detail", "instance"] {
        assert_eq!(wrong[field], unknown[field], "{field}");
    }
}

#[tokio::test]
async fn refresh_rotates_and_the_new_pair_works() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .post_json("/v1/auth/refresh", &json!({"refresh_token": user.refresh}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pair: Value = res.json().await.unwrap();
    assert_ne!(pair["refresh_token"], user.refresh.as_str());
    let res = app
        .authed(
            Method::GET,
            "/v1/me",
            pair["access_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The new refresh token is itself good once.
    let res = app
        .post_json(
            "/v1/auth/refresh",
            &json!({"refresh_token": pair["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_token_reuse_is_refused_and_revokes_the_session() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let first = app
        .post_json("/v1/auth/refresh", &json!({"refresh_token": user.refresh}))
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let rotated: Value = first.json().await.unwrap();

    // The old token again: refused...
    let replay = app
        .post_json("/v1/auth/refresh", &json!({"refresh_token": user.refresh}))
        .await;
    assert_problem(replay, StatusCode::UNAUTHORIZED).await;
    // ...and the whole session is gone: the rotated refresh token and the access tokens too.
    let res = app
        .post_json(
            "/v1/auth/refresh",
            &json!({"refresh_token": rotated["refresh_token"]}),
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let res = app
        .authed(
            Method::GET,
            "/v1/me",
            rotated["access_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn logout_ends_the_session_for_access_and_refresh_tokens() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .authed(Method::POST, "/v1/auth/logout", &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .authed(Method::GET, "/v1/me", &user.access)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let res = app
        .post_json("/v1/auth/refresh", &json!({"refresh_token": user.refresh}))
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

/// A session is confirmed by the request's own unit of work, or, for a request that never reached
/// one, before its response leaves: an ended session gets 401 whatever else is wrong with the
/// request, and nothing it asked for is written.
#[tokio::test]
async fn an_ended_session_gets_401_before_any_other_answer_and_writes_nothing() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    let other = app.sign_in(&ada.email, &ada.password).await;
    let other = other["access_token"].as_str().unwrap();
    let res = app
        .authed(Method::POST, "/v1/auth/logout", &ada.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let goals = format!("/v1/partnerships/{p}/goals");
    let invalid = app
        .authed(Method::POST, &goals, &ada.access)
        .json(&json!({"title": ""}))
        .send()
        .await
        .unwrap();
    let valid = app
        .authed(Method::POST, &goals, &ada.access)
        .json(&tandem_tests::smart_goal("Written by an ended session"))
        .send()
        .await
        .unwrap();
    let bad_query = app
        .authed(Method::GET, "/v1/partnerships?limit=many", &ada.access)
        .send()
        .await
        .unwrap();
    let unknown = format!("/v1/goals/{}", uuid::Uuid::new_v4());
    let unknown = app
        .authed(Method::GET, &unknown, &ada.access)
        .send()
        .await
        .unwrap();
    let again = app
        .authed(Method::POST, "/v1/auth/logout", &ada.access)
        .send()
        .await
        .unwrap();
    for res in [invalid, valid, bad_query, unknown, again] {
        assert!(res.headers().contains_key("www-authenticate"));
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }

    // The account's other session still works, and sees no goal written.
    let res = app.authed(Method::GET, &goals, other).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let listed: Value = res.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0, "{listed}");
}

#[tokio::test]
async fn logging_out_one_session_leaves_others_signed_in() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.sign_in(&user.email, &user.password).await;
    app.authed(Method::POST, "/v1/auth/logout", &user.access)
        .send()
        .await
        .unwrap();
    let res = app
        .authed(
            Method::GET,
            "/v1/me",
            other["access_token"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn me_honours_if_none_match() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .authed(Method::GET, "/v1/me", &user.access)
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
        .authed(Method::GET, "/v1/me", &user.access)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers().get("etag").unwrap().to_str().unwrap(), etag);
}

#[tokio::test]
async fn patch_me_changes_the_profile_and_the_etag() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .header("if-match", "\"1\"")
        .json(&json!({"display_name": "Renamed", "time_zone": "America/New_York"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("etag").unwrap(), "\"2\"");
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["display_name"], "Renamed");
    assert_eq!(me["time_zone"], "America/New_York");
}

#[tokio::test]
async fn patch_me_with_a_stale_if_match_is_412_and_changes_nothing() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let first = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .header("if-match", "\"1\"")
        .json(&json!({"display_name": "First writer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .header("if-match", "\"1\"")
        .json(&json!({"display_name": "Second writer"}))
        .send()
        .await
        .unwrap();
    assert_problem(second, StatusCode::PRECONDITION_FAILED).await;
    let me: Value = app
        .authed(Method::GET, "/v1/me", &user.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "First writer");
}

#[tokio::test]
async fn patch_me_refuses_null_and_bad_time_zones() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .json(&json!({"display_name": null}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/display_name"]);
    let res = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .json(&json!({"time_zone": "Europe/Atlantis"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/time_zone"]);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .json(&json!({"password": "a brand new password"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/current_password"]);

    let res = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .json(&json!({"password": "a brand new password", "current_password": "not it at all"}))
        .send()
        .await
        .unwrap();
    assert_refused(res, StatusCode::FORBIDDEN, "wrong-password").await;

    let res = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .json(&json!({"password": "a brand new password", "current_password": user.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.sign_in(&user.email, "a brand new password").await;
    let old = app
        .post_json(
            "/v1/auth/token",
            &json!({"email": user.email, "password": user.password}),
        )
        .await;
    assert_problem(old, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.sign_in(&user.email, &user.password).await;
    let other_access = other["access_token"].as_str().unwrap();
    let res = app
        .authed(Method::PATCH, "/v1/me", &user.access)
        .json(&json!({"password": "a brand new password", "current_password": user.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .authed(Method::GET, "/v1/me", other_access)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let res = app
        .post_json(
            "/v1/auth/refresh",
            &json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    // The session that changed it goes on.
    let res = app
        .authed(Method::GET, "/v1/me", &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn me_without_a_token_is_401_with_www_authenticate() {
    let app = spawn_app().await;
    let res = app.request(Method::GET, "/v1/me").send().await.unwrap();
    assert!(
        res.headers()
            .get("www-authenticate")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn the_generated_secret_survives_a_restart() {
    // Two servers on one SQLite file, neither configured with a secret: a token from the first
    // works on the second, because the generated secret was kept in the database.
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        return; // the property is backend-independent; SQLite makes sharing the file simple
    }
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("shared.db").display().to_string();
    let first = tandem_tests::spawn_app_with(|c| {
        c.database_url = url.clone();
        c.jwt_secret = None;
    })
    .await;
    let user = first.new_user().await;
    let second = tandem_tests::spawn_app_with(|c| {
        c.database_url = url.clone();
        c.jwt_secret = None;
    })
    .await;
    let res = second
        .authed(Method::GET, "/v1/me", &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
