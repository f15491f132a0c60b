//! Meetings: scheduling by cadence, the agenda, notes, commitments, completion with a frozen
//! scorecard, the next meeting across a DST change, and adherence.

use chrono::{DateTime, Duration, SubsecRound, Utc};
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

/// Ada and Grace partnered in Berlin, each with one active goal and a reading on it.
async fn pair(app: &TestApp) -> (TestUser, TestUser, String, String, String) {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    ok(
        app,
        Method::PATCH,
        &format!("/v1/partnerships/{p}"),
        &ada,
        Some(json!({"time_zone": "Europe/Berlin"})),
    )
    .await;
    let ada_goal = app.active_goal(&ada, &p, "Cut wait time").await;
    let grace_goal = app.active_goal(&grace, &p, "Cut wait time too").await;
    reading(app, &ada, &ada_goal, 11.0, "2026-02-01T09:00:00Z").await;
    reading(app, &grace, &grace_goal, 10.8, "2026-02-01T09:00:00Z").await;
    (ada, grace, p, ada_goal, grace_goal)
}

async fn schedule(app: &TestApp, user: &TestUser, p: &str, body: Value) -> Value {
    let res = call(
        app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        user,
        Some(body),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "schedule");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/meetings/{}", body["id"].as_str().unwrap())
    );
    body
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

