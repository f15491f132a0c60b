//! The served contract is the committed one, and the docs work offline.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tandem_tests::spawn_app;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[tokio::test]
async fn served_openapi_matches_the_committed_file() {
    let app = spawn_app().await;
    let res = app
        .request(Method::GET, "/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let served: Value = res.json().await.unwrap();
    let committed: Value = serde_json::from_str(COMMITTED).expect("openapi/openapi.json is JSON");
    assert!(
        served == committed,
        "openapi/openapi.json is out of date; regenerate it with\n  \
         cargo run -q -p tandem-api -- openapi > openapi/openapi.json"
    );
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_the_bearer_scheme() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["bearerFormat"],
        "JWT"
    );
}

#[tokio::test]
async fn every_served_route_is_documented_and_every_operation_is_complete() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/v1/auth/register",
        "/v1/auth/token",
        "/v1/auth/refresh",
        "/v1/auth/logout",
        "/v1/me",
    ] {
        assert!(paths.contains_key(expected), "{expected} is documented");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                op["operationId"].is_string(),
                "{method} {path}: operationId"
            );
            assert!(op["summary"].is_string(), "{method} {path}: summary");
            assert!(op["security"].is_array(), "{method} {path}: security");
            assert!(responses.contains_key("500"), "{method} {path}: 500");
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
            }
            let protected = op["security"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.get("bearer").is_some());
            if protected {
                assert!(responses.contains_key("401"), "{method} {path}: 401");
            }
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let res = app.request(Method::GET, "/docs/").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "Swagger UI page");
    let res = app
        .request(Method::GET, "/docs/swagger-ui-bundle.js")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the bundle is vendored, not fetched"
    );
    assert!(res.bytes().await.unwrap().len() > 100_000);
    let res = app
        .request(Method::GET, "/docs/swagger-initializer.js")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("/openapi.json"));
}
