//! Kudos: a partner celebrates the other's reading, completed milestone or check-in; the next
//! meeting's agenda lists them in the wins section of the receiver's block.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{
    TestApp, TestUser, assert_problem, assert_refused, call, ok, pointers, smart_goal, spawn_app,
};

/// Ada and Grace partnered; Ada has an active goal with a reading and two milestones (the first
/// completed), Grace a check-in. Returns (ada, grace, partnership, reading, done milestone,
/// open milestone, check-in).
struct Pair {
    ada: TestUser,
    grace: TestUser,
    p: String,
    goal: String,
    reading: String,
    done: String,
    open: String,
    check_in: String,
}

async fn pair(app: &TestApp) -> Pair {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    let mut body = smart_goal("Cut wait time");
    body["milestones"] = json!([
        {"title": "Pilot triage", "due_date": "2026-03-31", "target": 11.0},
        {"title": "Roll out triage", "due_date": "2026-05-31", "target": 10.0}
    ]);
    let goal = app.goal(&ada, &p, &body).await;
    let goal_id = goal["id"].as_str().unwrap().to_owned();
    ok(
        app,
        Method::POST,
        &format!("/v1/goals/{goal_id}/activate"),
        &ada,
        None,
    )
    .await;
    let reading = ok(
        app,
        Method::POST,
        &format!("/v1/goals/{goal_id}/readings"),
        &ada,
        Some(json!({"value": 11.2, "observed_at": "2026-02-01T09:00:00Z"})),
    )
    .await;
    let done = goal["milestones"][0]["id"].as_str().unwrap().to_owned();
    ok(
        app,
        Method::POST,
        &format!("/v1/goals/{goal_id}/milestones/{done}/complete"),
        &ada,
        Some(json!({"completed_on": "2026-02-02"})),
    )
    .await;
    let check_in = ok(
        app,
        Method::POST,
        &format!("/v1/partnerships/{p}/check-ins"),
        &grace,
        Some(json!({"text": "Hired the second recruiter."})),
    )
    .await;
    Pair {
        ada,
        grace,
        p,
        goal: goal_id,
        reading: reading["id"].as_str().unwrap().to_owned(),
        done,
        open: goal["milestones"][1]["id"].as_str().unwrap().to_owned(),
        check_in: check_in["id"].as_str().unwrap().to_owned(),
    }
}

fn kudos(subject_type: &str, subject_id: &str, note: &str) -> Value {
    json!({"subject_type": subject_type, "subject_id": subject_id, "note": note})
}

async fn send(app: &TestApp, from: &TestUser, body: Value) -> reqwest::Response {
    call(app, Method::POST, "/v1/kudos", from, Some(body)).await
}

