//! Between and around meetings: check-ins, fit reviews, the annual refresh, the calendar feed and
//! the export.

use icalendar::{Calendar, Component};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{
    TestApp, TestUser, assert_problem, assert_refused, call, ok, pointers, spawn_app,
};

async fn reading(app: &TestApp, user: &TestUser, goal: &str, value: f64, at: &str) {
    ok(
        app,
        Method::POST,
        &format!("/v1/goals/{goal}/readings"),
        user,
        Some(json!({"value": value, "observed_at": at})),
    )
    .await;
}

async fn pair(app: &TestApp) -> (TestUser, TestUser, String) {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    (ada, grace, p)
}

#[tokio::test]
async fn check_ins_record_their_readings_atomically_and_reach_the_next_agenda() {
    let app = spawn_app().await;
    let (ada, grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let grace_goal = app.active_goal(&grace, &p, "Grow pipeline").await;
    let path = format!("/v1/partnerships/{p}/check-ins");

    let m = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        &ada,
        Some(json!({})),
    )
    .await;
    let before = ok(
        &app,
        Method::POST,
        &path,
        &ada,
        Some(json!({"text": "Before the meeting"})),
    )
    .await;
    let done = ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{}/complete", m["id"].as_str().unwrap()),
        &ada,
        Some(json!({})),
    )
    .await;
    let next_id = done["next_meeting_id"].as_str().unwrap().to_owned();

    let res = call(
        &app,
        Method::POST,
        &path,
        &ada,
        Some(json!({"text": "Pilot numbers are in", "links": ["https://docs.example.com/pilot"],
                    "readings": [{"goal_id": goal, "value": 10.8, "observed_at": "2026-03-01T09:00:00Z"}]})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let check_in: Value = res.json().await.unwrap();
    assert_eq!(check_in["readings"][0]["value"], 10.8);
    assert_eq!(check_in["links"], json!(["https://docs.example.com/pilot"]));
    let one = ok(
        &app,
        Method::GET,
        &format!("/v1/check-ins/{}", check_in["id"].as_str().unwrap()),
        &grace,
        None,
    )
    .await;
    assert_eq!(one, check_in);
    let stored = ok(
        &app,
        Method::GET,
        &format!("/v1/goals/{goal}/readings"),
        &ada,
        None,
    )
    .await;
    assert_eq!(stored["items"].as_array().unwrap().len(), 1);

    // One bad reading (the partner's goal) or link refuses the whole check-in.
    let res = call(
        &app,
        Method::POST,
        &path,
        &ada,
        Some(json!({"text": "Mixed", "links": ["ftp://nope"],
                    "readings": [{"goal_id": goal, "value": 10.1, "observed_at": "2026-03-02T09:00:00Z"},
                                 {"goal_id": grace_goal, "value": 3, "observed_at": "2026-03-02T09:00:00Z"}]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/links/0"]);
    let res = call(
        &app,
        Method::POST,
        &path,
        &ada,
        Some(json!({"text": "Mixed",
                    "readings": [{"goal_id": goal, "value": 10.1, "observed_at": "2026-03-02T09:00:00Z"},
                                 {"goal_id": grace_goal, "value": 3, "observed_at": "2026-03-02T09:00:00Z"},
                                 {"goal_id": goal, "value": "x", "observed_at": "2026-03-02T09:00:00Z"}]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        pointers(&problem),
        ["#/readings/1/goal_id", "#/readings/2/value"]
    );
    let stored = ok(
        &app,
        Method::GET,
        &format!("/v1/goals/{goal}/readings"),
        &ada,
        None,
    )
    .await;
    assert_eq!(
        stored["items"].as_array().unwrap().len(),
        1,
        "nothing half-written"
    );

    let grace_note = ok(
        &app,
        Method::POST,
        &path,
        &grace,
        Some(json!({"text": "Two demos booked"})),
    )
    .await;
    let list = ok(&app, Method::GET, &path, &grace, None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let since = check_in["created_at"].as_str().unwrap();
    let recent = ok(
        &app,
        Method::GET,
        &format!("{path}?updated_since={}", since.replace('+', "%2B")),
        &grace,
        None,
    )
    .await;
    assert_eq!(recent["items"].as_array().unwrap().len(), 2);

    // The next meeting's agenda shows each partner's check-ins since the last meeting.
    let next = ok(
        &app,
        Method::GET,
        &format!("/v1/meetings/{next_id}"),
        &grace,
        None,
    )
    .await;
    let blocks = next["agenda"]["blocks"].as_array().unwrap();
    let ids = |b: &Value| -> Vec<Value> {
        b["check_ins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect()
    };
    assert_eq!(ids(&blocks[0]), [check_in["id"].clone()]);
    assert_eq!(ids(&blocks[1]), [grace_note["id"].clone()]);
    assert!(!ids(&blocks[0]).contains(&before["id"]));
}

#[tokio::test]
async fn fit_reviews_stay_hidden_until_both_partners_have_answered() {
    let app = spawn_app().await;
    let (ada, grace, p) = pair(&app).await;
    let path = format!("/v1/partnerships/{p}/fit-reviews");
    let answer = json!({"shared_values": 5, "complementary_skills": 4, "communication": 3, "continue": true, "note": "Keep going"});
    let view = ok(&app, Method::POST, &path, &ada, Some(answer.clone())).await;
    assert_eq!(view["items"][0]["complete"], false);
    assert_eq!(view["items"][0]["waiting_for"], json!([grace.id]));
    assert_eq!(view["items"][0]["reviews"].as_array().unwrap().len(), 1);

    // Grace cannot see Ada's answer yet.
    let grace_view = ok(&app, Method::GET, &path, &grace, None).await;
    assert_eq!(grace_view["items"][0]["reviews"], json!([]));
    assert!(!grace_view.to_string().contains("Keep going"));
    // Ada cannot answer twice in the round.
    assert_refused(
        call(&app, Method::POST, &path, &ada, Some(answer.clone())).await,
        StatusCode::CONFLICT,
        "fit-review-answered",
    )
    .await;

    let mut hers = answer.clone();
    hers["communication"] = json!(2);
    hers["continue"] = json!(false);
    let both = ok(&app, Method::POST, &path, &grace, Some(hers)).await;
    let round = &both["items"][0];
    assert_eq!(round["complete"], true);
    assert_eq!(round["reviews"].as_array().unwrap().len(), 2);
    let ada_sees = ok(&app, Method::GET, &path, &ada, None).await;
    assert_eq!(ada_sees["items"][0]["reviews"][1]["continue"], false);

    // The next review is due a quarter after the completed round; a new round opens.
    let completed_on = round["completed_on"].as_str().unwrap();
    let completed: chrono::NaiveDate = completed_on.parse().unwrap();
    let due: chrono::NaiveDate = both["next_review"]["due_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        due,
        completed
            .checked_add_months(chrono::Months::new(3))
            .unwrap()
    );
    let partnership = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}"),
        &ada,
        None,
    )
    .await;
    assert_eq!(
        partnership["fit_review"]["due_on"],
        both["next_review"]["due_on"]
    );
    assert_eq!(partnership["fit_review"]["overdue"], false);
    let again = ok(&app, Method::POST, &path, &ada, Some(answer)).await;
    assert_eq!(again["items"][1]["round"], 2);

    let res = call(&app, Method::POST, &path, &ada, Some(json!({"shared_values": 6, "complementary_skills": 0, "communication": 3, "continue": true}))).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem).len(), 2);
}

#[tokio::test]
async fn the_refresh_archives_goals_with_outcomes_and_carries_chosen_ones_from_their_current_value()
{
    let app = spawn_app().await;
    let (ada, grace, p) = pair(&app).await;
    let hit = app.active_goal(&ada, &p, "Cut wait time").await; // 12 -> 9.6, decrease
    let short = app.active_goal(&ada, &p, "Cut wait time again").await;
    let hers = app.active_goal(&grace, &p, "Her goal").await;
    reading(&app, &ada, &hit, 9.5, "2026-05-01T09:00:00Z").await;
    reading(&app, &ada, &short, 11.0, "2026-05-01T09:00:00Z").await;

    // Outcomes are stated only for your own active goals.
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/refresh"),
        &ada,
        Some(json!({"outcomes": [{"goal_id": hers, "outcome": "achieved"}], "early": true})),
    )
    .await;
    assert_eq!(
        pointers(&assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["#/outcomes/0/goal_id"]
    );

    let res = call(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/refresh"),
        &ada,
        Some(json!({"carry_over": [short], "early": true})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let refresh: Value = res.json().await.unwrap();
    let outcome = |id: &str| {
        refresh["closed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["goal_id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(outcome(&hit)["outcome"], "achieved");
    assert_eq!(outcome(&hit)["derived"], true);
    assert_eq!(outcome(&short)["outcome"], "missed");
    assert_eq!(
        refresh["closed"].as_array().unwrap().len(),
        2,
        "only Ada's goals"
    );
    assert_eq!(refresh["complete"], false);
    assert_eq!(refresh["waiting_for"], grace.id.as_str());
    let carried = &refresh["carried"][0];
    assert_eq!(outcome(&short)["carried_into"], carried["id"]);
    assert_eq!(carried["status"], "draft");
    assert_eq!(carried["owner_id"], ada.id.as_str());
    assert_eq!(carried["metric"]["baseline"], 11.0);
    assert_eq!(carried["metric"]["target"], 9.6);
    assert_eq!(carried["start_date"], refresh["refreshed_on"]);

    for id in [&hit, &short] {
        let g = ok(&app, Method::GET, &format!("/v1/goals/{id}"), &grace, None).await;
        assert_eq!(g["status"], "archived");
    }
    let g = ok(
        &app,
        Method::GET,
        &format!("/v1/goals/{hers}"),
        &grace,
        None,
    )
    .await;
    assert_eq!(g["status"], "active", "Grace's goal is hers to refresh");
    let mine = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/refresh"),
        &grace,
        Some(json!({"outcomes": [{"goal_id": hers, "outcome": "achieved"}], "early": true})),
    )
    .await;
    assert_eq!(mine["closed"][0]["outcome"], "achieved");
    assert_eq!(mine["closed"][0]["derived"], false);
    assert_eq!(mine["complete"], true);
    assert_eq!(mine["waiting_for"], Value::Null);
    let history = ok(
        &app,
        Method::GET,
        &format!("/v1/goals/{hit}/history"),
        &ada,
        None,
    )
    .await;
    let statuses: Vec<Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "status_changed")
        .map(|c| c["changes"][0]["new"].clone())
        .collect();
    assert_eq!(
        statuses,
        [json!("active"), json!("achieved"), json!("archived")]
    );

    let partnership = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}"),
        &ada,
        None,
    )
    .await;
    let refreshed: chrono::NaiveDate = refresh["refreshed_on"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        partnership["refresh"]["due_on"],
        json!(
            refreshed
                .checked_add_months(chrono::Months::new(12))
                .unwrap()
        )
    );
    assert_eq!(partnership["refresh"]["overdue"], false);
}

#[tokio::test]
async fn the_calendar_feed_parses_keeps_uids_and_dies_with_its_token() {
    let app = spawn_app().await;
    let (ada, grace, p) = pair(&app).await;
    let m = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        &ada,
        Some(
            json!({"scheduled_at": "2027-03-19T08:00:00Z", "location": "Room 4, 2nd floor; east"}),
        ),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{}/complete", m["id"].as_str().unwrap()),
        &grace,
        Some(json!({})),
    )
    .await;

    let token = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/calendar-tokens"),
        &grace,
        Some(json!({"name": "Phone"})),
    )
    .await;
    let url = token["feed_url"].as_str().unwrap().to_owned();
    let feed_path = &url[url.find("/v1/").unwrap()..];
    let fetch = || async { app.request(Method::GET, feed_path).send().await.unwrap() };
    let res = fetch().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    let calendar: Calendar = text.parse().unwrap();
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 2);
    let first = events
        .iter()
        .find(|e| e.get_uid() == Some(&format!("{}@tandem", m["id"].as_str().unwrap())))
        .unwrap();
    assert_eq!(first.property_value("DTSTART"), Some("20270319T080000Z"));
    assert_eq!(first.property_value("DURATION"), Some("PT60M"));
    assert!(
        first
            .property_value("URL")
            .unwrap()
            .ends_with(&format!("/v1/meetings/{}", m["id"].as_str().unwrap()))
    );
    assert_eq!(
        first.property_value("LOCATION"),
        Some("Room 4, 2nd floor; east")
    );
    assert_eq!(
        calendar.property_value("X-WR-TIMEZONE"),
        Some("Europe/Berlin")
    );
    // Stable UIDs across fetches.
    let again: Calendar = fetch().await.text().await.unwrap().parse().unwrap();
    let uids = |c: &Calendar| -> Vec<String> {
        c.components
            .iter()
            .filter_map(|c| c.as_event())
            .filter_map(|e| e.get_uid().map(str::to_owned))
            .collect()
    };
    assert_eq!(uids(&again), uids(&calendar));

    // The feed token opens nothing else, and no other partnership's feed.
    let secret = &url[url.find("token=").unwrap() + 6..];
    let res = app
        .authed(Method::GET, "/v1/me", secret)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let (carol, dave) = (app.new_user().await, app.new_user().await);
    let other = app.partnership(&carol, &dave).await;
    let res = app
        .request(
            Method::GET,
            &format!("/v1/partnerships/{other}/calendar.ics?token={secret}"),
        )
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    // Only a partner lists or revokes it; revoked, the feed is 401.
    let listed = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/calendar-tokens"),
        &grace,
        None,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(listed["items"][0]["feed_url"].is_null());
    let revoke = format!(
        "/v1/partnerships/{p}/calendar-tokens/{}",
        token["id"].as_str().unwrap()
    );
    assert_problem(
        call(&app, Method::DELETE, &revoke, &carol, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = call(&app, Method::DELETE, &revoke, &grace, None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(fetch().await, StatusCode::UNAUTHORIZED).await;
    let res = app
        .request(Method::GET, &format!("/v1/partnerships/{p}/calendar.ics"))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn the_export_holds_every_entity_of_the_partnership() {
    let app = spawn_app().await;
    let (ada, grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut wait time").await;
    app.active_goal(&grace, &p, "Her goal").await;
    reading(&app, &ada, &goal, 11.0, "2026-02-01T09:00:00Z").await;
    reading(&app, &ada, &goal, 10.5, "2026-03-01T09:00:00Z").await;
    let readings = ok(
        &app,
        Method::GET,
        &format!("/v1/goals/{goal}/readings"),
        &ada,
        None,
    )
    .await;
    let first = readings["items"][0]["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        Method::PATCH,
        &format!("/v1/readings/{first}"),
        &ada,
        Some(json!({"value": 11.2})),
    )
    .await;
    let m = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        &ada,
        Some(json!({})),
    )
    .await;
    let mid = m["id"].as_str().unwrap();
    ok(
        &app,
        Method::PUT,
        &format!("/v1/meetings/{mid}/notes/{}", ada.id),
        &grace,
        Some(json!({"wins": ["a"], "obstacles": [], "solutions": []})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{mid}/commitments"),
        &ada,
        Some(json!({"text": "Call"})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{mid}/complete"),
        &ada,
        Some(json!({})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/check-ins"),
        &grace,
        Some(json!({"text": "Hi"})),
    )
    .await;
    let answer = json!({"shared_values": 4, "complementary_skills": 4, "communication": 4, "continue": true});
    ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/fit-reviews"),
        &grace,
        Some(answer),
    )
    .await;

    let res = call(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/export"),
        &ada,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["format"], "tandem-export/1");
    let n = |k: &str| doc[k].as_array().unwrap().len();
    assert_eq!(
        (
            n("goals"),
            n("readings"),
            n("meetings"),
            n("commitments"),
            n("check_ins")
        ),
        (2, 2, 2, 1, 1)
    );
    // Grace's answer is hidden from Ada until Ada answers too.
    assert_eq!(n("fit_reviews"), 0);
    let counts = &doc["counts"];
    assert_eq!(counts["reading_revisions"], 1);
    assert_eq!(counts["notes"], 1);
    assert_eq!(counts["meetings"], 2);
    let history = ok(
        &app,
        Method::GET,
        &format!("/v1/goals/{goal}/history"),
        &ada,
        None,
    )
    .await;
    let exported = doc["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["goal"]["id"] == goal.as_str())
        .unwrap();
    assert_eq!(
        exported["history"].as_array().unwrap().len(),
        history["items"].as_array().unwrap().len()
    );
    assert!(doc["meetings"][0]["snapshot"]["partners"].is_array());
    let from_grace: Value = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/export"),
        &grace,
        None,
    )
    .await;
    assert_eq!(from_grace["fit_reviews"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn outsider_gets_404_for_check_ins_fit_reviews_refresh_feeds_and_export() {
    let app = spawn_app().await;
    let (ada, _grace, p) = pair(&app).await;
    let first = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/check-ins"),
        &ada,
        Some(json!({"text": "Hi"})),
    )
    .await;
    let token = ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/calendar-tokens"),
        &ada,
        Some(json!({})),
    )
    .await;
    let mallory = app.new_user().await;
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            format!("/v1/partnerships/{p}/check-ins"),
            Some(json!({"text": "x"})),
        ),
        (Method::GET, format!("/v1/partnerships/{p}/check-ins"), None),
        (
            Method::GET,
            format!("/v1/check-ins/{}", first["id"].as_str().unwrap()),
            None,
        ),
        (
            Method::POST,
            format!("/v1/partnerships/{p}/fit-reviews"),
            Some(
                json!({"shared_values": 1, "complementary_skills": 1, "communication": 1, "continue": false}),
            ),
        ),
        (
            Method::GET,
            format!("/v1/partnerships/{p}/fit-reviews"),
            None,
        ),
        (
            Method::POST,
            format!("/v1/partnerships/{p}/refresh"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v1/partnerships/{p}/calendar-tokens"),
            Some(json!({})),
        ),
        (
            Method::GET,
            format!("/v1/partnerships/{p}/calendar-tokens"),
            None,
        ),
        (
            Method::DELETE,
            format!(
                "/v1/partnerships/{p}/calendar-tokens/{}",
                token["id"].as_str().unwrap()
            ),
            None,
        ),
        (Method::GET, format!("/v1/partnerships/{p}/export"), None),
    ];
    for (method, path, body) in attempts {
        let res = call(&app, method.clone(), &path, &mallory, body).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    let list = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/check-ins"),
        &ada,
        None,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let feed = &token["feed_url"].as_str().unwrap()
        [token["feed_url"].as_str().unwrap().find("/v1/").unwrap()..];
    assert_eq!(
        app.request(Method::GET, feed)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}
