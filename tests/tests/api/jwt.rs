//! The access-token validation matrix: every way a token can be wrong is a 401.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TEST_JWT_SECRET, TestApp, assert_problem, spawn_app};

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(claims: &Value, alg: Algorithm, secret: &str) -> String {
    encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    let res = app
        .authed(Method::GET, "/v1/me", token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    if status == StatusCode::UNAUTHORIZED {
        assert!(res.headers().contains_key("www-authenticate"));
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    status
}

#[tokio::test]
async fn a_correctly_resigned_token_is_accepted() {
    // The control case: the forging below is sound, so the refusals are the server's doing.
    let app = spawn_app().await;
    let user = app.new_user().await;
    let token = sign(&claims_of(&user.access), Algorithm::HS256, TEST_JWT_SECRET);
    assert_eq!(me_status(&app, &token).await, StatusCode::OK);
}

#[tokio::test]
async fn every_malformed_or_misused_token_is_401() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let good = claims_of(&user.access);
    let with = |key: &str, value: Value| {
        let mut c = good.clone();
        c[key] = value;
        c
    };
    let without = |key: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(key);
        c
    };

    let mut tampered_signature = user.access.clone();
    let last = tampered_signature.pop().unwrap();
    tampered_signature.push(if last == 'A' { 'B' } else { 'A' });

    let parts: Vec<&str> = user.access.split('.').collect();
    let tampered_payload = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(with("sub", json!(uuid::Uuid::new_v4().to_string())).to_string()),
        parts[2]
    );
    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );

    let cases: Vec<(&str, String)> = vec![
        ("tampered signature", tampered_signature),
        ("tampered payload", tampered_payload),
        ("alg none", alg_none),
        (
            "HS512 instead of HS256",
            sign(&good, Algorithm::HS512, TEST_JWT_SECRET),
        ),
        (
            "another secret",
            sign(
                &good,
                Algorithm::HS256,
                "another-secret-another-secret-0123456789",
            ),
        ),
        (
            "expired beyond leeway",
            sign(
                &with("exp", json!(now() - 120)),
                Algorithm::HS256,
                TEST_JWT_SECRET,
            ),
        ),
        (
            "nbf in the future",
            sign(
                &with("nbf", json!(now() + 600)),
                Algorithm::HS256,
                TEST_JWT_SECRET,
            ),
        ),
        (
            "issued in the future",
            sign(
                &with("iat", json!(now() + 3600)),
                Algorithm::HS256,
                TEST_JWT_SECRET,
            ),
        ),
        (
            "wrong aud",
            sign(
                &with("aud", json!("someone-else")),
                Algorithm::HS256,
                TEST_JWT_SECRET,
            ),
        ),
        (
            "missing aud",
            sign(&without("aud"), Algorithm::HS256, TEST_JWT_SECRET),
        ),
        (
            "wrong iss",
            sign(
                &with("iss", json!("evil")),
                Algorithm::HS256,
                TEST_JWT_SECRET,
            ),
        ),
        (
            "missing iss",
            sign(&without("iss"), Algorithm::HS256, TEST_JWT_SECRET),
        ),
        (
            "missing exp",
            sign(&without("exp"), Algorithm::HS256, TEST_JWT_SECRET),
        ),
        (
            "missing nbf",
            sign(&without("nbf"), Algorithm::HS256, TEST_JWT_SECRET),
        ),
        (
            "missing sub",
            sign(&without("sub"), Algorithm::HS256, TEST_JWT_SECRET),
        ),
        (
            "missing jti",
            sign(&without("jti"), Algorithm::HS256, TEST_JWT_SECRET),
        ),
        (
            "unknown session",
            sign(
                &with("sid", json!(uuid::Uuid::new_v4().to_string())),
                Algorithm::HS256,
                TEST_JWT_SECRET,
            ),
        ),
        ("refresh token as access token", user.refresh.clone()),
        ("not a JWT", "definitely-not-a-token".to_owned()),
    ];
    for (name, token) in cases {
        assert_eq!(
            me_status(&app, &token).await,
            StatusCode::UNAUTHORIZED,
            "{name}"
        );
    }
}

#[tokio::test]
async fn expiry_within_the_leeway_is_tolerated() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let mut claims = claims_of(&user.access);
    claims["exp"] = json!(now() - 5);
    let token = sign(&claims, Algorithm::HS256, TEST_JWT_SECRET);
    assert_eq!(me_status(&app, &token).await, StatusCode::OK);
}

#[tokio::test]
async fn an_access_token_cannot_refresh() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .post_json("/v1/auth/refresh", &json!({"refresh_token": user.access}))
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn tokens_in_the_query_string_are_ignored() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let res = app
        .request(Method::GET, &format!("/v1/me?access_token={}", user.access))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}
