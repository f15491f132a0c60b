//! Email over a real SMTP connection: meeting invitations both partners' calendars take, updated
//! on every reschedule and withdrawn on cancellation, sent once, retried while the SMTP server is
//! down, and visible to their recipient.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_api::Config;
use tandem_tests::smtp::{Mail, Security, SmtpSink};
use tandem_tests::{TestApp, TestUser, call, ok, spawn_app, spawn_app_with};

fn mailing(url: String) -> impl FnOnce(&mut Config) {
    move |c: &mut Config| {
        c.mail.smtp_url = Some(url);
        c.mail.from = "Tandem <tandem@example.com>".into();
        c.mail.public_url = Some("https://tandem.example.com".into());
        c.mail.poll_ms = 20;
        c.mail.retry_base_ms = 100;
    }
}

async fn pair(app: &TestApp) -> (TestUser, TestUser, String) {
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    (ada, grace, p)
}

async fn schedule(app: &TestApp, who: &TestUser, p: &str, at: &str) -> Value {
    ok(
        app,
        Method::POST,
        &format!("/v1/partnerships/{p}/meetings"),
        who,
        Some(json!({"scheduled_at": at, "location": "Video call"})),
    )
    .await
}

/// The iCalendar part of an email, unfolded, as `NAME:value` lines.
fn calendar(mail: &Mail) -> Vec<String> {
    let ics = mail.part("text/calendar").expect("a text/calendar part");
    ics.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn property(lines: &[String], name: &str) -> String {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("{name} missing in {lines:?}"))
        .to_owned()
}

fn to(mail: &Mail) -> String {
    mail.to.first().cloned().unwrap_or_default()
}

#[tokio::test]
async fn scheduling_a_meeting_sends_both_partners_an_invitation_starting_when_it_starts() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(|c| {
        mailing(smtp.url())(c);
        c.metrics_bind = Some("127.0.0.1:0".into());
    })
    .await;
    let sent_before = app.metric(SENT).await;
    let (ada, grace, p) = pair(&app).await;
    let m = schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    let mails = smtp.wait_for(2).await;
    let mut recipients: Vec<String> = mails.iter().map(to).collect();
    recipients.sort();
    let mut expected = vec![ada.email.clone(), grace.email.clone()];
    expected.sort();
    assert_eq!(recipients, expected, "one invitation to each partner");
    for mail in &mails {
        let lines = calendar(mail);
        assert_eq!(property(&lines, "METHOD"), "REQUEST");
        assert_eq!(
            property(&lines, "DTSTART"),
            "20270319T080000Z",
            "starts when the meeting does"
        );
        assert_eq!(
            property(&lines, "UID"),
            format!("{}@tandem", m["id"].as_str().unwrap())
        );
        assert_eq!(property(&lines, "LOCATION"), "Video call");
        let (_, params) = mail.part_type("text/calendar").unwrap();
        assert_eq!(params.get("method").map(String::as_str), Some("REQUEST"));
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("mailto:{}", ada.email)))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("mailto:{}", grace.email)))
        );
        let text = mail.part("text/plain").expect("a plain-text part");
        assert!(
            text.contains(&format!(
                "https://tandem.example.com/v1/meetings/{}",
                m["id"].as_str().unwrap()
            )),
            "links to the agenda: {text}"
        );
        let html = mail.part("text/html").expect("an HTML part");
        assert!(
            html.contains(m["id"].as_str().unwrap()) && html.contains("<a href="),
            "the HTML part links to the agenda: {html}"
        );
        assert!(!html.contains("<img"), "no images, no tracking pixels");
        assert!(
            mail.header("Message-ID")
                .is_some_and(|id| id.ends_with("@example.com>"))
        );
        assert_eq!(mail.from, "tandem@example.com");
    }
    // The delivery log shows each partner their own, sent.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = ok(
        &app,
        Method::GET,
        "/v1/me/notifications/deliveries",
        &grace,
        None,
    )
    .await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{log}");
    assert_eq!(items[0]["to"], grace.email.as_str());
    assert_eq!(items[0]["kind"], "meeting_invitation");
    assert_eq!(items[0]["status"], "sent");
    assert_eq!(items[0]["attempts"], 1);
    // `/metrics` counts the sends.
    app.metric_reaches(SENT, sent_before + 2.0).await;
}

