//! Tandem's domain engine: pure rules and math for accountability partnerships.
//!
//! It tells a leader exactly what makes a goal not yet SMART ([`smart::assess`]), how far along it
//! is whichever way its metric runs, whether that is on pace and when the target will be hit at the
//! current rate ([`progress::progress`]), when the pair meets next and how reliably they do
//! ([`cadence`]), and how their hour together is spent ([`agenda::agenda`]).
//!
//! Nothing here performs I/O or reads a clock: time is always a parameter, so every answer is
//! reproducible and testable. Types derive `serde`; with the `openapi` feature they also derive
//! `utoipa::ToSchema`, so the API can expose them without mirroring.
//!
//! # Performance
//! `cargo bench -p tandem-domain` measures a full progress report (status, forecast, staleness,
//! explanation) over 10,000 readings: 262 µs (criterion's interval 257-267 µs) on the 2-core CI
//! machine, 2026-11-25 — the math is never the bottleneck of a request. Pairing a cohort
//! ([`matching::propose`], `cargo bench -p tandem-domain --bench matching`): 8.3 ms for 100
//! members, 14.1 s for 1,000 (2026-11-30; the blossom algorithm is O(n³) over every allowed pair).

#[macro_use]
pub mod names;
pub mod agenda;
pub mod cadence;
pub mod disclosure;
pub mod email;
pub mod events;
pub mod fit_review;
pub mod goal;
pub mod goal_edit;
pub mod goal_set;
pub mod ics;
pub mod kudos;
pub mod matching;
pub mod meeting;
pub mod partnership;
pub mod progress;
pub mod reading;
pub mod rhythm;
pub mod rollup;
pub mod scorecard;
pub mod smart;
pub mod sync;
pub mod token;
pub mod webhook;
pub mod zone;

pub use goal::{Direction, GoalDraft, GoalStatus, MetricDraft, MetricKind, Milestone};
pub use names::Named;
pub use progress::{GoalPlan, ProgressReport, ProgressStatus, Reading, StatusThresholds};
pub use smart::{SmartAssessment, assess};
