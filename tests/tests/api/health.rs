use reqwest::{Method, StatusCode};
use tandem_tests::spawn_app;

#[tokio::test]
async fn healthz_answers_without_credentials() {
    let app = spawn_app().await;
    let res = app.request(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_reports_the_database_reachable() {
    let app = spawn_app().await;
    let res = app.request(Method::GET, "/readyz").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_by_route_template() {
    let app = tandem_tests::spawn_app_with(|c| c.metrics_bind = Some("127.0.0.1:0".into())).await;
    let metrics = app.metrics.clone().expect("a metrics listener");
    let (ada, grace) = (app.new_user().await, app.new_user().await);
    let p = app.partnership(&ada, &grace).await;
    for _ in 0..3 {
        let res = app
            .request(Method::GET, &format!("/v1/partnerships/{p}/scorecard"))
            .bearer_auth(&ada.access)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = app
        .request(
            Method::GET,
            "/v1/partnerships/00000000-0000-7000-8000-000000000000/scorecard",
        )
        .bearer_auth(&ada.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let res = app
        .client
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .to_owned()
    };
    let scorecard = r#"route="/v1/partnerships/{id}/scorecard",method="GET""#;
    assert_eq!(
        line(&format!(
            r#"tandem_http_requests_total{{{scorecard},status="2xx"}}"#
        )),
        format!(r#"tandem_http_requests_total{{{scorecard},status="2xx"}} 3"#),
        "counted by route template, never by raw path"
    );
    assert!(
        line(&format!(
            r#"tandem_http_requests_total{{{scorecard},status="4xx"}}"#
        ))
        .ends_with(" 1")
    );
    assert!(
        line(&format!(
            r#"tandem_http_request_duration_seconds_count{{{scorecard},status="2xx"}}"#
        ))
        .ends_with(" 3")
    );
    assert!(!text.contains(&p), "no ids in labels");
    for family in [
        "tandem_db_connections_in_use ",
        "tandem_db_connections_idle ",
        "tandem_db_pool_wait_seconds_count ",
        "tandem_db_statements_total ",
        "tandem_blocking_hops_total ",
        "tandem_webhook_queue_depth 0",
        "tandem_changes_feed_lag_seconds ",
        "tandem_rollup_readings_summed_total ",
    ] {
        line(family);
    }
    // The API's own listener does not serve them.
    let res = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn no_metrics_listener_unless_configured() {
    let app = spawn_app().await;
    assert!(app.metrics.is_none());
}
