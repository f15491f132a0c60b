//! Webhooks: signed deliveries to a receiver on 127.0.0.1, retries with backoff, failure that
//! blocks nothing else, delivery after a crash, and target validation against SSRF.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_api::Config;
use tandem_tests::receiver::Receiver;
use tandem_tests::{
    TestApp, TestUser, assert_problem, call, ok, pointers, spawn_app, spawn_app_with,
};

/// Local receivers need http and loopback allowed; retries are fast so tests stay short.
fn local_delivery(config: &mut Config) {
    config.webhooks.allow_http = true;
    config.webhooks.allow_private = true;
    config.webhooks.poll_ms = 25;
    config.webhooks.retry_base_ms = 50;
    config.webhooks.max_attempts = 3;
    config.webhooks.due_scan_secs = Some(1);
}

async fn pair(app: &TestApp) -> (TestUser, TestUser, String) {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    (ada, grace, p)
}

async fn subscribe(app: &TestApp, user: &TestUser, url: &str, events: Value) -> Value {
    let res = call(
        app,
        Method::POST,
        "/v1/webhooks",
        user,
        Some(json!({"url": url, "events": events})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "subscribe");
    res.json().await.unwrap()
}

async fn record(app: &TestApp, user: &TestUser, goal: &str, value: f64) -> Value {
    ok(
        app,
        Method::POST,
        &format!("/v1/goals/{goal}/readings"),
        user,
        Some(json!({"value": value, "observed_at": "2026-03-01T09:00:00Z"})),
    )
    .await
}

/// Polls a subscription's delivery log until every delivery has left `pending`.
async fn settled_log(app: &TestApp, user: &TestUser, hook: &str, expected: usize) -> Vec<Value> {
    for _ in 0..400 {
        let page = ok(
            app,
            Method::GET,
            &format!("/v1/webhooks/{hook}/deliveries"),
            user,
            None,
        )
        .await;
        let items = page["items"].as_array().unwrap().clone();
        if items.len() >= expected && items.iter().all(|d| d["status"] != "pending") {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries of {hook} did not settle");
}

#[tokio::test]
async fn a_recorded_reading_arrives_signed_and_the_signature_verifies() {
    let app = spawn_app_with(local_delivery).await;
    let (ada, _grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let receiver = Receiver::start(200, &[]);
    let hook = subscribe(&app, &ada, &receiver.url, json!(["reading.recorded"])).await;
    let secret = hook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));

    let reading = record(&app, &ada, &goal, 10.8).await;
    let got = receiver.wait_for(1).await;
    let delivery = &got[0];
    assert!(
        delivery.signed_with(secret),
        "the signature verifies with the secret"
    );
    assert!(
        !delivery.signed_with("whsec_someone-else"),
        "and not with another"
    );
    let body = delivery.json();
    assert_eq!(body["type"], "reading.recorded");
    assert_eq!(body["partnership_id"], p.as_str());
    assert_eq!(body["data"]["reading"]["id"], reading["id"]);
    assert_eq!(body["data"]["reading"]["value"], 10.8);
    assert_eq!(body["data"]["goal"]["id"], goal.as_str());
    assert_eq!(
        delivery.header("Tandem-Webhook-Id"),
        body["id"].as_str().unwrap()
    );
    assert_eq!(delivery.header("Tandem-Event-Type"), "reading.recorded");
    assert_eq!(delivery.header("content-type"), "application/json");
    let age = chrono::Utc::now().timestamp()
        - delivery
            .header("Tandem-Webhook-Timestamp")
            .parse::<i64>()
            .unwrap();
    assert!((0..60).contains(&age), "a fresh timestamp");

    let log = settled_log(&app, &ada, hook["id"].as_str().unwrap(), 1).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["event_id"], body["id"]);
    assert_eq!(log[0]["event_type"], "reading.recorded");
    assert_eq!(log[0]["last_status_code"], 200);
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(log[0]["id"], delivery.header("Tandem-Delivery-Id"));

    // A subscription only hears what it asked for: a status change is not a reading.
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/achieve"),
        &ada,
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_event_on_the_third_try() {
    let app = spawn_app_with(local_delivery).await;
    let (ada, _grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let receiver = Receiver::start(200, &[500, 503]);
    let hook = subscribe(&app, &ada, &receiver.url, json!(["reading.recorded"])).await;
    record(&app, &ada, &goal, 10.8).await;

    let got = receiver.wait_for(3).await;
    assert_eq!(
        got.iter().map(|r| r.answered).collect::<Vec<_>>(),
        [500, 503, 200]
    );
    let ids: Vec<&str> = got.iter().map(|r| r.header("Tandem-Webhook-Id")).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every try carries the same event id"
    );
    assert!(
        got.iter()
            .all(|r| r.signed_with(hook["secret"].as_str().unwrap()))
    );

    let log = settled_log(&app, &ada, hook["id"].as_str().unwrap(), 1).await;
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempt_count"], 3);
    let codes: Vec<Value> = log[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(503), json!(200)]);
    assert!(
        log[0]["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    // Tries are spaced by the backoff, not sent back to back.
    let at = |i: usize| {
        chrono::DateTime::parse_from_rfc3339(
            log[0]["attempts"][i]["attempted_at"].as_str().unwrap(),
        )
        .unwrap()
    };
    assert!(at(1) - at(0) >= chrono::Duration::milliseconds(25));
    assert!(at(2) - at(1) >= chrono::Duration::milliseconds(50));
}

#[tokio::test]
async fn a_receiver_that_never_succeeds_ends_failed_without_blocking_others() {
    let app = spawn_app_with(local_delivery).await;
    let (ada, grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let broken = Receiver::start(500, &[]);
    let healthy = Receiver::start(200, &[]);
    let bad = subscribe(&app, &ada, &broken.url, json!(["reading.recorded"])).await;
    // The partner's subscription hears the same partnership's events.
    subscribe(&app, &grace, &healthy.url, json!(["reading.recorded"])).await;

    record(&app, &ada, &goal, 10.8).await;
    record(&app, &ada, &goal, 10.2).await;
    let good = healthy.wait_for(2).await;
    assert!(good.iter().all(|r| r.answered == 200));

    let bad_id = bad["id"].as_str().unwrap();
    let log = settled_log(&app, &ada, bad_id, 2).await;
    assert_eq!(log.len(), 2);
    for delivery in &log {
        assert_eq!(delivery["status"], "failed");
        assert_eq!(delivery["attempt_count"], 3, "max_attempts, then no more");
        assert_eq!(delivery["last_status_code"], 500);
        assert_eq!(delivery["next_attempt_at"], Value::Null);
    }
    assert_eq!(broken.received().len(), 6);
    let failed = ok(
        &app,
        Method::GET,
        &format!("/v1/webhooks/{bad_id}/deliveries?status=failed"),
        &ada,
        None,
    )
    .await;
    assert_eq!(failed["items"].as_array().unwrap().len(), 2);

    // Fixed receiver: a redelivery is a new delivery of the same event, and it goes through.
    broken.answer(200);
    let first = log[0]["id"].as_str().unwrap();
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/webhooks/{bad_id}/deliveries/{first}/redeliver"),
        &ada,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let again: Value = res.json().await.unwrap();
    assert_ne!(again["id"], log[0]["id"]);
    assert_eq!(again["event_id"], log[0]["event_id"]);
    let got = broken.wait_for(7).await;
    assert_eq!(
        got[6].header("Tandem-Webhook-Id"),
        log[0]["event_id"].as_str().unwrap()
    );
    let again = settled_log(&app, &ada, bad_id, 3).await;
    assert_eq!(again[2]["status"], "delivered");
    assert_eq!(
        again[0]["status"], "failed",
        "the old delivery stays in the log as it was"
    );
}

#[tokio::test]
async fn an_event_recorded_before_a_crash_is_delivered_after_the_restart() {
    // No worker: the change commits with its event, and the server dies before sending it.
    let app = spawn_app_with(|c| {
        local_delivery(c);
        c.webhooks.worker = false;
    })
    .await;
    let (ada, _grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let receiver = Receiver::start(200, &[]);
    let hook = subscribe(&app, &ada, &receiver.url, json!(["reading.recorded"])).await;
    let reading = record(&app, &ada, &goal, 10.8).await;
    let hook_id = hook["id"].as_str().unwrap().to_owned();
    let pending = ok(
        &app,
        Method::GET,
        &format!("/v1/webhooks/{hook_id}/deliveries"),
        &ada,
        None,
    )
    .await;
    assert_eq!(pending["items"][0]["status"], "pending");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.received().is_empty());

    let app = app.restart_with(local_delivery).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["data"]["reading"]["id"], reading["id"]);
    assert!(got[0].signed_with(hook["secret"].as_str().unwrap()));
    let log = settled_log(&app, &ada, &hook_id, 1).await;
    assert_eq!(log[0]["status"], "delivered");
}

#[tokio::test]
async fn targets_on_loopback_private_or_plain_http_are_refused_unless_configured() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "https_required"),
        ("http://93.184.215.14/hook", "https_required"),
        ("ftp://93.184.215.14/hook", "https_required"),
        ("https://127.0.0.1/hook", "address_not_allowed"),
        ("https://10.0.0.5/hook", "address_not_allowed"),
        ("https://172.16.4.4/hook", "address_not_allowed"),
        ("https://192.168.1.10/hook", "address_not_allowed"),
        (
            "https://169.254.169.254/latest/meta-data",
            "address_not_allowed",
        ),
        ("https://[::1]/hook", "address_not_allowed"),
        ("https://[::ffff:127.0.0.1]/hook", "address_not_allowed"),
        ("https://[fd00::1]/hook", "address_not_allowed"),
        ("https://0.0.0.0/hook", "address_not_allowed"),
        ("https://localhost/hook", "address_not_allowed"),
        ("not a url", "invalid_url"),
    ] {
        let res = call(
            &app,
            Method::POST,
            "/v1/webhooks",
            &ada,
            Some(json!({"url": url, "events": ["reading.recorded"]})),
        )
        .await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(pointers(&problem), ["#/url"], "{url}");
        assert_eq!(problem["errors"][0]["code"], code, "{url}");
    }
    // A public address over https is fine (no DNS needed for an IP literal).
    let hook = subscribe(
        &app,
        &ada,
        "https://93.184.215.14/hook",
        json!(["goal.activated"]),
    )
    .await;
    // Updating to a private target is refused the same way, and nothing changes.
    let id = hook["id"].as_str().unwrap();
    let res = call(
        &app,
        Method::PATCH,
        &format!("/v1/webhooks/{id}"),
        &ada,
        Some(json!({"url": "https://169.254.169.254/"})),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let same = ok(&app, Method::GET, &format!("/v1/webhooks/{id}"), &ada, None).await;
    assert_eq!(same["url"], "https://93.184.215.14/hook");
    assert_eq!(same["version"], 1);
    assert!(same.get("secret").is_none(), "the secret is shown once");

    // Configured for development, loopback over http is accepted.
    let dev = spawn_app_with(local_delivery).await;
    let grace = dev.new_user().await;
    subscribe(
        &dev,
        &grace,
        "http://127.0.0.1:9/hook",
        json!(["reading.recorded"]),
    )
    .await;
}

#[tokio::test]
async fn subscriptions_are_their_owners_alone() {
    let app = spawn_app_with(local_delivery).await;
    let (ada, grace, p) = pair(&app).await;
    let outsider = app.new_user().await;
    let hook = subscribe(
        &app,
        &ada,
        "http://127.0.0.1:9/hook",
        json!(["reading.recorded"]),
    )
    .await;
    let id = hook["id"].as_str().unwrap();
    let some_delivery = uuid::Uuid::new_v4();
    for user in [&grace, &outsider] {
        for (method, path, body) in [
            (Method::GET, format!("/v1/webhooks/{id}"), None),
            (
                Method::PATCH,
                format!("/v1/webhooks/{id}"),
                Some(json!({"active": false})),
            ),
            (Method::POST, format!("/v1/webhooks/{id}/test"), None),
            (Method::GET, format!("/v1/webhooks/{id}/deliveries"), None),
            (
                Method::GET,
                format!("/v1/webhooks/{id}/deliveries/{some_delivery}"),
                None,
            ),
            (
                Method::POST,
                format!("/v1/webhooks/{id}/deliveries/{some_delivery}/redeliver"),
                None,
            ),
            (Method::DELETE, format!("/v1/webhooks/{id}"), None),
        ] {
            let res = call(&app, method.clone(), &path, user, body).await;
            assert_problem(res, StatusCode::NOT_FOUND).await;
        }
        let list = ok(&app, Method::GET, "/v1/webhooks", user, None).await;
        assert_eq!(list["items"], json!([]));
    }
    // Nobody can subscribe to a partnership they are not in.
    let res = call(
        &app,
        Method::POST,
        "/v1/webhooks",
        &outsider,
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["reading.recorded"], "partnership_id": p})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/partnership_id"]);
    // The owner's subscription is untouched, and the owner can manage it.
    let mine = ok(&app, Method::GET, &format!("/v1/webhooks/{id}"), &ada, None).await;
    assert_eq!(mine["active"], true);
    let res = app
        .authed(Method::PATCH, &format!("/v1/webhooks/{id}"), &ada.access)
        .header("If-Match", "\"7\"")
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PRECONDITION_FAILED).await;
    let paused = app
        .authed(Method::PATCH, &format!("/v1/webhooks/{id}"), &ada.access)
        .header("If-Match", "\"1\"")
        .json(&json!({"active": false, "events": ["meeting.completed", "reading.recorded"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status(), StatusCode::OK);
    let paused: Value = paused.json().await.unwrap();
    assert_eq!(paused["active"], false);
    assert_eq!(
        paused["events"],
        json!(["meeting.completed", "reading.recorded"])
    );
    let res = call(
        &app,
        Method::DELETE,
        &format!("/v1/webhooks/{id}"),
        &ada,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = call(&app, Method::GET, &format!("/v1/webhooks/{id}"), &ada, None).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_test_ping_reaches_the_receiver_and_the_log() {
    let app = spawn_app_with(local_delivery).await;
    let ada = app.new_user().await;
    let receiver = Receiver::start(204, &[]);
    let hook = subscribe(&app, &ada, &receiver.url, json!(["partnership.updated"])).await;
    let id = hook["id"].as_str().unwrap();
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/webhooks/{id}/test"),
        &ada,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["type"], "webhook.test");
    assert_eq!(got[0].json()["data"]["webhook_id"], id);
    assert!(got[0].signed_with(hook["secret"].as_str().unwrap()));
    settled_log(&app, &ada, id, 1).await;
    let delivery = ok(&app, Method::GET, &location, &ada, None).await;
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["last_status_code"], 204);
}

#[tokio::test]
async fn goal_meeting_commitment_review_and_partnership_events_are_announced() {
    let app = spawn_app_with(local_delivery).await;
    let (ada, grace, p) = pair(&app).await;
    let receiver = Receiver::start(200, &[]);
    subscribe(
        &app,
        &grace,
        &receiver.url,
        json!([
            "goal.status_changed",
            "goal.activated",
            "meeting.scheduled",
            "meeting.completed",
            "commitment.due",
            "fit_review.due",
            "partnership.updated"
        ]),
    )
    .await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let types = |got: &[tandem_tests::receiver::Received]| -> Vec<String> {
        got.iter()
            .map(|r| r.json()["type"].as_str().unwrap().to_owned())
            .collect()
    };
    // Deliveries go out concurrently: receivers get no ordering promise (events carry
    // `occurred_at`; the changes feed is the ordered record).
    let mut got = receiver.wait_for(2).await;
    got.sort_by_key(|r| r.json()["type"].as_str().unwrap().to_owned());
    assert_eq!(types(&got), ["goal.activated", "goal.status_changed"]);
    assert_eq!(got[1].json()["data"]["from"], "draft");
    assert_eq!(got[1].json()["data"]["to"], "active");
    assert_eq!(got[0].json()["data"]["goal"]["id"], goal.as_str());
    assert_eq!(got[0].json()["data"]["target"], 9.6);

    let meeting = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        &ada,
        Some(json!({})),
    )
    .await;
    let m = meeting["id"].as_str().unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{m}/commitments"),
        &ada,
        Some(json!({"text": "Call the pilot customers", "due_on": today})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{m}/complete"),
        &ada,
        Some(json!({})),
    )
    .await;
    ok(
        &app,
        Method::PATCH,
        &format!("/v1/partnerships/{p}"),
        &ada,
        Some(json!({"grace_days": 3})),
    )
    .await;
    let got = receiver.wait_for(7).await;
    let seen = types(&got);
    for expected in [
        "meeting.scheduled",
        "meeting.completed",
        "partnership.updated",
        "commitment.due",
    ] {
        assert!(
            seen.contains(&expected.to_owned()),
            "{expected} in {seen:?}"
        );
    }
    assert_eq!(
        seen.iter().filter(|t| *t == "meeting.scheduled").count(),
        2,
        "the first and the next"
    );
    let completed = got
        .iter()
        .find(|r| r.json()["type"] == "meeting.completed")
        .unwrap()
        .json();
    assert_eq!(completed["data"]["meeting_id"], m);
    let due = got
        .iter()
        .find(|r| r.json()["type"] == "commitment.due")
        .unwrap()
        .json();
    assert_eq!(due["data"]["text"], "Call the pilot customers");
    assert_eq!(due["data"]["due_on"], today.as_str());

    // The quarterly review comes due (the partnership started four months ago): announced once.
    app.backdate_partnership(&p, 4);
    let got = receiver.wait_for(8).await;
    let review = got
        .iter()
        .find(|r| r.json()["type"] == "fit_review.due")
        .expect("fit_review.due")
        .json();
    assert_eq!(review["partnership_id"], p.as_str());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let again = types(&receiver.received());
    assert_eq!(again.iter().filter(|t| *t == "fit_review.due").count(), 1);
    assert_eq!(again.iter().filter(|t| *t == "commitment.due").count(), 1);
}

#[tokio::test]
async fn a_deactivated_owner_receives_nothing_while_the_partner_still_does() {
    let admin_email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
    let configured = admin_email.clone();
    let app = spawn_app_with(move |c| {
        local_delivery(c);
        c.admin_emails = vec![configured];
    })
    .await;
    app.register(&admin_email, "admin-password-123").await;
    let admin = app.sign_in(&admin_email, "admin-password-123").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (ada, grace, p) = pair(&app).await;
    let goal = app.active_goal(&grace, &p, "Grow pipeline").await;
    let (ada_hook, grace_hook) = (Receiver::start(200, &[]), Receiver::start(200, &[]));
    subscribe(&app, &ada, &ada_hook.url, json!(["reading.recorded"])).await;
    subscribe(&app, &grace, &grace_hook.url, json!(["reading.recorded"])).await;
    record(&app, &grace, &goal, 1.0).await;
    ada_hook.wait_for(1).await;

    let profile = json!({"email": ada.email, "display_name": "Ada", "time_zone": "Europe/London"});
    for (method, path, body) in [
        (Method::PUT, "/v1/admin/users/hr-ada", Some(profile)),
        (Method::POST, "/v1/admin/users/hr-ada/deactivate", None),
    ] {
        let mut req = app.authed(method, path, &admin);
        if let Some(body) = body {
            req = req.json(&body);
        }
        assert!(req.send().await.unwrap().status().is_success());
    }
    record(&app, &grace, &goal, 2.0).await;
    grace_hook.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(ada_hook.received().len(), 1, "nothing after deactivation");
}

#[tokio::test]
async fn targets_are_checked_again_when_sending_so_a_tightened_policy_holds() {
    let app = spawn_app_with(|c| {
        local_delivery(c);
        c.webhooks.worker = false;
    })
    .await;
    let (ada, _grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let receiver = Receiver::start(200, &[]);
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let literal = subscribe(&app, &ada, &receiver.url, json!(["reading.recorded"])).await;
    let named = subscribe(&app, &ada, &by_name, json!(["reading.recorded"])).await;
    record(&app, &ada, &goal, 10.8).await;

    // Restarted without permission for private targets: neither the address in the URL nor the
    // name resolving to loopback is contacted.
    let app = app
        .restart_with(|c| {
            local_delivery(c);
            c.webhooks.allow_private = false;
        })
        .await;
    for hook in [&literal, &named] {
        let log = settled_log(&app, &ada, hook["id"].as_str().unwrap(), 1).await;
        assert_eq!(log[0]["status"], "failed");
        assert_eq!(log[0]["last_status_code"], Value::Null);
        let error = log[0]["last_error"].as_str().unwrap();
        assert!(error.contains("loopback"), "{error}");
    }
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn a_token_limited_to_one_partnership_manages_only_that_partnerships_subscriptions() {
    let app = spawn_app_with(local_delivery).await;
    let (ada, _grace, p1) = pair(&app).await;
    let carol = app.new_user().await;
    let p2 = app.partnership(&ada, &carol).await;
    let everywhere = subscribe(
        &app,
        &ada,
        "http://127.0.0.1:9/all",
        json!(["reading.recorded"]),
    )
    .await;
    let token = ok(
        &app,
        Method::POST,
        "/v1/me/tokens",
        &ada,
        Some(json!({"name": "P1 sync", "scopes": ["full"], "partnership_id": p1})),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let as_token = |method: Method, path: &str| app.authed(method, path, &token);

    // Without a partnership, the subscription is limited to the token's; another one is refused.
    let res = as_token(Method::POST, "/v1/webhooks")
        .json(&json!({"url": "http://127.0.0.1:9/p1", "events": ["reading.recorded"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let limited: Value = res.json().await.unwrap();
    assert_eq!(limited["partnership_id"], p1.as_str());
    let res = as_token(Method::POST, "/v1/webhooks")
        .json(&json!({"url": "http://127.0.0.1:9/p2", "events": ["reading.recorded"], "partnership_id": p2}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/partnership_id"]);

    // It sees and changes only that one.
    let list: Value = as_token(Method::GET, "/v1/webhooks?limit=1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["id"])
        .collect();
    assert_eq!(ids, [&limited["id"]]);
    assert_eq!(list["next_cursor"], Value::Null);
    let res = as_token(
        Method::GET,
        &format!("/v1/webhooks/{}", everywhere["id"].as_str().unwrap()),
    )
    .send()
    .await
    .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = as_token(
        Method::PATCH,
        &format!("/v1/webhooks/{}", limited["id"].as_str().unwrap()),
    )
    .json(&json!({"partnership_id": null}))
    .send()
    .await
    .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The signed-in owner sees both.
    let all = ok(&app, Method::GET, "/v1/webhooks", &ada, None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_delivery_once() {
    let fast = |c: &mut Config| {
        local_delivery(c);
        c.webhooks.poll_ms = 5;
    };
    let first = spawn_app_with(fast).await;
    let second = first.another_instance(fast).await;
    let (ada, _grace, p) = pair(&first).await;
    let goal = first.active_goal(&ada, &p, "Cut wait time").await;
    let receiver = Receiver::start(200, &[]);
    let hook = subscribe(&first, &ada, &receiver.url, json!(["reading.recorded"])).await;
    // Readings arrive through both instances while both workers drain the one queue.
    for i in 0..12 {
        let app = if i % 2 == 0 { &first } else { &second };
        record(app, &ada, &goal, f64::from(i)).await;
    }
    let got = receiver.wait_for(12).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_after = receiver.received();
    assert_eq!(got_after.len(), 12, "no try sent twice");
    let ids: std::collections::BTreeSet<String> = got
        .iter()
        .map(|r| r.header("Tandem-Webhook-Id").to_owned())
        .collect();
    assert_eq!(ids.len(), 12);
    let log = settled_log(&second, &ada, hook["id"].as_str().unwrap(), 12).await;
    assert!(
        log.iter()
            .all(|d| d["status"] == "delivered" && d["attempt_count"] == 1)
    );
}