#[tokio::test]
async fn a_meeting_runs_the_agenda_freezes_the_scorecard_and_schedules_the_next_across_dst() {
    let app = spawn_app().await;
    let (ada, grace, p, ada_goal, _) = pair(&app).await;

    // 2027-03-19 09:00 in Berlin (CET, UTC+1); Europe moves to summer time on 2027-03-28.
    let m = schedule(
        &app,
        &ada,
        &p,
        json!({"scheduled_at": "2027-03-19T08:00:00Z"}),
    )
    .await;
    let id = m["id"].as_str().unwrap().to_owned();
    assert_eq!(m["status"], "scheduled");
    assert_eq!(m["local_start"], "2027-03-19T09:00:00+01:00");

    // The agenda: two 30-minute blocks, inviter first, each with the partner's live scorecard.
    let agenda = &m["agenda"];
    assert_eq!(agenda["length_minutes"], 60);
    assert_eq!(agenda["scorecard_frozen"], false);
    let blocks = agenda["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0]["partner_id"], ada.id.as_str());
    assert_eq!(blocks[1]["partner_id"], grace.id.as_str());
    for (i, b) in blocks.iter().enumerate() {
        assert_eq!(b["minutes"], 30);
        assert_eq!(b["starts_at_minute"], 30 * i);
        assert_eq!(b["scorecard"]["goals"].as_array().unwrap().len(), 1);
        let sections: Vec<&str> = b["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["section"].as_str().unwrap())
            .collect();
        assert_eq!(
            sections,
            [
                "scorecard_review",
                "last_commitments",
                "wins",
                "obstacles",
                "solutions",
                "next_actions"
            ]
        );
    }
    assert_eq!(blocks[0]["scorecard"]["goals"][0]["latest_value"], 11.0);
    assert_eq!(
        agenda["confirm_next_meeting"]["proposed_at"],
        "2027-04-02T07:00:00Z"
    );

    // Notes in Ada's block, written by Grace, then corrected by Ada.
    let notes_path = format!("/v1/meetings/{id}/notes/{}", ada.id);
    let notes = json!({"wins": ["Triage pilot live"], "obstacles": ["Weekend backlog"], "solutions": ["Rotate weekend duty"]});
    let saved = ok(&app, Method::PUT, &notes_path, &grace, Some(notes.clone())).await;
    assert_eq!(saved["version"], 1);
    let mut better = notes.clone();
    better["wins"] = json!(["Triage pilot live", "Wait time down to 11 minutes"]);
    let res = app
        .authed(Method::PUT, &notes_path, &ada.access)
        .header("if-match", "\"1\"")
        .json(&better)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");

    // Two commitments: Ada's on her goal (due at the next meeting by default) and Grace's.
    let commitments_path = format!("/v1/meetings/{id}/commitments");
    let c1 = ok(
        &app,
        Method::POST,
        &commitments_path,
        &ada,
        Some(json!({"text": "Call three churned customers", "goal_id": ada_goal})),
    )
    .await;
    assert_eq!(c1["owner_id"], ada.id.as_str());
    assert_eq!(c1["due_on"], "2027-04-02");
    assert_eq!(c1["status"], "open");
    let c2 = ok(
        &app,
        Method::POST,
        &commitments_path,
        &ada,
        Some(
            json!({"text": "Draft the hiring plan", "owner_id": grace.id, "due_on": "2027-03-30"}),
        ),
    )
    .await;
    assert_eq!(c2["owner_id"], grace.id.as_str());

    // A milestone moved in the meeting shows in Ada's block and in the goal's history.
    let ms = ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{ada_goal}/milestones"),
        &ada,
        Some(json!({"title": "Pilot in all teams", "due_date": "2026-04-30", "target": 10.5})),
    )
    .await;
    ok(
        &app,
        Method::PATCH,
        &format!(
            "/v1/goals/{ada_goal}/milestones/{}",
            ms["id"].as_str().unwrap()
        ),
        &ada,
        Some(json!({"title": "Pilot in every team", "meeting_id": id})),
    )
    .await;

    let live = ok(
        &app,
        Method::GET,
        &format!("/v1/meetings/{id}"),
        &grace,
        None,
    )
    .await;
    let ada_block = &live["agenda"]["blocks"][0];
    assert_eq!(ada_block["notes"]["wins"].as_array().unwrap().len(), 2);
    assert_eq!(ada_block["notes"]["version"], 2);
    assert_eq!(ada_block["next_actions"][0]["id"], c1["id"]);
    assert_eq!(
        live["agenda"]["blocks"][1]["next_actions"][0]["id"],
        c2["id"]
    );
    let updates = ada_block["milestone_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["meeting_id"], id.as_str());
    assert_eq!(live["agenda"]["blocks"][1]["milestone_updates"], json!([]));

    // Complete: the snapshot is frozen and the next meeting is at +14 days, 09:00 local (CEST).
    let done = ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/complete"),
        &grace,
        Some(json!({})),
    )
    .await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["agenda"]["scorecard_frozen"], true);
    assert_eq!(
        done["attendance"],
        json!([{"user_id": ada.id, "attended": true}, {"user_id": grace.id, "attended": true}])
    );
    let next_id = done["next_meeting_id"].as_str().unwrap().to_owned();
    let snapshot_path = format!("/v1/meetings/{id}/snapshot");
    let snapshot = ok(&app, Method::GET, &snapshot_path, &ada, None).await;
    assert_eq!(snapshot["partners"][0]["goals"][0]["latest_value"], 11.0);

    // A later reading moves the live scorecard, not the snapshot.
    let now = rfc(Utc::now().trunc_subsecs(0));
    reading(&app, &ada, &ada_goal, 9.9, &now).await;
    let live_card = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/scorecard"),
        &ada,
        None,
    )
    .await;
    assert_eq!(live_card["partners"][0]["goals"][0]["latest_value"], 9.9);
    assert_eq!(
        ok(&app, Method::GET, &snapshot_path, &ada, None).await,
        snapshot
    );
    let after = ok(&app, Method::GET, &format!("/v1/meetings/{id}"), &ada, None).await;
    assert_eq!(
        after["agenda"]["blocks"][0]["scorecard"],
        snapshot["partners"][0]
    );

    // No second completion.
    let again = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/complete"),
        &ada,
        Some(json!({})),
    )
    .await;
    assert_refused(again, StatusCode::CONFLICT, "meeting-transition").await;

    let next = ok(
        &app,
        Method::GET,
        &format!("/v1/meetings/{next_id}"),
        &ada,
        None,
    )
    .await;
    assert_eq!(next["status"], "scheduled");
    assert_eq!(next["scheduled_at"], "2027-04-02T07:00:00Z");
    assert_eq!(next["local_start"], "2027-04-02T09:00:00+02:00");
    assert_eq!(next["previous_meeting_id"], id.as_str());

    // Its agenda reviews the two commitments with their current status.
    ok(
        &app,
        Method::PATCH,
        &format!("/v1/commitments/{}", c1["id"].as_str().unwrap()),
        &ada,
        Some(json!({"status": "done", "status_note": "All three called"})),
    )
    .await;
    let next = ok(
        &app,
        Method::GET,
        &format!("/v1/meetings/{next_id}"),
        &grace,
        None,
    )
    .await;
    let review: Vec<(Value, Value)> = next["agenda"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["commitments_to_review"].as_array().unwrap().clone())
        .map(|c| (c["id"].clone(), c["status"].clone()))
        .collect();
    assert_eq!(
        review,
        [
            (c1["id"].clone(), json!("done")),
            (c2["id"].clone(), json!("open"))
        ]
    );
    assert_eq!(
        next["agenda"]["blocks"][0]["commitments_to_review"][0]["owner_id"],
        ada.id.as_str()
    );

    // The partnership shows the next meeting; open commitments filter down to Grace's.
    let partnership = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}"),
        &ada,
        None,
    )
    .await;
    assert_eq!(
        partnership["meetings"]["next_meeting"]["id"],
        next_id.as_str()
    );
    assert_eq!(partnership["meetings"]["last_meeting"]["id"], id.as_str());
    let open = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/commitments?status=open"),
        &ada,
        None,
    )
    .await;
    let open: Vec<&Value> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(open, [&c2["id"]]);
}

