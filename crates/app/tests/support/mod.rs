//! A fresh database per test (a SQLite file in a temporary directory, or a new PostgreSQL
//! database when `TEST_DATABASE_URL=postgres://…` is set), the application on it with a clock the
//! test sets, and the few steps every scenario starts from. No HTTP anywhere.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use tandem_app::goals::{GoalDocument, MetricDocument};
use tandem_app::identity::{self, Registration};
use tandem_app::partnerships::{self, Invitation};
use tandem_app::{Actor, App, Clock, Settings};
use tandem_domain::goal::{Direction, GoalStatus, MetricKind};
use tandem_domain::partnership::PartnershipAction;
use tandem_store::testing::TestDatabase;

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    /// Sets the time.
    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap() = to;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// The application on a fresh database.
pub struct World {
    /// The application.
    pub app: App,
    /// Its clock (starts at 2026-03-02 09:00 UTC).
    pub clock: TestClock,
    /// Its database.
    pub db: TestDatabase,
}

/// A fresh world.
pub fn world() -> World {
    let db = TestDatabase::fresh();
    let clock = TestClock(Arc::new(Mutex::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    )));
    let app = tandem_app::connect(&db.url, 4, Arc::new(clock.clone()), Settings::default())
        .expect("the app opens its database");
    World { app, clock, db }
}

/// A SMART goal document, activatable on the world's dates.
pub fn smart_goal(title: &str) -> GoalDocument {
    GoalDocument {
        title: Some(title.into()),
        what: Some("Reduce average customer wait time by 20%".into()),
        who: Some("Support team".into()),
        why: Some("Long waits are the top reason for churn".into()),
        metric: Some(MetricDocument {
            name: Some("Average wait".into()),
            unit: Some("minutes".into()),
            kind: Some(MetricKind::Duration),
            direction: Some(Direction::Decrease),
            baseline: Some(12.0),
            target: Some(9.6),
        }),
        confidence: Some(0.7),
        alignment: Some("FY26 retention objective".into()),
        start_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        due_date: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
        ..GoalDocument::default()
    }
}

impl World {
    /// Registers `name` and returns them as an actor.
    pub async fn person(&self, name: &str) -> Actor {
        let registration = Registration {
            email: format!("{}@example.com", name.to_lowercase()),
            display_name: name.into(),
            time_zone: "Europe/London".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        };
        let user = self
            .app
            .write(move |tx| identity::register(tx, &registration))
            .await
            .expect("registered");
        Actor {
            id: user.id.to_string(),
            email: user.email,
            only: None,
            admin: false,
        }
    }

    /// `a` invites `b`, who accepts; the partnership's id.
    pub async fn partnership(&self, a: &Actor, b: &Actor) -> String {
        let (a, b) = (a.clone(), b.clone());
        self.app
            .write(move |tx| {
                let invite = Invitation {
                    invitee_email: b.email.clone(),
                    ..Invitation::default()
                };
                let p = partnerships::create(tx, &a, invite)?;
                partnerships::transition(tx, &b, &p.id, PartnershipAction::Accept)?;
                Ok(p.id)
            })
            .await
            .expect("partnership")
    }

    /// An active goal of `owner` in `partnership`; its id.
    pub async fn active_goal(&self, owner: &Actor, partnership: &str, title: &str) -> String {
        let (owner, partnership, doc) = (owner.clone(), partnership.to_owned(), smart_goal(title));
        self.app
            .write(move |tx| {
                let goal = tandem_app::goals::create(tx, &owner, &partnership, &doc, &[])?;
                let id = goal.goal.id.clone();
                tandem_app::goals::change_status(tx, &owner, &id, GoalStatus::Active)?;
                Ok(id)
            })
            .await
            .expect("active goal")
    }
}
