//! Programmes: each leader's matching profile, which cohort matching pairs them on, and the
//! cohorts admins gather leaders in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{
    TestApp, TestUser, assert_problem, assert_refused, call, ok, pointers, spawn_app,
    spawn_app_with,
};

/// A server with one admin, who runs programmes.
async fn programme() -> (TestApp, TestUser) {
    let email = format!("hr-{}@example.com", uuid::Uuid::new_v4().simple());
    let configured = email.clone();
    let app = spawn_app_with(move |c| c.admin_emails = vec![configured]).await;
    let admin = app.user_with_email(&email).await;
    (app, admin)
}

async fn cohort(app: &TestApp, admin: &TestUser) -> String {
    let res = call(
        app,
        Method::POST,
        "/v1/admin/cohorts",
        admin,
        Some(json!({"name": "Spring 2027", "starts_on": "2027-03-01"})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    created["id"].as_str().unwrap().to_owned()
}

/// Proposes pairs for the cohort and confirms the proposal as it stands; the confirmed proposal.
async fn propose_and_confirm(app: &TestApp, admin: &TestUser, cohort: &str) -> Value {
    let proposal = ok(
        app,
        Method::POST,
        &format!("/v1/admin/cohorts/{cohort}/proposals"),
        admin,
        None,
    )
    .await;
    let pid = proposal["id"].as_str().unwrap();
    ok(
        app,
        Method::POST,
        &format!("/v1/admin/cohorts/{cohort}/proposals/{pid}/confirm"),
        admin,
        None,
    )
    .await
}

async fn add(app: &TestApp, admin: &TestUser, cohort: &str, members: Value) -> Value {
    ok(
        app,
        Method::POST,
        &format!("/v1/admin/cohorts/{cohort}/members"),
        admin,
        Some(json!({ "members": members })),
    )
    .await
}

#[tokio::test]
async fn admins_create_cohorts_and_add_members_in_bulk_by_user_or_provisioning_id() {
    let (app, admin) = programme().await;
    let ada = app.new_user().await;
    let provisioned = ok(
        &app,
        Method::PUT,
        "/v1/admin/users/hr-1001",
        &admin,
        Some(json!({"email": "grace@example.com", "display_name": "Grace Hopper", "time_zone": "America/New_York"})),
    )
    .await;
    let c = cohort(&app, &admin).await;
    let added = add(
        &app,
        &admin,
        &c,
        json!([{"user_id": ada.id}, {"external_id": "hr-1001"}, {"user_id": ada.id}]),
    )
    .await;
    assert_eq!(added["added"], 2, "a repeated reference joins once");
    assert_eq!(added["cohort"]["members"], 2);
    let again = add(&app, &admin, &c, json!([{"external_id": "hr-1001"}])).await;
    assert_eq!(again["added"], 0, "repeating a request is harmless");

    let members = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}/members?limit=1"),
        &admin,
        None,
    )
    .await;
    assert_eq!(members["items"].as_array().unwrap().len(), 1);
    let cursor = members["next_cursor"].as_str().expect("a second page");
    let rest = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}/members?cursor={cursor}"),
        &admin,
        None,
    )
    .await;
    let ids: Vec<&str> = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    let mut expected = vec![ada.id.as_str(), provisioned["id"].as_str().unwrap()];
    let mut got = ids.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(rest["items"][0]["opted_out_at"], json!(null));

    let listed = ok(&app, Method::GET, "/v1/admin/cohorts", &admin, None).await;
    assert_eq!(listed["items"][0]["id"], c.as_str());
    assert_eq!(listed["items"][0]["members"], 2);
    let one = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(one["name"], "Spring 2027");
    assert_eq!(one["allow_same_department"], false);
}