#[tokio::test]
async fn concurrent_note_edits_are_detected_not_overwritten() {
    let app = spawn_app().await;
    let (ada, grace, p, _, _) = pair(&app).await;
    let m = schedule(&app, &ada, &p, json!({})).await;
    let path = format!(
        "/v1/meetings/{}/notes/{}",
        m["id"].as_str().unwrap(),
        grace.id
    );
    let first = json!({"wins": ["Hired a lead"], "obstacles": [], "solutions": []});
    let res = app
        .authed(Method::PUT, &path, &grace.access)
        .header("if-match", "\"0\"")
        .json(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Both read version 1; Ada saves first, Grace's save with the same tag is refused.
    let read = call(&app, Method::GET, &path, &grace, None).await;
    let tag = read.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(tag, "\"1\"");
    let ada_edit =
        json!({"wins": ["Hired a lead", "Closed Q1 books"], "obstacles": [], "solutions": []});
    let res = app
        .authed(Method::PUT, &path, &ada.access)
        .header("if-match", &tag)
        .json(&ada_edit)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let grace_edit = json!({"wins": ["Hired a team lead"], "obstacles": [], "solutions": []});
    let res = app
        .authed(Method::PUT, &path, &grace.access)
        .header("if-match", &tag)
        .json(&grace_edit)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PRECONDITION_FAILED).await;
    // Without If-Match nobody overwrites existing notes blindly.
    let res = call(&app, Method::PUT, &path, &grace, Some(grace_edit)).await;
    assert_problem(res, StatusCode::PRECONDITION_REQUIRED).await;
    // "0" insists nobody wrote yet: too late.
    let res = app
        .authed(Method::PUT, &path, &grace.access)
        .header("if-match", "\"0\"")
        .json(&first)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PRECONDITION_FAILED).await;

    let kept = ok(&app, Method::GET, &path, &ada, None).await;
    assert_eq!(kept["wins"], json!(["Hired a lead", "Closed Q1 books"]));
    assert_eq!(kept["version"], 2);
    assert_eq!(kept["updated_by"], ada.id.as_str());

    // Bad items are named one by one.
    let res = call(
        &app,
        Method::PUT,
        &path,
        &ada,
        Some(json!({"wins": ["ok", ""], "obstacles": ["x".repeat(1001)], "solutions": []})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/wins/1", "#/obstacles/0"]);
}

#[tokio::test]
async fn the_first_meeting_defaults_to_nine_local_one_cadence_after_the_start_and_only_one_is_scheduled()
 {
    let app = spawn_app().await;
    let (ada, grace, p, _, _) = pair(&app).await;
    let m = schedule(&app, &grace, &p, json!({"location": "Café Einstein"})).await;
    let local = m["local_start"].as_str().unwrap();
    assert!(local.ends_with("T09:00:00+01:00"), "{local}");
    let at: DateTime<Utc> = m["scheduled_at"].as_str().unwrap().parse().unwrap();
    let days = (at - Utc::now()).num_days();
    assert!((13..=14).contains(&days), "{days} days ahead");
    assert_eq!(m["length_minutes"], 60);
    assert_eq!(m["location"], "Café Einstein");

    let res = call(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        &ada,
        Some(json!({})),
    )
    .await;
    let problem = assert_refused(res, StatusCode::CONFLICT, "meeting-already-scheduled").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(m["id"].as_str().unwrap())
    );

    // A paused partnership schedules nothing.
    let id = m["id"].as_str().unwrap();
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        &ada,
        Some(json!({"reason": "Travel"})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/pause"),
        &ada,
        None,
    )
    .await;
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        &ada,
        Some(json!({})),
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "partnership-not-active").await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{p}/resume"),
        &ada,
        None,
    )
    .await;
    // After a cancellation the default follows the cancelled slot by one cadence.
    let again = schedule(&app, &ada, &p, json!({})).await;
    let next: DateTime<Utc> = again["scheduled_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(next - at, Duration::days(14));
}

