//! Tokens and identity for integrations: personal access tokens with scopes and partnership
//! limits, external issuers (RS256 with a JWKS file), provisioning by admins, CORS and rate limits.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, Response, StatusCode};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use tandem_tests::{TestApp, TestUser, assert_problem, assert_refused, spawn_app, spawn_app_with};

async fn with_token(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut req = app.authed(method, path, token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

/// Creates a personal access token for `user`; returns (id, secret).
async fn pat(app: &TestApp, user: &TestUser, body: Value) -> (String, String) {
    let res = with_token(app, Method::POST, "/v1/me/tokens", &user.access, Some(body)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let v: Value = res.json().await.unwrap();
    let secret = v["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("tdm_pat_"));
    assert!(secret.starts_with(v["prefix"].as_str().unwrap()));
    (v["id"].as_str().unwrap().to_owned(), secret)
}

#[tokio::test]
async fn a_personal_access_token_works_until_revoked_and_is_never_shown_again() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let (id, secret) = pat(&app, &ada, json!({"name": "Dashboard", "scopes": ["full"]})).await;
    let me = with_token(&app, Method::GET, "/v1/me", &secret, None).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<Value>().await.unwrap()["id"], ada.id.as_str());

    let list: Value = with_token(&app, Method::GET, "/v1/me/tokens", &ada.access, None)
        .await
        .json()
        .await
        .unwrap();
    let listed = &list["items"][0];
    assert_eq!(listed["id"], id.as_str());
    assert!(listed.get("secret").is_none());
    assert!(!list.to_string().contains(&secret));
    assert!(listed["last_used_at"].is_string());

    // A token cannot mint or manage tokens.
    let res = with_token(
        &app,
        Method::POST,
        "/v1/me/tokens",
        &secret,
        Some(json!({"name": "x", "scopes": ["full"]})),
    )
    .await;
    assert_refused(res, StatusCode::FORBIDDEN, "sign-in-required").await;

    let res = with_token(
        &app,
        Method::DELETE,
        &format!("/v1/me/tokens/{id}"),
        &ada.access,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = with_token(&app, Method::GET, "/v1/me", &secret, None).await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    // Another user's token id is not there to revoke.
    let grace = app.new_user().await;
    let res = with_token(
        &app,
        Method::DELETE,
        &format!("/v1/me/tokens/{id}"),
        &grace.access,
        None,
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    // Expired tokens stop working too; an expiry in the past is refused at creation.
    let res = with_token(
        &app,
        Method::POST,
        "/v1/me/tokens",
        &ada.access,
        Some(json!({"name": "old", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00Z"})),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn a_read_only_token_gets_403_on_every_write_it_tries() {
    let app = spawn_app().await;
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let (_, read) = pat(&app, &ada, json!({"name": "Sheet", "scopes": ["read"]})).await;

    // Reads work.
    for path in [
        format!("/v1/partnerships/{p}"),
        format!("/v1/goals/{goal}"),
        format!("/v1/partnerships/{p}/scorecard"),
    ] {
        let res = with_token(&app, Method::GET, &path, &read, None).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    }
    // Every protected write in the contract is refused, whatever it targets.
    let doc: Value = app
        .request(Method::GET, "/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "get" || op["security"] == json!([]) {
                continue;
            }
            let concrete = path
                .replace("{id}", &p)
                .replace("{partner_id}", &ada.id)
                .replace("{milestone_id}", &goal)
                .replace("{change_id}", &goal)
                .replace("{external_id}", "hr-1");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = with_token(&app, method.clone(), &concrete, &read, Some(json!({}))).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {concrete}");
            tried += 1;
        }
    }
    assert!(tried > 30, "only {tried} writes tried");
    // Nothing was written.
    let g: Value = with_token(
        &app,
        Method::GET,
        &format!("/v1/goals/{goal}"),
        &ada.access,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(g["status"], "active");

    // readings:write records readings and nothing else.
    let (_, readings) = pat(
        &app,
        &ada,
        json!({"name": "Sync", "scopes": ["readings:write"]}),
    )
    .await;
    let res = with_token(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/readings"),
        &readings,
        Some(json!({"value": 11.0, "observed_at": "2026-02-01T09:00:00Z"})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = with_token(
        &app,
        Method::PATCH,
        &format!("/v1/goals/{goal}"),
        &readings,
        Some(json!({"title": "x"})),
    )
    .await;
    assert_refused(res, StatusCode::FORBIDDEN, "token-scope").await;
}

#[tokio::test]
async fn a_partnership_limited_token_gets_404_on_other_partnerships() {
    let app = spawn_app().await;
    let (ada, grace, bob) = (
        app.new_user().await,
        app.new_user().await,
        app.new_user().await,
    );
    let p1 = app.partnership(&ada, &grace).await;
    let p2 = app.partnership(&ada, &bob).await;
    let g2 = app.active_goal(&ada, &p2, "Other goal").await;
    let (_, limited) = pat(
        &app,
        &ada,
        json!({"name": "P1 board", "scopes": ["full"], "partnership_id": p1}),
    )
    .await;

    let res = with_token(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p1}"),
        &limited,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    for path in [
        format!("/v1/partnerships/{p2}"),
        format!("/v1/partnerships/{p2}/goals"),
        format!("/v1/goals/{g2}"),
        format!("/v1/goals/{g2}/readings"),
    ] {
        let res = with_token(&app, Method::GET, &path, &limited, None).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    let res = with_token(
        &app,
        Method::POST,
        &format!("/v1/goals/{g2}/readings"),
        &limited,
        Some(json!({"value": 1.0, "observed_at": "2026-02-01T09:00:00Z"})),
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let list: Value = with_token(&app, Method::GET, "/v1/partnerships", &limited, None)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, [&json!(p1)]);
    let res = with_token(
        &app,
        Method::POST,
        "/v1/partnerships",
        &limited,
        Some(json!({"invitee_email": "new@example.com"})),
    )
    .await;
    assert_refused(res, StatusCode::FORBIDDEN, "token-limited").await;
    // A token cannot be limited to someone else's partnership.
    let (carol, dave) = (app.new_user().await, app.new_user().await);
    let theirs = app.partnership(&carol, &dave).await;
    let res = with_token(
        &app,
        Method::POST,
        "/v1/me/tokens",
        &ada.access,
        Some(json!({"name": "x", "scopes": ["read"], "partnership_id": theirs})),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

struct Idp {
    dir: tempfile::TempDir,
    issuers: std::path::PathBuf,
}

fn rsa_key() -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap()
}

fn jwk(key: &rsa::RsaPrivateKey, kid: &str) -> Value {
    let public = key.to_public_key();
    json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
           "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
           "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())})
}

impl Idp {
    /// Two issuers sharing one JWKS file: one creates accounts on first sight, one does not.
    fn new(keys: &[(&rsa::RsaPrivateKey, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let idp = Idp {
            issuers: dir.path().join("issuers.json"),
            dir,
        };
        idp.publish(keys);
        let jwks = idp.dir.path().join("jwks.json");
        std::fs::write(
            &idp.issuers,
            json!([
                {"issuer": "https://idp.example.com", "audience": "tandem", "algorithm": "RS256",
                 "jwks_file": jwks, "create_users": true},
                {"issuer": "https://strict.example.com", "audience": "tandem", "algorithm": "RS256",
                 "jwks_file": jwks}
            ])
            .to_string(),
        )
        .unwrap();
        idp
    }

    fn publish(&self, keys: &[(&rsa::RsaPrivateKey, &str)]) {
        let set = json!({"keys": keys.iter().map(|(k, kid)| jwk(k, kid)).collect::<Vec<_>>()});
        std::fs::write(self.dir.path().join("jwks.json"), set.to_string()).unwrap();
    }
}

fn claims(iss: &str, sub: &str, email: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": iss, "aud": "tandem", "sub": sub, "email": email, "name": "Grace Hopper",
           "iat": now, "exp": now + 300})
}

fn sign(key: &rsa::RsaPrivateKey, kid: &str, claims: &Value) -> String {
    let pem = key.to_pkcs1_pem(LineEnding::LF).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_external_rs256_token_signs_in_and_confused_or_unknown_keys_are_refused() {
    let (k1, k2) = (rsa_key(), rsa_key());
    let idp = Idp::new(&[(&k1, "k1")]);
    let path = idp.issuers.clone();
    let app = spawn_app_with(move |c| c.external_issuers = Some(path)).await;

    let email = format!("grace-{}@example.com", uuid::Uuid::new_v4().simple());
    let token = sign(
        &k1,
        "k1",
        &claims("https://idp.example.com", "emp-77", &email),
    );
    let res = with_token(&app, Method::GET, "/v1/me", &token, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["display_name"], "Grace Hopper");
    // Seen again: the same account, not a second one.
    let again: Value = with_token(&app, Method::GET, "/v1/me", &token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], me["id"]);

    // The issuer that may not create accounts refuses an unknown subject.
    let strict = sign(
        &k1,
        "k1",
        &claims("https://strict.example.com", "emp-78", "new@example.com"),
    );
    assert_problem(
        with_token(&app, Method::GET, "/v1/me", &strict, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Algorithm confusion: the same claims HS256-signed with the public key as the secret.
    let public_pem = k1
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let confused = jsonwebtoken::encode(
        &header,
        &claims("https://idp.example.com", "emp-77", &email),
        &EncodingKey::from_secret(public_pem.as_bytes()),
    )
    .unwrap();
    assert_problem(
        with_token(&app, Method::GET, "/v1/me", &confused, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // An unknown kid is refused, as is a known kid with someone else's signature.
    let unknown = sign(
        &k2,
        "k2",
        &claims("https://idp.example.com", "emp-77", &email),
    );
    assert_problem(
        with_token(&app, Method::GET, "/v1/me", &unknown, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let forged = sign(
        &k2,
        "k1",
        &claims("https://idp.example.com", "emp-77", &email),
    );
    assert_problem(
        with_token(&app, Method::GET, "/v1/me", &forged, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Wrong audience.
    let mut wrong = claims("https://idp.example.com", "emp-77", &email);
    wrong["aud"] = json!("someone-else");
    assert_problem(
        with_token(&app, Method::GET, "/v1/me", &sign(&k1, "k1", &wrong), None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Rotation: the issuer publishes k2; tokens signed with it are accepted without a restart.
    idp.publish(&[(&k1, "k1"), (&k2, "k2")]);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = with_token(&app, Method::GET, "/v1/me", &unknown, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["id"], me["id"]);
}

#[tokio::test]
async fn admins_provision_and_deactivate_people_whose_tokens_then_fail() {
    let admin_email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
    let configured = admin_email.clone();
    let app = spawn_app_with(move |c| c.admin_emails = vec![configured]).await;
    app.register(&admin_email, "admin-password-123").await;
    let admin = app.sign_in(&admin_email, "admin-password-123").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    let (_, ada_pat) = pat(&app, &ada, json!({"name": "Sheet", "scopes": ["read"]})).await;

    // Non-admins cannot provision.
    let res = with_token(&app, Method::GET, "/v1/admin/users", &ada.access, None).await;
    assert_refused(res, StatusCode::FORBIDDEN, "admin-only").await;

    // Upsert by HR id: a new person is created, an existing account is adopted by email.
    let body = json!({"email": "new.hire@example.com", "display_name": "New Hire", "time_zone": "Europe/Paris"});
    let res = with_token(
        &app,
        Method::PUT,
        "/v1/admin/users/hr-1",
        &admin,
        Some(body.clone()),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = with_token(
        &app,
        Method::PUT,
        "/v1/admin/users/hr-1",
        &admin,
        Some(body),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let adopt = json!({"email": ada.email, "display_name": "Ada L.", "time_zone": "Europe/London"});
    let res = with_token(
        &app,
        Method::PUT,
        "/v1/admin/users/hr-2",
        &admin,
        Some(adopt),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let adopted: Value = res.json().await.unwrap();
    assert_eq!(adopted["id"], ada.id.as_str());
    assert_eq!(adopted["display_name"], "Ada L.");
    let list: Value = with_token(&app, Method::GET, "/v1/admin/users", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
    // Admins do not read partnership contents.
    let res = with_token(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}"),
        &admin,
        None,
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    // Deactivation: every credential of Ada's stops working; her data stays.
    let res = with_token(
        &app,
        Method::POST,
        "/v1/admin/users/hr-2/deactivate",
        &admin,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);
    for token in [&ada.access, &ada_pat] {
        assert_problem(
            with_token(&app, Method::GET, "/v1/me", token, None).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    let res = app
        .post_json(
            "/v1/auth/token",
            &json!({"email": ada.email, "password": ada.password}),
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let res = app
        .post_json("/v1/auth/refresh", &json!({"refresh_token": ada.refresh}))
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let seen: Value = with_token(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}"),
        &grace.access,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(seen["members"][0]["user_id"], ada.id.as_str());

    // Reactivated, she signs in again.
    let back = json!({"email": ada.email, "display_name": "Ada L.", "time_zone": "Europe/London", "active": true});
    let res = with_token(
        &app,
        Method::PUT,
        "/v1/admin/users/hr-2",
        &admin,
        Some(back),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.sign_in(&ada.email, &ada.password).await;
}

#[tokio::test]
async fn cors_answers_allowed_origins_only_and_never_with_credentials() {
    let app = spawn_app_with(|c| c.cors_origins = vec!["https://app.example.com".into()]).await;
    let preflight = |origin: &'static str| {
        app.request(Method::OPTIONS, "/v1/me")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let ok = preflight("https://app.example.com").await.unwrap();
    assert!(ok.status().is_success());
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(
        ok.headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    let methods = ok.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(methods.contains("PATCH"), "{methods}");

    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_problem(refused, StatusCode::BAD_REQUEST).await;

    // Simple requests from the allowed origin see the headers they need.
    let user = app.new_user().await;
    let res = app
        .authed(Method::GET, "/v1/me", &user.access)
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("x-request-id"),
        "{exposed}"
    );

    // No origins configured: no CORS headers at all.
    let closed = spawn_app().await;
    let res = closed
        .request(Method::OPTIONS, "/v1/me")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address_with_retry_after() {
    let app = spawn_app_with(|c| c.auth_rate_limit = 3).await;
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-1"});
    for _ in 0..3 {
        let res = app.post_json("/v1/auth/token", &body).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.post_json("/v1/auth/token", &body).await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let problem = assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem["type"], "urn:tandem:problem:rate-limited");
    // Registration shares the budget; other endpoints do not.
    let res = app
        .post_json(
            "/v1/auth/register",
            &json!({"email": "x@example.com", "password": "long-enough-pw", "display_name": "X", "time_zone": "UTC"}),
        )
        .await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    let res = app.request(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_external_token_is_refused_before_its_nbf_and_when_issued_in_the_future() {
    let key = rsa_key();
    let idp = Idp::new(&[(&key, "k1")]);
    let path = idp.issuers.clone();
    let app = spawn_app_with(move |c| c.external_issuers = Some(path)).await;
    let email = format!("grace-{}@example.com", uuid::Uuid::new_v4().simple());
    let now = chrono::Utc::now().timestamp();
    let base = claims("https://idp.example.com", "emp-90", &email);
    let with = |name: &str, value: i64| {
        let mut c = base.clone();
        c[name] = json!(value);
        sign(&key, "k1", &c)
    };

    for (why, token) in [
        ("nbf an hour ahead", with("nbf", now + 3600)),
        ("iat an hour ahead", with("iat", now + 3600)),
    ] {
        let res = with_token(&app, Method::GET, "/v1/me", &token, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{why}");
    }
    // Within the leeway, and already valid, both pass.
    for token in [
        with("nbf", now + 5),
        with("nbf", now - 60),
        with("iat", now + 5),
    ] {
        let res = with_token(&app, Method::GET, "/v1/me", &token, None).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
}