#[tokio::test]
async fn adding_members_is_all_or_none_and_names_each_bad_reference() {
    let (app, admin) = programme().await;
    let ada = app.new_user().await;
    let c = cohort(&app, &admin).await;
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/members"),
        &admin,
        Some(json!({"members": [
            {"user_id": ada.id},
            {"user_id": uuid::Uuid::new_v4().to_string()},
            {"external_id": "nobody"}
        ]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        pointers(&problem),
        vec!["#/members/1/user_id", "#/members/2/external_id"]
    );
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/members"),
        &admin,
        Some(json!({"members": [{"user_id": ada.id, "external_id": "hr-1"}, {}]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/members/0", "#/members/1"]);
    let one = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(one["members"], 0, "nothing half-written");
}

#[tokio::test]
async fn members_see_their_cohorts_and_opt_out_while_strangers_get_404() {
    let (app, admin) = programme().await;
    let (ada, stranger) = (app.new_user().await, app.new_user().await);
    let c = cohort(&app, &admin).await;
    add(&app, &admin, &c, json!([{"user_id": ada.id}])).await;

    let mine = ok(&app, Method::GET, "/v1/cohorts", &ada, None).await;
    assert_eq!(mine["items"][0]["id"], c.as_str());
    assert_eq!(mine["items"][0]["opted_out_at"], json!(null));
    let theirs = ok(&app, Method::GET, "/v1/cohorts", &stranger, None).await;
    assert_eq!(theirs["items"], json!([]));

    let out = ok(
        &app,
        Method::POST,
        &format!("/v1/cohorts/{c}/opt-out"),
        &ada,
        None,
    )
    .await;
    let when = out["opted_out_at"].as_str().expect("opted out").to_owned();
    let again = ok(
        &app,
        Method::POST,
        &format!("/v1/cohorts/{c}/opt-out"),
        &ada,
        None,
    )
    .await;
    assert_eq!(
        again["opted_out_at"],
        when.as_str(),
        "repeating is harmless"
    );
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/cohorts/{c}/opt-out"),
        &stranger,
        None,
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let one = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(
        (one["members"].clone(), one["opted_out"].clone()),
        (json!(1), json!(1))
    );
}

#[tokio::test]
async fn only_admins_manage_cohorts() {
    let (app, admin) = programme().await;
    let ada = app.new_user().await;
    let c = cohort(&app, &admin).await;
    for (method, path, body) in [
        (
            Method::POST,
            "/v1/admin/cohorts".to_owned(),
            Some(json!({"name": "Mine", "starts_on": "2027-03-01"})),
        ),
        (Method::GET, "/v1/admin/cohorts".to_owned(), None),
        (Method::GET, format!("/v1/admin/cohorts/{c}"), None),
        (Method::GET, format!("/v1/admin/cohorts/{c}/members"), None),
        (
            Method::POST,
            format!("/v1/admin/cohorts/{c}/members"),
            Some(json!({"members": [{"user_id": ada.id}]})),
        ),
    ] {
        let res = call(&app, method, &path, &ada, body).await;
        assert_refused(res, StatusCode::FORBIDDEN, "admin-only").await;
    }
    let res = call(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{}", uuid::Uuid::new_v4()),
        &admin,
        None,
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
}

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
    assert_eq!(
        set["skills_offered"],
        json!(["enterprise-sales", "pricing"])
    );
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

async fn profile(app: &TestApp, who: &TestUser, body: Value) {
    ok(app, Method::PUT, "/v1/me/matching-profile", who, Some(body)).await;
}

/// Four leaders whose best pairing is Ada with Bea (shared values, Ada offers what Bea seeks)
/// and Dee with Eve, all in one time zone; Ada and Eve share a department, as do Bea and Dee.
async fn four(app: &TestApp) -> [TestUser; 4] {
    let people = [
        app.new_user().await,
        app.new_user().await,
        app.new_user().await,
        app.new_user().await,
    ];
    let bodies = [
        json!({"values": ["candour", "ownership"], "skills_offered": ["Pricing"], "department": "Sales"}),
        json!({"values": ["candour", "ownership"], "skills_sought": ["pricing"], "department": "Ops"}),
        json!({"values": ["craft"], "department": "Ops"}),
        json!({"values": ["craft"], "department": "Sales"}),
    ];
    for (who, body) in people.iter().zip(bodies) {
        profile(app, who, body).await;
    }
    people
}

fn pairs_of(proposal: &Value) -> Vec<Vec<String>> {
    let mut pairs: Vec<Vec<String>> = proposal["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut ids: Vec<String> = p["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["user_id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        })
        .collect();
    pairs.sort();
    pairs
}

fn pair(a: &TestUser, b: &TestUser) -> Vec<String> {
    let mut ids = vec![a.id.clone(), b.id.clone()];
    ids.sort();
    ids
}

#[tokio::test]
async fn a_proposal_pairs_opted_in_members_with_reasons_and_confirming_invites_each_pair() {
    let (app, admin) = programme().await;
    let [ada, bea, dee, eve] = four(&app).await;
    let cy = app.new_user().await;
    profile(
        &app,
        &cy,
        json!({"values": ["candour", "ownership"], "skills_sought": ["pricing"]}),
    )
    .await;
    let c = cohort(&app, &admin).await;
    let everyone: Vec<Value> = [&ada, &bea, &cy, &dee, &eve]
        .iter()
        .map(|u| json!({"user_id": u.id}))
        .collect();
    add(&app, &admin, &c, json!(everyone)).await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/cohorts/{c}/opt-out"),
        &cy,
        None,
    )
    .await;

    let res = call(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/proposals"),
        &admin,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let proposal: Value = res.json().await.unwrap();
    assert_eq!(pairs_of(&proposal), {
        let mut expected = vec![pair(&ada, &bea), pair(&dee, &eve)];
        expected.sort();
        expected
    });
    assert_eq!(
        proposal["unmatched"],
        json!([]),
        "Cy opted out: not matched at all"
    );
    let ada_bea = proposal["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["score"] == 16)
        .expect("Ada and Bea score 3 x 2 values + 2 for pricing + 8 h overlap");
    let reasons: Vec<&str> = ada_bea["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"shared values: candour, ownership"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("offers pricing, which")),
        "{reasons:?}"
    );
    assert_eq!(proposal["total_score"], 16 + 11);
    // The same members give the same proposal.
    let again = ok(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/proposals"),
        &admin,
        None,
    )
    .await;
    assert_eq!(pairs_of(&again), pairs_of(&proposal));

    let pid = proposal["id"].as_str().unwrap();
    let confirmed = ok(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/proposals/{pid}/confirm"),
        &admin,
        None,
    )
    .await;
    assert_eq!(confirmed["status"], "confirmed");
    for p in confirmed["pairs"].as_array().unwrap() {
        let partnership = p["partnership_id"]
            .as_str()
            .expect("an invitation per pair");
        // The second member accepts it as any invitation.
        let invitee = [&ada, &bea, &dee, &eve]
            .into_iter()
            .find(|u| u.id == p["members"][1]["user_id"].as_str().unwrap())
            .unwrap();
        let accepted = ok(
            &app,
            Method::POST,
            &format!("/v1/partnerships/{partnership}/accept"),
            invitee,
            None,
        )
        .await;
        assert_eq!(accepted["status"], "active");
    }
    let one = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}"),
        &admin,
        None,
    )
    .await;
    assert!(one["matched_at"].as_str().is_some());
    // Matched: no more opting out, no other proposal.
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/cohorts/{c}/opt-out"),
        &ada,
        None,
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "cohort-matched").await;
    let other = again["id"].as_str().unwrap();
    let res = call(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/proposals/{other}/confirm"),
        &admin,
        None,
    )
    .await;
    assert_refused(res, StatusCode::CONFLICT, "cohort-matched").await;
}

#[tokio::test]
async fn one_department_is_never_paired_unless_allowed_and_the_odd_one_out_is_told_why() {
    let (app, admin) = programme().await;
    let people = [
        app.new_user().await,
        app.new_user().await,
        app.new_user().await,
    ];
    for who in &people {
        profile(&app, who, json!({"department": "Sales"})).await;
    }
    let members: Vec<Value> = people.iter().map(|u| json!({"user_id": u.id})).collect();
    let strict = cohort(&app, &admin).await;
    add(&app, &admin, &strict, json!(members)).await;
    let p = ok(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{strict}/proposals"),
        &admin,
        None,
    )
    .await;
    assert_eq!(p["pairs"], json!([]));
    assert_eq!(p["unmatched"].as_array().unwrap().len(), 3);
    assert!(
        p["unmatched"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("no eligible partner")
    );

    let res = call(
        &app,
        Method::POST,
        "/v1/admin/cohorts",
        &admin,
        Some(json!({"name": "Sales leaders", "starts_on": "2027-03-01", "allow_same_department": true})),
    )
    .await;
    let open: Value = res.json().await.unwrap();
    let open = open["id"].as_str().unwrap();
    add(&app, &admin, open, json!(members)).await;
    let p = ok(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{open}/proposals"),
        &admin,
        None,
    )
    .await;
    assert_eq!(p["pairs"].as_array().unwrap().len(), 1);
    assert_eq!(p["unmatched"].as_array().unwrap().len(), 1);
    assert!(
        p["unmatched"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("odd number")
    );
}

#[tokio::test]
async fn pinned_pairs_are_kept_the_rest_recomputed_and_forbidden_pins_refused() {
    let (app, admin) = programme().await;
    let [ada, bea, dee, eve] = four(&app).await;
    let c = cohort(&app, &admin).await;
    let members: Vec<Value> = [&ada, &bea, &dee, &eve]
        .iter()
        .map(|u| json!({"user_id": u.id}))
        .collect();
    add(&app, &admin, &c, json!(members)).await;
    let proposal = ok(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/proposals"),
        &admin,
        None,
    )
    .await;
    let pid = proposal["id"].as_str().unwrap();
    let path = format!("/v1/admin/cohorts/{c}/proposals/{pid}");

    let swapped = ok(
        &app,
        Method::PATCH,
        &path,
        &admin,
        Some(json!({"pins": [{"members": [ada.id, dee.id]}]})),
    )
    .await;
    assert_eq!(swapped["pairs"][0]["pinned"], true);
    assert_eq!(pairs_of(&swapped), {
        let mut expected = vec![pair(&ada, &dee), pair(&bea, &eve)];
        expected.sort();
        expected
    });
    assert_eq!(swapped["version"], 2);

    let res = call(
        &app,
        Method::PATCH,
        &path,
        &admin,
        Some(json!({"pins": [{"members": [ada.id, eve.id]}]})),
    )
    .await;
    assert_refused(res, StatusCode::UNPROCESSABLE_ENTITY, "pair-forbidden").await;
    let stranger = app.new_user().await;
    let res = call(
        &app,
        Method::PATCH,
        &path,
        &admin,
        Some(json!({"pins": [{"members": [ada.id, stranger.id]}, {"members": [ada.id, bea.id]}]})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        pointers(&problem),
        vec!["#/pins/0/members/1", "#/pins/1/members/0"]
    );
    let kept = ok(&app, Method::GET, &path, &admin, None).await;
    assert_eq!(kept["version"], 2, "refused pins change nothing");
}

#[tokio::test]
async fn admins_who_paired_a_cohort_still_get_404_on_its_pairs_goals() {
    let (app, admin) = programme().await;
    let [ada, bea, _dee, _eve] = four(&app).await;
    let c = cohort(&app, &admin).await;
    add(
        &app,
        &admin,
        &c,
        json!([{"user_id": ada.id}, {"user_id": bea.id}]),
    )
    .await;
    let confirmed = propose_and_confirm(&app, &admin, &c).await;
    let partnership = confirmed["pairs"][0]["partnership_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let invitee = if confirmed["pairs"][0]["members"][1]["user_id"] == ada.id.as_str() {
        &ada
    } else {
        &bea
    };
    ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{partnership}/accept"),
        invitee,
        None,
    )
    .await;
    let goal = app
        .active_goal(invitee, &partnership, "Grow pipeline")
        .await;
    for path in [
        format!("/v1/goals/{goal}"),
        format!("/v1/partnerships/{partnership}"),
        format!("/v1/partnerships/{partnership}/goals"),
    ] {
        let res = call(&app, Method::GET, &path, &admin, None).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn provisioning_places_people_and_a_manager_is_never_paired_with_their_report() {
    let (app, admin) = programme().await;
    let put = |id: &'static str, body: Value| {
        let app = &app;
        let admin = &admin;
        async move {
            call(
                app,
                Method::PUT,
                &format!("/v1/admin/users/{id}"),
                admin,
                Some(body),
            )
            .await
        }
    };
    let res = put(
        "hr-boss",
        json!({"email": "boss@example.com", "display_name": "Boss", "time_zone": "Europe/London"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let boss: Value = res.json().await.unwrap();
    let res = put(
        "hr-ada",
        json!({"email": "ada.l@example.com", "display_name": "Ada", "time_zone": "Europe/London",
        "department": " Sales ", "level": "Director", "manager_external_id": "hr-boss"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let placed = ok(
        &app,
        Method::GET,
        "/v1/admin/users/hr-ada/matching-profile",
        &admin,
        None,
    )
    .await;
    assert_eq!(placed["department"], "Sales");
    assert_eq!(placed["level"], "Director");
    assert_eq!(placed["manager_id"], boss["id"]);

    let res = put(
        "hr-new",
        json!({"email": "new@example.com", "display_name": "New", "time_zone": "Europe/London",
        "manager_external_id": "hr-nobody"}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(pointers(&problem), vec!["#/manager_external_id"]);
    let res = call(&app, Method::GET, "/v1/admin/users/hr-new", &admin, None).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    let someone = app.new_user().await;
    let res = call(
        &app,
        Method::GET,
        "/v1/admin/users/hr-ada/matching-profile",
        &someone,
        None,
    )
    .await;
    assert_refused(res, StatusCode::FORBIDDEN, "admin-only").await;

    let c = cohort(&app, &admin).await;
    add(
        &app,
        &admin,
        &c,
        json!([{"external_id": "hr-boss"}, {"external_id": "hr-ada"}]),
    )
    .await;
    let p = ok(
        &app,
        Method::POST,
        &format!("/v1/admin/cohorts/{c}/proposals"),
        &admin,
        None,
    )
    .await;
    assert_eq!(p["pairs"], json!([]), "a manager and their report: never");
    assert_eq!(p["unmatched"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_withheld_part_of_a_breakdown_takes_cover_so_the_total_cannot_give_it_away() {
    let (app, admin) = programme().await;
    let mut people = Vec::new();
    for _ in 0..12 {
        people.push(app.new_user().await);
    }
    let c = cohort(&app, &admin).await;
    let members: Vec<Value> = people.iter().map(|u| json!({"user_id": u.id})).collect();
    add(&app, &admin, &c, json!(members)).await;
    let confirmed = propose_and_confirm(&app, &admin, &c).await;
    let pairs = confirmed["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 6, "twelve people, six pairs");
    // Five pairs accept; one stays invited: two people, too few to publish.
    for pair in &pairs[..5] {
        let invitee = people
            .iter()
            .find(|u| u.id == pair["members"][1]["user_id"].as_str().unwrap())
            .unwrap();
        let partnership = pair["partnership_id"].as_str().unwrap();
        ok(
            &app,
            Method::POST,
            &format!("/v1/partnerships/{partnership}/accept"),
            invitee,
            None,
        )
        .await;
    }

    let report = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}/report"),
        &admin,
        None,
    )
    .await;
    assert_eq!(report["paired"], 12, "twelve people: published");
    assert_eq!(report["pairs_by_status"]["invited"], json!(null));
    // Published, the five active pairs would give the invited one away: 12 / 2 - 5 = 1.
    assert_eq!(report["pairs_by_status"]["active"], json!(null));
    assert_eq!(report["pairs_by_status"]["ended"], 0, "zeros stay");
    let suppressed: Vec<&str> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for pointer in ["/pairs_by_status/invited", "/pairs_by_status/active"] {
        assert!(suppressed.contains(&pointer), "{pointer} in {suppressed:?}");
    }
}

#[tokio::test]
async fn the_programme_report_is_aggregates_only_and_withholds_figures_about_fewer_than_five() {
    let (app, admin) = programme().await;
    let [ada, bea, dee, eve] = four(&app).await;
    let c = cohort(&app, &admin).await;
    let members: Vec<Value> = [&ada, &bea, &dee, &eve]
        .iter()
        .map(|u| json!({"user_id": u.id}))
        .collect();
    add(&app, &admin, &c, json!(members)).await;
    let confirmed = propose_and_confirm(&app, &admin, &c).await;
    // One pair accepts and sets a goal whose title must never show in the report.
    let first = &confirmed["pairs"][0];
    let partnership = first["partnership_id"].as_str().unwrap().to_owned();
    let invitee = [&ada, &bea, &dee, &eve]
        .into_iter()
        .find(|u| u.id == first["members"][1]["user_id"].as_str().unwrap())
        .unwrap();
    ok(
        &app,
        Method::POST,
        &format!("/v1/partnerships/{partnership}/accept"),
        invitee,
        None,
    )
    .await;
    app.active_goal(invitee, &partnership, "Secret expansion plan")
        .await;

    let res = call(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{c}/report"),
        &admin,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(!text.contains("Secret expansion plan"), "no goal titles");
    for who in [&ada, &bea, &dee, &eve] {
        assert!(
            !text.contains(&who.id) && !text.contains(&who.email),
            "no people"
        );
    }
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["matched"], true);
    // Four people: every per-status figure that stands for anyone is withheld, and said so.
    assert_eq!(report["members"], json!(null));
    assert_eq!(report["pairs_by_status"]["active"], json!(null));
    assert_eq!(report["pairs_by_status"]["invited"], json!(null));
    assert_eq!(report["goals_by_status"]["active"], json!(null));
    assert_eq!(
        report["pairs_by_status"]["ended"], 0,
        "a zero singles out nobody"
    );
    let suppressed: Vec<&str> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for pointer in [
        "/members",
        "/pairs_by_status/active",
        "/pairs_by_status/invited",
        "/goals_by_status/active",
    ] {
        assert!(suppressed.contains(&pointer), "{pointer} in {suppressed:?}");
    }

    // Six more members make the membership figures publishable.
    let mut more = Vec::new();
    for _ in 0..6 {
        more.push(json!({"user_id": app.new_user().await.id}));
    }
    let big = cohort(&app, &admin).await;
    add(&app, &admin, &big, json!(more)).await;
    let report = ok(
        &app,
        Method::GET,
        &format!("/v1/admin/cohorts/{big}/report"),
        &admin,
        None,
    )
    .await;
    assert_eq!(report["members"], 6);
    assert_eq!(report["opted_out"], 0);
    assert_eq!(report["matched"], false);

    // The same figures as CSV, one row per figure named by its JSON pointer: a withheld one is
    // empty and flagged, a published one a number.
    let csv = |cohort: String| {
        let (app, admin) = (&app, &admin);
        async move {
            let res = call(
                app,
                Method::GET,
                &format!("/v1/admin/cohorts/{cohort}/report.csv"),
                admin,
                None,
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK);
            assert!(
                res.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/csv")
            );
            let disposition = res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                disposition.contains("spring-2027-programme-report-"),
                "{disposition}"
            );
            res.text().await.unwrap()
        }
    };
    let small = csv(c.clone()).await;
    assert!(!small.contains("Secret expansion plan"), "no goal titles");
    let rows: Vec<Vec<String>> = small
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0], ["figure", "value", "suppressed"]);
    let row = |name: &str| rows.iter().find(|r| r[0] == name).cloned().unwrap();
    assert_eq!(row("/members"), ["/members", "", "true"]);
    assert_eq!(
        row("/pairs_by_status/active"),
        ["/pairs_by_status/active", "", "true"]
    );
    assert_eq!(
        row("/pairs_by_status/ended"),
        ["/pairs_by_status/ended", "0", "false"]
    );
    let flagged = rows.iter().filter(|r| r[2] == "true").count();
    assert_eq!(
        flagged,
        suppressed.len(),
        "every withheld figure, and only those"
    );
    let large = csv(big.clone()).await;
    assert!(large.lines().any(|l| l == "/members,6,false"), "{large}");

    for path in [
        format!("/v1/admin/cohorts/{c}/report"),
        format!("/v1/admin/cohorts/{c}/report.csv"),
    ] {
        let res = call(&app, Method::GET, &path, &ada, None).await;
        assert_refused(res, StatusCode::FORBIDDEN, "admin-only").await;
    }
}