#[tokio::test]
async fn cancelled_and_late_meetings_lower_adherence_and_break_the_streak() {
    let app = spawn_app().await;
    let (ada, grace, p, _, _) = pair(&app).await;
    let now = Utc::now().trunc_subsecs(0);
    let adherence = || async {
        ok(
            &app,
            Method::GET,
            &format!("/v1/partnerships/{p}/adherence"),
            &ada,
            None,
        )
        .await
    };
    let complete = |id: String, held: DateTime<Utc>, next: Option<DateTime<Utc>>| {
        let (app, grace) = (&app, &grace);
        async move {
            let mut body = json!({"held_at": rfc(held)});
            if let Some(next) = next {
                body["next_meeting_at"] = json!(rfc(next));
            }
            ok(
                app,
                Method::POST,
                &format!("/v1/meetings/{id}/complete"),
                grace,
                Some(body),
            )
            .await
        }
    };

    // Two meetings held on time (recorded after the fact).
    let m1 = schedule(
        &app,
        &ada,
        &p,
        json!({"scheduled_at": rfc(now - Duration::days(60))}),
    )
    .await;
    let done = complete(
        m1["id"].as_str().unwrap().into(),
        now - Duration::days(60),
        None,
    )
    .await;
    assert_eq!(done["on_time"], true);
    let m2 = done["next_meeting_id"].as_str().unwrap().to_owned();
    let next = complete(m2, now - Duration::days(46) + Duration::hours(1), None).await;
    assert_eq!(next["on_time"], true);
    // The third, left scheduled past its grace window, already counts as missed.
    let a = adherence().await;
    assert_eq!(
        (
            a["meetings_counted"].clone(),
            a["held_on_time"].clone(),
            a["streak"].clone()
        ),
        (json!(3), json!(2), json!(0))
    );
    assert_eq!(a["last_meeting"]["on_time"], true);

    // Cancelling it keeps it counted against adherence, with its reason.
    let m3 = next["next_meeting_id"].as_str().unwrap().to_owned();
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{m3}/cancel"),
        &ada,
        Some(json!({"reason": "Offsite"})),
    )
    .await;
    let a = adherence().await;
    assert_eq!(
        (
            a["meetings_counted"].clone(),
            a["held_on_time"].clone(),
            a["streak"].clone()
        ),
        (json!(3), json!(2), json!(0))
    );

    // The fourth is held three days late (grace is two): counted, not on time.
    let m4 = schedule(
        &app,
        &ada,
        &p,
        json!({"scheduled_at": rfc(now - Duration::days(18))}),
    )
    .await;
    let late = complete(
        m4["id"].as_str().unwrap().into(),
        now - Duration::days(15),
        Some(now - Duration::days(1)),
    )
    .await;
    assert_eq!(late["on_time"], false);
    let a = adherence().await;
    assert_eq!(
        (
            a["meetings_counted"].clone(),
            a["held_on_time"].clone(),
            a["streak"].clone()
        ),
        (json!(4), json!(2), json!(0))
    );
    assert_eq!(a["rate"], 0.5);

    // Back on time: the streak restarts.
    let m5 = late["next_meeting_id"].as_str().unwrap().to_owned();
    complete(m5, now - Duration::days(1), None).await;
    let a = adherence().await;
    assert_eq!(
        (
            a["meetings_counted"].clone(),
            a["held_on_time"].clone(),
            a["streak"].clone()
        ),
        (json!(5), json!(3), json!(1))
    );
    assert_eq!(a["grace_days"], 2);
    let view = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}"),
        &grace,
        None,
    )
    .await;
    assert_eq!(view["meetings"]["streak"], 1);
    assert_eq!(view["meetings"]["rate"], 0.6);
    assert!(view["meetings"]["next_meeting"]["id"].is_string());

    // A wider grace window forgives the late one.
    ok(
        &app,
        Method::PATCH,
        &format!("/v1/partnerships/{p}"),
        &ada,
        Some(json!({"grace_days": 3})),
    )
    .await;
    let a = adherence().await;
    assert_eq!(
        (a["held_on_time"].clone(), a["streak"].clone()),
        (json!(4), json!(2))
    );
    assert_eq!(a["grace_days"], 3);

    // Meetings list in scheduling order, filterable, and as CSV.
    let list = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/meetings?status=completed"),
        &ada,
        None,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
    let res = app
        .authed(
            Method::GET,
            &format!("/v1/partnerships/{p}/meetings.csv"),
            &ada.access,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().get(2), Some("status"));
    let statuses: Vec<String> = reader.records().map(|r| r.unwrap()[2].to_owned()).collect();
    assert_eq!(
        statuses,
        [
            "completed",
            "completed",
            "cancelled",
            "completed",
            "completed",
            "scheduled"
        ]
    );
}