#[tokio::test]
async fn kudos_on_a_partners_wins_appear_in_the_wins_section_of_their_block_on_the_next_agenda() {
    let app = spawn_app().await;
    let x = pair(&app).await;
    let meeting = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{}/meetings", x.p),
        &x.ada,
        Some(json!({})),
    )
    .await;

    let res = send(
        &app,
        &x.grace,
        kudos("reading", &x.reading, "  Under 11.5 already! "),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let on_reading: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/kudos/{}", on_reading["id"].as_str().unwrap())
    );
    assert_eq!(on_reading["from_user_id"], x.grace.id.as_str());
    assert_eq!(
        on_reading["to_user_id"],
        x.ada.id.as_str(),
        "the reading's owner"
    );
    assert_eq!(on_reading["partnership_id"], x.p.as_str());
    assert_eq!(on_reading["note"], "Under 11.5 already!", "trimmed");
    let on_milestone = ok(
        &app,
        Method::POST,
        "/v1/kudos",
        &x.grace,
        Some(kudos("milestone", &x.done, "Pilot done early.")),
    )
    .await;
    let on_check_in = ok(
        &app,
        Method::POST,
        "/v1/kudos",
        &x.ada,
        Some(kudos("check_in", &x.check_in, "Great hire!")),
    )
    .await;
    assert_eq!(
        on_check_in["to_user_id"],
        x.grace.id.as_str(),
        "the check-in's author"
    );

    // Each links to its subject, which the receiver can follow.
    let hrefs = [
        (&on_reading, format!("/v1/readings/{}", x.reading), &x.ada),
        (
            &on_milestone,
            format!("/v1/goals/{}/milestones/{}", x.goal, x.done),
            &x.ada,
        ),
        (
            &on_check_in,
            format!("/v1/check-ins/{}", x.check_in),
            &x.grace,
        ),
    ];
    for (kudos, href, receiver) in hrefs {
        assert_eq!(kudos["subject_href"], href.as_str());
        let subject = ok(&app, Method::GET, &href, receiver, None).await;
        assert_eq!(subject["id"], kudos["subject_id"]);
    }
    assert_eq!(on_milestone["goal_id"], x.goal.as_str());
    assert_eq!(on_check_in["goal_id"], Value::Null);

    let m = ok(
        &app,
        Method::GET,
        &format!("/v1/meetings/{}", meeting["id"].as_str().unwrap()),
        &x.grace,
        None,
    )
    .await;
    let blocks = m["agenda"]["blocks"].as_array().unwrap();
    let block_of = |who: &TestUser| {
        blocks
            .iter()
            .find(|b| b["partner_id"] == who.id.as_str())
            .unwrap()
            .clone()
    };
    let ids = |b: &Value| -> Vec<Value> {
        b["kudos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].clone())
            .collect()
    };
    let ada_block = block_of(&x.ada);
    assert_eq!(
        ids(&ada_block),
        [on_reading["id"].clone(), on_milestone["id"].clone()]
    );
    assert_eq!(ada_block["kudos"][0]["note"], "Under 11.5 already!");
    assert!(
        ada_block["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["section"] == "wins"),
        "the block has the wins section they belong to"
    );
    assert_eq!(ids(&block_of(&x.grace)), [on_check_in["id"].clone()]);

    // Both partners read them, one by one and as a list filtered by receiver.
    for who in [&x.ada, &x.grace] {
        let one = ok(
            &app,
            Method::GET,
            &format!("/v1/kudos/{}", on_milestone["id"].as_str().unwrap()),
            who,
            None,
        )
        .await;
        assert_eq!(one["subject_type"], "milestone");
        assert_eq!(one["subject_id"], x.done.as_str());
    }
    let to_ada = ok(
        &app,
        Method::GET,
        &format!(
            "/v1/partnerships/{}/kudos?to_user_id={}&limit=1",
            x.p, x.ada.id
        ),
        &x.grace,
        None,
    )
    .await;
    assert_eq!(to_ada["items"].as_array().unwrap().len(), 1);
    let cursor = to_ada["next_cursor"].as_str().unwrap();
    let rest = ok(
        &app,
        Method::GET,
        &format!(
            "/v1/partnerships/{}/kudos?to_user_id={}&cursor={cursor}",
            x.p, x.ada.id
        ),
        &x.grace,
        None,
    )
    .await;
    assert_eq!(rest["items"][0]["id"], on_milestone["id"]);
    assert_eq!(rest["next_cursor"], Value::Null);
}

#[tokio::test]
async fn only_partners_send_kudos_on_the_others_finished_work_and_strangers_get_404_everywhere() {
    let app = spawn_app().await;
    let x = pair(&app).await;
    let stranger = app.new_user().await;

    // A stranger cannot tell the reading exists, nor see the partnership's kudos.
    let res = send(&app, &stranger, kudos("reading", &x.reading, "Nice")).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let sent = ok(
        &app,
        Method::POST,
        "/v1/kudos",
        &x.grace,
        Some(kudos("reading", &x.reading, "Nice")),
    )
    .await;
    for path in [
        format!("/v1/kudos/{}", sent["id"].as_str().unwrap()),
        format!("/v1/partnerships/{}/kudos", x.p),
    ] {
        let res = call(&app, Method::GET, &path, &stranger, None).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    for (kind, id) in [("milestone", &x.done), ("check_in", &x.check_in)] {
        let res = send(&app, &stranger, kudos(kind, id, "Nice")).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }

    // Partners: not on their own work, once per subject, on a milestone once it is completed.
    let res = send(&app, &x.ada, kudos("reading", &x.reading, "Me!")).await;
    assert_refused(res, StatusCode::UNPROCESSABLE_ENTITY, "kudos-to-self").await;
    let res = send(&app, &x.grace, kudos("reading", &x.reading, "Again")).await;
    assert_refused(res, StatusCode::CONFLICT, "kudos-sent").await;
    let res = send(&app, &x.grace, kudos("milestone", &x.open, "Soon")).await;
    assert_refused(res, StatusCode::CONFLICT, "milestone-not-completed").await;
    // A subject named with the wrong type is not found: ids are only looked up in their kind.
    let res = send(&app, &x.grace, kudos("check_in", &x.reading, "Nice")).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = send(&app, &x.grace, kudos("milestone", &x.done, " \n ")).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/note"]);

    // Nothing refused was written: only Grace's one kudos exist.
    let all = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{}/kudos", x.p),
        &x.ada,
        None,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_receiver_hears_of_kudos_by_webhook_and_the_sync_feed_lists_them() {
    let app = tandem_tests::spawn_app_with(|c| {
        c.webhooks.allow_http = true;
        c.webhooks.allow_private = true;
        c.webhooks.poll_ms = 25;
    })
    .await;
    let x = pair(&app).await;
    let hook = tandem_tests::receiver::Receiver::start(200, &[]);
    let res = call(
        &app,
        Method::POST,
        "/v1/webhooks",
        &x.ada,
        Some(json!({"url": hook.url, "events": ["kudos.received"]})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let sent = ok(
        &app,
        Method::POST,
        "/v1/kudos",
        &x.grace,
        Some(kudos("milestone", &x.done, "Pilot done early.")),
    )
    .await;
    let id = sent["id"].as_str().unwrap();

    let events: Vec<Value> = hook.wait_for(1).await.iter().map(|r| r.json()).collect();
    assert_eq!(events[0]["type"], "kudos.received");
    assert_eq!(events[0]["partnership_id"], x.p.as_str());
    let data = &events[0]["data"];
    assert_eq!(data["kudos_id"], id);
    assert_eq!(data["from_user_id"], x.grace.id.as_str());
    assert_eq!(data["to_user_id"], x.ada.id.as_str());
    assert_eq!(data["subject_type"], "milestone");
    assert_eq!(data["subject_id"], x.done.as_str());
    assert_eq!(data["note"], "Pilot done early.");
    assert_eq!(data["href"], format!("/v1/kudos/{id}"));

    let entry = tandem_tests::change_of(&app, &x.ada, "kudos")
        .await
        .expect("a kudos entry");
    assert_eq!(entry["id"], id);
    assert_eq!(entry["href"], format!("/v1/kudos/{id}"));
}
