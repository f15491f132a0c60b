use reqwest::{Method, StatusCode};
use serde_json::json;
use tandem_tests::{assert_problem, pointers, spawn_app};

#[tokio::test]
async fn unknown_json_field_is_422_naming_it() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/auth/register",
            &json!({"email": "a@example.com", "password": "long enough pw", "display_name": "A",
                    "time_zone": "UTC", "is_admin": true}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/is_admin"]);
    assert_eq!(problem["errors"][0]["code"], "unknown_field");
}

#[tokio::test]
async fn every_invalid_field_is_listed_at_once() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/auth/register",
            &json!({"email": "nope", "password": "short", "display_name": "  ", "time_zone": "Mars/Base"}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        pointers(&problem),
        vec!["#/display_name", "#/email", "#/password", "#/time_zone"]
    );
}

#[tokio::test]
async fn missing_field_is_422_naming_it() {
    let app = spawn_app().await;
    let res = app
        .post_json("/v1/auth/token", &json!({"email": "a@example.com"}))
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/password"]);
    assert_eq!(problem["errors"][0]["code"], "required");
}

#[tokio::test]
async fn malformed_json_is_400_problem() {
    let app = spawn_app().await;
    let res = app
        .request(Method::POST, "/v1/auth/token")
        .header("content-type", "application/json")
        .body(r#"{"email": "a@example.com", "password": "#)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
}

#[tokio::test]
async fn non_json_body_is_415_problem() {
    let app = spawn_app().await;
    let res = app
        .request(Method::POST, "/v1/auth/token")
        .header("content-type", "text/plain")
        .body("email=a@example.com")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn oversized_body_is_413_problem() {
    let app = spawn_app().await;
    let huge = "x".repeat(70 * 1024);
    let res = app
        .post_json("/v1/auth/token", &json!({"email": huge, "password": "x"}))
        .await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
}

#[tokio::test]
async fn undeclared_method_on_known_path_is_405_with_allow() {
    let app = spawn_app().await;
    let res = app.request(Method::DELETE, "/v1/me").send().await.unwrap();
    let allow = res
        .headers()
        .get("allow")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(allow, "GET, PATCH");
    let problem = assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(problem["allow"], json!(["GET", "PATCH"]));

    let res = app
        .request(Method::GET, "/v1/auth/token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("allow").unwrap(), "POST");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn unknown_route_is_404_problem() {
    let app = spawn_app().await;
    let res = app
        .request(Method::GET, "/v1/nothing-here")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_eq!(problem["instance"], "/v1/nothing-here");
}

#[tokio::test]
async fn a_plain_client_request_id_is_echoed_and_a_hostile_one_replaced() {
    let app = spawn_app().await;
    let res = app
        .request(Method::GET, "/healthz")
        .header("x-request-id", "sync-job-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "sync-job-42");

    let res = app
        .request(Method::GET, "/healthz")
        .header("x-request-id", "bad id\twith spaces")
        .send()
        .await
        .unwrap();
    let id = res.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(id).is_ok(),
        "replaced by a fresh id, got {id}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_422_even_if_its_items_would_fit() {
    let app = spawn_app().await;
    // serde would read `[email, password, display_name, time_zone]` as the struct; the
    // contract says object.
    for body in [
        r#"["a@example.com", "long enough pw", "A", "UTC"]"#,
        "[null, null]",
        "42",
        "\"x\"",
        "null",
    ] {
        let res = app
            .request(reqwest::Method::POST, "/v1/auth/register")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(pointers(&problem), vec!["#"], "{body}");
    }
    let res = app
        .request(reqwest::Method::POST, "/v1/auth/register")
        .header("content-type", "application/json")
        .body("[1,")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}