#[tokio::test]
async fn completion_and_commitments_refuse_what_does_not_fit() {
    let app = spawn_app().await;
    let (ada, grace, p, _, grace_goal) = pair(&app).await;
    let m = schedule(&app, &ada, &p, json!({})).await;
    let id = m["id"].as_str().unwrap().to_owned();
    let stranger = app.new_user().await;
    let future = rfc(Utc::now() + Duration::days(1));
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/complete"),
        &ada,
        Some(json!({"held_at": future, "attendees": [stranger.id]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/held_at"]);
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/complete"),
        &ada,
        Some(json!({"attendees": [stranger.id, ada.id, ada.id]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/attendees"]);
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/complete"),
        &ada,
        Some(json!({"attendees": [stranger.id, ada.id]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), ["#/attendees/0"]);

    // A commitment's owner must be a partner, its goal the owner's.
    let path = format!("/v1/meetings/{id}/commitments");
    let res = call(
        &app,
        Method::POST,
        &path,
        &ada,
        Some(json!({"text": "x", "owner_id": stranger.id})),
    )
    .await;
    assert_eq!(
        pointers(&assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["#/owner_id"]
    );
    let res = call(
        &app,
        Method::POST,
        &path,
        &ada,
        Some(json!({"text": "x", "goal_id": grace_goal})),
    )
    .await;
    assert_eq!(
        pointers(&assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["#/goal_id"]
    );

    // Closed commitments stay closed.
    let c = ok(
        &app,
        Method::POST,
        &path,
        &grace,
        Some(json!({"text": "Ship the FAQ", "goal_id": grace_goal})),
    )
    .await;
    let c_path = format!("/v1/commitments/{}", c["id"].as_str().unwrap());
    let dropped = ok(
        &app,
        Method::PATCH,
        &c_path,
        &grace,
        Some(json!({"status": "dropped", "status_note": "Superseded"})),
    )
    .await;
    assert_eq!(dropped["closed_by"], grace.id.as_str());
    let res = call(
        &app,
        Method::PATCH,
        &c_path,
        &grace,
        Some(json!({"status": "open"})),
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "commitment-closed").await;
    let res = app
        .authed(Method::PATCH, &c_path, &ada.access)
        .header("if-match", "\"1\"")
        .json(&json!({"status_note": "stale"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PRECONDITION_FAILED).await;

    // A cancelled meeting takes no notes or commitments, and is not completed.
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        &grace,
        Some(json!({"reason": "Sick"})),
    )
    .await;
    let res = call(
        &app,
        Method::POST,
        &path,
        &ada,
        Some(json!({"text": "late idea"})),
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "meeting-transition").await;
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/complete"),
        &ada,
        Some(json!({})),
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "meeting-transition").await;
    let res = call(
        &app,
        Method::GET,
        &format!("/v1/meetings/{id}/snapshot"),
        &ada,
        None,
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "meeting-not-completed").await;

    // A milestone change cannot cite a cancelled meeting, or another partnership's.
    let ms = ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{grace_goal}/milestones"),
        &grace,
        Some(json!({"title": "FAQ drafted", "due_date": "2026-03-31"})),
    )
    .await;
    let res = call(
        &app,
        Method::POST,
        &format!(
            "/v1/goals/{grace_goal}/milestones/{}/complete",
            ms["id"].as_str().unwrap()
        ),
        &grace,
        Some(json!({"meeting_id": id})),
    )
    .await;
    assert_eq!(
        pointers(&assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["#/meeting_id"]
    );
}

#[tokio::test]
async fn outsider_gets_404_for_every_meeting_note_and_commitment_endpoint() {
    let app = spawn_app().await;
    let (ada, grace, p, _, _) = pair(&app).await;
    let m = schedule(&app, &ada, &p, json!({})).await;
    let id = m["id"].as_str().unwrap().to_owned();
    let notes = format!("/v1/meetings/{id}/notes/{}", ada.id);
    ok(
        &app,
        Method::PUT,
        &notes,
        &ada,
        Some(json!({"wins": ["w"], "obstacles": [], "solutions": []})),
    )
    .await;
    let c = ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/commitments"),
        &grace,
        Some(json!({"text": "Do it"})),
    )
    .await;
    let c_path = format!("/v1/commitments/{}", c["id"].as_str().unwrap());

    let mallory = app.new_user().await;
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            format!("/v1/partnerships/{p}/meetings"),
            Some(json!({})),
        ),
        (Method::GET, format!("/v1/partnerships/{p}/meetings"), None),
        (Method::GET, format!("/v1/partnerships/{p}/adherence"), None),
        (
            Method::GET,
            format!("/v1/partnerships/{p}/commitments"),
            None,
        ),
        (Method::GET, format!("/v1/meetings/{id}"), None),
        (
            Method::PATCH,
            format!("/v1/meetings/{id}"),
            Some(json!({"length_minutes": 90})),
        ),
        (
            Method::POST,
            format!("/v1/meetings/{id}/reschedule"),
            Some(json!({"scheduled_at": "2027-01-01T09:00:00Z"})),
        ),
        (
            Method::POST,
            format!("/v1/meetings/{id}/cancel"),
            Some(json!({"reason": "mine now"})),
        ),
        (
            Method::POST,
            format!("/v1/meetings/{id}/complete"),
            Some(json!({})),
        ),
        (Method::GET, format!("/v1/meetings/{id}/snapshot"), None),
        (Method::GET, notes.clone(), None),
        (
            Method::PUT,
            notes.clone(),
            Some(json!({"wins": [], "obstacles": [], "solutions": []})),
        ),
        (
            Method::POST,
            format!("/v1/meetings/{id}/commitments"),
            Some(json!({"text": "sneak"})),
        ),
        (Method::GET, c_path.clone(), None),
        (
            Method::PATCH,
            c_path.clone(),
            Some(json!({"status": "dropped"})),
        ),
    ];
    for (method, path, body) in attempts {
        let res = call(&app, method.clone(), &path, &mallory, body).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    // A member's block path with someone else's id is no block at all.
    let res = call(
        &app,
        Method::GET,
        &format!("/v1/meetings/{id}/notes/{}", mallory.id),
        &ada,
        None,
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    // Nothing changed.
    let m_after = ok(&app, Method::GET, &format!("/v1/meetings/{id}"), &ada, None).await;
    assert_eq!(m_after["status"], "scheduled");
    assert_eq!(m_after["length_minutes"], 60);
    assert_eq!(
        m_after["agenda"]["blocks"][0]["notes"]["wins"],
        json!(["w"])
    );
    assert_eq!(
        ok(&app, Method::GET, &c_path, &ada, None).await["status"],
        "open"
    );
    let all = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/commitments"),
        &ada,
        None,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let meetings = ok(
        &app,
        Method::GET,
        &format!("/v1/partnerships/{p}/meetings"),
        &ada,
        None,
    )
    .await;
    assert_eq!(meetings["items"].as_array().unwrap().len(), 1);
}