const SENT: &str = r#"tandem_emails_total{outcome="sent"}"#;

#[tokio::test]
async fn rescheduling_sends_the_same_uid_with_the_next_sequence_and_cancelling_withdraws_it() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing(smtp.url())).await;
    let (ada, grace, p) = pair(&app).await;
    let m = schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    let id = m["id"].as_str().unwrap();
    let first = smtp.wait_for(2).await;
    let before: i64 = property(&calendar(&first[0]), "SEQUENCE").parse().unwrap();
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/reschedule"),
        &grace,
        Some(json!({"scheduled_at": "2027-03-20T10:30:00Z", "reason": "Board meeting"})),
    )
    .await;
    let mails = smtp.wait_for(4).await;
    for mail in &mails[2..] {
        let lines = calendar(mail);
        assert_eq!(property(&lines, "METHOD"), "REQUEST");
        assert_eq!(
            property(&lines, "UID"),
            format!("{id}@tandem"),
            "the same event"
        );
        assert_eq!(
            property(&lines, "SEQUENCE").parse::<i64>().unwrap(),
            before + 1
        );
        assert_eq!(property(&lines, "DTSTART"), "20270320T103000Z");
    }
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        &ada,
        Some(json!({"reason": "Offsite"})),
    )
    .await;
    let mails = smtp.wait_for(6).await;
    for mail in &mails[4..] {
        let lines = calendar(mail);
        assert_eq!(property(&lines, "METHOD"), "CANCEL");
        assert_eq!(property(&lines, "UID"), format!("{id}@tandem"));
        assert_eq!(property(&lines, "STATUS"), "CANCELLED");
        assert_eq!(
            property(&lines, "SEQUENCE").parse::<i64>().unwrap(),
            before + 2
        );
        assert!(mail.part("text/plain").unwrap().contains("Offsite"));
    }
}

#[tokio::test]
async fn an_smtp_server_that_is_down_gets_the_invitation_later_once() {
    let mut smtp = SmtpSink::down().await;
    let app = spawn_app_with(mailing(smtp.url())).await;
    let (ada, _grace, p) = pair(&app).await;
    schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    // Tries fail while nothing listens; the log says so.
    let mut failing = Value::Null;
    for _ in 0..100 {
        failing = ok(
            &app,
            Method::GET,
            "/v1/me/notifications/deliveries",
            &ada,
            None,
        )
        .await;
        if failing["items"][0]["attempts"].as_i64().unwrap_or(0) >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(failing["items"][0]["status"], "pending", "{failing}");
    assert!(
        failing["items"][0]["last_error"].as_str().is_some(),
        "{failing}"
    );
    smtp.up().await;
    smtp.wait_for(2).await;
    // Give the worker time to send anything twice, if it would.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(
        smtp.received().len(),
        2,
        "each partner's invitation arrives once"
    );
    let log = ok(
        &app,
        Method::GET,
        "/v1/me/notifications/deliveries",
        &ada,
        None,
    )
    .await;
    assert_eq!(log["items"][0]["status"], "sent", "{log}");
}

#[tokio::test]
async fn starttls_and_implicit_tls_carry_the_invitations_encrypted_to_a_verified_server() {
    for security in [Security::StartTls, Security::Implicit] {
        let smtp = SmtpSink::start_with(security).await;
        let ca = smtp.ca_file();
        let url = smtp.url();
        let app = spawn_app_with(move |c| {
            mailing(url)(c);
            c.mail.ca_file = Some(ca);
        })
        .await;
        let (ada, grace, p) = pair(&app).await;
        schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
        let got = smtp.wait_for(2).await;
        let mut to: Vec<String> = got.iter().map(to).collect();
        to.sort();
        let mut expected = vec![ada.email.clone(), grace.email.clone()];
        expected.sort();
        assert_eq!(to, expected, "{security:?}");
        assert!(got.iter().all(|m| m.tls), "{security:?}: over TLS");
    }
}

