//! Programmes: each leader's matching profile, which cohort matching pairs them on.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tandem_tests::{assert_problem, call, ok, pointers, spawn_app};

#[tokio::test]
async fn a_matching_profile_starts_empty_and_is_replaced_whole_with_skills_normalised() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let res = call(&app, Method::GET, "/v1/me/matching-profile", &ada, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let empty: serde_json::Value = res.json().await.unwrap();
    assert_eq!(empty["values"], json!([]));
    assert_eq!(empty["communication_style"], json!(null));
    assert_eq!(empty["version"], 0);
    assert!(empty["time_zone"].as_str().is_some_and(|z| !z.is_empty()));

    let res = app
        .authed(Method::PUT, "/v1/me/matching-profile", &ada.access)
        .header("If-Match", &etag)
        .json(&json!({
            "values": ["ownership", "candour", "candour"],
            "skills_offered": [" Enterprise  Sales", "enterprise_sales", "Pricing"],
            "skills_sought": ["hiring"],
            "communication_style": "direct",
            "department": "  Sales ",
            "level": ""
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let set: serde_json::Value = res.json().await.unwrap();
    assert_eq!(set["values"], json!(["candour", "ownership"]));
    assert_eq!(set["skills_offered"], json!(["enterprise-sales", "pricing"]));
    assert_eq!(set["department"], "Sales");
    assert_eq!(set["level"], json!(null), "blank is none");
    assert_eq!(set["version"], 1);
    let read = ok(&app, Method::GET, "/v1/me/matching-profile", &ada, None).await;
    assert_eq!(read, set, "what was answered is what is stored");

    // Replaced whole: what is left out is emptied. A stale ETag changes nothing.
    let res = app
        .authed(Method::PUT, "/v1/me/matching-profile", &ada.access)
        .header("If-Match", &etag)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let now = ok(
        &app,
        Method::PUT,
        "/v1/me/matching-profile",
        &ada,
        Some(json!({"values": ["craft"]})),
    )
    .await;
    assert_eq!(now["skills_offered"], json!([]));
    assert_eq!(now["communication_style"], json!(null));
    assert_eq!(now["version"], 2);
}

#[tokio::test]
async fn a_profile_out_of_bounds_names_every_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let res = call(
        &app,
        Method::PUT,
        "/v1/me/matching-profile",
        &ada,
        Some(json!({
            "values": ["candour", "ownership", "craft", "service", "courage", "growth"],
            "skills_offered": ["pricing", " - "],
            "skills_sought": ["x".repeat(51)],
            "department": "d".repeat(101)
        })),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        pointers(&problem),
        vec![
            "#/values",
            "#/skills_offered/1",
            "#/skills_sought/0",
            "#/department"
        ]
    );
    let res = call(
        &app,
        Method::PUT,
        "/v1/me/matching-profile",
        &ada,
        Some(json!({"values": ["kindness"]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        pointers(&problem).iter().any(|p| p.starts_with("#/values")),
        "{problem}"
    );
    let kept = ok(&app, Method::GET, "/v1/me/matching-profile", &ada, None).await;
    assert_eq!(kept["version"], 0, "nothing half-written");
}

#[tokio::test]
async fn a_matching_profile_needs_a_sign_in() {
    let app = spawn_app().await;
    let res = app
        .request(Method::GET, "/v1/me/matching-profile")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}
