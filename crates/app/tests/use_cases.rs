//! The use cases as specifications, called directly on a database (SQLite by default, PostgreSQL
//! when `TEST_DATABASE_URL` is set): who may do what, which rule refuses what, and that each
//! check and its write are one transaction.

// Test scaffolding may read the wall clock; the use cases never do (they get the test's clock).
#![allow(clippy::disallowed_methods)]

mod support;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use serde_json::json;
use support::{smart_goal, world};
use tandem_app::goals;
use tandem_app::readings::{self, Inserted, NewReading};
use tandem_app::{AppError, Rule, Tx, identity, meetings, partnerships};
use tandem_domain::goal::ChangeState;
use tandem_domain::goal::GoalStatus;
use tandem_domain::partnership::PartnershipAction;

fn reading(value: f64, day: u32) -> NewReading {
    NewReading {
        value,
        observed_at: Utc.with_ymd_and_hms(2026, 2, day, 9, 0, 0).unwrap(),
        note: None,
        source: None,
        external_id: None,
    }
}

fn refused_by(result: Result<impl std::fmt::Debug, AppError>) -> Rule {
    match result {
        Err(AppError::Refused { rule, .. }) => rule,
        other => panic!("expected a named refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sixth_active_goal_is_refused_by_the_goal_limit_rule() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    for n in 1..=5 {
        w.active_goal(&ada, &p, &format!("Goal {n}")).await;
    }
    let (actor, pid) = (ada.clone(), p.clone());
    let sixth = w
        .app
        .write(move |tx| {
            let g = goals::create(tx, &actor, &pid, &smart_goal("Goal 6"), &[])?;
            Ok(g.goal.id)
        })
        .await
        .unwrap();
    let result = w
        .app
        .write(move |tx| goals::change_status(tx, &ada, &sixth, GoalStatus::Active))
        .await;
    assert_eq!(refused_by(result), Rule::GoalLimitReached);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_owner_records_readings_and_an_outsider_finds_nothing() {
    let w = world();
    let (ada, grace, eve) = (
        w.person("Ada").await,
        w.person("Grace").await,
        w.person("Eve").await,
    );
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;

    let g = goal.clone();
    let by_partner = w
        .app
        .write(move |tx| readings::record(tx, &grace, &g, &reading(11.0, 1)))
        .await;
    assert_eq!(refused_by(by_partner), Rule::OwnerOnly);

    let (g, outsider) = (goal.clone(), eve.clone());
    let by_outsider = w
        .app
        .write(move |tx| readings::record(tx, &outsider, &g, &reading(11.0, 1)))
        .await;
    assert!(
        matches!(by_outsider, Err(AppError::NotFound)),
        "{by_outsider:?}"
    );
    let (g, outsider) = (goal.clone(), eve.clone());
    let seen = w.app.read(move |tx| goals::get(tx, &outsider, &g)).await;
    assert!(matches!(seen, Err(AppError::NotFound)), "{seen:?}");
    let scheduled = w
        .app
        .write(move |tx| meetings::schedule(tx, &eve, &p, &Default::default()))
        .await;
    assert!(
        matches!(scheduled, Err(AppError::NotFound)),
        "{scheduled:?}"
    );

    let recorded = w
        .app
        .write(move |tx| readings::record(tx, &ada, &goal, &reading(11.0, 1)))
        .await
        .unwrap();
    assert!(matches!(recorded, Inserted::Created(_)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reading_from_after_the_clock_is_refused_whatever_the_wall_clock_says() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;
    // The app's clock says 2026-02-10: a reading of 2026-02-20 is in its future, although the
    // machine's clock is far later.
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 2, 10, 9, 0, 0).unwrap());
    let (actor, g) = (ada.clone(), goal.clone());
    let future = w
        .app
        .write(move |tx| readings::record(tx, &actor, &g, &reading(10.0, 20)))
        .await;
    match future {
        Err(AppError::Invalid(issues)) => {
            assert_eq!(issues[0].pointer, "/observed_at");
            assert_eq!(issues[0].code, "in_the_future");
        }
        other => panic!("expected in_the_future, got {other:?}"),
    }
    let past = w
        .app
        .write(move |tx| readings::record(tx, &ada, &goal, &reading(10.0, 9)))
        .await;
    assert!(past.is_ok(), "{past:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn easing_a_target_waits_for_the_partner_who_alone_decides() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;

    let patch = json!({"metric": {"target": 10.5}});
    let (actor, g) = (ada.clone(), goal.clone());
    let edited = w
        .app
        .write(move |tx| goals::edit(tx, &actor, &g, None, patch.as_object().unwrap()))
        .await
        .unwrap();
    assert!(
        edited.only_pending,
        "an easier target is not applied at once"
    );
    assert_eq!(edited.detail.goal.target, Some(9.6));
    let change = edited.detail.pending[0].clone();
    assert_eq!(change.state, ChangeState::Pending);

    let (actor, g, c) = (ada.clone(), goal.clone(), change.id.clone());
    let by_owner = w
        .app
        .write(move |tx| goals::decide(tx, &actor, &g, &c, true))
        .await;
    assert_eq!(refused_by(by_owner), Rule::PartnerDecides);

    let (g, c) = (goal.clone(), change.id.clone());
    let decided = w
        .app
        .write(move |tx| goals::decide(tx, &grace, &g, &c, true))
        .await
        .unwrap();
    assert_eq!(decided.goal.target, Some(10.5));
    assert!(decided.pending.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn meetings_are_scheduled_only_in_an_active_partnership() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let (actor, pid) = (ada.clone(), p.clone());
    w.app
        .write(move |tx| partnerships::transition(tx, &actor, &pid, PartnershipAction::Pause))
        .await
        .unwrap();
    let paused = w
        .app
        .write(move |tx| meetings::schedule(tx, &grace, &p, &Default::default()))
        .await;
    assert_eq!(refused_by(paused), Rule::PartnershipNotActive);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reused_refresh_token_revokes_its_session_although_the_request_is_refused() {
    let w = world();
    let ada = w.person("Ada").await;
    let email = ada.email.clone();
    let session = w
        .app
        .write(move |tx| {
            let user = identity::account_by_email(tx, &email)?.expect("registered");
            identity::open_session(tx, &user)
        })
        .await
        .unwrap();
    let user_id = session.user_id;
    let (first, sid) = (session.refresh_jti, session.id);
    let rotated = w
        .app
        .write(move |tx| identity::rotate(tx, first, user_id))
        .await
        .unwrap()
        .into_result()
        .unwrap();
    // The first token again: refused, and the refusal's revocation committed.
    let replay = w
        .app
        .write(move |tx| identity::rotate(tx, first, user_id))
        .await
        .unwrap()
        .into_result();
    assert!(
        matches!(replay, Err(AppError::Unauthorized(_))),
        "{replay:?}"
    );
    let live = w
        .app
        .read(move |tx| identity::session_user(tx, user_id, sid))
        .await
        .unwrap();
    assert!(live.is_none(), "the session is revoked");
    let second = rotated.refresh_jti;
    let after = w
        .app
        .write(move |tx| identity::rotate(tx, second, user_id))
        .await
        .unwrap()
        .into_result();
    assert!(after.is_err(), "the rotated token died with its session");
}

/// The check that a goal takes readings and the reading's write are one transaction: a goal
/// dropped by a transaction still open when a reading comes in is judged as dropped once that
/// transaction commits, so no reading lands on a closed goal.
#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_goal_while_a_reading_is_recorded_leaves_no_reading_on_the_dropped_goal() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;

    // The drop holds its transaction open until the reading has been attempted.
    let (dropped_tx, dropped_rx) = std::sync::mpsc::channel();
    let (pool, now, settings) = (w.app.pool().clone(), w.app.now(), w.app.settings().clone());
    let (owner, g) = (ada.clone(), goal.clone());
    let dropper = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        tandem_store::write_transaction(&mut conn, |conn| {
            let mut tx = Tx::new(conn, now, &settings);
            goals::change_status(&mut tx, &owner, &g, GoalStatus::Dropped)?;
            dropped_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(400));
            Ok::<_, AppError>(())
        })
        .unwrap();
    });
    dropped_rx.recv().unwrap();
    let (actor, g) = (ada.clone(), goal.clone());
    let attempt = w
        .app
        .write(move |tx| readings::record(tx, &actor, &g, &reading(10.0, 1)))
        .await;
    dropper.join().unwrap();

    assert_eq!(refused_by(attempt), Rule::GoalClosed);
    let stored = w
        .app
        .read(move |tx| readings::list(tx, &ada, &goal, &Default::default(), None, 10))
        .await
        .unwrap();
    assert!(
        stored.is_empty(),
        "no reading on the dropped goal: {stored:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_changes_feed_never_skips_a_transaction_that_started_early_and_committed_last() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;
    let start = w
        .app
        .read({
            let ada = ada.clone();
            move |tx| tandem_app::changes::feed(tx, &ada, tandem_app::changes::Since::Now, 1)
        })
        .await
        .unwrap()
        .next_since;

    // The early writer logs its change first, then holds its transaction open.
    let (logged_tx, logged_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let (pool, now, settings) = (w.app.pool().clone(), w.app.now(), w.app.settings().clone());
    let (owner, g) = (ada.clone(), goal.clone());
    let early = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        tandem_store::write_transaction(&mut conn, |conn| {
            let mut tx = Tx::new(conn, now, &settings);
            let id = match readings::record(&mut tx, &owner, &g, &reading(1.0, 1))? {
                Inserted::Created(r) | Inserted::Existing(r) => r.id,
            };
            logged_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            Ok::<_, AppError>(id)
        })
        .unwrap()
    });
    logged_rx.recv().unwrap();

    // Fifteen more writers (on PostgreSQL they commit meanwhile; SQLite's one writer queues them).
    let writers: Vec<_> = (0..15)
        .map(|i| {
            let (app, owner, g) = (w.app.clone(), ada.clone(), goal.clone());
            tokio::spawn(async move {
                app.write(move |tx| readings::record(tx, &owner, &g, &reading(2.0 + i as f64, 2)))
                    .await
                    .map(|r| match r {
                        Inserted::Created(r) | Inserted::Existing(r) => r.id,
                    })
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // A reader pages while the early transaction is still open...
    let page = |since: i64| {
        let (app, ada) = (w.app.clone(), ada.clone());
        async move {
            app.read(move |tx| {
                tandem_app::changes::feed(tx, &ada, tandem_app::changes::Since::After(since), 100)
            })
            .await
            .unwrap()
        }
    };
    let first = page(start).await;
    // ...then the early transaction commits, last.
    release_tx.send(()).unwrap();
    let early_id = tokio::task::spawn_blocking(move || early.join().unwrap())
        .await
        .unwrap();
    let mut ids = vec![early_id];
    for writer in writers {
        ids.push(writer.await.unwrap().unwrap());
    }
    let second = page(first.next_since).await;

    let seen: Vec<String> = first
        .changes
        .iter()
        .chain(&second.changes)
        .filter(|c| c.entity == tandem_app::changes::Entity::Reading)
        .map(|c| c.entity_id.clone())
        .collect();
    let mut expected = ids.clone();
    expected.sort();
    let mut got = seen.clone();
    got.sort();
    assert_eq!(
        got, expected,
        "every reading's change exactly once, none skipped"
    );
    assert!(
        !first.changes.iter().any(|c| c.entity_id == ids[0]),
        "the open transaction's change is not visible before it commits"
    );
}

/// Keeps a write unit running until the returned sender is dropped or sent to: on SQLite it holds
/// the one writer, so the writes started meanwhile queue and commit together as the next batch.
async fn hold_the_writer(app: &tandem_app::App) -> std::sync::mpsc::Sender<()> {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let app = app.clone();
    tokio::spawn(async move {
        app.write(move |_tx| {
            started_tx.send(()).unwrap();
            let _ = release_rx.recv();
            Ok(())
        })
        .await
        .unwrap();
    });
    started_rx.await.unwrap();
    release_tx
}

/// Units committed beyond one per transaction so far by SQLite's writers (group commit).
fn units_sharing_a_commit() -> f64 {
    let batches = &tandem_app::metrics::WRITE_BATCH;
    batches.sum() - batches.count() as f64
}

fn on_sqlite() -> bool {
    !std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
}

/// Group commit must not let one write's failure touch another's: a unit that writes and then
/// refuses, or writes and then panics, leaves nothing behind, and the units committed in the same
/// transaction as it are all there.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_fails_after_writing_leaves_no_trace_and_the_writes_beside_it_commit() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;
    let shared_before = units_sharing_a_commit();

    let release = hold_the_writer(&w.app).await;
    let writes: Vec<_> = (1..=6u32)
        .map(|n| {
            let (app, owner, g) = (w.app.clone(), ada.clone(), goal.clone());
            tokio::spawn(async move {
                app.write(move |tx| {
                    readings::record(tx, &owner, &g, &reading(f64::from(n), n))?;
                    match n {
                        3 => Err(AppError::internal("changed its mind after writing")),
                        4 => panic!("a bug after writing"),
                        _ => Ok(n),
                    }
                })
                .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    release.send(()).unwrap();

    let mut answers = Vec::new();
    for write in writes {
        answers.push(write.await.unwrap());
    }
    for (n, answer) in (1..=6).zip(&answers) {
        match n {
            3 | 4 => assert!(
                matches!(answer, Err(AppError::Internal(_))),
                "write {n} failed: {answer:?}"
            ),
            _ => assert_eq!(answer.as_ref().ok(), Some(&n), "write {n} committed"),
        }
    }
    let stored = w
        .app
        .read(move |tx| readings::list(tx, &ada, &goal, &Default::default(), None, 10))
        .await
        .unwrap();
    let mut values: Vec<f64> = stored.iter().map(|r| r.value).collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, [1.0, 2.0, 5.0, 6.0]);
    if on_sqlite() {
        // The five units that did not panic committed in one transaction.
        assert!(
            units_sharing_a_commit() - shared_before >= 4.0,
            "the queued writes were committed together"
        );
    }
}

/// A unit sees what the units before it in its batch wrote, exactly as if each had committed
/// alone: the same external id sent twice yields one reading, the second answer the first's.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_sees_the_write_queued_before_it() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;

    let release = hold_the_writer(&w.app).await;
    let mut writes = Vec::new();
    for _ in 0..2 {
        let (app, owner, g) = (w.app.clone(), ada.clone(), goal.clone());
        writes.push(tokio::spawn(async move {
            let once = NewReading {
                external_id: Some("crm-42".into()),
                ..reading(7.0, 3)
            };
            app.write(move |tx| readings::record(tx, &owner, &g, &once))
                .await
                .unwrap()
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    release.send(()).unwrap();

    let second = writes.pop().unwrap().await.unwrap();
    let first = writes.pop().unwrap().await.unwrap();
    let (Inserted::Created(created), Inserted::Existing(existing)) = (first, second) else {
        panic!("the first write creates the reading and the second finds it");
    };
    assert_eq!(created.id, existing.id);
}

/// Background jobs write like requests do: on SQLite the webhook worker's claim queues for the one
/// writer (first come, first served) instead of racing for SQLite's lock on a connection of its
/// own, so a write queued after the claim sees the delivery claimed. On both databases a due
/// delivery is claimed once and its try recorded.
#[tokio::test(flavor = "multi_thread")]
async fn the_webhook_worker_claims_through_the_writer_queue_like_any_write() {
    let w = world();
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    w.partnership(&ada, &grace).await;
    let owner = ada.clone();
    let (hook, delivery) = w
        .app
        .write(move |tx| {
            let new = tandem_app::webhooks::NewWebhook {
                url: "http://127.0.0.1:9/hook".into(),
                events: Vec::new(),
                partnership_id: None,
                description: None,
                active: None,
            };
            let (hook, _secret) = tandem_app::webhooks::create(tx, &owner, new)?;
            let queued = tandem_app::webhooks::test(tx, &owner, &hook.id)?;
            Ok((hook.id, queued.delivery.id))
        })
        .await
        .unwrap();

    let release = hold_the_writer(&w.app).await;
    let (app, http) = (
        w.app.clone(),
        tandem_app::jobs::delivery::client(w.app.settings()),
    );
    let worker =
        tokio::spawn(async move { tandem_app::jobs::delivery::drain_once(&app, &http).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (owner, h, d) = (ada.clone(), hook.clone(), delivery.clone());
    let app = w.app.clone();
    let seen_after_claim = tokio::spawn(async move {
        app.write(move |tx| tandem_app::webhooks::delivery(tx, &owner, &h, &d))
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    release.send(()).unwrap();

    assert_eq!(
        worker.await.unwrap().unwrap(),
        1,
        "the due delivery was claimed"
    );
    let seen = seen_after_claim.await.unwrap();
    if on_sqlite() {
        assert!(
            seen.delivery.leased_until.is_some() && seen.attempts.is_empty(),
            "the write queued after the claim saw it claimed and not yet tried: {seen:?}"
        );
    }
    let logged = w
        .app
        .read(move |tx| tandem_app::webhooks::delivery(tx, &ada, &hook, &delivery))
        .await
        .unwrap();
    assert_eq!(logged.attempts.len(), 1, "one try recorded: {logged:?}");
    assert_eq!(logged.delivery.leased_until, None, "the lease was released");
}

/// On SQLite the writes reach the database file in the background: no commit waits for the WAL to
/// be copied (SQLite's own checkpoint, run by a commit, stalled every write queued behind it), yet
/// the WAL does not just grow. A few hundred KiB of readings, far below SQLite's own threshold,
/// show up in the database file shortly after they commit.
#[tokio::test(flavor = "multi_thread")]
async fn committed_writes_reach_the_database_file_in_the_background() {
    let w = world();
    if !on_sqlite() {
        return;
    }
    let (ada, grace) = (w.person("Ada").await, w.person("Grace").await);
    let p = w.partnership(&ada, &grace).await;
    let goal = w.active_goal(&ada, &p, "Cut wait time").await;
    let file_size = || std::fs::metadata(&w.db.url).unwrap().len();
    // What setting up wrote is in the file before the readings start.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut before = file_size();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = file_size();
        if now == before || std::time::Instant::now() > deadline {
            break;
        }
        before = now;
    }

    for n in 0..100u32 {
        let (owner, g) = (ada.clone(), goal.clone());
        let long = NewReading {
            note: Some(format!("{n:03} {}", "x".repeat(3_000))),
            ..reading(f64::from(n), 1 + n % 28)
        };
        w.app
            .write(move |tx| readings::record(tx, &owner, &g, &long))
            .await
            .unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while file_size() < before + 300_000 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        file_size() >= before + 300_000,
        "the readings' ~300 KiB reached the database file: {} bytes then, {} now",
        before,
        file_size()
    );
}