#[tokio::test]
async fn a_tls_server_whose_certificate_is_not_trusted_gets_nothing_and_the_log_says_why() {
    let smtp = SmtpSink::start_with(Security::StartTls).await;
    // No CA file: the throwaway CA is in no trust store.
    let app = spawn_app_with(mailing(smtp.url())).await;
    let (ada, _grace, p) = pair(&app).await;
    schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    let mut log = Value::Null;
    for _ in 0..100 {
        log = ok(
            &app,
            Method::GET,
            "/v1/me/notifications/deliveries",
            &ada,
            None,
        )
        .await;
        if log["items"][0]["attempts"].as_i64().unwrap_or(0) >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(log["items"][0]["status"], "pending", "{log}");
    let error = log["items"][0]["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("certificate"), "{log}");
    assert!(
        smtp.received().is_empty(),
        "nothing in the clear, nothing to an untrusted server"
    );
}

#[tokio::test]
async fn two_instances_send_each_invitation_once() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing(smtp.url())).await;
    let second = app.another_instance(mailing(smtp.url())).await;
    let (ada, _grace, p) = pair(&app).await;
    schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    smtp.wait_for(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(
        smtp.received().len(),
        2,
        "two instances, still one email per partner"
    );
    drop(second);
}

#[tokio::test]
async fn nothing_is_queued_or_sent_without_an_smtp_server() {
    let app = spawn_app().await;
    let (ada, grace, p) = pair(&app).await;
    schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    for user in [&ada, &grace] {
        let log = ok(
            &app,
            Method::GET,
            "/v1/me/notifications/deliveries",
            user,
            None,
        )
        .await;
        assert_eq!(log["items"], json!([]), "{log}");
    }
}

#[tokio::test]
async fn the_delivery_log_is_the_callers_own_and_needs_a_sign_in() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing(smtp.url())).await;
    let (ada, _grace, p) = pair(&app).await;
    let outsider = app.new_user().await;
    schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    smtp.wait_for(2).await;
    let log = ok(
        &app,
        Method::GET,
        "/v1/me/notifications/deliveries",
        &outsider,
        None,
    )
    .await;
    assert_eq!(log["items"], json!([]), "an outsider sees none of theirs");
    let res = app
        .request(Method::GET, "/v1/me/notifications/deliveries")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = call(
        &app,
        Method::GET,
        "/v1/me/notifications/deliveries?status=lost",
        &ada,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// Email and webhooks both on, scanning every second.
fn mailing_and_hooks(url: String) -> impl FnOnce(&mut Config) {
    move |c: &mut Config| {
        mailing(url)(c);
        c.webhooks.allow_http = true;
        c.webhooks.allow_private = true;
        c.webhooks.poll_ms = 25;
        c.webhooks.due_scan_secs = Some(1);
    }
}

fn rfc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test]
async fn a_meeting_23_hours_ahead_gets_one_pre_read_and_one_upcoming_event_even_with_two_instances()
{
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing_and_hooks(smtp.url())).await;
    let second = app.another_instance(mailing_and_hooks(smtp.url())).await;
    let (ada, grace, p) = pair(&app).await;
    let goal = app.active_goal(&ada, &p, "Cut churn").await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/milestones"),
        &ada,
        Some(json!({"title": "Triage pilot live", "due_date": "2026-05-31"})),
    )
    .await;
    let receiver = tandem_tests::receiver::Receiver::start(200, &[]);
    let res = call(
        &app,
        Method::POST,
        "/v1/webhooks",
        &ada,
        Some(json!({"url": receiver.url, "events": ["meeting.upcoming"]})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // Another pair meets in two days: not yet.
    let (bea, cy, q) = pair(&app).await;
    let now = chrono::Utc::now();
    schedule(&app, &bea, &q, &rfc(now + chrono::Duration::hours(48))).await;
    let m = schedule(&app, &ada, &p, &rfc(now + chrono::Duration::hours(23))).await;
    // Two invitations per pair, then the near meeting's two pre-reads.
    smtp.wait_for(6).await;
    receiver.wait_for(1).await;
    // Several scans of both instances later, still one of each.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let pre_reads: Vec<Mail> = smtp
        .received()
        .into_iter()
        .filter(|mail| {
            mail.header("Subject")
                .is_some_and(|s| s.starts_with("Pre-read"))
        })
        .collect();
    let mut recipients: Vec<String> = pre_reads.iter().map(to).collect();
    recipients.sort();
    let mut expected = vec![ada.email.clone(), grace.email.clone()];
    expected.sort();
    assert_eq!(
        recipients, expected,
        "one pre-read per partner of the near meeting only"
    );
    for mail in &pre_reads {
        let text = mail.part("text/plain").unwrap();
        assert!(text.contains("Cut churn"), "the scorecard is in it: {text}");
        assert!(
            text.contains("Triage pilot live (Cut churn), due 2026-05-31"),
            "milestones coming due (here overdue) are in it: {text}"
        );
        assert!(
            text.contains(m["id"].as_str().unwrap()),
            "links the agenda: {text}"
        );
        assert!(mail.part("text/calendar").is_none());
    }
    let events = receiver.received();
    assert_eq!(events.len(), 1, "one meeting.upcoming");
    let event = events[0].json();
    assert_eq!(event["type"], "meeting.upcoming");
    assert_eq!(event["data"]["meeting_id"], m["id"]);
    assert_eq!(event["data"]["pre_read_hours"], 24);
    drop((second, cy));
}

#[tokio::test]
async fn news_muted_for_webhooks_reaches_none_of_the_owners_hooks_and_the_partners_still() {
    let app = spawn_app_with(|c| {
        c.webhooks.allow_http = true;
        c.webhooks.allow_private = true;
        c.webhooks.poll_ms = 25;
    })
    .await;
    let (ada, grace, p) = pair(&app).await;
    let (ada_hook, grace_hook) = (
        tandem_tests::receiver::Receiver::start(200, &[]),
        tandem_tests::receiver::Receiver::start(200, &[]),
    );
    for (who, hook) in [(&ada, &ada_hook), (&grace, &grace_hook)] {
        let res = call(
            &app,
            Method::POST,
            "/v1/webhooks",
            who,
            Some(json!({"url": hook.url, "events": ["meeting.scheduled", "meeting.cancelled"]})),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let prefs = ok(
        &app,
        Method::PUT,
        "/v1/me/notifications",
        &ada,
        Some(json!({"webhook": {"meeting_invitation": false}})),
    )
    .await;
    assert_eq!(prefs["webhook"]["meeting_invitation"], false);
    assert_eq!(
        prefs["email"]["meeting_invitation"], true,
        "email untouched"
    );

    let m = schedule(&app, &grace, &p, "2027-03-19T08:00:00Z").await;
    let id = m["id"].as_str().unwrap();
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        &grace,
        Some(json!({"reason": "Offsite"})),
    )
    .await;
    let types = |hook: &tandem_tests::receiver::Receiver| -> Vec<String> {
        hook.received()
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap().to_owned())
            .collect()
    };
    grace_hook.wait_for(2).await;
    // Deliveries are unordered: both may go out in one batch, side by side.
    let mut graces = types(&grace_hook);
    graces.sort();
    assert_eq!(graces, ["meeting.cancelled", "meeting.scheduled"]);
    // Ada's cancellation was queued after the scheduling she muted: once it arrived, the muted
    // one would have been claimed too (and the pause lets a delivery sent beside it land).
    ada_hook.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(types(&ada_hook), ["meeting.cancelled"]);
}

#[tokio::test]
async fn cancelling_a_meeting_announces_meeting_cancelled_with_its_reason() {
    let app = spawn_app_with(|c| {
        c.webhooks.allow_http = true;
        c.webhooks.allow_private = true;
        c.webhooks.poll_ms = 25;
    })
    .await;
    let (ada, grace, p) = pair(&app).await;
    let receiver = tandem_tests::receiver::Receiver::start(200, &[]);
    let res = call(
        &app,
        Method::POST,
        "/v1/webhooks",
        &ada,
        Some(json!({"url": receiver.url, "events": ["meeting.cancelled"]})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m = schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    let id = m["id"].as_str().unwrap();
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        &grace,
        Some(json!({"reason": "Offsite"})),
    )
    .await;
    let event = receiver.wait_for(1).await[0].json();
    assert_eq!(event["type"], "meeting.cancelled");
    assert_eq!(event["data"]["meeting_id"], id);
    assert_eq!(event["data"]["reason"], "Offsite");
    assert_eq!(event["data"]["cancelled_by"], grace.id.as_str());
    assert_eq!(event["data"]["scheduled_at"], "2027-03-19T08:00:00Z");
}

#[tokio::test]
async fn preferences_start_all_on_and_are_replaced_whole_with_if_match() {
    let app = spawn_app().await;
    let ada = app.new_user().await;
    let res = call(&app, Method::GET, "/v1/me/notifications", &ada, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let prefs: Value = res.json().await.unwrap();
    assert_eq!(
        prefs,
        json!({"email": {"meeting_invitation": true, "meeting_cancelled": true, "pre_read": true,
                         "commitment_due": true, "fit_review_due": true, "refresh_due": true,
                         "reading_stale": true, "goal_achieved": true, "milestone_completed": true},
               "webhook": {"meeting_invitation": true, "meeting_cancelled": true, "pre_read": true,
                           "commitment_due": true, "fit_review_due": true, "refresh_due": true,
                           "reading_stale": true, "goal_achieved": true, "milestone_completed": true},
               "quiet_hours": null, "version": 0})
    );
    let res = app
        .authed(Method::PUT, "/v1/me/notifications", &ada.access)
        .header("If-Match", &etag)
        .json(&json!({"email": {"pre_read": false}, "quiet_hours": {"from": "22:00", "until": "07:00"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let now: Value = res.json().await.unwrap();
    assert_eq!(now["email"]["pre_read"], false);
    assert_eq!(now["email"]["meeting_invitation"], true);
    assert_eq!(now["webhook"]["pre_read"], true, "each channel on its own");
    assert_eq!(
        now["quiet_hours"],
        json!({"from": "22:00", "until": "07:00"})
    );
    assert_eq!(now["version"], 1);
    // The old ETag is stale now: nothing changes.
    let res = app
        .authed(Method::PUT, "/v1/me/notifications", &ada.access)
        .header("If-Match", &etag)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let res = call(
        &app,
        Method::PUT,
        "/v1/me/notifications",
        &ada,
        Some(json!({"quiet_hours": {"from": "25:00", "until": "7:00"}})),
    )
    .await;
    let problem = tandem_tests::assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        tandem_tests::pointers(&problem),
        vec!["#/quiet_hours/from", "#/quiet_hours/until"]
    );
    let kept = ok(&app, Method::GET, "/v1/me/notifications", &ada, None).await;
    assert_eq!(kept["version"], 1, "nothing half-written");
}

#[tokio::test]
async fn one_click_unsubscribe_turns_that_kind_off_without_signing_in() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing(smtp.url())).await;
    let (ada, grace, p) = pair(&app).await;
    let m = schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    let mails = smtp.wait_for(2).await;
    let adas = mails.iter().find(|m| to(m) == ada.email).unwrap();
    assert_eq!(
        adas.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = adas.header("List-Unsubscribe").unwrap();
    let url = link.trim_start_matches('<').trim_end_matches('>');
    let path = url
        .strip_prefix("https://tandem.example.com")
        .expect("under TANDEM_PUBLIC_URL");
    // What a mail client sends: no credentials, a form body.
    let res = app
        .request(Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"email_off": "meeting_invitation"})
    );
    let prefs = ok(&app, Method::GET, "/v1/me/notifications", &ada, None).await;
    assert_eq!(prefs["email"]["meeting_invitation"], false);
    // The next change reaches Grace only.
    let id = m["id"].as_str().unwrap();
    ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/reschedule"),
        &grace,
        Some(json!({"scheduled_at": "2027-03-20T08:00:00Z"})),
    )
    .await;
    smtp.wait_for(3).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let later: Vec<String> = smtp.received()[2..].iter().map(to).collect();
    assert_eq!(later, vec![grace.email.clone()]);
    let res = app
        .request(Method::POST, "/v1/unsubscribe/unsub_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn quiet_hours_hold_an_email_until_they_end_in_the_recipients_time_zone() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing(smtp.url())).await;
    let (ada, grace, p) = pair(&app).await;
    let me = ok(&app, Method::GET, "/v1/me", &grace, None).await;
    let zone: chrono_tz::Tz = me["time_zone"].as_str().unwrap().parse().unwrap();
    let local = chrono::Utc::now().with_timezone(&zone);
    let from = (local - chrono::Duration::hours(1))
        .format("%H:%M")
        .to_string();
    let until_local = local + chrono::Duration::hours(2);
    let until = until_local.format("%H:%M").to_string();
    ok(
        &app,
        Method::PUT,
        "/v1/me/notifications",
        &grace,
        Some(json!({"quiet_hours": {"from": from, "until": until}})),
    )
    .await;
    schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let sent: Vec<String> = smtp.received().iter().map(to).collect();
    assert_eq!(sent, vec![ada.email.clone()], "Grace's waits");
    let log = ok(
        &app,
        Method::GET,
        "/v1/me/notifications/deliveries",
        &grace,
        None,
    )
    .await;
    let waiting = &log["items"][0];
    assert_eq!(waiting["status"], "pending");
    assert_eq!(waiting["attempts"], 0);
    let release: chrono::DateTime<chrono::Utc> = waiting["next_attempt_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let expected = until_local
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    assert_eq!(
        release.format("%Y-%m-%dT%H:%M").to_string(),
        expected,
        "when quiet ends"
    );
}

fn subject(mail: &Mail) -> String {
    mail.header("Subject").unwrap_or_default()
}

#[tokio::test]
async fn reminders_reach_whom_they_concern_once_when_things_come_due() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing_and_hooks(smtp.url())).await;
    let (ada, grace, p) = pair(&app).await;
    let receiver = tandem_tests::receiver::Receiver::start(200, &[]);
    let res = call(
        &app,
        Method::POST,
        "/v1/webhooks",
        &grace,
        Some(json!({"url": receiver.url, "events": ["refresh.due"]})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m = schedule(&app, &ada, &p, "2027-03-19T08:00:00Z").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let c = ok(
        &app,
        Method::POST,
        &format!("/v1/meetings/{}/commitments", m["id"].as_str().unwrap()),
        &ada,
        Some(json!({"text": "Call the pilot customers", "due_on": today})),
    )
    .await;
    // A year and a month in: the fit review and the yearly refresh are due too.
    app.backdate_partnership(&p, 13);
    // Two invitations, Ada's commitment, and both partners' fit review and refresh reminders.
    smtp.wait_for(7).await;
    receiver.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let mails = smtp.received();
    let of = |prefix: &str| -> Vec<String> {
        let mut to: Vec<String> = mails
            .iter()
            .filter(|m| subject(m).starts_with(prefix))
            .map(to)
            .collect();
        to.sort();
        to
    };
    let mut both = vec![ada.email.clone(), grace.email.clone()];
    both.sort();
    assert_eq!(
        of("Your Tandem commitment is due"),
        vec![ada.email.clone()],
        "the owner only"
    );
    assert_eq!(of("Fit review with"), both);
    assert_eq!(of("A year on"), both);
    assert_eq!(
        mails.len(),
        7,
        "once each: {:?}",
        mails.iter().map(subject).collect::<Vec<_>>()
    );
    let due = mails
        .iter()
        .find(|m| subject(m).starts_with("Your Tandem commitment"))
        .unwrap();
    let text = due.part("text/plain").unwrap();
    assert!(text.contains("Call the pilot customers"), "{text}");
    assert!(text.contains(&format!("/v1/commitments/{}", c["id"].as_str().unwrap())));
    let events = receiver.received();
    assert_eq!(events.len(), 1, "one refresh.due");
    assert_eq!(events[0].json()["type"], "refresh.due");
    assert_eq!(events[0].json()["partnership_id"], p.as_str());
}

#[tokio::test]
async fn a_goal_waiting_for_its_next_reading_reminds_its_owner_once_until_a_reading_comes() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(mailing_and_hooks(smtp.url())).await;
    let (ada, grace, p) = pair(&app).await;
    let receiver = tandem_tests::receiver::Receiver::start(200, &[]);
    let res = call(
        &app,
        Method::POST,
        "/v1/webhooks",
        &ada,
        Some(json!({"url": receiver.url, "events": ["reading.stale"]})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // Started in January, a reading every 7 days, none yet: overdue at once.
    let goal = app.active_goal(&ada, &p, "Cut churn").await;
    let mails = smtp.wait_for(1).await;
    assert_eq!(to(&mails[0]), ada.email, "the owner is reminded");
    assert!(subject(&mails[0]).starts_with("A Tandem goal is waiting"));
    let text = mails[0].part("text/plain").unwrap();
    assert!(
        text.contains("Cut churn") && text.contains(&format!("/v1/goals/{goal}")),
        "{text}"
    );
    let event = receiver.wait_for(1).await[0].json();
    assert_eq!(event["type"], "reading.stale");
    assert_eq!(event["data"]["goal"]["id"], goal.as_str());
    assert_eq!(event["data"]["last_observed_at"], Value::Null);
    // A reading moves the due date a week on: no new reminder; scans go on, still one of each.
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/readings"),
        &ada,
        Some(json!({"value": 4.0, "observed_at": rfc(chrono::Utc::now())})),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        smtp.received().len(),
        1,
        "once per due date; Grace gets none"
    );
    assert_eq!(receiver.received().len(), 1);
    drop(grace);
}

#[tokio::test]
async fn a_partner_hears_of_a_completed_milestone_and_an_achieved_goal_by_event_and_email() {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |c| {
        mailing(url)(c);
        c.webhooks.allow_http = true;
        c.webhooks.allow_private = true;
        c.webhooks.poll_ms = 25;
    })
    .await;
    let (ada, grace, p) = pair(&app).await;
    let hook = tandem_tests::receiver::Receiver::start(200, &[]);
    let res = call(
        &app,
        Method::POST,
        "/v1/webhooks",
        &grace,
        Some(json!({"url": hook.url, "events": ["goal.achieved", "milestone.completed"]})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let goal = app
        .goal(&ada, &p, &tandem_tests::smart_goal("Cut wait time"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let milestone = ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/milestones"),
        &ada,
        Some(json!({"title": "Pilot team live", "due_date": "2026-03-01"})),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/activate"),
        &ada,
        None,
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/milestones/{milestone}/complete"),
        &ada,
        Some(json!({"completed_on": "2026-02-20"})),
    )
    .await;
    ok(
        &app,
        Method::POST,
        &format!("/v1/goals/{goal}/achieve"),
        &ada,
        None,
    )
    .await;

    // Deliveries are unordered (README, "Webhooks"): both may go out in one batch, side by side.
    let mut events: Vec<Value> = hook.wait_for(2).await.iter().map(|r| r.json()).collect();
    events.sort_by_key(|e| e["type"].as_str().unwrap().to_owned());
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["goal.achieved", "milestone.completed"]);
    assert_eq!(events[1]["data"]["milestone_title"], "Pilot team live");
    assert_eq!(events[1]["data"]["completed_on"], "2026-02-20");
    assert_eq!(events[0]["data"]["goal"]["id"], goal.as_str());

    let mails = smtp.wait_for(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(smtp.received().len(), 2, "the partner only, once each");
    assert!(
        mails.iter().all(|m| to(m) == grace.email),
        "to the partner, not the owner"
    );
    let subjects: Vec<String> = mails.iter().map(|m| m.header("Subject").unwrap()).collect();
    assert!(subjects[0].contains("reached a milestone"), "{subjects:?}");
    assert!(subjects[1].contains("achieved a goal"), "{subjects:?}");
    assert!(
        mails[1]
            .part("text/plain")
            .unwrap()
            .contains("Cut wait time"),
        "the win is named"
    );
}
