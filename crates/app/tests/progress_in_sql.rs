//! Progress and scorecards are computed from the database's aggregates of each goal's readings
//! (one statement for all goals, whatever their number of readings): these specifications hold
//! them to the in-memory math they replace, across daylight-saving changes and edge cases, and to
//! their statement budget. SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set.

#[allow(dead_code)]
mod support;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use support::{smart_goal, world};
use tandem_app::partnerships::{self, Invitation};
use tandem_app::readings::{self, Inserted, NewReading};
use tandem_app::{Actor, goals, progress};
use tandem_domain::goal::{Direction, GoalStatus};
use tandem_domain::partnership::PartnershipAction;
use tandem_domain::progress::{ProgressReport, Reading, StatusThresholds};
use tandem_store::testing::StatementCounter;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn new_reading(value: f64, observed_at: DateTime<Utc>) -> NewReading {
    NewReading {
        value,
        observed_at,
        note: None,
        source: None,
        external_id: None,
    }
}

/// A partnership in `zone` between two new people; (owner, partner, partnership id).
async fn pair_in(w: &support::World, zone: &str) -> (Actor, Actor, String) {
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let (a, b, zone) = (ada.clone(), grace.clone(), zone.to_owned());
    let p = w
        .app
        .write(move |tx| {
            let invite = Invitation {
                invitee_email: b.email.clone(),
                time_zone: Some(zone),
                ..Invitation::default()
            };
            let p = partnerships::create(tx, &a, invite)?;
            partnerships::transition(tx, &b, &p.id, PartnershipAction::Accept)?;
            Ok(p.id)
        })
        .await
        .unwrap();
    (ada, grace, p)
}

/// An active goal of `owner` running `direction` from 12 to 9.6 (or holding 9.6).
async fn goal(w: &support::World, owner: &Actor, p: &str, direction: Direction) -> String {
    let mut doc = smart_goal("Cut wait time");
    if let Some(metric) = doc.metric.as_mut() {
        metric.direction = Some(direction);
    }
    let (owner, p) = (owner.clone(), p.to_owned());
    w.app
        .write(move |tx| {
            let g = goals::create(tx, &owner, &p, &doc, &[])?;
            goals::change_status(tx, &owner, &g.goal.id, GoalStatus::Active)?;
            Ok(g.goal.id)
        })
        .await
        .unwrap()
}

/// Records every reading; returns their ids in order.
async fn record(
    w: &support::World,
    owner: &Actor,
    goal: &str,
    items: Vec<NewReading>,
) -> Vec<String> {
    let (owner, goal) = (owner.clone(), goal.to_owned());
    w.app
        .write(move |tx| {
            let mut ids = Vec::new();
            for item in &items {
                match readings::record(tx, &owner, &goal, item)? {
                    Inserted::Created(r) | Inserted::Existing(r) => ids.push(r.id),
                }
            }
            Ok(ids)
        })
        .await
        .unwrap()
}

/// The same report computed the old way: every live reading loaded and handed to the domain.
async fn in_memory(
    w: &support::World,
    owner: &Actor,
    goal: &str,
    as_of: DateTime<Utc>,
) -> ProgressReport {
    let (owner, goal) = (owner.clone(), goal.to_owned());
    w.app
        .read(move |tx| {
            let (g, p) = goals::visible(tx, &owner, &goal)?;
            let plan = progress::plan_of(&g, &tandem_store::goals::milestones_of(tx.conn, &g.id)?)?;
            let tz: chrono_tz::Tz = p.time_zone.parse().unwrap();
            let series: Vec<Reading> =
                tandem_store::readings::series(tx.conn, &g.id, as_of.naive_utc())?
                    .into_iter()
                    .map(|(value, t)| Reading {
                        value,
                        observed_at: t.and_utc().with_timezone(&tz).naive_local(),
                    })
                    .collect();
            let local_as_of = as_of.with_timezone(&tz).naive_local();
            let thresholds = StatusThresholds::new(p.on_track_gap, p.at_risk_gap).unwrap();
            Ok(tandem_domain::progress::progress(
                &plan,
                &series,
                local_as_of,
                thresholds,
            ))
        })
        .await
        .unwrap()
}

async fn from_sql(
    w: &support::World,
    owner: &Actor,
    goal: &str,
    as_of: DateTime<Utc>,
) -> ProgressReport {
    let (owner, goal) = (owner.clone(), goal.to_owned());
    w.app
        .read(move |tx| progress::goal_progress(tx, &owner, &goal, Some(as_of)))
        .await
        .unwrap()
        .report
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Equal except for the last bits of sums the database adds up in its own order.
fn assert_same(sql: &ProgressReport, memory: &ProgressReport, what: &str) {
    assert_eq!(sql.current, memory.current, "{what}: current");
    assert_eq!(
        sql.current_observed_at, memory.current_observed_at,
        "{what}: when"
    );
    assert_eq!(sql.progress, memory.progress, "{what}: progress");
    assert_eq!(sql.expected, memory.expected, "{what}: expected");
    assert_eq!(sql.status, memory.status, "{what}: status");
    assert_eq!(sql.staleness, memory.staleness, "{what}: staleness");
    assert_eq!(sql.explanation, memory.explanation, "{what}: explanation");
    match (&sql.forecast, &memory.forecast) {
        (None, None) => {}
        (Some(s), Some(m)) => {
            assert_eq!(s.readings_used, m.readings_used, "{what}: readings used");
            assert!(
                close(s.current_rate, m.current_rate),
                "{what}: rate {s:?} vs {m:?}"
            );
            assert!(
                close(s.projected_value_at_due, m.projected_value_at_due),
                "{what}: projection {s:?} vs {m:?}"
            );
            assert_eq!(s.required_rate, m.required_rate, "{what}: required rate");
            assert_eq!(s.schedule_days, m.schedule_days, "{what}: schedule");
            let days = |d: Option<NaiveDate>| d.map(|d| d.num_days_from_ce());
            assert!(
                days(s.projected_hit_date)
                    .zip(days(m.projected_hit_date))
                    .is_none_or(|(a, b)| (a - b).abs() <= 1),
                "{what}: hit date {s:?} vs {m:?}"
            );
        }
        other => panic!("{what}: forecast differs: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn database_aggregates_give_the_same_progress_as_the_readings_themselves_across_dst() {
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, _grace, p) = pair_in(&w, "Europe/London").await;
    let decrease = goal(&w, &ada, &p, Direction::Decrease).await;
    let mut items = vec![
        // Before the start (local 2025-12-31 23:59:59.5): outside the keep-level period, in the line.
        new_reading(
            12.4,
            at(2025, 12, 31, 23, 59, 59) + chrono::Duration::milliseconds(500),
        ),
        new_reading(11.9, at(2026, 1, 15, 9, 0, 0)),
        // Two at the same instant: the one recorded last is the latest.
        new_reading(11.5, at(2026, 3, 28, 23, 30, 0)),
        // 23:30 UTC after the clocks go forward is 00:30 the next local day.
        new_reading(11.2, at(2026, 3, 29, 23, 30, 0)),
        new_reading(10.9, at(2026, 5, 20, 23, 30, 0)),
        new_reading(10.7, at(2026, 5, 20, 23, 30, 0)),
    ];
    let ids = record(&w, &ada, &decrease, items.clone()).await;
    // A deleted reading leaves the math.
    let (owner, gone) = (ada.clone(), ids[1].clone());
    w.app
        .write(move |tx| readings::delete(tx, &owner, &gone, None, None))
        .await
        .unwrap();
    for as_of in [
        at(2025, 12, 31, 12, 0, 0),
        at(2026, 1, 10, 0, 0, 0),
        at(2026, 3, 29, 0, 59, 59),
        at(2026, 3, 30, 0, 0, 0),
        at(2026, 5, 20, 23, 30, 0),
        at(2026, 6, 1, 12, 0, 0),
    ] {
        let (sql, memory) = (
            from_sql(&w, &ada, &decrease, as_of).await,
            in_memory(&w, &ada, &decrease, as_of).await,
        );
        assert_same(&sql, &memory, &format!("decrease at {as_of}"));
    }
    let latest = from_sql(&w, &ada, &decrease, at(2026, 6, 1, 12, 0, 0)).await;
    assert_eq!(
        latest.current,
        Some(10.7),
        "the later of two simultaneous readings"
    );
    assert_eq!(latest.forecast.as_ref().map(|f| f.readings_used), Some(5));

    // A keep-a-level goal counts readings in its period on the right side of the target.
    let level = goal(&w, &ada, &p, Direction::AtMost).await;
    items
        .iter_mut()
        .enumerate()
        .for_each(|(i, r)| r.value = 9.0 + i as f64 * 0.3);
    record(&w, &ada, &level, items).await;
    let (sql, memory) = (
        from_sql(&w, &ada, &level, at(2026, 6, 1, 12, 0, 0)).await,
        in_memory(&w, &ada, &level, at(2026, 6, 1, 12, 0, 0)).await,
    );
    assert_same(&sql, &memory, "at most");
    assert_eq!(
        sql.explanation.computation, "2 / 5",
        "9.3, 9.6 hold the level; the early one is outside"
    );
}

/// Values in the trillions that barely move: the database takes them relative to the baseline
/// before it adds anything up, so its line is the in-memory one instead of cancelling to noise
/// (`sum(x*y) - sum(x)*sum(y)/n` over raw values of 1e12 keeps no digit of a 2.5 step).
#[tokio::test(flavor = "multi_thread")]
async fn large_values_that_barely_move_give_the_same_line_in_sql_as_in_memory() {
    let w = world();
    w.clock.set(at(2026, 12, 1, 12, 0, 0));
    // A zone without daylight saving, so local days are UTC's shifted and the slope is exact.
    let (ada, _grace, p) = pair_in(&w, "Asia/Tokyo").await;
    let baseline = 1.0e12;
    let mut doc = smart_goal("Grow the book");
    if let Some(metric) = doc.metric.as_mut() {
        metric.direction = Some(Direction::Increase);
        metric.baseline = Some(baseline);
        metric.target = Some(baseline + 1000.0);
    }
    doc.due_date = NaiveDate::from_ymd_opt(2026, 12, 31);
    let (owner, partnership) = (ada.clone(), p.clone());
    let g = w
        .app
        .write(move |tx| {
            let g = goals::create(tx, &owner, &partnership, &doc, &[])?;
            goals::change_status(tx, &owner, &g.goal.id, GoalStatus::Active)?;
            Ok(g.goal.id)
        })
        .await
        .unwrap();
    let items = (0..500)
        .map(|k| {
            let noise = if k % 3 == 0 { 0.75 } else { -0.25 };
            new_reading(
                baseline + 2.5 * k as f64 + noise,
                at(2026, 1, 1, 0, 0, 0) + chrono::Duration::hours(9 * k),
            )
        })
        .collect();
    record(&w, &ada, &g, items).await;
    let as_of = at(2026, 12, 1, 12, 0, 0);
    let sql = from_sql(&w, &ada, &g, as_of).await;
    assert_same(&sql, &in_memory(&w, &ada, &g, as_of).await, "large values");
    let rate = sql
        .forecast
        .expect("a line through 500 readings")
        .current_rate;
    assert!(
        (rate - 2.5 * 24.0 / 9.0).abs() < 1e-3,
        "2.5 per 9 hours: {rate}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readings_on_one_local_day_give_no_forecast_even_when_utc_dates_differ() {
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, _grace, p) = pair_in(&w, "America/New_York").await;
    let g = goal(&w, &ada, &p, Direction::Decrease).await;
    // 2026-04-01 22:00 and 2026-04-02 03:00 UTC are both 1 April in New York.
    record(
        &w,
        &ada,
        &g,
        vec![
            new_reading(11.0, at(2026, 4, 1, 22, 0, 0)),
            new_reading(10.0, at(2026, 4, 2, 3, 0, 0)),
        ],
    )
    .await;
    let sql = from_sql(&w, &ada, &g, at(2026, 6, 1, 12, 0, 0)).await;
    assert!(sql.forecast.is_none(), "one local day: {:?}", sql.forecast);
    assert_same(
        &sql,
        &in_memory(&w, &ada, &g, at(2026, 6, 1, 12, 0, 0)).await,
        "one day",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scorecard_summarises_each_goal_alone_beside_a_goal_without_readings_and_a_busy_draft() {
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, _grace, p) = pair_in(&w, "Europe/Berlin").await;
    let read = goal(&w, &ada, &p, Direction::Decrease).await;
    let unread = goal(&w, &ada, &p, Direction::Decrease).await;
    // A draft takes readings but stays off the card; its many readings must not reach it.
    let draft = {
        let (owner, p) = (ada.clone(), p.clone());
        w.app
            .write(move |tx| {
                Ok(goals::create(tx, &owner, &p, &smart_goal("Draft"), &[])?
                    .goal
                    .id)
            })
            .await
            .unwrap()
    };
    let day = |k: i64| at(2026, 2, 1, 9, 0, 0) + chrono::Duration::days(k);
    record(
        &w,
        &ada,
        &read,
        (0..3)
            .map(|k| new_reading(10.0 * (k + 1) as f64, day(k)))
            .collect(),
    )
    .await;
    record(
        &w,
        &ada,
        &draft,
        (0..200).map(|k| new_reading(1e6, day(k % 100))).collect(),
    )
    .await;
    let (actor, pid) = (ada.clone(), p.clone());
    let card = w
        .app
        .read(move |tx| progress::partnership_scorecard(tx, &actor, &pid, None))
        .await
        .unwrap();
    let lines: Vec<_> = card.partners.iter().flat_map(|c| c.goals.iter()).collect();
    assert_eq!(lines.len(), 2, "the two active goals, not the draft");
    let line = |id: &str| lines.iter().find(|l| l.goal_id == id).unwrap();
    assert_eq!(line(&read).latest_value, Some(30.0));
    assert_eq!(line(&read).latest_observed_at, Some(day(2)));
    assert_eq!(
        line(&unread).latest_value,
        None,
        "no readings: no latest value"
    );
    assert_eq!(line(&unread).latest_observed_at, None);
    let sql = from_sql(&w, &ada, &read, at(2026, 6, 1, 12, 0, 0)).await;
    let memory = in_memory(&w, &ada, &read, at(2026, 6, 1, 12, 0, 0)).await;
    assert_same(
        &sql,
        &memory,
        "a goal beside an unread goal and a busy draft",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scorecard_costs_the_same_statements_with_ten_readings_or_a_thousand() {
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, grace, p) = pair_in(&w, "Europe/Berlin").await;
    let goals = [
        goal(&w, &ada, &p, Direction::Decrease).await,
        goal(&w, &grace, &p, Direction::AtLeast).await,
    ];
    let count = |readings: usize| {
        let (w, ada, p) = (&w, ada.clone(), p.clone());
        async move {
            let (actor, p) = (ada.clone(), p.clone());
            w.app
                .read(move |tx| {
                    let counter = StatementCounter::install(tx.conn);
                    let card = progress::partnership_scorecard(tx, &actor, &p, None)?;
                    let scorecard = counter.take();
                    let session = tandem_store::sessions::live_user(
                        tx.conn,
                        uuid::Uuid::parse_str(&actor.id).unwrap(),
                        uuid::Uuid::now_v7(),
                    )?;
                    assert!(session.is_none());
                    let auth = counter.take();
                    let lines: usize = card.partners.iter().map(|c| c.goals.len()).sum();
                    assert_eq!(lines, 2, "{readings} readings: both goals on the card");
                    Ok((scorecard, auth))
                })
                .await
                .unwrap()
        }
    };
    let few = count(0).await;
    for (i, g) in goals.iter().enumerate() {
        let owner = if i == 0 { &ada } else { &grace };
        let items = (0..500)
            .map(|k| {
                new_reading(
                    10.0 + k as f64 / 100.0,
                    at(2026, 1, 2, 0, 0, 0) + chrono::Duration::hours(6 * k),
                )
            })
            .collect();
        record(&w, owner, g, items).await;
    }
    let many = count(1000).await;
    assert_eq!(few, many, "the statement count does not grow with readings");
    assert_eq!(
        few.0, 3,
        "partnership with names, goals with milestones, aggregates"
    );
    assert_eq!(few.1, 1, "authentication is one statement");
}

#[tokio::test(flavor = "multi_thread")]
async fn readings_at_the_edge_of_a_local_day_in_a_half_hour_zone_report_the_same() {
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, _grace, p) = pair_in(&w, "Asia/Kolkata").await;
    let g = goal(&w, &ada, &p, Direction::Decrease).await;
    let items = (0..40)
        .map(|k| {
            new_reading(
                12.0 - k as f64 * 0.05,
                at(2026, 1, 1, 18, 29, 59) + chrono::Duration::days(3 * k),
            )
        })
        .collect();
    record(&w, &ada, &g, items).await;
    for as_of in [
        at(2026, 2, 1, 0, 0, 0),
        at(2026, 4, 30, 18, 30, 0),
        at(2026, 6, 1, 0, 0, 0),
    ] {
        assert_same(
            &from_sql(&w, &ada, &g, as_of).await,
            &in_memory(&w, &ada, &g, as_of).await,
            &format!("kolkata at {as_of}"),
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn recording_a_reading_costs_three_statements_when_no_webhook_listens() {
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, _grace, p) = pair_in(&w, "Europe/Berlin").await;
    let g = goal(&w, &ada, &p, Direction::Decrease).await;
    let (actor, goal_id) = (ada.clone(), g.clone());
    let statements = w
        .app
        .write(move |tx| {
            let counter = StatementCounter::install(tx.conn);
            readings::record(
                tx,
                &actor,
                &goal_id,
                &new_reading(11.0, at(2026, 5, 1, 9, 0, 0)),
            )?;
            Ok(counter.take())
        })
        .await
        .unwrap();
    assert_eq!(
        statements, 3,
        "goal with partnership (locked), reading, change log"
    );
    let listed = w
        .app
        .read(move |tx| readings::list(tx, &ada, &g, &Default::default(), None, 10))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
}

/// How many statements this connection keeps prepared for the readings' aggregate.
fn kept_aggregates(conn: &mut tandem_store::DbConnection) -> i64 {
    tandem_store::testing::kept_statements(conn, "local_offsets").expect("PostgreSQL")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_present_scorecard_keeps_its_aggregate_prepared_and_a_past_one_does_not() {
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        // SQLite shows no connection's kept statements; PostgreSQL's view is the evidence.
        return;
    }
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, _grace, p) = pair_in(&w, "Europe/Berlin").await;
    goal(&w, &ada, &p, Direction::Decrease).await;
    let kept = w
        .app
        .read(move |tx| {
            let mut counts = vec![kept_aggregates(tx.conn)];
            progress::partnership_scorecard(tx, &ada, &p, None)?;
            counts.push(kept_aggregates(tx.conn));
            progress::partnership_scorecard(tx, &ada, &p, None)?;
            counts.push(kept_aggregates(tx.conn));
            // Last winter: fewer of Berlin's changes apply, a text of its own, not kept.
            progress::partnership_scorecard(tx, &ada, &p, Some(at(2025, 12, 1, 0, 0, 0)))?;
            counts.push(kept_aggregates(tx.conn));
            Ok(counts)
        })
        .await
        .unwrap();
    assert_eq!(
        kept,
        vec![0, 1, 1, 1],
        "kept once, reused, the past one not kept"
    );
}

/// Rolls up `goal`'s readings now, days counted in `zone`: how many readings the roll-up holds,
/// how many it summed this time, and whether it was summed afresh rather than extended.
async fn roll_up(w: &support::World, goal: &str, zone: &str) -> (i64, usize, bool) {
    let (goal, zone) = (goal.to_owned(), zone.to_owned());
    match w
        .app
        .write(move |tx| tandem_app::jobs::rollups::roll_up(tx, &goal, &zone))
        .await
        .unwrap()
    {
        tandem_store::rollups::Rolled::Holds {
            readings,
            summed,
            afresh,
        } => (readings, summed, afresh),
        busy => panic!("nothing else rolls up: {busy:?}"),
    }
}

/// Runs `sql` on the world's database (a test reaching past the use cases).
async fn execute(w: &support::World, sql: &'static str) -> usize {
    w.app
        .write(move |tx| Ok(tandem_store::testing::execute(tx.conn, sql)))
        .await
        .unwrap()
}

/// Whether the scorecard's figures at `as_of` come from `goal`'s roll-up: shifting the roll-up's
/// mean value and its count of readings in the period moves the forecast (or a keep-a-level
/// goal's share on target) only if it is read. Shifted back before returning.
async fn reads_roll_up(
    w: &support::World,
    owner: &Actor,
    goal: &str,
    as_of: DateTime<Utc>,
) -> bool {
    let figures = |r: ProgressReport| {
        assert!(
            r.forecast.is_some() || r.progress.is_some(),
            "figures to move"
        );
        (
            r.forecast.map(|f| f.projected_value_at_due),
            r.explanation.computation,
        )
    };
    let before = figures(from_sql(w, owner, goal, as_of).await);
    execute(
        w,
        "UPDATE goal_rollups SET mean_y = mean_y + 1000, in_period = in_period + 1000",
    )
    .await;
    let shifted = figures(from_sql(w, owner, goal, as_of).await);
    execute(
        w,
        "UPDATE goal_rollups SET mean_y = mean_y - 1000, in_period = in_period - 1000",
    )
    .await;
    shifted != before
}

/// A goal of readings on both sides of both daylight-saving changes, some before its start.
fn history() -> Vec<NewReading> {
    (0..40)
        .map(|k| {
            new_reading(
                12.5 - 0.05 * k as f64 + if k % 4 == 0 { 0.3 } else { 0.0 },
                at(2025, 12, 20, 23, 30, 0) + chrono::Duration::hours(173 * k),
            )
        })
        .collect()
}

/// A world at 2026-06-01 12:00 UTC with a goal of `direction` in a London partnership holding
/// the part of [`history`] observed by then; (world, owner, goal, its readings' ids in order).
async fn london_goal_with_history(
    direction: Direction,
) -> (support::World, Actor, String, Vec<String>) {
    let w = world();
    w.clock.set(at(2026, 6, 1, 12, 0, 0));
    let (ada, _grace, p) = pair_in(&w, "Europe/London").await;
    let g = goal(&w, &ada, &p, direction).await;
    let readings: Vec<NewReading> = history()
        .into_iter()
        .filter(|r| r.observed_at <= at(2026, 6, 1, 12, 0, 0))
        .collect();
    let ids = record(&w, &ada, &g, readings).await;
    (w, ada, g, ids)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolled_up_goal_gives_the_same_progress_as_its_readings_summed_in_full() {
    let (w, ada, g, ids) = london_goal_with_history(Direction::Decrease).await;
    let count = ids.len() as i64;
    assert_eq!(
        roll_up(&w, &g, "Europe/London").await,
        (count, ids.len(), true)
    );
    let past = [
        at(2025, 12, 31, 12, 0, 0),
        at(2026, 3, 29, 0, 59, 59),
        at(2026, 5, 31, 0, 0, 0),
    ];
    let since = [at(2026, 6, 1, 12, 0, 0), at(2026, 6, 2, 0, 0, 0)];
    for as_of in past.iter().chain(&since) {
        let sql = from_sql(&w, &ada, &g, *as_of).await;
        assert_same(
            &sql,
            &in_memory(&w, &ada, &g, *as_of).await,
            &format!("at {as_of}"),
        );
    }

    // Readings recorded since sum beside the roll-up: a new one and one back-filled into March.
    w.clock.set(at(2026, 6, 10, 12, 0, 0));
    record(
        &w,
        &ada,
        &g,
        vec![
            new_reading(10.1, at(2026, 6, 5, 8, 0, 0)),
            new_reading(13.0, at(2026, 3, 29, 0, 30, 0)),
        ],
    )
    .await;
    for as_of in [at(2026, 6, 1, 12, 0, 0), at(2026, 6, 10, 12, 0, 0)] {
        let sql = from_sql(&w, &ada, &g, as_of).await;
        assert_same(
            &sql,
            &in_memory(&w, &ada, &g, as_of).await,
            &format!("tail at {as_of}"),
        );
        assert!(
            reads_roll_up(&w, &ada, &g, as_of).await,
            "roll-up read at {as_of}"
        );
    }
    // Before the roll-up's instant, its readings might not all have been observed yet.
    assert!(!reads_roll_up(&w, &ada, &g, at(2026, 5, 31, 0, 0, 0)).await);

    // Rolling up again adds the tail's sums to the roll-up's: only the tail is summed.
    assert_eq!(
        roll_up(&w, &g, "Europe/London").await,
        (count + 2, 2, false)
    );
    let now = at(2026, 6, 10, 12, 0, 0);
    assert_same(
        &from_sql(&w, &ada, &g, now).await,
        &in_memory(&w, &ada, &g, now).await,
        "rolled twice",
    );
    assert!(reads_roll_up(&w, &ada, &g, now).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_correction_or_deletion_sets_a_roll_up_aside_until_it_is_redone() {
    let now = at(2026, 6, 1, 12, 0, 0);
    let (w, ada, g, ids) = london_goal_with_history(Direction::Decrease).await;
    roll_up(&w, &g, "Europe/London").await;
    assert!(reads_roll_up(&w, &ada, &g, now).await);
    let check = |what: &'static str| {
        let (w, ada, g) = (&w, &ada, &g);
        async move {
            assert_same(
                &from_sql(w, ada, g, now).await,
                &in_memory(w, ada, g, now).await,
                what,
            );
        }
    };

    let (owner, id) = (ada.clone(), ids[3].clone());
    w.app
        .write(move |tx| {
            let fix = readings::Correction {
                value: Some(99.0),
                ..Default::default()
            };
            readings::correct(tx, &owner, &id, None, fix)
        })
        .await
        .unwrap();
    check("corrected value").await;
    assert!(
        !reads_roll_up(&w, &ada, &g, now).await,
        "stale after a correction"
    );
    assert!(roll_up(&w, &g, "Europe/London").await.2, "summed afresh");
    check("corrected value, rolled up again").await;
    assert!(reads_roll_up(&w, &ada, &g, now).await);

    let (owner, id) = (ada.clone(), ids[5].clone());
    w.app
        .write(move |tx| readings::delete(tx, &owner, &id, None, None))
        .await
        .unwrap();
    check("deleted").await;
    assert!(
        !reads_roll_up(&w, &ada, &g, now).await,
        "stale after a deletion"
    );

    // A rolled reading moved to a later day; the roll-up, redone, still matches.
    let (owner, id) = (ada.clone(), ids[0].clone());
    w.app
        .write(move |tx| {
            let fix = readings::Correction {
                observed_at: Some(at(2026, 5, 30, 22, 0, 0)),
                ..Default::default()
            };
            readings::correct(tx, &owner, &id, None, fix)
        })
        .await
        .unwrap();
    check("moved").await;
    roll_up(&w, &g, "Europe/London").await;
    check("moved, rolled up again").await;
    assert!(reads_roll_up(&w, &ada, &g, now).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_start_target_or_time_zone_sets_a_roll_up_aside() {
    let now = at(2026, 6, 1, 12, 0, 0);
    let (w, ada, g, _ids) = london_goal_with_history(Direction::AtMost).await;
    let changes: [(&str, &'static str, &str); 4] = [
        ("target", "UPDATE goals SET target = 11.0", "Europe/London"),
        (
            "baseline",
            "UPDATE goals SET baseline = 13.5",
            "Europe/London",
        ),
        (
            "start",
            "UPDATE goals SET start_date = '2026-02-01'",
            "Europe/London",
        ),
        (
            "zone",
            "UPDATE partnerships SET time_zone = 'Pacific/Chatham'",
            "Pacific/Chatham",
        ),
    ];
    let mut zone = "Europe/London";
    for (what, change, new_zone) in changes {
        roll_up(&w, &g, zone).await;
        assert!(reads_roll_up(&w, &ada, &g, now).await, "{what}: rolled up");
        execute(&w, change).await;
        zone = new_zone;
        assert!(!reads_roll_up(&w, &ada, &g, now).await, "{what}: set aside");
        assert_same(
            &from_sql(&w, &ada, &g, now).await,
            &in_memory(&w, &ada, &g, now).await,
            what,
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn goals_fall_due_for_a_roll_up_by_readings_recorded_since_or_a_roll_up_set_aside() {
    use tandem_app::jobs::rollups::roll_up_due;
    let w = world();
    let now = at(2026, 6, 1, 12, 0, 0);
    w.clock.set(now);
    let (ada, _grace, p) = pair_in(&w, "Europe/London").await;
    let g = goal(&w, &ada, &p, Direction::Decrease).await;
    let min = tandem_app::Settings::default().rollups.min_unrolled as i64;
    let reading = |k: i64| new_reading(12.0 - k as f64 * 0.01, now - chrono::Duration::hours(k));
    let ids = record(&w, &ada, &g, (1..min).map(reading).collect()).await;
    // One short of the mark; readings still to be observed do not count.
    record(
        &w,
        &ada,
        &g,
        vec![new_reading(1.0, now + chrono::Duration::seconds(30))],
    )
    .await;
    assert_eq!(roll_up_due(&w.app).await.unwrap().rolled, 0);
    record(&w, &ada, &g, vec![reading(min)]).await;
    assert_eq!(roll_up_due(&w.app).await.unwrap().rolled, 1);
    assert_eq!(roll_up_due(&w.app).await.unwrap().rolled, 0, "nothing new");
    assert!(reads_roll_up(&w, &ada, &g, now).await);

    let (owner, id) = (ada.clone(), ids[0].clone());
    w.app
        .write(move |tx| readings::delete(tx, &owner, &id, None, None))
        .await
        .unwrap();
    assert_eq!(roll_up_due(&w.app).await.unwrap().rolled, 1, "stale");
    execute(&w, "UPDATE partnerships SET time_zone = 'Asia/Kolkata'").await;
    assert_eq!(roll_up_due(&w.app).await.unwrap().rolled, 1, "another zone");
    assert_eq!(roll_up_due(&w.app).await.unwrap().rolled, 0);
    assert!(reads_roll_up(&w, &ada, &g, now).await);
    assert_same(
        &from_sql(&w, &ada, &g, now).await,
        &in_memory(&w, &ada, &g, now).await,
        "rolled by the job",
    );

    // Roll-ups made under other rules of their zone (another build's data) are set aside.
    execute(&w, "UPDATE goal_rollups SET zone_rules = 'older'").await;
    assert!(!reads_roll_up(&w, &ada, &g, now).await);
    let marked = tandem_app::jobs::rollups::mark_outdated_zone_rules(&w.app).await;
    assert_eq!(marked.unwrap(), 1);
    assert_eq!(roll_up_due(&w.app).await.unwrap().rolled, 1);
    assert!(reads_roll_up(&w, &ada, &g, now).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn roll_ups_beside_concurrent_readings_and_corrections_hold_exactly_the_readings_they_mark() {
    let now = at(2026, 6, 1, 12, 0, 0);
    let (w, ada, g, ids) = london_goal_with_history(Direction::Decrease).await;
    let mut tasks = tokio::task::JoinSet::new();
    for (k, id) in ids.iter().take(12).enumerate() {
        let (app, owner, goal, id) = (w.app.clone(), ada.clone(), g.clone(), id.clone());
        tasks.spawn(async move {
            match k % 3 {
                0 => app
                    .write(move |tx| tandem_app::jobs::rollups::roll_up(tx, &goal, "Europe/London"))
                    .await
                    .map(|_| ()),
                1 => {
                    app.write(move |tx| {
                        let fix = readings::Correction {
                            value: Some(20.0 + k as f64),
                            ..Default::default()
                        };
                        readings::correct(tx, &owner, &id, None, fix).map(|_| ())
                    })
                    .await
                }
                _ => {
                    let at = now - chrono::Duration::minutes(k as i64);
                    app.write(move |tx| {
                        readings::record(tx, &owner, &goal, &new_reading(5.0 + k as f64, at))
                            .map(|_| ())
                    })
                    .await
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    // Whatever the order, the roll-up left behind is either set aside or exactly right; one
    // more round makes it hold everything.
    assert_same(
        &from_sql(&w, &ada, &g, now).await,
        &in_memory(&w, &ada, &g, now).await,
        "after the race",
    );
    roll_up(&w, &g, "Europe/London").await;
    assert!(reads_roll_up(&w, &ada, &g, now).await);
    assert_same(
        &from_sql(&w, &ada, &g, now).await,
        &in_memory(&w, &ada, &g, now).await,
        "rolled up after the race",
    );
}
